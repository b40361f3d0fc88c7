//! The error type of the Python package ([`Error`]) and how each kind reaches Python.

use pyo3::exceptions::{PyFileNotFoundError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;

/// Everything the extension module can fail with. The message is the one the command line
/// prints for the same failure (the `Display` of the underlying error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad parameter or input of a kernel (`ValueError`): the words of
    /// [`lockstep_stats::StatsError`], as `lockstep` prints them.
    #[error(transparent)]
    Stats(#[from] lockstep_stats::StatsError),
    /// An input array numpy cannot lend as one contiguous slice (`ValueError`).
    #[error("{0} must be a contiguous one-dimensional float64 array")]
    NotContiguous(&'static str),
    /// A CSV file that cannot be read (`ValueError`, naming file, line and column;
    /// `FileNotFoundError` when it does not exist).
    #[error(transparent)]
    Data(#[from] lockstep_data::DataError),
    /// A file that does not exist (`FileNotFoundError`).
    #[error("{0}: no such file")]
    NotFound(String),
    /// An option of `analyze`, `fedwatch` or the store outside its allowed values
    /// (`ValueError`).
    #[error("{0}")]
    Option(String),
    /// An in-memory leg that is not a valid price series (`ValueError`).
    #[error(transparent)]
    Series(#[from] lockstep_core::CoreError),
    /// The pipeline failed: loading, fetching, analyzing (`RuntimeError`), with its causes
    /// joined as `lockstep` prints them.
    #[error("{0}")]
    Session(String),
    /// The report could not be serialized (`RuntimeError`).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A value of the wrong kind (`TypeError`).
    #[error("{0}")]
    Type(String),
    /// An exception raised by Python itself while building a result (passed on as it is).
    #[error(transparent)]
    Python(#[from] PyErr),
}

impl From<lockstep_session::SessionError> for Error {
    fn from(e: lockstep_session::SessionError) -> Self {
        Error::Session(lockstep_session::chain(&e))
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        let msg = e.to_string();
        match e {
            Error::Python(e) => e,
            Error::Stats(_)
            | Error::NotContiguous(_)
            | Error::Data(_)
            | Error::Option(_)
            | Error::Series(_) => PyValueError::new_err(msg),
            Error::NotFound(_) => PyFileNotFoundError::new_err(msg),
            Error::Type(_) => PyTypeError::new_err(msg),
            Error::Session(_) | Error::Json(_) => PyRuntimeError::new_err(msg),
        }
    }
}

/// Result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
