//! `lockstep liquidity`: Fed net liquidity (balance sheet − TGA − reverse repo), weekly, with
//! its changes and z-score.

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::view::Look;

use super::common::{Format, LiquiditySeries};
use super::Cx;

/// The definition of `liquidity --help`.
pub const LONG_HELP: &str = "\
Net liquidity = WALCL - WTREGEN - RRPONTSYD, in millions of USD, on WALCL's Wednesdays.
FRED units: WALCL and WTREGEN in millions (older WTREGEN vintages: billions, use
--tga-units billions), RRPONTSYD in billions (× 1000). The TGA and RRP value of a week is
the one on that Wednesday, else the last one of the week ending on it; a week without one is
skipped and counted. Changes over 4 and 13 weeks are by date (28 and 91 days back); z is the
13-week change against its last 52 weeks (sample standard deviation).
In analyze: each leg's weekly log return (last close on or before each Wednesday) against
the weekly change in net liquidity, over all history and the last 52 weeks, with a 95%
Fisher-z interval.";

/// `lockstep liquidity`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub series: LiquiditySeries,
    /// Output format (CSV: one row per week, units in the column names).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows (the latest N weeks; 0 = all).
    #[arg(long, default_value_t = 13)]
    pub rows: usize,
}

/// Load the three series and print net liquidity.
pub fn run(cx: &Cx, l: &Args) -> Result<()> {
    let net = cx.session.liquidity(&l.series.spec(), true)?;
    crate::output::show(&net, l.format, Look::new(l.rows, cx.color))
}
