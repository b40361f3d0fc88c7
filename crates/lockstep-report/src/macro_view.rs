//! Renderers of the macro commands (`lockstep fed`, `lockstep liquidity`) and the liquidity
//! section of `analyze`. The numbers are those of `lockstep-macro`; this module formats them.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::doc::text::{cell, wrap, Style};
use crate::ReportError;
use lockstep_macro::{
    FedWatch, LiquidityCorrelation, LiquidityPoint, MeetingKind, NetLiquidity, RangeSource,
};

/// The liquidity section of `analyze`: the weekly correlation of both legs with the change in
/// net liquidity, or the reason it is absent.
#[derive(Clone, Debug, Serialize)]
pub struct LiquiditySection {
    /// The latest net-liquidity week.
    pub latest: Option<LiquidityPoint>,
    /// Correlation of each leg's weekly log return with the weekly change in net liquidity.
    pub correlation: Option<LiquidityCorrelation>,
    /// Why the section is absent (one line), when it is.
    pub reason: Option<String>,
}

impl LiquiditySection {
    /// A section that could not be computed, with its one-line reason.
    pub fn absent(reason: impl Into<String>) -> LiquiditySection {
        LiquiditySection {
            latest: None,
            correlation: None,
            reason: Some(reason.into()),
        }
    }
}

fn bn(v: f64) -> String {
    format!("{:.1}", v / 1000.0)
}

fn opt_bn(v: Option<f64>) -> String {
    v.map(|v| format!("{:+.1}", v / 1000.0))
        .unwrap_or_else(|| "-".into())
}

/// The table of `lockstep liquidity`: the latest `rows` weeks (0 = all), in $ billions.
pub fn liquidity_table(l: &NetLiquidity, rows: usize, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        st.bold("Net liquidity = Fed balance sheet − Treasury General Account − reverse repo")
    );
    for n in &l.notes {
        wrap(&mut o, n);
    }
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:<10} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>6}",
            "week", "WALCL", "TGA", "RRP", "net", "4w chg", "13w chg", "z"
        ))
    );
    let from = if rows == 0 {
        0
    } else {
        l.points.len().saturating_sub(rows)
    };
    for p in &l.points[from..] {
        let _ = writeln!(
            o,
            "  {} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>6}",
            p.date,
            bn(p.fed_assets),
            bn(p.tga),
            bn(p.rrp),
            bn(p.net),
            opt_bn(p.change_4w),
            opt_bn(p.change_13w),
            p.z_13w
                .map(|z| format!("{z:+.2}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  $ billions; z of the 13-week change over {} weeks; {} weeks, {} skipped",
            l.z_window,
            l.points.len(),
            l.skipped.len()
        ))
    );
    o
}

/// CSV of `lockstep liquidity`, units in the names (millions of USD):
/// `date,walcl_musd,tga_musd,rrp_musd,net_musd,change_4w_musd,change_13w_musd,z_13w,tga_date,
/// rrp_date`.
pub fn liquidity_csv(l: &NetLiquidity) -> String {
    let mut o = String::from(
        "date,walcl_musd,tga_musd,rrp_musd,net_musd,change_4w_musd,change_13w_musd,z_13w,\
         tga_date,rrp_date\n",
    );
    for p in &l.points {
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{}",
            p.date,
            cell(Some(p.fed_assets)),
            cell(Some(p.tga)),
            cell(Some(p.rrp)),
            cell(Some(p.net)),
            cell(p.change_4w),
            cell(p.change_13w),
            cell(p.z_13w),
            p.tga_date,
            p.rrp_date
        );
    }
    o
}

/// JSON of `lockstep liquidity`.
pub fn liquidity_json(l: &NetLiquidity) -> Result<String, ReportError> {
    serde_json::to_string_pretty(l).map_err(ReportError::Json)
}

fn range_label(lower: f64, upper: f64) -> String {
    format!("{lower:.2}-{upper:.2}")
}

/// The table of `lockstep fed`: one row per future decision. `source` says where the current
/// range came from when it was read from a series (e.g. FRED), shown in the header.
pub fn fed_table(f: &FedWatch, source: Option<&str>, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    let from = match f.range_source {
        RangeSource::Given => source.unwrap_or("given"),
        RangeSource::EffectiveRate => "the range containing the effective rate",
        RangeSource::Futures => "inferred from the futures",
    };
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Fed rate-move probabilities from fed funds futures{}",
            f.as_of.map(|d| format!(", as of {d}")).unwrap_or_default()
        ))
    );
    let _ = writeln!(
        o,
        "  current target range {} ({from})",
        range_label(f.current_range.lower, f.current_range.upper)
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:<11} {:>8} {:>7} {:>7} {:>7} {:>8}  {}",
            "decision", "move bp", "P(cut)", "P(hold)", "P(hike)", "expected", "most likely"
        ))
    );
    let pct = |p: f64| format!("{:.1}%", 100.0 * p);
    for m in &f.meetings {
        let best = m.ranges.iter().max_by(|a, b| a.p.total_cmp(&b.p));
        let mark = if m.kind == MeetingKind::Unscheduled {
            "*"
        } else {
            " "
        };
        let _ = writeln!(
            o,
            "  {}{mark} {:>+8.1} {:>7} {:>7} {:>7} {:>8.3}  {}",
            m.date,
            m.implied_move_bp,
            pct(m.p_cut),
            pct(m.p_hold),
            pct(m.p_hike),
            m.expected_rate,
            best.map(|b| format!("{} {}", range_label(b.lower, b.upper), pct(b.p)))
                .unwrap_or_default()
        );
    }
    if f.meetings.is_empty() {
        let _ = writeln!(
            o,
            "  no future FOMC decision in the strip's months (check --as-of and the contracts)"
        );
    }
    if !f.unresolved.is_empty() {
        let dates: Vec<String> = f.unresolved.iter().map(|d| d.to_string()).collect();
        let _ = writeln!(o, "  unresolved (no usable quotes): {}", dates.join(", "));
    }
    let _ = writeln!(
        o,
        "{}",
        st.dim("  P(cut/hold/hike): the range after the decision against the current one;")
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim("  move bp: that decision alone; * unscheduled")
    );
    for n in &f.notes {
        wrap(&mut o, &format!("note: {n}"));
    }
    o
}

/// CSV of `lockstep fed`: `date,kind,implied_move_bp,p_cut,p_hold,p_hike,expected_rate`, then
/// one column `p_<lower>_<upper>` per target range that has a probability at any decision
/// (ascending), a fraction in [0, 1] (empty = 0).
pub fn fed_csv(f: &FedWatch) -> String {
    let key = |lower: f64, upper: f64| (lower.to_bits(), upper.to_bits());
    let ranges: BTreeSet<(u64, u64)> = f
        .meetings
        .iter()
        .flat_map(|m| m.ranges.iter().map(move |r| key(r.lower, r.upper)))
        .collect();
    // Positive rates sort by their bits; ranges are never negative (floored at zero).
    let ranges: Vec<(u64, u64)> = ranges.into_iter().collect();
    let mut o = String::from("date,kind,implied_move_bp,p_cut,p_hold,p_hike,expected_rate");
    for (l, u) in &ranges {
        let _ = write!(o, ",p_{:.2}_{:.2}", f64::from_bits(*l), f64::from_bits(*u));
    }
    o.push('\n');
    for m in &f.meetings {
        let kind = match m.kind {
            MeetingKind::Scheduled => "scheduled",
            MeetingKind::Unscheduled => "unscheduled",
        };
        let _ = write!(
            o,
            "{},{kind},{},{},{},{},{}",
            m.date,
            cell(Some(m.implied_move_bp)),
            cell(Some(m.p_cut)),
            cell(Some(m.p_hold)),
            cell(Some(m.p_hike)),
            cell(Some(m.expected_rate))
        );
        for k in &ranges {
            let p = m
                .ranges
                .iter()
                .find(|r| key(r.lower, r.upper) == *k)
                .map(|r| r.p);
            o.push(',');
            o.push_str(&cell(p));
        }
        o.push('\n');
    }
    o
}

/// JSON of `lockstep fed`: the whole result; `meetings` is a list of `{date, p_cut, p_hold,
/// p_hike, expected_rate, ranges: [{lower, upper, p}], ...}`, probabilities as fractions.
pub fn fed_json(f: &FedWatch) -> Result<String, ReportError> {
    serde_json::to_string_pretty(f).map_err(ReportError::Json)
}
