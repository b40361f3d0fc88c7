//! Market regimes (risk-on / risk-off), statistics of a pair per regime, and divergence
//! events (days when A moves far from what B predicts).

use serde::{Deserialize, Serialize};

use crate::fisher::fisher_interval;
use crate::leadlag::centered;
use crate::moments::check_lengths;
use crate::{Result, StatsError};

/// A market regime (see [`classify`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// Price above its moving average and volatility below its recent median.
    RiskOn,
    /// Any other defined day.
    RiskOff,
}

/// Parameters of the risk-on / risk-off rule of [`classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeRule {
    /// Window of the simple moving average of the price (default 200).
    pub ma_window: usize,
    /// Window of the realized volatility, in log returns (default 20).
    pub vol_window: usize,
    /// Number of volatility values whose median is the threshold (default 252).
    pub vol_lookback: usize,
}

impl Default for RegimeRule {
    fn default() -> Self {
        RegimeRule {
            ma_window: 200,
            vol_window: 20,
            vol_lookback: 252,
        }
    }
}

/// Risk-on / risk-off classification of one price series, one entry per price.
///
/// With log returns `r_t = ln(p_t / p_{t-1})` (`t ≥ 1`):
///
/// ```text
/// SMA_t = (p_{t-M+1} + … + p_t) / M                               M = ma_window
/// vol_t = sample std (ddof 1) of r_{t-V+1} … r_t                 V = vol_window
/// med_t = median of vol_{t-K+1} … vol_t (mean of the middle two when K is even)   K = vol_lookback
/// RiskOn at t  ⇔  p_t > SMA_t  and  vol_t < med_t;   RiskOff otherwise
/// ```
///
/// Everything ends at `t` (no look-ahead), so the regime of `t` is known at `t`'s close. The
/// volatility is not annualized (a scale factor would not change the comparison). `None`
/// during the warm-up, i.e. for `t < max(M - 1, V + K - 1)`, and wherever a window involves
/// a non-finite or non-positive price. pandas: `sma = p.rolling(M).mean()`,
/// `vol = np.log(p / p.shift()).rolling(V).std()`, `med = vol.rolling(K).median()`,
/// `risk_on = (p > sma) & (vol < med)`.
///
/// Errors: `ma_window < 1`, `vol_window < 2` or `vol_lookback < 1`
/// ([`StatsError::WindowTooShort`]).
pub fn classify(prices: &[f64], rule: RegimeRule) -> Result<Vec<Option<Regime>>> {
    let check = |what, window, min| {
        if window < min {
            Err(StatsError::WindowTooShort { what, window, min })
        } else {
            Ok(())
        }
    };
    check("regime moving average", rule.ma_window, 1)?;
    check("regime volatility", rule.vol_window, 2)?;
    check("regime volatility lookback", rule.vol_lookback, 1)?;
    let n = prices.len();
    let ok = |p: f64| p.is_finite() && p > 0.0;
    // r[t] = ln(p_t / p_{t-1}); r[0] = NaN. As `lockstep_core::log_return`: ln_1p below a 50%
    // move (precision), a difference of logs beyond it (finite for extreme moves).
    let r: Vec<f64> = (0..n)
        .map(|t| {
            if t >= 1 && ok(prices[t]) && ok(prices[t - 1]) {
                let (p0, p1) = (prices[t - 1], prices[t]);
                let g = (p1 - p0) / p0;
                if g.abs() < 0.5 {
                    g.ln_1p()
                } else {
                    p1.ln() - p0.ln()
                }
            } else {
                f64::NAN
            }
        })
        .collect();
    let (m, v, k) = (rule.ma_window, rule.vol_window, rule.vol_lookback);
    let vol: Vec<Option<f64>> = (0..n).map(|t| window_vol(&r, t, v)).collect();
    // The last k volatilities in order (by `total_cmp`), kept as t advances, and the number
    // of undefined ones among them: the median read from the middle, the value a selection
    // of the window gives.
    let mut window = SortedWindow::default();
    Ok((0..n)
        .map(|t| {
            window.push(vol[t]);
            if t >= k {
                window.remove(vol[t - k]);
            }
            if t + 1 < m || t + 1 < k {
                return None;
            }
            let pw = &prices[t + 1 - m..=t];
            if !pw.iter().all(|p| ok(*p)) {
                return None;
            }
            let sma = pw.iter().sum::<f64>() / m as f64;
            let med = window.median()?;
            let vt = vol[t]?;
            Some(if prices[t] > sma && vt < med {
                Regime::RiskOn
            } else {
                Regime::RiskOff
            })
        })
        .collect())
}

/// The defined values of a sliding window in increasing order (`total_cmp`), and how many of
/// its values are undefined.
#[derive(Default)]
struct SortedWindow {
    sorted: Vec<f64>,
    undefined: usize,
}

impl SortedWindow {
    fn push(&mut self, v: Option<f64>) {
        match v {
            Some(v) => {
                let i = self.sorted.partition_point(|x| x.total_cmp(&v).is_lt());
                self.sorted.insert(i, v);
            }
            None => self.undefined += 1,
        }
    }

    fn remove(&mut self, v: Option<f64>) {
        match v {
            Some(v) => {
                let i = self.sorted.partition_point(|x| x.total_cmp(&v).is_lt());
                self.sorted.remove(i);
            }
            None => self.undefined -= 1,
        }
    }

    /// [`median`] of the window; `None` when a value is undefined.
    fn median(&self) -> Option<f64> {
        let n = self.sorted.len();
        if self.undefined > 0 || n == 0 {
            return None;
        }
        let upper = self.sorted[n / 2];
        Some(if n % 2 == 1 {
            upper
        } else {
            let lower = self.sorted[n / 2 - 1];
            lower + (upper - lower) / 2.0
        })
    }
}

/// Median of a non-empty slice (reordered in place): the middle value, or the mean of the two
/// middle values for an even length.
/// The sample standard deviation of the `v` returns ending at `t` (`√(Σ(r − r̄)²/(v − 1))`,
/// two passes), or `None` before `v` returns or when one of them is not finite.
fn window_vol(r: &[f64], t: usize, v: usize) -> Option<f64> {
    if t + 1 < v {
        return None;
    }
    let w = &r[t + 1 - v..=t];
    if w.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mean = w.iter().sum::<f64>() / v as f64;
    let ss = w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
    Some((ss / (v as f64 - 1.0)).sqrt())
}

#[cfg(test)]
fn median(x: &mut [f64]) -> f64 {
    let n = x.len();
    let (lo, mid, _) = x.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *mid;
    if n % 2 == 1 {
        upper
    } else {
        let lower = lo.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        lower + (upper - lower) / 2.0
    }
}

/// Statistics of the pair over the days of one regime (see [`regime_stats`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeStats {
    /// The regime.
    pub regime: Regime,
    /// Number of return pairs in the regime (both returns finite).
    pub n: usize,
    /// Pearson correlation of A and B over those pairs; `None` if undefined (n < 2 or a side
    /// constant).
    pub corr: Option<f64>,
    /// Lower end of the Fisher-z confidence interval of `corr` (`None` for n ≤ 3).
    pub corr_lo: Option<f64>,
    /// Upper end of the Fisher-z confidence interval of `corr`.
    pub corr_hi: Option<f64>,
    /// Beta of A on B, `cov(a, b) / var(b)`; `None` when B is constant.
    pub beta: Option<f64>,
}

/// Correlation and beta of the returns A and B within each regime: one entry for
/// [`Regime::RiskOn`], then one for [`Regime::RiskOff`] (with `n = 0` and `None`s when the
/// regime never occurs).
///
/// `regimes[i]` labels the pair `(ret_a[i], ret_b[i])`; indices labelled `None` and pairs with
/// a non-finite return are left out. Over the `n` remaining pairs of a regime:
/// `corr = Σ(a-ā)(b-b̄) / √(Σ(a-ā)² Σ(b-b̄)²)` (two-pass), `[corr_lo, corr_hi] =
/// tanh(atanh(r) ∓ z_{(1+c)/2}/√(n-3))` ([`fisher_interval`]), `beta = Σ(a-ā)(b-b̄) / Σ(b-b̄)²`.
///
/// **Alignment, no look-ahead.** With `lockstep_core::align`'s returns (`ret[i]` runs from
/// date `i` to `i + 1`) and `regimes = classify(prices)` on the same dates, pass
/// `&regimes[..n - 1]`: each return is labelled with the regime known at the close before it.
/// (`&regimes[1..]` would label it with the regime at its own close, which uses that return.)
/// Note that the pairs of one regime are generally not consecutive days, so the Fisher
/// interval's independence assumption is only approximate.
///
/// Errors: lengths differ, `confidence` outside (0, 1).
pub fn regime_stats(
    ret_a: &[f64],
    ret_b: &[f64],
    regimes: &[Option<Regime>],
    confidence: f64,
) -> Result<Vec<RegimeStats>> {
    check_lengths(ret_a, ret_b)?;
    if regimes.len() != ret_a.len() {
        return Err(StatsError::LengthMismatch(ret_a.len(), regimes.len()));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    [Regime::RiskOn, Regime::RiskOff]
        .into_iter()
        .map(|regime| {
            let (xs, ys): (Vec<f64>, Vec<f64>) = (0..ret_a.len())
                .filter(|&i| {
                    regimes[i] == Some(regime) && ret_a[i].is_finite() && ret_b[i].is_finite()
                })
                .map(|i| (ret_a[i], ret_b[i]))
                .unzip();
            let m = centered(&xs, &ys);
            let corr = m.and_then(|m| m.corr());
            let ci = match corr {
                Some(r) => fisher_interval(r, xs.len() as f64, confidence)?,
                None => None,
            };
            Ok(RegimeStats {
                regime,
                n: xs.len(),
                corr,
                corr_lo: ci.map(|c| c.0),
                corr_hi: ci.map(|c| c.1),
                beta: m.and_then(|m| m.beta()),
            })
        })
        .collect()
}

/// One day's move of A against the move predicted from B (see [`divergence_scores`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// Index `t` into the return series.
    pub index: usize,
    /// `ret_a[t]`.
    pub ret_a: f64,
    /// `ret_b[t]`.
    pub ret_b: f64,
    /// Intercept `α` fitted on the previous `window` days.
    pub alpha: f64,
    /// Slope `β` (A on B) fitted on the previous `window` days.
    pub beta: f64,
    /// Residual standard error `σ` of that fit (divisor `window - 2`).
    pub sigma: f64,
    /// `α + β·ret_b[t]`.
    pub predicted: f64,
    /// `ret_a[t] - predicted`.
    pub residual: f64,
    /// `residual / σ`.
    pub z: f64,
}

/// The standardized surprise of A given B for every day, one entry per index.
///
/// At index `t ≥ window`: fit `a = α + β·b` by least squares on the previous `window` pairs
/// `s = t-window .. t-1` (not including `t`: no look-ahead), `β = Σ(a-ā)(b-b̄)/Σ(b-b̄)²`,
/// `α = ā - β·b̄`; residual standard error `σ = √(Σ(a_s - α - β b_s)² / (window - 2))` (the
/// OLS standard error, `n - 2` degrees of freedom); then `predicted = α + β·b_t`,
/// `residual = a_t - predicted`, `z = residual / σ`.
///
/// `None` for `t < window`, when the window or day `t` holds a non-finite return, when B is
/// constant over the window (β undefined), or when `σ = 0` (exact fit, z undefined).
///
/// Errors: lengths differ; `window < 3` ([`StatsError::WindowTooShort`]).
pub fn divergence_scores(
    ret_a: &[f64],
    ret_b: &[f64],
    window: usize,
) -> Result<Vec<Option<Divergence>>> {
    check_lengths(ret_a, ret_b)?;
    if window < 3 {
        return Err(StatsError::WindowTooShort {
            what: "divergence regression",
            window,
            min: 3,
        });
    }
    Ok((0..ret_a.len())
        .map(|t| {
            if t < window || !ret_a[t].is_finite() || !ret_b[t].is_finite() {
                return None;
            }
            let (xa, xb) = (&ret_a[t - window..t], &ret_b[t - window..t]);
            if xa.iter().chain(xb).any(|v| !v.is_finite()) {
                return None;
            }
            let m = centered(xa, xb)?;
            let beta = m.beta()?;
            let alpha = m.mean_x - beta * m.mean_y;
            let ssr = xa
                .iter()
                .zip(xb)
                .map(|(a, b)| {
                    let e = a - alpha - beta * b;
                    e * e
                })
                .sum::<f64>();
            let sigma = (ssr / (window as f64 - 2.0)).sqrt();
            if !(sigma > 0.0) {
                return None;
            }
            let predicted = alpha + beta * ret_b[t];
            let residual = ret_a[t] - predicted;
            Some(Divergence {
                index: t,
                ret_a: ret_a[t],
                ret_b: ret_b[t],
                alpha,
                beta,
                sigma,
                predicted,
                residual,
                z: residual / sigma,
            })
        })
        .collect())
}

/// Divergence events: the days of [`divergence_scores`] with `|z| > k` (k = 3 is the usual
/// choice), in index order.
///
/// Errors: as [`divergence_scores`]; `k` not finite and positive
/// ([`StatsError::InvalidParameter`]).
pub fn divergences(ret_a: &[f64], ret_b: &[f64], window: usize, k: f64) -> Result<Vec<Divergence>> {
    if !(k.is_finite() && k > 0.0) {
        return Err(StatsError::InvalidParameter {
            what: "divergence threshold k",
            expected: "finite and positive",
            value: k,
        });
    }
    Ok(divergence_scores(ret_a, ret_b, window)?
        .into_iter()
        .flatten()
        .filter(|d| d.z.abs() > k)
        .collect())
}

/// First differences `out[i] = levels[i+1] - levels[i]` (length `n - 1`, empty for n < 2),
/// indexed like `lockstep_core` returns. For rate series in percentage points, where a
/// "return" is the change in the level (feed them to [`crate::RollingBeta`] for rate
/// sensitivity).
pub fn diffs(levels: &[f64]) -> Vec<f64> {
    levels.windows(2).map(|w| w[1] - w[0]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    /// The sliding sorted window gives the medians of a selection in each window, so the
    /// same regimes as computing every window afresh (NaN gaps, constant runs, ties).
    #[test]
    fn sliding_median_equals_the_selection() {
        let mut g = crate::Xoshiro256::new(7);
        let mut p = vec![100.0];
        for t in 1..3000 {
            let last = p[t - 1];
            let step = if (700..760).contains(&t) {
                0.0
            } else {
                0.02 * (g.uniform() - 0.5)
            };
            p.push(last * (1.0 + step));
        }
        p[1500] = f64::NAN;
        p[2200] = -1.0;
        for rule in [
            RegimeRule::default(),
            RegimeRule {
                ma_window: 5,
                vol_window: 2,
                vol_lookback: 1,
            },
            RegimeRule {
                ma_window: 30,
                vol_window: 3,
                vol_lookback: 40,
            },
            RegimeRule {
                ma_window: 1,
                vol_window: 10,
                vol_lookback: 41,
            },
        ] {
            let got = classify(&p, rule).unwrap();
            let (m, v, k) = (rule.ma_window, rule.vol_window, rule.vol_lookback);
            let ok = |x: f64| x.is_finite() && x > 0.0;
            let r: Vec<f64> = (0..p.len())
                .map(|t| {
                    if t >= 1 && ok(p[t]) && ok(p[t - 1]) {
                        let g = (p[t] - p[t - 1]) / p[t - 1];
                        if g.abs() < 0.5 {
                            g.ln_1p()
                        } else {
                            p[t].ln() - p[t - 1].ln()
                        }
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            let vol: Vec<Option<f64>> = (0..p.len()).map(|t| window_vol(&r, t, v)).collect();
            let want: Vec<Option<Regime>> = (0..p.len())
                .map(|t| {
                    if t + 1 < m || t + 1 < k {
                        return None;
                    }
                    let pw = &p[t + 1 - m..=t];
                    if !pw.iter().all(|x| ok(*x)) {
                        return None;
                    }
                    let sma = pw.iter().sum::<f64>() / m as f64;
                    let mut buf = Vec::new();
                    for x in &vol[t + 1 - k..=t] {
                        buf.push((*x)?);
                    }
                    let med = median(&mut buf);
                    let vt = vol[t]?;
                    Some(if p[t] > sma && vt < med {
                        Regime::RiskOn
                    } else {
                        Regime::RiskOff
                    })
                })
                .collect();
            assert_eq!(got, want, "{rule:?}");
            assert!(got.iter().flatten().count() > 1000);
        }
    }

    #[test]
    fn median_even_and_odd() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [5.0]), 5.0);
    }

    #[test]
    fn classify_brute_force() {
        let e = noise(600, 1);
        // a trending random walk with volatility regimes
        let mut p = vec![100.0];
        for (t, x) in e.iter().enumerate().skip(1) {
            let s = if (t / 80) % 2 == 0 { 0.01 } else { 0.03 };
            p.push(p[t - 1] * (1.0 + s * x + 0.0005));
        }
        let rule = RegimeRule {
            ma_window: 50,
            vol_window: 10,
            vol_lookback: 60,
        };
        let got = classify(&p, rule).unwrap();
        let first = (rule.ma_window - 1).max(rule.vol_window + rule.vol_lookback - 1);
        assert!(got[..first].iter().all(Option::is_none));
        assert!(got[first..].iter().all(Option::is_some));
        let r: Vec<f64> = (1..p.len()).map(|t| (p[t] / p[t - 1]).ln()).collect();
        let vol = |t: usize| {
            let w = &r[t - 10..t];
            let m = w.iter().sum::<f64>() / 10.0;
            (w.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 9.0).sqrt()
        };
        let mut on = 0;
        for (t, g) in got.iter().enumerate().skip(first) {
            let sma = p[t - 49..=t].iter().sum::<f64>() / 50.0;
            let mut vs: Vec<f64> = (t - 59..=t).map(vol).collect();
            vs.sort_by(f64::total_cmp);
            let med = (vs[29] + vs[30]) / 2.0;
            let want = if p[t] > sma && vol(t) < med {
                on += 1;
                Regime::RiskOn
            } else {
                Regime::RiskOff
            };
            assert_eq!(*g, Some(want), "{t}");
        }
        assert!(on > 20 && on < 500, "{on}");
        assert!(classify(
            &p,
            RegimeRule {
                vol_window: 1,
                ..rule
            }
        )
        .is_err());
        // a bad price makes the windows that contain it undefined, no panic
        let mut q = p.clone();
        q[300] = f64::NAN;
        let g = classify(&q, rule).unwrap();
        assert_eq!(g[300], None);
        assert_eq!(g[299], got[299]);
    }

    #[test]
    fn stats_per_regime() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0, 1.0];
        let b = [2.0, 4.0, 6.0, 8.0, 10.0, 1.0, 1.0, 1.0];
        let on = Some(Regime::RiskOn);
        let off = Some(Regime::RiskOff);
        let g = [on, on, on, on, on, off, off, None];
        let s = regime_stats(&a, &b, &g, 0.95).unwrap();
        assert_eq!(s[0].regime, Regime::RiskOn);
        assert_eq!(s[0].n, 5);
        assert!((s[0].corr.unwrap() - 1.0).abs() < 1e-15);
        assert!((s[0].beta.unwrap() - 0.5).abs() < 1e-15);
        assert_eq!(s[1].n, 2);
        assert_eq!((s[1].corr, s[1].beta, s[1].corr_lo), (None, None, None));
        assert!(regime_stats(&a, &b, &g[..7], 0.95).is_err());
        assert!(regime_stats(&a, &b, &g, 0.0).is_err());
    }

    #[test]
    fn divergence_events() {
        let n = 300;
        let b = noise(n, 2);
        let e = noise(n, 3);
        let mut a: Vec<f64> = (0..n).map(|t| 0.001 + 1.5 * b[t] + 0.1 * e[t]).collect();
        a[200] += 2.0;
        let ev = divergences(&a, &b, 60, 3.0).unwrap();
        assert!(ev.iter().any(|d| d.index == 200 && d.z > 10.0), "{ev:?}");
        let all = divergence_scores(&a, &b, 60).unwrap();
        assert!(all[..60].iter().all(Option::is_none));
        let d = all[100].unwrap();
        assert!((d.beta - 1.5).abs() < 0.1 && (d.predicted + d.residual - a[100]).abs() < 1e-15);
        // constant b: no fit, no panic
        assert!(divergence_scores(&a, &[0.5; 300], 60)
            .unwrap()
            .iter()
            .all(Option::is_none));
        assert!(divergences(&a, &b, 2, 3.0).is_err());
        assert!(divergences(&a, &b, 60, f64::NAN).is_err());
    }

    #[test]
    fn first_differences() {
        assert_eq!(diffs(&[1.0, 1.5, 1.25]), vec![0.5, -0.25]);
        assert!(diffs(&[1.0]).is_empty());
    }
}
