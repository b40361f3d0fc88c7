//! [`CoreError`]: the errors of the core types (series invariants, alignment, intraday bars).

use crate::Date;

/// Errors of the core types.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CoreError {
    /// Columns of a series have different lengths.
    #[error("series {name}: column {column} has {got} values, expected {expected}")]
    LengthMismatch {
        /// Series name.
        name: String,
        /// Column name.
        column: &'static str,
        /// Values found.
        got: usize,
        /// Values expected (the number of dates).
        expected: usize,
    },
    /// Dates are not strictly increasing.
    #[error("series {name}: date {date} at row {index} is not after {previous} (dates must be strictly increasing)")]
    NotIncreasing {
        /// Series name.
        name: String,
        /// Zero-based row index.
        index: usize,
        /// The offending date.
        date: Date,
        /// The date before it.
        previous: Date,
    },
    /// A price is NaN or infinite.
    #[error("series {name}: price on {date} is not a finite number ({value})")]
    NonFinite {
        /// Series name.
        name: String,
        /// Date of the value.
        date: Date,
        /// The value.
        value: f64,
    },
    /// A price is zero or negative where returns need positive prices.
    #[error("series {name}: price on {date} is {value}; returns need prices > 0")]
    NonPositive {
        /// Series name.
        name: String,
        /// Date of the value.
        date: Date,
        /// The value.
        value: f64,
    },
    /// The two series have too few dates in common.
    #[error("{a} and {b} have {got} aligned date(s) in common with --align {align}; at least {need} are needed")]
    TooFewAligned {
        /// First series.
        a: String,
        /// Second series.
        b: String,
        /// Alignment mode.
        align: String,
        /// Dates in common.
        got: usize,
        /// Dates needed.
        need: usize,
    },
    /// An interval name that is not one of 1m, 5m, 15m, 30m, 1h, 1d.
    #[error("unknown interval {0:?}: expected one of 1m, 5m, 15m, 30m, 1h, 1d")]
    UnknownInterval(String),
    /// Bar times that do not strictly increase.
    #[error("series {name}: bar at {time} (row {index}) is not after {previous} (bar times must be strictly increasing)")]
    TimeOrder {
        /// Series name.
        name: String,
        /// Row index of the offending bar.
        index: usize,
        /// Its time.
        time: chrono::DateTime<chrono::Utc>,
        /// The time of the bar before it.
        previous: chrono::DateTime<chrono::Utc>,
    },
    /// An intraday close that is not a positive finite number.
    #[error("series {name}: close of the bar at {time} is {value}; prices must be finite and > 0")]
    BadIntradayPrice {
        /// Series name.
        name: String,
        /// Bar time.
        time: chrono::DateTime<chrono::Utc>,
        /// The value.
        value: f64,
    },
    /// No bar of an exchange leg lies in a regular NYSE session.
    #[error("series {name}: no bar in a regular NYSE session (09:30-16:00 New York)")]
    NoSessionBars {
        /// Series name.
        name: String,
    },
    /// The every-day leg's bars do not end on the exchange leg's bar grid.
    #[error(
        "{every_day}'s {every_day_interval} bars do not end where {exchange}'s {interval} bars \
         end (most of its bar ends have no {every_day} price at that instant): use {every_day} \
         bars of {interval} or finer that end on the same grid (e.g. 30m or 5m bars against \
         equity hours that start at :30), or a coarser --interval"
    )]
    GridMismatch {
        /// The exchange leg.
        exchange: String,
        /// Its interval.
        interval: crate::Interval,
        /// The every-day leg.
        every_day: String,
        /// Its interval.
        every_day_interval: crate::Interval,
    },
}
