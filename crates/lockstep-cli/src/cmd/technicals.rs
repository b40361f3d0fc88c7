//! `lockstep technicals`: the TA-Lib compatible momentum indicators of one series per date.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::view::Look;
use lockstep_report::{technicals, TechnicalsOptions};

use super::common::{check_macd, InputArgs, RowsArgs, SourceArgs};
use super::{Cx, Usage};

/// `lockstep technicals`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A symbol, a ratio or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub symbol: String,
    /// RSI period.
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    pub rsi: u32,
    /// MACD fast,slow,signal periods.
    #[arg(long, default_value = "12,26,9", value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub macd: Vec<u32>,
    #[command(flatten)]
    pub output: RowsArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

impl Args {
    /// `--macd` holds three periods.
    pub fn check(&self) -> Result<(), Usage> {
        check_macd(&self.macd)
    }
}

/// Load the series and print its indicators.
pub fn run(cx: &Cx, t: &Args) -> Result<()> {
    let series = cx
        .session
        .load(&t.symbol, &t.input.csv(), t.source.provider()?)?;
    let &[fast, slow, signal] = t.macd.as_slice() else {
        anyhow::bail!("--macd takes three periods: fast,slow,signal");
    };
    let opts = TechnicalsOptions {
        rsi: t.rsi as usize,
        macd: (fast as usize, slow as usize, signal as usize),
        ..TechnicalsOptions::default()
    };
    let tech = technicals(&series, &opts)
        .with_context(|| format!("cannot compute the indicators of {}", series.name))?;
    crate::output::show(&tech, t.output.format, Look::new(t.output.rows, cx.color))
}
