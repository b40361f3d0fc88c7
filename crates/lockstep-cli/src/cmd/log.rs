//! `lockstep log`: the fetch log: every fetch, its outcome and what it changed.

use anyhow::Result;
use clap::Args as ClapArgs;

use super::common::Format;
use super::Cx;
use crate::output::show;
use lockstep_report::view::{Listing, Look};

/// `lockstep log`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Only this symbol.
    pub symbol: Option<String>,
    /// The latest N entries.
    #[arg(long, default_value_t = 20)]
    pub tail: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Print the latest entries of the fetch log.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let entries = cx
        .session
        .with_store(|s| Ok::<_, anyhow::Error>(s.fetch_log(args.symbol.as_deref(), args.tail)?))?;
    let header = [
        "id",
        "symbol",
        "provider",
        "finished_at",
        "status",
        "received",
        "added",
        "revised",
        "message",
    ];
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.symbol.clone(),
                e.provider.clone(),
                e.finished_at.clone(),
                e.status.clone(),
                e.received.to_string(),
                e.added.to_string(),
                e.revised.to_string(),
                e.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    show(
        &Listing {
            title: None,
            header: &header,
            rows,
            records: &entries,
            empty: None,
        },
        args.format,
        Look::default(),
    )
}
