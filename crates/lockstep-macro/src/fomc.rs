//! The FOMC meeting calendar: the dates of the Committee's rate decisions.
//!
//! A meeting is dated by its **decision day**, the last day of a two-day meeting (the day the
//! statement is released). The built-in table ([`BUILTIN_MEETINGS`]) covers 2008 through 2027;
//! it can be extended or overridden by a text file parsed with [`Calendar::parse`].
//!
//! # File format
//!
//! One decision date per line, `YYYY-MM-DD`, optionally followed by `,unscheduled` (or
//! `,scheduled`, the default). `#` starts a comment (whole line or end of line); blank lines
//! are ignored; surrounding whitespace is trimmed. A date given twice is an error naming both
//! lines.
//!
//! ```text
//! # FOMC decisions 2028 (tentative)
//! 2028-01-26
//! 2028-03-15
//! 2020-03-15,unscheduled   # emergency cut
//! ```
//!
//! # Combining calendars
//!
//! * [`Calendar::extend`] — **union**: every date of the other calendar is added; where both
//!   hold the same date, the other calendar's kind (scheduled / unscheduled) wins. Use it to
//!   add years the built-in table does not have, or an emergency meeting.
//! * [`Calendar::override_years`] — **replace by year**: every calendar year that has at least
//!   one date in the other calendar is dropped from this one and replaced by the other's dates
//!   of that year; other years are untouched. Use it when a meeting was moved or cancelled
//!   (give the whole corrected year in the file).
//!
//! The years a calendar *covers* ([`Calendar::covers_year`]) are those from its first to its
//! last year with at least one date; a month in a covered year with no date has no meeting.
//! Months outside the covered years have an unknown schedule and are not used by
//! [`crate::fedwatch()`].

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::{Date, MacroError, Result};

/// Whether a decision was taken at a scheduled meeting or at an unscheduled one (a conference
/// call or intermeeting action).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetingKind {
    /// One of the (normally eight) meetings of the published schedule.
    Scheduled,
    /// An unscheduled meeting or conference call at which the target was changed.
    Unscheduled,
}

use MeetingKind::{Scheduled as S, Unscheduled as U};

/// The built-in FOMC decision dates, 2008–2027: `(year, month, day, kind)`, ascending.
///
/// Sources: the Federal Reserve Board's "Meeting calendars and information" pages
/// (federalreserve.gov/monetarypolicy/fomccalendars.htm and the historical pages
/// `fomchistorical<YEAR>.htm`); each date is the last day of the meeting, the day of the
/// statement. Cross-checked against the changes of FRED `DFEDTARU` (2008-12-16 to 2025-11-12):
/// every change of the target range falls on a listed date or the day after it.
///
/// Unscheduled actions listed are those that **changed the target rate** (the ones that move
/// fed funds futures): 2008-01-22 (−75 bp, conference call of Jan 21, announced Jan 22),
/// 2008-10-08 (−50 bp, coordinated cut), 2020-03-03 (−50 bp) and 2020-03-15 (−100 bp, Sunday,
/// replacing the scheduled meeting of 2020-03-17/18). Conference calls without a rate
/// decision (e.g. 2008-03-10, 2019-10-04, 2020-03-23) are not listed.
///
/// 2026 is the schedule published by the Board; **2027 is tentative** (the Board's tentative
/// schedule, subject to change): override it with a file when the final one differs.
pub const BUILTIN_MEETINGS: &[(i32, u32, u32, MeetingKind)] = &[
    // 2008
    (2008, 1, 22, U),
    (2008, 1, 30, S),
    (2008, 3, 18, S),
    (2008, 4, 30, S),
    (2008, 6, 25, S),
    (2008, 8, 5, S),
    (2008, 9, 16, S),
    (2008, 10, 8, U),
    (2008, 10, 29, S),
    (2008, 12, 16, S),
    // 2009
    (2009, 1, 28, S),
    (2009, 3, 18, S),
    (2009, 4, 29, S),
    (2009, 6, 24, S),
    (2009, 8, 12, S),
    (2009, 9, 23, S),
    (2009, 11, 4, S),
    (2009, 12, 16, S),
    // 2010
    (2010, 1, 27, S),
    (2010, 3, 16, S),
    (2010, 4, 28, S),
    (2010, 6, 23, S),
    (2010, 8, 10, S),
    (2010, 9, 21, S),
    (2010, 11, 3, S),
    (2010, 12, 14, S),
    // 2011
    (2011, 1, 26, S),
    (2011, 3, 15, S),
    (2011, 4, 27, S),
    (2011, 6, 22, S),
    (2011, 8, 9, S),
    (2011, 9, 21, S),
    (2011, 11, 2, S),
    (2011, 12, 13, S),
    // 2012
    (2012, 1, 25, S),
    (2012, 3, 13, S),
    (2012, 4, 25, S),
    (2012, 6, 20, S),
    (2012, 8, 1, S),
    (2012, 9, 13, S),
    (2012, 10, 24, S),
    (2012, 12, 12, S),
    // 2013
    (2013, 1, 30, S),
    (2013, 3, 20, S),
    (2013, 5, 1, S),
    (2013, 6, 19, S),
    (2013, 7, 31, S),
    (2013, 9, 18, S),
    (2013, 10, 30, S),
    (2013, 12, 18, S),
    // 2014
    (2014, 1, 29, S),
    (2014, 3, 19, S),
    (2014, 4, 30, S),
    (2014, 6, 18, S),
    (2014, 7, 30, S),
    (2014, 9, 17, S),
    (2014, 10, 29, S),
    (2014, 12, 17, S),
    // 2015 (lift-off 2015-12-16)
    (2015, 1, 28, S),
    (2015, 3, 18, S),
    (2015, 4, 29, S),
    (2015, 6, 17, S),
    (2015, 7, 29, S),
    (2015, 9, 17, S),
    (2015, 10, 28, S),
    (2015, 12, 16, S),
    // 2016
    (2016, 1, 27, S),
    (2016, 3, 16, S),
    (2016, 4, 27, S),
    (2016, 6, 15, S),
    (2016, 7, 27, S),
    (2016, 9, 21, S),
    (2016, 11, 2, S),
    (2016, 12, 14, S),
    // 2017
    (2017, 2, 1, S),
    (2017, 3, 15, S),
    (2017, 5, 3, S),
    (2017, 6, 14, S),
    (2017, 7, 26, S),
    (2017, 9, 20, S),
    (2017, 11, 1, S),
    (2017, 12, 13, S),
    // 2018
    (2018, 1, 31, S),
    (2018, 3, 21, S),
    (2018, 5, 2, S),
    (2018, 6, 13, S),
    (2018, 8, 1, S),
    (2018, 9, 26, S),
    (2018, 11, 8, S),
    (2018, 12, 19, S),
    // 2019
    (2019, 1, 30, S),
    (2019, 3, 20, S),
    (2019, 5, 1, S),
    (2019, 6, 19, S),
    (2019, 7, 31, S),
    (2019, 9, 18, S),
    (2019, 10, 30, S),
    (2019, 12, 11, S),
    // 2020 (the scheduled meeting of March 17-18 was replaced by the call of Sunday March 15)
    (2020, 1, 29, S),
    (2020, 3, 3, U),
    (2020, 3, 15, U),
    (2020, 4, 29, S),
    (2020, 6, 10, S),
    (2020, 7, 29, S),
    (2020, 9, 16, S),
    (2020, 11, 5, S),
    (2020, 12, 16, S),
    // 2021
    (2021, 1, 27, S),
    (2021, 3, 17, S),
    (2021, 4, 28, S),
    (2021, 6, 16, S),
    (2021, 7, 28, S),
    (2021, 9, 22, S),
    (2021, 11, 3, S),
    (2021, 12, 15, S),
    // 2022
    (2022, 1, 26, S),
    (2022, 3, 16, S),
    (2022, 5, 4, S),
    (2022, 6, 15, S),
    (2022, 7, 27, S),
    (2022, 9, 21, S),
    (2022, 11, 2, S),
    (2022, 12, 14, S),
    // 2023
    (2023, 2, 1, S),
    (2023, 3, 22, S),
    (2023, 5, 3, S),
    (2023, 6, 14, S),
    (2023, 7, 26, S),
    (2023, 9, 20, S),
    (2023, 11, 1, S),
    (2023, 12, 13, S),
    // 2024
    (2024, 1, 31, S),
    (2024, 3, 20, S),
    (2024, 5, 1, S),
    (2024, 6, 12, S),
    (2024, 7, 31, S),
    (2024, 9, 18, S),
    (2024, 11, 7, S),
    (2024, 12, 18, S),
    // 2025
    (2025, 1, 29, S),
    (2025, 3, 19, S),
    (2025, 5, 7, S),
    (2025, 6, 18, S),
    (2025, 7, 30, S),
    (2025, 9, 17, S),
    (2025, 10, 29, S),
    (2025, 12, 10, S),
    // 2026 (published schedule)
    (2026, 1, 28, S),
    (2026, 3, 18, S),
    (2026, 4, 29, S),
    (2026, 6, 17, S),
    (2026, 7, 29, S),
    (2026, 9, 16, S),
    (2026, 10, 28, S),
    (2026, 12, 9, S),
    // 2027 (TENTATIVE schedule)
    (2027, 1, 27, S),
    (2027, 3, 17, S),
    (2027, 4, 28, S),
    (2027, 6, 9, S),
    (2027, 7, 28, S),
    (2027, 9, 22, S),
    (2027, 10, 27, S),
    (2027, 12, 8, S),
];

/// One FOMC rate decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Meeting {
    /// Decision day (last day of the meeting).
    pub date: Date,
    /// Scheduled or unscheduled.
    pub kind: MeetingKind,
}

impl Meeting {
    /// True for an unscheduled decision.
    pub fn is_unscheduled(&self) -> bool {
        self.kind == MeetingKind::Unscheduled
    }
}

/// A set of FOMC decision dates, one per date, in ascending order. See the module
/// documentation for the file format and the `extend` / `override_years` semantics.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Calendar {
    meetings: BTreeMap<Date, MeetingKind>,
}

impl Calendar {
    /// The built-in calendar, 2008–2027 ([`BUILTIN_MEETINGS`]; 2027 tentative).
    pub fn builtin() -> Calendar {
        let meetings = BUILTIN_MEETINGS
            .iter()
            .map(|&(y, m, d, k)| {
                // The table is checked by a unit test; a bad entry is a bug of this crate.
                let date = Date::from_ymd_opt(y, m, d).expect("valid built-in FOMC date");
                (date, k)
            })
            .collect();
        Calendar { meetings }
    }

    /// A calendar from a list of meetings; a later duplicate of a date replaces the earlier.
    pub fn from_meetings(meetings: impl IntoIterator<Item = Meeting>) -> Calendar {
        Calendar {
            meetings: meetings.into_iter().map(|m| (m.date, m.kind)).collect(),
        }
    }

    /// Parse a calendar file (see the module documentation for the format). Errors name the
    /// one-based line.
    pub fn parse(text: &str) -> Result<Calendar> {
        const WHAT: &str = "FOMC calendar";
        let mut meetings: BTreeMap<Date, MeetingKind> = BTreeMap::new();
        let mut lines_of: BTreeMap<Date, usize> = BTreeMap::new();
        for (line_no, content) in crate::futures::data_lines(text) {
            let err = |message: String| MacroError::Parse {
                what: WHAT,
                line: line_no,
                message,
            };
            let mut fields = content.split(',').map(str::trim);
            let date_text = fields.next().unwrap_or("");
            let date = parse_iso_date(date_text).ok_or_else(|| {
                err(format!(
                    "{date_text:?} is not a date YYYY-MM-DD (expected `YYYY-MM-DD[,unscheduled]`)"
                ))
            })?;
            let kind = match fields.next() {
                None => MeetingKind::Scheduled,
                Some(k) if k.eq_ignore_ascii_case("scheduled") => MeetingKind::Scheduled,
                Some(k) if k.eq_ignore_ascii_case("unscheduled") => MeetingKind::Unscheduled,
                Some(k) => {
                    return Err(err(format!(
                        "unknown meeting kind {k:?} (expected `scheduled` or `unscheduled`)"
                    )))
                }
            };
            if let Some(extra) = fields.next() {
                return Err(err(format!("unexpected field {extra:?} after the kind")));
            }
            if let Some(first) = lines_of.get(&date) {
                return Err(err(format!("date {date} already given on line {first}")));
            }
            lines_of.insert(date, line_no);
            meetings.insert(date, kind);
        }
        Ok(Calendar { meetings })
    }

    /// Union with `other`: all its dates are added; on a date present in both, `other`'s kind
    /// wins.
    pub fn extend(&mut self, other: &Calendar) {
        for (&d, &k) in &other.meetings {
            self.meetings.insert(d, k);
        }
    }

    /// Replace by year: every year with at least one date in `other` is removed from `self`
    /// and replaced by `other`'s dates of that year.
    pub fn override_years(&mut self, other: &Calendar) {
        let years: std::collections::BTreeSet<i32> =
            other.meetings.keys().map(|d| d.year()).collect();
        self.meetings.retain(|d, _| !years.contains(&d.year()));
        self.extend(other);
    }

    /// All meetings, ascending.
    pub fn meetings(&self) -> Vec<Meeting> {
        self.meetings
            .iter()
            .map(|(&date, &kind)| Meeting { date, kind })
            .collect()
    }

    /// Number of meetings.
    pub fn len(&self) -> usize {
        self.meetings.len()
    }

    /// True when the calendar has no meeting.
    pub fn is_empty(&self) -> bool {
        self.meetings.is_empty()
    }

    /// The meeting on `date`, if any.
    pub fn get(&self, date: Date) -> Option<Meeting> {
        self.meetings.get(&date).map(|&kind| Meeting { date, kind })
    }

    /// Meetings with `from <= date <= to`, ascending.
    pub fn between(&self, from: Date, to: Date) -> Vec<Meeting> {
        if from > to {
            return Vec::new();
        }
        self.meetings
            .range(from..=to)
            .map(|(&date, &kind)| Meeting { date, kind })
            .collect()
    }

    /// Meetings in calendar month `year`-`month`, ascending (empty for an invalid month).
    pub fn in_month(&self, year: i32, month: u32) -> Vec<Meeting> {
        let Some(first) = Date::from_ymd_opt(year, month, 1) else {
            return Vec::new();
        };
        let last = first + chrono::Months::new(1) - chrono::Days::new(1);
        self.between(first, last)
    }

    /// First and last year with at least one date (`None` for an empty calendar).
    pub fn year_span(&self) -> Option<(i32, i32)> {
        let first = self.meetings.keys().next()?.year();
        let last = self.meetings.keys().next_back()?.year();
        Some((first, last))
    }

    /// True when `year` lies within [`Calendar::year_span`]: the schedule of that year is
    /// known, and a month without a date has no meeting.
    pub fn covers_year(&self, year: i32) -> bool {
        self.year_span()
            .is_some_and(|(first, last)| first <= year && year <= last)
    }
}

/// Strict `YYYY-MM-DD`.
pub(crate) fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Date::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn builtin_table_is_valid_and_sorted() {
        let mut prev: Option<Date> = None;
        for &(y, m, dd, _) in BUILTIN_MEETINGS {
            let date = Date::from_ymd_opt(y, m, dd).expect("valid date");
            if let Some(p) = prev {
                assert!(date > p, "{date} not after {p}");
            }
            prev = Some(date);
        }
        let c = Calendar::builtin();
        assert_eq!(c.len(), BUILTIN_MEETINGS.len());
        assert_eq!(c.year_span(), Some((2008, 2027)));
        // Eight scheduled meetings every year; 2008 and 2020 have two unscheduled each, and
        // 2020 lost its scheduled March meeting.
        for year in 2008..=2027 {
            let first = Date::from_ymd_opt(year, 1, 1).unwrap();
            let last = Date::from_ymd_opt(year, 12, 31).unwrap();
            let ms = c.between(first, last);
            let scheduled = ms.iter().filter(|m| !m.is_unscheduled()).count();
            let unscheduled = ms.len() - scheduled;
            let (want_s, want_u) = match year {
                2008 => (8, 2),
                2020 => (7, 2),
                _ => (8, 0),
            };
            assert_eq!((scheduled, unscheduled), (want_s, want_u), "{year}");
            // Decisions are on weekdays, except the Sunday call of 2020-03-15.
            for m in &ms {
                if m.date != d("2020-03-15") {
                    assert!(m.date.weekday().number_from_monday() <= 5, "{}", m.date);
                }
            }
        }
        for u in ["2008-01-22", "2008-10-08", "2020-03-03", "2020-03-15"] {
            assert_eq!(c.get(d(u)).unwrap().kind, MeetingKind::Unscheduled, "{u}");
        }
        assert_eq!(c.in_month(2015, 9)[0].date, d("2015-09-17"));
        assert_eq!(c.in_month(2020, 3).len(), 2);
        assert!(c.in_month(2025, 8).is_empty());
        assert!(c.covers_year(2008) && c.covers_year(2027));
        assert!(!c.covers_year(2007) && !c.covers_year(2028));
    }

    #[test]
    fn parses_files_with_comments_and_kinds() {
        let text = "\u{feff}# header comment\n\n2028-01-26\n 2028-03-15 , scheduled # trailing\n2028-04-02,Unscheduled\r\n";
        let c = Calendar::parse(text).unwrap();
        assert_eq!(
            c.meetings(),
            vec![
                Meeting {
                    date: d("2028-01-26"),
                    kind: S
                },
                Meeting {
                    date: d("2028-03-15"),
                    kind: S
                },
                Meeting {
                    date: d("2028-04-02"),
                    kind: U
                },
            ]
        );
        assert!(Calendar::parse("").unwrap().is_empty());
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = Calendar::parse("2028-01-26\n2028-13-01\n").unwrap_err();
        assert!(matches!(e, MacroError::Parse { line: 2, .. }), "{e}");
        let e = Calendar::parse("# c\n2028-01-26,maybe\n").unwrap_err();
        assert!(matches!(e, MacroError::Parse { line: 2, .. }), "{e}");
        assert!(e.to_string().contains("maybe"));
        let e = Calendar::parse("2028-01-26\n\n2028-01-26,unscheduled\n").unwrap_err();
        assert!(matches!(e, MacroError::Parse { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("line 1"), "{e}");
        let e = Calendar::parse("2028/01/26\n").unwrap_err();
        assert!(matches!(e, MacroError::Parse { line: 1, .. }));
        let e = Calendar::parse("2028-01-26,unscheduled,x\n").unwrap_err();
        assert!(matches!(e, MacroError::Parse { line: 1, .. }));
    }

    #[test]
    fn extend_is_a_union_where_the_other_kind_wins() {
        let mut c = Calendar::builtin();
        let n = c.len();
        let extra = Calendar::parse("2028-01-26\n2025-12-10,unscheduled\n").unwrap();
        c.extend(&extra);
        assert_eq!(c.len(), n + 1);
        assert!(c.covers_year(2028));
        assert_eq!(c.get(d("2025-12-10")).unwrap().kind, U);
        // Other dates of 2025 untouched.
        assert_eq!(c.in_month(2025, 10).len(), 1);
    }

    #[test]
    fn override_replaces_whole_years_only() {
        let mut c = Calendar::builtin();
        let n = c.len();
        // A corrected 2027 with a moved June meeting and only two dates given.
        let fix = Calendar::parse("2027-06-16\n2027-12-15\n").unwrap();
        c.override_years(&fix);
        let y2027: Vec<Date> = c
            .between(d("2027-01-01"), d("2027-12-31"))
            .iter()
            .map(|m| m.date)
            .collect();
        assert_eq!(y2027, vec![d("2027-06-16"), d("2027-12-15")]);
        assert_eq!(c.len(), n - 8 + 2);
        // 2026 untouched.
        assert_eq!(c.between(d("2026-01-01"), d("2026-12-31")).len(), 8);
    }
}
