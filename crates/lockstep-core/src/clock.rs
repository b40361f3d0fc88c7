//! Measuring two markets on the same clock.
//!
//! A crypto "daily close" is the price at 00:00 UTC; a US equity close is 16:00 New York
//! (20:00 or 21:00 UTC). Daily returns of the two are then taken 3 to 4 hours apart, which
//! understates their same-day correlation and makes a spurious one-day lead appear. This
//! module builds series on a common clock from intraday bars:
//!
//! * [`exchange_daily`]: an exchange leg's daily closes from its intraday bars: on each NYSE
//!   session, the close of its last regular-session bar, only when that bar ends at the
//!   session's close (09:30–16:00 New York, 13:00 on early-close days). A session whose bars
//!   stop early gives no close for that date and is counted; bars outside the regular
//!   session (extended hours) are never used, and counted.
//! * [`utc_daily`]: an every-day leg's daily closes on the UTC clock: on each UTC day, the
//!   close of the bar that ends at the next 00:00 UTC (a day without it gives no close).
//! * [`daily_from_intraday`]: a leg given only as intraday bars gets one of the two, by
//!   [`trades_every_day`] (weekend bars present: every day).
//! * [`sample_at_closes`]: the synchronous clock (`--clock exchange`): an every-day leg's
//!   price on each exchange date is the close of its bar ending exactly at that date's session
//!   close. A date without such a bar is left out and counted, never filled with another
//!   price.
//! * [`IntradayPair::new`]: two legs on the exchange leg's intraday grid: the exchange leg's
//!   regular-session bars, and the every-day leg sampled at each of their ends; returns only
//!   between consecutive bars of the same session (the overnight and weekend gap is not a
//!   return), each return tagged with its session.
//!
//! Bars are labelled by their open time; a bar's close is the price at `start + interval`.

use std::collections::BTreeMap;

use crate::intraday::{nyse_session, ExchangeSession, IntradaySeries, Timestamp};
use crate::{new_york_date, CoreError, Date, Interval, PriceField, PriceSeries, Result};

/// Daily closes derived from intraday bars, with what could not be used.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivedDaily {
    /// The daily series (dated by the exchange date or the UTC day).
    pub series: PriceSeries,
    /// Dates with bars but no close (bars stop before the close: a download gap, a half day
    /// missing its last bars, or the latest session still trading).
    pub incomplete: Vec<Date>,
    /// Bars outside the regular session (extended hours), not used.
    pub outside_session: usize,
}

/// The regular NYSE sessions whose dates lie in `[first, last]`.
fn sessions_between(first: Date, last: Date) -> Vec<ExchangeSession> {
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        if let Some(s) = nyse_session(d) {
            out.push(s);
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

fn daily(name: &str, source: &str, dates: Vec<Date>, price: Vec<f64>) -> PriceSeries {
    PriceSeries {
        name: name.to_string(),
        source: source.to_string(),
        format: "intraday".into(),
        price_field: PriceField::Close,
        dates,
        price,
        open: None,
        high: None,
        low: None,
        volume: None,
    }
}

/// The session of each bar of `s` (its index in `sessions`), or `None` outside every
/// regular session. `sessions` are sorted.
fn session_of(s: &IntradaySeries, sessions: &[ExchangeSession]) -> Vec<Option<usize>> {
    let mut k = 0;
    s.start
        .iter()
        .map(|&t| {
            while k < sessions.len() && sessions[k].close <= t {
                k += 1;
            }
            (k < sessions.len() && sessions[k].contains(t)).then_some(k)
        })
        .collect()
}

/// Whether intraday bars are those of a market that trades every day (crypto) rather than on
/// an exchange calendar: at least 5% of the bars start on a Saturday or a Sunday of New York
/// standard time (UTC−5), the threshold of [`crate::Calendar::infer`] for daily dates.
/// Every-day bars have about 2 in 7 there; an exchange's bars, extended hours included
/// (04:00–20:00 New York), have none, whatever daylight saving does to their UTC times.
pub fn trades_every_day(s: &IntradaySeries) -> bool {
    use chrono::Datelike;
    let ny_standard = chrono::Duration::hours(5);
    let weekend = s
        .start
        .iter()
        .filter(|&&t| (t - ny_standard).weekday().number_from_monday() >= 6)
        .count();
    !s.is_empty() && weekend * 20 >= s.len()
}

/// The daily series of a leg given only as intraday bars: [`utc_daily`] for an every-day
/// leg, [`exchange_daily`] for an exchange leg (which one: [`trades_every_day`], unless the
/// caller knows).
pub fn daily_from_intraday(s: &IntradaySeries, every_day: bool) -> Result<DerivedDaily> {
    if every_day {
        Ok(utc_daily(s))
    } else {
        exchange_daily(s)
    }
}

/// An exchange leg's daily closes from its intraday bars (see the module docs).
pub fn exchange_daily(s: &IntradaySeries) -> Result<DerivedDaily> {
    let (Some(&first), Some(&last)) = (s.start.first(), s.start.last()) else {
        return Err(CoreError::NoSessionBars {
            name: s.name.clone(),
        });
    };
    let sessions = sessions_between(new_york_date(first), new_york_date(last));
    let of = session_of(s, &sessions);
    let outside_session = of.iter().filter(|k| k.is_none()).count();
    // The last regular-session bar of each session.
    let mut last_bar: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, k) in of.iter().enumerate() {
        if let Some(k) = k {
            last_bar.insert(*k, i);
        }
    }
    let (mut dates, mut price, mut incomplete) = (Vec::new(), Vec::new(), Vec::new());
    for (k, i) in last_bar {
        let sess = &sessions[k];
        // The bar that ends at the close (a short last bar, such as Yahoo's 15:30 hourly bar
        // covering 30 minutes, ends at the close too: it starts a full interval or less
        // before it).
        if s.end(i) >= sess.close && s.start[i] < sess.close {
            dates.push(sess.date);
            price.push(s.close[i]);
        } else {
            incomplete.push(sess.date);
        }
    }
    Ok(DerivedDaily {
        series: daily(&s.name, &s.source, dates, price),
        incomplete,
        outside_session,
    })
}

/// An every-day leg's daily closes on the UTC clock (see the module docs).
pub fn utc_daily(s: &IntradaySeries) -> DerivedDaily {
    let d = s.interval.duration();
    let (mut dates, mut price) = (Vec::new(), Vec::new());
    let mut incomplete: Vec<Date> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let day = s.start[i].date_naive();
        let mut j = i;
        while j + 1 < s.len() && s.start[j + 1].date_naive() == day {
            j += 1;
        }
        let end = s.start[j] + d;
        if end.date_naive() != day && end.time() == chrono::NaiveTime::MIN {
            dates.push(day);
            price.push(s.close[j]);
        } else {
            incomplete.push(day);
        }
        i = j + 1;
    }
    DerivedDaily {
        series: daily(&s.name, &s.source, dates, price),
        incomplete,
        outside_session: 0,
    }
}

/// The synchronous daily series of an every-day leg: its price on each of `dates` (exchange
/// dates) is the close of its bar ending exactly at that date's NYSE session close; the
/// dates without such a bar (or that are not NYSE sessions) are returned apart.
pub fn sample_at_closes(s: &IntradaySeries, dates: &[Date]) -> (PriceSeries, Vec<Date>) {
    let (mut out_d, mut out_p, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for &date in dates {
        let hit = nyse_session(date).and_then(|sess| {
            s.last_ending_by(sess.close)
                .filter(|&i| s.end(i) == sess.close)
        });
        match hit {
            Some(i) => {
                out_d.push(date);
                out_p.push(s.close[i]);
            }
            None => missing.push(date),
        }
    }
    (daily(&s.name, &s.source, out_d, out_p), missing)
}

/// Two legs on the exchange leg's intraday grid (see the module docs and
/// [`IntradayPair::new`]).
#[derive(Clone, Debug, PartialEq)]
pub struct IntradayPair {
    /// The interval of the grid (the exchange leg's bars).
    pub interval: Interval,
    /// End time of each grid bar (the time its prices are taken at).
    pub time: Vec<Timestamp>,
    /// Session (NYSE date) of each grid bar.
    pub session: Vec<Date>,
    /// Log return of A from the previous grid bar of the same session (NaN on a session's
    /// first bar).
    pub ret_a: Vec<f64>,
    /// Log return of B, likewise.
    pub ret_b: Vec<f64>,
    /// Exchange-leg bars outside the regular session (not used).
    pub outside_session: usize,
    /// Grid bars inside the every-day leg's span where it had no bar ending at that time
    /// (left out).
    pub unmatched: usize,
}

impl IntradayPair {
    /// The grid: `exchange`'s bars in regular NYSE sessions, labelled by their end; the
    /// every-day leg `every_day` sampled at each end (the close of its bar ending exactly
    /// then). `a_is_exchange` says which leg is A. A grid bar without a sample is left out
    /// (counted), so the next bar of that session has no return either.
    ///
    /// Errors: most grid bars cannot be sampled because the every-day leg's bars do not end
    /// on the exchange leg's grid (hourly bars on :00 against equity hours on :30, or hourly
    /// bars against 5-minute ones): the message says which interval to use instead.
    pub fn new(
        exchange: &IntradaySeries,
        every_day: &IntradaySeries,
        a_is_exchange: bool,
    ) -> Result<IntradayPair> {
        let (Some(&first), Some(&last)) = (exchange.start.first(), exchange.start.last()) else {
            return Err(CoreError::NoSessionBars {
                name: exchange.name.clone(),
            });
        };
        let sessions = sessions_between(new_york_date(first), new_york_date(last));
        let of = session_of(exchange, &sessions);
        let outside_session = of.iter().filter(|k| k.is_none()).count();
        let mut time = Vec::new();
        let mut session = Vec::new();
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        let mut unmatched = 0;
        // Only grid times inside the every-day leg's span count as unmatched.
        let span = match (every_day.start.first(), every_day.len()) {
            (Some(&f), n) if n > 0 => {
                Some((f + every_day.interval.duration(), every_day.end(n - 1)))
            }
            _ => None,
        };
        for (i, k) in of.iter().enumerate() {
            let Some(k) = k else { continue };
            let sess = &sessions[*k];
            // A short last bar ends at the close.
            let end = exchange.end(i).min(sess.close);
            let hit = every_day
                .last_ending_by(end)
                .filter(|&j| every_day.end(j) == end);
            match hit {
                Some(j) => {
                    time.push(end);
                    session.push(sess.date);
                    let (x, y) = (exchange.close[i], every_day.close[j]);
                    if a_is_exchange {
                        pa.push(x);
                        pb.push(y);
                    } else {
                        pa.push(y);
                        pb.push(x);
                    }
                }
                None => {
                    if span.is_some_and(|(f, l)| end >= f && end <= l) {
                        unmatched += 1;
                    }
                }
            }
        }
        if unmatched > time.len() {
            return Err(CoreError::GridMismatch {
                exchange: exchange.name.clone(),
                interval: exchange.interval,
                every_day: every_day.name.clone(),
                every_day_interval: every_day.interval,
            });
        }
        let n = time.len();
        let (mut ret_a, mut ret_b) = (vec![f64::NAN; n], vec![f64::NAN; n]);
        for t in 1..n {
            // Consecutive grid bars of one session, with no bar left out between them.
            let step = time[t] - time[t - 1];
            if session[t] == session[t - 1] && step <= exchange.interval.duration() {
                ret_a[t] = crate::returns::log_return(pa[t - 1], pa[t]);
                ret_b[t] = crate::returns::log_return(pb[t - 1], pb[t]);
            }
        }
        Ok(IntradayPair {
            interval: exchange.interval,
            time,
            session,
            ret_a,
            ret_b,
            outside_session,
            unmatched,
        })
    }

    /// Indices of the bars with a return (both legs finite), in time order.
    pub fn returns_index(&self) -> Vec<usize> {
        (0..self.time.len())
            .filter(|&i| self.ret_a[i].is_finite() && self.ret_b[i].is_finite())
            .collect()
    }

    /// Number of sessions on the grid.
    pub fn sessions(&self) -> usize {
        let mut n = 0;
        for i in 0..self.session.len() {
            if i == 0 || self.session[i] != self.session[i - 1] {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Duration, TimeZone, Utc};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn bars(
        name: &str,
        iv: Interval,
        from: Timestamp,
        n: usize,
        f: impl Fn(usize) -> f64,
    ) -> IntradaySeries {
        let start: Vec<Timestamp> = (0..n).map(|k| from + iv.duration() * k as i32).collect();
        let close: Vec<f64> = (0..n).map(f).collect();
        IntradaySeries::new(name, iv, start, close).unwrap()
    }

    #[test]
    fn exchange_closes_need_the_last_bar_at_the_close() {
        // 2024-01-02 (EST): session 14:30-21:00 UTC; hourly bars from 14:30, the last one
        // 20:30-21:30 as a provider labels a short bar.
        let s = bars("IWM", Interval::H1, utc(2024, 1, 2, 13, 30), 8, |k| {
            100.0 + k as f64
        });
        let d = exchange_daily(&s).unwrap();
        assert_eq!(
            d.series.dates,
            vec![Date::from_ymd_opt(2024, 1, 2).unwrap()]
        );
        assert_eq!(d.series.price, vec![107.0]);
        assert_eq!(d.outside_session, 1, "the 13:30 pre-market bar");
        // Bars that stop at 15:00 New York: no close, counted.
        let s = bars("IWM", Interval::H1, utc(2024, 1, 2, 14, 30), 5, |k| {
            100.0 + k as f64
        });
        let d = exchange_daily(&s).unwrap();
        assert!(d.series.dates.is_empty());
        assert_eq!(d.incomplete, vec![Date::from_ymd_opt(2024, 1, 2).unwrap()]);
    }

    #[test]
    fn synchronous_samples_follow_dst_and_early_closes() {
        // Hourly every-day bars over a week in March 2024 (DST starts 2024-03-10).
        let s = bars("ETH", Interval::H1, utc(2024, 3, 7, 0, 0), 24 * 8, |k| {
            1000.0 + k as f64
        });
        let dates: Vec<Date> = (7..=12)
            .map(|d| Date::from_ymd_opt(2024, 3, d).unwrap())
            .collect();
        let (p, missing) = sample_at_closes(&s, &dates);
        // Thursday 7th: close 21:00 UTC = bar 20:00 (index 20); Monday 11th: 20:00 UTC.
        assert_eq!(p.price[0], 1000.0 + 20.0);
        let mon = p
            .dates
            .iter()
            .position(|d| d.to_string() == "2024-03-11")
            .unwrap();
        assert_eq!(p.price[mon], 1000.0 + (4 * 24 + 19) as f64);
        assert_eq!(missing.len(), 2, "the weekend: {missing:?}");
        // Day after Thanksgiving 2024: close 13:00 EST = 18:00 UTC.
        let s = bars("ETH", Interval::H1, utc(2024, 11, 29, 0, 0), 24, |k| {
            k as f64 + 1.0
        });
        let (p, _) = sample_at_closes(&s, &[Date::from_ymd_opt(2024, 11, 29).unwrap()]);
        assert_eq!(p.price, vec![18.0]);
        // Data that stops at 15:00 New York: missing, not filled.
        let s = bars("ETH", Interval::H1, utc(2024, 1, 2, 0, 0), 20, |k| {
            k as f64 + 1.0
        });
        let (p, missing) = sample_at_closes(&s, &[Date::from_ymd_opt(2024, 1, 2).unwrap()]);
        assert!(p.dates.is_empty());
        assert_eq!(missing.len(), 1);
    }

    #[test]
    fn weekend_bars_make_an_every_day_leg() {
        let crypto = bars("ETH", Interval::H1, utc(2024, 1, 1, 0, 0), 24 * 14, |k| {
            k as f64 + 1.0
        });
        assert!(trades_every_day(&crypto));
        // Equity hours with extended hours to 20:00 New York: Friday 19:00 EST is 00:00 UTC
        // Saturday, still a Friday in New York.
        let mut start = Vec::new();
        for day in 1..=26 {
            let d = Date::from_ymd_opt(2024, 1, day).unwrap();
            if nyse_session(d).is_none() {
                continue;
            }
            for h in 9..=24 {
                start.push(d.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::hours(h));
            }
        }
        let n = start.len();
        let eq = IntradaySeries::new("IWM", Interval::H1, start, vec![1.0; n]).unwrap();
        assert!(eq.start.iter().any(|t| t.weekday() == chrono::Weekday::Sat));
        assert!(!trades_every_day(&eq));
        let d = daily_from_intraday(&crypto, true).unwrap();
        assert_eq!(d.series.len(), 14);
        assert!(!trades_every_day(
            &IntradaySeries::new("X", Interval::H1, vec![], vec![]).unwrap()
        ));
    }

    #[test]
    fn utc_closes_need_the_bar_ending_at_midnight() {
        let s = bars("ETH", Interval::H1, utc(2024, 1, 1, 0, 0), 24 + 5, |k| {
            k as f64 + 1.0
        });
        let d = utc_daily(&s);
        assert_eq!(d.series.price, vec![24.0]);
        assert_eq!(d.incomplete.len(), 1);
    }

    #[test]
    fn intraday_grid_returns_stay_inside_sessions() {
        // Two sessions of 5m equity bars (09:30-16:00 EST = 14:30-21:00 UTC, 78 bars) and
        // 5m crypto bars around the clock.
        let day1 = utc(2024, 1, 2, 14, 30);
        let day2 = utc(2024, 1, 3, 14, 30);
        let mut start: Vec<Timestamp> = (0..78).map(|k| day1 + Duration::minutes(5 * k)).collect();
        start.extend((0..78).map(|k| day2 + Duration::minutes(5 * k)));
        let close: Vec<f64> = (0..156)
            .map(|k| 100.0 * (1.0 + 0.001 * (k % 7) as f64))
            .collect();
        let eq = IntradaySeries::new("IWM", Interval::M5, start, close).unwrap();
        let cr = bars("ETH", Interval::M5, utc(2024, 1, 2, 0, 0), 12 * 48, |k| {
            1000.0 * (1.0 + 0.002 * (k % 5) as f64)
        });
        let p = IntradayPair::new(&eq, &cr, false).unwrap();
        assert_eq!(p.time.len(), 156);
        assert_eq!(p.sessions(), 2);
        assert!(
            p.ret_a[0].is_nan() && p.ret_a[78].is_nan(),
            "first bar of each session"
        );
        assert_eq!(p.returns_index().len(), 154);
        // The every-day leg is A here: its return at bar 1 is between the ends of bars 0, 1.
        let i0 = cr.last_ending_by(p.time[0]).unwrap();
        let want = (cr.close[i0 + 1] / cr.close[i0]).ln();
        assert!((p.ret_a[1] - want).abs() < 1e-15);
        // Hourly crypto bars (ending on :00) cannot be sampled at 5m bar ends on :05.
        let hourly = bars("ETH", Interval::H1, utc(2024, 1, 2, 0, 0), 48, |k| {
            k as f64 + 1.0
        });
        let e = IntradayPair::new(&eq, &hourly, false).unwrap_err();
        assert!(e.to_string().contains("5m"), "{e}");
    }
}
