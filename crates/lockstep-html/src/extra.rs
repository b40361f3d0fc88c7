//! Sections of the signals report and the backtest, with the words of their terminal tables.

use lockstep_report::signals_view::SignalsReport;
use lockstep_report::words::{self, truth, MetricFormat};
use lockstep_signals::{BacktestResult, Metrics};

use crate::fmt::{
    h3, opt, para, pct, sign_class, table, td, td_class, td_date, td_num, td_num_class, Th, NONE,
};
use crate::{escape, Section};

/// Trigger dates shown per rule (latest first), as the terminal shows them.
const TRIGGERS_SHOWN: usize = 3;

pub(crate) fn signals(s: &SignalsReport) -> Section {
    let (a, b) = (&s.pair.0, &s.pair.1);
    let mut h = String::new();
    match &s.current {
        None => h.push_str(&para("note", "no aligned date to evaluate")),
        Some(now) => {
            h.push_str(&para("", &format!("{a} vs {b} on {}", now.date)));
            let rows: Vec<Vec<String>> = now
                .rules
                .iter()
                .map(|rs| {
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
                    vec![
                        td(&rs.name),
                        td_class(truth(rs.state), &format!("truth-{}", truth(rs.state))),
                        td(&if last.is_empty() {
                            "never".to_string()
                        } else {
                            last.join(", ")
                        }),
                        td_num(&dates.len().to_string()),
                    ]
                })
                .collect();
            h.push_str(&table(
                "rules",
                &[
                    Th("rule", false),
                    Th("now", false),
                    Th("last triggered", false),
                    Th("triggers", true),
                ],
                &rows,
                "",
            ));
            let rows: Vec<Vec<String>> = now
                .conditions
                .iter()
                .zip(&s.evaluation.conditions)
                .map(|(c, series)| {
                    vec![
                        td(&c.name),
                        td(&series.measure),
                        td_num(&opt(c.value, |v| format!("{v:.4}"))),
                        td_class(truth(c.state), &format!("truth-{}", truth(c.state))),
                    ]
                })
                .collect();
            h.push_str(&table(
                "conditions",
                &[
                    Th("condition", false),
                    Th("measure", false),
                    Th("value", true),
                    Th("state", false),
                ],
                &rows,
                "unknown = an input is missing (warm-up, no data): never counted as true",
            ));
        }
    }
    Section {
        id: "signals".into(),
        title: "Signals".into(),
        html: h,
    }
}

fn metrics(h: &mut String, label: &str, m: &Metrics, bh: &Metrics) {
    h.push_str(&h3(label));
    h.push_str(&para("", &words::segment(m)));
    let rows: Vec<Vec<String>> = words::metric_rows(m, bh)
        .into_iter()
        .map(|(name, f, s, b)| {
            let cell = |v: Option<f64>| {
                let text = opt(v, |v| f.show(v));
                match (f, v) {
                    (MetricFormat::SignedPercent, Some(v)) => td_num_class(&text, sign_class(v)),
                    _ => td_num(&text),
                }
            };
            vec![td(name), cell(s), cell(b)]
        })
        .collect();
    let caption = words::drawdown_span(m).unwrap_or_default();
    h.push_str(&table(
        "metrics",
        &[
            Th("", false),
            Th("strategy", true),
            Th("buy & hold A", true),
        ],
        &rows,
        &caption,
    ));
}

pub(crate) fn backtest(b: &BacktestResult) -> Section {
    let mut h = para("", &words::strategy(&b.strategy, NONE));
    if let Some(split) = b.split {
        h.push_str(&format!(
            "<p>split: in-sample before {}, out-of-sample from it</p>\n",
            escape(&split.to_string())
        ));
    }
    metrics(
        &mut h,
        "whole period",
        &b.full.strategy,
        &b.full.buy_and_hold,
    );
    for (label, part) in [
        ("in-sample", &b.in_sample),
        ("out-of-sample", &b.out_of_sample),
    ] {
        if let Some(c) = part {
            metrics(&mut h, label, &c.strategy, &c.buy_and_hold);
        }
    }
    if let Some(last) = b.rows.last() {
        h.push_str(&table(
            "equity",
            &[
                Th("last date", false),
                Th("position", true),
                Th("equity", true),
                Th("drawdown", true),
                Th("buy & hold A", true),
            ],
            &[vec![
                td_date(last.date),
                td_num(&format!("{:.2}", last.position)),
                td_num(&format!("{:.4}", last.equity)),
                td_num(&pct(last.drawdown)),
                td_num(&format!("{:.4}", last.benchmark_equity)),
            ]],
            "equity starts at 1.0 on the first date",
        ));
    }
    h.push_str(&para("note", words::METRICS_NOTE));
    Section {
        id: "backtest".into(),
        title: "Backtest".into(),
        html: h,
    }
}
