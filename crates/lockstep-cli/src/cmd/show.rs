//! `lockstep show`: the latest stored bars of a symbol, daily or of one intraday interval.

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_core::Interval;

use super::common::Format;
use super::store::{
    any_interval, bar_row, intraday, intraday_bar_row, stored_bars, stored_intraday, BAR_HEADER,
    INTRADAY_BAR_HEADER, OPEN_TIME_NOTE,
};
use super::Cx;
use crate::output::show;
use lockstep_report::view::{Listing, Look};

/// `lockstep show`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A stored symbol.
    pub symbol: String,
    /// The latest N bars (0 = all).
    #[arg(long, visible_alias = "rows", default_value_t = 10)]
    pub tail: usize,
    /// Bars of this interval: 1d (the daily bars, the default), or 1h, 30m, 15m, 5m, 1m
    /// (a `time` column: each bar's open time, RFC 3339 in UTC).
    #[arg(long, value_name = "INTERVAL", value_parser = any_interval)]
    pub interval: Option<Interval>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Print the symbol's latest bars.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let latest = |n: usize| {
        if args.tail == 0 {
            0
        } else {
            n.saturating_sub(args.tail)
        }
    };
    if let Some(interval) = intraday(args.interval) {
        let bars = stored_intraday(&cx.session, &args.symbol, interval)?;
        let bars = &bars[latest(bars.len())..];
        let rows: Vec<Vec<String>> = bars.iter().map(intraday_bar_row).collect();
        return show(
            &Listing {
                title: Some(format!("{} {interval} bars; {OPEN_TIME_NOTE}", args.symbol)),
                header: &INTRADAY_BAR_HEADER,
                rows,
                records: bars,
                empty: None,
            },
            args.format,
            Look::default(),
        );
    }
    let bars = stored_bars(&cx.session, &args.symbol)?;
    let bars = &bars[latest(bars.len())..];
    let rows: Vec<Vec<String>> = bars.iter().map(bar_row).collect();
    show(
        &Listing {
            title: None,
            header: &BAR_HEADER,
            rows,
            records: bars,
            empty: None,
        },
        args.format,
        Look::default(),
    )
}
