//! Property tests of the inference numerics: the partial correlation stays in [-1, 1], is
//! symmetric in x and y, and does not move under affine transforms of any series; the rolling
//! form equals the full-sample one on each window; the tests of two correlations are
//! antisymmetric; the Forbes–Rigobon adjustment stays in [-1, 1].

use lockstep_stats::{
    dependent_corr_test, fisher_z_test, forbes_rigobon, partial_corr, RollingPartialCorrelation,
    StatsError,
};
use proptest::prelude::*;

/// `n` rows of x, y and `k` controls, continuous values.
fn rows(n: std::ops::Range<usize>, k: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
    n.prop_flat_map(move |n| prop::collection::vec(prop::collection::vec(-1.0f64..1.0, n), k + 2))
}

/// The partial correlation, `None` when undefined or collinear (the only errors allowed).
fn pc(x: &[f64], y: &[f64], ctrl: &[&[f64]]) -> Option<f64> {
    match partial_corr(x, y, ctrl) {
        Ok(v) => v.map(|p| p.r),
        Err(StatsError::CollinearControl { .. }) => None,
        Err(e) => panic!("{e}"),
    }
}

fn split(cols: &[Vec<f64>]) -> (&[f64], &[f64], Vec<&[f64]>) {
    (
        &cols[0],
        &cols[1],
        cols[2..].iter().map(|c| c.as_slice()).collect(),
    )
}

fn affine(v: &[f64], a: f64, b: f64) -> Vec<f64> {
    v.iter().map(|e| a * e + b).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn partial_correlation_is_bounded_and_symmetric(cols in rows(5..120, 2), k in 0usize..3) {
        let (x, y, ctrl) = split(&cols);
        let ctrl = &ctrl[..k];
        let xy = pc(x, y, ctrl);
        let yx = pc(y, x, ctrl);
        match (xy, yx) {
            (Some(a), Some(b)) => {
                prop_assert!((-1.0..=1.0).contains(&a) && a.is_finite());
                prop_assert!((a - b).abs() <= 1e-12, "{a} {b}");
            }
            (None, None) => {}
            other => prop_assert!(false, "{other:?}"),
        }
        // a series against itself, given anything it is not explained by: 1
        if let Some(r) = pc(x, x, ctrl) {
            prop_assert!((r - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn partial_correlation_is_affine_invariant(
        cols in rows(8..120, 2),
        a in prop_oneof![0.01f64..100.0, -100.0f64..-0.01],
        b in -100.0f64..100.0,
        c in prop_oneof![0.01f64..100.0, -100.0f64..-0.01],
        which in 0usize..4,
    ) {
        let (x, y, ctrl) = split(&cols);
        let Some(r) = pc(x, y, &ctrl) else { return Ok(()); };
        let t = affine(&cols[which], a, b);
        let got = match which {
            0 => pc(&t, y, &ctrl).map(|v| v * a.signum()),
            1 => pc(x, &t, &ctrl).map(|v| v * a.signum()),
            2 => pc(x, y, &[&t, ctrl[1]]),
            _ => pc(x, y, &[ctrl[0], &t]),
        };
        prop_assert!((got.unwrap() - r).abs() <= 1e-9, "{got:?} vs {r}");
        // both legs scaled: the sign follows the product of the scales
        let (tx, ty) = (affine(x, a, b), affine(y, c, -b));
        let both = pc(&tx, &ty, &ctrl).unwrap();
        prop_assert!((both - r * (a * c).signum()).abs() <= 1e-9);
    }

    #[test]
    fn rolling_partial_equals_full_sample(cols in rows(6..150, 1), w in 4usize..40) {
        let (x, y, ctrl) = split(&cols);
        let got = RollingPartialCorrelation::new(w, 1).unwrap().over(x, y, &ctrl).unwrap();
        for (i, g) in got.iter().enumerate() {
            if i + 1 < w {
                prop_assert!(g.is_none());
                continue;
            }
            let s = i + 1 - w..i + 1;
            let want = pc(&x[s.clone()], &y[s.clone()], &[&ctrl[0][s.clone()]]);
            match (g, want) {
                (Some(g), Some(v)) => prop_assert!((g - v).abs() <= 1e-9, "{i}: {g} {v}"),
                (None, None) => {}
                other => prop_assert!(false, "{i}: {other:?}"),
            }
        }
    }

    #[test]
    fn tests_of_two_correlations_are_antisymmetric(
        r1 in -0.99f64..0.99, r2 in -0.99f64..0.99, n1 in 4usize..500, n2 in 4usize..500,
    ) {
        let ab = fisher_z_test(r1, n1, r2, n2).unwrap().unwrap();
        let ba = fisher_z_test(r2, n2, r1, n1).unwrap().unwrap();
        prop_assert_eq!(ab.z, -ba.z);
        prop_assert!((0.0..=1.0).contains(&ab.p) && ab.p == ba.p);
        // r_bc chosen so that the three can come from one sample: r1·r2 ± a fraction of the
        // admissible half-width √((1 − r1²)(1 − r2²))
        let r_bc = r1 * r2 + 0.5 * ((1.0 - r1 * r1) * (1.0 - r2 * r2)).sqrt();
        if let Some(d) = dependent_corr_test(r1, r2, r_bc, n1).unwrap() {
            let e = dependent_corr_test(r2, r1, r_bc, n1).unwrap().unwrap();
            prop_assert!((d.t + e.t).abs() <= 1e-12 * d.t.abs().max(1.0));
            prop_assert!((0.0..=1.0).contains(&d.p) && (0.0..=1.0).contains(&d.p_z));
        }
    }

    #[test]
    fn forbes_rigobon_stays_a_correlation(rho in -1.0f64..=1.0, delta in -0.999f64..100.0) {
        let v = forbes_rigobon(rho, delta).unwrap();
        prop_assert!((-1.0..=1.0).contains(&v) && v.is_finite());
        prop_assert!(v * rho >= 0.0);
        if delta >= 0.0 {
            prop_assert!(v.abs() <= rho.abs());
        }
    }
}
