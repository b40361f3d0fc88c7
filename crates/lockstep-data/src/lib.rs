//! Reading price series for Lockstep from CSV files.
//!
//! Daily prices: [`read_csv`] and [`parse_csv`], described below. Intraday bars (1m to 1h):
//! [`read_intraday_csv`] and [`parse_intraday_csv`], described in the [`intraday`] module. The
//! daily reader, given an intraday file, fails with an error that suggests the intraday reader
//! ([`DataError::LooksIntraday`]); [`read_any_csv`] reads a file as whichever it holds.
//!
//! [`read_csv`] (from a path) and [`parse_csv`] (from text in memory) detect the layout of the
//! file from its header and return a [`CsvRead`]: a [`PriceSeries`](lockstep_core::PriceSeries)
//! in ascending date order, the detected [`Format`], and what was skipped.
//!
//! # Formats
//!
//! | [`Format`] | Header | Price | Notes |
//! |---|---|---|---|
//! | `yahoo` | `Date,Open,High,Low,Close,Adj Close,Volume` | `Adj Close` | rows of `null` skipped |
//! | `yfinance` | `Price,...` / `Ticker,...` / `Date,,,` (or `,...` / `Date,,,`) | `Adj Close` if present, else `Close` | name = the ticker |
//! | `coingecko` | `snapped_at,price,market_cap,total_volume` | `price` | see the date convention below |
//! | `cryptodatadownload` | banner line, then `Unix,Date,Symbol,Open,High,Low,Close,Volume X,Volume Y,tradecount` | `Close` | newest first; name = the symbol |
//! | `investing` | `Date,Price,Open,High,Low,Vol.,Change %` | `Price` | newest first; US dates, `1,234.5`, `13.28K` |
//! | `fred` | `observation_date,S`, `DATE,S` or `date,value` | the value | `.`/empty skipped; zero and negative allowed |
//! | `generic` | a `date`/`timestamp`/`time`/`datetime` column and `close`/`price`/`adj close`/`adj_close`/`adjclose`/`value` | adjusted close, else close, else price, else value | optional `open,high,low,volume` |
//!
//! Header names are matched case-insensitively (except FRED's `observation_date` / `DATE`).
//! [`CsvOptions::date_col`] and [`CsvOptions::price_col`] pick columns by header name in any
//! file. [`PriceChoice`] selects the adjusted close or the close explicitly.
//!
//! # Dates
//!
//! Accepted: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[ UTC]` (the date part is used), and timestamps
//! with an offset (RFC 3339 such as `2024-01-05T00:00:00Z` or `2024-01-05T21:00:00-05:00`, or
//! pandas' `2024-01-05 00:00:00-05:00`), which are converted to UTC and dated by their UTC date.
//! Investing.com files also accept `M/D/YYYY`, `MM/DD/YYYY` and `MMM D, YYYY`.
//!
//! * **CoinGecko:** a snapshot at `00:00:00 UTC` is the opening price of that UTC day, which
//!   equals the previous UTC day's close, so the row is dated the **previous** day
//!   (`2015-08-08 00:00:00 UTC` → 2015-08-07). A snapshot taken late but within the first hour
//!   of the day (before `01:00:00 UTC`, such as `2018-01-30 00:05:11 UTC` in real exports) is
//!   read the same way, with a warning counting them. A snapshot at any later time is dated its
//!   own UTC date (with a warning, since it is an intraday price).
//! * **CryptoDataDownload:** dated by the UTC date of the `Unix` column (milliseconds when above
//!   1e11, else seconds). The bar dated D is the UTC day opening at D 00:00, the same convention
//!   as Yahoo and Binance daily crypto bars. Volume is the quote-asset column (the second
//!   `Volume ...` column, e.g. `Volume USDT`) when present, else the first.
//!
//! # Rows
//!
//! * A file is either ascending or newest first as a whole, decided by its first two distinct
//!   dates; a newest-first file is reversed ([`CsvRead::newest_first`]). Any row that breaks the
//!   order is an error; nothing else is ever reordered.
//! * Duplicate dates are an error naming both lines, unless [`Dedupe::Last`] keeps the row that
//!   comes last in the file (with a warning giving the count dropped).
//! * A row whose price cell is missing (empty or `null`; also `.` in FRED and `-` in
//!   Investing.com files) is skipped and counted in [`CsvRead::skipped_null_rows`], with a
//!   warning. That covers Yahoo's all-`null` rows, FRED's missing values, and rows where only
//!   the price is missing while other values exist. A missing cell in an optional column
//!   (open, high, low, volume) becomes `NaN`.
//! * Prices must be finite and, except in FRED files, positive.
//! * Ignored without error: a UTF-8 byte order mark, a banner line of one field before the
//!   header (e.g. `https://www.CryptoDataDownload.com`; any other banner gives a warning),
//!   blank lines, and trailing footer lines of one field that is not a date (e.g. Barchart's
//!   `"Downloaded from Barchart.com as of ..."`, with a warning). Line endings may be LF or CRLF.
//! * Every other problem is a [`DataError`] whose message starts with `file:line:` and names the
//!   column by number and header name.
//!
//! # Series name
//!
//! yfinance: the ticker of the `Ticker` row; CryptoDataDownload: the `Symbol` of the first data
//! row; FRED: the series column header (unless it is `value`); otherwise the file name up to its
//! first `.` (`ETH-USD.daily.csv` → `ETH-USD`).
#![forbid(unsafe_code)]

mod error;
pub mod intraday;
mod read;
mod records;
mod time;
mod values;

pub use error::DataError;
pub use intraday::{
    looks_intraday, parse_intraday_csv, read_any_csv, read_intraday_csv, AnyRead,
    IntradayCsvOptions, IntradayFormat, IntradayRead,
};
pub use read::{parse_csv, read_csv, CsvOptions, CsvRead, Dedupe, Format, PriceChoice};
