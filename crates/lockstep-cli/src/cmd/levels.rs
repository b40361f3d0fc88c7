//! `lockstep levels`: support and resistance levels of one series and the volume-confirmed
//! breakouts through them.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::structure;
use lockstep_report::view::{self, Look};

use super::common::{Format, InputArgs, LevelArgs, SourceArgs};
use super::Cx;

/// The rules of `levels --help`.
pub const LONG_HELP: &str = "\
Pivots: a swing high at bar i is strictly above the --pivot bars before it and at or above the
--pivot bars after it (a swing low mirrors it); highs and lows are used where the series has
them, else closes. A pivot is known only --pivot bars after it.
Levels: pivots sorted by price are clustered while a pivot lies within --atr-mult × ATR(14)
(Wilder, on the pivot's own date) of the cluster mean; a cluster with at least --min-touches
pivots is a level at the mean of their prices; support below the last close, resistance at
or above it; distance = (level / last close - 1) × 100.
Breakouts: on day t, the levels known from the pivots confirmed by t-1; a close crossing one
(previous close at or below, close above, or the reverse) with volume above the mean of the
previous 20 days is a confirmed breakout; without volume data a crossing is listed as
unconfirmed. CSV: the levels (kind,price,distance_pct,touches,first_touch,last_touch), or
with --breakouts the breakouts.";

/// `lockstep levels`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A symbol, a ratio or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub symbol: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows: the N levels nearest the last close and the N latest breakouts (0 = all).
    #[arg(long, default_value_t = 12)]
    pub rows: usize,
    /// CSV/table of the breakouts instead of the levels (CSV: date,direction,level,touches,
    /// prev_close,close,volume_ratio,confirmed).
    #[arg(long)]
    pub breakouts: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub levels: LevelArgs,
}

/// Load the series and print its levels or breakouts.
pub fn run(cx: &Cx, l: &Args) -> Result<()> {
    let series = cx
        .session
        .load(&l.symbol, &l.input.csv(), l.source.provider()?)?;
    let mut options = lockstep_report::StructureOptions::default();
    l.levels.set_structure(&mut options);
    let rep = structure::levels_report(&series, &options.levels)
        .with_context(|| format!("cannot find the levels of {}", series.name))?;
    let look = Look::new(l.rows, cx.color);
    if l.breakouts {
        crate::output::show(&view::Breakouts(&rep), l.format, look)
    } else {
        crate::output::show(&rep, l.format, look)
    }
}
