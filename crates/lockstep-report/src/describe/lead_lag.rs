//! The "Lead-lag" section: cross-correlation by lag with its band, the rolling best lag and
//! the reaction time, Granger tests both ways.

use super::{opt, signed3, NONE};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::linkage::{GrangerDirection, GrangerRow};
use crate::words::{self, p_value as p_words};
use crate::Report;

/// The Granger sentence of one direction at its BIC lag, and its verdict.
fn granger_words(cause: &str, effect: &str, d: &GrangerDirection) -> String {
    match d.at_bic() {
        Some(t) => {
            let verdict = words::granger_verdict(cause, effect, t);
            format!(
                "Granger {cause} → {effect} at lag {} (BIC): F = {:.3}, p = {} → {verdict}",
                d.bic_lag,
                t.f,
                p_words(t.p)
            )
        }
        None => format!("Granger {cause} → {effect}: not computed"),
    }
}

pub(super) fn section(r: &Report) -> Section {
    let ll = &r.lead_lag;
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let unit = ll.unit;
    let mut items = Vec::new();
    let conf = (r.params.confidence * 100.0).round();
    if let Some(b) = &ll.best_lag {
        items.push(format!(
            "best lag {} ({}); significance band ±{:.3} ({conf}%, n = {})",
            b.lag,
            opt(b.corr, signed3),
            ll.band,
            ll.n
        ));
    }
    if let (Some(rs), Some(first), Some(last)) = (
        &ll.reaction_days,
        ll.rolling_best_lag.first(),
        ll.rolling_best_lag.last(),
    ) {
        items.push(format!(
            "{}-return windows {}..{}: best lag 0 in {:.0}%, {nb} led {na} in {:.0}%, \
             {na} led {nb} in {:.0}%",
            ll.window,
            first.date,
            last.date,
            100.0 * rs.share_zero,
            100.0 * rs.share_b_leads,
            100.0 * rs.share_a_leads,
        ));
        items.push(format!(
            "reaction time: median {} {unit}, quartiles [{}, {}]; latest window {} ({:+.3}) \
             on {}",
            rs.median, rs.q1, rs.q3, last.lag, last.corr, last.date
        ));
    }
    if let Some(g) = &ll.granger {
        items.push(granger_words(nb, na, &g.b_to_a));
        items.push(granger_words(na, nb, &g.a_to_b));
    }
    let mut blocks = vec![Block::Facts(items)];
    if let Some(g) = &ll.granger {
        blocks.push(Block::Heading("Granger causality".into()));
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
                    if at.is_some_and(|t| t.p < 0.05) {
                        Tone::Significant
                    } else {
                        Tone::Plain
                    },
                ),
            ]);
        }
        blocks.push(Block::Table(t));
    }
    if !ll.ccf.is_empty() {
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
            "lag k: {na} against {nb} k {unit} earlier (k > 0: {nb} leads); * outside the \
             ±{:.3} band",
            ll.band
        ));
        for c in &ll.ccf {
            let (fba, pba) = g(ll.granger.as_ref().map(|g| &g.b_causes_a), c.lag);
            let (fab, pab) = g(ll.granger.as_ref().map(|g| &g.a_causes_b), c.lag);
            let outside = matches!(c.corr, Some(v) if v.abs() > ll.band);
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
    for n in &ll.notes {
        blocks.push(Block::note(n));
    }
    blocks.push(Block::Figures);
    Section {
        id: "lead-lag",
        title: format!("Lead-lag (lag k: {na} against {nb} k {unit} earlier)"),
        blocks,
    }
}
