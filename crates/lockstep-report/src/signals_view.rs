//! Signals and backtest of a pair (`lockstep signals`, `lockstep backtest`): the daily
//! measurement table built from the one [`crate::Report`] (and each leg's own indicators and
//! levels), evaluated by the rules of `lockstep-signals`, and its renderers.
//!
//! Every column is known at the close of its date (no look-ahead):
//! * `corr_<w>`, `beta_<w>`, `close_a`, `close_b`, `risk_on` (1 risk-on, 0 risk-off): the
//!   report's aligned series.
//! * `sma200_a/b` (SMA(200) of the leg's own closes), `rsi_a/b`, `macd_hist_a/b`,
//!   `rel_volume_a/b` (volume over its previous 20-day mean): each leg's own series (TA-Lib
//!   compatible), the value on the aligned date or the last one before it.
//! * `resistance_a/b`, `support_a/b`: the nearest levels around the previous close among the
//!   levels known at the previous close ([`lockstep_structure::prior_levels`]), so
//!   `close_a > resistance_a` is a close above the nearest resistance (not yet a breakout).
//! * `breakout_up_a/b`: the upward breakouts of the leg ([`lockstep_structure::breakouts`], the
//!   one rule of `lockstep levels`: closes clearing a level by `margin_atr` ATRs for `hold`
//!   days) called on the leg's own dates after the previous aligned date, up to this one.
//! * `net_liquidity`, `liquidity_change_4w` (millions of USD): the latest weekly value whose
//!   Wednesday is before the date (the Fed publishes Wednesday's balance sheet on Thursday),
//!   carried forward between Wednesdays: [`liquidity_as_of`] says which Wednesday each
//!   date's value is from (the CSV's `liquidity_as_of` column).
//! * `best_lag`: the rolling best lag of the window ending on the date.

use std::fmt::Write as _;

use serde::Serialize;

use crate::doc::text::{short, wrap, Style};
use crate::structure::StructureOptions;
use crate::words::{self, truth};
use crate::{technicals, Report, ReportError};
use lockstep_core::{last_on_or_before, Date, PriceSeries};
use lockstep_macro::NetLiquidity;
use lockstep_signals::{
    backtest, BacktestOptions, BacktestResult, Evaluation, Measurements, Metrics, RuleSet,
    Snapshot, Strategy,
};
use lockstep_stats::{Indicator, Regime, Sma};
use lockstep_structure::{breakouts, prior_levels, Direction};

/// For each of `dates`, the index of the last of `own` on or before it.
fn on_or_before(own: &[Date], dates: &[Date]) -> Vec<Option<usize>> {
    dates.iter().map(|d| last_on_or_before(own, *d)).collect()
}

/// For each of `dates`, how many of `events` (sorted) fall after the previous date, up to
/// this one (on the first date: on that date only).
fn since_previous(events: &[Date], dates: &[Date]) -> Vec<Option<f64>> {
    let upto = |d: Date| events.partition_point(|e| *e <= d);
    dates
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let from = match i.checked_sub(1) {
                Some(p) => upto(dates[p]),
                None => events.partition_point(|e| *e < d),
            };
            Some((upto(d) - from) as f64)
        })
        .collect()
}

fn mapped(idx: &[Option<usize>], v: &[Option<f64>]) -> Vec<Option<f64>> {
    idx.iter().map(|i| i.and_then(|i| v[i])).collect()
}

/// The daily measurement table of a pair on the report's aligned dates (see the module
/// documentation for each column).
pub fn measurements(
    r: &Report,
    a: &PriceSeries,
    b: &PriceSeries,
    liquidity: Option<&NetLiquidity>,
    o: &StructureOptions,
) -> Result<Measurements, ReportError> {
    let sig = ReportError::Signals;
    let dates = &r.series.dates;
    let mut m = Measurements::new(dates.clone()).map_err(sig)?;
    let mut put = |name: String, v: Vec<Option<f64>>| m.insert_opt(&name, v).map_err(sig);
    for w in &r.series.rolling {
        put(format!("corr_{}", w.window), w.corr.to_options())?;
        put(format!("beta_{}", w.window), w.beta.to_options())?;
    }
    // With controls: the partial correlation of each window (`pcorr_W`).
    for w in r.series.rolling.iter().filter(|w| !w.pcorr.is_empty()) {
        put(format!("pcorr_{}", w.window), w.pcorr.to_options())?;
    }
    let some = |v: &[f64]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
    put("close_a".into(), some(&r.series.price_a))?;
    put("close_b".into(), some(&r.series.price_b))?;
    for (tag, s) in [("a", a), ("b", b)] {
        let idx = on_or_before(&s.dates, dates);
        let t = technicals(s, &o.technicals)?;
        let sma = Sma::new(200).map_err(ReportError::Stats)?.over(&s.price);
        put(format!("sma200_{tag}"), mapped(&idx, &sma))?;
        put(format!("rsi_{tag}"), mapped(&idx, &t.rsi))?;
        put(format!("macd_hist_{tag}"), mapped(&idx, &t.macd_hist))?;
        put(format!("rel_volume_{tag}"), mapped(&idx, &t.rel_volume))?;
        let lv = prior_levels(s, &o.levels).map_err(ReportError::Structure)?;
        let res: Vec<Option<f64>> = lv.iter().map(|l| l.resistance).collect();
        let sup: Vec<Option<f64>> = lv.iter().map(|l| l.support).collect();
        put(format!("resistance_{tag}"), mapped(&idx, &res))?;
        put(format!("support_{tag}"), mapped(&idx, &sup))?;
        let ups: Vec<Date> = breakouts(s, &o.levels)
            .map_err(ReportError::Structure)?
            .into_iter()
            .filter(|b| b.direction == Direction::Up)
            .map(|b| b.date)
            .collect();
        put(format!("breakout_up_{tag}"), since_previous(&ups, dates))?;
    }
    put(
        "risk_on".into(),
        r.regimes
            .regime
            .iter()
            .map(|g| g.map(|g| f64::from(u8::from(g == Regime::RiskOn))))
            .collect(),
    )?;
    let mut lag = vec![None; dates.len()];
    for p in &r.lead_lag.rolling_best_lag {
        if let Ok(i) = dates.binary_search(&p.date) {
            lag[i] = Some(p.lag as f64);
        }
    }
    put("best_lag".into(), lag)?;
    if let Some(l) = liquidity {
        let idx = liquidity_index(l, dates);
        let net: Vec<Option<f64>> = l.points.iter().map(|p| Some(p.net)).collect();
        let chg: Vec<Option<f64>> = l.points.iter().map(|p| p.change_4w).collect();
        put("net_liquidity".into(), mapped(&idx, &net))?;
        put("liquidity_change_4w".into(), mapped(&idx, &chg))?;
    } else {
        put("net_liquidity".into(), vec![None; dates.len()])?;
        put("liquidity_change_4w".into(), vec![None; dates.len()])?;
    }
    Ok(m)
}

/// For each of `dates`, the index of the net-liquidity week known at its close: the latest
/// whose Wednesday is before the date (known from the day after).
fn liquidity_index(l: &NetLiquidity, dates: &[Date]) -> Vec<Option<usize>> {
    let known: Vec<Date> = l
        .points
        .iter()
        .map(|p| p.date.succ_opt().unwrap_or(p.date))
        .collect();
    on_or_before(&known, dates)
}

/// For each of `dates`, the Wednesday of the net-liquidity value the measurement table
/// carries on that date (`None` before the first, or without liquidity): the value is carried
/// forward from that Wednesday until the next is published.
pub fn liquidity_as_of(liquidity: Option<&NetLiquidity>, dates: &[Date]) -> Vec<Option<Date>> {
    match liquidity {
        Some(l) => liquidity_index(l, dates)
            .into_iter()
            .map(|i| i.map(|i| l.points[i].date))
            .collect(),
        None => vec![None; dates.len()],
    }
}

/// Whether a measure is carried forward from a weekly liquidity value.
pub fn carried(measure: &str) -> bool {
    matches!(measure, "net_liquidity" | "liquidity_change_4w")
}

/// The result of `lockstep signals`.
#[derive(Clone, Debug, Serialize)]
pub struct SignalsReport {
    /// `A` and `B`.
    pub pair: (String, String),
    /// Every condition and rule on every aligned date.
    pub evaluation: Evaluation,
    /// The latest date's states.
    pub current: Option<Snapshot>,
    /// Per rule, the dates it turned true, oldest first.
    pub triggers: Vec<(String, Vec<Date>)>,
    /// Per date of the evaluation, the Wednesday its liquidity values are carried from (see
    /// [`liquidity_as_of`]; empty when not filled in).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub liquidity_as_of: Vec<Option<Date>>,
}

/// Evaluate `rules` over the pair's measurement table.
pub fn signals(
    r: &Report,
    m: &Measurements,
    rules: &RuleSet,
) -> Result<SignalsReport, ReportError> {
    let evaluation = rules.evaluate(m).map_err(ReportError::Signals)?;
    let triggers = evaluation
        .rules
        .iter()
        .map(|s| {
            let d = evaluation.triggers(&s.name).unwrap_or_default();
            (s.name.clone(), d)
        })
        .collect();
    Ok(SignalsReport {
        pair: (r.a.name.clone(), r.b.name.clone()),
        current: evaluation.current(),
        evaluation,
        triggers,
        liquidity_as_of: Vec::new(),
    })
}

impl SignalsReport {
    /// The table: each rule's current state and its last trigger dates, then each condition's
    /// value and state on the latest date.
    pub fn table(&self, color: bool) -> String {
        let st = Style { color };
        let mut o = String::new();
        let Some(now) = &self.current else {
            return "no aligned date to evaluate\n".into();
        };
        let _ = writeln!(
            o,
            "{}",
            st.bold(&format!(
                "Signals: {} vs {} on {}",
                short(&self.pair.0, 20),
                short(&self.pair.1, 20),
                now.date
            ))
        );
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  {:<24} {:<8} {}",
                "rule", "now", "last triggered"
            ))
        );
        for rs in &now.rules {
            let dates = self
                .triggers
                .iter()
                .find(|(n, _)| *n == rs.name)
                .map(|(_, d)| d.as_slice())
                .unwrap_or_default();
            let last: Vec<String> = dates.iter().rev().take(3).map(|d| d.to_string()).collect();
            let _ = writeln!(
                o,
                "  {:<24} {:<8} {}{}",
                short(&rs.name, 24),
                truth(rs.state),
                if last.is_empty() {
                    "never".to_string()
                } else {
                    last.join(", ")
                },
                if dates.len() > 3 {
                    format!(" ({} in all)", dates.len())
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  {:<24} {:<20} {:>14}  {}",
                "condition", "measure", "value", "state"
            ))
        );
        let liq = self.liquidity_now();
        for (c, series) in now.conditions.iter().zip(&self.evaluation.conditions) {
            let mark = match liq {
                Some(_) if carried(&series.measure) => " *".to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "  {:<24} {:<20} {:>14}  {}{mark}",
                short(&c.name, 24),
                short(&series.measure, 20),
                c.value
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_else(|| "-".into()),
                truth(c.state)
            );
        }
        let _ = writeln!(
            o,
            "{}",
            st.dim("  unknown = an input is missing (warm-up, no data): never counted as true")
        );
        if let Some(d) = self.liquidity_now() {
            let _ = writeln!(
                o,
                "{}",
                st.dim(&format!(
                    "  * carried forward from the weekly net liquidity of {d} (a Wednesday)"
                ))
            );
        }
        o
    }

    /// The Wednesday the liquidity values of the latest date are carried from.
    pub fn liquidity_now(&self) -> Option<Date> {
        self.liquidity_as_of.last().copied().flatten()
    }

    /// CSV: first column `date`, then each condition's value and state, then each rule, then
    /// `liquidity_as_of` (the Wednesday of the liquidity values carried on that date, empty
    /// when there is none).
    pub fn csv(&self) -> String {
        let csv = self.evaluation.csv();
        let mut out = String::with_capacity(csv.len() + 12 * (self.evaluation.dates.len() + 1));
        for (i, line) in csv.lines().enumerate() {
            out.push_str(line);
            if i == 0 {
                out.push_str(",liquidity_as_of");
            } else {
                out.push(',');
                if let Some(Some(d)) = self.liquidity_as_of.get(i - 1) {
                    out.push_str(&d.to_string());
                }
            }
            out.push('\n');
        }
        out
    }

    /// JSON: the whole report.
    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(ReportError::Json)
    }
}

/// Run `strategy` on the pair: positions in A from the evaluated rules, over the report's
/// aligned dates, annualized with the aligned calendar's periods per year (the period of a
/// return is one aligned step: 252 a year when either leg trades on exchange days).
pub fn run_backtest(
    r: &Report,
    evaluation: &Evaluation,
    strategy: &Strategy,
    split: Option<Date>,
) -> Result<BacktestResult, ReportError> {
    backtest(
        &r.series.price_a,
        evaluation,
        strategy,
        &BacktestOptions {
            periods_per_year: r.params.periods_per_year,
            split,
        },
    )
    .map_err(ReportError::Signals)
}

fn metric_rows(o: &mut String, label: &str, m: &Metrics, bh: &Metrics) {
    let _ = writeln!(o, "  {label} {}", words::segment(m));
    let _ = writeln!(o, "  {:<22} {:>14} {:>14}", "", "strategy", "buy & hold A");
    for (name, f, s, b) in words::metric_rows(m, bh) {
        let show = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| f.show(v));
        let _ = writeln!(o, "  {name:<22} {:>14} {:>14}", show(s), show(b));
    }
    if let Some(span) = words::drawdown_span(m) {
        let _ = writeln!(o, "  {span}");
    }
}

/// The table of `lockstep backtest`.
pub fn backtest_table(r: &Report, b: &BacktestResult, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Backtest: position in {} from the rules on {} vs {}",
            short(&r.a.name, 16),
            short(&r.a.name, 16),
            short(&r.b.name, 16)
        ))
    );
    wrap(&mut o, &words::strategy(&b.strategy, "-"));
    metric_rows(
        &mut o,
        "whole period",
        &b.full.strategy,
        &b.full.buy_and_hold,
    );
    for (label, part) in [
        ("in-sample", &b.in_sample),
        ("out-of-sample", &b.out_of_sample),
    ] {
        if let Some(c) = part {
            let _ = writeln!(o);
            metric_rows(&mut o, label, &c.strategy, &c.buy_and_hold);
        }
    }
    let _ = writeln!(o, "{}", st.dim(&format!("  {}", words::METRICS_NOTE)));
    o
}

/// CSV of the daily equity curve (first column `date`).
pub fn backtest_csv(b: &BacktestResult) -> String {
    b.csv()
}

/// JSON of the backtest.
pub fn backtest_json(b: &BacktestResult) -> Result<String, ReportError> {
    serde_json::to_string_pretty(b).map_err(ReportError::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> Date {
        Date::from_ymd_opt(2024, 1, day).unwrap()
    }

    #[test]
    fn breakouts_count_since_the_previous_aligned_date() {
        // Aligned dates 2, 5, 6 (a leg trading daily); events on 1, 3, 4 and 6.
        let events = [d(1), d(3), d(4), d(6)];
        let dates = [d(2), d(5), d(6)];
        // Day 1 is before the first aligned date: not counted; 3 and 4 land on 5.
        assert_eq!(
            since_previous(&events, &dates),
            vec![Some(0.0), Some(2.0), Some(1.0)]
        );
        assert_eq!(since_previous(&[], &dates), vec![Some(0.0); 3]);
    }
}
