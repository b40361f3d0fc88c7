use statrs::distribution::{ContinuousCDF, Normal};

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
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    if !(n > 3.0) || !r.is_finite() {
        return Ok(None);
    }
    let z = r.clamp(-1.0, 1.0).atanh();
    let half = normal_quantile(0.5 + confidence / 2.0) / (n - 3.0).sqrt();
    Ok(Some(((z - half).tanh(), (z + half).tanh())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_is_exact() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-14);
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
