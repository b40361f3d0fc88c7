//! The "Rolling correlation" section: per window the latest correlation, its interval,
//! percentile, share above the strong threshold, beta, volatilities and extremes.

use super::{interval, opt, share0, share1, signed3, NONE};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::words::method as method_words;
use crate::{Extreme, Report};

pub(super) fn section(r: &Report) -> Section {
    let p = &r.params;
    let (na, nb) = (&r.a.name, &r.b.name);
    let strong = format!(">{}", p.strong);
    let mut t = Table::new(
        "windows",
        vec![
            Column::new("window", Kind::Num),
            Column::new("corr", Kind::Num),
            Column::new("interval", Kind::Num),
            Column::new("pctile", Kind::Num),
            Column::new(&strong, Kind::Num),
            Column::new("beta", Kind::Num),
            Column::detail(format!("vol {na}"), Kind::Num),
            Column::detail(format!("vol {nb}"), Kind::Num),
            Column::new("strength", Kind::Text),
            Column::new("min (date)", Kind::Num),
            Column::new("max (date)", Kind::Num),
            Column::new("as of", Kind::Date),
        ],
    )
    .caption(format!(
        "pctile: percentile of the latest correlation in its window's history; {strong}: \
         share of that history above {}; beta of {na} on {nb}; volatility annualized ×√{}",
        p.strong, p.periods_per_year
    ));
    let ext = |e: &Option<Extreme>| opt(e.as_ref(), |e| format!("{:+.3} ({})", e.value, e.date));
    for w in &r.windows {
        t.rows.push(match &w.latest {
            Some(l) => {
                let tone = Tone::Corr(l.corr);
                vec![
                    Cell::new(w.window.to_string()),
                    Cell::toned(signed3(l.corr), tone.clone()),
                    Cell::new(interval(l.corr_lo, l.corr_hi)),
                    Cell::new(opt(w.percentile, |v| format!("{v:.0}%"))),
                    Cell::new(opt(w.share_strong, share0)),
                    Cell::new(opt(l.beta, |v| format!("{v:.3}"))),
                    Cell::new(opt(l.vol_a, share1)),
                    Cell::new(opt(l.vol_b, share1)),
                    Cell::toned(w.strength.unwrap_or(NONE), tone),
                    Cell::new(ext(&w.min)),
                    Cell::new(ext(&w.max)),
                    Cell::new(l.date.to_string()),
                ]
            }
            None => vec![
                Cell::new(w.window.to_string()),
                Cell::new(NONE),
                Cell::spanning("not enough aligned returns for this window", 10),
            ],
        });
    }
    let mut blocks = vec![
        super::freshness::as_of(r.period.last),
        Block::Table(t),
        Block::Figures,
    ];
    if let Some(w) = r.windows.first() {
        if let Some(l) = &w.latest {
            blocks.push(Block::Heading(format!(
                "Annualized volatility, last {} returns (×√{})",
                w.window, p.periods_per_year
            )));
            let mut v = Table::new(
                "volatility",
                vec![
                    Column::new("", Kind::Text),
                    Column::new("volatility", Kind::Num),
                ],
            );
            v.rows
                .push(vec![Cell::new(na), Cell::new(opt(l.vol_a, share1))]);
            v.rows
                .push(vec![Cell::new(nb), Cell::new(opt(l.vol_b, share1))]);
            blocks.push(Block::Table(v));
        }
    }
    Section {
        id: "correlation",
        title: format!(
            "Rolling correlation ({}, {:.0}% Fisher-z interval)",
            method_words(p.method),
            100.0 * p.confidence
        ),
        blocks,
    }
}
