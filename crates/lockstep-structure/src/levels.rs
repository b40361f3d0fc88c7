//! Support and resistance levels from clustered swing pivots, and volume-confirmed breakouts
//! through them.
//!
//! The clustering convention, shared by every function here:
//! * Pivots are scanned in the order of their price, then bar index, a swing high before a
//!   swing low on the same bar.
//! * The scan is greedy, one open cluster at a time: a pivot joins it when
//!   `price − mean <= atr_mult · max(ATR_pivot, mean ATR of the cluster)` (a missing ATR counts
//!   as 0), else it starts the next cluster. `mean` is the floating-point sum of the members'
//!   prices, added in scan order, divided by their count; the level's price is that mean.
//! * Clusters of at least `min_touches` pivots are the levels; the others are single touches
//!   (they still take part in the scan).
//!
//! [`levels`] clusters every pivot of the series at once (batch). [`breakouts`] and
//! [`prior_levels`] walk the days and use, on day `t`, the levels of the pivots confirmed by
//! the close of `t − 1`: a [`LevelBook`] receives each pivot as it is confirmed and re-forms
//! only the clusters it changes, with the very clusters a re-clustering of all the pivots
//! known would give (`O(log P)` per pivot plus a replay of the members of its cluster above
//! it, where re-clustering on every pivot was `O(P)` per pivot; tested against that
//! re-clustering, kept as the oracle of the tests). The only difference of order between the two: [`levels`] sorts a price of −0
//! before +0, the walk takes them as equal (then by bar index).

use lockstep_core::{Date, PriceSeries};
use lockstep_stats::{Atr, Bar, Indicator, Sma};
use serde::Serialize;

use crate::util::{at_least, check_series, segmented, swing_highs, swing_lows, within};
use crate::{Result, StructureError};

mod book;
#[cfg(test)]
mod oracle;

use book::Acc;
pub use book::{BookLevel, LevelBook};

/// Parameters of [`pivots`], [`levels`] and [`breakouts`].
///
/// Defaults: `left = 5`, `right = 5`, `atr_period = 14`, `atr_mult = 0.5`,
/// `min_touches = 2`, `volume_period = 20`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelParams {
    /// Bars before a pivot that it must strictly exceed (high) or undercut (low). `>= 1`.
    pub left: usize,
    /// Bars after a pivot that it must equal or exceed (high) / equal or undercut (low);
    /// also the confirmation delay of a pivot. `>= 1`.
    pub right: usize,
    /// Period of the Wilder ATR used for the clustering tolerance. `>= 1`.
    pub atr_period: usize,
    /// Clustering tolerance in ATRs. Finite, `0 ..= 100`.
    pub atr_mult: f64,
    /// Pivots a cluster needs to count as a level ("touched at least twice"). `>= 1`.
    pub min_touches: usize,
    /// Days of the average volume a breakout's volume is compared with. `>= 1`.
    pub volume_period: usize,
}

impl Default for LevelParams {
    fn default() -> Self {
        LevelParams {
            left: 5,
            right: 5,
            atr_period: 14,
            atr_mult: 0.5,
            min_touches: 2,
            volume_period: 20,
        }
    }
}

impl LevelParams {
    /// Check the ranges given on each field.
    pub fn validate(&self) -> Result<()> {
        at_least(
            "left",
            self.left,
            1,
            "a pivot needs at least one bar before it",
        )?;
        at_least(
            "right",
            self.right,
            1,
            "a pivot needs at least one bar after it",
        )?;
        at_least("atr_period", self.atr_period, 1, "must be at least 1")?;
        within(
            "atr_mult",
            self.atr_mult,
            0.0,
            100.0,
            "must be finite, between 0 and 100",
        )?;
        at_least("min_touches", self.min_touches, 1, "must be at least 1")?;
        at_least("volume_period", self.volume_period, 1, "must be at least 1")?;
        Ok(())
    }
}

/// Whether a pivot is a swing high or a swing low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PivotKind {
    /// A swing high (taken on the highs).
    High,
    /// A swing low (taken on the lows).
    Low,
}

/// A swing high or low.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pivot {
    /// Zero-based index of the pivot bar in the series.
    pub index: usize,
    /// Date of the pivot bar.
    pub date: Date,
    /// The high (swing high) or the low (swing low) of the bar.
    pub price: f64,
    /// High or low.
    pub kind: PivotKind,
    /// ATR on the pivot's date (`None` during the ATR warm-up).
    pub atr: Option<f64>,
}

/// Where a level lies relative to the last close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelKind {
    /// The level is strictly below the last close.
    Support,
    /// The level is at or above the last close.
    Resistance,
}

/// A support or resistance level: a cluster of swing pivots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    /// Mean of the prices of the cluster's pivots.
    pub price: f64,
    /// Support (below the last close) or resistance (at or above it).
    pub kind: LevelKind,
    /// Number of pivots (highs and lows alike) in the cluster.
    pub touches: usize,
    /// Date of the earliest pivot of the cluster.
    pub first_touch: Date,
    /// Date of the latest pivot of the cluster.
    pub last_touch: Date,
    /// `(price / last_close − 1) · 100`.
    pub distance_pct: f64,
}

/// Direction of a breakout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Close above the level, the prior close at or below it.
    Up,
    /// Close below the level, the prior close at or above it.
    Down,
}

/// A close through a level known before that day (see [`breakouts`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakout {
    /// Date of the breakout close.
    pub date: Date,
    /// Price of the level crossed (as computed from the data before `date`).
    pub level: f64,
    /// Touches of that level at the time.
    pub touches: usize,
    /// Up or down.
    pub direction: Direction,
    /// Close on `date`.
    pub close: f64,
    /// Close on the day before.
    pub prev_close: f64,
    /// `volume_t / SMA_n(volume)` over the `n = volume_period` days *before* `t` (today
    /// excluded, so the breakout day's own volume does not lift its benchmark); `None` when the
    /// series has no volume, today's volume is missing, the average is not defined (fewer than
    /// `n` prior days with volume since the last gap) or is zero.
    pub volume_ratio: Option<f64>,
    /// True when `volume_ratio > 1`; false when the volume is unknown.
    pub confirmed: bool,
}

/// Highs and lows where the source has them, the close where it does not (column absent or
/// the row's value not finite).
fn filled(series: &PriceSeries) -> (Vec<f64>, Vec<f64>) {
    let fill = |col: &Option<Vec<f64>>| -> Vec<f64> {
        match col {
            Some(v) => v
                .iter()
                .zip(&series.price)
                .map(|(&x, &c)| if x.is_finite() { x } else { c })
                .collect(),
            None => series.price.clone(),
        }
    };
    (fill(&series.high), fill(&series.low))
}

/// Swing pivots of a series, sorted by index (a high before a low on the same bar).
///
/// Swing high at bar `i`: `high_i > high_j` for each of the `left` bars before and
/// `high_i >= high_j` for each of the `right` bars after, with full windows
/// (`left <= i < len − right`). On a flat top of equal highs the *first* bar is the pivot.
/// Swing lows mirror this on the lows. Where the series has no high/low (the column is absent
/// or the row's value is NaN) the close is used. A pivot is known only `right` bars after it.
///
/// Each pivot carries the Wilder `ATR(atr_period)` on its own date, computed on the bars
/// `(high, low, close)` above (no look-ahead; `None` during the warm-up).
pub fn pivots(series: &PriceSeries, params: &LevelParams) -> Result<Vec<Pivot>> {
    params.validate()?;
    check_series(series)?;
    Ok(pivots_unchecked(series, params)?.0)
}

fn pivots_unchecked(series: &PriceSeries, p: &LevelParams) -> Result<(Vec<Pivot>, Vec<f64>)> {
    let (high, low) = filled(series);
    let bars: Vec<Bar> = (0..series.len())
        .map(|i| Bar {
            high: high[i],
            low: low[i],
            close: series.price[i],
            volume: 0.0,
        })
        .collect();
    let atr: Vec<Option<f64>> = Atr::new(p.atr_period)?
        .over(&bars)
        .into_iter()
        .map(|a| a.filter(|v| v.is_finite()))
        .collect();
    let mut out: Vec<Pivot> = Vec::new();
    let mk = |i: usize, price: f64, kind| Pivot {
        index: i,
        date: series.dates[i],
        price,
        kind,
        atr: atr[i],
    };
    out.extend(
        swing_highs(&high, p.left, p.right)
            .into_iter()
            .map(|i| mk(i, high[i], PivotKind::High)),
    );
    out.extend(
        swing_lows(&low, p.left, p.right)
            .into_iter()
            .map(|i| mk(i, low[i], PivotKind::Low)),
    );
    out.sort_by_key(|q| (q.index, q.kind == PivotKind::Low));
    Ok((out, series.price.clone()))
}

/// A cluster of pivots: the level before it is placed relative to a close.
#[derive(Debug, Clone)]
struct Cluster {
    price: f64,
    touches: usize,
    first: Date,
    last: Date,
}

/// Greedy clustering of pivots sorted by price (ascending): a pivot joins the current cluster
/// when `price − mean(cluster prices) <= atr_mult · max(ATR_pivot, mean ATR of the cluster)`
/// (a missing ATR counts as 0), else it starts a new cluster. The batch form of
/// [`LevelBook`], with the same arithmetic ([`book::Acc`]).
fn cluster(sorted: &[&Pivot], atr_mult: f64, min_touches: usize) -> Vec<Cluster> {
    let mut accs: Vec<Acc> = Vec::new();
    for q in sorted {
        let a = q.atr.unwrap_or(0.0);
        if let Some(c) = accs.last_mut() {
            if c.joins(q.price, a, atr_mult) {
                c.add(q.price, a, q.date);
                continue;
            }
        }
        accs.push(Acc::new(q.price, a, q.date));
    }
    accs.into_iter()
        .filter(|c| c.n >= min_touches)
        .map(|c| Cluster {
            price: c.price(),
            touches: c.n,
            first: c.first,
            last: c.last,
        })
        .collect()
}

/// Walk the days `t = 1 .. n−1` with the levels known at the close of `t − 1`: those of the
/// pivots confirmed by then (`index + right < t`), each pivot added to the [`LevelBook`] as it
/// is confirmed.
fn walk_known(piv: &[Pivot], n: usize, p: &LevelParams, mut f: impl FnMut(usize, &LevelBook)) {
    let mut book = LevelBook::with(p.atr_mult, p.min_touches);
    let mut next_pivot = 0;
    for t in 1..n {
        while next_pivot < piv.len() && piv[next_pivot].index + p.right < t {
            book.insert(&piv[next_pivot]);
            next_pivot += 1;
        }
        f(t, &book);
    }
}

/// The nearest levels around the previous close, known before a day's close (see
/// [`prior_levels`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriorLevels {
    /// The highest level strictly below `close_{t−1}`.
    pub support: Option<f64>,
    /// The lowest level at or above `close_{t−1}`.
    pub resistance: Option<f64>,
}

/// For each day `t`, the nearest support and resistance around the previous close among the
/// levels known at the close of `t − 1` (the same levels [`breakouts`] tests on day `t`): so
/// `close_t > resistance_t` is an upward break of the nearest resistance, decided with data up
/// to `t` only. Day 0 has none. One entry per observation.
pub fn prior_levels(series: &PriceSeries, params: &LevelParams) -> Result<Vec<PriorLevels>> {
    params.validate()?;
    check_series(series)?;
    let n = series.len();
    let none = PriorLevels {
        support: None,
        resistance: None,
    };
    let mut out = vec![none; n];
    if n < 2 {
        return Ok(out);
    }
    let (piv, close) = pivots_unchecked(series, params)?;
    walk_known(&piv, n, params, |t, book| {
        out[t] = book.nearest(close[t - 1])
    });
    Ok(out)
}

/// Support and resistance levels of a series, from all its confirmed pivots.
///
/// 1. Pivots as in [`pivots`] (`left`/`right` bars, default 5/5); a pivot needs `right` later
///    bars, so the last `right` bars cannot hold one.
/// 2. Pivots (highs and lows together: a broken resistance becomes support) sorted by price
///    are clustered greedily: a pivot joins the current cluster when
///    `price − mean(cluster) <= atr_mult · max(ATR_pivot, mean ATR of the cluster's pivots)`,
///    ATR being `ATR(atr_period)` on each pivot's own date (default `0.5 × ATR(14)`); during
///    the ATR warm-up a pivot's ATR counts as 0 (it joins only at an equal price).
/// 3. A cluster with at least `min_touches` pivots (default 2) is a [`Level`]: price = the mean
///    of its pivot prices; `touches` = its pivot count; support when strictly below the last
///    close, resistance otherwise; `distance_pct = (price / last_close − 1) · 100`.
///
/// Sorted by `|distance_pct|` (nearest first), then by price. Empty for a series too short to
/// hold a pivot. Errors: invalid parameters or series; a last close that is not positive.
pub fn levels(series: &PriceSeries, params: &LevelParams) -> Result<Vec<Level>> {
    params.validate()?;
    check_series(series)?;
    let Some(&last_close) = series.price.last() else {
        return Ok(Vec::new());
    };
    if !(last_close > 0.0) {
        return Err(StructureError::InvalidValue {
            what: "last close (levels are placed relative to it)",
            index: series.len() - 1,
            value: last_close,
        });
    }
    let (piv, _) = pivots_unchecked(series, params)?;
    let mut sorted: Vec<&Pivot> = piv.iter().collect();
    sorted.sort_by(|a, b| a.price.total_cmp(&b.price).then(a.index.cmp(&b.index)));
    let mut out: Vec<Level> = cluster(&sorted, params.atr_mult, params.min_touches)
        .into_iter()
        .map(|c| Level {
            price: c.price,
            kind: if c.price < last_close {
                LevelKind::Support
            } else {
                LevelKind::Resistance
            },
            touches: c.touches,
            first_touch: c.first,
            last_touch: c.last,
            distance_pct: (c.price / last_close - 1.0) * 100.0,
        })
        .collect();
    out.sort_by(|a, b| {
        a.distance_pct
            .abs()
            .total_cmp(&b.distance_pct.abs())
            .then(a.price.total_cmp(&b.price))
    });
    Ok(out)
}

/// Closes through a support/resistance level, with volume confirmation, free of look-ahead.
///
/// For each day `t >= 1`, the levels are those of [`levels`] computed from the pivots already
/// *confirmed* at the close of `t − 1`: a pivot at bar `i` enters once `i + right <= t − 1`
/// (and its ATR tolerance uses data up to `i` only). So a level used on day `t` depends only on
/// data before `t`. For each such level `L`:
///
/// * **Up** when `close_{t−1} <= L < close_t`; **Down** when `close_{t−1} >= L > close_t`.
/// * `volume_ratio = volume_t / mean(volume_{t−n} .. volume_{t−1})`, `n = volume_period`
///   (default 20; prior days only). The event is kept when `volume_ratio > 1`
///   (`confirmed = true`); a crossing on ordinary volume (`<= 1`) is not a breakout. When the
///   volume is unknown (no volume column, NaN today, fewer than `n` finite prior volumes
///   since the last gap, or a zero average) the crossing is reported with
///   `volume_ratio = None` and `confirmed = false`.
///
/// One event per level crossed (a wide bar can cross several). Sorted by date, then level.
pub fn breakouts(series: &PriceSeries, params: &LevelParams) -> Result<Vec<Breakout>> {
    params.validate()?;
    check_series(series)?;
    let n = series.len();
    if n < 2 {
        return Ok(Vec::new());
    }
    let (piv, close) = pivots_unchecked(series, params)?;
    let avg: Vec<Option<f64>> = match &series.volume {
        Some(v) => segmented(Sma::new(params.volume_period)?, v),
        None => vec![None; n],
    };
    let mut out = Vec::new();
    let mut crossed = Vec::new();
    walk_known(&piv, n, params, |t, book| {
        let (c0, c1) = (close[t - 1], close[t]);
        let ratio = match (&series.volume, avg[t - 1]) {
            (Some(v), Some(a)) if v[t].is_finite() && v[t] >= 0.0 && a > 0.0 => {
                Some(v[t] / a).filter(|r| r.is_finite())
            }
            _ => None,
        };
        if ratio.is_some_and(|r| r <= 1.0) {
            return;
        }
        book.crossed(c0, c1, &mut crossed);
        let direction = if c0 < c1 {
            Direction::Up
        } else {
            Direction::Down
        };
        for &(_, level, touches) in &crossed {
            out.push(Breakout {
                date: series.dates[t],
                level,
                touches,
                direction,
                close: c1,
                prev_close: c0,
                volume_ratio: ratio,
                confirmed: ratio.is_some(),
            });
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;

    fn series(close: &[f64], volume: Option<Vec<f64>>) -> PriceSeries {
        let mut s = PriceSeries::new("t", days(close.len()), close.to_vec()).unwrap();
        s.volume = volume;
        s
    }

    /// A zig-zag between 90 and 110 with period 20: swing highs at 110, lows at 90.
    fn zigzag(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let k = (i % 20) as f64;
                if k <= 10.0 {
                    90.0 + 2.0 * k
                } else {
                    110.0 - 2.0 * (k - 10.0)
                }
            })
            .collect()
    }

    #[test]
    fn params_validate() {
        assert!(LevelParams::default().validate().is_ok());
        let bad = LevelParams {
            atr_mult: f64::NAN,
            ..LevelParams::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(StructureError::InvalidParameter {
                name: "atr_mult",
                ..
            })
        ));
        let bad = LevelParams {
            left: 0,
            ..LevelParams::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn zigzag_gives_two_levels() {
        let mut c = zigzag(100);
        c.push(100.0);
        let s = series(&c, None);
        let lv = levels(&s, &LevelParams::default()).unwrap();
        assert_eq!(lv.len(), 2, "{lv:?}");
        // Equidistant from 100: sorted by |distance| then price, 90 first.
        assert_eq!(lv[0].price, 90.0);
        assert_eq!(lv[0].kind, LevelKind::Support);
        assert_eq!(lv[1].price, 110.0);
        assert_eq!(lv[1].kind, LevelKind::Resistance);
        assert!((lv[1].distance_pct - 10.0).abs() < 1e-12);
        // Highs at 10, 30, 50, 70, 90 (the last needs 5 bars after it: 90 + 5 < 101).
        assert_eq!(lv[1].touches, 5);
        assert_eq!(lv[1].first_touch, s.dates[10]);
        assert_eq!(lv[1].last_touch, s.dates[90]);
        assert!(lv[0].first_touch <= lv[0].last_touch);
    }

    #[test]
    fn min_touches_and_clustering_tolerance() {
        // Highs alternate 110 and 111: with ATR ≈ 2 and 0.5 ATR tolerance they merge.
        let c: Vec<f64> = zigzag(100)
            .iter()
            .enumerate()
            .map(|(i, &v)| if i % 40 == 30 { v + 1.0 } else { v })
            .collect();
        let s = series(&c, None);
        let lv = levels(&s, &LevelParams::default()).unwrap();
        let top = lv.iter().find(|l| l.price > 105.0).unwrap();
        assert_eq!(top.touches, 5);
        assert!((top.price - (110.0 * 3.0 + 111.0 * 2.0) / 5.0).abs() < 1e-9);
        // Zero tolerance: two clusters (110 ×3, 111 ×2).
        let p = LevelParams {
            atr_mult: 0.0,
            ..LevelParams::default()
        };
        let lv = levels(&s, &p).unwrap();
        assert_eq!(lv.iter().filter(|l| l.price > 105.0).count(), 2);
        // A single touch is not a level by default, is with min_touches = 1.
        let p = LevelParams {
            min_touches: 6,
            ..LevelParams::default()
        };
        assert!(levels(&s, &p).unwrap().is_empty());
    }

    #[test]
    fn uses_high_low_when_present() {
        let c = zigzag(60);
        let mut s = series(&c, None);
        s.high = Some(c.iter().map(|v| v + 1.0).collect());
        let mut low: Vec<f64> = c.iter().map(|v| v - 1.0).collect();
        low[20] = f64::NAN; // the low at bar 20 is missing: the close is used there
        s.low = Some(low);
        let piv = pivots(&s, &LevelParams::default()).unwrap();
        assert!(piv
            .iter()
            .any(|p| p.kind == PivotKind::High && p.price == 111.0));
        let lows: Vec<f64> = piv
            .iter()
            .filter(|p| p.kind == PivotKind::Low)
            .map(|p| p.price)
            .collect();
        assert_eq!(lows, vec![90.0, 89.0]);
        assert!(piv.windows(2).all(|w| w[0].index <= w[1].index));
    }

    #[test]
    fn short_and_constant_inputs() {
        let s = series(&[], None);
        assert!(levels(&s, &LevelParams::default()).unwrap().is_empty());
        assert!(breakouts(&s, &LevelParams::default()).unwrap().is_empty());
        let s = series(&[5.0; 8], None);
        assert!(levels(&s, &LevelParams::default()).unwrap().is_empty());
        // Constant: no strict pivot anywhere.
        let s = series(&[5.0; 300], Some(vec![1.0; 300]));
        assert!(levels(&s, &LevelParams::default()).unwrap().is_empty());
        assert!(breakouts(&s, &LevelParams::default()).unwrap().is_empty());
        let s = series(&[1.0, 0.0], None);
        assert!(levels(&s, &LevelParams::default()).is_err());
    }

    /// Zig-zag for 100 bars, then a climb through 110 on day 103 with the given volume.
    fn breakout_series(volume_today: f64, with_volume: bool) -> PriceSeries {
        let mut c = zigzag(101); // ends at 90 (bar 100)
        c.extend([100.0, 105.0, 108.0, 115.0, 118.0]); // 115 at bar 104 crosses 110
        let v = with_volume.then(|| {
            let mut v = vec![100.0; c.len()];
            v[104] = volume_today;
            v
        });
        series(&c, v)
    }

    #[test]
    fn breakout_confirmed_by_volume() {
        let s = breakout_series(250.0, true);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        let up: Vec<&Breakout> = b
            .iter()
            .filter(|e| e.direction == Direction::Up && e.level == 110.0)
            .collect();
        let last = up.last().unwrap();
        assert_eq!(last.date, s.dates[104]);
        assert_eq!(last.volume_ratio, Some(2.5));
        assert!(last.confirmed);
        assert_eq!(last.close, 115.0);
        assert_eq!(last.prev_close, 108.0);
        // Inside the zig-zag the volume is flat (ratio 1): no breakout there.
        assert!(b.iter().all(|e| e.date >= s.dates[100]));
        assert!(b.windows(2).all(|w| w[0].date <= w[1].date));
    }

    #[test]
    fn breakout_low_volume_dropped_missing_volume_unconfirmed() {
        let s = breakout_series(90.0, true);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        assert!(!b.iter().any(|e| e.date == s.dates[104]));
        let s = breakout_series(0.0, false);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        let e = b
            .iter()
            .find(|e| e.date == s.dates[104] && e.level == 110.0)
            .unwrap();
        assert_eq!(e.volume_ratio, None);
        assert!(!e.confirmed);
        // Without volume the zig-zag crosses its own levels only at the pivots themselves:
        // 110 is touched (not exceeded), so no Up event through 110 before bar 104.
        assert!(b
            .iter()
            .filter(|e| e.level == 110.0 && e.direction == Direction::Up)
            .all(|e| e.date == s.dates[104]));
    }

    #[test]
    fn breakout_has_no_look_ahead() {
        // A level whose second touch is confirmed only after the crossing day cannot be used.
        let s = breakout_series(250.0, true);
        let full = breakouts(&s, &LevelParams::default()).unwrap();
        for cut in 20..s.len() {
            let mut p = s.clone();
            p.dates.truncate(cut);
            p.price.truncate(cut);
            p.volume.as_mut().unwrap().truncate(cut);
            let part = breakouts(&p, &LevelParams::default()).unwrap();
            let prefix: Vec<&Breakout> = full.iter().filter(|e| e.date < s.dates[cut]).collect();
            assert_eq!(part.iter().collect::<Vec<_>>(), prefix, "cut {cut}");
        }
    }

    #[test]
    fn prior_levels_are_those_breakouts_test() {
        // Triangle wave 100..120 (period 20) for 200 days, then a jump to 125.
        let mut c: Vec<f64> = (0..200)
            .map(|t| {
                let k = (t % 20) as f64;
                if k <= 10.0 {
                    100.0 + 2.0 * k
                } else {
                    140.0 - 2.0 * k
                }
            })
            .collect();
        c.extend([125.0, 126.0]);
        let s = series(&c, None);
        let p = LevelParams::default();
        let pl = prior_levels(&s, &p).unwrap();
        assert_eq!(pl.len(), c.len());
        assert_eq!(pl[0].support, None);
        // Day 200: the close before is 102; the levels known are 100 (troughs) and 120 (peaks).
        assert_eq!(pl[200].support, Some(100.0));
        assert_eq!(pl[200].resistance, Some(120.0));
        assert!(c[200] > pl[200].resistance.unwrap());
        // Day 201: the close before is 125, above both.
        assert_eq!(pl[201].support, Some(120.0));
        assert_eq!(pl[201].resistance, None);
        // Early days know no level yet (no pivot confirmed).
        assert_eq!(pl[10].resistance, None);
        // The breakout on day 200 is through the level `prior_levels` names.
        let b = breakouts(&s, &p).unwrap();
        assert!(b
            .iter()
            .any(|b| b.date == s.dates[200] && Some(b.level) == pl[200].resistance));
    }
}
