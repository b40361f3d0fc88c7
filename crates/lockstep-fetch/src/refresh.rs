//! Refresh one symbol into the store: the one implementation behind `lockstep fetch`, the
//! on-demand fetch of the analysis commands and the server's scheduler.

use chrono::Days;
use lockstep_core::{Date, Instrument};
use lockstep_store::{FetchInfo, Store, StoreError, UpsertStats};
use serde::Serialize;

use crate::{FetchError, Fetcher, Progress, ProviderKind};

/// Days re-requested before the last stored date on a refresh: providers revise recent bars
/// (a provisional last bar, late volume), and the upsert counts what changed.
pub const REFRESH_OVERLAP_DAYS: u64 = 7;

/// The outcome of [`refresh_symbol`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refreshed {
    /// The symbol.
    pub symbol: String,
    /// The instrument as stored (its `symbol` is the user's symbol).
    #[serde(skip)]
    pub instrument: Instrument,
    /// The provider that answered.
    pub provider: String,
    /// First date requested (`None` = full history).
    pub from: Option<Date>,
    /// Last date requested.
    pub to: Date,
    /// What the write did.
    #[serde(flatten)]
    pub stats: UpsertStats,
    /// HTTP requests made.
    pub requests: usize,
    /// The provider's warnings (skipped null bars, missing observations), to show the user.
    pub warnings: Vec<String>,
    /// First stored date after the write.
    pub first: Option<Date>,
    /// Last stored date after the write.
    pub last: Option<Date>,
    /// Stored bars after the write.
    pub bars: usize,
}

/// Why [`refresh_symbol`] failed. The stored bars are unchanged in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// The store could not be read before the fetch, or after the write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Every provider failed (the failure is in the fetch log).
    #[error("cannot fetch {symbol}")]
    Fetch {
        /// The symbol.
        symbol: String,
        /// The providers' error.
        #[source]
        source: FetchError,
    },
    /// The fetched bars could not be written.
    #[error("cannot store {symbol}")]
    Write {
        /// The symbol.
        symbol: String,
        /// The store's error.
        #[source]
        source: StoreError,
    },
}

/// Fetch `symbol` into the store: from `since`, else from the last stored date minus
/// [`REFRESH_OVERLAP_DAYS`], else its full history, up to `to`. A stored symbol is refreshed
/// from the provider it came from unless `forced` names another. One transaction per symbol;
/// a failure is written to the fetch log and leaves the stored bars as they were.
pub fn refresh_symbol(
    store: &mut Store,
    fetcher: &Fetcher,
    symbol: &str,
    since: Option<Date>,
    forced: Option<ProviderKind>,
    to: Date,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Refreshed, RefreshError> {
    let stored = store.instrument(symbol)?;
    let last = store.last_date(symbol)?;
    let forced = match (forced, &stored) {
        (Some(p), _) => Some(p),
        (None, Some(i)) => i.provider.parse::<ProviderKind>().ok(),
        (None, None) => None,
    };
    let from =
        since.or_else(|| last.and_then(|d| d.checked_sub_days(Days::new(REFRESH_OVERLAP_DAYS))));
    let mut info = FetchInfo::now(from, Some(to));
    let fetched = match fetcher.fetch_chain(symbol, forced, from, to, on_progress) {
        Ok(f) => f,
        Err(e) => {
            let provider = forced.map(|p| p.name()).unwrap_or("chain");
            // Logging the failure must not hide it.
            let _ = store.log_failure(symbol, provider, &info, &e.to_string());
            return Err(RefreshError::Fetch {
                symbol: symbol.to_string(),
                source: e,
            });
        }
    };
    info.requests = fetched.requests;
    let mut instrument = fetched.instrument;
    instrument.symbol = symbol.to_string();
    let stats = store
        .upsert(&instrument, &fetched.bars, &info)
        .map_err(|e| RefreshError::Write {
            symbol: symbol.to_string(),
            source: e,
        })?;
    let (first, last, bars) = store
        .listing(symbol)?
        .map(|l| (l.first, l.last, l.bars))
        .unwrap_or((None, None, 0));
    Ok(Refreshed {
        symbol: symbol.to_string(),
        provider: instrument.provider.clone(),
        instrument,
        from,
        to,
        stats,
        requests: fetched.requests,
        warnings: fetched.warnings,
        first,
        last,
        bars,
    })
}
