//! Format detection and reading of CSV price files (see the crate documentation).

use std::path::Path;

use lockstep_core::{Date, PriceField, PriceSeries};

use crate::error::short;
use crate::intraday::intraday_hint;
pub(crate) use crate::records::{Fields, Plain, Records};
use crate::values::{parse_date, parse_number, parse_volume, plain_f64, ymd, DateKind};
use crate::DataError;

/// Which column supplies the price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum PriceChoice {
    /// The adjusted close if the file has one, else the close, else the single price / value
    /// column (default).
    #[default]
    #[cfg_attr(
        feature = "clap",
        value(help = "Adjusted close if the file has one, else close")
    )]
    Auto,
    /// The close column; an error if the file has none.
    #[cfg_attr(feature = "clap", value(help = "The close"))]
    Close,
    /// The adjusted close column; an error if the file has none.
    #[cfg_attr(
        feature = "clap",
        value(help = "The adjusted close (error if the file has none)")
    )]
    AdjClose,
}

/// What to do with rows that repeat a date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Dedupe {
    /// Duplicate dates are an error naming both lines (default).
    #[default]
    #[cfg_attr(feature = "clap", value(help = "Report duplicates as an error"))]
    Error,
    /// Keep the row that comes last in the file, drop the others (with a warning).
    #[cfg_attr(
        feature = "clap",
        value(help = "Keep the last occurrence in file order")
    )]
    Last,
}

/// Options of [`read_csv`] and [`parse_csv`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Which price column to use when `price_col` is not given.
    pub price: PriceChoice,
    /// Header name of the date column (case-insensitive exact match), overriding detection.
    pub date_col: Option<String>,
    /// Header name of the price column (case-insensitive exact match), overriding `price`.
    pub price_col: Option<String>,
    /// Handling of duplicate dates.
    pub dedupe: Dedupe,
    /// Keep only the dates and prices (for a command that uses nothing else, e.g. `lockstep
    /// corr`): the optional columns (open, high, low, volume) are read and checked as always,
    /// so a file is accepted or refused the same way, but not kept (the series has none of
    /// them); the reader holds 24 bytes a row instead of 56.
    pub prices_only: bool,
}

/// The detected layout of a CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Yahoo Finance download: `Date,Open,High,Low,Close,Adj Close,Volume`, all-`null` rows skipped.
    Yahoo,
    /// yfinance `DataFrame.to_csv` with a MultiIndex header: a `Price,...` row, a
    /// `Ticker,...` row and a `Date,,,` row (or the older two-row form without `Ticker`).
    YFinance,
    /// CoinGecko export `snapped_at,price,market_cap,total_volume`.
    ///
    /// **Date convention:** a snapshot at `00:00:00 UTC` (or late, within the first hour of the
    /// UTC day) is the opening price of that UTC day, which is the previous UTC day's close, so
    /// the row is dated the **previous** day
    /// (`2015-08-08 00:00:00 UTC` becomes 2015-08-07). This puts CoinGecko on the same dates as
    /// Yahoo and Binance daily crypto bars, whose bar dated D closes at 24:00 UTC of D. A
    /// snapshot at any other time (typically the last, intraday row of an export) is dated its
    /// own UTC date, and a warning says so.
    CoinGecko,
    /// CryptoDataDownload export: a banner line, then `Unix,Date,Symbol,Open,High,Low,Close,
    /// Volume <base>,Volume <quote>,tradecount`, newest first. Dated by the UTC date of `Unix`
    /// (the bar's 00:00 UTC open); volume is the quote-asset volume.
    CryptoDataDownload,
    /// Investing.com historical data: `Date,Price,Open,High,Low,Vol.,Change %`, newest first,
    /// US dates, thousands separators and `K`/`M`/`B` volumes.
    Investing,
    /// FRED: `observation_date,SERIES`, `DATE,SERIES` or `date,value`; missing values (`.` or
    /// empty) skipped; values may be zero or negative.
    Fred,
    /// Any other file with a date column and a close / price column.
    Generic,
}

impl Format {
    /// The format's name, as stored in [`PriceSeries::format`].
    pub fn name(&self) -> &'static str {
        match self {
            Format::Yahoo => "yahoo",
            Format::YFinance => "yfinance",
            Format::CoinGecko => "coingecko",
            Format::CryptoDataDownload => "cryptodatadownload",
            Format::Investing => "investing",
            Format::Fred => "fred",
            Format::Generic => "generic",
        }
    }
}

/// The result of reading a CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRead {
    /// The series, in ascending date order.
    pub series: PriceSeries,
    /// The detected format.
    pub format: Format,
    /// True when the file listed its rows newest first (they were reversed).
    pub newest_first: bool,
    /// Rows skipped because their price (or every value) was null or empty.
    pub skipped_null_rows: usize,
    /// Things the caller should show the user (skipped rows, dropped duplicates, ignored lines).
    pub warnings: Vec<String>,
}

/// Read a CSV price file; see [`parse_csv`] and the crate documentation.
pub fn read_csv(path: &Path, opts: &CsvOptions) -> Result<CsvRead, DataError> {
    with_text(path, |file, text| parse_csv(text, file, opts))
}

/// Files up to this size leave their buffer to the next file read on the same thread.
const KEEP_TEXT: usize = 1 << 20;

thread_local! {
    /// The text of the file being read on this thread: one buffer for every file up to
    /// [`KEEP_TEXT`] bytes, so a folder of files (the screen) reads into pages already touched
    /// rather than into fresh ones, each a page fault.
    static TEXT: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Read `path` and give `f` the path as shown in messages and the file's text (which must be
/// UTF-8). The text lives in this thread's buffer ([`KEEP_TEXT`]), taken while `f` runs.
pub(crate) fn with_text<T>(
    path: &Path,
    f: impl FnOnce(&str, &str) -> Result<T, DataError>,
) -> Result<T, DataError> {
    let file = path.display().to_string();
    let mut buf = TEXT.take();
    buf.clear();
    let read = std::fs::File::open(path).and_then(|mut h| {
        let size = h.metadata().map(|m| m.len() as usize).unwrap_or(0);
        buf.reserve(size);
        std::io::Read::read_to_end(&mut h, &mut buf)
    });
    let out = match read {
        Err(source) => Err(DataError::Io {
            path: file.clone(),
            source,
        }),
        Ok(_) => match std::str::from_utf8(&buf) {
            Ok(text) => f(&file, text),
            Err(e) => {
                let line = buf[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64
                    + 1;
                Err(DataError::NotUtf8 {
                    file: file.clone(),
                    line,
                })
            }
        },
    };
    if buf.capacity() <= KEEP_TEXT {
        TEXT.set(buf);
    }
    out
}

/// One record with its 1-based physical line number.
pub(crate) struct Rec {
    pub(crate) line: u64,
    pub(crate) rec: Fields,
}

impl Rec {
    pub(crate) fn cell(&self, i: usize) -> &str {
        self.rec.get(i).unwrap_or("")
    }
}

/// All non-blank records of the text.
fn records(text: &str, file: &str) -> Result<Vec<Rec>, DataError> {
    let mut it = Records::new(text, file);
    let mut out = Vec::new();
    while it.advance(&mut Vec::new())? {
        out.push(Rec {
            line: it.line,
            rec: it.rec.clone(),
        });
    }
    Ok(out)
}

/// A row out of place, for the caller's error: a second row of a key (duplicates of a key are
/// adjacent in a sorted file), or a row against the file's order.
pub(crate) enum OrderFault<'a, R> {
    /// `row` has the key of `first`.
    Duplicate { row: &'a R, first: &'a R },
    /// `row` breaks the `order` (`ascending` or `newest first`) after `previous`.
    Unsorted {
        row: &'a R,
        previous: &'a R,
        order: &'static str,
    },
}

/// Rows in file order made ascending by `key`, one per key: the order is decided by the first
/// two distinct keys (ascending or newest first); a repeated key keeps the last row with
/// `Dedupe::Last` (the count of rows dropped is returned, with whether the file was newest
/// first), else it is an error, as is a row against the order (both made by `fault`). The
/// rows are compacted in place (no second vector of them).
pub(crate) fn ascending<R, K: PartialOrd + Copy>(
    rows: Vec<R>,
    key: impl Fn(&R) -> K,
    dedupe: Dedupe,
    fault: impl Fn(OrderFault<'_, R>) -> DataError,
) -> Result<(Vec<R>, usize, bool), DataError> {
    let newest_first = rows.first().is_some_and(|r0| {
        rows.iter()
            .find(|r| key(r) != key(r0))
            .is_some_and(|r| key(r) < key(r0))
    });
    // In place: `rows[..kept]` are the rows kept so far (`kept <= r`), the rest of
    // `rows[..r]` is left over.
    let mut rows = rows;
    let (mut kept, mut dropped) = (0usize, 0usize);
    for r in 0..rows.len() {
        if kept > 0 {
            let (done, rest) = rows.split_at_mut(r);
            let (prev, row) = (&mut done[kept - 1], &mut rest[0]);
            if key(row) == key(prev) {
                if dedupe == Dedupe::Last {
                    dropped += 1;
                    std::mem::swap(prev, row);
                    continue;
                }
                return Err(fault(OrderFault::Duplicate { row, first: prev }));
            }
            if (key(row) < key(prev)) != newest_first {
                return Err(fault(OrderFault::Unsorted {
                    row,
                    previous: prev,
                    order: if newest_first {
                        "newest first"
                    } else {
                        "ascending"
                    },
                }));
            }
        }
        rows.swap(kept, r);
        kept += 1;
    }
    rows.truncate(kept);
    if newest_first {
        rows.reverse();
    }
    Ok((rows, dropped, newest_first))
}

pub(crate) fn eq_ic(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn is_date_word(s: &str) -> bool {
    eq_ic(s, "date") || eq_ic(s, "datetime")
}

/// The file name up to its first '.'.
pub(crate) fn stem(file: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    match name.split('.').next() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => name,
    }
}

const DATE_NAMES: &[&str] = &["date", "timestamp", "time", "datetime"];
const ADJ_NAMES: &[&str] = &["adj close", "adj_close", "adjclose"];

/// The header and where the data start.
pub(crate) struct Header {
    pub(crate) format: Format,
    /// Display names, one per column.
    pub(crate) names: Vec<String>,
    pub(crate) line: u64,
    pub(crate) data_start: usize,
    /// yfinance ticker from the `Ticker` row.
    pub(crate) ticker: Option<String>,
}

pub(crate) fn detect(
    recs: &[Rec],
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<Header, DataError> {
    let Some(first) = recs.first() else {
        return Err(DataError::Empty { file: file.into() });
    };
    // A banner line (one field) before a real header, as in CryptoDataDownload files.
    let mut h = 0;
    let mut cdd_banner = false;
    if first.rec.len() == 1 && recs.get(1).is_some_and(|r| r.rec.len() >= 2) {
        cdd_banner = first
            .cell(0)
            .to_ascii_lowercase()
            .contains("cryptodatadownload");
        if !cdd_banner {
            warnings.push(format!(
                "ignored line {} before the header: \"{}\"",
                first.line,
                short(first.cell(0))
            ));
        }
        h = 1;
    }
    let head = &recs[h];
    let names: Vec<String> = head.rec.iter().map(str::to_string).collect();
    let first_cell = |i: usize| recs.get(i).map_or("", |r| r.cell(0));
    let rest_empty = |i: usize| {
        recs.get(i)
            .is_some_and(|r| r.rec.iter().skip(1).all(str::is_empty))
    };

    // yfinance MultiIndex header: Price / Ticker / Date rows.
    if eq_ic(first_cell(h), "price")
        && eq_ic(first_cell(h + 1), "ticker")
        && is_date_word(first_cell(h + 2))
        && rest_empty(h + 2)
    {
        let trow = &recs[h + 1];
        let mut tickers: Vec<&str> = Vec::new();
        for t in trow.rec.iter().skip(1).filter(|t| !t.is_empty()) {
            if !tickers.contains(&t) {
                tickers.push(t);
            }
        }
        if tickers.len() > 1 {
            return Err(DataError::MultipleTickers {
                file: file.into(),
                line: trow.line,
                tickers: tickers.join(", "),
            });
        }
        let ticker = tickers.first().map(|t| t.to_string());
        let mut names = names;
        names[0] = first_cell(h + 2).to_string();
        return Ok(Header {
            format: Format::YFinance,
            names,
            line: head.line,
            data_start: h + 3,
            ticker,
        });
    }
    // Older two-row form: columns with an empty or `Price` first cell, then `Date,,,`.
    if (first_cell(h).is_empty() || eq_ic(first_cell(h), "price"))
        && head.rec.len() >= 2
        && is_date_word(first_cell(h + 1))
        && rest_empty(h + 1)
    {
        let mut names = names;
        names[0] = first_cell(h + 1).to_string();
        return Ok(Header {
            format: Format::YFinance,
            names,
            line: head.line,
            data_start: h + 2,
            ticker: None,
        });
    }

    let lc: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let has = |n: &str| lc.iter().any(|h| h == n);
    let format = if cdd_banner
        || ((has("unix") || has("unix timestamp")) && has("symbol") && has("close"))
    {
        Format::CryptoDataDownload
    } else if has("snapped_at") {
        Format::CoinGecko
    } else if names.len() == 2
        && (names[0] == "observation_date"
            || names[0] == "DATE"
            || (lc[0] == "date" && lc[1] == "value"))
    {
        Format::Fred
    } else if has("price") && (has("change %") || has("vol.")) {
        Format::Investing
    } else if DATE_NAMES.iter().any(|n| has(n)) && has("adj close") {
        Format::Yahoo
    } else {
        Format::Generic
    };
    Ok(Header {
        format,
        names,
        line: head.line,
        data_start: h + 1,
        ticker: None,
    })
}

/// Which column plays which role.
struct Layout {
    date: usize,
    date_kind: DateKind,
    price: usize,
    price_field: PriceField,
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    volume: Option<usize>,
    symbol: Option<usize>,
}

fn layout(hd: &Header, file: &str, opts: &CsvOptions) -> Result<Layout, DataError> {
    let lc: Vec<String> = hd.names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let find = |names: &[&str]| lc.iter().position(|h| names.contains(&h.as_str()));
    let missing = |wanted: String| DataError::MissingColumn {
        file: file.into(),
        line: hd.line,
        wanted,
        found: hd
            .names
            .iter()
            .map(|n| short(n))
            .collect::<Vec<_>>()
            .join(", "),
    };

    let mut open = find(&["open"]);
    let mut high = find(&["high"]);
    let mut low = find(&["low"]);
    let mut volume = find(&["volume"]);
    let mut symbol = None;
    let (mut adj, mut close, mut price, mut value) = (
        find(ADJ_NAMES),
        find(&["close"]),
        find(&["price"]),
        find(&["value"]),
    );
    let default_date: Option<(usize, DateKind)> = match hd.format {
        Format::YFinance => Some((0, DateKind::Iso)),
        Format::Yahoo | Format::Generic => find(DATE_NAMES).map(|i| (i, DateKind::Iso)),
        Format::CoinGecko => {
            volume = find(&["total_volume"]);
            (adj, close, value) = (None, None, None);
            find(&["snapped_at"]).map(|i| (i, DateKind::CoinGecko))
        }
        Format::CryptoDataDownload => {
            symbol = find(&["symbol"]);
            let vols: Vec<usize> = (0..lc.len())
                .filter(|&i| lc[i].starts_with("volume"))
                .collect();
            volume = vols.get(1).or(vols.first()).copied();
            find(&["unix", "unix timestamp"])
                .map(|i| (i, DateKind::Unix))
                .or_else(|| find(&["date"]).map(|i| (i, DateKind::Iso)))
        }
        Format::Investing => {
            volume = find(&["vol.", "volume"]);
            find(&["date"]).map(|i| (i, DateKind::Us))
        }
        Format::Fred => {
            (adj, close, price, value) = (None, None, None, Some(1));
            (open, high, low, volume) = (None, None, None, None);
            Some((0, DateKind::Iso))
        }
    };

    let (date, date_kind) = match &opts.date_col {
        Some(want) => {
            let i = lc
                .iter()
                .position(|h| eq_ic(h, want.trim()))
                .ok_or_else(|| {
                    missing(format!("the date column \"{want}\" (date column option)"))
                })?;
            let kind = match default_date {
                Some((d, k)) if d == i => k,
                _ if hd.format == Format::Investing => DateKind::Us,
                _ => DateKind::Iso,
            };
            (i, kind)
        }
        None => default_date.ok_or_else(|| {
            missing("a date column (date, timestamp, time or datetime)".to_string())
        })?,
    };

    let (price, price_field) = match &opts.price_col {
        Some(want) => {
            let i = lc
                .iter()
                .position(|h| eq_ic(h, want.trim()))
                .ok_or_else(|| {
                    missing(format!("the price column \"{want}\" (price column option)"))
                })?;
            (i, PriceField::Column)
        }
        None => match opts.price {
            PriceChoice::Auto => adj
                .map(|i| (i, PriceField::AdjClose))
                .or(close.map(|i| (i, PriceField::Close)))
                .or(price.map(|i| (i, PriceField::Price)))
                .or(value.map(|i| (i, PriceField::Value)))
                .ok_or_else(|| {
                    missing(
                        "a price column (Adj Close, adj_close, adjclose, Close, Price or Value)"
                            .to_string(),
                    )
                })?,
            PriceChoice::Close => close.map(|i| (i, PriceField::Close)).ok_or_else(|| {
                missing("a close column (Close), needed for price choice close".to_string())
            })?,
            PriceChoice::AdjClose => adj.map(|i| (i, PriceField::AdjClose)).ok_or_else(|| {
                missing(
                    "an adjusted close column (Adj Close, adj_close or adjclose), needed for price choice adj-close"
                        .to_string(),
                )
            })?,
        },
    };
    Ok(Layout {
        date,
        date_kind,
        price,
        price_field,
        open,
        high,
        low,
        volume,
        symbol,
    })
}

/// A kept data row: its line, date and price.
struct Row {
    line: u64,
    date: Date,
    price: f64,
}

/// What the reader keeps of a data row: the [`Row`], with or without its optional values
/// (open, high, low, volume; NaN where missing).
trait Kept {
    /// The row kept from `row` and its optional values.
    fn keep(row: Row, optional: [f64; 4]) -> Self;
    /// Its line, date and price.
    fn row(&self) -> &Row;
    /// Its optional values (`None` when they were not kept).
    fn optional(&self) -> Option<&[f64; 4]>;
}

impl Kept for Row {
    fn keep(row: Row, _: [f64; 4]) -> Self {
        row
    }
    fn row(&self) -> &Row {
        self
    }
    fn optional(&self) -> Option<&[f64; 4]> {
        None
    }
}

impl Kept for (Row, [f64; 4]) {
    fn keep(row: Row, optional: [f64; 4]) -> Self {
        (row, optional)
    }
    fn row(&self) -> &Row {
        &self.0
    }
    fn optional(&self) -> Option<&[f64; 4]> {
        Some(&self.1)
    }
}

/// Read CSV text already in memory. `file` names the source in messages and becomes
/// `series.source`; its stem is the default series name.
///
/// When the file cannot be read as daily prices and most of its times have a time of day other
/// than midnight, the error is a [`DataError::LooksIntraday`] that carries the daily reader's
/// error and suggests reading the file as intraday ([`crate::read_intraday_csv`], `--interval`).
pub fn parse_csv(text: &str, file: &str, opts: &CsvOptions) -> Result<CsvRead, DataError> {
    parse_csv_as(text, file, opts, true)
}

/// [`parse_csv`], with or without the plain lines' shortcut of [`parse_records`] (the tests
/// check that it changes nothing).
fn parse_csv_as(
    text: &str,
    file: &str,
    opts: &CsvOptions,
    shortcut: bool,
) -> Result<CsvRead, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = if opts.prices_only {
        parse_records::<Row>(text, file, opts, shortcut)
    } else {
        parse_records::<(Row, [f64; 4])>(text, file, opts, shortcut)
    };
    parsed.map_err(|e| {
        // Only on failure are the records held whole: a record the csv reader refuses comes
        // first (as when they were read before parsing), then the hint needs them all.
        let recs = match records(text, file) {
            Ok(recs) => recs,
            Err(first) => return first,
        };
        match intraday_hint(&recs, file) {
            Some(h) => DataError::LooksIntraday {
                inner: Box::new(e),
                timed: h.timed,
                checked: h.checked,
                suggest: h.suggest,
            },
            None => e,
        }
    })
}

/// The most cells of a line read by the plain lines' shortcut of [`parse_records`] (a Yahoo
/// download has seven).
const PLAIN_FIELDS: usize = 12;

/// The records [`detect`] looks at: the header lies within the first four.
const HEAD_RECORDS: usize = 5;

/// One pass over the records: the first few for [`detect`], then each data row as it is read
/// (no record kept). Trailing footer lines (a single field that is not a date, e.g. Barchart's
/// "Downloaded from") are held back until a row follows them (then the first is a row with too
/// few fields) or the file ends (then they are ignored, with a warning each, last first).
fn parse_records<R: Kept>(
    text: &str,
    file: &str,
    opts: &CsvOptions,
    shortcut: bool,
) -> Result<CsvRead, DataError> {
    let mut warnings = Vec::new();
    let mut it = Records::new(text, file);
    let mut head: Vec<Rec> = Vec::new();
    while head.len() < HEAD_RECORDS && it.advance(&mut Vec::new())? {
        head.push(Rec {
            line: it.line,
            rec: it.rec.clone(),
        });
    }
    let hd = detect(&head, file, &mut warnings)?;
    let lay = layout(&hd, file, opts)?;
    let format = hd.format;
    let fred = format == Format::Fred;
    let investing = format == Format::Investing;
    let ncols = hd.names.len();
    let is_footer =
        |r: &Rec| ncols > 1 && r.rec.len() == 1 && parse_date(r.cell(0), lay.date_kind).is_none();

    let col_name = |i: usize| hd.names.get(i).map_or_else(String::new, |n| short(n));
    let is_missing =
        |s: &str| s.is_empty() || eq_ic(s, "null") || (fred && s == ".") || (investing && s == "-");
    let (mut all_null, mut price_null, mut intraday) = (0usize, 0usize, Vec::new());
    let mut late = Vec::new();
    // About one row per 32 bytes (a `Date,Close` line is 25 to 30): one allocation for most
    // files of the screen's kind, a few doublings for wider ones.
    let mut rows: Vec<R> = Vec::with_capacity(text.len() / 32);
    // The symbol cell of the first data row (CryptoDataDownload names the series by it).
    let mut first_symbol: Option<String> = None;
    let any_optional = [lay.open, lay.high, lay.low, lay.volume]
        .iter()
        .any(Option::is_some);
    let mut row = |r: &Rec, rows: &mut Vec<R>| -> Result<(), DataError> {
        if first_symbol.is_none() {
            first_symbol = Some(
                lay.symbol
                    .map(|i| r.cell(i).to_string())
                    .unwrap_or_default(),
            );
        }
        let got = r.rec.len();
        if got < ncols {
            return Err(DataError::TooFewFields {
                file: file.into(),
                line: r.line,
                got,
                expected: ncols,
                header_line: hd.line,
                column: got + 1,
                name: col_name(got),
            });
        }
        if got > ncols && r.rec.iter().skip(ncols).any(|f| !f.is_empty()) {
            return Err(DataError::TooManyFields {
                file: file.into(),
                line: r.line,
                got,
                expected: ncols,
                header_line: hd.line,
            });
        }
        let dtext = r.cell(lay.date);
        let pd = parse_date(dtext, lay.date_kind).ok_or_else(|| DataError::BadDate {
            file: file.into(),
            line: r.line,
            column: lay.date + 1,
            name: col_name(lay.date),
            text: short(dtext),
            accepted: lay.date_kind.accepted(),
        })?;
        let ptext = r.cell(lay.price);
        if is_missing(ptext) {
            if (0..ncols).all(|i| i == lay.date || is_missing(r.cell(i))) {
                all_null += 1;
            } else {
                price_null += 1;
            }
            return Ok(());
        }
        let number = |i: usize, volume: bool| -> Result<f64, DataError> {
            let s = r.cell(i);
            let v = if volume && investing {
                parse_volume(s)
            } else {
                parse_number(s, investing)
            };
            v.ok_or_else(|| DataError::BadNumber {
                file: file.into(),
                line: r.line,
                column: i + 1,
                name: col_name(i),
                text: short(s),
            })
        };
        let price = number(lay.price, false)?;
        if !price.is_finite() {
            return Err(DataError::NonFinitePrice {
                file: file.into(),
                line: r.line,
                column: lay.price + 1,
                name: col_name(lay.price),
                text: short(ptext),
            });
        }
        if !fred && price <= 0.0 {
            return Err(DataError::NonPositivePrice {
                file: file.into(),
                line: r.line,
                column: lay.price + 1,
                name: col_name(lay.price),
                text: short(ptext),
            });
        }
        // Open, high and low are prices (positive and finite, except in FRED series); volume
        // is finite and not negative. A missing cell is undefined (NaN inside, empty outside).
        let optional = |col: Option<usize>, volume: bool| -> Result<f64, DataError> {
            match col {
                Some(i) if !is_missing(r.cell(i)) => {
                    let v = number(i, volume)?;
                    let rule = match (volume, fred) {
                        (true, _) if !(v.is_finite() && v >= 0.0) => "a non-negative finite volume",
                        (false, false) if !(v.is_finite() && v > 0.0) => "a positive finite price",
                        (false, true) if !v.is_finite() => "a finite number",
                        _ => return Ok(v),
                    };
                    Err(DataError::BadValue {
                        file: file.into(),
                        line: r.line,
                        column: i + 1,
                        name: col_name(i),
                        text: short(r.cell(i)),
                        rule,
                    })
                }
                _ => Ok(f64::NAN),
            }
        };
        if pd.intraday {
            intraday.push(r.line);
        }
        if pd.late {
            late.push(r.line);
        }
        let (open, high, low, volume) = if any_optional {
            (
                optional(lay.open, false)?,
                optional(lay.high, false)?,
                optional(lay.low, false)?,
                optional(lay.volume, true)?,
            )
        } else {
            (f64::NAN, f64::NAN, f64::NAN, f64::NAN)
        };
        rows.push(R::keep(
            Row {
                line: r.line,
                date: pd.date,
                price,
            },
            [open, high, low, volume],
        ));
        Ok(())
    };
    // The data rows: those of the head after the header, then the rest as they are read,
    // footer candidates held back.
    let mut held: Vec<Rec> = Vec::new();
    let mut feed = |r: &Rec, held: &mut Vec<Rec>, rows: &mut Vec<R>| -> Result<(), DataError> {
        if is_footer(r) {
            held.push(Rec {
                line: r.line,
                rec: r.rec.clone(),
            });
            return Ok(());
        }
        if !held.is_empty() {
            for h in held.drain(..) {
                row(&h, rows)?;
            }
        }
        row(r, rows)
    };
    for r in head.iter().skip(hd.data_start) {
        feed(r, &mut held, &mut rows)?;
    }
    // The plain lines' shortcut: once a row is kept (and no footer candidate is held), a line
    // of the header's number of plain cells (`Records::peek_plain`) whose date is
    // `YYYY-MM-DD` and whose numbers are plain decimals the rules accept is the row the general
    // path below would keep, read straight from the text. Any other line, every faulty one
    // included, goes the general way, so what is kept and every message are unchanged.
    let shortcut = shortcut
        && lay.date_kind == DateKind::Iso
        && !investing
        && (2..=PLAIN_FIELDS).contains(&ncols);
    let plain_row = |p: &Plain<'_, PLAIN_FIELDS>| -> Option<R> {
        let date = ymd(p.field(lay.date))?;
        let price = plain_f64(p.field(lay.price))?;
        if !(fred || price > 0.0) {
            return None;
        }
        // An optional value: empty is missing (NaN), as in the general path.
        let optional = |col: Option<usize>, volume: bool| -> Option<f64> {
            let Some(i) = col else {
                return Some(f64::NAN);
            };
            let s = p.field(i);
            if s.is_empty() {
                return Some(f64::NAN);
            }
            let v = plain_f64(s)?;
            (if volume { v >= 0.0 } else { fred || v > 0.0 }).then_some(v)
        };
        let values = if any_optional {
            [
                optional(lay.open, false)?,
                optional(lay.high, false)?,
                optional(lay.low, false)?,
                optional(lay.volume, true)?,
            ]
        } else {
            [f64::NAN; 4]
        };
        Some(R::keep(
            Row {
                line: p.line,
                date,
                price,
            },
            values,
        ))
    };
    let mut at = Rec {
        line: 0,
        rec: Fields::default(),
    };
    loop {
        if shortcut && held.is_empty() && !rows.is_empty() {
            if let Some(p) = it.peek_plain::<PLAIN_FIELDS>() {
                if let Some(k) = (p.fields == ncols).then(|| plain_row(&p)).flatten() {
                    rows.push(k);
                    it.take(&p);
                    continue;
                }
            }
        }
        if !it.advance(&mut Vec::new())? {
            break;
        }
        // The reader's record lent to `at` (no copy), then given back for the next read.
        std::mem::swap(&mut at.rec, &mut it.rec);
        at.line = it.line;
        let fed = feed(&at, &mut held, &mut rows);
        std::mem::swap(&mut at.rec, &mut it.rec);
        fed?;
    }
    for last in held.iter().rev() {
        warnings.push(format!(
            "ignored footer line {}: \"{}\"",
            last.line,
            short(last.cell(0))
        ));
    }

    let skipped_null_rows = all_null + price_null;
    if all_null > 0 {
        warnings.push(format!(
            "skipped {all_null} rows whose values are all null or empty"
        ));
    }
    if price_null > 0 {
        warnings.push(format!(
            "skipped {price_null} rows whose price ({}) is null or empty while other values are present",
            col_name(lay.price)
        ));
    }
    if rows.is_empty() {
        return Err(DataError::NoData {
            file: file.into(),
            header_line: hd.line,
            skipped: skipped_null_rows,
        });
    }
    if let Some(first) = late.first() {
        warnings.push(format!(
            "{} snapshot(s) taken after 00:00:00 but within the first hour of a UTC day (first on line {first}) are read as that day's opening price, the previous day's close",
            late.len()
        ));
    }
    if let Some(first) = intraday.first() {
        warnings.push(format!(
            "{} snapshot(s) not taken at 00:00:00 UTC (first on line {first}) are dated their own UTC day; such a price is intraday, not a daily close",
            intraday.len()
        ));
    }

    let (kept, dropped, newest_first) = ascending(
        rows,
        |r| r.row().date,
        opts.dedupe,
        |fault| match fault {
            OrderFault::Duplicate { row, first } => DataError::Duplicate {
                file: file.into(),
                line: row.row().line,
                date: row.row().date,
                first_line: first.row().line,
            },
            OrderFault::Unsorted {
                row,
                previous,
                order,
            } => DataError::Unsorted {
                file: file.into(),
                line: row.row().line,
                date: row.row().date,
                previous: previous.row().date,
                previous_line: previous.row().line,
                order,
            },
        },
    )?;
    if dropped > 0 {
        warnings.push(format!(
            "dropped {dropped} rows with a duplicate date (kept the last occurrence in the file)"
        ));
    }

    let name = match format {
        Format::YFinance => hd.ticker.clone(),
        Format::CryptoDataDownload => first_symbol.filter(|s| !s.is_empty()),
        Format::Fred if !eq_ic(&hd.names[1], "value") && !hd.names[1].is_empty() => {
            Some(hd.names[1].clone())
        }
        _ => None,
    }
    .unwrap_or_else(|| stem(file));
    // An optional column: present in the file and kept.
    let col = |present: Option<usize>, k: usize| -> Option<Vec<f64>> {
        present?;
        kept.first()?.optional()?;
        Some(
            kept.iter()
                .map(|r| r.optional().map_or(f64::NAN, |o| o[k]))
                .collect(),
        )
    };
    let series = PriceSeries {
        name,
        source: file.to_string(),
        format: format.name().to_string(),
        price_field: lay.price_field,
        open: col(lay.open, 0),
        high: col(lay.high, 1),
        low: col(lay.low, 2),
        volume: col(lay.volume, 3),
        dates: kept.iter().map(|r| r.row().date).collect(),
        price: kept.iter().map(|r| r.row().price).collect(),
    };
    series.validate().map_err(|source| DataError::Invalid {
        file: file.into(),
        source,
    })?;
    Ok(CsvRead {
        series,
        format,
        newest_first,
        skipped_null_rows,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn opts() -> CsvOptions {
        CsvOptions::default()
    }

    fn read(text: &str, file: &str) -> CsvRead {
        parse_csv(text, file, &opts()).unwrap()
    }

    fn err(text: &str, file: &str) -> String {
        err_with(text, file, &opts())
    }

    fn err_with(text: &str, file: &str, o: &CsvOptions) -> String {
        parse_csv(text, file, o).unwrap_err().to_string()
    }

    /// A cell for [`shortcut_changes_nothing`]: plain or not, valid or not.
    fn cell() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (1u64..10_000_000_000_000_000u64, 0u32..18).prop_map(|(m, e)| {
                let s = m.to_string();
                let k = (e as usize).min(s.len() - 1);
                if k == 0 { s } else { format!("{}.{}", &s[..s.len() - k], &s[s.len() - k..]) }
            }),
            2 => (0u32..100_000).prop_map(|v| v.to_string()),
            1 => Just(String::new()),
            1 => prop::sample::select(vec![
                "0", "-0", "-1.5", "0.0", "null", "NULL", ".", "-", "1e5", "+3", " 4.5", "4.5 ",
                "\"5\"", "\"1,5\"", "abc", "inf", "NaN", "1.", ".5", "00012.5",
                "12345678901234567890.5", "1,234.5",
            ])
            .prop_map(str::to_string),
        ]
    }

    /// A data line for [`shortcut_changes_nothing`]: its date (day `day` from 2020-01-01, or
    /// a faulty one) and cells, joined with commas (some lines with a cell too many or few).
    fn line(ncols: usize) -> impl proptest::strategy::Strategy<Value = (i8, Vec<String>, u8)> {
        use proptest::prelude::*;
        (
            prop_oneof![8 => 1i8..3, 1 => Just(0i8), 1 => Just(-1i8)],
            proptest::collection::vec(cell(), ncols - 1..=ncols),
            0u8..40,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The plain lines' shortcut keeps the rows, warnings and errors of the general path,
        /// on files mixing plain lines with every kind of line that must leave it: padded,
        /// quoted, empty and faulty cells, bad and repeated dates, CRLF, blank lines, a cell
        /// too many or too few, footers; for each header kind and both kinds of reader.
        #[test]
        fn shortcut_changes_nothing(
            header in proptest::sample::select(vec![
                "Date,Close",
                "Date,Open,High,Low,Close,Adj Close,Volume",
                "observation_date,DGS2",
                "Date,Price,Open,High,Low,Vol.,Change %",
                "date,close,volume,extra",
            ]),
            lines in proptest::collection::vec(line(7), 1..40),
            crlf: bool,
            prices_only: bool,
            dedupe_last: bool,
        ) {
            let ncols = header.split(',').count();
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("{header}{eol}");
            let mut day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            for (step, cells, odd) in &lines {
                day = if *step >= 0 {
                    day + chrono::Days::new(*step as u64)
                } else {
                    day - chrono::Days::new(1)
                };
                let date = match odd {
                    0 => "2020-13-01".to_string(),
                    1 => format!(" {day}"),
                    2 => day.format("%m/%d/%Y").to_string(),
                    3 => "Downloaded from somewhere".to_string(),
                    _ => day.to_string(),
                };
                let n = if *odd == 4 { ncols + 1 } else if *odd == 5 { ncols - 1 } else { ncols };
                let mut row = vec![date];
                row.extend(cells.iter().cloned().cycle().take(n.saturating_sub(1)));
                text.push_str(&row.join(","));
                text.push_str(if *odd == 6 { "\n\n" } else { eol });
            }
            let o = CsvOptions {
                prices_only,
                dedupe: if dedupe_last { Dedupe::Last } else { Dedupe::Error },
                ..CsvOptions::default()
            };
            let with = parse_csv_as(&text, "t.csv", &o, true).map_err(|e| e.to_string());
            let without = parse_csv_as(&text, "t.csv", &o, false).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(format!("{with:?}"), format!("{without:?}"), "{}", text);
        }
    }

    #[test]
    fn yahoo_download_skips_null_rows() {
        let t = "Date,Open,High,Low,Close,Adj Close,Volume\n\
                 2020-04-01,10.0,11.0,9.5,10.5,10.4,1000\n\
                 2020-04-02,null,null,null,null,null,null\n\
                 2020-04-03,10.5,12.0,10.0,11.5,11.4,null\n";
        let r = read(t, "data/^RUT.csv");
        assert_eq!(r.format, Format::Yahoo);
        assert_eq!(r.series.format, "yahoo");
        assert_eq!(r.series.name, "^RUT");
        assert_eq!(r.series.source, "data/^RUT.csv");
        assert_eq!(r.series.price_field, PriceField::AdjClose);
        assert_eq!(r.series.dates, vec![d("2020-04-01"), d("2020-04-03")]);
        assert_eq!(r.series.price, vec![10.4, 11.4]);
        assert_eq!(r.series.open, Some(vec![10.0, 10.5]));
        let v = r.series.volume.unwrap();
        assert_eq!(v[0], 1000.0);
        assert!(v[1].is_nan());
        assert_eq!(r.skipped_null_rows, 1);
        assert!(!r.newest_first);
        assert!(r.warnings[0].contains("skipped 1 rows whose values are all null"));

        let c = CsvOptions {
            price: PriceChoice::Close,
            ..opts()
        };
        let r = parse_csv(t, "x.csv", &c).unwrap();
        assert_eq!(r.series.price_field, PriceField::Close);
        assert_eq!(r.series.price, vec![10.5, 11.5]);
    }

    #[test]
    fn yfinance_multiindex_three_rows() {
        let t = "Price,Adj Close,Close,High,Low,Open,Volume\n\
                 Ticker,ETH-USD,ETH-USD,ETH-USD,ETH-USD,ETH-USD,ETH-USD\n\
                 Date,,,,,,\n\
                 2024-01-01,2352.0,2352.0,2355.0,2275.0,2281.0,5961000000\n\
                 2024-01-02,2355.2,2355.2,2429.0,2351.0,2352.0,abc\n";
        assert_eq!(
            err(t, "eth.csv"),
            "eth.csv:5: column 7 (Volume): cannot parse \"abc\" as a number"
        );
        let t = t.replace("abc", "1");
        let r = read(&t, "eth.csv");
        assert_eq!(r.format, Format::YFinance);
        assert_eq!(r.series.name, "ETH-USD");
        assert_eq!(r.series.price_field, PriceField::AdjClose);
        assert_eq!(r.series.price, vec![2352.0, 2355.2]);
        assert_eq!(r.series.high, Some(vec![2355.0, 2429.0]));

        let two = "Price,Close,High,Low,Open,Volume\nTicker,AAPL,MSFT,AAPL,AAPL,AAPL\nDate,,,,,\n";
        assert_eq!(
            err(two, "x.csv"),
            "x.csv:2: the yfinance file holds several tickers (AAPL, MSFT); save one ticker per file"
        );
    }

    #[test]
    fn yfinance_two_row_form() {
        let t = ",Close,High,Low,Open,Volume\nDate,,,,,\n2024-01-02,10,11,9,10,5\n2024-01-03,12,13,11,12,6\n";
        let r = read(t, "IWM.daily.csv");
        assert_eq!(r.format, Format::YFinance);
        assert_eq!(r.series.name, "IWM");
        assert_eq!(r.series.price_field, PriceField::Close);
        assert_eq!(r.series.price, vec![10.0, 12.0]);
        let t = "Price,Close\nDate,\n2024-01-02,10\n2024-01-03,x\n";
        assert_eq!(
            err(t, "a.csv"),
            "a.csv:4: column 2 (Close): cannot parse \"x\" as a number"
        );
    }

    #[test]
    fn coingecko_dates_previous_day_at_midnight() {
        let t = "snapped_at,price,market_cap,total_volume\n\
                 2015-08-07 00:00:00 UTC,2.83162,0.0,90622.0\n\
                 2015-08-08 00:00:00 UTC,1.33075,80339475.0,368070.0\n\
                 2015-08-09 14:21:05 UTC,1.5,80000000.0,\n";
        let r = read(t, "eth-usd-max.csv");
        assert_eq!(r.format, Format::CoinGecko);
        assert_eq!(r.series.format, "coingecko");
        assert_eq!(r.series.name, "eth-usd-max");
        assert_eq!(r.series.price_field, PriceField::Price);
        assert_eq!(
            r.series.dates,
            vec![d("2015-08-06"), d("2015-08-07"), d("2015-08-09")]
        );
        assert_eq!(r.series.price, vec![2.83162, 1.33075, 1.5]);
        let v = r.series.volume.unwrap();
        assert_eq!(v[..2], [90622.0, 368070.0]);
        assert!(v[2].is_nan());
        assert!(r.series.open.is_none());
        assert!(r.warnings[0].contains("line 4"));
    }

    #[test]
    fn coingecko_late_snapshots_are_the_previous_close() {
        // A real export: 2018-01-30's snapshot came five minutes late; with 00:00:00 only,
        // it and the next row would both be dated 2018-01-30 (a duplicate).
        let t = "snapped_at,price,market_cap,total_volume\n\
                 2018-01-29 00:00:00 UTC,1180.1,1,1\n\
                 2018-01-30 00:05:11 UTC,1119.4,1,1\n\
                 2018-01-31 00:00:00 UTC,1065.3,1,1\n\
                 2018-02-01 00:59:59 UTC,1100.0,1,1\n\
                 2018-02-02 01:00:00 UTC,1010.0,1,1\n";
        let r = read(t, "eth-usd-max.csv");
        assert_eq!(
            r.series.dates,
            vec![
                d("2018-01-28"),
                d("2018-01-29"),
                d("2018-01-30"),
                d("2018-01-31"),
                d("2018-02-02")
            ]
        );
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(r.warnings[0]
            .starts_with("2 snapshot(s) taken after 00:00:00 but within the first hour"));
        assert!(r.warnings[0].contains("first on line 3"));
        assert!(
            r.warnings[1].starts_with("1 snapshot(s) not taken at 00:00:00 UTC (first on line 6)")
        );
    }

    #[test]
    fn cryptodatadownload_newest_first() {
        let t = "https://www.CryptoDataDownload.com\n\
                 Unix,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT,tradecount\n\
                 1774828800000,2026-03-30,ETHUSDT,1984.65,2085.0,1980.28,2026.48,338304.4344,691966365.082457,3886546\n\
                 1774742400000,2026-03-29,ETHUSDT,1994.74,2019.65,1938.82,1984.64,166726.7382,331249654.02983,2049808\n\
                 1774656000000,2026-03-28,ETHUSDT,1990.0,2000.0,1980.0,1994.74,1.0,2.0,3\n";
        let r = read(t, "Binance_ETHUSDT_d.csv");
        assert_eq!(r.format, Format::CryptoDataDownload);
        assert_eq!(r.series.name, "ETHUSDT");
        assert!(r.newest_first);
        assert_eq!(
            r.series.dates,
            vec![d("2026-03-28"), d("2026-03-29"), d("2026-03-30")]
        );
        assert_eq!(r.series.price, vec![1994.74, 1984.64, 2026.48]);
        assert_eq!(r.series.price_field, PriceField::Close);
        assert_eq!(
            r.series.volume,
            Some(vec![2.0, 331249654.02983, 691966365.082457])
        );
        assert!(r.warnings.is_empty());

        // Older layout: `Unix Timestamp` in seconds, one volume column.
        let t = "https://www.CryptoDataDownload.com\n\
                 Unix Timestamp,Date,Symbol,Open,High,Low,Close,Volume\n\
                 1502928000,2017-08-17,ETHUSD,301,312,298,302,7030\n";
        let r = read(t, "x.csv");
        assert_eq!(r.series.dates, vec![d("2017-08-17")]);
        assert_eq!(r.series.volume, Some(vec![7030.0]));
        assert_eq!(r.series.name, "ETHUSD");

        let t = "https://www.CryptoDataDownload.com\nUnix,Date,Symbol,Open,High,Low,Close\nsoon,2017-08-17,E,1,1,1,1\n";
        assert_eq!(
            err(t, "c.csv"),
            "c.csv:3: column 1 (Unix): cannot parse \"soon\" as a date; accepted: Unix time in seconds, or in milliseconds (values above 1e11)"
        );
    }

    #[test]
    fn investing_bom_crlf_quotes_and_volumes() {
        let t = "\u{feff}\"Date\",\"Price\",\"Open\",\"High\",\"Low\",\"Vol.\",\"Change %\"\r\n\
                 \"Jan 26, 2024\",\"1,234.50\",\"1,230.00\",\"1,240.00\",\"1,220.00\",\"1.5M\",\"0.10%\"\r\n\
                 1/25/2024,94.67,94.67,94.6725,94.67,13.28K,0.00%\r\n\
                 01/24/2024,94.67,94.67,94.6725,94.67,-,0.00%\r\n\
                 1/1/2024,94.6725,94.6725,94.6725,94.6725,,0.00%\r\n";
        let r = read(t, "ZQ0M.csv");
        assert_eq!(r.format, Format::Investing);
        assert_eq!(r.series.format, "investing");
        assert!(r.newest_first);
        assert_eq!(r.series.price_field, PriceField::Price);
        assert_eq!(
            r.series.dates,
            vec![
                d("2024-01-01"),
                d("2024-01-24"),
                d("2024-01-25"),
                d("2024-01-26")
            ]
        );
        assert_eq!(r.series.price, vec![94.6725, 94.67, 94.67, 1234.5]);
        let v = r.series.volume.unwrap();
        assert!(v[0].is_nan() && v[1].is_nan());
        assert_eq!(v[2..], [13280.0, 1_500_000.0]);
        assert_eq!(r.series.name, "ZQ0M");

        let t = "Date,Price,Open,High,Low,Vol.,Change %\r\n25/1/2024,1,1,1,1,1K,0%\r\n";
        let e = err(t, "z.csv");
        assert!(
            e.starts_with("z.csv:2: column 1 (Date): cannot parse \"25/1/2024\" as a date; accepted: M/D/YYYY"),
            "{e}"
        );
        let t = "Date,Price,Open,High,Low,Vol.,Change %\n1/25/2024,1,234.5,1,1,1,1K,0%\n";
        assert_eq!(
            err(t, "z.csv"),
            "z.csv:2: the row has 8 fields but the header on line 1 has 7 (a number with an unquoted thousands separator?)"
        );
    }

    #[test]
    fn fred_headers_missing_values_and_negatives() {
        let t = "observation_date,DGS2\n2021-02-12,0.11\n2021-02-15,\n2021-02-16,0.12\n";
        let r = read(t, "DGS2.fredgraph.csv");
        assert_eq!(r.format, Format::Fred);
        assert_eq!(r.series.name, "DGS2");
        assert_eq!(r.series.price_field, PriceField::Value);
        assert_eq!(r.series.price, vec![0.11, 0.12]);
        assert_eq!(r.skipped_null_rows, 1);
        assert!(r.warnings[0].contains("skipped 1 rows"));
        assert!(r.series.volume.is_none());

        let t = "DATE,T10Y2Y\n2022-07-05,.\n2022-07-06,-0.04\n2022-07-07,0\n";
        let r = read(t, "T10Y2Y.csv");
        assert_eq!(r.series.name, "T10Y2Y");
        assert_eq!(r.series.price, vec![-0.04, 0.0]);
        assert_eq!(r.skipped_null_rows, 1);

        let t = "date,value\n2024-01-01,5\n2024-01-02,5.5\n";
        let r = read(t, "DGS2.csv");
        assert_eq!(r.format, Format::Fred);
        assert_eq!(r.series.name, "DGS2");

        let t = "date,value\n2024-01-01,5\n2024-01-02,inf\n";
        assert_eq!(
            err(t, "f.csv"),
            "f.csv:3: column 2 (value): price \"inf\" is not a finite number"
        );
        // Lower-case `date` with a series name is generic, where zero is not allowed.
        let t = "date,close\n2024-01-01,0\n";
        assert_eq!(read_generic_err(t), "g.csv:2: column 2 (close): price 0 is not positive; prices must be > 0 (only FRED series may be zero or negative)");
    }

    fn read_generic_err(t: &str) -> String {
        err(t, "g.csv")
    }

    #[test]
    fn generic_files() {
        let t = "Date,Close,High,Low,Open,Volume\r\n2017-11-09,320.88,329.45,307.05,308.64,893249984\r\n2017-11-10,299.25,324.71,294.54,320.67,885985984\r\n";
        let r = read(t, "ETH-USD.daily.csv");
        assert_eq!(r.format, Format::Generic);
        assert_eq!(r.series.name, "ETH-USD");
        assert_eq!(r.series.price_field, PriceField::Close);
        assert_eq!(r.series.price, vec![320.88, 299.25]);
        assert_eq!(r.series.open, Some(vec![308.64, 320.67]));

        let t = "timestamp,adj_close,close\n2024-01-05T00:00:00Z,1.5,2\n2024-01-05T21:00:00-05:00,1.6,2\n";
        let r = read(t, "x.csv");
        assert_eq!(r.series.price_field, PriceField::AdjClose);
        assert_eq!(r.series.dates, vec![d("2024-01-05"), d("2024-01-06")]);
        assert!(r.series.open.is_none());

        let t = "time,price\n2024-01-05 10:00:00,3\n\n\n";
        let r = read(t, "y.csv");
        assert_eq!(r.series.price_field, PriceField::Price);
        assert_eq!(r.series.price, vec![3.0]);

        // A row with only the price missing is skipped and counted.
        let t = "date,close,volume\n2024-01-01,1,5\n2024-01-02,,6\n2024-01-03,2,7\n";
        let r = read(t, "y.csv");
        assert_eq!(r.skipped_null_rows, 1);
        assert_eq!(r.series.volume, Some(vec![5.0, 7.0]));
        assert!(r.warnings[0].contains("price (close) is null or empty"));
    }

    #[test]
    fn footer_and_banner_lines() {
        let t = "\"Exp Date\",Symbol,Last\n1988-10-31,ZQV88,91.71\n1988-11-30,ZQX88,91.66\n\"Downloaded from Barchart.com as of 11-02-2025 10:55pm CST\"\n\n";
        let o = CsvOptions {
            date_col: Some("exp date".into()),
            price_col: Some("LAST".into()),
            ..opts()
        };
        let r = parse_csv(t, "ZQ.contracts.barchart.csv", &o).unwrap();
        assert_eq!(r.format, Format::Generic);
        assert_eq!(r.series.price_field, PriceField::Column);
        assert_eq!(r.series.price, vec![91.71, 91.66]);
        assert!(r.warnings[0].contains("ignored footer line 4"));

        // Two footer lines: ignored, the last named first (as when they were taken off the
        // end of the records); a footer-like line followed by a row is a row with too few
        // fields.
        let t = "Date,Close\n2024-01-01,1\n2024-01-02,2\nnote one\n\nnote two\n";
        let r = read(t, "f.csv");
        assert_eq!(r.series.price, vec![1.0, 2.0]);
        assert_eq!(
            r.warnings,
            vec![
                "ignored footer line 6: \"note two\"".to_string(),
                "ignored footer line 4: \"note one\"".to_string()
            ]
        );
        let t = "Date,Close\n2024-01-01,1\nnote one\nnote two\n2024-01-02,2\n";
        let e = err(t, "f.csv");
        assert!(e.starts_with("f.csv:3: the row has 1 fields"), "{e}");

        let t = "Some banner\nDate,Close\n2024-01-01,1\n";
        let r = read(t, "b.csv");
        assert_eq!(r.series.price, vec![1.0]);
        assert!(r.warnings[0].contains("ignored line 1"));
    }

    #[test]
    fn column_overrides() {
        let t = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-01,1,2,0.5,1.5,1.4,10\n";
        let o = CsvOptions {
            price_col: Some("open".into()),
            ..opts()
        };
        let r = parse_csv(t, "x.csv", &o).unwrap();
        assert_eq!(r.format, Format::Yahoo);
        assert_eq!(r.series.price_field, PriceField::Column);
        assert_eq!(r.series.price, vec![1.0]);
        let o = CsvOptions {
            price_col: Some("Mid".into()),
            ..opts()
        };
        assert_eq!(
            err_with(t, "x.csv", &o),
            "x.csv:1: the price column \"Mid\" (price column option) not found; the header has: Date, Open, High, Low, Close, Adj Close, Volume"
        );
        let o = CsvOptions {
            date_col: Some("Day".into()),
            ..opts()
        };
        assert!(err_with(t, "x.csv", &o).contains("the date column \"Day\""));
        // CryptoDataDownload read by its text Date column instead of Unix.
        let t = "Unix,Date,Symbol,Open,High,Low,Close\n0,2024-01-02,E,1,1,1,2\n";
        let o = CsvOptions {
            date_col: Some("date".into()),
            ..opts()
        };
        let r = parse_csv(t, "x.csv", &o).unwrap();
        assert_eq!(r.format, Format::CryptoDataDownload);
        assert_eq!(r.series.dates, vec![d("2024-01-02")]);
    }

    #[test]
    fn price_choice_errors() {
        let t = "Date,Close\n2024-01-01,1\n";
        let o = CsvOptions {
            price: PriceChoice::AdjClose,
            ..opts()
        };
        assert_eq!(
            err_with(t, "p.csv", &o),
            "p.csv:1: an adjusted close column (Adj Close, adj_close or adjclose), needed for price choice adj-close not found; the header has: Date, Close"
        );
        let t = "observation_date,DFF\n2024-01-01,5.33\n";
        let o = CsvOptions {
            price: PriceChoice::Close,
            ..opts()
        };
        assert!(err_with(t, "p.csv", &o).starts_with("p.csv:1: a close column (Close)"));
    }

    #[test]
    fn missing_columns() {
        assert_eq!(
            err("Day,Close\n2024-01-01,1\n", "m.csv"),
            "m.csv:1: a date column (date, timestamp, time or datetime) not found; the header has: Day, Close"
        );
        assert_eq!(
            err("Date,Mid\n2024-01-01,1\n", "m.csv"),
            "m.csv:1: a price column (Adj Close, adj_close, adjclose, Close, Price or Value) not found; the header has: Date, Mid"
        );
    }

    #[test]
    fn empty_and_no_data() {
        assert_eq!(
            err("", "e.csv"),
            "e.csv: the file is empty (no header line)"
        );
        assert_eq!(
            err("\u{feff}\r\n\r\n", "e.csv"),
            "e.csv: the file is empty (no header line)"
        );
        assert_eq!(
            err("Date,Close\n", "e.csv"),
            "e.csv: no data rows after the header on line 1 (0 rows skipped because their price was null or empty)"
        );
        assert_eq!(
            err("Date,Close\n2024-01-01,null\n", "e.csv"),
            "e.csv: no data rows after the header on line 1 (1 rows skipped because their price was null or empty)"
        );
    }

    #[test]
    fn too_few_fields() {
        let t = "Date,Open,High,Low,Close\n2024-01-01,1,1,1,1\n2024-01-02,1,1\n";
        assert_eq!(
            err(t, "prices.csv"),
            "prices.csv:3: the row has 3 fields but the header on line 1 has 5; column 4 (Low) is missing"
        );
        // A trailing empty field is fine.
        let r = read("Date,Close\n2024-01-01,1,\n", "t.csv");
        assert_eq!(r.series.price, vec![1.0]);
    }

    #[test]
    fn bad_number_and_date() {
        let t = "Date,Open,High,Low,Close\n2024-01-01,1,1,1,1\r\n2024-01-02,1,1,1,1\n\n2024-01-03,1,1,1,1\n2024-01-04,1,1,1,1\n2024-01-05,1,1,1,abc\n";
        assert_eq!(
            err(t, "prices.csv"),
            "prices.csv:7: column 5 (Close): cannot parse \"abc\" as a number"
        );
        let t = "Date,Close\n2024-01-01,1\n2024/01/02,1\n";
        assert_eq!(
            err(t, "prices.csv"),
            "prices.csv:3: column 1 (Date): cannot parse \"2024/01/02\" as a date; accepted: YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[ UTC], or an RFC 3339 timestamp such as 2024-01-05T00:00:00Z"
        );
        // Quoted field spanning lines: the next row keeps its physical line number.
        let t = "Date,Close,Note\n2024-01-01,1,\"a\nb\"\n2024-01-02,x,\n";
        assert_eq!(
            err(t, "q.csv"),
            "q.csv:4: column 2 (Close): cannot parse \"x\" as a number"
        );
    }

    #[test]
    fn non_finite_and_non_positive() {
        let t = "Date,Close\n2024-01-01,1\n2024-01-02,nan\n";
        assert_eq!(
            err(t, "p.csv"),
            "p.csv:3: column 2 (Close): price \"nan\" is not a finite number"
        );
        let t = "Date,Close\n2024-01-01,1\n2024-01-02,-3\n";
        assert_eq!(
            err(t, "p.csv"),
            "p.csv:3: column 2 (Close): price -3 is not positive; prices must be > 0 (only FRED series may be zero or negative)"
        );
        let t = "snapped_at,price,market_cap,total_volume\n2015-08-07 00:00:00 UTC,0,0,0\n";
        assert!(err(t, "cg.csv").starts_with("cg.csv:2: column 2 (price): price 0 is not positive"));
    }

    #[test]
    fn mixed_order_is_an_error() {
        let t =
            "Date,Close\n2024-01-01,1\n2024-01-02,1\n2024-01-04,1\n2024-01-05,1\n2024-01-03,1\n";
        assert_eq!(
            err(t, "s.csv"),
            "s.csv:6: dates must be sorted; found 2024-01-03 after 2024-01-05 on line 5 (the file's first dates are ascending)"
        );
        let t = "Date,Close\n2024-01-05,1\n2024-01-04,1\n2024-01-06,1\n";
        assert_eq!(
            err(t, "s.csv"),
            "s.csv:4: dates must be sorted; found 2024-01-06 after 2024-01-04 on line 3 (the file's first dates are newest first)"
        );
    }

    #[test]
    fn duplicates() {
        let t = "Date,Close\n2024-01-01,1\n2024-01-02,2\n2024-01-02,3\n2024-01-03,4\n";
        assert_eq!(
            err(t, "d.csv"),
            "d.csv:4: duplicate date 2024-01-02 (also on line 3); choose dedupe `last` to keep the row that comes last in the file"
        );
        let o = CsvOptions {
            dedupe: Dedupe::Last,
            ..opts()
        };
        let r = parse_csv(t, "d.csv", &o).unwrap();
        assert_eq!(r.series.price, vec![1.0, 2.0 + 1.0, 4.0]);
        assert!(r.warnings[0].contains("dropped 1 rows"));
        // Newest first: "last in the file" is still file order.
        let t = "Date,Close\n2024-01-03,4\n2024-01-02,3\n2024-01-02,2\n2024-01-01,1\n";
        let r = parse_csv(t, "d.csv", &o).unwrap();
        assert!(r.newest_first);
        assert_eq!(r.series.price, vec![1.0, 2.0, 4.0]);
        // Duplicates before the first distinct date.
        let t = "Date,Close\n2024-01-03,4\n2024-01-03,5\n2024-01-02,3\n";
        let r = parse_csv(t, "d.csv", &o).unwrap();
        assert!(r.newest_first);
        assert_eq!(r.series.price, vec![3.0, 5.0]);
    }

    #[test]
    fn io_and_utf8_errors() {
        let e = read_csv(Path::new("/no/such/dir/x.csv"), &opts()).unwrap_err();
        assert_eq!(e.to_string(), "cannot read /no/such/dir/x.csv");
        // The OS error is the source, printed once by the caller's cause chain.
        let source = std::error::Error::source(&e)
            .expect("io source")
            .to_string();
        assert!(source.contains("No such file"), "{source}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.csv");
        std::fs::write(&p, b"Date,Close\n2024-01-01,1\n2024-01-02,\xff\n").unwrap();
        let e = read_csv(&p, &opts()).unwrap_err().to_string();
        assert!(e.ends_with("bad.csv:3: the file is not valid UTF-8 (first invalid byte on this line); save it as UTF-8"), "{e}");
        let p = dir.path().join("ok.daily.csv");
        std::fs::write(&p, "Date,Close\n2024-01-01,1\n").unwrap();
        let r = read_csv(&p, &opts()).unwrap();
        assert_eq!(r.series.name, "ok");
        assert_eq!(r.series.source, p.display().to_string());
    }

    #[test]
    fn line_numbers_with_crlf_and_cr() {
        let t = "Date,Close\r\n2024-01-01,1\r\n\r\n2024-01-02,1\r\n2024-01-03,x\r\n";
        assert_eq!(
            err(t, "c.csv"),
            "c.csv:5: column 2 (Close): cannot parse \"x\" as a number"
        );
        let t = "Date,Close\r2024-01-01,1\r2024-01-02,x\r";
        assert_eq!(
            err(t, "c.csv"),
            "c.csv:3: column 2 (Close): cannot parse \"x\" as a number"
        );
    }

    #[test]
    fn other_messages() {
        let e = DataError::Csv {
            file: "c.csv".into(),
            line: 9,
            message: "bad quote".into(),
        };
        assert_eq!(e.to_string(), "c.csv:9: malformed CSV: bad quote");
        let e = DataError::Invalid {
            file: "c.csv".into(),
            source: lockstep_core::CoreError::NonFinite {
                name: "x".into(),
                date: d("2024-01-01"),
                value: f64::NAN,
            },
        };
        assert_eq!(
            e.to_string(),
            "c.csv: series x: price on 2024-01-01 is not a finite number (NaN)"
        );
    }

    #[test]
    fn intraday_files_get_a_hint() {
        // Hourly bars with offsets: the daily error (a duplicate date) gains the hint.
        let t = "timestamp,open,high,low,close,volume\n\
                 2024-01-02 17:30:00+00:00,1,1,1,1,0\n\
                 2024-01-02 18:30:00+00:00,1,1,1,1,0\n\
                 2024-01-02 19:30:00+00:00,1,1,1,1,0\n";
        assert_eq!(
            err(t, "IWM.csv"),
            "IWM.csv:3: duplicate date 2024-01-02 (also on line 2); choose dedupe `last` to keep the row that comes last in the file; this looks like an intraday file (3 of 3 rows checked have a time of day other than midnight): read it as intraday (--interval 1h)"
        );
        // Naive minute bars: the interval and --tz.
        let t = "Date,Open,High,Low,Close,Volume\n10/21/2019 9:30,1,1,1,1,1\n10/21/2019 9:31,1,1,1,1,1\n";
        assert!(err(t, "IWM.csv").ends_with(
            "as a date; accepted: YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[ UTC], or an RFC 3339 timestamp such as 2024-01-05T00:00:00Z; this looks like an intraday file (2 of 2 rows checked have a time of day other than midnight): read it as intraday (--interval 1m --tz <the time zone of its clock>)"
        ));
        // Binance klines (no date column by the daily reader's names).
        let t = "Open time,Open,High,Low,Close,Volume,Close time\n2025-08-19 15:10:00,1,1,1,1,1,1755616499999\n2025-08-19 15:15:00,1,1,1,1,1,1755616799999\n";
        assert!(err(t, "b.csv").starts_with("b.csv:1: a date column (date, timestamp, time or datetime) not found; the header has: Open time, Open, High, Low, Close, Volume, Close time; this looks like an intraday file"));
        // A spacing that is not an intraday interval is not suggested.
        let t = "time,close\n2024-01-01 00:00Z,1\n2024-01-01 00:02Z,1\n2024-01-01 00:02Z,1\n";
        assert!(err(t, "x.csv").ends_with("read it as intraday (--interval)"));
        // Daily bars stamped at midnight, or at a time of day one day apart: no hint.
        let t = "Date,Close\n2024-01-01 00:00:00+00:00,1\n2024-01-02 00:00:00+00:00,x\n";
        assert_eq!(
            err(t, "d.csv"),
            "d.csv:3: column 2 (Close): cannot parse \"x\" as a number"
        );
        let t = "Date,Close\n2024-01-01 16:00:00,1\n2024-01-02 16:00:00,x\n";
        assert_eq!(
            err(t, "d.csv"),
            "d.csv:3: column 2 (Close): cannot parse \"x\" as a number"
        );
        // A file that reads as daily is unchanged, even with times of day.
        let t = "time,price\n2024-01-05 10:00:00,3\n2024-01-06 10:00:00,4\n";
        assert_eq!(read(t, "y.csv").series.price, vec![3.0, 4.0]);
    }

    #[test]
    fn open_high_low_and_volume_are_checked() {
        let ok = "Date,Open,High,Low,Close,Volume\n2024-01-01,1,2,0.5,1.5,0\n";
        assert_eq!(read(ok, "o.csv").series.volume, Some(vec![0.0]));
        for (row, want) in [
            (
                "NaN,2,0.5,1.5,10",
                "column 2 (Open): \"NaN\" is not a positive finite price",
            ),
            (
                "1,inf,0.5,1.5,10",
                "column 3 (High): \"inf\" is not a positive finite price",
            ),
            (
                "1,2,-0.5,1.5,10",
                "column 4 (Low): \"-0.5\" is not a positive finite price",
            ),
            (
                "1,2,0,1.5,10",
                "column 4 (Low): \"0\" is not a positive finite price",
            ),
            (
                "1,2,0.5,1.5,-3",
                "column 6 (Volume): \"-3\" is not a non-negative finite volume",
            ),
            (
                "1,2,0.5,1.5,NaN",
                "column 6 (Volume): \"NaN\" is not a non-negative finite volume",
            ),
        ] {
            let t = format!("Date,Open,High,Low,Close,Volume\n2024-01-01,{row}\n");
            assert_eq!(err(&t, "o.csv"), format!("o.csv:2: {want}"));
        }
    }

    #[test]
    fn prices_only_keeps_dates_and_prices_and_checks_the_rest() {
        let only = CsvOptions {
            prices_only: true,
            ..opts()
        };
        // Newest first with a duplicate kept last: the same series but its optional columns.
        let t = "Date,Open,High,Low,Close,Volume\n2024-01-03,1,2,0.5,1.5,7\n\
                 2024-01-02,1,2,0.5,1.25,\n2024-01-02,1,2,0.5,1.75,8\n2024-01-01,1,2,0.5,1,9\n";
        let dedupe = |o: &CsvOptions| CsvOptions {
            dedupe: Dedupe::Last,
            ..o.clone()
        };
        let full = parse_csv(t, "p.csv", &dedupe(&opts())).unwrap();
        let slim = parse_csv(t, "p.csv", &dedupe(&only)).unwrap();
        assert_eq!(full.series.volume, Some(vec![9.0, 8.0, 7.0]));
        assert_eq!(slim.series.dates, full.series.dates);
        assert_eq!(slim.series.price, vec![1.0, 1.75, 1.5]);
        assert_eq!(slim.series.price, full.series.price);
        let none = (None, None, None, None);
        let s = &slim.series;
        assert_eq!(
            (&s.open, &s.high, &s.low, &s.volume),
            (&none.0, &none.1, &none.2, &none.3)
        );
        assert_eq!(slim.warnings, full.warnings);
        assert!(slim.newest_first);
        // Refused the same way, a bad optional cell too.
        for bad in [
            "Date,Open,High,Low,Close,Volume\n2024-01-01,1,2,0.5,1.5,-3\n",
            "Date,Open,High,Low,Close,Volume\n2024-01-01,abc,2,0.5,1.5,3\n",
            "Date,Open,High,Low,Close,Volume\n2024-01-01,1,2,0.5\n",
        ] {
            let e = |o: &CsvOptions| parse_csv(bad, "o.csv", o).unwrap_err().to_string();
            assert_eq!(e(&only), e(&opts()));
        }
        let dup = "Date,Close\n2024-01-01,1\n2024-01-01,2\n";
        let e = |o: &CsvOptions| parse_csv(dup, "d.csv", o).unwrap_err().to_string();
        assert_eq!(e(&only), e(&opts()));
    }

    #[test]
    fn a_stray_quote_is_an_error_not_a_truncated_file() {
        let t = "Date,Close\n2020-01-02,10\n2020-01-03,11\n\"2020-01-07,13\n2020-01-08,14\n2020-01-09,15\n2020-01-10,16\n";
        assert_eq!(
            err(t, "q.csv"),
            "q.csv:4: column 1: the cell opens a double quote that is not closed on its line (a stray quote?); a cell may not span lines"
        );
        let t = "Date,Close\n2020-01-02,10\n2020-01-03,\"11\n2020-01-04,12\n";
        assert!(
            err(t, "q.csv").starts_with("q.csv:3: column 2: "),
            "{}",
            err(t, "q.csv")
        );
        // Quoted cells on one line are fine.
        let t = "Date,Close\n\"2020-01-02\",\"1000.5\"\n2020-01-03,11\n";
        assert_eq!(read(t, "q.csv").series.price, vec![1000.5, 11.0]);
    }

    #[test]
    fn long_cells_are_quoted_short() {
        let big = "x".repeat(1 << 20);
        let t = format!("Date,Close\n2024-01-01,{big}\n");
        assert_eq!(
            err(&t, "p.csv"),
            "p.csv:2: column 2 (Close): cannot parse \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (1048576 bytes)\" as a number"
        );
        let t = format!("Date,Close\n{big},1\n");
        assert!(err(&t, "p.csv").len() < 300);
        let t = format!("Date,Close\n2024-01-01,-{big}1\n");
        assert!(err(&t, "p.csv").len() < 300);
    }

    #[test]
    fn stems() {
        assert_eq!(stem("ETH-USD.daily.csv"), "ETH-USD");
        assert_eq!(stem("a/b/^RUT.csv"), "^RUT");
        assert_eq!(stem("noext"), "noext");
        assert_eq!(stem(".hidden"), ".hidden");
    }
}
