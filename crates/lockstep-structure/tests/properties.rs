//! Property tests: the detectors never panic on arbitrary positive price paths (flat
//! stretches, gaps in high/low/volume included) and their results keep their invariants.

use lockstep_core::{Date, PriceSeries};
use lockstep_stats::{Atr, Bar, Indicator};
use lockstep_structure::{
    bottoming_with, breadth, breakouts, cup_handle, key_levels, levels, macd_cross_together,
    ratio_trend, relative_strength, rsi_falling_together, rsi_rising_together, BottomingParams,
    CupHandle, CupParams, CupState, Direction, LevelKind, LevelParams,
};
use proptest::prelude::*;

fn days(n: usize) -> Vec<Date> {
    (0..n)
        .map(|i| Date::from_num_days_from_ce_opt(737_425 + i as i32).unwrap())
        .collect()
}

/// A positive price path: start in [0.01, 10000], daily log-moves mostly small, sometimes
/// exactly zero (flat stretches), sometimes large.
fn path(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    (
        0.01f64..10_000.0,
        prop::collection::vec(
            prop_oneof![
                6 => -0.05f64..0.05,
                2 => Just(0.0),
                1 => -0.4f64..0.4,
            ],
            len,
        ),
    )
        .prop_map(|(start, moves)| {
            moves
                .iter()
                .scan(start, |p, m| {
                    *p *= f64::exp(*m);
                    Some(*p)
                })
                .collect()
        })
}

/// An optional column: values in [lo, hi]·price-ish, with NaN holes.
fn column(n: usize) -> impl Strategy<Value = Option<Vec<f64>>> {
    prop::option::of(prop::collection::vec(
        prop_oneof![8 => 0.0f64..2.0, 1 => Just(f64::NAN)],
        n..=n,
    ))
}

fn ohlcv(len: std::ops::Range<usize>) -> impl Strategy<Value = PriceSeries> {
    path(len).prop_flat_map(|close| {
        let n = close.len();
        (Just(close), column(n), column(n), column(n)).prop_map(|(close, hi, lo, vol)| {
            let mut s = PriceSeries::new("p", days(close.len()), close.clone()).unwrap();
            s.high = hi.map(|h| {
                close
                    .iter()
                    .zip(h)
                    .map(|(c, x)| c * (1.0 + x / 20.0))
                    .collect()
            });
            s.low = lo.map(|l| {
                close
                    .iter()
                    .zip(l)
                    .map(|(c, x)| c * (1.0 - x / 20.0))
                    .collect()
            });
            s.volume = vol.map(|v| v.iter().map(|x| x * 1e6).collect());
            s
        })
    })
}

/// Wilder ATR of each bar, high and low taken as the close where they are missing (as the
/// levels do).
fn atr_of(s: &PriceSeries, period: usize) -> Vec<Option<f64>> {
    let pick = |col: &Option<Vec<f64>>, i: usize| {
        col.as_ref()
            .map(|v| v[i])
            .filter(|x| x.is_finite())
            .unwrap_or(s.price[i])
    };
    let bars: Vec<Bar> = (0..s.len())
        .map(|i| Bar {
            high: pick(&s.high, i),
            low: pick(&s.low, i),
            close: s.price[i],
            volume: 0.0,
        })
        .collect();
    Atr::new(period)
        .unwrap()
        .over(&bars)
        .into_iter()
        .map(|a| a.filter(|v| v.is_finite()))
        .collect()
}

fn cup_invariants(s: &PriceSeries, cups: &[CupHandle], p: &CupParams) -> Result<(), TestCaseError> {
    for c in cups {
        prop_assert!(
            c.left_rim.0 < c.bottom.0 && c.bottom.0 < c.right_rim.0,
            "{c:?}"
        );
        prop_assert!(c.depth_pct >= p.min_depth_pct && c.depth_pct <= p.max_depth_pct);
        prop_assert!(
            (c.right_rim.1 / c.left_rim.1 - 1.0).abs() * 100.0 <= p.rim_tolerance_pct + 1e-9
        );
        prop_assert!(c.cup_bars >= p.min_cup_bars && c.cup_bars <= p.max_cup_bars);
        if let Some((d, _)) = c.handle_low {
            prop_assert!(d > c.right_rim.0);
        }
        match c.state {
            CupState::Confirmed { breakout } => {
                prop_assert!(breakout > c.right_rim.0);
                prop_assert!(s.price_on(breakout).unwrap() > c.rim_level);
            }
            CupState::Failed { date } => prop_assert!(date > c.right_rim.0),
            CupState::Forming => {}
        }
    }
    for w in cups.windows(2) {
        let end = match w[0].state {
            CupState::Confirmed { breakout } => breakout,
            CupState::Failed { date } => date,
            CupState::Forming => return Err(TestCaseError::fail("forming before the end")),
        };
        prop_assert!(end < w[1].left_rim.0);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn levels_and_breakouts_keep_their_invariants(
        s in ohlcv(0..400),
        mult in 0.0f64..2.0,
        touches in 1usize..4,
        margin_atr in prop_oneof![Just(0.0), Just(0.5), 0.0f64..2.0],
        hold in 1usize..4,
    ) {
        let p = LevelParams { atr_mult: mult, min_touches: touches, margin_atr, hold, ..LevelParams::default() };
        let lv = levels(&s, &p).unwrap();
        if let Some(&last) = s.price.last() {
            for l in &lv {
                prop_assert!(l.touches >= touches);
                prop_assert!(l.first_touch <= l.last_touch);
                prop_assert!(l.price.is_finite() && l.distance_pct.is_finite());
                prop_assert_eq!(l.kind == LevelKind::Support, l.price < last);
                let c = &l.score;
                for x in [c.score, c.touches, c.recency, c.volume, c.distance] {
                    prop_assert!((0.0..=1.0).contains(&x), "{c:?}");
                }
                prop_assert!(c.touch_volume.is_none_or(|v| v.is_finite() && v >= 0.0));
            }
            prop_assert!(lv.windows(2).all(|w| w[0].score.score >= w[1].score.score));
            let k = key_levels(&lv, 2);
            prop_assert!(k.iter().filter(|l| l.kind == LevelKind::Support).count() <= 2);
            prop_assert!(k.iter().filter(|l| l.kind == LevelKind::Resistance).count() <= 2);
            prop_assert!(k.windows(2).all(|w| w[0].score.score >= w[1].score.score));
        }
        let b = breakouts(&s, &p).unwrap();
        prop_assert!(b.windows(2).all(|w| w[0].date <= w[1].date));
        let atr = atr_of(&s, p.atr_period);
        for e in &b {
            prop_assert!(e.volume_ratio.is_none_or(|r| r >= 0.0 && r.is_finite()));
            prop_assert_eq!(e.confirmed, e.volume_ratio.is_some_and(|r| r > 1.0));
            // The `hold` closes up to the breakout all clear the level by the margin of their
            // own day, the close before them does not.
            let t = s.dates.binary_search(&e.date).unwrap();
            let since = s.dates.binary_search(&e.since).unwrap();
            prop_assert_eq!(t + 1 - since, hold);
            prop_assert!(since >= 1);
            let clears = |i: usize| match (atr[i], e.direction) {
                (Some(a), Direction::Up) => s.price[i] > e.level + margin_atr * a,
                (Some(a), Direction::Down) => s.price[i] < e.level - margin_atr * a,
                (None, _) => false,
            };
            for i in since..=t {
                prop_assert!(clears(i), "{e:?} day {i}");
            }
            prop_assert!(!clears(since - 1), "{e:?}");
            prop_assert_eq!(e.prev_close, s.price[since - 1]);
            prop_assert!((e.margin - margin_atr * atr[t].unwrap()).abs() <= 1e-9 * e.margin.abs().max(1.0));
        }
        // One event per level and day; on one level's price, a second breakout the same way
        // needs the closes to have cleared the level the other way for `hold` days in between
        // (a breakout called then, or the level not known at the time).
        let mut seen = std::collections::BTreeMap::new();
        for e in &b {
            let key = e.level.to_bits();
            let t = s.dates.binary_search(&e.date).unwrap();
            if let Some(&(d, dir)) = seen.get(&key) {
                prop_assert!(d < t);
                if dir == e.direction {
                    let other = |i: usize| match (atr[i], e.direction) {
                        (Some(a), Direction::Up) => s.price[i] < e.level - margin_atr * a,
                        (Some(a), Direction::Down) => s.price[i] > e.level + margin_atr * a,
                        (None, _) => false,
                    };
                    let flipped = (d + 1..=t + 1 - hold)
                        .any(|k| k + hold <= t + 1 && (k..k + hold).all(other));
                    prop_assert!(flipped, "{e:?} after the same on day {d}");
                }
            }
            seen.insert(key, (t, e.direction));
        }
    }

    #[test]
    fn cups_keep_their_invariants(s in ohlcv(0..600)) {
        let p = CupParams::default();
        cup_invariants(&s, &cup_handle(&s, &p).unwrap(), &p)?;
        // Small cups, so random paths hit more patterns.
        let small = CupParams {
            pivot: 2,
            min_cup_bars: 8,
            max_cup_bars: 60,
            min_handle_bars: 2,
            min_bottom_share: 0.2,
            ..CupParams::default()
        };
        cup_invariants(&s, &cup_handle(&s, &small).unwrap(), &small)?;
    }

    #[test]
    fn momentum_events_are_ordered(a in path(0..300), b_moves in path(300..301), nan_at in prop::option::of(0usize..300), k in 1usize..10, d in 0usize..5) {
        let n = a.len();
        let mut b: Vec<f64> = b_moves[..n].to_vec();
        if let Some(i) = nan_at.filter(|&i| i < n) {
            b[i] = f64::NAN;
        }
        let dates = days(n);
        for ev in [
            rsi_rising_together(&a, &b, &dates, 14, k).unwrap(),
            rsi_falling_together(&a, &b, &dates, 14, k).unwrap(),
        ] {
            prop_assert!(ev.iter().all(|e| e.start <= e.end && e.days >= 1));
            prop_assert!(ev.windows(2).all(|w| w[0].end < w[1].start));
        }
        let m = macd_cross_together(&a, &b, &dates, (12, 26, 9), d).unwrap();
        prop_assert!(m.windows(2).all(|w| w[0].date_a < w[1].date_a));
        prop_assert!(m.iter().all(|e| e.lag.unsigned_abs() as usize <= d));
    }

    #[test]
    fn ratio_functions_never_panic(r in path(0..900), lookback in 1usize..400, pivot in 1usize..8) {
        let dates = days(r.len());
        let p = BottomingParams { lookback, pivot, ..BottomingParams::default() };
        if let Some(b) = bottoming_with(&dates, &r, &p).unwrap() {
            prop_assert!(b.low1.0 < b.rebound_high.0 && b.rebound_high.0 < b.low2.0);
            prop_assert!(b.low2.1 > b.low1.1 && b.rsi2 > b.rsi1);
        }
        match ratio_trend(&dates, &r, 200, 30) {
            Ok(t) => prop_assert!(t.slope_pct_per_day.is_finite() && t.ma > 0.0),
            Err(_) => prop_assert!(r.len() < 200),
        }
    }

    #[test]
    fn breadth_shares_within_range(
        paths in prop::collection::vec((path(0..300), prop::collection::vec(any::<bool>(), 300)), 0..6),
        grid_keep in prop::collection::vec(any::<bool>(), 300),
    ) {
        let all = days(300);
        let series: Vec<PriceSeries> = paths
            .iter()
            .map(|(p, keep)| {
                let (d, v): (Vec<Date>, Vec<f64>) = p
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| keep[*i] || *i % 7 == 0)
                    .map(|(i, &x)| (all[i], x))
                    .unzip();
                PriceSeries::new("c", d, v).unwrap()
            })
            .collect();
        let refs: Vec<&PriceSeries> = series.iter().collect();
        let grid: Vec<Date> = all.iter().zip(&grid_keep).filter(|(_, k)| **k).map(|(d, _)| *d).collect();
        let b = breadth(&refs, &grid).unwrap();
        prop_assert_eq!(b.len(), grid.len());
        let mut ad = 0i64;
        for p in &b {
            for s in [p.above_50, p.above_200].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&s));
            }
            prop_assert!(p.counted_50 <= refs.len() && p.counted_200 <= p.counted_50);
            prop_assert!(p.advances + p.declines <= refs.len());
            ad += p.advances as i64 - p.declines as i64;
            prop_assert_eq!(p.ad_line, ad);
        }
        if let Some((p, _)) = paths.first() {
            if paths.len() >= 2 && !p.is_empty() {
                let q = &paths[1].0;
                let n = p.len().min(q.len());
                if n > 0 {
                    let rs = relative_strength(&all[..n], &p[..n], &q[..n], 50).unwrap();
                    prop_assert!(rs.points.windows(2).all(|w| w[0].date < w[1].date));
                }
            }
        }
    }
}
