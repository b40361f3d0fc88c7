//! Macro computations of Lockstep, pure numerics (no file or network I/O): rate-move
//! probabilities from 30-day fed funds futures by the CME FedWatch method, the FOMC meeting
//! calendar, and Fed net liquidity with its correlation to asset returns.
//!
//! Text inputs (a futures strip, a calendar file) are parsed from `&str`; series come in as
//! [`lockstep_core::PriceSeries`] read by the caller.
//!
//! Conventions:
//! * **Rates are in percent** (`4.33` = 4.33 %); moves are also given in basis points where
//!   named `_bp`. **Probabilities are fractions** in [0, 1].
//! * A fed funds futures price implies the month's average effective rate `100 − price`
//!   ([`futures`]). Contract codes are `ZQ`/`FF` + CME month letter + two- or four-digit
//!   year; one-digit years are rejected unless a reference year is given.
//! * FOMC meetings are dated by their decision day (the last day of the meeting); the
//!   built-in calendar covers 2008–2027 (2027 tentative) and can be extended or overridden
//!   by a file ([`fomc`]).
//! * FedWatch ([`fedwatch()`]): a decision day counts at the new rate; months chain
//!   `end(k) = start(k+1)`, anchored by months without a decision, forward first then
//!   backward; successive decisions are independent (probabilities multiply, moves add);
//!   P(cut) / P(hold) / P(hike) are cumulative, relative to the target range in force before
//!   the first future decision.
//! * Net liquidity ([`liquidity`]) is `WALCL − WTREGEN − RRPONTSYD` in **millions of USD**
//!   on the Wednesdays of `WALCL`; each input carries explicit [`Units`] (FRED: WALCL and
//!   the current WTREGEN in millions, RRPONTSYD in billions).
//! * Every result derives `Serialize`; dates are ISO `YYYY-MM-DD`, contract months
//!   `YYYY-MM`. Undefined statistics are `None`, never NaN.
#![forbid(unsafe_code)]

mod error;
pub mod fedwatch;
pub mod fomc;
pub mod futures;
pub mod futures_files;
pub mod liquidity;

pub use error::MacroError;
pub use fedwatch::{
    fedwatch, Derivation, FedWatch, FedWatchOptions, MeetingProbabilities, MonthRates,
    MoveProbability, RangeProbability, RangeSource, TargetRange,
};
pub use fomc::{Calendar as FomcCalendar, Meeting, MeetingKind};
pub use futures::{implied_rate, ContractMonth, FuturesQuote, FuturesStrip};
pub use futures_files::{read_strip, StripRead};
pub use liquidity::{
    asset_liquidity_correlation, liquidity_correlation, net_liquidity, AssetLiquidityCorrelation,
    CorrelationStat, LiquidityCorrelation, LiquidityInput, LiquidityPoint, NetLiquidity,
    SkippedWeek, Units, WeeklyObservation,
};

/// A calendar date (re-export of [`lockstep_core::Date`]).
pub use lockstep_core::Date;

/// Result type of this crate.
pub type Result<T, E = MacroError> = std::result::Result<T, E>;
