//! One shape for every command's result: [`View`] renders it as a table for people, as CSV or
//! as JSON for machines, and [`View::render`] picks one by [`Format`]. Each command's result
//! is a view (a report, or a borrowed part of one such as [`Correlation`]); front ends print
//! `view.render(format, look)` and nothing else.
//!
//! The conventions all views share: a table may show only the latest [`Look::rows`] rows
//! (0 = all) and says what it left out; CSV and JSON hold everything; CSV cells hold full
//! f64 precision and are empty where a value is undefined; JSON has `null` there.

use serde::Serialize;

use lockstep_macro::{FedWatch, NetLiquidity};
use lockstep_signals::BacktestResult;

use crate::breadth::BreadthReport;
use crate::screen::{screens_csv, Screen};
use crate::signals_view::SignalsReport;
use crate::structure::{LevelsReport, PatternsReport};
use crate::technicals::Technicals;
use crate::{
    macro_view, render, signals_view, IntradayLeadLag, IntradayRolling, Report, ReportError,
};

/// The output format of a command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// Human-readable table.
    #[default]
    Table,
    /// CSV for machines (full f64 precision, empty cell = undefined).
    Csv,
    /// JSON for machines (null = undefined).
    Json,
}

/// How a table looks: how many of the latest rows it shows (0 = all; views without rows
/// ignore it) and whether it is coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Look {
    /// The latest rows shown (0 = all).
    pub rows: usize,
    /// Colours (ANSI) in the table.
    pub color: bool,
}

impl Look {
    /// A look with `rows` rows and colour `color`.
    pub fn new(rows: usize, color: bool) -> Look {
        Look { rows, color }
    }
}

/// A command's result, rendered three ways.
pub trait View {
    /// The table for people.
    fn table(&self, look: Look) -> String;
    /// CSV for machines.
    fn csv(&self) -> String;
    /// JSON for machines.
    fn json(&self) -> Result<String, ReportError>;

    /// [`View::csv`] written to `out`, ending with a newline when not empty. Views with a row
    /// per date write their rows one by one, without the whole CSV in memory.
    fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let csv = self.csv();
        out.write_all(csv.as_bytes())?;
        if !csv.is_empty() && !csv.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// The result in `format`.
    fn render(&self, format: Format, look: Look) -> Result<String, ReportError> {
        Ok(match format {
            Format::Table => self.table(look),
            Format::Csv => self.csv(),
            Format::Json => self.json()?,
        })
    }
}

/// Pretty JSON of any serializable value.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ReportError> {
    serde_json::to_string_pretty(value).map_err(ReportError::Json)
}

/// `lockstep analyze`: the whole report; CSV is one row per window.
pub struct Analysis<'a>(pub &'a Report);

impl View for Analysis<'_> {
    fn table(&self, look: Look) -> String {
        render::table(self.0, look.color)
    }
    fn csv(&self) -> String {
        render::summary_csv(self.0)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::json(self.0)
    }
}

/// `lockstep corr`: the per-date rolling correlation, its interval and beta per window; JSON
/// is the whole report.
pub struct Correlation<'a>(pub &'a Report);

impl View for Correlation<'_> {
    fn table(&self, look: Look) -> String {
        render::corr_table(self.0, look.rows)
    }
    fn csv(&self) -> String {
        render::corr_csv(self.0)
    }
    fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        render::write_corr_csv(self.0, out)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::json(self.0)
    }
}

/// `lockstep corr --interval`: the rolling correlation, interval and beta on every bar of the
/// exchange leg's regular sessions.
pub struct IntradayCorrelation<'a>(pub &'a IntradayRolling);

impl View for IntradayCorrelation<'_> {
    fn table(&self, look: Look) -> String {
        render::intraday_corr_table(self.0, look.rows)
    }
    fn csv(&self) -> String {
        render::intraday_corr_csv(self.0)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::intraday_corr_json(self.0)
    }
}

/// `lockstep leadlag --interval`: the lead-lag within sessions, in bars.
pub struct IntradayLeadLagView<'a> {
    /// The pair's report (names).
    pub report: &'a Report,
    /// The lead-lag in bars.
    pub lead_lag: &'a IntradayLeadLag,
}

impl View for IntradayLeadLagView<'_> {
    fn table(&self, look: Look) -> String {
        render::intraday_leadlag_table(self.report, self.lead_lag, look.color)
    }
    fn csv(&self) -> String {
        render::intraday_leadlag_csv(self.lead_lag)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::intraday_leadlag_json(self.report, self.lead_lag)
    }
}

/// `lockstep overlay`: both legs rebased to 100 on the aligned dates.
pub struct Overlay<'a>(pub &'a Report);

impl View for Overlay<'_> {
    fn table(&self, look: Look) -> String {
        render::overlay_table(self.0, look.rows)
    }
    fn csv(&self) -> String {
        render::overlay_csv(self.0)
    }
    fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        render::write_overlay_csv(self.0, out)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::overlay_json(self.0)
    }
}

/// `lockstep leadlag`: cross-correlation by lag, Granger, the rolling best lag.
pub struct LeadLag<'a>(pub &'a Report);

impl View for LeadLag<'_> {
    fn table(&self, look: Look) -> String {
        render::leadlag_table(self.0, look.color)
    }
    fn csv(&self) -> String {
        render::leadlag_csv(self.0)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::leadlag_json(self.0)
    }
}

/// `lockstep regimes`: the correlation per regime and its dates.
pub struct Regimes<'a>(pub &'a Report);

impl View for Regimes<'_> {
    fn table(&self, look: Look) -> String {
        render::regimes_table(self.0, look.color)
    }
    fn csv(&self) -> String {
        render::regimes_csv(self.0)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::regimes_json(self.0)
    }
}

/// `lockstep compare`: A against each candidate.
impl View for crate::compare::Comparison {
    fn table(&self, look: Look) -> String {
        crate::doc::text::layout(&crate::describe::comparison(self), look.color)
    }
    fn csv(&self) -> String {
        crate::compare::Comparison::csv(self)
    }
    fn json(&self) -> Result<String, ReportError> {
        to_json(self)
    }
}

/// `lockstep levels`: the levels nearest the last close and the latest breakouts.
impl View for LevelsReport {
    fn table(&self, look: Look) -> String {
        render::levels_table(self, look.rows, look.color)
    }
    fn csv(&self) -> String {
        render::levels_csv(self)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::levels_json(self)
    }
}

/// `lockstep levels --breakouts`: every breakout (JSON: the whole levels report).
pub struct Breakouts<'a>(pub &'a LevelsReport);

impl View for Breakouts<'_> {
    fn table(&self, look: Look) -> String {
        render::breakouts_table(self.0, look.rows, look.color)
    }
    fn csv(&self) -> String {
        render::breakouts_csv(self.0)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::levels_json(self.0)
    }
}

/// `lockstep patterns`: cup-and-handle candidates.
impl View for PatternsReport {
    fn table(&self, look: Look) -> String {
        render::patterns_table(self, look.color)
    }
    fn csv(&self) -> String {
        render::patterns_csv(self)
    }
    fn json(&self) -> Result<String, ReportError> {
        render::patterns_json(self)
    }
}

/// `lockstep technicals`: the indicators per date.
impl View for Technicals {
    fn table(&self, look: Look) -> String {
        Technicals::table(self, look.rows)
    }
    fn csv(&self) -> String {
        Technicals::csv(self)
    }
    fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        Technicals::write_csv(self, out)
    }
    fn json(&self) -> Result<String, ReportError> {
        Technicals::json(self)
    }
}

/// `lockstep breadth`: a basket's breadth and relative strength.
impl View for BreadthReport {
    fn table(&self, look: Look) -> String {
        BreadthReport::table(self, look.rows, look.color)
    }
    fn csv(&self) -> String {
        BreadthReport::csv(self)
    }
    fn json(&self) -> Result<String, ReportError> {
        BreadthReport::json(self)
    }
}

/// `lockstep signals`: each rule's state and its conditions.
impl View for SignalsReport {
    fn table(&self, look: Look) -> String {
        SignalsReport::table(self, look.color)
    }
    fn csv(&self) -> String {
        SignalsReport::csv(self)
    }
    fn json(&self) -> Result<String, ReportError> {
        SignalsReport::json(self)
    }
}

/// `lockstep backtest`: a strategy's result on the pair of `report`.
pub struct Backtest<'a> {
    /// The pair's report (names, dates).
    pub report: &'a Report,
    /// The backtest.
    pub result: &'a BacktestResult,
}

impl View for Backtest<'_> {
    fn table(&self, look: Look) -> String {
        signals_view::backtest_table(self.report, self.result, look.color)
    }
    fn csv(&self) -> String {
        signals_view::backtest_csv(self.result)
    }
    fn json(&self) -> Result<String, ReportError> {
        signals_view::backtest_json(self.result)
    }
}

/// `lockstep fed`: target-range probabilities per meeting, with where the futures came from.
pub struct Fed<'a> {
    /// The probabilities.
    pub fedwatch: &'a FedWatch,
    /// Where the futures prices came from (shown in the table).
    pub source: Option<&'a str>,
}

impl View for Fed<'_> {
    fn table(&self, look: Look) -> String {
        macro_view::fed_table(self.fedwatch, self.source, look.color)
    }
    fn csv(&self) -> String {
        macro_view::fed_csv(self.fedwatch)
    }
    fn json(&self) -> Result<String, ReportError> {
        macro_view::fed_json(self.fedwatch)
    }
}

/// `lockstep liquidity`: weekly net liquidity.
impl View for NetLiquidity {
    fn table(&self, look: Look) -> String {
        macro_view::liquidity_table(self, look.rows, look.color)
    }
    fn csv(&self) -> String {
        macro_view::liquidity_csv(self)
    }
    fn json(&self) -> Result<String, ReportError> {
        macro_view::liquidity_json(self)
    }
}

/// `lockstep screen`: one screen per window; the table shows the top [`Look::rows`] pairs of
/// each; CSV and JSON of one window are that screen's, of several the per-window forms.
pub struct Screens<'a>(pub &'a [Screen]);

impl View for Screens<'_> {
    fn table(&self, look: Look) -> String {
        self.0
            .iter()
            .map(|s| s.table(look.rows, look.color))
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn csv(&self) -> String {
        match self.0 {
            [one] => one.csv(),
            all => screens_csv(all),
        }
    }
    fn json(&self) -> Result<String, ReportError> {
        match self.0 {
            [one] => one.json(),
            all => to_json(all),
        }
    }
}

/// A plain listing (the store commands): a header, rows of cells, and the records behind
/// them for JSON. The table, under its `title` line when there is one, left-aligns the first
/// column and right-aligns the others, two spaces apart; an empty listing's table is `empty`
/// when given.
pub struct Listing<'a, T: Serialize + ?Sized> {
    /// A line above the table (not in CSV or JSON).
    pub title: Option<String>,
    /// Column names (also the CSV header).
    pub header: &'a [&'a str],
    /// Cells, one row per record.
    pub rows: Vec<Vec<String>>,
    /// The records, for JSON.
    pub records: &'a T,
    /// The table of an empty listing (a sentence saying how to fill it).
    pub empty: Option<String>,
}

impl<T: Serialize + ?Sized> View for Listing<'_, T> {
    fn table(&self, _look: Look) -> String {
        match &self.empty {
            Some(e) if self.rows.is_empty() => e.clone(),
            _ => match &self.title {
                Some(t) => format!("{t}\n{}", text_table(self.header, &self.rows)),
                None => text_table(self.header, &self.rows),
            },
        }
    }
    fn csv(&self) -> String {
        csv_table(self.header, &self.rows)
    }
    fn json(&self) -> Result<String, ReportError> {
        to_json(self.records)
    }
}

/// Left-aligned first column, right-aligned others, two spaces apart.
pub fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            let w = width[i];
            if i == 0 {
                s.push_str(&format!("{c:<w$}"));
            } else {
                s.push_str(&format!("{c:>w$}"));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for r in rows {
        line(&mut r.iter().map(String::as_str));
    }
    out
}

/// A CSV table: cells holding a comma, quote or newline are quoted (RFC 4180).
pub fn csv_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let quote = |c: &str| {
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_string()
        }
    };
    let mut out = header.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_render_three_ways() {
        let header = ["symbol", "bars"];
        let records = vec![("ETH-USD", 3usize), ("a,b", 12)];
        let l = Listing {
            title: None,
            header: &header,
            rows: records
                .iter()
                .map(|(s, n)| vec![s.to_string(), n.to_string()])
                .collect(),
            records: &records,
            empty: Some("nothing stored".into()),
        };
        assert_eq!(
            l.render(Format::Table, Look::default()).unwrap(),
            "symbol   bars\nETH-USD     3\na,b        12\n"
        );
        assert_eq!(l.csv(), "symbol,bars\nETH-USD,3\n\"a,b\",12\n");
        assert!(l.json().unwrap().starts_with('['));
        let none: Vec<(String, usize)> = Vec::new();
        let e = Listing {
            title: None,
            header: &header,
            rows: Vec::new(),
            records: &none,
            empty: Some("nothing stored".into()),
        };
        assert_eq!(e.table(Look::default()), "nothing stored");
        assert_eq!(e.csv(), "symbol,bars\n");
    }
}
