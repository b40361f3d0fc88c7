//! Constructed intraday bars for the clock tests: New York wall times to UTC (daylight saving
//! included), the NYSE trading days and early closes of 2024 written out here, independently
//! of `lockstep-core`'s calendar, and CSV writers in the forms of real exports.
//!
//! ```
//! use lockstep_testkit::intraday::{csv_naive, csv_utc, every_hour, new_york, nyse_2024};
//! use lockstep_testkit::fixtures::date;
//!
//! // 16:00 New York is 21:00 UTC in winter and 20:00 UTC in summer.
//! assert_eq!(new_york(date("2024-03-08"), 16, 0).to_rfc3339(), "2024-03-08T21:00:00+00:00");
//! assert_eq!(new_york(date("2024-03-11"), 16, 0).to_rfc3339(), "2024-03-11T20:00:00+00:00");
//! let sessions = nyse_2024();
//! assert_eq!(sessions.len(), 252);
//! assert_eq!(sessions.iter().filter(|s| s.close_hour == 13).count(), 3);
//! let hours = every_hour(new_york(date("2024-01-02"), 0, 0), 3);
//! let bars: Vec<_> = hours.iter().map(|t| (*t, 100.0)).collect();
//! assert!(csv_utc(&bars).starts_with("timestamp,open,high,low,close,volume\n2024-01-02 05:00:00+00:00,"));
//! assert!(csv_naive(&bars, chrono_tz::America::New_York).contains("\n2024-01-02 00:00:00,"));
//! ```

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// The UTC instant of a New York wall time (a time in the spring-forward gap or the fall
/// fold is refused: the tests use trading hours, never 02:00).
///
/// # Panics
/// On a time that does not exist once in New York (a mistake in the test).
pub fn new_york(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = date.and_hms_opt(hour, minute, 0).expect("a wall time");
    chrono_tz::America::New_York
        .from_local_datetime(&local)
        .single()
        .expect("a New York time that exists once")
        .with_timezone(&Utc)
}

/// One NYSE trading day: its date and the hour (New York) of its close, 16 or 13.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradingDay {
    /// The date.
    pub date: NaiveDate,
    /// 16, or 13 on an early-close day.
    pub close_hour: u32,
}

/// The 252 NYSE trading days of 2024: weekdays except the ten holidays (New Year's Day,
/// Martin Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial Day, Juneteenth,
/// Independence Day, Labor Day, Thanksgiving, Christmas), with the three early closes at
/// 13:00 (3 July, 29 November, 24 December).
pub fn nyse_2024() -> Vec<TradingDay> {
    const HOLIDAYS: [(u32, u32); 10] = [
        (1, 1),
        (1, 15),
        (2, 19),
        (3, 29),
        (5, 27),
        (6, 19),
        (7, 4),
        (9, 2),
        (11, 28),
        (12, 25),
    ];
    const EARLY: [(u32, u32); 3] = [(7, 3), (11, 29), (12, 24)];
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    while d.year() == 2024 {
        let md = (d.month(), d.day());
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !HOLIDAYS.contains(&md) {
            out.push(TradingDay {
                date: d,
                close_hour: if EARLY.contains(&md) { 13 } else { 16 },
            });
        }
        d = d.succ_opt().expect("a next day");
    }
    out
}

/// `n` hourly instants from `from`.
pub fn every_hour(from: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
    (0..n).map(|k| from + Duration::hours(k as i64)).collect()
}

/// Bars `(open time, close)` as `timestamp,open,high,low,close,volume` with UTC offsets
/// (`2024-01-02 17:00:00+00:00`), as yfinance and Binance-archive scripts write them; open,
/// high and low equal the close, volume 1.
pub fn csv_utc(bars: &[(DateTime<Utc>, f64)]) -> String {
    let mut out = String::from("timestamp,open,high,low,close,volume\n");
    for (t, c) in bars {
        let t = t.format("%Y-%m-%d %H:%M:%S+00:00");
        out.push_str(&format!("{t},{c},{c},{c},{c},1\n"));
    }
    out
}

/// Bars as `Datetime,Open,High,Low,Close,Volume` with naive wall times of `tz` (read with
/// `--tz`); open, high and low equal the close, volume 1.
pub fn csv_naive(bars: &[(DateTime<Utc>, f64)], tz: Tz) -> String {
    let mut out = String::from("Datetime,Open,High,Low,Close,Volume\n");
    for (t, c) in bars {
        let t = t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S");
        out.push_str(&format!("{t},{c},{c},{c},{c},1\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::date;

    #[test]
    fn daylight_saving_and_the_calendar() {
        // 2024: EDT from 10 March to 3 November.
        assert_eq!(
            new_york(date("2024-11-01"), 16, 0).to_rfc3339(),
            "2024-11-01T20:00:00+00:00"
        );
        assert_eq!(
            new_york(date("2024-11-04"), 16, 0).to_rfc3339(),
            "2024-11-04T21:00:00+00:00"
        );
        let days = nyse_2024();
        assert_eq!(days[0].date, date("2024-01-02"));
        assert!(!days.iter().any(|d| d.date == date("2024-03-29")));
        let early: Vec<_> = days.iter().filter(|d| d.close_hour == 13).collect();
        assert_eq!(early[1].date, date("2024-11-29"));
    }
}
