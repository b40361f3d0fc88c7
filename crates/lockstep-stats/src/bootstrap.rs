//! The stationary bootstrap (Politis and Romano 1994) of the correlation of paired series:
//! a percentile interval ([`bootstrap_correlation`]) and a test for the difference of the
//! correlations of two overlapping samples ([`bootstrap_corr_difference`]), both seeded and
//! reproducible.

use crate::block_length::optimal_block_length;
use crate::moments::check_lengths;
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
/// table of `F(1) … F(16)` and beyond it as `L = 1 + ⌊ln(1 − u) / ln(1 − p)⌋`.
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
    /// the smallest `k` with `u < F(k)` is `1 + #{k : F(k) ≤ u}`, counted without branches.
    monotone: bool,
    /// Whether to count rather than search: a non-decreasing table and `p < 1/2` (most blocks
    /// longer than 1, so a search's early exits are mispredicted about as often as not).
    count: bool,
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
        Ok(StationaryBootstrap {
            block,
            p,
            ln_q,
            cdf,
            monotone,
            count: monotone && p < 0.5,
        })
    }

    /// The expected block length used (`max(b, 1)`).
    pub fn block_length(&self) -> f64 {
        self.block
    }

    /// One geometric block length, at most `cap` (`cap >= 1`).
    #[inline(always)]
    fn block_len(&self, rng: &mut Xoshiro256, cap: usize) -> usize {
        if self.p >= 1.0 {
            return 1;
        }
        let u = rng.uniform();
        // The first k with u < F(k): with F non-decreasing, one more than the entries at most
        // u, counted without a branch per entry (the same k as the search).
        let k = if self.count {
            (u < self.cdf[15]).then(|| self.cdf.iter().map(|&f| usize::from(f <= u)).sum())
        } else {
            self.cdf.iter().position(|&f| u < f)
        };
        if let Some(k) = k {
            return (k + 1).min(cap);
        }
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
    #[inline]
    pub fn for_each_run(&self, n: usize, rng: &mut Xoshiro256, mut f: impl FnMut(Run)) {
        let nu = n as u64;
        let mut left = n;
        while left > 0 {
            let mut start = rng.below(nu) as usize;
            let mut len = self.block_len(rng, left);
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
}

/// Per pair of samples of [`bootstrap_suite`]: its masks, its correlations, its replicates.
struct SuitePair<'m> {
    in_a: &'m [bool],
    in_b: &'m [bool],
    all_a: bool,
    all_b: bool,
    r_a: f64,
    r_b: f64,
    reps: Vec<f64>,
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
    let pick = |m: &[bool], v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(m)
            .filter(|(_, k)| **k)
            .map(|(e, _)| *e)
            .collect()
    };
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
                pearson(&pick(in_a, x), &pick(in_a, y)),
                pearson(&pick(in_b, x), &pick(in_b, y)),
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
        let differences = slots
            .into_iter()
            .map(|s| s.map(|_| None::<CorrDifference>))
            .collect();
        return Ok(BootstrapSuite {
            full: None,
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
    // Replicate i: (r*, then d*_j of each pair j), from its own generator.
    let replicates: Vec<(Option<f64>, Vec<Option<f64>>)> = (0..cfg.replications)
        .into_par_iter()
        .map_init(Scratch::default, |sc, i| {
            let mut rng = replicate_rng(cfg.seed, i as u64);
            let whole = engine.resample(&sb, &mut rng, sc).corr();
            let accs = &sc.accs;
            let diffs = live
                .iter()
                .zip(&sides)
                .map(|(&live, side)| {
                    if !live {
                        return None;
                    }
                    let corr = |b: Option<usize>| b.map_or(whole, |b| accs[b].corr());
                    Some(corr(side[0])? - corr(side[1])?)
                })
                .collect();
            (whole, diffs)
        })
        .collect();
    let mut full_reps = Vec::with_capacity(cfg.replications);
    for (whole, diffs) in replicates {
        full_reps.extend(whole);
        for (slot, d) in slots.iter_mut().zip(diffs) {
            if let (Ok(Some(p)), Some(d)) = (slot, d) {
                p.reps.push(d);
            }
        }
    }
    let a = (1.0 - cfg.confidence) / 2.0;
    let full = match r {
        Some(r) if 2 * full_reps.len() >= cfg.replications && full_reps.len() >= 2 => {
            full_reps.sort_by(f64::total_cmp);
            Some(CorrInterval {
                r,
                lo: quantile(&full_reps, a),
                hi: quantile(&full_reps, 1.0 - a),
                se: std_dev(&full_reps),
                block_length: sb.block_length(),
                replications: full_reps.len(),
            })
        }
        _ => None,
    };
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
    Ok(BootstrapSuite { full, differences })
}

/// The pairs of a bootstrap laid out for summing resamples: the two series, and the positions
/// of each masked sample.
///
/// **How a resample is summed.** A sum over the resampled positions is a sum over the
/// positions `t` of the series weighted by the number of times `c_t` the resample holds `t`:
/// `Σ_resample v = Σ_t c_t·v_t`. The counts come from the runs through a difference array
/// (`+1` at a run's start, `−1` after its end; one byte a position, so it stays in cache), its
/// running sum is `c_t`, and the sums are then one sequential pass over the series in position
/// order (and over each masked sample's positions), instead of a cache miss at every block
/// start of a resample. The bytes count modulo 256; should any position be held 256 times or
/// more (the counts then no longer add up to `n`), the resample is counted again in 32 bits.
/// The pairs are stored shifted (`x_t − cx`, `y_t − cy`, the same values every resample would
/// compute), each masked sample's contiguous with its positions.
struct Engine {
    /// `x_t − x̄` (the shift of the whole sample: its means).
    dx: Vec<f64>,
    /// `y_t − ȳ`.
    dy: Vec<f64>,
    /// The positions of each masked sample, increasing, with its pairs shifted by its own
    /// means.
    members: Vec<Vec<(u32, [f64; 2])>>,
}

/// The scratch of one thread of [`Engine::resample`].
#[derive(Default)]
struct Scratch {
    counts: Vec<u8>,
    wide: Vec<u32>,
    accs: Vec<Acc>,
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
        let members = samples
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
        Engine {
            dx: x.iter().map(|v| v - cx).collect(),
            dy: y.iter().map(|v| v - cy).collect(),
            members,
        }
    }

    /// The sums of one resample drawn by `sb` from `rng`, for the whole sample (returned) and
    /// for each masked sample (into `sc.accs`).
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
