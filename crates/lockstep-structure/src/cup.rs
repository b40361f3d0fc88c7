//! Cup-and-handle detection on closes.

use lockstep_core::{Date, PriceSeries};
use serde::Serialize;

use crate::util::{at_least, bad, check_series, swing_highs, within};
use crate::Result;

/// Parameters of [`cup_handle`], with the default of each field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CupParams {
    /// Bars on each side of the left rim's swing high (strict before, `>=` after). Default 5.
    pub pivot: usize,
    /// Least cup depth, % of the left rim. Default 12.
    pub min_depth_pct: f64,
    /// Greatest cup depth, % of the left rim. Default 50.
    pub max_depth_pct: f64,
    /// Least bars from the left rim to the right rim. Default 30.
    pub min_cup_bars: usize,
    /// Most bars from the left rim to the right rim. Default 250.
    pub max_cup_bars: usize,
    /// Right rim within this % of the left rim (either side). Default 5.
    pub rim_tolerance_pct: f64,
    /// The "bottom band": closes within `bottom_band × depth` of the cup's low. Default 1/3
    /// (the lower third of the cup).
    pub bottom_band: f64,
    /// Least share of the cup's bars closing in the bottom band (rounded bottom, not a V).
    /// Default 0.4: a linear V spends 1/3 of its bars in its lower third, a parabolic U
    /// √(1/3) ≈ 58%, a half-sine 54%.
    pub min_bottom_share: f64,
    /// Deepest handle, as a share of the cup depth below the right rim. Default 1/3.
    pub max_handle_retrace: f64,
    /// Least handle bars before a breakout counts. Default 5.
    pub min_handle_bars: usize,
    /// Longest handle, as a share of the cup's bars. Default 0.5.
    pub max_handle_share: f64,
}

impl Default for CupParams {
    fn default() -> Self {
        CupParams {
            pivot: 5,
            min_depth_pct: 12.0,
            max_depth_pct: 50.0,
            min_cup_bars: 30,
            max_cup_bars: 250,
            rim_tolerance_pct: 5.0,
            bottom_band: 1.0 / 3.0,
            min_bottom_share: 0.4,
            max_handle_retrace: 1.0 / 3.0,
            min_handle_bars: 5,
            max_handle_share: 0.5,
        }
    }
}

impl CupParams {
    /// Check the parameters: `pivot >= 1`; `0 < min_depth_pct <= max_depth_pct < 100`;
    /// `2 <= min_cup_bars <= max_cup_bars`; `0 <= rim_tolerance_pct < min_depth_pct` (else the
    /// rim zone would reach into the cup); `bottom_band`, `min_bottom_share`,
    /// `max_handle_retrace`, `max_handle_share` in `[0, 1]`; `min_handle_bars >= 1`.
    pub fn validate(&self) -> Result<()> {
        at_least("pivot", self.pivot, 1, "must be at least 1")?;
        within(
            "min_depth_pct",
            self.min_depth_pct,
            0.0,
            100.0,
            "must be in (0, 100)",
        )?;
        within(
            "max_depth_pct",
            self.max_depth_pct,
            0.0,
            100.0,
            "must be in (0, 100)",
        )?;
        if !(self.min_depth_pct > 0.0 && self.max_depth_pct < 100.0) {
            return Err(bad(
                "min_depth_pct",
                self.min_depth_pct,
                "depths must be in (0, 100)",
            ));
        }
        if self.min_depth_pct > self.max_depth_pct {
            return Err(bad(
                "min_depth_pct",
                self.min_depth_pct,
                "must not exceed max_depth_pct",
            ));
        }
        at_least("min_cup_bars", self.min_cup_bars, 2, "must be at least 2")?;
        if self.min_cup_bars > self.max_cup_bars {
            return Err(bad(
                "min_cup_bars",
                self.min_cup_bars,
                "must not exceed max_cup_bars",
            ));
        }
        within(
            "rim_tolerance_pct",
            self.rim_tolerance_pct,
            0.0,
            100.0,
            "must be in [0, 100]",
        )?;
        if self.rim_tolerance_pct >= self.min_depth_pct {
            return Err(bad(
                "rim_tolerance_pct",
                self.rim_tolerance_pct,
                "must be below min_depth_pct",
            ));
        }
        within(
            "bottom_band",
            self.bottom_band,
            0.0,
            1.0,
            "must be in [0, 1]",
        )?;
        within(
            "min_bottom_share",
            self.min_bottom_share,
            0.0,
            1.0,
            "must be in [0, 1]",
        )?;
        within(
            "max_handle_retrace",
            self.max_handle_retrace,
            0.0,
            1.0,
            "must be in [0, 1]",
        )?;
        at_least(
            "min_handle_bars",
            self.min_handle_bars,
            1,
            "must be at least 1",
        )?;
        within(
            "max_handle_share",
            self.max_handle_share,
            0.0,
            1.0,
            "must be in [0, 1]",
        )?;
        Ok(())
    }
}

/// Where a cup-and-handle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum CupState {
    /// Cup complete, handle forming: no breakout or failure by the last bar.
    Forming,
    /// A close above the rim level after a valid handle.
    Confirmed {
        /// Date of the breakout close.
        breakout: Date,
    },
    /// The handle fell below its allowed retracement (or below the cup bottom) first.
    Failed {
        /// Date of the close that broke the handle floor.
        date: Date,
    },
}

/// One cup-and-handle (see [`cup_handle`] for the rules).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CupHandle {
    /// Left rim: a swing high of the closes.
    pub left_rim: (Date, f64),
    /// Lowest close strictly between the rims (the first one on ties).
    pub bottom: (Date, f64),
    /// Right rim: the highest close of the rim zone before the handle.
    pub right_rim: (Date, f64),
    /// Lowest close of the handle (the first on ties); `None` when no bar follows the right
    /// rim yet.
    pub handle_low: Option<(Date, f64)>,
    /// `(left_rim − bottom) / left_rim · 100`.
    pub depth_pct: f64,
    /// `max(left_rim, right_rim)`: the close a breakout must exceed.
    pub rim_level: f64,
    /// Bars from the left rim to the right rim (`index_right − index_left`).
    pub cup_bars: usize,
    /// Handle bars: strictly between the right rim and the breakout (Confirmed), after the
    /// right rim through the failure close (Failed) or through the last bar (Forming).
    pub handle_bars: usize,
    /// Forming, confirmed or failed.
    pub state: CupState,
}

/// Cup-and-handle patterns of a series, on its closes (`price`), oldest first and
/// non-overlapping.
///
/// Rules (defaults of [`CupParams`] in brackets); `c` are the closes, `tol = rim_tolerance_pct`:
/// 1. **Left rim** `L`: a swing high of `c` with `pivot` [5] bars on each side (strictly above
///    the bars before, `>=` the bars after).
/// 2. **Cup**: after `L` the closes fall below `c_L·(1 − tol/100)` without first closing above
///    `c_L`, then stay below it until the first close `j` back at or above it ("the rim
///    zone"). The **right rim** `R` starts at `j`; any later close
///    above `c_R` that does not break out (rule 5) and is at most `c_L·(1 + tol/100)` becomes
///    the new right rim (restarting the handle). So `|c_R / c_L − 1| <= tol/100` [5%]; a cup
///    whose first close back is already above `c_L·(1 + tol/100)` (a gap through the rim
///    zone) has no right rim and is not reported.
/// 3. **Cup checks** (at the outcome): `min_cup_bars <= R − L <= max_cup_bars` [30, 250];
///    bottom `B` = the lowest close strictly between `L` and `R`; depth
///    `(c_L − c_B) / c_L · 100` in `[min_depth_pct, max_depth_pct]` [12, 50]; **rounded
///    bottom**: at least `min_bottom_share` [0.4] of the closes `c_L..=c_R` lie within
///    `bottom_band · (c_L − c_B)` [1/3] of `c_B` — a linear V has only 1/3 of its bars in its
///    lower third, so it is rejected.
/// 4. **Handle**: the bars after `R`. Its floor is
///    `c_R − max_handle_retrace · (c_L − c_B)` [1/3 of the depth], and never below `c_B`. It
///    may last at most `max_handle_share · (R − L)` [half the cup] bars: a handle that lasts
///    longer without breaking out or failing is not a cup-and-handle (nothing is reported).
/// 5. **Outcome**, the first of: *Confirmed* at the first close above the rim level
///    `max(c_L, c_R)` once the handle has at least `min_handle_bars` [5] bars; *Failed* at the
///    first close below the handle floor; *Forming* when the data ends first. A close above
///    `c_L·(1 + tol/100)` before the handle is long enough voids the pattern (no handle).
///    A cup whose checks (3) fail at the outcome is not reported.
///
/// The search tries each left rim in turn; after a reported pattern it resumes with the first
/// swing high after the pattern's last bar (breakout, failure or end of data), so patterns do
/// not overlap. Empty for short or constant series. Errors: invalid parameters or series.
pub fn cup_handle(series: &PriceSeries, params: &CupParams) -> Result<Vec<CupHandle>> {
    params.validate()?;
    check_series(series)?;
    let c = &series.price;
    let mut out = Vec::new();
    let mut resume = 0;
    for l in swing_highs(c, params.pivot, params.pivot) {
        if l < resume {
            continue;
        }
        if let Some((found, end)) = scan(c, &series.dates, l, params) {
            out.push(found);
            resume = end + 1;
        }
    }
    Ok(out)
}

/// Outcome of a scan before the cup checks.
enum Outcome {
    Forming,
    Confirmed(usize),
    Failed(usize),
}

/// Try a cup from left rim `l`; on success the pattern and its last bar.
fn scan(c: &[f64], dates: &[Date], l: usize, p: &CupParams) -> Option<(CupHandle, usize)> {
    let n = c.len();
    let rim = c[l];
    if !(rim > 0.0) {
        return None;
    }
    let tol = p.rim_tolerance_pct / 100.0;
    let (zone_lo, zone_hi) = (rim * (1.0 - tol), rim * (1.0 + tol));
    let deepest = rim * (1.0 - p.max_depth_pct / 100.0);
    // Phase 1: leave the rim zone downwards (a close above the rim first voids it), then the
    // cup, below the rim zone.
    let mut j = l + 1;
    while j < n && c[j] >= zone_lo {
        if c[j] > rim || j - l > p.max_cup_bars {
            return None;
        }
        j += 1;
    }
    while j < n && c[j] < zone_lo {
        if j - l > p.max_cup_bars || c[j] < deepest {
            return None;
        }
        j += 1;
    }
    if j >= n || j - l > p.max_cup_bars || c[j] > zone_hi {
        return None;
    }
    // Phase 2: right rim and handle.
    let mut r = j;
    let mut k = r + 1;
    let (outcome, end) = loop {
        if k >= n {
            break (Outcome::Forming, n - 1);
        }
        if c[k] > c[r] {
            let rim_level = rim.max(c[r]);
            // handle bars strictly between r and k: k − r − 1 >= min_handle_bars
            if k - r > p.min_handle_bars && c[k] > rim_level {
                break (Outcome::Confirmed(k), k);
            } else if c[k] <= zone_hi && k - l <= p.max_cup_bars {
                r = k;
            } else {
                return None;
            }
        } else {
            let max_handle = (p.max_handle_share * (r - l) as f64).floor() as usize;
            if k - r > max_handle {
                return None;
            }
            let bottom = min_between(c, l, r)?.1;
            let floor = (c[r] - p.max_handle_retrace * (rim - bottom)).max(bottom);
            if c[k] < floor {
                break (Outcome::Failed(k), k);
            }
        }
        k += 1;
    };
    // Cup checks.
    let cup_bars = r - l;
    if cup_bars < p.min_cup_bars || cup_bars > p.max_cup_bars {
        return None;
    }
    let (bi, bottom) = min_between(c, l, r)?;
    let depth = rim - bottom;
    let depth_pct = depth / rim * 100.0;
    if !(depth_pct >= p.min_depth_pct && depth_pct <= p.max_depth_pct) {
        return None;
    }
    let band = bottom + p.bottom_band * depth;
    let in_band = c[l..=r].iter().filter(|&&v| v <= band).count();
    if (in_band as f64) < p.min_bottom_share * (cup_bars + 1) as f64 {
        return None;
    }
    let (handle_end, handle_bars, state) = match outcome {
        Outcome::Forming => (n - 1, n - 1 - r, CupState::Forming),
        Outcome::Confirmed(b) => (b - 1, b - r - 1, CupState::Confirmed { breakout: dates[b] }),
        Outcome::Failed(f) => (f, f - r, CupState::Failed { date: dates[f] }),
    };
    let handle_low = (handle_end > r)
        .then(|| min_between(c, r, handle_end + 1))
        .flatten()
        .map(|(i, v)| (dates[i], v));
    Some((
        CupHandle {
            left_rim: (dates[l], rim),
            bottom: (dates[bi], bottom),
            right_rim: (dates[r], c[r]),
            handle_low,
            depth_pct,
            rim_level: rim.max(c[r]),
            cup_bars,
            handle_bars,
            state,
        },
        end,
    ))
}

/// Lowest value strictly between indices `a` and `b` (the first on ties).
fn min_between(c: &[f64], a: usize, b: usize) -> Option<(usize, f64)> {
    (a + 1..b)
        .map(|i| (i, c[i]))
        .fold(None, |best, (i, v)| match best {
            Some((_, m)) if m <= v => best,
            _ => Some((i, v)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;
    use std::f64::consts::PI;

    fn series(c: &[f64]) -> PriceSeries {
        PriceSeries::new("t", days(c.len()), c.to_vec()).unwrap()
    }

    /// 10 bars rising 80 → 100 (left rim at index 10), a 60-bar cup `shape(t)` (t = 1..=60,
    /// back to 100 at index 70), then `tail`.
    fn build(depth: f64, shape: impl Fn(f64) -> f64, tail: &[f64]) -> Vec<f64> {
        let mut c: Vec<f64> = (0..=10).map(|i| 80.0 + 2.0 * i as f64).collect();
        c.extend((1..=60).map(|t| 100.0 - depth * shape(t as f64 / 60.0)));
        c.extend_from_slice(tail);
        c
    }

    fn round(x: f64) -> f64 {
        (PI * x).sin()
    }

    fn v(x: f64) -> f64 {
        1.0 - (2.0 * x - 1.0).abs()
    }

    const HANDLE: [f64; 8] = [98.0, 96.0, 95.0, 94.0, 95.0, 96.0, 97.0, 98.0];

    fn with_breakout() -> Vec<f64> {
        let mut tail = HANDLE.to_vec();
        tail.extend([103.0, 105.0, 107.0]);
        tail
    }

    #[test]
    fn params_validate() {
        assert!(CupParams::default().validate().is_ok());
        for p in [
            CupParams {
                min_depth_pct: 60.0,
                ..CupParams::default()
            },
            CupParams {
                rim_tolerance_pct: 20.0,
                ..CupParams::default()
            },
            CupParams {
                min_cup_bars: 300,
                ..CupParams::default()
            },
            CupParams {
                bottom_band: f64::NAN,
                ..CupParams::default()
            },
        ] {
            assert!(p.validate().is_err(), "{p:?}");
        }
    }

    #[test]
    fn clean_cup_handle_breakout_confirmed() {
        let c = build(30.0, round, &with_breakout());
        let s = series(&c);
        let found = cup_handle(&s, &CupParams::default()).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        let d = &s.dates;
        assert_eq!(f.left_rim, (d[10], 100.0));
        assert_eq!(f.bottom.0, d[40]);
        assert!((f.bottom.1 - 70.0).abs() < 1e-9);
        assert_eq!(f.right_rim.0, d[70]);
        assert!((f.right_rim.1 - 100.0).abs() < 1e-9);
        assert_eq!(f.handle_low, Some((d[74], 94.0)));
        assert!((f.depth_pct - 30.0).abs() < 1e-9);
        assert_eq!(f.rim_level, 100.0);
        assert_eq!(f.cup_bars, 60);
        assert_eq!(f.handle_bars, 8);
        assert_eq!(f.state, CupState::Confirmed { breakout: d[79] });
    }

    #[test]
    fn v_shape_not_detected() {
        let c = build(30.0, v, &with_breakout());
        assert!(cup_handle(&series(&c), &CupParams::default())
            .unwrap()
            .is_empty());
        // The same V passes when the rounded-bottom rule is off: the rule is what rejects it.
        let p = CupParams {
            min_bottom_share: 0.3,
            ..CupParams::default()
        };
        assert_eq!(cup_handle(&series(&c), &p).unwrap().len(), 1);
    }

    #[test]
    fn too_deep_or_too_shallow_not_detected() {
        let c = build(60.0, round, &with_breakout());
        assert!(cup_handle(&series(&c), &CupParams::default())
            .unwrap()
            .is_empty());
        let c = build(8.0, round, &with_breakout());
        assert!(cup_handle(&series(&c), &CupParams::default())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn handle_too_deep_fails() {
        // Floor = 100 − 30/3 = 90: the close of 88 at index 74 breaks it.
        let c = build(
            30.0,
            round,
            &[97.0, 94.0, 91.0, 88.0, 92.0, 96.0, 99.0, 103.0],
        );
        let s = series(&c);
        let found = cup_handle(&s, &CupParams::default()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].state, CupState::Failed { date: s.dates[74] });
        assert_eq!(found[0].handle_low, Some((s.dates[74], 88.0)));
        assert_eq!(found[0].handle_bars, 4);
    }

    #[test]
    fn forming_at_the_end() {
        let c = build(30.0, round, &HANDLE[..6]);
        let s = series(&c);
        let found = cup_handle(&s, &CupParams::default()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].state, CupState::Forming);
        assert_eq!(found[0].handle_bars, 6);
        assert_eq!(found[0].handle_low, Some((s.dates[74], 94.0)));
        // Right at the rim, no handle bar yet.
        let c = build(30.0, round, &[]);
        let found = cup_handle(&series(&c), &CupParams::default()).unwrap();
        assert_eq!(found[0].state, CupState::Forming);
        assert_eq!(found[0].handle_low, None);
    }

    #[test]
    fn no_handle_or_long_handle_not_detected() {
        // Straight through the rim zone without a handle.
        let c = build(30.0, round, &[104.0, 108.0, 112.0]);
        assert!(cup_handle(&series(&c), &CupParams::default())
            .unwrap()
            .is_empty());
        // A handle longer than half the cup (30 bars) without breakout.
        let mut tail = vec![96.0; 35];
        tail.push(103.0);
        let c = build(30.0, round, &tail);
        assert!(cup_handle(&series(&c), &CupParams::default())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn gap_through_the_rim_zone_not_detected() {
        // Right side jumps from 90 to 108, above the 5% zone, without a right rim.
        let mut c = build(30.0, round, &[]);
        c.truncate(64); // index 63 ≈ 91
        c.extend([108.0, 104.0, 103.0, 102.0, 101.0, 100.0, 99.0, 110.0]);
        assert!(cup_handle(&series(&c), &CupParams::default())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn two_cups_do_not_overlap() {
        let mut c = build(30.0, round, &with_breakout());
        let base = c.len();
        let second = build(20.0, round, &with_breakout());
        // Second pattern scaled above the first breakout (107 → 80·1.4 = 112 start).
        c.extend(second.iter().map(|v| v * 1.4));
        let s = series(&c);
        let found = cup_handle(&s, &CupParams::default()).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].left_rim.0, s.dates[base + 10]);
        let CupState::Confirmed { breakout } = found[0].state else {
            panic!("first should be confirmed")
        };
        assert!(breakout < found[1].left_rim.0);
    }

    #[test]
    fn short_constant() {
        assert!(cup_handle(&series(&[]), &CupParams::default())
            .unwrap()
            .is_empty());
        assert!(cup_handle(&series(&[3.0; 500]), &CupParams::default())
            .unwrap()
            .is_empty());
    }
}
