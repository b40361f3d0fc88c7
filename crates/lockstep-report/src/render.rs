//! Renderers of a [`Report`]: terminal table, CSV and JSON. They format; they compute nothing.

use std::fmt::Write as _;

use crate::doc::text::{self, cell, short};
use crate::{IntradayRolling, Report, ReportError};

mod linkage;
mod structure;

pub use linkage::{
    intraday_leadlag_csv, intraday_leadlag_json, intraday_leadlag_table, leadlag_csv, leadlag_json,
    leadlag_table, regimes_csv, regimes_json, regimes_table,
};
pub use structure::{
    breakouts_csv, breakouts_table, levels_csv, levels_json, levels_table, patterns_csv,
    patterns_json, patterns_table,
};

/// First row index of a table showing the latest `rows` of `n` (0 = all), and the footnote
/// naming what was left out (empty when nothing was).
fn tail(n: usize, rows: usize, hint: &str) -> (usize, String) {
    let start = if rows == 0 { 0 } else { n.saturating_sub(rows) };
    let note = if start > 0 {
        format!("({start} earlier rows not shown: {hint})\n")
    } else {
        String::new()
    };
    (start, note)
}

/// The per-date CSV of `lockstep corr`: header exactly `date,ret_a,ret_b`, then for each window
/// `w` in the order given `corr_w,corr_w_lo,corr_w_hi,beta_w`; with controls, then for each
/// window in the order given `pcorr_w,pcorr_w_lo,pcorr_w_hi` (the partial correlation given
/// the controls and its Fisher interval on `n − 3 − k` degrees of freedom; the controls'
/// returns are not printed). One row per aligned date (with controls, the dates every series
/// has; the first has no return); empty cells where a value is undefined; full f64 precision.
pub fn corr_csv(r: &Report) -> String {
    text::written(|out| write_corr_csv(r, out))
}

/// [`corr_csv`] written to `out` row by row. The rolling values are the report's stored
/// series, or, in a report without them, computed as the rows are written
/// ([`crate::RollingRows::of`]: the same values, on a second thread).
pub fn write_corr_csv(r: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut header = String::from("date,ret_a,ret_b");
    for w in &r.params.windows {
        let _ = write!(header, ",corr_{w},corr_{w}_lo,corr_{w}_hi,beta_{w}");
    }
    let partial = r.series.rolling.iter().any(|rw| !rw.pcorr.is_empty());
    if partial {
        for w in &r.params.windows {
            let _ = write!(header, ",pcorr_{w},pcorr_{w}_lo,pcorr_{w}_hi");
        }
    }
    header.push('\n');
    out.write_all(header.as_bytes())?;
    let s = &r.series;
    let windows = r.params.windows.len().max(1);
    let mut line = String::with_capacity(256);
    crate::rolling::corr_blocks(r, true, |first, block| {
        for (k, points) in block.chunks(windows).enumerate() {
            let i = first + k;
            let o = &mut line;
            o.clear();
            text::push_date(o, s.dates[i]);
            let mut put = |v: Option<f64>| {
                o.push(',');
                text::push_cell(o, v);
            };
            put(s.ret_a.at(i));
            put(s.ret_b.at(i));
            for p in points {
                put(p.corr);
                put(p.corr_lo);
                put(p.corr_hi);
                put(p.beta);
            }
            if partial {
                for rw in &s.rolling {
                    put(rw.pcorr.get(i));
                    put(rw.pcorr_lo.get(i));
                    put(rw.pcorr_hi.get(i));
                }
            }
            o.push('\n');
            out.write_all(o.as_bytes())?;
        }
        Ok(())
    })
}

/// RFC 3339 in UTC, to the second: `2024-01-02T19:30:00Z`.
fn rfc3339(t: lockstep_core::Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The per-bar CSV of `lockstep corr --interval`: header `time,ret_a,ret_b`, then for each
/// window `w` in the order given `corr_w,corr_w_lo,corr_w_hi,beta_w` (the daily columns);
/// `time` is the end of the bar that closes the return, RFC 3339 in UTC. One row per bar of
/// the exchange leg's regular sessions at whose end both legs have a price; the first bar of
/// each session has empty returns and rolling values (it is in no window); empty cells where
/// a value is undefined; full f64 precision.
pub fn intraday_corr_csv(s: &IntradayRolling) -> String {
    let mut out = String::from("time,ret_a,ret_b");
    for w in s.windows() {
        let _ = write!(out, ",corr_{w},corr_{w}_lo,corr_{w}_hi,beta_{w}");
    }
    out.push('\n');
    for i in 0..s.time.len() {
        let _ = write!(
            out,
            "{},{},{}",
            rfc3339(s.time[i]),
            cell(s.ret_a[i]),
            cell(s.ret_b[i])
        );
        for rw in &s.rolling {
            let _ = write!(
                out,
                ",{},{},{},{}",
                cell(rw.corr[i]),
                cell(rw.corr_lo[i]),
                cell(rw.corr_hi[i]),
                cell(rw.beta[i])
            );
        }
        out.push('\n');
    }
    out
}

/// The human form of `lockstep corr --interval`: the last `rows` bars (0 = all), timed by the
/// end of each bar in UTC.
pub fn intraday_corr_table(s: &IntradayRolling, rows: usize) -> String {
    let n = s.time.len();
    let (start, note) = tail(
        n,
        rows,
        "--rows 0 shows all, --format csv gives full precision",
    );
    let f = |v: Option<f64>, p: usize| v.map(|x| format!("{x:+.p$}")).unwrap_or_else(|| "-".into());
    let mut o = String::new();
    let _ = write!(o, "{:<20} {:>9} {:>9}", "time (bar end)", "ret_a", "ret_b");
    for w in s.windows() {
        let _ = write!(o, " {:>8} {:>7}", format!("corr_{w}"), format!("beta_{w}"));
    }
    o.push('\n');
    for i in start..n {
        let _ = write!(
            o,
            "{:<20} {:>9} {:>9}",
            s.time[i].format("%Y-%m-%d %H:%M UTC").to_string(),
            f(s.ret_a[i], 5),
            f(s.ret_b[i], 5)
        );
        for rw in &s.rolling {
            let _ = write!(o, " {:>8} {:>7}", f(rw.corr[i], 4), f(rw.beta[i], 3));
        }
        o.push('\n');
    }
    o.push_str(&note);
    o
}

/// `lockstep corr --interval --format json`: the [`IntradayRolling`] struct (times in RFC
/// 3339, undefined values as `null`).
pub fn intraday_corr_json(s: &IntradayRolling) -> Result<String, ReportError> {
    serde_json::to_string_pretty(s).map_err(ReportError::Json)
}

/// The normalized overlay as CSV: `date,a,b`, both legs rebased to 100 on the first aligned date.
pub fn overlay_csv(r: &Report) -> String {
    text::written(|out| write_overlay_csv(r, out))
}

/// [`overlay_csv`] written to `out` row by row.
pub fn write_overlay_csv(r: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let s = &r.series;
    text::write_rows(out, "date,a,b\n", s.dates.len(), |o, i| {
        let _ = writeln!(o, "{},{},{}", s.dates[i], s.norm_a[i], s.norm_b[i]);
    })
}

/// The human form of `lockstep corr`: the last `rows` aligned dates (0 = all); with controls
/// the partial correlation of each window follows (`pcorr_w`). The rolling values are read as
/// in [`write_corr_csv`] (without the intervals, which the table does not show).
pub fn corr_table(r: &Report, rows: usize) -> String {
    let s = &r.series;
    let n = s.dates.len();
    let (start, note) = tail(
        n,
        rows,
        "--rows 0 shows all, --format csv gives full precision",
    );
    let f = |v: Option<f64>, p: usize| v.map(|x| format!("{x:+.p$}")).unwrap_or_else(|| "-".into());
    let mut o = String::new();
    let _ = write!(o, "{:<10} {:>9} {:>9}", "date", "ret_a", "ret_b");
    for w in &r.params.windows {
        let _ = write!(o, " {:>8} {:>7}", format!("corr_{w}"), format!("beta_{w}"));
    }
    let partial = s.rolling.iter().any(|rw| !rw.pcorr.is_empty());
    if partial {
        for w in &r.params.windows {
            let _ = write!(o, " {:>9}", format!("pcorr_{w}"));
        }
    }
    o.push('\n');
    let windows = r.params.windows.len().max(1);
    let written = crate::rolling::corr_blocks(r, false, |first, block| {
        for (k, points) in block.chunks(windows).enumerate() {
            let i = first + k;
            if i < start {
                continue;
            }
            let _ = write!(
                o,
                "{:<10} {:>9} {:>9}",
                s.dates[i],
                f(s.ret_a.at(i), 5),
                f(s.ret_b.at(i), 5)
            );
            for p in points {
                let _ = write!(o, " {:>8} {:>7}", f(p.corr, 4), f(p.beta, 3));
            }
            if partial {
                for rw in &s.rolling {
                    let _ = write!(o, " {:>9}", f(rw.pcorr.get(i), 4));
                }
            }
            o.push('\n');
        }
        Ok(())
    });
    if let Err(e) = written {
        // Only a report with invalid windows (not one of `analyze_with`) gets here.
        let _ = writeln!(o, "(cannot compute the rolling windows: {e})");
    }
    if let Some(c) = r.control.as_ref().filter(|c| !c.controls.is_empty()) {
        let _ = writeln!(
            o,
            "(pcorr: partial correlation given {})",
            c.controls.join(", ")
        );
    }
    o.push_str(&note);
    o
}

/// The normalized overlay as JSON: `{a, b, dates, a_norm, b_norm}` (names and rebased values).
pub fn overlay_json(r: &Report) -> Result<String, ReportError> {
    #[derive(serde::Serialize)]
    struct Overlay<'a> {
        a: &'a str,
        b: &'a str,
        dates: &'a [lockstep_core::Date],
        a_norm: &'a [f64],
        b_norm: &'a [f64],
    }
    let s = &r.series;
    serde_json::to_string_pretty(&Overlay {
        a: &r.a.name,
        b: &r.b.name,
        dates: &s.dates,
        a_norm: &s.norm_a,
        b_norm: &s.norm_b,
    })
    .map_err(ReportError::Json)
}

/// The normalized overlay as a human table: the last `rows` aligned dates (0 = all).
pub fn overlay_table(r: &Report, rows: usize) -> String {
    let s = &r.series;
    let n = s.dates.len();
    let (start, note) = tail(n, rows, "--rows 0 shows all");
    let (na, nb) = (short(&r.a.name, 12), short(&r.b.name, 12));
    let mut out = format!(
        "{:<10} {:>12} {:>12}   (rebased to 100 on {})\n",
        "date", na, nb, r.period.first
    );
    for i in start..n {
        let _ = writeln!(
            out,
            "{:<10} {:>12.2} {:>12.2}",
            s.dates[i], s.norm_a[i], s.norm_b[i]
        );
    }
    out.push_str(&note);
    out
}

/// The per-window summary as CSV: one row per window,
/// `window,date,corr,corr_lo,corr_hi,beta,vol_a,vol_b,percentile,share_strong,min,min_date,
/// max,max_date,strength`; with the bootstrap (the default) `boot_lo,boot_hi` follow (the
/// stationary-bootstrap interval of the latest correlation), and with controls
/// `pcorr,pcorr_lo,pcorr_hi` (the latest partial correlation given them).
pub fn summary_csv(r: &Report) -> String {
    let mut out = String::from(
        "window,date,corr,corr_lo,corr_hi,beta,vol_a,vol_b,percentile,share_strong,min,min_date,max,max_date,strength",
    );
    let inf = r.inference.as_ref();
    let ctl = r.control.as_ref().filter(|c| !c.controls.is_empty());
    if inf.is_some() {
        out.push_str(",boot_lo,boot_hi");
    }
    if ctl.is_some() {
        out.push_str(",pcorr,pcorr_lo,pcorr_hi");
    }
    out.push('\n');
    for w in &r.windows {
        let l = w.latest.as_ref();
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            w.window,
            l.map(|l| l.date.to_string()).unwrap_or_default(),
            cell(l.map(|l| l.corr)),
            cell(l.and_then(|l| l.corr_lo)),
            cell(l.and_then(|l| l.corr_hi)),
            cell(l.and_then(|l| l.beta)),
            cell(l.and_then(|l| l.vol_a)),
            cell(l.and_then(|l| l.vol_b)),
            cell(w.percentile),
            cell(w.share_strong),
            cell(w.min.as_ref().map(|m| m.value)),
            w.min
                .as_ref()
                .map(|m| m.date.to_string())
                .unwrap_or_default(),
            cell(w.max.as_ref().map(|m| m.value)),
            w.max
                .as_ref()
                .map(|m| m.date.to_string())
                .unwrap_or_default(),
            w.strength.unwrap_or_default(),
        );
        if let Some(inf) = inf {
            let e = inf.window(w.window).map(|e| &e.estimate);
            let _ = write!(
                out,
                ",{},{}",
                cell(e.and_then(|e| e.boot_lo)),
                cell(e.and_then(|e| e.boot_hi))
            );
        }
        if let Some(c) = ctl {
            let p = c.windows.iter().find(|x| x.window == w.window);
            let _ = write!(
                out,
                ",{},{},{}",
                cell(p.and_then(|p| p.partial)),
                cell(p.and_then(|p| p.lo)),
                cell(p.and_then(|p| p.hi))
            );
        }
        out.push('\n');
    }
    out
}

/// The whole report as pretty JSON (dates as `YYYY-MM-DD`, undefined values as `null`).
pub fn json(r: &Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(r).map_err(ReportError::Json)
}

/// The human report of `lockstep analyze`: the document of [`crate::describe::report`] laid
/// out for a terminal (see [`crate::doc::text`]); ANSI colour when `color`.
pub fn table(r: &Report, color: bool) -> String {
    text::layout(&crate::describe::report(r), color)
}
