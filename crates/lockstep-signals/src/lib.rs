//! Signals and backtest for Lockstep, pure (no file or network I/O): a rule engine over the
//! daily measurements of a pair, and a daily backtest of a position in leg A set from those
//! rules.
//!
//! * [`Measurements`]: a date-indexed table of named daily values (correlations, betas,
//!   RSI/MACD, volume ratios, levels, regime, liquidity, lead-lag); the vocabulary the
//!   analysis pipeline provides is listed there.
//! * [`RuleSet`]: named conditions combined by named rules with `all` / `any` / `not`,
//!   parsed from TOML with errors naming the line ([`RuleSet::builtin`]:
//!   `synchronized-breakout`, `risk-reduction`, `strong-b`). States are three-valued
//!   ([`Truth`]): a missing input is `Unknown`, never `True`, and only `True` triggers.
//! * [`RuleSet::evaluate`] → [`Evaluation`]: every condition and rule at every date, as
//!   CSV or JSON; the state at date `t` uses data up to the close of `t` only.
//! * [`Strategy`] (TOML or [`Strategy::overlay`]) and [`backtest`] → [`BacktestResult`]:
//!   daily positions, net returns, equity and drawdown; [`Metrics`] for the strategy and
//!   buy-and-hold A over the whole period and an optional in-sample / out-of-sample split.
//!   Return formulas follow empyrical ([`return_stats`] documents each and the quantstats
//!   differences).
#![forbid(unsafe_code)]

mod backtest;
mod error;
mod evaluate;
mod logic;
mod measurements;
mod metrics;
mod rules;
mod strategy;
mod toml_util;
mod util;

pub use backtest::{backtest, BacktestOptions, BacktestResult, BacktestRow, Comparison, Metrics};
pub use error::SignalsError;
pub use evaluate::{ConditionSeries, ConditionState, Evaluation, RuleSeries, RuleState, Snapshot};
pub use logic::Truth;
pub use measurements::Measurements;
pub use metrics::{return_stats, ReturnStats};
pub use rules::{
    CompareOp, Condition, ConditionKind, Operand, Rule, RuleExpr, RuleSet, BUILTIN_RULES,
    DEFAULT_LOOKBACK,
};
pub use strategy::{Strategy, OVERLAY_STRATEGY};

/// Result type of this crate.
pub type Result<T, E = SignalsError> = std::result::Result<T, E>;

#[cfg(test)]
mod test_util {
    use lockstep_core::Date;

    /// `n` consecutive calendar days from 2020-01-01.
    pub(crate) fn days(n: usize) -> Vec<Date> {
        (0..n)
            .map(|i| Date::from_num_days_from_ce_opt(737_425 + i as i32).unwrap())
            .collect()
    }
}
