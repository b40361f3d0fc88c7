//! `lockstep fetch`: fetch symbols into the store, or refresh what is new, with progress bars
//! and a summary per symbol.

use std::fmt::Write as _;

use anyhow::{bail, Result};
use clap::Args as ClapArgs;
use lockstep_session::{spinner, FetchSummary};

use super::common::{Format, SourceArgs};
use super::store::opt;
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
LOCKSTEP_STOOQ_URL, LOCKSTEP_FRED_URL (these win).";

/// `lockstep fetch`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Symbols to fetch or refresh (ETH-USD, ^RUT, IWM, fred:DGS2, ...).
    #[arg(required = true)]
    pub symbols: Vec<String>,
    /// Fetch from this date (YYYY-MM-DD) instead of the last stored date; without it a
    /// symbol not yet stored gets its full history.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
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
    let multi = indicatif::MultiProgress::new();
    let mut done: Vec<FetchSummary> = Vec::new();
    let mut failed: Vec<(String, anyhow::Error)> = Vec::new();
    for symbol in &args.symbols {
        let bar = multi.add(spinner());
        match ctx.fetch_symbol(symbol, args.since, forced, &bar) {
            Ok(s) => {
                bar.finish_and_clear();
                done.push(s);
            }
            Err(e) => {
                bar.finish_and_clear();
                failed.push((symbol.clone(), e.into()));
            }
        }
    }
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
    show(
        &Listing {
            header: &header,
            rows,
            records: &done,
            empty: None,
        },
        args.format,
        Look::default(),
    )?;
    if failed.is_empty() {
        return Ok(());
    }
    // What succeeded is printed above; fail with every error.
    let mut msg = format!(
        "{} of {} symbol(s) failed",
        failed.len(),
        args.symbols.len()
    );
    for (symbol, e) in &failed {
        let _ = write!(msg, "\n  {symbol}: {e:#}");
    }
    bail!(msg)
}
