//! The clock end to end on constructed intraday files (written to a temporary folder with
//! `lockstep_testkit::intraday`), through `lockstep analyze` with both legs given only as
//! intraday bars:
//! * a 24/7 hourly series that copies the exchange leg's prices one hour late: best lag +1
//!   bar within sessions, and no daily lead on the exchange clock;
//! * the synchronous sample at the right instant across the March and November daylight-saving
//!   changes and on the early closes (13:00 New York), with the exchange leg's timestamps
//!   written as naive New York times (`--tz America/New_York`);
//! * a date whose every-day bars stop at 15:00 New York is counted as missing on the exchange
//!   clock, never filled; an exchange session whose bars stop at 15:00 has no daily close and
//!   is counted in a warning.
//!
//! The core unit tests (`lockstep_core::clock`) cover the same rules on in-memory bars:
//! `sample_at_closes` across the March change, on the day after Thanksgiving and for data
//! stopping at 15:00; `exchange_daily` with a short last bar and with bars stopping early;
//! `IntradayPair` returns within sessions and the grid mismatch.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{lockstep, s, Dir};
use lockstep_testkit::fixtures::{date, Lcg};
use lockstep_testkit::intraday::{csv_naive, csv_utc, every_hour, new_york, nyse_2024};
use serde_json::Value;

/// The start of the constructed hourly clock.
fn origin() -> DateTime<Utc> {
    new_york(date("2024-01-01"), 0, 0) - Duration::hours(5)
}

/// The exchange leg's hourly bars in 2024: bars starting 10:00, 11:00, .. New York, the last
/// one ending at the close (16:00, or 13:00 on early closes), except on `stop_early`, whose
/// bars stop at 15:00; `price(t)` is the close of the bar ending at `t`.
fn exchange_bars(
    price: impl Fn(DateTime<Utc>) -> f64,
    stop_early: Option<&str>,
) -> Vec<(DateTime<Utc>, f64)> {
    let mut out = Vec::new();
    for day in nyse_2024() {
        let last = if stop_early == Some(day.date.to_string().as_str()) {
            15
        } else {
            day.close_hour
        };
        for h in 10..last {
            let start = new_york(day.date, h, 0);
            out.push((start, price(start + Duration::hours(1))));
        }
    }
    out
}

/// Hourly bars around the clock from 2024-01-01 00:00 UTC to 2025-01-01 00:00 UTC.
fn every_day_bars(mut price: impl FnMut(DateTime<Utc>) -> f64) -> Vec<(DateTime<Utc>, f64)> {
    let from = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    every_hour(from, 366 * 24)
        .into_iter()
        .map(|t| (t, price(t + Duration::hours(1))))
        .collect()
}

fn analyze_json(args: &[&str]) -> (Value, String) {
    let out = lockstep()
        .arg("analyze")
        .args(args)
        .args(["--no-rate", "--no-liquidity", "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    (serde_json::from_slice(&out.stdout).unwrap(), err)
}

#[test]
fn an_hour_late_copy_leads_by_one_bar_and_has_no_daily_lead() {
    // A random walk of log prices, one step an hour.
    let mut rng = Lcg::new(16);
    let steps: Vec<f64> = (0..400 * 24).map(|_| 0.004 * rng.normal()).collect();
    let level = |t: DateTime<Utc>| -> f64 {
        let k = (t - origin()).num_hours();
        assert!(k >= 0, "{t}");
        (4.6 + steps[..k as usize].iter().sum::<f64>()).exp()
    };
    let dir = Dir::new();
    let eq = dir.file("EQ.1h.csv", &csv_utc(&exchange_bars(level, None)));
    // The copy, with a little noise of its own (an exact copy leaves the Granger regression
    // no residual).
    let mut noise = Lcg::new(61);
    let late = every_day_bars(|t| level(t - Duration::hours(1)) * (0.0004 * noise.normal()).exp());
    let cr = dir.file("CRY.1h.csv", &csv_utc(&late));
    let (v, err) = analyze_json(&[s(&cr), s(&eq), "--interval", "1h"]);
    assert!(!err.contains("error"), "{err}");
    // Within sessions: CRY's return of the bar ending at t is EQ's of the bar ending at t-1.
    let sec = &v["intraday"];
    assert_eq!(sec["interval"], "1h");
    assert_eq!(sec["sessions"], 252);
    let best = sec["ccf"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|x, y| x["corr"].as_f64().partial_cmp(&y["corr"].as_f64()).unwrap())
        .unwrap();
    assert_eq!(best["lag"], 1, "{}", sec["ccf"]);
    assert!(best["corr"].as_f64().unwrap() > 0.98, "{best}");
    let p_b_to_a = |d: &Value| {
        let lag = d["bic_lag"].as_u64().unwrap() as usize;
        d["tests"][lag - 1]["p"].as_f64().unwrap()
    };
    assert!(p_b_to_a(&sec["b_to_a"]) < 1e-10, "{}", sec["b_to_a"]);
    // Daily, on the UTC clock CRY's close (00:00 UTC) is 3 to 4 hours after EQ's, hours
    // that EQ's next return holds: CRY appears to lead EQ by a day. On the exchange clock
    // CRY's price at 16:00 is EQ's at 15:00: they move together the same day and that lead
    // is gone. (EQ's last hour of a session does reach CRY's next daily return, a real lead of
    // one hour in a day or more, too small to test for here.)
    let c = &v["clocks"];
    assert_eq!(c["main"], "utc");
    assert_eq!(c["missing_dates"], 0);
    assert!(c["utc"]["a_to_b"][1].as_f64().unwrap() < 0.01, "{c}");
    assert_eq!(c["exchange"]["best_lag"], 0, "{c}");
    assert!(c["exchange"]["a_to_b"][1].as_f64().unwrap() > 0.05, "{c}");
    let w30 = &c["windows"][0];
    assert!(w30["exchange"]["corr"].as_f64().unwrap() > 0.9, "{w30}");
    // The legs' daily series came from their bars: 366 UTC days and 252 sessions.
    assert_eq!(v["a"]["observations"], 366, "{}", v["a"]);
    assert_eq!(v["b"]["observations"], 252, "{}", v["b"]);
    // The report says so in words.
    let out = lockstep()
        .args(["analyze", s(&cr), s(&eq), "--no-rate", "--no-liquidity"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("The daily lead of CRY over EQ on the UTC clock (p = ")
            && words.contains("disappears on the exchange clock"),
        "{text}"
    );
}

#[test]
fn the_synchronous_sample_follows_daylight_saving_and_early_closes() {
    // The every-day leg's close encodes the instant its bar ends (hours since the origin), so
    // each synchronous price says when it was taken.
    let hours = |t: DateTime<Utc>| (t - origin()).num_hours() as f64;
    let gap_day = date("2024-06-12");
    let mut cry = every_day_bars(|t| 1000.0 + hours(t));
    // A download gap: the bars from 15:00 to 19:00 New York on 2024-06-12.
    let (from, to) = (new_york(gap_day, 15, 0), new_york(gap_day, 19, 0));
    cry.retain(|(t, _)| *t < from || *t >= to);
    let dir = Dir::new();
    let cr = dir.file("CRY.1h.csv", &csv_utc(&cry));
    // The exchange leg in naive New York times; its bars stop at 15:00 on 2024-09-10.
    let eq = exchange_bars(|t| 50.0 + (hours(t) % 7.0), Some("2024-09-10"));
    let eq = dir.file("EQ.1h.csv", &csv_naive(&eq, chrono_tz::America::New_York));
    let (v, err) = analyze_json(&[
        s(&cr),
        s(&eq),
        "--tz",
        "America/New_York",
        "--clock",
        "exchange",
        "--window",
        "5",
    ]);
    assert!(
        err.contains("EQ.1h.csv: 1 session(s) whose bars stop before the session's close have no daily close (first 2024-09-10)"),
        "{err}"
    );
    let c = &v["clocks"];
    assert_eq!(c["main"], "exchange");
    assert_eq!(c["missing_dates"], 1, "2024-06-12 only: {c}");
    let dates: Vec<&str> = v["series"]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 252 - 2);
    assert!(!dates.contains(&"2024-06-12"), "missing, not filled");
    assert!(!dates.contains(&"2024-09-10"), "no exchange close");
    let taken_at = |d: &str| -> String {
        let i = dates.iter().position(|x| *x == d).unwrap();
        let price = v["series"]["price_a"][i].as_f64().unwrap();
        let t = origin() + Duration::hours((price - 1000.0).round() as i64);
        t.format("%Y-%m-%dT%H:%MZ").to_string()
    };
    for (d, at) in [
        // Standard time, then daylight saving from Sunday 10 March.
        ("2024-03-08", "2024-03-08T21:00Z"),
        ("2024-03-11", "2024-03-11T20:00Z"),
        // Daylight saving, then standard time from Sunday 3 November.
        ("2024-11-01", "2024-11-01T20:00Z"),
        ("2024-11-04", "2024-11-04T21:00Z"),
        // Early closes at 13:00 New York.
        ("2024-07-03", "2024-07-03T17:00Z"),
        ("2024-11-29", "2024-11-29T18:00Z"),
        ("2024-12-24", "2024-12-24T18:00Z"),
        // Around the gap, full days.
        ("2024-06-11", "2024-06-11T20:00Z"),
        ("2024-06-13", "2024-06-13T20:00Z"),
    ] {
        assert_eq!(taken_at(d), at, "{d}");
    }
}

#[test]
fn an_hourly_grid_on_the_hour_cannot_sample_half_hour_bars() {
    // Equity hours starting at :30 against crypto hours on :00: refused, naming the finer
    // bars to use, rather than sampled at the wrong instant.
    let dir = Dir::new();
    let days = &nyse_2024()[..30];
    let mut eq = Vec::new();
    for d in days {
        for h in 9..16 {
            eq.push((new_york(d.date, h, 30), 100.0 + h as f64));
        }
    }
    let eq = dir.file("EQ.1h.csv", &csv_utc(&eq));
    let cr = dir.file(
        "CRY.1h.csv",
        &csv_utc(&every_day_bars(|t| 1000.0 + (t - origin()).num_hours() as f64)[..24 * 60]),
    );
    let out = lockstep()
        .args([
            "analyze",
            s(&cr),
            s(&eq),
            "--interval",
            "1h",
            "--window",
            "5",
        ])
        .args(["--no-rate", "--no-liquidity"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("do not end where EQ's 1h bars end"), "{err}");
    assert!(err.contains("30m"), "{err}");
}
