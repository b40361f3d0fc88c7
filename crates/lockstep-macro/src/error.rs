//! [`MacroError`]: the errors of the macro computations (text inputs, contracts, parameters,
//! series too short or too sparse).

use lockstep_stats::StatsError;

/// Errors of the macro computations: unparsable text (with its line number), invalid contract
/// codes, parameters out of range, and inputs too short or too sparse to compute from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MacroError {
    /// A line of a text input (futures strip, FOMC calendar) that cannot be parsed.
    #[error("{what}, line {line}: {message}")]
    Parse {
        /// Which input (`futures strip`, `FOMC calendar`).
        what: &'static str,
        /// One-based line number in the text.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// A futures contract code or contract month that cannot be understood.
    #[error("invalid contract {code:?}: {reason}")]
    InvalidContract {
        /// The code or month as given.
        code: String,
        /// Why it is rejected.
        reason: String,
    },
    /// The same contract month given twice.
    #[error("contract month {month} given twice")]
    DuplicateMonth {
        /// The month, `YYYY-MM`.
        month: String,
    },
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
    /// A series the computation cannot use (wrong weekday, unsorted dates...).
    #[error("invalid series {name}: {reason}")]
    InvalidSeries {
        /// Series name.
        name: String,
        /// What is wrong.
        reason: String,
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
    /// A statistic of `lockstep-stats` rejected its parameters.
    #[error(transparent)]
    Stats(#[from] StatsError),
}
