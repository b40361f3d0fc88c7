//! The `analyze` pipeline: [`analyze`] and [`analyze_with`] align two series and build the one
//! [`Report`] (rolling statistics per window and their summaries, performance, lead-lag,
//! regimes, momentum and structure, liquidity); its options, backdrop and error type.

use chrono::Datelike;
use serde::Serialize;

use crate::control::{self, ControlReturns, ControlSection, Controls};
use crate::inference::{self, BootstrapOptions, Inference};
use crate::linkage::{self, LeadLag, LinkageOptions, Regimes};
use crate::macro_view::LiquiditySection;
use crate::rolling::{RollingPoint, RollingRows};
use crate::structure::{pair_structure, PairStructure, StructureOptions};
use crate::values::Values;
use lockstep_core::{
    align_with, returns, Align, Calendar, CoreError, Date, PriceField, PriceSeries, ReturnKind,
};
use lockstep_macro::{liquidity_correlation, NetLiquidity};
use lockstep_stats::{
    fisher_interval, max_with_index, min_with_index, percentile_rank, rolling_pair, share_above,
    strength_label, Method, StatsError,
};

/// Errors of the analysis pipeline.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The series could not be aligned (too few common dates, non-positive prices).
    #[error("cannot align the two series")]
    Align(#[source] CoreError),
    /// A statistic's parameter is invalid (window, lambda, confidence).
    #[error("invalid parameter")]
    Stats(#[source] StatsError),
    /// No window was asked for.
    #[error("no rolling window given: pass at least one, e.g. --window 30,60,90")]
    NoWindow,
    /// Rendering JSON failed.
    #[error("cannot render JSON")]
    Json(#[source] serde_json::Error),
    /// A market-structure computation rejected its input or parameters.
    #[error("market structure")]
    Structure(#[source] lockstep_structure::StructureError),
    /// The series has no observation.
    #[error("the series is empty")]
    Empty,
    /// A rule file, the measurement table or the backtest was rejected.
    #[error("signals")]
    Signals(#[source] lockstep_signals::SignalsError),
    /// The screen's input is unusable.
    #[error("{0}")]
    Screen(String),
    /// A control the partial correlation cannot use (equal to a leg, constant, repeated).
    #[error("{0}")]
    Control(String),
}

/// Parameters of one analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalyzeOptions {
    /// Rolling windows, in returns (default 30, 60, 90).
    pub windows: Vec<usize>,
    /// Calendar alignment (default inner).
    pub align: Align,
    /// Return kind (default log).
    pub returns: ReturnKind,
    /// Correlation method (default Pearson).
    pub method: Method,
    /// Confidence level of the correlation interval (default 0.95).
    pub confidence: f64,
    /// The "strong" correlation threshold whose share of history is reported (default 0.5).
    pub strong: f64,
    /// Lead-lag and regimes parameters.
    pub linkage: LinkageOptions,
    /// Momentum and structure parameters.
    pub structure: StructureOptions,
    /// The bootstrap of the inference section (999 resamples, the default seed; 0 resamples
    /// leaves the section out).
    pub bootstrap: BootstrapOptions,
    /// Keep a last bar that looks partial in the volume statistics (`--include-partial`); by
    /// default the session leaves its volume out (see [`crate::freshness`]).
    pub include_partial: bool,
    /// The sections computed (default all): a command asks only for those it prints.
    pub sections: Sections,
}

/// Which sections of the [`Report`] an analysis computes: each command asks for the ones it
/// prints (`lockstep corr` the rolling windows, `overlay` none, `leadlag` the lead-lag, ...);
/// the whole report (`analyze`, JSON of `corr`, the dashboard) asks for all.
///
/// Always computed, whatever the set: the legs, the parameters, the aligned period, the
/// performance, the aligned series (`series` but its `rolling`), the liquidity section (the
/// backdrop's series, if given) and the inference (when `bootstrap.replications > 0`). A
/// section left out is its type's empty value (`Default`: no windows, no lag, no regime, no
/// level...), which no view of a command that left it out reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    /// The rolling statistics of each window (`series.rolling`), their summaries
    /// (`windows`) and, with controls, the control section (the rolling partial correlation).
    pub rolling: bool,
    /// Who leads (`lead_lag`): the cross-correlation, the Granger tests, the rolling best lag.
    pub lead_lag: bool,
    /// Regimes, divergences and rate sensitivity (`regimes`).
    pub regimes: bool,
    /// Momentum and structure of each leg (`structure`): indicators, levels, breakouts, cups,
    /// the alignment events and the ratio.
    pub structure: bool,
    /// The comparison of the UTC and exchange clocks (`clocks`, made by the session layer when
    /// intraday bars of the every-day leg are at hand; `--clock exchange` and `--interval`
    /// need the bars whatever this says).
    pub clocks: bool,
}

impl Sections {
    /// Every section: the whole report.
    pub const ALL: Sections = Sections {
        rolling: true,
        lead_lag: true,
        regimes: true,
        structure: true,
        clocks: true,
    };
    /// None of the optional sections: the aligned series and the performance only.
    pub const NONE: Sections = Sections {
        rolling: false,
        lead_lag: false,
        regimes: false,
        structure: false,
        clocks: false,
    };
}

impl Default for Sections {
    fn default() -> Self {
        Sections::ALL
    }
}

/// The loaded series an analysis reads besides its two legs: the macro backdrop. Kept apart
/// from [`AnalyzeOptions`], which are plain parameters: a front end builds options from its
/// arguments, and the session layer loads the backdrop they name.
#[derive(Clone, Debug, PartialEq)]
pub struct Backdrop {
    /// The rate series of rate sensitivity (levels in percent, e.g. fred:DGS2); `None` = no
    /// rate section.
    pub rate: Option<PriceSeries>,
    /// Net liquidity for the liquidity section, or why there is none.
    pub liquidity: Result<NetLiquidity, String>,
    /// Notes for the regimes section (e.g. why there is no rate series).
    pub notes: Vec<String>,
    /// The series to control for (the partial correlation of the pair given them).
    pub controls: Controls,
    /// The legs' last bars that look partial (found where the legs were loaded).
    pub partial: Vec<crate::freshness::PartialBar>,
}

impl Default for Backdrop {
    fn default() -> Self {
        Backdrop {
            rate: None,
            liquidity: Err("no net-liquidity series given".into()),
            notes: Vec::new(),
            controls: Controls::default(),
            partial: Vec::new(),
        }
    }
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            windows: vec![30, 60, 90],
            align: Align::Inner,
            returns: ReturnKind::Log,
            method: Method::Pearson,
            confidence: 0.95,
            strong: 0.5,
            linkage: LinkageOptions::default(),
            structure: StructureOptions::default(),
            bootstrap: BootstrapOptions::default(),
            include_partial: false,
            sections: Sections::ALL,
        }
    }
}

/// One input series as the report describes it.
#[derive(Clone, Debug, Serialize)]
pub struct Leg {
    /// Name (ticker or file stem).
    pub name: String,
    /// File path or provider.
    pub source: String,
    /// Detected source format.
    pub format: String,
    /// Which column the price came from.
    pub price_field: PriceField,
    /// The series' own calendar.
    pub calendar: Calendar,
    /// First date of the series.
    pub first: Date,
    /// Last date of the series.
    pub last: Date,
    /// Observations in the series.
    pub observations: usize,
}

impl Leg {
    fn of(s: &PriceSeries) -> Leg {
        Leg {
            name: s.name.clone(),
            source: s.source.clone(),
            format: s.format.clone(),
            price_field: s.price_field,
            calendar: s.calendar(),
            first: s.dates[0],
            last: s.dates[s.dates.len() - 1],
            observations: s.len(),
        }
    }
}

/// The parameters the report was computed with.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    /// Alignment.
    pub align: Align,
    /// Return kind.
    pub returns: ReturnKind,
    /// Correlation method (with λ for EWMA).
    pub method: Method,
    /// Windows, in returns.
    pub windows: Vec<usize>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Threshold of a "strong" correlation.
    pub strong: f64,
    /// Return periods per year used to annualize volatility (365, 252, 52 or 12).
    pub periods_per_year: f64,
}

/// The aligned period.
#[derive(Clone, Debug, Serialize)]
pub struct Period {
    /// First aligned date.
    pub first: Date,
    /// Last aligned date.
    pub last: Date,
    /// Aligned dates.
    pub dates: usize,
    /// Returns (aligned dates − 1).
    pub returns: usize,
}

/// Performance of one leg over the aligned dates.
#[derive(Clone, Debug, Serialize)]
pub struct LegPerformance {
    /// Price on the first aligned date.
    pub start: f64,
    /// Price on the last aligned date.
    pub end: f64,
    /// `end / start - 1`.
    pub total_return: f64,
    /// Year to date: `end / base - 1`, base = the last aligned price of the previous calendar
    /// year (or the first aligned price when the data starts in the current year).
    pub ytd_return: f64,
    /// The date of the year-to-date base price.
    pub ytd_base_date: Date,
}

/// Performance of both legs.
#[derive(Clone, Debug, Serialize)]
pub struct Performance {
    /// Leg A.
    pub a: LegPerformance,
    /// Leg B.
    pub b: LegPerformance,
}

/// The latest defined values of a window.
#[derive(Clone, Debug, Serialize)]
pub struct WindowLatest {
    /// Date of the latest defined correlation.
    pub date: Date,
    /// Correlation.
    pub corr: f64,
    /// Lower end of the confidence interval.
    pub corr_lo: Option<f64>,
    /// Upper end of the confidence interval.
    pub corr_hi: Option<f64>,
    /// Beta of A on B.
    pub beta: Option<f64>,
    /// Annualized volatility of A.
    pub vol_a: Option<f64>,
    /// Annualized volatility of B.
    pub vol_b: Option<f64>,
}

/// A dated extreme of a statistic.
#[derive(Clone, Debug, Serialize)]
pub struct Extreme {
    /// Date.
    pub date: Date,
    /// Value.
    pub value: f64,
}

/// Summary of one window's correlation history.
#[derive(Clone, Debug, Serialize)]
pub struct WindowSummary {
    /// Window, in returns.
    pub window: usize,
    /// Latest values (None when the window never filled).
    pub latest: Option<WindowLatest>,
    /// Plain-words strength of the latest correlation.
    pub strength: Option<&'static str>,
    /// Percentile rank (0..100) of the latest correlation in this window's own history.
    pub percentile: Option<f64>,
    /// Share (0..1) of the history with correlation above the strong threshold.
    pub share_strong: Option<f64>,
    /// Lowest correlation and its date.
    pub min: Option<Extreme>,
    /// Highest correlation and its date.
    pub max: Option<Extreme>,
    /// Number of dates with a defined correlation.
    pub defined: usize,
}

/// The rolling statistics of one window, one value per aligned date (None where undefined, stored compactly:
/// see [`Values`]).
#[derive(Clone, Debug, Serialize)]
pub struct RollingWindow {
    /// Window, in returns.
    pub window: usize,
    /// Correlation of A and B.
    pub corr: Values,
    /// Lower end of its confidence interval.
    pub corr_lo: Values,
    /// Upper end of its confidence interval.
    pub corr_hi: Values,
    /// Beta of A on B.
    pub beta: Values,
    /// Annualized volatility of A.
    pub vol_a: Values,
    /// Annualized volatility of B.
    pub vol_b: Values,
    /// The partial correlation of A and B given the controls (empty without controls).
    #[serde(skip_serializing_if = "Values::is_empty")]
    pub pcorr: Values,
    /// Lower end of its Fisher interval (`n − 3 − k` degrees of freedom).
    #[serde(skip_serializing_if = "Values::is_empty")]
    pub pcorr_lo: Values,
    /// Upper end.
    #[serde(skip_serializing_if = "Values::is_empty")]
    pub pcorr_hi: Values,
}

/// The aligned time series behind the report (one entry per aligned date).
#[derive(Clone, Debug, Serialize)]
pub struct SeriesTable {
    /// Aligned dates.
    pub dates: Vec<Date>,
    /// Price of A.
    pub price_a: Vec<f64>,
    /// Price of B.
    pub price_b: Vec<f64>,
    /// A rebased to 100 on the first aligned date.
    pub norm_a: Vec<f64>,
    /// B rebased to 100 on the first aligned date.
    pub norm_b: Vec<f64>,
    /// Return of A into this date (None on the first date).
    pub ret_a: Values,
    /// Return of B into this date.
    pub ret_b: Values,
    /// Rolling statistics per window, in the order asked for.
    pub rolling: Vec<RollingWindow>,
}

/// The report of one pair: what every front end renders.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Leg A.
    pub a: Leg,
    /// Leg B.
    pub b: Leg,
    /// Parameters.
    pub params: Params,
    /// The aligned period.
    pub period: Period,
    /// Performance of both legs.
    pub performance: Performance,
    /// Per-window summaries, in the order asked for.
    pub windows: Vec<WindowSummary>,
    /// Who leads, and by how much.
    pub lead_lag: LeadLag,
    /// Regimes, breaks and rate sensitivity.
    pub regimes: Regimes,
    /// Momentum and structure of each leg, alignment events and the ratio A/B.
    pub structure: PairStructure,
    /// Weekly returns of both legs against the change in net liquidity.
    pub liquidity: LiquiditySection,
    /// The time series.
    pub series: SeriesTable,
    /// The pair on the UTC and the exchange clock (when intraday bars of the every-day leg
    /// were available).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clocks: Option<crate::ClockComparison>,
    /// The reaction time in bars within sessions (with `--interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intraday: Option<crate::IntradaySection>,
    /// The partial correlation given the controls (with controls, or when the pair's default
    /// control could not be loaded: then only why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<ControlSection>,
    /// Bootstrap intervals and tests of change (unless the bootstrap is off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inference: Option<Inference>,
    /// The legs' last bars that look partial (see [`crate::freshness::partial_last_bar`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<crate::freshness::PartialBar>,
}

fn performance(dates: &[Date], p: &[f64]) -> LegPerformance {
    let (start, end) = (p[0], p[p.len() - 1]);
    let year = dates[dates.len() - 1].year();
    let base = dates.iter().rposition(|d| d.year() < year).unwrap_or(0);
    LegPerformance {
        start,
        end,
        total_return: end / start - 1.0,
        ytd_return: end / p[base] - 1.0,
        ytd_base_date: dates[base],
    }
}

/// Run the analysis of A against B.
///
/// Steps: align the two series ([`lockstep_core::align`]) and take returns; for each window run
/// the rolling pair statistic of the chosen method over the returns (the value on a date uses
/// the `window` returns ending on that date); add the Fisher-z interval of each correlation
/// ([`lockstep_stats::fisher_interval`] with the method's effective sample size) and annualize
/// volatility with `√periods_per_year`; summarize each window's history (latest value,
/// percentile rank, share above the strong threshold, min and max with dates).
pub fn analyze(
    a: &PriceSeries,
    b: &PriceSeries,
    opts: &AnalyzeOptions,
) -> Result<Report, ReportError> {
    analyze_with(a, b, opts, &Backdrop::default())
}

/// [`analyze`] with the macro backdrop: the rate series of rate sensitivity and net
/// liquidity (each section says why when its series is absent).
pub fn analyze_with(
    a: &PriceSeries,
    b: &PriceSeries,
    opts: &AnalyzeOptions,
    backdrop: &Backdrop,
) -> Result<Report, ReportError> {
    if opts.windows.is_empty() {
        return Err(ReportError::NoWindow);
    }
    // Validate parameters before the work.
    fisher_interval(0.0, 10.0, opts.confidence).map_err(ReportError::Stats)?;
    let refs: Vec<&PriceSeries> = backdrop.controls.series.iter().collect();
    let (al, control_prices) =
        align_with(a, b, &refs, opts.align, opts.returns).map_err(ReportError::Align)?;
    let controls = ControlReturns {
        names: refs.iter().map(|c| c.name.clone()).collect(),
        returns: control_prices
            .iter()
            .map(|p| returns(p, opts.returns))
            .collect(),
    };
    let full_partial = if refs.is_empty() {
        None
    } else {
        control::full_partial(&al, (&a.name, &b.name), &controls)?
    };
    // The windows too when their series are not computed here: a report without them may
    // have them computed as they are read (see `RollingRows::of`).
    if !opts.sections.rolling {
        for &w in &opts.windows {
            rolling_pair(opts.method, w).map_err(ReportError::Stats)?;
        }
    }
    let n = al.len();
    let want = opts.sections;
    // The sections are independent computations on the same inputs: run them on every
    // core (the values do not depend on the order). A section not asked for is its empty
    // value.
    let windows = || {
        if want.rolling {
            rolling_windows(&al, opts, &controls)
        } else {
            Ok((Vec::new(), Vec::new()))
        }
    };
    let norm = |p: &[f64]| p.iter().map(|v| 100.0 * v / p[0]).collect::<Vec<_>>();
    let lagged = |r: &[f64]| {
        std::iter::once(None)
            .chain(r.iter().map(|v| Some(*v)))
            .collect()
    };
    let infer = opts.bootstrap.replications > 0 && n >= 2;
    // Two branches: the regime of each date, then what reads it (the regimes section and the
    // inference, the costliest section, which tests risk-on against risk-off); beside them
    // the rolling windows, the lead-lag and the structure, which do not read it.
    let labelled = || {
        let labels =
            (want.regimes || infer).then(|| linkage::regime_labels(&al, a, b, &opts.linkage));
        let return_labels: Vec<Option<lockstep_stats::Regime>> = match labels.as_ref().map(|l| &l.1)
        {
            Some(Ok(l)) => l[..n.saturating_sub(1)].to_vec(),
            _ => vec![None; n.saturating_sub(1)],
        };
        rayon::join(
            || match labels.filter(|_| want.regimes) {
                Some(labels) => {
                    linkage::regimes_of(&al, a, b, &opts.linkage, backdrop, opts.confidence, labels)
                }
                None => Regimes::default(),
            },
            || {
                infer.then(|| {
                    inference::compute(
                        &al,
                        &return_labels,
                        &opts.windows,
                        opts.bootstrap,
                        opts.confidence,
                    )
                })
            },
        )
    };
    let ((regimes, inference), ((rolled, lead_lag), structure)) = rayon::join(labelled, || {
        rayon::join(
            || {
                rayon::join(windows, || {
                    if want.lead_lag {
                        linkage::lead_lag(&al, &opts.linkage, opts.confidence)
                    } else {
                        LeadLag::default()
                    }
                })
            },
            || {
                if want.structure {
                    pair_structure(a, b, &al.dates, &al.a, &al.b, &opts.structure)
                } else {
                    Ok(PairStructure::default())
                }
            },
        )
    });
    let (rolling, summaries) = rolled?;
    let structure = structure?;
    let mut regimes = regimes;
    if want.regimes && !controls.returns.is_empty() {
        regime_partials(&al, &controls, &mut regimes);
    }
    let control = if controls.returns.is_empty() {
        backdrop.controls.note.clone().map(ControlSection::absent)
    } else if !want.rolling {
        None
    } else {
        let windows: Vec<_> = rolling
            .iter()
            .map(|rw| {
                (
                    rw.window,
                    rw.corr.to_options(),
                    (
                        rw.pcorr.to_options(),
                        rw.pcorr_lo.to_options(),
                        rw.pcorr_hi.to_options(),
                    ),
                )
            })
            .collect();
        let windows: Vec<_> = windows
            .iter()
            .map(|(w, c, p)| (*w, c.as_slice(), p))
            .collect();
        Some(control::section(
            &al,
            &controls,
            backdrop.controls.default,
            full_partial,
            &windows,
            opts.confidence,
        )?)
    };
    let liquidity = match &backdrop.liquidity {
        Ok(net) => match liquidity_correlation(a, b, net) {
            Ok(c) => LiquiditySection {
                latest: net.last().copied(),
                correlation: Some(c),
                reason: None,
            },
            Err(e) => LiquiditySection::absent(format!("liquidity correlation: {e}")),
        },
        Err(reason) => LiquiditySection::absent(reason.clone()),
    };
    Ok(Report {
        partial: backdrop.partial.clone(),
        clocks: None,
        intraday: None,
        control,
        inference,
        liquidity,
        lead_lag,
        regimes,
        structure,
        a: Leg::of(a),
        b: Leg::of(b),
        params: Params {
            align: opts.align,
            returns: opts.returns,
            method: opts.method,
            windows: opts.windows.clone(),
            confidence: opts.confidence,
            strong: opts.strong,
            periods_per_year: al.periods_per_year,
        },
        period: Period {
            first: al.dates[0],
            last: al.dates[n - 1],
            dates: n,
            returns: n - 1,
        },
        performance: Performance {
            a: performance(&al.dates, &al.a),
            b: performance(&al.dates, &al.b),
        },
        windows: summaries,
        series: SeriesTable {
            norm_a: norm(&al.a),
            norm_b: norm(&al.b),
            ret_a: lagged(&al.ret_a),
            ret_b: lagged(&al.ret_b),
            dates: al.dates,
            price_a: al.a,
            price_b: al.b,
            rolling,
        },
    })
}

/// The rolling correlation, its interval, beta and volatilities of the aligned pair in each
/// of `opts.windows` (with the partial correlation given `controls` when there are any),
/// and each window's summary.
pub(crate) fn rolling_windows(
    al: &lockstep_core::Aligned,
    opts: &AnalyzeOptions,
    controls: &ControlReturns,
) -> Result<(Vec<RollingWindow>, Vec<WindowSummary>), ReportError> {
    let n = al.len();
    let mut rows = RollingRows::new(
        &al.ret_a,
        &al.ret_b,
        &opts.windows,
        opts.method,
        opts.confidence,
        al.periods_per_year,
    )?;
    let mut rolling = Vec::with_capacity(opts.windows.len());
    for &w in &opts.windows {
        let mut rw = RollingWindow {
            window: w,
            corr: Values::undefined(n),
            corr_lo: Values::undefined(n),
            corr_hi: Values::undefined(n),
            beta: Values::undefined(n),
            vol_a: Values::undefined(n),
            vol_b: Values::undefined(n),
            pcorr: Values::default(),
            pcorr_lo: Values::default(),
            pcorr_hi: Values::default(),
        };
        if !controls.returns.is_empty() {
            let (r, lo, hi) = control::rolling_partial(al, controls, w, opts.confidence)?;
            rw.pcorr = r.into();
            rw.pcorr_lo = lo.into();
            rw.pcorr_hi = hi.into();
        }
        rolling.push(rw);
    }
    // The rows of `RollingRows`, stored.
    let mut points = vec![RollingPoint::default(); rows.windows()];
    let mut i = 0;
    while rows.next_into(&mut points) {
        for (rw, p) in rolling.iter_mut().zip(&points) {
            rw.corr.set(i, p.corr);
            rw.corr_lo.set(i, p.corr_lo);
            rw.corr_hi.set(i, p.corr_hi);
            rw.beta.set(i, p.beta);
            rw.vol_a.set(i, p.vol_a);
            rw.vol_b.set(i, p.vol_b);
        }
        i += 1;
    }
    let summaries = rolling
        .iter()
        .map(|rw| summarize(&al.dates, rw, opts.strong))
        .collect();
    Ok((rolling, summaries))
}

/// The partial correlation given the controls within each regime (the returns labelled with
/// it); undefined where the regime has too few returns or a control is collinear there.
fn regime_partials(al: &lockstep_core::Aligned, c: &ControlReturns, regimes: &mut Regimes) {
    let labels = &regimes.regime;
    for row in regimes.stats.iter_mut() {
        let keep: Vec<usize> = (0..al.ret_a.len())
            .filter(|&t| labels.get(t).copied().flatten() == Some(row.stats.regime))
            .collect();
        let pick = |v: &[f64]| keep.iter().map(|&t| v[t]).collect::<Vec<f64>>();
        let cs = c.picked(&keep);
        let slices: Vec<&[f64]> = cs.iter().map(|v| v.as_slice()).collect();
        row.partial = lockstep_stats::partial_corr(&pick(&al.ret_a), &pick(&al.ret_b), &slices)
            .ok()
            .flatten()
            .map(|p| p.r);
    }
}

fn summarize(dates: &[Date], rw: &RollingWindow, strong: f64) -> WindowSummary {
    let (idx, hist): (Vec<usize>, Vec<f64>) = rw
        .corr
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (i, c)))
        .unzip();
    let latest = idx.last().map(|&i| WindowLatest {
        date: dates[i],
        corr: rw.corr.at(i).unwrap_or(f64::NAN),
        corr_lo: rw.corr_lo.at(i),
        corr_hi: rw.corr_hi.at(i),
        beta: rw.beta.at(i),
        vol_a: rw.vol_a.at(i),
        vol_b: rw.vol_b.at(i),
    });
    let extreme = |found: Option<(usize, f64)>| {
        found.map(|(k, value)| Extreme {
            date: dates[idx[k]],
            value,
        })
    };
    WindowSummary {
        window: rw.window,
        strength: latest.as_ref().map(|l| strength_label(l.corr)),
        percentile: latest.as_ref().and_then(|l| percentile_rank(&hist, l.corr)),
        share_strong: share_above(&hist, strong),
        min: extreme(min_with_index(&hist)),
        max: extreme(max_with_index(&hist)),
        defined: hist.len(),
        latest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn series(name: &str, n: usize, f: impl Fn(usize) -> f64) -> PriceSeries {
        let dates = (0..n)
            .map(|i| d("2023-12-01") + chrono::Days::new(i as u64))
            .collect();
        PriceSeries::new(name, dates, (0..n).map(f).collect()).unwrap()
    }

    #[test]
    fn pipeline_shapes_and_summaries() {
        let a = series("a", 100, |i| {
            100.0 * (1.0 + 0.01 * ((i * 7 % 11) as f64 - 5.0) / 5.0).powi(i as i32 % 3)
        });
        let b = series("b", 100, |i| 50.0 + (i % 9) as f64);
        let opts = AnalyzeOptions {
            windows: vec![10, 20],
            ..Default::default()
        };
        let r = analyze(&a, &b, &opts).unwrap();
        assert_eq!(r.period.dates, 100);
        assert_eq!(r.series.rolling.len(), 2);
        assert_eq!(r.series.ret_a.at(0), None);
        // First correlation needs `window` returns: row index == window.
        assert_eq!(r.series.rolling[0].corr.at(9), None);
        assert!(r.series.rolling[0].corr.at(10).is_some());
        assert_eq!(r.windows[0].defined, 90);
        assert_eq!(r.params.periods_per_year, 365.0);
        assert_eq!(r.series.norm_a[0], 100.0);
        // YTD base: last date of 2023.
        assert_eq!(r.performance.a.ytd_base_date, d("2023-12-31"));
        let l = r.windows[1].latest.as_ref().unwrap();
        assert!(l.corr_lo.unwrap() <= l.corr && l.corr <= l.corr_hi.unwrap());
    }

    #[test]
    fn rejects_bad_parameters() {
        let a = series("a", 10, |i| 1.0 + i as f64);
        let no = AnalyzeOptions {
            windows: vec![],
            ..Default::default()
        };
        assert!(matches!(analyze(&a, &a, &no), Err(ReportError::NoWindow)));
        let bad = AnalyzeOptions {
            windows: vec![1],
            ..Default::default()
        };
        assert!(matches!(analyze(&a, &a, &bad), Err(ReportError::Stats(_))));
    }
}
