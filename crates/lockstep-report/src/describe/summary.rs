//! The "Series and parameters" and "Performance" sections.

use super::pct;
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::words::calendar as calendar_words;
use crate::words::method as method_words;
use crate::Report;

/// `summary`: the legs, the aligned period and the parameters.
pub(super) fn section(r: &Report) -> Section {
    let mut legs = Table::new(
        "legs",
        vec![
            Column::new("leg", Kind::Text),
            Column::new("name", Kind::Text),
            Column::detail("source", Kind::Text),
            Column::detail("read as", Kind::Text),
            Column::new("price", Kind::Text),
            Column::new("calendar", Kind::Text),
            Column::new("first", Kind::Date),
            Column::new("last", Kind::Date),
            Column::new("observations", Kind::Num),
        ],
    );
    for (tag, l) in [("A", &r.a), ("B", &r.b)] {
        legs.rows.push(vec![
            Cell::new(tag),
            Cell::new(&l.name),
            Cell::new(&l.source),
            Cell::new(&l.format),
            Cell::new(l.price_field.label()),
            Cell::new(calendar_words(l.calendar)),
            Cell::new(l.first.to_string()),
            Cell::new(l.last.to_string()),
            Cell::new(l.observations.to_string()),
        ]);
    }
    let p = &r.params;
    let windows: Vec<String> = p.windows.iter().map(|w| w.to_string()).collect();
    Section {
        id: "summary",
        title: "Series and parameters".into(),
        blocks: vec![
            Block::Table(legs),
            Block::para(
                "aligned",
                format!(
                    "Aligned ({}): {} .. {}, {} dates, {} {} returns",
                    p.align.name(),
                    r.period.first,
                    r.period.last,
                    r.period.dates,
                    r.period.returns,
                    p.returns.name()
                ),
            ),
            Block::Definitions {
                role: "params",
                items: vec![
                    ("alignment".into(), p.align.name().to_string()),
                    ("returns".into(), p.returns.name().to_string()),
                    ("method".into(), method_words(p.method)),
                    ("windows".into(), windows.join(", ")),
                    ("confidence".into(), format!("{}%", 100.0 * p.confidence)),
                    ("strong correlation".into(), format!("> {}", p.strong)),
                    ("periods per year".into(), p.periods_per_year.to_string()),
                ],
            },
        ],
    }
}

/// `performance`: both legs over the aligned period and year to date.
pub(super) fn performance(r: &Report) -> Section {
    let pf = &r.performance;
    let mut t = Table::new(
        "performance",
        vec![
            Column::new("", Kind::Text),
            Column::new("start", Kind::Num),
            Column::new("end", Kind::Num),
            Column::new("total", Kind::Num),
            Column::new("year to date", Kind::Num),
            Column::new("since", Kind::Date),
        ],
    );
    for (name, lp) in [(&r.a.name, &pf.a), (&r.b.name, &pf.b)] {
        t.rows.push(vec![
            Cell::new(name),
            Cell::new(format!("{:.2}", lp.start)),
            Cell::new(format!("{:.2}", lp.end)),
            Cell::toned(pct(lp.total_return), Tone::Sign(lp.total_return)),
            Cell::toned(pct(lp.ytd_return), Tone::Sign(lp.ytd_return)),
            Cell::new(lp.ytd_base_date.to_string()),
        ]);
    }
    Section {
        id: "performance",
        title: format!("Performance (overlay rebased to 100 on {})", r.period.first),
        blocks: vec![super::freshness::as_of(r.period.last), Block::Table(t)],
    }
}
