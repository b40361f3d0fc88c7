//! The correlation screen (`lockstep screen`): the rolling correlation of every pair of a
//! universe of series, on all cores, each pair aligned on its own common dates.
//!
//! Per pair `(i, j)`, `i < j`: the inner join of the two series' dates, log returns between
//! consecutive common dates, and the rolling Pearson correlation of the last `window` returns
//! ([`lockstep_stats::RollingCorrelation`], the kernel of `corr`). Reported: the latest defined
//! correlation and its date, and the correlation one month earlier: the latest defined value
//! dated on or before `date − 30 days` (`change = corr − corr_1m`).
//!
//! Memory is bounded: no pair's correlation series is kept. A same-calendar group holds its
//! returns once (dates × members) and one row of cross sums per thread; any other pair holds
//! its joined returns while it is computed, and the values of its last 30 days. The result is
//! one small row per pair. Work is spread over the rayon thread pool.

use std::collections::VecDeque;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::doc::text::{push_cell, push_date, short, Style};
use crate::ReportError;
use chrono::Days;
use lockstep_core::{common_dates, log_return, returns, Date, PriceSeries, ReturnKind};
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

/// One pair on its own common dates ([`lockstep_core::common_dates`], log returns of
/// [`lockstep_core::returns`]), streamed through the rolling kernel: the number of common
/// dates, the correlation on the last one (with its date), and the value dated one month
/// before.
fn pair(
    a: &PriceSeries,
    b: &PriceSeries,
    window: usize,
) -> (usize, Option<(Date, f64)>, Option<f64>) {
    let mut k = RollingCorrelation::new(window).expect("window checked by screen");
    let (dates, pa, pb) = common_dates(a, b);
    let (ra, rb) = (returns(&pa, ReturnKind::Log), returns(&pb, ReturnKind::Log));
    // (date, corr) of the defined values of the last 30 days, and the latest older one.
    let mut recent: VecDeque<(Date, f64)> = VecDeque::new();
    let mut older: Option<f64> = None;
    for (t, (x, y)) in ra.iter().zip(&rb).enumerate() {
        if let Some(r) = k.next(*x, *y) {
            // Return t is dated dates[t + 1].
            let day = dates[t + 1];
            recent.push_back((day, r));
            let cutoff = day - Days::new(30);
            while recent.front().is_some_and(|&(d, _)| d <= cutoff) {
                older = recent.pop_front().map(|(_, r)| r);
            }
        }
    }
    // The value on the pair's last common date (None when undefined there).
    let last = recent
        .back()
        .copied()
        .filter(|&(d, _)| Some(&d) == dates.last());
    (dates.len(), last, older)
}

/// The moments of one series' returns needed by the same-calendar kernel, on its group's
/// dates: returns centred on their full-sample mean (the correlation does not depend on the
/// shift, and sliding sums of centred values do not cancel), and at each reported window end
/// `at[k]` the window sum `Σx` and `1/√Σ(x − x̄)²` (two-pass, exact; NaN when the window is
/// constant, so the correlation is undefined there, never garbage), at index `k`.
struct Column {
    sum: Vec<f64>,
    inv_sd: Vec<f64>,
}

/// The [`Column`] of `member` in the row-major returns `rets` (`m` dates × `n` members).
fn column(rets: &[f64], n: usize, member: usize, w: usize, at: &[usize]) -> Column {
    let m = rets.len() / n;
    let (mut sum, mut inv_sd) = (vec![f64::NAN; at.len()], vec![f64::NAN; at.len()]);
    for (k, &t) in at.iter().enumerate().filter(|&(_, &t)| t + 1 >= w && t < m) {
        let x = |u: usize| rets[u * n + member];
        let s: f64 = (t + 1 - w..=t).map(x).sum();
        let mean = s / w as f64;
        let ss: f64 = (t + 1 - w..=t).map(|u| (x(u) - mean) * (x(u) - mean)).sum();
        sum[k] = s;
        inv_sd[k] = if ss > 0.0 { 1.0 / ss.sqrt() } else { f64::NAN };
    }
    Column { sum, inv_sd }
}

/// Every pair of a group of series on the same dates: `rets` is row-major (date × series),
/// centred returns. For series `i` and each `j > i` the cross sum `Σxy` slides over the
/// window (`+ x_t·y_t − x_{t−w}·y_{t−w}`), recomputed exactly every `w` steps so rounding
/// cannot accumulate (only the steps that lead to the two reported dates are taken); `r = (Σxy − Σx·Σy/w) · inv_sd_x · inv_sd_y`, clamped to [-1, 1]. The
/// inner loop runs over `j` on contiguous memory (vectorized). Returns, per `j > i`, the value
/// at `t_last` and at `t_month` (when given).
fn same_calendar_row(
    rets: &[f64],
    n: usize,
    cols: &[Column],
    i: usize,
    w: usize,
    t_last: usize,
    t_month: Option<usize>,
) -> Vec<(Option<f64>, Option<f64>)> {
    let k = n - i - 1;
    let mut sxy = vec![0.0f64; k];
    let mut at_last = vec![f64::NAN; k];
    let mut at_month = vec![f64::NAN; k];
    let row = |t: usize| &rets[t * n + i + 1..(t + 1) * n];
    let xi = |t: usize| rets[t * n + i];
    let wf = w as f64;
    // The cross sums at `t` depend only on the steps since the last exact recomputation at or
    // before `t` (every `t < w`, then every multiple of `w`): only the steps from there to each
    // reported end are taken, the same operations in the same order (the same bits) as a pass
    // over every date, in at most `2w` steps per end instead of `t_last`.
    let restart = |t: usize| if t < w { t } else { t - t % w };
    let mut steps = vec![restart(t_last)..=t_last];
    if let Some(tm) = t_month.filter(|&tm| tm < restart(t_last)) {
        steps.insert(0, restart(tm)..=tm);
    }
    for t in steps.into_iter().flatten() {
        if t >= w && (t % w) != 0 {
            let (xa, xo) = (xi(t), xi(t - w));
            let (ya, yo) = (row(t), row(t - w));
            for j in 0..k {
                sxy[j] += xa * ya[j] - xo * yo[j];
            }
        } else {
            // Exact recomputation (and the first fill).
            let lo = (t + 1).saturating_sub(w);
            sxy.iter_mut().for_each(|v| *v = 0.0);
            for u in lo..=t {
                let (x, y) = (xi(u), row(u));
                for j in 0..k {
                    sxy[j] += x * y[j];
                }
            }
        }
        let keep_last = t == t_last;
        let keep_month = Some(t) == t_month;
        if t + 1 >= w && (keep_last || keep_month) {
            // The columns hold t_last's moments at 0, t_month's at 1.
            let at = usize::from(!keep_last);
            let (sx, ix) = (cols[i].sum[at], cols[i].inv_sd[at]);
            let out = if keep_last {
                &mut at_last
            } else {
                &mut at_month
            };
            for j in 0..k {
                let c = &cols[i + 1 + j];
                out[j] = (sxy[j] - sx * c.sum[at] / wf) * ix * c.inv_sd[at];
            }
            if keep_last && keep_month {
                at_month.copy_from_slice(&at_last);
            }
        }
    }
    let ok = |v: f64| v.is_finite().then(|| v.clamp(-1.0, 1.0));
    (0..k).map(|j| (ok(at_last[j]), ok(at_month[j]))).collect()
}

/// Screen every pair of `series` with a rolling window of `window` returns. Series with the
/// same dates (the usual universe of one market) go through the same-calendar kernel
/// ([`same_calendar_row`]); any other pair is aligned on its own common dates and streamed
/// through [`lockstep_stats::RollingCorrelation`]. Errors: a window below 2, fewer than two
/// series.
pub fn screen(series: &[PriceSeries], window: usize) -> Result<Screen, ReportError> {
    RollingCorrelation::new(window).map_err(ReportError::Stats)?;
    let n = series.len();
    if n < 2 {
        return Err(ReportError::Screen(format!(
            "a screen needs at least two series, got {n}"
        )));
    }
    let mut rows: Vec<Option<ScreenRow>> = vec![None; n * (n - 1) / 2];
    let index = |i: usize, j: usize| i * (2 * n - i - 1) / 2 + (j - i - 1);
    // Groups of series with identical dates, in input order.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        match groups
            .iter_mut()
            .find(|g| series[g[0]].dates == series[i].dates)
        {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    for g in groups.iter().filter(|g| g.len() > 1) {
        let dates = &series[g[0]].dates;
        let m = dates.len().saturating_sub(1);
        if m < window {
            continue;
        }
        let gn = g.len();
        // Return t is dated dates[t + 1].
        let t_last = m - 1;
        let cutoff = dates[m] - Days::new(30);
        let t_month = (0..m).rev().find(|&t| dates[t + 1] <= cutoff);
        let at: Vec<usize> = std::iter::once(t_last).chain(t_month).collect();
        // The members' log returns, row-major (return index × member) for the kernel's inner
        // loop, computed in place on every core (the logarithms are most of the work outside
        // the kernel), then centred on each member's mean (summed in date order from -0.0, as
        // `Iterator::sum` does: the bits of the per-member vectors this replaced).
        let prices: Vec<&[f64]> = g.iter().map(|&s| series[s].price.as_slice()).collect();
        let mut rets = vec![0.0f64; m * gn];
        rets.par_chunks_mut(gn).enumerate().for_each(|(t, row)| {
            for (v, p) in row.iter_mut().zip(&prices) {
                *v = log_return(p[t], p[t + 1]);
            }
        });
        let mut mean = vec![-0.0f64; gn];
        for row in rets.chunks_exact(gn) {
            mean.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        }
        mean.iter_mut().for_each(|s| *s /= m as f64);
        rets.par_chunks_mut(gn).for_each(|row| {
            row.iter_mut().zip(&mean).for_each(|(v, mu)| *v -= mu);
        });
        let cols: Vec<Column> = (0..gn)
            .into_par_iter()
            .map(|s| column(&rets, gn, s, window, &at))
            .collect();
        // Every row of pairs, built (names copied) on the thread that computed it.
        let found: Vec<Vec<ScreenRow>> = (0..gn)
            .into_par_iter()
            .map(|a| {
                let vals = same_calendar_row(&rets, gn, &cols, a, window, t_last, t_month);
                vals.into_iter()
                    .enumerate()
                    .map(|(k, (corr, month))| ScreenRow {
                        a: series[g[a]].name.clone(),
                        b: series[g[a + 1 + k]].name.clone(),
                        common_dates: m + 1,
                        date: corr.map(|_| dates[m]),
                        corr,
                        corr_1m: month,
                        change: corr.zip(month).map(|(c, o)| c - o),
                    })
                    .collect()
            })
            .collect();
        for (a, row) in found.into_iter().enumerate() {
            for (k, r) in row.into_iter().enumerate() {
                rows[index(g[a], g[a + 1 + k])] = Some(r);
            }
        }
    }
    let rest: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .filter(|&(i, j)| rows[index(i, j)].is_none())
        .collect();
    let computed: Vec<ScreenRow> = rest
        .par_iter()
        .map(|&(i, j)| {
            let (common, last, older) = pair(&series[i], &series[j], window);
            let corr = last.map(|l| l.1);
            ScreenRow {
                a: series[i].name.clone(),
                b: series[j].name.clone(),
                common_dates: common,
                date: last.map(|l| l.0),
                corr,
                corr_1m: older,
                change: corr.zip(older).map(|(c, o)| c - o),
            }
        })
        .collect();
    for (&(i, j), row) in rest.iter().zip(computed) {
        rows[index(i, j)] = Some(row);
    }
    Ok(Screen {
        window,
        series: n,
        pairs: rows.into_iter().flatten().collect(),
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
    /// the month; when every pair fits in those two lists (at most 2 × `top` pairs), one list
    /// of every pair instead, so no pair is shown twice.
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
        let head = format!(
            "  {:<18} {:<18} {:>7} {:>8} {}",
            "A", "B", "corr", "1m chg", "as of"
        );
        let list = |o: &mut String, title: String, rows: &mut dyn Iterator<Item = &&ScreenRow>| {
            let _ = writeln!(o, "\n{}", st.bold(&title));
            let _ = writeln!(o, "{}", st.dim(&head));
            for r in rows {
                line(o, r);
            }
        };
        if ranked.len() <= 2 * top {
            let title = match ranked.len() {
                0 => return o,
                1 => "The one pair".to_string(),
                n => format!("All {n} pairs, most to least correlated"),
            };
            list(&mut o, title, &mut ranked.iter());
            return o;
        }
        let k = top;
        list(
            &mut o,
            format!("Most correlated ({k})"),
            &mut ranked[..k].iter(),
        );
        list(
            &mut o,
            format!("Least correlated ({k})"),
            &mut ranked.iter().rev().take(k),
        );
        let mut moved: Vec<&&ScreenRow> = ranked.iter().filter(|r| r.change.is_some()).collect();
        moved.sort_by(|a, b| {
            b.change
                .unwrap_or(0.0)
                .abs()
                .total_cmp(&a.change.unwrap_or(0.0).abs())
        });
        let k = top.min(moved.len());
        list(
            &mut o,
            format!("Largest changes over the month ({k})"),
            &mut moved[..k].iter().copied(),
        );
        o
    }

    /// CSV, one row per pair in input order: `a,b,common_dates,date,corr,corr_1m,change`.
    pub fn csv(&self) -> String {
        let mut o = String::with_capacity(64 + 96 * self.pairs.len());
        o.push_str("a,b,common_dates,date,corr,corr_1m,change\n");
        for r in &self.pairs {
            o.push_str(&r.a);
            o.push(',');
            o.push_str(&r.b);
            let _ = write!(o, ",{},", r.common_dates);
            if let Some(d) = r.date {
                push_date(&mut o, d);
            }
            for v in [r.corr, r.corr_1m, r.change] {
                o.push(',');
                push_cell(&mut o, v);
            }
            o.push('\n');
        }
        o
    }

    /// JSON: the whole screen.
    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(ReportError::Json)
    }
}

/// One pair of the screen table: names, correlation, change over the month, date.
fn line(o: &mut String, r: &ScreenRow) {
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
}

/// Several screens (one per window) as one CSV with a leading `window` column.
pub fn screens_csv(screens: &[Screen]) -> String {
    let mut out = String::new();
    for (i, s) in screens.iter().enumerate() {
        let csv = s.csv();
        let mut lines = csv.lines();
        let header = lines.next().unwrap_or_default();
        if i == 0 {
            let _ = writeln!(out, "window,{header}");
        }
        for line in lines {
            let _ = writeln!(out, "{},{line}", s.window);
        }
    }
    out
}
