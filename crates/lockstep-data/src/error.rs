use lockstep_core::{CoreError, Date};

/// Errors of the readers in this crate.
///
/// Every error about a particular row starts with `{file}:{line}:`, where `line` is the 1-based
/// physical line number in the file, and names the column by its 1-based number and header name.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid UTF-8.
    #[error("{file}:{line}: the file is not valid UTF-8 (first invalid byte on this line); save it as UTF-8")]
    NotUtf8 {
        /// File name used in messages.
        file: String,
        /// Line of the first invalid byte.
        line: u64,
    },
    /// The CSV parser rejected the text.
    #[error("{file}:{line}: malformed CSV: {message}")]
    Csv {
        /// File name used in messages.
        file: String,
        /// Line where the parser stopped.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// The file has no header line at all.
    #[error("{file}: the file is empty (no header line)")]
    Empty {
        /// File name used in messages.
        file: String,
    },
    /// The file has a header but no usable data row.
    #[error("{file}: no data rows after the header on line {header_line} ({skipped} rows skipped because their price was null or empty)")]
    NoData {
        /// File name used in messages.
        file: String,
        /// Line of the header.
        header_line: u64,
        /// Rows skipped as null.
        skipped: usize,
    },
    /// A required column is not in the header.
    #[error("{file}:{line}: {wanted} not found; the header has: {found}")]
    MissingColumn {
        /// File name used in messages.
        file: String,
        /// Line of the header.
        line: u64,
        /// What was looked for.
        wanted: String,
        /// The header cells found, comma separated.
        found: String,
    },
    /// A yfinance file with more than one ticker.
    #[error("{file}:{line}: the yfinance file holds several tickers ({tickers}); save one ticker per file")]
    MultipleTickers {
        /// File name used in messages.
        file: String,
        /// Line of the `Ticker` row.
        line: u64,
        /// The tickers, comma separated.
        tickers: String,
    },
    /// A row has fewer fields than the header.
    #[error("{file}:{line}: the row has {got} fields but the header on line {header_line} has {expected}; column {column} ({name}) is missing")]
    TooFewFields {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// Fields in the row.
        got: usize,
        /// Fields in the header.
        expected: usize,
        /// Line of the header.
        header_line: u64,
        /// 1-based number of the first missing column.
        column: usize,
        /// Header name of the first missing column.
        name: String,
    },
    /// A row has more non-empty fields than the header.
    #[error("{file}:{line}: the row has {got} fields but the header on line {header_line} has {expected} (a number with an unquoted thousands separator?)")]
    TooManyFields {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// Fields in the row.
        got: usize,
        /// Fields in the header.
        expected: usize,
        /// Line of the header.
        header_line: u64,
    },
    /// A cell that should hold a number does not.
    #[error("{file}:{line}: column {column} ({name}): cannot parse \"{text}\" as a number")]
    BadNumber {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text.
        text: String,
    },
    /// A cell that should hold a date does not.
    #[error("{file}:{line}: column {column} ({name}): cannot parse \"{text}\" as a date; accepted: {accepted}")]
    BadDate {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text.
        text: String,
        /// The accepted date formats.
        accepted: &'static str,
    },
    /// A price is NaN or infinite.
    #[error("{file}:{line}: column {column} ({name}): price \"{text}\" is not a finite number")]
    NonFinitePrice {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text.
        text: String,
    },
    /// A price is zero or negative (allowed for FRED series only).
    #[error("{file}:{line}: column {column} ({name}): price {text} is not positive; prices must be > 0 (only FRED series may be zero or negative)")]
    NonPositivePrice {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text.
        text: String,
    },
    /// A row breaks the file's date order.
    #[error("{file}:{line}: dates must be sorted; found {date} after {previous} on line {previous_line} (the file's first dates are {order})")]
    Unsorted {
        /// File name used in messages.
        file: String,
        /// Line of the offending row.
        line: u64,
        /// Its date.
        date: Date,
        /// The date of the row before it.
        previous: Date,
        /// The line of the row before it.
        previous_line: u64,
        /// `"ascending"` or `"newest first"`.
        order: &'static str,
    },
    /// Two rows have the same date.
    #[error("{file}:{line}: duplicate date {date} (also on line {first_line}); choose dedupe `last` to keep the row that comes last in the file")]
    Duplicate {
        /// File name used in messages.
        file: String,
        /// Line of the later row.
        line: u64,
        /// The date.
        date: Date,
        /// Line of the earlier row with that date.
        first_line: u64,
    },
    /// The assembled series failed its own checks (should not happen after the row checks).
    #[error("{file}: {source}")]
    Invalid {
        /// File name used in messages.
        file: String,
        /// The core error.
        #[source]
        source: CoreError,
    },
}
