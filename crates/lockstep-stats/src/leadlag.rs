//! Lead-lag analysis of two return series A and B: cross-correlation at lags, Granger
//! causality F tests with lag order selection, and the rolling best lag ("reaction time").
//!
//! **Lag convention (everywhere in this module).** The value at lag `k` pairs `a[t]` with
//! `b[t-k]`. So `k > 0` means **B leads A** by `k` periods (today's A goes with B of `k`
//! periods ago), `k < 0` means A leads B, and `k = 0` is the same-period correlation. This is
//! pandas `a.corr(b.shift(k))`.

use serde::{Deserialize, Serialize};
use statrs::function::beta::checked_beta_reg;

use crate::fisher::normal_quantile;
use crate::moments::check_lengths;
use crate::ols::{ols, OlsFit};
use crate::{Result, RollingMoments, StatsError};

/// The correlation of A with B at one lag (see [`cross_correlation`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LagCorr {
    /// The lag `k`: the pairs are `(a[t], b[t-k])`; `k > 0` = B leads A.
    pub lag: i64,
    /// Pearson correlation of the pairs; `None` when undefined (fewer than 2 pairs, or one
    /// side constant over the pairs).
    pub corr: Option<f64>,
    /// Number of pairs used (both values finite).
    pub n: usize,
}

/// Pearson correlation of the pairs `(x, y)` with both values finite (two-pass, centered):
/// `(r, n)`, `r = None` when undefined (n < 2 or a side constant).
pub(crate) fn pearson_pairs(pairs: impl Iterator<Item = (f64, f64)>) -> (Option<f64>, usize) {
    let (xs, ys): (Vec<f64>, Vec<f64>) = pairs
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .unzip();
    let n = xs.len();
    let Some(m) = centered(&xs, &ys) else {
        return (None, n);
    };
    (m.corr(), n)
}

/// Two-pass centered moments of two equal-length slices; `None` for fewer than 2 values.
pub(crate) fn centered(xs: &[f64], ys: &[f64]) -> Option<crate::Moments> {
    let n = xs.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = xs.iter().sum::<f64>() / nf;
    let my = ys.iter().sum::<f64>() / nf;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    Some(crate::Moments {
        n,
        mean_x: mx,
        mean_y: my,
        sxx,
        syy,
        sxy,
        constant_x: xs.iter().all(|v| *v == xs[0]),
        constant_y: ys.iter().all(|v| *v == ys[0]),
    })
}

/// Cross-correlation of A and B at every lag `k = -max_lag ..= max_lag` (in that order).
///
/// ```text
/// r(k) = Σ(a_t - ā_k)(b_{t-k} - b̄_k) / √(Σ(a_t - ā_k)² · Σ(b_{t-k} - b̄_k)²)
/// ```
///
/// over the overlapping pairs `(a[t], b[t-k])`, `0 <= t, t-k < n`, where a pair with a NaN
/// (or infinite value) on either side is dropped; the means `ā_k`, `b̄_k` are those of the
/// pairs used at that lag. This is exactly pandas `a.corr(b.shift(k))` (pairwise deletion,
/// per-lag means and variances). `k > 0` means B leads A by `k` periods.
///
/// Note: statsmodels `ccf` differs: it uses the full-sample means and variances and divides
/// by `n` at every lag, so its values shrink towards 0 at large lags.
///
/// Each lag is computed two-pass (centered), so the result is accurate for any level and
/// always in [-1, 1]. `corr` is `None` when fewer than 2 pairs overlap or one side is
/// constant over the pairs (0/0). Errors only when the lengths differ.
pub fn cross_correlation(a: &[f64], b: &[f64], max_lag: usize) -> Result<Vec<LagCorr>> {
    check_lengths(a, b)?;
    let n = a.len();
    let l = max_lag as i64;
    Ok((-l..=l)
        .map(|k| {
            let m = k.unsigned_abs() as usize;
            let (corr, used) = if m >= n {
                (None, 0)
            } else if k >= 0 {
                // t = m..n: (a[t], b[t-m])
                pearson_pairs(a[m..].iter().copied().zip(b[..n - m].iter().copied()))
            } else {
                // t = 0..n-m: (a[t], b[t+m])
                pearson_pairs(a[..n - m].iter().copied().zip(b[m..].iter().copied()))
            };
            LagCorr {
                lag: k,
                corr,
                n: used,
            }
        })
        .collect())
}

/// Half-width of the approximate confidence band of a cross-correlation under "no
/// correlation": `z_{(1+c)/2} / √n`, with the exact normal quantile (1.959963984540054 / √n
/// for `confidence = 0.95`). A value `|r(k)|` above it is significant at level `1 - c`
/// (pointwise, not corrected for the number of lags looked at).
///
/// Errors: `confidence` outside (0, 1) ([`StatsError::InvalidConfidence`]), `n = 0`
/// ([`StatsError::TooFewObservations`]).
pub fn ccf_band(n: usize, confidence: f64) -> Result<f64> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    if n == 0 {
        return Err(StatsError::TooFewObservations {
            what: "cross-correlation band",
            got: 0,
            need: 1,
        });
    }
    Ok(normal_quantile(0.5 + confidence / 2.0) / (n as f64).sqrt())
}

/// One Granger causality F test ("does the cause help predict the effect?"), see [`granger`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrangerTest {
    /// Lag order `p`: both models use `p` lags.
    pub lag: usize,
    /// F statistic `((SSR_r - SSR_u)/p) / (SSR_u/(nobs - 2p - 1))` (≥ 0).
    pub f: f64,
    /// p-value `P(F(df_num, df_den) > f)`.
    pub p: f64,
    /// Numerator degrees of freedom `p`.
    pub df_num: usize,
    /// Denominator degrees of freedom `nobs - 2p - 1`.
    pub df_den: usize,
    /// SSR of the restricted model (effect on a constant and its own `p` lags).
    pub ssr_restricted: f64,
    /// SSR of the unrestricted model (plus `p` lags of the cause).
    pub ssr_unrestricted: f64,
    /// AIC of the unrestricted model, `-2·llf + 2k`, `k = 2p + 1` (statsmodels `OLS.aic`).
    pub aic: f64,
    /// BIC of the unrestricted model, `-2·llf + k·ln(nobs)` (statsmodels `OLS.bic`).
    pub bic: f64,
    /// Observations of both regressions, `n - p`.
    pub nobs: usize,
}

const GRANGER: &str = "Granger causality";

/// Checks shared by [`granger`] and [`granger_scan`].
fn granger_inputs(effect: &[f64], cause: &[f64], lag: usize) -> Result<()> {
    check_lengths(effect, cause)?;
    if lag < 1 {
        return Err(StatsError::InvalidLag {
            what: GRANGER,
            lag,
            min: 1,
        });
    }
    for s in [effect, cause] {
        if let Some(i) = s.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::NonFinite {
                what: GRANGER,
                index: i,
            });
        }
    }
    let need = 3 * lag + 2;
    if effect.len() < need {
        return Err(StatsError::TooFewObservations {
            what: GRANGER,
            got: effect.len(),
            need,
        });
    }
    Ok(())
}

/// The triangular factor of the widest Granger design, from which the regressions of every
/// lag order are solved in time independent of `n` (see [`LagFactor::fit`]).
///
/// The design on the rows `t = L .. n-1` has the `K = 2L + 2` columns
/// `[1, effect_{t-1} … effect_{t-L}, cause_{t-1} … cause_{t-L}, effect_t]`, i.e. `A = [X y]`.
/// Householder QR gives `A = QR`, `R` upper triangular `K × K`; since `Q` is orthogonal,
/// `‖A·v‖ = ‖R·v‖` for every `v`, so for any subset `S` of the columns
/// `min_β ‖y − X_S·β‖ = min_β ‖R_y − R_S·β‖`: the regression on `n − L` rows is the
/// regression on the `K` rows of `R` (same coefficients, same SSR, same rank), and rows
/// `t < L` (for an order `p < L`, whose rows start at `p`) are appended to those `K` rows
/// (`‖[A; A₂]·v‖² = ‖R·v‖² + ‖A₂·v‖²`). Everything stays an orthogonal transformation: no
/// normal equations, no squared condition number.
///
/// `R` is accumulated over blocks of rows (`R ← the R of [R; next rows]`), so the design is
/// never held whole: `O(n·K²)` time, `O(K²)` memory beyond the series.
struct LagFactor<'a> {
    effect: &'a [f64],
    cause: &'a [f64],
    /// `L`.
    lags: usize,
    /// Column `j` of `R` (`K` entries).
    r: Vec<Vec<f64>>,
}

impl<'a> LagFactor<'a> {
    /// Rows appended to the factor at a time.
    const BLOCK: usize = 256;

    fn new(effect: &'a [f64], cause: &'a [f64], lags: usize) -> LagFactor<'a> {
        let n = effect.len();
        let k = 2 * lags + 2;
        let mut f = LagFactor {
            effect,
            cause,
            lags,
            r: Vec::new(),
        };
        // Column-major work matrix [R; block], `rows` rows.
        let mut a: Vec<f64> = Vec::new();
        let mut have = 0usize;
        let mut t0 = lags;
        while t0 < n {
            let t1 = (t0 + Self::BLOCK).min(n);
            let rows = have + (t1 - t0);
            a.clear();
            for j in 0..k {
                a.extend(f.r.get(j).map_or(&[][..], |c| &c[..have]));
                a.extend((t0..t1).map(|t| f.value(j, t)));
            }
            householder_r(&mut a, rows, k);
            have = rows.min(k);
            f.r = (0..k)
                .map(|j| a[j * rows..j * rows + have].to_vec())
                .collect();
            t0 = t1;
        }
        f
    }

    /// Column `j` of the design at row `t`.
    #[inline]
    fn value(&self, j: usize, t: usize) -> f64 {
        let l = self.lags;
        match j {
            0 => 1.0,
            j if j <= l => self.effect[t - j],
            j if j <= 2 * l => self.cause[t - (j - l)],
            _ => self.effect[t],
        }
    }

    /// OLS of `effect[t]`, `t = from..n` (`from <= L`), on `[1, effect[t-1..=t-p],
    /// cause[t-1..=t-p]]` (the cause lags only when `joint`), `p <= L`: [`ols`] on the rows of
    /// `R` and the rows `from .. L`, the observations counted as `n − from`.
    fn fit(&self, p: usize, from: usize, joint: bool) -> Result<OlsFit> {
        let l = self.lags;
        let nobs = self.effect.len() - from;
        let column = |j: usize| -> Vec<f64> {
            let mut c = self.r[j].clone();
            c.extend((from..l).map(|t| self.value(j, t)));
            c
        };
        let mut idx: Vec<usize> = (0..=p).collect();
        if joint {
            idx.extend(l + 1..=l + p);
        }
        let cols: Vec<Vec<f64>> = idx.iter().map(|&j| column(j)).collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let fit = ols(&column(2 * l + 1), &refs).map_err(|e| match e {
            StatsError::Collinear { column, .. } => StatsError::Collinear {
                what: "Granger causality regression [1, effect lags, cause lags]",
                column,
            },
            e => e,
        })?;
        Ok(OlsFit {
            nobs,
            df_resid: nobs - fit.coef.len(),
            ..fit
        })
    }

    /// The Granger F test of order `p` on its own rows `t = p .. n-1`.
    fn test(&self, p: usize) -> Result<GrangerTest> {
        let restricted = self.fit(p, p, false)?;
        let unrestricted = self.fit(p, p, true)?;
        f_test(&self.effect[p..], &restricted, &unrestricted, p, GRANGER)
    }
}

/// Householder QR in place of the column-major `rows × k` matrix `a`: on return the upper
/// triangle of its first `min(rows, k)` rows is `R` and the entries below it are 0. A column
/// already 0 below the diagonal is left as it is (no reflection).
fn householder_r(a: &mut [f64], rows: usize, k: usize) {
    let mut v = Vec::with_capacity(rows);
    let mut dots = vec![0.0; k];
    for j in 0..k.min(rows) {
        let (head, tail) = a.split_at_mut((j + 1) * rows);
        let col = &mut head[j * rows + j..];
        let alpha = norm2(col);
        if alpha == 0.0 {
            continue;
        }
        // v = x + sign(x₀)‖x‖e₀; H = I - 2vvᵀ/(vᵀv); Hx = -sign(x₀)‖x‖e₀.
        let r = if col[0] >= 0.0 { -alpha } else { alpha };
        v.clear();
        v.extend_from_slice(col);
        v[0] -= r;
        let vtv = v.iter().map(|x| x * x).sum::<f64>();
        col[0] = r;
        col[1..].iter_mut().for_each(|e| *e = 0.0);
        // All the remaining columns at once: independent dot products, one pass over rows.
        let ncols = k - j - 1;
        let dots = &mut dots[..ncols];
        dots.iter_mut().for_each(|d| *d = 0.0);
        for (c, d) in tail.chunks_exact(rows).zip(dots.iter_mut()) {
            *d = v.iter().zip(&c[j..]).map(|(a, b)| a * b).sum::<f64>();
        }
        for (c, d) in tail.chunks_exact_mut(rows).zip(dots.iter()) {
            let f = 2.0 * d / vtv;
            for (w, vi) in c[j..].iter_mut().zip(&v) {
                *w -= f * vi;
            }
        }
    }
}

/// Euclidean norm, scaled by the largest magnitude so it neither over- nor underflows.
fn norm2(x: &[f64]) -> f64 {
    let m = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 {
        return 0.0;
    }
    let inv = 1.0 / m;
    m * x.iter().map(|v| (v * inv) * (v * inv)).sum::<f64>().sqrt()
}

/// Survival function of the F distribution, `P(F(d1, d2) > f) = I_{d2/(d2 + d1·f)}(d2/2, d1/2)`
/// (regularized incomplete beta on the complementary side, so tiny p-values keep their
/// relative precision instead of being `1 - cdf`).
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if !(f > 0.0) {
        return 1.0;
    }
    let x = d2 / (d2 + d1 * f);
    checked_beta_reg(d2 / 2.0, d1 / 2.0, x.clamp(0.0, 1.0)).unwrap_or(f64::NAN)
}

/// Granger causality F test of order `lag = p`: does the past of `cause` help predict
/// `effect` beyond the effect's own past?
///
/// On the `nobs = n - p` rows `t = p .. n-1`:
///
/// ```text
/// restricted:    effect_t = c + Σ_{i=1..p} α_i effect_{t-i}                       + e_t
/// unrestricted:  effect_t = c + Σ_{i=1..p} α_i effect_{t-i} + Σ_{i=1..p} β_i cause_{t-i} + u_t
/// F = ((SSR_r - SSR_u) / p) / (SSR_u / (nobs - 2p - 1)),   p-value = P(F(p, nobs-2p-1) > F)
/// ```
///
/// This is statsmodels
/// `grangercausalitytests(np.column_stack([effect, cause]), maxlag=p)[p][0]["ssr_ftest"]`,
/// whose tuple is `(F, p-value, df_den, df_num)` (note the order). `aic`/`bic` are those of
/// the unrestricted model as statsmodels OLS reports them: `llf = -nobs/2·(ln 2π + ln(SSR/nobs)
/// + 1)`, `aic = -2·llf + 2k`, `bic = -2·llf + k·ln(nobs)`, `k = 2p + 1`.
///
/// Both regressions are solved by Householder QR: one factorisation of the design
/// `[1, effect lags, cause lags, effect]` (accumulated over blocks of rows), then
/// [`ols`](fn@crate::ols) on its `2p + 2` rows for each model (see `LagFactor` in the
/// source), so the cost is one pass over the rows.
///
/// Errors: lengths differ; `lag = 0`; a NaN/infinite input (statsmodels refuses them too: drop
/// them before); `n < 3p + 2` (no residual degree of freedom, as statsmodels);
/// [`StatsError::Collinear`] when a regressor is (numerically) a combination of others, which
/// is what a constant effect or cause gives; [`StatsError::PerfectFit`] when the unrestricted
/// model leaves no residual (`SSR_u / TSS` below machine epsilon, as statsmodels).
pub fn granger(effect: &[f64], cause: &[f64], lag: usize) -> Result<GrangerTest> {
    granger_inputs(effect, cause, lag)?;
    LagFactor::new(effect, cause, lag).test(lag)
}

/// The Granger F test of order `p` from its two fits on the effect values `y` (the rows both
/// were fitted on): `F = ((SSR_r - SSR_u) / p) / (SSR_u / df_den)`, in statsmodels' order of
/// operations. [`StatsError::PerfectFit`] (named `what`) when the unrestricted model leaves
/// no residual.
pub(crate) fn f_test(
    y: &[f64],
    restricted: &OlsFit,
    unrestricted: &OlsFit,
    p: usize,
    what: &'static str,
) -> Result<GrangerTest> {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let tss = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    let ssr_u = unrestricted.ssr;
    if !(tss > 0.0) || !(ssr_u > 0.0) || ssr_u / tss < f64::EPSILON {
        return Err(StatsError::PerfectFit { what });
    }
    let df_den = unrestricted.df_resid;
    // Same operation order as statsmodels.
    let f = ((restricted.ssr - ssr_u) / ssr_u / p as f64 * df_den as f64).max(0.0);
    Ok(GrangerTest {
        lag: p,
        f,
        p: f_sf(f, p as f64, df_den as f64),
        df_num: p,
        df_den,
        ssr_restricted: restricted.ssr,
        ssr_unrestricted: ssr_u,
        aic: unrestricted.aic(),
        bic: unrestricted.bic(),
        nobs: unrestricted.nobs,
    })
}

/// The orders of smallest AIC and smallest BIC in `criteria` (ties: the smaller order).
pub(crate) fn select_orders(criteria: &[LagCriteria]) -> (usize, usize) {
    let argmin = |key: fn(&LagCriteria) -> f64| {
        criteria
            .iter()
            .fold(None::<&LagCriteria>, |best, c| match best {
                Some(b) if !(key(c) < key(b)) => Some(b),
                _ => Some(c),
            })
            .map_or(1, |c| c.lag)
    };
    (argmin(|c| c.aic), argmin(|c| c.bic))
}

/// Information criteria of the unrestricted Granger model of one lag order, fitted on the
/// common sample of a [`GrangerScan`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LagCriteria {
    /// Lag order `p`.
    pub lag: usize,
    /// AIC `-2·llf + 2(2p+1)` on the common sample.
    pub aic: f64,
    /// BIC `-2·llf + (2p+1)·ln(n - L)` on the common sample.
    pub bic: f64,
}

/// Granger tests of every lag order `1..=L` and the order chosen by AIC and BIC
/// (see [`granger_scan`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrangerScan {
    /// `granger(effect, cause, p)` for `p = 1..=L`, each on its own `n - p` rows (exactly
    /// statsmodels `grangercausalitytests(.., maxlag=L)`).
    pub tests: Vec<GrangerTest>,
    /// AIC and BIC of the unrestricted model of each order `p = 1..=L`, all fitted on the same
    /// rows `t = L .. n-1`.
    pub criteria: Vec<LagCriteria>,
    /// Rows of the common sample used for `criteria`, `n - L`.
    pub selection_nobs: usize,
    /// The order with the smallest AIC in `criteria` (ties: the smaller order).
    pub aic_lag: usize,
    /// The order with the smallest BIC in `criteria` (ties: the smaller order).
    pub bic_lag: usize,
}

/// Granger tests for lag orders `1..=max_lag` and lag order selection.
///
/// `tests[p-1]` is [`granger`]`(effect, cause, p)` on its own `n - p` rows, as statsmodels
/// reports them. Their AIC/BIC are **not** comparable across orders (different samples), so
/// the order is selected on a **common sample**: the unrestricted model
/// `effect_t = c + Σ_{i≤p} α_i effect_{t-i} + Σ_{i≤p} β_i cause_{t-i}` of every order `p` is
/// fitted on the same rows `t = L .. n-1` (`n - L` rows, the largest sample on which every
/// order's lags exist) and `aic_lag` / `bic_lag` minimise `-2·llf + 2k` / `-2·llf + k·ln(n-L)`,
/// `k = 2p + 1`, ties going to the smaller order. (The same rows as statsmodels
/// `VAR(..).select_order(L)`, for this single equation.)
///
/// All the regressions come from one QR factorisation of the design of order `L` on the rows
/// `t = L .. n-1` (the rows `p .. L-1` of an order `p < L` appended to its triangle): one
/// pass over the data for every order, instead of one per regression. The tests equal
/// [`granger`] of each order to rounding (the same least-squares problems, factored in
/// another order).
///
/// Errors: as [`granger`] at lag `max_lag` (so `n >= 3·max_lag + 2`).
pub fn granger_scan(effect: &[f64], cause: &[f64], max_lag: usize) -> Result<GrangerScan> {
    granger_inputs(effect, cause, max_lag)?;
    let factor = LagFactor::new(effect, cause, max_lag);
    let tests = (1..=max_lag)
        .map(|p| factor.test(p))
        .collect::<Result<Vec<_>>>()?;
    let criteria = (1..=max_lag)
        .map(|p| {
            let fit = factor.fit(p, max_lag, true)?;
            Ok(LagCriteria {
                lag: p,
                aic: fit.aic(),
                bic: fit.bic(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (aic_lag, bic_lag) = select_orders(&criteria);
    Ok(GrangerScan {
        aic_lag,
        bic_lag,
        tests,
        criteria,
        selection_nobs: effect.len() - max_lag,
    })
}

/// The lag of highest correlation in one rolling window (see [`rolling_best_lag`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestLag {
    /// The lag `k` (`k > 0`: B leads A by `k` periods).
    pub lag: i64,
    /// The correlation at that lag.
    pub corr: f64,
}

/// Rolling lead-lag: for each index `t`, the lag in `[-max_lag, max_lag]` at which A and B
/// are most correlated within the window of the last `window` periods ending at `t`.
///
/// **Definition.** The window is the index range `W_t = (t - window, t]`. At lag `k` the pairs
/// are `(a[s], b[s-k])` with **both** `s` and `s-k` in `W_t`, i.e. `window - |k|` pairs: for
/// `k ≥ 0`, `s = t-window+1+k ..= t`; for `k < 0`, `s = t-window+1 ..= t-|k|`. So no value
/// after `t` (no look-ahead) nor before the window is used, and positive and negative lags
/// lose the same number of pairs (no bias towards either sign under "no lead-lag"). The
/// correlation is Pearson (computed per lag with [`RollingMoments`] over `window - |k|` pairs,
/// O(n·L) in total). The best lag is the one with the **largest** (signed) correlation; exact
/// ties go to the smallest `|k|`, then to the negative lag.
///
/// One entry per input index: `None` for `t < window - 1` (window incomplete) and where no lag
/// has a defined correlation; a lag whose pairs include a NaN, or with a constant side, is
/// skipped (the rolling convention of this crate, not pairwise deletion).
///
/// Errors: lengths differ; `window < max_lag + 3` (every lag needs at least 3 pairs).
pub fn rolling_best_lag(
    a: &[f64],
    b: &[f64],
    window: usize,
    max_lag: usize,
) -> Result<Vec<Option<BestLag>>> {
    check_lengths(a, b)?;
    if window < max_lag + 3 {
        return Err(StatsError::WindowTooShort {
            what: "rolling best lag",
            window,
            min: max_lag + 3,
        });
    }
    let l = max_lag as i64;
    let mut kernels = (-l..=l)
        .map(|k| RollingMoments::new(window - k.unsigned_abs() as usize))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(a.len());
    for t in 0..a.len() {
        let mut best: Option<BestLag> = None;
        for (kernel, k) in kernels.iter_mut().zip(-l..=l) {
            let m = k.unsigned_abs() as usize;
            if t < m {
                continue;
            }
            // The newest pair with both indices <= t.
            let (x, y) = if k >= 0 {
                (a[t], b[t - m])
            } else {
                (a[t - m], b[t])
            };
            let Some(r) = kernel.next(x, y).and_then(|mo| mo.corr()) else {
                continue;
            };
            let better = match best {
                None => true,
                Some(bl) => {
                    r > bl.corr
                        || (r == bl.corr
                            && (k.abs() < bl.lag.abs() || (k.abs() == bl.lag.abs() && k < bl.lag)))
                }
            };
            if better {
                best = Some(BestLag { lag: k, corr: r });
            }
        }
        out.push(if t + 1 >= window { best } else { None });
    }
    Ok(out)
}

/// Distribution of the rolling best lag: the "reaction time" in periods
/// (see [`reaction_summary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionSummary {
    /// Number of windows with a best lag.
    pub count: usize,
    /// Median best lag (linear-interpolation quantile, numpy/pandas default).
    pub median: f64,
    /// First quartile (linear interpolation).
    pub q1: f64,
    /// Third quartile (linear interpolation).
    pub q3: f64,
    /// Share of windows whose best lag is 0 (same-period reaction).
    pub share_zero: f64,
    /// Share of windows whose best lag is > 0 (B leads A).
    pub share_b_leads: f64,
    /// Share of windows whose best lag is < 0 (A leads B).
    pub share_a_leads: f64,
    /// `(lag, windows)` for every lag that occurs, in increasing lag order.
    pub histogram: Vec<(i64, usize)>,
}

/// Summary of a [`rolling_best_lag`] series over its `Some` entries: count, quartiles of the
/// lag (numpy's default linear interpolation: the q-quantile of the sorted lags `x_0..x_{m-1}`
/// is `x_i + (h - i)(x_{i+1} - x_i)` with `h = (m - 1)q`, `i = ⌊h⌋`), the shares of lag 0,
/// lag > 0 (B leads) and lag < 0 (A leads), and the histogram. `None` when no entry is
/// `Some`.
pub fn reaction_summary(best: &[Option<BestLag>]) -> Option<ReactionSummary> {
    let mut lags: Vec<i64> = best.iter().flatten().map(|b| b.lag).collect();
    if lags.is_empty() {
        return None;
    }
    lags.sort_unstable();
    let m = lags.len();
    let q = |p: f64| {
        let h = (m - 1) as f64 * p;
        let i = h.floor() as usize;
        let lo = lags[i] as f64;
        if i + 1 < m {
            lo + (h - i as f64) * (lags[i + 1] as f64 - lo)
        } else {
            lo
        }
    };
    let mut histogram: Vec<(i64, usize)> = Vec::new();
    for &k in &lags {
        match histogram.last_mut() {
            Some((lag, c)) if *lag == k => *c += 1,
            _ => histogram.push((k, 1)),
        }
    }
    let share = |f: fn(i64) -> bool| lags.iter().filter(|k| f(**k)).count() as f64 / m as f64;
    Some(ReactionSummary {
        count: m,
        median: q(0.5),
        q1: q(0.25),
        q3: q(0.75),
        share_zero: share(|k| k == 0),
        share_b_leads: share(|k| k > 0),
        share_a_leads: share(|k| k < 0),
        histogram,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    #[test]
    fn ccf_sign_convention() {
        // a[t] = b[t-2]: B leads A by 2 → r(2) = 1
        let b = noise(300, 1);
        let mut a = vec![0.0; 2];
        a.extend_from_slice(&b[..298]);
        let c = cross_correlation(&a, &b, 4).unwrap();
        assert_eq!(c.len(), 9);
        assert_eq!(c[0].lag, -4);
        let at2 = c.iter().find(|x| x.lag == 2).unwrap();
        assert!((at2.corr.unwrap() - 1.0).abs() < 1e-12, "{at2:?}");
        // at lag 2 the pairs are t = 2..300 (298 of them)
        assert_eq!(at2.n, 298);
    }

    #[test]
    fn ccf_drops_nan_pairs_and_handles_constants() {
        let a = [1.0, 2.0, f64::NAN, 4.0, 3.0];
        let b = [2.0, 1.0, 3.0, f64::NAN, 5.0];
        let c = cross_correlation(&a, &b, 0).unwrap();
        // pairs (1,2), (2,1), (3,5)
        assert_eq!(c[0].n, 3);
        let want = pearson_pairs([(1.0, 2.0), (2.0, 1.0), (3.0, 5.0)].into_iter()).0;
        assert_eq!(c[0].corr, want);
        let k = cross_correlation(&[1.0; 10], &noise(10, 3), 2).unwrap();
        assert!(k.iter().all(|x| x.corr.is_none()));
        let big = cross_correlation(&[1.0, 2.0, 3.0], &[3.0, 1.0, 2.0], 5).unwrap();
        assert_eq!(big.len(), 11);
        assert_eq!((big[0].n, big[0].corr), (0, None));
        assert!(cross_correlation(&[1.0], &[1.0, 2.0], 1).is_err());
    }

    #[test]
    fn band() {
        assert!((ccf_band(100, 0.95).unwrap() - 0.1959963984540054).abs() < 1e-15);
        assert!(ccf_band(0, 0.95).is_err());
        assert!(ccf_band(10, 1.0).is_err());
    }

    #[test]
    fn f_survival() {
        // scipy.stats.f.sf(3.0, 2, 50) = 0.05882330655225374; f.sf(200, 3, 1000) = 1.3489953704705138e-101
        assert!((f_sf(3.0, 2.0, 50.0) - 0.05882330655225374).abs() < 1e-14);
        assert_eq!(f_sf(0.0, 2.0, 5.0), 1.0);
        assert_eq!(f_sf(-1.0, 2.0, 5.0), 1.0);
        let tiny = f_sf(200.0, 3.0, 1000.0);
        assert!(
            (tiny / 1.3489953704705138e-101 - 1.0).abs() < 1e-10,
            "{tiny}"
        );
    }

    #[test]
    fn granger_errors() {
        let x = noise(50, 4);
        assert!(matches!(
            granger(&x, &x[..49], 1),
            Err(StatsError::LengthMismatch(..))
        ));
        assert!(matches!(
            granger(&x, &x, 0),
            Err(StatsError::InvalidLag { .. })
        ));
        assert!(matches!(
            granger(&x[..7], &x[..7], 2),
            Err(StatsError::TooFewObservations { need: 8, .. })
        ));
        assert!(matches!(
            granger(&x, &[2.0; 50], 2),
            Err(StatsError::Collinear { column: 3, .. })
        ));
        assert!(matches!(
            granger(&[2.0; 50], &x, 2),
            Err(StatsError::Collinear { column: 1, .. })
        ));
        let mut y = x.clone();
        y[3] = f64::NAN;
        assert!(matches!(
            granger(&y, &x, 2),
            Err(StatsError::NonFinite { index: 3, .. })
        ));
    }

    #[test]
    fn rolling_best_lag_brute_force() {
        let n = 400;
        let e = noise(n + 5, 7);
        let b = noise(n, 8);
        // a[t] = b[t-2] + noise
        let a: Vec<f64> = (0..n)
            .map(|t| if t >= 2 { b[t - 2] } else { 0.0 } + 0.8 * e[t])
            .collect();
        let (w, l) = (40usize, 5usize);
        let got = rolling_best_lag(&a, &b, w, l).unwrap();
        for (t, got_t) in got.iter().enumerate() {
            if t + 1 < w {
                assert_eq!(*got_t, None);
                continue;
            }
            let mut best: Option<(i64, f64)> = None;
            for k in -(l as i64)..=l as i64 {
                let lo = t + 1 - w;
                let pairs = (lo..=t).filter_map(|s| {
                    let j = s as i64 - k;
                    (j >= lo as i64 && j <= t as i64).then(|| (a[s], b[j as usize]))
                });
                let (r, cnt) = pearson_pairs(pairs);
                assert_eq!(cnt, w - k.unsigned_abs() as usize);
                let r = r.unwrap();
                if best.is_none_or(|(_, br)| r > br) {
                    best = Some((k, r));
                }
            }
            let g = got_t.unwrap();
            let (bk, br) = best.unwrap();
            assert_eq!(g.lag, bk, "{t}");
            assert!((g.corr - br).abs() < 1e-12);
        }
        let s = reaction_summary(&got).unwrap();
        assert_eq!(s.count, n - w + 1);
        assert!(s.share_b_leads > 0.9, "{s:?}");
    }

    #[test]
    fn rolling_best_lag_ties_and_errors() {
        // identical series: lag 0 has r = 1 exactly; nothing else can beat it
        let x = noise(60, 9);
        let got = rolling_best_lag(&x, &x, 20, 3).unwrap();
        assert!(got[19..].iter().all(|b| b.unwrap().lag == 0));
        assert!(rolling_best_lag(&x, &x, 5, 3).is_err());
        assert!(rolling_best_lag(&x, &x[1..], 20, 3).is_err());
        let c = rolling_best_lag(&[1.0; 30], &x[..30], 10, 2).unwrap();
        assert!(c.iter().all(Option::is_none));
    }

    #[test]
    fn summary_quantiles() {
        let mk = |lags: &[i64]| -> Vec<Option<BestLag>> {
            lags.iter()
                .map(|&lag| Some(BestLag { lag, corr: 0.5 }))
                .chain([None])
                .collect()
        };
        let s = reaction_summary(&mk(&[0, 1, 1, 3, -2])).unwrap();
        // sorted -2 0 1 1 3: q1 = 0, median = 1, q3 = 1
        assert_eq!((s.count, s.median, s.q1, s.q3), (5, 1.0, 0.0, 1.0));
        assert_eq!(s.histogram, vec![(-2, 1), (0, 1), (1, 2), (3, 1)]);
        assert!((s.share_b_leads - 0.6).abs() < 1e-15);
        assert!((s.share_a_leads - 0.2).abs() < 1e-15);
        assert!((s.share_zero - 0.2).abs() < 1e-15);
        let s = reaction_summary(&mk(&[1, 2])).unwrap();
        assert_eq!((s.q1, s.median, s.q3), (1.25, 1.5, 1.75));
        assert_eq!(reaction_summary(&[None, None]), None);
    }
}
