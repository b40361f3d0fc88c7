//! The stationary bootstrap (Politis and Romano 1994) of the correlation of paired series:
//! a percentile interval ([`bootstrap_correlation`]) and a test for the difference of the
//! correlations of two overlapping samples ([`bootstrap_corr_difference`]), both seeded and
//! reproducible.

use crate::block_length::optimal_block_length;
use crate::moments::check_lengths;
use crate::rng::Xoshiro256;
use crate::{pearson, Result, StatsError};

/// The default seed of the bootstrap: the bytes of `LOCKSTEP`, so a report is reproducible
/// unless a seed is given.
pub const DEFAULT_SEED: u64 = 0x4C4F_434B_5354_4550;

/// Index generator of the stationary bootstrap with expected block length `b`
/// (`p = 1/max(b, 1)`):
///
/// ```text
/// I₀ ~ U{0 … n−1}
/// I_t = U{0 … n−1}        with probability p   (a new block starts)
///     = (I_{t−1} + 1) mod n  otherwise           (the block goes on, wrapping around)
/// ```
///
/// so blocks have geometric lengths with mean `max(b, 1)` and wrap circularly, as
/// `arch.bootstrap.StationaryBootstrap`. Each step draws, from one [`Xoshiro256`], first the
/// uniform `u` deciding the step (`u < p`: new block; not drawn for t = 0) and then, for a
/// new block, its start `below(n)`. A pair `(x_t, y_t)` is always resampled whole (the same
/// index for both series).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StationaryBootstrap {
    block: f64,
    p: f64,
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
        Ok(StationaryBootstrap {
            block,
            p: 1.0 / block,
        })
    }

    /// The expected block length used (`max(b, 1)`).
    pub fn block_length(&self) -> f64 {
        self.block
    }

    /// One resample of the positions `0 … n−1` into `out` (cleared first), `n >= 1`.
    pub fn indices(&self, n: usize, rng: &mut Xoshiro256, out: &mut Vec<usize>) {
        out.clear();
        if n == 0 {
            return;
        }
        let nu = n as u64;
        let mut i = rng.below(nu) as usize;
        out.push(i);
        for _ in 1..n {
            if rng.uniform() < self.p {
                i = rng.below(nu) as usize;
            } else {
                i += 1;
                if i == n {
                    i = 0;
                }
            }
            out.push(i);
        }
    }
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
/// 2. for `i = 1 … B` a resample of positions from [`StationaryBootstrap`] (length n, one
///    generator seeded with `cfg.seed`, the resamples drawn in order), and `r*_i` the
///    [`pearson`] correlation of the resampled pairs (undefined replicates are left out);
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
    cfg.check()?;
    check_lengths(x, y)?;
    check_finite(x, y)?;
    let Some(r) = pearson(x, y) else {
        return Ok(None);
    };
    let Some(sb) = cfg.sampler(x, y)? else {
        return Ok(None);
    };
    let n = x.len();
    let mut rng = Xoshiro256::new(cfg.seed);
    let mut idx = Vec::with_capacity(n);
    let mut reps = Vec::with_capacity(cfg.replications);
    for _ in 0..cfg.replications {
        sb.indices(n, &mut rng, &mut idx);
        if let Some(v) = pearson_at(x, y, &idx) {
            reps.push(v);
        }
    }
    if 2 * reps.len() < cfg.replications || reps.len() < 2 {
        return Ok(None);
    }
    reps.sort_by(f64::total_cmp);
    let a = (1.0 - cfg.confidence) / 2.0;
    Ok(Some(CorrInterval {
        r,
        lo: quantile(&reps, a),
        hi: quantile(&reps, 1.0 - a),
        se: std_dev(&reps),
        block_length: sb.block_length(),
        replications: reps.len(),
    }))
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
    let pick = |m: &[bool], v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(m)
            .filter(|(_, k)| **k)
            .map(|(e, _)| *e)
            .collect()
    };
    let (Some(r_a), Some(r_b)) = (
        pearson(&pick(in_a, x), &pick(in_a, y)),
        pearson(&pick(in_b, x), &pick(in_b, y)),
    ) else {
        return Ok(None);
    };
    let Some(sb) = cfg.sampler(x, y)? else {
        return Ok(None);
    };
    let n = x.len();
    let d = r_a - r_b;
    let mut rng = Xoshiro256::new(cfg.seed);
    let mut idx = Vec::new();
    let (mut ax, mut ay, mut bx, mut by) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut reps = Vec::with_capacity(cfg.replications);
    for _ in 0..cfg.replications {
        sb.indices(n, &mut rng, &mut idx);
        ax.clear();
        ay.clear();
        bx.clear();
        by.clear();
        for &i in &idx {
            if in_a[i] {
                ax.push(x[i]);
                ay.push(y[i]);
            }
            if in_b[i] {
                bx.push(x[i]);
                by.push(y[i]);
            }
        }
        if ax.len() < 2 || bx.len() < 2 {
            continue;
        }
        if let (Some(ra), Some(rb)) = (pearson(&ax, &ay), pearson(&bx, &by)) {
            reps.push(ra - rb);
        }
    }
    if 2 * reps.len() < cfg.replications || reps.len() < 2 {
        return Ok(None);
    }
    let extreme = reps.iter().filter(|v| (*v - d).abs() >= d.abs()).count();
    let p = (1 + extreme) as f64 / (reps.len() + 1) as f64;
    reps.sort_by(f64::total_cmp);
    let a = (1.0 - cfg.confidence) / 2.0;
    Ok(Some(CorrDifference {
        r_a,
        r_b,
        n_a,
        n_b,
        diff: d,
        lo: quantile(&reps, a),
        hi: quantile(&reps, 1.0 - a),
        p,
        block_length: sb.block_length(),
        replications: reps.len(),
    }))
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
/// The separate calls draw the same positions: each seeds its own generator with `cfg.seed`
/// and resamples all `n` positions with the block length of the whole pair, so replicate `i`
/// is the same resample in every call. Here each resample is drawn once; the whole sample's
/// replicate `r*` is computed once and reused for a sample holding every position (the full
/// period against which a window is tested), and each pair's samples are gathered from it in
/// the same order as the separate call gathers them, so every correlation is the same
/// arithmetic on the same values.
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
    // The samples to gather (those not holding every position): each position lists the
    // buffers it goes to, so one pass over a resample fills them all, each in the
    // resample's order (as the separate call gathers it).
    let mut buffers: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    let mut sides: Vec<[Option<usize>; 2]> = Vec::with_capacity(slots.len());
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); n];
    for slot in &slots {
        let mut side = [None, None];
        if let Ok(Some(p)) = slot {
            for (k, (all, m)) in [(p.all_a, p.in_a), (p.all_b, p.in_b)]
                .into_iter()
                .enumerate()
            {
                if all {
                    continue;
                }
                let b = buffers.len();
                buffers.push((Vec::new(), Vec::new()));
                for (i, _) in m.iter().enumerate().filter(|(_, k)| **k) {
                    lists[i].push(b);
                }
                side[k] = Some(b);
            }
        }
        sides.push(side);
    }
    let mut rng = Xoshiro256::new(cfg.seed);
    let mut idx = Vec::with_capacity(n);
    let mut full_reps = Vec::with_capacity(cfg.replications);
    for _ in 0..cfg.replications {
        sb.indices(n, &mut rng, &mut idx);
        let whole = pearson_at(x, y, &idx);
        if let Some(v) = whole {
            full_reps.push(v);
        }
        if buffers.is_empty() && slots.iter().all(|s| !matches!(s, Ok(Some(_)))) {
            continue;
        }
        for (gx, gy) in buffers.iter_mut() {
            gx.clear();
            gy.clear();
        }
        for &i in &idx {
            for &b in &lists[i] {
                let (gx, gy) = &mut buffers[b];
                gx.push(x[i]);
                gy.push(y[i]);
            }
        }
        for (slot, side) in slots.iter_mut().zip(&sides) {
            let Ok(Some(p)) = slot else { continue };
            // A sample holding every position is the whole resample: its correlation is the
            // whole one.
            let corr = |b: Option<usize>| -> (usize, Option<f64>) {
                match b {
                    None => (n, whole),
                    Some(b) => {
                        let (gx, gy) = &buffers[b];
                        if gx.len() < 2 {
                            (gx.len(), None)
                        } else {
                            (gx.len(), pearson(gx, gy))
                        }
                    }
                }
            };
            let (la, ra) = corr(side[0]);
            let (lb, rb) = corr(side[1]);
            if la < 2 || lb < 2 {
                continue;
            }
            if let (Some(ra), Some(rb)) = (ra, rb) {
                p.reps.push(ra - rb);
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

/// [`pearson`] of the pairs `(x[i], y[i])` for `i` in `idx`, in that order: the same
/// arithmetic in the same order as [`pearson`] on the gathered pairs, without gathering them.
fn pearson_at(x: &[f64], y: &[f64], idx: &[usize]) -> Option<f64> {
    let n = idx.len() as f64;
    let mx = idx.iter().map(|&i| x[i]).sum::<f64>() / n;
    let my = idx.iter().map(|&i| y[i]).sum::<f64>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for &i in idx {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if !(sxx > 0.0 && syy > 0.0) {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
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
