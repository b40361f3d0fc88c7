//! Ordinary least squares by Householder QR.

use crate::{Result, StatsError};

/// Relative tolerance of the rank check in [`ols`]: column `j` counts as collinear when
/// `|R_jj| <= COLLINEAR_RTOL · ‖x_j‖₂`, i.e. when the part of `x_j` orthogonal to the columns
/// before it is at most this share of the column's own length (the sine of the angle between
/// `x_j` and the span of `x_0 … x_{j-1}`).
pub const COLLINEAR_RTOL: f64 = 1e-10;

/// A least-squares fit `y = Xβ + e` (see [`ols`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OlsFit {
    /// The coefficients `β`, one per column of `X`, in column order.
    pub coef: Vec<f64>,
    /// Sum of squared residuals `SSR = Σ eᵢ²`.
    pub ssr: f64,
    /// Observations `n` (rows of `X`).
    pub nobs: usize,
    /// Residual degrees of freedom `n - k` (k = number of columns, the constant included).
    pub df_resid: usize,
}

impl OlsFit {
    /// Number of estimated coefficients `k` (the constant included).
    pub fn k(&self) -> usize {
        self.coef.len()
    }

    /// Gaussian log-likelihood at the estimate, as statsmodels `OLS(..).fit().llf`:
    /// `llf = -n/2 · (ln(2π) + ln(SSR/n) + 1)`.
    pub fn llf(&self) -> f64 {
        let n = self.nobs as f64;
        -n / 2.0 * ((2.0 * std::f64::consts::PI).ln() + (self.ssr / n).ln() + 1.0)
    }

    /// Akaike information criterion as statsmodels reports it: `aic = -2·llf + 2k`.
    pub fn aic(&self) -> f64 {
        -2.0 * self.llf() + 2.0 * self.k() as f64
    }

    /// Bayesian (Schwarz) information criterion as statsmodels: `bic = -2·llf + k·ln n`.
    pub fn bic(&self) -> f64 {
        -2.0 * self.llf() + self.k() as f64 * (self.nobs as f64).ln()
    }

    /// Residual variance `s² = SSR / (n - k)`; `None` when `n = k`.
    pub fn sigma2(&self) -> Option<f64> {
        (self.df_resid > 0).then(|| self.ssr / self.df_resid as f64)
    }
}

/// Least squares `min ‖y - Xβ‖₂` by Householder QR (no pivoting).
///
/// **Layout.** `columns` is the design matrix **column-major**: `columns[j]` is the j-th
/// regressor, a slice of `y.len()` values. A constant is not added: pass a column of ones
/// for an intercept.
///
/// **Algorithm.** `X = QR` by Householder reflections, applied to `y` as well, so
/// `Qᵀy = (c, d)`; then `Rβ = c` by back substitution and `SSR = ‖d‖²` (the residual norm
/// straight from the orthogonal transform, without the cancellation of `yᵀy - βᵀXᵀy`).
///
/// **Rank.** Column `j` is rejected as collinear ([`StatsError::Collinear`] naming it) when
/// `|R_jj| <= COLLINEAR_RTOL · ‖x_j‖₂` ([`COLLINEAR_RTOL`] = 1e-10) or `x_j` is all zeros:
/// it is then (numerically) a linear combination of the columns before it, e.g. a constant
/// regressor next to the intercept, or a duplicated series.
///
/// Errors: inputs of different lengths ([`StatsError::LengthMismatch`]); no columns or fewer
/// rows than columns ([`StatsError::TooFewObservations`]); a NaN/infinite value
/// ([`StatsError::NonFinite`], index into `y` or, for `X`, `j·n + i`); collinear columns.
pub fn ols(y: &[f64], columns: &[&[f64]]) -> Result<OlsFit> {
    const WHAT: &str = "least squares";
    let n = y.len();
    let k = columns.len();
    for c in columns {
        if c.len() != n {
            return Err(StatsError::LengthMismatch(n, c.len()));
        }
    }
    if k == 0 || n < k {
        return Err(StatsError::TooFewObservations {
            what: WHAT,
            got: n,
            need: k.max(1),
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: WHAT,
            index: i,
        });
    }
    for (j, c) in columns.iter().enumerate() {
        if let Some(i) = c.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::NonFinite {
                what: WHAT,
                index: j * n + i,
            });
        }
    }
    let mut a: Vec<Vec<f64>> = columns.iter().map(|c| c.to_vec()).collect();
    let norms: Vec<f64> = a.iter().map(|c| norm2(c)).collect();
    let mut qty = y.to_vec();
    let mut rdiag = vec![0.0; k];
    for j in 0..k {
        let alpha = norm2(&a[j][j..]);
        if !(norms[j] > 0.0) || !(alpha > COLLINEAR_RTOL * norms[j]) {
            return Err(StatsError::Collinear {
                what: WHAT,
                column: j,
            });
        }
        // v = x + sign(x₀)‖x‖e₀ (no cancellation); H = I - 2vvᵀ/(vᵀv); Hx = -sign(x₀)‖x‖e₀.
        let (head, tail) = a.split_at_mut(j + 1);
        let v = &mut head[j][j..];
        let r = if v[0] >= 0.0 { -alpha } else { alpha };
        v[0] -= r;
        let vtv = v.iter().map(|x| x * x).sum::<f64>();
        for col in tail.iter_mut() {
            reflect(v, vtv, &mut col[j..]);
        }
        reflect(v, vtv, &mut qty[j..]);
        rdiag[j] = r;
    }
    let mut coef = vec![0.0; k];
    for j in (0..k).rev() {
        let mut s = qty[j];
        for (l, c) in coef.iter().enumerate().skip(j + 1) {
            s -= a[l][j] * c;
        }
        coef[j] = s / rdiag[j];
    }
    let ssr = qty[k..].iter().map(|x| x * x).sum::<f64>();
    Ok(OlsFit {
        coef,
        ssr,
        nobs: n,
        df_resid: n - k,
    })
}

/// `w ← w - 2v(vᵀw)/(vᵀv)`.
fn reflect(v: &[f64], vtv: f64, w: &mut [f64]) {
    let dot = v.iter().zip(w.iter()).map(|(a, b)| a * b).sum::<f64>();
    let f = 2.0 * dot / vtv;
    for (wi, vi) in w.iter_mut().zip(v) {
        *wi -= f * vi;
    }
}

/// Euclidean norm, scaled by the largest magnitude so it neither over- nor underflows.
fn norm2(x: &[f64]) -> f64 {
    let m = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 {
        return 0.0;
    }
    m * x.iter().map(|v| (v / m) * (v / m)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y: Vec<f64> = x.iter().map(|v| 2.0 + 3.0 * v).collect();
        let ones = [1.0; 5];
        let f = ols(&y, &[&ones, &x]).unwrap();
        assert!((f.coef[0] - 2.0).abs() < 1e-13 && (f.coef[1] - 3.0).abs() < 1e-13);
        assert!(f.ssr < 1e-24);
        assert_eq!((f.nobs, f.df_resid, f.k()), (5, 3, 2));
    }

    #[test]
    fn known_regression() {
        // y = [1, 3, 2, 5, 4], x = [1..5]: slope 0.8, intercept 0.6, SSR 3.6
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 3.0, 2.0, 5.0, 4.0];
        let f = ols(&y, &[&[1.0; 5], &x]).unwrap();
        assert!((f.coef[0] - 0.6).abs() < 1e-14, "{:?}", f.coef);
        assert!((f.coef[1] - 0.8).abs() < 1e-14);
        assert!((f.ssr - 3.6).abs() < 1e-13);
        assert!((f.sigma2().unwrap() - 1.2).abs() < 1e-13);
    }

    #[test]
    fn collinear_columns_are_rejected() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let x2: Vec<f64> = x.iter().map(|v| 2.0 * v - 1.0).collect();
        let ones = [1.0; 4];
        let y = [1.0, 0.0, 2.0, 1.0];
        assert_eq!(
            ols(&y, &[&ones, &x, &x2]),
            Err(StatsError::Collinear {
                what: "least squares",
                column: 2
            })
        );
        // a constant regressor next to the intercept
        assert!(matches!(
            ols(&y, &[&ones, &[7.0; 4]]),
            Err(StatsError::Collinear { column: 1, .. })
        ));
        assert!(matches!(
            ols(&y, &[&[0.0; 4]]),
            Err(StatsError::Collinear { column: 0, .. })
        ));
    }

    #[test]
    fn bad_inputs() {
        assert!(matches!(
            ols(&[1.0], &[&[1.0], &[2.0]]),
            Err(StatsError::TooFewObservations { .. })
        ));
        assert!(matches!(
            ols(&[1.0, f64::NAN], &[&[1.0, 1.0]]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert_eq!(
            ols(&[1.0, 2.0], &[&[1.0]]),
            Err(StatsError::LengthMismatch(2, 1))
        );
    }
}
