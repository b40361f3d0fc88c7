//! Helpers shared by the integration tests of lockstep-fetch.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use lockstep_core::{DailyBar, Date};
use lockstep_fetch::{Config, FetchError, Fetched, Fetcher, ProviderConfig, ProviderKind, Route};
use lockstep_testkit::ReplayServer;

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

/// `test_data/<provider>/<file>` at the repository root.
pub fn test_data(provider: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test_data")
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
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}

/// Say why a test is skipped on the real stderr (libtest captures `eprintln!`, not this).
pub fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{reason}");
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
