//! [`StoreError`]: the errors of the SQLite store.

use std::path::PathBuf;

use lockstep_core::{CoreError, Date, Interval, Timestamp};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open the store {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A folder could not be created.
    #[error("cannot create {}", path.display())]
    Io {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An SQLite error while reading or writing.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema is unknown or a stored value is malformed.
    #[error("store schema: {0}")]
    Schema(String),
    /// `PRAGMA integrity_check` found problems.
    #[error("store integrity check failed: {0}")]
    Corrupt(String),
    /// The symbol has no stored bars.
    #[error("{0} is not in the store")]
    NotStored(String),
    /// Bars to write were not in strictly increasing date order.
    #[error("bars for {symbol} are not in increasing date order: {date} follows {previous}")]
    Unsorted {
        /// Symbol.
        symbol: String,
        /// The offending date.
        date: Date,
        /// The date before it.
        previous: Date,
    },
    /// A bar to write had a non-finite close.
    #[error("bar for {symbol} on {date} has a non-finite close")]
    NonFinite {
        /// Symbol.
        symbol: String,
        /// The date.
        date: Date,
    },
    /// The symbol has no stored bars of this interval.
    #[error("{symbol} has no {interval} bars in the store")]
    IntervalNotStored {
        /// Symbol.
        symbol: String,
        /// The interval asked for.
        interval: Interval,
    },
    /// Intraday bars were written or asked for with the `1d` interval: daily bars are the
    /// `bars` table ([`crate::Store::upsert`], [`crate::Store::bars`]).
    #[error("1d bars are daily bars (the `bars` table), not intraday bars")]
    DailyInterval,
    /// Intraday bars to write were not in strictly increasing time order.
    #[error(
        "{interval} bars for {symbol} are not in increasing time order: {time} follows {previous}"
    )]
    UnsortedTimes {
        /// Symbol.
        symbol: String,
        /// Interval.
        interval: Interval,
        /// The offending open time.
        time: Timestamp,
        /// The open time before it.
        previous: Timestamp,
    },
    /// An intraday bar to write had a non-finite close, or an open time that is not a whole
    /// second (bars are keyed by Unix seconds).
    #[error("{interval} bar for {symbol} at {time}: {problem}")]
    BadIntradayBar {
        /// Symbol.
        symbol: String,
        /// Interval.
        interval: Interval,
        /// The bar's open time.
        time: Timestamp,
        /// What is wrong.
        problem: &'static str,
    },
    /// Stored bars do not form a valid series.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl StoreError {
    /// Whether the error says the symbol (or its bars of an interval) is not stored:
    /// [`StoreError::NotStored`] or [`StoreError::IntervalNotStored`].
    pub fn is_not_stored(&self) -> bool {
        matches!(
            self,
            StoreError::NotStored(_) | StoreError::IntervalNotStored { .. }
        )
    }

    /// Whether SQLite reported the database busy or locked by another connection.
    pub fn is_busy(&self) -> bool {
        let e = match self {
            StoreError::Sqlite(e) | StoreError::Open { source: e, .. } => e,
            _ => return false,
        };
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}
