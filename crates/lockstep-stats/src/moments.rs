//! Rolling centered moments of pairs and the statistics built on them: rolling Pearson
//! correlation and beta ([`Rolling`]), and the full-sample [`pearson`].

use std::marker::PhantomData;
use std::ops::Range;

use crate::buffer::fill_pieces;
use crate::{OutBuf, Result, StatsError};

/// Centered moments of the pairs in one full window of `n` observations.
///
/// With means `x̄ = Σx/n`, `ȳ = Σy/n` the co-moments are `Sxx = Σ(x-x̄)²`, `Syy = Σ(y-ȳ)²`,
/// `Sxy = Σ(x-x̄)(y-ȳ)`. The flags `constant_x` / `constant_y` say that the variance of that
/// side is zero: every value in the window is the same (the rolling kernel then computes
/// `Sxx = 0` exactly, with no rounding left over, see [`RollingMoments`]), or the spread is
/// so small that its squares underflow (below about 1e-154).
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
    /// Every x in the window is the same value (`Sxx` is not positive).
    pub constant_x: bool,
    /// Every y in the window is the same value (`Syy` is not positive).
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

/// Running sums of a run of pairs shifted by `(kx, ky)`: `Σdx`, `Σdy`, `Σdx²`, `Σdy²`, `Σdx·dy`
/// with `dx = x − kx`, `dy = y − ky`.
///
/// Declared `pub` only because the sealed half of [`Stat`] takes it: this module is private
/// and the crate does not re-export it, so no other crate can name it, and its fields are
/// private.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sums {
    x: f64,
    y: f64,
    xx: f64,
    yy: f64,
    xy: f64,
}

impl Sums {
    /// Add one shifted pair.
    #[inline(always)]
    fn add(&mut self, dx: f64, dy: f64) {
        self.x += dx;
        self.y += dy;
        self.xx += dx * dx;
        self.yy += dy * dy;
        self.xy += dx * dy;
    }

    /// The sums of the window: a suffix of the previous block plus a prefix of this one.
    #[inline(always)]
    fn join(suf: Sums, pre: Sums) -> Sums {
        Sums {
            x: suf.x + pre.x,
            y: suf.y + pre.y,
            xx: suf.xx + pre.xx,
            yy: suf.yy + pre.yy,
            xy: suf.xy + pre.xy,
        }
    }

    /// Centered co-moments of a full window of `w` pairs from its shifted sums (`inv_w = 1/w`):
    /// `(x̄', ȳ', Sxx, Syy, Sxy)` with `x̄' = Σdx/w`, `Sxx = Σdx² − Σdx·x̄'`,
    /// `Syy = Σdy² − Σdy·ȳ'`, `Sxy = Σdx·dy − Σdx·ȳ'`. Every front end (the streaming step, the
    /// batch sinks and their vector loops) computes them with this one function.
    #[inline(always)]
    fn central(&self, inv_w: f64) -> (f64, f64, f64, f64, f64) {
        let (mx, my) = (self.x * inv_w, self.y * inv_w);
        (
            mx,
            my,
            self.xx - self.x * mx,
            self.yy - self.y * my,
            self.xy - self.x * my,
        )
    }
}

/// Five columns of running sums, one row per position in a block (structure of arrays, so that
/// the batch sinks read them with vector loads).
#[derive(Clone, Debug)]
struct Table {
    x: Vec<f64>,
    y: Vec<f64>,
    xx: Vec<f64>,
    yy: Vec<f64>,
    xy: Vec<f64>,
}

impl Table {
    fn zeros(rows: usize) -> Table {
        Table {
            x: vec![0.0; rows],
            y: vec![0.0; rows],
            xx: vec![0.0; rows],
            yy: vec![0.0; rows],
            xy: vec![0.0; rows],
        }
    }

    #[inline(always)]
    fn get(&self, row: usize) -> Sums {
        Sums {
            x: self.x[row],
            y: self.y[row],
            xx: self.xx[row],
            yy: self.yy[row],
            xy: self.xy[row],
        }
    }
}

/// Rolling centered moments of pairs `(x, y)` over the last `window` observations: the kernel
/// behind rolling Pearson correlation, beta and volatility.
///
/// **Algorithm (blocks, prefix and suffix sums).** The inputs are cut into blocks of `window`
/// pairs, counted from the first input (or the last [`RollingMoments::reset`]). A window that
/// ends at position `j` of block `b` is the suffix of block `b − 1` from position `j + 1` plus
/// the prefix of block `b` up to `j`. With the shift `k = (kx, ky)`, the **first pair of block
/// `b`** (a value of every such window), and `dx = x − kx`, `dy = y − ky`:
///
/// ```text
/// prefix sums of block b        P_j = Σ_{i ≤ j} (dx, dy, dx², dy², dx·dy)   (running)
/// suffix sums of block b − 1    S_j = Σ_{i ≥ j} (dx, dy, dx², dy², dx·dy)   (when b starts)
/// window ending at j            T = S_{j+1} + P_j            (S_w = 0)
/// x̄' = T_x/w   Sxx = T_xx − T_x·x̄'   Syy = T_yy − T_y·ȳ'   Sxy = T_xy − T_x·ȳ'
/// ```
///
/// Each pair enters one prefix and one suffix sum, so a step costs O(1) with no evictions and
/// no recomputation schedule.
///
/// **Error bound.** Because the shift is a value of the window, every `|dx|` is at most the
/// window's range `R`, so `Σdx² ≤ w·R²`, while `Sxx ≥ R²/2` (the two extremes alone give that).
/// The rounding of the sums and of the final subtraction is therefore at most about `4w²ε·Sxx`
/// (3.6·10⁻¹² relative for w = 90), for any data: any price level (1e9 moving by cents: the
/// differences `x − kx` are then exact), any history (a spike that has left the window is in no
/// sum any more, so nothing cancels against it: the pandas/polars failure after an outlier),
/// any gap. A constant window gives `Sxx = 0` **exactly** (every `dx` is 0), so a constant
/// side is detected without a tolerance (pandas #24019, polars #21491, TA-Lib #242 return
/// garbage there).
///
/// **NaN.** A NaN pair makes every sum it enters NaN, which is exactly the sums of the windows
/// holding it; `next` returns `None` while the window holds a NaN or an infinity (or its
/// squared deviations overflow, |x| beyond about 1e154), then recovers by itself.
///
/// `next` returns `None` during the warm-up (`window − 1` inputs).
///
/// **One kernel, streaming and batch.** `next` and the batch forms (`over`, and `over_into` of
/// [`RollingCorrelation`] and [`RollingBeta`]) share the block start, the running sums and the
/// window moments; the batch forms run them a block at a time, in the same order, so their
/// values are bit-identical to `next`'s for any split of the input into calls (tested). `over_into` computes r or β of a block in a branch-free loop the
/// compiler vectorizes (several square roots and divisions per instruction; measured in
/// BENCHMARKS.md), and recomputes its undefined entries with the scalar rule.
/// Once the window is full, whole blocks are computed four at a time (the running sums of
/// four blocks as independent chains, one vector instruction a step), with the same operations
/// on the same values in the same order.
///
/// **Parallel batch.** A window's value depends only on its own block and the one before
/// (the shift, the prefix and the suffix sums). So the batch input can be cut at block
/// boundaries and each piece computed by its own instance, primed with the block before the
/// piece as the previous block: the same operations on the same values in the same order, so
/// the same bits ([`Rolling::over_into_threads`], and [`Rolling::over_new`] on every core).
#[derive(Clone, Debug)]
pub struct RollingMoments {
    w: usize,
    inv_w: f64,
    /// Position in the current block of the next pair (pairs since creation or the last
    /// reset, modulo `w`).
    j: usize,
    /// A whole block has been seen (the window is full).
    full: bool,
    /// The last `w` pairs, each at its position in its block.
    ring_x: Vec<f64>,
    ring_y: Vec<f64>,
    /// Shift of the current block: its first pair.
    k: [f64; 2],
    /// Sums of the current block so far.
    pre: Sums,
    /// Prefix sums of the current block, row `j` = positions `0..=j` (rows written by the
    /// latest call).
    pre_rows: Table,
    /// Suffix sums of the previous block shifted by `k`, row `j` = positions `j..w`; row `w`
    /// is 0.
    suf_rows: Table,
    /// Scratch of the batch sinks' lanes ([`Sink::lanes`]: pairs, values and sum tables),
    /// allocated on first use.
    lane_rows: Vec<Lane>,
}

/// The sums a sink reads: the window ending at block position `j` has
/// `Sums::join(suf.get(j + 1), pre.get(j))`.
struct Rows<'a> {
    suf: &'a Table,
    pre: &'a Table,
    k: [f64; 2],
    w: usize,
    inv_w: f64,
}

impl Rows<'_> {
    /// Moments of the window ending at block position `j` (see [`window_moments`]).
    #[inline(always)]
    fn moments(&self, j: usize) -> Option<Moments> {
        let t = Sums::join(self.suf.get(j + 1), self.pre.get(j));
        window_moments(t, self.k, self.w, self.inv_w)
    }
}

/// Moments of a full window of `w` pairs from its sums `t` shifted by `k`; `None` when not
/// finite (a NaN or an infinite value in the window, or an overflow of the squares).
#[inline(always)]
fn window_moments(t: Sums, k: [f64; 2], w: usize, inv_w: f64) -> Option<Moments> {
    if !(t.xx.is_finite() && t.yy.is_finite()) {
        return None;
    }
    let (mx, my, sxx, syy, sxy) = t.central(inv_w);
    Some(Moments {
        n: w,
        mean_x: k[0] + mx,
        mean_y: k[1] + my,
        sxx,
        syy,
        sxy,
        constant_x: !(sxx > 0.0),
        constant_y: !(syy > 0.0),
    })
}

/// Where the batch kernel [`RollingMoments::drive`] puts the moments of each window: a trait
/// with always-inlined methods rather than a closure, which the compiler would not inline
/// into the hot loop.
trait Sink {
    /// The moments of the window ending at input `i` (`None` when undefined).
    fn put(&mut self, i: usize, m: Option<Moments>);

    /// The windows ending at inputs `out` are those ending at block positions `rows`.
    #[inline(always)]
    fn block(&mut self, out: Range<usize>, rows: Range<usize>, r: &Rows) {
        for (i, j) in out.zip(rows) {
            self.put(i, r.moments(j));
        }
    }

    /// Whole blocks from input `i` on, several side by side (see [`lanes_into`]): `i` starts a
    /// block, the block before it is `xs[i − w .. i]` and the window is full. Returns how many
    /// inputs it computed (whole blocks, possibly none: the caller computes the others).
    #[inline(always)]
    fn lanes(
        &mut self,
        _xs: &[f64],
        _ys: &[f64],
        _i: usize,
        _w: usize,
        _scratch: &mut Vec<Lane>,
    ) -> usize {
        0
    }
}

impl<F: FnMut(usize, Option<Moments>)> Sink for F {
    #[inline(always)]
    fn put(&mut self, i: usize, m: Option<Moments>) {
        self(i, m)
    }
}

/// The columns of the sums of the windows ending at block positions `rows`, for a vector
/// loop: the suffix rows `rows + 1` and the prefix rows `rows`, each cut to the same length
/// `n`, so that the compiler sees every index of `0..n` in bounds.
struct Columns<'a> {
    suf: [&'a [f64]; 5],
    pre: [&'a [f64]; 5],
}

impl<'a> Columns<'a> {
    #[inline(always)]
    fn new(r: &Rows<'a>, rows: &Range<usize>) -> Columns<'a> {
        let (s, p) = (rows.start + 1..rows.end + 1, rows.clone());
        let (a, b) = (r.suf, r.pre);
        Columns {
            suf: [
                &a.x[s.clone()],
                &a.y[s.clone()],
                &a.xx[s.clone()],
                &a.yy[s.clone()],
                &a.xy[s],
            ],
            pre: [
                &b.x[p.clone()],
                &b.y[p.clone()],
                &b.xx[p.clone()],
                &b.yy[p.clone()],
                &b.xy[p],
            ],
        }
    }

    /// `out[l] = f(sums of the window l)` for every `l` of `out`; returns how many are NaN.
    #[inline(always)]
    fn map_into(&self, out: &mut [f64], f: impl Fn(Sums) -> f64) -> usize {
        let n = out.len();
        let [sx, sy, sxx, syy, sxy] = self.suf.map(|c| &c[..n]);
        let [px, py, pxx, pyy, pxy] = self.pre.map(|c| &c[..n]);
        let mut nan = 0;
        for l in 0..n {
            let suf = Sums {
                x: sx[l],
                y: sy[l],
                xx: sxx[l],
                yy: syy[l],
                xy: sxy[l],
            };
            let pre = Sums {
                x: px[l],
                y: py[l],
                xx: pxx[l],
                yy: pyy[l],
                xy: pxy[l],
            };
            let v = f(Sums::join(suf, pre));
            out[l] = v;
            nan += usize::from(v.is_nan());
        }
        nan
    }
}

/// A statistic of a full window of pairs that [`Rolling`] computes and its batch sinks write
/// as f64: [`Correlation`] or [`Beta`].
///
/// Each statistic has its rule on [`Moments`] ([`Stat::of`], what [`Rolling::next`] returns)
/// and, for the block loop of the batch forms, a branch-free form of it on the window's sums,
/// equal to the rule wherever it is not NaN (every NaN entry is redone with the rule). That
/// second form works on the kernel's internal sums, so the trait is sealed: it is implemented
/// by [`Correlation`] and [`Beta`] only.
pub trait Stat: sealed::Kernel {
    /// What `Display` prints before the window: `CORR` gives `CORR(30)`.
    const NAME: &'static str;

    /// The statistic of the moments (`None` when undefined).
    fn of(m: Moments) -> Option<f64>;
}

/// The part of [`Stat`] that works on the kernel's internal sums (in a private module, so no
/// other crate can implement [`Stat`]).
mod sealed {
    use super::Sums;

    /// The batch kernel's side of a [`Stat`](super::Stat).
    pub trait Kernel {
        /// The name of the type alias of `Rolling<Self>`, which its `Debug` prints (as the
        /// derived `Debug` of the former newtypes did).
        const ROLLING: &'static str;

        /// The statistic from the window's sums `t` (`inv_w = 1/w`), or NaN.
        fn fast(t: Sums, inv_w: f64) -> f64;
    }
}

/// Pearson correlation of a window, [`Moments::corr`]:
///
/// ```text
/// r = Σ(x-x̄)(y-ȳ) / √(Σ(x-x̄)² · Σ(y-ȳ)²),   -1 ≤ r ≤ 1
/// ```
///
/// `None` when either side is constant. The statistic of [`RollingCorrelation`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Correlation;

impl Stat for Correlation {
    const NAME: &'static str = "CORR";

    #[inline(always)]
    fn of(m: Moments) -> Option<f64> {
        m.corr()
    }
}

impl sealed::Kernel for Correlation {
    const ROLLING: &'static str = "RollingCorrelation";

    /// Defined with a normal `Sxx·Syy` (one square root suffices).
    #[inline(always)]
    fn fast(t: Sums, inv_w: f64) -> f64 {
        let (_, _, sxx, syy, sxy) = t.central(inv_w);
        let p = sxx * syy;
        let ok = t.xx < f64::INFINITY
            && t.yy < f64::INFINITY
            && sxx > 0.0
            && syy > 0.0
            // p is normal (it is positive here): one square root suffices.
            && (f64::MIN_POSITIVE..f64::INFINITY).contains(&p);
        let v = (sxy / p.sqrt()).clamp(-1.0, 1.0);
        if ok {
            v
        } else {
            f64::NAN
        }
    }
}

/// Beta of x on y of a window, [`Moments::beta`]:
///
/// ```text
/// β = cov(x, y) / var(y) = Σ(x-x̄)(y-ȳ) / Σ(y-ȳ)²
/// ```
///
/// `None` when y is constant. The statistic of [`RollingBeta`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Beta;

impl Stat for Beta {
    const NAME: &'static str = "BETA";

    #[inline(always)]
    fn of(m: Moments) -> Option<f64> {
        m.beta()
    }
}

impl sealed::Kernel for Beta {
    const ROLLING: &'static str = "RollingBeta";

    #[inline(always)]
    fn fast(t: Sums, inv_w: f64) -> f64 {
        let (_, _, _, syy, sxy) = t.central(inv_w);
        let ok = t.xx < f64::INFINITY && t.yy < f64::INFINITY && syy > 0.0;
        let v = sxy / syy;
        if ok {
            v
        } else {
            f64::NAN
        }
    }
}

/// The sink of `over_into` (and `over`) of [`RollingCorrelation`] and [`RollingBeta`]: the
/// statistic `S` as f64, NaN for `None`.
struct StatInto<'a, S>(&'a mut [f64], PhantomData<S>);

impl<'a, S: Stat> StatInto<'a, S> {
    fn new(out: &'a mut [f64]) -> Self {
        StatInto(out, PhantomData)
    }
}

impl<S: Stat> Sink for StatInto<'_, S> {
    #[inline(always)]
    fn put(&mut self, i: usize, m: Option<Moments>) {
        self.0[i] = m.and_then(S::of).unwrap_or(f64::NAN);
    }

    /// A whole block in the branch-free loop of [`Stat::fast`] (vectorized: several square
    /// roots and divisions per instruction), then the NaN entries again with the rule.
    #[inline(always)]
    fn block(&mut self, out: Range<usize>, rows: Range<usize>, r: &Rows) {
        let inv_w = r.inv_w;
        let nan = Columns::new(r, &rows).map_into(&mut self.0[out.clone()], |t| S::fast(t, inv_w));
        if nan == 0 {
            return;
        }
        for (i, j) in out.zip(rows) {
            if self.0[i].is_nan() {
                self.put(i, r.moments(j));
            }
        }
    }

    #[inline(always)]
    fn lanes(
        &mut self,
        xs: &[f64],
        ys: &[f64],
        i: usize,
        w: usize,
        scratch: &mut Vec<Lane>,
    ) -> usize {
        let n = xs.len().min(ys.len()).min(self.0.len());
        let groups = (n - i) / (LANES * w);
        if groups == 0 || w > LANES_MAX_W {
            return 0;
        }
        // Two buffers of a group's pairs and values, then the tables: the pairs of the next
        // group are laid out, and the values of the previous one copied out, while this one
        // computes (no load waits for the stores just made to the same place).
        scratch.resize(16 * w + 5, [0.0; LANES]);
        let (bufs, tables) = scratch.split_at_mut(6 * w);
        let (mut cur, mut next) = bufs.split_at_mut(3 * w);
        lanes_load(xs, ys, i, w, cur);
        // The group whose values wait in `next` (computed, not yet copied out).
        let mut waiting: Option<usize> = None;
        for g in 0..groups {
            let a = i + g * LANES * w;
            if g + 1 < groups {
                lanes_load(xs, ys, a + LANES * w, w, next);
            }
            let out = &mut self.0[a..a + LANES * w];
            let written = lanes_into::<S>(xs, ys, out, a, w, cur, tables);
            if let Some(b) = waiting.take() {
                lanes_store(&mut self.0[b..b + LANES * w], &next[2 * w..3 * w]);
            }
            if !written {
                waiting = Some(a);
            }
            std::mem::swap(&mut cur, &mut next);
        }
        if let Some(b) = waiting {
            lanes_store(&mut self.0[b..b + LANES * w], &next[2 * w..3 * w]);
        }
        groups * LANES * w
    }
}

/// Blocks computed side by side by [`lanes_into`]. Four, not eight: with eight, a group's
/// scratch (`16 · w + 5` rows, 92 KB at w = 90) no longer fits the L1 cache and the kernel
/// ran 1.5x slower than the block loop; with four (46 KB) it is 4–16% faster (BENCHMARKS.md,
/// "Four blocks at a time").
const LANES: usize = 4;

/// One value of each of the [`LANES`] blocks.
type Lane = [f64; LANES];

/// The largest window [`Sink::lanes`] takes (its scratch, `16 · w + 5` rows of [`LANES`]
/// values, then stays within 2 MiB; above it the block loop of [`Sink::block`] runs).
const LANES_MAX_W: usize = 4096;

/// [`Sums`] of every lane.
#[derive(Clone, Copy, Default)]
struct LaneSums {
    x: Lane,
    y: Lane,
    xx: Lane,
    yy: Lane,
    xy: Lane,
}

impl LaneSums {
    /// [`Sums::add`] in every lane: the pairs `(x, y)` shifted by `(kx, ky)`.
    #[inline(always)]
    fn add(&mut self, x: &Lane, y: &Lane, kx: &Lane, ky: &Lane) {
        for l in 0..LANES {
            let (dx, dy) = (x[l] - kx[l], y[l] - ky[l]);
            self.x[l] += dx;
            self.y[l] += dy;
            self.xx[l] += dx * dx;
            self.yy[l] += dy * dy;
            self.xy[l] += dx * dy;
        }
    }
}

/// The statistic `S` of every window of the [`LANES`] blocks from input `a` (`a` a block
/// start, `a ≥ w`, the blocks before it in `xs`), into `out[a .. a + LANES·w]`: the same
/// operations on the same values in the same order as [`RollingMoments::drive`] with
/// [`StatInto`]'s block loop, so the same bits, but the running sums of all the blocks at
/// once. The blocks' pairs are first laid side by side in `scratch` (row `j` = position `j`
/// of every block); then the suffix sums of each block's predecessor (backwards, shifted by
/// the block's first pair) and the prefix sums of each block (forwards) go into tables, one
/// step of all [`LANES`] chains per vector instruction; then one flat loop combines the two
/// tables into the statistic, as [`StatInto`]'s block loop does. The values stay laid side by
/// side in `buf` (the caller copies them to their places later, [`lanes_store`]) and `false`
/// is returned, unless some are NaN: then they are copied to `out` now, the NaN entries redone
/// with the scalar rule (which reads the tables), and `true` is returned.
#[inline(always)]
fn lanes_into<S: Stat>(
    xs: &[f64],
    ys: &[f64],
    out: &mut [f64],
    a: usize,
    w: usize,
    buf: &mut [Lane],
    tables: &mut [Lane],
) -> bool {
    let inv_w = 1.0 / w as f64;
    let (tx, rest) = buf.split_at_mut(w);
    let (ty, vals) = rest.split_at_mut(w);
    let (tx, ty, vals) = (&tx[..w], &ty[..w], &mut vals[..w]);
    // Five columns of suffix sums (w + 1 rows each, the last 0) and of prefix sums (w rows).
    let (suf, rest) = tables.split_at_mut(5 * (w + 1));
    let pre = &mut rest[..5 * w];
    let (kx, ky) = (tx[0], ty[0]);
    // The block before lane 0's; lane `l`'s is lane `l − 1`'s block.
    let (x0, y0) = (&xs[a - w..a], &ys[a - w..a]);
    let before =
        |b0: f64, r: &Lane| -> Lane { std::array::from_fn(|l| if l == 0 { b0 } else { r[l - 1] }) };
    {
        let [cx, cy, cxx, cyy, cxy] = columns_mut(suf, w + 1);
        for c in [&mut *cx, &mut *cy, &mut *cxx, &mut *cyy, &mut *cxy] {
            c[w] = [0.0; LANES];
        }
        let mut s = LaneSums::default();
        let ins = tx.iter().zip(ty.iter()).zip(x0.iter().zip(y0));
        let outs = cx.iter_mut().zip(cy.iter_mut()).zip(cxx.iter_mut());
        let outs = outs.zip(cyy.iter_mut().zip(cxy.iter_mut()));
        for (((rx, ry), (&b0x, &b0y)), (((ox, oy), oxx), (oyy, oxy))) in ins.zip(outs).rev() {
            s.add(&before(b0x, rx), &before(b0y, ry), &kx, &ky);
            (*ox, *oy, *oxx, *oyy, *oxy) = (s.x, s.y, s.xx, s.yy, s.xy);
        }
    }
    {
        let [cx, cy, cxx, cyy, cxy] = columns_mut(pre, w);
        let mut s = LaneSums::default();
        let outs = cx.iter_mut().zip(cy.iter_mut()).zip(cxx.iter_mut());
        let outs = outs.zip(cyy.iter_mut().zip(cxy.iter_mut()));
        for ((rx, ry), (((ox, oy), oxx), (oyy, oxy))) in tx.iter().zip(ty.iter()).zip(outs) {
            s.add(rx, ry, &kx, &ky);
            (*ox, *oy, *oxx, *oyy, *oxy) = (s.x, s.y, s.xx, s.yy, s.xy);
        }
    }
    // The window ending at position j of lane l: suffix row j + 1 and prefix row j, that is
    // flat index LANES·j + l of the prefix columns and LANES more of the suffix columns.
    let sc = columns(suf, w + 1).map(|c| &c.as_flattened()[LANES..]);
    let pc = columns(pre, w).map(|c| c.as_flattened());
    let cols = Columns { suf: sc, pre: pc };
    let nan = cols.map_into(vals.as_flattened_mut(), |t| S::fast(t, inv_w));
    if nan == 0 {
        return false;
    }
    lanes_store(out, vals);
    for (l, o) in out.chunks_exact_mut(w).enumerate() {
        // The undefined entries again, with the rule.
        let k = [kx[l], ky[l]];
        for (j, o) in o.iter_mut().enumerate() {
            if o.is_nan() {
                let f = LANES * j + l;
                let at = |c: &[&[f64]; 5]| Sums {
                    x: c[0][f],
                    y: c[1][f],
                    xx: c[2][f],
                    yy: c[3][f],
                    xy: c[4][f],
                };
                let m = window_moments(Sums::join(at(&cols.suf), at(&cols.pre)), k, w, inv_w);
                *o = m.and_then(S::of).unwrap_or(f64::NAN);
            }
        }
    }
    true
}

/// Lays the pairs of the [`LANES`] blocks from input `a` side by side: row `j` of `buf`
/// (then of `buf[w..]`) holds x (y) at position `j` of every block.
#[inline(always)]
fn lanes_load(xs: &[f64], ys: &[f64], a: usize, w: usize, buf: &mut [Lane]) {
    let (tx, rest) = buf.split_at_mut(w);
    let ty = &mut rest[..w];
    for l in 0..LANES {
        let (bx, by) = (&xs[a + l * w..][..w], &ys[a + l * w..][..w]);
        for ((r, s), (&x, &y)) in tx.iter_mut().zip(ty.iter_mut()).zip(bx.iter().zip(by)) {
            r[l] = x;
            s[l] = y;
        }
    }
}

/// Copies values laid side by side (row `j` = position `j` of every block) to their places:
/// block `l` at `out[l·w ..]`.
#[inline(always)]
fn lanes_store(out: &mut [f64], vals: &[Lane]) {
    let w = vals.len();
    for (l, o) in out.chunks_exact_mut(w).enumerate() {
        for (o, v) in o.iter_mut().zip(vals) {
            *o = v[l];
        }
    }
}

/// The five columns of `rows` rows each that `t` holds one after the other.
#[inline(always)]
fn columns_mut(t: &mut [Lane], rows: usize) -> [&mut [Lane]; 5] {
    let mut it = t.chunks_exact_mut(rows);
    std::array::from_fn(|_| it.next().map(|c| &mut c[..rows]).unwrap_or_default())
}

/// [`columns_mut`], read only.
#[inline(always)]
fn columns(t: &[Lane], rows: usize) -> [&[Lane]; 5] {
    let mut it = t.chunks_exact(rows);
    std::array::from_fn(|_| it.next().map(|c| &c[..rows]).unwrap_or_default())
}

impl Moments {
    /// The published form: co-moments clamped at 0.
    #[inline(always)]
    fn clamped(self) -> Moments {
        Moments {
            sxx: self.sxx.max(0.0),
            syy: self.syy.max(0.0),
            ..self
        }
    }
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
            w: window,
            inv_w: 1.0 / window as f64,
            j: 0,
            full: false,
            ring_x: vec![0.0; window],
            ring_y: vec![0.0; window],
            k: [0.0; 2],
            pre: Sums::default(),
            pre_rows: Table::zeros(window),
            suf_rows: Table::zeros(window + 1),
            lane_rows: Vec::new(),
        })
    }

    /// The window length.
    pub fn window(&self) -> usize {
        self.w
    }

    /// Forget all inputs.
    pub fn reset(&mut self) {
        self.j = 0;
        self.full = false;
        self.pre = Sums::default();
    }

    /// The pairs currently in the window, oldest first.
    pub fn values(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        // Oldest first: the rest of the previous block (when one was seen), then this one.
        let older = if self.full { self.j..self.w } else { 0..0 };
        older
            .chain(0..self.j)
            .map(|p| (self.ring_x[p], self.ring_y[p]))
    }

    /// Add a pair; the moments of the last `window` pairs once the window is full and holds
    /// no NaN (see the type's documentation). One step of the batch kernel
    /// ([`RollingMoments::drive`]): the same block start, the same sums and the same window
    /// moments, without the batch bookkeeping.
    #[inline]
    pub fn next(&mut self, x: f64, y: f64) -> Option<Moments> {
        let (w, j) = (self.w, self.j);
        if j == 0 {
            self.begin_block([x, y], &[], &[]);
        }
        let k = self.k;
        self.pre.add(x - k[0], y - k[1]);
        self.ring_x[j] = x;
        self.ring_y[j] = y;
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
        let t = Sums::join(self.suf_rows.get(j + 1), self.pre);
        window_moments(t, k, w, self.inv_w).map(Moments::clamped)
    }

    /// Start a block with the pair `k`: the suffix sums of the previous block (its last pairs
    /// `tail_x`, `tail_y` from the caller, the others from the ring), shifted by `k`.
    #[inline(always)]
    fn begin_block(&mut self, k: [f64; 2], tail_x: &[f64], tail_y: &[f64]) {
        if self.full {
            let old = self.w - tail_x.len();
            let segs = [(&self.ring_x[..old], &self.ring_y[..old]), (tail_x, tail_y)];
            suffix_sums(&mut self.suf_rows, segs, k);
        }
        self.k = k;
        self.pre = Sums::default();
    }

    /// The batch kernel behind every batch form: the pairs `xs[i], ys[i]` in order,
    /// calling the sink for every input `i` (`put(i, None)` during the warm-up, `block` for
    /// the runs of full windows, a block at a time). Blocks are counted over the whole
    /// stream, so the sums, and the values, do not depend on how the input is split into
    /// calls. The caller checks the lengths.
    #[inline(always)]
    fn drive(&mut self, xs: &[f64], ys: &[f64], sink: &mut impl Sink) {
        let w = self.w;
        let n = xs.len().min(ys.len());
        let (xs, ys) = (&xs[..n], &ys[..n]);
        let j_start = self.j;
        let mut i = 0;
        while i < n {
            let j0 = self.j;
            if j0 == 0 && self.full && i >= w {
                let done = sink.lanes(xs, ys, i, w, &mut self.lane_rows);
                if done > 0 {
                    i += done;
                    continue;
                }
            }
            if j0 == 0 {
                // The previous block: its last `c` pairs are this call's inputs before `i`,
                // the others are still in the ring, at positions 0..w − c.
                let c = i.min(w);
                self.begin_block([xs[i], ys[i]], &xs[i - c..i], &ys[i - c..i]);
            }
            let m = (w - j0).min(n - i);
            let k = self.k;
            let mut s = self.pre;
            let (bx, by) = (&xs[i..i + m], &ys[i..i + m]);
            {
                let t = &mut self.pre_rows;
                let r = j0..j0 + m;
                let (tx, ty, txx, tyy, txy) = (
                    &mut t.x[r.clone()],
                    &mut t.y[r.clone()],
                    &mut t.xx[r.clone()],
                    &mut t.yy[r.clone()],
                    &mut t.xy[r],
                );
                for l in 0..m {
                    s.add(bx[l] - k[0], by[l] - k[1]);
                    tx[l] = s.x;
                    ty[l] = s.y;
                    txx[l] = s.xx;
                    tyy[l] = s.yy;
                    txy[l] = s.xy;
                }
            }
            self.pre = s;
            // Full windows: every one of a block after the first, the last one of the first.
            let first = if self.full { j0 } else { (w - 1).max(j0) };
            for q in i..(i + first - j0).min(i + m) {
                sink.put(q, None);
            }
            if first < j0 + m {
                let rows = Rows {
                    suf: &self.suf_rows,
                    pre: &self.pre_rows,
                    k,
                    w,
                    inv_w: self.inv_w,
                };
                sink.block(i + first - j0..i + m, first..j0 + m, &rows);
            }
            self.j = j0 + m;
            if self.j == w {
                self.j = 0;
                self.full = true;
            }
            i += m;
        }
        // The ring keeps the last `w` pairs at their block positions: this call's last `c`
        // inputs, from position `(j_start + n − c) mod w` on.
        let c = n.min(w);
        let p0 = j_start + (n - c);
        let mut pos = if p0 < w { p0 } else { p0 % w };
        for q in n - c..n {
            self.ring_x[pos] = xs[q];
            self.ring_y[pos] = ys[q];
            pos += 1;
            if pos == w {
                pos = 0;
            }
        }
    }

    /// [`RollingMoments::drive`] compiled for the best instruction set this CPU has.
    #[inline(always)]
    fn drive_fast(&mut self, xs: &[f64], ys: &[f64], sink: &mut impl Sink) {
        self.drive_on(Isa::best(), xs, ys, sink);
    }

    /// [`RollingMoments::drive`] compiled for `isa`, or for the baseline when this CPU lacks
    /// it (so any `isa` is safe to ask for).
    #[inline(always)]
    fn drive_on(&mut self, isa: Isa, xs: &[f64], ys: &[f64], sink: &mut impl Sink) {
        #[cfg(target_arch = "x86_64")]
        #[allow(unsafe_code)]
        match isa {
            // SAFETY: these functions only need the CPU to support the instruction set they
            // are compiled for, which `available` has just checked.
            Isa::Avx512 if isa.available() => return unsafe { drive_avx512(self, xs, ys, sink) },
            Isa::Avx2 if isa.available() => return unsafe { drive_avx2(self, xs, ys, sink) },
            _ => {}
        }
        let _ = isa;
        self.drive(xs, ys, sink);
    }

    /// `over_into` of [`RollingCorrelation`] and [`RollingBeta`]: the statistic `S` of every
    /// window into `out` (NaN for `None`), checking the three lengths.
    fn stat_into<S: Stat>(&mut self, xs: &[f64], ys: &[f64], out: &mut [f64]) -> Result<()> {
        check_lengths(xs, ys)?;
        check_lengths(xs, out)?;
        self.drive_fast(xs, ys, &mut StatInto::<S>::new(out));
        Ok(())
    }

    /// [`RollingMoments::stat_into`] on up to `chunks` threads (`chunks >= 1`, lengths
    /// checked by the caller): the input is cut at block boundaries (see [`RollingMoments::cuts`]),
    /// this instance computes the first piece, and each other piece is computed by a new
    /// instance primed with the block before it ([`RollingMoments::primed`]), on the rayon
    /// pool; this instance then takes the state of the last piece's. Each window's value
    /// depends only on its own block and the one before, computed by the same operations in
    /// the same order, so the output and the final state are bit for bit those of one thread
    /// (tested).
    fn stat_into_chunks<S: Stat>(
        &mut self,
        xs: &[f64],
        ys: &[f64],
        out: &mut [f64],
        chunks: usize,
    ) {
        let cuts = self.cuts(xs.len(), chunks);
        let Some((&first, _)) = cuts.split_first() else {
            self.drive_fast(xs, ys, &mut StatInto::<S>::new(out));
            return;
        };
        let w = self.w;
        // The pieces after the first: (inputs, output, primed instance).
        let mut rest = Vec::with_capacity(cuts.len());
        let (head, mut tail) = out.split_at_mut(first);
        for (q, &c) in cuts.iter().enumerate() {
            let end = cuts.get(q + 1).copied().unwrap_or(xs.len());
            let (o, t) = std::mem::take(&mut tail).split_at_mut(end - c);
            tail = t;
            let m = RollingMoments::primed(w, &xs[c - w..c], &ys[c - w..c]);
            rest.push((c..end, o, m));
        }
        use rayon::prelude::*;
        rayon::join(
            || self.drive_fast(&xs[..first], &ys[..first], &mut StatInto::<S>::new(head)),
            || {
                rest.par_iter_mut().for_each(|(r, o, m)| {
                    m.drive_fast(&xs[r.clone()], &ys[r.clone()], &mut StatInto::<S>::new(o));
                })
            },
        );
        if let Some((_, _, last)) = rest.pop() {
            *self = last;
        }
    }

    /// Where [`RollingMoments::stat_into_chunks`] cuts `n` inputs into at most `chunks`
    /// pieces of about equal length: the starts of the pieces after the first, in increasing
    /// order, each the start of a block of the stream (`(j + c) mod w = 0`) with a whole
    /// block of this call's inputs before it (`c >= w`), and before `n`.
    fn cuts(&self, n: usize, chunks: usize) -> Vec<usize> {
        let w = self.w;
        // The first block start of this call at or after input w.
        let b0 = (w - self.j % w) % w + w;
        let mut cuts: Vec<usize> = Vec::with_capacity(chunks.saturating_sub(1));
        for t in 1..chunks {
            let ideal = (n as u128 * t as u128 / chunks as u128) as usize;
            if ideal < b0 {
                continue;
            }
            let c = b0 + (ideal - b0 + w / 2) / w * w;
            if c < n && cuts.last().is_none_or(|&l| c > l) {
                cuts.push(c);
            }
        }
        cuts
    }

    /// A new instance in the state of one that has just completed the block `(bx, by)` (of
    /// `w` pairs) and starts the next: the ring holds the block, the next input begins a block
    /// whose suffix sums come from the ring. The batch kernel fed the next inputs computes from
    /// there exactly what an instance that saw the whole stream computes (the block start
    /// reads the previous block from the ring instead of from the call's inputs: the same
    /// values in the same order).
    fn primed(w: usize, bx: &[f64], by: &[f64]) -> RollingMoments {
        let mut m = RollingMoments::new(w).expect("the window of an existing instance");
        m.ring_x.copy_from_slice(bx);
        m.ring_y.copy_from_slice(by);
        m.full = true;
        m
    }

    /// `over` of [`RollingCorrelation`] and [`RollingBeta`]: [`RollingMoments::stat_into`],
    /// then NaN → `None` (a defined value is never NaN, so the conversion is exact).
    fn stat_over<S: Stat>(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<f64>>> {
        let mut out = vec![0.0; xs.len()];
        self.stat_into::<S>(xs, ys, &mut out)?;
        Ok(out
            .into_iter()
            .map(|v| (!v.is_nan()).then_some(v))
            .collect())
    }

    /// Batch form: what `next` gives on each pair (the same kernel, bit-identical). Errors
    /// when the inputs differ in length.
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<Moments>>> {
        check_lengths(xs, ys)?;
        let mut out = Vec::with_capacity(xs.len());
        self.drive_fast(xs, ys, &mut |_, m: Option<Moments>| {
            out.push(m.map(Moments::clamped))
        });
        Ok(out)
    }
}

/// The instruction sets the batch kernel is compiled for.
///
/// The kernel is one source compiled three times: for the baseline target (SSE2 on x86-64),
/// and with AVX2 or AVX-512F code generation, chosen at run time from what the CPU reports.
/// The operations are the same IEEE operations in the same order (Rust never contracts
/// `a·b + c` into a fused multiply-add, whatever the target features), so the values are
/// bit for bit those of the baseline build, which is what `next` runs (tested on every
/// instruction set the test machine has). The wider targets only let the compiler vectorize
/// the block loops of the sinks (four or eight square roots and divisions per instruction,
/// where the baseline compiler keeps them scalar) and use three-operand instructions.
///
/// Measured on the 2-core build machine (AMD EPYC), 10^6 pairs, w = 90, `over_into` into a
/// reused buffer, each path forced in turn, ns per element: correlation 7.5 baseline, 4.2
/// AVX2, 3.9 AVX-512F; beta 4.9, 3.6, 3.6. (TA-Lib CORREL takes 6.9 on the same input, see
/// BENCHMARKS.md.) The calls of the two compiled variants are the crate's only `unsafe` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    Avx512,
    Avx2,
    Baseline,
}

impl Isa {
    /// The best instruction set this CPU has (the detection is cached by `std`).
    #[inline(always)]
    pub(crate) fn best() -> Isa {
        [Isa::Avx512, Isa::Avx2]
            .into_iter()
            .find(|i| i.available())
            .unwrap_or(Isa::Baseline)
    }

    /// Whether this CPU can run code compiled for `self`.
    #[inline(always)]
    pub(crate) fn available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            Isa::Baseline => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn drive_avx512(m: &mut RollingMoments, xs: &[f64], ys: &[f64], sink: &mut impl Sink) {
    m.drive(xs, ys, sink);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn drive_avx2(m: &mut RollingMoments, xs: &[f64], ys: &[f64], sink: &mut impl Sink) {
    m.drive(xs, ys, sink);
}

/// Suffix sums of a block given as (at most) two runs of pairs, shifted by `k`: row `j` sums
/// positions `j..w`, accumulated from the last pair backwards (row `w` stays 0).
#[inline(always)]
fn suffix_sums(rows: &mut Table, segs: [(&[f64], &[f64]); 2], k: [f64; 2]) {
    let mut s = Sums::default();
    let mut j = segs[0].0.len() + segs[1].0.len();
    for (xs, ys) in segs.into_iter().rev() {
        for (&x, &y) in xs.iter().zip(ys).rev() {
            j -= 1;
            s.add(x - k[0], y - k[1]);
            rows.x[j] = s.x;
            rows.y[j] = s.y;
            rows.xx[j] = s.xx;
            rows.yy[j] = s.yy;
            rows.xy[j] = s.xy;
        }
    }
}

/// The parallel batch forms ([`Rolling::over_into_threads`], [`Rolling::over_new`]) give
/// each thread a piece of at least this many pairs (2^15): below `2 · PAR_MIN` pairs they run
/// on one thread. Chosen, not measured (the machine was loaded by other builds, see
/// BENCHMARKS.md, "Both cores"): a piece of 2^15 pairs takes about 0.15 ms on one core, far
/// above the microseconds of handing it to a rayon thread.
pub const PAR_MIN: usize = 1 << 15;

/// The threads [`Rolling::over_new`] uses: those of the rayon pool it runs in (the global
/// pool has one per core unless `RAYON_NUM_THREADS` says otherwise).
pub fn default_threads() -> usize {
    rayon::current_num_threads()
}

/// The threads the parallel batch forms use on `n` pairs when given `threads`: one per piece
/// of at least [`PAR_MIN`] pairs, at most `threads`, at least one.
pub fn threads_for(n: usize, threads: usize) -> usize {
    threads.min(n / PAR_MIN).max(1)
}

/// Pieces per thread of the parallel batch forms: more pieces than threads, so that on a
/// busy machine a thread that has a core takes the pieces of one that waits for a core
/// (rayon's work stealing), instead of the call waiting for a fixed half.
const PIECES_PER_THREAD: usize = 4;

/// The pieces of `n` pairs on up to `threads` threads: one when [`threads_for`] is one, else
/// [`PIECES_PER_THREAD`] per thread, each of at least [`PAR_MIN`] pairs; an error for 0
/// threads.
fn chunk_count(n: usize, threads: usize) -> Result<usize> {
    if threads == 0 {
        return Err(StatsError::InvalidParameter {
            what: "threads",
            expected: "at least 1",
            value: 0.0,
        });
    }
    let t = threads_for(n, threads);
    Ok(if t == 1 {
        1
    } else {
        (t * PIECES_PER_THREAD).min(n / PAR_MIN)
    })
}

pub(crate) fn check_lengths(xs: &[f64], ys: &[f64]) -> Result<()> {
    if xs.len() != ys.len() {
        return Err(StatsError::LengthMismatch(xs.len(), ys.len()));
    }
    Ok(())
}

/// A rolling statistic `S` ([`Correlation`] or [`Beta`]) of the pairs in the last `window`
/// observations, used through its aliases [`RollingCorrelation`] and [`RollingBeta`].
///
/// `None` during the warm-up (`window - 1` inputs), while the window holds a NaN, and where
/// the statistic is undefined on the window (see `S`). See [`RollingMoments`] for the
/// numerically stable update.
pub struct Rolling<S: Stat>(RollingMoments, PhantomData<S>);

impl<S: Stat> Rolling<S> {
    /// The statistic over `window >= 2` observations.
    pub fn new(window: usize) -> Result<Self> {
        Ok(Rolling(RollingMoments::new(window)?, PhantomData))
    }

    /// Add a pair; the statistic of the window when defined.
    #[inline]
    pub fn next(&mut self, x: f64, y: f64) -> Option<f64> {
        self.0.next(x, y).and_then(S::of)
    }

    /// Batch form of [`Rolling::next`] (the same kernel: bit-identical values): the block
    /// loops of `over_into`, then NaN → `None` (a defined value is never NaN, so the
    /// conversion is exact).
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<f64>>> {
        self.0.stat_over::<S>(xs, ys)
    }

    /// Batch form writing into a caller-provided slice: `out[i]` is what
    /// [`Rolling::next`] returns for pair `i`, with NaN for `None`. The fast path for long
    /// series (no `Option`s, no allocation). Errors when the three lengths differ.
    pub fn over_into(&mut self, xs: &[f64], ys: &[f64], out: &mut [f64]) -> Result<()> {
        self.0.stat_into::<S>(xs, ys, out)
    }

    /// [`Rolling::over_into`] on up to `threads` threads (`threads >= 1`): the same values
    /// bit for bit, and the same state afterwards. The input is cut at block boundaries into
    /// pieces of at least [`PAR_MIN`] pairs, up to four per thread (so that a thread that has
    /// a core takes the pieces of one that waits for a core), on at most `threads` threads
    /// ([`threads_for`]; one below `2 · PAR_MIN` pairs, which then runs on this thread alone),
    /// computed on the rayon pool (see [`RollingMoments`], "Parallel batch"). Errors when the three lengths differ or
    /// `threads` is 0.
    pub fn over_into_threads(
        &mut self,
        xs: &[f64],
        ys: &[f64],
        out: &mut [f64],
        threads: usize,
    ) -> Result<()> {
        check_lengths(xs, ys)?;
        check_lengths(xs, out)?;
        let chunks = chunk_count(xs.len(), threads)?;
        self.0.stat_into_chunks::<S>(xs, ys, out, chunks);
        Ok(())
    }

    /// Batch form into a new buffer: what [`Rolling::over_into`] writes (the same kernel,
    /// bit-identical), into a new [`OutBuf`] of the inputs' length (the form to use when each
    /// call needs its own output, as the Python libraries give), computed on every thread of
    /// the rayon pool ([`default_threads`]) as [`Rolling::over_into_threads`] does. The output
    /// is a reused `Vec` when small, a huge-page mapping when large (each thread first-touches
    /// the pages of its own piece). Errors when the two lengths differ.
    pub fn over_new(&mut self, xs: &[f64], ys: &[f64]) -> Result<OutBuf> {
        self.over_new_threads(xs, ys, default_threads())
    }

    /// [`Rolling::over_new`] on up to `threads` threads (`threads >= 1`; 1 is the one-thread
    /// form: a large mapped output is then written in pieces while a helper thread faults in
    /// the next ones, see `OutBuf`). Errors when the two lengths differ or `threads` is 0.
    pub fn over_new_threads(&mut self, xs: &[f64], ys: &[f64], threads: usize) -> Result<OutBuf> {
        check_lengths(xs, ys)?;
        let chunks = chunk_count(xs.len(), threads)?;
        let mut out = OutBuf::for_overwrite(xs.len());
        let m = &mut self.0;
        if chunks > 1 {
            m.stat_into_chunks::<S>(xs, ys, out.as_mut_slice(), chunks);
            return Ok(out);
        }
        let mapped = out.is_mapped();
        fill_pieces([out.as_mut_slice()], mapped, |r, [o]| {
            m.drive_fast(&xs[r.clone()], &ys[r], &mut StatInto::<S>::new(o));
        });
        Ok(out)
    }

    /// Forget all inputs.
    pub fn reset(&mut self) {
        self.0.reset();
    }
}

impl<S: Stat> Clone for Rolling<S> {
    fn clone(&self) -> Self {
        Rolling(self.0.clone(), PhantomData)
    }
}

/// As the derived `Debug` of a newtype named after the alias: `RollingCorrelation(..)`.
impl<S: Stat> std::fmt::Debug for Rolling<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple(<S as sealed::Kernel>::ROLLING)
            .field(&self.0)
            .finish()
    }
}

/// `CORR(30)`, `BETA(30)`: [`Stat::NAME`] and the window.
impl<S: Stat> std::fmt::Display for Rolling<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", S::NAME, self.0.window())
    }
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
/// numerically stable update. Displays as `CORR(window)`.
pub type RollingCorrelation = Rolling<Correlation>;

/// Rolling beta of x on y over the last `window` pairs (pandas
/// `x.rolling(w).cov(y) / y.rolling(w).var()`):
///
/// ```text
/// β = cov(x, y) / var(y) = Σ(x-x̄)(y-ȳ) / Σ(y-ȳ)²
/// ```
///
/// the slope of the least-squares line of x on y: how many units x moves per unit of y. `None`
/// during warm-up, with a NaN in the window, or when y is constant. Displays as
/// `BETA(window)`.
pub type RollingBeta = Rolling<Beta>;

/// Full-sample Pearson correlation of two equally long slices, two-pass:
/// `r = Σ(x−x̄)(y−ȳ) / (√Σ(x−x̄)² · √Σ(y−ȳ)²)`, clamped to [-1, 1]. `None` when either side is
/// constant (or the slices are empty). Also the reference of the rolling kernels' tests.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    debug_assert_eq!(xs.len(), ys.len());
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
                let want = pearson(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
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

    /// The two aliases of [`Rolling`] print and fail as the two newtypes they replaced did.
    #[test]
    fn aliases_keep_their_names_and_errors() {
        let b = RollingBeta::new(30).unwrap();
        assert_eq!(b.to_string(), "BETA(30)");
        assert!(format!("{b:?}").starts_with("RollingBeta(RollingMoments { w: 30, "));
        let c = RollingCorrelation::new(30).unwrap();
        assert!(format!("{c:?}").starts_with("RollingCorrelation(RollingMoments { w: 30, "));
        let short = StatsError::WindowTooShort {
            what: "rolling moments",
            window: 1,
            min: 2,
        };
        assert_eq!(RollingBeta::new(1).unwrap_err(), short);
        assert_eq!(RollingCorrelation::new(1).unwrap_err(), short);
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
            let want = pearson(&xs[i + 1 - w..=i], &ys[i + 1 - w..=i]).unwrap();
            assert!(
                (got[i].unwrap() - want).abs() < 1e-9,
                "{i}: {:?} vs {want}",
                got[i]
            );
        }
    }

    /// After a spike leaves the window, naive add/remove sums are a difference of numbers 1e12
    /// times larger than what remains, and pandas/polars report visibly wrong correlations
    /// (even |r| > 1) for a whole window. Here no sum holds a value from outside the window.
    /// (The spike at 150 = 5·30 is also the first pair of its block, the shift of every
    /// window that ends in that block.)
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
            let want = pearson(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
            assert!(
                (got[i].unwrap() - want).abs() < 1e-12,
                "{i}: {:?} vs {want}",
                got[i]
            );
        }
    }

    /// The error bound holds wherever the spike falls relative to the blocks, and on a steep
    /// trend at a high level (the shift, the first pair of a block, is then far from the
    /// window's mean).
    #[test]
    fn spikes_at_every_block_offset_and_trends() {
        let w = 25;
        for at in 60..60 + w {
            let mut x = noise(200, 12);
            let y: Vec<f64> = x
                .iter()
                .zip(noise(200, 13))
                .map(|(a, b)| 0.5 * a + b)
                .collect();
            x[at] = -3e7;
            let got = RollingCorrelation::new(w).unwrap().over(&x, &y).unwrap();
            for i in w - 1..200 {
                let want = pearson(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
                assert!((got[i].unwrap() - want).abs() < 1e-12, "spike {at}, {i}");
            }
        }
        let n = 3000;
        let x: Vec<f64> = noise(n, 14)
            .iter()
            .enumerate()
            .map(|(i, e)| 1e6 + 250.0 * i as f64 + e)
            .collect();
        let y: Vec<f64> = noise(n, 15)
            .iter()
            .enumerate()
            .map(|(i, e)| 5e4 - 3.0 * i as f64 + 0.1 * e)
            .collect();
        let w = 90;
        let got = RollingCorrelation::new(w).unwrap().over(&x, &y).unwrap();
        let betas = RollingBeta::new(w).unwrap().over(&x, &y).unwrap();
        for i in w - 1..n {
            let (a, b) = (&x[i + 1 - w..=i], &y[i + 1 - w..=i]);
            let want = pearson(a, b).unwrap();
            assert!((got[i].unwrap() - want).abs() < 1e-12, "trend {i}");
            let (ma, mb) = (
                a.iter().sum::<f64>() / w as f64,
                b.iter().sum::<f64>() / w as f64,
            );
            let sab: f64 = a.iter().zip(b).map(|(p, q)| (p - ma) * (q - mb)).sum();
            let sbb: f64 = b.iter().map(|q| (q - mb) * (q - mb)).sum();
            let rel = (betas[i].unwrap() - sab / sbb).abs() / (sab / sbb).abs();
            assert!(rel < 1e-11, "trend beta {i}: {rel:e}");
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
            let want = pearson(&x[i + 1 - w..=i], &y[i + 1 - w..=i]).unwrap();
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

    /// Inputs that exercise every branch of the kernel: noise, NaN gaps (single and longer
    /// than a window), constant runs, spikes entering and leaving, huge levels.
    fn tricky(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut x = noise(n, seed);
        let mut y: Vec<f64> = x
            .iter()
            .zip(noise(n, seed + 1))
            .map(|(a, b)| 0.6 * a + b)
            .collect();
        for (i, v) in x.iter_mut().enumerate() {
            match i % 997 {
                13 => *v = f64::NAN,
                100..=160 => *v = 0.25,
                400 => *v = 1e9,
                700..=760 => *v += 1e9,
                800..=830 => *v = if i % 2 == 0 { 0.0 } else { -0.0 },
                850..=900 => *v *= 1e-160,
                920..=960 => *v *= 1e160,
                _ => {}
            }
        }
        for (i, v) in y.iter_mut().enumerate() {
            match i % 1409 {
                50..=52 => *v = f64::NAN,
                300..=450 => *v = -1.5,
                900 => *v = -3e7,
                1000 => *v = f64::INFINITY,
                1100..=1150 => *v *= 1e-160,
                _ => {}
            }
        }
        (x, y)
    }

    fn bits(v: Option<f64>) -> u64 {
        v.map_or(f64::NAN.to_bits(), f64::to_bits)
    }

    /// The batch kernels (a block at a time, over the input) give bit for bit what `next`
    /// gives, for any split of the input into batch calls and streaming steps.
    #[test]
    fn batch_kernels_are_bit_identical_to_streaming() {
        let (x, y) = tricky(6000, 21);
        for w in [2, 3, 5, 30, 90, 1200] {
            let mut s = RollingCorrelation::new(w).unwrap();
            let mut sb = RollingBeta::new(w).unwrap();
            let want: Vec<u64> = x
                .iter()
                .zip(&y)
                .map(|(&a, &b)| bits(s.next(a, b)))
                .collect();
            let want_b: Vec<u64> = x
                .iter()
                .zip(&y)
                .map(|(&a, &b)| bits(sb.next(a, b)))
                .collect();
            // Whole input in one call, both batch forms.
            let over: Vec<u64> = RollingCorrelation::new(w)
                .unwrap()
                .over(&x, &y)
                .unwrap()
                .into_iter()
                .map(bits)
                .collect();
            assert_eq!(over, want, "over, w = {w}");
            let mut out = vec![0.0; x.len()];
            RollingBeta::new(w)
                .unwrap()
                .over_into(&x, &y, &mut out)
                .unwrap();
            let got: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want_b, "beta over_into, w = {w}");
            let mut m = RollingMoments::new(w).unwrap();
            let stream: Vec<Option<Moments>> =
                x.iter().zip(&y).map(|(&a, &b)| m.next(a, b)).collect();
            let batch = RollingMoments::new(w).unwrap().over(&x, &y).unwrap();
            let key = |m: &Option<Moments>| {
                m.map(|m| {
                    let f = [m.mean_x, m.mean_y, m.sxx, m.syy, m.sxy].map(f64::to_bits);
                    (f, m.constant_x, m.constant_y)
                })
            };
            let (a, b): (Vec<_>, Vec<_>) = (
                stream.iter().map(key).collect(),
                batch.iter().map(key).collect(),
            );
            assert!(a == b, "moments over, w = {w}");
            // Pieces of varying lengths (shorter and longer than the window), alternating
            // with streaming steps, on one instance.
            let mut c = RollingCorrelation::new(w).unwrap();
            let mut got = Vec::with_capacity(x.len());
            let (mut i, mut k) = (0, 0usize);
            while i < x.len() {
                let len = [1, w / 2 + 1, w, w + 1, 3 * w + 7, 777][k % 6].min(x.len() - i);
                if k % 3 == 2 {
                    for j in i..i + len {
                        got.push(bits(c.next(x[j], y[j])));
                    }
                } else {
                    let mut o = vec![0.0; len];
                    c.over_into(&x[i..i + len], &y[i..i + len], &mut o).unwrap();
                    got.extend(o.iter().map(|v| v.to_bits()));
                }
                i += len;
                k += 1;
            }
            assert_eq!(got, want, "pieces, w = {w}");
            c.reset();
            let mut o = vec![0.0; 10];
            c.over_into(&x[..10], &y[..10], &mut o).unwrap();
            assert_eq!(
                o[9].to_bits(),
                bits(
                    RollingCorrelation::new(w)
                        .unwrap()
                        .over(&x[..10], &y[..10])
                        .unwrap()[9]
                )
            );
        }
    }

    /// Every compiled variant of the batch kernel this CPU can run gives the baseline's bits
    /// (the streaming `next` runs the baseline build).
    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        let (x, y) = tricky(5000, 31);
        for w in [2, 7, 90, 700] {
            let mut s = RollingCorrelation::new(w).unwrap();
            let mut sb = RollingBeta::new(w).unwrap();
            let want: Vec<u64> = x
                .iter()
                .zip(&y)
                .map(|(&a, &b)| bits(s.next(a, b)))
                .collect();
            let want_b: Vec<u64> = x
                .iter()
                .zip(&y)
                .map(|(&a, &b)| bits(sb.next(a, b)))
                .collect();
            for isa in [Isa::Avx512, Isa::Avx2, Isa::Baseline] {
                if !isa.available() {
                    println!("skipped: this CPU cannot run {isa:?}");
                    continue;
                }
                let mut out = vec![0.0; x.len()];
                let mut m = RollingMoments::new(w).unwrap();
                m.drive_on(isa, &x, &y, &mut StatInto::<Correlation>::new(&mut out));
                let got: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
                assert!(got == want, "corr, {isa:?}, w = {w}");
                let mut m = RollingMoments::new(w).unwrap();
                m.drive_on(isa, &x, &y, &mut StatInto::<Beta>::new(&mut out));
                let got: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
                assert!(got == want_b, "beta, {isa:?}, w = {w}");
            }
        }
    }

    /// The inputs of the parallel tests: `tricky` noise, plus NaNs, a constant run and a
    /// spike at the given positions (clipped to the input).
    fn with_marks(n: usize, seed: u64, nans: &[usize], flat: &[usize]) -> (Vec<f64>, Vec<f64>) {
        let (mut x, mut y) = tricky(n, seed);
        for &p in nans.iter().filter(|&&p| p < n) {
            if p % 2 == 0 {
                x[p] = f64::NAN;
            } else {
                y[p] = f64::NAN;
            }
        }
        for &p in flat.iter().filter(|&&p| p < n) {
            x[p] = 0.5;
            if p % 3 == 0 {
                y[p] = 1e8;
            }
        }
        (x, y)
    }

    /// One thread (`over_into`) and `chunks` pieces, from the state `lead` inputs leave, give
    /// the same bits, and the instances are in the same state afterwards (the next inputs give
    /// the same bits too, in a batch call and streaming).
    fn check_chunks<S: Stat>(x: &[f64], y: &[f64], w: usize, lead: usize, chunks: usize) {
        let lead = lead.min(x.len());
        let (px, py) = (&x[..lead], &y[..lead]);
        let (bx, by) = (&x[lead..], &y[lead..]);
        let mut one = Rolling::<S>::new(w).unwrap();
        let mut par = Rolling::<S>::new(w).unwrap();
        let mut scratch = vec![0.0; lead];
        one.over_into(px, py, &mut scratch).unwrap();
        par.over_into(px, py, &mut scratch).unwrap();
        let mut want = vec![0.0; bx.len()];
        one.over_into(bx, by, &mut want).unwrap();
        let mut got = vec![1.0; bx.len()];
        par.0.stat_into_chunks::<S>(bx, by, &mut got, chunks);
        let b = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
        let what = format!(
            "{} n = {}, w = {w}, lead = {lead}, chunks = {chunks}",
            S::NAME,
            bx.len()
        );
        assert!(b(&got) == b(&want), "{what}");
        // The state: a further batch call, then streaming steps.
        let more = (w + 3).min(x.len());
        let (mut a, mut c) = (vec![0.0; more], vec![0.0; more]);
        one.over_into(&x[..more], &y[..more], &mut a).unwrap();
        par.over_into(&x[..more], &y[..more], &mut c).unwrap();
        assert!(b(&a) == b(&c), "{what}: state after the call");
        for q in (0..x.len()).step_by(7).take(3 * w) {
            assert_eq!(
                bits(one.next(y[q], x[q])),
                bits(par.next(y[q], x[q])),
                "{what}: streaming after the call"
            );
        }
    }

    /// The parallel batch gives one thread's bits for many lengths, windows and piece counts,
    /// from fresh and from used instances (mid-block, before and after the first full window),
    /// with NaN gaps, constant runs and spikes at and around the cuts.
    #[test]
    fn pieces_on_threads_are_bit_identical() {
        for w in [2, 3, 7, 90, 250] {
            for n in [0, 1, w - 1, w, w + 1, 2 * w, 3 * w - 1, 5 * w + 3, 4000] {
                for lead in [0, 1, w / 2, w, w + 5] {
                    let m = RollingMoments::new(w).unwrap();
                    let mut probe = m.clone();
                    probe.j = lead % w;
                    let cuts = probe.cuts(n, 4);
                    // NaNs and constant runs next to the cuts (in the call's inputs).
                    let mut nans = Vec::new();
                    let mut flat = Vec::new();
                    for &c in &cuts {
                        for d in [0, 1, w - 1, w, w + 1] {
                            nans.push(lead + c + d);
                            nans.push((lead + c).saturating_sub(d + 1));
                        }
                        flat.extend(lead + c - w.min(c)..lead + c + 2);
                    }
                    let (x, y) = with_marks(lead + n, (w * 31 + n) as u64, &nans, &flat);
                    for chunks in [1, 2, 3, 4, 8, 64] {
                        check_chunks::<Correlation>(&x, &y, w, lead, chunks);
                        check_chunks::<Beta>(&x, &y, w, lead, chunks);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Random lengths, windows, piece counts, earlier inputs and marks.
        #[test]
        fn pieces_on_threads_are_bit_identical_prop(
            w in 2usize..120,
            n in 0usize..3000,
            lead in 0usize..300,
            chunks in 1usize..9,
            seed in 0u64..1000,
            nans in proptest::collection::vec(0usize..3300, 0..6),
            flat in proptest::collection::vec(0usize..3300, 0..40),
        ) {
            let (x, y) = with_marks(lead + n, seed, &nans, &flat);
            check_chunks::<Correlation>(&x, &y, w, lead, chunks);
            check_chunks::<Beta>(&x, &y, w, lead, chunks);
        }
    }

    /// The cuts start blocks of the stream, leave a whole block of the call's inputs before
    /// each, increase, and split the input about evenly.
    #[test]
    fn cuts_are_block_starts() {
        for w in [2, 5, 90] {
            for j in 0..w {
                for full in [false, true] {
                    let mut m = RollingMoments::new(w).unwrap();
                    (m.j, m.full) = (j, full);
                    for n in [0, w, 3 * w, 1000, 100_000] {
                        for chunks in 1..6 {
                            let cuts = m.cuts(n, chunks);
                            assert!(cuts.len() < chunks);
                            assert!(cuts.windows(2).all(|p| p[0] < p[1]));
                            for &c in &cuts {
                                assert!(c >= w && c < n && (j + c) % w == 0, "{w} {j} {n} {c}");
                            }
                            if n == 100_000 {
                                assert_eq!(cuts.len(), chunks - 1);
                                for (t, &c) in cuts.iter().enumerate() {
                                    let ideal = n * (t + 1) / chunks;
                                    assert!(c.abs_diff(ideal) <= w, "{c} vs {ideal}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The public parallel forms: the threads knob, the size threshold, `over_new` on every
    /// core against `over_into` on one.
    #[test]
    fn public_parallel_forms() {
        let n = 2 * PAR_MIN + 12_345;
        let (x, y) = with_marks(n, 5, &[PAR_MIN, PAR_MIN + 1, n / 2], &[n / 2 + 3]);
        let mut want = vec![0.0; n];
        RollingCorrelation::new(90)
            .unwrap()
            .over_into(&x, &y, &mut want)
            .unwrap();
        let b = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
        for threads in [1, 2, 3, 16] {
            let mut got = vec![0.0; n];
            RollingCorrelation::new(90)
                .unwrap()
                .over_into_threads(&x, &y, &mut got, threads)
                .unwrap();
            assert!(b(&got) == b(&want), "threads {threads}");
            let new = RollingCorrelation::new(90)
                .unwrap()
                .over_new_threads(&x, &y, threads)
                .unwrap();
            assert!(b(&new) == b(&want), "over_new, threads {threads}");
        }
        let new = RollingCorrelation::new(90)
            .unwrap()
            .over_new(&x, &y)
            .unwrap();
        assert!(b(&new) == b(&want), "over_new");
        assert_eq!(chunk_count(n, 16).unwrap(), 2);
        assert_eq!(chunk_count(2 * PAR_MIN - 1, 8).unwrap(), 1);
        assert_eq!(chunk_count(10 * PAR_MIN, 4).unwrap(), 10);
        assert_eq!(chunk_count(100 * PAR_MIN, 2).unwrap(), 8);
        assert_eq!(chunk_count(100 * PAR_MIN, 1).unwrap(), 1);
        assert!(default_threads() >= 1);
        let err = RollingBeta::new(90)
            .unwrap()
            .over_into_threads(&x, &y, &mut want, 0)
            .unwrap_err();
        assert_eq!(err.to_string(), "threads must be at least 1, got 0");
        assert!(RollingBeta::new(90)
            .unwrap()
            .over_new_threads(&x, &y, 0)
            .is_err());
        assert!(RollingBeta::new(90)
            .unwrap()
            .over_into_threads(&x, &y[1..], &mut want, 2)
            .is_err());
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
