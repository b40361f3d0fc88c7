//! `lockstep signals`: rule-based signals of a pair on every aligned date (the built-in
//! rules or a TOML file).

use lockstep_report::view::Look;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args as ClapArgs;

use super::common::{
    pair_params, ClockArgs, ControlArgs, FormatArgs, InputArgs, Legs, MeasuresArgs, NoRateArgs,
    SourceArgs,
};
use super::{pair_signals, read_rules, Cx, Usage};

/// The measurements and the rule grammar of `signals --help`.
pub const LONG_HELP: &str = "\
Measurements (one value per aligned date, known at that date's close): corr_W and beta_W
for each --window (with --control also pcorr_W, the partial correlation given the controls), close_a/b, sma200_a/b, rsi_a/b, macd_hist_a/b, rel_volume_a/b (volume over
its previous 20-day mean), resistance_a/b and support_a/b (nearest levels around the previous
close, known at the previous close), breakout_up_a/b (upward breakouts of the leg since the
previous date, by the rule of `lockstep levels --help`), risk_on (1/0), net_liquidity and
liquidity_change_4w (millions of USD, from the day after each Wednesday, carried forward until
the next week: the CSV's last column liquidity_as_of is the Wednesday each row's values are
from), best_lag.
Rules (TOML): [conditions.NAME] measure = \"corr_30\" with op = \">\" and value = 0.5 (or
than = \"resistance_a\"), or rising = K / falling = K (against K rows earlier), or
crosses_below = X with after_above = Y and lookback = N; [rules.NAME] all = [...], any =
[...] or not = \"...\" over conditions and other rules. A condition with a missing input is
unknown; all/any/not follow three-valued logic; a rule triggers only when true.
Built in: synchronized-breakout = corr_30 > 0.5, RSI rising over 5 days on both legs,
rel_volume_a > 1, liquidity_change_4w > 0, breakout_up_a > 0; risk-reduction =
close_b < sma200_b, or corr_30 crossing below 0.2 after being above 0.5 in the last 60 days;
strong-b = close_b > sma200_b and corr_30 > 0.5.";

/// `lockstep signals`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub legs: Legs,
    #[command(flatten)]
    pub format: FormatArgs,
    /// A TOML file of conditions and rules (replaces the built-in set).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub measures: MeasuresArgs,
    #[command(flatten)]
    pub no_rate: NoRateArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub control: ControlArgs,
}

impl Args {
    /// Three MACD periods, no window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.measures.check()
    }
}

/// Evaluate the rules over the pair and print their states.
pub fn run(cx: &Cx, sa: &Args) -> Result<()> {
    let rules = read_rules(sa.rules.as_deref())?;
    let mut params = pair_params(
        &sa.legs,
        &[
            &sa.input,
            &sa.source,
            &sa.measures,
            &sa.no_rate,
            &sa.clock,
            &sa.control,
        ],
    )?;
    // The signals show no interval.
    params.options.bootstrap.replications = 0;
    let (_, rep) = pair_signals(&cx.session, &params, &rules)?;
    crate::output::show(&rep, sa.format.format, Look::new(0, cx.color))
}
