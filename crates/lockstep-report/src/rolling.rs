//! The rolling statistics of the correlation section, date by date: [`RollingRows`] runs each
//! window's kernel over the aligned returns and yields, for every aligned date, each window's
//! correlation, its Fisher interval, beta and the annualized volatilities. It is the one
//! computation of these series: the report's stored [`crate::RollingWindow`]s are its rows
//! collected, and `lockstep corr` streams its rows into the CSV and the table as it writes
//! them (no stored series), so both hold the same bits.

use std::io;
use std::sync::mpsc;

use lockstep_stats::{rolling_pair, FisherInterval, Method, RollingPair};

use crate::{Report, ReportError};

/// The rolling statistics of one window on one date (`None` where undefined).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RollingPoint {
    /// Correlation of A and B over the `window` returns ending on the date.
    pub corr: Option<f64>,
    /// Lower end of its Fisher interval (see [`lockstep_stats::fisher_interval`], on the
    /// method's effective sample size).
    pub corr_lo: Option<f64>,
    /// Upper end.
    pub corr_hi: Option<f64>,
    /// Beta of A on B: `cov(a, b) / var(b)`.
    pub beta: Option<f64>,
    /// Annualized volatility of A: `std(a) · √periods_per_year`.
    pub vol_a: Option<f64>,
    /// Annualized volatility of B.
    pub vol_b: Option<f64>,
}

/// One window's kernel and the interval on its effective sample size.
struct Kernel {
    pair: Box<dyn RollingPair + Send>,
    interval: FisherInterval,
}

/// The rolling statistics of every window, one aligned date after the other: the date `i`
/// (from 0) reads the returns `1..=i` (return `t` is dated on the `t`-th aligned date), and
/// its value in a window of `w` returns uses the `w` returns ending on it, so the first date
/// has no value and a window fills on its date `w`.
///
/// Per date and window: `corr`, `beta`, `std_a`, `std_b` from the method's rolling kernel
/// ([`lockstep_stats::rolling_pair`]); `[corr_lo, corr_hi]` =
/// [`lockstep_stats::fisher_interval`]`(corr, n_eff, confidence)` with the kernel's effective sample size
/// (the window, or `(1+λ)/(1−λ)` for EWMA); `vol = std · √periods_per_year`.
pub struct RollingRows<'a> {
    ret_a: &'a [f64],
    ret_b: &'a [f64],
    kernels: Vec<Kernel>,
    intervals: bool,
    ann: f64,
    next: usize,
}

impl<'a> RollingRows<'a> {
    /// The rows of the aligned returns `ret_a`, `ret_b` (one fewer than the aligned dates) in
    /// each of `windows`. Errors: no window, an invalid window or method parameter, an invalid
    /// confidence.
    pub fn new(
        ret_a: &'a [f64],
        ret_b: &'a [f64],
        windows: &[usize],
        method: Method,
        confidence: f64,
        periods_per_year: f64,
    ) -> Result<RollingRows<'a>, ReportError> {
        if windows.is_empty() {
            return Err(ReportError::NoWindow);
        }
        // The confidence first, as `analyze_with` checks it.
        FisherInterval::new(10.0, confidence).map_err(ReportError::Stats)?;
        let kernels = windows
            .iter()
            .map(|&w| {
                let pair = rolling_pair(method, w).map_err(ReportError::Stats)?;
                let interval = FisherInterval::new(pair.effective_n(), confidence)
                    .map_err(ReportError::Stats)?;
                Ok(Kernel { pair, interval })
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        let n = ret_a.len().min(ret_b.len());
        Ok(RollingRows {
            ret_a: &ret_a[..n],
            ret_b: &ret_b[..n],
            kernels,
            intervals: true,
            ann: periods_per_year.sqrt(),
            next: 0,
        })
    }

    /// The rows of a report's aligned returns (`series.ret_a`, `series.ret_b`) with its
    /// parameters (windows, method, confidence, periods per year): the stored series of its
    /// windows, or the ones it would store.
    pub fn of(r: &'a Report) -> Result<RollingRows<'a>, ReportError> {
        let returns = |v: &'a crate::Values| v.as_nan_slice().get(1..).unwrap_or(&[]);
        let p = &r.params;
        RollingRows::new(
            returns(&r.series.ret_a),
            returns(&r.series.ret_b),
            &p.windows,
            p.method,
            p.confidence,
            p.periods_per_year,
        )
    }

    /// Without the Fisher intervals (`corr_lo`, `corr_hi` left undefined), for a reader that
    /// does not show them.
    pub fn without_intervals(mut self) -> RollingRows<'a> {
        self.intervals = false;
        self
    }

    /// The number of windows (points per date).
    pub fn windows(&self) -> usize {
        self.kernels.len()
    }

    /// The number of aligned dates (one more than the returns).
    pub fn dates(&self) -> usize {
        self.ret_a.len() + 1
    }

    /// The points of the next date, one per window in the order given, into `out` (at least
    /// [`RollingRows::windows`] long); `false` (and `out` untouched) after the last date.
    pub fn next_into(&mut self, out: &mut [RollingPoint]) -> bool {
        let i = self.next;
        if i >= self.dates() {
            return false;
        }
        self.next += 1;
        let out = &mut out[..self.kernels.len()];
        if i == 0 {
            out.fill(RollingPoint::default());
            return true;
        }
        let (x, y) = (self.ret_a[i - 1], self.ret_b[i - 1]);
        for (k, o) in self.kernels.iter_mut().zip(out.iter_mut()) {
            *o = RollingPoint::default();
            let Some(p) = k.pair.next_point(x, y) else {
                continue;
            };
            o.corr = p.corr;
            if let Some((lo, hi)) = p
                .corr
                .filter(|_| self.intervals)
                .and_then(|r| k.interval.at(r))
            {
                o.corr_lo = Some(lo);
                o.corr_hi = Some(hi);
            }
            o.beta = p.beta;
            o.vol_a = p.std_a.map(|s| s * self.ann);
            o.vol_b = p.std_b.map(|s| s * self.ann);
        }
        true
    }

    /// Every date's points, in date order, in blocks: `f(first, points)` gets the points of
    /// the dates `first..first + points.len() / windows`, date-major (the windows of a date
    /// together, in the order given). The rows are computed on a second thread, a block ahead
    /// of `f` (the two run side by side); an error of `f` stops both and is returned.
    pub fn for_each_block(
        mut self,
        mut f: impl FnMut(usize, &[RollingPoint]) -> io::Result<()>,
    ) -> io::Result<()> {
        let w = self.windows();
        let per_block = BLOCK_POINTS / w.max(1);
        std::thread::scope(|scope| {
            // Two blocks in flight at most; used blocks come back to be filled again.
            let (full_tx, full_rx) = mpsc::sync_channel::<(usize, Vec<RollingPoint>)>(1);
            let (empty_tx, empty_rx) = mpsc::channel::<Vec<RollingPoint>>();
            scope.spawn(move || {
                let mut first = 0;
                let mut point = vec![RollingPoint::default(); w];
                loop {
                    let mut block = empty_rx
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(per_block * w));
                    block.clear();
                    while block.len() < per_block * w && self.next_into(&mut point) {
                        block.extend_from_slice(&point);
                    }
                    if block.is_empty() {
                        return;
                    }
                    let dates = block.len() / w.max(1);
                    if full_tx.send((first, block)).is_err() {
                        // The reader stopped (an error): so does the computation.
                        return;
                    }
                    first += dates;
                }
            });
            for (first, block) in full_rx.iter() {
                f(first, &block)?;
                let _ = empty_tx.send(block);
            }
            Ok(())
        })
    }
}

/// Points per block of [`RollingRows::for_each_block`] (48 bytes each: 384 KiB).
const BLOCK_POINTS: usize = 8192;

/// The rows of `lockstep corr` for a report: `f(first, points)` as in
/// [`RollingRows::for_each_block`]. A report that stores its rolling series (computed with
/// [`crate::Sections::rolling`], as the whole report and any report with controls are) is
/// read; else the rows are computed from its aligned returns as `f` consumes them
/// ([`RollingRows::of`]: the same computation, the same bits), without the intervals when
/// `intervals` is false.
pub(crate) fn corr_blocks(
    r: &Report,
    intervals: bool,
    mut f: impl FnMut(usize, &[RollingPoint]) -> io::Result<()>,
) -> io::Result<()> {
    let stored = &r.series.rolling;
    if stored.is_empty() {
        let rows = RollingRows::of(r).map_err(io::Error::other)?;
        let rows = if intervals {
            rows
        } else {
            rows.without_intervals()
        };
        return rows.for_each_block(f);
    }
    let n = r.series.dates.len();
    let w = stored.len();
    let per_block = BLOCK_POINTS / w;
    let mut block = Vec::with_capacity(per_block * w);
    for first in (0..n).step_by(per_block) {
        block.clear();
        for i in first..(first + per_block).min(n) {
            block.extend(stored.iter().map(|rw| RollingPoint {
                corr: rw.corr.get(i),
                corr_lo: rw.corr_lo.get(i),
                corr_hi: rw.corr_hi.get(i),
                beta: rw.beta.get(i),
                vol_a: rw.vol_a.get(i),
                vol_b: rw.vol_b.get(i),
            }));
        }
        f(first, &block)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_stats::fisher_interval;

    fn returns(n: usize, seed: u64) -> Vec<f64> {
        let mut g = lockstep_testkit::fixtures::Lcg::new(seed);
        (0..n).map(|_| (g.uniform() - 0.5) * 0.02).collect()
    }

    fn all_rows(rows: &mut RollingRows<'_>) -> Vec<Vec<RollingPoint>> {
        let mut out = Vec::new();
        let mut p = vec![RollingPoint::default(); rows.windows()];
        while rows.next_into(&mut p) {
            out.push(p.clone());
        }
        out
    }

    #[test]
    fn rows_are_each_windows_kernel_bit_for_bit() {
        let (a, b) = (returns(500, 1), returns(500, 2));
        let (a, b): (Vec<f64>, Vec<f64>) = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (*x, 0.6 * x + 0.8 * y))
            .unzip();
        for method in [
            Method::Pearson,
            Method::Spearman,
            Method::Ewma { lambda: 0.94 },
        ] {
            let windows = [30, 7, 90];
            let mut rows = RollingRows::new(&a, &b, &windows, method, 0.9, 252.0).unwrap();
            assert_eq!((rows.windows(), rows.dates()), (3, 501));
            let got = all_rows(&mut rows);
            assert_eq!(got.len(), 501);
            assert!(got[0].iter().all(|p| *p == RollingPoint::default()));
            for (k, &w) in windows.iter().enumerate() {
                let mut kernel = rolling_pair(method, w).unwrap();
                let n_eff = kernel.effective_n();
                for i in 1..=500 {
                    let p = kernel.next_point(a[i - 1], b[i - 1]);
                    let g = got[i][k];
                    let bits = |v: Option<f64>| v.map(f64::to_bits);
                    assert_eq!(
                        bits(g.corr),
                        bits(p.and_then(|p| p.corr)),
                        "{method:?} {w} {i}"
                    );
                    assert_eq!(bits(g.beta), bits(p.and_then(|p| p.beta)));
                    let vol = p.and_then(|p| p.std_a).map(|s| s * 252f64.sqrt());
                    assert_eq!(bits(g.vol_a), bits(vol));
                    let ci = p
                        .and_then(|p| p.corr)
                        .and_then(|r| fisher_interval(r, n_eff, 0.9).unwrap());
                    assert_eq!(bits(g.corr_lo), bits(ci.map(|c| c.0)));
                    assert_eq!(bits(g.corr_hi), bits(ci.map(|c| c.1)));
                }
            }
        }
    }

    #[test]
    fn blocks_follow_the_rows_and_stop_on_an_error() {
        let (a, b) = (returns(20_000, 3), returns(20_000, 4));
        let rows = |w: &[usize]| RollingRows::new(&a, &b, w, Method::Pearson, 0.95, 365.0);
        let want = all_rows(&mut rows(&[30, 60, 90]).unwrap()).concat();
        let mut got = Vec::new();
        rows(&[30, 60, 90])
            .unwrap()
            .for_each_block(|first, block| {
                assert_eq!(first * 3, got.len());
                got.extend_from_slice(block);
                Ok(())
            })
            .unwrap();
        assert_eq!(got, want);
        // Without intervals: the same but the interval.
        let mut bare = Vec::new();
        rows(&[30, 60, 90])
            .unwrap()
            .without_intervals()
            .for_each_block(|_, block| {
                bare.extend_from_slice(block);
                Ok(())
            })
            .unwrap();
        let strip = |p: &RollingPoint| RollingPoint {
            corr_lo: None,
            corr_hi: None,
            ..*p
        };
        assert_eq!(bare, want.iter().map(strip).collect::<Vec<_>>());
        // An error of the reader ends the computation and is returned.
        let mut calls = 0;
        let e = rows(&[5])
            .unwrap()
            .for_each_block(|_, _| {
                calls += 1;
                Err(io::Error::other("closed"))
            })
            .unwrap_err();
        assert_eq!((e.to_string().as_str(), calls), ("closed", 1));
    }

    #[test]
    fn bad_parameters_are_refused() {
        let a = returns(10, 5);
        let new = |w: &[usize], c: f64| RollingRows::new(&a, &a, w, Method::Pearson, c, 365.0);
        assert!(matches!(new(&[], 0.95), Err(ReportError::NoWindow)));
        assert!(matches!(new(&[1], 0.95), Err(ReportError::Stats(_))));
        assert!(matches!(new(&[5], 1.5), Err(ReportError::Stats(_))));
    }
}
