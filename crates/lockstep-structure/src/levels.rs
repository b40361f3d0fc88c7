//! Support and resistance levels from clustered swing pivots, ranked by a score
//! ([`LevelScore`]: touches, recency, volume at the touches, distance), and breakouts through
//! them that clear the level by a margin of ATRs and hold (see [`breakouts`]).
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
mod rule;
mod score;

use book::Acc;
pub use book::{BookLevel, LevelBook};
pub use rule::{DEFAULT_HOLD, DEFAULT_MARGIN_ATR};
pub use score::{
    key_levels, LevelScore, DEFAULT_PER_SIDE, DISTANCE_SCALE_ATR, NEUTRAL_VOLUME,
    RECENCY_HALF_LIFE, TOUCHES_FULL, WEIGHT_DISTANCE, WEIGHT_RECENCY, WEIGHT_TOUCHES,
    WEIGHT_VOLUME,
};

/// Parameters of [`pivots`], [`levels`] and [`breakouts`].
///
/// Defaults: `left = 5`, `right = 5`, `atr_period = 14`, `atr_mult = 0.5`,
/// `min_touches = 2`, `volume_period = 20`, `margin_atr = 0.5` ([`DEFAULT_MARGIN_ATR`]),
/// `hold = 2` ([`DEFAULT_HOLD`]).
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
    /// Days of the average volume a breakout's (and a touch's) volume is compared with.
    /// `>= 1`.
    pub volume_period: usize,
    /// Margin a close must clear a level by to count towards a breakout, in ATR(`atr_period`)
    /// of that day. Finite, `0 ..= 100`.
    pub margin_atr: f64,
    /// Consecutive closes that must clear the level for a breakout. `>= 1`.
    pub hold: usize,
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
            margin_atr: DEFAULT_MARGIN_ATR,
            hold: DEFAULT_HOLD,
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
        within(
            "margin_atr",
            self.margin_atr,
            0.0,
            100.0,
            "must be finite, between 0 and 100",
        )?;
        at_least(
            "hold",
            self.hold,
            1,
            "a breakout holds for at least one close",
        )?;
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
    /// How much the level matters (see [`LevelScore`] for the formula).
    pub score: LevelScore,
}

/// Direction of a breakout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Closes above `level + margin`.
    Up,
    /// Closes below `level − margin`.
    Down,
}

/// A breakout through a level known before that day (see [`breakouts`] for the rule).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakout {
    /// Date the breakout is called: the `hold`-th consecutive close clearing the level.
    pub date: Date,
    /// Date of the first close of that run (`date` when `hold = 1`).
    pub since: Date,
    /// Price of the level (as computed from the data before `date`).
    pub level: f64,
    /// Touches of that level at the time.
    pub touches: usize,
    /// Up or down.
    pub direction: Direction,
    /// Close on `date`.
    pub close: f64,
    /// Close before `since`: the last close that did not clear the level.
    pub prev_close: f64,
    /// The margin on `date`: `margin_atr · ATR` of that day (`|close − level| > margin`).
    pub margin: f64,
    /// Volume on `since` over its mean of the `n = volume_period` days *before* it (that
    /// day excluded, so the breakout's own volume does not lift its benchmark); `None` when
    /// the series has no volume, that day's volume is missing, the average is not defined
    /// (fewer than `n` prior days with volume since the last gap) or is zero.
    pub volume_ratio: Option<f64>,
    /// True when `volume_ratio > 1` (volume confirms the break); false when it does not or
    /// the volume is unknown. Volume does not decide whether a breakout is called.
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

/// The pivots, the closes and the ATR of every bar.
type PivotsAtr = (Vec<Pivot>, Vec<f64>, Vec<Option<f64>>);

fn pivots_unchecked(series: &PriceSeries, p: &LevelParams) -> Result<PivotsAtr> {
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
    Ok((out, series.price.clone(), atr))
}

/// A cluster of pivots: the level before it is placed relative to a close.
#[derive(Debug, Clone)]
struct Cluster {
    price: f64,
    touches: usize,
    first: Date,
    last: Date,
    /// Bar indices of the member pivots.
    members: Vec<usize>,
}

/// Greedy clustering of pivots sorted by price (ascending): a pivot joins the current cluster
/// when `price − mean(cluster prices) <= atr_mult · max(ATR_pivot, mean ATR of the cluster)`
/// (a missing ATR counts as 0), else it starts a new cluster. The batch form of
/// [`LevelBook`], with the same arithmetic ([`book::Acc`]).
fn cluster(sorted: &[&Pivot], atr_mult: f64, min_touches: usize) -> Vec<Cluster> {
    let mut accs: Vec<(Acc, Vec<usize>)> = Vec::new();
    for q in sorted {
        let a = q.atr.unwrap_or(0.0);
        if let Some((c, m)) = accs.last_mut() {
            if c.joins(q.price, a, atr_mult) {
                c.add(q.price, a, q.date);
                m.push(q.index);
                continue;
            }
        }
        accs.push((Acc::new(q.price, a, q.date), vec![q.index]));
    }
    accs.into_iter()
        .filter(|(c, _)| c.n >= min_touches)
        .map(|(c, members)| Cluster {
            price: c.price(),
            touches: c.n,
            first: c.first,
            last: c.last,
            members,
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
    let (piv, close, _) = pivots_unchecked(series, params)?;
    walk_known(&piv, n, params, |t, book| {
        out[t] = book.nearest(close[t - 1])
    });
    Ok(out)
}

/// `volume_t / SMA_n(volume)` over the `n = volume_period` days before `t`, for each `t`
/// (`None` at `t = 0`, without volume, or where either is missing, zero or not finite).
fn relative_volume(series: &PriceSeries, p: &LevelParams) -> Result<Vec<Option<f64>>> {
    let n = series.len();
    let Some(v) = &series.volume else {
        return Ok(vec![None; n]);
    };
    let avg = segmented(Sma::new(p.volume_period)?, v);
    Ok((0..n)
        .map(|t| match t.checked_sub(1).and_then(|i| avg[i]) {
            Some(a) if v[t].is_finite() && v[t] >= 0.0 && a > 0.0 => {
                Some(v[t] / a).filter(|r| r.is_finite())
            }
            _ => None,
        })
        .collect())
}

/// Support and resistance levels of a series, from all its confirmed pivots, ranked by score.
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
/// 4. Each level is scored ([`LevelScore`]): touches, bars since the latest touch, the
///    relative volume of its pivot bars (volume over the mean of the `volume_period` bars
///    before), and its distance from the last close in ATR(`atr_period`) of the last bar.
///
/// Sorted by score (highest first), then `|distance_pct|`, then price; [`key_levels`] keeps
/// the best few on each side. Empty for a series too short to hold a pivot. Errors: invalid
/// parameters or series; a last close that is not positive.
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
    let last = series.len() - 1;
    let (piv, _, atr) = pivots_unchecked(series, params)?;
    let unit = atr[last].filter(|a| *a > 0.0).unwrap_or(last_close / 100.0);
    let rel = relative_volume(series, params)?;
    let mut sorted: Vec<&Pivot> = piv.iter().collect();
    sorted.sort_by(|a, b| a.price.total_cmp(&b.price).then(a.index.cmp(&b.index)));
    let mut out: Vec<Level> = cluster(&sorted, params.atr_mult, params.min_touches)
        .into_iter()
        .map(|c| {
            let known: Vec<f64> = c.members.iter().filter_map(|&i| rel[i]).collect();
            let touch_volume =
                (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64);
            let latest = c.members.iter().copied().max().unwrap_or(last);
            let distance_atr = (c.price - last_close).abs() / unit;
            Level {
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
                score: LevelScore::of(
                    c.touches,
                    last - latest,
                    touch_volume,
                    if distance_atr.is_finite() {
                        distance_atr
                    } else {
                        f64::MAX
                    },
                ),
            }
        })
        .collect();
    out.sort_by(score::by_score);
    Ok(out)
}

/// Breakouts through support/resistance levels: a close that clears a level by a margin and
/// holds, free of look-ahead. A whipsaw around a level is one event.
///
/// For each day `t >= 1`, the levels are those of [`levels`] (steps 1 to 3) computed from the
/// pivots already *confirmed* at the close of `t − 1`: a pivot at bar `i` enters once
/// `i + right <= t − 1` (and its ATR tolerance uses data up to `i` only). For each such
/// level `L`, with `m_s = margin_atr · ATR(atr_period)_s` (default `0.5 × ATR(14)`, the ATR of
/// day `s` itself; no close clears a level during the ATR warm-up):
///
/// * close `s` **clears `L` upwards** when `close_s > L + m_s`, **downwards** when
///   `close_s < L − m_s`;
/// * the **side** of `L` after close `e` is the direction of the latest run of `hold`
///   consecutive closes (up to `e`) clearing it (none if they never did);
/// * an **Up** breakout is called on day `t` when the `hold` closes `t − hold + 1 ..= t` all
///   clear `L` upwards (default `hold = 2`), close `t − hold` does not, and the side of `L`
///   after close `t − hold` is not already up; **Down** mirrors it.
///
/// So once a breakout is called the level's side flips, and another breakout the same way
/// needs a breakout the other way first: closes wandering around the level within the margin,
/// or clearing it for fewer than `hold` days, call nothing. `volume_ratio` is the relative
/// volume of the first clearing close (`since`); it does not decide the event, `confirmed`
/// says whether it was above average.
///
/// One event per level (a wide move can break several). Sorted by date, then level.
pub fn breakouts(series: &PriceSeries, params: &LevelParams) -> Result<Vec<Breakout>> {
    params.validate()?;
    check_series(series)?;
    let n = series.len();
    if n < 2 {
        return Ok(Vec::new());
    }
    let (piv, close, atr) = pivots_unchecked(series, params)?;
    let rel = relative_volume(series, params)?;
    let closes = rule::Closes {
        close: &close,
        margin: atr
            .iter()
            .map(|a| a.map(|a| params.margin_atr * a).filter(|m| m.is_finite()))
            .collect(),
        hold: params.hold,
    };
    let mut out = Vec::new();
    let mut found = Vec::new();
    walk_known(&piv, n, params, |t, book| {
        if t < params.hold {
            return;
        }
        let (e, since) = (t - params.hold, t + 1 - params.hold);
        let Some(m) = closes.margin[t] else {
            return;
        };
        for dir in [Direction::Up, Direction::Down] {
            // A level called on day t lies between the close before the run less its margin
            // (it did not clear) and close t less its margin (it clears): the book's crossing.
            let (from, to) = match (dir, closes.margin[e]) {
                (Direction::Up, m0) => (
                    m0.map_or(f64::NEG_INFINITY, |m0| close[e] - m0),
                    close[t] - m,
                ),
                (Direction::Down, m0) => {
                    (m0.map_or(f64::INFINITY, |m0| close[e] + m0), close[t] + m)
                }
            };
            let ordered = match dir {
                Direction::Up => from < to,
                Direction::Down => from > to,
            };
            if !ordered {
                continue;
            }
            book.crossed(from, to, &mut found);
            for &(_, level, touches) in &found {
                if !closes.called(t, level, dir) {
                    continue;
                }
                let ratio = rel[since];
                out.push(Breakout {
                    date: series.dates[t],
                    since: series.dates[since],
                    level,
                    touches,
                    direction: dir,
                    close: close[t],
                    prev_close: close[e],
                    margin: m,
                    volume_ratio: ratio,
                    confirmed: ratio.is_some_and(|r| r > 1.0),
                });
            }
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
        // Equidistant from 100, equally recent: the more touched 110 (5 highs, 4 lows at 90)
        // scores higher.
        assert_eq!(lv[0].price, 110.0);
        assert_eq!(lv[0].kind, LevelKind::Resistance);
        assert!((lv[0].distance_pct - 10.0).abs() < 1e-12);
        assert_eq!(lv[1].price, 90.0);
        assert_eq!(lv[1].kind, LevelKind::Support);
        assert!(lv[0].score.score > lv[1].score.score);
        // Highs at 10, 30, 50, 70, 90 (the last needs 5 bars after it: 90 + 5 < 101).
        assert_eq!(lv[0].touches, 5);
        assert_eq!(lv[0].first_touch, s.dates[10]);
        assert_eq!(lv[0].last_touch, s.dates[90]);
        assert!(lv[1].first_touch <= lv[1].last_touch);
        // Score inputs: last touch 10 bars before the last bar (100 → index 100), no volume,
        // 10 away from the close in ATRs of the last bar.
        let sc = lv[0].score;
        assert_eq!(sc.bars_since_touch, 10);
        assert_eq!(sc.touch_volume, None);
        assert_eq!(sc.volume, NEUTRAL_VOLUME);
        assert!((sc.touches - 0.8).abs() < 1e-12);
        assert!(sc.distance_atr > 0.0 && sc.distance > 0.0 && sc.distance < 1.0);
        // key_levels: one per side.
        let k = key_levels(&lv, 1);
        assert_eq!(k.len(), 2);
        assert_eq!(key_levels(&lv, 0), Vec::<Level>::new());
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

    /// Zig-zag for 100 bars (ending at 90), then a climb through 110: closes 115 and 118 on
    /// bars 104 and 105, bar 104's volume given.
    fn breakout_series(volume_today: f64, with_volume: bool) -> PriceSeries {
        let mut c = zigzag(101); // ends at 90 (bar 100)
        c.extend([100.0, 105.0, 108.0, 115.0, 118.0]); // 115 at bar 104 clears 110
        let v = with_volume.then(|| {
            let mut v = vec![100.0; c.len()];
            v[104] = volume_today;
            v
        });
        series(&c, v)
    }

    #[test]
    fn breakout_clears_by_margin_and_holds() {
        let s = breakout_series(250.0, true);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        assert_eq!(b.len(), 1, "{b:?}");
        let e = &b[0];
        assert_eq!((e.level, e.direction), (110.0, Direction::Up));
        // Called on the second clearing close (hold = 2), the run started on bar 104.
        assert_eq!(e.date, s.dates[105]);
        assert_eq!(e.since, s.dates[104]);
        assert_eq!(e.close, 118.0);
        assert_eq!(e.prev_close, 108.0);
        assert!(e.margin > 0.0 && e.close > e.level + e.margin);
        assert_eq!(e.volume_ratio, Some(2.5));
        assert!(e.confirmed);
        // hold = 1: called on bar 104 itself.
        let p = LevelParams {
            hold: 1,
            ..LevelParams::default()
        };
        let b = breakouts(&s, &p).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].date, b[0].since), (s.dates[104], s.dates[104]));
        // hold = 3: the run is two closes long, nothing is called.
        let p = LevelParams {
            hold: 3,
            ..LevelParams::default()
        };
        assert!(breakouts(&s, &p).unwrap().is_empty());
        // A margin of 4 ATRs (about 12): 118 does not clear 110.
        let p = LevelParams {
            margin_atr: 4.0,
            ..LevelParams::default()
        };
        assert!(breakouts(&s, &p).unwrap().is_empty());
    }

    #[test]
    fn breakout_volume_informs_but_does_not_decide() {
        let s = breakout_series(90.0, true);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].volume_ratio, Some(0.9));
        assert!(!b[0].confirmed);
        let s = breakout_series(0.0, false);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].volume_ratio, None);
        assert!(!b[0].confirmed);
    }

    #[test]
    fn a_whipsaw_around_a_level_is_one_event() {
        // The zig-zag's resistance at 110, a break (115, 116), then three times a close back
        // under the level for one day and back above it: the close crosses 110 seven times.
        let mut c = zigzag(101);
        c.extend([100.0, 105.0, 108.0, 115.0, 116.0]);
        c.extend([
            109.0, 114.0, 115.0, 108.5, 113.0, 114.0, 109.5, 115.0, 116.0,
        ]);
        let s = series(&c, None);
        let crossings = c[101..]
            .windows(2)
            .filter(|w| (w[0] <= 110.0) != (w[1] <= 110.0))
            .count();
        assert_eq!(crossings, 7);
        let b = breakouts(&s, &LevelParams::default()).unwrap();
        let at_110: Vec<&Breakout> = b.iter().filter(|e| e.level == 110.0).collect();
        assert_eq!(at_110.len(), 1, "{b:?}");
        assert_eq!(at_110[0].direction, Direction::Up);
        assert_eq!(at_110[0].date, s.dates[105]);
        assert_eq!(b.len(), 1, "{b:?}");
        // A decisive fall back under 110 (two closes below 110 − margin) is the next event,
        // downwards; a new break up after it is an event again.
        let mut c2 = c.clone();
        c2.extend([104.0, 103.0, 115.0, 117.0]);
        let s2 = series(&c2, None);
        let b2 = breakouts(&s2, &LevelParams::default()).unwrap();
        // (The whipsaw's own swing low, 109.5 on bar 112, has joined the level by then: 109.75.)
        let dirs: Vec<(Direction, Date)> = b2
            .iter()
            .filter(|e| (e.level - 110.0).abs() < 0.5)
            .map(|e| (e.direction, e.date))
            .collect();
        let n = c.len();
        assert_eq!(
            dirs,
            vec![
                (Direction::Up, s2.dates[105]),
                (Direction::Down, s2.dates[n + 1]),
                (Direction::Up, s2.dates[n + 3]),
            ]
        );
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
        // The breakout that starts on day 200 (called on 201, hold = 2) is through the level
        // `prior_levels` names.
        let b = breakouts(&s, &p).unwrap();
        assert!(b.iter().any(|b| b.since == s.dates[200]
            && b.date == s.dates[201]
            && Some(b.level) == pl[200].resistance));
    }
}
