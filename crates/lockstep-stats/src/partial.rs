//! Partial correlation of two series given k control series: full-sample ([`partial_corr`])
//! and rolling per window ([`RollingPartialCorrelation`]), with the Fisher interval on
//! `n − 3 − k` degrees of freedom ([`partial_interval`]).

use crate::fisher::fisher_interval;
use crate::leadlag::f_sf;
use crate::{Result, StatsError};

/// The collinearity rule of the partial correlation: a series is (numerically) a linear
/// combination of the constant and the controls when they leave at most this share of its
/// sum of squared deviations unexplained, i.e. `R² ≥ 1 − 10⁻⁹` in its regression on them. Far
/// above the rounding of either algorithm (below 10⁻¹¹ for windows up to 250 returns), far
/// below any share met in market data.
pub const PARTIAL_COLLINEAR_SHARE: f64 = 1e-9;

const WHAT: &str = "partial correlation";

/// A partial correlation `r` of x and y given `k` controls, estimated from `n` observations
/// (see [`partial_corr`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartialCorr {
    /// The partial correlation, in [-1, 1].
    pub r: f64,
    /// Observations.
    pub n: usize,
    /// Number of controls.
    pub k: usize,
}

impl PartialCorr {
    /// Fisher interval on `n − 3 − k` degrees of freedom, see [`partial_interval`].
    pub fn interval(&self, confidence: f64) -> Result<Option<(f64, f64)>> {
        partial_interval(self.r, self.n, self.k, confidence)
    }

    /// Two-sided p-value of `H0: ρ_xy·z = 0`, see [`partial_p_value`].
    pub fn p_value(&self) -> Option<f64> {
        partial_p_value(self.r, self.n, self.k)
    }
}

/// Confidence interval of a partial correlation `r` given `k` controls from `n` observations,
/// by Fisher's z transform with `n − 3 − k` degrees of freedom:
///
/// ```text
/// z = atanh(r),  se = 1/√(n − 3 − k),  [lo, hi] = tanh(z ∓ z_{(1+c)/2} · se)
/// ```
///
/// (the interval of [`fisher_interval`] with `n − k` observations; pingouin `partial_corr`'s
/// `CI95`, which it rounds to 6 decimals). `None` when `n − 3 − k ≤ 0` or r is not finite.
pub fn partial_interval(r: f64, n: usize, k: usize, confidence: f64) -> Result<Option<(f64, f64)>> {
    fisher_interval(r, n as f64 - k as f64, confidence)
}

/// Two-sided p-value of a partial correlation `r` given `k` controls from `n` observations,
/// by Student's t with `n − 2 − k` degrees of freedom (pingouin `partial_corr`'s `p_val`,
/// scipy `pearsonr`'s for k = 0):
///
/// ```text
/// t = r · √((n − 2 − k)/(1 − r²)),   p = P(|T_{n−2−k}| > |t|) = I_{df/(df+t²)}(df/2, 1/2)
/// ```
///
/// `0` when |r| = 1; `None` when `n − 2 − k < 1` or r is not finite.
pub fn partial_p_value(r: f64, n: usize, k: usize) -> Option<f64> {
    if !r.is_finite() || n < k + 3 {
        return None;
    }
    let df = (n - 2 - k) as f64;
    let r2 = (r * r).min(1.0);
    if r2 == 1.0 {
        return Some(0.0);
    }
    let t2 = r2 * df / (1.0 - r2);
    Some(f_sf(t2, 1.0, df))
}

/// Partial correlation of x and y given the controls `z₁ … z_k` (k ≥ 0; k = 0 is Pearson's r):
/// the correlation of what is left of x and of y once each is regressed on a constant and the
/// controls,
///
/// ```text
/// e_x = x − (a_x + Z b_x),   e_y = y − (a_y + Z b_y)        (least squares)
/// r_xy·z = Σ e_x e_y / √(Σ e_x² · Σ e_y²),   -1 ≤ r ≤ 1
/// ```
///
/// equal to `−P_xy/√(P_xx P_yy)` with `P` the inverse of the covariance matrix of
/// `(x, y, z₁…z_k)` (pingouin `partial_corr`, which computes it that way). With one control
/// `r_xy·z = (r_xy − r_xz r_yz)/√((1 − r_xz²)(1 − r_yz²))`.
///
/// **Algorithm (residual on residual, stable).** Every column is centred twice (the mean
/// subtracted, then the mean of the result, which removes the rounding of the first pass at
/// price-like levels) and scaled by its largest magnitude (r is scale-free, and no square
/// under- or overflows). The controls are orthonormalised by modified Gram–Schmidt applied
/// twice ("twice is enough"), x and y are projected off them twice, and r is the correlation
/// of the two residual vectors. No cross-product matrix is formed, so nothing is squared
/// before it is solved.
///
/// **Undefined and invalid cases.**
/// * x or y constant: `Ok(None)` (r is 0/0, as for [`crate::pearson`]).
/// * A control that the constant and the controls before it explain exactly (a constant
///   control, a duplicated control) or an x or y that the controls explain exactly (a control
///   equal to a leg, or an affine function of it): [`StatsError::CollinearControl`] naming it.
///   "Exactly" means all but [`PARTIAL_COLLINEAR_SHARE`] of its variance.
/// * Fewer than `k + 3` observations ([`StatsError::TooFewObservations`]), inputs of
///   different lengths ([`StatsError::LengthMismatch`]), a NaN or infinite value
///   ([`StatsError::NonFinite`], its index in the concatenation `x, y, z₁, …, z_k`).
pub fn partial_corr(x: &[f64], y: &[f64], controls: &[&[f64]]) -> Result<Option<PartialCorr>> {
    let n = x.len();
    let k = controls.len();
    for len in std::iter::once(y.len()).chain(controls.iter().map(|c| c.len())) {
        if len != n {
            return Err(StatsError::LengthMismatch(n, len));
        }
    }
    if n < k + 3 {
        return Err(StatsError::TooFewObservations {
            what: WHAT,
            got: n,
            need: k + 3,
        });
    }
    let columns = std::iter::once(x)
        .chain(std::iter::once(y))
        .chain(controls.iter().copied());
    for (j, c) in columns.enumerate() {
        if let Some(i) = c.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::NonFinite {
                what: WHAT,
                index: j * n + i,
            });
        }
    }
    // Orthonormal basis of the centred controls.
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(k);
    for (j, c) in controls.iter().enumerate() {
        let collinear = || StatsError::CollinearControl {
            what: WHAT,
            series: format!("control {}", j + 1),
            of: "the constant and the controls before it",
        };
        let (mut v, ss0) = centred(c).ok_or_else(collinear)?;
        project_out(&mut v, &basis);
        let ss = dot(&v, &v);
        if !(ss > PARTIAL_COLLINEAR_SHARE * ss0) {
            return Err(collinear());
        }
        let norm = ss.sqrt();
        v.iter_mut().for_each(|e| *e /= norm);
        basis.push(v);
    }
    let (Some((mut ex, sx0)), Some((mut ey, sy0))) = (centred(x), centred(y)) else {
        return Ok(None);
    };
    project_out(&mut ex, &basis);
    project_out(&mut ey, &basis);
    let (sx, sy) = (dot(&ex, &ex), dot(&ey, &ey));
    for (name, ss, ss0) in [("x", sx, sx0), ("y", sy, sy0)] {
        if !(ss > PARTIAL_COLLINEAR_SHARE * ss0) {
            return Err(StatsError::CollinearControl {
                what: WHAT,
                series: name.to_string(),
                of: "the controls",
            });
        }
    }
    let r = (dot(&ex, &ey) / (sx.sqrt() * sy.sqrt())).clamp(-1.0, 1.0);
    Ok(Some(PartialCorr { r, n, k }))
}

/// The column centred twice and scaled by its largest magnitude, with its sum of squares;
/// `None` when it is constant (all deviations exactly 0).
fn centred(c: &[f64]) -> Option<(Vec<f64>, f64)> {
    let n = c.len() as f64;
    let m = c.iter().sum::<f64>() / n;
    let mut v: Vec<f64> = c.iter().map(|e| e - m).collect();
    let m2 = v.iter().sum::<f64>() / n;
    v.iter_mut().for_each(|e| *e -= m2);
    let scale = v.iter().fold(0.0f64, |a, e| a.max(e.abs()));
    if !(scale > 0.0) || c.iter().all(|e| *e == c[0]) {
        return None;
    }
    v.iter_mut().for_each(|e| *e /= scale);
    let ss = dot(&v, &v);
    Some((v, ss))
}

/// `v ← v − Q Qᵀ v` for the orthonormal columns `Q`, by modified Gram–Schmidt, twice.
fn project_out(v: &mut [f64], basis: &[Vec<f64>]) {
    for _ in 0..2 {
        for q in basis {
            let c = dot(v, q);
            v.iter_mut().zip(q).for_each(|(e, qi)| *e -= c * qi);
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Rolling partial correlation of x and y given `k` controls over the last `window`
/// observations: on each full window, the [`partial_corr`] of its rows,
///
/// ```text
/// r_xy·z = S_xy / √(S_xx S_yy),   S = C_[xy][xy] − C_[xy]Z C_ZZ⁻¹ C_Z[xy]
/// ```
///
/// with `C` the centred cross-product matrix of the window's `(z₁…z_k, x, y)` and `S` its Schur
/// complement: the cross products of the residuals of x and y on the constant and the controls.
///
/// **Algorithm (streaming, stable).** The [`crate::RollingMoments`] scheme for `d = k + 2`
/// columns: the inputs are cut into blocks of `window` rows; the window ending at position `j`
/// of block `b` is the suffix of block `b − 1` after `j` plus the prefix of block `b` up to
/// `j`; every sum (`Σv_i`, `Σv_i v_j`) is of the values shifted by the **first row of block
/// `b`**, a row of every such window, so each `|v|` is at most the window's range whatever the
/// level (1e9 moving by cents, a spike long gone) and a constant column of the window sums to
/// exactly 0. `C_ij = Σv_i v_j − Σv_i Σv_j / w`. Each step costs O(d²) (plus O(w·d²) once per
/// block for the suffix sums) and O(d³) for the solve: a Cholesky elimination of the controls
/// in order, each pivot checked against [`PARTIAL_COLLINEAR_SHARE`] of its diagonal, then the
/// same check on `S_xx`, `S_yy`. The relative rounding of `C` is of the order of `w²ε` (that
/// of [`crate::RollingMoments`]), so r agrees with [`partial_corr`] on the window to about
/// `w²ε / (1 − R²)`, `R²` that of x or y on the controls (tested to 1e-10 against the
/// full-sample form on market-like data, at levels of 1e9 and on constant windows).
///
/// `None` during the warm-up (`window − 1` rows), while the window holds a NaN or infinity
/// (recovering as it leaves), where x or y is constant on the window, and where a control is
/// constant or the controls explain x, y or another control exactly (the cases where
/// [`partial_corr`] errs: a window has no error of its own). The Fisher interval of a value is
/// [`partial_interval`]`(r, window, k, c)`.
#[derive(Clone, Debug)]
pub struct RollingPartialCorrelation {
    w: usize,
    k: usize,
    d: usize,
    /// Position in the current block of the next row.
    j: usize,
    /// A whole block has been seen.
    full: bool,
    /// The last `w` rows `(z₁…z_k, x, y)`, row `p` at `p·d`.
    ring: Vec<f64>,
    /// The first row of the current block.
    shift: Vec<f64>,
    /// Sums of the current block so far: `d` linear sums, then the `d × d` products (upper
    /// triangle used).
    pre: Vec<f64>,
    /// Suffix sums of the previous block shifted by `shift`, row `p` = positions `p..w`; row
    /// `w` is 0.
    suf: Vec<f64>,
    /// Scratch: a row, the window's sums and the matrix being eliminated.
    v: Vec<f64>,
    t: Vec<f64>,
    a: Vec<f64>,
}

impl RollingPartialCorrelation {
    /// Partial correlation given `k` controls over `window >= k + 3` rows.
    pub fn new(window: usize, k: usize) -> Result<Self> {
        if window < k + 3 {
            return Err(StatsError::WindowTooShort {
                what: "rolling partial correlation",
                window,
                min: k + 3,
            });
        }
        let d = k + 2;
        let m = d + d * d;
        Ok(RollingPartialCorrelation {
            w: window,
            k,
            d,
            j: 0,
            full: false,
            ring: vec![0.0; window * d],
            shift: vec![0.0; d],
            pre: vec![0.0; m],
            suf: vec![0.0; (window + 1) * m],
            v: vec![0.0; d],
            t: vec![0.0; m],
            a: vec![0.0; d * d],
        })
    }

    /// The window length.
    pub fn window(&self) -> usize {
        self.w
    }

    /// The number of controls.
    pub fn controls(&self) -> usize {
        self.k
    }

    /// Forget all inputs.
    pub fn reset(&mut self) {
        self.j = 0;
        self.full = false;
        self.pre.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Add a row (x, y and the `k` controls' values); the partial correlation of the last
    /// `window` rows when defined. Panics when `controls.len() != k` (use
    /// [`RollingPartialCorrelation::over`] for checked batch input).
    pub fn next(&mut self, x: f64, y: f64, controls: &[f64]) -> Option<f64> {
        assert_eq!(controls.len(), self.k, "one value per control");
        let (w, d, j) = (self.w, self.d, self.j);
        let k = self.k;
        self.v[..k].copy_from_slice(controls);
        self.v[k] = x;
        self.v[k + 1] = y;
        if j == 0 {
            // The ring still holds the previous block: its suffix sums come first.
            self.begin_block();
        }
        let row = &mut self.ring[j * d..(j + 1) * d];
        row.copy_from_slice(&self.v);
        add_row(&mut self.pre, row, &self.shift, &mut self.v);
        let full = self.full || j + 1 == w;
        if j + 1 == w {
            self.j = 0;
            self.full = true;
        } else {
            self.j = j + 1;
        }
        if !full {
            return None;
        }
        let m = self.pre.len();
        let suf = &self.suf[(j + 1) * m..(j + 2) * m];
        for ((t, s), p) in self.t.iter_mut().zip(suf).zip(&self.pre) {
            *t = s + p;
        }
        self.solve()
    }

    /// Batch form of [`RollingPartialCorrelation::next`]: `controls[c][i]` is control `c` at
    /// row `i`. Errors when a length differs from `x.len()` or there are not `k` controls
    /// ([`StatsError::LengthMismatch`] with `k` and the number given).
    pub fn over(&mut self, x: &[f64], y: &[f64], controls: &[&[f64]]) -> Result<Vec<Option<f64>>> {
        if controls.len() != self.k {
            return Err(StatsError::LengthMismatch(self.k, controls.len()));
        }
        for len in std::iter::once(y.len()).chain(controls.iter().map(|c| c.len())) {
            if len != x.len() {
                return Err(StatsError::LengthMismatch(x.len(), len));
            }
        }
        let mut row = vec![0.0; self.k];
        Ok((0..x.len())
            .map(|i| {
                for (r, c) in row.iter_mut().zip(controls) {
                    *r = c[i];
                }
                self.next(x[i], y[i], &row)
            })
            .collect())
    }

    /// Start a block with the row in `self.v`: the suffix sums of the previous block (in the
    /// ring) shifted by it.
    fn begin_block(&mut self) {
        self.shift.copy_from_slice(&self.v);
        let m = self.pre.len();
        if self.full {
            let (w, d) = (self.w, self.d);
            let mut scratch = vec![0.0; d];
            self.suf[w * m..].iter_mut().for_each(|v| *v = 0.0);
            for p in (0..w).rev() {
                let (head, tail) = self.suf.split_at_mut((p + 1) * m);
                let dst = &mut head[p * m..];
                dst.copy_from_slice(&tail[..m]);
                add_row(
                    dst,
                    &self.ring[p * d..(p + 1) * d],
                    &self.shift,
                    &mut scratch,
                );
            }
        }
        self.pre.iter_mut().for_each(|v| *v = 0.0);
    }

    /// The partial correlation from the window's shifted sums `t`.
    fn solve(&mut self) -> Option<f64> {
        let (d, k) = (self.d, self.k);
        let t = &self.t;
        if t.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let inv_w = 1.0 / self.w as f64;
        let a = &mut self.a;
        for i in 0..d {
            let mi = t[i] * inv_w;
            for jj in i..d {
                a[i * d + jj] = t[d + i * d + jj] - t[jj] * mi;
            }
        }
        let diag = |a: &[f64], i: usize| a[i * d + i];
        let diag0: [f64; 2] = [diag(a, k), diag(a, k + 1)];
        for p in 0..k {
            let piv = a[p * d + p];
            // The diagonal before elimination: the control's own sum of squared deviations.
            let own = t[d + p * d + p] - t[p] * t[p] * inv_w;
            if !(own > 0.0) || !(piv > PARTIAL_COLLINEAR_SHARE * own) {
                return None;
            }
            for i in p + 1..d {
                let f = a[p * d + i] / piv;
                for jj in i..d {
                    a[i * d + jj] -= f * a[p * d + jj];
                }
            }
        }
        let (sxx, sxy, syy) = (a[k * d + k], a[k * d + k + 1], a[(k + 1) * d + k + 1]);
        let defined = diag0[0] > 0.0
            && diag0[1] > 0.0
            && sxx > PARTIAL_COLLINEAR_SHARE * diag0[0]
            && syy > PARTIAL_COLLINEAR_SHARE * diag0[1];
        if !defined {
            return None;
        }
        Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
    }
}

/// Add the row `row − shift` to the sums `s` (linear sums, then the upper triangle of the
/// products).
/// `v` is scratch of the row's length.
#[inline]
fn add_row(s: &mut [f64], row: &[f64], shift: &[f64], v: &mut [f64]) {
    let d = row.len();
    for ((vi, r), k) in v.iter_mut().zip(row).zip(shift) {
        *vi = r - k;
    }
    for i in 0..d {
        s[i] += v[i];
        let base = d + i * d;
        for jj in i..d {
            s[base + jj] += v[i] * v[jj];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ols, pearson, Xoshiro256};

    /// Uniform noise on [-0.5, 0.5) from xoshiro256** (streams of an LCG started at nearby
    /// seeds are affine functions of each other between wraps: useless as independent
    /// regressors).
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut g = Xoshiro256::new(seed);
        (0..n).map(|_| g.uniform() - 0.5).collect()
    }

    /// Residual-on-residual by the crate's Householder least squares: an independent route.
    fn reference(x: &[f64], y: &[f64], controls: &[&[f64]]) -> f64 {
        let n = x.len();
        let ones = vec![1.0; n];
        let mut cols: Vec<&[f64]> = vec![&ones];
        cols.extend_from_slice(controls);
        let resid = |v: &[f64]| -> Vec<f64> {
            let fit = ols(v, &cols).unwrap();
            (0..n)
                .map(|i| {
                    v[i] - cols
                        .iter()
                        .zip(&fit.coef)
                        .map(|(c, b)| c[i] * b)
                        .sum::<f64>()
                })
                .collect()
        };
        pearson(&resid(x), &resid(y)).unwrap()
    }

    /// A = market + noise, B = market + noise, C = another factor in A only.
    fn market(n: usize, seed: u64) -> [Vec<f64>; 4] {
        let m = noise(n, seed);
        let c = noise(n, seed + 1);
        let (ea, eb) = (noise(n, seed + 2), noise(n, seed + 3));
        let a = (0..n).map(|i| m[i] + 0.5 * c[i] + 0.7 * ea[i]).collect();
        let b = (0..n).map(|i| 0.8 * m[i] + 0.6 * eb[i]).collect();
        [a, b, m, c]
    }

    #[test]
    fn market_explains_the_raw_correlation() {
        let [a, b, m, c] = market(5000, 1);
        let raw = pearson(&a, &b).unwrap();
        let p = partial_corr(&a, &b, &[&m]).unwrap().unwrap();
        assert!(raw > 0.5, "{raw}");
        assert!(p.r.abs() < 0.05, "{p:?}");
        assert_eq!((p.n, p.k), (5000, 1));
        let (lo, hi) = p.interval(0.95).unwrap().unwrap();
        assert!(lo < 0.0 && 0.0 < hi);
        assert!(p.p_value().unwrap() > 0.01);
        // two controls
        let p2 = partial_corr(&a, &b, &[&m, &c]).unwrap().unwrap();
        assert!((p2.r - reference(&a, &b, &[&m, &c])).abs() < 1e-13);
    }

    #[test]
    fn equals_residual_on_residual_and_the_one_control_formula() {
        let [a, b, m, c] = market(300, 7);
        for ctrl in [vec![&m[..]], vec![&m[..], &c[..]], vec![]] {
            let got = partial_corr(&a, &b, &ctrl).unwrap().unwrap().r;
            assert!((got - reference(&a, &b, &ctrl)).abs() < 1e-14, "{got}");
        }
        let (rab, ram, rbm) = (
            pearson(&a, &b).unwrap(),
            pearson(&a, &m).unwrap(),
            pearson(&b, &m).unwrap(),
        );
        let formula = (rab - ram * rbm) / ((1.0 - ram * ram) * (1.0 - rbm * rbm)).sqrt();
        let got = partial_corr(&a, &b, &[&m]).unwrap().unwrap().r;
        assert!((got - formula).abs() < 1e-14);
        assert_eq!(partial_corr(&a, &b, &[]).unwrap().unwrap().r, {
            let r = pearson(&a, &b).unwrap();
            assert!((partial_corr(&a, &b, &[]).unwrap().unwrap().r - r).abs() < 1e-15);
            partial_corr(&a, &b, &[]).unwrap().unwrap().r
        });
    }

    #[test]
    fn collinear_controls_are_clear_errors() {
        let [a, b, m, _] = market(100, 3);
        let err = partial_corr(&a, &b, &[&a]).unwrap_err();
        assert_eq!(
            err,
            StatsError::CollinearControl {
                what: WHAT,
                series: "x".into(),
                of: "the controls"
            }
        );
        assert!(err
            .to_string()
            .contains("x is (numerically) a linear combination"));
        let affine: Vec<f64> = b.iter().map(|v| 3.0 - 2.0 * v).collect();
        assert!(matches!(
            partial_corr(&a, &b, &[&m, &affine]),
            Err(StatsError::CollinearControl { series, .. }) if series == "y"
        ));
        assert!(matches!(
            partial_corr(&a, &b, &[&[0.5; 100]]),
            Err(StatsError::CollinearControl { series, .. }) if series == "control 1"
        ));
        assert!(matches!(
            partial_corr(&a, &b, &[&m, &m]),
            Err(StatsError::CollinearControl { series, .. }) if series == "control 2"
        ));
        // constant leg: undefined, not an error
        assert_eq!(partial_corr(&[2.0; 100], &b, &[&m]).unwrap(), None);
        assert!(matches!(
            partial_corr(&a[..3], &b[..3], &[&m[..3]]),
            Err(StatsError::TooFewObservations { need: 4, .. })
        ));
        let mut bad = a.clone();
        bad[5] = f64::NAN;
        assert!(matches!(
            partial_corr(&a, &b, &[&bad]),
            Err(StatsError::NonFinite { index: 205, .. })
        ));
        assert_eq!(
            partial_corr(&a, &b[..99], &[&m]),
            Err(StatsError::LengthMismatch(100, 99))
        );
    }

    #[test]
    fn interval_and_p_value_use_n_minus_k() {
        let (lo, hi) = partial_interval(0.3, 50, 2, 0.95).unwrap().unwrap();
        assert_eq!(
            (lo, hi),
            crate::fisher_interval(0.3, 48.0, 0.95).unwrap().unwrap()
        );
        assert_eq!(partial_interval(0.3, 5, 2, 0.95).unwrap(), None);
        assert_eq!(partial_p_value(1.0, 10, 1), Some(0.0));
        assert_eq!(partial_p_value(0.0, 10, 1), Some(1.0));
        assert_eq!(partial_p_value(0.2, 3, 1), None);
    }

    /// Every window of the rolling form against the full-sample form on the window's rows.
    fn check_rolling(a: &[f64], b: &[f64], ctrl: &[&[f64]], w: usize, tol: f64) -> usize {
        let got = RollingPartialCorrelation::new(w, ctrl.len())
            .unwrap()
            .over(a, b, ctrl)
            .unwrap();
        let mut defined = 0;
        for (i, g) in got.iter().enumerate() {
            if i + 1 < w {
                assert_eq!(*g, None, "{i}");
                continue;
            }
            let s = i + 1 - w..i + 1;
            let cs: Vec<&[f64]> = ctrl.iter().map(|c| &c[s.clone()]).collect();
            let want = match partial_corr(&a[s.clone()], &b[s.clone()], &cs) {
                Ok(v) => v.map(|p| p.r),
                Err(StatsError::CollinearControl { .. }) | Err(StatsError::NonFinite { .. }) => {
                    None
                }
                Err(e) => panic!("{e}"),
            };
            match (*g, want) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    defined += 1;
                    assert!((g - w).abs() <= tol, "{i}: {g} vs {w}");
                }
                other => panic!("{i}: {other:?}"),
            }
        }
        defined
    }

    #[test]
    fn rolling_equals_full_sample_on_every_window() {
        let [a, b, m, c] = market(700, 21);
        for w in [5, 30, 90, 250] {
            assert_eq!(check_rolling(&a, &b, &[&m], w, 1e-12), 701 - w);
            assert_eq!(check_rolling(&a, &b, &[&m, &c], w, 1e-11), 701 - w);
        }
        assert_eq!(check_rolling(&a, &b, &[], 40, 1e-13), 661);
    }

    #[test]
    fn rolling_at_huge_levels() {
        // Prices around 1e9 moving by about a unit, and a control near 1e-9 in scale.
        let [a, b, m, _] = market(600, 5);
        let big_a: Vec<f64> = a.iter().map(|v| 1e9 + v).collect();
        let big_b: Vec<f64> = b.iter().map(|v| -3e9 + 10.0 * v).collect();
        let tiny_m: Vec<f64> = m.iter().map(|v| 1e-9 * v).collect();
        assert_eq!(check_rolling(&big_a, &big_b, &[&tiny_m], 60, 1e-10), 541);
        // and the values are those of the unshifted data (to the rounding of the inputs)
        let small = RollingPartialCorrelation::new(60, 1)
            .unwrap()
            .over(&a, &b, &[&m])
            .unwrap();
        let big = RollingPartialCorrelation::new(60, 1)
            .unwrap()
            .over(&big_a, &big_b, &[&tiny_m])
            .unwrap();
        for (s, g) in small.iter().zip(&big).skip(59) {
            assert!((s.unwrap() - g.unwrap()).abs() < 1e-6);
        }
    }

    #[test]
    fn rolling_constant_collinear_and_nan_windows() {
        let n = 200;
        let [mut a, b, mut m, _] = market(n, 9);
        // a constant stretch of x (40 rows), a constant stretch of the control, a stretch
        // where the control equals y, and a NaN.
        a[20..60].iter_mut().for_each(|v| *v = 0.25);
        m[80..120].iter_mut().for_each(|v| *v = -1.0);
        for i in 130..170 {
            m[i] = 2.0 * b[i] + 1.0;
        }
        a[185] = f64::NAN;
        let w = 30;
        let got = RollingPartialCorrelation::new(w, 1)
            .unwrap()
            .over(&a, &b, &[&m])
            .unwrap();
        for (i, g) in got.iter().enumerate() {
            let s = (i + 1).saturating_sub(w)..i + 1;
            let inside = |r: std::ops::Range<usize>| s.start >= r.start && s.end <= r.end;
            if inside(20..60) || inside(80..120) || inside(130..170) || s.contains(&185) {
                assert_eq!(*g, None, "{i}");
            }
        }
        assert!(got[199].is_none() && got[184].is_some());
        // recovers once the NaN has left
        let mut more_a = a.clone();
        more_a.extend(noise(40, 77));
        let mut more_b = b.clone();
        more_b.extend(noise(40, 78));
        let mut more_m = m.clone();
        more_m.extend(noise(40, 79));
        let got = RollingPartialCorrelation::new(w, 1)
            .unwrap()
            .over(&more_a, &more_b, &[&more_m])
            .unwrap();
        assert!(got[214].is_none() && got[215].is_some());
        check_rolling(&a[..185], &b[..185], &[&m[..185]], w, 1e-11);
    }

    #[test]
    fn rolling_streaming_reset_and_bad_input() {
        let [a, b, m, _] = market(100, 2);
        let mut r = RollingPartialCorrelation::new(20, 1).unwrap();
        let batch = r.over(&a, &b, &[&m]).unwrap();
        r.reset();
        let again: Vec<_> = (0..100).map(|i| r.next(a[i], b[i], &[m[i]])).collect();
        assert_eq!(batch, again);
        assert_eq!((r.window(), r.controls()), (20, 1));
        assert!(RollingPartialCorrelation::new(3, 1).is_err());
        assert!(r.over(&a, &b, &[]).is_err());
        assert!(r.over(&a, &b[..50], &[&m]).is_err());
    }
}
