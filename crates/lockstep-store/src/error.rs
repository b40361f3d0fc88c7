use std::path::PathBuf;

use lockstep_core::{CoreError, Date};

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
    /// Stored bars do not form a valid series.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl StoreError {
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
