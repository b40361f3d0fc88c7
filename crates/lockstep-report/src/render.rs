//! Renderers of a [`Report`]: terminal table, CSV and JSON. They format; they compute nothing.

use std::fmt::Write as _;

use crate::{Report, ReportError};

mod linkage;
mod structure;

pub use linkage::{
    leadlag_csv, leadlag_json, leadlag_table, regimes_csv, regimes_json, regimes_table,
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

/// A CSV cell: empty when undefined, else the shortest decimal that round-trips to the same f64.
pub(crate) fn cell(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The per-date CSV of `lockstep corr`: header exactly `date,ret_a,ret_b`, then for each window
/// `w` in the order given `corr_w,corr_w_lo,corr_w_hi,beta_w`; one row per aligned date (the
/// first has no return); empty cells where a value is undefined; full f64 precision.
pub fn corr_csv(r: &Report) -> String {
    let mut out = String::from("date,ret_a,ret_b");
    for w in &r.params.windows {
        let _ = write!(out, ",corr_{w},corr_{w}_lo,corr_{w}_hi,beta_{w}");
    }
    out.push('\n');
    let s = &r.series;
    for i in 0..s.dates.len() {
        let _ = write!(
            out,
            "{},{},{}",
            s.dates[i],
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

/// The normalized overlay as CSV: `date,a,b`, both legs rebased to 100 on the first aligned date.
pub fn overlay_csv(r: &Report) -> String {
    let s = &r.series;
    let mut out = String::from("date,a,b\n");
    for i in 0..s.dates.len() {
        let _ = writeln!(out, "{},{},{}", s.dates[i], s.norm_a[i], s.norm_b[i]);
    }
    out
}

/// The human form of `lockstep corr`: the last `rows` aligned dates (0 = all).
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
    o.push('\n');
    for i in start..n {
        let _ = write!(
            o,
            "{:<10} {:>9} {:>9}",
            s.dates[i],
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

/// The per-window summary as CSV: one row per window.
pub fn summary_csv(r: &Report) -> String {
    let mut out = String::from(
        "window,date,corr,corr_lo,corr_hi,beta,vol_a,vol_b,percentile,share_strong,min,min_date,max,max_date,strength\n",
    );
    for w in &r.windows {
        let l = w.latest.as_ref();
        let _ = writeln!(
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
    }
    out
}

/// The whole report as pretty JSON (dates as `YYYY-MM-DD`, undefined values as `null`).
pub fn json(r: &Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(r).map_err(ReportError::Json)
}

pub(crate) struct Style {
    pub(crate) color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Green for strong positive, yellow for moderate, red for negative.
    fn corr(&self, r: f64, s: &str) -> String {
        let code = if r > 0.5 {
            "32"
        } else if r > 0.3 {
            "33"
        } else if r < -0.1 {
            "31"
        } else {
            "0"
        };
        self.paint(code, s)
    }
    fn signed(&self, v: f64, s: &str) -> String {
        self.paint(if v >= 0.0 { "32" } else { "31" }, s)
    }
}

fn pct(v: f64) -> String {
    format!("{:+.1}%", 100.0 * v)
}

/// Words wrapped at 78 columns, each line indented by two spaces.
pub(crate) fn wrap(o: &mut String, text: &str) {
    let mut line = String::from(" ");
    for word in text.split_whitespace() {
        if line.chars().count() + 1 + word.chars().count() > 78 && !line.trim().is_empty() {
            let _ = writeln!(o, "{line}");
            line = String::from("   ");
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(o, "{line}");
}

pub(crate) fn short(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// The human report of `lockstep analyze`, at most 80 columns wide; ANSI colour when `color`.
pub fn table(r: &Report, color: bool) -> String {
    let st = Style { color };
    let (na, nb) = (short(&r.a.name, 14), short(&r.b.name, 14));
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold(&format!("Lockstep: {na} vs {nb}")));
    for (tag, leg) in [("A", &r.a), ("B", &r.b)] {
        let _ = writeln!(
            o,
            "  {tag}  {:<14} {}..{} {:>5} obs  {:<10} {}",
            short(&leg.name, 14),
            leg.first,
            leg.last,
            leg.observations,
            crate::words::calendar(leg.calendar),
            leg.price_field.label(),
        );
    }
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  read as: A {} file, B {} file",
            r.a.format, r.b.format
        ))
    );
    let p = &r.params;
    let _ = writeln!(
        o,
        "  Aligned ({}): {} .. {}, {} dates, {} {} returns",
        p.align.name(),
        r.period.first,
        r.period.last,
        r.period.dates,
        r.period.returns,
        p.returns.name(),
    );
    let method = crate::words::method(p.method);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Rolling correlation ({method}, {:.0}% Fisher-z interval)",
            100.0 * p.confidence
        ))
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:>6} {:>7}  {:<17} {:>6} {:>6} {:>7}  {}",
            "window",
            "corr",
            "interval",
            "pctile",
            format!(">{}", p.strong),
            "beta",
            "strength"
        ))
    );
    for w in &r.windows {
        match &w.latest {
            Some(l) => {
                let interval = match (l.corr_lo, l.corr_hi) {
                    (Some(lo), Some(hi)) => format!("[{lo:+.3}, {hi:+.3}]"),
                    _ => "-".into(),
                };
                let _ = writeln!(
                    o,
                    "  {:>6} {}  {:<17} {:>5.0}% {:>5.0}% {:>7}  {}",
                    w.window,
                    st.corr(l.corr, &format!("{:>+7.3}", l.corr)),
                    interval,
                    w.percentile.unwrap_or(f64::NAN),
                    100.0 * w.share_strong.unwrap_or(f64::NAN),
                    l.beta
                        .map(|b| format!("{b:.3}"))
                        .unwrap_or_else(|| "-".into()),
                    st.corr(l.corr, w.strength.unwrap_or_default()),
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "  {:>6} {:>7}  not enough aligned returns for this window",
                    w.window, "-"
                );
            }
        }
    }
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:>6} {:<27} {:<27} {}",
            "window", "min (date)", "max (date)", "as of"
        ))
    );
    for w in &r.windows {
        let ext = |e: &Option<crate::Extreme>| {
            e.as_ref()
                .map(|e| format!("{:+.3} ({})", e.value, e.date))
                .unwrap_or_else(|| "-".into())
        };
        let asof = w
            .latest
            .as_ref()
            .map(|l| l.date.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {:>6} {:<27} {:<27} {}",
            w.window,
            ext(&w.min),
            ext(&w.max),
            asof
        );
    }
    if let Some(w) = r.windows.first() {
        if let Some(l) = &w.latest {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "{}",
                st.bold(&format!(
                    "Annualized volatility, last {} returns (×√{})",
                    w.window, p.periods_per_year
                ))
            );
            let vol = |v: Option<f64>| {
                v.map(|v| format!("{:.1}%", 100.0 * v))
                    .unwrap_or_else(|| "-".into())
            };
            let _ = writeln!(
                o,
                "  {:<14} {:>8}   {:<14} {:>8}",
                na,
                vol(l.vol_a),
                nb,
                vol(l.vol_b)
            );
        }
    }
    let pf = &r.performance;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Performance (overlay rebased to 100 on {})",
            r.period.first
        ))
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:<14} {:>10} {:>10} {:>10}   {}",
            "", "start", "end", "total", "year to date"
        ))
    );
    for (name, lp) in [(&na, &pf.a), (&nb, &pf.b)] {
        let _ = writeln!(
            o,
            "  {:<14} {:>10} {:>10} {}   {} since {}",
            name,
            format!("{:.2}", lp.start),
            format!("{:.2}", lp.end),
            st.signed(lp.total_return, &format!("{:>10}", pct(lp.total_return))),
            st.signed(lp.ytd_return, &pct(lp.ytd_return)),
            lp.ytd_base_date,
        );
    }
    linkage::sections(&mut o, r, &st);
    structure::section(&mut o, r, &st);
    crate::macro_view::liquidity_words(&mut o, &r.liquidity, &st);
    if let Some(w) = r.windows.first() {
        if let Some(l) = &w.latest {
            let _ = writeln!(o);
            let verdict = crate::words::linkage(l.corr, p.strong);
            let _ = writeln!(o, "{} {na} and {nb} are {verdict}.", st.bold("Verdict:"));
            let _ = writeln!(
                o,
                "  {}-return correlation {} ({}) as of {},",
                w.window,
                st.corr(l.corr, &format!("{:+.2}", l.corr)),
                w.strength.unwrap_or(""),
                l.date,
            );
            let _ = writeln!(
                o,
                "  at the {:.0}th percentile of its own history; beta {}.",
                w.percentile.unwrap_or(f64::NAN),
                l.beta
                    .map(|b| format!("{b:.2}"))
                    .unwrap_or_else(|| "undefined".into()),
            );
        }
    }
    o
}
