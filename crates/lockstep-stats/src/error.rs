//! The error type of the crate ([`StatsError`]).

/// Errors of the numeric kernels: invalid parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A window shorter than the statistic needs.
    #[error("window {window} is too short for {what}: it needs at least {min} observations")]
    WindowTooShort {
        /// What was being built.
        what: &'static str,
        /// The window asked for.
        window: usize,
        /// The smallest usable window.
        min: usize,
    },
    /// An EWMA decay outside (0, 1).
    #[error("EWMA decay lambda must lie strictly between 0 and 1, got {0}")]
    InvalidLambda(f64),
    /// A confidence level outside (0, 1).
    #[error("confidence level must lie strictly between 0 and 1, got {0}")]
    InvalidConfidence(f64),
    /// Two inputs of a batch call have different lengths.
    #[error("inputs have different lengths: {0} and {1}")]
    LengthMismatch(usize, usize),
    /// A least-squares design matrix without full column rank.
    #[error(
        "{what}: the regressors are (numerically) collinear: column {column} is a linear \
         combination of the columns before it (a constant or duplicated input?)"
    )]
    Collinear {
        /// What was being fitted.
        what: &'static str,
        /// 0-based index of the first dependent column.
        column: usize,
    },
    /// Too few usable observations for the statistic.
    #[error("{what} needs at least {need} observations, got {got}")]
    TooFewObservations {
        /// What was being computed.
        what: &'static str,
        /// Observations available.
        got: usize,
        /// Observations needed.
        need: usize,
    },
    /// A NaN or infinite input where every value must be finite.
    #[error("{what}: input {index} is not a finite number")]
    NonFinite {
        /// What was being computed.
        what: &'static str,
        /// 0-based index of the first offending value.
        index: usize,
    },
    /// A lag order below the smallest allowed one.
    #[error("{what}: lag {lag} is too small, it must be at least {min}")]
    InvalidLag {
        /// What was being computed.
        what: &'static str,
        /// The lag asked for.
        lag: usize,
        /// The smallest allowed lag.
        min: usize,
    },
    /// A model that fits its data exactly, so its test statistic is undefined (0/0 or x/0).
    #[error(
        "{what}: the model fits the data exactly (zero residuals), the statistic is undefined"
    )]
    PerfectFit {
        /// What was being computed.
        what: &'static str,
    },
    /// A series of a partial correlation that the constant and the controls explain
    /// (numerically) exactly: a control equal to (or an affine function of) a leg, a constant
    /// control, or a control that repeats earlier ones. The partial correlation is undefined.
    #[error(
        "{what}: {series} is (numerically) a linear combination of {of} (they explain all but \
         less than 1e-9 of its variance), so the partial correlation is undefined: is a control \
         equal to a leg, constant, or a copy of another control?"
    )]
    CollinearControl {
        /// What was being computed.
        what: &'static str,
        /// The offending series: `x`, `y` or `control i` (1-based).
        series: String,
        /// What explains it: `the controls` or `the constant and the controls before it`.
        of: &'static str,
    },
    /// A real-valued parameter outside its allowed range.
    #[error("{what} must be {expected}, got {value}")]
    InvalidParameter {
        /// The parameter.
        what: &'static str,
        /// The allowed range, in words.
        expected: &'static str,
        /// The value passed.
        value: f64,
    },
}
