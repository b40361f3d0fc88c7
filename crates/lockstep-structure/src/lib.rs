//! Market structure for Lockstep, pure numerics (no I/O): support/resistance levels and
//! breakouts, cup-and-handle patterns, momentum alignment of two legs, ratio trends and
//! bottoms, relative strength and breadth.
//!
//! Indicators (SMA, RSI, MACD, ATR) are those of `lockstep-stats` (TA-Lib compatible). Inputs
//! are daily series; "day" means one observation of the series. Conventions:
//! * Nothing panics on short, constant or NaN input: the result is empty (no level, no
//!   pattern, no event) or a [`StructureError`].
//! * No result holds a NaN: undefined values are `None`.
//! * Every result derives `Serialize`; dates are `Date` (ISO `YYYY-MM-DD` in JSON).
#![forbid(unsafe_code)]

mod breadth;
mod cup;
mod error;
mod levels;
mod momentum;
mod ratio;
mod util;

pub use breadth::{breadth, relative_strength, BreadthPoint, RelativeStrength, RsPoint, RsTrend};
pub use cup::{cup_handle, CupHandle, CupParams, CupState};
pub use error::StructureError;
pub use levels::{
    breakouts, key_levels, levels, pivots, prior_levels, BookLevel, Breakout, Direction, Level,
    LevelBook, LevelKind, LevelParams, LevelScore, Pivot, PivotKind, PriorLevels, DEFAULT_HOLD,
    DEFAULT_MARGIN_ATR, DEFAULT_PER_SIDE, DISTANCE_SCALE_ATR, NEUTRAL_VOLUME, RECENCY_HALF_LIFE,
    TOUCHES_FULL, WEIGHT_DISTANCE, WEIGHT_RECENCY, WEIGHT_TOUCHES, WEIGHT_VOLUME,
};
pub use momentum::{
    macd_cross_together, macd_crosses, rsi_falling_together, rsi_rising_together, AlignmentEvent,
    AlignmentKind, CrossDirection, MacdCrossEvent,
};
pub use ratio::{bottoming, bottoming_with, ratio_trend, Bottoming, BottomingParams, RatioTrend};

/// Result type of this crate.
pub type Result<T, E = StructureError> = std::result::Result<T, E>;

#[cfg(test)]
mod test_util {
    use lockstep_core::Date;

    /// `n` consecutive calendar days from 2020-01-01.
    pub(crate) fn days(n: usize) -> Vec<Date> {
        (0..n)
            .map(|i| Date::from_num_days_from_ce_opt(737_425 + i as i32).unwrap())
            .collect()
    }
}
