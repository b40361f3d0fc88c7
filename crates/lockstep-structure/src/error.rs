//! [`StructureError`]: the errors of the market-structure functions.

use lockstep_core::Date;
use lockstep_stats::StatsError;

/// Errors of the market-structure functions: invalid parameters or inputs they cannot use.
///
/// Short inputs are not errors where an empty result says the same thing (no level, no
/// cup, no event); they are errors only where the function returns a single value
/// ([`crate::ratio_trend`], [`crate::relative_strength`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StructureError {
    /// A parameter outside its allowed range.
    #[error("invalid parameter {name} = {value}: {rule}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// Two inputs that must be aligned have different lengths.
    #[error("{what}: {got} values, expected {expected} (one per date)")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length of the dates.
        expected: usize,
    },
    /// Dates that do not strictly increase.
    #[error("{what}: date {date} at index {index} is not after the previous date")]
    DatesNotIncreasing {
        /// Which input.
        what: &'static str,
        /// Zero-based index of the offending date.
        index: usize,
        /// The offending date.
        date: Date,
    },
    /// A price series that breaks the invariants of `PriceSeries` (see its `validate`).
    #[error("invalid series {name}: {reason}")]
    InvalidSeries {
        /// Series name.
        name: String,
        /// What `validate` reported.
        reason: String,
    },
    /// A value the computation cannot use (NaN, infinite, or not positive where a
    /// logarithm or a ratio is taken).
    #[error("{what}: unusable value {value} at index {index} (must be finite and positive)")]
    InvalidValue {
        /// Which input.
        what: &'static str,
        /// Zero-based index of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Fewer usable observations than the computation needs.
    #[error("{what} needs at least {needed} usable observations, got {got}")]
    InsufficientData {
        /// What was being computed.
        what: &'static str,
        /// Observations needed.
        needed: usize,
        /// Observations available.
        got: usize,
    },
    /// An indicator of `lockstep-stats` rejected its parameters.
    #[error(transparent)]
    Stats(#[from] StatsError),
}
