//! The stationary bootstrap (Politis and Romano 1994) of the correlation of paired series:
//! a percentile interval ([`bootstrap_correlation`]) and a test for the difference of the
//! correlations of two overlapping samples ([`bootstrap_corr_difference`]), both seeded and
//! reproducible.

use crate::block_length::optimal_block_length;
use crate::moments::{check_lengths, Isa};
use crate::rng::{splitmix64, Xoshiro256};
use crate::{pearson, Result, StatsError};
use rayon::prelude::*;

/// The default seed of the bootstrap: the bytes of `LOCKSTEP`, so a report is reproducible
/// unless a seed is given.
pub const DEFAULT_SEED: u64 = 0x4C4F_434B_5354_4550;

/// Resample generator of the stationary bootstrap with expected block length `b`
/// (`p = 1/max(b, 1)`): a resample of the positions `0 … n−1` is a sequence of blocks, each
///
/// ```text
/// start ~ U{0 … n−1}
/// length L ~ Geometric(p):  P(L = k) = p·(1 − p)^(k−1),  k ≥ 1   (mean max(b, 1))
/// positions start, start+1, …, start+L−1   (mod n: the block wraps around)
/// ```
///
/// until `n` positions are drawn (the last block is cut at `n`). This is the distribution of
/// Politis and Romano's index chain (`I_t` a fresh uniform with probability `p`, else
/// `I_{t−1} + 1 mod n`) and of `arch.bootstrap.StationaryBootstrap`, drawn one block at a
/// time rather than one position at a time.
///
/// **Draws.** Per block, from one [`Xoshiro256`]: first the start `below(n)`, then (unless
/// `p = 1`, when every block has length 1 and nothing is drawn) one uniform `u` on [0, 1),
/// inverted exactly: `L` is the smallest `k` with `u < F(k) = 1 − (1 − p)^k`, found in a
/// table of `F(1) … F(16)` (through a guide on the draw's top 8 bits, compared as integers:
/// the same `k`) and beyond it as `L = 1 + ⌊ln(1 − u) / ln(1 − p)⌋`.
///
/// A resample is handed out as [`Run`]s, maximal pieces of consecutive positions that do not
/// wrap ([`StationaryBootstrap::runs`]), so that a statistic can be summed run by run over
/// contiguous memory; [`StationaryBootstrap::indices`] spells them out position by position.
/// A pair `(x_t, y_t)` is always resampled whole (the same position for both series).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StationaryBootstrap {
    block: f64,
    p: f64,
    /// `ln(1 − p)` (`-inf` when `p = 1`).
    ln_q: f64,
    /// `F(k) = 1 − (1 − p)^k` for `k = 1 … 16`.
    cdf: [f64; 16],
    /// Whether the table is non-decreasing as computed (it is, for every `p` tried), so that
    /// the smallest `k` with `u < F(k)` is `1 + #{k : F(k) ≤ u}`, read from [`Self::guide`].
    monotone: bool,
    /// `T(k) = ⌈F(k)·2⁵³⌉` for `k = 1 … 16`, then `u64::MAX`: with `u = m·2⁻⁵³` (`m` the top 53
    /// bits of the draw), `F(k) ≤ u` exactly when `T(k) ≤ m` (`F(k)·2⁵³` is exact, `m` an
    /// integer), so the count is taken on integers, without converting the draw.
    limits: [u64; 17],
    /// Per value `g` of the draw's top 8 bits (the 256 buckets `m ∈ [g·2⁴⁵, (g+1)·2⁴⁵)`), the
    /// count `#{k : T(k) ≤ m}` at the bucket's first and last `m`: equal (almost every bucket),
    /// it is the count of every `m` in the bucket; else the entries in between are compared.
    guide: [(u8, u8); 256],
}

/// `2⁵³`.
const TWO_53: f64 = (1u64 << 53) as f64;

/// The uniform on [0, 1) of the top 53 bits `m` of a draw: `m·2⁻⁵³` ([`Xoshiro256::uniform`]).
#[inline(always)]
fn to_unit(m: u64) -> f64 {
    m as f64 * (1.0 / TWO_53)
}

/// Consecutive positions `start .. start + len` of a resample (see [`StationaryBootstrap`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// First position.
    pub start: usize,
    /// Number of positions (at least 1).
    pub len: usize,
}

impl StationaryBootstrap {
    /// Expected block length `block_length > 0` (below 1 it is taken as 1: every index
    /// drawn afresh, the iid bootstrap).
    pub fn new(block_length: f64) -> Result<Self> {
        if !(block_length > 0.0 && block_length.is_finite()) {
            return Err(StatsError::InvalidParameter {
                what: "stationary bootstrap block length",
                expected: "a positive finite number",
                value: block_length,
            });
        }
        let block = block_length.max(1.0);
        let p = 1.0 / block;
        let ln_q = (-p).ln_1p();
        let mut cdf = [1.0; 16];
        for (k, f) in cdf.iter_mut().enumerate() {
            // 1 − (1 − p)^(k+1) = −expm1((k+1)·ln(1 − p)), accurate for small p.
            *f = -((k + 1) as f64 * ln_q).exp_m1();
        }
        let monotone = cdf.windows(2).all(|w| w[0] <= w[1]);
        let mut limits = [u64::MAX; 17];
        for (t, f) in limits.iter_mut().zip(cdf) {
            // F·2⁵³ is exact (a power of two), at most 2⁵³.
            *t = (f * TWO_53).ceil() as u64;
        }
        let below = |m: u64| limits[..16].iter().filter(|&&t| t <= m).count() as u8;
        let guide = std::array::from_fn(|g| {
            let first = (g as u64) << 45;
            (below(first), below(first + (1 << 45) - 1))
        });
        Ok(StationaryBootstrap {
            block,
            p,
            ln_q,
            cdf,
            monotone,
            limits,
            guide,
        })
    }

    /// The expected block length used (`max(b, 1)`).
    pub fn block_length(&self) -> f64 {
        self.block
    }

    /// One geometric block length, at most `cap` (`cap >= 1`).
    #[cfg(test)]
    fn block_len(&self, rng: &mut Xoshiro256, cap: usize) -> usize {
        match self.kind() {
            0 => self.block_len_as::<0>(rng, cap),
            1 => self.block_len_as::<1>(rng, cap),
            _ => self.block_len_as::<2>(rng, cap),
        }
    }

    /// How [`StationaryBootstrap::block_len_as`] draws: 0 nothing (`p = 1`), 1 a search of the
    /// table, 2 the count read from the guide (a non-decreasing table).
    fn kind(&self) -> usize {
        if self.p >= 1.0 {
            0
        } else if self.monotone {
            2
        } else {
            1
        }
    }

    /// One geometric block length, at most `cap` (`cap >= 1`), drawn as `K =`
    /// [`StationaryBootstrap::kind`] says (a constant, so that the loop drawing the blocks
    /// holds no test of it).
    #[inline(always)]
    fn block_len_as<const K: usize>(&self, rng: &mut Xoshiro256, cap: usize) -> usize {
        if K == 0 {
            return 1;
        }
        self.len_of::<K>(rng.next_u64(), cap)
    }

    /// The block length, at most `cap`, of the draw `x` (`K` 1 or 2, as
    /// [`StationaryBootstrap::block_len_as`]).
    #[inline(always)]
    fn len_of<const K: usize>(&self, x: u64, cap: usize) -> usize {
        let m = x >> 11;
        // The first k with u < F(k): with F non-decreasing, one more than the entries at most
        // u (the same k as the search).
        let k = if K == 1 {
            self.cdf.iter().position(|&f| to_unit(m) < f)
        } else {
            let (lo, hi) = self.guide[(x >> 56) as usize];
            let (lo, hi) = (usize::from(lo), usize::from(hi));
            let c = if hi <= lo + 1 {
                lo + (usize::from(lo < hi) & usize::from(self.limits[lo] <= m))
            } else {
                lo + self.limits[lo..hi].iter().filter(|&&t| t <= m).count()
            };
            (c < 16).then_some(c)
        };
        match k {
            Some(k) => (k + 1).min(cap),
            None => self.block_len_tail(to_unit(m), cap),
        }
    }

    /// A block length past the table: `1 + ⌊ln(1 − u) / ln(1 − p)⌋`, at most `cap`.
    #[cold]
    #[inline(never)]
    fn block_len_tail(&self, u: f64, cap: usize) -> usize {
        let l = 1.0 + ((1.0 - u).ln() / self.ln_q).floor();
        // Past the table the inversion is at least 17 (up to rounding at the boundary).
        let l = l.max(self.cdf.len() as f64 + 1.0);
        if l >= cap as f64 {
            cap
        } else {
            l as usize
        }
    }

    /// One resample of the positions `0 … n−1` as runs of consecutive positions, into `out`
    /// (cleared first); their lengths add up to `n`. A block that wraps past `n − 1` gives two
    /// runs (or more, when it is longer than `n`).
    pub fn runs(&self, n: usize, rng: &mut Xoshiro256, out: &mut Vec<Run>) {
        out.clear();
        self.for_each_run(n, rng, |r| out.push(r));
    }

    /// [`StationaryBootstrap::runs`] handed to `f` one at a time, as they are drawn.
    #[inline(always)]
    pub fn for_each_run(&self, n: usize, rng: &mut Xoshiro256, f: impl FnMut(Run)) {
        match self.kind() {
            0 => self.for_each_run_as::<0>(n, rng, f),
            1 => self.for_each_run_as::<1>(n, rng, f),
            _ => self.for_each_run_as::<2>(n, rng, f),
        }
    }

    /// [`StationaryBootstrap::for_each_run`] with block lengths drawn as `K` says
    /// ([`StationaryBootstrap::kind`]).
    #[inline(always)]
    fn for_each_run_as<const K: usize>(
        &self,
        n: usize,
        rng: &mut Xoshiro256,
        mut f: impl FnMut(Run),
    ) {
        let nu = n as u64;
        let mut left = n;
        while left > 0 {
            let mut start = rng.below(nu) as usize;
            let mut len = self.block_len_as::<K>(rng, left);
            left -= len;
            while len > 0 {
                let take = len.min(n - start);
                f(Run { start, len: take });
                len -= take;
                start = 0;
            }
        }
    }

    /// One resample of the positions `0 … n−1` into `out` (cleared first), position by
    /// position: [`StationaryBootstrap::runs`] spelled out.
    pub fn indices(&self, n: usize, rng: &mut Xoshiro256, out: &mut Vec<usize>) {
        out.clear();
        let mut runs = Vec::new();
        self.runs(n, rng, &mut runs);
        for r in runs {
            out.extend(r.start..r.start + r.len);
        }
    }
}

/// The generator of replicate `i` (0-based) of a bootstrap seeded with `seed`:
/// `Xoshiro256::new(seed ^ splitmix64(i))` (one SplitMix64 step from state `i`). Each
/// replicate has its own stream, so the replicates can be drawn in any order, on any number of
/// threads, with the same result.
pub fn replicate_rng(seed: u64, i: u64) -> Xoshiro256 {
    let mut s = i;
    Xoshiro256::new(seed ^ splitmix64(&mut s))
}

/// Settings of a bootstrap.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BootstrapConfig {
    /// Number of resamples B (2000 by default; at least 2).
    pub replications: usize,
    /// Confidence level of the interval, in (0, 1) (0.95 by default).
    pub confidence: f64,
    /// Seed of the generator ([`DEFAULT_SEED`] by default).
    pub seed: u64,
    /// Expected block length; `None` (default) for the automatic [`pair_block_length`].
    pub block_length: Option<f64>,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            replications: 2000,
            confidence: 0.95,
            seed: DEFAULT_SEED,
            block_length: None,
        }
    }
}

impl BootstrapConfig {
    fn check(&self) -> Result<()> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(StatsError::InvalidConfidence(self.confidence));
        }
        if self.replications < 2 {
            return Err(StatsError::InvalidParameter {
                what: "bootstrap replications",
                expected: "at least 2",
                value: self.replications as f64,
            });
        }
        Ok(())
    }

    /// The bootstrap of the block length given, or of the pair's automatic one.
    fn sampler(&self, x: &[f64], y: &[f64]) -> Result<Option<StationaryBootstrap>> {
        let b = match self.block_length {
            Some(b) => b,
            None => match pair_block_length(x, y)? {
                Some(b) => b,
                None => return Ok(None),
            },
        };
        StationaryBootstrap::new(b.max(1.0)).map(Some)
    }
}

/// The expected block length for resampling the pair `(x, y)`: the larger of the two series'
/// Politis–White stationary-bootstrap block lengths ([`optimal_block_length`]), at least 1,
/// so that the dependence of the more persistent series is kept. `None` when either series is
/// constant; errors as [`optimal_block_length`] (fewer than 8 observations, NaN).
pub fn pair_block_length(x: &[f64], y: &[f64]) -> Result<Option<f64>> {
    check_lengths(x, y)?;
    let (Some(bx), Some(by)) = (optimal_block_length(x)?, optimal_block_length(y)?) else {
        return Ok(None);
    };
    Ok(Some(bx.stationary.max(by.stationary).max(1.0)))
}

/// A correlation with its stationary-bootstrap percentile interval (see
/// [`bootstrap_correlation`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CorrInterval {
    /// The Pearson correlation of the sample.
    pub r: f64,
    /// Lower bound of the percentile interval.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Bootstrap standard error (standard deviation of the defined replicates, `B − 1`).
    pub se: f64,
    /// The expected block length used.
    pub block_length: f64,
    /// Replicates with a defined correlation (the others, a resample with a constant side,
    /// are left out).
    pub replications: usize,
}

/// Stationary-bootstrap percentile interval of the Pearson correlation of the pairs
/// `(x_t, y_t)`:
///
/// 1. the block length `b` is `cfg.block_length` or [`pair_block_length`]`(x, y)`;
/// 2. for `i = 1 … B` a resample of positions from [`StationaryBootstrap`] (length n, drawn
///    from the replicate's own generator [`replicate_rng`]`(cfg.seed, i − 1)`, so the result
///    does not depend on the order or the threads the replicates are drawn on), and `r*_i`
///    the correlation of the resampled pairs, from one pass over the series weighted by the
///    number of times the resample holds each position, with the pairs shifted by the sample
///    means (`Cxy / √(Cxx·Cyy)` of the centred sums; undefined
///    replicates, a constant side, are left out);
/// 3. the interval is the `(1−c)/2` and `(1+c)/2` quantiles of the defined `r*`, linearly
///    interpolated between order statistics (`numpy.percentile`'s default: position
///    `h = (B' − 1)·q` in the sorted replicates).
///
/// This interval allows for autocorrelation (the blocks) and for fat tails and volatility
/// clustering (it does not assume bivariate normality, unlike [`crate::fisher_interval`]).
/// `None` when r is undefined on the sample, a series is constant, or fewer than half of the
/// replicates are defined. Errors on different lengths, NaN, fewer than 8 pairs (automatic
/// block length), an invalid confidence or fewer than 2 replications.
pub fn bootstrap_correlation(
    x: &[f64],
    y: &[f64],
    cfg: &BootstrapConfig,
) -> Result<Option<CorrInterval>> {
    Ok(bootstrap_suite(x, y, &[], cfg)?.full)
}

/// The difference of the correlations of two samples of one pair of series, with its
/// bootstrap interval and p-value (see [`bootstrap_corr_difference`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CorrDifference {
    /// Correlation on sample A.
    pub r_a: f64,
    /// Correlation on sample B.
    pub r_b: f64,
    /// Observations in A.
    pub n_a: usize,
    /// Observations in B.
    pub n_b: usize,
    /// `r_a − r_b`.
    pub diff: f64,
    /// Lower bound of the percentile interval of the difference.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Two-sided bootstrap p-value of `H0: ρ_A = ρ_B`.
    pub p: f64,
    /// The expected block length used.
    pub block_length: f64,
    /// Replicates with both correlations defined.
    pub replications: usize,
}

/// Bootstrap test of `H0: ρ_A = ρ_B` for the correlations of the pair `(x, y)` on two samples
/// of the same dates, which may overlap or interleave: `in_a[t]` / `in_b[t]` say whether
/// position `t` belongs to A / B (the latest 90 returns against the full period; risk-on days
/// against risk-off days; two calendar years).
///
/// **Resampling.** The whole series of positions `0 … n−1` is resampled by the
/// [`StationaryBootstrap`] (block length `cfg.block_length`, or [`pair_block_length`] of the
/// whole series), and each resampled position keeps its memberships: replicate `i` computes
/// `r*_A` on the resampled pairs whose original position is in A and `r*_B` on those in B,
/// `d*_i = r*_A − r*_B`. A day in both samples moves both correlations in the same replicate,
/// so the overlap's dependence is kept; the sizes of the resampled A and B vary around
/// `n_A`, `n_B` as the blocks fall. Replicates where either correlation is undefined are left
/// out.
///
/// **p-value.** The replicates centred on the estimate `d̂ = r_A − r_B` estimate the null
/// distribution (Hall and Wilson 1991):
///
/// ```text
/// p = (1 + #{i : |d*_i − d̂| ≥ |d̂|}) / (B' + 1)
/// ```
///
/// `B'` the defined replicates; never 0. The interval is the percentile interval of the `d*`
/// (as in [`bootstrap_correlation`]).
///
/// `None` when r is undefined on A or B or on the whole series, or fewer than half the
/// replicates are defined. Errors on different lengths (`x`, `y`, `in_a`, `in_b`), NaN, fewer
/// than 3 positions in A or B ([`StatsError::TooFewObservations`]), and as
/// [`bootstrap_correlation`].
pub fn bootstrap_corr_difference(
    x: &[f64],
    y: &[f64],
    in_a: &[bool],
    in_b: &[bool],
    cfg: &BootstrapConfig,
) -> Result<Option<CorrDifference>> {
    const WHAT: &str = "bootstrap difference of correlations";
    cfg.check()?;
    check_lengths(x, y)?;
    for len in [in_a.len(), in_b.len()] {
        if len != x.len() {
            return Err(StatsError::LengthMismatch(x.len(), len));
        }
    }
    check_finite(x, y)?;
    let (n_a, n_b) = (count(in_a), count(in_b));
    if n_a.min(n_b) < 3 {
        return Err(StatsError::TooFewObservations {
            what: WHAT,
            got: n_a.min(n_b),
            need: 3,
        });
    }
    let suite = bootstrap_suite(x, y, &[(in_a, in_b)], cfg)?;
    suite.differences.into_iter().next().unwrap_or(Ok(None))
}

/// The results of [`bootstrap_suite`]: the interval of the whole sample's correlation and one
/// difference test per pair of samples.
#[derive(Clone, Debug, PartialEq)]
pub struct BootstrapSuite {
    /// [`bootstrap_correlation`]`(x, y, cfg)`.
    pub full: Option<CorrInterval>,
    /// [`bootstrap_corr_difference`]`(x, y, in_a, in_b, cfg)` of each pair, in order (an
    /// invalid pair's error in its slot).
    pub differences: Vec<Result<Option<CorrDifference>>>,
    /// Per pair, in order, the percentile intervals of its two samples' own correlations,
    /// `[r_A, r_B]`, from the same replicates as its test (see [`bootstrap_suite`]): `r*_A`
    /// is the correlation of the resampled pairs whose original position is in A. `None` for
    /// a pair with an error or an undefined correlation, and for a side with fewer than half
    /// of the replicates defined.
    pub samples: Vec<[Option<CorrInterval>; 2]>,
}

/// What a replicate of [`bootstrap_suite`] gives: `r*`, then `[r*_A, r*_B]` of each pair.
type Replicate = (Option<f64>, Vec<Option<[Option<f64>; 2]>>);

/// Per pair of samples of [`bootstrap_suite`]: its masks, its correlations, its replicates.
struct SuitePair<'m> {
    in_a: &'m [bool],
    in_b: &'m [bool],
    all_a: bool,
    all_b: bool,
    r_a: f64,
    r_b: f64,
    /// The replicates of `d* = r*_A − r*_B` (both defined).
    reps: Vec<f64>,
    /// The defined replicates of `r*_A` and of `r*_B`.
    sides: [Vec<f64>; 2],
}

/// [`bootstrap_correlation`] and several [`bootstrap_corr_difference`] tests of the same pair
/// `(x, y)` from **one** resampling: the same results, bit for bit, as the separate calls with
/// the same `cfg`, at the cost of about one of them.
///
/// The separate calls draw the same positions: replicate `i` of each comes from the same
/// generator [`replicate_rng`]`(cfg.seed, i)` and resamples all `n` positions with the block
/// length of the whole pair. Here each resample is drawn once and counted once (how many
/// times it holds each position); the whole sample's sums and each masked sample's own sums
/// (over its positions, shifted by its own mean, as the separate call does) are read from the
/// counts; a sample holding every position (the full period against which
/// a window is tested) reuses the whole sample's `r*`. Every correlation is the same
/// arithmetic on the same values as in the separate call. The replicates are spread over the
/// rayon thread pool.
///
/// **Each sample's own interval** ([`BootstrapSuite::samples`]). The same replicates give, per
/// pair, the percentile interval of `r_A` and of `r_B` themselves: `r*_A` is the correlation
/// of the resampled pairs whose original position is in A (the number of them varies around
/// `n_A` as the blocks fall), the interval as in [`bootstrap_correlation`] (the quantiles and
/// the standard deviation of its defined replicates, `None` when fewer than half are defined).
/// The blocks are drawn in calendar order on the whole series, so a sample scattered through
/// it (the days of one regime) keeps the dependence of consecutive days, and its interval
/// comes from the very replicates of its test. A sample holding every position has the whole
/// sample's interval.
///
/// Errors as [`bootstrap_correlation`] for the whole (different lengths, NaN, fewer than 8
/// pairs, invalid settings); a pair's own errors (a mask of another length, fewer than 3
/// positions in a sample) are in its slot only.
pub fn bootstrap_suite(
    x: &[f64],
    y: &[f64],
    pairs: &[(&[bool], &[bool])],
    cfg: &BootstrapConfig,
) -> Result<BootstrapSuite> {
    const WHAT: &str = "bootstrap difference of correlations";
    cfg.check()?;
    check_lengths(x, y)?;
    check_finite(x, y)?;
    let n = x.len();
    // Each pair: its error, undefined (None), or ready.
    let mut slots: Vec<Result<Option<SuitePair>>> = pairs
        .iter()
        .map(|&(in_a, in_b)| {
            for len in [in_a.len(), in_b.len()] {
                if len != n {
                    return Err(StatsError::LengthMismatch(n, len));
                }
            }
            let (n_a, n_b) = (count(in_a), count(in_b));
            if n_a.min(n_b) < 3 {
                return Err(StatsError::TooFewObservations {
                    what: WHAT,
                    got: n_a.min(n_b),
                    need: 3,
                });
            }
            let (Some(r_a), Some(r_b)) = (
                pearson(&masked(in_a, x), &masked(in_a, y)),
                pearson(&masked(in_b, x), &masked(in_b, y)),
            ) else {
                return Ok(None);
            };
            Ok(Some(SuitePair {
                in_a,
                in_b,
                all_a: n_a == n,
                all_b: n_b == n,
                r_a,
                r_b,
                reps: Vec::with_capacity(cfg.replications),
                sides: [
                    Vec::with_capacity(cfg.replications),
                    Vec::with_capacity(cfg.replications),
                ],
            }))
        })
        .collect();
    let r = pearson(x, y);
    let sampler = match r {
        Some(_) => cfg.sampler(x, y)?,
        None => None,
    };
    let Some(sb) = sampler else {
        // Undefined on the whole sample: every call gives None (or its pair's error).
        let differences: Vec<_> = slots
            .into_iter()
            .map(|s| s.map(|_| None::<CorrDifference>))
            .collect();
        return Ok(BootstrapSuite {
            full: None,
            samples: vec![[None, None]; differences.len()],
            differences,
        });
    };
    // The samples to sum apart (those not holding every position: a sample holding every
    // position is the whole resample, its correlation the whole one).
    let mut samples: Vec<&[bool]> = Vec::new();
    let mut sides: Vec<[Option<usize>; 2]> = Vec::with_capacity(slots.len());
    for slot in &slots {
        let mut side = [None, None];
        if let Ok(Some(p)) = slot {
            for (k, (all, m)) in [(p.all_a, p.in_a), (p.all_b, p.in_b)]
                .into_iter()
                .enumerate()
            {
                if !all {
                    side[k] = Some(samples.len());
                    samples.push(m);
                }
            }
        }
        sides.push(side);
    }
    let engine = Engine::new(x, y, &samples);
    let live: Vec<bool> = slots.iter().map(|s| matches!(s, Ok(Some(_)))).collect();
    // Replicate i: (r*, then r*_A and r*_B of each pair j), from its own generator.
    // In batches of BATCH consecutive replicates.
    let batches: Vec<Vec<Replicate>> = (0..cfg.replications.div_ceil(BATCH))
        .into_par_iter()
        .map_init(Scratch::default, |sc, j| {
            let first = j * BATCH;
            let rngs: Vec<Xoshiro256> = (first..(first + BATCH).min(cfg.replications))
                .map(|i| replicate_rng(cfg.seed, i as u64))
                .collect();
            engine.resample_batch(&sb, &rngs, sc);
            sc.out
                .iter()
                .map(|(whole, accs)| {
                    let whole = whole.corr();
                    let diffs = live
                        .iter()
                        .zip(&sides)
                        .map(|(&live, side)| {
                            if !live {
                                return None;
                            }
                            let corr = |b: Option<usize>| b.map_or(whole, |b| accs[b].corr());
                            Some([corr(side[0]), corr(side[1])])
                        })
                        .collect();
                    (whole, diffs)
                })
                .collect()
        })
        .collect();
    let mut full_reps = Vec::with_capacity(cfg.replications);
    for (whole, sides) in batches.into_iter().flatten() {
        full_reps.extend(whole);
        for (slot, rs) in slots.iter_mut().zip(sides) {
            if let (Ok(Some(p)), Some([ra, rb])) = (slot, rs) {
                if let (Some(ra), Some(rb)) = (ra, rb) {
                    p.reps.push(ra - rb);
                }
                p.sides[0].extend(ra);
                p.sides[1].extend(rb);
            }
        }
    }
    let a = (1.0 - cfg.confidence) / 2.0;
    let block_length = sb.block_length();
    // The percentile interval of the defined replicates `reps` of a correlation `r`.
    let interval = |r: f64, reps: &mut Vec<f64>| -> Option<CorrInterval> {
        if 2 * reps.len() < cfg.replications || reps.len() < 2 {
            return None;
        }
        reps.sort_by(f64::total_cmp);
        Some(CorrInterval {
            r,
            lo: quantile(reps, a),
            hi: quantile(reps, 1.0 - a),
            se: std_dev(reps),
            block_length,
            replications: reps.len(),
        })
    };
    let samples = slots
        .iter_mut()
        .map(|slot| match slot {
            Ok(Some(p)) => {
                let [s_a, s_b] = &mut p.sides;
                [interval(p.r_a, s_a), interval(p.r_b, s_b)]
            }
            _ => [None, None],
        })
        .collect();
    let full = r.and_then(|r| interval(r, &mut full_reps));
    let differences = slots
        .into_iter()
        .map(|slot| {
            let Some(mut p) = slot? else {
                return Ok(None);
            };
            if 2 * p.reps.len() < cfg.replications || p.reps.len() < 2 {
                return Ok(None);
            }
            let d = p.r_a - p.r_b;
            let extreme = p.reps.iter().filter(|v| (*v - d).abs() >= d.abs()).count();
            let pv = (1 + extreme) as f64 / (p.reps.len() + 1) as f64;
            p.reps.sort_by(f64::total_cmp);
            Ok(Some(CorrDifference {
                r_a: p.r_a,
                r_b: p.r_b,
                n_a: count(p.in_a),
                n_b: count(p.in_b),
                diff: d,
                lo: quantile(&p.reps, a),
                hi: quantile(&p.reps, 1.0 - a),
                p: pv,
                block_length: sb.block_length(),
                replications: p.reps.len(),
            }))
        })
        .collect();
    Ok(BootstrapSuite {
        full,
        differences,
        samples,
    })
}

/// The pairs of a bootstrap laid out for summing resamples: the two series, and the positions
/// of each masked sample.
///
/// **How a resample is summed.** A sum over the resampled positions is a sum over the
/// positions `t` of the series weighted by the number of times `c_t` the resample holds `t`:
/// `Σ_resample v = Σ_t c_t·v_t`. The counts are one byte a position, each run adding 1 to its
/// positions eight bytes at a time (one unaligned 64-bit add a run of up to 8, the bytes kept
/// apart: see [`add_run`]), and the sums are then sequential passes over the series in position
/// order (and over each masked sample's positions), instead of a cache miss at every block
/// start of a resample. The bytes count modulo 256; should any position be held 256 times or
/// more (the counts then add up to less than `n`), the resample is counted again in 32 bits.
/// The pairs are stored shifted (`x_t − cx`, `y_t − cy`, the same values every resample would
/// compute), each masked sample's contiguous with its positions.
///
/// **Several resamples a pass** ([`Engine::resample_batch`]). [`BATCH`] resamples are counted
/// (each into its own array), then swept together tile by tile ([`TILE`] positions): each tile
/// of the series (and of each masked sample) is read from memory once and summed for every
/// resample while it is in cache, and a masked sample's sums of the resamples advance side by
/// side (independent chains of additions, instead of one chain waiting on the previous
/// addition). Each resample's sums are the same additions in the same order as one pass over
/// it alone: the whole sample in four interleaved partial sums (positions `t mod 4`, carried
/// from tile to tile, added `(l0 + l1) + (l2 + l3)` at the end), a masked sample's in one chain
/// in position order.
struct Engine {
    /// `x_t − x̄` (the shift of the whole sample: its means).
    dx: Vec<f64>,
    /// `y_t − ȳ`.
    dy: Vec<f64>,
    /// The positions of each masked sample, increasing, with its pairs shifted by its own
    /// means.
    members: Vec<Vec<(u32, [f64; 2])>>,
    /// Per masked sample, where each tile's members begin (`bounds[j]`: the first member at a
    /// position of tile `j` or later, `j = 0 … ⌈n/TILE⌉`).
    bounds: Vec<Vec<usize>>,
}

/// Resamples summed together by [`Engine::resample_batch`] (a multiple of [`LANES`]).
const BATCH: usize = 8;

/// Resamples whose sums of a masked sample advance side by side ([`Lanes`]).
const LANES: usize = 4;

/// Positions per tile of [`Engine::resample_batch`]'s sweep (a multiple of 4): the tile's pairs
/// (16 bytes a position) and counts stay in the core's own cache while every resample of the
/// batch is summed over them.
const TILE: usize = 4096;

/// The scratch of one thread of [`Engine::resample_batch`].
#[derive(Default)]
struct Scratch {
    /// [`BATCH`] arrays of counts, `n + 8` bytes each (the last 8 so that a run's 64-bit add
    /// never reads past the end).
    counts: Vec<u8>,
    /// The 32-bit difference array of a resample counted again.
    wide: Vec<u32>,
    /// The masked samples' sums of one resample.
    accs: Vec<Acc>,
    /// Per masked sample, its sums of the resamples of the batch, side by side.
    lanes: Vec<Lanes>,
    /// The batch's results: per resample, the whole sample's sums and the masked samples'.
    out: Vec<(Acc, Vec<Acc>)>,
    /// Count every resample again in 32 bits (to test that path).
    #[cfg(test)]
    force_wide: bool,
}

impl Scratch {
    #[cfg(test)]
    fn forced_wide(&self) -> bool {
        self.force_wide
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn forced_wide(&self) -> bool {
        false
    }
}

/// Adds 1 (modulo 256) to the counts of the run's positions, eight at a time: the eight bytes
/// at the run's start read as one little-endian `u64` `a`, the pattern `p` with a 1 in each
/// byte of the run, and `((a & 0x7F…7F) + p) ^ (a & 0x80…80)`: each byte's low seven bits plus
/// at most 1 do not carry into the next byte, and its top bit is added back modulo 2, which is
/// the byte plus `p`'s byte modulo 256. `counts` has 8 bytes beyond the last position.
#[inline(always)]
fn add_run(counts: &mut [u8], r: Run) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (mut start, mut len) = (r.start, r.len);
    while len > 8 {
        add_bytes(counts, start, ONES);
        start += 8;
        len -= 8;
    }
    add_bytes(counts, start, ONES >> (8 * (8 - len)));
}

#[inline(always)]
fn add_bytes(counts: &mut [u8], at: usize, p: u64) {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let w: &mut [u8; 8] = (&mut counts[at..at + 8]).try_into().expect("8 bytes");
    let a = u64::from_le_bytes(*w);
    *w = (((a & LOW) + p) ^ (a & !LOW)).to_le_bytes();
}

/// One masked sample's sums ([`Acc`]) of [`LANES`] resamples of a batch, side by side.
#[derive(Clone, Copy, Debug)]
struct Lanes {
    m: [f64; LANES],
    sx: [f64; LANES],
    sy: [f64; LANES],
    sxx: [f64; LANES],
    syy: [f64; LANES],
    sxy: [f64; LANES],
}

impl Lanes {
    fn new() -> Lanes {
        Lanes {
            m: [0.0; LANES],
            sx: [0.0; LANES],
            sy: [0.0; LANES],
            sxx: [0.0; LANES],
            syy: [0.0; LANES],
            sxy: [0.0; LANES],
        }
    }

    /// [`Acc::add_shifted`] of each member, held `tile[k][t − a]` times, for each resample
    /// `k`: the members' positions are in the tile `a .. a + TILE`.
    #[inline(always)]
    fn add_members(&mut self, members: &[(u32, [f64; 2])], a: usize, tile: &[&[u8; TILE]; LANES]) {
        for &(t, [dx, dy]) in members {
            // In the tile (the mask only spares a bounds check).
            let t = (t as usize - a) & (TILE - 1);
            let w: [f64; LANES] = std::array::from_fn(|k| f64::from(tile[k][t]));
            for (k, &w) in w.iter().enumerate() {
                let (wx, wy) = (w * dx, w * dy);
                self.m[k] += w;
                self.sx[k] += wx;
                self.sy[k] += wy;
                self.sxx[k] += wx * dx;
                self.syy[k] += wy * dy;
                self.sxy[k] += wx * dy;
            }
        }
    }

    /// The sums of resample `k`.
    fn get(&self, k: usize) -> Acc {
        Acc {
            m: self.m[k],
            sx: self.sx[k],
            sy: self.sy[k],
            sxx: self.sxx[k],
            syy: self.syy[k],
            sxy: self.sxy[k],
        }
    }
}

/// The whole sample's sums of positions `dx.len()` as four interleaved partial sums, `l[q][k]`
/// for quantity `q` (`m`, `Σdx`, `Σdy`, `Σdx²`, `Σdy²`, `Σdx·dy`) and positions `k mod 4`,
/// continued from `l`; a remainder of fewer than 4 positions goes to lanes `0, 1, 2` (it is the
/// end of the series).
#[inline(always)]
fn sweep_lanes<C: Copy + Into<f64>>(dx: &[f64], dy: &[f64], counts: &[C], l: &mut [[f64; 4]; 6]) {
    let mut xs = dx.chunks_exact(4);
    let mut ys = dy.chunks_exact(4);
    let mut cs = counts.chunks_exact(4);
    for ((x, y), c) in (&mut xs).zip(&mut ys).zip(&mut cs) {
        for k in 0..4 {
            let w: f64 = c[k].into();
            let (dx, dy) = (x[k], y[k]);
            let (wx, wy) = (w * dx, w * dy);
            l[0][k] += w;
            l[1][k] += wx;
            l[2][k] += wy;
            l[3][k] += wx * dx;
            l[4][k] += wy * dy;
            l[5][k] += wx * dy;
        }
    }
    let rest = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .zip(cs.remainder());
    for (k, ((x, y), c)) in rest.enumerate() {
        let w: f64 = (*c).into();
        let (dx, dy) = (*x, *y);
        let (wx, wy) = (w * dx, w * dy);
        l[0][k] += w;
        l[1][k] += wx;
        l[2][k] += wy;
        l[3][k] += wx * dx;
        l[4][k] += wy * dy;
        l[5][k] += wx * dy;
    }
}

/// The sums from the four partial sums of [`sweep_lanes`].
fn lanes_total(l: &[[f64; 4]; 6]) -> Acc {
    let t = l.map(|v| (v[0] + v[1]) + (v[2] + v[3]));
    Acc {
        m: t[0],
        sx: t[1],
        sy: t[2],
        sxx: t[3],
        syy: t[4],
        sxy: t[5],
    }
}

impl Engine {
    fn new(x: &[f64], y: &[f64], samples: &[&[bool]]) -> Engine {
        let mean = |keep: &dyn Fn(usize) -> bool| -> [f64; 2] {
            let (mut sx, mut sy, mut m) = (0.0, 0.0, 0usize);
            for (t, (a, b)) in x.iter().zip(y).enumerate() {
                if keep(t) {
                    sx += a;
                    sy += b;
                    m += 1;
                }
            }
            [sx / m as f64, sy / m as f64]
        };
        let shift = mean(&|_| true);
        let shifts: Vec<[f64; 2]> = samples.iter().map(|m| mean(&|t| m[t])).collect();
        let members: Vec<Vec<(u32, [f64; 2])>> = samples
            .iter()
            .zip(&shifts)
            .map(|(m, [cx, cy])| {
                m.iter()
                    .enumerate()
                    .filter(|(_, v)| **v)
                    .map(|(t, _)| (t as u32, [x[t] - cx, y[t] - cy]))
                    .collect()
            })
            .collect();
        let [cx, cy] = shift;
        let tiles = x.len().div_ceil(TILE);
        let bounds = members
            .iter()
            .map(|m| {
                (0..=tiles)
                    .map(|j| m.partition_point(|&(t, _)| (t as usize) < j * TILE))
                    .collect()
            })
            .collect();
        Engine {
            dx: x.iter().map(|v| v - cx).collect(),
            dy: y.iter().map(|v| v - cy).collect(),
            members,
            bounds,
        }
    }

    /// The sums of the resamples drawn by `sb` from each generator of `rngs` (at most
    /// [`BATCH`]; each resample as [`StationaryBootstrap::for_each_run`] draws it from its
    /// generator), into `sc.out`: per resample, in order, the whole sample's sums and each
    /// masked sample's. The same values, bit for bit, as summing each resample alone.
    fn resample_batch(&self, sb: &StationaryBootstrap, rngs: &[Xoshiro256], sc: &mut Scratch) {
        self.resample_batch_on(Isa::Avx2, sb, rngs, sc);
    }

    /// [`Engine::resample_batch`] compiled for AVX2 when `isa` is AVX2 and the CPU has it, else
    /// for the baseline. The same operations in the same order on either (no fused
    /// multiply-add: Rust never contracts), so the same bits; AVX2 lets the compiler hold a
    /// group's four resamples in one register and use three-operand instructions in the
    /// drawing loop. Measured (BENCHMARKS.md, "analyze at 10^6 under 5 s"): one thread, 10^6
    /// pairs, 199 resamples of `analyze`'s suite, CPU 1.21 s baseline, 1.02 s AVX2, 1.06 s
    /// AVX-512F (not used: slower than AVX2 here).
    #[inline(always)]
    fn resample_batch_on(
        &self,
        isa: Isa,
        sb: &StationaryBootstrap,
        rngs: &[Xoshiro256],
        sc: &mut Scratch,
    ) {
        #[cfg(target_arch = "x86_64")]
        #[allow(unsafe_code)]
        if isa == Isa::Avx2 && isa.available() {
            // SAFETY: `batch_avx2` only needs the CPU to support AVX2, which `available` has
            // just checked.
            return unsafe { batch_avx2(self, sb, rngs, sc) };
        }
        let _ = isa;
        self.resample_batch_generic(sb, rngs, sc);
    }

    /// [`Engine::resample_batch`] for the instruction set of its caller.
    #[inline(always)]
    fn resample_batch_generic(
        &self,
        sb: &StationaryBootstrap,
        rngs: &[Xoshiro256],
        sc: &mut Scratch,
    ) {
        assert!(rngs.len() <= BATCH);
        let n = self.dx.len();
        // Whole tiles (the bytes past n stay 0), and 8 more bytes for `add_run`.
        let stride = n.next_multiple_of(TILE) + 8;
        sc.counts.resize(BATCH * stride, 0);
        for (k, c) in sc.counts.chunks_exact_mut(stride).enumerate() {
            // Cleared just before it is counted, so that it is in cache while counted.
            c.fill(0);
            if let Some(rng) = rngs.get(k) {
                sb.for_each_run(n, &mut rng.clone(), |r| add_run(c, r));
            }
        }
        // Resamples missing from a short batch are all zeros: summed, never read.
        let mut whole = [[[0.0f64; 4]; 6]; BATCH];
        let groups = rngs.len().div_ceil(LANES);
        sc.lanes.clear();
        sc.lanes.resize(self.members.len() * groups, Lanes::new());
        for (j, a) in (0..n).step_by(TILE).enumerate() {
            let b = (a + TILE).min(n);
            let tile: [&[u8; TILE]; BATCH] = std::array::from_fn(|k| {
                sc.counts[k * stride + a..][..TILE]
                    .try_into()
                    .expect("a whole tile")
            });
            let (dx, dy) = (&self.dx[a..b], &self.dy[a..b]);
            for (l, c) in whole.iter_mut().zip(&tile).take(rngs.len()) {
                sweep_lanes(dx, dy, &c[..b - a], l);
            }
            let samples = self.members.iter().zip(&self.bounds);
            for ((members, bounds), lanes) in samples.zip(sc.lanes.chunks_exact_mut(groups)) {
                let members = &members[bounds[j]..bounds[j + 1]];
                for (g, lanes) in lanes.iter_mut().enumerate() {
                    let tile: &[&[u8; TILE]; LANES] =
                        tile[g * LANES..][..LANES].try_into().expect("LANES counts");
                    lanes.add_members(members, a, tile);
                }
            }
        }
        sc.out.clear();
        for (k, (l, rng)) in whole.iter().zip(rngs).enumerate() {
            let acc = lanes_total(l);
            if acc.m == n as f64 && !sc.forced_wide() {
                let accs = sc
                    .lanes
                    .chunks_exact(groups)
                    .map(|l| l[k / LANES].get(k % LANES))
                    .collect();
                sc.out.push((acc, accs));
            } else {
                // A position held 256 times or more (the byte counts, each exact modulo 256,
                // add up to `n` less a multiple of 256; `m` is their exact sum).
                let acc = self.resample_wide(sb, &mut rng.clone(), sc);
                sc.out.push((acc, sc.accs.clone()));
            }
        }
    }

    /// The sums of one resample drawn by `sb` from `rng` counted in 32 bits (a difference
    /// array and its running sum), for the whole sample (returned) and for each masked sample
    /// (into `sc.accs`).
    fn resample_wide(
        &self,
        sb: &StationaryBootstrap,
        rng: &mut Xoshiro256,
        sc: &mut Scratch,
    ) -> Acc {
        let n = self.dx.len();
        let wide = &mut sc.wide;
        wide.clear();
        wide.resize(n + 1, 0);
        sb.for_each_run(n, rng, |r| {
            wide[r.start] = wide[r.start].wrapping_add(1);
            let end = r.start + r.len;
            wide[end] = wide[end].wrapping_sub(1);
        });
        let mut c = 0u32;
        for v in wide.iter_mut() {
            c = c.wrapping_add(*v);
            *v = c;
        }
        self.sum_counts(&sc.wide[..n], &mut sc.accs)
    }

    /// The sums of one resample drawn by `sb` from `rng`, for the whole sample (returned) and
    /// for each masked sample (into `sc.accs`): the engine before [`Engine::resample_batch`]
    /// (a byte difference array, its running sum, one pass per resample), kept as its oracle.
    #[cfg(test)]
    fn resample(&self, sb: &StationaryBootstrap, rng: &mut Xoshiro256, sc: &mut Scratch) -> Acc {
        let n = self.dx.len();
        let again = rng.clone();
        let counts = &mut sc.counts;
        counts.clear();
        counts.resize(n + 1, 0);
        sb.for_each_run(n, rng, |r| {
            counts[r.start] = counts[r.start].wrapping_add(1);
            let end = r.start + r.len;
            counts[end] = counts[end].wrapping_sub(1);
        });
        let mut c = 0u8;
        let mut total = 0usize;
        for v in counts.iter_mut() {
            c = c.wrapping_add(*v);
            *v = c;
            total += usize::from(c);
        }
        if total == n {
            return self.sum_counts(&sc.counts[..n], &mut sc.accs);
        }
        // A position held 256 times or more: count in 32 bits.
        let mut rng = again;
        let wide = &mut sc.wide;
        wide.clear();
        wide.resize(n + 1, 0);
        sb.for_each_run(n, &mut rng, |r| {
            wide[r.start] = wide[r.start].wrapping_add(1);
            let end = r.start + r.len;
            wide[end] = wide[end].wrapping_sub(1);
        });
        let mut c = 0u32;
        for v in wide.iter_mut() {
            c = c.wrapping_add(*v);
            *v = c;
        }
        self.sum_counts(&sc.wide[..n], &mut sc.accs)
    }

    /// The sums of the resample holding position `t` `counts[t]` times.
    fn sum_counts<C: Copy + Into<f64>>(&self, counts: &[C], accs: &mut Vec<Acc>) -> Acc {
        accs.clear();
        for members in &self.members {
            let mut acc = Acc::new();
            for &(t, d) in members {
                acc.add_shifted(d, counts[t as usize].into());
            }
            accs.push(acc);
        }
        // The whole sample in four interleaved partial sums (positions t mod 4), added at the
        // end: the same arithmetic for every resample, without one long chain of additions,
        // and laid out for the vector unit.
        let mut l = [[0.0f64; 4]; 6];
        let mut xs = self.dx.chunks_exact(4);
        let mut ys = self.dy.chunks_exact(4);
        let mut cs = counts.chunks_exact(4);
        for ((x, y), c) in (&mut xs).zip(&mut ys).zip(&mut cs) {
            for k in 0..4 {
                let w: f64 = c[k].into();
                let (dx, dy) = (x[k], y[k]);
                let (wx, wy) = (w * dx, w * dy);
                l[0][k] += w;
                l[1][k] += wx;
                l[2][k] += wy;
                l[3][k] += wx * dx;
                l[4][k] += wy * dy;
                l[5][k] += wx * dy;
            }
        }
        let rest = xs
            .remainder()
            .iter()
            .zip(ys.remainder())
            .zip(cs.remainder());
        for (k, ((x, y), c)) in rest.enumerate() {
            let w: f64 = (*c).into();
            let (dx, dy) = (*x, *y);
            let (wx, wy) = (w * dx, w * dy);
            l[0][k] += w;
            l[1][k] += wx;
            l[2][k] += wy;
            l[3][k] += wx * dx;
            l[4][k] += wy * dy;
            l[5][k] += wx * dy;
        }
        let t = l.map(|v| (v[0] + v[1]) + (v[2] + v[3]));
        Acc {
            m: t[0],
            sx: t[1],
            sy: t[2],
            sxx: t[3],
            syy: t[4],
            sxy: t[5],
        }
    }

    /// The sums of the resample `runs` (see [`Engine::resample`]).
    #[cfg(test)]
    fn sum(&self, runs: &[Run], accs: &mut Vec<Acc>) -> Acc {
        let mut counts = vec![0u32; self.dx.len()];
        for r in runs {
            for c in &mut counts[r.start..r.start + r.len] {
                *c += 1;
            }
        }
        self.sum_counts(&counts, accs)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn batch_avx2(e: &Engine, sb: &StationaryBootstrap, rngs: &[Xoshiro256], sc: &mut Scratch) {
    e.resample_batch_generic(sb, rngs, sc);
}

/// The one-pass sums of a resampled sample (a pair held `w` times counting `w` times), shifted
/// by the sample's own mean `c = (cx, cy)` on the original data: `m`, `Σdx`, `Σdy`, `Σdx²`, `Σdy²`, `Σdx·dy` with `dx = x − cx`,
/// `dy = y − cy` (see [`Acc::corr`]).
#[derive(Clone, Copy, Debug)]
struct Acc {
    /// The number of pairs (exact in `f64`).
    m: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Acc {
    fn new() -> Acc {
        Acc {
            m: 0.0,
            sx: 0.0,
            sy: 0.0,
            sxx: 0.0,
            syy: 0.0,
            sxy: 0.0,
        }
    }

    /// Adds the pair shifted by `c`, `[dx, dy]`, held `w` times.
    #[inline]
    fn add_shifted(&mut self, [dx, dy]: [f64; 2], w: f64) {
        let (wx, wy) = (w * dx, w * dy);
        self.m += w;
        self.sx += wx;
        self.sy += wy;
        self.sxx += wx * dx;
        self.syy += wy * dy;
        self.sxy += wx * dy;
    }

    /// The Pearson correlation of the resampled pairs from the shifted sums:
    ///
    /// ```text
    /// Cxx = Σdx² − (Σdx)²/m,  Cyy = Σdy² − (Σdy)²/m,  Cxy = Σdx·dy − Σdx·Σdy/m
    /// r* = Cxy / (√Cxx · √Cyy)   (clamped to [−1, 1])
    /// ```
    ///
    /// **Why one pass is sound here.** `Cxx = Σ(x − x̄*)²` exactly for any shift; the
    /// subtracted term is `m·(x̄* − cx)²`, and with the shift at the original sample's mean the
    /// resample's mean `x̄*` differs from it by a sampling error of order `σ·√(b/m)`, so the
    /// term is of order `b·σ²` against `Σdx² ≈ m·σ²`: no cancellation to speak of (a relative
    /// `b/m`), and the rounding error stays that of the sums, `O(m·ε)` of `Σdx²` at worst.
    /// (Without the shift, on prices say, `Σx²` and `(Σx)²/m` would agree in most digits.)
    ///
    /// Undefined (`None`) with fewer than 2 pairs, or when a side is constant: `Cxx` within
    /// that rounding error, `Cxx <= 4·m·ε·Σdx²` (a constant side gives exactly 0 to within it).
    fn corr(&self) -> Option<f64> {
        if self.m < 2.0 {
            return None;
        }
        let m = self.m;
        let cxx = self.sxx - self.sx * self.sx / m;
        let cyy = self.syy - self.sy * self.sy / m;
        let cxy = self.sxy - self.sx * self.sy / m;
        let tol = 4.0 * m * f64::EPSILON;
        if !(cxx > tol * self.sxx && cyy > tol * self.syy) {
            return None;
        }
        Some((cxy / (cxx.sqrt() * cyy.sqrt())).clamp(-1.0, 1.0))
    }
}

/// The values of `v` where `mask` is true, in order (a sample of a suite, a regime's days).
pub fn masked(mask: &[bool], v: &[f64]) -> Vec<f64> {
    v.iter()
        .zip(mask)
        .filter(|(_, k)| **k)
        .map(|(e, _)| *e)
        .collect()
}

/// The mask of the last `window` of `n` positions (sample A of "the latest window against the
/// full period").
pub fn latest_window_mask(n: usize, window: usize) -> Vec<bool> {
    (0..n).map(|t| t + window >= n).collect()
}

fn count(m: &[bool]) -> usize {
    m.iter().filter(|v| **v).count()
}

fn check_finite(x: &[f64], y: &[f64]) -> Result<()> {
    for (off, v) in [(0, x), (x.len(), y)] {
        if let Some(i) = v.iter().position(|e| !e.is_finite()) {
            return Err(StatsError::NonFinite {
                what: "bootstrap (index into x then y)",
                index: off + i,
            });
        }
    }
    Ok(())
}

/// Quantile `q` of sorted values, linear between order statistics (numpy's default, R type 7).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn std_dev(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (v.iter().map(|e| (e - m) * (e - m)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    #[test]
    fn indices_make_blocks_of_the_expected_mean_length() {
        let sb = StationaryBootstrap::new(5.0).unwrap();
        let mut rng = Xoshiro256::new(1);
        let mut idx = Vec::new();
        let (mut starts, mut total) = (0usize, 0usize);
        for _ in 0..200 {
            sb.indices(500, &mut rng, &mut idx);
            assert_eq!(idx.len(), 500);
            assert!(idx.iter().all(|&i| i < 500));
            starts += 1 + idx.windows(2).filter(|w| w[1] != (w[0] + 1) % 500).count();
            total += 500;
        }
        let mean = total as f64 / starts as f64;
        assert!((mean - 5.0).abs() < 0.2, "{mean}");
        // below 1 means iid
        assert_eq!(StationaryBootstrap::new(0.3).unwrap().block_length(), 1.0);
        assert!(StationaryBootstrap::new(0.0).is_err());
        assert!(StationaryBootstrap::new(f64::NAN).is_err());
    }

    /// The block lengths are geometric with mean b (the table and, past it, the logarithm),
    /// and the runs of a resample cover n positions without wrapping.
    #[test]
    fn runs_have_geometric_blocks_and_cover_n() {
        // The table is non-decreasing (the branchless count applies) for any block length.
        for i in 0..20_000 {
            let b = 1.0 + i as f64 * 0.013 + (i as f64).powi(3) * 1e-7;
            assert!(StationaryBootstrap::new(b).unwrap().monotone, "b {b}");
        }
        for b in [1.0, 1.7, 4.0, 30.0] {
            let sb = StationaryBootstrap::new(b).unwrap();
            // The count equals the search on the table.
            let mut g = Xoshiro256::new(b as u64);
            for _ in 0..10_000 {
                let mut a = g.clone();
                let got = sb.block_len(&mut g, usize::MAX);
                let u = a.uniform();
                if let Some(k) = sb.cdf.iter().position(|&f| u < f) {
                    assert_eq!(got, k + 1);
                }
            }
            let mut rng = Xoshiro256::new(3);
            let (mut sum, mut ones, draws) = (0usize, 0usize, 200_000);
            for _ in 0..draws {
                let l = sb.block_len(&mut rng, usize::MAX);
                sum += l;
                ones += usize::from(l == 1);
            }
            let mean = sum as f64 / draws as f64;
            assert!((mean / b - 1.0).abs() < 0.02, "b {b}: mean {mean}");
            let share = ones as f64 / draws as f64;
            assert!((share - 1.0 / b).abs() < 0.01, "b {b}: P(L = 1) {share}");
            let mut runs = Vec::new();
            for n in [1, 2, 7, 100] {
                sb.runs(n, &mut rng, &mut runs);
                assert_eq!(runs.iter().map(|r| r.len).sum::<usize>(), n);
                assert!(runs.iter().all(|r| r.len >= 1 && r.start + r.len <= n));
            }
        }
    }

    /// The guide's integer count gives the search's block length for every draw: at and
    /// around each bucket's edges and each `T(k)`, and at random, for block lengths from 1 to
    /// 200 (the tail past the table included).
    #[test]
    fn the_guide_gives_the_searchs_lengths() {
        let mut g = Xoshiro256::new(99);
        let mut blocks: Vec<f64> = vec![1.0 + 1e-9, 1.5, 2.0, 2.2, 3.7, 16.0, 200.0];
        blocks.extend((0..40).map(|_| 1.0 + 30.0 * g.uniform()));
        for b in blocks {
            let sb = StationaryBootstrap::new(b).unwrap();
            assert!(sb.monotone);
            let mut xs: Vec<u64> = vec![0, u64::MAX];
            for e in (0..=256u64)
                .map(|g| g << 56)
                .chain(sb.limits[..16].iter().map(|t| t << 11))
            {
                for d in [0u64, 1, 2047, 2048, 4096] {
                    xs.push(e.wrapping_add(d));
                    xs.push(e.wrapping_sub(d));
                }
            }
            xs.extend((0..20_000).map(|_| g.next_u64()));
            for x in xs {
                for cap in [1, 3, usize::MAX] {
                    assert_eq!(
                        sb.len_of::<2>(x, cap),
                        sb.len_of::<1>(x, cap),
                        "b {b} x {x}"
                    );
                }
            }
        }
    }

    /// The one-pass shifted sums give the two-pass correlation, also far from 0 (prices).
    #[test]
    fn shifted_one_pass_matches_two_pass() {
        let (x, y) = pair(5000, 21);
        let (px, py): (Vec<f64>, Vec<f64>) = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (1e6 + a, 3e4 + 1e-3 * b))
            .collect();
        for (x, y) in [(&x, &y), (&px, &py)] {
            let e = Engine::new(x, y, &[]);
            let all = [Run {
                start: 0,
                len: x.len(),
            }];
            let got = e.sum(&all, &mut Vec::new()).corr().unwrap();
            let want = pearson(x, y).unwrap();
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        // A constant side is undefined, whatever its rounding.
        let c = vec![0.1; 1000];
        let e = Engine::new(&c, &y[..1000], &[]);
        let all = [Run {
            start: 0,
            len: 1000,
        }];
        assert_eq!(e.sum(&all, &mut Vec::new()).corr(), None);
    }

    /// The byte counts and the 32-bit counts (the fallback) give the same sums, and a
    /// resample is what its runs hold.
    #[test]
    fn counts_in_bytes_and_in_words_agree() {
        let (x, y) = pair(300, 4);
        let even: Vec<bool> = (0..300).map(|t| t % 2 == 0).collect();
        let e = Engine::new(&x, &y, &[&even]);
        let small: Vec<u8> = (0..300).map(|t| (t * 7 % 5) as u8).collect();
        let wide: Vec<u32> = small.iter().map(|&c| u32::from(c)).collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let (wa, wb) = (e.sum_counts(&small, &mut a), e.sum_counts(&wide, &mut b));
        assert_eq!((wa.m, wa.sxy, wa.corr()), (wb.m, wb.sxy, wb.corr()));
        assert_eq!(
            (a[0].m, a[0].sxx, a[0].corr()),
            (b[0].m, b[0].sxx, b[0].corr())
        );
        let sb = StationaryBootstrap::new(3.0).unwrap();
        let mut sc = Scratch::default();
        let whole = e.resample(&sb, &mut Xoshiro256::new(5), &mut sc);
        let mut runs = Vec::new();
        sb.runs(300, &mut Xoshiro256::new(5), &mut runs);
        let again = e.sum(&runs, &mut Vec::new());
        assert_eq!(
            (whole.m, whole.sx, whole.corr()),
            (again.m, again.sx, again.corr())
        );
        assert_eq!(whole.m, 300.0);
    }

    /// The bit patterns of sums, to compare them exactly.
    fn bits(a: &Acc) -> [u64; 6] {
        [a.m, a.sx, a.sy, a.sxx, a.syy, a.sxy].map(f64::to_bits)
    }

    /// The batched, tiled sweep gives the sums of the engine before it (one resample at a
    /// time, a byte difference array), bit for bit: sizes around the tiles' and the lanes'
    /// boundaries, blocks that wrap (longer than the series too), short batches, masked
    /// samples inside one tile, across tiles, in the last tile only; and the 32-bit recount.
    #[test]
    fn batches_equal_one_resample_at_a_time() {
        let mut sizes = vec![1, 2, 3, 4, 5, 7, 8, 9, 17, 300];
        sizes.extend([TILE - 1, TILE, TILE + 1, 2 * TILE + 3]);
        for n in sizes {
            let (x, y) = pair(n, n as u64);
            let even: Vec<bool> = (0..n).map(|t| t % 2 == 0).collect();
            let last = latest_window_mask(n, 3);
            let tail: Vec<bool> = (0..n).map(|t| t > 0).collect();
            let sparse: Vec<bool> = (0..n).map(|t| t % 1001 == 7).collect();
            let e = Engine::new(&x, &y, &[&even, &last, &tail, &sparse]);
            for b in [1.0, 1.6, 3.7, 40.0, 3.0 * n as f64] {
                let sb = StationaryBootstrap::new(b).unwrap();
                for reps in [1, LANES + 1, BATCH] {
                    let rngs: Vec<Xoshiro256> =
                        (0..reps).map(|i| replicate_rng(7, i as u64)).collect();
                    // AVX2 (when this CPU has it) and the baseline.
                    let isas = [Isa::Avx2, Isa::Baseline];
                    for (force, isa) in [false, true].into_iter().flat_map(|f| isas.map(|i| (f, i)))
                    {
                        let mut sc = Scratch {
                            force_wide: force,
                            ..Scratch::default()
                        };
                        e.resample_batch_on(isa, &sb, &rngs, &mut sc);
                        assert_eq!(sc.out.len(), rngs.len());
                        for (rng, (whole, accs)) in rngs.iter().zip(&sc.out) {
                            let mut old = Scratch::default();
                            let want = e.resample(&sb, &mut rng.clone(), &mut old);
                            let at = format!("n {n} b {b} reps {reps} wide {force} {isa:?}");
                            assert_eq!(bits(whole), bits(&want), "{at}");
                            assert_eq!(accs.len(), old.accs.len());
                            for (got, want) in accs.iter().zip(&old.accs) {
                                assert_eq!(bits(got), bits(want), "{at}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// A run adds 1 to each of its bytes modulo 256 and leaves its neighbours alone, also when
    /// bytes wrap past 255 (positions held 256 times or more); the counts then add up to less
    /// than the positions drawn, which is how the batch finds them.
    #[test]
    fn runs_add_bytes_modulo_256() {
        let n = 21;
        let mut bytes = vec![0u8; n + 8];
        let mut words = vec![0u32; n];
        let mut g = Xoshiro256::new(11);
        let mut drawn = 0;
        for _ in 0..3000 {
            let start = g.below(n as u64) as usize;
            let len = 1 + g.below((n - start) as u64) as usize;
            add_run(&mut bytes, Run { start, len });
            for w in &mut words[start..start + len] {
                *w += 1;
            }
            drawn += len;
        }
        assert!(words.iter().any(|&w| w >= 256));
        for (b, w) in bytes.iter().zip(&words) {
            assert_eq!(u32::from(*b), w % 256);
        }
        assert!(bytes[n..].iter().all(|&b| b == 0));
        let (x, y) = pair(n, 2);
        let mut l = [[0.0; 4]; 6];
        sweep_lanes(&x, &y, &bytes[..n], &mut l);
        assert!(lanes_total(&l).m < drawn as f64);
    }

    /// The replicates have their own generators: the result is the same on any number of
    /// threads.
    #[test]
    fn the_result_does_not_depend_on_the_threads() {
        let (x, y) = pair(600, 8);
        let cfg = BootstrapConfig {
            replications: 257,
            ..BootstrapConfig::default()
        };
        let all = vec![true; 600];
        let w = latest_window_mask(600, 50);
        let even: Vec<bool> = (0..600).map(|t| t % 2 == 0).collect();
        let odd: Vec<bool> = even.iter().map(|v| !v).collect();
        let pairs: Vec<(&[bool], &[bool])> = vec![(&w, &all), (&even, &odd)];
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| bootstrap_suite(&x, &y, &pairs, &cfg).unwrap())
        };
        let one = on(1);
        assert!(one.full.is_some() && one.differences.iter().all(|d| d.is_ok()));
        assert_eq!(one, on(3));
        assert_eq!(one, on(2));
    }

    #[test]
    fn quantile_is_numpys_linear() {
        let v = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 8.0);
        // h = 3·0.5 = 1.5 → 3
        assert_eq!(quantile(&v, 0.5), 3.0);
        // h = 3·0.025 = 0.075 → 1.075
        assert!((quantile(&v, 0.025) - 1.075).abs() < 1e-15);
    }

    fn pair(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let a = noise(n, seed);
        let b = noise(n, seed + 1);
        let y = a.iter().zip(&b).map(|(a, b)| 0.6 * a + 0.8 * b).collect();
        (a, y)
    }

    #[test]
    fn seeded_and_reproducible() {
        let (x, y) = pair(300, 5);
        let cfg = BootstrapConfig {
            replications: 300,
            ..BootstrapConfig::default()
        };
        let a = bootstrap_correlation(&x, &y, &cfg).unwrap().unwrap();
        let b = bootstrap_correlation(&x, &y, &cfg).unwrap().unwrap();
        assert_eq!(a, b);
        assert!(
            a.lo < a.r && a.r < a.hi && a.lo > -1.0 && a.hi < 1.0,
            "{a:?}"
        );
        assert_eq!(a.replications, 300);
        let c = bootstrap_correlation(&x, &y, &BootstrapConfig { seed: 9, ..cfg })
            .unwrap()
            .unwrap();
        assert_ne!(a.lo, c.lo);
        assert!((a.lo - c.lo).abs() < 0.05);
    }

    #[test]
    fn difference_of_equal_samples_is_not_significant_and_a_break_is() {
        let (x, y) = pair(400, 11);
        let cfg = BootstrapConfig {
            replications: 400,
            ..BootstrapConfig::default()
        };
        let all = vec![true; 400];
        // Same sample twice: d = 0 exactly, p = 1.
        let same = bootstrap_corr_difference(&x, &y, &all, &all, &cfg)
            .unwrap()
            .unwrap();
        assert_eq!((same.diff, same.p), (0.0, 1.0));
        // The last 100 pairs decoupled (y replaced by noise): their correlation differs.
        let mut y2 = y.clone();
        y2[300..].copy_from_slice(&noise(100, 99));
        let latest = latest_window_mask(400, 100);
        assert_eq!(latest.iter().filter(|v| **v).count(), 100);
        let d = bootstrap_corr_difference(&x, &y2, &latest, &all, &cfg)
            .unwrap()
            .unwrap();
        assert!(d.diff < -0.3 && d.p < 0.01 && d.hi < 0.0, "{d:?}");
        assert!(d.p > 0.0);
    }

    /// One resampling gives what the separate calls give, bit for bit.
    #[test]
    fn the_suite_equals_the_separate_calls() {
        let (x, y) = pair(700, 11);
        let n = x.len();
        let cfg = BootstrapConfig {
            replications: 199,
            ..BootstrapConfig::default()
        };
        let all = vec![true; n];
        let w60 = latest_window_mask(n, 60);
        let w5 = latest_window_mask(n, 5);
        let even: Vec<bool> = (0..n).map(|t| t % 2 == 0).collect();
        let odd: Vec<bool> = even.iter().map(|v| !v).collect();
        let short = vec![true; n - 1];
        let two = latest_window_mask(n, 2);
        let pairs: Vec<(&[bool], &[bool])> = vec![
            (&w60, &all),
            (&all, &w60),
            (&w5, &all),
            (&even, &odd),
            (&short, &all),
            (&two, &all),
        ];
        let suite = bootstrap_suite(&x, &y, &pairs, &cfg).unwrap();
        assert_eq!(suite.full, bootstrap_correlation(&x, &y, &cfg).unwrap());
        assert!(suite.full.is_some());
        for ((a, b), got) in pairs.iter().zip(&suite.differences) {
            assert_eq!(*got, bootstrap_corr_difference(&x, &y, a, b, &cfg));
        }
        assert!(suite.differences[0].as_ref().unwrap().is_some());
        assert!(suite.differences[4].is_err() && suite.differences[5].is_err());
        // Undefined on the whole sample: None everywhere.
        let flat = vec![1.0; n];
        let s = bootstrap_suite(&flat, &y, &pairs[..1], &cfg).unwrap();
        assert_eq!(s.full, None);
        assert_eq!(s.differences[0], Ok(None));
        // Whole-sample errors are errors.
        assert!(bootstrap_suite(&x, &y[..10], &pairs, &cfg).is_err());
    }

    /// Each sample's own interval: the quantiles of the correlations of each replicate's
    /// resampled pairs whose original position is in the sample, computed position by
    /// position (two passes) from the same generators.
    #[test]
    fn the_samples_intervals_are_those_of_their_resampled_positions() {
        let (x, y) = pair(400, 21);
        let n = x.len();
        let cfg = BootstrapConfig {
            replications: 99,
            ..BootstrapConfig::default()
        };
        let all = vec![true; n];
        let on: Vec<bool> = (0..n).map(|t| (t / 7) % 3 == 0).collect();
        let off: Vec<bool> = on.iter().map(|v| !v).collect();
        let w30 = latest_window_mask(n, 30);
        let short = vec![true; n - 1];
        let pairs: Vec<(&[bool], &[bool])> = vec![(&on, &off), (&w30, &all), (&short, &all)];
        let suite = bootstrap_suite(&x, &y, &pairs, &cfg).unwrap();
        let sb = cfg.sampler(&x, &y).unwrap().unwrap();
        let a = (1.0 - cfg.confidence) / 2.0;
        let mut idx = Vec::new();
        for (k, mask) in [&on, &off, &w30].into_iter().enumerate() {
            let mut reps: Vec<f64> = (0..cfg.replications as u64)
                .filter_map(|i| {
                    sb.indices(n, &mut replicate_rng(cfg.seed, i), &mut idx);
                    let (rx, ry): (Vec<f64>, Vec<f64>) = idx
                        .iter()
                        .filter(|&&t| mask[t])
                        .map(|&t| (x[t], y[t]))
                        .unzip();
                    pearson(&rx, &ry)
                })
                .collect();
            reps.sort_by(f64::total_cmp);
            let got = suite.samples[k / 2][k % 2].unwrap();
            let pick = |v: &[f64]| -> Vec<f64> {
                v.iter()
                    .zip(mask)
                    .filter(|(_, m)| **m)
                    .map(|(e, _)| *e)
                    .collect()
            };
            assert_eq!(got.r, pearson(&pick(&x), &pick(&y)).unwrap());
            assert_eq!(got.replications, reps.len());
            assert_eq!(got.block_length, sb.block_length());
            for (g, w) in [
                (got.lo, quantile(&reps, a)),
                (got.hi, quantile(&reps, 1.0 - a)),
                (got.se, std_dev(&reps)),
            ] {
                assert!((g - w).abs() < 1e-12, "{k}: {g} against {w}");
            }
        }
        // The side holding every position has the whole sample's interval.
        assert_eq!(suite.samples[1][1], suite.full);
        // A pair with an error has none.
        assert_eq!(suite.samples[2], [None, None]);
        assert!(suite.differences[2].is_err());
    }

    #[test]
    fn undefined_and_invalid() {
        let (x, y) = pair(50, 3);
        let cfg = BootstrapConfig::default();
        assert_eq!(bootstrap_correlation(&x, &[1.0; 50], &cfg).unwrap(), None);
        assert!(bootstrap_correlation(&x[..5], &y[..5], &cfg).is_err());
        assert!(bootstrap_correlation(&x, &y[..49], &cfg).is_err());
        let bad = BootstrapConfig {
            confidence: 1.0,
            ..cfg
        };
        assert!(bootstrap_correlation(&x, &y, &bad).is_err());
        let mut m = vec![false; 50];
        m[0] = true;
        assert!(matches!(
            bootstrap_corr_difference(&x, &y, &m, &[true; 50], &cfg),
            Err(StatsError::TooFewObservations { .. })
        ));
    }
}
