//! The "Signals" and "Backtest" sections: each rule's state and latest triggers, each
//! condition's value and state on the latest date; a strategy's metrics against buy-and-hold
//! A over the whole period and each side of the split.

use super::{opt, pct, NONE};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::signals_view::{carried, SignalsReport};
use crate::words::{self, truth, MetricFormat};
use lockstep_signals::{BacktestResult, Metrics};

/// Trigger dates shown per rule (latest first).
const TRIGGERS_SHOWN: usize = 3;

/// `signals`: the rules and conditions on the latest aligned date.
pub fn signals_section(s: &SignalsReport) -> Section {
    let (a, b) = (&s.pair.0, &s.pair.1);
    let mut blocks = Vec::new();
    match &s.current {
        None => blocks.push(Block::para("note", "no aligned date to evaluate")),
        Some(now) => {
            blocks.push(Block::para("", format!("{a} vs {b} on {}", now.date)));
            let mut rules = Table::new(
                "rules",
                vec![
                    Column::new("rule", Kind::Text),
                    Column::new("now", Kind::Text),
                    Column::new("last triggered", Kind::Text),
                    Column::new("triggers", Kind::Num),
                ],
            );
            for rs in &now.rules {
                let dates = s
                    .triggers
                    .iter()
                    .find(|(n, _)| *n == rs.name)
                    .map(|(_, d)| d.as_slice())
                    .unwrap_or_default();
                let last: Vec<String> = dates
                    .iter()
                    .rev()
                    .take(TRIGGERS_SHOWN)
                    .map(|d| d.to_string())
                    .collect();
                rules.rows.push(vec![
                    Cell::new(&rs.name),
                    Cell::toned(
                        truth(rs.state),
                        Tone::Class(format!("truth-{}", truth(rs.state))),
                    ),
                    Cell::new(if last.is_empty() {
                        "never".to_string()
                    } else {
                        last.join(", ")
                    }),
                    Cell::new(dates.len().to_string()),
                ]);
            }
            blocks.push(Block::Table(rules));
            let mut conds = Table::new(
                "conditions",
                vec![
                    Column::new("condition", Kind::Text),
                    Column::new("measure", Kind::Text),
                    Column::new("value", Kind::Num),
                    Column::new("state", Kind::Text),
                ],
            )
            .caption(match s.liquidity_now() {
                Some(d) => format!(
                    "unknown = an input is missing (warm-up, no data): never counted as true; \
                     carried: weekly net liquidity (Wednesdays) held until the next week is \
                     published, the latest from {d}"
                ),
                None => "unknown = an input is missing (warm-up, no data): never counted as true"
                    .to_string(),
            });
            let liq = s
                .liquidity_now()
                .filter(|_| s.evaluation.conditions.iter().any(|c| carried(&c.measure)));
            if liq.is_some() {
                conds.columns.push(Column::new("carried", Kind::Text));
            }
            for (c, series) in now.conditions.iter().zip(&s.evaluation.conditions) {
                let mut row = vec![
                    Cell::new(&c.name),
                    Cell::new(&series.measure),
                    Cell::new(opt(c.value, |v| format!("{v:.4}"))),
                    Cell::toned(
                        truth(c.state),
                        Tone::Class(format!("truth-{}", truth(c.state))),
                    ),
                ];
                if let Some(d) = liq {
                    row.push(Cell::new(if carried(&series.measure) {
                        format!("from {d}")
                    } else {
                        String::new()
                    }));
                }
                conds.rows.push(row);
            }
            blocks.push(Block::Table(conds));
        }
    }
    Section {
        id: "signals",
        title: "Signals".into(),
        blocks,
    }
}

fn metrics(blocks: &mut Vec<Block>, label: &str, m: &Metrics, bh: &Metrics) {
    blocks.push(Block::Heading(label.to_string()));
    blocks.push(Block::para("", words::segment(m)));
    let mut t = Table::new(
        "metrics",
        vec![
            Column::new("", Kind::Text),
            Column::new("strategy", Kind::Num),
            Column::new("buy & hold A", Kind::Num),
        ],
    )
    .caption(words::drawdown_span(m).unwrap_or_default());
    for (name, f, s, b) in words::metric_rows(m, bh) {
        let cell = |v: Option<f64>| {
            let text = opt(v, |v| f.show(v));
            match (f, v) {
                (MetricFormat::SignedPercent, Some(v)) => Cell::toned(text, Tone::Sign(v)),
                _ => Cell::new(text),
            }
        };
        t.rows.push(vec![Cell::new(name), cell(s), cell(b)]);
    }
    blocks.push(Block::Table(t));
}

/// `backtest`: the strategy, its metrics against buy-and-hold A, the last equity row.
pub fn backtest_section(b: &BacktestResult) -> Section {
    let mut blocks = vec![Block::para("", words::strategy(&b.strategy, NONE))];
    if let Some(split) = b.split {
        blocks.push(Block::para(
            "",
            format!("split: in-sample before {split}, out-of-sample from it"),
        ));
    }
    metrics(
        &mut blocks,
        "whole period",
        &b.full.strategy,
        &b.full.buy_and_hold,
    );
    for (label, part) in [
        ("in-sample", &b.in_sample),
        ("out-of-sample", &b.out_of_sample),
    ] {
        if let Some(c) = part {
            metrics(&mut blocks, label, &c.strategy, &c.buy_and_hold);
        }
    }
    if let Some(last) = b.rows.last() {
        let mut t = Table::new(
            "equity",
            vec![
                Column::new("last date", Kind::Date),
                Column::new("position", Kind::Num),
                Column::new("equity", Kind::Num),
                Column::new("drawdown", Kind::Num),
                Column::new("buy & hold A", Kind::Num),
            ],
        )
        .caption("equity starts at 1.0 on the first date");
        t.rows.push(vec![
            Cell::new(last.date.to_string()),
            Cell::new(format!("{:.2}", last.position)),
            Cell::new(format!("{:.4}", last.equity)),
            Cell::new(pct(last.drawdown)),
            Cell::new(format!("{:.4}", last.benchmark_equity)),
        ]);
        blocks.push(Block::Table(t));
    }
    blocks.push(Block::para("note", words::METRICS_NOTE));
    Section {
        id: "backtest",
        title: "Backtest".into(),
        blocks,
    }
}
