//! Tests for two dependent correlations that share a variable (r_ab against r_ac, same
//! sample): Williams' t as Steiger (1980) recommends it, which R's `psych::r.test` computes,
//! and Steiger's pooled z ([`dependent_corr_test`]).

use crate::corr_test::{check_r, normal_two_sided, t_two_sided};
use crate::{Result, StatsError};

/// The tests of `H0: ρ_ab = ρ_ac` for two correlations sharing the variable a, measured on
/// the same `n` observations (see [`dependent_corr_test`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DependentCorrTest {
    /// Williams' t (Steiger's T₂), positive when `r_ab > r_ac`.
    pub t: f64,
    /// Its degrees of freedom, `n − 3`.
    pub df: f64,
    /// Two-sided p-value of `t` (Student, `n − 3`): `psych::r.test(n, r12, r13, r23)$p`.
    pub p: f64,
    /// Steiger's Z₁* (pooled), positive when `r_ab > r_ac`.
    pub z: f64,
    /// Two-sided normal p-value of `z`.
    pub p_z: f64,
}

/// Tests of the difference of two dependent, overlapping correlations `r_ab` and `r_ac`
/// (A against B and A against C on the same days; e.g. ETH with ^RUT against ETH with SPY),
/// given the correlation `r_bc` of the two others and the number of observations `n`.
///
/// **Williams' t** (Williams 1959, the T₂ of Steiger 1980, eq. 7, which Steiger recommends
/// for this case; `psych::r.test(n, r12 = r_ab, r13 = r_ac, r23 = r_bc)` and
/// `psych::paired.r` compute it, and it is what those report):
///
/// ```text
/// |R| = 1 − r_ab² − r_ac² − r_bc² + 2 r_ab r_ac r_bc        (determinant of the 3×3 matrix)
/// r̄ = (r_ab + r_ac)/2
/// t = (r_ab − r_ac) · √( (n − 1)(1 + r_bc) / ( 2|R|(n − 1)/(n − 3) + r̄²(1 − r_bc)³ ) )
/// p = P(|T_{n−3}| > |t|)
/// ```
///
/// **Steiger's Z₁*** (Steiger 1980, eq. 14: Fisher's z of each correlation, their covariance
/// from the pooled r̄; cocor's `steiger1980`):
///
/// ```text
/// ψ = r_bc(1 − 2r̄²) − ½ r̄²(1 − 2r̄² − r_bc²),   c = ψ / (1 − r̄²)²
/// z = (atanh r_ab − atanh r_ac) · √(n − 3) / √(2 − 2c),   p_z = 2·(1 − Φ(|z|))
/// ```
///
/// The two agree closely for moderate n; Williams' t is the one to quote (it is the R
/// reference). `None` when `n <= 3`, when |r_ab| or |r_ac| is 1, or when a denominator is 0
/// (`r_bc = 1`: B and C are the same series). Errors when a correlation is outside [-1, 1] or
/// NaN, or when the three cannot be the correlations of one sample (`|R| < 0` beyond
/// rounding).
pub fn dependent_corr_test(
    r_ab: f64,
    r_ac: f64,
    r_bc: f64,
    n: usize,
) -> Result<Option<DependentCorrTest>> {
    check_r("r_ab", r_ab)?;
    check_r("r_ac", r_ac)?;
    check_r("r_bc", r_bc)?;
    let det = 1.0 - r_ab * r_ab - r_ac * r_ac - r_bc * r_bc + 2.0 * r_ab * r_ac * r_bc;
    if det < -1e-12 {
        return Err(StatsError::InvalidParameter {
            what: "determinant of the correlation matrix of (a, b, c)",
            expected: "non-negative (the three correlations must come from one sample)",
            value: det,
        });
    }
    let det = det.max(0.0);
    if n <= 3 || r_ab.abs() == 1.0 || r_ac.abs() == 1.0 {
        return Ok(None);
    }
    let nf = n as f64;
    let av = (r_ab + r_ac) / 2.0;
    let cube = (1.0 - r_bc).powi(3);
    let den = 2.0 * (nf - 1.0) / (nf - 3.0) * det + av * av * cube;
    let av2 = av * av;
    let psi = r_bc * (1.0 - 2.0 * av2) - 0.5 * av2 * (1.0 - 2.0 * av2 - r_bc * r_bc);
    let c = psi / ((1.0 - av2) * (1.0 - av2));
    if !(den > 0.0) || !(2.0 - 2.0 * c > 0.0) {
        return Ok(None);
    }
    let t = (r_ab - r_ac) * ((nf - 1.0) * (1.0 + r_bc) / den).sqrt();
    let z = (r_ab.atanh() - r_ac.atanh()) * (nf - 3.0).sqrt() / (2.0 - 2.0 * c).sqrt();
    Ok(Some(DependentCorrTest {
        t,
        df: nf - 3.0,
        p: t_two_sided(t, nf - 3.0),
        z,
        p_z: normal_two_sided(z),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `psych::r.test(n = 100, r12 = 0.5, r13 = 0.3, r23 = 0.4)` prints t = 2.06, p < 0.042
    /// (the full-precision values are pinned in the golden test).
    #[test]
    fn psych_example() {
        let t = dependent_corr_test(0.5, 0.3, 0.4, 100).unwrap().unwrap();
        assert!((t.t - 2.06).abs() < 0.005, "{t:?}");
        assert!((t.p - 0.042).abs() < 0.001, "{t:?}");
        assert!((t.z - t.t).abs() < 0.05, "{t:?}");
        let back = dependent_corr_test(0.3, 0.5, 0.4, 100).unwrap().unwrap();
        assert_eq!((back.t, back.z), (-t.t, -t.z));
        assert_eq!((back.p, back.p_z), (t.p, t.p_z));
    }

    #[test]
    fn equal_correlations_give_zero() {
        let t = dependent_corr_test(0.4, 0.4, 0.7, 50).unwrap().unwrap();
        assert_eq!((t.t, t.z, t.p, t.p_z), (0.0, 0.0, 1.0, 1.0));
    }

    #[test]
    fn undefined_and_invalid() {
        assert_eq!(dependent_corr_test(0.5, 0.3, 0.4, 3).unwrap(), None);
        assert_eq!(dependent_corr_test(1.0, 0.3, 0.3, 30).unwrap(), None);
        assert_eq!(dependent_corr_test(0.5, 0.5, 1.0, 30).unwrap(), None);
        assert!(dependent_corr_test(0.9, -0.9, 0.9, 30).is_err());
        assert!(dependent_corr_test(1.5, 0.3, 0.4, 30).is_err());
    }
}
