//! How each section of a [`Report`] reads, said once: [`report`] turns the computed report
//! into a [`Document`] that the terminal, the HTML report and the dashboard lay out.
//!
//! The section order lives here ([`report`]); each section's words, tables and figures live
//! in its own file. Numbers are formatted here (the precisions of the report), so every front
//! end shows the same digits; an undefined value shows as [`NONE`].

mod clock;
mod compare;
mod control;
mod correlation;
mod freshness;
mod inference;
mod lead_lag;
mod liquidity;
mod regimes;
mod signals;
mod structure;
mod summary;
mod verdict;

use crate::doc::{Document, Section};

use crate::Report;
pub use signals::{backtest_section, signals_section};

/// What an undefined value shows.
pub const NONE: &str = "—";

/// `f(v)`, or [`NONE`].
pub(crate) fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| NONE.into())
}

/// A signed value with 3 decimals (correlations, z's).
pub(crate) fn signed3(v: f64) -> String {
    format!("{v:+.3}")
}

/// A signed percentage with 1 decimal from a fraction (`0.123` → `+12.3%`).
pub(crate) fn pct(v: f64) -> String {
    format!("{:+.1}%", 100.0 * v)
}

/// An unsigned percentage with 1 decimal from a fraction.
pub(crate) fn share1(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// An unsigned percentage with no decimal from a fraction.
pub(crate) fn share0(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// An interval `[lo, hi]` with 3 decimals.
pub(crate) fn interval(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("[{l:+.3}, {h:+.3}]"),
        _ => NONE.into(),
    }
}

/// The reading order of a report's sections by id, the answer first: the verdict (with the
/// main chart), the latest correlations, their Fisher and bootstrap intervals, the signals;
/// then the detail; the chart index and the backtest; provenance and parameters (`summary`)
/// last. A section of another id (a page's own, e.g. the dashboard's alerts) goes just
/// before `summary`. Every front end (terminal, HTML report, dashboard) orders by this.
pub const ORDER: [&str; 15] = [
    "verdict",
    "correlation",
    "inference",
    "signals",
    "control",
    "clock",
    "performance",
    "lead-lag",
    "intraday",
    "regimes",
    "structure",
    "liquidity",
    "charts",
    "backtest",
    "summary",
];

/// The place of section `id` in [`ORDER`] (an unknown id: just before `summary`).
pub fn rank(id: &str) -> usize {
    match ORDER.iter().position(|x| *x == id) {
        Some(i) if id == "summary" => 2 * i + 2,
        Some(i) => 2 * i,
        None => 2 * ORDER.len() - 1,
    }
}

/// The sections of the analyze report, in reading order ([`ORDER`]).
pub fn sections(r: &Report) -> Vec<Section> {
    let mut out = vec![summary::section(r), correlation::section(r)];
    if let Some(c) = &r.control {
        out.push(control::section(r, c));
    }
    if let Some(inf) = &r.inference {
        let mut blocks = vec![freshness::as_of(r.period.last)];
        blocks.extend(inference::blocks(r, inf));
        out.push(Section {
            id: "inference",
            title: format!(
                "How sure: bootstrap and Fisher intervals ({:.0}%), tests of change",
                100.0 * r.params.confidence
            ),
            blocks,
        });
    }
    if let Some(c) = &r.clocks {
        out.push(clock::clock_section(r, c));
    }
    out.push(summary::performance(r));
    out.push(lead_lag::section(r));
    if let Some(s) = &r.intraday {
        out.push(clock::intraday_section(r, s));
    }
    out.extend([
        regimes::section(r),
        structure::section(r),
        liquidity::section(r),
        verdict::section(r),
    ]);
    out.sort_by_key(|s| rank(s.id));
    out
}

/// The whole analyze report as a document.
pub fn report(r: &Report) -> Document {
    Document {
        title: format!("Lockstep: {} vs {}", r.a.name, r.b.name),
        sections: sections(r),
    }
}

/// The lead-lag section alone (`lockstep leadlag`).
pub fn lead_lag_section(r: &Report) -> Section {
    lead_lag::section(r)
}

/// The lead-lag section in bars within sessions (`lockstep leadlag --interval`).
pub fn intraday_lead_lag_section(r: &Report, ll: &crate::IntradayLeadLag) -> Section {
    lead_lag::intraday_section(r, ll)
}

/// The comparison of one series with several candidates (`lockstep compare`).
pub fn comparison(c: &crate::compare::Comparison) -> Document {
    compare::document(c)
}

/// The regimes section alone (`lockstep regimes`).
pub fn regimes_section(r: &Report) -> Section {
    regimes::section(r)
}
