//! The "How sure" section: the stationary-bootstrap interval beside the Fisher interval for
//! the full-period and the latest per-window correlations (one sentence when they disagree),
//! and the tests of whether the latest window differs from the long run; the regimes section
//! takes the per-regime intervals and the risk-on against risk-off test from here.

use super::{interval, opt, signed3};
use crate::doc::{Block, Cell, Column, Kind, Table, Tone};
use crate::inference::{Estimate, Inference};
use crate::words;
use crate::Report;

/// Columns of an intervals table.
fn interval_table(role: &'static str, first: &str, r: &Report) -> Table {
    let c = 100.0 * r.params.confidence;
    Table::new(
        role,
        vec![
            Column::new(first, Kind::Text),
            Column::new("corr", Kind::Num),
            Column::new(format!("Fisher {c:.0}%"), Kind::Num),
            Column::new(format!("bootstrap {c:.0}%"), Kind::Num),
            Column::new("block", Kind::Num),
            Column::new("n", Kind::Num),
        ],
    )
}

fn interval_row(label: String, e: &Estimate) -> Vec<Cell> {
    vec![
        Cell::new(label),
        Cell::toned(signed3(e.r), Tone::Corr(e.r)),
        Cell::new(interval(e.fisher_lo, e.fisher_hi)),
        Cell::new(interval(e.boot_lo, e.boot_hi)),
        Cell::new(opt(e.block_length, |b| format!("{b:.1}"))),
        Cell::new(e.n.to_string()),
    ]
}

/// How the two intervals of an estimate disagree, in words, or `None` when they roughly
/// agree (widths within 25% of each other and the same verdict on 0).
fn disagreement(e: &Estimate) -> Option<String> {
    let (fl, fh, bl, bh) = (e.fisher_lo?, e.fisher_hi?, e.boot_lo?, e.boot_hi?);
    let (fw, bw) = (fh - fl, bh - bl);
    let zero = |l: f64, h: f64| l > 0.0 || h < 0.0;
    if zero(fl, fh) != zero(bl, bh) {
        let (only, other) = if zero(fl, fh) {
            ("Fisher's", "the bootstrap's")
        } else {
            ("the bootstrap's", "Fisher's")
        };
        return Some(format!("{only} interval excludes 0, {other} does not"));
    }
    if bw > 1.25 * fw {
        Some(format!(
            "Fisher's interval is {:.0}% narrower than the bootstrap's",
            100.0 * (1.0 - fw / bw)
        ))
    } else if fw > 1.25 * bw {
        Some(format!(
            "the bootstrap's interval is {:.0}% narrower than Fisher's",
            100.0 * (1.0 - bw / fw)
        ))
    } else {
        None
    }
}

/// The one sentence on where the intervals disagree, if they do.
fn disagreements(rows: &[(String, &Estimate)]) -> Option<String> {
    let parts: Vec<String> = rows
        .iter()
        .filter_map(|(label, e)| disagreement(e).map(|d| format!("{label}: {d}")))
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "The intervals disagree ({}). Fisher's interval assumes independent, normally \
         distributed pairs; the bootstrap keeps the returns' autocorrelation, volatility \
         clustering and fat tails, so read the bootstrap interval.",
        parts.join("; ")
    ))
}

/// The blocks of the inference section (see the module documentation).
pub(super) fn blocks(r: &Report, inf: &Inference) -> Vec<Block> {
    let mut blocks = vec![Block::para(
        "",
        format!(
            "Stationary bootstrap (Politis–Romano): {} resamples of blocks of consecutive \
             days, expected block length by Politis–White (the larger of the two legs'), \
             percentile interval, seed {} (--seed; --bootstrap 0 leaves this out). Fisher's \
             interval tanh(atanh r ∓ z/√(n − 3)) assumes independent normal pairs.",
            inf.replications, inf.seed
        ),
    )];
    let mut t = interval_table("intervals", "returns", r);
    let mut rows: Vec<(String, &Estimate)> = Vec::new();
    if let Some(e) = &inf.full {
        rows.push((format!("all {}", e.n), e));
    }
    for w in &inf.windows {
        rows.push((format!("latest {}", w.window), &w.estimate));
    }
    for (label, e) in &rows {
        t.rows.push(interval_row(label.clone(), e));
    }
    if !t.rows.is_empty() {
        t.caption = format!(
            "block: the bootstrap's expected block length in returns; latest windows end {}",
            r.period.last
        );
        blocks.push(Block::Table(t));
    }
    if let Some(s) = disagreements(&rows) {
        blocks.push(Block::para("note", s));
    }
    if !inf.changes.is_empty() {
        blocks.push(Block::Heading(
            "Has the correlation changed? The latest window against the long run".into(),
        ));
        let mut t = Table::new(
            "changes",
            vec![
                Column::new("window", Kind::Num),
                Column::new("latest", Kind::Num),
                Column::new("before", Kind::Num),
                Column::new("Fisher p", Kind::Num),
                Column::new("latest − all", Kind::Num),
                Column::detail("interval", Kind::Num),
                Column::new("boot p", Kind::Num),
                Column::new("verdict", Kind::Text),
            ],
        )
        .caption(
            "Fisher z: the window against the returns before it (independent samples); \
             bootstrap: the window against the full period, which contains it (overlapping \
             samples, resampled together); verdict from the bootstrap p at 5%",
        );
        for c in &inf.changes {
            let p = c.boot.boot_p.or(c.fisher.fisher_p);
            t.rows.push(vec![
                Cell::new(c.window.to_string()),
                Cell::toned(signed3(c.fisher.r1), Tone::Corr(c.fisher.r1)),
                Cell::toned(signed3(c.fisher.r2), Tone::Corr(c.fisher.r2)),
                Cell::new(opt(c.fisher.fisher_p, words::p_value)),
                Cell::new(opt(c.boot.boot_diff, signed3)),
                Cell::new(interval(c.boot.boot_lo, c.boot.boot_hi)),
                Cell::new(opt(c.boot.boot_p, words::p_value)),
                match p {
                    Some(p) if p < 0.05 => Cell::toned("changed", Tone::Significant),
                    Some(_) => Cell::new("no evidence"),
                    None => Cell::new(super::NONE),
                },
            ]);
        }
        blocks.push(Block::Table(t));
    }
    for n in &inf.notes {
        blocks.push(Block::note(n));
    }
    blocks
}

/// The regimes section's part: each regime's correlation with both intervals, and the test of
/// risk-on against risk-off.
pub(super) fn regime_blocks(r: &Report, inf: &Inference) -> Vec<Block> {
    let mut blocks = Vec::new();
    let rows: Vec<(String, &Estimate)> = inf
        .regimes
        .iter()
        .map(|g| (words::regime(g.regime).to_string(), &g.estimate))
        .collect();
    if !rows.is_empty() {
        let mut t = interval_table("regime-intervals", "regime", r);
        for (label, e) in &rows {
            t.rows.push(interval_row(label.clone(), e));
        }
        t.caption = "each regime's days within resamples of the whole series (blocks of \
                     consecutive days; the replicates of the test below)"
            .into();
        blocks.push(Block::Table(t));
    }
    if let Some(t) = &inf.regime_change {
        let f = &t.fisher;
        let p = t.boot.boot_p.or(f.fisher_p);
        blocks.push(Block::para(
            "",
            format!(
                "Risk-on against risk-off: {} against {} ({} and {} returns); Fisher z {} \
                 (p = {}, independent samples: no day is in both); bootstrap difference {} {} \
                 (p = {}): {}.",
                signed3(f.r1),
                signed3(f.r2),
                f.n1,
                f.n2,
                opt(f.fisher_z, |z| format!("{z:+.2}")),
                opt(f.fisher_p, words::p_value),
                opt(t.boot.boot_diff, signed3),
                interval(t.boot.boot_lo, t.boot.boot_hi),
                opt(t.boot.boot_p, words::p_value),
                match p {
                    Some(p) if p < 0.05 => "the correlation differs between the regimes",
                    Some(_) => "no evidence that it differs between the regimes",
                    None => super::NONE,
                }
            ),
        ));
    }
    blocks
}
