//! `lockstep fetch`: fetch symbols' daily or intraday (`--interval`) bars into the store, or
//! refresh what is new, with progress bars and a summary per symbol.

use std::fmt::Write as _;

use anyhow::{bail, Result};
use clap::Args as ClapArgs;
use lockstep_core::Interval;
use lockstep_fetch::ProviderKind;
use lockstep_session::spinner;

use super::common::{Format, SourceArgs};
use super::store::{any_interval, intraday, opt, rfc3339};
use super::Cx;
use crate::output::show;
use lockstep_report::view::{Listing, Look};

/// The symbols, store and configuration of `fetch --help`.
pub const LONG_HELP: &str = "\
Symbols: ETH-USD, BTC-USD (crypto: yahoo, then coinbase, then binance), ^RUT, ^GSPC, ^NDX,
IWM, SPY, GLD (yahoo, then stooq), fred:DGS2 (FRED). A ratio A/B (ETH-USD/BTC-USD) is the
two series divided on their common dates. Anywhere a symbol is accepted, a CSV path is too.

Store and configuration: $LOCKSTEP_HOME/lockstep.db and $LOCKSTEP_HOME/config.toml
(default home: the platform data directory + /lockstep). Provider base URLs: the config's
[providers.NAME] url, or LOCKSTEP_YAHOO_URL, LOCKSTEP_COINBASE_URL, LOCKSTEP_BINANCE_URL,
LOCKSTEP_STOOQ_URL, LOCKSTEP_FRED_URL (these win).

Intraday bars (--interval 1h|30m|15m|5m|1m): Yahoo (60m for the last 730 days, 5m-30m for 60
days, 1m for 30 days in 7-day requests; asking further back is an error naming the limit),
Binance klines (all five, paged) and Coinbase candles (no 30m). Bars are labelled by their
open time (UTC), as the providers label them; a bar still forming is not stored. Without
--since a symbol's stored bars of the interval are refreshed from the last one minus 24 bars;
with none stored, the last 730 days of 1h, 60 days of 5m-30m, 7 days of 1m are fetched.";

/// `lockstep fetch`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Symbols to fetch or refresh (ETH-USD, ^RUT, IWM, fred:DGS2, ...).
    #[arg(required = true)]
    pub symbols: Vec<String>,
    /// Fetch from this date (YYYY-MM-DD; 00:00 UTC for intraday bars) instead of the last
    /// stored date; without it a symbol not yet stored gets its full history (intraday: a
    /// lookback the providers serve).
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// Bar interval: 1d (daily bars, the default), or intraday 1h, 30m, 15m, 5m, 1m.
    #[arg(long, value_name = "INTERVAL", value_parser = any_interval)]
    pub interval: Option<Interval>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Every symbol is tried; the summary of those fetched is printed, and the command fails
/// (exit 1) if any failed.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let ctx = &cx.session;
    let forced = args.source.provider()?;
    if ctx.offline {
        bail!("lockstep fetch needs the network; drop --offline");
    }
    if let Some(interval) = intraday(args.interval) {
        return run_intraday(cx, args, interval, forced);
    }
    let (done, failed) = each_symbol(args, |symbol, bar| {
        Ok(ctx.fetch_symbol(symbol, args.since, forced, bar)?)
    });
    let header = [
        "symbol",
        "provider",
        "from",
        "received",
        "added",
        "revised",
        "unchanged",
        "first",
        "last",
        "bars",
    ];
    let rows: Vec<Vec<String>> = done
        .iter()
        .map(|s| {
            vec![
                s.symbol.clone(),
                s.provider.clone(),
                s.from
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "start".into()),
                s.stats.received.to_string(),
                s.stats.added.to_string(),
                s.stats.revised.to_string(),
                s.stats.unchanged.to_string(),
                opt(s.first),
                opt(s.last),
                s.bars.to_string(),
            ]
        })
        .collect();
    summary(args, &header, rows, &done, &failed)
}

/// `fetch --interval`: every symbol's intraday bars of `interval`, with the summary of
/// `fetch` and an `interval` column; times are RFC 3339 in UTC.
fn run_intraday(
    cx: &Cx,
    args: &Args,
    interval: Interval,
    forced: Option<ProviderKind>,
) -> Result<()> {
    let ctx = &cx.session;
    let (done, failed) = each_symbol(args, |symbol, bar| {
        Ok(ctx.fetch_intraday(symbol, interval, args.since, forced, bar)?)
    });
    let header = [
        "symbol",
        "interval",
        "provider",
        "from",
        "received",
        "added",
        "revised",
        "unchanged",
        "first",
        "last",
        "bars",
    ];
    let rows: Vec<Vec<String>> = done
        .iter()
        .map(|s| {
            vec![
                s.symbol.clone(),
                s.interval.to_string(),
                s.provider.clone(),
                rfc3339(s.from),
                s.stats.received.to_string(),
                s.stats.added.to_string(),
                s.stats.revised.to_string(),
                s.stats.unchanged.to_string(),
                opt(s.first.map(rfc3339)),
                opt(s.last.map(rfc3339)),
                s.bars.to_string(),
            ]
        })
        .collect();
    summary(args, &header, rows, &done, &failed)
}

/// Fetch every symbol with `fetch`, each under its own progress bar: what succeeded, and
/// each failed symbol with its error (every symbol is tried).
fn each_symbol<T>(
    args: &Args,
    fetch: impl Fn(&str, &indicatif::ProgressBar) -> Result<T>,
) -> (Vec<T>, Vec<(String, anyhow::Error)>) {
    let multi = indicatif::MultiProgress::new();
    let (mut done, mut failed) = (Vec::new(), Vec::new());
    for symbol in &args.symbols {
        let bar = multi.add(spinner());
        let r = fetch(symbol, &bar);
        bar.finish_and_clear();
        match r {
            Ok(s) => done.push(s),
            Err(e) => failed.push((symbol.clone(), e)),
        }
    }
    (done, failed)
}

/// Print the summary of what was fetched, then fail with every failed symbol's error.
fn summary<T: serde::Serialize>(
    args: &Args,
    header: &[&str],
    rows: Vec<Vec<String>>,
    done: &[T],
    failed: &[(String, anyhow::Error)],
) -> Result<()> {
    show(
        &Listing {
            title: None,
            header,
            rows,
            records: done,
            empty: None,
        },
        args.format,
        Look::default(),
    )?;
    fail_with(failed, args.symbols.len())
}

/// What succeeded is printed before: fail with every symbol's error, if any.
fn fail_with(failed: &[(String, anyhow::Error)], asked: usize) -> Result<()> {
    if failed.is_empty() {
        return Ok(());
    }
    let mut msg = format!("{} of {asked} symbol(s) failed", failed.len());
    for (symbol, e) in failed {
        let _ = write!(msg, "\n  {symbol}: {e:#}");
    }
    bail!(msg)
}
