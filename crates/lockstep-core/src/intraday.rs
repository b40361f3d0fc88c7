//! Intraday bars: the interval of a bar, series of bars labelled by their open time in UTC,
//! and the regular sessions of the New York Stock Exchange (09:30–16:00 New York, 13:00 on
//! early-close days) that decide which equity bars count.
//!
//! Conventions:
//! * A bar is labelled by its **open** time (the providers' convention: Yahoo, Binance,
//!   Coinbase); it covers `[start, start + interval)` and its close is the price at its
//!   **end**, `start + interval`.
//! * Times are UTC instants ([`Timestamp`]); a session's open and close are converted from New
//!   York wall-clock time with the daylight-saving rules of the date (chrono-tz).
//! * A bar is in a session when it starts at or after the open and before the close.

use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::holidays::is_nyse_trading_day;
use crate::{CoreError, Date, Result};

/// A UTC instant.
pub type Timestamp = chrono::DateTime<Utc>;

/// The length of a bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Interval {
    /// One minute.
    #[serde(rename = "1m")]
    M1,
    /// Five minutes.
    #[serde(rename = "5m")]
    M5,
    /// Fifteen minutes.
    #[serde(rename = "15m")]
    M15,
    /// Thirty minutes.
    #[serde(rename = "30m")]
    M30,
    /// One hour.
    #[serde(rename = "1h")]
    H1,
    /// One day (a daily bar: the store's `bars` table).
    #[serde(rename = "1d")]
    D1,
}

impl Interval {
    /// Every interval, finest first.
    pub const ALL: [Interval; 6] = [
        Interval::M1,
        Interval::M5,
        Interval::M15,
        Interval::M30,
        Interval::H1,
        Interval::D1,
    ];

    /// The intraday intervals, finest first.
    pub const INTRADAY: [Interval; 5] = [
        Interval::M1,
        Interval::M5,
        Interval::M15,
        Interval::M30,
        Interval::H1,
    ];

    /// The name used on the command line, in the store and in files: `1m`, `5m`, `15m`,
    /// `30m`, `1h`, `1d`.
    pub fn name(self) -> &'static str {
        match self {
            Interval::M1 => "1m",
            Interval::M5 => "5m",
            Interval::M15 => "15m",
            Interval::M30 => "30m",
            Interval::H1 => "1h",
            Interval::D1 => "1d",
        }
    }

    /// Length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Interval::M1 => 60,
            Interval::M5 => 300,
            Interval::M15 => 900,
            Interval::M30 => 1800,
            Interval::H1 => 3600,
            Interval::D1 => 86_400,
        }
    }

    /// Length as a duration.
    pub fn duration(self) -> Duration {
        Duration::seconds(self.seconds())
    }

    /// Whether bars of this interval are shorter than a day.
    pub fn is_intraday(self) -> bool {
        self != Interval::D1
    }

    /// Whether bars of `self` can be combined into bars of `coarser` (its length divides
    /// `coarser`'s).
    pub fn nests_in(self, coarser: Interval) -> bool {
        coarser.seconds() % self.seconds() == 0
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Interval {
    type Err = CoreError;

    /// `1m`, `5m`, `15m`, `30m`, `1h` (also `60m`), `1d`.
    fn from_str(s: &str) -> Result<Interval> {
        let s = s.trim().to_ascii_lowercase();
        Interval::ALL
            .into_iter()
            .find(|i| i.name() == s)
            .or((s == "60m").then_some(Interval::H1))
            .ok_or(CoreError::UnknownInterval(s))
    }
}

/// One intraday bar as a provider or a file reports it and the store keeps it: labelled by
/// its open time; its close is the price at `start + interval`. Missing fields are `None`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntradayBar {
    /// Open time of the bar (UTC).
    pub start: Timestamp,
    /// Opening price.
    pub open: Option<f64>,
    /// High.
    pub high: Option<f64>,
    /// Low.
    pub low: Option<f64>,
    /// Close (the price at the end of the bar).
    pub close: f64,
    /// Volume in the provider's unit.
    pub volume: Option<f64>,
}

/// Bars of one interval, labelled by their open time: the intraday counterpart of
/// [`crate::PriceSeries`].
#[derive(Clone, Debug, PartialEq)]
pub struct IntradaySeries {
    /// Short name: the ticker or file stem.
    pub name: String,
    /// Where it came from: a file path or `provider:symbol`.
    pub source: String,
    /// The detected source format.
    pub format: String,
    /// The bars' length.
    pub interval: Interval,
    /// Open time of each bar (UTC), strictly increasing.
    pub start: Vec<Timestamp>,
    /// Close of each bar (the price at `start + interval`).
    pub close: Vec<f64>,
    /// Opening prices, if the source has them.
    pub open: Option<Vec<f64>>,
    /// Highs, if the source has them.
    pub high: Option<Vec<f64>>,
    /// Lows, if the source has them.
    pub low: Option<Vec<f64>>,
    /// Volumes, if the source has them.
    pub volume: Option<Vec<f64>>,
}

impl IntradaySeries {
    /// A series of open times and closes only. Checks that times strictly increase, lie on
    /// the interval's grid relative to the minute (a 5m bar starts at a minute divisible by
    /// 5 — Yahoo's hourly bars start at :30, so hourly bars only need whole minutes), and
    /// that closes are finite and positive.
    pub fn new(
        name: impl Into<String>,
        interval: Interval,
        start: Vec<Timestamp>,
        close: Vec<f64>,
    ) -> Result<IntradaySeries> {
        let s = IntradaySeries {
            name: name.into(),
            source: String::new(),
            format: "memory".into(),
            interval,
            start,
            close,
            open: None,
            high: None,
            low: None,
            volume: None,
        };
        s.validate()?;
        Ok(s)
    }

    /// Check the invariants of [`IntradaySeries::new`] and the lengths of the optional
    /// columns.
    pub fn validate(&self) -> Result<()> {
        let n = self.start.len();
        let check_len = |column: &'static str, got: usize| {
            if got == n {
                Ok(())
            } else {
                Err(CoreError::LengthMismatch {
                    name: self.name.clone(),
                    column,
                    got,
                    expected: n,
                })
            }
        };
        check_len("close", self.close.len())?;
        for (column, v) in [
            ("open", &self.open),
            ("high", &self.high),
            ("low", &self.low),
            ("volume", &self.volume),
        ] {
            if let Some(v) = v {
                check_len(column, v.len())?;
            }
        }
        for i in 0..n {
            if i > 0 && self.start[i] <= self.start[i - 1] {
                return Err(CoreError::TimeOrder {
                    name: self.name.clone(),
                    index: i,
                    time: self.start[i],
                    previous: self.start[i - 1],
                });
            }
            let p = self.close[i];
            if !(p.is_finite() && p > 0.0) {
                return Err(CoreError::BadIntradayPrice {
                    name: self.name.clone(),
                    time: self.start[i],
                    value: p,
                });
            }
        }
        Ok(())
    }

    /// A series of `bars` (in time order), with the optional columns kept when every bar has
    /// them. Checks the invariants of [`IntradaySeries::new`].
    pub fn from_bars(
        name: impl Into<String>,
        source: impl Into<String>,
        interval: Interval,
        bars: &[IntradayBar],
    ) -> Result<IntradaySeries> {
        let column = |f: fn(&IntradayBar) -> Option<f64>| -> Option<Vec<f64>> {
            bars.iter().map(f).collect()
        };
        let s = IntradaySeries {
            name: name.into(),
            source: source.into(),
            format: "bars".into(),
            interval,
            start: bars.iter().map(|b| b.start).collect(),
            close: bars.iter().map(|b| b.close).collect(),
            open: column(|b| b.open),
            high: column(|b| b.high),
            low: column(|b| b.low),
            volume: column(|b| b.volume),
        };
        s.validate()?;
        Ok(s)
    }

    /// Bar `i` as an [`IntradayBar`].
    pub fn bar(&self, i: usize) -> IntradayBar {
        let at = |c: &Option<Vec<f64>>| c.as_ref().map(|v| v[i]);
        IntradayBar {
            start: self.start[i],
            open: at(&self.open),
            high: at(&self.high),
            low: at(&self.low),
            close: self.close[i],
            volume: at(&self.volume),
        }
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.start.len()
    }

    /// Whether there is no bar.
    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// End of bar `i` (its close time).
    pub fn end(&self, i: usize) -> Timestamp {
        self.start[i] + self.interval.duration()
    }

    /// The index of the last bar that ends at or before `t` (binary search); `None` when
    /// every bar ends after `t`.
    pub fn last_ending_by(&self, t: Timestamp) -> Option<usize> {
        let d = self.interval.duration();
        // Bars ending by t are those starting by t - d.
        let k = self.start.partition_point(|s| *s + d <= t);
        k.checked_sub(1)
    }
}

/// One regular session of the New York Stock Exchange, as UTC instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeSession {
    /// The trading date (New York).
    pub date: Date,
    /// 09:30 New York.
    pub open: Timestamp,
    /// 16:00 New York, or 13:00 on an early-close day.
    pub close: Timestamp,
    /// Whether the session closes early (13:00).
    pub early_close: bool,
}

impl ExchangeSession {
    /// Whether a bar starting at `start` is in the session: it starts at or after the open
    /// and before the close.
    pub fn contains(&self, start: Timestamp) -> bool {
        start >= self.open && start < self.close
    }
}

/// Why the NYSE closes at 13:00 New York on `d`, a trading day; `None` on a full day.
///
/// Rules (NYSE, regular since the 1990s): the day before Independence Day when 4 July falls
/// on Tuesday to Friday (3 July); the day after Thanksgiving; Christmas Eve when it is a
/// trading weekday. One-off early closes decided at short notice are not listed.
pub fn nyse_early_close(d: Date) -> Option<&'static str> {
    if !is_nyse_trading_day(d) {
        return None;
    }
    let (m, day) = (d.month(), d.day());
    if m == 7 && day == 3 {
        let july4 = d.succ_opt()?;
        if matches!(
            july4.weekday(),
            Weekday::Tue | Weekday::Wed | Weekday::Thu | Weekday::Fri
        ) {
            return Some("day before Independence Day");
        }
    }
    if m == 11 && d.weekday() == Weekday::Fri {
        // The day after the fourth Thursday of November.
        let thu = d.pred_opt()?;
        if thu.weekday() == Weekday::Thu && (22..=28).contains(&thu.day()) {
            return Some("day after Thanksgiving");
        }
    }
    if m == 12 && day == 24 {
        return Some("Christmas Eve");
    }
    None
}

/// The regular NYSE session of `d`, or `None` when the exchange does not trade that day.
pub fn nyse_session(d: Date) -> Option<ExchangeSession> {
    if !is_nyse_trading_day(d) {
        return None;
    }
    let early = nyse_early_close(d).is_some();
    let ny = chrono_tz::America::New_York;
    let at = |h: u32, m: u32| -> Option<Timestamp> {
        let local = d.and_time(NaiveTime::from_hms_opt(h, m, 0)?);
        // 09:30 and 16:00 are never in a DST gap or fold (those are at 02:00).
        Some(ny.from_local_datetime(&local).single()?.with_timezone(&Utc))
    };
    Some(ExchangeSession {
        date: d,
        open: at(9, 30)?,
        close: if early { at(13, 0)? } else { at(16, 0)? },
        early_close: early,
    })
}

/// The New York date of a UTC instant.
pub fn new_york_date(t: Timestamp) -> Date {
    t.with_timezone(&chrono_tz::America::New_York).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn intervals_parse_and_print() {
        for i in Interval::ALL {
            assert_eq!(i.name().parse::<Interval>().unwrap(), i);
        }
        assert_eq!("60m".parse::<Interval>().unwrap(), Interval::H1);
        assert!("2h".parse::<Interval>().is_err());
        assert!(Interval::M5.nests_in(Interval::H1));
        assert!(!Interval::M30.nests_in(Interval::M15));
    }

    #[test]
    fn sessions_follow_daylight_saving() {
        // Winter: 09:30 EST = 14:30 UTC; summer: 13:30 UTC.
        let w = nyse_session(d(2024, 1, 2)).unwrap();
        assert_eq!(w.open, utc("2024-01-02T14:30:00Z"));
        assert_eq!(w.close, utc("2024-01-02T21:00:00Z"));
        let s = nyse_session(d(2024, 7, 1)).unwrap();
        assert_eq!(s.open, utc("2024-07-01T13:30:00Z"));
        assert_eq!(s.close, utc("2024-07-01T20:00:00Z"));
        // The Monday after the March change (2024-03-10) and after November's (2024-11-03).
        assert_eq!(
            nyse_session(d(2024, 3, 11)).unwrap().close,
            utc("2024-03-11T20:00:00Z")
        );
        assert_eq!(
            nyse_session(d(2024, 11, 4)).unwrap().close,
            utc("2024-11-04T21:00:00Z")
        );
        assert!(nyse_session(d(2024, 1, 6)).is_none(), "Saturday");
        assert!(nyse_session(d(2024, 12, 25)).is_none(), "Christmas");
    }

    #[test]
    fn early_closes() {
        for (date, early) in [
            (d(2024, 7, 3), true),
            (d(2025, 7, 3), true),
            (d(2023, 7, 3), true), // 4 July 2023 was a Tuesday
            (d(2022, 7, 1), false),
            (d(2024, 11, 29), true),
            (d(2025, 11, 28), true),
            (d(2024, 12, 24), true),
            (d(2025, 12, 24), true),
            (d(2021, 12, 24), false), // Christmas observed: closed
            (d(2024, 12, 23), false),
        ] {
            let s = nyse_session(date);
            assert_eq!(s.is_some_and(|s| s.early_close), early, "{date}");
        }
        let s = nyse_session(d(2024, 11, 29)).unwrap();
        assert_eq!(s.close, utc("2024-11-29T18:00:00Z"));
        assert!(s.contains(utc("2024-11-29T17:55:00Z")));
        assert!(!s.contains(utc("2024-11-29T18:00:00Z")));
    }

    #[test]
    fn last_bar_ending_by_a_time() {
        let t0 = utc("2024-01-02T20:00:00Z");
        let starts: Vec<Timestamp> = (0..4).map(|k| t0 + Duration::hours(k)).collect();
        let s = IntradaySeries::new("x", Interval::H1, starts, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.last_ending_by(utc("2024-01-02T20:59:00Z")), None);
        assert_eq!(s.last_ending_by(utc("2024-01-02T21:00:00Z")), Some(0));
        assert_eq!(s.last_ending_by(utc("2024-01-02T22:30:00Z")), Some(1));
        assert_eq!(s.last_ending_by(utc("2024-01-03T09:00:00Z")), Some(3));
        assert_eq!(s.end(0), utc("2024-01-02T21:00:00Z"));
    }

    #[test]
    fn bad_series_are_refused() {
        let t = utc("2024-01-02T20:00:00Z");
        assert!(IntradaySeries::new("x", Interval::H1, vec![t, t], vec![1.0, 2.0]).is_err());
        assert!(IntradaySeries::new("x", Interval::H1, vec![t], vec![0.0]).is_err());
        assert!(IntradaySeries::new("x", Interval::H1, vec![t], vec![f64::NAN]).is_err());
    }
}
