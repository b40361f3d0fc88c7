//! The Forbes–Rigobon (2002) heteroskedasticity-adjusted correlation: a correlation measured
//! in a high-volatility regime, corrected for the rise that the volatility alone causes
//! ([`forbes_rigobon`], [`variance_increase`]).

use crate::corr_test::check_r;
use crate::{Result, StatsError};

/// The relative increase in the variance of the conditioning leg between the calm and the
/// volatile regime, `δ = σ²_high / σ²_low − 1` (for example the variance of ^RUT's returns on
/// high-volatility days over its variance on the other days, less 1). `None` when `var_low`
/// is not positive or either variance is not finite.
pub fn variance_increase(var_high: f64, var_low: f64) -> Option<f64> {
    if !(var_low > 0.0) || !var_high.is_finite() || !var_low.is_finite() || var_high < 0.0 {
        return None;
    }
    Some(var_high / var_low - 1.0)
}

/// Forbes and Rigobon's heteroskedasticity-adjusted ("unconditional") correlation of a
/// correlation `rho` measured in the volatile regime:
///
/// ```text
/// ρ* = ρ / √(1 + δ(1 − ρ²)),   δ = σ²_high / σ²_low − 1   (see variance_increase)
/// ```
///
/// When the conditioning leg's variance rises by the factor `1 + δ` and nothing else
/// changes (same beta, same idiosyncratic noise), the measured correlation rises from ρ* to
/// ρ: the conditional correlation is biased upwards in turbulent regimes (Forbes and Rigobon
/// 2002, "No contagion, only interdependence", J. Finance 57(5), eq. 5 inverted). ρ* is that
/// correlation with the bias removed, to compare with the calm regime's. δ < 0 (a calmer
/// regime) adjusts upwards. |ρ*| ≤ |ρ| ≤ 1 for δ ≥ 0, and |ρ*| ≤ 1 always.
///
/// Errors when `rho` is outside [-1, 1] or NaN, or `delta` is not above −1 (the variance
/// ratio must be positive) or not finite.
pub fn forbes_rigobon(rho: f64, delta: f64) -> Result<f64> {
    check_r("correlation", rho)?;
    if !(delta > -1.0 && delta.is_finite()) {
        return Err(StatsError::InvalidParameter {
            what: "relative variance increase delta",
            expected: "a finite number above -1",
            value: delta,
        });
    }
    // 1 + δ(1 − ρ²) ≥ ρ² > 0 for δ > −1 (and = 1 when ρ² = 1).
    let den = 1.0 + delta * (1.0 - rho * rho);
    if rho == 0.0 {
        return Ok(0.0);
    }
    Ok((rho / den.sqrt()).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // ρ = 0.6, variance doubles (δ = 1): 0.6/√1.64
        let v = forbes_rigobon(0.6, 1.0).unwrap();
        assert!((v - 0.6 / 1.64f64.sqrt()).abs() < 1e-15);
        assert_eq!(forbes_rigobon(0.6, 0.0).unwrap(), 0.6);
        assert_eq!(forbes_rigobon(1.0, 5.0).unwrap(), 1.0);
        assert_eq!(forbes_rigobon(-1.0, 5.0).unwrap(), -1.0);
        assert_eq!(forbes_rigobon(0.0, 5.0).unwrap(), 0.0);
        // a calmer regime adjusts upwards, never past 1
        let up = forbes_rigobon(0.9, -0.99).unwrap();
        assert!(up > 0.9 && up <= 1.0, "{up}");
        assert_eq!(variance_increase(4.0, 2.0), Some(1.0));
        assert_eq!(variance_increase(4.0, 0.0), None);
        assert!(forbes_rigobon(0.5, -1.0).is_err());
        assert!(forbes_rigobon(1.1, 0.5).is_err());
    }

    /// The model behind the formula: y = βx + e with x's variance scaled by 1 + δ. The
    /// population correlation in the volatile regime, adjusted, is the calm one.
    #[test]
    fn undoes_the_volatility_bias() {
        let (beta, var_x, var_e) = (0.8f64, 1.0f64, 2.0f64);
        let corr = |vx: f64| beta * vx.sqrt() / (beta * beta * vx + var_e).sqrt();
        let calm = corr(var_x);
        for delta in [0.5, 1.0, 3.0, 10.0] {
            let high = corr(var_x * (1.0 + delta));
            assert!(high > calm);
            let adj = forbes_rigobon(high, delta).unwrap();
            assert!((adj - calm).abs() < 1e-14, "{delta}: {adj} {calm}");
        }
    }
}
