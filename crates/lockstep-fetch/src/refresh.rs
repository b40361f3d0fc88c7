//! Refresh one symbol into the store: the one implementation behind `lockstep fetch`, the
//! on-demand fetch of the analysis commands and the server's scheduler. Daily bars:
//! [`refresh_symbol`]; intraday bars: [`refresh_intraday`].

use chrono::{Days, Duration, NaiveTime};
use lockstep_core::{Date, Instrument, Interval, IntradayBar, Timestamp};
use lockstep_store::{FetchInfo, Store, StoreError, UpsertStats};
use serde::Serialize;

use crate::{yahoo, FetchError, Fetcher, Progress, ProviderKind};

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

/// Why [`refresh_symbol`] or [`refresh_intraday`] failed. The stored bars are unchanged in
/// every case.
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
    /// An intraday fetch failed: every provider asked failed or had nothing (the failure is in
    /// the fetch log, with its interval), or the request itself was invalid (a daily
    /// interval, a start after `now`).
    #[error("cannot fetch {interval} bars of {symbol} from {provider}")]
    FetchIntraday {
        /// The symbol.
        symbol: String,
        /// The interval asked for.
        interval: Interval,
        /// The provider asked, or the providers of the chain (`yahoo, coinbase, binance`).
        provider: String,
        /// The providers' error (boxed: it is large and this is the error path).
        #[source]
        source: Box<FetchError>,
    },
    /// The fetched intraday bars could not be written.
    #[error("cannot store the {interval} bars of {symbol}")]
    WriteIntraday {
        /// The symbol.
        symbol: String,
        /// The interval.
        interval: Interval,
        /// The store's error (boxed, as in [`RefreshError::FetchIntraday`]).
        #[source]
        source: Box<StoreError>,
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
    info.message = refused_note(&fetched.refused);
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

/// The fetch log's note of the bars a provider sent and [`crate::validate`] refused.
fn refused_note(refused: &[String]) -> Option<String> {
    (!refused.is_empty())
        .then(|| format!("{} bar(s) refused: {}", refused.len(), refused.join("; ")))
}

/// Bars re-requested before the last stored bar on an intraday refresh (24 bars: a day of
/// hourly bars, two hours of 5-minute bars, 24 minutes of 1-minute bars): providers revise
/// their latest bars (the one that was still forming when last fetched is always among
/// them, late trades), and the upsert counts what changed.
pub const INTRADAY_OVERLAP_BARS: i32 = 24;

/// Days an intraday refresh asks for when the symbol has no stored bars of the interval and
/// no start is given; `None` for `1d`. Full histories are not asked for: Binance and
/// Coinbase would page from 2017 and 2015 (thousands of requests). The lookbacks are within
/// Yahoo's limits so the default request is servable by every provider of a chain:
///
/// | interval | days | Yahoo keeps |
/// |---|---|---|
/// | `1m` | 7 | 30 days, 7 a request |
/// | `5m` `15m` `30m` | 60 | 60 days |
/// | `1h` | 730 | 730 days |
///
/// The request starts at the first UTC midnight after `now` minus the lookback (so it is a
/// few hours short of the full lookback, and still inside Yahoo's limit when the fetcher's
/// clock is a little ahead of `now`).
pub const fn default_intraday_lookback_days(interval: Interval) -> Option<u64> {
    match interval {
        Interval::M1 => Some(7),
        Interval::M5 | Interval::M15 | Interval::M30 => Some(60),
        Interval::H1 => Some(730),
        Interval::D1 => None,
    }
}

/// The outcome of [`refresh_intraday`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RefreshedIntraday {
    /// The symbol.
    pub symbol: String,
    /// The interval.
    pub interval: Interval,
    /// The provider that answered.
    pub provider: String,
    /// First open time requested (the request ends at `now`).
    pub from: Timestamp,
    /// What the write did (`received` counts the complete bars written, not the forming one
    /// left out).
    #[serde(flatten)]
    pub stats: UpsertStats,
    /// HTTP requests made.
    pub requests: usize,
    /// Open time of the first stored bar of the interval after the write.
    pub first: Option<Timestamp>,
    /// Open time of the last stored bar of the interval after the write.
    pub last: Option<Timestamp>,
    /// Stored bars of the interval after the write.
    pub bars: usize,
    /// The provider's warnings (skipped null bars), the bars left out because they were still
    /// forming, and a gap Yahoo can no longer fill, to show the user.
    pub warnings: Vec<String>,
}

/// Fetch the `interval` bars of `symbol` into the store, the intraday twin of
/// [`refresh_symbol`].
///
/// * Start: `since`; else the open time of the last stored bar of the interval minus
///   [`INTRADAY_OVERLAP_BARS`] bars; else the default lookback of
///   [`default_intraday_lookback_days`] (never the provider's full history). When the stored
///   bars are refreshed from Yahoo and the overlap starts before what Yahoo keeps, the start is
///   moved to Yahoo's first day, with a warning when that leaves a gap after the last stored
///   bar. The request ends at `now`.
/// * Provider: `forced`; else the provider of the last successful write of this interval
///   (so the stored bars keep coming from one provider); else the symbol's chain. The daily
///   bars' provider is not used: a daily-only provider (Stooq, FRED) serves no intraday bars.
/// * Forming bars: a bar whose end (open time + interval) is after `now` is still forming
///   (its close is the latest price). It is not stored, and counted in a warning: the next
///   refresh asks for it again (it is inside the overlap), so only complete bars are ever
///   stored and a partial bar never stands for a finished period. Yahoo's short last hourly
///   bar of a session (15:30–16:00 New York) counts as an hour here, so it is stored from
///   16:30 on.
/// * One `BEGIN IMMEDIATE` transaction ([`Store::upsert_intraday`]) that counts added,
///   revised and unchanged bars and logs the fetch with its interval. A failed fetch is
///   written to the fetch log ([`Store::log_interval_failure`]) and returns
///   [`RefreshError::FetchIntraday`]; neither it nor a failed write touches the stored bars.
#[allow(clippy::too_many_arguments)] // the daily refresh's arguments, plus the interval
pub fn refresh_intraday(
    store: &mut Store,
    fetcher: &Fetcher,
    symbol: &str,
    interval: Interval,
    since: Option<Timestamp>,
    forced: Option<ProviderKind>,
    now: Timestamp,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<RefreshedIntraday, RefreshError> {
    let fetch_error = |provider: String, source| RefreshError::FetchIntraday {
        symbol: symbol.to_string(),
        interval,
        provider,
        source: Box::new(source),
    };
    let Some(lookback) = default_intraday_lookback_days(interval) else {
        return Err(fetch_error(
            forced.map_or("chain", ProviderKind::name).to_string(),
            FetchError::config(format!(
                "{symbol}: {interval} is not an intraday interval (daily bars are refreshed \
                 with refresh_symbol)"
            )),
        ));
    };
    let last = store.last_intraday_time(symbol, interval)?;
    let forced = match (forced, last) {
        (Some(p), _) => Some(p),
        (None, Some(_)) => stored_provider(store, symbol, interval)?,
        (None, None) => None,
    };
    let mut warnings = Vec::new();
    let from = match (since, last) {
        (Some(since), _) => since,
        (None, Some(last)) => {
            let from = last - interval.duration() * INTRADAY_OVERLAP_BARS;
            match yahoo_first_start(forced, interval, now) {
                Some((first, days)) if from < first => {
                    if last < first {
                        warnings.push(format!(
                            "yahoo keeps {interval} bars for {days} days only: the bars after \
                             {} up to {} cannot be fetched from it, and the stored bars have \
                             a gap there",
                            utc(last),
                            utc(first)
                        ));
                    }
                    first
                }
                _ => from,
            }
        }
        (None, None) => midnight_after(now - Days::new(lookback)),
    };
    let mut info = FetchInfo::now(Some(from.date_naive()), Some(now.date_naive()));
    let fetched = match fetcher.fetch_intraday_chain(
        symbol,
        forced,
        interval,
        Some(from),
        now,
        on_progress,
    ) {
        Ok(f) => f,
        Err(e) => {
            let logged = forced.map_or("chain", ProviderKind::name);
            // Logging the failure must not hide it.
            let _ = store.log_interval_failure(symbol, logged, interval, &info, &e.to_string());
            return Err(fetch_error(providers_asked(fetcher, symbol, forced), e));
        }
    };
    info.requests = fetched.requests;
    info.message = refused_note(&fetched.refused);
    let mut instrument = fetched.instrument;
    instrument.symbol = symbol.to_string();
    warnings.extend(fetched.warnings);
    let (bars, forming) = complete_bars(fetched.bars, interval, now);
    if let Some(first_forming) = forming.first() {
        warnings.push(format!(
            "{}: {} {interval} bar(s) still forming at {} not stored (from the bar opening at \
             {}); the next refresh fetches them again",
            instrument.provider,
            forming.len(),
            utc(now),
            utc(first_forming.start)
        ));
    }
    let stats = store
        .upsert_intraday(&instrument, interval, &bars, &info)
        .map_err(|source| RefreshError::WriteIntraday {
            symbol: symbol.to_string(),
            interval,
            source: Box::new(source),
        })?;
    let (first, last, count) = store
        .intervals(symbol)?
        .into_iter()
        .find(|l| l.interval == interval)
        .map_or((None, None, 0), |l| (Some(l.first), Some(l.last), l.bars));
    Ok(RefreshedIntraday {
        symbol: symbol.to_string(),
        interval,
        provider: instrument.provider,
        from,
        stats,
        requests: fetched.requests,
        first,
        last,
        bars: count,
        warnings,
    })
}

/// The provider the stored `interval` bars of `symbol` come from: that of the last
/// successful write of the interval in the fetch log, else (a log that has only failures
/// lately) the provider of the last stored bar. `None` when it is not a known provider.
fn stored_provider(
    store: &Store,
    symbol: &str,
    interval: Interval,
) -> Result<Option<ProviderKind>, StoreError> {
    let log = store.fetch_log_for(Some(symbol), Some(interval), 100)?;
    if let Some(ok) = log.iter().find(|e| e.status == "ok") {
        return Ok(ok.provider.parse().ok());
    }
    // Reads every stored bar of the interval: only when the log is no help.
    Ok(store.intraday_series(symbol, interval).ok().and_then(|s| {
        s.source
            .split_once(':')
            .and_then(|(provider, _)| provider.parse().ok())
    }))
}

/// The first start Yahoo serves for `interval` at `now` when the refresh is forced to Yahoo
/// (the first UTC midnight inside its limit), and the limit in days; `None` otherwise.
fn yahoo_first_start(
    forced: Option<ProviderKind>,
    interval: Interval,
    now: Timestamp,
) -> Option<(Timestamp, i64)> {
    if forced != Some(ProviderKind::Yahoo) {
        return None;
    }
    let limit = yahoo::intraday_limit(interval)?;
    Some((
        midnight_after(now - Duration::days(limit.days_back)),
        limit.days_back,
    ))
}

/// The bars that were complete at `now` (their end, open time + `interval`, is not after it)
/// and those still forming.
fn complete_bars(
    bars: Vec<IntradayBar>,
    interval: Interval,
    now: Timestamp,
) -> (Vec<IntradayBar>, Vec<IntradayBar>) {
    bars.into_iter()
        .partition(|b| b.start + interval.duration() <= now)
}

/// Names of the providers a fetch of `symbol` asks: the forced one, else the chain's.
fn providers_asked(fetcher: &Fetcher, symbol: &str, forced: Option<ProviderKind>) -> String {
    match fetcher.config().resolve(symbol, forced) {
        Ok(routes) if !routes.is_empty() => routes
            .iter()
            .map(|r| r.provider.name())
            .collect::<Vec<_>>()
            .join(", "),
        _ => forced.map_or("chain", ProviderKind::name).to_string(),
    }
}

/// The first UTC midnight strictly after `t`.
fn midnight_after(t: Timestamp) -> Timestamp {
    (t.date_naive() + Days::new(1))
        .and_time(NaiveTime::MIN)
        .and_utc()
}

fn utc(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
