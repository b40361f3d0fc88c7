//! What each section's numbers are as of, said once at the top when the sections disagree,
//! and the legs' last bars that look partial.

use std::fmt::Display;

use crate::doc::Block;
use crate::Report;

/// The "as of" line of a section (`as of 2026-02-23`).
pub(super) fn as_of(date: impl Display) -> Block {
    Block::para("as-of", format!("as of {date}"))
}

/// The dates of the momentum section: one date, or each leg's (`2026-05-20 (ETH-USD) and
/// 2026-02-23 (^RUT)`) when they differ.
pub(super) fn momentum_dates(r: &Report) -> String {
    let (a, b) = (&r.structure.a, &r.structure.b);
    if a.momentum.date == b.momentum.date {
        a.momentum.date.to_string()
    } else {
        format!(
            "{} ({}) and {} ({})",
            a.momentum.date, a.name, b.momentum.date, b.name
        )
    }
}

/// The dates of rate sensitivity (both legs' latest), when there is one.
pub(super) fn rate_dates(r: &Report) -> Option<String> {
    let rate = r.regimes.rate.as_ref()?;
    match (&rate.a, &rate.b) {
        (Some(a), Some(b)) if a.date != b.date => {
            Some(format!("{} ({}) and {} ({})", a.date, a.leg, b.date, b.leg))
        }
        (Some(x), _) | (None, Some(x)) => Some(x.date.to_string()),
        (None, None) => None,
    }
}

/// One sentence listing the dates when the sections are not all as of the same one:
/// correlation, momentum (each leg), rates, liquidity.
pub(super) fn disagreement(r: &Report) -> Option<Block> {
    let corr = r
        .windows
        .first()
        .and_then(|w| w.latest.as_ref().map(|l| l.date))
        .unwrap_or(r.period.last);
    let mut dates = vec![
        corr,
        r.structure.a.momentum.date,
        r.structure.b.momentum.date,
    ];
    let mut parts = vec![
        format!("correlation {corr}"),
        format!("momentum {}", momentum_dates(r)),
    ];
    if let Some(rate) = &r.regimes.rate {
        dates.extend([&rate.a, &rate.b].into_iter().flatten().map(|x| x.date));
        if let Some(d) = rate_dates(r) {
            parts.push(format!("rates {d}"));
        }
    }
    if let Some(l) = &r.liquidity.latest {
        dates.push(l.date);
        parts.push(format!("liquidity {}", l.date));
    }
    dates.sort();
    dates.dedup();
    (dates.len() > 1).then(|| {
        Block::para(
            "freshness",
            format!(
                "Not every section is as of the same date: {}.",
                parts.join(", ")
            ),
        )
    })
}

/// A line per leg whose last bar looks partial.
pub(super) fn partial(r: &Report) -> Vec<Block> {
    r.partial
        .iter()
        .map(|p| Block::para("partial", format!("Note: {}.", p.sentence())))
        .collect()
}
