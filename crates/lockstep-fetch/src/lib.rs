//! Market-data providers for Lockstep: the Yahoo Finance chart API, Coinbase Exchange candles,
//! Binance klines, Stooq daily CSV and FRED graph CSV.
//!
//! * [`Config`] reads `$LOCKSTEP_HOME/config.toml` (optional) and the `LOCKSTEP_<PROVIDER>_URL`
//!   environment overrides, and [`Config::resolve`]s a symbol into a fallback chain of
//!   [`Route`]s.
//! * [`Fetcher`] fetches daily bars ([`Fetcher::fetch_chain`]) and intraday bars
//!   ([`Fetcher::fetch_intraday`]) over HTTP with connect/read timeouts, retries with
//!   exponential backoff and jitter (on 429, 500, 502, 503, 504, connection errors, resets and
//!   timeouts), `Retry-After`, one retry of a truncated or unparseable body, and a
//!   per-provider minimum interval between requests.
//!
//! # Built-in symbol rules
//!
//! | symbol | chain | tickers |
//! |---|---|---|
//! | `fred:DGS2` | fred | `DGS2` |
//! | `ETH-USD` (base in [`KNOWN_CRYPTO`], quote USD/USDT/USDC/EUR/GBP/BTC/ETH) | yahoo, coinbase, binance | `ETH-USD`, `ETH-USD`, `ETHUSDT` |
//! | other `BASE-USD` | yahoo | `BASE-USD` |
//! | `^RUT`, `^GSPC`, `^NDX`, other `^` | yahoo, stooq | `^RUT`; `^rut`, `^spx`, `^ndx` (best effort) |
//! | `GC=F` | yahoo, stooq | `GC=F`, `gc.f` |
//! | `IWM`, `SPY`, `AAPL` | yahoo, stooq | `IWM`, `iwm.us` |
//!
//! Symbols other than `fred:` ones are upper-cased before the rules apply (`eth-usd` is
//! `ETH-USD`); the `fred:` prefix is case-insensitive and the series id is upper-cased. A
//! `[symbols."X"]` entry in the config replaces the chain, the tickers and the asset class.
//!
//! # Dates
//!
//! Yahoo bars are dated in the exchange's time zone; Coinbase and Binance bars by their UTC
//! day; Stooq and FRED by the date they print.
//!
//! # Intraday bars
//!
//! Each provider's [`ProviderSpec::intervals`] lists what it serves: Yahoo `1m` `5m` `15m`
//! `30m` `1h` (regular session only; `1m` for the last 30 days in 7-day requests, `5m` to
//! `30m` for 60 days, `1h` for 730 days), Binance all five (1000 klines a request), Coinbase
//! `1m` `5m` `15m` `1h` (no 30m; 300 candles a request); Stooq and FRED are daily only. Bars
//! are labelled by their **open** time in UTC (the providers' own timestamps), sorted, one per
//! open time. A provider's last bar may still be forming (its close is the latest price), and
//! Yahoo's last hourly bar of a session is short (15:30–16:00 New York): both are kept,
//! labelled by their start.
#![forbid(unsafe_code)]

mod binance;
mod coinbase;
mod config;
mod error;
mod fred;
mod http;
mod provider;
pub mod refresh;
mod stooq;
pub mod validate;
mod yahoo;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use lockstep_core::{
    new_york_date, AssetClass, Calendar, CoreError, DailyBar, Date, Instrument, Interval,
    IntradayBar, IntradaySeries, Timestamp,
};

pub use config::{
    Config, ControlList, ProviderConfig, ProviderSettings, ProvidersConfig, RawTable,
    RegimesConfig, Route, SymbolConfig, CONTROL_KEYS, KNOWN_CRYPTO,
};
pub use error::FetchError;
pub use provider::{ProviderKind, ProviderSpec};
pub use refresh::{
    default_intraday_lookback_days, refresh_intraday, RefreshedIntraday, INTRADAY_OVERLAP_BARS,
};
pub use refresh::{refresh_symbol, RefreshError, Refreshed, REFRESH_OVERLAP_DAYS};

use http::Http;

/// What a fetch reports while it runs (the CLI drives a progress bar with these).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// A provider of the chain is being tried.
    Provider {
        /// The provider.
        provider: ProviderKind,
        /// Its ticker.
        ticker: String,
    },
    /// A request is about to be sent.
    Request {
        /// The provider.
        provider: ProviderKind,
        /// 1-based page number (paginated providers make several requests).
        page: usize,
        /// Expected number of pages, if known.
        pages_estimate: Option<usize>,
    },
    /// An attempt failed and will be retried after `delay`.
    Retry {
        /// The provider.
        provider: ProviderKind,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// The wait before the next attempt.
        delay: Duration,
        /// Why the attempt failed.
        reason: String,
    },
    /// A provider of the chain failed or had nothing; the next one is tried.
    Failed {
        /// The provider.
        provider: ProviderKind,
        /// The error, as text.
        message: String,
    },
    /// The fetch is complete with this many bars.
    Bars {
        /// Number of bars.
        total: usize,
    },
}

/// The result of a fetch.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    /// What was fetched, from where.
    pub instrument: Instrument,
    /// Bars sorted by date, one per date, within the requested range.
    pub bars: Vec<DailyBar>,
    /// HTTP requests made for the successful provider (retries not counted).
    pub requests: usize,
    /// Things to show the user (skipped null bars, missing FRED observations, refused bars).
    pub warnings: Vec<String>,
    /// The bars refused by [`validate`], each as `"<provider> <symbol> <date>: <reason>"`:
    /// left out, so a stored bar of that date stays as it was.
    pub refused: Vec<String>,
}

/// The result of an intraday fetch.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchedIntraday {
    /// What was fetched, from where (the calendar is [`Calendar::EveryDay`] for crypto, else
    /// inferred from the New York dates of the bars).
    pub instrument: Instrument,
    /// The bars' interval.
    pub interval: Interval,
    /// Bars labelled by their open time (UTC), sorted, one per open time, opening within the
    /// requested range.
    pub bars: Vec<IntradayBar>,
    /// HTTP requests made for the successful provider (retries not counted).
    pub requests: usize,
    /// Things to show the user (skipped null bars, refused bars).
    pub warnings: Vec<String>,
    /// The bars refused by [`validate`] (see [`Fetched::refused`]).
    pub refused: Vec<String>,
}

impl FetchedIntraday {
    /// The bars as an [`IntradaySeries`] named after the symbol, with source
    /// `provider:ticker`.
    pub fn series(&self) -> Result<IntradaySeries, CoreError> {
        let i = &self.instrument;
        IntradaySeries::from_bars(
            i.symbol.clone(),
            format!("{}:{}", i.provider, i.ticker),
            self.interval,
            &self.bars,
        )
    }
}

/// What a provider module returns before the common clean-up.
pub(crate) struct Raw {
    pub bars: Vec<DailyBar>,
    pub currency: Option<String>,
    pub asset_class: Option<AssetClass>,
    pub calendar: Option<Calendar>,
    pub warnings: Vec<String>,
    pub requests: usize,
}

/// What a provider module gets.
pub(crate) struct Ctx<'a> {
    pub http: &'a Http,
    pub route: &'a Route,
    pub from: Option<Date>,
    pub to: Date,
    pub progress: &'a mut dyn FnMut(Progress),
}

/// What a provider module returns for intraday bars, before the common clean-up.
pub(crate) struct RawIntraday {
    pub bars: Vec<IntradayBar>,
    pub currency: Option<String>,
    pub asset_class: Option<AssetClass>,
    pub warnings: Vec<String>,
    pub requests: usize,
}

/// What a provider module gets for intraday bars.
pub(crate) struct IntradayCtx<'a> {
    pub http: &'a Http,
    pub route: &'a Route,
    /// An intraday interval the provider serves.
    pub interval: Interval,
    pub from: Option<Timestamp>,
    pub to: Timestamp,
    /// The current time (for limits counted back from now, like Yahoo's).
    pub now: Timestamp,
    pub progress: &'a mut dyn FnMut(Progress),
}

impl IntradayCtx<'_> {
    /// The last open time worth asking for: `to`, or now when `to` is later (no bar opens in
    /// the future, and a range ending next year must not page through empty windows).
    pub fn last_start(&self) -> Timestamp {
        self.to.min(self.now)
    }
}

/// Fetches daily and intraday bars from the providers. Holds one HTTP agent per provider (with
/// its timeouts) and the rate-limit state; share one `Fetcher` (it is `Sync`) so that the
/// per-provider minimum interval holds across fetches.
pub struct Fetcher {
    config: Config,
    http: Http,
    /// A fixed current time ([`Fetcher::with_now`]); `None`: the clock.
    now: Option<Timestamp>,
    /// Keep bars that jump more than [`validate::MAX_JUMP`] times ([`Fetcher::accept_outliers`]).
    accept_outliers: bool,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .field("now", &self.now)
            .finish()
    }
}

fn range_text(from: Option<Date>, to: Date) -> String {
    match from {
        Some(from) => format!("{from}..{to}"),
        None => format!("the full history up to {to}"),
    }
}

fn intraday_range_text(interval: Interval, from: Option<Timestamp>, to: Timestamp) -> String {
    let t = |t: Timestamp| t.format("%Y-%m-%d %H:%M UTC").to_string();
    match from {
        Some(from) => format!("{interval} bars {}..{}", t(from), t(to)),
        None => format!("{interval} bars up to {}", t(to)),
    }
}

/// The calendar of intraday bars: every day for crypto, else inferred from the New York dates
/// of the bars.
fn intraday_calendar(asset_class: AssetClass, bars: &[IntradayBar]) -> Calendar {
    if asset_class == AssetClass::Crypto {
        return Calendar::EveryDay;
    }
    let mut dates: Vec<Date> = bars.iter().map(|b| new_york_date(b.start)).collect();
    dates.dedup();
    Calendar::infer(&dates)
}

impl Fetcher {
    /// A fetcher with this configuration.
    pub fn new(config: Config) -> Fetcher {
        let http = Http::new(
            ProviderKind::ALL
                .into_iter()
                .map(|k| (k, config.settings(k)))
                .collect(),
        );
        Fetcher {
            config,
            http,
            now: None,
            accept_outliers: false,
        }
    }

    /// The same fetcher keeping (`true`) or refusing (`false`, the default) bars whose close
    /// jumps more than [`validate::MAX_JUMP`] times from the previous one (see [`validate`];
    /// `--accept-outliers`).
    pub fn accept_outliers(mut self, accept: bool) -> Fetcher {
        self.accept_outliers = accept;
        self
    }

    /// The same fetcher with the current time fixed at `now`: limits counted back from now
    /// (Yahoo's intraday history) are counted from `now`. For tests and replays of recorded
    /// data; the clock is used otherwise.
    pub fn with_now(mut self, now: Timestamp) -> Fetcher {
        self.now = Some(now);
        self
    }

    /// The current time: the fixed one, else the clock.
    pub fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(Utc::now)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fetch the bars of `symbol` from one provider, for `[from, to]` (`from = None`: the
    /// provider's full history; Coinbase from 2015-01-01, Binance from 2017-01-01).
    ///
    /// An empty result is not an error here (see [`Fetcher::fetch_chain`]).
    pub fn fetch(
        &self,
        route: &Route,
        symbol: &str,
        from: Option<Date>,
        to: Date,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Fetched, FetchError> {
        if let Some(from) = from {
            if from > to {
                return Err(FetchError::config(format!(
                    "{symbol}: the start date {from} is after the end date {to}"
                )));
            }
        }
        let mut ctx = Ctx {
            http: &self.http,
            route,
            from,
            to,
            progress,
        };
        let raw = (route.provider.spec().fetch)(&mut ctx)?;
        let mut warnings = raw.warnings;
        // Later bars win: Yahoo may append a live bar for the date of the last bar.
        let mut by_date = BTreeMap::new();
        let mut non_finite = 0;
        for bar in raw.bars {
            if !bar.close.is_finite() {
                non_finite += 1;
                continue;
            }
            if from.is_none_or(|f| bar.date >= f) && bar.date <= to {
                by_date.insert(bar.date, bar);
            }
        }
        if non_finite > 0 {
            warnings.push(format!(
                "{}: skipped {non_finite} bar(s) with a non-finite close",
                route.provider
            ));
        }
        let (bars, refused) = validate::screen_bars(
            by_date.into_values().collect::<Vec<DailyBar>>(),
            route.provider == ProviderKind::Fred,
            self.accept_outliers,
            |b| format!("{} {symbol} {}", route.provider, b.date),
        );
        warnings.extend(refused.iter().map(|r| format!("{r}: bar refused")));
        let asset_class = raw.asset_class.unwrap_or(route.asset_class);
        let calendar = raw.calendar.unwrap_or_else(|| {
            if asset_class == AssetClass::Crypto {
                Calendar::EveryDay
            } else {
                Calendar::infer(&bars.iter().map(|b| b.date).collect::<Vec<_>>())
            }
        });
        (ctx.progress)(Progress::Bars { total: bars.len() });
        Ok(Fetched {
            instrument: Instrument {
                symbol: symbol.trim().to_string(),
                provider: route.provider.name().to_string(),
                ticker: route.ticker.clone(),
                asset_class,
                calendar,
                currency: raw.currency,
            },
            bars,
            requests: raw.requests,
            warnings,
            refused,
        })
    }

    /// Fetch `symbol` trying the routes of [`Config::resolve`] in order; the first provider
    /// that returns bars wins. A provider that fails or has no bars in the range passes to the
    /// next one. When all had nothing: [`FetchError::NoData`]; when some failed:
    /// [`FetchError::AllFailed`] listing each provider's error (or, for a one-provider chain,
    /// that provider's error itself).
    pub fn fetch_chain(
        &self,
        symbol: &str,
        forced: Option<ProviderKind>,
        from: Option<Date>,
        to: Date,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Fetched, FetchError> {
        let routes = self.config.resolve(symbol, forced)?;
        run_chain(
            symbol,
            &routes,
            &range_text(from, to),
            progress,
            |_| None,
            |route, progress| self.fetch(route, symbol, from, to, progress),
            |f| f.bars.is_empty(),
        )
    }

    /// Fetch the intraday bars of `symbol` opening in `[from, to]` (`from = None`: as far
    /// back as the provider serves: Yahoo its limit for the interval, from the first midnight
    /// inside it; Coinbase from 2015-01-01; Binance from 2017-01-01), trying the routes of
    /// [`Config::resolve`] in order like [`Fetcher::fetch_chain`]. Requests go no further than
    /// now (a `to` in the future is not paged through); the last bar may still be forming.
    ///
    /// A provider that does not serve `interval` (Coinbase `30m`, Stooq and FRED anything
    /// intraday) is passed over without a request, and so is Yahoo when `from` is older than
    /// it keeps bars of `interval`; their [`FetchError::Unsupported`] is reported as a
    /// [`Progress::Failed`] and listed if every provider fails. [`FetchError::NoData`] when
    /// every provider asked had nothing in the range.
    pub fn fetch_intraday(
        &self,
        symbol: &str,
        interval: Interval,
        from: Option<Timestamp>,
        to: Timestamp,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<FetchedIntraday, FetchError> {
        self.fetch_intraday_chain(symbol, None, interval, from, to, progress)
    }

    /// [`Fetcher::fetch_intraday`] with `forced`: only that provider (`--provider`).
    pub fn fetch_intraday_chain(
        &self,
        symbol: &str,
        forced: Option<ProviderKind>,
        interval: Interval,
        from: Option<Timestamp>,
        to: Timestamp,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<FetchedIntraday, FetchError> {
        check_intraday(symbol, interval, from, to)?;
        let routes = self.config.resolve(symbol, forced)?;
        run_chain(
            symbol,
            &routes,
            &intraday_range_text(interval, from, to),
            progress,
            |route| route.provider.spec().refusal(interval),
            |route, progress| {
                self.fetch_intraday_route(route, symbol, interval, from, to, progress)
            },
            |f| f.bars.is_empty(),
        )
    }

    /// Fetch the intraday bars of `symbol` opening in `[from, to]` from one provider (see
    /// [`Fetcher::fetch_intraday`]). An empty result is not an error here.
    pub fn fetch_intraday_route(
        &self,
        route: &Route,
        symbol: &str,
        interval: Interval,
        from: Option<Timestamp>,
        to: Timestamp,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<FetchedIntraday, FetchError> {
        check_intraday(symbol, interval, from, to)?;
        let spec = route.provider.spec();
        if let Some(refusal) = spec.refusal(interval) {
            return Err(refusal);
        }
        let Some(fetch) = spec.fetch_intraday else {
            return Err(FetchError::config(format!(
                "{}: no intraday fetch for {interval}",
                route.provider
            )));
        };
        let mut ctx = IntradayCtx {
            http: &self.http,
            route,
            interval,
            from,
            to,
            now: self.now(),
            progress,
        };
        let raw = fetch(&mut ctx)?;
        let mut warnings = raw.warnings;
        // One bar per open time; a later one (a later page) wins.
        let mut by_start = BTreeMap::new();
        let mut non_finite = 0;
        for bar in raw.bars {
            if !bar.close.is_finite() {
                non_finite += 1;
                continue;
            }
            if from.is_none_or(|f| bar.start >= f) && bar.start <= to {
                by_start.insert(bar.start, bar);
            }
        }
        if non_finite > 0 {
            warnings.push(format!(
                "{}: skipped {non_finite} bar(s) with a non-finite close",
                route.provider
            ));
        }
        let (bars, refused) = validate::screen_bars(
            by_start.into_values().collect::<Vec<IntradayBar>>(),
            route.provider == ProviderKind::Fred,
            self.accept_outliers,
            |b| {
                format!(
                    "{} {symbol} {}",
                    route.provider,
                    b.start.format("%Y-%m-%dT%H:%MZ")
                )
            },
        );
        warnings.extend(refused.iter().map(|r| format!("{r}: bar refused")));
        let asset_class = raw.asset_class.unwrap_or(route.asset_class);
        (ctx.progress)(Progress::Bars { total: bars.len() });
        Ok(FetchedIntraday {
            instrument: Instrument {
                symbol: symbol.trim().to_string(),
                provider: route.provider.name().to_string(),
                ticker: route.ticker.clone(),
                asset_class,
                calendar: intraday_calendar(asset_class, &bars),
                currency: raw.currency,
            },
            interval,
            bars,
            requests: raw.requests,
            warnings,
            refused,
        })
    }
}

/// The checks of an intraday request that do not depend on the provider.
fn check_intraday(
    symbol: &str,
    interval: Interval,
    from: Option<Timestamp>,
    to: Timestamp,
) -> Result<(), FetchError> {
    if !interval.is_intraday() {
        return Err(FetchError::config(format!(
            "{symbol}: {interval} is not an intraday interval (daily bars are fetched with \
             Fetcher::fetch_chain)"
        )));
    }
    if let Some(from) = from {
        if from > to {
            return Err(FetchError::config(format!(
                "{symbol}: the start time {from} is after the end time {to}"
            )));
        }
    }
    Ok(())
}

/// Try `routes` in order: the first that returns a non-empty result wins.
///
/// `refuse` passes over a route without asking it (its error is kept); `fetch` asks one route.
/// A [`FetchError::Unsupported`] from `fetch` also counts as passed over. When every route
/// asked had nothing: [`FetchError::NoData`] naming them; when one error in all: that error;
/// else [`FetchError::AllFailed`] with every error in chain order.
fn run_chain<T>(
    symbol: &str,
    routes: &[Route],
    range: &str,
    progress: &mut dyn FnMut(Progress),
    refuse: impl Fn(&Route) -> Option<FetchError>,
    mut fetch: impl FnMut(&Route, &mut dyn FnMut(Progress)) -> Result<T, FetchError>,
    is_empty: impl Fn(&T) -> bool,
) -> Result<T, FetchError> {
    let mut errors = Vec::new();
    let mut empty = Vec::new();
    let mut asked = 0;
    for route in routes {
        if let Some(e) = refuse(route) {
            progress(Progress::Failed {
                provider: route.provider,
                message: e.to_string(),
            });
            errors.push(e);
            continue;
        }
        progress(Progress::Provider {
            provider: route.provider,
            ticker: route.ticker.clone(),
        });
        match fetch(route, progress) {
            Ok(f) if !is_empty(&f) => return Ok(f),
            Ok(_) => {
                asked += 1;
                progress(Progress::Failed {
                    provider: route.provider,
                    message: format!("no data for {range}"),
                });
                empty.push(route.provider.name().to_string());
                errors.push(FetchError::NoData {
                    symbol: route.ticker.clone(),
                    range: range.to_string(),
                    tried: vec![route.provider.name().to_string()],
                });
            }
            Err(e) => {
                if !e.is_unsupported() {
                    asked += 1;
                }
                progress(Progress::Failed {
                    provider: route.provider,
                    message: e.to_string(),
                });
                errors.push(e);
            }
        }
    }
    if asked > 0 && empty.len() == asked {
        return Err(FetchError::NoData {
            symbol: symbol.trim().to_string(),
            range: range.to_string(),
            tried: empty,
        });
    }
    if errors.len() == 1 {
        if let Some(e) = errors.pop() {
            return Err(e);
        }
    }
    Err(FetchError::AllFailed {
        symbol: symbol.trim().to_string(),
        errors,
    })
}
