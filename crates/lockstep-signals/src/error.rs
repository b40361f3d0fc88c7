//! [`SignalsError`]: the errors of rule and strategy files, measurement tables and backtests.

use lockstep_core::Date;

/// Errors of the signals crate: rule/strategy files that cannot be used (with the TOML line
/// they come from), measurement tables and price series that do not line up, and invalid
/// backtest parameters.
///
/// Line numbers are 1-based and point at the key or value that causes the error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignalsError {
    /// The text is not valid TOML.
    #[error("line {line}, column {column}: invalid TOML: {message}")]
    Toml {
        /// Line of the syntax error.
        line: usize,
        /// Column (1-based, in characters) of the syntax error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A key the grammar does not know.
    #[error("line {line}: unknown field `{field}` in [{section}]{}; expected one of: {}", suggest(.suggestions), .expected.join(", "))]
    UnknownField {
        /// Line of the key.
        line: usize,
        /// The table holding it, e.g. `conditions.corr_strong`.
        section: String,
        /// The unknown key.
        field: String,
        /// The closest known keys (may be empty).
        suggestions: Vec<String>,
        /// Every key allowed there.
        expected: Vec<&'static str>,
    },
    /// A known key with an unusable value, a missing key, or keys that exclude each other.
    #[error("line {line}: [{section}]: {message}")]
    Invalid {
        /// Line of the offending key (or of the table header when a key is missing).
        line: usize,
        /// The table, e.g. `conditions.corr_strong`.
        section: String,
        /// What is wrong.
        message: String,
    },
    /// A rule names something that is neither a condition nor a rule.
    #[error("line {line}: rule `{rule}` references `{name}`, which is neither a condition nor a rule{}", suggest(.suggestions))]
    UnknownReference {
        /// Line of the reference.
        line: usize,
        /// The referring rule.
        rule: String,
        /// The unknown name.
        name: String,
        /// The closest known condition and rule names.
        suggestions: Vec<String>,
    },
    /// Rules that reference each other in a cycle.
    #[error("line {line}: rule `{rule}` is part of a reference cycle: {}", .cycle.join(" -> "))]
    Cycle {
        /// Line of the rule.
        line: usize,
        /// The rule where the cycle was found.
        rule: String,
        /// The cycle, first name repeated at the end.
        cycle: Vec<String>,
    },
    /// A condition uses a measurement the table does not hold.
    #[error("line {line}: condition `{condition}` uses unknown measurement `{measure}`{}", suggest(.suggestions))]
    UnknownMeasurement {
        /// Line of the measurement name.
        line: usize,
        /// The condition.
        condition: String,
        /// The unknown measurement name.
        measure: String,
        /// The closest measurement names of the table.
        suggestions: Vec<String>,
    },
    /// A strategy names a rule the rule set (or evaluation) does not have.
    #[error("{}strategy uses unknown rule `{name}`{}", line_prefix(*.line), suggest(.suggestions))]
    UnknownRule {
        /// Line of the rule name in the strategy file, if it came from one.
        line: Option<usize>,
        /// The unknown rule.
        name: String,
        /// The closest rule names.
        suggestions: Vec<String>,
    },
    /// Two inputs that must be aligned have different lengths.
    #[error("{what}: {got} values, expected {expected} (one per date)")]
    LengthMismatch {
        /// Which input.
        what: String,
        /// Its length.
        got: usize,
        /// The number of dates.
        expected: usize,
    },
    /// Dates that do not strictly increase.
    #[error("date {date} at index {index} is not after the previous date")]
    DatesNotIncreasing {
        /// Zero-based index of the offending date.
        index: usize,
        /// The offending date.
        date: Date,
    },
    /// A measurement inserted twice, or an empty measurement name.
    #[error("measurement `{name}`: {reason}")]
    BadMeasurement {
        /// The name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A price that is not finite and positive.
    #[error("price of A at index {index} is {value} (must be finite and positive)")]
    InvalidPrice {
        /// Zero-based index.
        index: usize,
        /// The value.
        value: f64,
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
}

fn suggest(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(" (closest known: {})", names.join(", "))
    }
}

fn line_prefix(line: Option<usize>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}
