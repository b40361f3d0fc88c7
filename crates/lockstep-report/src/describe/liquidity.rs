//! The "Liquidity" section: the latest net liquidity and the weekly correlation of each leg
//! with its change, or why there is none.

use super::{interval, opt, signed3};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::Report;

pub(super) fn section(r: &Report) -> Section {
    let l = &r.liquidity;
    let mut blocks = Vec::new();
    if let Some(p) = &l.latest {
        blocks.push(super::freshness::as_of(p.date));
    }
    if let Some(reason) = &l.reason {
        blocks.push(Block::para("note reason", reason.clone()));
    }
    if let Some(p) = &l.latest {
        let bn = |v: f64| format!("{:.1}", v / 1000.0);
        let opt_bn = |v: Option<f64>| opt(v, |v| format!("{:+.1}", v / 1000.0));
        blocks.push(Block::para(
            "",
            format!(
                "net ${} bn on {}; change 4w {} bn, 13w {} bn; z {}",
                bn(p.net),
                p.date,
                opt_bn(p.change_4w),
                opt_bn(p.change_13w),
                opt(p.z_13w, |z| format!("{z:+.2}"))
            ),
        ));
    }
    if let Some(c) = &l.correlation {
        let mut t = Table::new(
            "liquidity",
            vec![
                Column::new("asset", Kind::Text),
                Column::new("weeks", Kind::Text),
                Column::new("r", Kind::Num),
                Column::new("95% interval", Kind::Num),
                Column::new("n", Kind::Num),
                Column::new("from", Kind::Date),
                Column::new("to", Kind::Date),
            ],
        )
        .caption("weekly log return vs weekly change in net liquidity (95% interval)");
        for a in [&c.a, &c.b] {
            for (label, s) in [("all", &a.full), ("52w", &a.last_52w)] {
                t.rows.push(vec![
                    Cell::new(&a.asset),
                    Cell::new(label),
                    Cell::toned(
                        opt(s.r, signed3),
                        s.r.map(Tone::Corr).unwrap_or(Tone::Plain),
                    ),
                    Cell::new(interval(s.ci95.map(|c| c[0]), s.ci95.map(|c| c[1]))),
                    Cell::new(s.n.to_string()),
                    Cell::new(opt(s.from, |d| d.to_string())),
                    Cell::new(opt(s.to, |d| d.to_string())),
                ]);
            }
        }
        blocks.push(Block::Table(t));
    }
    Section {
        id: "liquidity",
        title: "Liquidity (net = WALCL − TGA − RRP, weekly, Wednesdays)".into(),
        blocks,
    }
}
