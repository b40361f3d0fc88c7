//! The one error type of the session layer, and `context` to say what was being done.

/// Errors of the session layer. Each wraps its cause, so a front end prints the whole chain
/// (`error: cannot load fred:DGS2` / `caused by: ...`).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A failure stated by this crate (no underlying cause).
    #[error("{0}")]
    Message(String),
    /// What was being done, and why it failed.
    #[error("{what}")]
    Context {
        /// What was being done (e.g. "cannot read the folder data/").
        what: String,
        /// Why it failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The store.
    #[error(transparent)]
    Store(#[from] lockstep_store::StoreError),
    /// A provider or the configuration.
    #[error(transparent)]
    Fetch(#[from] lockstep_fetch::FetchError),
    /// A refresh of a stored symbol.
    #[error(transparent)]
    Refresh(#[from] lockstep_fetch::RefreshError),
    /// A CSV file.
    #[error(transparent)]
    Data(#[from] lockstep_data::DataError),
    /// A series operation (ratio, alignment).
    #[error(transparent)]
    Core(#[from] lockstep_core::CoreError),
    /// The analysis pipeline.
    #[error(transparent)]
    Report(#[from] lockstep_report::ReportError),
    /// The macro numerics.
    #[error(transparent)]
    Macro(#[from] lockstep_macro::MacroError),
    /// Rules, strategies, the backtest.
    #[error(transparent)]
    Signals(#[from] lockstep_signals::SignalsError),
}

impl SessionError {
    /// A failure stated in words.
    pub fn msg(m: impl Into<String>) -> SessionError {
        SessionError::Message(m.into())
    }
}

/// Result type of this crate.
pub type Result<T, E = SessionError> = std::result::Result<T, E>;

/// Say what was being done when an operation failed (anyhow's `context`, for a library).
pub trait Context<T> {
    /// Wrap the error with `what`.
    fn context(self, what: impl Into<String>) -> Result<T>;
    /// Wrap the error with the text `what` makes (only on failure).
    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|e| SessionError::Context {
            what: what.into(),
            source: Box::new(e),
        })
    }

    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| SessionError::Context {
            what: what().into(),
            source: Box::new(e),
        })
    }
}

/// An error and its causes on one line, `outer: inner: innermost` (anyhow's `{:#}`).
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_chain() {
        let inner: std::result::Result<(), std::io::Error> =
            Err(std::io::Error::other("disk on fire"));
        let e = inner.context("cannot read x").unwrap_err();
        assert_eq!(chain(&e), "cannot read x: disk on fire");
        let outer: Result<()> = Err(e);
        let e = outer.with_context(|| "cannot load y").unwrap_err();
        assert_eq!(chain(&e), "cannot load y: cannot read x: disk on fire");
    }
}
