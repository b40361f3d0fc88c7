//! Confidence intervals: Fisher-z for a correlation, Student t for a beta, and the normal quantile.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::{Result, StatsError};

/// The standard normal quantile `z_p = Φ⁻¹(p)` (e.g. `normal_quantile(0.975)` =
/// 1.959963984540054, the exact value behind the rounded "1.96").
pub fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Confidence interval of a correlation `r` estimated from `n` observations, by Fisher's z
/// transform:
///
/// ```text
/// z = atanh(r),  se = 1/√(n-3),  [lo, hi] = tanh(z ∓ z_{(1+c)/2} · se)
/// ```
///
/// with `z_{(1+c)/2}` the exact normal quantile (1.959963984540054 for c = 0.95, which is what
/// `scipy.stats.pearsonr(x, y).confidence_interval(0.95)` uses; the textbook "1.96" is its
/// rounding). The interval is asymmetric around r and always inside [-1, 1]; for |r| = 1 it
/// collapses to r. `None` when `n <= 3` (the standard error is undefined) or r is not finite.
/// For Spearman's ρ this is the usual normal approximation; for EWMA pass the effective sample
/// size `(1+λ)/(1-λ)`.
pub fn fisher_interval(r: f64, n: f64, confidence: f64) -> Result<Option<(f64, f64)>> {
    Ok(FisherInterval::new(n, confidence)?.at(r))
}

/// [`fisher_interval`] of many correlations of one sample size `n` and confidence: the half
/// width `z_{(1+c)/2} / √(n-3)` computed once, the same values bit for bit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FisherInterval {
    /// The half width on the z scale; `None` when `n <= 3`.
    half: Option<f64>,
}

impl FisherInterval {
    /// The interval of correlations estimated from `n` observations at `confidence`
    /// (an error unless `0 < confidence < 1`).
    pub fn new(n: f64, confidence: f64) -> Result<FisherInterval> {
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(StatsError::InvalidConfidence(confidence));
        }
        let half = (n > 3.0).then(|| normal_quantile(0.5 + confidence / 2.0) / (n - 3.0).sqrt());
        Ok(FisherInterval { half })
    }

    /// The interval of `r`: `None` when `n <= 3` or `r` is not finite.
    pub fn at(&self, r: f64) -> Option<(f64, f64)> {
        let half = self.half.filter(|_| r.is_finite())?;
        let z = r.clamp(-1.0, 1.0).atanh();
        Some(((z - half).tanh(), (z + half).tanh()))
    }
}

/// Confidence interval of an OLS slope (a beta) `β` of y on x with an intercept, from the
/// sample correlation `r` of the `n` pairs:
///
/// ```text
/// se(β) = |β| · √((1/r² − 1) / (n − 2)) = √((1 − r²)/(n − 2)) · s_y / s_x
/// [lo, hi] = β ∓ t_{(1+c)/2, n−2} · se(β)
/// ```
///
/// the classical interval under normal, homoskedastic errors — what
/// `scipy.stats.linregress(x, y)` gives as `slope ± t.ppf((1+c)/2, n-2) · stderr`. `None` when
/// `n <= 2`, `r = 0` with β ≠ 0 (inconsistent input) or either value is not finite.
pub fn beta_interval(beta: f64, r: f64, n: f64, confidence: f64) -> Result<Option<(f64, f64)>> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    if !(n > 2.0) || !beta.is_finite() || !r.is_finite() {
        return Ok(None);
    }
    let r2 = (r * r).min(1.0);
    let se = if beta == 0.0 {
        0.0
    } else if r2 == 0.0 {
        return Ok(None);
    } else {
        beta.abs() * ((1.0 / r2 - 1.0) / (n - 2.0)).sqrt()
    };
    let t = StudentsT::new(0.0, 1.0, n - 2.0)
        .map_err(|_| StatsError::InvalidConfidence(confidence))?
        .inverse_cdf(0.5 + confidence / 2.0);
    Ok(Some((beta - t * se, beta + t * se)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precomputed_interval_is_the_formula_bit_for_bit() {
        let formula = |r: f64, n: f64, c: f64| {
            let z = r.clamp(-1.0, 1.0).atanh();
            let half = normal_quantile(0.5 + c / 2.0) / (n - 3.0).sqrt();
            ((z - half).tanh(), (z + half).tanh())
        };
        let bits = |v: Option<(f64, f64)>| v.map(|(a, b)| (a.to_bits(), b.to_bits()));
        for (n, c) in [(30.0, 0.95), (90.0, 0.9), (4.0, 0.99), (32.3, 0.5)] {
            let f = FisherInterval::new(n, c).unwrap();
            for k in -1000..=1000 {
                let r = k as f64 / 1000.0 * 1.0001;
                let want = Some(formula(r, n, c));
                assert_eq!(bits(f.at(r)), bits(want), "{r} {n} {c}");
                assert_eq!(bits(fisher_interval(r, n, c).unwrap()), bits(want));
            }
            assert_eq!(f.at(f64::NAN), None);
        }
        assert_eq!(FisherInterval::new(3.0, 0.95).unwrap().at(0.5), None);
        assert_eq!(FisherInterval::new(f64::NAN, 0.95).unwrap().at(0.5), None);
        assert!(FisherInterval::new(10.0, 1.0).is_err());
    }

    #[test]
    fn quantile_is_exact() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-14);
    }

    /// Reference: `scipy.stats.linregress` on these ten pairs (scipy 1.17.1):
    /// slope 0.08192028985507246, r 0.9762084804674067, 95% interval
    /// [0.06708515624376461, 0.09675542346638032].
    #[test]
    fn beta_interval_matches_scipy_linregress() {
        let x = [0.1, -0.2, 0.05, 0.3, -0.1, 0.0, 0.15, -0.05, 0.2, -0.25];
        let y = [
            0.011, -0.018, 0.009, 0.021, -0.012, 0.004, 0.010, -0.002, 0.019, -0.020,
        ];
        let mut m = crate::RollingMoments::new(10).unwrap();
        let mut last = None;
        for (a, b) in y.iter().zip(&x) {
            last = m.next(*a, *b);
        }
        let m = last.unwrap();
        let (beta, r) = (m.beta().unwrap(), m.corr().unwrap());
        assert!((beta - 0.08192028985507246).abs() < 1e-15);
        assert!((r - 0.9762084804674067).abs() < 1e-14);
        let (lo, hi) = beta_interval(beta, r, 10.0, 0.95).unwrap().unwrap();
        assert!((lo - 0.06708515624376461).abs() < 1e-12, "{lo}");
        assert!((hi - 0.09675542346638032).abs() < 1e-12, "{hi}");
        assert_eq!(beta_interval(1.0, 0.5, 2.0, 0.95).unwrap(), None);
    }

    #[test]
    fn interval_bounds() {
        let (lo, hi) = fisher_interval(0.5, 30.0, 0.95).unwrap().unwrap();
        assert!(lo < 0.5 && 0.5 < hi && lo > -1.0 && hi < 1.0);
        assert_eq!(fisher_interval(1.0, 30.0, 0.95).unwrap(), Some((1.0, 1.0)));
        assert_eq!(fisher_interval(0.5, 3.0, 0.95).unwrap(), None);
        assert!(fisher_interval(0.5, 30.0, 1.0).is_err());
    }
}
