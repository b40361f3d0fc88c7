//! `lockstep levels`: the key support and resistance levels of one series (ranked by a
//! documented score) and the breakouts through them (closes clearing a level by a margin of
//! ATRs for a number of days).

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
Score (each component in [0, 1]):
  score    = 0.35 touches + 0.25 recency + 0.15 volume + 0.25 distance
  touches  = min(n - 1, 5) / 5          n = pivots of the level
  recency  = 2^(-a / 250)               a = bars since the latest touch
  volume   = r / (1 + r)                r = mean relative volume of the touch bars (volume
                                        over its mean of the 20 bars before; 0.5 if unknown)
  distance = 1 / (1 + d / 5)            d = |level - last close| / ATR(14) of the last bar
Shown: the --nearest N (default 3) best-scored levels below the last close and N at or above
it, highest score first (--all: every level).
Breakouts: on day t, the levels known from the pivots confirmed by t-1. A close clears a level
upwards when above level + --margin-atr × ATR(14) of its day (default 0.5), downwards when
below level - margin. A breakout is called on the --hold-th consecutive clearing close
(default 2) if the level's side (that of the latest run of --hold clearing closes) was not
already that way: a whipsaw around a level is one event, and a second breakout the same way
needs a breakout the other way first. Volume (over its 20-day mean, on the first clearing
close) is reported, confirmed when above 1; it does not decide the event. On the data in
../shared/data (old rule: every close through a level on above-average volume) the breakouts
went ETH-USD 577 -> 334, ^RUT 2309 -> 1510, IWM 1452 -> 883, SPY 1478 -> 895.
CSV: the levels (kind,price,distance_pct,touches,first_touch,last_touch,score,score_touches,
score_recency,score_volume,score_distance,bars_since_touch,touch_volume,distance_atr), or with
--breakouts the breakouts (date,since,direction,level,touches,prev_close,close,margin,
volume_ratio,confirmed).";

/// `lockstep levels`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A symbol, a ratio or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub symbol: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows: the N latest breakouts (0 = all).
    #[arg(long, default_value_t = 12)]
    pub rows: usize,
    /// Levels shown on each side of the last close: the N best-scored below it and N at or
    /// above it.
    #[arg(long, value_name = "N", default_value_t = lockstep_structure::DEFAULT_PER_SIDE)]
    pub nearest: usize,
    /// Every level, highest score first (instead of --nearest).
    #[arg(long, conflicts_with = "nearest")]
    pub all: bool,
    /// CSV/table of the breakouts instead of the levels (CSV: date,since,direction,level,
    /// touches,prev_close,close,margin,volume_ratio,confirmed).
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
    let per_side = (!l.all).then_some(l.nearest);
    let rep = structure::levels_report(&series, &options.levels, per_side)
        .with_context(|| format!("cannot find the levels of {}", series.name))?;
    let look = Look::new(l.rows, cx.color);
    if l.breakouts {
        crate::output::show(&view::Breakouts(&rep), l.format, look)
    } else {
        crate::output::show(&rep, l.format, look)
    }
}
