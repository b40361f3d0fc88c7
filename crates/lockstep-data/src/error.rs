//! [`DataError`]: the errors of the CSV readers, each naming the file, line and column.

use chrono::SecondsFormat;
use lockstep_core::{CoreError, Date, Interval, Timestamp};

/// A UTC instant as RFC 3339 with `Z`.
pub(crate) fn rfc(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// At most the first 40 characters of a cell, for messages; a longer cell is cut with `…` and
/// its length in bytes, so a message never quotes a huge cell.
pub(crate) fn short(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        None => s.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &s[..cut], s.len()),
    }
}

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
    /// A quoted cell runs over the end of its line: a stray double quote, which would
    /// otherwise swallow the rest of the file into one cell.
    #[error("{file}:{line}: column {column}: the cell opens a double quote that is not closed on its line (a stray quote?); a cell may not span lines")]
    UnterminatedQuote {
        /// File name used in messages.
        file: String,
        /// Line where the quoted cell starts.
        line: u64,
        /// 1-based column number of the cell.
        column: usize,
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
    /// A cell that should hold an intraday timestamp does not.
    #[error("{file}:{line}: column {column} ({name}): cannot parse \"{text}\" as a timestamp; accepted: {accepted}")]
    BadTimestamp {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text (a short prefix of it).
        text: String,
        /// The accepted timestamp formats.
        accepted: &'static str,
    },
    /// An intraday timestamp that is a date without a time of day (a spreadsheet dropped it).
    #[error("{file}:{line}: column {column} ({name}): \"{text}\" is a date without a time of day (a spreadsheet dropped it?), so the bar's time cannot be known; fix the row, or pass --skip-bad-rows to drop such rows with a warning")]
    Undated {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text (a short prefix of it).
        text: String,
    },
    /// Every timestamp of a file given to the intraday reader is a date alone.
    #[error("{file}:{line}: column {column} ({name}): every timestamp is a date without a time of day (the first is \"{text}\"): this is a daily file; read it without --interval")]
    DailyFile {
        /// File name used in messages.
        file: String,
        /// Line of the first data row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The first cell (a short prefix of it).
        text: String,
    },
    /// A timestamp without UTC offset, in a format that does not fix the time zone, and no
    /// time zone was given.
    #[error("{file}:{line}: column {column} ({name}): \"{text}\" has no UTC offset and the format does not say which clock it is; pass --tz with the time zone of the file's times (e.g. --tz America/New_York or --tz UTC)")]
    NoTimeZone {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text (a short prefix of it).
        text: String,
    },
    /// A local time that the time zone skips (the spring-forward gap of daylight saving time).
    #[error("{file}:{line}: column {column} ({name}): \"{text}\" does not exist in {tz} (the clocks jump forward over it when daylight saving time starts); the file's times are not in {tz}, or the row is wrong")]
    NonexistentTime {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text (a short prefix of it).
        text: String,
        /// The time zone's name.
        tz: String,
    },
    /// A price or volume outside its allowed range (intraday reader).
    #[error("{file}:{line}: column {column} ({name}): \"{text}\" is not {rule}")]
    BadValue {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The cell text (a short prefix of it).
        text: String,
        /// What the value must be, e.g. "a positive finite price".
        rule: &'static str,
    },
    /// A row breaks the file's time order (intraday reader).
    #[error("{file}:{line}: times must be sorted; found {time} after {previous} on line {previous_line} (the file's first times are {order})")]
    UnsortedTime {
        /// File name used in messages.
        file: String,
        /// Line of the offending row.
        line: u64,
        /// Its time (UTC, RFC 3339).
        time: String,
        /// The time of the row before it.
        previous: String,
        /// The line of the row before it.
        previous_line: u64,
        /// `"ascending"` or `"newest first"`.
        order: &'static str,
    },
    /// Two rows have the same timestamp (intraday reader).
    #[error("{file}:{line}: duplicate timestamp {time} (also on line {first_line}); choose dedupe `last` to keep the row that comes last in the file")]
    DuplicateTime {
        /// File name used in messages.
        file: String,
        /// Line of the later row.
        line: u64,
        /// The time (UTC, RFC 3339).
        time: String,
        /// Line of the earlier row with that time.
        first_line: u64,
    },
    /// The bar interval is not given and cannot be inferred, or is not intraday.
    #[error("{file}: {message}")]
    Interval {
        /// File name used in messages.
        file: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A Binance kline whose `Close time` is not its open time + interval − 1 ms.
    #[error("{file}:{line}: column {column} ({name}): close time {millis} is {}, but a {interval} bar opening at {} closes at {} (open + {interval} - 1 ms); the open times are not UTC, or the bars are not {interval}", rfc(.got), rfc(.open), rfc(.expected))]
    CloseTime {
        /// File name used in messages.
        file: String,
        /// Line of the row.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The close time read, in milliseconds since 1970.
        millis: i64,
        /// The close time read.
        got: Timestamp,
        /// The bar's open time.
        open: Timestamp,
        /// The close time expected.
        expected: Timestamp,
        /// The bar interval.
        interval: Interval,
    },
    /// The daily reader failed on a file whose times of day are mostly not midnight: the error,
    /// with the suggestion to read it as intraday.
    #[error("{inner}; this looks like an intraday file ({timed} of {checked} rows checked have a time of day other than midnight): read it as intraday ({suggest})")]
    LooksIntraday {
        /// The daily reader's error.
        inner: Box<DataError>,
        /// Rows checked whose time of day is not midnight.
        timed: usize,
        /// Rows checked.
        checked: usize,
        /// The options to use, e.g. `--interval 1h`.
        suggest: String,
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
