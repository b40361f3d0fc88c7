//! Fisher's z test for the difference of two correlations from independent samples
//! ([`fisher_z_test`]), and the normal and Student tail probabilities the tests share.

use statrs::function::gamma::checked_gamma_ur;

use crate::leadlag::f_sf;
use crate::{Result, StatsError};

/// A test statistic and its two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ZTest {
    /// The statistic (signed: positive when the first correlation is the larger).
    pub z: f64,
    /// Two-sided p-value `P(|Z| > |z|)` under the null of equal correlations.
    pub p: f64,
}

/// Two-sided normal tail `P(|Z| > |z|) = erfc(|z|/√2) = Q(½, z²/2)`, the regularized upper
/// incomplete gamma function (accurate to about 1e-15 relative, where statrs' `erfc` is to
/// about 1e-10; no cancellation for large |z|: tiny p-values keep their relative precision).
pub(crate) fn normal_two_sided(z: f64) -> f64 {
    let x = 0.5 * z * z;
    if !(x > 0.0) {
        return 1.0;
    }
    if x > 1000.0 {
        return 0.0;
    }
    checked_gamma_ur(0.5, x).unwrap_or(f64::NAN)
}

/// Two-sided Student tail `P(|T_df| > |t|) = I_{df/(df+t²)}(df/2, 1/2)`.
pub(crate) fn t_two_sided(t: f64, df: f64) -> f64 {
    f_sf(t * t, 1.0, df)
}

/// A correlation argument: finite and in [-1, 1].
pub(crate) fn check_r(what: &'static str, r: f64) -> Result<()> {
    if !(r.abs() <= 1.0) {
        return Err(StatsError::InvalidParameter {
            what,
            expected: "a correlation in [-1, 1]",
            value: r,
        });
    }
    Ok(())
}

/// Fisher's z test of `H0: ρ₁ = ρ₂` for correlations `r1`, `r2` from independent samples of
/// `n1`, `n2` observations (e.g. the risk-on and risk-off days, which share no day):
///
/// ```text
/// z = (atanh r₁ − atanh r₂) / √(1/(n₁ − 3) + 1/(n₂ − 3)),   p = 2·(1 − Φ(|z|))
/// ```
///
/// (Fisher 1921; `psych::r.test(n1, r12 = r1, r34 = r2, n2 = n2)` reports |z| and the same p).
/// The samples must not overlap: for a window inside the full period, or any two samples that
/// share days, use [`crate::bootstrap_corr_difference`].
///
/// `None` when `n1 <= 3` or `n2 <= 3` (no standard error) or when |r1| or |r2| is 1 (z is
/// infinite). Errors when a correlation is outside [-1, 1] or NaN.
pub fn fisher_z_test(r1: f64, n1: usize, r2: f64, n2: usize) -> Result<Option<ZTest>> {
    check_r("first correlation", r1)?;
    check_r("second correlation", r2)?;
    if n1 <= 3 || n2 <= 3 || r1.abs() == 1.0 || r2.abs() == 1.0 {
        return Ok(None);
    }
    let se = (1.0 / (n1 - 3) as f64 + 1.0 / (n2 - 3) as f64).sqrt();
    let z = (r1.atanh() - r2.atanh()) / se;
    Ok(Some(ZTest {
        z,
        p: normal_two_sided(z),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // z = (atanh .5 − atanh .3)/√(1/97 + 1/147) = 1.8020...; symmetric; tails
        let t = fisher_z_test(0.5, 100, 0.3, 150).unwrap().unwrap();
        let want = (0.5f64.atanh() - 0.3f64.atanh()) / (1.0 / 97.0 + 1.0 / 147.0f64).sqrt();
        assert!((t.z - want).abs() < 1e-15);
        let back = fisher_z_test(0.3, 150, 0.5, 100).unwrap().unwrap();
        assert_eq!((back.z, back.p), (-t.z, t.p));
        let p = normal_two_sided(1.959963984540054);
        assert!((p - 0.05).abs() < 1e-16, "{p:e}");
        // erfc(5) = 1.5374597944280351e-12 (Python math.erfc)
        assert!(
            (normal_two_sided(5.0 * std::f64::consts::SQRT_2) / 1.5374597944280351e-12 - 1.0).abs()
                < 1e-13
        );
        assert_eq!(normal_two_sided(0.0), 1.0);
        assert!(normal_two_sided(35.0) > 0.0);
        assert_eq!(normal_two_sided(1e300), 0.0);
        assert!((t_two_sided(2.0, 10.0) - 0.07338803477074037).abs() < 1e-14);
    }

    #[test]
    fn undefined_and_invalid() {
        assert_eq!(fisher_z_test(1.0, 100, 0.3, 150).unwrap(), None);
        assert_eq!(fisher_z_test(0.2, 3, 0.3, 150).unwrap(), None);
        assert!(fisher_z_test(1.2, 100, 0.3, 150).is_err());
        assert!(fisher_z_test(f64::NAN, 100, 0.3, 150).is_err());
    }
}
