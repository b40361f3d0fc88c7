//! Parsing of single cells: dates and numbers.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use lockstep_core::Date;

/// How the date column of a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateKind {
    /// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[ UTC]`, RFC 3339.
    Iso,
    /// [`DateKind::Iso`] plus Investing.com's `M/D/YYYY` and `MMM D, YYYY`.
    Us,
    /// CoinGecko `snapped_at`: a 00:00:00 UTC snapshot is dated the previous day.
    CoinGecko,
    /// Unix time in seconds, or milliseconds when above 1e11.
    Unix,
}

impl DateKind {
    /// The accepted formats, for error messages.
    pub(crate) fn accepted(self) -> &'static str {
        match self {
            DateKind::Iso => {
                "YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[ UTC], or an RFC 3339 timestamp such as 2024-01-05T00:00:00Z"
            }
            DateKind::Us => {
                "M/D/YYYY, MM/DD/YYYY, MMM D, YYYY (e.g. Jan 25, 2024), YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[ UTC], or an RFC 3339 timestamp"
            }
            DateKind::CoinGecko => "YYYY-MM-DD HH:MM:SS UTC (CoinGecko snapped_at) or YYYY-MM-DD",
            DateKind::Unix => "Unix time in seconds, or in milliseconds (values above 1e11)",
        }
    }
}

/// A parsed date; `intraday` is true for a CoinGecko snapshot taken after the first hour of
/// its UTC day, `late` for one taken after 00:00:00 but within that first hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParsedDate {
    pub date: Date,
    pub intraday: bool,
    pub late: bool,
}

/// How late after 00:00:00 UTC a CoinGecko snapshot may be taken and still be read as the
/// day's opening price (the previous day's close): real exports hold rows such as
/// `2018-01-30 00:05:11 UTC` among the `00:00:00 UTC` ones.
pub const COINGECKO_LATE_BOUND: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// A naive date-time (no offset, or ` UTC` / `Z`-less forms), with `T` or space separator.
fn naive_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.strip_suffix(" UTC").unwrap_or(s);
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// A timestamp with an offset (`Z`, `+00:00`, `-05:00`), taken as its UTC date.
fn offset_datetime(s: &str) -> Option<Date> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc).date_naive());
    }
    ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%#z"]
        .iter()
        .find_map(|f| DateTime::parse_from_str(s, f).ok())
        .map(|t| t.with_timezone(&Utc).date_naive())
}

/// `YYYY-MM-DD` exactly (ten ASCII characters), without the format machinery: the common case
/// of every daily file, parsed once per row.
fn ymd(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

fn iso(s: &str) -> Option<Date> {
    if let Some(d) = ymd(s) {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Some(t) = naive_datetime(s) {
        return Some(t.date());
    }
    offset_datetime(s)
}

fn us(s: &str) -> Option<Date> {
    if s.contains('/') {
        return NaiveDate::parse_from_str(s, "%m/%d/%Y").ok();
    }
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return NaiveDate::parse_from_str(s, "%b %d, %Y").ok();
    }
    iso(s)
}

fn unix(s: &str) -> Option<Date> {
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let secs = if v > 1e11 { v / 1000.0 } else { v };
    DateTime::<Utc>::from_timestamp(secs.floor() as i64, 0).map(|t| t.date_naive())
}

/// Parse a date cell; `None` when it is not in an accepted format.
pub(crate) fn parse_date(s: &str, kind: DateKind) -> Option<ParsedDate> {
    let plain = |date| ParsedDate {
        date,
        intraday: false,
        late: false,
    };
    match kind {
        DateKind::Iso => iso(s).map(plain),
        DateKind::Us => us(s).map(plain),
        DateKind::Unix => unix(s).map(plain),
        DateKind::CoinGecko => {
            if let Some(d) = ymd(s).or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) {
                return Some(plain(d));
            }
            let t = naive_datetime(s)?;
            let since_midnight = t.time() - chrono::NaiveTime::MIN;
            if since_midnight < COINGECKO_LATE_BOUND {
                // The 00:00:00 UTC snapshot (or one taken within the first hour) opens day D,
                // i.e. closes day D - 1.
                t.date().pred_opt().map(|date| ParsedDate {
                    date,
                    intraday: false,
                    late: since_midnight > chrono::TimeDelta::zero(),
                })
            } else {
                Some(ParsedDate {
                    date: t.date(),
                    intraday: true,
                    late: false,
                })
            }
        }
    }
}

/// Parse a number; with `thousands`, commas are taken as thousands separators (Investing.com).
pub(crate) fn parse_number(s: &str, thousands: bool) -> Option<f64> {
    if thousands && s.contains(',') {
        return s.replace(',', "").parse().ok();
    }
    s.parse().ok()
}

/// Parse an Investing.com volume: a number with an optional `K`, `M` or `B` suffix.
pub(crate) fn parse_volume(s: &str) -> Option<f64> {
    let exp = match s.chars().last()? {
        'K' | 'k' => 3,
        'M' | 'm' => 6,
        'B' | 'b' => 9,
        _ => return parse_number(s, true),
    };
    let mantissa = s[..s.len() - 1].replace(',', "");
    // Parse "13.28e3" rather than multiplying, so 13.28K is exactly 13280.
    format!("{mantissa}e{exp}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn date(s: &str, kind: DateKind) -> Option<Date> {
        parse_date(s, kind).map(|p| p.date)
    }

    #[test]
    fn fast_ymd_agrees_with_chrono() {
        for s in [
            "2024-01-05",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-32",
            "0001-01-01",
            "9999-12-31",
            "2024-1-05",
            "2024/01/05",
            "2024-01-0x",
            "+024-01-05",
            "2024-01-05 ",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            let fast = ymd(s);
            // The fast path accepts a subset (exactly ten characters) and agrees on it.
            if fast.is_some() {
                assert_eq!(fast, chrono, "{s:?}");
            }
            assert_eq!(
                date(s, DateKind::Iso).is_some(),
                chrono.is_some() || fast.is_some(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn iso_dates_and_timestamps() {
        let k = DateKind::Iso;
        assert_eq!(date("2024-01-05", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05 13:45:00", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05 00:00:00 UTC", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05T00:00:00Z", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05T21:00:00-05:00", k), Some(d("2024-01-06")));
        assert_eq!(date("2024-01-05 00:00:00-05:00", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05 00:00:00+00:00", k), Some(d("2024-01-05")));
        assert_eq!(
            date("2024-01-05T09:30:00.500+01:00", k),
            Some(d("2024-01-05"))
        );
        assert_eq!(date("1/25/2024", k), None);
        assert_eq!(date("2024-13-01", k), None);
        assert_eq!(date("", k), None);
    }

    #[test]
    fn us_dates() {
        let k = DateKind::Us;
        assert_eq!(date("1/25/2024", k), Some(d("2024-01-25")));
        assert_eq!(date("01/05/2024", k), Some(d("2024-01-05")));
        assert_eq!(date("Jan 25, 2024", k), Some(d("2024-01-25")));
        assert_eq!(date("Feb 05, 2024", k), Some(d("2024-02-05")));
        assert_eq!(date("2024-01-25", k), Some(d("2024-01-25")));
        assert_eq!(date("25/1/2024", k), None);
    }

    #[test]
    fn coingecko_midnight_is_previous_day() {
        let k = DateKind::CoinGecko;
        let p = parse_date("2015-08-08 00:00:00 UTC", k).unwrap();
        assert_eq!(
            p,
            ParsedDate {
                date: d("2015-08-07"),
                intraday: false,
                late: false
            }
        );
        let p = parse_date("2024-01-25 14:33:12 UTC", k).unwrap();
        assert_eq!(
            p,
            ParsedDate {
                date: d("2024-01-25"),
                intraday: true,
                late: false
            }
        );
        assert_eq!(date("garbage", k), None);
    }

    #[test]
    fn unix_seconds_and_millis() {
        let k = DateKind::Unix;
        assert_eq!(date("1502928000000", k), Some(d("2017-08-17")));
        assert_eq!(date("1502928000", k), Some(d("2017-08-17")));
        assert_eq!(date("1502928000000.0", k), Some(d("2017-08-17")));
        assert_eq!(date("-1", k), None);
        assert_eq!(date("x", k), None);
    }

    #[test]
    fn numbers_and_volumes() {
        assert_eq!(parse_number("1,234.56", true), Some(1234.56));
        assert_eq!(parse_number("1,234.56", false), None);
        assert_eq!(parse_number("-0.5", false), Some(-0.5));
        assert_eq!(parse_volume("13.28K"), Some(13280.0));
        assert_eq!(parse_volume("1.5M"), Some(1_500_000.0));
        assert_eq!(parse_volume("2B"), Some(2e9));
        assert_eq!(parse_volume("1,234"), Some(1234.0));
        assert_eq!(parse_volume("abcK"), None);
    }
}
