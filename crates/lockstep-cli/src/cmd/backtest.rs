//! `lockstep backtest`: a position in A set by rules on the pair, without look-ahead, with
//! costs, against buy-and-hold A.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::view::{self, Look};

use super::common::{
    pair_params, ClockArgs, ControlArgs, FormatArgs, InputArgs, Legs, MeasuresArgs, NoRateArgs,
    SourceArgs,
};
use super::{pair_signals, read_strategy, Cx, Usage};

/// The strategy and metrics of `backtest --help`.
pub const LONG_HELP: &str = "\
Strategy overlay (default): long A (weight 1) while strong-b is true, flat when
risk-reduction is true (it wins); otherwise, unknown included, the position is kept (start
flat). A signal at the close of t sets the position at the close of t+1 (--delay 1), which
earns the returns after it. Costs: (fees + slippage) bps × |position change|, multiplicative.
A strategy file has [strategy] long = RULE, flat = RULE, short = RULE (with allow_short =
true), long_weight, short_weight, hold, delay, fees_bps, slippage_bps, and may carry its own
[conditions.*]/[rules.*] (else the built-in rules).
Metrics (empyrical conventions, zero risk-free rate): total return, CAGR over n/periods-per-
year years (periods per year = the aligned calendar's: 365 when both legs trade every day,
else 252), volatility (ddof 1), Sharpe, Sortino (downside deviation over all periods), max
drawdown with peak/trough/recovery dates, Calmar, exposure, trades, turnover per year, hit
rate (share of invested periods with a positive return); --split DATE reports in-sample
(before DATE) and out-of-sample separately, each rebased. CSV: the daily equity curve,
date,position,return,equity,drawdown,benchmark_equity,benchmark_drawdown.";

/// `lockstep backtest`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub legs: Legs,
    #[command(flatten)]
    pub format: FormatArgs,
    /// `overlay` or a TOML strategy file.
    #[arg(long, default_value = "overlay")]
    pub strategy: String,
    /// Fees in basis points per unit of position traded (overrides the strategy's).
    #[arg(long, value_name = "BPS")]
    pub fees: Option<f64>,
    /// Slippage in basis points per unit of position traded (overrides the strategy's).
    #[arg(long, value_name = "BPS")]
    pub slippage: Option<f64>,
    /// Closes between a signal and the trade (overrides the strategy's; default 1).
    #[arg(long)]
    pub delay: Option<usize>,
    /// Report in-sample (before DATE) and out-of-sample (from DATE) separately.
    #[arg(long, value_name = "DATE")]
    pub split: Option<chrono::NaiveDate>,
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

/// Run the strategy over the pair and print its metrics or equity curve.
pub fn run(cx: &Cx, ba: &Args) -> Result<()> {
    let (rules, mut strategy) = read_strategy(&ba.strategy)?;
    if let Some(f) = ba.fees {
        strategy.fees_bps = f;
    }
    if let Some(s) = ba.slippage {
        strategy.slippage_bps = s;
    }
    if let Some(d) = ba.delay {
        strategy.delay = d;
    }
    let mut params = pair_params(
        &ba.legs,
        &[
            &ba.input,
            &ba.source,
            &ba.measures,
            &ba.no_rate,
            &ba.clock,
            &ba.control,
        ],
    )?;
    // The backtest shows no interval.
    params.options.bootstrap.replications = 0;
    let (run, rep) = pair_signals(&cx.session, &params, &rules)?;
    let bt = run
        .backtest(&rep, &strategy, ba.split)
        .context("cannot run the backtest")?;
    crate::output::show(
        &view::Backtest {
            report: &run.report,
            result: &bt,
        },
        ba.format.format,
        Look::new(0, cx.color),
    )
}
