//! Renderers of `lockstep leadlag` and `lockstep regimes` (table, CSV, JSON); the tables lay
//! out the report's lead-lag and regimes sections (see `crate::describe`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::describe;
use crate::doc::text::{self, cell};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::linkage::{Granger, GrangerRow, LagPoint};
use crate::words::regime as regime_name;
use crate::{IntradayLeadLag, Report, ReportError};

/// `lockstep leadlag` as a table: the lead-lag section of the report (its facts, the Granger
/// tests and every lag).
pub fn leadlag_table(r: &Report, color: bool) -> String {
    text::section(&describe::lead_lag_section(r), color)
}

#[derive(Serialize)]
struct Named<'a, T> {
    a: &'a str,
    b: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<&'a str>,
    #[serde(flatten)]
    section: &'a T,
}

/// `lockstep leadlag --format json`: the lead-lag section with the legs' names. Keys: `a`,
/// `b`, `interval` (`1d` on daily closes), `n`, `max_lag`, `window`, `unit`, `ccf` (`{lag,
/// corr, n}`), `band`, `granger` (`b_causes_a`, `a_causes_b`: `{lag, f, p, df_num,
/// df_den}`), `best_lag`, `rolling_best_lag` (`{date, lag, corr}`), `reaction` (`{unit,
/// count, median, q1, q3, share_zero, share_b_leads, share_a_leads, histogram}`, `unit` =
/// `day`, `week` or `month`), `notes`.
pub fn leadlag_json(r: &Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(&Named {
        a: &r.a.name,
        b: &r.b.name,
        interval: Some(lockstep_core::Interval::D1.name()),
        section: &r.lead_lag,
    })
    .map_err(ReportError::Json)
}

/// `lockstep leadlag --format csv`: one row per lag,
/// `lag,corr,n,granger_b_causes_a_f,granger_b_causes_a_p,granger_a_causes_b_f,granger_a_causes_b_p`.
pub fn leadlag_csv(r: &Report) -> String {
    let ll = &r.lead_lag;
    lag_rows(&ll.ccf, ll.granger.as_ref())
}

/// `lockstep leadlag --interval --format csv`: the daily CSV's columns, one row per lag in
/// bars (correlations and Granger tests within sessions).
pub fn intraday_leadlag_csv(ll: &IntradayLeadLag) -> String {
    lag_rows(&ll.ccf, ll.granger.as_ref())
}

fn lag_rows(ccf: &[LagPoint], granger: Option<&Granger>) -> String {
    let mut o = String::from(
        "lag,corr,n,granger_b_causes_a_f,granger_b_causes_a_p,granger_a_causes_b_f,granger_a_causes_b_p\n",
    );
    for c in ccf {
        let g = |rows: Option<&Vec<GrangerRow>>| {
            rows.and_then(|v| v.iter().find(|t| t.lag as i64 == c.lag))
                .map(|t| (cell(Some(t.f)), cell(Some(t.p))))
                .unwrap_or_default()
        };
        let (fba, pba) = g(granger.map(|g| &g.b_causes_a));
        let (fab, pab) = g(granger.map(|g| &g.a_causes_b));
        let _ = writeln!(
            o,
            "{},{},{},{fba},{pba},{fab},{pab}",
            c.lag,
            cell(c.corr),
            c.n
        );
    }
    o
}

/// `lockstep leadlag --interval` as a table: the lead-lag section within sessions.
pub fn intraday_leadlag_table(r: &Report, ll: &IntradayLeadLag, color: bool) -> String {
    text::section(&describe::intraday_lead_lag_section(r, ll), color)
}

/// `lockstep leadlag --interval --format json`: the keys of [`leadlag_json`] with `interval`
/// the bar interval, lags in bars within sessions, `rolling_best_lag` entries `{time, lag,
/// corr}` (the end of the window's last bar, RFC 3339 in UTC) and `reaction.unit` the bar
/// interval.
pub fn intraday_leadlag_json(r: &Report, ll: &IntradayLeadLag) -> Result<String, ReportError> {
    serde_json::to_string_pretty(&Named {
        a: &r.a.name,
        b: &r.b.name,
        interval: Some(ll.interval.name()),
        section: ll,
    })
    .map_err(ReportError::Json)
}

/// `lockstep regimes` as a table: the regimes section of the report, then every divergence
/// event.
pub fn regimes_table(r: &Report, color: bool) -> String {
    let mut o = text::section(&describe::regimes_section(r), color);
    if !r.regimes.divergences.is_empty() {
        let mut t = Table::new(
            "divergences",
            vec![
                Column::new("date", Kind::Date),
                Column::new("ret_a", Kind::Num),
                Column::new("ret_b", Kind::Num),
                Column::new("expected", Kind::Num),
                Column::new("z", Kind::Num),
            ],
        );
        for d in &r.regimes.divergences {
            t.rows.push(vec![
                Cell::new(d.date.to_string()),
                Cell::toned(format!("{:+.2}%", 100.0 * d.ret_a), Tone::Sign(d.ret_a)),
                Cell::toned(format!("{:+.2}%", 100.0 * d.ret_b), Tone::Sign(d.ret_b)),
                Cell::new(format!("{:+.2}%", 100.0 * d.predicted)),
                Cell::new(format!("{:+.2}", d.z)),
            ]);
        }
        o.push('\n');
        o.push_str(&text::section(
            &Section {
                id: "divergences",
                title: format!("Every divergence event ({})", r.regimes.divergences.len()),
                blocks: vec![Block::Table(t)],
            },
            color,
        ));
    }
    o
}

/// `lockstep regimes --format csv`: one row per aligned date,
/// `date,regime,ret_a,ret_b,divergence_z` (`divergence_z` only on divergence events), then
/// `rate_beta_a,rate_beta_b` when a rate series was given.
pub fn regimes_csv(r: &Report) -> String {
    let rg = &r.regimes;
    let mut o = String::from("date,regime,ret_a,ret_b,divergence_z");
    let rate_cols = rg.rate.as_ref().map(|rate| {
        let look = |b: &Option<crate::linkage::RateBeta>| {
            b.as_ref()
                .map(|b| {
                    b.series
                        .iter()
                        .copied()
                        .collect::<std::collections::HashMap<_, _>>()
                })
                .unwrap_or_default()
        };
        (look(&rate.a), look(&rate.b))
    });
    if rate_cols.is_some() {
        o.push_str(",rate_beta_a,rate_beta_b");
    }
    o.push('\n');
    let events: std::collections::HashMap<_, _> =
        rg.divergences.iter().map(|d| (d.date, d.z)).collect();
    for (i, d) in r.series.dates.iter().enumerate() {
        let _ = write!(
            o,
            "{d},{},{},{},{}",
            rg.regime[i].map(regime_name).unwrap_or(""),
            cell(r.series.ret_a.at(i)),
            cell(r.series.ret_b.at(i)),
            cell(events.get(d).copied())
        );
        if let Some((ra, rb)) = &rate_cols {
            let _ = write!(
                o,
                ",{},{}",
                cell(ra.get(d).copied().flatten()),
                cell(rb.get(d).copied().flatten())
            );
        }
        o.push('\n');
    }
    o
}

/// `lockstep regimes --format json`: the regimes section with the legs' names.
pub fn regimes_json(r: &Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(&Named {
        a: &r.a.name,
        b: &r.b.name,
        interval: None,
        section: &r.regimes,
    })
    .map_err(ReportError::Json)
}
