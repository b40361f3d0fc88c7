//! The per-bar views of an intraday pair (the two legs on the exchange leg's grid, returns
//! only between consecutive bars of one session, see `lockstep_core::clock`): the rolling
//! statistics on every bar ([`IntradayRolling`], `corr --interval`) and the lead-lag in bars
//! ([`IntradayLeadLag`], `leadlag --interval`).
//!
//! Rolling windows count returns: the first bar of a session has no return and is in no
//! window, so a window may span sessions; its value is dated by its last bar. Lags pair
//! `(a[t], b[t-k])` only when both bars are in the same session.

use serde::Serialize;

use lockstep_core::{Date, Interval, IntradayPair, Timestamp};
use lockstep_stats::{
    ccf_band, fisher_interval, reaction_summary, rolling_pair, segmented_cross_correlation,
    segmented_granger_scan, segmented_rolling_best_lag, Method,
};

use crate::linkage::{Granger, GrangerDirection, LagPoint, Reaction};
use crate::ReportError;

/// One window's rolling statistics on every bar of the grid (`None` where undefined).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BarWindow {
    /// Window, in returns.
    pub window: usize,
    /// Correlation of A and B over the last `window` returns ending at the bar.
    pub corr: Vec<Option<f64>>,
    /// Lower end of its Fisher-z interval `tanh(atanh(r) − z/√(n−3))` (n = the window, or
    /// EWMA's effective n).
    pub corr_lo: Vec<Option<f64>>,
    /// Upper end `tanh(atanh(r) + z/√(n−3))`.
    pub corr_hi: Vec<Option<f64>>,
    /// Beta of A on B, `cov(a, b) / var(b)`.
    pub beta: Vec<Option<f64>>,
}

/// The rolling correlation, its interval and beta of an intraday pair on every bar of the
/// exchange leg's regular sessions at whose end both legs have a price (`corr --interval`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntradayRolling {
    /// Name of leg A.
    pub a: String,
    /// Name of leg B.
    pub b: String,
    /// The bar interval.
    pub interval: Interval,
    /// Correlation method (with λ for EWMA).
    pub method: Method,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// End of each bar (UTC): the instant both prices are taken at.
    pub time: Vec<Timestamp>,
    /// The session (New York date) of each bar.
    pub session: Vec<Date>,
    /// Log return of A from the previous bar of the same session (`None` on a session's first
    /// bar, and after a bar left out).
    pub ret_a: Vec<Option<f64>>,
    /// Log return of B, likewise.
    pub ret_b: Vec<Option<f64>>,
    /// Rolling statistics per window, in the order asked for.
    pub rolling: Vec<BarWindow>,
}

/// A finite value, else `None`.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl IntradayRolling {
    /// The rolling statistics of `pair` (legs named `a` and `b`) for `windows`: for each
    /// window the pair statistic of `method` over the last `window` returns (bars without a
    /// return are skipped, not counted), with its Fisher-z interval at `confidence`.
    pub fn compute(
        pair: &IntradayPair,
        a: &str,
        b: &str,
        windows: &[usize],
        method: Method,
        confidence: f64,
    ) -> Result<IntradayRolling, ReportError> {
        if windows.is_empty() {
            return Err(ReportError::NoWindow);
        }
        fisher_interval(0.0, 10.0, confidence).map_err(ReportError::Stats)?;
        let n = pair.time.len();
        let has = |i: usize| pair.ret_a[i].is_finite() && pair.ret_b[i].is_finite();
        let mut rolling = Vec::with_capacity(windows.len());
        for &w in windows {
            let mut k = rolling_pair(method, w).map_err(ReportError::Stats)?;
            let n_eff = k.effective_n();
            let mut bw = BarWindow {
                window: w,
                corr: vec![None; n],
                corr_lo: vec![None; n],
                corr_hi: vec![None; n],
                beta: vec![None; n],
            };
            for i in (0..n).filter(|&i| has(i)) {
                let Some(p) = k.next_point(pair.ret_a[i], pair.ret_b[i]) else {
                    continue;
                };
                bw.corr[i] = p.corr;
                if let Some(r) = p.corr {
                    if let Some((lo, hi)) =
                        fisher_interval(r, n_eff, confidence).map_err(ReportError::Stats)?
                    {
                        bw.corr_lo[i] = Some(lo);
                        bw.corr_hi[i] = Some(hi);
                    }
                }
                bw.beta[i] = p.beta;
            }
            rolling.push(bw);
        }
        Ok(IntradayRolling {
            a: a.to_string(),
            b: b.to_string(),
            interval: pair.interval,
            method,
            confidence,
            time: pair.time.clone(),
            session: pair.session.clone(),
            ret_a: (0..n)
                .map(|i| if has(i) { finite(pair.ret_a[i]) } else { None })
                .collect(),
            ret_b: (0..n)
                .map(|i| if has(i) { finite(pair.ret_b[i]) } else { None })
                .collect(),
            rolling,
        })
    }

    /// The windows, in the order asked for.
    pub fn windows(&self) -> Vec<usize> {
        self.rolling.iter().map(|w| w.window).collect()
    }
}

/// What lead-lag within sessions shares with the reaction-time section of `analyze`: the
/// lags looked at, the cross-correlation, its band and Granger both ways.
pub(crate) struct WithinSessions {
    /// Returns (bars with a return of both legs).
    pub returns: usize,
    /// Largest lag looked at: `max_lag` capped to the longest run of returns in one session
    /// minus two (at least 1).
    pub lags: usize,
    /// Longest run of returns in one session.
    pub longest: usize,
    /// Cross-correlation at `-lags..=lags`.
    pub ccf: Vec<LagPoint>,
    /// The ± band `z/√n`.
    pub band: f64,
    /// Granger B → A (None when too few rows).
    pub b_to_a: Option<GrangerDirection>,
    /// Granger A → B.
    pub a_to_b: Option<GrangerDirection>,
}

impl WithinSessions {
    pub(crate) fn compute(
        pair: &IntradayPair,
        max_lag: usize,
        confidence: f64,
    ) -> Result<WithinSessions, ReportError> {
        let returns = pair.returns_index().len();
        let mut run = 0usize;
        let mut longest = 0usize;
        for i in 0..pair.time.len() {
            if pair.ret_a[i].is_finite() && pair.ret_b[i].is_finite() {
                run += 1;
                longest = longest.max(run);
            } else {
                run = 0;
            }
        }
        let lags = max_lag.min(longest.saturating_sub(2)).max(1);
        let ccf = segmented_cross_correlation(&pair.ret_a, &pair.ret_b, lags)
            .map_err(ReportError::Stats)?
            .into_iter()
            .map(|c| LagPoint {
                lag: c.lag,
                corr: c.corr,
                n: c.n,
            })
            .collect();
        let band = ccf_band(returns.max(1), confidence).map_err(ReportError::Stats)?;
        let b_to_a = segmented_granger_scan(&pair.ret_a, &pair.ret_b, lags)
            .ok()
            .map(GrangerDirection::of);
        let a_to_b = segmented_granger_scan(&pair.ret_b, &pair.ret_a, lags)
            .ok()
            .map(GrangerDirection::of);
        Ok(WithinSessions {
            returns,
            lags,
            longest,
            ccf,
            band,
            b_to_a,
            a_to_b,
        })
    }
}

/// A best lag of a rolling window of bars, dated by the window's last bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimedLag {
    /// End of the window's last bar (UTC).
    pub time: Timestamp,
    /// Lag with the largest correlation, in bars.
    pub lag: i64,
    /// Its correlation.
    pub corr: f64,
}

/// Who leads within sessions, and by how many bars (`leadlag --interval`): the daily
/// lead-lag's keys, in bars of `unit`.
#[derive(Clone, Debug, Serialize)]
pub struct IntradayLeadLag {
    /// The bar interval (in the JSON as `interval` beside the legs' names).
    #[serde(skip)]
    pub interval: Interval,
    /// Returns used (bars with a return of both legs).
    pub n: usize,
    /// Largest lag looked at (the one asked for, capped to the longest run of returns in one
    /// session minus two).
    pub max_lag: usize,
    /// Rolling window of the best lag, in returns.
    pub window: usize,
    /// What one lag is: the bar interval (`1h`, `30m`, `15m`, `5m`, `1m`).
    pub unit: &'static str,
    /// Cross-correlation at lags −L..=L within sessions (`k > 0`: B leads A by `k` bars).
    pub ccf: Vec<LagPoint>,
    /// The ± band `z/√n`.
    pub band: f64,
    /// Granger tests within sessions (None when they cannot be computed, see `notes`).
    pub granger: Option<Granger>,
    /// The lag with the largest cross-correlation.
    pub best_lag: Option<LagPoint>,
    /// Best lag of each rolling window of `window` returns (pairs within one session).
    pub rolling_best_lag: Vec<TimedLag>,
    /// Distribution of the rolling best lag, in bars.
    pub reaction: Option<Reaction>,
    /// Why a part is missing or was limited.
    pub notes: Vec<String>,
}

impl IntradayLeadLag {
    /// Lead-lag of `pair` within sessions: cross-correlation at lags up to `max_lag` bars
    /// (capped, see [`IntradayLeadLag::max_lag`]) with its band at `confidence`, Granger both
    /// ways on within-session rows, and the rolling best lag over windows of `lag_window`
    /// returns ([`lockstep_stats::segmented_rolling_best_lag`]) with its distribution.
    pub fn compute(
        pair: &IntradayPair,
        lag_window: usize,
        max_lag: usize,
        confidence: f64,
    ) -> Result<IntradayLeadLag, ReportError> {
        let w = WithinSessions::compute(pair, max_lag, confidence)?;
        let mut notes = Vec::new();
        if w.lags < max_lag {
            notes.push(format!(
                "lags up to {} bars: the longest run of returns within one session is {}",
                w.lags, w.longest
            ));
        }
        let best_lag = w
            .ccf
            .iter()
            .filter(|c| c.corr.is_some())
            .max_by(|x, y| {
                x.corr
                    .partial_cmp(&y.corr)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(y.lag.abs().cmp(&x.lag.abs()))
            })
            .cloned();
        let granger = match (w.b_to_a, w.a_to_b) {
            (Some(b_to_a), Some(a_to_b)) => Some(Granger {
                b_causes_a: b_to_a.tests.clone(),
                a_causes_b: a_to_b.tests.clone(),
                b_to_a,
                a_to_b,
            }),
            _ => {
                notes.push("Granger tests: too few returns within sessions".into());
                None
            }
        };
        let rolling = match segmented_rolling_best_lag(&pair.ret_a, &pair.ret_b, lag_window, w.lags)
        {
            Ok(v) => v,
            Err(e) => {
                notes.push(format!("rolling best lag: {e}"));
                Vec::new()
            }
        };
        let unit = pair.interval.name();
        let reaction = reaction_summary(&rolling).map(|summary| Reaction { unit, summary });
        let rolling_best_lag = rolling
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                b.map(|b| TimedLag {
                    time: pair.time[i],
                    lag: b.lag,
                    corr: b.corr,
                })
            })
            .collect();
        Ok(IntradayLeadLag {
            interval: pair.interval,
            n: w.returns,
            max_lag: w.lags,
            window: lag_window,
            unit,
            ccf: w.ccf,
            band: w.band,
            granger,
            best_lag,
            rolling_best_lag,
            reaction,
            notes,
        })
    }
}
