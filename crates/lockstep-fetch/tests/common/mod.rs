//! Helpers shared by the integration tests of lockstep-fetch.
#![allow(dead_code, unused_imports)]

use std::path::PathBuf;
use std::time::Duration;

use lockstep_core::{DailyBar, IntradayBar, Timestamp};
use lockstep_fetch::{Config, FetchError, Fetched, Fetcher, ProviderConfig, ProviderKind, Route};
pub use lockstep_testkit::fixtures::date as d;
// Only the test binaries that read ../shared/data use it.
#[allow(unused_imports)]
pub use lockstep_testkit::shared_data::skip;
use lockstep_testkit::ReplayServer;

/// A UTC instant from RFC 3339 (`2024-01-05T14:30:00Z`).
pub fn t(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// Open times of intraday bars as RFC 3339 text.
pub fn starts(bars: &[IntradayBar]) -> Vec<String> {
    bars.iter()
        .map(|b| b.start.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .collect()
}

/// `test_data/<provider>/<file>` at the repository root.
pub fn test_data(provider: &str, file: &str) -> PathBuf {
    lockstep_testkit::shared_data::workspace_root(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(provider)
        .join(file)
}

/// The text of a committed payload.
pub fn payload(provider: &str, file: &str) -> String {
    let path = test_data(provider, file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `../shared/data` beside the repository, if present.
pub fn shared_data() -> Option<PathBuf> {
    lockstep_testkit::shared_data::find(env!("CARGO_MANIFEST_DIR"))
}

/// A provider section pointing at the server: fast backoff, no rate limit.
pub fn fast(url: &str) -> ProviderConfig {
    ProviderConfig {
        url: Some(url.to_string()),
        timeout_secs: Some(5),
        retries: Some(2),
        backoff_ms: Some(5),
        min_interval_ms: Some(0),
        user_agent: None,
    }
}

/// A configuration sending every provider to the replay server.
pub fn config_for(server: &ReplayServer) -> Config {
    let mut c = Config::default();
    for kind in ProviderKind::ALL {
        *c.providers.get_mut(kind) = fast(&server.url());
    }
    c
}

/// A fetcher sending every provider to the replay server.
pub fn fetcher_for(server: &ReplayServer) -> Fetcher {
    Fetcher::new(config_for(server))
}

/// A route to a provider ticker, asset class `Other`.
pub fn route(provider: ProviderKind, ticker: &str) -> Route {
    Route {
        provider,
        ticker: ticker.to_string(),
        asset_class: lockstep_core::AssetClass::Other,
    }
}

/// Fetch one route, ignoring progress.
pub fn fetch(
    f: &Fetcher,
    provider: ProviderKind,
    ticker: &str,
    from: Option<&str>,
    to: &str,
) -> Result<Fetched, FetchError> {
    f.fetch(
        &route(provider, ticker),
        ticker,
        from.map(d),
        d(to),
        &mut |_| {},
    )
}

/// Dates of bars as text.
pub fn dates(bars: &[DailyBar]) -> Vec<String> {
    bars.iter().map(|b| b.date.to_string()).collect()
}

/// Generous upper bound for "it did not wait for the default backoff".
pub const QUICK: Duration = Duration::from_secs(5);
