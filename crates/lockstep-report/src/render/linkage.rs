//! Renderers of the lead-lag and regimes sections (`lockstep leadlag`, `lockstep regimes`,
//! and the plain-words part of `lockstep analyze`).

use std::fmt::Write as _;

use serde::Serialize;

use super::{cell, short, Style};
use crate::linkage::{GrangerRow, LeadLag, Regimes};
use crate::words::{granger_verdict, p_value as p_words, regime as regime_name};
use crate::{Report, ReportError};

fn signed3(v: Option<f64>) -> String {
    v.map(|v| format!("{v:+.3}")).unwrap_or_else(|| "-".into())
}

/// Two lines on a Granger direction at its BIC lag.
fn granger_lines(o: &mut String, cause: &str, effect: &str, t: Option<&GrangerRow>, bic: usize) {
    match t {
        Some(t) => {
            let _ = writeln!(
                o,
                "  Granger {cause} → {effect} at lag {bic} (BIC): F = {:.3}, p = {}",
                t.f,
                p_words(t.p)
            );
            let _ = writeln!(o, "    → {}", granger_verdict(cause, effect, t));
        }
        None => {
            let _ = writeln!(o, "  Granger {cause} → {effect}: not computed");
        }
    }
}

/// Wrap a note at 78 columns, indented.
fn note(o: &mut String, text: &str) {
    let mut line = String::from("  note:");
    for word in text.split_whitespace() {
        if line.chars().count() + 1 + word.chars().count() > 78 && line.trim() != "note:" {
            let _ = writeln!(o, "{line}");
            line = String::from("       ");
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(o, "{line}");
}

/// The lead-lag section in plain words (part of the `analyze` table and of `leadlag`).
fn lead_lag_words(o: &mut String, r: &Report, ll: &LeadLag, st: &Style) {
    let (na, nb) = (short(&r.a.name, 10), short(&r.b.name, 10));
    let unit = ll.unit;
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Lead-lag (lag k: {na} against {nb} k {unit} earlier)"
        ))
    );
    let near: Vec<String> = ll
        .ccf
        .iter()
        .filter(|c| c.lag.abs() <= 2)
        .map(|c| format!("{:+} {}", c.lag, signed3(c.corr)))
        .collect();
    let _ = writeln!(o, "  cross-correlation  {}", near.join("  "));
    let conf = (r.params.confidence * 100.0).round();
    if let Some(b) = &ll.best_lag {
        let _ = writeln!(
            o,
            "  best lag {} ({}); significance band ±{:.3} ({conf}%, n = {})",
            b.lag,
            signed3(b.corr),
            ll.band,
            ll.n
        );
    }
    if let (Some(rs), Some(first), Some(last)) = (
        &ll.reaction_days,
        ll.rolling_best_lag.first(),
        ll.rolling_best_lag.last(),
    ) {
        let _ = writeln!(
            o,
            "  {}-return windows {}..{}: best lag 0 in {:.0}%,",
            ll.window,
            first.date,
            last.date,
            100.0 * rs.share_zero
        );
        let _ = writeln!(
            o,
            "  {nb} led {na} in {:.0}%, {na} led {nb} in {:.0}%;",
            100.0 * rs.share_b_leads,
            100.0 * rs.share_a_leads,
        );
        let _ = writeln!(
            o,
            "  reaction time: median {} {unit}, quartiles [{}, {}]; latest window {} ({:+.3})",
            rs.median, rs.q1, rs.q3, last.lag, last.corr
        );
    }
    if let Some(g) = &ll.granger {
        granger_lines(o, &nb, &na, g.b_to_a.at_bic(), g.b_to_a.bic_lag);
        granger_lines(o, &na, &nb, g.a_to_b.at_bic(), g.a_to_b.bic_lag);
    }
    for n in &ll.notes {
        note(o, n);
    }
}

/// The regimes section in plain words.
fn regimes_words(o: &mut String, r: &Report, rg: &Regimes, st: &Style) {
    let (na, nb) = (short(&r.a.name, 10), short(&r.b.name, 10));
    let rule = &rg.rule;
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Regimes (risk-on: {} above its {}-period average",
            short(&rg.leg, 14),
            rule.ma_window,
        ))
    );
    let _ = writeln!(
        o,
        "  and its {}-period volatility below the median of its last {} values)",
        rule.vol_window, rule.vol_lookback
    );
    match rg.current {
        Some((reg, since)) => {
            let _ = writeln!(o, "  now {} since {since}", regime_name(reg));
        }
        None => {
            let _ = writeln!(o, "  not enough history to classify the latest date");
        }
    }
    for s in &rg.stats {
        let interval = match (s.corr_lo, s.corr_hi) {
            (Some(l), Some(h)) => format!("[{l:+.3}, {h:+.3}]"),
            _ => "-".into(),
        };
        let _ = writeln!(
            o,
            "  {:<9} corr {} {:<18} beta {:>6}  n = {}",
            regime_name(s.regime),
            signed3(s.corr),
            interval,
            s.beta
                .map(|b| format!("{b:.3}"))
                .unwrap_or_else(|| "-".into()),
            s.n
        );
    }
    let _ = writeln!(
        o,
        "  divergences (|z| > {}, {}-return regression of {na} on {nb}): {}",
        rg.divergence_k,
        rg.divergence_window,
        rg.divergences.len()
    );
    for d in rg.divergences.iter().rev().take(3) {
        let _ = writeln!(
            o,
            "    {}  {na} {:+.1}%  {nb} {:+.1}%  exp {:+.1}%  z {:+.1}",
            d.date,
            100.0 * d.ret_a,
            100.0 * d.ret_b,
            100.0 * d.predicted,
            d.z
        );
    }
    if let Some(rate) = &rg.rate {
        let _ = writeln!(
            o,
            "  rate beta ({} changes) to {}: log return per +1 percentage point",
            rate.window, rate.rate
        );
        for b in [&rate.a, &rate.b].into_iter().flatten() {
            let interval = match (b.lo, b.hi) {
                (Some(l), Some(h)) => format!("[{l:+.3}, {h:+.3}]"),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "    {:<14} {:+.3} {interval} as of {}",
                short(&b.leg, 14),
                b.beta,
                b.date
            );
        }
    }
    for n in &rg.notes {
        note(o, n);
    }
}

/// The lead-lag and regimes sections appended to the `analyze` table.
pub(super) fn sections(o: &mut String, r: &Report, st: &Style) {
    let _ = writeln!(o);
    lead_lag_words(o, r, &r.lead_lag, st);
    let _ = writeln!(o);
    regimes_words(o, r, &r.regimes, st);
}

/// `lockstep leadlag` as a table: the plain-words summary, then every lag.
pub fn leadlag_table(r: &Report, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    lead_lag_words(&mut o, r, &r.lead_lag, &st);
    let _ = writeln!(o);
    let ll = &r.lead_lag;
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:>4} {:>8} {:>6}  {:>10} {:>10}  {:>10} {:>10}",
            "lag", "corr", "n", "F b→a", "p b→a", "F a→b", "p a→b"
        ))
    );
    for c in &ll.ccf {
        let g = |rows: Option<&Vec<GrangerRow>>| {
            rows.and_then(|v| v.iter().find(|t| t.lag as i64 == c.lag))
                .map(|t| (format!("{:.3}", t.f), p_words(t.p)))
                .unwrap_or_default()
        };
        let (fba, pba) = g(ll.granger.as_ref().map(|g| &g.b_causes_a));
        let (fab, pab) = g(ll.granger.as_ref().map(|g| &g.a_causes_b));
        let flag = match c.corr {
            Some(v) if v.abs() > ll.band => "*",
            _ => " ",
        };
        let _ = writeln!(
            o,
            "  {:>4} {:>8}{flag}{:>6}  {:>10} {:>10}  {:>10} {:>10}",
            c.lag,
            signed3(c.corr),
            c.n,
            fba,
            pba,
            fab,
            pab
        );
    }
    let _ = writeln!(o, "  * outside the ±{:.3} band", ll.band);
    o
}

#[derive(Serialize)]
struct Named<'a, T> {
    a: &'a str,
    b: &'a str,
    #[serde(flatten)]
    section: &'a T,
}

/// `lockstep leadlag --format json`: the lead-lag section with the legs' names. Keys: `n`,
/// `ccf` (`{lag, corr, n}`), `band`, `granger` (`b_causes_a`, `a_causes_b`: `{lag, f, p,
/// df_num, df_den}`), `best_lag`, `rolling_best_lag` (`{date, lag, corr}`), `reaction_days`.
pub fn leadlag_json(r: &Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(&Named {
        a: &r.a.name,
        b: &r.b.name,
        section: &r.lead_lag,
    })
    .map_err(ReportError::Json)
}

/// `lockstep leadlag --format csv`: one row per lag,
/// `lag,corr,n,granger_b_causes_a_f,granger_b_causes_a_p,granger_a_causes_b_f,granger_a_causes_b_p`.
pub fn leadlag_csv(r: &Report) -> String {
    let ll = &r.lead_lag;
    let mut o = String::from(
        "lag,corr,n,granger_b_causes_a_f,granger_b_causes_a_p,granger_a_causes_b_f,granger_a_causes_b_p\n",
    );
    for c in &ll.ccf {
        let g = |rows: Option<&Vec<GrangerRow>>| {
            rows.and_then(|v| v.iter().find(|t| t.lag as i64 == c.lag))
                .map(|t| (cell(Some(t.f)), cell(Some(t.p))))
                .unwrap_or_default()
        };
        let (fba, pba) = g(ll.granger.as_ref().map(|g| &g.b_causes_a));
        let (fab, pab) = g(ll.granger.as_ref().map(|g| &g.a_causes_b));
        let _ = writeln!(
            o,
            "{},{},{},{fba},{pba},{fab},{pab}",
            c.lag,
            cell(c.corr),
            c.n
        );
    }
    o
}

/// `lockstep regimes` as a table.
pub fn regimes_table(r: &Report, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    regimes_words(&mut o, r, &r.regimes, &st);
    if !r.regimes.divergences.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  {:<10} {:>9} {:>9} {:>9} {:>7}",
                "date", "ret_a", "ret_b", "expected", "z"
            ))
        );
        for d in &r.regimes.divergences {
            let _ = writeln!(
                o,
                "  {} {:>+8.2}% {:>+8.2}% {:>+8.2}% {:>+7.2}",
                d.date,
                100.0 * d.ret_a,
                100.0 * d.ret_b,
                100.0 * d.predicted,
                d.z
            );
        }
    }
    o
}

/// `lockstep regimes --format csv`: one row per aligned date,
/// `date,regime,ret_a,ret_b,divergence_z` (`divergence_z` only on divergence events), then
/// `rate_beta_a,rate_beta_b` when a rate series was given.
pub fn regimes_csv(r: &Report) -> String {
    let rg = &r.regimes;
    let mut o = String::from("date,regime,ret_a,ret_b,divergence_z");
    let rate_cols = rg.rate.as_ref().map(|rate| {
        let look = |b: &Option<crate::linkage::RateBeta>| {
            b.as_ref()
                .map(|b| {
                    b.series
                        .iter()
                        .copied()
                        .collect::<std::collections::HashMap<_, _>>()
                })
                .unwrap_or_default()
        };
        (look(&rate.a), look(&rate.b))
    });
    if rate_cols.is_some() {
        o.push_str(",rate_beta_a,rate_beta_b");
    }
    o.push('\n');
    let events: std::collections::HashMap<_, _> =
        rg.divergences.iter().map(|d| (d.date, d.z)).collect();
    for (i, d) in r.series.dates.iter().enumerate() {
        let _ = write!(
            o,
            "{d},{},{},{},{}",
            rg.regime[i].map(regime_name).unwrap_or(""),
            cell(r.series.ret_a[i]),
            cell(r.series.ret_b[i]),
            cell(events.get(d).copied())
        );
        if let Some((ra, rb)) = &rate_cols {
            let _ = write!(
                o,
                ",{},{}",
                cell(ra.get(d).copied().flatten()),
                cell(rb.get(d).copied().flatten())
            );
        }
        o.push('\n');
    }
    o
}

/// `lockstep regimes --format json`: the regimes section with the legs' names.
pub fn regimes_json(r: &Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(&Named {
        a: &r.a.name,
        b: &r.b.name,
        section: &r.regimes,
    })
    .map_err(ReportError::Json)
}
