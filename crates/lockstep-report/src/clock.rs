//! The clock sections of the report: the same pair measured on the UTC clock and on the
//! synchronous exchange clock side by side ([`ClockComparison`]), and the reaction time in
//! bars within sessions ([`IntradaySection`]).
//!
//! Conventions are those of `lockstep_core::clock`: on the exchange clock the every-day leg's
//! price of an exchange date is its price at that date's NYSE close; intraday returns exist
//! only between consecutive bars of one session; a lag of `k` bars pairs `(a[t], b[t-k])` in
//! the same session only.

use serde::{Deserialize, Serialize};

use lockstep_core::{Date, Interval, IntradayPair, Timestamp};
use lockstep_stats::{fisher_interval, RollingCorrelation};

use crate::intraday::WithinSessions;
use crate::linkage::{GrangerDirection, LagPoint};
use crate::{Report, ReportError};

/// Which daily clock returns are measured on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Clock {
    /// Each leg's own daily close (crypto at 00:00 UTC, equities at 16:00 New York).
    #[default]
    Utc,
    /// The every-day leg sampled at the exchange leg's close (16:00 New York, 13:00 on early
    /// closes).
    Exchange,
}

impl Clock {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Clock::Utc => "utc",
            Clock::Exchange => "exchange",
        }
    }

    /// The clock of a name (`utc`, `exchange`).
    pub fn parse(s: &str) -> Option<Clock> {
        match s {
            "utc" => Some(Clock::Utc),
            "exchange" => Some(Clock::Exchange),
            _ => None,
        }
    }
}

/// One window's latest correlation on one clock.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClockReading {
    /// The date of the latest value.
    pub date: Date,
    /// Correlation.
    pub corr: f64,
    /// Its confidence interval.
    pub corr_lo: Option<f64>,
    /// Upper end.
    pub corr_hi: Option<f64>,
    /// Beta of A on B.
    pub beta: Option<f64>,
    /// Percentile rank (0..100) of the correlation in this window's history on this clock.
    pub percentile: Option<f64>,
    /// Plain-words strength of the correlation.
    pub strength: Option<&'static str>,
    /// Lower end of the bootstrap interval (when the report on this clock has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_lo: Option<f64>,
    /// Upper end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_hi: Option<f64>,
}

/// One window on both clocks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClockWindow {
    /// Window, in returns.
    pub window: usize,
    /// On the UTC clock.
    pub utc: Option<ClockReading>,
    /// On the exchange clock.
    pub exchange: Option<ClockReading>,
}

/// Granger p-values at the BIC lag, both ways, on one clock.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClockLead {
    /// Best lag of the full-sample cross-correlation.
    pub best_lag: Option<i64>,
    /// B → A: BIC lag and p-value.
    pub b_to_a: Option<(usize, f64)>,
    /// A → B: BIC lag and p-value.
    pub a_to_b: Option<(usize, f64)>,
}

/// The pair on the UTC and the exchange clock.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClockComparison {
    /// The clock of the main report.
    pub main: Clock,
    /// Where the synchronous prices came from (`ETH-USD 1h bars (store)`).
    pub source: String,
    /// The leg that trades every day (sampled at the exchange's close on the exchange clock).
    pub every_day_leg: String,
    /// The leg on an exchange calendar.
    pub exchange_leg: String,
    /// Exchange dates without a synchronous price (left out, never filled).
    pub missing_dates: usize,
    /// Per window, both clocks.
    pub windows: Vec<ClockWindow>,
    /// Lead-lag on the UTC clock.
    pub utc: ClockLead,
    /// Lead-lag on the exchange clock.
    pub exchange: ClockLead,
}

/// What the clock comparison reads of the pair on one clock: each window's latest
/// correlation and the lead-lag at a glance. [`ClockSide::of`] takes it from a whole report;
/// [`ClockSide::compute`] computes only this (the same values), for the clock that is not the
/// main report's.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockSide {
    /// Per window, the latest correlation.
    pub windows: Vec<(usize, Option<ClockReading>)>,
    /// Best lag and Granger p-values.
    pub lead: ClockLead,
    /// The legs' names, A then B.
    pub names: (String, String),
    /// Whether A is the leg that trades every day.
    pub a_every_day: bool,
}

impl ClockSide {
    /// The side of a whole report.
    pub fn of(r: &Report) -> ClockSide {
        ClockSide {
            windows: readings(&r.windows, |w| boot(r, w)),
            lead: lead(r),
            names: (r.a.name.clone(), r.b.name.clone()),
            a_every_day: r.a.calendar == lockstep_core::Calendar::EveryDay,
        }
    }

    /// The side of `a` against `b` analyzed with `opts`: what [`ClockSide::of`] reads of
    /// [`crate::analyze_with`]`(a, b, opts, _)`, without the rest of the report (regimes,
    /// momentum and structure, the rolling best lag).
    pub fn compute(
        a: &lockstep_core::PriceSeries,
        b: &lockstep_core::PriceSeries,
        opts: &crate::AnalyzeOptions,
    ) -> Result<ClockSide, ReportError> {
        if opts.windows.is_empty() {
            return Err(ReportError::NoWindow);
        }
        fisher_interval(0.0, 10.0, opts.confidence).map_err(ReportError::Stats)?;
        let al =
            lockstep_core::align(a, b, opts.align, opts.returns).map_err(ReportError::Align)?;
        let (windows, (_, best_lag, granger)) = rayon::join(
            || crate::analyze::rolling_windows(&al, opts, &Default::default()),
            || crate::linkage::ccf_and_granger(&al, &opts.linkage, &mut Vec::new()),
        );
        let (_, summaries) = windows?;
        let boots = if opts.bootstrap.replications > 0 && al.ret_a.len() >= 2 {
            crate::inference::latest_windows(&al, &opts.windows, opts.bootstrap, opts.confidence)
        } else {
            Vec::new()
        };
        let boot = |w: usize| boot_interval(boots.iter().find(|e| e.window == w));
        let at = |d: &GrangerDirection| d.at_bic().map(|t| (d.bic_lag, t.p));
        Ok(ClockSide {
            windows: readings(&summaries, boot),
            lead: ClockLead {
                best_lag: best_lag.map(|b| b.lag),
                b_to_a: granger.as_ref().and_then(|g| at(&g.b_to_a)),
                a_to_b: granger.as_ref().and_then(|g| at(&g.a_to_b)),
            },
            names: (a.name.clone(), b.name.clone()),
            a_every_day: a.calendar() == lockstep_core::Calendar::EveryDay,
        })
    }
}

/// The bootstrap interval of window `w`'s latest correlation in `r`.
fn boot(r: &Report, w: usize) -> Option<(f64, f64)> {
    boot_interval(r.inference.as_ref()?.window(w))
}

/// The bootstrap interval of a window's estimate.
fn boot_interval(e: Option<&crate::inference::WindowEstimate>) -> Option<(f64, f64)> {
    let e = &e?.estimate;
    e.boot_lo.zip(e.boot_hi)
}

/// Each window's latest reading, with its bootstrap interval from `boot`.
fn readings(
    windows: &[crate::WindowSummary],
    boot: impl Fn(usize) -> Option<(f64, f64)>,
) -> Vec<(usize, Option<ClockReading>)> {
    windows
        .iter()
        .map(|w| {
            (
                w.window,
                w.latest.as_ref().map(|l| ClockReading {
                    date: l.date,
                    corr: l.corr,
                    corr_lo: l.corr_lo,
                    corr_hi: l.corr_hi,
                    beta: l.beta,
                    percentile: w.percentile,
                    strength: w.strength,
                    boot_lo: boot(w.window).map(|b| b.0),
                    boot_hi: boot(w.window).map(|b| b.1),
                }),
            )
        })
        .collect()
}

fn lead(r: &Report) -> ClockLead {
    let at = |d: &GrangerDirection| d.at_bic().map(|t| (d.bic_lag, t.p));
    ClockLead {
        best_lag: r.lead_lag.best_lag.as_ref().map(|b| b.lag),
        b_to_a: r.lead_lag.granger.as_ref().and_then(|g| at(&g.b_to_a)),
        a_to_b: r.lead_lag.granger.as_ref().and_then(|g| at(&g.a_to_b)),
    }
}

impl ClockComparison {
    /// The comparison of a report on the UTC clock and one on the exchange clock.
    pub fn new(
        main: Clock,
        utc: &Report,
        exchange: &Report,
        source: String,
        missing_dates: usize,
    ) -> ClockComparison {
        ClockComparison::of_sides(
            main,
            ClockSide::of(utc),
            ClockSide::of(exchange),
            source,
            missing_dates,
        )
    }

    /// The comparison of the UTC clock's side and the exchange clock's.
    pub fn of_sides(
        main: Clock,
        utc: ClockSide,
        exchange: ClockSide,
        source: String,
        missing_dates: usize,
    ) -> ClockComparison {
        let windows = utc
            .windows
            .into_iter()
            .zip(exchange.windows)
            .map(|((w, utc), (_, exchange))| ClockWindow {
                window: w,
                utc,
                exchange,
            })
            .collect();
        let (a, b) = utc.names;
        let (every_day_leg, exchange_leg) = if utc.a_every_day { (a, b) } else { (b, a) };
        ClockComparison {
            main,
            source,
            every_day_leg,
            exchange_leg,
            missing_dates,
            windows,
            utc: utc.lead,
            exchange: exchange.lead,
        }
    }
}

/// One window's latest correlation of intraday returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntradayWindow {
    /// Window, in returns (bars).
    pub window: usize,
    /// End of the bar of the latest value.
    pub time: Option<Timestamp>,
    /// Correlation.
    pub corr: Option<f64>,
    /// Confidence interval.
    pub corr_lo: Option<f64>,
    /// Upper end.
    pub corr_hi: Option<f64>,
}

/// The reaction time in bars: the pair on the exchange leg's intraday grid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntradaySection {
    /// The bar interval.
    pub interval: Interval,
    /// Sessions on the grid.
    pub sessions: usize,
    /// Returns (bars with a return of both legs).
    pub returns: usize,
    /// First and last bar end.
    pub first: Option<Timestamp>,
    /// Last bar end.
    pub last: Option<Timestamp>,
    /// Exchange-leg bars outside the regular session, not used.
    pub outside_session: usize,
    /// Grid bars the every-day leg had no price for.
    pub unmatched: usize,
    /// Per window, the latest correlation.
    pub windows: Vec<IntradayWindow>,
    /// Cross-correlation by lag within sessions (`k > 0`: B leads A by `k` bars).
    pub ccf: Vec<LagPoint>,
    /// The ± band `z/√n`.
    pub band: f64,
    /// Granger within sessions, B → A and A → B (None when too few rows).
    pub b_to_a: Option<GrangerDirection>,
    /// A → B.
    pub a_to_b: Option<GrangerDirection>,
}

impl IntradaySection {
    /// The section of `pair` for `windows` and lags up to `max_lag` bars (capped to the
    /// longest run of returns within a session minus one).
    pub fn compute(
        pair: &IntradayPair,
        windows: &[usize],
        max_lag: usize,
        confidence: f64,
    ) -> Result<IntradaySection, ReportError> {
        let idx = pair.returns_index();
        let (a, b): (Vec<f64>, Vec<f64>) =
            idx.iter().map(|&i| (pair.ret_a[i], pair.ret_b[i])).unzip();
        let mut out_w = Vec::new();
        for &w in windows {
            let mut k = RollingCorrelation::new(w).map_err(ReportError::Stats)?;
            let mut last = None;
            for (j, (x, y)) in a.iter().zip(&b).enumerate() {
                if let Some(r) = k.next(*x, *y) {
                    last = Some((j, r));
                }
            }
            let (lo, hi) = match last {
                Some((_, r)) => match fisher_interval(r, w as f64, confidence) {
                    Ok(Some((lo, hi))) => (Some(lo), Some(hi)),
                    _ => (None, None),
                },
                _ => (None, None),
            };
            out_w.push(IntradayWindow {
                window: w,
                time: last.map(|(j, _)| pair.time[idx[j]]),
                corr: last.map(|(_, r)| r),
                corr_lo: lo,
                corr_hi: hi,
            });
        }
        let within = WithinSessions::compute(pair, max_lag, confidence)?;
        Ok(IntradaySection {
            interval: pair.interval,
            sessions: pair.sessions(),
            returns: idx.len(),
            first: idx.first().map(|&i| pair.time[i]),
            last: idx.last().map(|&i| pair.time[i]),
            outside_session: pair.outside_session,
            unmatched: pair.unmatched,
            windows: out_w,
            ccf: within.ccf,
            band: within.band,
            b_to_a: within.b_to_a,
            a_to_b: within.a_to_b,
        })
    }
}
