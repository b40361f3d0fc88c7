//! The "Regimes" section: the risk-on / risk-off rule, the current regime, correlation and
//! beta in each, divergence events, and rate sensitivity.

use super::{interval, opt, pct, signed3};
use crate::doc::{Block, Cell, Column, Kind, Section, Span, Table, Tone};
use crate::words::regime as regime_name;
use crate::Report;

/// Divergence events listed (latest first).
const DIVERGENCES_SHOWN: usize = 10;

pub(super) fn section(r: &Report) -> Section {
    let rg = &r.regimes;
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let rule = &rg.rule;
    let as_of = match super::freshness::rate_dates(r) {
        Some(d) => format!("as of {}; rate sensitivity as of {d}", r.period.last),
        None => format!("as of {}", r.period.last),
    };
    let mut blocks = vec![Block::para("as-of", as_of)];
    blocks.push(Block::para(
        "rule",
        format!(
            "risk-on: {} above its {}-period average and its {}-period volatility below the \
             median of its last {} values",
            rg.leg, rule.ma_window, rule.vol_window, rule.vol_lookback
        ),
    ));
    blocks.push(match rg.current {
        Some((reg, since)) => Block::Para {
            role: "current",
            spans: vec![
                Span::plain("now "),
                Span::strong(
                    regime_name(reg),
                    Tone::Class(format!("regime-{}", regime_name(reg))),
                ),
                Span::plain(format!(" since {since}")),
            ],
        },
        None => Block::para("current", "not enough history to classify the latest date"),
    });
    if !rg.stats.is_empty() {
        let partial = rg.stats.iter().any(|s| s.partial.is_some());
        let mut columns = vec![
            Column::new("regime", Kind::Text),
            Column::new("corr", Kind::Num),
            Column::new("interval", Kind::Num),
            Column::new("beta", Kind::Num),
            Column::new("n", Kind::Num),
            Column::new("δ var", Kind::Num),
            Column::new("adj. corr", Kind::Num),
        ];
        if partial {
            columns.push(Column::new("partial", Kind::Num));
        }
        let mut t = Table::new("regime-stats", columns).caption(format!(
            "δ var: variance of {}'s returns in the regime over the other regime's, less 1; \
             adj. corr: Forbes–Rigobon ρ* = ρ/√(1 + δ(1 − ρ²)) of the more volatile regime, \
             its correlation without the rise volatility alone causes (the calmer regime is \
             the reference){}",
            rg.leg,
            if partial {
                format!(
                    "; partial: given {}",
                    r.control
                        .as_ref()
                        .map(|c| c.controls.join(", "))
                        .unwrap_or_default()
                )
            } else {
                String::new()
            }
        ));
        for row in &rg.stats {
            let s = &row.stats;
            let mut cells = vec![
                Cell::new(regime_name(s.regime)),
                Cell::toned(
                    opt(s.corr, signed3),
                    s.corr.map(Tone::Corr).unwrap_or(Tone::Plain),
                ),
                Cell::new(interval(s.corr_lo, s.corr_hi)),
                Cell::new(opt(s.beta, |v| format!("{v:.3}"))),
                Cell::new(s.n.to_string()),
                Cell::new(opt(row.delta, |v| format!("{v:+.2}"))),
                Cell::new(opt(row.adjusted, signed3)),
            ];
            if partial {
                cells.push(Cell::new(opt(row.partial, signed3)));
            }
            t.rows.push(cells);
        }
        blocks.push(Block::Table(t));
        if let Some(inf) = &r.inference {
            blocks.extend(super::inference::regime_blocks(r, inf));
        }
    }
    blocks.push(Block::Heading("Divergences".into()));
    blocks.push(Block::para(
        "",
        format!(
            "divergences (|z| > {}, {}-return regression of {na} on {nb}): {}",
            rg.divergence_k,
            rg.divergence_window,
            rg.divergences.len()
        ),
    ));
    if !rg.divergences.is_empty() {
        let mut t = Table::new(
            "divergences",
            vec![
                Column::new("date", Kind::Date),
                Column::new(na, Kind::Num),
                Column::new(nb, Kind::Num),
                Column::new("expected", Kind::Num),
                Column::new("z", Kind::Num),
            ],
        );
        for d in rg.divergences.iter().rev().take(DIVERGENCES_SHOWN) {
            t.rows.push(vec![
                Cell::new(d.date.to_string()),
                Cell::toned(pct(d.ret_a), Tone::Sign(d.ret_a)),
                Cell::toned(pct(d.ret_b), Tone::Sign(d.ret_b)),
                Cell::new(pct(d.predicted)),
                Cell::new(format!("{:+.1}", d.z)),
            ]);
        }
        let shown = t.rows.len();
        t.caption = if shown < rg.divergences.len() {
            format!(
                "latest {shown} of {}, latest first (`lockstep regimes` lists all)",
                rg.divergences.len()
            )
        } else {
            "latest first".to_string()
        };
        blocks.push(Block::Table(t));
    }
    if let Some(rate) = &rg.rate {
        blocks.push(Block::Heading("Rate sensitivity".into()));
        blocks.push(Block::para(
            "",
            format!(
                "rate beta ({} changes) to {}: log return per +1 percentage point",
                rate.window, rate.rate
            ),
        ));
        let mut t = Table::new(
            "rate",
            vec![
                Column::new("leg", Kind::Text),
                Column::new("rate beta", Kind::Num),
                Column::new("interval", Kind::Num),
                Column::new("corr", Kind::Num),
                Column::new("as of", Kind::Date),
            ],
        );
        for x in [&rate.a, &rate.b].into_iter().flatten() {
            t.rows.push(vec![
                Cell::new(&x.leg),
                Cell::new(signed3(x.beta)),
                Cell::new(interval(x.lo, x.hi)),
                Cell::new(opt(x.corr, signed3)),
                Cell::new(x.date.to_string()),
            ]);
        }
        if !t.rows.is_empty() {
            blocks.push(Block::Table(t));
        }
    }
    for n in &rg.notes {
        blocks.push(Block::note(n));
    }
    Section {
        id: "regimes",
        title: format!(
            "Regimes (risk-on: {} above its {}-period average)",
            rg.leg, rule.ma_window
        ),
        blocks,
    }
}
