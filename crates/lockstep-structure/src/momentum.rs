//! Momentum alignment of the two legs of a pair: RSI rising together, MACD crosses together.

use lockstep_core::Date;
use lockstep_stats::{Macd, MacdPoint, Rsi};
use serde::Serialize;

use crate::util::{at_least, check_dates, check_len, segmented, segmented_macd};
use crate::Result;

/// What an [`AlignmentEvent`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlignmentKind {
    /// RSI rose on both legs: `RSI_t > RSI_{t−k}` on each.
    RsiRising,
    /// RSI fell on both legs: `RSI_t < RSI_{t−k}` on each.
    RsiFalling,
}

/// A run of consecutive days on which a condition held on both legs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignmentEvent {
    /// First day of the run.
    pub start: Date,
    /// Last day of the run (the last day the condition held).
    pub end: Date,
    /// Days in the run (`>= 1`).
    pub days: usize,
    /// The condition.
    pub kind: AlignmentKind,
}

/// Direction of a MACD cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrossDirection {
    /// The MACD line crossed above its signal line.
    Bullish,
    /// The MACD line crossed below its signal line.
    Bearish,
}

/// Both legs' MACD lines crossed their signal lines in the same direction, close in time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MacdCrossEvent {
    /// Date of leg A's cross.
    pub date_a: Date,
    /// Date of leg B's cross.
    pub date_b: Date,
    /// Bullish or bearish (the same on both legs).
    pub direction: CrossDirection,
    /// `index(date_b) − index(date_a)` in days of the common calendar (`|lag| <= d`).
    pub lag: i64,
}

fn check_pair(a: &[f64], b: &[f64], dates: &[Date]) -> Result<()> {
    check_len("leg a", a.len(), dates.len())?;
    check_len("leg b", b.len(), dates.len())?;
    check_dates("dates", dates)
}

/// Runs of days on which the RSI rose on both legs over the last `k` days.
///
/// `a`, `b` are the closes of the two legs on the same `dates` (aligned, strictly increasing).
/// With `RSI = RSI(rsi_period)` (Wilder, TA-Lib; default 14) of each leg, day `t` qualifies
/// when `RSI^a_t > RSI^a_{t−k}` and `RSI^b_t > RSI^b_{t−k}` (default `k = 5`), all four
/// defined. Consecutive qualifying days form one [`AlignmentEvent`] (start = first day,
/// end = last day of the run), so a persistent rise is one event, not one per day.
///
/// A NaN close makes the RSI of that leg undefined there and restarts its warm-up (the
/// indicator is reset), so no day near a gap qualifies. Errors: lengths differ from `dates`,
/// dates not increasing, `rsi_period` or `k` zero. Oldest first.
pub fn rsi_rising_together(
    a: &[f64],
    b: &[f64],
    dates: &[Date],
    rsi_period: usize,
    k: usize,
) -> Result<Vec<AlignmentEvent>> {
    rsi_together(a, b, dates, rsi_period, k, AlignmentKind::RsiRising)
}

/// Runs of days on which the RSI fell on both legs over the last `k` days: the mirror image of
/// [`rsi_rising_together`] (`RSI_t < RSI_{t−k}` on both legs).
pub fn rsi_falling_together(
    a: &[f64],
    b: &[f64],
    dates: &[Date],
    rsi_period: usize,
    k: usize,
) -> Result<Vec<AlignmentEvent>> {
    rsi_together(a, b, dates, rsi_period, k, AlignmentKind::RsiFalling)
}

fn rsi_together(
    a: &[f64],
    b: &[f64],
    dates: &[Date],
    rsi_period: usize,
    k: usize,
    kind: AlignmentKind,
) -> Result<Vec<AlignmentEvent>> {
    check_pair(a, b, dates)?;
    at_least("k", k, 1, "the RSI change is taken over at least one day")?;
    let ra = segmented(Rsi::new(rsi_period)?, a);
    let rb = segmented(Rsi::new(rsi_period)?, b);
    let moved = |r: &[Option<f64>], t: usize| match (r[t], r[t - k]) {
        (Some(now), Some(then)) => match kind {
            AlignmentKind::RsiRising => now > then,
            AlignmentKind::RsiFalling => now < then,
        },
        _ => false,
    };
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for t in 0..=dates.len() {
        let ok = t < dates.len() && t >= k && moved(&ra, t) && moved(&rb, t);
        match (ok, start) {
            (true, None) => start = Some(t),
            (false, Some(s)) => {
                out.push(AlignmentEvent {
                    start: dates[s],
                    end: dates[t - 1],
                    days: t - s,
                    kind,
                });
                start = None;
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Crosses of a MACD line over its signal line: `(index, direction)`.
///
/// Within a run of defined values, a cross happens at `t` when `hist_t = MACD_t − signal_t` is
/// non-zero and of the opposite sign to the last non-zero `hist` before `t` (a touch of zero
/// that turns back is no cross; a cross through an exact zero is dated on the first non-zero
/// day after it). The sign memory is reset where MACD is undefined (`hist` is `None`).
pub fn macd_crosses(hist: &[Option<f64>]) -> Vec<(usize, CrossDirection)> {
    let mut last_sign = 0.0f64;
    let mut out = Vec::new();
    for (t, h) in hist.iter().enumerate() {
        let Some(h) = *h else {
            last_sign = 0.0;
            continue;
        };
        let s = if h > 0.0 {
            1.0
        } else if h < 0.0 {
            -1.0
        } else {
            continue;
        };
        if last_sign != 0.0 && s != last_sign {
            out.push((
                t,
                if s > 0.0 {
                    CrossDirection::Bullish
                } else {
                    CrossDirection::Bearish
                },
            ));
        }
        last_sign = s;
    }
    out
}

/// Days on which both legs' MACD lines crossed their signal lines in the same direction within
/// `d` days of each other.
///
/// `a`, `b`: closes on the same `dates`; `(fast, slow, signal)` MACD periods (TA-Lib; default
/// `(12, 26, 9)`); `d` the largest gap in days of the common calendar (default 3).
///
/// * A **cross** on a leg at day `t`: the histogram `MACD − signal` becomes non-zero with the
///   opposite sign to its last non-zero value (bullish: to positive; bearish: to negative).
/// * **Pairing**: leg A's crosses are taken in date order; each is paired with the earliest
///   not yet paired cross of leg B in the same direction with `|t_b − t_a| <= d`. Each cross is
///   used at most once; crosses left unpaired are not reported.
///
/// A NaN close resets that leg's MACD (it warms up again). Oldest first (by `date_a`).
/// Errors: lengths differ from `dates`, dates not increasing, invalid MACD periods.
pub fn macd_cross_together(
    a: &[f64],
    b: &[f64],
    dates: &[Date],
    periods: (usize, usize, usize),
    d: usize,
) -> Result<Vec<MacdCrossEvent>> {
    check_pair(a, b, dates)?;
    let (fast, slow, signal) = periods;
    let hist = |points: Vec<Option<MacdPoint>>| -> Vec<Option<f64>> {
        points.iter().map(|p| p.map(|p| p.hist)).collect()
    };
    let ca = macd_crosses(&hist(segmented_macd(Macd::new(fast, slow, signal)?, a)));
    let cb = macd_crosses(&hist(segmented_macd(Macd::new(fast, slow, signal)?, b)));
    Ok(pair_crosses(&ca, &cb, d)
        .into_iter()
        .map(|(ta, tb, dir)| MacdCrossEvent {
            date_a: dates[ta],
            date_b: dates[tb],
            direction: dir,
            lag: tb as i64 - ta as i64,
        })
        .collect())
}

/// Pairs leg A's crosses with leg B's (both sorted by index, strictly increasing, as
/// [`macd_crosses`] gives them): each of A's in order takes the earliest unused cross of B in
/// the same direction with `|t_b − t_a| <= d`. Returns `(t_a, t_b, direction)`.
///
/// A window over B: `lo` is the first cross of B with `t_b >= t_a − d`, which only moves
/// forward as `t_a` grows; the candidates are B's crosses from `lo` while `t_b <= t_a + d`
/// (at most `2d + 1` of them, indices being distinct), so the cost is `O(|A| · d + |B|)`
/// instead of `O(|A| · |B|)`. The crosses of B before `lo` could never qualify again.
fn pair_crosses(
    ca: &[(usize, CrossDirection)],
    cb: &[(usize, CrossDirection)],
    d: usize,
) -> Vec<(usize, usize, CrossDirection)> {
    let mut used = vec![false; cb.len()];
    let mut lo = 0;
    let mut out = Vec::new();
    for &(ta, dir) in ca {
        while lo < cb.len() && cb[lo].0 < ta.saturating_sub(d) {
            lo += 1;
        }
        let hit = cb[lo..]
            .iter()
            .take_while(|&&(tb, _)| tb <= ta.saturating_add(d))
            .enumerate()
            .position(|(k, &(_, db))| !used[lo + k] && db == dir);
        if let Some(k) = hit {
            used[lo + k] = true;
            out.push((ta, cb[lo + k].0, dir));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;
    use proptest::prelude::*;

    /// The former quadratic pairing, kept as the oracle of [`pair_crosses`]: each of A's
    /// crosses scans all of B's from the start.
    fn pair_crosses_oracle(
        ca: &[(usize, CrossDirection)],
        cb: &[(usize, CrossDirection)],
        d: usize,
    ) -> Vec<(usize, usize, CrossDirection)> {
        let mut used = vec![false; cb.len()];
        let mut out = Vec::new();
        for &(ta, dir) in ca {
            let hit = cb
                .iter()
                .enumerate()
                .position(|(j, &(tb, db))| !used[j] && db == dir && ta.abs_diff(tb) <= d);
            if let Some(j) = hit {
                used[j] = true;
                out.push((ta, cb[j].0, dir));
            }
        }
        out
    }

    /// Strictly increasing cross indices with random directions, from gaps and a direction bit.
    fn crosses(steps: &[(usize, bool)]) -> Vec<(usize, CrossDirection)> {
        let mut t = 0;
        steps
            .iter()
            .map(|&(gap, bull)| {
                t += gap;
                let dir = if bull {
                    CrossDirection::Bullish
                } else {
                    CrossDirection::Bearish
                };
                (t, dir)
            })
            .collect()
    }

    proptest! {
        #[test]
        fn pairing_matches_the_quadratic_oracle(
            sa in proptest::collection::vec((1usize..6, any::<bool>()), 0..60),
            sb in proptest::collection::vec((1usize..6, any::<bool>()), 0..60),
            d in 0usize..8,
        ) {
            let (ca, cb) = (crosses(&sa), crosses(&sb));
            prop_assert_eq!(pair_crosses(&ca, &cb, d), pair_crosses_oracle(&ca, &cb, d));
        }

        #[test]
        fn macd_pairs_match_the_oracle_on_random_walks(
            ra in proptest::collection::vec(-1.0f64..1.0, 50..400),
            rb in proptest::collection::vec(-1.0f64..1.0, 50..400),
            d in 0usize..6,
        ) {
            let n = ra.len().min(rb.len());
            let walk = |r: &[f64]| -> Vec<f64> {
                r[..n].iter().scan(100.0, |p, x| { *p += x; Some(*p) }).collect()
            };
            let (a, b) = (walk(&ra), walk(&rb));
            let hist = |x: &[f64]| -> Vec<Option<f64>> {
                segmented_macd(Macd::new(12, 26, 9).unwrap(), x)
                    .iter()
                    .map(|p| p.map(|p| p.hist))
                    .collect()
            };
            let (ca, cb) = (macd_crosses(&hist(&a)), macd_crosses(&hist(&b)));
            let want = pair_crosses_oracle(&ca, &cb, d);
            let dates = days(n);
            let got = macd_cross_together(&a, &b, &dates, (12, 26, 9), d).unwrap();
            prop_assert_eq!(got.len(), want.len());
            for (e, &(ta, tb, dir)) in got.iter().zip(&want) {
                prop_assert_eq!((e.date_a, e.date_b, e.direction), (dates[ta], dates[tb], dir));
                prop_assert_eq!(e.lag, tb as i64 - ta as i64);
            }
        }
    }

    #[test]
    fn pairing_takes_the_earliest_unused_in_the_window() {
        use CrossDirection::{Bearish as S, Bullish as U};
        let ca = [(10, U), (11, U), (20, S), (30, U)];
        let cb = [(5, U), (8, U), (9, U), (12, S), (13, U), (40, U)];
        // 10 takes 8 (5 is 5 days away), 11 takes 9, 20 finds no bearish within 2, 30 none.
        assert_eq!(pair_crosses(&ca, &cb, 2), vec![(10, 8, U), (11, 9, U)]);
        assert_eq!(pair_crosses(&ca, &cb, 2), pair_crosses_oracle(&ca, &cb, 2));
        // With d = 0 nothing coincides; with a huge d everything before is reachable.
        assert!(pair_crosses(&ca, &cb, 0).is_empty());
        assert_eq!(
            pair_crosses(&ca, &cb, usize::MAX),
            pair_crosses_oracle(&ca, &cb, usize::MAX)
        );
    }

    /// Falls for `down` days then rises: RSI bottoms then climbs.
    fn v_path(n: usize, turn: usize, step: f64) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let i = i as f64;
                let t = turn as f64;
                // A small wiggle keeps RSI away from the 0/100 extremes.
                let wiggle = if (i as usize).is_multiple_of(2) {
                    0.3
                } else {
                    -0.3
                };
                100.0
                    + wiggle
                    + if i < t {
                        -step * i
                    } else {
                        -step * t + step * (i - t)
                    }
            })
            .collect()
    }

    #[test]
    fn rsi_runs_reported_once() {
        let n = 80;
        let dates = days(n);
        let a = v_path(n, 40, 1.0);
        let b = v_path(n, 40, 2.0);
        let ev = rsi_rising_together(&a, &b, &dates, 14, 5).unwrap();
        assert!(!ev.is_empty());
        // After the turn RSI climbs on both: one long run ending on the last day.
        let last = ev.last().unwrap();
        assert_eq!(last.end, dates[n - 1]);
        assert!(
            last.start > dates[40] && last.start <= dates[46],
            "{last:?}"
        );
        assert_eq!(last.kind, AlignmentKind::RsiRising);
        assert!(ev.windows(2).all(|w| w[0].end < w[1].start));
        for e in &ev {
            assert!(e.start <= e.end);
        }
        // Legs turning at different times: the run starts when the later one turns.
        let b2 = v_path(n, 55, 1.0);
        let ev2 = rsi_rising_together(&a, &b2, &dates, 14, 5).unwrap();
        let last2 = ev2.last().unwrap();
        assert!(
            last2.start > dates[55] && last2.start <= dates[61],
            "{last2:?}"
        );
        // Falling together before the turn.
        let f = rsi_falling_together(&a, &b, &dates, 14, 5).unwrap();
        assert!(f.iter().all(|e| e.end < dates[47]));
    }

    #[test]
    fn rsi_errors_and_degenerate() {
        let dates = days(30);
        let a = vec![1.0; 30];
        assert!(rsi_rising_together(&a, &a[..29], &dates, 14, 5).is_err());
        assert!(rsi_rising_together(&a, &a, &dates, 0, 5).is_err());
        assert!(rsi_rising_together(&a, &a, &dates, 14, 0).is_err());
        // Constant: RSI undefined, no event. Short: none.
        assert!(rsi_rising_together(&a, &a, &dates, 14, 5)
            .unwrap()
            .is_empty());
        assert!(rsi_rising_together(&[], &[], &[], 14, 5)
            .unwrap()
            .is_empty());
        let mut nan = v_path(30, 10, 1.0);
        nan[20] = f64::NAN;
        assert!(rsi_rising_together(&nan, &nan, &dates, 14, 5).is_ok());
        let mut bad_dates = dates.clone();
        bad_dates.swap(3, 4);
        assert!(rsi_rising_together(&a, &a, &bad_dates, 14, 5).is_err());
    }

    #[test]
    fn cross_detection_rules() {
        let p = |h: f64| {
            Some(MacdPoint {
                macd: h,
                signal: 0.0,
                hist: h,
            })
        };
        let pts = vec![
            p(-1.0),
            p(0.0),
            p(1.0),
            p(0.0),
            p(2.0),
            None,
            p(-1.0),
            p(1.0),
            p(-3.0),
        ];
        let hist: Vec<Option<f64>> = pts.iter().map(|p| p.map(|p| p.hist)).collect();
        assert_eq!(
            macd_crosses(&hist),
            vec![
                (2, CrossDirection::Bullish),
                (7, CrossDirection::Bullish),
                (8, CrossDirection::Bearish)
            ]
        );
    }

    #[test]
    fn macd_crosses_paired_within_d() {
        let n = 160;
        let dates = days(n);
        // Sine waves: MACD crosses its signal periodically; b lags a by 2 days.
        let wave = |shift: f64| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    100.0 + 10.0 * ((i as f64 - shift) * 2.0 * std::f64::consts::PI / 40.0).sin()
                })
                .collect()
        };
        let a = wave(0.0);
        let b = wave(2.0);
        let ev = macd_cross_together(&a, &b, &dates, (12, 26, 9), 3).unwrap();
        assert!(ev.len() >= 4, "{ev:?}");
        for e in &ev {
            assert_eq!(e.lag, 2, "{e:?}");
            assert_eq!((e.date_b - e.date_a).num_days(), 2);
        }
        assert!(ev
            .windows(2)
            .all(|w| w[0].date_a < w[1].date_a && w[0].direction != w[1].direction));
        // Lag 2 > d = 1: nothing paired.
        assert!(macd_cross_together(&a, &b, &dates, (12, 26, 9), 1)
            .unwrap()
            .is_empty());
        // Opposite phase: crosses in opposite directions, never paired within 3 days.
        let c = wave(20.0);
        assert!(macd_cross_together(&a, &c, &dates, (12, 26, 9), 3)
            .unwrap()
            .is_empty());
        assert!(macd_cross_together(&a, &b, &dates, (26, 12, 9), 3).is_err());
        assert!(
            macd_cross_together(&a[..10], &b[..10], &dates[..10], (12, 26, 9), 3)
                .unwrap()
                .is_empty()
        );
    }
}
