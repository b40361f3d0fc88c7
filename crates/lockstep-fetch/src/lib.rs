//! Market-data providers for Lockstep: the Yahoo Finance chart API, Coinbase Exchange candles,
//! Binance klines, Stooq daily CSV and FRED graph CSV.
//!
//! * [`Config`] reads `$LOCKSTEP_HOME/config.toml` (optional) and the `LOCKSTEP_<PROVIDER>_URL`
//!   environment overrides, and [`Config::resolve`]s a symbol into a fallback chain of
//!   [`Route`]s.
//! * [`Fetcher`] fetches daily bars over HTTP with connect/read timeouts, retries with
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
mod yahoo;

use std::collections::BTreeMap;
use std::time::Duration;

use lockstep_core::{AssetClass, Calendar, DailyBar, Date, Instrument};

pub use config::{
    Config, ProviderConfig, ProviderSettings, ProvidersConfig, RawTable, RegimesConfig, Route,
    SymbolConfig, KNOWN_CRYPTO,
};
pub use error::FetchError;
pub use provider::{ProviderKind, ProviderSpec};
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
    /// Things to show the user (skipped null bars, missing FRED observations).
    pub warnings: Vec<String>,
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

/// Fetches daily bars from the providers. Holds one HTTP agent per provider (with its
/// timeouts) and the rate-limit state; share one `Fetcher` (it is `Sync`) so that the
/// per-provider minimum interval holds across fetches.
pub struct Fetcher {
    config: Config,
    http: Http,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish()
    }
}

fn range_text(from: Option<Date>, to: Date) -> String {
    match from {
        Some(from) => format!("{from}..{to}"),
        None => format!("the full history up to {to}"),
    }
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
        Fetcher { config, http }
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
        let bars: Vec<DailyBar> = by_date.into_values().collect();
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
        let mut errors = Vec::new();
        let mut empty = Vec::new();
        for route in &routes {
            progress(Progress::Provider {
                provider: route.provider,
                ticker: route.ticker.clone(),
            });
            match self.fetch(route, symbol, from, to, progress) {
                Ok(f) if !f.bars.is_empty() => return Ok(f),
                Ok(_) => {
                    progress(Progress::Failed {
                        provider: route.provider,
                        message: format!("no data for {}", range_text(from, to)),
                    });
                    empty.push(route.provider.name().to_string());
                    errors.push(FetchError::NoData {
                        symbol: route.ticker.clone(),
                        range: range_text(from, to),
                        tried: vec![route.provider.name().to_string()],
                    });
                }
                Err(e) => {
                    progress(Progress::Failed {
                        provider: route.provider,
                        message: e.to_string(),
                    });
                    errors.push(e);
                }
            }
        }
        if empty.len() == routes.len() {
            return Err(FetchError::NoData {
                symbol: symbol.trim().to_string(),
                range: range_text(from, to),
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
}
