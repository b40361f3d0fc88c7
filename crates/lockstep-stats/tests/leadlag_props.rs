//! Lead-lag, Granger and regime numerics on constructed data with a known answer, plus
//! property tests (ranges, no panic / NaN on any input).

use lockstep_stats::{
    ccf_band, classify, cross_correlation, divergence_scores, granger, granger_scan, ols,
    reaction_summary, rolling_best_lag, RegimeRule, StatsError,
};
use proptest::prelude::*;

/// SplitMix64 + Box-Muller: deterministic standard normal noise (no rand crate).
struct Rng(u64);

impl Rng {
    fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn normals(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.normal()).collect()
    }
}

/// b is noise, a[t] = b[t-3] + 0.3·noise: B leads A by 3 periods.
fn lagged_pair(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed);
    let b = rng.normals(n);
    let e = rng.normals(n);
    let a = (0..n)
        .map(|t| if t >= 3 { b[t - 3] } else { 0.0 } + 0.3 * e[t])
        .collect();
    (a, b)
}

#[test]
fn b_leading_by_three_is_found() {
    let (a, b) = lagged_pair(42, 800);
    let ccf = cross_correlation(&a, &b, 10).unwrap();
    let best = ccf
        .iter()
        .max_by(|x, y| x.corr.unwrap().total_cmp(&y.corr.unwrap()))
        .unwrap();
    assert_eq!(best.lag, 3, "{ccf:?}");
    assert!(best.corr.unwrap() > 0.9);
    let band = ccf_band(800, 0.95).unwrap();
    assert!(ccf
        .iter()
        .filter(|c| c.lag != 3)
        .all(|c| c.corr.unwrap().abs() < 2.0 * band));

    // Granger: B causes A overwhelmingly, A does not cause B.
    let b_to_a = granger(&a, &b, 5).unwrap();
    assert!(b_to_a.p < 1e-100, "{b_to_a:?}");
    assert_eq!((b_to_a.df_num, b_to_a.df_den, b_to_a.nobs), (5, 784, 795));
    let a_to_b = granger(&b, &a, 5).unwrap();
    assert!(a_to_b.p > 0.05, "{a_to_b:?}");

    // Lag order selection on the common sample needs at least 3 lags.
    let scan = granger_scan(&a, &b, 6).unwrap();
    assert_eq!(scan.tests.len(), 6);
    assert_eq!(scan.selection_nobs, 794);
    assert_eq!((scan.aic_lag, scan.bic_lag), (3, 3), "{scan:?}");
    // the tests are `granger` per lag, to rounding (the scan factors one design for all)
    let (s, g) = (scan.tests[4], b_to_a);
    assert_eq!(
        (s.lag, s.df_num, s.df_den, s.nobs),
        (g.lag, g.df_num, g.df_den, g.nobs)
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);
    assert!(
        close(s.f, g.f) && close(s.ssr_unrestricted, g.ssr_unrestricted),
        "{s:?} {g:?}"
    );
    assert!(
        close(s.ssr_restricted, g.ssr_restricted) && close(s.aic, g.aic),
        "{s:?}"
    );
    assert!(close(s.bic, g.bic) && close(s.p, g.p), "{s:?} {g:?}");

    // Rolling: every 90-day window finds lag 3.
    let roll = rolling_best_lag(&a, &b, 90, 10).unwrap();
    assert!(roll[..89].iter().all(Option::is_none));
    assert!(roll[89..].iter().all(|x| x.unwrap().lag == 3));
    let s = reaction_summary(&roll).unwrap();
    assert_eq!((s.count, s.median, s.share_b_leads), (711, 3.0, 1.0));
    assert_eq!(s.histogram, vec![(3, 711)]);
}

#[test]
fn a_leading_gives_negative_lag() {
    let (a, b) = lagged_pair(7, 500);
    // swap roles: now A leads B by 3 → lag -3
    let ccf = cross_correlation(&b, &a, 5).unwrap();
    let best = ccf
        .iter()
        .max_by(|x, y| x.corr.unwrap().total_cmp(&y.corr.unwrap()))
        .unwrap();
    assert_eq!(best.lag, -3);
    let roll = rolling_best_lag(&b, &a, 60, 5).unwrap();
    assert!(roll[59..].iter().all(|x| x.unwrap().lag == -3));
}

#[test]
fn independent_noise_shows_no_lead_lag() {
    let (n, l, seeds) = (500usize, 10usize, 50u64);
    let band = ccf_band(n, 0.95).unwrap();
    // Bonferroni band for "no lag at all is significant" over the 2L non-zero lags
    let max_band = ccf_band(n, 1.0 - 0.05 / (2 * l) as f64).unwrap();
    let (mut pointwise_in, mut pointwise_all) = (0, 0);
    let (mut seeds_quiet, mut granger_quiet_ab, mut granger_quiet_ba) = (0, 0, 0);
    for seed in 0..seeds {
        let mut rng = Rng(1000 + seed);
        let a = rng.normals(n);
        let b = rng.normals(n);
        let ccf = cross_correlation(&a, &b, l).unwrap();
        let off: Vec<f64> = ccf
            .iter()
            .filter(|c| c.lag != 0)
            .map(|c| c.corr.unwrap().abs())
            .collect();
        pointwise_all += off.len();
        pointwise_in += off.iter().filter(|r| **r <= band).count();
        if off.iter().all(|r| *r <= max_band) {
            seeds_quiet += 1;
        }
        if granger(&a, &b, 2).unwrap().p > 0.05 {
            granger_quiet_ab += 1;
        }
        if granger(&b, &a, 2).unwrap().p > 0.05 {
            granger_quiet_ba += 1;
        }
    }
    assert!(
        pointwise_in as f64 >= 0.9 * pointwise_all as f64,
        "{pointwise_in}/{pointwise_all}"
    );
    assert!(
        seeds_quiet >= 45,
        "{seeds_quiet}/50 seeds without a significant lag"
    );
    assert!(granger_quiet_ab >= 45, "{granger_quiet_ab}/50");
    assert!(granger_quiet_ba >= 45, "{granger_quiet_ba}/50");
}

#[test]
fn constant_and_collinear_inputs_are_errors_not_nan() {
    let mut rng = Rng(3);
    let x = rng.normals(100);
    let c = vec![0.25; 100];
    assert!(matches!(
        granger(&c, &x, 2),
        Err(StatsError::Collinear { .. })
    ));
    assert!(matches!(
        granger(&x, &c, 2),
        Err(StatsError::Collinear { .. })
    ));
    // the cause is the effect itself: its lags duplicate the effect's lags
    assert!(matches!(
        granger(&x, &x, 3),
        Err(StatsError::Collinear { column: 4, .. })
    ));
    // effect = exact linear function of the cause's lag: perfect fit
    let y: Vec<f64> = (0..100)
        .map(|t| if t > 0 { 2.0 * x[t - 1] + 1.0 } else { 0.0 })
        .collect();
    assert!(matches!(
        granger(&y, &x, 1),
        Err(StatsError::PerfectFit { .. })
    ));
    assert!(granger_scan(&c, &x, 3).is_err());
    assert!(ols(&x, &[&vec![1.0; 100], &x, &x]).is_err());
    // ccf / rolling: undefined, not NaN
    assert!(cross_correlation(&c, &x, 3)
        .unwrap()
        .iter()
        .all(|r| r.corr.is_none()));
    assert!(rolling_best_lag(&c, &x, 20, 3)
        .unwrap()
        .iter()
        .all(Option::is_none));
    assert!(divergence_scores(&x, &c, 20)
        .unwrap()
        .iter()
        .all(Option::is_none));
    assert!(classify(&c, RegimeRule::default())
        .unwrap()
        .iter()
        .all(|r| r.is_none_or(|r| r == lockstep_stats::Regime::RiskOff)));
}

/// Returns-like values with occasional NaN, exact repeats and wide scales.
fn series(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            6 => -0.2f64..0.2,
            1 => Just(0.01),
            1 => Just(f64::NAN),
            1 => -1e6f64..1e6,
            1 => -1e-9f64..1e-9,
        ],
        n,
    )
}

fn pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (0usize..80).prop_flat_map(|n| (series(n), series(n)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn ccf_is_a_correlation((a, b) in pair(), l in 0usize..12) {
        let c = cross_correlation(&a, &b, l).unwrap();
        prop_assert_eq!(c.len(), 2 * l + 1);
        for (i, x) in c.iter().enumerate() {
            prop_assert_eq!(x.lag, i as i64 - l as i64);
            if let Some(r) = x.corr {
                prop_assert!((-1.0..=1.0).contains(&r));
                prop_assert!(x.n >= 2);
            }
        }
    }

    #[test]
    fn rolling_best_lag_is_in_range((a, b) in pair(), l in 0usize..5, extra in 3usize..20) {
        let w = l + extra;
        let got = rolling_best_lag(&a, &b, w, l).unwrap();
        prop_assert_eq!(got.len(), a.len());
        for (t, g) in got.iter().enumerate() {
            if let Some(g) = g {
                prop_assert!(t + 1 >= w);
                prop_assert!(g.lag.unsigned_abs() as usize <= l);
                prop_assert!((-1.0..=1.0).contains(&g.corr));
            }
        }
        if let Some(s) = reaction_summary(&got) {
            prop_assert!((s.share_zero + s.share_a_leads + s.share_b_leads - 1.0).abs() < 1e-12);
            prop_assert!(s.q1 <= s.median && s.median <= s.q3);
            prop_assert_eq!(s.histogram.iter().map(|h| h.1).sum::<usize>(), s.count);
        }
    }

    /// Granger on arbitrary finite data: an error or a finite F with p in [0, 1], never NaN.
    #[test]
    fn granger_never_nan((a, b) in pair(), lag in 1usize..4) {
        let clean = |v: &[f64]| v.iter().map(|x| if x.is_nan() { 0.0 } else { *x }).collect::<Vec<_>>();
        let (a, b) = (clean(&a), clean(&b));
        if let Ok(g) = granger(&a, &b, lag) {
            prop_assert!(g.f.is_finite() && g.f >= 0.0, "{:?}", g);
            prop_assert!((0.0..=1.0).contains(&g.p), "{:?}", g);
            prop_assert!(g.ssr_unrestricted <= g.ssr_restricted * (1.0 + 1e-9));
            prop_assert!(g.aic.is_finite() && g.bic.is_finite());
        }
    }

    /// OLS recovers the coefficients of an exact linear model plus small noise.
    #[test]
    fn ols_recovers_coefficients(seed in 0u64..1000, b0 in -5.0f64..5.0, b1 in -5.0f64..5.0, b2 in -5.0f64..5.0) {
        let mut rng = Rng(seed);
        let (x1, x2) = (rng.normals(60), rng.normals(60));
        let y: Vec<f64> = (0..60).map(|i| b0 + b1 * x1[i] + b2 * x2[i]).collect();
        let f = ols(&y, &[&vec![1.0; 60], &x1, &x2]).unwrap();
        for (got, want) in f.coef.iter().zip([b0, b1, b2]) {
            prop_assert!((got - want).abs() < 1e-12, "{:?}", f.coef);
        }
        prop_assert!(f.ssr < 1e-20);
    }
}
