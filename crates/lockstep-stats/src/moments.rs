use crate::window::PairWindow;
use crate::{Result, StatsError};

/// Centered moments of the pairs in one full window of `n` observations.
///
/// With means `x̄ = Σx/n`, `ȳ = Σy/n` the co-moments are `Sxx = Σ(x-x̄)²`, `Syy = Σ(y-ȳ)²`,
/// `Sxy = Σ(x-x̄)(y-ȳ)`. The flags `constant_x` / `constant_y` say that every value of that side
/// in the window is *bitwise equal*, so its variance is exactly zero whatever rounding left in
/// `Sxx` / `Syy`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// Observations in the window.
    pub n: usize,
    /// Mean of x.
    pub mean_x: f64,
    /// Mean of y.
    pub mean_y: f64,
    /// `Σ(x-x̄)²` (≥ 0).
    pub sxx: f64,
    /// `Σ(y-ȳ)²` (≥ 0).
    pub syy: f64,
    /// `Σ(x-x̄)(y-ȳ)`.
    pub sxy: f64,
    /// Every x in the window is the same value.
    pub constant_x: bool,
    /// Every y in the window is the same value.
    pub constant_y: bool,
}

impl Moments {
    /// Pearson correlation `r = Sxy / (√Sxx · √Syy)`, clamped to [-1, 1] against rounding.
    /// `None` when either side is constant (r is 0/0, undefined), as pandas should but does not
    /// always do (pandas #24019, polars #21491, TA-Lib #242 return garbage or ±inf there).
    #[inline]
    pub fn corr(&self) -> Option<f64> {
        if self.constant_x || self.constant_y || !(self.sxx > 0.0) || !(self.syy > 0.0) {
            return None;
        }
        let p = self.sxx * self.syy;
        // One square root unless the product under- or overflows (|x| scales beyond 1e±77).
        let den = if p.is_normal() {
            p.sqrt()
        } else {
            self.sxx.sqrt() * self.syy.sqrt()
        };
        Some((self.sxy / den).clamp(-1.0, 1.0))
    }

    /// Beta of **x on y**, `β = cov(x, y) / var(y) = Sxy / Syy`: the least-squares slope of x
    /// regressed on y, the sensitivity of the first input (the asset, A) to the second (the
    /// benchmark, B). `None` when y is constant.
    #[inline]
    pub fn beta(&self) -> Option<f64> {
        if self.constant_y || !(self.syy > 0.0) {
            return None;
        }
        Some(self.sxy / self.syy)
    }

    /// Sample variance of x, `Sxx / (n - 1)` (exactly 0 for a constant window).
    pub fn var_x(&self) -> f64 {
        if self.constant_x {
            0.0
        } else {
            self.sxx / (self.n as f64 - 1.0)
        }
    }

    /// Sample variance of y, `Syy / (n - 1)`.
    pub fn var_y(&self) -> f64 {
        if self.constant_y {
            0.0
        } else {
            self.syy / (self.n as f64 - 1.0)
        }
    }

    /// Sample covariance `Sxy / (n - 1)`.
    pub fn cov(&self) -> f64 {
        self.sxy / (self.n as f64 - 1.0)
    }
}

/// Recompute the sums exactly when a co-moment falls below this share of its recent peak.
const CANCEL: f64 = 1e-3;

/// Rolling centered moments of pairs `(x, y)` over the last `window` observations: the kernel
/// behind rolling Pearson correlation, beta and volatility.
///
/// **Algorithm.** When the window is first full (and after any NaN has left it) the moments are
/// computed by the two-pass formula on values shifted by a reference value `k` (the newest
/// pair), `x' = x - k`. Each further step replaces the oldest pair `(xo, yo)` by the new pair
/// `(xn, yn)` exactly (no approximation):
///
/// ```text
/// x̄' = x̄ + (xn - xo)/w
/// Sxx' = Sxx + (xn - x̄)(xn - x̄') - (xo - x̄)(xo - x̄')
/// Sxy' = Sxy + (xn - x̄)(yn - ȳ') - (xo - x̄)(yo - ȳ')
/// ```
///
/// and the two-pass computation is redone every `window` steps, so rounding error cannot build
/// up beyond one window's worth of updates (the cost is one extra pass, O(1) per step
/// amortized). It is also redone at once when `Sxx` or `Syy` falls below 1/1000 of its peak
/// since the last recomputation: that is when an outlier has left the window and the running
/// sums would be a difference of much larger numbers (the cancellation behind pandas' wrong
/// rolling values after a spike). The shift `k` keeps full precision for huge levels with tiny moves (prices near
/// 1e9 moving by cents): differences of nearby floats are exact (Sterbenz), so the deviations
/// carry no cancellation error. Constant windows are detected exactly by counting the run of
/// bitwise-equal trailing values, so a constant window has variance exactly 0, whatever
/// rounding left in the sums.
///
/// `next` returns `None` during the warm-up (`window - 1` inputs) and while the window holds a
/// NaN in either input.
#[derive(Clone, Debug)]
pub struct RollingMoments {
    win: PairWindow,
    inv_w: f64,
    valid: bool,
    since_anchor: usize,
    kx: f64,
    ky: f64,
    mx: f64,
    my: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    peak_xx: f64,
    peak_yy: f64,
    run_x: usize,
    run_y: usize,
    last_x: f64,
    last_y: f64,
}

impl RollingMoments {
    /// Rolling moments over `window` observations (`window >= 2`).
    pub fn new(window: usize) -> Result<Self> {
        if window < 2 {
            return Err(StatsError::WindowTooShort {
                what: "rolling moments",
                window,
                min: 2,
            });
        }
        Ok(RollingMoments {
            win: PairWindow::new(window),
            inv_w: 1.0 / window as f64,
            valid: false,
            since_anchor: 0,
            kx: 0.0,
            ky: 0.0,
            mx: 0.0,
            my: 0.0,
            sxx: 0.0,
            syy: 0.0,
            sxy: 0.0,
            peak_xx: 0.0,
            peak_yy: 0.0,
            run_x: 0,
            run_y: 0,
            last_x: f64::NAN,
            last_y: f64::NAN,
        })
    }

    /// The window length.
    pub fn window(&self) -> usize {
        self.win.capacity()
    }

    /// Forget all inputs.
    pub fn reset(&mut self) {
        self.win.clear();
        self.valid = false;
        self.run_x = 0;
        self.run_y = 0;
        self.last_x = f64::NAN;
        self.last_y = f64::NAN;
    }

    /// The pairs currently in the window, oldest first.
    pub fn values(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.win.iter()
    }

    /// Two-pass moments of the current window around the newest pair.
    fn anchor(&mut self) {
        let (kx, ky) = self.win.newest().unwrap_or((0.0, 0.0));
        let segs = self.win.segments();
        let (mut sx, mut sy) = (0.0, 0.0);
        for (xs, ys) in segs {
            let (a, b) = shifted_sums(xs, ys, kx, ky);
            sx += a;
            sy += b;
        }
        let (mx, my) = (sx * self.inv_w, sy * self.inv_w);
        let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
        for (xs, ys) in segs {
            let (a, b, c) = centered_products(xs, ys, kx, ky, mx, my);
            sxx += a;
            syy += b;
            sxy += c;
        }
        self.kx = kx;
        self.ky = ky;
        self.mx = mx;
        self.my = my;
        self.sxx = sxx;
        self.syy = syy;
        self.sxy = sxy;
        self.peak_xx = sxx;
        self.peak_yy = syy;
        self.since_anchor = 0;
        self.valid = true;
    }

    #[inline]
    fn track_runs(&mut self, x: f64, y: f64) {
        // NaN != NaN, so a NaN always restarts the run (and makes the window invalid anyway).
        if x == self.last_x {
            self.run_x += 1;
        } else {
            self.run_x = 1;
            self.last_x = x;
        }
        if y == self.last_y {
            self.run_y += 1;
        } else {
            self.run_y = 1;
            self.last_y = y;
        }
    }

    /// Add a pair; the moments of the last `window` pairs once the window is full and NaN-free.
    #[inline]
    pub fn next(&mut self, x: f64, y: f64) -> Option<Moments> {
        self.track_runs(x, y);
        match self.win.push(x, y) {
            None => {
                if !self.win.is_full() {
                    return None;
                }
                self.valid = false;
            }
            Some((xo, yo)) => {
                if self.valid && self.since_anchor + 1 < self.win.capacity() && !self.win.has_nan()
                {
                    let (xn, yn) = (x - self.kx, y - self.ky);
                    let (xo, yo) = (xo - self.kx, yo - self.ky);
                    let mx1 = self.mx + (xn - xo) * self.inv_w;
                    let my1 = self.my + (yn - yo) * self.inv_w;
                    let (dxn, dxo) = (xn - self.mx, xo - self.mx);
                    self.sxx += dxn * (xn - mx1) - dxo * (xo - mx1);
                    self.syy += (yn - self.my) * (yn - my1) - (yo - self.my) * (yo - my1);
                    self.sxy += dxn * (yn - my1) - dxo * (yo - my1);
                    self.mx = mx1;
                    self.my = my1;
                    self.since_anchor += 1;
                    self.peak_xx = self.peak_xx.max(self.sxx);
                    self.peak_yy = self.peak_yy.max(self.syy);
                    // Cancellation guard: when a large value has just left the window the sums
                    // are differences of much larger numbers; recompute exactly.
                    if self.sxx < self.peak_xx * CANCEL || self.syy < self.peak_yy * CANCEL {
                        self.valid = false;
                    }
                } else {
                    self.valid = false;
                }
            }
        }
        if self.win.has_nan() {
            self.valid = false;
            return None;
        }
        if !self.valid {
            self.anchor();
        }
        let w = self.win.capacity();
        Some(Moments {
            n: w,
            mean_x: self.kx + self.mx,
            mean_y: self.ky + self.my,
            sxx: self.sxx.max(0.0),
            syy: self.syy.max(0.0),
            sxy: self.sxy,
            constant_x: self.run_x >= w,
            constant_y: self.run_y >= w,
        })
    }

    /// Batch form: `next` over each pair. Errors when the inputs differ in length.
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<Moments>>> {
        check_lengths(xs, ys)?;
        Ok(xs.iter().zip(ys).map(|(&x, &y)| self.next(x, y)).collect())
    }
}

/// `Σ(x - kx)`, `Σ(y - ky)` with four independent partial sums (shorter dependency chains).
fn shifted_sums(xs: &[f64], ys: &[f64], kx: f64, ky: f64) -> (f64, f64) {
    let (mut ax, mut ay) = ([0.0; 4], [0.0; 4]);
    let (cx, cy) = (xs.chunks_exact(4), ys.chunks_exact(4));
    let (rx, ry) = (cx.remainder(), cy.remainder());
    for (x, y) in cx.zip(cy) {
        for l in 0..4 {
            ax[l] += x[l] - kx;
            ay[l] += y[l] - ky;
        }
    }
    let (mut sx, mut sy) = (
        (ax[0] + ax[1]) + (ax[2] + ax[3]),
        (ay[0] + ay[1]) + (ay[2] + ay[3]),
    );
    for (x, y) in rx.iter().zip(ry) {
        sx += x - kx;
        sy += y - ky;
    }
    (sx, sy)
}

/// `Σ(x'-x̄')²`, `Σ(y'-ȳ')²`, `Σ(x'-x̄')(y'-ȳ')` of the shifted values `x' = x - kx`, four
/// partial sums each.
fn centered_products(
    xs: &[f64],
    ys: &[f64],
    kx: f64,
    ky: f64,
    mx: f64,
    my: f64,
) -> (f64, f64, f64) {
    let (mut axx, mut ayy, mut axy) = ([0.0; 4], [0.0; 4], [0.0; 4]);
    let (cx, cy) = (xs.chunks_exact(4), ys.chunks_exact(4));
    let (rx, ry) = (cx.remainder(), cy.remainder());
    for (x, y) in cx.zip(cy) {
        for l in 0..4 {
            let (dx, dy) = (x[l] - kx - mx, y[l] - ky - my);
            axx[l] += dx * dx;
            ayy[l] += dy * dy;
            axy[l] += dx * dy;
        }
    }
    let fold = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    let (mut sxx, mut syy, mut sxy) = (fold(axx), fold(ayy), fold(axy));
    for (x, y) in rx.iter().zip(ry) {
        let (dx, dy) = (x - kx - mx, y - ky - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    (sxx, syy, sxy)
}

pub(crate) fn check_lengths(xs: &[f64], ys: &[f64]) -> Result<()> {
    if xs.len() != ys.len() {
        return Err(StatsError::LengthMismatch(xs.len(), ys.len()));
    }
    Ok(())
}

/// Rolling Pearson correlation over the last `window` pairs (pandas
/// `x.rolling(window).corr(y)`):
///
/// ```text
/// r = Σ(x-x̄)(y-ȳ) / √(Σ(x-x̄)² · Σ(y-ȳ)²),   -1 ≤ r ≤ 1
/// ```
///
/// `None` during the warm-up (`window - 1` inputs), while the window holds a NaN, and when
/// either side is constant over the window (r undefined). See [`RollingMoments`] for the
/// numerically stable update.
#[derive(Clone, Debug)]
pub struct RollingCorrelation(RollingMoments);

impl RollingCorrelation {
    /// Correlation over `window >= 2` observations.
    pub fn new(window: usize) -> Result<Self> {
        Ok(RollingCorrelation(RollingMoments::new(window)?))
    }

    /// Add a pair; the correlation of the window when defined.
    #[inline]
    pub fn next(&mut self, x: f64, y: f64) -> Option<f64> {
        self.0.next(x, y).and_then(|m| m.corr())
    }

    /// Batch form of [`RollingCorrelation::next`].
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<f64>>> {
        check_lengths(xs, ys)?;
        Ok(xs.iter().zip(ys).map(|(&x, &y)| self.next(x, y)).collect())
    }

    /// Forget all inputs.
    pub fn reset(&mut self) {
        self.0.reset();
    }
}

impl std::fmt::Display for RollingCorrelation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CORR({})", self.0.window())
    }
}

/// Rolling beta of x on y over the last `window` pairs (pandas
/// `x.rolling(w).cov(y) / y.rolling(w).var()`):
///
/// ```text
/// β = cov(x, y) / var(y) = Σ(x-x̄)(y-ȳ) / Σ(y-ȳ)²
/// ```
///
/// the slope of the least-squares line of x on y: how many units x moves per unit of y. `None`
/// during warm-up, with a NaN in the window, or when y is constant.
#[derive(Clone, Debug)]
pub struct RollingBeta(RollingMoments);

impl RollingBeta {
    /// Beta over `window >= 2` observations.
    pub fn new(window: usize) -> Result<Self> {
        Ok(RollingBeta(RollingMoments::new(window)?))
    }

    /// Add a pair; the beta of the window when defined.
    #[inline]
    pub fn next(&mut self, x: f64, y: f64) -> Option<f64> {
        self.0.next(x, y).and_then(|m| m.beta())
    }

    /// Batch form of [`RollingBeta::next`].
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<f64>>> {
        check_lengths(xs, ys)?;
        Ok(xs.iter().zip(ys).map(|(&x, &y)| self.next(x, y)).collect())
    }

    /// Forget all inputs.
    pub fn reset(&mut self) {
        self.0.reset();
    }
}

impl std::fmt::Display for RollingBeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BETA({})", self.0.window())
    }
}

/// Two-pass Pearson correlation of two slices (a reference for tests; `None` if undefined).
pub(crate) fn pearson_two_pass(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if !(sxx > 0.0 && syy > 0.0) {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    #[test]
    fn matches_two_pass_on_every_window() {
        let x = noise(1000, 1);
        let y: Vec<f64> = x
            .iter()
            .zip(noise(1000, 2))
            .map(|(a, b)| a + 0.5 * b)
            .collect();
        let w = 37;
        let got = RollingCorrelation::new(w).unwrap().over(&x, &y).unwrap();
        for i in 0..x.len() {
            if i + 1 < w {
                assert_eq!(got[i], None);
            } else {
                let want = pearson_two_pass(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
                assert!((got[i].unwrap() - want).abs() < 1e-13, "{i}");
            }
        }
    }

    #[test]
    fn rejects_short_windows() {
        assert!(RollingCorrelation::new(1).is_err());
        assert!(RollingCorrelation::new(0).is_err());
        assert_eq!(RollingCorrelation::new(30).unwrap().to_string(), "CORR(30)");
    }

    /// pandas #24019 / polars #21491 / TA-Lib #242: a constant window must give "undefined",
    /// never a garbage correlation from leftover rounding in the sums.
    #[test]
    fn constant_window_is_undefined_even_after_big_values() {
        let mut x = noise(200, 3).iter().map(|v| v * 1e6).collect::<Vec<_>>();
        let mut y = noise(200, 4);
        x.extend(std::iter::repeat_n(0.1, 50));
        y.extend(noise(50, 5));
        let mut c = RollingCorrelation::new(30).unwrap();
        let mut b = RollingBeta::new(30).unwrap();
        let got = c.over(&x, &y).unwrap();
        let betas = b.over(&y, &x).unwrap();
        for i in 229..250 {
            assert_eq!(got[i], None, "window ending {i} is constant in x");
            assert_eq!(betas[i], None, "beta on a constant regressor");
        }
        assert!(got[228].is_some());
    }

    /// TA-Lib CORREL #242: prices near 1e9 with tiny moves lose all precision in a naive
    /// sum-of-squares formula.
    #[test]
    fn huge_levels_with_tiny_moves() {
        let n = 500;
        let dx = noise(n, 6);
        let dy: Vec<f64> = dx
            .iter()
            .zip(noise(n, 7))
            .map(|(a, b)| 0.6 * a + 0.4 * b)
            .collect();
        // Multiples of 1/1024 near 1e9 are exact, so x - 1e9 is exactly dx rounded.
        let q = |v: f64| (v * 1024.0).round() / 1024.0;
        let x: Vec<f64> = dx.iter().map(|v| 1e9 + q(*v)).collect();
        let y: Vec<f64> = dy.iter().map(|v| 1e9 + q(*v)).collect();
        let xs: Vec<f64> = x.iter().map(|v| v - 1e9).collect();
        let ys: Vec<f64> = y.iter().map(|v| v - 1e9).collect();
        let w = 90;
        let got = RollingCorrelation::new(w).unwrap().over(&x, &y).unwrap();
        for i in w - 1..n {
            let want = pearson_two_pass(&xs[i + 1 - w..=i], &ys[i + 1 - w..=i]).unwrap();
            assert!(
                (got[i].unwrap() - want).abs() < 1e-9,
                "{i}: {:?} vs {want}",
                got[i]
            );
        }
    }

    /// After a spike leaves the window, naive add/remove sums are a difference of numbers 1e12
    /// times larger than what remains, and pandas/polars report visibly wrong correlations
    /// (even |r| > 1) for a whole window. The cancellation guard recomputes at once.
    #[test]
    fn spike_leaving_the_window_does_not_corrupt_later_values() {
        let mut x = noise(400, 10);
        let y: Vec<f64> = x
            .iter()
            .zip(noise(400, 11))
            .map(|(a, b)| a - 0.3 * b)
            .collect();
        x[150] = 1e6;
        let w = 30;
        let got = RollingCorrelation::new(w).unwrap().over(&x, &y).unwrap();
        for i in w - 1..400 {
            let want = pearson_two_pass(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
            assert!(
                (got[i].unwrap() - want).abs() < 1e-12,
                "{i}: {:?} vs {want}",
                got[i]
            );
        }
    }

    #[test]
    fn nan_gap_recovers_after_window() {
        let mut x = noise(300, 8);
        let y = noise(300, 9);
        x[100] = f64::NAN;
        let w = 20;
        let got = RollingCorrelation::new(w).unwrap().over(&x, &y).unwrap();
        for (i, g) in got.iter().enumerate().take(120).skip(100) {
            assert_eq!(*g, None, "{i}");
        }
        for i in 120..300 {
            let want = pearson_two_pass(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
            assert!((got[i].unwrap() - want).abs() < 1e-13, "{i}");
        }
    }

    #[test]
    fn moments_give_beta_and_variance() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [2.0, 4.0, 6.0, 9.0];
        let mut m = RollingMoments::new(4).unwrap();
        let got = m.over(&y, &x).unwrap()[3].unwrap();
        // Sxy = 11.5, Syy = Σ(x - 2.5)² = 5 → beta 2.3, cov 11.5/3, var 5/3
        assert!((got.beta().unwrap() - 2.3).abs() < 1e-14);
        assert!((got.var_y() - 5.0 / 3.0).abs() < 1e-14);
        assert!((got.cov() - 11.5 / 3.0).abs() < 1e-14);
    }

    #[test]
    fn length_mismatch() {
        assert_eq!(
            RollingCorrelation::new(3)
                .unwrap()
                .over(&[1.0], &[1.0, 2.0]),
            Err(StatsError::LengthMismatch(1, 2))
        );
    }
}
