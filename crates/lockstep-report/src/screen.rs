//! The correlation screen (`lockstep screen`): the rolling correlation of every pair of a
//! universe of series, on all cores, each pair aligned on its own common dates.
//!
//! Per pair `(i, j)`, `i < j`: the inner join of the two series' dates, log returns between
//! consecutive common dates, and the rolling Pearson correlation of the last `window` returns
//! ([`lockstep_stats::RollingCorrelation`], the kernel of `corr`). Reported: the latest defined
//! correlation and its date, and the correlation one month earlier: the latest defined value
//! dated on or before `date − 30 days` (`change = corr − corr_1m`).
//!
//! Memory is bounded: a pair's returns are streamed through the kernel and only the values
//! of the last 30 days are kept, so the work per pair holds O(window + 31) numbers besides the
//! inputs; the result is one small row per pair. Pairs are spread over the rayon thread pool.

use std::collections::VecDeque;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::render::{cell, short, Style};
use crate::ReportError;
use lockstep_core::{Date, PriceSeries};
use lockstep_stats::RollingCorrelation;

/// One pair of the screen.
#[derive(Clone, Debug, Serialize)]
pub struct ScreenRow {
    /// First series.
    pub a: String,
    /// Second series.
    pub b: String,
    /// Common dates of the pair.
    pub common_dates: usize,
    /// Date of the latest defined correlation.
    pub date: Option<Date>,
    /// Latest correlation.
    pub corr: Option<f64>,
    /// The correlation one month earlier (latest defined on or before date − 30 days).
    pub corr_1m: Option<f64>,
    /// `corr − corr_1m`.
    pub change: Option<f64>,
}

/// The screen of a universe.
#[derive(Clone, Debug, Serialize)]
pub struct Screen {
    /// Window, in returns.
    pub window: usize,
    /// Number of series.
    pub series: usize,
    /// Every pair, in input order (`a` before `b`).
    pub pairs: Vec<ScreenRow>,
}

/// Day numbers, positive prices and their logs of one series, prepared once for all pairs.
struct Prepared {
    days: Vec<i32>,
    logs: Vec<f64>,
}

fn prepare(s: &PriceSeries) -> Prepared {
    use chrono::Datelike;
    Prepared {
        days: s.dates.iter().map(|d| d.num_days_from_ce()).collect(),
        logs: s.price.iter().map(|p| p.ln()).collect(),
    }
}

fn date_of(day: i32) -> Date {
    Date::from_num_days_from_ce_opt(day).unwrap_or_default()
}

fn pair(x: &Prepared, y: &Prepared, window: usize) -> (usize, Option<(i32, f64)>, Option<f64>) {
    let mut k = RollingCorrelation::new(window).expect("window checked by screen");
    // (day, corr) of the defined values of the last 30 days, and the latest older one.
    let mut recent: VecDeque<(i32, f64)> = VecDeque::new();
    let mut older: Option<f64> = None;
    let (mut i, mut j, mut common) = (0, 0, 0);
    let mut prev: Option<(f64, f64)> = None;
    while i < x.days.len() && j < y.days.len() {
        match x.days[i].cmp(&y.days[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let (lx, ly) = (x.logs[i], y.logs[j]);
                common += 1;
                if let Some((px, py)) = prev {
                    if let Some(r) = k.next(lx - px, ly - py) {
                        let day = x.days[i];
                        recent.push_back((day, r));
                        while recent.front().is_some_and(|&(d, _)| d <= day - 30) {
                            older = recent.pop_front().map(|(_, r)| r);
                        }
                    }
                }
                prev = Some((lx, ly));
                i += 1;
                j += 1;
            }
        }
    }
    (common, recent.back().copied(), older)
}

/// Screen every pair of `series` with a rolling window of `window` returns. Errors: a window
/// below 2, fewer than two series.
pub fn screen(series: &[PriceSeries], window: usize) -> Result<Screen, ReportError> {
    RollingCorrelation::new(window).map_err(ReportError::Stats)?;
    if series.len() < 2 {
        return Err(ReportError::Screen(format!(
            "a screen needs at least two series, got {}",
            series.len()
        )));
    }
    let prepared: Vec<Prepared> = series.par_iter().map(prepare).collect();
    let n = series.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect();
    let rows = pairs
        .par_iter()
        .map(|&(i, j)| {
            let (common, last, older) = pair(&prepared[i], &prepared[j], window);
            let corr = last.map(|l| l.1);
            ScreenRow {
                a: series[i].name.clone(),
                b: series[j].name.clone(),
                common_dates: common,
                date: last.map(|l| date_of(l.0)),
                corr,
                corr_1m: older,
                change: corr.zip(older).map(|(c, o)| c - o),
            }
        })
        .collect();
    Ok(Screen {
        window,
        series: n,
        pairs: rows,
    })
}

impl Screen {
    /// Pairs with a defined correlation, highest first.
    pub fn ranked(&self) -> Vec<&ScreenRow> {
        let mut v: Vec<&ScreenRow> = self.pairs.iter().filter(|r| r.corr.is_some()).collect();
        v.sort_by(|a, b| b.corr.unwrap_or(0.0).total_cmp(&a.corr.unwrap_or(0.0)));
        v
    }

    /// The human report: the `top` most and least correlated pairs and the largest moves over
    /// the month.
    pub fn table(&self, top: usize, color: bool) -> String {
        let st = Style { color };
        let mut o = String::new();
        let ranked = self.ranked();
        let _ = writeln!(
            o,
            "{}",
            st.bold(&format!(
                "Correlation screen: {} series, {} pairs, {}-return window",
                self.series,
                self.pairs.len(),
                self.window
            ))
        );
        let undefined = self.pairs.len() - ranked.len();
        if undefined > 0 {
            let _ = writeln!(
                o,
                "  {undefined} pairs without a defined correlation (too few common dates)"
            );
        }
        let line = |o: &mut String, r: &ScreenRow| {
            let _ = writeln!(
                o,
                "  {:<18} {:<18} {:>+7.3} {:>8} {}",
                short(&r.a, 18),
                short(&r.b, 18),
                r.corr.unwrap_or(f64::NAN),
                r.change
                    .map(|c| format!("{c:+.3}"))
                    .unwrap_or_else(|| "-".into()),
                r.date.map(|d| d.to_string()).unwrap_or_default()
            );
        };
        let head = format!(
            "  {:<18} {:<18} {:>7} {:>8} {}",
            "A", "B", "corr", "1m chg", "as of"
        );
        let k = top.min(ranked.len());
        let _ = writeln!(o, "\n{}", st.bold(&format!("Most correlated ({k})")));
        let _ = writeln!(o, "{}", st.dim(&head));
        for r in &ranked[..k] {
            line(&mut o, r);
        }
        let _ = writeln!(o, "\n{}", st.bold(&format!("Least correlated ({k})")));
        let _ = writeln!(o, "{}", st.dim(&head));
        for r in ranked.iter().rev().take(k) {
            line(&mut o, r);
        }
        let mut moved: Vec<&&ScreenRow> = ranked.iter().filter(|r| r.change.is_some()).collect();
        moved.sort_by(|a, b| {
            b.change
                .unwrap_or(0.0)
                .abs()
                .total_cmp(&a.change.unwrap_or(0.0).abs())
        });
        let k = top.min(moved.len());
        let _ = writeln!(
            o,
            "\n{}",
            st.bold(&format!("Largest changes over the month ({k})"))
        );
        let _ = writeln!(o, "{}", st.dim(&head));
        for r in &moved[..k] {
            line(&mut o, r);
        }
        o
    }

    /// CSV, one row per pair in input order: `a,b,common_dates,date,corr,corr_1m,change`.
    pub fn csv(&self) -> String {
        let mut o = String::from("a,b,common_dates,date,corr,corr_1m,change\n");
        for r in &self.pairs {
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{}",
                r.a,
                r.b,
                r.common_dates,
                r.date.map(|d| d.to_string()).unwrap_or_default(),
                cell(r.corr),
                cell(r.corr_1m),
                cell(r.change)
            );
        }
        o
    }

    /// JSON: the whole screen.
    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(ReportError::Json)
    }
}
