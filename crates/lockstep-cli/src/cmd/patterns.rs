//! `lockstep patterns`: cup-and-handle patterns, the trend and the bottoming test of a price
//! or a ratio.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::structure;
use lockstep_report::view::Look;

use super::common::{Format, InputArgs, PivotArgs, SourceArgs};
use super::Cx;

/// The rules of `patterns --help`.
pub const LONG_HELP: &str = "\
Cup-and-handle (closes): left rim = a swing high (5 bars each side); the cup falls 12-50%
below it and comes back within 5% of it 30-250 bars later (right rim); at least 40% of the
cup's closes lie in its lower third (a rounded bottom, not a V); the handle retraces at most
a third of the cup's depth and lasts at most half the cup; confirmed at the first close
above the rim level after at least 5 handle bars, failed at a close below the handle floor,
forming until either happens.
Trend: OLS slope of ln(price) over the last 30 observations (% per observation) and the
distance from the 200-observation simple average.
Bottoming: the last new 365-day low (within the last 365 days), a rebound of at least 5%,
then a higher swing low whose RSI(14) is above the RSI at the new low (bullish divergence);
confirmed when the last value is above the highest value between the two lows.";

/// `lockstep patterns`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A symbol, a ratio (ETH-USD/BTC-USD) or a CSV file.
    #[arg(default_value = "ETH-USD/BTC-USD")]
    pub symbol: String,
    /// Output format (CSV: one row per cup-and-handle).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub pivot: PivotArgs,
}

/// Load the series and print its patterns.
pub fn run(cx: &Cx, p: &Args) -> Result<()> {
    let series = cx
        .session
        .load(&p.symbol, &p.input.csv(), p.source.provider()?)?;
    let mut options = lockstep_report::StructureOptions::default();
    p.pivot.set_structure(&mut options);
    let rep = structure::patterns_report(&series, &options)
        .with_context(|| format!("cannot find the patterns of {}", series.name))?;
    crate::output::show(&rep, p.format, Look::new(0, cx.color))
}
