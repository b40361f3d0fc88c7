//! The "Beyond the market" section: the partial correlation of A and B given the controls,
//! over the full period and the latest value of each window, in plain words ("0.54 raw;
//! 0.19 beyond what both share with the S&P 500 (SPY)").

use super::{interval, opt, signed3};
use crate::control::ControlSection;
use crate::doc::{Block, Cell, Column, Kind, Section, Span, Table, Tone};
use crate::words;
use crate::Report;

pub(super) fn section(r: &Report, c: &ControlSection) -> Section {
    let (na, nb) = (&r.a.name, &r.b.name);
    let mut blocks = Vec::new();
    if let Some(note) = &c.note {
        blocks.push(Block::para("note reason", note.clone()));
        return Section {
            id: "control",
            title: "Beyond the market: no control".into(),
            blocks,
        };
    }
    let names = &c.controls;
    blocks.push(super::freshness::as_of(r.period.last));
    if let (Some(raw), Some(p)) = (c.raw, c.partial) {
        let mut spans = vec![
            Span::plain(format!("Over the full period ({} returns): ", c.n)),
            Span::strong(words::beyond(raw, p, names), Tone::Plain),
        ];
        if let (Some(lo), Some(hi)) = (c.lo, c.hi) {
            spans.push(Span::plain(format!(
                " (plausible range {} to {}): {}.",
                words::corr2(lo),
                words::corr2(hi),
                words::beyond_verdict(raw, p, lo, hi)
            )));
        } else {
            spans.push(Span::plain("."));
        }
        blocks.push(Block::Para {
            role: "control",
            spans,
        });
    }
    // The longest window: the most returns behind a latest value.
    if let Some(w) = c
        .windows
        .iter()
        .filter(|w| w.partial.is_some())
        .max_by_key(|w| w.window)
    {
        if let (Some(raw), Some(p)) = (w.raw, w.partial) {
            blocks.push(Block::para(
                "",
                format!(
                    "Over the latest {} returns (to {}): {}{}.",
                    w.window,
                    opt(w.date, |d| d.to_string()),
                    words::beyond(raw, p, names),
                    match (w.lo, w.hi) {
                        (Some(lo), Some(hi)) => format!(
                            " (plausible range {} to {})",
                            words::corr2(lo),
                            words::corr2(hi)
                        ),
                        _ => String::new(),
                    }
                ),
            ));
        }
    }
    let mut t = Table::new(
        "control",
        vec![
            Column::new("returns", Kind::Text),
            Column::new("raw corr", Kind::Num),
            Column::new("partial", Kind::Num),
            Column::new("interval", Kind::Num),
            Column::new("as of", Kind::Date),
        ],
    )
    .caption(format!(
        "partial: the correlation of what is left of {na}'s and {nb}'s returns once each is \
         regressed on {}'s; {:.0}% Fisher interval on n − 3 − k degrees of freedom (k = {} \
         control{})",
        names.join(", "),
        100.0 * r.params.confidence,
        names.len(),
        if names.len() == 1 { "" } else { "s" }
    ));
    t.rows.push(vec![
        Cell::new(format!("all {}", c.n)),
        Cell::toned(
            opt(c.raw, signed3),
            c.raw.map(Tone::Corr).unwrap_or(Tone::Plain),
        ),
        Cell::toned(
            opt(c.partial, signed3),
            c.partial.map(Tone::Corr).unwrap_or(Tone::Plain),
        ),
        Cell::new(interval(c.lo, c.hi)),
        Cell::new(r.period.last.to_string()),
    ]);
    for w in &c.windows {
        t.rows.push(vec![
            Cell::new(format!("latest {}", w.window)),
            Cell::toned(
                opt(w.raw, signed3),
                w.raw.map(Tone::Corr).unwrap_or(Tone::Plain),
            ),
            Cell::toned(
                opt(w.partial, signed3),
                w.partial.map(Tone::Corr).unwrap_or(Tone::Plain),
            ),
            Cell::new(interval(w.lo, w.hi)),
            Cell::new(opt(w.date, |d| d.to_string())),
        ]);
    }
    blocks.push(Block::Table(t));
    let mut facts: Vec<String> = c
        .legs
        .iter()
        .map(|l| {
            format!(
                "{}'s correlation with {na}: {}, with {nb}: {} (full period)",
                l.name,
                opt(l.corr_a, signed3),
                opt(l.corr_b, signed3)
            )
        })
        .collect();
    if c.default {
        facts.push(format!(
            "{} is the default control of this pair (--control names another, --no-control \
             leaves it out)",
            names.join(", ")
        ));
    }
    blocks.push(Block::Facts(facts));
    Section {
        id: "control",
        title: format!(
            "Beyond the market: partial correlation given {}",
            names.join(", ")
        ),
        blocks,
    }
}
