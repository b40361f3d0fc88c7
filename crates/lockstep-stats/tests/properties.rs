//! Property tests of the rolling statistics: invariants that must hold for any input.

use lockstep_stats::{rolling_pair, Method, RollingCorrelation};
use proptest::prelude::*;

const METHODS: [Method; 3] = [
    Method::Pearson,
    Method::Spearman,
    Method::Ewma { lambda: 0.94 },
];

/// Returns-like values, with occasional exact repeats (to hit constant windows) and a wide
/// range of scales.
fn series(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            4 => -0.2f64..0.2,
            1 => Just(0.01),
            1 => -1e6f64..1e6,
            1 => -1e-9f64..1e-9,
        ],
        len,
    )
}

fn pair(len: std::ops::Range<usize>) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    len.prop_flat_map(|n| (series(n..n + 1), series(n..n + 1)))
}

fn close(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= tol,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn correlation_is_within_bounds((x, y) in pair(2..300), w in 2usize..40) {
        for m in METHODS {
            let pts = rolling_pair(m, w).unwrap().over_points(&x, &y).unwrap();
            for p in pts.into_iter().flatten() {
                if let Some(r) = p.corr {
                    prop_assert!(r.is_finite() && (-1.0..=1.0).contains(&r), "{m:?}: {r}");
                }
                if let Some(b) = p.beta { prop_assert!(b.is_finite()); }
            }
        }
    }

    #[test]
    fn streaming_equals_batch((x, y) in pair(2..200), w in 2usize..30) {
        for m in METHODS {
            let batch = rolling_pair(m, w).unwrap().over_points(&x, &y).unwrap();
            let mut s = rolling_pair(m, w).unwrap();
            let stream: Vec<_> = x.iter().zip(&y).map(|(a, b)| s.next_point(*a, *b)).collect();
            prop_assert_eq!(&batch, &stream);
            // reset gives a fresh start
            s.reset();
            let again: Vec<_> = x.iter().zip(&y).map(|(a, b)| s.next_point(*a, *b)).collect();
            prop_assert_eq!(&batch, &again);
        }
    }

    #[test]
    fn self_correlation_is_one(x in series(2..300), w in 2usize..40) {
        for m in METHODS {
            for p in rolling_pair(m, w).unwrap().over_points(&x, &x).unwrap().into_iter().flatten() {
                if let Some(r) = p.corr { prop_assert!((r - 1.0).abs() < 1e-9, "{m:?}: {r}"); }
            }
        }
    }

    #[test]
    fn swapping_legs_keeps_correlation((x, y) in pair(2..300), w in 2usize..40) {
        for m in METHODS {
            let ab = rolling_pair(m, w).unwrap().over_points(&x, &y).unwrap();
            let ba = rolling_pair(m, w).unwrap().over_points(&y, &x).unwrap();
            for (p, q) in ab.iter().zip(&ba) {
                let (r1, r2) = (p.and_then(|p| p.corr), q.and_then(|q| q.corr));
                prop_assert!(close(r1, r2, 1e-9), "{m:?}: {r1:?} vs {r2:?}");
            }
        }
    }

    /// The value at a date must not depend on how much older history came before it.
    #[test]
    fn independent_of_older_history(
        (x, y) in pair(60..400), w in 2usize..40, cut in 0usize..300,
    ) {
        let cut = cut.min(x.len() - 1);
        for m in [Method::Pearson, Method::Spearman] {
            let full = rolling_pair(m, w).unwrap().over_points(&x, &y).unwrap();
            let tail = rolling_pair(m, w).unwrap().over_points(&x[cut..], &y[cut..]).unwrap();
            // Scale of the data in the window bounds the rounding of the sums.
            for (i, t) in tail.iter().enumerate().skip(w - 1) {
                let f = full[cut + i];
                let (r1, r2) = (f.and_then(|p| p.corr), t.and_then(|p| p.corr));
                prop_assert!(close(r1, r2, 1e-7), "{m:?} at {i}: {r1:?} vs {r2:?}");
            }
        }
    }
}

#[test]
fn correlation_streaming_matches_batch_on_long_input() {
    let n = 20_000;
    let x: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.37).sin()).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| ((i as f64) * 0.11).cos() + x[i] * 0.2)
        .collect();
    let batch = RollingCorrelation::new(90).unwrap().over(&x, &y).unwrap();
    let mut s = RollingCorrelation::new(90).unwrap();
    for i in 0..n {
        assert_eq!(s.next(x[i], y[i]), batch[i]);
    }
}

mod indicators {
    use lockstep_stats::{Ema, Indicator, Macd, Rsi, Sma};
    use proptest::prelude::*;

    fn prices(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(prop_oneof![4 => 1.0f64..1e4, 1 => Just(100.0)], len)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn rsi_is_within_0_and_100(xs in prices(0..200), n in 1usize..30) {
            for r in Rsi::new(n).unwrap().over(&xs).into_iter().flatten() {
                prop_assert!((0.0..=100.0).contains(&r), "{r}");
            }
        }

        #[test]
        fn streaming_equals_batch(xs in prices(0..200), n in 1usize..30) {
            let batch = Rsi::new(n).unwrap().over(&xs);
            let mut s = Rsi::new(n).unwrap();
            let stream: Vec<_> = xs.iter().map(|x| s.next(*x)).collect();
            prop_assert_eq!(&batch, &stream);
            s.reset();
            prop_assert_eq!(&batch, &s.over(&xs));
            let mut m = Macd::new(3, 7, 4).unwrap();
            let mb = m.over(&xs);
            m.reset();
            let ms: Vec<_> = xs.iter().map(|x| m.next(*x)).collect();
            prop_assert_eq!(mb, ms);
        }

        #[test]
        fn shorter_than_warmup_gives_nothing(xs in prices(0..14)) {
            prop_assert!(Rsi::new(14).unwrap().over(&xs).iter().all(Option::is_none));
            prop_assert!(Macd::new(12, 26, 9).unwrap().over(&xs).iter().all(Option::is_none));
            prop_assert!(Sma::new(14).unwrap().over(&xs).iter().all(Option::is_none));
        }

        #[test]
        fn constant_series(c in 1.0f64..1e6, len in 0usize..100) {
            let xs = vec![c; len];
            prop_assert!(Rsi::new(14).unwrap().over(&xs).iter().all(Option::is_none));
            for e in Ema::new(10).unwrap().over(&xs).into_iter().flatten() {
                prop_assert!((e - c).abs() <= 1e-9 * c);
            }
            for m in Macd::new(12, 26, 9).unwrap().over(&xs).into_iter().flatten() {
                prop_assert!(m.macd.abs() <= 1e-9 * c && m.hist.abs() <= 1e-9 * c);
            }
        }

        #[test]
        fn strictly_rising_gives_rsi_100(start in 1.0f64..1e4, steps in prop::collection::vec(1e-3f64..10.0, 15..100)) {
            let xs: Vec<f64> = steps.iter().scan(start, |p, d| { *p += d; Some(*p) }).collect();
            for r in Rsi::new(14).unwrap().over(&xs).into_iter().flatten() {
                prop_assert_eq!(r, 100.0);
            }
        }
    }
}
