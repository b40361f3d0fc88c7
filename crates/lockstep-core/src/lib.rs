//! Core types of Lockstep: daily price series, intraday bars and exchange sessions, trading
//! calendars, alignment of two series onto one calendar, and returns.
//!
//! Everything here is pure (no I/O). Readers of files and providers live in
//! `lockstep-data`; statistics live in `lockstep-stats`.
#![forbid(unsafe_code)]

mod align;
mod bars;
mod clock;
mod error;
mod holidays;
mod intraday;
mod returns;
mod series;

pub use align::{align, align_with, common_dates, last_on_or_before, Align, Aligned};
pub use bars::{AssetClass, DailyBar, Instrument};
pub use clock::{
    daily_from_intraday, exchange_daily, sample_at_closes, trades_every_day, utc_daily,
    DerivedDaily, IntradayPair,
};
pub use error::CoreError;
pub use holidays::{is_nyse_trading_day, nyse_holiday};
pub use intraday::{
    new_york_date, nyse_early_close, nyse_session, ExchangeSession, Interval, IntradayBar,
    IntradaySeries, Timestamp,
};
pub use returns::{log_return, returns, ReturnKind};
pub use series::{Calendar, PriceField, PriceSeries};

/// A calendar date (no time zone): the trading day a bar belongs to.
pub type Date = chrono::NaiveDate;

/// Result type of this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
