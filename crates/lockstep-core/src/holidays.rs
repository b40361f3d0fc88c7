//! The New York Stock Exchange's full-day closures, by rule, 1990 onwards.
//!
//! Regular holidays (NYSE Rule 7.2), with the weekend rule: a holiday on a Saturday is
//! observed on the Friday before, one on a Sunday on the Monday after, **except New Year's
//! Day on a Saturday, which is not observed at all** (the exchange stays open on the last
//! business day of the year):
//!
//! | holiday | date |
//! |---|---|
//! | New Year's Day | 1 January |
//! | Martin Luther King Jr. Day | third Monday of January (from 1998) |
//! | Washington's Birthday | third Monday of February |
//! | Good Friday | two days before Easter Sunday (Gregorian computus) |
//! | Memorial Day | last Monday of May |
//! | Juneteenth | 19 June (from 2022) |
//! | Independence Day | 4 July |
//! | Labor Day | first Monday of September |
//! | Thanksgiving Day | fourth Thursday of November |
//! | Christmas Day | 25 December |
//!
//! Special closures since 1990: 1994-04-27 (President Nixon's funeral), 2001-09-11 to
//! 2001-09-14 (the attacks of September 11), 2004-06-11 (President Reagan), 2007-01-02
//! (President Ford), 2012-10-29 and 2012-10-30 (Hurricane Sandy), 2018-12-05 (President
//! G. H. W. Bush), 2025-01-09 (President Carter). A closure announced after this list was
//! written is not in it. Early closes (13:00) are trading days.
//!
//! Checked against the real daily histories of the Russell 2000 (^RUT) and IWM: every weekday
//! without a bar is a closure here, and no closure here has a bar (`nyse_calendar_matches_*`
//! in `lockstep-data/tests/shared_data.rs`, on `../shared/data`).

use chrono::{Datelike, Days, Weekday};

use crate::Date;

/// Special (unscheduled) full-day closures since 1990, with their reason.
const SPECIAL: [(i32, u32, u32, &str); 11] = [
    (1994, 4, 27, "National Day of Mourning (President Nixon)"),
    (2001, 9, 11, "September 11 attacks"),
    (2001, 9, 12, "September 11 attacks"),
    (2001, 9, 13, "September 11 attacks"),
    (2001, 9, 14, "September 11 attacks"),
    (2004, 6, 11, "National Day of Mourning (President Reagan)"),
    (2007, 1, 2, "National Day of Mourning (President Ford)"),
    (2012, 10, 29, "Hurricane Sandy"),
    (2012, 10, 30, "Hurricane Sandy"),
    (
        2018,
        12,
        5,
        "National Day of Mourning (President G. H. W. Bush)",
    ),
    (2025, 1, 9, "National Day of Mourning (President Carter)"),
];

/// Why the NYSE is closed all day on `d`, a weekday; `None` when it trades (or when `d` is a
/// Saturday or Sunday, which are not holidays but simply not trading days). The rules are in
/// the module documentation.
pub fn nyse_holiday(d: Date) -> Option<&'static str> {
    if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        return None;
    }
    let (y, m, day) = (d.year(), d.month(), d.day());
    if let Some((.., why)) = SPECIAL
        .iter()
        .find(|(sy, sm, sd, _)| (*sy, *sm, *sd) == (y, m, day))
    {
        return Some(why);
    }
    let fixed = |month: u32, dom: u32| observed(y, month, dom) == Some(d);
    // New Year's Day: the weekend rule would move a Saturday 1 January to Friday 31 December
    // of the year before, which is never `d` here (`y` is `d`'s own year): not observed.
    if fixed(1, 1) {
        return Some("New Year's Day");
    }
    if y >= 1998 && nth_weekday(y, 1, Weekday::Mon, 3) == Some(d) {
        return Some("Martin Luther King Jr. Day");
    }
    if nth_weekday(y, 2, Weekday::Mon, 3) == Some(d) {
        return Some("Washington's Birthday");
    }
    if easter(y).and_then(|e| e.checked_sub_days(Days::new(2))) == Some(d) {
        return Some("Good Friday");
    }
    if last_weekday(y, 5, Weekday::Mon) == Some(d) {
        return Some("Memorial Day");
    }
    if y >= 2022 && fixed(6, 19) {
        return Some("Juneteenth");
    }
    if fixed(7, 4) {
        return Some("Independence Day");
    }
    if nth_weekday(y, 9, Weekday::Mon, 1) == Some(d) {
        return Some("Labor Day");
    }
    if nth_weekday(y, 11, Weekday::Thu, 4) == Some(d) {
        return Some("Thanksgiving Day");
    }
    if fixed(12, 25) {
        return Some("Christmas Day");
    }
    None
}

/// Whether the NYSE trades on `d`: a weekday that is not a full-day closure.
pub fn is_nyse_trading_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && nyse_holiday(d).is_none()
}

/// The weekday a fixed-date holiday is observed on: Saturday → Friday, Sunday → Monday.
fn observed(y: i32, m: u32, d: u32) -> Option<Date> {
    let date = Date::from_ymd_opt(y, m, d)?;
    match date.weekday() {
        Weekday::Sat => date.checked_sub_days(Days::new(1)),
        Weekday::Sun => date.checked_add_days(Days::new(1)),
        _ => Some(date),
    }
}

/// The `n`-th (1-based) `wd` of month `m` of year `y`.
fn nth_weekday(y: i32, m: u32, wd: Weekday, n: u8) -> Option<Date> {
    Date::from_weekday_of_month_opt(y, m, wd, n)
}

/// The last `wd` of month `m` of year `y`.
fn last_weekday(y: i32, m: u32, wd: Weekday) -> Option<Date> {
    nth_weekday(y, m, wd, 5).or_else(|| nth_weekday(y, m, wd, 4))
}

/// Easter Sunday of year `y` in the Gregorian calendar (the anonymous Gregorian algorithm,
/// "Meeus/Jones/Butcher").
fn easter(y: i32) -> Option<Date> {
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_ymd_opt(y, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn easter_sundays() {
        for (y, e) in [
            (1990, "1990-04-15"),
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2011, "2011-04-24"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter(y), Some(d(e)), "{y}");
        }
    }

    /// The NYSE's published holiday calendars for 2021–2026 (the weekend rules at work:
    /// 2021-07-05, 2021-12-24, no closure for New Year's Day 2022, 2022-06-20, 2022-12-26,
    /// 2023-01-02).
    #[test]
    fn published_calendars() {
        let closed = [
            "2021-01-01",
            "2021-01-18",
            "2021-02-15",
            "2021-04-02",
            "2021-05-31",
            "2021-07-05",
            "2021-09-06",
            "2021-11-25",
            "2021-12-24",
            "2022-01-17",
            "2022-02-21",
            "2022-04-15",
            "2022-05-30",
            "2022-06-20",
            "2022-07-04",
            "2022-09-05",
            "2022-11-24",
            "2022-12-26",
            "2023-01-02",
            "2023-01-16",
            "2023-02-20",
            "2023-04-07",
            "2023-05-29",
            "2023-06-19",
            "2023-07-04",
            "2023-09-04",
            "2023-11-23",
            "2023-12-25",
            "2024-01-01",
            "2024-01-15",
            "2024-02-19",
            "2024-03-29",
            "2024-05-27",
            "2024-06-19",
            "2024-07-04",
            "2024-09-02",
            "2024-11-28",
            "2024-12-25",
            "2025-01-01",
            "2025-01-09",
            "2025-01-20",
            "2025-02-17",
            "2025-04-18",
            "2025-05-26",
            "2025-06-19",
            "2025-07-04",
            "2025-09-01",
            "2025-11-27",
            "2025-12-25",
            "2026-01-01",
            "2026-01-19",
            "2026-02-16",
            "2026-04-03",
            "2026-05-25",
            "2026-06-19",
            "2026-07-03",
            "2026-09-07",
            "2026-11-26",
            "2026-12-25",
        ]
        .map(d);
        let mut day = d("2021-01-01");
        let mut found = Vec::new();
        while day <= d("2026-12-31") {
            if nyse_holiday(day).is_some() {
                found.push(day);
            }
            day = day + Days::new(1);
        }
        assert_eq!(found, closed);
        // The open days next to the weekend rules.
        for open in ["2021-12-31", "2022-06-17", "2021-07-02", "2026-07-02"] {
            assert!(is_nyse_trading_day(d(open)), "{open}");
        }
        assert!(!is_nyse_trading_day(d("2026-07-04")), "a Saturday");
        assert_eq!(
            nyse_holiday(d("2026-07-04")),
            None,
            "a Saturday is not a holiday"
        );
        assert_eq!(
            nyse_holiday(d("2025-01-09")),
            Some("National Day of Mourning (President Carter)")
        );
        assert_eq!(
            nyse_holiday(d("2021-06-18")),
            None,
            "Juneteenth only from 2022"
        );
        assert_eq!(
            nyse_holiday(d("1997-01-20")),
            None,
            "MLK Day only from 1998"
        );
    }
}
