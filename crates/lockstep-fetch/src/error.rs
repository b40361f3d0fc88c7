//! The error type of this crate.

use lockstep_core::Interval;

use crate::ProviderKind;

/// Everything that can go wrong while configuring, resolving or fetching.
///
/// Messages about a request name the provider, the method and the URL path (never the host,
/// which may be a test server or a proxy), the HTTP status and the provider's own message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The provider answered with an error status (after the retries, for a retryable one).
    #[error("{provider}: GET {path}: HTTP {status}{}: {message}", after(*.attempts))]
    Http {
        /// Provider.
        provider: ProviderKind,
        /// URL path of the request (no host, no query).
        path: String,
        /// HTTP status code.
        status: u16,
        /// The provider's own message, or the start of the body.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The provider does not know the symbol (Yahoo `Not Found`, Coinbase `NotFound`, Binance
    /// `-1121 Invalid symbol`, Stooq `No data`, FRED 404).
    #[error("{provider}: GET {path}: HTTP {status}: {message} (unknown symbol {symbol:?})")]
    UnknownSymbol {
        /// Provider.
        provider: ProviderKind,
        /// The provider ticker that was asked for.
        symbol: String,
        /// URL path of the request.
        path: String,
        /// HTTP status code (Stooq answers `No data` with 200).
        status: u16,
        /// The provider's own message.
        message: String,
    },
    /// No response within the timeout, on every attempt.
    #[error("{provider}: GET {path}: timed out (limit {timeout_secs} s){}", after(*.attempts))]
    Timeout {
        /// Provider.
        provider: ProviderKind,
        /// URL path of the request.
        path: String,
        /// The configured timeout in seconds.
        timeout_secs: u64,
        /// Attempts made.
        attempts: u32,
    },
    /// The connection could not be made, was reset or closed early, on every attempt.
    #[error("{provider}: GET {path}: connection failed{}: {message}", after(*.attempts))]
    Connect {
        /// Provider.
        provider: ProviderKind,
        /// URL path of the request.
        path: String,
        /// What the transport reported.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The body was truncated or could not be parsed (e.g. HTML where JSON was expected),
    /// also on the retry.
    #[error("{provider}: GET {path}: {what}{}: {message}", after(*.attempts))]
    Parse {
        /// Provider.
        provider: ProviderKind,
        /// URL path of the request.
        path: String,
        /// What was wrong: `invalid JSON`, `invalid CSV`, `truncated body`, ...
        what: String,
        /// Details, with the start of the body where useful.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The provider does not serve what was asked, decided before any request: an interval it
    /// does not offer (Coinbase has no 30m candles; Stooq and FRED are daily only), or
    /// intraday bars older than it keeps (Yahoo: 1m for 30 days, 5m to 30m for 60 days, 1h for
    /// 730 days). A fallback chain passes to the next provider.
    #[error("{message}")]
    Unsupported {
        /// Provider.
        provider: ProviderKind,
        /// The interval asked for.
        interval: Interval,
        /// The whole message, naming the provider, the interval and the limit.
        message: String,
    },
    /// No provider of the chain had any bar for the symbol in the range.
    #[error("{symbol}: no data for {range} from {}", .tried.join(", "))]
    NoData {
        /// The user's symbol.
        symbol: String,
        /// The requested range, as text.
        range: String,
        /// The providers asked.
        tried: Vec<String>,
    },
    /// The configuration file or an override is invalid, or a symbol cannot be routed.
    #[error("{message}")]
    Config {
        /// The whole message (naming the file or the key).
        message: String,
    },
    /// Every provider of the fallback chain failed; one error per provider, in chain order.
    #[error("{symbol}: every provider failed:{}", list(.errors))]
    AllFailed {
        /// The user's symbol.
        symbol: String,
        /// The error of each provider.
        errors: Vec<FetchError>,
    },
}

fn after(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

fn list(errors: &[FetchError]) -> String {
    errors.iter().map(|e| format!("\n  {e}")).collect()
}

impl FetchError {
    /// True when the (or, for [`FetchError::AllFailed`], every) provider said it does not know
    /// the symbol. Providers of a chain that were passed over because they do not serve the
    /// interval ([`FetchError::Unsupported`]) are not counted.
    pub fn is_unknown_symbol(&self) -> bool {
        match self {
            FetchError::UnknownSymbol { .. } => true,
            FetchError::AllFailed { errors, .. } => {
                let mut asked = errors.iter().filter(|e| !e.is_unsupported()).peekable();
                asked.peek().is_some() && asked.all(FetchError::is_unknown_symbol)
            }
            _ => false,
        }
    }

    /// True for [`FetchError::Unsupported`]: the provider does not serve this interval, or not
    /// this far back; no request was made.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, FetchError::Unsupported { .. })
    }

    /// True for [`FetchError::NoData`]: the request worked but there is nothing in the range
    /// (an incremental update of an up-to-date series, a weekend).
    pub fn is_no_data(&self) -> bool {
        matches!(self, FetchError::NoData { .. })
    }

    /// True for a timeout, a connection failure or a retryable status (429, 5xx) that
    /// persisted through every retry: trying again later may work.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Connect { .. } => true,
            FetchError::Http { status, .. } => is_retryable_status(*status),
            FetchError::AllFailed { errors, .. } => errors.iter().any(FetchError::is_transient),
            _ => false,
        }
    }

    /// The provider the error is about, if it is about a single one.
    pub fn provider(&self) -> Option<ProviderKind> {
        match self {
            FetchError::Http { provider, .. }
            | FetchError::UnknownSymbol { provider, .. }
            | FetchError::Timeout { provider, .. }
            | FetchError::Connect { provider, .. }
            | FetchError::Parse { provider, .. }
            | FetchError::Unsupported { provider, .. } => Some(*provider),
            _ => None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> FetchError {
        FetchError::Config {
            message: message.into(),
        }
    }
}

/// Statuses worth retrying: rate limited, or a server / gateway failure.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}
