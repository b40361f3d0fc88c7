//! Lockstep's application layer, between the computing crates and the front ends.
//!
//! A front end (the `lockstep` command, the dashboard server, the Python package) turns its
//! own arguments into plain parameters ([`PairParams`], [`LiquiditySpec`], [`FedParams`]:
//! `Clone`, `PartialEq`, no loaded data) and hands them to a [`Session`], which
//! * resolves each input: a stored symbol (fetched when missing, refreshed when older than
//!   [`STALE_AFTER_HOURS`], unless offline), a CSV file, a ratio `A/B`, a folder of files;
//! * reads the configuration of the home folder (providers, the regime rule);
//! * loads the macro backdrop (the rate series, net liquidity, the controls of the partial
//!   correlation) that the report reads;
//! * runs the one pair pipeline: [`Session::pair`] → [`PairRun`] (the report), then
//!   [`PairRun::signals`] and [`PairRun::backtest`].
//!
//! No front end parses another front end's arguments: the server asks this crate for the
//! analysis of a pair exactly as the terminal does.
#![forbid(unsafe_code)]

mod backdrop;
mod clock;
mod compare;
mod control;
mod error;
mod input;
pub mod limits;
mod load;
mod pair;
mod session;

pub use backdrop::{FedParams, LiquiditySpec};
pub use clock::{every_day_leg, restrict_intraday, stored_intraday, IntradaySource};
pub use compare::CompareParams;
pub use control::BUILTIN_CONTROL;
pub use error::{chain, Context, Result, SessionError};
pub use input::{is_symbol, Input};
pub use load::{spinner, FetchSummary, IntradayFetchSummary, STALE_AFTER_HOURS};
pub use pair::{
    restrict, LiquidityChoice, PairParams, PairRun, RateChoice, RegimeOverrides, Resolved,
    DEFAULT_RATE,
};
pub use session::{home, Session};
