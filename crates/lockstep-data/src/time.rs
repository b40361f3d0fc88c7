//! Parsing of intraday timestamp cells (hand-written for speed: one per row).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use lockstep_core::Timestamp;

/// The accepted timestamp forms, for error messages.
pub(crate) const ACCEPTED: &str = "YYYY-MM-DD HH:MM[:SS[.f]] (or with T) followed by an offset \
(+00:00, +0000, -04:00, Z, UTC) or read in --tz; M/D/YYYY H:MM[:SS][ AM|PM] read in --tz; \
Unix time in seconds, milliseconds, microseconds or nanoseconds (by magnitude)";

/// A timestamp cell as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// A wall-clock time and its UTC offset in seconds (`Z` and `UTC` are 0).
    Offset(NaiveDateTime, i32),
    /// Unix time.
    Unix(Timestamp),
    /// A wall-clock time without offset or zone.
    Naive(NaiveDateTime),
    /// A date without a time of day.
    DateOnly(NaiveDate),
}

impl Stamp {
    /// The date and time of day as written (UTC for Unix time); `None` for a date alone.
    pub(crate) fn wall(self) -> Option<NaiveDateTime> {
        match self {
            Stamp::Offset(w, _) | Stamp::Naive(w) => Some(w),
            Stamp::Unix(t) => Some(t.naive_utc()),
            Stamp::DateOnly(_) => None,
        }
    }

    /// The instant, when the cell fixes it (an offset or Unix time).
    pub(crate) fn instant(self) -> Option<Timestamp> {
        match self {
            Stamp::Offset(w, off) => w
                .checked_sub_signed(TimeDelta::seconds(i64::from(off)))
                .map(|t| t.and_utc()),
            Stamp::Unix(t) => Some(t),
            Stamp::Naive(_) | Stamp::DateOnly(_) => None,
        }
    }
}

/// A cursor over ASCII bytes.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    /// Between `min` and `max` decimal digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v = 0u32;
        while self.i - start < max {
            match self.b.get(self.i) {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A case-insensitive ASCII word.
    fn word(&mut self, w: &str) -> bool {
        let end = self.i + w.len();
        if self
            .b
            .get(self.i..end)
            .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()))
        {
            self.i = end;
            true
        } else {
            false
        }
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

/// Parse a timestamp cell; `None` when it is in no accepted form.
pub(crate) fn parse_stamp(s: &str) -> Option<Stamp> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if first.is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+'))
    {
        return unix(s).map(Stamp::Unix);
    }
    let mut c = Cur { b, i: 0 };
    if b.contains(&b'/') {
        us(&mut c)
    } else {
        iso(&mut c)
    }
}

/// Unix time: seconds below 1e11, milliseconds below 1e14, microseconds below 1e17, else
/// nanoseconds. Integers are exact; decimals (`1600498800.0`) are rounded to the millisecond
/// (seconds, milliseconds) or the microsecond.
fn unix(s: &str) -> Option<Timestamp> {
    if let Ok(v) = s.parse::<i64>() {
        return if v < 100_000_000_000 {
            DateTime::<Utc>::from_timestamp(v, 0)
        } else if v < 100_000_000_000_000 {
            DateTime::<Utc>::from_timestamp_millis(v)
        } else if v < 100_000_000_000_000_000 {
            DateTime::<Utc>::from_timestamp_micros(v)
        } else {
            Some(DateTime::<Utc>::from_timestamp_nanos(v))
        };
    }
    let v: f64 = s.parse().ok()?;
    if !(0.0..9.2e18).contains(&v) {
        return None;
    }
    if v < 1e11 {
        DateTime::<Utc>::from_timestamp_millis((v * 1e3).round() as i64)
    } else if v < 1e14 {
        DateTime::<Utc>::from_timestamp_millis(v.round() as i64)
    } else if v < 1e17 {
        DateTime::<Utc>::from_timestamp_micros(v.round() as i64)
    } else {
        Some(DateTime::<Utc>::from_timestamp_nanos(v.round() as i64))
    }
}

/// `HH:MM[:SS[.f]]` (one-digit hours allowed).
fn time_of_day(c: &mut Cur) -> Option<(u32, u32, u32, u32)> {
    let h = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let m = c.digits(2, 2)?;
    let (mut sec, mut nano) = (0, 0);
    if c.eat(b':') {
        sec = c.digits(2, 2)?;
        if c.eat(b'.') {
            let start = c.i;
            let v = c.digits(1, 9)?;
            nano = v * 10u32.pow((9 - (c.i - start)) as u32);
            // Digits beyond nanoseconds are dropped.
            while c.b.get(c.i).is_some_and(u8::is_ascii_digit) {
                c.i += 1;
            }
        }
    }
    Some((h, m, sec, nano))
}

fn at(d: NaiveDate, (h, m, s, n): (u32, u32, u32, u32)) -> Option<NaiveDateTime> {
    NaiveTime::from_hms_nano_opt(h, m, s, n).map(|t| d.and_time(t))
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space, a time of day and an offset.
fn iso(c: &mut Cur) -> Option<Stamp> {
    let y = c.digits(4, 4)?;
    c.eat(b'-').then_some(())?;
    let mo = c.digits(1, 2)?;
    c.eat(b'-').then_some(())?;
    let d = c.digits(1, 2)?;
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    if c.done() {
        return Some(Stamp::DateOnly(date));
    }
    if !(c.eat(b' ') || c.eat(b'T')) {
        return None;
    }
    let wall = at(date, time_of_day(c)?)?;
    if c.done() {
        return Some(Stamp::Naive(wall));
    }
    c.eat(b' ');
    if c.word("Z") || c.word("UTC") || c.word("GMT") {
        return c.done().then_some(Stamp::Offset(wall, 0));
    }
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return None;
    };
    let oh = c.digits(2, 2)?;
    c.eat(b':');
    let om = if c.done() { 0 } else { c.digits(2, 2)? };
    if !c.done() || oh > 23 || om > 59 {
        return None;
    }
    Some(Stamp::Offset(wall, sign * (oh * 3600 + om * 60) as i32))
}

/// `M/D/YYYY`, optionally followed by a space, a time of day and `AM`/`PM`.
fn us(c: &mut Cur) -> Option<Stamp> {
    let mo = c.digits(1, 2)?;
    c.eat(b'/').then_some(())?;
    let d = c.digits(1, 2)?;
    c.eat(b'/').then_some(())?;
    let y = c.digits(4, 4)?;
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    if c.done() {
        return Some(Stamp::DateOnly(date));
    }
    if !c.eat(b' ') {
        return None;
    }
    let (mut h, m, s, n) = time_of_day(c)?;
    if !c.done() {
        c.eat(b' ');
        let pm = if c.word("AM") {
            false
        } else if c.word("PM") {
            true
        } else {
            return None;
        };
        if !(1..=12).contains(&h) || !c.done() {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    at(date, (h, m, s, n)).map(Stamp::Naive)
}

/// CryptoDataDownload's `Date` of hourly files, `YYYY-MM-DD hh-AM` (`12-AM` is 00:00), or any
/// form of [`parse_stamp`] with a time of day; the wall-clock time.
pub(crate) fn cdd_date(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() == 16 && b[10] == b' ' && b[13] == b'-' {
        let mut c = Cur { b, i: 0 };
        let Some(Stamp::DateOnly(d)) = iso(&mut Cur { b: &b[..10], i: 0 }) else {
            return None;
        };
        c.i = 11;
        let h = c.digits(2, 2)?;
        c.i = 14;
        let pm = if c.word("AM") {
            false
        } else if c.word("PM") {
            true
        } else {
            return None;
        };
        if !(1..=12).contains(&h) {
            return None;
        }
        return at(d, (h % 12 + if pm { 12 } else { 0 }, 0, 0, 0));
    }
    parse_stamp(s).and_then(Stamp::wall)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    fn utc(s: &str) -> Timestamp {
        wall(s).and_utc()
    }

    #[test]
    fn offsets() {
        for (s, w, off) in [
            ("2024-01-02 17:30:00+00:00", "2024-01-02 17:30:00", 0),
            ("2024-01-01 00:00:00+0000", "2024-01-01 00:00:00", 0),
            (
                "2025-06-26 13:30:00-04:00",
                "2025-06-26 13:30:00",
                -4 * 3600,
            ),
            (
                "2025-06-26T13:30:00-04:00",
                "2025-06-26 13:30:00",
                -4 * 3600,
            ),
            ("2025-06-26T13:30:00Z", "2025-06-26 13:30:00", 0),
            ("2025-06-26 13:30:00 UTC", "2025-06-26 13:30:00", 0),
            ("2025-06-26T13:30Z", "2025-06-26 13:30:00", 0),
            (
                "2025-06-26T13:30:00.250+05:30",
                "2025-06-26 13:30:00.25",
                19800,
            ),
            ("2025-06-26 13:30:00-05", "2025-06-26 13:30:00", -5 * 3600),
        ] {
            assert_eq!(parse_stamp(s), Some(Stamp::Offset(wall(w), off)), "{s}");
        }
        let s = parse_stamp("2025-06-26 13:30:00-04:00").unwrap();
        assert_eq!(s.instant(), Some(utc("2025-06-26 17:30:00")));
        for bad in [
            "2025-06-26 13:30:00+25:00",
            "2025-06-26 13:30:00 EST",
            "2025-06-26 13:30:00+",
            "2025-06-26 25:30:00",
            "2025-02-30 10:00:00",
            "2025-06-26 13:3",
            "2025-06-26x13:30",
            "",
        ] {
            assert_eq!(parse_stamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn naive_and_dates() {
        assert_eq!(
            parse_stamp("2025-08-19 15:10:00"),
            Some(Stamp::Naive(wall("2025-08-19 15:10:00")))
        );
        assert_eq!(
            parse_stamp("10/21/2019 9:30"),
            Some(Stamp::Naive(wall("2019-10-21 09:30:00")))
        );
        assert_eq!(
            parse_stamp("6/8/2020 15:33:20"),
            Some(Stamp::Naive(wall("2020-06-08 15:33:20")))
        );
        assert_eq!(
            parse_stamp("10/21/2019 12:05 AM"),
            Some(Stamp::Naive(wall("2019-10-21 00:05:00")))
        );
        assert_eq!(
            parse_stamp("10/21/2019 12:05PM"),
            Some(Stamp::Naive(wall("2019-10-21 12:05:00")))
        );
        assert_eq!(parse_stamp("10/21/2019 13:05 PM"), None);
        let d = NaiveDate::from_ymd_opt(2019, 10, 21).unwrap();
        assert_eq!(parse_stamp("10/21/2019"), Some(Stamp::DateOnly(d)));
        assert_eq!(parse_stamp("2019-10-21"), Some(Stamp::DateOnly(d)));
        assert_eq!(parse_stamp("21/10/2019"), None);
        assert_eq!(Stamp::DateOnly(d).wall(), None);
    }

    #[test]
    fn unix_by_magnitude() {
        let t = utc("2020-09-19 07:00:00");
        for s in [
            "1600498800",
            "1600498800.0",
            "1600498800000",
            "1600498800000.0",
            "1600498800000000",
            "1600498800000000000",
        ] {
            assert_eq!(parse_stamp(s), Some(Stamp::Unix(t)), "{s}");
        }
        assert_eq!(
            parse_stamp("1755616499999"),
            Some(Stamp::Unix(utc("2025-08-19 15:14:59.999")))
        );
        assert_eq!(
            parse_stamp("1600498800.5"),
            Some(Stamp::Unix(utc("2020-09-19 07:00:00.5")))
        );
        assert_eq!(
            parse_stamp("1.6e9"),
            Some(Stamp::Unix(utc("2020-09-13 12:26:40")))
        );
        assert_eq!(parse_stamp("-1"), None);
        assert_eq!(parse_stamp("1e400"), None);
    }

    #[test]
    fn cryptodatadownload_dates() {
        assert_eq!(
            cdd_date("2020-09-19 07-AM"),
            Some(wall("2020-09-19 07:00:00"))
        );
        assert_eq!(
            cdd_date("2020-09-19 12-AM"),
            Some(wall("2020-09-19 00:00:00"))
        );
        assert_eq!(
            cdd_date("2020-09-19 12-PM"),
            Some(wall("2020-09-19 12:00:00"))
        );
        assert_eq!(
            cdd_date("2020-09-19 01-PM"),
            Some(wall("2020-09-19 13:00:00"))
        );
        assert_eq!(cdd_date("2020-09-19 13-PM"), None);
        assert_eq!(cdd_date("2020-09-19 07-XM"), None);
        assert_eq!(
            cdd_date("2020-12-30 23:00:00"),
            Some(wall("2020-12-30 23:00:00"))
        );
        assert_eq!(cdd_date("2020-12-30"), None);
    }
}
