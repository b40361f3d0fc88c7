//! Equity breadth (`lockstep breadth`): small-cap relative strength (IWM/SPY), equal weight
//! against cap weight (RSP/SPY), and the breadth of a basket of constituents (share above the
//! 50- and 200-day averages, advance-decline line). The numbers are those of
//! [`lockstep_structure::relative_strength`] and [`lockstep_structure::breadth`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::doc::text::{cell, short, Style};
use crate::ReportError;
use lockstep_core::{common_dates, Date, PriceSeries};
use lockstep_structure::{breadth, relative_strength, BreadthPoint, RelativeStrength, RsTrend};

/// Relative strength of one pair, named.
#[derive(Clone, Debug, Serialize)]
pub struct RsReading {
    /// What it measures ("small caps vs large caps").
    pub label: String,
    /// `A/B`.
    pub name: String,
    /// The ratio on the common dates of A and B, its moving average and trend.
    pub rs: RelativeStrength,
}

/// Breadth of a basket of constituents.
#[derive(Clone, Debug, Serialize)]
pub struct Basket {
    /// Where the constituents came from (a folder).
    pub source: String,
    /// Number of constituents.
    pub constituents: usize,
    /// One point per date of the union of the constituents' dates.
    pub points: Vec<BreadthPoint>,
}

/// The breadth report.
#[derive(Clone, Debug, Serialize)]
pub struct BreadthReport {
    /// Moving average of the relative-strength ratios.
    pub ma: usize,
    /// Relative-strength pairs, in the order given.
    pub pairs: Vec<RsReading>,
    /// The basket, when constituents were given.
    pub basket: Option<Basket>,
}

/// Build the breadth report: each `(label, a, b)` pair's relative strength `a/b` on their
/// common dates with an `ma`-day average, and the basket's breadth on the union of its dates.
pub fn breadth_report(
    pairs: &[(String, PriceSeries, PriceSeries)],
    basket: Option<(String, &[PriceSeries])>,
    ma: usize,
) -> Result<BreadthReport, ReportError> {
    let st = ReportError::Structure;
    let mut readings = Vec::new();
    for (label, a, b) in pairs {
        let (dates, pa, pb) = common_dates(a, b);
        readings.push(RsReading {
            label: label.clone(),
            name: format!("{}/{}", a.name, b.name),
            rs: relative_strength(&dates, &pa, &pb, ma).map_err(st)?,
        });
    }
    let basket = match basket {
        Some((source, series)) => {
            let grid: Vec<Date> = series
                .iter()
                .flat_map(|s| s.dates.iter().copied())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let refs: Vec<&PriceSeries> = series.iter().collect();
            Some(Basket {
                source,
                constituents: series.len(),
                points: breadth(&refs, &grid).map_err(st)?,
            })
        }
        None => None,
    };
    Ok(BreadthReport {
        ma,
        pairs: readings,
        basket,
    })
}

fn trend_name(t: Option<RsTrend>) -> &'static str {
    match t {
        Some(RsTrend::Outperforming) => "outperforming",
        Some(RsTrend::Underperforming) => "underperforming",
        Some(RsTrend::Mixed) => "mixed",
        None => "not enough history",
    }
}

impl BreadthReport {
    /// The human report: one line per pair, then the basket's latest breadth and its change
    /// over the last `rows` dates of its table.
    pub fn table(&self, rows: usize, color: bool) -> String {
        let st = Style { color };
        let mut o = String::new();
        let _ = writeln!(o, "{}", st.bold("Breadth"));
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  {:<18} {:<10} {:>10} {:>7} {:>7}  {}",
                "relative strength",
                "as of",
                "ratio",
                format!("vs {}d", self.ma),
                "ma slope",
                "trend"
            ))
        );
        for r in &self.pairs {
            let pct = |v: Option<f64>| v.map(|v| format!("{v:+.1}%")).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                o,
                "  {:<18} {} {:>10.4} {:>7} {:>7}  {}",
                short(&r.name, 18),
                r.rs.date,
                r.rs.last,
                pct(r.rs.distance_from_ma_pct),
                pct(r.rs.ma_slope_pct),
                trend_name(r.rs.trend)
            );
        }
        if self.pairs.is_empty() {
            let _ = writeln!(o, "  no relative-strength pair asked for");
        }
        if let Some(b) = &self.basket {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "{}",
                st.bold(&format!(
                    "Constituents: {} series from {}",
                    b.constituents,
                    short(&b.source, 40)
                ))
            );
            let _ = writeln!(
                o,
                "{}",
                st.dim(&format!(
                    "  {:<10} {:>9} {:>9} {:>6} {:>6} {:>9}",
                    "date", ">50d avg", ">200d avg", "adv", "dec", "A/D line"
                ))
            );
            let from = if rows == 0 {
                0
            } else {
                b.points.len().saturating_sub(rows)
            };
            let share = |v: Option<f64>| {
                v.map(|v| format!("{:.1}%", 100.0 * v))
                    .unwrap_or_else(|| "-".into())
            };
            for p in &b.points[from..] {
                let _ = writeln!(
                    o,
                    "  {} {:>9} {:>9} {:>6} {:>6} {:>9}",
                    p.date,
                    share(p.above_50),
                    share(p.above_200),
                    p.advances,
                    p.declines,
                    p.ad_line
                );
            }
        }
        o
    }

    /// CSV on the union of dates: `date`, then `<A/B>,<A/B>_ma_N` per pair, then
    /// `above_50,above_200,counted_50,counted_200,advances,declines,ad_line` when a basket was
    /// given; empty cells where a column has no value on that date.
    pub fn csv(&self) -> String {
        let np = self.pairs.len();
        let width = 2 * np + if self.basket.is_some() { 7 } else { 0 };
        let mut rows: BTreeMap<Date, Vec<String>> = BTreeMap::new();
        fn row(rows: &mut BTreeMap<Date, Vec<String>>, d: Date, width: usize) -> &mut Vec<String> {
            rows.entry(d).or_insert_with(|| vec![String::new(); width])
        }
        for (k, r) in self.pairs.iter().enumerate() {
            for p in &r.rs.points {
                let cells = row(&mut rows, p.date, width);
                cells[2 * k] = cell(Some(p.ratio));
                cells[2 * k + 1] = cell(p.ma);
            }
        }
        if let Some(b) = &self.basket {
            for p in &b.points {
                let cells = row(&mut rows, p.date, width);
                let base = 2 * np;
                cells[base] = cell(p.above_50);
                cells[base + 1] = cell(p.above_200);
                cells[base + 2] = p.counted_50.to_string();
                cells[base + 3] = p.counted_200.to_string();
                cells[base + 4] = p.advances.to_string();
                cells[base + 5] = p.declines.to_string();
                cells[base + 6] = p.ad_line.to_string();
            }
        }
        let mut o = String::from("date");
        for r in &self.pairs {
            let _ = write!(o, ",{},{}_ma_{}", r.name, r.name, self.ma);
        }
        if self.basket.is_some() {
            o.push_str(",above_50,above_200,counted_50,counted_200,advances,declines,ad_line");
        }
        o.push('\n');
        for (d, cells) in rows {
            let _ = writeln!(o, "{d},{}", cells.join(","));
        }
        o
    }

    /// Pretty JSON.
    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(ReportError::Json)
    }
}
