//! Inference that holds up: the stationary-bootstrap interval beside the Fisher interval for
//! the full-period, per-window and per-regime correlations, and the tests of change (the
//! latest window against the long run, risk-on against risk-off) with their p-values
//! ([`Inference`]).
//!
//! Fisher's interval assumes independent, bivariate-normal pairs; daily returns are fat-tailed
//! and their volatility clusters, so it is often too narrow. The stationary bootstrap
//! (Politis and Romano 1994) resamples blocks of consecutive days with the automatic expected
//! block length of Politis and White (2004, Patton's correction), keeping that dependence.
//! Every resample is drawn from a generator seeded with [`BootstrapOptions::seed`], so a report
//! is reproducible, and each computation has its own generator, so the values do not depend
//! on the number of threads.

use serde::Serialize;

use lockstep_core::{Aligned, Date};
use lockstep_stats::{
    bootstrap_correlation, bootstrap_suite, fisher_interval, fisher_z_test, latest_window_mask,
    masked, pearson, BootstrapConfig, CorrDifference, CorrInterval, Regime, DEFAULT_SEED,
};

/// The bootstrap of the report (`--bootstrap N`, `--seed S`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootstrapOptions {
    /// Resamples B of each bootstrap (999 by default; 0 switches the inference section off).
    pub replications: usize,
    /// Seed of the generators (`lockstep_stats::DEFAULT_SEED` by default).
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replications: 999,
            seed: DEFAULT_SEED,
        }
    }
}

/// A correlation with its Fisher and its bootstrap interval.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    /// Pearson correlation.
    pub r: f64,
    /// Returns it was measured on.
    pub n: usize,
    /// Fisher interval: `tanh(atanh(r) ∓ z_{(1+c)/2}/√(n − 3))`.
    pub fisher_lo: Option<f64>,
    /// Upper end.
    pub fisher_hi: Option<f64>,
    /// Stationary-bootstrap percentile interval (`None` when the bootstrap is undefined).
    pub boot_lo: Option<f64>,
    /// Upper end.
    pub boot_hi: Option<f64>,
    /// Bootstrap standard error.
    pub boot_se: Option<f64>,
    /// The expected block length used.
    pub block_length: Option<f64>,
}

impl Estimate {
    fn of(
        x: &[f64],
        y: &[f64],
        cfg: &BootstrapConfig,
        notes: &mut Vec<String>,
        what: &str,
    ) -> Option<Estimate> {
        let r = pearson(x, y)?;
        let boot: Option<CorrInterval> = match bootstrap_correlation(x, y, cfg) {
            Ok(b) => b,
            Err(e) => {
                notes.push(format!("bootstrap of {what}: {e}"));
                None
            }
        };
        Some(Estimate::with(r, x.len(), boot, cfg))
    }

    /// The correlation `r` of `n` returns with its Fisher interval and the bootstrap interval
    /// `boot`.
    fn with(r: f64, n: usize, boot: Option<CorrInterval>, cfg: &BootstrapConfig) -> Estimate {
        let fisher = fisher_interval(r, n as f64, cfg.confidence).ok().flatten();
        Estimate {
            r,
            n,
            fisher_lo: fisher.map(|f| f.0),
            fisher_hi: fisher.map(|f| f.1),
            boot_lo: boot.map(|b| b.lo),
            boot_hi: boot.map(|b| b.hi),
            boot_se: boot.map(|b| b.se),
            block_length: boot.map(|b| b.block_length),
        }
    }

    /// The bootstrap interval when there is one, else the Fisher interval.
    pub fn interval(&self) -> Option<(f64, f64)> {
        match (self.boot_lo, self.boot_hi, self.fisher_lo, self.fisher_hi) {
            (Some(l), Some(h), _, _) => Some((l, h)),
            (_, _, Some(l), Some(h)) => Some((l, h)),
            _ => None,
        }
    }
}

/// The latest correlation of one window.
#[derive(Clone, Debug, Serialize)]
pub struct WindowEstimate {
    /// Window, in returns.
    pub window: usize,
    /// The date of its last return.
    pub date: Date,
    /// The correlation of its returns, with both intervals.
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// The correlation within one regime.
#[derive(Clone, Debug, Serialize)]
pub struct RegimeEstimate {
    /// The regime.
    pub regime: Regime,
    /// The correlation of its returns, with both intervals; the bootstrap's is that of the
    /// regime's days within resamples of the whole series, the replicates of the test of
    /// risk-on against risk-off ([`lockstep_stats::BootstrapSuite::samples`]).
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// A test of `H0: ρ₁ = ρ₂` for the correlations of two samples of the pair.
#[derive(Clone, Debug, Serialize)]
pub struct TwoSampleTest {
    /// Correlation in the first sample.
    pub r1: f64,
    /// Its returns.
    pub n1: usize,
    /// Correlation in the second sample.
    pub r2: f64,
    /// Its returns.
    pub n2: usize,
    /// Fisher's z for independent samples, `(atanh r₁ − atanh r₂)/√(1/(n₁−3) + 1/(n₂−3))`.
    pub fisher_z: Option<f64>,
    /// Its two-sided p-value.
    pub fisher_p: Option<f64>,
}

/// Is the latest window's correlation different from the long run's?
#[derive(Clone, Debug, Serialize)]
pub struct ChangeTest {
    /// Window, in returns.
    pub window: usize,
    /// Fisher's z test of the latest window against the returns before it (independent,
    /// non-overlapping samples): `r1` the window's, `r2` the earlier returns'.
    pub fisher: TwoSampleTest,
    /// The stationary-bootstrap test of the latest window against the full period, which
    /// contains it (overlapping samples): the difference `r_window − r_full`.
    #[serde(flatten)]
    pub boot: BootDifference,
}

/// Is the risk-on correlation different from the risk-off one?
#[derive(Clone, Debug, Serialize)]
pub struct RegimeTest {
    /// Fisher's z test (the two regimes share no day): `r1` risk-on, `r2` risk-off.
    pub fisher: TwoSampleTest,
    /// The bootstrap difference `r_on − r_off` (days resampled in blocks, each keeping its
    /// regime).
    #[serde(flatten)]
    pub boot: BootDifference,
}

/// A bootstrap test of two correlations: their difference, its percentile interval and the
/// two-sided p-value (all undefined when the bootstrap could not run).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct BootDifference {
    /// The difference of the two correlations.
    pub boot_diff: Option<f64>,
    /// Lower end of its percentile interval.
    pub boot_lo: Option<f64>,
    /// Upper end.
    pub boot_hi: Option<f64>,
    /// Two-sided bootstrap p-value.
    pub boot_p: Option<f64>,
}

impl From<Option<CorrDifference>> for BootDifference {
    fn from(d: Option<CorrDifference>) -> Self {
        BootDifference {
            boot_diff: d.map(|b| b.diff),
            boot_lo: d.map(|b| b.lo),
            boot_hi: d.map(|b| b.hi),
            boot_p: d.map(|b| b.p),
        }
    }
}

/// The intervals and tests of the report's correlations (see the module documentation).
#[derive(Clone, Debug, Serialize)]
pub struct Inference {
    /// Resamples of each bootstrap.
    pub replications: usize,
    /// Seed of the generators.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// The full period.
    pub full: Option<Estimate>,
    /// The latest value of each window, in the order asked for.
    pub windows: Vec<WindowEstimate>,
    /// Each regime (risk-on, then risk-off).
    pub regimes: Vec<RegimeEstimate>,
    /// Per window: the latest window against the long run.
    pub changes: Vec<ChangeTest>,
    /// Risk-on against risk-off.
    pub regime_change: Option<RegimeTest>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

impl Inference {
    /// The estimate of the latest value of window `w`.
    pub fn window(&self, w: usize) -> Option<&WindowEstimate> {
        self.windows.iter().find(|e| e.window == w)
    }
}

fn two_sample(r1: f64, n1: usize, r2: f64, n2: usize) -> TwoSampleTest {
    let z = fisher_z_test(r1, n1, r2, n2).ok().flatten();
    TwoSampleTest {
        r1,
        n1,
        r2,
        n2,
        fisher_z: z.map(|t| t.z),
        fisher_p: z.map(|t| t.p),
    }
}

/// The inference of the aligned pair: `regimes[t]` labels return `t` (the regime known at the
/// close before it), `windows` the report's windows. The full-period interval and every test
/// (each window against the full period, risk-on against risk-off) come from one resampling
/// of the whole series ([`lockstep_stats::bootstrap_suite`], the same values as separate
/// bootstraps), and so does each regime's interval (its days within those resamples); it and
/// the intervals of each window run in parallel, each with its own generator seeded with
/// `opts.seed`, so the values do not depend on the threads.
pub(crate) fn compute(
    al: &Aligned,
    regimes: &[Option<Regime>],
    windows: &[usize],
    opts: BootstrapOptions,
    confidence: f64,
) -> Inference {
    use rayon::prelude::*;
    let cfg = BootstrapConfig {
        replications: opts.replications,
        confidence,
        seed: opts.seed,
        block_length: None,
    };
    let (x, y) = (&al.ret_a, &al.ret_b);
    let n = x.len();
    let in_regime = |g: Regime| -> Vec<bool> {
        (0..n)
            .map(|t| regimes.get(t).copied().flatten() == Some(g))
            .collect()
    };
    #[derive(Clone, Copy)]
    enum Task {
        Suite,
        Window(usize),
    }
    enum Piece {
        Suite(Box<SuiteOut>),
        Window(Option<WindowEstimate>),
    }
    let mut tasks = vec![Task::Suite];
    tasks.extend(windows.iter().map(|&w| Task::Window(w)));
    let pieces: Vec<(Piece, Vec<String>)> = tasks
        .par_iter()
        .map(|task| {
            let mut notes = Vec::new();
            let piece = match *task {
                Task::Suite => Piece::Suite(Box::new(suite(
                    x,
                    y,
                    windows,
                    &in_regime(Regime::RiskOn),
                    &in_regime(Regime::RiskOff),
                    &cfg,
                    &mut notes,
                ))),
                Task::Window(w) => Piece::Window(window_estimate(al, w, &cfg, &mut notes)),
            };
            (piece, notes)
        })
        .collect();
    let mut inf = Inference {
        replications: opts.replications,
        seed: opts.seed,
        confidence,
        full: None,
        windows: Vec::new(),
        regimes: Vec::new(),
        changes: Vec::new(),
        regime_change: None,
        notes: Vec::new(),
    };
    for (piece, notes) in pieces {
        inf.notes.extend(notes);
        match piece {
            Piece::Suite(out) => {
                inf.full = out.full;
                inf.changes = out.changes;
                inf.regimes = out.regimes;
                inf.regime_change = out.regime_change;
            }
            Piece::Window(e) => inf.windows.extend(e),
        }
    }
    inf
}

/// The bootstrap estimate of the latest `w` returns of the pair (none when there are fewer).
fn window_estimate(
    al: &Aligned,
    w: usize,
    cfg: &BootstrapConfig,
    notes: &mut Vec<String>,
) -> Option<WindowEstimate> {
    let (x, y) = (&al.ret_a, &al.ret_b);
    let n = x.len();
    if n < w {
        return None;
    }
    Estimate::of(
        &x[n - w..],
        &y[n - w..],
        cfg,
        notes,
        &format!("the latest {w} returns"),
    )
    .map(|estimate| WindowEstimate {
        window: w,
        date: al.dates[n],
        estimate,
    })
}

/// The bootstrap estimates of the latest returns of each of `windows` alone (the values
/// [`compute`] gives for them: each window has its own generator seeded with `opts.seed`).
pub(crate) fn latest_windows(
    al: &Aligned,
    windows: &[usize],
    opts: BootstrapOptions,
    confidence: f64,
) -> Vec<WindowEstimate> {
    use rayon::prelude::*;
    let cfg = BootstrapConfig {
        replications: opts.replications,
        confidence,
        seed: opts.seed,
        block_length: None,
    };
    windows
        .par_iter()
        .filter_map(|&w| window_estimate(al, w, &cfg, &mut Vec::new()))
        .collect()
}

/// What the one resampling of the whole series gives.
struct SuiteOut {
    full: Option<Estimate>,
    changes: Vec<ChangeTest>,
    regimes: Vec<RegimeEstimate>,
    regime_change: Option<RegimeTest>,
}

/// The full-period estimate, each window against the long run and risk-on against risk-off,
/// from one [`bootstrap_suite`].
fn suite(
    x: &[f64],
    y: &[f64],
    windows: &[usize],
    on: &[bool],
    off: &[bool],
    cfg: &BootstrapConfig,
    notes: &mut Vec<String>,
) -> SuiteOut {
    let n = x.len();
    let all = vec![true; n];
    let tested: Vec<usize> = windows
        .iter()
        .copied()
        .filter(|&w| w >= 4 && n >= w + 4)
        .collect();
    let masks: Vec<Vec<bool>> = tested.iter().map(|&w| latest_window_mask(n, w)).collect();
    let mut pairs: Vec<(&[bool], &[bool])> = masks
        .iter()
        .map(|m| (m.as_slice(), all.as_slice()))
        .collect();
    let (n_on, n_off) = (
        on.iter().filter(|v| **v).count(),
        off.iter().filter(|v| **v).count(),
    );
    let regimes = n_on >= 4 && n_off >= 4;
    if regimes {
        pairs.push((on, off));
    }
    // Each regime with at least 8 returns has its own interval: a side of the test above, or
    // (the other regime too short to test) the first side of a pair against the whole series.
    // (regime, how many returns, (pair, side) of its interval in the suite)
    let sides: Vec<(Regime, usize, (usize, usize))> = [
        (Regime::RiskOn, on, n_on, 0),
        (Regime::RiskOff, off, n_off, 1),
    ]
    .into_iter()
    .filter(|&(_, _, m, _)| m >= 8)
    .map(|(g, mask, m, side)| {
        let at = if regimes {
            (tested.len(), side)
        } else {
            pairs.push((mask, all.as_slice()));
            (pairs.len() - 1, 0)
        };
        (g, m, at)
    })
    .collect();
    let boot = match bootstrap_suite(x, y, &pairs, cfg) {
        Ok(b) => Some(b),
        Err(e) => {
            notes.push(format!("bootstrap: {e}"));
            None
        }
    };
    let diff = |k: usize, what: &str, notes: &mut Vec<String>| -> Option<CorrDifference> {
        match boot.as_ref()?.differences.get(k)? {
            Ok(d) => *d,
            Err(e) => {
                notes.push(format!("bootstrap test of {what}: {e}"));
                None
            }
        }
    };
    let full = pearson(x, y).map(|r| Estimate::with(r, n, boot.as_ref().and_then(|b| b.full), cfg));
    // Each regime's correlation, once (its interval's and its test's).
    let (r_on, r_off) = (
        pearson(&masked(on, x), &masked(on, y)),
        pearson(&masked(off, x), &masked(off, y)),
    );
    let regime_estimates = sides
        .iter()
        .filter_map(|&(g, m, (k, side))| {
            let r = match g {
                Regime::RiskOn => r_on,
                Regime::RiskOff => r_off,
            }?;
            let b = boot
                .as_ref()
                .and_then(|b| b.samples.get(k))
                .and_then(|s| s[side]);
            Some(RegimeEstimate {
                regime: g,
                estimate: Estimate::with(r, m, b, cfg),
            })
        })
        .collect();
    let mut changes = Vec::new();
    for (k, &w) in tested.iter().enumerate() {
        let (Some(r1), Some(r2)) = (
            pearson(&x[n - w..], &y[n - w..]),
            pearson(&x[..n - w], &y[..n - w]),
        ) else {
            continue;
        };
        let d = diff(k, &format!("the latest {w} returns"), notes);
        changes.push(ChangeTest {
            window: w,
            fisher: two_sample(r1, w, r2, n - w),
            boot: d.into(),
        });
    }
    let regime_change = if regimes {
        match (r_on, r_off) {
            (Some(r1), Some(r2)) => {
                let d = diff(tested.len(), "risk-on against risk-off", notes);
                Some(RegimeTest {
                    fisher: two_sample(r1, n_on, r2, n_off),
                    boot: d.into(),
                })
            }
            _ => None,
        }
    } else {
        None
    };
    SuiteOut {
        full,
        changes,
        regimes: regime_estimates,
        regime_change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::{Align, ReturnKind};
    use lockstep_stats::bootstrap_suite;

    /// `n` returns of a pair (seeded noise, B = 0.6·A + noise) on consecutive days.
    fn aligned(n: usize) -> Aligned {
        let mut g = lockstep_testkit::fixtures::Lcg::new(5);
        let ret_a: Vec<f64> = (0..n).map(|_| g.uniform() - 0.5).collect();
        let ret_b: Vec<f64> = ret_a.iter().map(|a| 0.6 * a + g.uniform() - 0.5).collect();
        let start: Date = "2020-01-01".parse().unwrap();
        Aligned {
            align: Align::Inner,
            dates: (0..=n as u64)
                .map(|i| start + chrono::Days::new(i))
                .collect(),
            a: vec![1.0; n + 1],
            b: vec![1.0; n + 1],
            return_kind: ReturnKind::Log,
            ret_a,
            ret_b,
            periods_per_year: 365.0,
        }
    }

    fn opts() -> BootstrapOptions {
        BootstrapOptions {
            replications: 199,
            seed: 3,
        }
    }

    /// Each regime's bootstrap interval is its side of the suite's risk-on/risk-off test: the
    /// same replicates, its days within resamples of the whole series.
    #[test]
    fn regime_intervals_are_the_sides_of_their_test() {
        let al = aligned(400);
        let labels: Vec<Option<Regime>> = (0..400)
            .map(|t| match t {
                0..=9 => None,
                _ if (t / 30) % 3 == 0 => Some(Regime::RiskOn),
                _ => Some(Regime::RiskOff),
            })
            .collect();
        let inf = compute(&al, &labels, &[30], opts(), 0.95);
        let mask = |g| -> Vec<bool> { labels.iter().map(|l| *l == Some(g)).collect() };
        let (on, off) = (mask(Regime::RiskOn), mask(Regime::RiskOff));
        let cfg = BootstrapConfig {
            replications: 199,
            confidence: 0.95,
            seed: 3,
            block_length: None,
        };
        let all = vec![true; 400];
        let w = latest_window_mask(400, 30);
        let suite =
            bootstrap_suite(&al.ret_a, &al.ret_b, &[(&w, &all), (&on, &off)], &cfg).unwrap();
        assert_eq!(inf.regimes.len(), 2);
        for (g, side) in inf.regimes.iter().zip(suite.samples[1]) {
            let side = side.unwrap();
            let e = &g.estimate;
            assert_eq!(
                (e.r, e.boot_lo, e.boot_hi),
                (side.r, Some(side.lo), Some(side.hi))
            );
            assert_eq!(e.block_length, Some(side.block_length));
        }
        assert_eq!(inf.regimes[0].regime, Regime::RiskOn);
        assert_eq!(inf.regimes[0].estimate.n, on.iter().filter(|v| **v).count());
        let test = inf.regime_change.as_ref().unwrap();
        assert!(test.boot.boot_p.is_some());
    }

    /// A regime too short to test against the other still has its interval (a pair against
    /// the whole series), and the short one has none (fewer than 8 returns).
    #[test]
    fn a_regime_alone_still_has_its_interval() {
        let al = aligned(300);
        let labels: Vec<Option<Regime>> = (0..300)
            .map(|t| {
                Some(if t < 3 {
                    Regime::RiskOff
                } else {
                    Regime::RiskOn
                })
            })
            .collect();
        let inf = compute(&al, &labels, &[30], opts(), 0.95);
        assert!(inf.regime_change.is_none());
        assert_eq!(inf.regimes.len(), 1);
        let e = &inf.regimes[0].estimate;
        assert_eq!((inf.regimes[0].regime, e.n), (Regime::RiskOn, 297));
        let (lo, hi) = (e.boot_lo.unwrap(), e.boot_hi.unwrap());
        assert!(lo < e.r && e.r < hi, "{e:?}");
    }
}
