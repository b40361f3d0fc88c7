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
}
