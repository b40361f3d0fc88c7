//! Lead-lag and regimes sections of the report: who moves first, how fast the other follows,
//! in which regime the link holds, when it breaks, and how each leg reacts to rates.

use serde::Serialize;

use lockstep_core::{common_dates, Align, Aligned, Date, PriceSeries};
use lockstep_stats::{
    beta_interval, ccf_band, classify, cross_correlation, diffs, divergences, forbes_rigobon,
    granger_scan, reaction_summary, regime_stats, rolling_best_lag, variance_increase, GrangerScan,
    ReactionSummary, Regime, RegimeRule, RegimeStats, RollingMoments,
};

/// Parameters of the lead-lag and regimes sections.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkageOptions {
    /// Largest lag, in periods, of the cross-correlation, Granger tests and rolling best lag
    /// (default 10).
    pub max_lag: usize,
    /// Window of the rolling best lag, in returns (default 90).
    pub lag_window: usize,
    /// The risk-on / risk-off rule (default: price above its 200-period average and 20-period
    /// realized volatility below its median of the last 252 values).
    pub regime_rule: RegimeRule,
    /// Which leg's price classifies the regime.
    pub regime_leg: RegimeLeg,
    /// Window of the rolling regression behind divergence events (default 90).
    pub divergence_window: usize,
    /// A divergence is an absolute z-score above this (default 3).
    pub divergence_k: f64,
    /// Window of the rolling rate beta (default 90).
    pub rate_window: usize,
}

impl Default for LinkageOptions {
    fn default() -> Self {
        LinkageOptions {
            max_lag: 10,
            lag_window: 90,
            regime_rule: RegimeRule::default(),
            regime_leg: RegimeLeg::Auto,
            divergence_window: 90,
            divergence_k: 3.0,
            rate_window: 90,
        }
    }
}

/// The leg whose price decides risk-on / risk-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum RegimeLeg {
    /// The exchange-day (equity) leg when exactly one leg trades on weekdays only, else B.
    #[cfg_attr(
        feature = "clap",
        value(help = "The exchange-day leg of a crypto/equity pair, else B")
    )]
    Auto,
    /// Leg A.
    A,
    /// Leg B.
    B,
}

/// The unit of a lag: one aligned period.
fn period_unit(align: Align) -> &'static str {
    match align {
        Align::Inner => "days",
        Align::Weekly => "weeks",
        Align::Monthly => "months",
    }
}

/// A correlation at a lag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LagPoint {
    /// Lag k: the correlation of `(ret_a[t], ret_b[t-k])`; k > 0 means B leads A.
    pub lag: i64,
    /// Correlation (None when undefined).
    pub corr: Option<f64>,
    /// Pairs used.
    pub n: usize,
}

/// One Granger F-test.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrangerRow {
    /// Lag order p.
    pub lag: usize,
    /// F statistic.
    pub f: f64,
    /// p-value.
    pub p: f64,
    /// Numerator degrees of freedom (p).
    pub df_num: usize,
    /// Denominator degrees of freedom (n − p − 2p − 1).
    pub df_den: usize,
}

/// Granger tests of one direction with the lag orders AIC and BIC choose.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrangerDirection {
    /// Tests for lags 1..=L.
    pub tests: Vec<GrangerRow>,
    /// Lag order with the lowest AIC.
    pub aic_lag: usize,
    /// Lag order with the lowest BIC.
    pub bic_lag: usize,
}

impl GrangerDirection {
    pub(crate) fn of(s: GrangerScan) -> GrangerDirection {
        GrangerDirection {
            tests: s
                .tests
                .iter()
                .map(|t| GrangerRow {
                    lag: t.lag,
                    f: t.f,
                    p: t.p,
                    df_num: t.df_num,
                    df_den: t.df_den,
                })
                .collect(),
            aic_lag: s.aic_lag,
            bic_lag: s.bic_lag,
        }
    }

    /// The test at the BIC-chosen lag.
    pub fn at_bic(&self) -> Option<&GrangerRow> {
        self.tests.iter().find(|t| t.lag == self.bic_lag)
    }
}

/// Granger causality in both directions.
#[derive(Clone, Debug, Serialize)]
pub struct Granger {
    /// "B Granger-causes A": lags of B improve the prediction of A.
    pub b_causes_a: Vec<GrangerRow>,
    /// "A Granger-causes B".
    pub a_causes_b: Vec<GrangerRow>,
    /// Lag selection and tests, B → A.
    pub b_to_a: GrangerDirection,
    /// Lag selection and tests, A → B.
    pub a_to_b: GrangerDirection,
}

/// A dated best lag of a rolling window.
#[derive(Clone, Debug, Serialize)]
pub struct DatedLag {
    /// Last date of the window.
    pub date: Date,
    /// Lag with the largest correlation.
    pub lag: i64,
    /// Its correlation.
    pub corr: f64,
}

/// The reaction time: the distribution of the rolling best lag, with what one lag is.
#[derive(Clone, Debug, Serialize)]
pub struct Reaction {
    /// What one lag is: `day`, `week` or `month` on daily closes (by the alignment), the bar
    /// interval (`1h`, `30m`, `15m`, `5m`, `1m`) within sessions.
    pub unit: &'static str,
    /// Windows with a best lag, its median and quartiles, the shares at 0, B leading and A
    /// leading, the histogram.
    #[serde(flatten)]
    pub summary: ReactionSummary,
}

/// Who leads, and by how much.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LeadLag {
    /// Returns used.
    pub n: usize,
    /// Largest lag tested.
    pub max_lag: usize,
    /// Rolling window of the best lag.
    pub window: usize,
    /// What one lag is: `days` (aligned trading dates), `weeks` or `months`.
    pub unit: &'static str,
    /// Cross-correlation at lags −L..=L (pandas `a.corr(b.shift(k))`).
    pub ccf: Vec<LagPoint>,
    /// The ± band `z/√n` outside which a correlation is significant at the report's
    /// confidence.
    pub band: f64,
    /// Granger tests (None when they cannot be computed, see `notes`).
    pub granger: Option<Granger>,
    /// The lag with the largest full-sample cross-correlation.
    pub best_lag: Option<LagPoint>,
    /// Best lag of each rolling window.
    pub rolling_best_lag: Vec<DatedLag>,
    /// Distribution of the rolling best lag: the reaction time, in lags of its `unit`.
    pub reaction: Option<Reaction>,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

/// Correlation and beta within one regime, with the Forbes–Rigobon adjustment of the more
/// volatile regime and, with controls, the partial correlation.
#[derive(Clone, Debug, Serialize)]
pub struct RegimeRow {
    /// Correlation, its Fisher interval, beta and the number of returns.
    #[serde(flatten)]
    pub stats: RegimeStats,
    /// The relative increase in the variance of the classified leg's returns in this regime
    /// over the other regime, `δ = σ²_this / σ²_other − 1` (`None` when either is undefined).
    pub delta: Option<f64>,
    /// The Forbes–Rigobon heteroskedasticity-adjusted correlation `ρ* = ρ/√(1 + δ(1 − ρ²))` of
    /// the more volatile regime (δ > 0): its correlation with the rise that the volatility
    /// alone causes removed, to compare with the calmer regime's (which is the reference:
    /// `None` there).
    pub adjusted: Option<f64>,
    /// The partial correlation given the controls within the regime (`None` without controls
    /// or where undefined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<f64>,
}

/// A day on which A's return departed from what B and the rolling beta predicted.
#[derive(Clone, Debug, Serialize)]
pub struct DivergenceEvent {
    /// Date of the return.
    pub date: Date,
    /// Return of A.
    pub ret_a: f64,
    /// Return of B.
    pub ret_b: f64,
    /// `α + β·ret_b` from the regression over the previous window.
    pub predicted: f64,
    /// `(ret_a − predicted) / σ`.
    pub z: f64,
}

/// A rolling beta to rate changes, latest value.
#[derive(Clone, Debug, Serialize)]
pub struct RateBeta {
    /// The leg.
    pub leg: String,
    /// Date of the latest value.
    pub date: Date,
    /// Beta: the leg's log return per 1 percentage point change of the rate.
    pub beta: f64,
    /// Lower end of its confidence interval.
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
    /// Correlation in the same window.
    pub corr: Option<f64>,
    /// One value per aligned date of leg and rate (None where undefined).
    pub series: Vec<(Date, Option<f64>)>,
}

/// Rate sensitivity of both legs.
#[derive(Clone, Debug, Serialize)]
pub struct RateSensitivity {
    /// The rate series.
    pub rate: String,
    /// Window, in changes.
    pub window: usize,
    /// Leg A (None when the window never filled).
    pub a: Option<RateBeta>,
    /// Leg B.
    pub b: Option<RateBeta>,
}

/// Regimes and breaks.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Regimes {
    /// The rule.
    pub rule: RegimeRule,
    /// The leg classified.
    pub leg: String,
    /// Regime per aligned date (None during warm-up).
    pub regime: Vec<Option<Regime>>,
    /// Latest regime and the date it began.
    pub current: Option<(Regime, Date)>,
    /// Correlation, interval and beta within each regime.
    pub stats: Vec<RegimeRow>,
    /// Divergence window.
    pub divergence_window: usize,
    /// Divergence threshold (|z|).
    pub divergence_k: f64,
    /// Divergence events, oldest first.
    pub divergences: Vec<DivergenceEvent>,
    /// Rate sensitivity (None without a rate series).
    pub rate: Option<RateSensitivity>,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

/// Lead-lag of the aligned returns: cross-correlation at −L..=L with its band, Granger tests in
/// both directions (statsmodels `ssr_ftest`), the rolling best lag and its distribution.
pub fn lead_lag(al: &Aligned, opts: &LinkageOptions, confidence: f64) -> LeadLag {
    let mut notes = Vec::new();
    let n = al.ret_a.len();
    let unit = period_unit(al_align(al));
    // The full-sample scans and the rolling best lag are independent: side by side (the
    // notes in the order of the computations one after the other).
    let ((ccf, best_lag, granger), rolling) = rayon::join(
        || ccf_and_granger(al, opts, &mut notes),
        || rolling_best_lag(&al.ret_a, &al.ret_b, opts.lag_window, opts.max_lag),
    );
    let band = ccf_band(n.max(1), confidence).unwrap_or(f64::NAN);
    let rolling = match rolling {
        Ok(v) => v,
        Err(e) => {
            notes.push(format!("rolling best lag: {e}"));
            Vec::new()
        }
    };
    let reaction = reaction_summary(&rolling).map(|summary| Reaction {
        unit: unit.trim_end_matches('s'),
        summary,
    });
    // Return i is the move into aligned date i + 1.
    let rolling_best_lag = rolling
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            b.map(|b| DatedLag {
                date: al.dates[i + 1],
                lag: b.lag,
                corr: b.corr,
            })
        })
        .collect();
    LeadLag {
        n,
        max_lag: opts.max_lag,
        window: opts.lag_window,
        unit,
        ccf,
        band,
        granger,
        best_lag,
        rolling_best_lag,
        reaction,
        notes,
    }
}

/// The full-sample cross-correlation by lag, its best lag (the largest correlation; ties: the
/// smaller |lag|) and the Granger tests both ways: the part of [`lead_lag`] that the clock
/// comparison reads on its second clock. Failures are pushed to `notes`.
pub(crate) fn ccf_and_granger(
    al: &Aligned,
    opts: &LinkageOptions,
    notes: &mut Vec<String>,
) -> (Vec<LagPoint>, Option<LagPoint>, Option<Granger>) {
    let ccf: Vec<LagPoint> = match cross_correlation(&al.ret_a, &al.ret_b, opts.max_lag) {
        Ok(v) => v
            .into_iter()
            .map(|c| LagPoint {
                lag: c.lag,
                corr: c.corr,
                n: c.n,
            })
            .collect(),
        Err(e) => {
            notes.push(format!("cross-correlation: {e}"));
            Vec::new()
        }
    };
    let best_lag = ccf
        .iter()
        .filter(|c| c.corr.is_some())
        .max_by(|x, y| {
            x.corr
                .partial_cmp(&y.corr)
                .unwrap_or(std::cmp::Ordering::Equal)
                // Ties: the smaller |lag|.
                .then(y.lag.abs().cmp(&x.lag.abs()))
        })
        .cloned();
    // The two directions are independent scans (the costliest part of the lead-lag): one per
    // core.
    let granger = match rayon::join(
        || granger_scan(&al.ret_a, &al.ret_b, opts.max_lag),
        || granger_scan(&al.ret_b, &al.ret_a, opts.max_lag),
    ) {
        (Ok(ba), Ok(ab)) => {
            let b_to_a = GrangerDirection::of(ba);
            let a_to_b = GrangerDirection::of(ab);
            Some(Granger {
                b_causes_a: b_to_a.tests.clone(),
                a_causes_b: a_to_b.tests.clone(),
                b_to_a,
                a_to_b,
            })
        }
        (Err(e), _) | (_, Err(e)) => {
            notes.push(format!("Granger tests: {e}"));
            None
        }
    };
    (ccf, best_lag, granger)
}

/// The alignment of an [`Aligned`], read off its periods per year.
fn al_align(al: &Aligned) -> Align {
    if al.periods_per_year == 52.0 {
        Align::Weekly
    } else if al.periods_per_year == 12.0 {
        Align::Monthly
    } else {
        Align::Inner
    }
}

/// The regime of each aligned date (see [`regimes`]): whether leg A is the classified one,
/// and the classification of its aligned prices (or why there is none).
pub(crate) type RegimeLabels = (
    bool,
    Result<Vec<Option<Regime>>, lockstep_stats::StatsError>,
);

/// [`RegimeLabels`] of the pair: the leg `opts.regime_leg` names (`auto`: the exchange-day leg
/// of an every-day / exchange-day pair, else B), classified on the aligned dates.
pub(crate) fn regime_labels(
    al: &Aligned,
    a: &PriceSeries,
    b: &PriceSeries,
    opts: &LinkageOptions,
) -> RegimeLabels {
    let use_a = match opts.regime_leg {
        RegimeLeg::A => true,
        RegimeLeg::B => false,
        RegimeLeg::Auto => {
            use lockstep_core::Calendar::{EveryDay, Weekdays};
            matches!((a.calendar(), b.calendar()), (Weekdays, EveryDay))
        }
    };
    let prices = if use_a { &al.a } else { &al.b };
    (use_a, classify(prices, opts.regime_rule))
}

/// Regimes of the pair: the risk-on / risk-off classification of one leg's price, correlation
/// and beta within each regime (each return labelled with the regime known at the close before
/// it), divergence events, and the rate sensitivity of both legs.
pub fn regimes(
    al: &Aligned,
    a: &PriceSeries,
    b: &PriceSeries,
    opts: &LinkageOptions,
    backdrop: &crate::Backdrop,
    confidence: f64,
) -> Regimes {
    regimes_of(
        al,
        a,
        b,
        opts,
        backdrop,
        confidence,
        regime_labels(al, a, b, opts),
    )
}

/// [`regimes`] with the labels already computed.
pub(crate) fn regimes_of(
    al: &Aligned,
    a: &PriceSeries,
    b: &PriceSeries,
    opts: &LinkageOptions,
    backdrop: &crate::Backdrop,
    confidence: f64,
    (use_a, labels): RegimeLabels,
) -> Regimes {
    let mut notes = backdrop.notes.clone();
    let (leg, prices) = if use_a {
        (a.name.clone(), &al.a)
    } else {
        (b.name.clone(), &al.b)
    };
    let regime = labels.unwrap_or_else(|e| {
        notes.push(format!("regime classification: {e}"));
        vec![None; prices.len()]
    });
    let n = al.dates.len();
    let current = regime.last().copied().flatten().map(|r| {
        let start = regime
            .iter()
            .rposition(|x| *x != Some(r))
            .map_or(0, |i| i + 1);
        (r, al.dates[start])
    });
    let leg_returns = if use_a { &al.ret_a } else { &al.ret_b };
    // The statistics by regime and the divergence scan are independent: side by side (the
    // notes in the order of the computations one after the other).
    let (stats, divs) = rayon::join(
        || {
            (n >= 2).then(|| {
                regime_stats(&al.ret_a, &al.ret_b, &regime[..n - 1], confidence)
                    .map(|stats| adjusted_rows(stats, leg_returns, &regime))
            })
        },
        || {
            divergences(
                &al.ret_a,
                &al.ret_b,
                opts.divergence_window,
                opts.divergence_k,
            )
        },
    );
    let stats = match stats {
        Some(Ok(rows)) => rows,
        Some(Err(e)) => {
            notes.push(format!("regime statistics: {e}"));
            Vec::new()
        }
        None => Vec::new(),
    };
    let divs = divs.unwrap_or_else(|e| {
        notes.push(format!("divergences: {e}"));
        Vec::new()
    });
    let divergences = divs
        .into_iter()
        .map(|d| DivergenceEvent {
            date: al.dates[d.index + 1],
            ret_a: d.ret_a,
            ret_b: d.ret_b,
            predicted: d.predicted,
            z: d.z,
        })
        .collect();
    let rate = backdrop.rate.as_ref().map(|rate| RateSensitivity {
        rate: rate.name.clone(),
        window: opts.rate_window,
        a: rate_beta(a, rate, opts.rate_window, confidence, &mut notes),
        b: rate_beta(b, rate, opts.rate_window, confidence, &mut notes),
    });
    Regimes {
        rule: opts.regime_rule,
        leg,
        regime,
        current,
        stats,
        divergence_window: opts.divergence_window,
        divergence_k: opts.divergence_k,
        divergences,
        rate,
        notes,
    }
}

/// The regime rows with the Forbes–Rigobon adjustment: δ of each regime from the sample
/// variances (ddof 1) of the classified leg's returns labelled with it and with the other
/// regime (`regime[t]` labels return `t`), ρ* for the regime with δ > 0.
fn adjusted_rows(
    stats: Vec<RegimeStats>,
    leg_returns: &[f64],
    regime: &[Option<Regime>],
) -> Vec<RegimeRow> {
    let variance = |g: Regime| -> Option<f64> {
        let v: Vec<f64> = leg_returns
            .iter()
            .enumerate()
            .filter(|(t, r)| regime.get(*t).copied().flatten() == Some(g) && r.is_finite())
            .map(|(_, r)| *r)
            .collect();
        if v.len() < 2 {
            return None;
        }
        let m = v.iter().sum::<f64>() / v.len() as f64;
        Some(v.iter().map(|e| (e - m) * (e - m)).sum::<f64>() / (v.len() - 1) as f64)
    };
    let other = |g: Regime| match g {
        Regime::RiskOn => Regime::RiskOff,
        Regime::RiskOff => Regime::RiskOn,
    };
    stats
        .into_iter()
        .map(|s| {
            let delta = match (variance(s.regime), variance(other(s.regime))) {
                (Some(this), Some(that)) => variance_increase(this, that),
                _ => None,
            };
            let adjusted = match (s.corr, delta) {
                (Some(r), Some(d)) if d > 0.0 => forbes_rigobon(r, d).ok(),
                _ => None,
            };
            RegimeRow {
                stats: s,
                delta,
                adjusted,
                partial: None,
            }
        })
        .collect()
}

/// Rolling beta of a leg's log returns on the rate's changes (percentage points), both taken
/// between consecutive dates the leg and the rate have in common; interval from
/// [`beta_interval`] with n = window.
fn rate_beta(
    leg: &PriceSeries,
    rate: &PriceSeries,
    window: usize,
    confidence: f64,
    notes: &mut Vec<String>,
) -> Option<RateBeta> {
    // Inner join on levels; the rate's own "returns" are not used (rates can be ≤ 0).
    let (dates, p, r) = common_dates(leg, rate);
    if let Some(i) = p.iter().position(|v| !(*v > 0.0)) {
        let e = lockstep_core::CoreError::NonPositive {
            name: leg.name.clone(),
            date: dates[i],
            value: p[i],
        };
        notes.push(format!("rate sensitivity of {}: {e}", leg.name));
        return None;
    }
    if dates.len() < window + 1 {
        notes.push(format!(
            "rate sensitivity of {}: {} common dates with {}, fewer than the window {window} + 1",
            leg.name,
            dates.len(),
            rate.name
        ));
        return None;
    }
    let ret: Vec<f64> = p.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
    let dr = diffs(&r);
    let mut m = match RollingMoments::new(window) {
        Ok(m) => m,
        Err(e) => {
            notes.push(format!("rate sensitivity: {e}"));
            return None;
        }
    };
    let mut series = Vec::with_capacity(ret.len());
    let mut last = None;
    for i in 0..ret.len() {
        let v = m.next(ret[i], dr[i]);
        let beta = v.as_ref().and_then(|m| m.beta());
        if let (Some(mm), Some(bv)) = (&v, beta) {
            last = Some((dates[i + 1], bv, mm.corr()));
        }
        series.push((dates[i + 1], beta));
    }
    let (date, beta, corr) = last?;
    let (lo, hi) = corr
        .and_then(|r| {
            beta_interval(beta, r, window as f64, confidence)
                .ok()
                .flatten()
        })
        .map_or((None, None), |(l, h)| (Some(l), Some(h)));
    Some(RateBeta {
        leg: leg.name.clone(),
        date,
        beta,
        lo,
        hi,
        corr,
        series,
    })
}
