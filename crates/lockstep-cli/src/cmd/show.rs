//! `lockstep show`: the latest stored bars of a symbol.

use anyhow::Result;
use clap::Args as ClapArgs;

use super::common::Format;
use super::store::{bar_row, stored_bars, BAR_HEADER};
use super::Cx;
use crate::output::show;
use lockstep_report::view::{Listing, Look};

/// `lockstep show`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A stored symbol.
    pub symbol: String,
    /// The latest N bars (0 = all).
    #[arg(long, default_value_t = 10)]
    pub tail: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Print the symbol's latest bars.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let bars = stored_bars(&cx.session, &args.symbol)?;
    let start = if args.tail == 0 {
        0
    } else {
        bars.len().saturating_sub(args.tail)
    };
    let bars = &bars[start..];
    let rows: Vec<Vec<String>> = bars.iter().map(bar_row).collect();
    show(
        &Listing {
            header: &BAR_HEADER,
            rows,
            records: bars,
            empty: None,
        },
        args.format,
        Look::default(),
    )
}
