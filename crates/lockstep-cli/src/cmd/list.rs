//! `lockstep list`: the stored symbols, one row per interval (daily bars and each intraday
//! interval) with its provider, range, bars and last refresh.

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_core::Interval;
use lockstep_store::{IntervalListing, Listing};
use serde::Serialize;

use super::common::Format;
use super::store::{opt, rfc3339};
use super::Cx;
use crate::output::show;
use lockstep_report::view::{self, Look};

/// `lockstep list`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One stored symbol in `list --format json`: the store's listing (the daily range, as before
/// intervals were stored) and the range of every interval.
#[derive(Serialize)]
struct Entry {
    #[serde(flatten)]
    listing: Listing,
    /// Every interval with bars: daily first, then intraday from the coarsest; `first` and
    /// `last` are open times in UTC (00:00 UTC of the date for `1d`).
    ranges: Vec<IntervalListing>,
    /// Whether the symbol's bars are refreshed from a provider when stale: not an imported
    /// one until `lockstep fetch SYMBOL --provider P` attaches a provider.
    refreshes: bool,
}

/// The columns of `list`: those of the daily listing, in their places, then the interval.
const HEADER: [&str; 10] = [
    "symbol",
    "provider",
    "ticker",
    "class",
    "first",
    "last",
    "bars",
    "last_refresh",
    "interval",
    "refreshes",
];

/// List the store.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let ctx = &cx.session;
    let entries = ctx.with_store(|s| {
        let mut out = Vec::new();
        for listing in s.list()? {
            let mut ranges = s.intervals(&listing.instrument.symbol)?;
            // The store lists the finest first and 1d last: daily first here, then 1h .. 1m.
            ranges.reverse();
            let refreshes = listing.instrument.provider != "import";
            out.push(Entry {
                listing,
                ranges,
                refreshes,
            });
        }
        Ok::<_, anyhow::Error>(out)
    })?;
    let rows: Vec<Vec<String>> = entries.iter().flat_map(rows_of).collect();
    let title = entries.iter().any(|e| !e.refreshes).then(|| {
        "refreshes: no = imported from a file; `lockstep fetch SYMBOL --provider yahoo` \
         attaches a provider and continues its history"
            .to_string()
    });
    show(
        &view::Listing {
            title,
            header: &HEADER,
            rows,
            records: &entries,
            empty: Some(format!(
                "the store {} is empty: `lockstep fetch ETH-USD ^RUT` fills it",
                ctx.db_path()?.display()
            )),
        },
        args.format,
        Look::default(),
    )
}

/// The rows of one symbol: its daily bars as before (dates, and `1d` in the last column),
/// then one row per intraday
/// interval (open times, RFC 3339 UTC; the provider of the interval's last bar, and the ticker
/// only when it is the daily provider's and not a file). A symbol without any bar keeps one row with an
/// empty interval.
fn rows_of(e: &Entry) -> Vec<Vec<String>> {
    let l = &e.listing;
    let i = &l.instrument;
    let row = |provider: &str, ticker: &str, interval: &str, first, last, bars, refresh| {
        vec![
            i.symbol.clone(),
            provider.to_string(),
            ticker.to_string(),
            i.asset_class.name().to_string(),
            first,
            last,
            bars,
            refresh,
            interval.to_string(),
            if provider == "import" { "no" } else { "yes" }.to_string(),
        ]
    };
    if e.ranges.is_empty() {
        return vec![row(
            &i.provider,
            &i.ticker,
            "",
            String::new(),
            String::new(),
            l.bars.to_string(),
            l.last_refresh.clone().unwrap_or_default(),
        )];
    }
    e.ranges
        .iter()
        .map(|r| {
            if r.interval == Interval::D1 {
                row(
                    &i.provider,
                    &i.ticker,
                    "1d",
                    opt(l.first),
                    opt(l.last),
                    l.bars.to_string(),
                    l.last_refresh.clone().unwrap_or_default(),
                )
            } else {
                // An import's ticker is the file of the daily bars.
                let ticker = if r.provider == i.provider && i.provider != "import" {
                    i.ticker.as_str()
                } else {
                    ""
                };
                row(
                    &r.provider,
                    ticker,
                    r.interval.name(),
                    rfc3339(r.first),
                    rfc3339(r.last),
                    r.bars.to_string(),
                    r.last_refresh.clone().unwrap_or_default(),
                )
            }
        })
        .collect()
}
