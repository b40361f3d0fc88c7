//! Putting two price series on one calendar ([`align`]; with more series, [`align_with`]):
//! the dates both have, or each week's (ending Friday) or month's last price, with the
//! returns between kept dates.

use chrono::{Datelike, Days};
use serde::{Deserialize, Serialize};

use crate::{returns, Calendar, CoreError, Date, PriceSeries, Result, ReturnKind};

/// How two series are put on one calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Align {
    /// Keep the dates present in both series (default).
    #[default]
    #[cfg_attr(feature = "clap", value(help = "Dates present in both series"))]
    Inner,
    /// One observation per week ending Friday, for weeks present in both series.
    #[cfg_attr(
        feature = "clap",
        value(help = "Last observation of each week ending Friday, weeks present in both")
    )]
    Weekly,
    /// One observation per calendar month, for months present in both series.
    #[cfg_attr(
        feature = "clap",
        value(help = "Last observation of each calendar month, months present in both")
    )]
    Monthly,
}

impl Align {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Align::Inner => "inner",
            Align::Weekly => "weekly",
            Align::Monthly => "monthly",
        }
    }
}

/// Two price series on one calendar, with their returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aligned {
    /// The alignment used.
    pub align: Align,
    /// The kept dates (for weekly and monthly: the period's label date, see [`align`]).
    pub dates: Vec<Date>,
    /// Prices of A on the kept dates.
    pub a: Vec<f64>,
    /// Prices of B on the kept dates.
    pub b: Vec<f64>,
    /// Return kind of `ret_a` / `ret_b`.
    pub return_kind: ReturnKind,
    /// Returns of A: `ret_a[i]` is the return from `dates[i]` to `dates[i+1]` (length `n - 1`).
    pub ret_a: Vec<f64>,
    /// Returns of B, as `ret_a`.
    pub ret_b: Vec<f64>,
    /// Return periods per year on this calendar: 365 (inner, both legs trade every day), 252
    /// (inner, at least one leg trades on exchange days only), 52 (weekly) or 12 (monthly).
    pub periods_per_year: f64,
}

impl Aligned {
    /// Number of kept dates.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when no date was kept.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

/// The Friday that ends the (Saturday..Friday] week containing `d` (pandas `W-FRI`).
fn week_ending_friday(d: Date) -> Date {
    let from_monday = d.weekday().num_days_from_monday(); // Mon = 0 .. Sun = 6
    let ahead = (4 + 7 - from_monday) % 7;
    d + Days::new(u64::from(ahead))
}

/// The last calendar day of the month of `d`.
fn month_end(d: Date) -> Date {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    Date::from_ymd_opt(y, m, 1).expect("valid first of month") - Days::new(1)
}

/// Last observation of each period: `(label, price)` in date order.
fn last_per_period(s: &PriceSeries, label: fn(Date) -> Date) -> Vec<(Date, f64)> {
    let mut out: Vec<(Date, f64)> = Vec::new();
    for (d, p) in s.dates.iter().zip(&s.price) {
        let key = label(*d);
        match out.last_mut() {
            Some(last) if last.0 == key => last.1 = *p,
            _ => out.push((key, *p)),
        }
    }
    out
}

/// Index of the last of the ascending `dates` on or before `d` (`None` when all are after it):
/// the observation known on `d` without looking ahead.
pub fn last_on_or_before(dates: &[Date], d: Date) -> Option<usize> {
    dates.partition_point(|x| *x <= d).checked_sub(1)
}

/// The dates two series have in common (inner join, no filling) with each one's price on
/// them: `(dates, price_a, price_b)`. No checks: prices are returned as stored.
pub fn common_dates(a: &PriceSeries, b: &PriceSeries) -> (Vec<Date>, Vec<f64>, Vec<f64>) {
    let pairs = |s: &PriceSeries| -> Vec<(Date, f64)> {
        s.dates
            .iter()
            .copied()
            .zip(s.price.iter().copied())
            .collect()
    };
    inner_join(&pairs(a), &pairs(b))
}

/// Inner join of two date-sorted `(date, price)` lists.
fn inner_join(a: &[(Date, f64)], b: &[(Date, f64)]) -> (Vec<Date>, Vec<f64>, Vec<f64>) {
    let (mut i, mut j) = (0, 0);
    let (mut dates, mut pa, mut pb) = (Vec::new(), Vec::new(), Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dates.push(a[i].0);
                pa.push(a[i].1);
                pb.push(b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    (dates, pa, pb)
}

/// Put two price series on one calendar and compute their returns.
///
/// * [`Align::Inner`]: keep the dates present in both series. Returns run between consecutive
///   kept dates, so when a crypto leg (trading every day) is aligned with an equity leg (exchange
///   days), the crypto move of Saturday and Sunday lands in Monday's return, the same span as the
///   equity's Friday-to-Monday return.
/// * [`Align::Weekly`]: each series' last observation in each week ending Friday (the
///   `(Saturday, Friday]` week of pandas `W-FRI`), for weeks in which both series have an
///   observation; the kept date is the week's Friday. A crypto leg contributes its Friday close,
///   not Sunday's, so both legs end the week at the same point.
/// * [`Align::Monthly`]: each series' last observation in each calendar month present in both;
///   the kept date is the month's last calendar day.
///
/// **Asynchrony.** Daily crypto bars are UTC days: the close of a bar dated D is the price at
///   24:00 UTC, which is 19:00 or 20:00 New York time. A US equity close dated D is at 16:00 New
///   York time. So on an inner-aligned date the two "closes" are 3 to 4 hours apart, and news in
///   that gap shows up in the crypto return of D but the equity return of D+1. This biases the
///   same-day correlation slightly down and can show up as a one-day lead of the equity leg in
///   lead-lag analysis; weekly and monthly alignment make the gap negligible.
///
/// Errors: fewer than 2 kept dates ([`CoreError::TooFewAligned`]), or a kept price that is not
/// positive ([`CoreError::NonPositive`]), since returns need positive prices.
pub fn align(a: &PriceSeries, b: &PriceSeries, mode: Align, kind: ReturnKind) -> Result<Aligned> {
    align_with(a, b, &[], mode, kind).map(|(al, _)| al)
}

/// The observations of a series that an alignment mode keeps: every `(date, price)` for
/// [`Align::Inner`], each period's last (labelled by the period) for the others.
fn observations(s: &PriceSeries, mode: Align) -> Vec<(Date, f64)> {
    match mode {
        Align::Inner => s
            .dates
            .iter()
            .copied()
            .zip(s.price.iter().copied())
            .collect(),
        Align::Weekly => last_per_period(s, week_ending_friday),
        Align::Monthly => last_per_period(s, month_end),
    }
}

/// [`align`] of the pair `(a, b)` together with more series (the controls of a partial
/// correlation, the candidates of a comparison): the kept dates are those where **every**
/// series has an observation (for [`Align::Inner`] the dates all of them have; for weekly and
/// monthly the periods all of them have, each series contributing its period's last price),
/// so the pair's returns and the others' run over the same spans. Returns the pair aligned
/// on those dates and, for each of `others` in order, its prices on them (take its returns
/// with [`returns`]). With no other series this is [`align`].
///
/// Errors: fewer than 2 kept dates ([`CoreError::TooFewAligned`], naming the pair, or the
/// pair and the first other series when they are what leaves too few), or a kept price that
/// is not positive ([`CoreError::NonPositive`], naming its series).
pub fn align_with(
    a: &PriceSeries,
    b: &PriceSeries,
    others: &[&PriceSeries],
    mode: Align,
    kind: ReturnKind,
) -> Result<(Aligned, Vec<Vec<f64>>)> {
    let (mut dates, mut pa, mut pb) = inner_join(&observations(a, mode), &observations(b, mode));
    let mut po: Vec<Vec<f64>> = Vec::with_capacity(others.len());
    for (k, o) in others.iter().enumerate() {
        let obs = observations(o, mode);
        // Keep the dates of the pair that this series has too, in every column so far.
        let (mut i, mut j) = (0, 0);
        let mut keep = Vec::with_capacity(dates.len());
        let mut col = Vec::with_capacity(dates.len());
        while i < dates.len() && j < obs.len() {
            match dates[i].cmp(&obs[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    keep.push(i);
                    col.push(obs[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        if keep.len() < 2 && dates.len() >= 2 {
            return Err(CoreError::TooFewAligned {
                a: format!("{} and {}", a.name, b.name),
                b: others[k].name.clone(),
                align: mode.name().into(),
                got: keep.len(),
                need: 2,
            });
        }
        pa = pick(&pa);
        pb = pick(&pb);
        for c in po.iter_mut() {
            *c = pick(c);
        }
        dates = keep.iter().map(|&i| dates[i]).collect();
        po.push(col);
    }
    if dates.len() < 2 {
        return Err(CoreError::TooFewAligned {
            a: a.name.clone(),
            b: b.name.clone(),
            align: mode.name().into(),
            got: dates.len(),
            need: 2,
        });
    }
    for (s, prices) in [(a, &pa), (b, &pb)]
        .into_iter()
        .chain(others.iter().copied().zip(po.iter()))
    {
        if let Some(i) = prices.iter().position(|p| !(*p > 0.0)) {
            return Err(CoreError::NonPositive {
                name: s.name.clone(),
                date: dates[i],
                value: prices[i],
            });
        }
    }
    let periods_per_year = match mode {
        Align::Inner => Calendar::infer(&dates).periods_per_year(),
        Align::Weekly => 52.0,
        Align::Monthly => 12.0,
    };
    let al = Aligned {
        align: mode,
        ret_a: returns(&pa, kind),
        ret_b: returns(&pb, kind),
        dates,
        a: pa,
        b: pb,
        return_kind: kind,
        periods_per_year,
    };
    Ok((al, po))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn series(name: &str, start: &str, days: u64, weekdays_only: bool) -> PriceSeries {
        let mut dates = Vec::new();
        let mut price = Vec::new();
        for i in 0..days {
            let day = d(start) + Days::new(i);
            if weekdays_only && day.weekday().num_days_from_monday() >= 5 {
                continue;
            }
            dates.push(day);
            price.push(100.0 + i as f64);
        }
        PriceSeries::new(name, dates, price).unwrap()
    }

    #[test]
    fn inner_puts_weekend_crypto_move_into_monday() {
        // 2024-01-05 is a Friday, 2024-01-08 a Monday.
        let crypto = series("eth", "2024-01-01", 14, false);
        let equity = series("iwm", "2024-01-01", 14, true);
        let al = align(&crypto, &equity, Align::Inner, ReturnKind::Simple).unwrap();
        let fri = al.dates.iter().position(|x| *x == d("2024-01-05")).unwrap();
        assert_eq!(al.dates[fri + 1], d("2024-01-08"));
        // Crypto Friday 104 -> Monday 107.
        assert!((al.ret_a[fri] - (107.0 / 104.0 - 1.0)).abs() < 1e-15);
        assert_eq!(al.periods_per_year, 252.0);
        let both = align(&crypto, &crypto, Align::Inner, ReturnKind::Log).unwrap();
        assert_eq!(both.periods_per_year, 365.0);
    }

    #[test]
    fn weekly_uses_friday_close_of_crypto() {
        let crypto = series("eth", "2024-01-01", 21, false);
        let equity = series("iwm", "2024-01-01", 21, true);
        let al = align(&crypto, &equity, Align::Weekly, ReturnKind::Simple).unwrap();
        assert_eq!(
            al.dates,
            vec![d("2024-01-05"), d("2024-01-12"), d("2024-01-19")]
        );
        assert_eq!(al.a, vec![104.0, 111.0, 118.0]);
        assert_eq!(al.b, vec![104.0, 111.0, 118.0]);
        assert_eq!(al.periods_per_year, 52.0);
        assert_eq!(week_ending_friday(d("2024-01-06")), d("2024-01-12")); // Saturday
        assert_eq!(week_ending_friday(d("2024-01-05")), d("2024-01-05")); // Friday
    }

    #[test]
    fn monthly_labels_month_end() {
        let crypto = series("eth", "2024-01-01", 70, false);
        let al = align(&crypto, &crypto, Align::Monthly, ReturnKind::Log).unwrap();
        assert_eq!(
            al.dates,
            vec![d("2024-01-31"), d("2024-02-29"), d("2024-03-31")]
        );
        assert_eq!(al.a[1], 100.0 + 59.0);
        assert_eq!(month_end(d("2023-12-15")), d("2023-12-31"));
    }

    #[test]
    fn errors() {
        let a = series("a", "2024-01-01", 3, false);
        let b = series("b", "2025-01-01", 3, false);
        assert!(matches!(
            align(&a, &b, Align::Inner, ReturnKind::Log),
            Err(CoreError::TooFewAligned { got: 0, .. })
        ));
        let z = PriceSeries::new("z", a.dates.clone(), vec![1.0, 0.0, 2.0]).unwrap();
        assert!(matches!(
            align(&z, &a, Align::Inner, ReturnKind::Log),
            Err(CoreError::NonPositive { .. })
        ));
    }

    #[test]
    fn align_with_keeps_the_dates_every_series_has() {
        let crypto = series("eth", "2024-01-01", 21, false);
        let equity = series("rut", "2024-01-01", 21, true);
        // A control missing 2024-01-10 (a Wednesday).
        let mut spy = series("spy", "2024-01-01", 21, true);
        let gone = spy
            .dates
            .iter()
            .position(|x| *x == d("2024-01-10"))
            .unwrap();
        spy.dates.remove(gone);
        spy.price.remove(gone);
        let (al, others) =
            align_with(&crypto, &equity, &[&spy], Align::Inner, ReturnKind::Log).unwrap();
        let pair = align(&crypto, &equity, Align::Inner, ReturnKind::Log).unwrap();
        assert_eq!(al.dates.len() + 1, pair.dates.len());
        assert!(!al.dates.contains(&d("2024-01-10")));
        assert_eq!(others.len(), 1);
        assert_eq!(others[0].len(), al.dates.len());
        for (i, day) in al.dates.iter().enumerate() {
            assert_eq!(Some(others[0][i]), spy.price_on(*day));
            assert_eq!(Some(al.a[i]), crypto.price_on(*day));
        }
        // The return into 2024-01-11 spans two days for every series.
        let k = al.dates.iter().position(|x| *x == d("2024-01-11")).unwrap();
        assert_eq!(al.dates[k - 1], d("2024-01-09"));
        // No other series: the pair's alignment.
        let (same, none) =
            align_with(&crypto, &equity, &[], Align::Weekly, ReturnKind::Log).unwrap();
        assert_eq!(
            same,
            align(&crypto, &equity, Align::Weekly, ReturnKind::Log).unwrap()
        );
        assert!(none.is_empty());
        // A control with no common date is named.
        let later = series("later", "2025-01-01", 10, false);
        match align_with(&crypto, &equity, &[&later], Align::Inner, ReturnKind::Log) {
            Err(CoreError::TooFewAligned { b, got: 0, .. }) => assert_eq!(b, "later"),
            other => panic!("{other:?}"),
        }
        // A non-positive control price is named.
        let mut bad = spy.clone();
        bad.price[3] = 0.0;
        match align_with(&crypto, &equity, &[&bad], Align::Inner, ReturnKind::Log) {
            Err(CoreError::NonPositive { name, .. }) => assert_eq!(name, "spy"),
            other => panic!("{other:?}"),
        }
    }
}
