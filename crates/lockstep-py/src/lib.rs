//! The extension module `lockstep._lockstep` of the Python package `lockstep` (built by
//! maturin from `pyproject.toml`): the kernels of `lockstep-stats` on numpy arrays
//! ([`kernels`]) and the pipeline of the command line (reading CSV files, the pair report,
//! the store, FedWatch: [`pipeline`]). The public Python API, which wraps these functions for
//! pandas, is in `python/lockstep/`; nothing is computed there.
#![forbid(unsafe_code)]

use pyo3::prelude::*;

mod error;
pub mod kernels;
pub mod pipeline;

pub use error::{Error, Result};

/// The module `lockstep._lockstep`.
#[pymodule]
fn _lockstep(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    kernels::register(m)?;
    pipeline::register(m)?;
    Ok(())
}
