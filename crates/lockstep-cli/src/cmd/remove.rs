//! `lockstep remove`: delete symbols and their bars from the store.

use std::fmt::Write as _;

use anyhow::{bail, Result};
use clap::Args as ClapArgs;

use super::Cx;

/// `lockstep remove`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Symbols to delete.
    #[arg(required = true)]
    pub symbols: Vec<String>,
}

/// Delete each symbol (failing at the first one not stored) and say so.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    let mut out = String::new();
    for symbol in &args.symbols {
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
