//! The "Lead-lag" section: cross-correlation by lag with its band, the rolling best lag and
//! the reaction time, Granger tests both ways; on daily closes (`analyze`, `leadlag`) or in
//! bars within sessions (`leadlag --interval`).

use lockstep_stats::ReactionSummary;

use super::{opt, signed3, NONE};
use crate::clock::Clock;
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::intraday::IntradayLeadLag;
use crate::linkage::{Granger, GrangerDirection, GrangerRow, LagPoint};
use crate::words::{self, p_value as p_words};
use crate::Report;

/// Significance level of the verdict words.
const ALPHA: f64 = 0.05;

/// The Granger sentence of one direction at its BIC lag, and its verdict. `within` names
/// the rows used ("" on daily closes, " within sessions" in bars); `sync_p` is the same
/// test's p-value on the exchange clock when the section is on the UTC clock and the two
/// clocks disagree on significance: the verdict then follows the exchange clock.
fn granger_words(
    cause: &str,
    effect: &str,
    d: &GrangerDirection,
    within: &str,
    sync_p: Option<f64>,
) -> String {
    match d.at_bic() {
        Some(t) => {
            let verdict = match sync_p {
                Some(p) => format!(
                    "{} on the exchange clock (p = {}; see Clock)",
                    words::granger_verdict(cause, effect, &GrangerRow { p, ..t.clone() }),
                    p_words(p)
                ),
                None => words::granger_verdict(cause, effect, t),
            };
            format!(
                "Granger {cause} → {effect}{within} at lag {} (BIC): F = {:.3}, p = {} → {verdict}",
                d.bic_lag,
                t.f,
                p_words(t.p)
            )
        }
        None => format!("Granger {cause} → {effect}{within}: not computed"),
    }
}

/// The exchange clock's p-value of a daily Granger direction when the report is on the UTC
/// clock and the exchange clock disagrees on its significance (`a_causes` = A → B).
fn sync_p(r: &Report, a_causes: bool) -> Option<f64> {
    let c = r.clocks.as_ref().filter(|c| c.main == Clock::Utc)?;
    let (u, e) = if a_causes {
        (c.utc.a_to_b, c.exchange.a_to_b)
    } else {
        (c.utc.b_to_a, c.exchange.b_to_a)
    };
    let (u, e) = (u?.1, e?.1);
    ((u < ALPHA) != (e < ALPHA)).then_some(e)
}

/// What the section shows, daily or in bars.
struct View<'a> {
    na: &'a str,
    nb: &'a str,
    /// Lags counted in this unit, plural ("days", "hours", "30-minute bars").
    unit: &'a str,
    /// " in the same session" in bars.
    same: &'a str,
    /// " within sessions" in bars.
    within: &'a str,
    confidence: f64,
    n: usize,
    band: f64,
    window: usize,
    best_lag: Option<&'a LagPoint>,
    ccf: &'a [LagPoint],
    granger: Option<&'a Granger>,
    reaction: Option<&'a ReactionSummary>,
    /// First and last window labels, the latest best lag and its correlation.
    rolling: Option<(String, String, i64, f64)>,
    notes: &'a [String],
    /// The exchange clock's p-values when its verdict differs (B → A, A → B).
    sync_p: (Option<f64>, Option<f64>),
}

fn blocks(v: &View) -> Vec<Block> {
    let (na, nb, unit) = (v.na, v.nb, v.unit);
    let mut items = Vec::new();
    let conf = (v.confidence * 100.0).round();
    if let Some(b) = v.best_lag {
        items.push(format!(
            "best lag {} ({}); significance band ±{:.3} ({conf}%, n = {})",
            b.lag,
            opt(b.corr, signed3),
            v.band,
            v.n
        ));
    }
    if let (Some(rs), Some((first, last, lag, corr))) = (v.reaction, &v.rolling) {
        items.push(format!(
            "{}-return windows {first}..{last}: best lag 0 in {:.0}%, {nb} led {na} in {:.0}%, \
             {na} led {nb} in {:.0}%",
            v.window,
            100.0 * rs.share_zero,
            100.0 * rs.share_b_leads,
            100.0 * rs.share_a_leads,
        ));
        items.push(format!(
            "reaction time: median {} {unit}, quartiles [{}, {}]; latest window {lag} \
             ({corr:+.3}) on {last}",
            rs.median, rs.q1, rs.q3
        ));
    }
    if let Some(g) = v.granger {
        items.push(granger_words(nb, na, &g.b_to_a, v.within, v.sync_p.0));
        items.push(granger_words(na, nb, &g.a_to_b, v.within, v.sync_p.1));
    }
    let mut blocks = vec![Block::Facts(items)];
    if let Some(g) = v.granger {
        blocks.push(Block::Heading(format!("Granger causality{}", v.within)));
        let mut t = Table::new(
            "granger",
            vec![
                Column::new("direction", Kind::Text),
                Column::new("BIC lag", Kind::Num),
                Column::new("AIC lag", Kind::Num),
                Column::new("F (BIC lag)", Kind::Num),
                Column::new("p (BIC lag)", Kind::Num),
            ],
        )
        .caption(
            "F-test of the lags of the cause in the regression of the effect; p < 0.05 in bold",
        );
        for (cause, effect, d) in [(nb, na, &g.b_to_a), (na, nb, &g.a_to_b)] {
            let at = d.at_bic();
            t.rows.push(vec![
                Cell::new(format!("{cause} → {effect}")),
                Cell::new(d.bic_lag.to_string()),
                Cell::new(d.aic_lag.to_string()),
                Cell::new(opt(at, |t| format!("{:.3}", t.f))),
                Cell::toned(
                    opt(at, |t| p_words(t.p)),
                    if at.is_some_and(|t| t.p < ALPHA) {
                        Tone::Significant
                    } else {
                        Tone::Plain
                    },
                ),
            ]);
        }
        blocks.push(Block::Table(t));
    }
    if !v.ccf.is_empty() {
        blocks.push(Block::Heading(format!("Cross-correlation by lag ({unit})")));
        let g = |rows: Option<&Vec<GrangerRow>>, lag: i64| {
            rows.and_then(|v| v.iter().find(|t| t.lag as i64 == lag))
                .map(|t| (format!("{:.3}", t.f), p_words(t.p)))
                .unwrap_or_else(|| (NONE.into(), NONE.into()))
        };
        let mut t = Table::new(
            "ccf",
            vec![
                Column::new("lag", Kind::Num),
                Column::new("corr", Kind::Num),
                Column::new("n", Kind::Num),
                Column::detail(format!("F {nb}→{na}"), Kind::Num),
                Column::new(format!("p {nb}→{na}"), Kind::Num),
                Column::detail(format!("F {na}→{nb}"), Kind::Num),
                Column::new(format!("p {na}→{nb}"), Kind::Num),
            ],
        )
        .caption(format!(
            "lag k: {na} against {nb} k {unit} earlier{} (k > 0: {nb} leads); * outside the \
             ±{:.3} band",
            v.same, v.band
        ));
        for c in v.ccf {
            let (fba, pba) = g(v.granger.map(|g| &g.b_causes_a), c.lag);
            let (fab, pab) = g(v.granger.map(|g| &g.a_causes_b), c.lag);
            let outside = matches!(c.corr, Some(x) if x.abs() > v.band);
            let corr = opt(c.corr, signed3) + if outside { "*" } else { "" };
            t.rows.push(vec![
                Cell::new(format!("{:+}", c.lag)),
                Cell::toned(
                    corr,
                    if outside {
                        Tone::Significant
                    } else {
                        Tone::Plain
                    },
                ),
                Cell::new(c.n.to_string()),
                Cell::new(fba),
                Cell::new(pba),
                Cell::new(fab),
                Cell::new(pab),
            ]);
        }
        blocks.push(Block::Table(t));
    }
    for n in v.notes {
        blocks.push(Block::note(n));
    }
    blocks
}

/// The lead-lag section of the report (daily closes, on the report's clock).
pub(super) fn section(r: &Report) -> Section {
    let ll = &r.lead_lag;
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let v = View {
        na,
        nb,
        unit: ll.unit,
        same: "",
        within: "",
        confidence: r.params.confidence,
        n: ll.n,
        band: ll.band,
        window: ll.window,
        best_lag: ll.best_lag.as_ref(),
        ccf: &ll.ccf,
        granger: ll.granger.as_ref(),
        reaction: ll.reaction.as_ref().map(|r| &r.summary),
        rolling: match (ll.rolling_best_lag.first(), ll.rolling_best_lag.last()) {
            (Some(f), Some(l)) => Some((f.date.to_string(), l.date.to_string(), l.lag, l.corr)),
            _ => None,
        },
        notes: &ll.notes,
        sync_p: (sync_p(r, false), sync_p(r, true)),
    };
    let mut blocks = vec![super::freshness::as_of(r.period.last)];
    blocks.extend(self::blocks(&v));
    blocks.push(Block::Figures);
    Section {
        id: "lead-lag",
        title: format!("Lead-lag (lag k: {na} against {nb} k {} earlier)", ll.unit),
        blocks,
    }
}

/// The lead-lag section in bars within sessions (`leadlag --interval`).
pub(super) fn intraday_section(r: &Report, ll: &IntradayLeadLag) -> Section {
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let words = words::bar_words(ll.interval);
    let time = |t: lockstep_core::Timestamp| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let v = View {
        na,
        nb,
        unit: words.lags,
        same: " in the same session",
        within: " within sessions",
        confidence: r.params.confidence,
        n: ll.n,
        band: ll.band,
        window: ll.window,
        best_lag: ll.best_lag.as_ref(),
        ccf: &ll.ccf,
        granger: ll.granger.as_ref(),
        reaction: ll.reaction.as_ref().map(|r| &r.summary),
        rolling: match (ll.rolling_best_lag.first(), ll.rolling_best_lag.last()) {
            (Some(f), Some(l)) => Some((time(f.time), time(l.time), l.lag, l.corr)),
            _ => None,
        },
        notes: &ll.notes,
        sync_p: (None, None),
    };
    Section {
        id: "lead-lag",
        title: format!(
            "Lead-lag in {} bars within sessions (lag k: {na} against {nb} k {} earlier in \
             the same session)",
            ll.interval, words.lags
        ),
        blocks: blocks(&v),
    }
}
