//! `lockstep list`: the stored symbols with their provider, dates, bars and last refresh.

use anyhow::Result;
use clap::Args as ClapArgs;

use super::common::Format;
use super::store::opt;
use super::Cx;
use crate::output::show;
use lockstep_report::view::{Listing, Look};

/// `lockstep list`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// List the store.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let ctx = &cx.session;
    let listing = ctx.with_store(|s| Ok::<_, anyhow::Error>(s.list()?))?;
    let header = [
        "symbol",
        "provider",
        "ticker",
        "class",
        "first",
        "last",
        "bars",
        "last_refresh",
    ];
    let rows: Vec<Vec<String>> = listing
        .iter()
        .map(|l| {
            vec![
                l.instrument.symbol.clone(),
                l.instrument.provider.clone(),
                l.instrument.ticker.clone(),
                l.instrument.asset_class.name().to_string(),
                opt(l.first),
                opt(l.last),
                l.bars.to_string(),
                l.last_refresh.clone().unwrap_or_default(),
            ]
        })
        .collect();
    show(
        &Listing {
            header: &header,
            rows,
            records: &listing,
            empty: Some(format!(
                "the store {} is empty: `lockstep fetch ETH-USD ^RUT` fills it",
                ctx.db_path()?.display()
            )),
        },
        args.format,
        Look::default(),
    )
}
