//! Reading intraday bars from CSV exports: [`read_intraday_csv`] (from a path) and
//! [`parse_intraday_csv`] (from text in memory) return an [`IntradayRead`]: an
//! [`IntradaySeries`] of bars labelled by their **open** time in UTC, ascending, with the
//! detected [`IntradayFormat`], the bar [`Interval`], and warnings about what was skipped,
//! counted or resolved.
//!
//! # Formats
//!
//! | [`IntradayFormat`] | Header | Time column | Naive times are |
//! |---|---|---|---|
//! | `binance` | `Open time,Open,High,Low,Close,Volume,Close time,...` (REST klines, 12 columns) | `Open time` | UTC, checked: `Close time` must equal open + interval − 1 ms |
//! | `cryptodatadownload` | a banner line naming `CryptoDataDownload.com` (one field or more, e.g. `Timestamps are UTC timezone,https://www.CryptoDataDownload.com`), then `Unix Timestamp,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT` (or `Unix,...,tradecount`) | `Unix Timestamp` / `Unix` | UTC (the banner's convention) |
//! | `yfinance` | `Datetime,Open,High,Low,Close,Volume,Dividends,Stock Splits,...` (`Ticker.history`), or the `Price`/`Ticker`/`Datetime` MultiIndex form (`yf.download`) | `Datetime` | in [`IntradayCsvOptions::tz`] |
//! | `generic` | a time column (`datetime`, `timestamp`, `date`, `time`, `open time`, `snapped_at`, `unix timestamp`, `unix`) and `close` (else `adj close`, `price`, `value`); e.g. `timestamp,open,high,low,close,volume` as written both by yfinance scripts and by Binance archive scripts | that column | in [`IntradayCsvOptions::tz`] |
//!
//! Header names are matched case-insensitively; `open`, `high`, `low` and `volume` are
//! optional. Volume is the `volume` column; in CryptoDataDownload files it is the quote-asset
//! volume (the second `Volume ...` column, e.g. `Volume USDT`), as in the daily reader. The
//! price is the **close** (the price at the bar's end, `start + interval`).
//!
//! Series name: yfinance, the ticker (`Ticker` row or `Symbol` column); CryptoDataDownload, the
//! `Symbol` of the first data row; otherwise the file name up to its first `.`.
//!
//! # Timestamps
//!
//! * With an offset, converted to UTC: `2024-01-02 17:30:00+00:00`, `2024-01-01 00:00:00+0000`,
//!   `2025-06-26 13:30:00-04:00`, `2025-06-26T13:30:00Z`, `... UTC`; seconds and fractions
//!   optional, `T` or space between date and time.
//! * Unix time, a numeric cell: seconds below 1e11, milliseconds below 1e14, microseconds
//!   below 1e17 (Binance's spot archive since 2025), nanoseconds above; decimals such as
//!   `1600498800.0` are accepted.
//! * Naive (no offset): `2025-08-19 15:10:00`, `10/21/2019 9:30` (`M/D/YYYY H:MM[:SS]`,
//!   month first, optional `AM`/`PM`). Binance klines and CryptoDataDownload files are UTC by
//!   their format; any other naive time is read in [`IntradayCsvOptions::tz`] with its
//!   daylight-saving rules (e.g. `America/New_York`), and without `tz` it is an error that says
//!   to pass `--tz`. A local time in the spring-forward gap does not exist: an error naming
//!   the line and column. A local time in the repeated hour of the fall fold is ambiguous: it
//!   is read as the **earlier** of its two instants, with a warning counting such rows (a file
//!   with bars all through the fold then shows duplicate times, reported as below). `tz` is
//!   ignored, with a warning, when no timestamp needed it.
//!
//! # Interval
//!
//! [`IntradayCsvOptions::interval`] when given (1d is refused: read daily files with the daily
//! reader; when the file's most common spacing differs from it, a warning says so); otherwise
//! the most common positive spacing between consecutive bars (ties: the shorter), which must be
//! 1m, 5m, 15m, 30m or 1h, else an error naming the spacing found and suggesting `--interval`.
//! A bar that starts less than one interval after the one before (yfinance's 30-minute 09:00
//! and 15:30 bars in an hourly file with extended hours) is kept and counted in a warning.
//!
//! # Rows: what happens to each quirk of real files
//!
//! * **Order:** ascending or newest first as a whole, decided by the first two distinct times;
//!   a newest-first file (CryptoDataDownload) is reversed, [`IntradayRead::newest_first`] is
//!   set and a warning says so. A row that breaks the order is an error naming both lines.
//! * **Duplicate timestamps** (CryptoDataDownload 2017): an error naming both lines, unless
//!   [`Dedupe::Last`] keeps the row that comes last in the file (warning with the count).
//! * **Blank lines** in the middle of the data (and rows of empty fields such as `,,,`): skipped,
//!   with a warning giving the count and the first line. Blank lines before the header or
//!   after the last row are ignored silently, as in the daily reader.
//! * **A date without a time of day** (`10/21/2019,154.63,...`: a spreadsheet dropped the
//!   time): the bar's time cannot be known, so by default it is an error naming file, line and
//!   column and the fix; [`IntradayCsvOptions::skip_undated`] (`--skip-bad-rows`) drops such
//!   rows with a warning counting them. A file whose timestamps are all dates is a daily file:
//!   an error that says so.
//! * **CryptoDataDownload `Date`**: `YYYY-MM-DD hh-AM/PM` (`12-AM` is 00:00) or any timestamp
//!   form; the time is `Unix Timestamp`, and rows whose `Date` (as UTC) disagrees with it are
//!   counted in a warning.
//! * **Zero-volume bars** and **extended-hours bars**: kept. Choosing the regular session is
//!   the analysis's job (`lockstep_core::nyse_session`), not the reader's; zero-volume rows are
//!   counted in a warning.
//! * **Partial last bar** (a snapshot taken while the bar was forming): it cannot be known
//!   from the file alone, so nothing is guessed and the bar is kept as written.
//! * **Prices:** the close must be a positive finite number; open, high, low and volume must be
//!   finite and ≥ 0 (errors name the column); an empty or `null` cell in one of them is kept as
//!   missing (`NaN`) and counted in a warning. A row whose close, open, high and low are all
//!   empty or `null` is skipped with a warning. `low <= open, close <= high` is **not**
//!   enforced (bad prints exist in real data); rows breaking it are counted in a warning.
//! * **Binance `Close time`** (epoch ms, or a timestamp) must equal the open time + interval
//!   − 1 ms on every row, else an error naming the line: it proves the naive `Open time` is
//!   UTC and the interval right.
//!
//! Errors start with `file:line:` and name the column by number and header name; a cell is
//! quoted by its first 40 characters at most. A UTF-8 byte order mark, LF, CRLF and lone-CR
//! line endings are accepted.
//!
//! The daily reader ([`crate::read_csv`]), when it fails on a file most of whose times (of up
//! to 1000 rows checked) have a time of day other than midnight, with bars less than a day
//! apart, adds to its error the suggestion to read it as intraday (`--interval` with the
//! spacing found, and `--tz` when the times have no offset): [`DataError::LooksIntraday`].
//!
//! # The real exports (`shared/data/intraday`, see its `PROVENANCE.md`)
//!
//! | File | Options needed | Result |
//! |---|---|---|
//! | `ETHUSDT`/`BTCUSDT.binance.1h.csv`, `ETHUSDT.binance.30m.csv` | none | `generic`, 19,704 / 39,408 bars, no warning |
//! | `IWM`/`SPY`/`QQQ.yfinance.1h.csv` | none | `generic`, 3,491 bars 2024-01-02T17:30Z → 2026-01-02T17:30Z; zero-volume bars counted (3, 3, 12) |
//! | `IWM.yfinance.1h.2025Q3.csv`, `IWM.yfinance.5m.2025Q3.csv` | none | `yfinance`, extended hours kept; zero-volume bars (640, 6,592) and, hourly, the 127 short 30-minute bars counted |
//! | `ETHUSDT`/`BTCUSDT.binance.5m.2025-08-19_09-18.csv` | none | `binance`, 8,641 bars, close times checked |
//! | `IWM.1m.2019-10_2020-06.csv` | `--tz America/New_York --skip-bad-rows` | `generic`, 68,389 bars: 1 blank line skipped, 22 rows without time dropped, 7,257 zero-volume bars; without `--tz` an error on line 2, without `--skip-bad-rows` an error on line 152 |
//! | `ETHUSDT.binance.cdd.1h.2017-2020.csv` | dedupe `last` | `cryptodatadownload`, newest first, 27,096 bars (4 duplicates dropped, 95 `Date` disagreements, 1 empty volume, 117 zero-volume bars); without it an error naming lines 26125 and 26124 |

use std::collections::HashMap;
use std::path::Path;

use chrono::{LocalResult, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use lockstep_core::{Interval, IntradaySeries, Timestamp};

use crate::error::short;
use crate::read::{
    ascending, detect, eq_ic, stem, with_text, Dedupe, Format, Header, OrderFault, Rec, Records,
};
use crate::time::{cdd_date, parse_stamp, Stamp, ACCEPTED};
use crate::DataError;

/// Options of [`read_intraday_csv`] and [`parse_intraday_csv`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntradayCsvOptions {
    /// Time zone of timestamps written without an offset (`--tz`), e.g.
    /// `chrono_tz::America::New_York`; not needed for offsets, Unix time, Binance klines and
    /// CryptoDataDownload files.
    pub tz: Option<Tz>,
    /// The bar interval (`--interval`); inferred from the spacing of the bars when `None`.
    pub interval: Option<Interval>,
    /// Handling of duplicate timestamps.
    pub dedupe: Dedupe,
    /// Drop rows whose timestamp is a date without a time of day, with a warning
    /// (`--skip-bad-rows`), instead of refusing the file.
    pub skip_undated: bool,
}

/// The detected layout of an intraday CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntradayFormat {
    /// Binance REST klines: `Open time,...,Close time,...`; naive open times are UTC.
    Binance,
    /// CryptoDataDownload: banner, then `Unix Timestamp,Date,Symbol,...`, newest first; UTC.
    CryptoDataDownload,
    /// yfinance `Ticker.history(...).to_csv()` (`Datetime,...,Dividends,Stock Splits,...`) or
    /// the MultiIndex form of `yf.download`.
    YFinance,
    /// Any other file with a time column and a close.
    Generic,
}

impl IntradayFormat {
    /// The format's name, as stored in [`IntradaySeries::format`].
    pub fn name(self) -> &'static str {
        match self {
            IntradayFormat::Binance => "binance",
            IntradayFormat::CryptoDataDownload => "cryptodatadownload",
            IntradayFormat::YFinance => "yfinance",
            IntradayFormat::Generic => "generic",
        }
    }
}

impl std::fmt::Display for IntradayFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of reading an intraday CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct IntradayRead {
    /// The bars, ascending, labelled by open time in UTC.
    pub series: IntradaySeries,
    /// The detected format.
    pub format: IntradayFormat,
    /// The bar interval (given or inferred).
    pub interval: Interval,
    /// Things the caller should show the user (skipped, dropped, counted or resolved rows).
    pub warnings: Vec<String>,
    /// True when the file listed its bars newest first (they were reversed).
    pub newest_first: bool,
}

/// A CSV file read as what it holds: daily prices or intraday bars ([`read_any_csv`]).
#[derive(Clone, Debug, PartialEq)]
pub enum AnyRead {
    /// Daily prices, as [`crate::read_csv`] reads them.
    Daily(crate::CsvRead),
    /// Intraday bars, as [`read_intraday_csv`] reads them.
    Intraday(IntradayRead),
}

/// Read a CSV file as daily prices or as intraday bars, whichever it holds.
///
/// The file is intraday when [`looks_intraday`] says so of its first rows, or when the daily
/// reader fails on it with [`DataError::LooksIntraday`] (the same test, on rows spread over
/// the whole file); it is then read with `intraday` (its interval inferred unless given) and
/// an error is the intraday reader's (naming file, line and column). Anything else is read
/// with `daily`, exactly as [`crate::read_csv`] does. The file is read from disk once.
pub fn read_any_csv(
    path: &Path,
    daily: &crate::CsvOptions,
    intraday: &IntradayCsvOptions,
) -> Result<AnyRead, DataError> {
    with_text(path, |file, text| {
        if looks_intraday(text, file) {
            return parse_intraday_csv(text, file, intraday).map(AnyRead::Intraday);
        }
        match crate::parse_csv(text, file, daily) {
            Ok(r) => Ok(AnyRead::Daily(r)),
            Err(DataError::LooksIntraday { .. }) => {
                parse_intraday_csv(text, file, intraday).map(AnyRead::Intraday)
            }
            Err(e) => Err(e),
        }
    })
}

/// Whether CSV text holds intraday bars: the test of the daily reader's hint
/// ([`DataError::LooksIntraday`]) on the first 1000 data rows: a time column whose times,
/// for most rows, have a time of day other than midnight, with bars less than a day apart.
/// A daily file (dates, midnight timestamps, one timestamp a day at any time) is not.
pub fn looks_intraday(text: &str, file: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The banner, the header rows and 1000 data rows are within the first 1010 lines.
    let end = memchr::memchr_iter(b'\n', text.as_bytes())
        .nth(1010)
        .map_or(text.len(), |i| i + 1);
    let mut it = Records::new(&text[..end], file);
    let mut recs = Vec::new();
    let mut empty = Vec::new();
    while let Ok(true) = it.advance(&mut empty) {
        recs.push(Rec {
            line: it.line,
            rec: it.rec.clone(),
        });
    }
    intraday_hint(&recs, file).is_some()
}

/// Read an intraday CSV file; see the [module documentation](self).
pub fn read_intraday_csv(
    path: &Path,
    opts: &IntradayCsvOptions,
) -> Result<IntradayRead, DataError> {
    with_text(path, |file, text| parse_intraday_csv(text, file, opts))
}

const TIME_NAMES: &[&str] = &[
    "datetime",
    "timestamp",
    "date",
    "time",
    "open time",
    "open_time",
    "snapped_at",
    "unix timestamp",
    "unix",
];

/// Which column plays which role.
pub(crate) struct Layout {
    format: IntradayFormat,
    time: usize,
    close: usize,
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    volume: Option<usize>,
    /// Binance `Close time`.
    close_time: Option<usize>,
    /// CryptoDataDownload `Date`, cross-checked against the Unix time.
    cdd_date: Option<usize>,
    symbol: Option<usize>,
    /// Naive times are UTC by the format's definition.
    utc: bool,
}

/// The header; a CryptoDataDownload banner of any number of fields is skipped. Returns
/// whether there was such a banner.
fn header(
    recs: &[Rec],
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<(Header, bool), DataError> {
    let banner = recs.len() > 1
        && recs[0]
            .rec
            .iter()
            .any(|c| c.to_ascii_lowercase().contains("cryptodatadownload"));
    if banner {
        let mut hd = detect(&recs[1..], file, warnings)?;
        hd.data_start += 1;
        Ok((hd, true))
    } else {
        Ok((detect(recs, file, warnings)?, false))
    }
}

fn layout(hd: &Header, cdd_banner: bool, file: &str) -> Result<Layout, DataError> {
    use IntradayFormat::*;
    let lc: Vec<String> = hd.names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let find = |names: &[&str]| lc.iter().position(|h| names.contains(&h.as_str()));
    let missing = |wanted: &str| DataError::MissingColumn {
        file: file.into(),
        line: hd.line,
        wanted: wanted.into(),
        found: hd
            .names
            .iter()
            .map(|n| short(n))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let open_time = find(&["open time", "open_time"]);
    let close_time = find(&["close time", "close_time"]);
    let format = if open_time.is_some() && close_time.is_some() {
        Binance
    } else if cdd_banner || hd.format == Format::CryptoDataDownload {
        CryptoDataDownload
    } else if hd.format == Format::YFinance || find(&["dividends", "stock splits"]).is_some() {
        YFinance
    } else {
        Generic
    };
    let time = match format {
        Binance => open_time,
        CryptoDataDownload => find(&["unix timestamp", "unix"]).or_else(|| find(&["date"])),
        YFinance if hd.format == Format::YFinance => Some(0),
        _ => find(TIME_NAMES),
    }
    .ok_or_else(|| {
        missing(
            "a time column (datetime, timestamp, date, time, open time, unix or unix timestamp)",
        )
    })?;
    let close = find(&["close"])
        .or_else(|| find(&["adj close", "adj_close", "adjclose"]))
        .or_else(|| find(&["price"]))
        .or_else(|| find(&["value"]))
        .ok_or_else(|| missing("a close column (close, adj close, price or value)"))?;
    let volume = if format == CryptoDataDownload {
        let vols: Vec<usize> = (0..lc.len())
            .filter(|&i| lc[i].starts_with("volume"))
            .collect();
        vols.get(1).or(vols.first()).copied()
    } else {
        find(&["volume"])
    };
    Ok(Layout {
        format,
        time,
        close,
        open: find(&["open"]),
        high: find(&["high"]),
        low: find(&["low"]),
        volume,
        close_time: if format == Binance { close_time } else { None },
        cdd_date: if format == CryptoDataDownload {
            find(&["date"]).filter(|&i| i != time)
        } else {
            None
        },
        symbol: find(&["symbol"]),
        utc: matches!(format, Binance | CryptoDataDownload),
    })
}

/// A kept data row.
struct Bar {
    line: u64,
    start: Timestamp,
    close: f64,
    open: f64,
    high: f64,
    low: f64,
    volume: f64,
    close_time: Option<Timestamp>,
}

/// A count of rows, with the line and a description of the first.
#[derive(Default)]
struct Count {
    n: usize,
    first: Option<(u64, String)>,
}

impl Count {
    fn add(&mut self, line: u64, what: impl FnOnce() -> String) {
        self.n += 1;
        if self.first.is_none() {
            self.first = Some((line, what()));
        }
    }

    /// "first on line L" or "first on line L: what".
    fn first(&self) -> String {
        match &self.first {
            Some((line, w)) if w.is_empty() => format!("first on line {line}"),
            Some((line, w)) => format!("first on line {line}: {w}"),
            None => String::new(),
        }
    }
}

/// A UTC instant as RFC 3339 with `Z`.
fn rfc(t: Timestamp) -> String {
    crate::error::rfc(&t)
}

/// A spacing in milliseconds, in the units of interval names: `2m`, `1h`, `1d`, `90s`.
fn spacing_name(ms: i64) -> String {
    for (unit, name) in [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1000, "s"),
    ] {
        if ms % unit == 0 {
            return format!("{}{name}", ms / unit);
        }
    }
    format!("{ms}ms")
}

/// The most common positive spacing (ties: the shorter), how often it occurs, and the number
/// of positive spacings.
fn spacing_mode(spacings: impl Iterator<Item = i64>) -> Option<(i64, usize, usize)> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    let mut total = 0;
    for ms in spacings.filter(|&ms| ms > 0) {
        *counts.entry(ms).or_default() += 1;
        total += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(ms, n)| (n, std::cmp::Reverse(ms)))
        .map(|(ms, n)| (ms, n, total))
}

fn interval_of(ms: i64) -> Option<Interval> {
    Interval::INTRADAY
        .into_iter()
        .find(|i| i.seconds() * 1000 == ms)
}

/// Lines of the text that are empty or white space only, outside quoted fields.
fn blank_lines(text: &str) -> Vec<u64> {
    let b = text.as_bytes();
    if memchr::memchr(b'"', b).is_none() {
        // No quoted field: each line is the text between two line breaks (a `\r` followed by
        // `\n` is part of the break; white space, `\r` included, leaves a line blank).
        let (mut out, mut line, mut start) = (Vec::new(), 1u64, 0);
        for i in memchr::memchr2_iter(b'\n', b'\r', b) {
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                continue;
            }
            if b[start..i]
                .iter()
                .all(|c| matches!(c, b' ' | b'\t' | b'\r'))
            {
                out.push(line);
            }
            line += 1;
            start = i + 1;
        }
        return out;
    }
    blank_lines_scan(b)
}

/// [`blank_lines`] byte by byte, following quotes.
fn blank_lines_scan(b: &[u8]) -> Vec<u64> {
    let (mut out, mut line, mut in_quote, mut quoted_start, mut blank) =
        (Vec::new(), 1u64, false, false, true);
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            if blank && !quoted_start {
                out.push(line);
            }
            line += 1;
            blank = true;
            quoted_start = in_quote;
        } else if c == b'"' {
            in_quote = !in_quote;
            blank = false;
        } else if !matches!(c, b' ' | b'\t' | b'\r') {
            blank = false;
        }
    }
    out
}

/// The state of a read: the layout, the rows kept so far and the counts for the warnings.
struct Rows<'a> {
    file: &'a str,
    opts: &'a IntradayCsvOptions,
    lay: &'a Layout,
    names: &'a [String],
    bars: Vec<Bar>,
    /// Data rows seen.
    rows: usize,
    /// Line of the last data row.
    last_line: u64,
    /// The symbol of the first data row.
    symbol: Option<String>,
    /// Whether a row had a time of day.
    timed: bool,
    /// The first row whose timestamp is a date alone: its line and text.
    first_undated: Option<(u64, String)>,
    tz_used: bool,
    undated: Count,
    ambiguous: Count,
    null_rows: Count,
    cdd_mismatch: Count,
    zero_volume: Count,
    ohlc: Count,
    /// Empty open, high, low, volume cells.
    missing: [Count; 4],
}

/// The header name of column `i`, shortened for messages.
fn name_of(names: &[String], i: usize) -> String {
    names.get(i).map_or_else(String::new, |n| short(n))
}

impl Rows<'_> {
    fn col_name(&self, i: usize) -> String {
        name_of(self.names, i)
    }

    fn undated_error(&self) -> DataError {
        let (line, text) = self.first_undated.clone().expect("an undated row");
        let (file, column, name) = (
            self.file.into(),
            self.lay.time + 1,
            self.col_name(self.lay.time),
        );
        if self.timed {
            DataError::Undated {
                file,
                line,
                column,
                name,
                text,
            }
        } else {
            DataError::DailyFile {
                file,
                line,
                column,
                name,
                text,
            }
        }
    }

    /// Read one data row.
    fn row(
        &mut self,
        rec: &crate::read::Fields,
        line: u64,
        header_line: u64,
    ) -> Result<(), DataError> {
        let (file, lay, opts, names) = (self.file, self.lay, self.opts, self.names);
        let col_name = |i: usize| name_of(names, i);
        let cell = |i: usize| rec.get(i).unwrap_or("");
        let ncols = self.names.len();
        if self.rows == 0 {
            self.symbol = lay.symbol.map(|i| cell(i).to_string());
        }
        self.rows += 1;
        self.last_line = line;
        let got = rec.len();
        if got < ncols {
            return Err(DataError::TooFewFields {
                file: file.into(),
                line,
                got,
                expected: ncols,
                header_line,
                column: got + 1,
                name: col_name(got),
            });
        }
        if rec.iter().skip(ncols).any(|f| !f.is_empty()) {
            return Err(DataError::TooManyFields {
                file: file.into(),
                line,
                got,
                expected: ncols,
                header_line,
            });
        }
        let tcell = cell(lay.time);
        let bad_time = || DataError::BadTimestamp {
            file: file.into(),
            line,
            column: lay.time + 1,
            name: col_name(lay.time),
            text: short(tcell),
            accepted: ACCEPTED,
        };
        let stamp = parse_stamp(tcell).ok_or_else(bad_time)?;
        if let Stamp::DateOnly(_) = stamp {
            self.undated.add(line, || format!("\"{}\"", short(tcell)));
            if self.first_undated.is_none() {
                self.first_undated = Some((line, short(tcell)));
            }
            if self.timed && !opts.skip_undated {
                return Err(self.undated_error());
            }
            return Ok(());
        }
        if !self.timed {
            self.timed = true;
            if self.first_undated.is_some() && !opts.skip_undated {
                return Err(self.undated_error());
            }
        }
        let start = match stamp {
            Stamp::Naive(w) if lay.utc => w.and_utc(),
            Stamp::Naive(w) => {
                let Some(tz) = opts.tz else {
                    return Err(DataError::NoTimeZone {
                        file: file.into(),
                        line,
                        column: lay.time + 1,
                        name: col_name(lay.time),
                        text: short(tcell),
                    });
                };
                self.tz_used = true;
                match tz.from_local_datetime(&w) {
                    LocalResult::Single(t) => t.with_timezone(&Utc),
                    LocalResult::Ambiguous(a, b) => {
                        self.ambiguous.add(line, || format!("\"{}\"", short(tcell)));
                        a.min(b).with_timezone(&Utc)
                    }
                    LocalResult::None => {
                        return Err(DataError::NonexistentTime {
                            file: file.into(),
                            line,
                            column: lay.time + 1,
                            name: col_name(lay.time),
                            text: short(tcell),
                            tz: tz.name().to_string(),
                        })
                    }
                }
            }
            s => s.instant().ok_or_else(bad_time)?,
        };

        let is_null = |s: &str| s.is_empty() || eq_ic(s, "null");
        let number = |i: usize| -> Result<f64, DataError> {
            cell(i).parse::<f64>().map_err(|_| DataError::BadNumber {
                file: file.into(),
                line,
                column: i + 1,
                name: col_name(i),
                text: short(cell(i)),
            })
        };
        let bad_value = |i: usize, rule: &'static str| DataError::BadValue {
            file: file.into(),
            line,
            column: i + 1,
            name: col_name(i),
            text: short(cell(i)),
            rule,
        };
        let prices = [Some(lay.close), lay.open, lay.high, lay.low];
        if prices.iter().flatten().all(|&i| is_null(cell(i))) {
            self.null_rows.add(line, String::new);
            return Ok(());
        }
        let close = number(lay.close)?;
        if !(close.is_finite() && close > 0.0) {
            return Err(bad_value(lay.close, "a positive finite price"));
        }
        let mut others = [f64::NAN; 4];
        for (k, col) in [lay.open, lay.high, lay.low, lay.volume]
            .into_iter()
            .enumerate()
        {
            let Some(i) = col else { continue };
            if is_null(cell(i)) {
                self.missing[k].add(line, String::new);
                continue;
            }
            let v = number(i)?;
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad_value(i, "a finite number >= 0"));
            }
            others[k] = v;
        }
        let [open, high, low, volume] = others;
        let close_time = match lay.close_time {
            Some(i) => {
                let t = match parse_stamp(cell(i)) {
                    Some(Stamp::Naive(w)) => Some(w.and_utc()),
                    Some(st) => st.instant(),
                    None => None,
                };
                Some(t.ok_or_else(|| DataError::BadTimestamp {
                    file: file.into(),
                    line,
                    column: i + 1,
                    name: col_name(i),
                    text: short(cell(i)),
                    accepted: ACCEPTED,
                })?)
            }
            None => None,
        };
        if let Some(i) = lay.cdd_date {
            if cdd_date(cell(i)) != Some(start.naive_utc()) {
                self.cdd_mismatch.add(line, || {
                    format!(
                        "{} \"{}\" but {} {}",
                        col_name(i),
                        short(cell(i)),
                        col_name(lay.time),
                        rfc(start)
                    )
                });
            }
        }
        if volume == 0.0 {
            self.zero_volume.add(line, String::new);
        }
        if [open, high, low].iter().all(|v| !v.is_nan())
            && (low > open.min(close) || high < open.max(close) || low > high)
        {
            self.ohlc.add(line, String::new);
        }
        self.bars.push(Bar {
            line,
            start,
            close,
            open,
            high,
            low,
            volume,
            close_time,
        });
        Ok(())
    }
}

/// Read intraday CSV text already in memory. `file` names the source in messages and becomes
/// `series.source`. See the [module documentation](self).
pub fn parse_intraday_csv(
    text: &str,
    file: &str,
    opts: &IntradayCsvOptions,
) -> Result<IntradayRead, DataError> {
    use IntradayFormat::*;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let interval_error = |message: String| DataError::Interval {
        file: file.into(),
        message,
    };
    if opts.interval == Some(Interval::D1) {
        return Err(interval_error(
            "1d is not an intraday interval: read daily files with the daily reader (without --interval)"
                .into(),
        ));
    }
    // The first records hold the header (at most a banner and three header rows); the data
    // rows are read one at a time.
    let mut empty = Vec::new();
    let mut it = Records::new(text, file);
    let mut head: Vec<Rec> = Vec::new();
    while head.len() < 5 && it.advance(&mut empty)? {
        head.push(Rec {
            line: it.line,
            rec: it.rec.clone(),
        });
    }
    let mut warnings = Vec::new();
    let (hd, cdd_banner) = header(&head, file, &mut warnings)?;
    let lay = layout(&hd, cdd_banner, file)?;
    let mut rows = Rows {
        file,
        opts,
        lay: &lay,
        names: &hd.names,
        bars: Vec::with_capacity(text.len() / 64),
        rows: 0,
        last_line: hd.line,
        symbol: None,
        timed: false,
        first_undated: None,
        tz_used: false,
        undated: Count::default(),
        ambiguous: Count::default(),
        null_rows: Count::default(),
        cdd_mismatch: Count::default(),
        zero_volume: Count::default(),
        ohlc: Count::default(),
        missing: Default::default(),
    };
    for r in head.get(hd.data_start..).unwrap_or_default() {
        rows.row(&r.rec, r.line, hd.line)?;
    }
    if head.len() == 5 {
        while it.advance(&mut empty)? {
            rows.row(&it.rec, it.line, hd.line)?;
        }
    }
    if rows.first_undated.is_some() && !rows.timed {
        return Err(rows.undated_error());
    }
    let col_name = |i: usize| name_of(&hd.names, i);
    let bars = std::mem::take(&mut rows.bars);
    if bars.is_empty() {
        return Err(DataError::NoData {
            file: file.into(),
            header_line: hd.line,
            skipped: rows.null_rows.n,
        });
    }

    let (kept, dropped, newest_first) = ascending(
        bars,
        |b| b.start,
        opts.dedupe,
        |fault| match fault {
            OrderFault::Duplicate { row, first } => DataError::DuplicateTime {
                file: file.into(),
                line: row.line,
                time: rfc(row.start),
                first_line: first.line,
            },
            OrderFault::Unsorted {
                row,
                previous,
                order,
            } => DataError::UnsortedTime {
                file: file.into(),
                line: row.line,
                time: rfc(row.start),
                previous: rfc(previous.start),
                previous_line: previous.line,
                order,
            },
        },
    )?;

    // Interval.
    let mode = spacing_mode(
        kept.windows(2)
            .map(|w| (w[1].start - w[0].start).num_milliseconds()),
    );
    let mut interval_warning = None;
    let interval = match (opts.interval, mode) {
        (Some(i), Some((ms, n, total))) => {
            if ms != i.seconds() * 1000 {
                interval_warning = Some(format!(
                    "read as {i} bars as asked, but the most common spacing between bars is {} ({n} of {total})",
                    spacing_name(ms)
                ));
            }
            i
        }
        (Some(i), None) => i,
        (None, None) => {
            return Err(interval_error(
                "cannot tell the bar interval from a single bar; pass --interval (1m, 5m, 15m, 30m or 1h)"
                    .into(),
            ))
        }
        (None, Some((ms, n, total))) => interval_of(ms).ok_or_else(|| {
            interval_error(format!(
                "cannot tell the bar interval: the most common spacing between consecutive bars is {} ({n} of {total}), which is not 1m, 5m, 15m, 30m or 1h{}; pass --interval if the bars are one of those",
                spacing_name(ms),
                if ms == 86_400_000 {
                    " (daily bars: read the file without --interval)"
                } else {
                    ""
                }
            ))
        })?,
    };
    let step = interval.duration();
    let mut short_spacing = Count::default();
    for w in kept.windows(2) {
        if w[1].start - w[0].start < step {
            short_spacing.add(w[1].line, String::new);
        }
    }

    // Binance: the close time proves the open time's zone and the interval.
    if let Some(i) = lay.close_time {
        let less = step - TimeDelta::milliseconds(1);
        for b in &kept {
            let got = b.close_time.expect("parsed with the row");
            let expected = b.start + less;
            if got != expected {
                return Err(DataError::CloseTime {
                    file: file.into(),
                    line: b.line,
                    column: i + 1,
                    name: col_name(i),
                    millis: got.timestamp_millis(),
                    got,
                    open: b.start,
                    expected,
                    interval,
                });
            }
        }
    }

    // Warnings, in a fixed order.
    let mut blanks: Vec<u64> = blank_lines(text)
        .into_iter()
        .chain(empty)
        .filter(|&l| l > hd.line && l < rows.last_line)
        .collect();
    blanks.sort_unstable();
    blanks.dedup();
    if newest_first {
        warnings.push("the file lists its bars newest first; they were reversed".into());
    }
    if let Some(first) = blanks.first() {
        warnings.push(format!(
            "skipped {} blank lines (first on line {first})",
            blanks.len()
        ));
    }
    if rows.null_rows.n > 0 {
        warnings.push(format!(
            "skipped {} rows whose prices are all empty or null ({})",
            rows.null_rows.n,
            rows.null_rows.first()
        ));
    }
    if rows.undated.n > 0 {
        warnings.push(format!(
            "dropped {} rows whose timestamp is a date without a time of day (--skip-bad-rows; {})",
            rows.undated.n,
            rows.undated.first()
        ));
    }
    if dropped > 0 {
        warnings.push(format!(
            "dropped {dropped} rows with a duplicate timestamp (kept the last occurrence in the file)"
        ));
    }
    if rows.ambiguous.n > 0 {
        let tz = opts.tz.map_or("", |tz| tz.name());
        warnings.push(format!(
            "{} local times fall in the hour repeated when daylight saving time ends in {tz} ({}); each was read as the earlier of its two instants",
            rows.ambiguous.n,
            rows.ambiguous.first()
        ));
    }
    if rows.cdd_mismatch.n > 0 {
        warnings.push(format!(
            "{} rows have a {} that disagrees with {} ({}); {} was used",
            rows.cdd_mismatch.n,
            lay.cdd_date.map_or_else(String::new, col_name),
            col_name(lay.time),
            rows.cdd_mismatch.first(),
            col_name(lay.time)
        ));
    }
    warnings.extend(interval_warning);
    if short_spacing.n > 0 {
        warnings.push(format!(
            "{} bars start less than {interval} after the bar before ({}); they are shorter than {interval} or overlap it",
            short_spacing.n,
            short_spacing.first()
        ));
    }
    for (k, col) in [lay.open, lay.high, lay.low, lay.volume]
        .into_iter()
        .enumerate()
    {
        if let (Some(i), n @ 1..) = (col, rows.missing[k].n) {
            warnings.push(format!(
                "{n} rows have an empty {} cell, kept as missing ({})",
                col_name(i),
                rows.missing[k].first()
            ));
        }
    }
    if rows.zero_volume.n > 0 {
        warnings.push(format!(
            "{} bars have zero volume, kept ({})",
            rows.zero_volume.n,
            rows.zero_volume.first()
        ));
    }
    if rows.ohlc.n > 0 {
        warnings.push(format!(
            "{} bars have a low above the open or close, or a high below them; kept as written ({})",
            rows.ohlc.n,
            rows.ohlc.first()
        ));
    }
    if let (Some(tz), false) = (opts.tz, rows.tz_used) {
        warnings.push(format!(
            "--tz {} was not used: {}",
            tz.name(),
            if lay.utc {
                format!("{} times are UTC", lay.format)
            } else {
                "every timestamp has its own UTC offset or is Unix time".to_string()
            }
        ));
    }

    let name = match lay.format {
        YFinance => hd.ticker.clone().or(rows.symbol.clone()),
        CryptoDataDownload => rows.symbol.clone(),
        _ => None,
    }
    .filter(|s| !s.is_empty())
    .unwrap_or_else(|| stem(file));
    let col = |present: Option<usize>, f: fn(&Bar) -> f64| {
        present.map(|_| kept.iter().map(f).collect::<Vec<f64>>())
    };
    let series = IntradaySeries {
        name,
        source: file.to_string(),
        format: lay.format.name().to_string(),
        interval,
        open: col(lay.open, |b| b.open),
        high: col(lay.high, |b| b.high),
        low: col(lay.low, |b| b.low),
        volume: col(lay.volume, |b| b.volume),
        start: kept.iter().map(|b| b.start).collect(),
        close: kept.iter().map(|b| b.close).collect(),
    };
    series.validate().map_err(|source| DataError::Invalid {
        file: file.into(),
        source,
    })?;
    Ok(IntradayRead {
        series,
        format: lay.format,
        interval,
        warnings,
        newest_first,
    })
}

/// Why a file the daily reader refused looks intraday.
pub(crate) struct Hint {
    pub(crate) timed: usize,
    pub(crate) checked: usize,
    pub(crate) suggest: String,
}

/// Whether most times of the file (up to 1000 rows, spread over the file) have a time of day
/// other than midnight, with bars less than a day apart; then what to pass to read it as
/// intraday.
pub(crate) fn intraday_hint(recs: &[Rec], file: &str) -> Option<Hint> {
    let (hd, cdd_banner) = header(recs, file, &mut Vec::new()).ok()?;
    let lay = layout(&hd, cdd_banner, file).ok()?;
    let data = recs.get(hd.data_start..).filter(|d| !d.is_empty())?;
    let (mut checked, mut timed, mut naive) = (0, 0, false);
    for r in data.iter().step_by(data.len().div_ceil(1000)) {
        checked += 1;
        let Some(st) = parse_stamp(r.cell(lay.time)) else {
            continue;
        };
        naive |= matches!(st, Stamp::Naive(_));
        timed += usize::from(st.wall().is_some_and(|w| w.time() != NaiveTime::MIN));
    }
    if timed * 2 <= checked {
        return None;
    }
    let starts: Vec<Timestamp> = data
        .iter()
        .take(1000)
        .filter_map(|r| {
            let st = parse_stamp(r.cell(lay.time))?;
            st.instant().or_else(|| st.wall().map(|w| w.and_utc()))
        })
        .collect();
    let mode = spacing_mode(
        starts
            .windows(2)
            .map(|w| (w[1] - w[0]).num_milliseconds().abs()),
    );
    if mode.is_some_and(|(ms, _, _)| ms >= 86_400_000) {
        return None;
    }
    let mut suggest = match mode.and_then(|(ms, _, _)| interval_of(ms)) {
        Some(i) => format!("--interval {i}"),
        None => "--interval".to_string(),
    };
    if naive && !lay.utc {
        suggest.push_str(" --tz <the time zone of its clock>");
    }
    Some(Hint {
        timed,
        checked,
        suggest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> IntradayCsvOptions {
        IntradayCsvOptions::default()
    }

    fn ny() -> IntradayCsvOptions {
        IntradayCsvOptions {
            tz: Some(chrono_tz::America::New_York),
            ..opts()
        }
    }

    fn read(text: &str, o: &IntradayCsvOptions) -> IntradayRead {
        parse_intraday_csv(text, "x.csv", o).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &str, o: &IntradayCsvOptions) -> String {
        parse_intraday_csv(text, "x.csv", o)
            .map(|r| format!("unexpected success: {:?}", r.warnings))
            .unwrap_or_else(|e| e.to_string())
    }

    fn utc(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn starts(r: &IntradayRead) -> Vec<String> {
        r.series.start.iter().map(|t| rfc(*t)).collect()
    }

    #[test]
    fn offsets_plus_colon_and_compact() {
        let t = "timestamp,open,high,low,close,volume\n\
                 2024-01-02 17:30:00+00:00,201.1,201.5,200.0,200.2,0\n\
                 2024-01-02 18:30:00+00:00,200.2,200.4,199.3,199.5,4466257\n\
                 2024-01-02 19:30:00+00:00,199.5,199.5,198.5,198.8,5204923\n";
        let r = parse_intraday_csv(t, "data/IWM.yfinance.1h.csv", &opts()).unwrap();
        assert_eq!(r.format, IntradayFormat::Generic);
        assert_eq!(r.series.format, "generic");
        assert_eq!(r.series.name, "IWM");
        assert_eq!(r.series.source, "data/IWM.yfinance.1h.csv");
        assert_eq!(r.interval, Interval::H1);
        assert_eq!(r.series.interval, Interval::H1);
        assert!(!r.newest_first);
        assert_eq!(
            starts(&r),
            [
                "2024-01-02T17:30:00Z",
                "2024-01-02T18:30:00Z",
                "2024-01-02T19:30:00Z"
            ]
        );
        assert_eq!(r.series.close, vec![200.2, 199.5, 198.8]);
        assert_eq!(r.series.open.as_ref().unwrap()[0], 201.1);
        assert_eq!(
            r.warnings,
            ["1 bars have zero volume, kept (first on line 2)"]
        );

        let t = "timestamp,open,high,low,close,volume\n\
                 2024-01-01 00:00:00+0000,1,2,1,2,5\n\
                 2024-01-01 00:30:00+0000,2,3,2,3,5\n";
        let r = read(t, &opts());
        assert_eq!(r.interval, Interval::M30);
        assert_eq!(starts(&r), ["2024-01-01T00:00:00Z", "2024-01-01T00:30:00Z"]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn yfinance_eastern_offsets_and_extended_hours() {
        let t = "Datetime,Open,High,Low,Close,Volume,Dividends,Stock Splits,Capital Gains,Symbol\n\
                 2025-06-26 08:00:00-04:00,213,214,212,213.5,0,0.0,0.0,0.0,IWM\n\
                 2025-06-26 09:00:00-04:00,213.5,214,213,213.9,0,0.0,0.0,0.0,IWM\n\
                 2025-06-26T09:30:00-04:00,213.99,214.27,213.61,214.21,100,0.0,0.0,0.0,IWM\n\
                 2025-06-26T10:30:00-04:00,214.21,215.07,214.18,215.0,3445823,0.0,0.0,0.0,IWM\n\
                 2025-06-26T11:30:00-04:00,215.0,215.5,207.74,215.4,4977087,0.0,0.0,0.0,IWM\n";
        let r = read(t, &opts());
        assert_eq!(r.format, IntradayFormat::YFinance);
        assert_eq!(r.series.name, "IWM");
        assert_eq!(r.interval, Interval::H1);
        assert_eq!(r.series.start[0], utc("2025-06-26T12:00:00Z"));
        assert_eq!(r.series.start[2], utc("2025-06-26T13:30:00Z"));
        assert_eq!(r.series.len(), 5, "extended hours are kept");
        assert_eq!(
            r.warnings,
            [
                "1 bars start less than 1h after the bar before (first on line 4); they are shorter than 1h or overlap it",
                "2 bars have zero volume, kept (first on line 2)",
            ]
        );
        // A bad print is kept, not corrected: counted.
        let t = t.replace("215.0,215.5,207.74", "215.0,215.5,215.45");
        let r = read(&t, &opts());
        assert!(r.warnings[2].starts_with("1 bars have a low above the open or close, or a high below them; kept as written (first on line 6)"), "{:?}", r.warnings);
    }

    #[test]
    fn yfinance_multiindex_form() {
        let t = "Price,Close,High,Low,Open,Volume\n\
                 Ticker,IWM,IWM,IWM,IWM,IWM\n\
                 Datetime,,,,,\n\
                 2025-07-03 13:30:00+00:00,221.9,222.0,221.6,221.7,1000\n\
                 2025-07-03 13:35:00+00:00,222.0,222.1,221.8,221.9,900\n";
        let r = read(t, &opts());
        assert_eq!(r.format, IntradayFormat::YFinance);
        assert_eq!(r.series.name, "IWM");
        assert_eq!(r.interval, Interval::M5);
        assert_eq!(r.series.close, vec![221.9, 222.0]);
        assert_eq!(r.series.open, Some(vec![221.7, 221.9]));
    }

    #[test]
    fn t_separator_and_z() {
        let t =
            "time,close\n2025-01-02T14:30:00Z,1\n2025-01-02T14:45:00Z,2\n2025-01-02T15:00:00Z,3\n";
        let r = read(t, &opts());
        assert_eq!(r.interval, Interval::M15);
        assert_eq!(r.series.start[2], utc("2025-01-02T15:00:00Z"));
        assert!(r.series.volume.is_none() && r.series.open.is_none());
    }

    #[test]
    fn naive_times_need_a_zone() {
        let t = "Date,Open,High,Low,Close,Volume\n10/21/2019 9:30,154.17,154.47,154.17,154.42,312363\n10/21/2019 9:31,154.42,154.61,154.41,154.61,171558\n";
        assert_eq!(
            err(t, &opts()),
            "x.csv:2: column 1 (Date): \"10/21/2019 9:30\" has no UTC offset and the format does not say which clock it is; pass --tz with the time zone of the file's times (e.g. --tz America/New_York or --tz UTC)"
        );
        let r = read(t, &ny());
        assert_eq!(r.interval, Interval::M1);
        // 09:30 EDT.
        assert_eq!(r.series.start[0], utc("2019-10-21T13:30:00Z"));
        // In winter, 09:30 EST.
        let t = "datetime,close\n2025-01-02 09:30:00,1\n2025-01-02 09:35:00,1\n";
        let r = read(t, &ny());
        assert_eq!(r.series.start[0], utc("2025-01-02T14:30:00Z"));
        assert_eq!(r.interval, Interval::M5);
        let utc_opts = IntradayCsvOptions {
            tz: Some(chrono_tz::UTC),
            ..opts()
        };
        assert_eq!(
            read(t, &utc_opts).series.start[0],
            utc("2025-01-02T09:30:00Z")
        );
        // A zone that no timestamp needs is reported.
        let t = "datetime,close\n2025-01-02 09:30:00Z,1\n2025-01-02 09:35:00Z,1\n";
        assert_eq!(
            read(t, &ny()).warnings,
            ["--tz America/New_York was not used: every timestamp has its own UTC offset or is Unix time"]
        );
    }

    #[test]
    fn daylight_saving_gap_and_fold() {
        // 2024-03-10 02:00 New York does not exist.
        let t =
            "datetime,close\n2024-03-10 01:30:00,1\n2024-03-10 02:30:00,1\n2024-03-10 03:30:00,1\n";
        assert_eq!(
            err(t, &ny()),
            "x.csv:3: column 1 (datetime): \"2024-03-10 02:30:00\" does not exist in America/New_York (the clocks jump forward over it when daylight saving time starts); the file's times are not in America/New_York, or the row is wrong"
        );
        // Across the gap, 01:30 EST then 03:30 EDT are one hour apart.
        let t = "datetime,close\n2024-03-10 01:30:00,1\n2024-03-10 03:30:00,1\n";
        let r = read(t, &ny());
        assert_eq!(starts(&r), ["2024-03-10T06:30:00Z", "2024-03-10T07:30:00Z"]);
        // 2024-11-03 01:30 New York happens twice: the earlier (EDT) instant, with a warning.
        let t =
            "datetime,close\n2024-11-03 00:30:00,1\n2024-11-03 01:30:00,1\n2024-11-03 02:30:00,1\n";
        let r = read(t, &ny());
        assert_eq!(
            starts(&r),
            [
                "2024-11-03T04:30:00Z",
                "2024-11-03T05:30:00Z",
                "2024-11-03T07:30:00Z"
            ]
        );
        assert_eq!(r.interval, Interval::H1);
        assert_eq!(
            r.warnings,
            ["1 local times fall in the hour repeated when daylight saving time ends in America/New_York (first on line 3: \"2024-11-03 01:30:00\"); each was read as the earlier of its two instants"]
        );
    }

    #[test]
    fn unix_seconds_millis_and_floats() {
        let t = "unix,close\n1600498800,1\n1600502400,2\n";
        let r = read(t, &opts());
        assert_eq!(r.series.start[0], utc("2020-09-19T07:00:00Z"));
        assert_eq!(r.interval, Interval::H1);
        let t = "timestamp,close\n1600498800000,1\n1600498860000,2\n";
        let r = read(t, &opts());
        assert_eq!(r.series.start[1], utc("2020-09-19T07:01:00Z"));
        assert_eq!(r.interval, Interval::M1);
        let t = "timestamp,close\n1600498800.0,1\n1600499700.0,2\n";
        assert_eq!(read(t, &opts()).interval, Interval::M15);
    }

    #[test]
    fn newest_first_is_reversed() {
        let t = "timestamp,close\n2024-01-01 02:00:00Z,3\n2024-01-01 01:00:00Z,2\n2024-01-01 00:00:00Z,1\n";
        let r = read(t, &opts());
        assert!(r.newest_first);
        assert_eq!(r.series.close, vec![1.0, 2.0, 3.0]);
        assert_eq!(r.series.start[0], utc("2024-01-01T00:00:00Z"));
        assert_eq!(
            r.warnings,
            ["the file lists its bars newest first; they were reversed"]
        );
        let t = "timestamp,close\n2024-01-01 02:00:00Z,3\n2024-01-01 01:00:00Z,2\n2024-01-01 03:00:00Z,1\n";
        assert_eq!(
            err(t, &opts()),
            "x.csv:4: times must be sorted; found 2024-01-01T03:00:00Z after 2024-01-01T01:00:00Z on line 3 (the file's first times are newest first)"
        );
    }

    const BINANCE: &str = "Open time,Open,High,Low,Close,Volume,Close time,Quote asset volume,Number of trades,Taker buy base asset volume,Taker buy quote asset volume,Ignore\n\
2025-08-19 15:10:00,4194.1,4196.41,4184.53,4186.51,4454.1483,1755616499999,18664809.37035,28471,2161.8649,9059623.950259,0\n\
2025-08-19 15:15:00,4186.51,4200.01,4176.58,4191.72,14266.7091,1755616799999,59843381.48062,38615,7304.8743,30644259.425704,0\n\
2025-08-19 15:20:00,4191.71,4213.5,4190.1,4210.11,13150.3383,1755617099999,55283726.281688,39709,6746.2068,28360843.859052,0\n";

    #[test]
    fn binance_klines_are_utc_and_close_time_is_checked() {
        let r = parse_intraday_csv(BINANCE, "ETHUSDT.binance.5m.csv", &opts()).unwrap();
        assert_eq!(r.format, IntradayFormat::Binance);
        assert_eq!(r.series.name, "ETHUSDT");
        assert_eq!(r.interval, Interval::M5);
        assert_eq!(r.series.start[0], utc("2025-08-19T15:10:00Z"));
        assert_eq!(r.series.volume.as_ref().unwrap()[0], 4454.1483);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        // A zone given for a Binance file is not used.
        assert_eq!(
            read(BINANCE, &ny()).warnings,
            ["--tz America/New_York was not used: binance times are UTC"]
        );
        // The wrong interval, or times that are not UTC, break the close-time check.
        let o = IntradayCsvOptions {
            interval: Some(Interval::M1),
            ..opts()
        };
        assert_eq!(
            err(BINANCE, &o),
            "x.csv:2: column 7 (Close time): close time 1755616499999 is 2025-08-19T15:14:59.999Z, but a 1m bar opening at 2025-08-19T15:10:00Z closes at 2025-08-19T15:10:59.999Z (open + 1m - 1 ms); the open times are not UTC, or the bars are not 1m"
        );
        let t = BINANCE.replace("1755616799999", "1755631199999");
        assert!(err(&t, &opts()).starts_with(
            "x.csv:3: column 7 (Close time): close time 1755631199999 is 2025-08-19T19:19:59.999Z"
        ));
        let t = BINANCE.replace("1755616799999", "soon");
        assert!(err(&t, &opts())
            .starts_with("x.csv:3: column 7 (Close time): cannot parse \"soon\" as a timestamp"));
    }

    const CDD: &str = "Timestamps are UTC timezone,https://www.CryptoDataDownload.com\r\n\
Unix Timestamp,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT\r\n\
1600498800.0,2020-09-19 07-AM,ETHUSDT,380.64,381.06,380.29,380.37,1282.25,488314.22\r\n\
1600495200.0,2020-09-19 06-AM,ETHUSDT,379.58,380.99,378.64,380.64,23662.78,8982350.6\r\n\
1600491600.0,2020-09-19 05-AM,ETHUSDT,379.0,380.0,378.0,379.58,100.0,\r\n\
1600488000.0,2020-09-19 12-AM,ETHUSDT,378.0,379.0,377.0,379.0,0,0\r\n";

    #[test]
    fn cryptodatadownload_hourly() {
        let r = parse_intraday_csv(CDD, "Binance_ETHUSDT_1h.csv", &opts()).unwrap();
        assert_eq!(r.format, IntradayFormat::CryptoDataDownload);
        assert_eq!(r.series.name, "ETHUSDT");
        assert!(r.newest_first);
        assert_eq!(r.interval, Interval::H1);
        assert_eq!(
            starts(&r),
            [
                "2020-09-19T04:00:00Z",
                "2020-09-19T05:00:00Z",
                "2020-09-19T06:00:00Z",
                "2020-09-19T07:00:00Z"
            ]
        );
        assert_eq!(r.series.close, vec![379.0, 379.58, 380.64, 380.37]);
        let v = r.series.volume.as_ref().unwrap();
        assert!(v[1].is_nan());
        assert_eq!(
            v[3], 488314.22,
            "quote-asset volume, as in the daily reader"
        );
        assert_eq!(
            r.warnings,
            [
                "the file lists its bars newest first; they were reversed",
                "1 rows have a Date that disagrees with Unix Timestamp (first on line 6: Date \"2020-09-19 12-AM\" but Unix Timestamp 2020-09-19T04:00:00Z); Unix Timestamp was used",
                "1 rows have an empty Volume USDT cell, kept as missing (first on line 5)",
                "1 bars have zero volume, kept (first on line 6)",
            ]
        );
    }

    #[test]
    fn duplicates_name_both_lines_or_keep_the_last() {
        let t = "Timestamps are UTC timezone,https://www.CryptoDataDownload.com\r\n\
Unix Timestamp,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT\r\n\
1506463200.0,2017-09-26 06-PM,ETHUSDT,1,1,1,1,1,1\r\n\
1506463200.0,2017-09-26 10-PM,ETHUSDT,2,2,2,2,2,2\r\n\
1506459600.0,2017-09-26 09-PM,ETHUSDT,3,3,3,3,3,3\r\n";
        assert_eq!(
            err(t, &opts()),
            "x.csv:4: duplicate timestamp 2017-09-26T22:00:00Z (also on line 3); choose dedupe `last` to keep the row that comes last in the file"
        );
        let o = IntradayCsvOptions {
            dedupe: Dedupe::Last,
            ..opts()
        };
        let r = read(t, &o);
        assert_eq!(r.series.close, vec![3.0, 2.0]);
        assert_eq!(
            r.warnings,
            [
                "the file lists its bars newest first; they were reversed",
                "dropped 1 rows with a duplicate timestamp (kept the last occurrence in the file)",
                "1 rows have a Date that disagrees with Unix Timestamp (first on line 3: Date \"2017-09-26 06-PM\" but Unix Timestamp 2017-09-26T22:00:00Z); Unix Timestamp was used",
            ]
        );
    }

    #[test]
    fn blank_lines_without_quotes_are_found_as_byte_by_byte() {
        for t in [
            "a\n\nb\n  \n\t\r\nc\r\n\r\nd\re\r\rf\n\n",
            "\n\r\n\r\r\n x\n",
            "",
            "no break",
            "a,b\r\n1,2\r\n",
        ] {
            assert_eq!(blank_lines(t), blank_lines_scan(t.as_bytes()), "{t:?}");
        }
        assert_eq!(blank_lines("a\n\nb\n  \n"), vec![2, 4]);
    }

    #[test]
    fn blank_lines_are_skipped_with_a_warning() {
        let t = "timestamp,close\n2024-01-01 00:00Z,1\n\n2024-01-01 00:01Z,2\n  \n,\n2024-01-01 00:02Z,3\n\n\n";
        let r = read(t, &opts());
        assert_eq!(r.series.len(), 3);
        assert_eq!(r.warnings, ["skipped 3 blank lines (first on line 3)"]);
        // A blank line inside a quoted field is not one.
        let t = "timestamp,close,note\n2024-01-01 00:00Z,1,\"a\n\nb\"\n2024-01-01 00:01Z,2,\n";
        assert!(read(t, &opts()).warnings.is_empty());
        let t = "timestamp,close\r\n2024-01-01 00:00Z,1\r\n\r\n2024-01-01 00:01Z,2\r\n";
        assert_eq!(
            read(t, &opts()).warnings,
            ["skipped 1 blank lines (first on line 3)"]
        );
        let t = "timestamp,close\r\n2024-01-01 00:00Z,1\r\n\r\n2024-01-01 00:01Z,x\r\n";
        assert_eq!(
            err(t, &opts()),
            "x.csv:4: column 2 (close): cannot parse \"x\" as a number"
        );
    }

    #[test]
    fn dates_without_time_of_day() {
        let t = "Date,Open,High,Low,Close,Volume\n\
                 10/21/2019 11:58,154.6,154.6,154.5,154.6,100\n\
                 10/21/2019 11:59,154.6,154.7,154.5,154.6,100\n\
                 10/21/2019,154.63,154.65,154.55,154.57,10900\n\
                 10/21/2019 12:01,154.6,154.6,154.5,154.6,100\n";
        assert_eq!(
            err(t, &ny()),
            "x.csv:4: column 1 (Date): \"10/21/2019\" is a date without a time of day (a spreadsheet dropped it?), so the bar's time cannot be known; fix the row, or pass --skip-bad-rows to drop such rows with a warning"
        );
        let o = IntradayCsvOptions {
            skip_undated: true,
            ..ny()
        };
        let r = read(t, &o);
        assert_eq!(r.series.len(), 3);
        assert_eq!(r.interval, Interval::M1);
        assert_eq!(
            r.warnings,
            ["dropped 1 rows whose timestamp is a date without a time of day (--skip-bad-rows; first on line 4: \"10/21/2019\")"]
        );
        // A file of dates alone is a daily file, with or without the option.
        let t = "Date,Close\n2024-01-02,1\n2024-01-03,2\n";
        let daily = "x.csv:2: column 1 (Date): every timestamp is a date without a time of day (the first is \"2024-01-02\"): this is a daily file; read it without --interval";
        assert_eq!(err(t, &opts()), daily);
        assert_eq!(err(t, &o), daily);
    }

    #[test]
    fn intervals_inferred_or_given() {
        let t = "timestamp,close\n2024-01-01 00:00Z,1\n2024-01-01 00:02Z,1\n2024-01-01 00:04Z,1\n";
        assert_eq!(
            err(t, &opts()),
            "x.csv: cannot tell the bar interval: the most common spacing between consecutive bars is 2m (2 of 2), which is not 1m, 5m, 15m, 30m or 1h; pass --interval if the bars are one of those"
        );
        let t = "timestamp,close\n2024-01-01 00:00Z,1\n2024-01-02 00:00Z,1\n";
        assert!(err(t, &opts()).contains("is 1d (1 of 1), which is not 1m, 5m, 15m, 30m or 1h (daily bars: read the file without --interval)"));
        let t = "timestamp,close\n2024-01-01 00:00Z,1\n";
        assert_eq!(
            err(t, &opts()),
            "x.csv: cannot tell the bar interval from a single bar; pass --interval (1m, 5m, 15m, 30m or 1h)"
        );
        let o = IntradayCsvOptions {
            interval: Some(Interval::M30),
            ..opts()
        };
        assert_eq!(read(t, &o).interval, Interval::M30);
        let o = IntradayCsvOptions {
            interval: Some(Interval::D1),
            ..opts()
        };
        assert!(err(t, &o).starts_with("x.csv: 1d is not an intraday interval"));
        // Gaps (nights, weekends) do not matter: the most common spacing wins; ties go to
        // the shorter.
        let t = "timestamp,close\n2024-01-01 00:00Z,1\n2024-01-01 00:05Z,1\n2024-01-01 00:20Z,1\n2024-01-01 00:25Z,1\n2024-01-01 12:00Z,1\n";
        assert_eq!(read(t, &opts()).interval, Interval::M5);
        let t = "timestamp,close\n2024-01-01 00:00Z,1\n2024-01-01 00:05Z,1\n2024-01-01 00:20Z,1\n";
        assert_eq!(read(t, &opts()).interval, Interval::M5);
        // A given interval that disagrees with the spacing is used, with a warning.
        let o = IntradayCsvOptions {
            interval: Some(Interval::M1),
            ..opts()
        };
        assert_eq!(
            read(t, &o).warnings,
            ["read as 1m bars as asked, but the most common spacing between bars is 5m (1 of 2)"]
        );
    }

    #[test]
    fn prices_are_validated_by_column() {
        let head = "timestamp,open,high,low,close,volume\n2024-01-01 00:00Z,1,1,1,1,1\n";
        let row = |r: &str| format!("{head}{r}\n");
        for (r, e) in [
            ("2024-01-01 00:01Z,1,1,1,0,1", "x.csv:3: column 5 (close): \"0\" is not a positive finite price"),
            ("2024-01-01 00:01Z,1,1,1,inf,1", "x.csv:3: column 5 (close): \"inf\" is not a positive finite price"),
            ("2024-01-01 00:01Z,1,1,1,,1", "x.csv:3: column 5 (close): cannot parse \"\" as a number"),
            ("2024-01-01 00:01Z,1,1,1,1,-5", "x.csv:3: column 6 (volume): \"-5\" is not a finite number >= 0"),
            ("2024-01-01 00:01Z,NaN,1,1,1,1", "x.csv:3: column 2 (open): \"NaN\" is not a finite number >= 0"),
            ("2024-01-01 00:01Z,1,x1,1,1,1", "x.csv:3: column 3 (high): cannot parse \"x1\" as a number"),
            ("2024-01-01 25:01Z,1,1,1,1,1", "x.csv:3: column 1 (timestamp): cannot parse \"2024-01-01 25:01Z\" as a timestamp; accepted: YYYY-MM-DD HH:MM[:SS[.f]]"),
            ("2024-01-01 00:01Z,1,1", "x.csv:3: the row has 3 fields but the header on line 1 has 6; column 4 (low) is missing"),
        ] {
            let got = err(&row(r), &opts());
            assert!(got.starts_with(e), "{r}: {got}");
        }
        // Empty optional cells are kept as missing; rows with no price at all are skipped.
        let t = row("2024-01-01 00:01Z,,2,1,1.5,\n2024-01-01 00:02Z,null,null,null,null,7");
        let r = read(&t, &opts());
        assert_eq!(r.series.len(), 2);
        assert!(r.series.open.as_ref().unwrap()[1].is_nan());
        assert_eq!(
            r.warnings,
            [
                "skipped 1 rows whose prices are all empty or null (first on line 4)",
                "1 rows have an empty open cell, kept as missing (first on line 3)",
                "1 rows have an empty volume cell, kept as missing (first on line 3)",
            ]
        );
    }

    #[test]
    fn long_cells_are_quoted_short() {
        let big = "9".repeat(100_000);
        let t = format!("timestamp,close\n2024-01-01 00:00Z,{big}x\n");
        let e = err(&t, &opts());
        assert!(e.len() < 200, "{e}");
        assert!(
            e.starts_with("x.csv:2: column 2 (close): cannot parse \"9999999999999999999999999999999999999999… (100001 bytes)\" as a number"),
            "{e}"
        );
        let t = format!("timestamp,close\n{big},1\n");
        assert!(err(&t, &opts()).len() < 400);
    }

    #[test]
    fn missing_time_column() {
        assert_eq!(
            err("when,close\n1,1\n", &opts()),
            "x.csv:1: a time column (datetime, timestamp, date, time, open time, unix or unix timestamp) not found; the header has: when, close"
        );
        assert_eq!(
            err("timestamp,mid\n1,1\n", &opts()),
            "x.csv:1: a close column (close, adj close, price or value) not found; the header has: timestamp, mid"
        );
        assert_eq!(
            err("timestamp,close\n", &opts()),
            "x.csv: no data rows after the header on line 1 (0 rows skipped because their price was null or empty)"
        );
    }

    #[test]
    fn spacing_names() {
        assert_eq!(spacing_name(120_000), "2m");
        assert_eq!(spacing_name(7_200_000), "2h");
        assert_eq!(spacing_name(90_000), "90s");
        assert_eq!(spacing_name(1500), "1500ms");
        assert_eq!(spacing_name(86_400_000 * 3), "3d");
    }

    #[test]
    fn a_file_is_read_as_what_it_holds() {
        let hourly = "timestamp,open,high,low,close,volume\n\
                      2024-01-02 17:30:00+00:00,1,1,1,1,0\n\
                      2024-01-02 18:30:00+00:00,1,1,1,2,0\n\
                      2024-01-02 19:30:00+00:00,1,1,1,3,0\n";
        assert!(looks_intraday(hourly, "x.csv"));
        // Daily files: dates, midnight timestamps, one close a day at a time of day.
        for daily in [
            "Date,Close\n2024-01-01,1\n2024-01-02,2\n",
            "Date,Close\n2024-01-01 00:00:00+00:00,1\n2024-01-02 00:00:00+00:00,2\n",
            "time,close\n2024-01-01T21:00:00Z,1\n2024-01-02T21:00:00Z,2\n2024-01-03T21:00:00Z,2\n",
        ] {
            assert!(!looks_intraday(daily, "d.csv"), "{daily}");
        }
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("IWM.1h.csv");
        // Padded cells are trimmed as before (the reader trims only the rows that need it).
        let padded = hourly.replace(
            "2024-01-02 18:30:00+00:00,1,1,1,2,0",
            " 2024-01-02 18:30:00+00:00 , 1,1,1, 2 ,0 ",
        );
        assert_ne!(padded, hourly);
        std::fs::write(&f, padded).unwrap();
        let daily = crate::CsvOptions::default();
        match read_any_csv(&f, &daily, &opts()).unwrap() {
            AnyRead::Intraday(r) => {
                assert_eq!(r.interval, Interval::H1);
                assert_eq!(r.series.close, vec![1.0, 2.0, 3.0]);
                assert_eq!(r.series.name, "IWM");
            }
            other => panic!("{other:?}"),
        }
        let d = dir.path().join("d.csv");
        std::fs::write(&d, " Date , Close \n 2024-01-01 , 1 \n2024-01-02,2\n").unwrap();
        match read_any_csv(&d, &daily, &opts()).unwrap() {
            AnyRead::Daily(r) => assert_eq!(r.series.price, vec![1.0, 2.0]),
            other => panic!("{other:?}"),
        }
        // Naive intraday times without --tz: the intraday reader's error, with line and
        // column.
        let m = dir.path().join("m.csv");
        std::fs::write(&m, "Date,Close\n10/21/2019 9:30,1\n10/21/2019 9:31,1\n").unwrap();
        let e = read_any_csv(&m, &daily, &opts()).unwrap_err().to_string();
        assert!(e.contains("m.csv:2: column 1 (Date)"), "{e}");
        assert!(e.contains("--tz"), "{e}");
    }
}
