//! Fed net liquidity and its correlation with asset returns.
//!
//! # Net liquidity
//!
//! ```text
//! net = WALCL − WTREGEN − RRPONTSYD        (millions of USD, weekly, Wednesdays)
//! ```
//!
//! * `WALCL` — Fed total assets, FRED: **millions** of USD, weekly as of Wednesday.
//! * `WTREGEN` — Treasury General Account, FRED: weekly as of Wednesday, **millions** of USD in
//!   the current FRED vintage; older downloads (e.g. fredgraph files from before 2024) are in
//!   **billions** — the caller must say which ([`Units`]).
//! * `RRPONTSYD` — overnight reverse repurchase agreements, FRED: **billions** of USD, daily
//!   (business days; days without operations are missing).
//!
//! Each input comes with its [`Units`]; every value is converted to millions (`× 1` or
//! `× 1000`) before anything else. Nothing guesses units from magnitudes.
//!
//! **Alignment (mixed frequencies):** the weeks are the dates of the balance-sheet series
//! (`WALCL`), which must all be Wednesdays. For week `w`, the TGA and RRP values are the value
//! dated `w`, or else the **last available value on or before `w` within the week**, i.e. dated
//! in `(w − 7 days, w]` (Thursday..Wednesday); a daily RRP on a Wednesday holiday thus takes
//! Tuesday's value. The dates actually used are kept in each point. A week where any of the
//! three has no value (missing, NaN — FRED's `.` or empty — or nothing in the week) is
//! skipped and listed in [`NetLiquidity::skipped`], with one exception: before
//! [`RRP_FACILITY_START`] (2013-09-23, the first day of the Fed's overnight reverse repo
//! facility exercise, from which FRED's `RRPONTSYD` has a value every business day) a week
//! without an RRP value takes 0: the facility was not in use, so nothing was parked in it
//! (FRED has only sporadic values before, 160 days in ten years). Such points say so
//! ([`LiquidityPoint::rrp_before_facility`]) and are counted in the notes. Gaps from that date
//! on are still skipped.
//!
//! **Changes:** `change_4w(w) = net(w) − net(w − 28 days)`, `change_13w(w) = net(w) − net(w −
//! 91 days)`, `None` when that week is absent.
//!
//! **Z-score:** of the 13-week change against its trailing 52-week window, current week
//! included: with `c` the 52 values `change_13w` of the weeks `w − 51·7 … w` (all present),
//! `z = (c_w − mean(c)) / sd(c)` with the sample standard deviation (`n − 1`). `None` when a
//! week of the window is missing or `sd = 0`.
//!
//! # Correlation with assets
//!
//! [`asset_liquidity_correlation`]: for every pair of consecutive weeks `w − 7, w` of the net
//! liquidity series, the asset's weekly log return `ln(P(w) / P(w − 7))` — `P(w)` the last
//! close dated in `(w − 7, w]`, Wednesday-to-Wednesday — against the weekly change
//! `net(w) − net(w − 7)`. Pearson's r over the full history and over the last 52 weeks (the
//! pairs dated after `last − 364 days`), with a Fisher-z 95% interval
//! ([`lockstep_stats::fisher_interval`]).

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Weekday};
use lockstep_core::PriceSeries;
use serde::Serialize;

use crate::{Date, MacroError, Result};

/// The unit every liquidity value is converted to.
pub const LIQUIDITY_UNITS: &str = "millions of USD";
/// The frequency of the net liquidity series.
pub const LIQUIDITY_FREQUENCY: &str = "weekly (Wednesday)";
/// The first day of the overnight reverse repo facility exercise (FOMC, September 2013): a
/// week before it without an RRP value takes 0 (see the module documentation).
pub const RRP_FACILITY_START: Date = match Date::from_ymd_opt(2013, 9, 23) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// Length of the z-score window, weeks.
pub const Z_WINDOW: usize = 52;

/// Unit of an input series, in US dollars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Units {
    /// Millions of USD (factor 1).
    #[cfg_attr(feature = "clap", value(help = "Millions of USD"))]
    Millions,
    /// Billions of USD (factor 1000).
    #[cfg_attr(feature = "clap", value(help = "Billions of USD"))]
    Billions,
}

impl Units {
    /// The factor converting a value in these units to millions.
    pub fn to_millions(self) -> f64 {
        match self {
            Units::Millions => 1.0,
            Units::Billions => 1000.0,
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Units::Millions => "millions of USD",
            Units::Billions => "billions of USD",
        }
    }
}

/// Units of FRED `WALCL` (Fed total assets, weekly Wednesday).
pub const FRED_WALCL_UNITS: Units = Units::Millions;
/// Units of FRED `WTREGEN` (TGA, weekly Wednesday) in the **current** FRED vintage; older
/// downloads were in billions.
pub const FRED_WTREGEN_UNITS: Units = Units::Millions;
/// Units of FRED `RRPONTSYD` (overnight reverse repo, daily).
pub const FRED_RRPONTSYD_UNITS: Units = Units::Billions;

/// One input of [`net_liquidity`]: a series and its units.
#[derive(Clone, Copy, Debug)]
pub struct LiquidityInput<'a> {
    /// The series (dates strictly increasing; non-finite values are treated as missing).
    pub series: &'a PriceSeries,
    /// Its units.
    pub units: Units,
}

impl<'a> LiquidityInput<'a> {
    /// A series with its units.
    pub fn new(series: &'a PriceSeries, units: Units) -> Self {
        LiquidityInput { series, units }
    }
}

/// Net liquidity on one Wednesday; all values in millions of USD.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LiquidityPoint {
    /// The Wednesday.
    pub date: Date,
    /// Fed total assets (`WALCL`).
    pub fed_assets: f64,
    /// Treasury General Account (`WTREGEN`).
    pub tga: f64,
    /// Date of the TGA value used (in the week ending `date`).
    pub tga_date: Date,
    /// Overnight reverse repo (`RRPONTSYD`).
    pub rrp: f64,
    /// Date of the RRP value used (in the week ending `date`; `date` itself when the value is
    /// the 0 taken before the facility existed).
    pub rrp_date: Date,
    /// Whether `rrp` is the 0 taken for a week before [`RRP_FACILITY_START`] without an RRP
    /// value.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rrp_before_facility: bool,
    /// `fed_assets − tga − rrp`.
    pub net: f64,
    /// `net − net 4 weeks earlier`.
    pub change_4w: Option<f64>,
    /// `net − net 13 weeks earlier`.
    pub change_13w: Option<f64>,
    /// Z-score of `change_13w` in its trailing 52-week window (see the module documentation).
    pub z_13w: Option<f64>,
}

/// A week left out of the net liquidity series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkippedWeek {
    /// The Wednesday.
    pub date: Date,
    /// Which input had no value.
    pub missing: Vec<&'static str>,
}

/// The net liquidity series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetLiquidity {
    /// Units of every value: [`LIQUIDITY_UNITS`].
    pub units: &'static str,
    /// Frequency: [`LIQUIDITY_FREQUENCY`].
    pub frequency: &'static str,
    /// Z-score window, weeks ([`Z_WINDOW`]).
    pub z_window: usize,
    /// The conversions and alignment applied, for display.
    pub notes: Vec<String>,
    /// One point per usable Wednesday, ascending.
    pub points: Vec<LiquidityPoint>,
    /// Balance-sheet weeks left out, ascending.
    pub skipped: Vec<SkippedWeek>,
}

impl NetLiquidity {
    /// The latest point, if any.
    pub fn last(&self) -> Option<&LiquidityPoint> {
        self.points.last()
    }

    /// The point of a Wednesday, if present.
    pub fn get(&self, date: Date) -> Option<&LiquidityPoint> {
        self.points
            .binary_search_by_key(&date, |p| p.date)
            .ok()
            .map(|i| &self.points[i])
    }
}

fn check_dates(s: &PriceSeries) -> Result<()> {
    if s.price.len() != s.dates.len() {
        return Err(MacroError::InvalidSeries {
            name: s.name.clone(),
            reason: format!("{} values for {} dates", s.price.len(), s.dates.len()),
        });
    }
    if let Some(i) = (1..s.dates.len()).find(|&i| s.dates[i] <= s.dates[i - 1]) {
        return Err(MacroError::InvalidSeries {
            name: s.name.clone(),
            reason: format!(
                "date {} at index {i} is not after the previous one",
                s.dates[i]
            ),
        });
    }
    Ok(())
}

/// The last finite value dated in `(w − 7 days, w]`, with its date.
fn value_in_week(s: &PriceSeries, w: Date) -> Option<(Date, f64)> {
    let start = w - Days::new(7);
    let end = s.dates.partition_point(|&d| d <= w);
    (0..end)
        .rev()
        .take_while(|&i| s.dates[i] > start)
        .find(|&i| s.price[i].is_finite())
        .map(|i| (s.dates[i], s.price[i]))
}

/// Net liquidity `fed_assets − tga − rrp` on the Wednesdays of `fed_assets`, in millions of
/// USD, with 4- and 13-week changes and the z-score of the 13-week change (see the module
/// documentation for units, alignment and definitions).
///
/// Errors when a series' dates do not strictly increase or a finite balance-sheet value is not
/// dated on a Wednesday.
pub fn net_liquidity(
    fed_assets: LiquidityInput<'_>,
    tga: LiquidityInput<'_>,
    rrp: LiquidityInput<'_>,
) -> Result<NetLiquidity> {
    for s in [fed_assets.series, tga.series, rrp.series] {
        check_dates(s)?;
    }
    let mut notes = vec![
        format!(
            "net liquidity = {} - {} - {}, in {LIQUIDITY_UNITS}",
            fed_assets.series.name, tga.series.name, rrp.series.name
        ),
        format!(
            "{} in {} (x{}), {} in {} (x{}), {} in {} (x{})",
            fed_assets.series.name,
            fed_assets.units.label(),
            fed_assets.units.to_millions(),
            tga.series.name,
            tga.units.label(),
            tga.units.to_millions(),
            rrp.series.name,
            rrp.units.label(),
            rrp.units.to_millions()
        ),
        format!(
            "weeks = the Wednesdays of {}; {} and {} take the value on that Wednesday or the last one before it within the week (Thu..Wed)",
            fed_assets.series.name, tga.series.name, rrp.series.name
        ),
        format!(
            "z-score of the 13-week change over a trailing {Z_WINDOW}-week window (current week included, sample sd)"
        ),
    ];
    let mut points: Vec<LiquidityPoint> = Vec::new();
    let mut skipped = Vec::new();
    for (&w, &a) in fed_assets.series.dates.iter().zip(&fed_assets.series.price) {
        if !a.is_finite() {
            skipped.push(SkippedWeek {
                date: w,
                missing: vec!["fed_assets"],
            });
            continue;
        }
        if w.weekday() != Weekday::Wed {
            return Err(MacroError::InvalidSeries {
                name: fed_assets.series.name.clone(),
                reason: format!(
                    "{w} is a {:?}; the balance sheet must be dated on Wednesdays (FRED WALCL)",
                    w.weekday()
                ),
            });
        }
        let t = value_in_week(tga.series, w);
        let mut r = value_in_week(rrp.series, w).map(|(d, v)| (d, v, false));
        if r.is_none() && w < RRP_FACILITY_START {
            r = Some((w, 0.0, true));
        }
        let (Some((td, tv)), Some((rd, rv, before))) = (t, r) else {
            let mut missing = Vec::new();
            if t.is_none() {
                missing.push("tga");
            }
            if r.is_none() {
                missing.push("rrp");
            }
            skipped.push(SkippedWeek { date: w, missing });
            continue;
        };
        let fa = a * fed_assets.units.to_millions();
        let tv = tv * tga.units.to_millions();
        let rv = rv * rrp.units.to_millions();
        points.push(LiquidityPoint {
            date: w,
            fed_assets: fa,
            tga: tv,
            tga_date: td,
            rrp: rv,
            rrp_date: rd,
            rrp_before_facility: before,
            net: fa - tv - rv,
            change_4w: None,
            change_13w: None,
            z_13w: None,
        });
    }

    let by_date: BTreeMap<Date, f64> = points.iter().map(|p| (p.date, p.net)).collect();
    let lag = |w: Date, weeks: u64| by_date.get(&(w - Days::new(7 * weeks))).copied();
    for p in &mut points {
        p.change_4w = lag(p.date, 4).map(|x| p.net - x);
        p.change_13w = lag(p.date, 13).map(|x| p.net - x);
    }
    for t in (Z_WINDOW - 1)..points.len() {
        let w = points[t].date;
        let first = &points[t + 1 - Z_WINDOW];
        if first.date != w - Days::new(7 * (Z_WINDOW as u64 - 1)) {
            continue;
        }
        let window: Option<Vec<f64>> = points[t + 1 - Z_WINDOW..=t]
            .iter()
            .map(|p| p.change_13w)
            .collect();
        let Some(c) = window else { continue };
        let n = c.len() as f64;
        let mean = c.iter().sum::<f64>() / n;
        let var = c.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        if var > 0.0 {
            points[t].z_13w = Some((c[c.len() - 1] - mean) / var.sqrt());
        }
    }
    let zero = points.iter().filter(|p| p.rrp_before_facility).count();
    if zero > 0 {
        notes.push(format!(
            "{zero} week(s) before {RRP_FACILITY_START} without an {} value take 0 (the overnight reverse repo facility was not in use)",
            rrp.series.name
        ));
    }
    if !skipped.is_empty() {
        notes.push(format!(
            "{} week(s) skipped for a missing value",
            skipped.len()
        ));
    }
    Ok(NetLiquidity {
        units: LIQUIDITY_UNITS,
        frequency: LIQUIDITY_FREQUENCY,
        z_window: Z_WINDOW,
        notes,
        points,
        skipped,
    })
}

/// Pearson's r of a set of pairs with its Fisher-z 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CorrelationStat {
    /// Number of pairs.
    pub n: usize,
    /// Pearson's r; `None` for fewer than 3 pairs or a constant side.
    pub r: Option<f64>,
    /// Fisher-z 95% interval `[lo, hi]`; `None` when r is `None` or `n <= 3`.
    pub ci95: Option<[f64; 2]>,
    /// First week (Wednesday) of the pairs.
    pub from: Option<Date>,
    /// Last week (Wednesday) of the pairs.
    pub to: Option<Date>,
}

/// One week of an asset against net liquidity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WeeklyObservation {
    /// The Wednesday ending the week.
    pub date: Date,
    /// `ln(P(w) / P(w − 7))`.
    pub asset_return: f64,
    /// `net(w) − net(w − 7)`, millions of USD.
    pub liquidity_change: f64,
}

/// Correlation of one asset's weekly log returns with weekly net-liquidity changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssetLiquidityCorrelation {
    /// The asset's name.
    pub asset: String,
    /// Over every available week.
    pub full: CorrelationStat,
    /// Over the last 52 weeks (pairs dated after `last − 364 days`).
    pub last_52w: CorrelationStat,
    /// The weekly pairs, ascending.
    pub observations: Vec<WeeklyObservation>,
}

/// Correlations of two assets with net liquidity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LiquidityCorrelation {
    /// First asset.
    pub a: AssetLiquidityCorrelation,
    /// Second asset.
    pub b: AssetLiquidityCorrelation,
    /// Units of the liquidity change ([`LIQUIDITY_UNITS`]).
    pub liquidity_units: &'static str,
}

/// Pearson's r of `xs` and `ys` ([`lockstep_stats::pearson`], two-pass), `None` for fewer
/// than 3 pairs or a constant side.
fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() < 3 {
        return None;
    }
    lockstep_stats::pearson(xs, ys)
}

fn stat(obs: &[WeeklyObservation]) -> Result<CorrelationStat> {
    let xs: Vec<f64> = obs.iter().map(|o| o.asset_return).collect();
    let ys: Vec<f64> = obs.iter().map(|o| o.liquidity_change).collect();
    let r = pearson(&xs, &ys);
    let ci95 = match r {
        Some(r) => lockstep_stats::fisher_interval(r, obs.len() as f64, 0.95)?.map(|(a, b)| [a, b]),
        None => None,
    };
    Ok(CorrelationStat {
        n: obs.len(),
        r,
        ci95,
        from: obs.first().map(|o| o.date),
        to: obs.last().map(|o| o.date),
    })
}

/// Correlation of `asset`'s weekly (Wednesday-to-Wednesday) log returns with the weekly change
/// of net liquidity, over the full history and the last 52 weeks (see the module
/// documentation). Weeks where the asset has no close are left out.
///
/// Errors when the asset's dates do not strictly increase or a close used is not positive.
pub fn asset_liquidity_correlation(
    asset: &PriceSeries,
    liquidity: &NetLiquidity,
) -> Result<AssetLiquidityCorrelation> {
    check_dates(asset)?;
    let close = |w: Date| -> Result<Option<f64>> {
        match value_in_week(asset, w) {
            Some((d, p)) if p <= 0.0 => Err(MacroError::InvalidSeries {
                name: asset.name.clone(),
                reason: format!("close {p} on {d} is not positive (log return)"),
            }),
            other => Ok(other.map(|x| x.1)),
        }
    };
    let mut observations = Vec::new();
    for pair in liquidity.points.windows(2) {
        let (prev, cur) = (&pair[0], &pair[1]);
        if cur.date - prev.date != chrono::Duration::days(7) {
            continue;
        }
        let (Some(p0), Some(p1)) = (close(prev.date)?, close(cur.date)?) else {
            continue;
        };
        observations.push(WeeklyObservation {
            date: cur.date,
            asset_return: (p1 / p0).ln(),
            liquidity_change: cur.net - prev.net,
        });
    }
    let full = stat(&observations)?;
    let recent: Vec<WeeklyObservation> = match observations.last() {
        Some(last) => {
            let cut = last.date - Days::new(7 * 52);
            observations
                .iter()
                .filter(|o| o.date > cut)
                .copied()
                .collect()
        }
        None => Vec::new(),
    };
    let last_52w = stat(&recent)?;
    Ok(AssetLiquidityCorrelation {
        asset: asset.name.clone(),
        full,
        last_52w,
        observations,
    })
}

/// [`asset_liquidity_correlation`] of two assets.
pub fn liquidity_correlation(
    a: &PriceSeries,
    b: &PriceSeries,
    liquidity: &NetLiquidity,
) -> Result<LiquidityCorrelation> {
    Ok(LiquidityCorrelation {
        a: asset_liquidity_correlation(a, liquidity)?,
        b: asset_liquidity_correlation(b, liquidity)?,
        liquidity_units: LIQUIDITY_UNITS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// A series bypassing `PriceSeries::new` so that NaN (a missing `.`) can be stored.
    fn raw(name: &str, dates: Vec<Date>, values: Vec<f64>) -> PriceSeries {
        let mut s = PriceSeries::new(name, vec![], vec![]).unwrap();
        s.dates = dates;
        s.price = values;
        s
    }

    fn wednesdays(from: &str, n: usize) -> Vec<Date> {
        (0..n).map(|i| d(from) + Days::new(7 * i as u64)).collect()
    }

    #[test]
    fn converts_units_and_aligns_mixed_frequencies() {
        // Weekly balance sheet (millions), weekly TGA in billions (old vintage), daily RRP in
        // billions with the Wednesday 2024-12-25 missing (holiday) → Tuesday's value.
        let weeks = vec![d("2024-12-18"), d("2024-12-25")];
        let walcl = raw("WALCL", weeks.clone(), vec![6_900_000.0, 6_885_963.0]);
        let tga = raw("WTREGEN", weeks, vec![800.0, 764.770]);
        let rrp = raw(
            "RRPONTSYD",
            vec![
                d("2024-12-18"),
                d("2024-12-23"),
                d("2024-12-24"),
                d("2024-12-25"),
            ],
            vec![200.0, 170.0, 180.989, f64::NAN],
        );
        let nl = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&tga, Units::Billions),
            LiquidityInput::new(&rrp, Units::Billions),
        )
        .unwrap();
        assert_eq!(nl.units, "millions of USD");
        assert_eq!(nl.points.len(), 2);
        let p = nl.get(d("2024-12-25")).unwrap();
        assert_eq!(p.rrp_date, d("2024-12-24"));
        assert!((p.rrp - 180_989.0).abs() < 1e-6);
        assert!((p.tga - 764_770.0).abs() < 1e-6);
        assert!((p.net - (6_885_963.0 - 764_770.0 - 180_989.0)).abs() < 1e-6);
        let p0 = &nl.points[0];
        assert!((p0.net - (6_900_000.0 - 800_000.0 - 200_000.0)).abs() < 1e-6);
        assert!(nl.notes.iter().any(|n| n.contains("x1000")));
    }

    #[test]
    fn rrp_before_the_facility_is_zero_and_gaps_after_it_are_skipped() {
        // Wednesdays 2013-09-11, -18, -25 and 10-02: RRP has a value on 2013-09-24 only; the
        // first two weeks are before the facility's first day (2013-09-23), 10-02 is after.
        let weeks = wednesdays("2013-09-11", 4);
        let walcl = raw("WALCL", weeks.clone(), vec![100.0, 101.0, 102.0, 103.0]);
        let tga = raw("TGA", weeks, vec![10.0, 10.0, 10.0, 10.0]);
        let rrp = raw("RRPONTSYD", vec![d("2013-09-24")], vec![5.0]);
        let nl = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&tga, Units::Millions),
            LiquidityInput::new(&rrp, Units::Millions),
        )
        .unwrap();
        let dates: Vec<Date> = nl.points.iter().map(|p| p.date).collect();
        assert_eq!(dates, [d("2013-09-11"), d("2013-09-18"), d("2013-09-25")]);
        assert!(nl.points[0].rrp_before_facility && nl.points[1].rrp_before_facility);
        assert_eq!((nl.points[0].rrp, nl.points[0].net), (0.0, 90.0));
        assert_eq!(nl.points[0].rrp_date, d("2013-09-11"));
        assert!(!nl.points[2].rrp_before_facility);
        assert_eq!(nl.points[2].net, 102.0 - 10.0 - 5.0);
        assert_eq!(nl.skipped.len(), 1);
        assert_eq!(nl.skipped[0].missing, vec!["rrp"]);
        assert!(nl.notes.iter().any(
            |n| n.starts_with("2 week(s) before 2013-09-23 without an RRPONTSYD value take 0")
        ));
        let json = serde_json::to_value(nl.points[2]).unwrap();
        assert!(json.get("rrp_before_facility").is_none());
    }

    #[test]
    fn missing_values_skip_weeks_and_stale_values_are_not_used() {
        let weeks = wednesdays("2025-01-01", 3);
        let walcl = raw("WALCL", weeks.clone(), vec![100.0, f64::NAN, 120.0]);
        let tga = raw("TGA", weeks.clone(), vec![10.0, 11.0, 12.0]);
        // RRP: a value 8 days before the third Wednesday only (outside its week).
        let rrp = raw(
            "RRP",
            vec![d("2025-01-01"), d("2025-01-07")],
            vec![1.0, 2.0],
        );
        let nl = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&tga, Units::Millions),
            LiquidityInput::new(&rrp, Units::Millions),
        )
        .unwrap();
        assert_eq!(nl.points.len(), 1);
        assert_eq!(nl.skipped.len(), 2);
        assert_eq!(nl.skipped[0].missing, vec!["fed_assets"]);
        assert_eq!(nl.skipped[1].date, d("2025-01-15"));
        assert_eq!(nl.skipped[1].missing, vec!["rrp"]);
    }

    #[test]
    fn rejects_non_wednesdays_and_unsorted_dates() {
        let walcl = raw("WALCL", vec![d("2025-01-02")], vec![1.0]);
        let ok = raw("X", vec![d("2025-01-01")], vec![1.0]);
        let e = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&ok, Units::Millions),
            LiquidityInput::new(&ok, Units::Millions),
        )
        .unwrap_err();
        assert!(e.to_string().contains("Wednesday"), "{e}");
        let bad = raw("X", vec![d("2025-01-08"), d("2025-01-01")], vec![1.0, 2.0]);
        assert!(matches!(
            net_liquidity(
                LiquidityInput::new(&ok, Units::Millions),
                LiquidityInput::new(&bad, Units::Millions),
                LiquidityInput::new(&ok, Units::Millions),
            ),
            Err(MacroError::InvalidSeries { .. })
        ));
    }

    #[test]
    fn changes_and_zscore() {
        // net(k) = k² (tga = rrp = 0) over 80 weeks: change_4w = 8k − 16,
        // change_13w = 26k − 169 (k ≥ 13); the 13-week change is linear in k, so over a
        // 52-week window ending at k its z-score is the last point of an arithmetic sequence:
        // (51/2) / sd(0..51) = 25.5 / sqrt(52·53/12) = 1.6997...
        let n = 80;
        let weeks = wednesdays("2020-01-01", n);
        let net: Vec<f64> = (0..n).map(|k| (k * k) as f64).collect();
        let walcl = raw("W", weeks.clone(), net);
        let zero = raw("Z", weeks, vec![0.0; n]);
        let nl = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&zero, Units::Millions),
            LiquidityInput::new(&zero, Units::Millions),
        )
        .unwrap();
        let p = &nl.points;
        assert_eq!(p[3].change_4w, None);
        assert_eq!(p[4].change_4w, Some(16.0));
        assert_eq!(p[12].change_13w, None);
        assert_eq!(p[20].change_13w, Some(26.0 * 20.0 - 169.0));
        // First z at k = 13 + 51 = 64.
        assert!(p[63].z_13w.is_none());
        let want = 25.5 / (52.0f64 * 53.0 / 12.0).sqrt();
        for pt in &p[64..] {
            assert!((pt.z_13w.unwrap() - want).abs() < 1e-9);
        }
        // A gap in the weeks breaks the windows that contain it.
        let mut weeks = wednesdays("2020-01-01", n);
        weeks.remove(70);
        let net: Vec<f64> = (0..n - 1).map(|k| (k as f64).sin() * 100.0).collect();
        let walcl = raw("W", weeks.clone(), net);
        let zero = raw("Z", weeks, vec![0.0; n - 1]);
        let nl = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&zero, Units::Millions),
            LiquidityInput::new(&zero, Units::Millions),
        )
        .unwrap();
        assert!(nl.points[69].z_13w.is_some());
        assert!(nl.points[70..].iter().all(|p| p.z_13w.is_none()));
    }

    #[test]
    fn correlation_of_weekly_returns() {
        // Liquidity change alternates +1/-1 (times k); the asset's daily prices have weekly
        // log returns 0.01·change plus nothing → r = 1. Asset B is weekdays-only and its
        // Wednesday close is missing in one week (Tuesday's close used).
        let n = 70;
        let weeks = wednesdays("2022-01-05", n);
        let mut net = vec![1000.0];
        for k in 1..n {
            let ch = if k % 2 == 0 { 3.0 } else { -2.0 } * (1.0 + (k % 5) as f64);
            net.push(net[k - 1] + ch);
        }
        let walcl = raw("W", weeks.clone(), net.clone());
        let zero = raw("Z", weeks.clone(), vec![0.0; n]);
        let nl = net_liquidity(
            LiquidityInput::new(&walcl, Units::Millions),
            LiquidityInput::new(&zero, Units::Millions),
            LiquidityInput::new(&zero, Units::Millions),
        )
        .unwrap();
        // Daily asset: price = exp(0.01 · net(w)) on every day of the week ending w.
        let mut dates = Vec::new();
        let mut px = Vec::new();
        for (k, &w) in weeks.iter().enumerate() {
            for back in (0..7).rev() {
                let day = w - Days::new(back);
                // B drops the 10th Wednesday; A keeps it.
                dates.push(day);
                px.push((0.01 * net[k]).exp() * if back == 0 { 1.0 } else { 0.5 });
            }
        }
        let a = PriceSeries::new("A", dates.clone(), px.clone()).unwrap();
        let keep: Vec<usize> = (0..dates.len())
            .filter(|&i| dates[i] != weeks[10])
            .collect();
        let b = PriceSeries::new(
            "B",
            keep.iter().map(|&i| dates[i]).collect(),
            keep.iter().map(|&i| px[i]).collect(),
        )
        .unwrap();
        let c = liquidity_correlation(&a, &b, &nl).unwrap();
        assert_eq!(c.a.full.n, n - 1);
        assert!((c.a.full.r.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(c.a.last_52w.n, 52);
        assert_eq!(c.a.last_52w.to, Some(weeks[n - 1]));
        assert_eq!(c.a.last_52w.from, Some(weeks[n - 52]));
        let ci = c.a.full.ci95.unwrap();
        assert!(ci[0] <= 1.0 && ci[1] <= 1.0);
        // B on week 10 uses Tuesday's (halved) close: returns of weeks 10 and 11 differ.
        assert_eq!(c.b.full.n, n - 1);
        let r_b = c.b.full.r.unwrap();
        assert!(r_b < 0.999 && r_b > 0.5, "{r_b}");
        let o =
            c.b.observations
                .iter()
                .find(|o| o.date == weeks[10])
                .unwrap();
        assert!((o.asset_return - (0.01 * (net[10] - net[9]) + 0.5f64.ln())).abs() < 1e-12);
        // Fisher interval agrees with lockstep-stats.
        let (lo, hi) = lockstep_stats::fisher_interval(r_b, (n - 1) as f64, 0.95)
            .unwrap()
            .unwrap();
        assert_eq!(c.b.full.ci95, Some([lo, hi]));
        // An asset with no overlap gives n = 0 and no r.
        let far = PriceSeries::new("F", vec![d("1999-01-06")], vec![1.0]).unwrap();
        let s = asset_liquidity_correlation(&far, &nl).unwrap();
        assert_eq!((s.full.n, s.full.r, s.last_52w.n), (0, None, 0));
        // Non-positive price used → error.
        let neg = PriceSeries::new("N", vec![weeks[0], weeks[1]], vec![1.0, -1.0]).unwrap();
        assert!(asset_liquidity_correlation(&neg, &nl).is_err());
    }

    #[test]
    fn pearson_edge_cases() {
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0]), None);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
    }
}
