//! `lockstep remove`: delete symbols and their bars from the store, or only the bars of one
//! intraday interval (`--interval`).

use std::fmt::Write as _;

use anyhow::{bail, Result};
use clap::Args as ClapArgs;
use lockstep_core::Interval;

use super::store::intraday_interval;
use super::Cx;

/// `lockstep remove`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Symbols to delete.
    #[arg(required = true)]
    pub symbols: Vec<String>,
    /// Delete only the bars of this intraday interval (1h, 30m, 15m, 5m, 1m) and its fetch
    /// log; the daily bars and the other intervals stay. A symbol left without any bar is
    /// removed.
    #[arg(long, value_name = "INTERVAL", value_parser = intraday_interval)]
    pub interval: Option<Interval>,
}

/// Delete each symbol, or its bars of `--interval` (failing at the first one not stored), and
/// say so.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let mut out = String::new();
    for symbol in &args.symbols {
        if let Some(interval) = args.interval {
            let removed = cx
                .session
                .with_store(|s| Ok::<_, anyhow::Error>(s.remove_interval(symbol, interval)?))?;
            match removed {
                None => bail!("{symbol} is not in the store"),
                Some(0) => bail!("{symbol} has no {interval} bars in the store"),
                Some(n) => {
                    let _ = writeln!(out, "removed the {interval} bars of {symbol} ({n} bars)");
                }
            }
            continue;
        }
        if !cx
            .session
            .with_store(|s| Ok::<_, anyhow::Error>(s.remove(symbol)?))?
        {
            bail!("{symbol} is not in the store");
        }
        let _ = writeln!(out, "removed {symbol}");
    }
    crate::output::print(&out)
}
