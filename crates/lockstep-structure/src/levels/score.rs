//! The score of a support/resistance level (touches, recency, volume at the touches, distance
//! from the last close) and the choice of the best-scored levels on each side of the close.

use serde::Serialize;

use super::{Level, LevelKind};

/// Weight of the touches component in [`LevelScore::score`].
pub const WEIGHT_TOUCHES: f64 = 0.35;
/// Weight of the recency component.
pub const WEIGHT_RECENCY: f64 = 0.25;
/// Weight of the volume component.
pub const WEIGHT_VOLUME: f64 = 0.15;
/// Weight of the distance component.
pub const WEIGHT_DISTANCE: f64 = 0.25;
/// Touches at which the touches component reaches 1.
pub const TOUCHES_FULL: usize = 6;
/// Bars after which the recency component halves.
pub const RECENCY_HALF_LIFE: f64 = 250.0;
/// Distance, in ATRs of the last bar, at which the distance component is 1/2.
pub const DISTANCE_SCALE_ATR: f64 = 5.0;
/// The volume component when no touch has a known relative volume.
pub const NEUTRAL_VOLUME: f64 = 0.5;
/// Levels shown on each side of the last close by default (`lockstep levels --nearest`).
pub const DEFAULT_PER_SIDE: usize = 3;

/// How much a level matters: four components in `[0, 1]` and their weighted sum.
///
/// ```text
/// score    = 0.35·touches + 0.25·recency + 0.15·volume + 0.25·distance   (in [0, 1])
/// touches  = min(n − 1, 5) / 5                 n = pivots of the level (6 or more → 1)
/// recency  = 2^(−a / 250)                      a = bars from the latest touch to the last bar
/// volume   = r / (1 + r)                       r = mean over the touches of volume / its mean
///                                                  of the 20 bars before (0.5 when unknown)
/// distance = 1 / (1 + d / 5)                   d = |level − last close| / ATR(14) of the last
///                                                  bar (ATR = 1% of the close when undefined)
/// ```
///
/// Weights and scales are the constants of this module ([`WEIGHT_TOUCHES`],
/// [`TOUCHES_FULL`], [`RECENCY_HALF_LIFE`], [`DISTANCE_SCALE_ATR`], ...).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelScore {
    /// The weighted sum of the four components, in `[0, 1]`.
    pub score: f64,
    /// Touches component: `min(n − 1, TOUCHES_FULL − 1) / (TOUCHES_FULL − 1)`.
    pub touches: f64,
    /// Recency component: `2^(−bars_since_touch / RECENCY_HALF_LIFE)`.
    pub recency: f64,
    /// Volume component: `r / (1 + r)`, `r` = [`LevelScore::touch_volume`]
    /// ([`NEUTRAL_VOLUME`] when that is undefined).
    pub volume: f64,
    /// Distance component: `1 / (1 + distance_atr / DISTANCE_SCALE_ATR)`.
    pub distance: f64,
    /// Bars from the latest touch to the last bar.
    pub bars_since_touch: usize,
    /// Mean, over the touches with a known value, of the pivot bar's volume over the mean
    /// volume of the `volume_period` bars before it; `None` without volume.
    pub touch_volume: Option<f64>,
    /// `|price − last close| / ATR` of the last bar (ATR: 1% of the close when undefined).
    pub distance_atr: f64,
}

impl LevelScore {
    /// The components and score of a level from its raw inputs.
    pub(super) fn of(
        touches: usize,
        bars_since_touch: usize,
        touch_volume: Option<f64>,
        distance_atr: f64,
    ) -> LevelScore {
        let full = (TOUCHES_FULL - 1) as f64;
        let t = (touches.saturating_sub(1) as f64).min(full) / full;
        let r = (-(bars_since_touch as f64) / RECENCY_HALF_LIFE).exp2();
        let v = touch_volume.map_or(NEUTRAL_VOLUME, |x| x / (1.0 + x));
        let d = 1.0 / (1.0 + distance_atr / DISTANCE_SCALE_ATR);
        LevelScore {
            score: WEIGHT_TOUCHES * t
                + WEIGHT_RECENCY * r
                + WEIGHT_VOLUME * v
                + WEIGHT_DISTANCE * d,
            touches: t,
            recency: r,
            volume: v,
            distance: d,
            bars_since_touch,
            touch_volume,
            distance_atr,
        }
    }
}

/// The order of ranked levels: score descending, then nearest the close, then price.
pub(super) fn by_score(a: &Level, b: &Level) -> std::cmp::Ordering {
    b.score
        .score
        .total_cmp(&a.score.score)
        .then(a.distance_pct.abs().total_cmp(&b.distance_pct.abs()))
        .then(a.price.total_cmp(&b.price))
}

/// The levels worth naming: the `per_side` best-scored supports (below the last close) and
/// the `per_side` best-scored resistances (at or above it), ranked by score (ties: nearer the
/// close first, then lower price). `levels` may come in any order.
pub fn key_levels(levels: &[Level], per_side: usize) -> Vec<Level> {
    let mut ranked: Vec<&Level> = levels.iter().collect();
    ranked.sort_by(|a, b| by_score(a, b));
    let (mut sup, mut res) = (0, 0);
    ranked
        .into_iter()
        .filter(|l| {
            let n = match l.kind {
                LevelKind::Support => &mut sup,
                LevelKind::Resistance => &mut res,
            };
            *n += 1;
            *n <= per_side
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_follow_the_formula() {
        let s = LevelScore::of(2, 0, None, 0.0);
        assert!((s.touches - 0.2).abs() < 1e-12);
        assert_eq!(s.recency, 1.0);
        assert_eq!(s.volume, NEUTRAL_VOLUME);
        assert_eq!(s.distance, 1.0);
        assert!((s.score - (0.35 * 0.2 + 0.25 + 0.15 * 0.5 + 0.25)).abs() < 1e-12);
        let s = LevelScore::of(40, 250, Some(1.0), 5.0);
        assert_eq!(s.touches, 1.0);
        assert!((s.recency - 0.5).abs() < 1e-12);
        assert!((s.volume - 0.5).abs() < 1e-12);
        assert!((s.distance - 0.5).abs() < 1e-12);
        let w = WEIGHT_TOUCHES + WEIGHT_RECENCY + WEIGHT_VOLUME + WEIGHT_DISTANCE;
        assert!((w - 1.0).abs() < 1e-12);
    }
}
