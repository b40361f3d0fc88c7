//! Daily backtest of a [`Strategy`] on leg A, with buy-and-hold A alongside.

use std::ops::Range;

use lockstep_core::{Calendar, Date};
use serde::Serialize;

use crate::evaluate::Evaluation;
use crate::metrics::{drawdowns, return_stats};
use crate::strategy::Strategy;
use crate::util::fmt_opt;
use crate::{Result, SignalsError};

/// Options of [`backtest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestOptions {
    /// Periods per year used to annualize: 365 when A trades every calendar day, 252 when it
    /// trades on exchange days (see [`BacktestOptions::for_calendar`]).
    pub periods_per_year: f64,
    /// Split date: in-sample is the dates `< split`, out-of-sample the dates `≥ split`.
    pub split: Option<Date>,
}

impl BacktestOptions {
    /// Options with `periods_per_year` from A's trading calendar (365 or 252), no split.
    /// Pass A's own calendar (`Calendar::infer` on A's dates), not that of the aligned pair.
    pub fn for_calendar(calendar: Calendar) -> Self {
        Self {
            periods_per_year: calendar.periods_per_year(),
            split: None,
        }
    }
}

/// One date of the backtest, as of its close.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestRow {
    /// The date.
    pub date: Date,
    /// Position in A held after the close of this date (after any trade at this close).
    pub position: f64,
    /// Net strategy return from the previous close to this close: the previous position
    /// times A's return, less the cost of the trade at this close (`None` on the first date).
    #[serde(rename = "return")]
    pub ret: Option<f64>,
    /// Strategy equity, starting at 1.0 on the first date.
    pub equity: f64,
    /// `equity / running max(equity) − 1`, `≤ 0`.
    pub drawdown: f64,
    /// Buy-and-hold A equity (position 1 from the first close, no costs), starting at 1.0.
    pub benchmark_equity: f64,
    /// Drawdown of buy-and-hold A: `benchmark_equity / running max − 1`, `≤ 0`.
    pub benchmark_drawdown: f64,
}

/// Performance of one return series over one segment (see [`crate::return_stats`] for the
/// return formulas; every value is `None` when undefined).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// First date of the segment.
    pub start: Date,
    /// Last date of the segment.
    pub end: Date,
    /// Number of daily returns in the segment.
    pub periods: usize,
    /// Periods per year used to annualize (stated with every result).
    pub periods_per_year: f64,
    /// `Π (1 + r) − 1`.
    pub total_return: Option<f64>,
    /// `(1 + total)^(ppy / n) − 1`.
    pub cagr: Option<f64>,
    /// `std(r, ddof = 1) · √ppy`.
    pub volatility: Option<f64>,
    /// `mean(r) / std(r, ddof = 1) · √ppy`, risk-free 0.
    pub sharpe: Option<f64>,
    /// `mean(r) · √ppy / √(mean(min(r, 0)²))`.
    pub sortino: Option<f64>,
    /// Deepest `equity / running max − 1` (≤ 0) of the segment's equity, rebased to 1.0
    /// at the close before its first return.
    pub max_drawdown: Option<f64>,
    /// Date of the peak before the deepest drawdown (may be the close before the segment's
    /// first date: its starting equity).
    pub drawdown_peak: Option<Date>,
    /// Date of the trough.
    pub drawdown_trough: Option<Date>,
    /// First date back at or above the peak (`None` if not recovered in the segment).
    pub drawdown_recovery: Option<Date>,
    /// `CAGR / |max drawdown|`.
    pub calmar: Option<f64>,
    /// Share of return periods with a nonzero position (the position that earned the
    /// return). quantstats' `exposure` counts nonzero returns instead.
    pub exposure: Option<f64>,
    /// Number of position changes at the closes of the segment (the first entry from flat
    /// counts).
    pub trades: usize,
    /// Annualized turnover: `Σ |Δposition| / (n / ppy)` over the closes of the segment.
    pub turnover: Option<f64>,
    /// Share of the exposed return periods (nonzero position) with a net return `> 0`.
    /// quantstats' `win_rate` counts nonzero returns instead.
    pub hit_rate: Option<f64>,
}

/// Strategy and buy-and-hold A over the same segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The strategy.
    pub strategy: Metrics,
    /// Buy-and-hold A: position 1 throughout, no costs.
    pub buy_and_hold: Metrics,
}

/// The result of [`backtest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestResult {
    /// Periods per year used to annualize.
    pub periods_per_year: f64,
    /// The split date, if any.
    pub split: Option<Date>,
    /// The strategy that was run.
    pub strategy: Strategy,
    /// One row per date.
    pub rows: Vec<BacktestRow>,
    /// Whole period.
    pub full: Comparison,
    /// Dates `< split` (`None` without a split or when no date is before it).
    pub in_sample: Option<Comparison>,
    /// Dates `≥ split` (`None` without a split or when no date is on/after it).
    pub out_of_sample: Option<Comparison>,
}

/// Run `strategy` on leg A with prices `prices_a` (one per date of `evaluation`, finite and
/// positive).
///
/// Conventions, with `p[i]` the position after the close of date `i`
/// ([`Strategy::positions`], starting flat), `R[i] = P[i] / P[i−1] − 1` the return of A and
/// `c = (fees_bps + slippage_bps) / 10⁴`:
/// * net return of date `i ≥ 1`: `r[i] = (1 + p[i−1] · R[i]) · (1 − c · |p[i] − p[i−1]|) − 1`,
///   i.e. the trade at the close of `i` is paid at that close, as a share of equity. A
///   trade at the close of the first date (possible only with `delay = 0`) is paid in
///   `r[1]`, times `(1 − c · |p[0]|)`: the first date carries the starting equity 1.0 and
///   no return;
/// * positions are weights of equity, implicitly rebalanced to stay constant (that drift
///   rebalancing is not charged);
/// * equity `E[0] = 1`, `E[i] = E[i−1] · (1 + r[i])`; drawdown `E[i] / max_{j≤i} E[j] − 1`;
/// * buy-and-hold A: `r[i] = R[i]`, position 1 at every close, no costs;
/// * each segment's metrics use only the returns of its dates (equity rebased to 1.0).
///
/// Rows up to date `t` depend only on prices and rule states up to `t`.
pub fn backtest(
    prices_a: &[f64],
    evaluation: &Evaluation,
    strategy: &Strategy,
    opts: &BacktestOptions,
) -> Result<BacktestResult> {
    let n = evaluation.dates.len();
    if prices_a.len() != n {
        return Err(SignalsError::LengthMismatch {
            what: "prices of A".into(),
            got: prices_a.len(),
            expected: n,
        });
    }
    if let Some((index, &value)) = prices_a
        .iter()
        .enumerate()
        .find(|(_, p)| !(p.is_finite() && **p > 0.0))
    {
        return Err(SignalsError::InvalidPrice { index, value });
    }
    let ppy = opts.periods_per_year;
    if !(ppy.is_finite() && ppy > 0.0) {
        return Err(SignalsError::InvalidParameter {
            name: "periods_per_year",
            value: ppy.to_string(),
            rule: "must be finite and positive",
        });
    }
    let pos = strategy.positions(evaluation)?;
    let c = strategy.cost_rate();
    let asset: Vec<f64> = (0..n)
        .map(|i| {
            if i == 0 {
                0.0
            } else {
                prices_a[i] / prices_a[i - 1] - 1.0
            }
        })
        .collect();
    let mut net = vec![0.0; n];
    for i in 1..n {
        let mut factor = (1.0 + pos[i - 1] * asset[i]) * (1.0 - c * (pos[i] - pos[i - 1]).abs());
        if i == 1 {
            factor *= 1.0 - c * pos[0].abs();
        }
        net[i] = factor - 1.0;
    }
    let equity = compound(&net);
    let bench_equity = compound(&asset);
    let dd = drawdowns(&equity);
    let bench_dd = drawdowns(&bench_equity);
    let rows = (0..n)
        .map(|i| BacktestRow {
            date: evaluation.dates[i],
            position: pos[i],
            ret: (i > 0).then_some(net[i]),
            equity: equity[i],
            drawdown: dd[i],
            benchmark_equity: bench_equity[i],
            benchmark_drawdown: bench_dd[i],
        })
        .collect();
    let ones = vec![1.0; n];
    let dates = &evaluation.dates;
    let compare = |seg: Range<usize>| -> Option<Comparison> {
        (!seg.is_empty()).then(|| Comparison {
            strategy: segment_metrics(dates, &pos, &net, seg.clone(), ppy),
            buy_and_hold: segment_metrics(dates, &ones, &asset, seg, ppy),
        })
    };
    let split_at = opts
        .split
        .map(|s| dates.iter().position(|d| *d >= s).unwrap_or(n));
    let full = compare(0..n).ok_or(SignalsError::InvalidParameter {
        name: "dates",
        value: "0".into(),
        rule: "the backtest needs at least one date",
    })?;
    Ok(BacktestResult {
        periods_per_year: ppy,
        split: opts.split,
        strategy: strategy.clone(),
        rows,
        full,
        in_sample: split_at.and_then(|s| compare(0..s)),
        out_of_sample: split_at.and_then(|s| compare(s..n)),
    })
}

/// `E[0] = 1`, `E[i] = E[i−1] · (1 + r[i])` (`r[0]` is ignored).
fn compound(r: &[f64]) -> Vec<f64> {
    let mut e = 1.0;
    r.iter()
        .enumerate()
        .map(|(i, x)| {
            if i > 0 {
                e *= 1.0 + x;
            }
            e
        })
        .collect()
}

/// Metrics of the rows `seg` (non-empty): returns of rows `max(seg.start, 1) .. seg.end`,
/// equity points from the close before the first of them.
fn segment_metrics(
    dates: &[Date],
    pos: &[f64],
    net: &[f64],
    seg: Range<usize>,
    ppy: f64,
) -> Metrics {
    let first_ret = seg.start.max(1);
    let ret_rows = first_ret..seg.end.max(first_ret);
    let base = first_ret - 1;
    let returns = &net[ret_rows.clone()];
    let s = return_stats(returns, ppy);
    let periods = returns.len();
    let date_of = |k: Option<usize>| k.map(|k| dates[base + k]);
    let exposed: Vec<usize> = ret_rows.clone().filter(|&i| pos[i - 1] != 0.0).collect();
    let (mut trades, mut traded) = (0, 0.0);
    for i in seg.clone() {
        let prev = if i == 0 { 0.0 } else { pos[i - 1] };
        if pos[i] != prev {
            trades += 1;
            traded += (pos[i] - prev).abs();
        }
    }
    Metrics {
        start: dates[seg.start],
        end: dates[seg.end - 1],
        periods,
        periods_per_year: ppy,
        total_return: s.total_return,
        cagr: s.cagr,
        volatility: s.volatility,
        sharpe: s.sharpe,
        sortino: s.sortino,
        max_drawdown: s.max_drawdown,
        drawdown_peak: date_of(s.drawdown_peak),
        drawdown_trough: date_of(s.drawdown_trough),
        drawdown_recovery: date_of(s.drawdown_recovery),
        calmar: s.calmar,
        exposure: (periods > 0).then(|| exposed.len() as f64 / periods as f64),
        trades,
        turnover: (periods > 0).then(|| traded / (periods as f64 / ppy)),
        hit_rate: (!exposed.is_empty()).then(|| {
            exposed.iter().filter(|&&i| net[i] > 0.0).count() as f64 / exposed.len() as f64
        }),
    }
}

impl BacktestResult {
    /// The daily equity curve as CSV:
    /// `date,position,return,equity,drawdown,benchmark_equity,benchmark_drawdown`, numbers
    /// in shortest round-trip form, an empty cell where undefined (the first date's return).
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "date,position,return,equity,drawdown,benchmark_equity,benchmark_drawdown\n",
        );
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                r.date,
                r.position,
                fmt_opt(r.ret),
                r.equity,
                r.drawdown,
                r.benchmark_equity,
                r.benchmark_drawdown
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;
    use crate::{Measurements, RuleSet};

    const SIG_RULES: &str = "[conditions.sig]\nmeasure = \"sig\"\nop = \">\"\nvalue = 0.5\n\
                             [rules.go]\nall = [\"sig\"]\n";

    fn setup(sig: &[f64]) -> Evaluation {
        let mut m = Measurements::new(days(sig.len())).unwrap();
        m.insert("sig", sig).unwrap();
        RuleSet::parse(SIG_RULES).unwrap().evaluate(&m).unwrap()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }

    // Prices 100, 110, 99, 108.9, 119.79, 107.811: A returns +10%, −10%, +10%, +10%, −10%.
    const PRICES: [f64; 6] = [100.0, 110.0, 99.0, 108.9, 119.79, 107.811];

    fn strategy() -> Strategy {
        Strategy {
            long: Some("go".into()),
            hold: false,
            delay: 1,
            fees_bps: 10.0,
            slippage_bps: 10.0,
            ..Strategy::default()
        }
    }

    #[test]
    fn hand_computed_backtest() {
        let ev = setup(&[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        let opts = BacktestOptions {
            periods_per_year: 252.0,
            split: None,
        };
        let res = backtest(&PRICES, &ev, &strategy(), &opts).unwrap();
        // Targets 1 0 1 1 0 0, delay 1 → positions 0 1 0 1 1 0; c = 20 bps = 0.002.
        let pos: Vec<f64> = res.rows.iter().map(|r| r.position).collect();
        assert_eq!(pos, [0.0, 1.0, 0.0, 1.0, 1.0, 0.0]);
        // Row 1: flat, buys 1 → −0.002. Row 2: long, −10%, sells 1 → 0.9·0.998 − 1 = −0.1018.
        // Row 3: flat, buys → −0.002. Row 4: long, +10% → 0.1. Row 5: long, −10%, sells → −0.1018.
        let expected = [-0.002, -0.1018, -0.002, 0.1, -0.1018];
        for (row, e) in res.rows[1..].iter().zip(expected) {
            close(row.ret.unwrap(), e);
        }
        assert_eq!(res.rows[0].ret, None);
        let eq = 0.998 * 0.8982 * 0.998 * 1.1 * 0.8982;
        close(res.rows[5].equity, eq);
        close(res.rows[5].benchmark_equity, 1.07811);
        // Peak: starting 1.0; after row 2: 0.998·0.8982 = 0.8964036.
        close(res.rows[2].drawdown, 0.998 * 0.8982 - 1.0);
        let s = &res.full.strategy;
        assert_eq!(s.periods, 5);
        close(s.total_return.unwrap(), eq - 1.0);
        // Trades at rows 1, 2, 3, 5: 4 trades, Σ|Δ| = 4 over 5/252 years → 201.6 a year.
        assert_eq!(s.trades, 4);
        close(s.turnover.unwrap(), 201.6);
        // Exposed periods: rows 2, 4, 5 (previous position 1) → 3/5; winners: row 4 → 1/3.
        close(s.exposure.unwrap(), 0.6);
        close(s.hit_rate.unwrap(), 1.0 / 3.0);
        // Equity 1, 0.998, 0.8964, 0.8946, 0.9841, 0.8839: never above the starting 1.0, so
        // the deepest drawdown runs from the start to the last row: eq − 1 = −0.1161.
        close(s.max_drawdown.unwrap(), eq - 1.0);
        assert_eq!(s.drawdown_peak, Some(ev.dates[0]));
        assert_eq!(s.drawdown_trough, Some(ev.dates[5]));
        assert_eq!(s.drawdown_recovery, None);
        let b = &res.full.buy_and_hold;
        close(b.total_return.unwrap(), 0.07811);
        assert_eq!(b.trades, 1);
        close(b.exposure.unwrap(), 1.0);
        close(b.turnover.unwrap(), 50.4);
        // B&H winners: rows 1, 3, 4 → 3/5.
        close(b.hit_rate.unwrap(), 0.6);
        assert!(res.in_sample.is_none() && res.out_of_sample.is_none());
    }

    #[test]
    fn split_rebases_each_segment() {
        let ev = setup(&[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        let opts = BacktestOptions {
            periods_per_year: 252.0,
            split: Some(ev.dates[3]),
        };
        let res = backtest(&PRICES, &ev, &strategy(), &opts).unwrap();
        let is = res.in_sample.as_ref().unwrap();
        let oos = res.out_of_sample.as_ref().unwrap();
        // In-sample: rows 0..3, returns of rows 1 and 2.
        assert_eq!(
            (is.strategy.periods, is.strategy.start, is.strategy.end),
            (2, ev.dates[0], ev.dates[2])
        );
        close(is.strategy.total_return.unwrap(), 0.998 * 0.8982 - 1.0);
        assert_eq!(is.strategy.trades, 2);
        // Out-of-sample: rows 3..6, returns of rows 3, 4, 5, equity rebased at the close of row 2.
        assert_eq!((oos.strategy.periods, oos.strategy.start), (3, ev.dates[3]));
        close(
            oos.strategy.total_return.unwrap(),
            0.998 * 1.1 * 0.8982 - 1.0,
        );
        assert_eq!(oos.strategy.trades, 2);
        close(oos.strategy.max_drawdown.unwrap(), -0.1018);
        assert_eq!(oos.strategy.drawdown_peak, Some(ev.dates[4]));
        assert_eq!(oos.strategy.drawdown_trough, Some(ev.dates[5]));
        close(oos.buy_and_hold.total_return.unwrap(), 107.811 / 99.0 - 1.0);
        assert_eq!(oos.buy_and_hold.trades, 0);
        // The segments compound to the full period.
        close(
            (1.0 + is.strategy.total_return.unwrap()) * (1.0 + oos.strategy.total_return.unwrap()),
            1.0 + res.full.strategy.total_return.unwrap(),
        );
        // A split before the first date leaves no in-sample segment.
        let opts = BacktestOptions {
            periods_per_year: 252.0,
            split: Some(ev.dates[0]),
        };
        let res = backtest(&PRICES, &ev, &strategy(), &opts).unwrap();
        assert!(res.in_sample.is_none());
        assert_eq!(res.out_of_sample.unwrap().strategy, res.full.strategy);
    }

    #[test]
    fn hold_keeps_the_position_and_short_side() {
        // long rule: sig > 0.5; short rule: sig < −0.5 (via `not` of a condition would be
        // Unknown-safe too; here a second condition).
        let mut m = Measurements::new(days(6)).unwrap();
        m.insert("sig", &[1.0, 0.0, f64::NAN, -1.0, 0.0, 1.0])
            .unwrap();
        let set = RuleSet::parse(
            "[conditions.up]\nmeasure = \"sig\"\nop = \">\"\nvalue = 0.5\n\
             [conditions.down]\nmeasure = \"sig\"\nop = \"<\"\nvalue = -0.5\n\
             [rules.long]\nall = [\"up\"]\n[rules.short]\nall = [\"down\"]\n",
        )
        .unwrap();
        let ev = set.evaluate(&m).unwrap();
        let mut s = Strategy {
            long: Some("long".into()),
            short: Some("short".into()),
            allow_short: true,
            short_weight: 0.5,
            delay: 0,
            ..Strategy::default()
        };
        // Unknown (NaN) and False both keep the previous target with hold = true.
        assert_eq!(s.targets(&ev).unwrap(), [1.0, 1.0, 1.0, -0.5, -0.5, 1.0]);
        s.hold = false;
        assert_eq!(s.targets(&ev).unwrap(), [1.0, 0.0, 0.0, -0.5, 0.0, 1.0]);
        s.delay = 2;
        assert_eq!(s.positions(&ev).unwrap(), [0.0, 0.0, 1.0, 0.0, 0.0, -0.5]);
        s.flat = Some("nope".into());
        assert!(matches!(
            s.targets(&ev),
            Err(SignalsError::UnknownRule { .. })
        ));
    }

    #[test]
    fn csv_has_full_precision_and_empty_first_return() {
        let ev = setup(&[1.0, 1.0, 1.0]);
        let opts = BacktestOptions::for_calendar(Calendar::EveryDay);
        let res = backtest(&[1.0, 1.1, 1.21], &ev, &strategy(), &opts).unwrap();
        let csv = res.csv();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "date,position,return,equity,drawdown,benchmark_equity,benchmark_drawdown"
        );
        assert_eq!(lines.next().unwrap(), "2020-01-01,0,,1,0,1,0");
        let row1: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(row1[2].parse::<f64>().unwrap(), res.rows[1].ret.unwrap());
        assert_eq!(
            row1[5].parse::<f64>().unwrap(),
            res.rows[1].benchmark_equity
        );
        assert_eq!(res.periods_per_year, 365.0);
        let json = serde_json::to_value(&res).unwrap();
        assert!(json["rows"][0]["return"].is_null());
        assert_eq!(json["full"]["strategy"]["periods_per_year"], 365.0);
    }

    #[test]
    fn input_errors() {
        let ev = setup(&[1.0, 1.0]);
        let opts = BacktestOptions::for_calendar(Calendar::Weekdays);
        assert!(matches!(
            backtest(&[1.0], &ev, &strategy(), &opts),
            Err(SignalsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            backtest(&[1.0, 0.0], &ev, &strategy(), &opts),
            Err(SignalsError::InvalidPrice { index: 1, .. })
        ));
        let bad = BacktestOptions {
            periods_per_year: 0.0,
            split: None,
        };
        assert!(backtest(&[1.0, 1.0], &ev, &strategy(), &bad).is_err());
    }
}
