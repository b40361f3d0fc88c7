//! The fed funds futures files people have, read into a [`FuturesStrip`]: the strip CSV
//! (`contract,price`), Barchart's contract table, and Investing.com's export of one contract,
//! detected from the header.
//!
//! * **Strip CSV** (`contract,price` or `YYYY-MM,price`): see [`FuturesStrip::parse`]. It
//!   carries no date: the prices are taken to be of the as-of date.
//! * **Barchart contract table** (header with `Symbol`, `Last` and `Time`, e.g. `"Exp Date",
//!   Symbol,"Contract Name",Last,"52W High",...,Time`, and a footer line `"Downloaded from
//!   Barchart.com as of 11-02-2025 10:55pm CST"`): a contract traded on the download day has a
//!   time of day as its `Time` (`"22:45 CT"`), and its `Last` is that day's price; a contract
//!   with a date as its `Time` stopped trading then (an expired contract, whose `Last` is its
//!   final settlement) and is left out and counted. The prices are as of the footer's date
//!   (without a footer, the latest date in `Time`, and only the contracts of that date are
//!   kept).
//! * **Investing.com export of one contract** (`Date,Price,Open,High,Low,Vol.,Change %`,
//!   newest first, `M/D/YYYY` or `MMM D, YYYY` dates, BOM and CRLF): one contract's price
//!   history. The price used is the one dated on the as-of date or the last before it (the
//!   newest without an as-of date), and the prices are as of that row's date. The file does
//!   not say which contract it is, so its name must: a contract code (`ZQF25.csv`,
//!   `ZQF2025 Historical Data.csv`) or a continuous contract `ZQ<k>M` (`ZQ0M.csv`,
//!   `ZQ3M.csv`), read as the contract `k` months after the month of the price's date
//!   (`ZQ0M` = that month's contract).
//!
//! Errors name the file's one-based line.

use chrono::{Datelike, Months, NaiveDate};

use crate::futures::{ContractMonth, FuturesQuote, FuturesStrip};
use crate::{Date, MacroError, Result};

/// What was read from one futures file.
#[derive(Clone, Debug, PartialEq)]
pub struct StripRead {
    /// The quotes.
    pub strip: FuturesStrip,
    /// The detected layout: `strip`, `barchart` or `investing`.
    pub format: &'static str,
    /// The date the prices are of, when the file says it.
    pub priced_on: Option<Date>,
    /// What was left out or assumed, one sentence each.
    pub notes: Vec<String>,
}

/// Read a futures file's text: the layout is detected from the header; `file` is its name (an
/// Investing.com export's contract comes from it); `as_of` picks the price of a one-contract
/// history.
pub fn read_strip(text: &str, file: &str, as_of: Option<Date>) -> Result<StripRead> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let Some(&(header_line, header)) = lines.first() else {
        return Err(parse("futures file", 1, "the file is empty".into()));
    };
    let names: Vec<String> = split(header)
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let col = |n: &str| names.iter().position(|h| h == n);
    if let (Some(symbol), Some(last), Some(time)) = (col("symbol"), col("last"), col("time")) {
        return barchart(&lines[1..], (symbol, last, time));
    }
    if let (Some(date), Some(price)) = (col("date"), col("price")) {
        return investing(&lines[1..], header_line, (date, price), file, as_of);
    }
    Ok(StripRead {
        strip: FuturesStrip::parse(text)?,
        format: "strip",
        priced_on: None,
        notes: Vec::new(),
    })
}

fn parse(what: &'static str, line: usize, message: String) -> MacroError {
    MacroError::Parse {
        what,
        line,
        message,
    }
}

/// Fields of a CSV line; double-quoted fields may hold commas (`"Jan 25, 2024"`).
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

fn cell(fields: &[String], i: usize) -> &str {
    fields.get(i).map_or("", String::as_str)
}

fn price(what: &'static str, line: usize, text: &str) -> Result<f64> {
    text.replace(',', "")
        .parse::<f64>()
        .map_err(|_| parse(what, line, format!("price {text:?} is not a number")))
}

fn barchart(
    rows: &[(usize, &str)],
    (symbol, last, time): (usize, usize, usize),
) -> Result<StripRead> {
    const WHAT: &str = "Barchart futures table";
    // (line, month, price, the date of a Time that is a date; None for a time of day)
    let mut all = Vec::new();
    let mut downloaded = None;
    for &(line, text) in rows {
        let f = split(text);
        if f.len() == 1 && f[0].to_ascii_lowercase().starts_with("downloaded from") {
            downloaded = f[0]
                .split_once(" as of ")
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .and_then(|d| NaiveDate::parse_from_str(d, "%m-%d-%Y").ok());
            continue;
        }
        let month = ContractMonth::parse_code(cell(&f, symbol))
            .map_err(|e| parse(WHAT, line, e.to_string()))?;
        let t = cell(&f, time);
        let day = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(t, "%m/%d/%Y"))
            .or_else(|_| NaiveDate::parse_from_str(t, "%m/%d/%y"))
            .ok();
        let time_of_day = t.len() >= 5 && t.as_bytes()[2] == b':';
        if day.is_none() && !time_of_day {
            return Err(parse(
                WHAT,
                line,
                format!("Time {t:?} is neither a date nor a time of day (HH:MM)"),
            ));
        }
        all.push((line, month, price(WHAT, line, cell(&f, last))?, day));
    }
    let latest_date = all.iter().filter_map(|r| r.3).max();
    let intraday = all.iter().any(|r| r.3.is_none());
    let (priced_on, kept) = match (intraday, downloaded, latest_date) {
        (true, Some(d), _) => (d, keep(&all, None)),
        (false, _, Some(l)) => (l, keep(&all, Some(l))),
        (true, None, _) => {
            return Err(parse(
                WHAT,
                rows.last().map_or(1, |r| r.0),
                "the contracts traded on the download day have a time of day as their Time, \
                 but the footer line \"Downloaded from Barchart.com as of MM-DD-YYYY ...\" that \
                 dates them is missing"
                    .into(),
            ))
        }
        (false, _, None) => return Err(parse(WHAT, 1, "no contract rows".into())),
    };
    let left = all.len() - kept.len();
    let mut notes = vec![format!(
        "Barchart table: {} contract(s) priced on {priced_on}",
        kept.len()
    )];
    if left > 0 {
        notes.push(format!(
            "{left} contract(s) that stopped trading before {priced_on} left out (their Last is a final settlement)"
        ));
    }
    Ok(StripRead {
        strip: FuturesStrip::new(kept)?,
        format: "barchart",
        priced_on: Some(priced_on),
        notes,
    })
}

/// The quotes of the rows traded on the download day (`None`: a time of day as `Time`) or on
/// `on`.
fn keep(all: &[(usize, ContractMonth, f64, Option<Date>)], on: Option<Date>) -> Vec<FuturesQuote> {
    all.iter()
        .filter(|r| r.3 == on)
        .map(|&(_, month, price, _)| FuturesQuote { month, price })
        .collect()
}

/// An Investing.com date: `M/D/YYYY`, `MM/DD/YYYY`, `MMM D, YYYY` or `YYYY-MM-DD`.
fn investing_date(s: &str) -> Option<Date> {
    ["%m/%d/%Y", "%b %d, %Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// The contract an Investing.com export's file name names: a code (`ZQF25`), or `ZQ<k>M`
/// (`Some(Err(k))`: `k` months after the price's month).
fn contract_in_name(file: &str) -> Option<std::result::Result<ContractMonth, u32>> {
    let stem = std::path::Path::new(file)
        .file_name()
        .map_or(file.into(), |n| n.to_string_lossy())
        .to_ascii_uppercase();
    let b = stem.as_bytes();
    for i in 0..b.len().saturating_sub(3) {
        if &b[i..i + 2] != b"ZQ" && &b[i..i + 2] != b"FF" {
            continue;
        }
        let digits = b[i + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && b.get(i + 2 + digits) == Some(&b'M') {
            return stem[i + 2..i + 2 + digits].parse().ok().map(Err);
        }
        let d = b[i + 3..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 2 || d == 4 {
            if let Ok(m) = ContractMonth::parse_code(&stem[i..i + 3 + d]) {
                return Some(Ok(m));
            }
        }
    }
    None
}

fn investing(
    rows: &[(usize, &str)],
    header_line: usize,
    (date, price_col): (usize, usize),
    file: &str,
    as_of: Option<Date>,
) -> Result<StripRead> {
    const WHAT: &str = "Investing.com futures export";
    let contract = contract_in_name(file).ok_or_else(|| {
        parse(
            WHAT,
            header_line,
            format!(
                "{file} holds one contract's prices but not which contract: name the file after \
                 its code (ZQF25.csv) or its distance from the current month (ZQ0M.csv, ZQ3M.csv)"
            ),
        )
    })?;
    let mut best: Option<(Date, f64)> = None;
    for &(line, text) in rows {
        let f = split(text);
        let d = cell(&f, date);
        let day = investing_date(d)
            .ok_or_else(|| parse(WHAT, line, format!("date {d:?} is not M/D/YYYY")))?;
        if as_of.is_some_and(|a| day > a) {
            continue;
        }
        let p = cell(&f, price_col);
        if p.is_empty() {
            continue;
        }
        let p = price(WHAT, line, p)?;
        if best.is_none_or(|(b, _)| day > b) {
            best = Some((day, p));
        }
    }
    let Some((day, price)) = best else {
        return Err(parse(
            WHAT,
            header_line,
            match as_of {
                Some(a) => format!("no price dated on or before {a}"),
                None => "no price rows".into(),
            },
        ));
    };
    let month = match contract {
        Ok(m) => m,
        Err(k) => {
            let m = day
                .with_day(1)
                .and_then(|d| d.checked_add_months(Months::new(k)))
                .ok_or_else(|| parse(WHAT, header_line, "contract month out of range".into()))?;
            ContractMonth::new(m.year(), m.month())?
        }
    };
    Ok(StripRead {
        strip: FuturesStrip::new(vec![FuturesQuote { month, price }])?,
        format: "investing",
        priced_on: Some(day),
        notes: vec![format!(
            "{file}: contract {month} at {price} on {day} (Investing.com export)"
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn barchart_tables_keep_the_contracts_trading_on_the_latest_day() {
        let t = "\"Exp Date\",Symbol,\"Contract Name\",Last,\"52W High\",\"52W High Date\",\"52W Low\",\"52W Low Date\",\"52W %Chg\",Time\n\
                 1988-10-31,ZQV88,\"30-Day Fed Funds October 1988 Futures\",91.71,91.79,1988-10-06,91.69,1988-10-20,-0.04%,1988-10-31\n\
                 2025-10-31,ZQV25,\"30-Day Fed Funds October 2025 Futures\",95.895,96,2025-10-01,95.8,2025-09-01,+0.02%,2025-10-31\n\
                 2025-11-28,ZQX25,\"30-Day Fed Funds November 2025 Futures\",96.1,96.2,2025-10-01,95.9,2025-09-01,+0.02%,2025-10-31\n\
                 \"Downloaded from Barchart.com as of 11-02-2025 10:55pm CST\"\n";
        let r = read_strip(t, "ZQ.contracts.barchart.csv", None).unwrap();
        assert_eq!(r.format, "barchart");
        assert_eq!(r.priced_on, Some(d("2025-10-31")));
        let months: Vec<String> = r
            .strip
            .quotes()
            .iter()
            .map(|q| q.month.to_string())
            .collect();
        assert_eq!(months, ["2025-10", "2025-11"]);
        assert_eq!(r.strip.quotes()[1].price, 96.1);
        assert!(r.notes[1].starts_with("1 contract(s) that stopped trading before 2025-10-31"));
        let bad = t.replace("ZQX25", "ZQY25");
        let e = read_strip(&bad, "b.csv", None).unwrap_err().to_string();
        assert!(
            e.starts_with("Barchart futures table, line 4: invalid contract"),
            "{e}"
        );
    }

    #[test]
    fn investing_exports_take_the_contract_from_the_file_name() {
        let t = "\u{feff}Date,Price,Open,High,Low,Vol.,Change %\r\n\
                 1/25/2024,94.67,94.67,94.6725,94.67,13.28K,0.00%\r\n\
                 1/24/2024,94.66,94.67,94.6725,94.67,6.69K,0.00%\r\n\
                 \"Dec 29, 2023\",94.60,94.67,94.6725,94.67,,0.00%\r\n";
        let r = read_strip(t, "data/ZQ3M.investing.csv", None).unwrap();
        assert_eq!(r.format, "investing");
        assert_eq!(r.priced_on, Some(d("2024-01-25")));
        assert_eq!(r.strip.quotes()[0].month.to_string(), "2024-04");
        assert_eq!(r.strip.quotes()[0].price, 94.67);
        let r = read_strip(t, "ZQ0M.csv", Some(d("2024-01-01"))).unwrap();
        assert_eq!(r.priced_on, Some(d("2023-12-29")));
        assert_eq!(r.strip.quotes()[0].month.to_string(), "2023-12");
        let r = read_strip(t, "zqh24 Historical Data.csv", None).unwrap();
        assert_eq!(r.strip.quotes()[0].month.to_string(), "2024-03");
        let e = read_strip(t, "Fed Funds Futures.csv", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("name the file after its code"), "{e}");
        let e = read_strip(t, "ZQ0M.csv", Some(d("2020-01-01")))
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("no price dated on or before 2020-01-01"), "{e}");
        let e = read_strip(&t.replace("1/24/2024", "24.1.2024"), "ZQ0M.csv", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("Investing.com futures export, line 3: date"),
            "{e}"
        );
    }

    #[test]
    fn strip_files_are_read_as_before() {
        let r = read_strip("contract,price\nZQV25,96.0\n", "s.csv", None).unwrap();
        assert_eq!(r.format, "strip");
        assert_eq!(r.priced_on, None);
        assert_eq!(r.strip.len(), 1);
    }
}
