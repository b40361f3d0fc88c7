//! Geometry shared by the charts: the date axis (month- or day-aligned ticks, `YYYY-MM` or
//! `YYYY-MM-DD` labels), padded value ranges that never collapse or overflow, tick-label
//! formatting, and the runs of defined values that lines are drawn through.

use std::ops::Range;

use chrono::{Datelike, Days, Months, NaiveDate};
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

use lockstep_core::Date;

/// Spans longer than this many days get month-aligned ticks labelled `YYYY-MM`.
const MONTHLY_AFTER_DAYS: i64 = 90;

/// Largest magnitude kept on a value axis: the span of the axis must stay finite.
const LIMIT: f64 = f64::MAX / 8.0;

/// A date axis over `[start, end]` (never empty: one date is widened by a day each side).
#[derive(Clone, Debug)]
pub(crate) struct DateAxis {
    start: Date,
    end: Date,
}

impl DateAxis {
    /// The axis of `first..=last` with a small margin (1% of the span, at least half a day
    /// rounded up to one).
    pub(crate) fn new(first: Date, last: Date) -> DateAxis {
        let (first, last) = if first <= last {
            (first, last)
        } else {
            (last, first)
        };
        let span = (last - first).num_days();
        let pad = (span / 100).max(1) as u64;
        DateAxis {
            start: first.checked_sub_days(Days::new(pad)).unwrap_or(first),
            end: last.checked_add_days(Days::new(pad)).unwrap_or(last),
        }
    }

    /// The axis of the first and last of `dates` (`None` when empty).
    pub(crate) fn of(dates: &[Date]) -> Option<DateAxis> {
        Some(DateAxis::new(*dates.first()?, *dates.last()?))
    }

    fn days(&self) -> i64 {
        (self.end - self.start).num_days().max(1)
    }

    fn monthly(&self) -> bool {
        self.days() > MONTHLY_AFTER_DAYS
    }

    /// The last date of the axis.
    pub(crate) fn end(&self) -> Date {
        self.end
    }
}

/// Month-aligned ticks every `step` months within `[start, end]`.
fn month_ticks(start: Date, end: Date, step: u32) -> Vec<Date> {
    let first = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    // Align to multiples of `step` months counted from January of year 0.
    let index = |d: Date| d.year() as i64 * 12 + d.month0() as i64;
    let mut d = first;
    let rem = index(d).rem_euclid(step as i64) as u32;
    if rem != 0 {
        d = d.checked_add_months(Months::new(step - rem)).unwrap_or(end);
    }
    let mut out = Vec::new();
    while d <= end {
        if d >= start {
            out.push(d);
        }
        match d.checked_add_months(Months::new(step)) {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// Day ticks every `step` days within `[start, end]` (aligned to the day number).
fn day_ticks(start: Date, end: Date, step: i64) -> Vec<Date> {
    let n = start.num_days_from_ce() as i64;
    let rem = n.rem_euclid(step);
    let mut d = if rem == 0 {
        start
    } else {
        start
            .checked_add_days(Days::new((step - rem) as u64))
            .unwrap_or(end)
    };
    let mut out = Vec::new();
    while d <= end {
        out.push(d);
        match d.checked_add_days(Days::new(step as u64)) {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

impl Ranged for DateAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = Date;

    fn map(&self, value: &Date, limit: (i32, i32)) -> i32 {
        let t = (*value - self.start).num_days() as f64 / self.days() as f64;
        let px = limit.0 as f64 + t * (limit.1 - limit.0) as f64;
        px.round()
            .clamp(i32::MIN as f64 / 2.0, i32::MAX as f64 / 2.0) as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<Date> {
        let max = hint.max_num_points().max(1);
        if self.monthly() {
            for step in [1u32, 2, 3, 6, 12, 24, 36, 60, 120, 240, 600, 1200] {
                let t = month_ticks(self.start, self.end, step);
                if t.len() <= max {
                    return t;
                }
            }
            month_ticks(self.start, self.end, 12_000)
                .into_iter()
                .take(max)
                .collect()
        } else {
            for step in [1i64, 2, 7, 14, 28] {
                let t = day_ticks(self.start, self.end, step);
                if t.len() <= max {
                    return t;
                }
            }
            day_ticks(self.start, self.end, 28)
                .into_iter()
                .take(max)
                .collect()
        }
    }

    fn range(&self) -> Range<Date> {
        self.start..self.end
    }
}

impl ValueFormatter<Date> for DateAxis {
    fn format_ext(&self, value: &Date) -> String {
        if self.monthly() {
            value.format("%Y-%m").to_string()
        } else {
            value.format("%Y-%m-%d").to_string()
        }
    }
}

/// A value axis: lowest and highest finite values of `values`, padded by `pad` of the span
/// on each side. A constant series gets a non-zero span; huge values are clamped so the span
/// stays finite. `None` when no value is finite.
pub(crate) fn value_range(values: impl IntoIterator<Item = f64>, pad: f64) -> Option<Range<f64>> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (lo <= hi).then(|| padded(lo, hi, pad))
}

/// `[lo, hi]` padded by `pad` of its span (see [`value_range`]).
pub(crate) fn padded(lo: f64, hi: f64, pad: f64) -> Range<f64> {
    let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    let span = hi - lo;
    let margin = if span > 0.0 && span.is_finite() {
        span * pad
    } else {
        // Constant: a band around the value (or around 0).
        let m = lo.abs().max(hi.abs()) * 0.05;
        if m > 0.0 && m.is_finite() {
            m
        } else {
            1.0
        }
    };
    let (a, b) = (
        (lo - margin).clamp(-LIMIT * 2.0, LIMIT * 2.0),
        (hi + margin).clamp(-LIMIT * 2.0, LIMIT * 2.0),
    );
    if b > a {
        a..b
    } else {
        // The margin vanished in rounding (values around 1e17 and beyond).
        let m = a.abs().max(1.0) * 1e-6;
        a - m..b + m
    }
}

/// The scale of a price or equity axis: logarithmic by default (equal distances are equal
/// ratios, so a rise from 100 to 200 looks like one from 1,000 to 2,000), linear on request
/// (`--linear`). Other value axes (correlation, RSI, drawdown) are always linear.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// `log10` of the value is plotted; ticks are labelled with the value.
    #[default]
    Log,
    /// The value is plotted.
    Linear,
}

impl Scale {
    /// The plotted coordinate of `v`: `log10 v` on a log scale (`None` when `v <= 0` or not
    /// finite), `v` on a linear one (`None` when not finite).
    pub fn to_axis(self, v: f64) -> Option<f64> {
        match self {
            _ if !v.is_finite() => None,
            Scale::Log if v > 0.0 => Some(v.log10()),
            Scale::Log => None,
            Scale::Linear => Some(v),
        }
    }

    /// What the axis title adds (`, log scale`, or nothing).
    pub fn suffix(self) -> &'static str {
        match self {
            Scale::Log => ", log scale",
            Scale::Linear => "",
        }
    }

    /// The tick formatter of an axis over `r` (plotted coordinates): the value, with three
    /// significant digits or more on a log scale.
    pub(crate) fn format(self, r: &Range<f64>) -> Box<dyn Fn(&f64) -> String> {
        match self {
            Scale::Linear => Box::new(num_format(r)),
            Scale::Log => Box::new(|v: &f64| {
                let x = 10f64.powf(*v);
                if !x.is_finite() {
                    String::new()
                } else if x >= 100.0 {
                    format!("{x:.0}")
                } else if x >= 10.0 {
                    format!("{x:.1}")
                } else if x >= 1.0 {
                    format!("{x:.2}")
                } else {
                    format!("{x:.3}")
                }
            }),
        }
    }
}

/// A tick formatter for an axis over `r`: decimals from the span, scientific notation for
/// huge or tiny magnitudes, and no `-0`.
pub(crate) fn num_format(r: &Range<f64>) -> impl Fn(&f64) -> String {
    let span = (r.end - r.start).abs();
    let big = r.start.abs().max(r.end.abs());
    let decimals = if span > 0.0 {
        (1.0 - span.log10().floor()).clamp(0.0, 12.0) as usize
    } else {
        2
    };
    let sci = big >= 1e9 || decimals > 6;
    move |v: &f64| {
        let v = *v;
        if !v.is_finite() {
            return String::new();
        }
        let s = if sci && v != 0.0 {
            format!("{v:.2e}")
        } else {
            format!("{v:.decimals$}")
        };
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    }
}

/// The runs of consecutive defined (finite) values as `(x, y)` points.
pub(crate) fn runs<X: Clone>(
    xs: &[X],
    ys: impl IntoIterator<Item = Option<f64>>,
) -> Vec<Vec<(X, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(X, f64)> = Vec::new();
    for (x, y) in xs.iter().zip(ys) {
        match y.filter(|v| v.is_finite()) {
            Some(v) => cur.push((x.clone(), v)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::ranged1d::BoldPoints;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn date_ticks_are_aligned_and_formatted() {
        let ax = DateAxis::new(d("2015-01-01"), d("2024-12-31"));
        let t = ax.key_points(BoldPoints(10));
        assert!(!t.is_empty() && t.len() <= 10);
        assert!(t.iter().all(|x| x.day() == 1));
        assert_eq!(ax.format_ext(&t[0]).len(), 7);
        let short = DateAxis::new(d("2024-01-01"), d("2024-02-01"));
        let t = short.key_points(BoldPoints(8));
        assert!(!t.is_empty() && t.len() <= 8);
        assert_eq!(short.format_ext(&t[0]).len(), 10);
        // One date: still a non-empty axis.
        let one = DateAxis::new(d("2024-01-01"), d("2024-01-01"));
        assert!(one.days() >= 1);
        assert_eq!(one.map(&d("2024-01-01"), (0, 100)), 50);
    }

    #[test]
    fn ranges_never_collapse_or_overflow() {
        let r = value_range([5.0, 5.0, f64::NAN], 0.05).unwrap();
        assert!(r.start < 5.0 && r.end > 5.0);
        let r = value_range([0.0], 0.05).unwrap();
        assert!(r.start < 0.0 && r.end > 0.0);
        let r = value_range([-f64::MAX, f64::MAX], 0.05).unwrap();
        assert!((r.end - r.start).is_finite() && r.end > r.start);
        let r = value_range([1e300, 1e300], 0.05).unwrap();
        assert!(r.end > r.start);
        assert!(value_range([f64::NAN, f64::INFINITY], 0.05).is_none());
    }

    #[test]
    fn numbers_and_runs() {
        let f = num_format(&(0.0..1.0));
        assert_eq!(f(&0.5), "0.5");
        assert_eq!(f(&-0.0), "0.0");
        let f = num_format(&(0.0..2e12));
        assert_eq!(f(&1e12), "1.00e12");
        let r = runs(
            &[1, 2, 3, 4, 5],
            [Some(1.0), None, Some(2.0), Some(f64::NAN), Some(3.0)],
        );
        assert_eq!(r, vec![vec![(1, 1.0)], vec![(3, 2.0)], vec![(5, 3.0)]]);
    }
}
