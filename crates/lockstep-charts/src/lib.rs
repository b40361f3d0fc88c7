//! Charts of Lockstep's reports, drawn with plotters as SVG or PNG.
//!
//! Every chart renders a struct some pipeline already computed ([`Report`], [`SignalsReport`],
//! [`BacktestResult`], [`Screen`]); nothing here computes a statistic of its own (only
//! geometry: axis ranges, tick positions, colours).
//!
//! | [`ChartKind`] | Input | What is drawn |
//! |---|---|---|
//! | `overlay` | [`Report`] | both legs rebased to 100 on the aligned dates (log scale by default, [`Scale`]) |
//! | `correlation` | [`Report`] | rolling correlation per window, the longest window's confidence band, 0 and the strong threshold, risk-off spans shaded |
//! | `momentum` | [`Report`] | RSI (30/70 lines) and MACD (line, signal, histogram) of each leg on its own history |
//! | `ccf` | [`Report`] | cross-correlation by lag with the ± significance band |
//! | `levels` | [`Report`] | close of each leg with its support/resistance levels, breakouts and cup-and-handle spans |
//! | `signals` | [`Report`] + [`SignalsReport`] | price of A on the aligned dates with each rule's triggers |
//! | `equity` | [`BacktestResult`] | strategy equity against buy-and-hold A (log scale by default), and the strategy's drawdown |
//! | `heatmap` | [`Screen`] | the latest correlation of every pair of a universe |
//! | `compare` | [`Comparison`] | each candidate's correlation with A per period, its interval, and the partial correlation given the controls |
//!
//! # Output
//!
//! * SVG ([`Format::Svg`]): UTF-8 text whose root `<svg>` keeps its `width`/`height`, has a
//!   `viewBox` (so CSS `width:100%;height:auto` scales it), `class="lockstep-chart"`,
//!   `data-chart="<kind>"`, `role="img"`, an `aria-label` and a `<title>` with the chart's
//!   title. The same input gives the same bytes.
//! * PNG ([`Format::Png`]): 8-bit RGB. Text is drawn with DejaVu Sans embedded in the binary
//!   (the `dejavu` crate, registered with plotters' `ab_glyph` backend), so no system font
//!   or fontconfig is needed.
//!
//! Undefined values (`None`, non-finite) break lines rather than drawing zeros; inputs with
//! nothing to draw give [`ChartError::Empty`].
#![forbid(unsafe_code)]

mod axis;
mod ccf;
mod compare;
mod correlation;
mod equity;
mod font;
mod heatmap;
pub mod interactive;
pub mod levels;
pub mod momentum;
mod overlay;
mod render;
mod signals;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use lockstep_report::compare::Comparison;
use lockstep_report::screen::Screen;
use lockstep_report::signals_view::SignalsReport;
use lockstep_report::Report;
use lockstep_signals::BacktestResult;

pub use crate::axis::Scale;
use crate::render::{render, render_plots, Meta};
use lockstep_core::Date;

/// Errors of chart drawing.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The drawing backend failed.
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    /// The input has nothing to draw.
    #[error("nothing to draw: {0}")]
    Empty(String),
    /// Unknown chart kind or format.
    #[error("{0}")]
    Usage(String),
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// SVG text.
    Svg,
    /// PNG image.
    Png,
}

impl Format {
    /// The format of an output path, from its extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &Path) -> Result<Format, ChartError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            Some(other) => Err(ChartError::Usage(format!(
                "cannot tell the chart format of {}: unknown extension .{other} \
                 (use .svg or .png)",
                path.display()
            ))),
            None => Err(ChartError::Usage(format!(
                "cannot tell the chart format of {}: no extension (use .svg or .png)",
                path.display()
            ))),
        }
    }

    /// The file extension, without the dot: `svg` or `png`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// The MIME type: `image/svg+xml` or `image/png`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }
}

/// Which chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Both legs rebased to 100.
    Overlay,
    /// Rolling correlation per window, confidence band, strong line, regime shading.
    Correlation,
    /// RSI and MACD panels of both legs.
    Momentum,
    /// Cross-correlation by lag with the significance band.
    Ccf,
    /// Price of each leg with support/resistance levels, breakouts and cups.
    Levels,
    /// Price of A with the signal triggers.
    Signals,
    /// Backtest equity curve and drawdown.
    Equity,
    /// Correlation heatmap of a universe.
    Heatmap,
    /// One series against several candidates.
    Compare,
}

impl ChartKind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [ChartKind; 9] = [
        ChartKind::Overlay,
        ChartKind::Correlation,
        ChartKind::Momentum,
        ChartKind::Ccf,
        ChartKind::Levels,
        ChartKind::Signals,
        ChartKind::Equity,
        ChartKind::Heatmap,
        ChartKind::Compare,
    ];

    /// The kinds drawn from a [`Report`] alone (what [`report_charts`] returns).
    pub const REPORT: [ChartKind; 5] = [
        ChartKind::Overlay,
        ChartKind::Correlation,
        ChartKind::Momentum,
        ChartKind::Ccf,
        ChartKind::Levels,
    ];

    /// The kind's name: `overlay`, `correlation`, `momentum`, `ccf`, `levels`, `signals`,
    /// `equity`, `heatmap` or `compare`.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Overlay => "overlay",
            ChartKind::Correlation => "correlation",
            ChartKind::Momentum => "momentum",
            ChartKind::Ccf => "ccf",
            ChartKind::Levels => "levels",
            ChartKind::Signals => "signals",
            ChartKind::Equity => "equity",
            ChartKind::Heatmap => "heatmap",
            ChartKind::Compare => "compare",
        }
    }

    /// The default size in pixels: 960×480, taller for the multi-panel charts (momentum
    /// 960×960, levels 960×760, equity 960×600, heatmap 760×700).
    pub fn default_size(self) -> Size {
        match self {
            ChartKind::Momentum => (960, 960),
            ChartKind::Levels => (960, 760),
            ChartKind::Equity => (960, 600),
            ChartKind::Heatmap => (760, 700),
            _ => DEFAULT_SIZE,
        }
    }
}

impl fmt::Display for ChartKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ChartKind {
    type Err = ChartError;

    /// Parse a kind by its [`ChartKind::name`] (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ChartKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                let names: Vec<&str> = ChartKind::ALL.iter().map(|k| k.name()).collect();
                ChartError::Usage(format!(
                    "unknown chart {s:?}: expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// One drawn chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Kind.
    pub kind: ChartKind,
    /// Title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// One plotting area of a drawn chart whose x axis is dates: where it is, in the chart's
/// pixels (the SVG's `viewBox` units, origin at the top left), and which dates its x axis
/// spans, so that a page can tell the date under a pointer. Recorded from the chart's own
/// coordinate mapping while it is drawn; a chart of several panels (momentum, equity) has one
/// per panel, top to bottom.
///
/// The x pixel of a date `d` is `x_start + (d − start) / (end − start) · (x_end − x_start)`
/// (days; the chart rounds it to a whole pixel), so the date at pixel `x` is
/// `start + (x − x_start) / (x_end − x_start) · (end − start)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotArea {
    /// The x pixel of `start` (the left edge of the plotting area).
    pub x_start: i32,
    /// The x pixel of `end` (its right edge).
    pub x_end: i32,
    /// The top of the plotting area, in pixels.
    pub top: i32,
    /// Its bottom, in pixels (exclusive).
    pub bottom: i32,
    /// The date at the left edge (the axis' first date, the data's first date less a margin).
    pub start: Date,
    /// The date at the right edge.
    pub end: Date,
}

/// A drawn SVG chart with the plotting areas of its date axis ([`PlotArea`]; none for a chart
/// without dates on x).
#[derive(Clone, Debug)]
pub struct Drawn {
    /// The chart.
    pub chart: Chart,
    /// Its plotting areas on a date axis, top to bottom.
    pub plots: Vec<PlotArea>,
}

/// Size in pixels.
pub type Size = (u32, u32);

/// The default chart size (960×480); see [`ChartKind::default_size`].
pub const DEFAULT_SIZE: Size = (960, 480);

/// Smallest accepted width or height, in pixels.
pub const MIN_SIDE: u32 = 200;

/// Largest accepted width or height, in pixels.
pub const MAX_SIDE: u32 = 8000;

/// The title of a chart of a report (the text of its `<title>` and caption).
pub fn report_title(r: &Report, kind: ChartKind) -> String {
    let (a, b) = (&r.a.name, &r.b.name);
    match kind {
        ChartKind::Overlay => format!("{a} vs {b}: rebased to 100"),
        ChartKind::Correlation => format!("{a} vs {b}: rolling correlation"),
        ChartKind::Momentum => format!("{a} and {b}: RSI and MACD"),
        ChartKind::Ccf => format!("{a} vs {b}: cross-correlation by lag"),
        ChartKind::Levels => format!("{a} and {b}: support, resistance, breakouts, cups"),
        ChartKind::Signals => format!("{a} vs {b}: signal triggers on {a}"),
        ChartKind::Equity => format!("{a} vs {b}: backtest equity"),
        ChartKind::Heatmap => "correlation heatmap".to_string(),
        ChartKind::Compare => format!("{a} against candidates"),
    }
}

/// Every chart of a pair report ([`ChartKind::REPORT`]: overlay, correlation, momentum, ccf,
/// levels) as SVG at its [`ChartKind::default_size`], in that order.
///
/// A chart with nothing to draw (e.g. no cross-correlation on a very short series) is left
/// out; any other error is returned.
pub fn report_charts(r: &Report) -> Result<Vec<Chart>, ChartError> {
    report_charts_scaled(r, Scale::default())
}

/// [`report_charts`] with the overlay on `scale`.
pub fn report_charts_scaled(r: &Report, scale: Scale) -> Result<Vec<Chart>, ChartError> {
    Ok(charts_of(report_charts_drawn(r, scale)?))
}

fn charts_of(drawn: Vec<Drawn>) -> Vec<Chart> {
    drawn.into_iter().map(|d| d.chart).collect()
}

/// [`report_charts_scaled`] with each chart's plotting areas.
fn report_charts_drawn(r: &Report, scale: Scale) -> Result<Vec<Drawn>, ChartError> {
    let mut out = Vec::with_capacity(ChartKind::REPORT.len());
    for kind in ChartKind::REPORT {
        keep(
            &mut out,
            r,
            kind,
            report_chart_plots(r, kind, Format::Svg, kind.default_size(), scale),
        )?;
    }
    Ok(out)
}

/// Add a drawn SVG chart of `r` to `out`; a chart with nothing to draw is left out, any other
/// error returned.
fn keep(
    out: &mut Vec<Drawn>,
    r: &Report,
    kind: ChartKind,
    drawn: Result<(Vec<u8>, Vec<PlotArea>), ChartError>,
) -> Result<(), ChartError> {
    match drawn {
        Ok((bytes, plots)) => out.push(Drawn {
            chart: Chart {
                kind,
                title: report_title(r, kind),
                svg: String::from_utf8(bytes)
                    .map_err(|e| ChartError::Draw(format!("SVG is not UTF-8: {e}")))?,
            },
            plots,
        }),
        Err(ChartError::Empty(_)) => {}
        Err(e) => return Err(e),
    }
    Ok(())
}

/// The charts of a pair's page (the HTML report and the dashboard): [`report_charts`], then
/// the signal triggers when `signals` is given and the backtest's equity when `backtest` is,
/// all SVG at their default sizes. A chart with nothing to draw is left out; any other error
/// is returned.
pub fn page_charts(
    r: &Report,
    signals: Option<&SignalsReport>,
    backtest: Option<&BacktestResult>,
) -> Result<Vec<Chart>, ChartError> {
    page_charts_scaled(r, signals, backtest, Scale::default())
}

/// [`page_charts`] with the overlay and the equity curves on `scale`.
pub fn page_charts_scaled(
    r: &Report,
    signals: Option<&SignalsReport>,
    backtest: Option<&BacktestResult>,
    scale: Scale,
) -> Result<Vec<Chart>, ChartError> {
    Ok(charts_of(page_charts_drawn(r, signals, backtest, scale)?))
}

/// [`page_charts_scaled`] with the plotting areas of each chart's date axis (what a page
/// needs to tell the date under a pointer on a chart: [`PlotArea`]). The same charts, the
/// same bytes.
pub fn page_charts_drawn(
    r: &Report,
    signals: Option<&SignalsReport>,
    backtest: Option<&BacktestResult>,
    scale: Scale,
) -> Result<Vec<Drawn>, ChartError> {
    let mut out = report_charts_drawn(r, scale)?;
    if let Some(s) = signals {
        let size = ChartKind::Signals.default_size();
        let meta = Meta::new(ChartKind::Signals, report_title(r, ChartKind::Signals));
        let drawn = signals::Signals::new(r, s, &meta)
            .and_then(|c| render_plots(&c, &meta, Format::Svg, size));
        keep(&mut out, r, ChartKind::Signals, drawn)?;
    }
    if let Some(b) = backtest {
        let size = ChartKind::Equity.default_size();
        keep(
            &mut out,
            r,
            ChartKind::Equity,
            equity_chart_plots(b, Format::Svg, size, scale),
        )?;
    }
    Ok(out)
}

/// One chart of a report in `format` (the kinds of [`ChartKind::REPORT`]; the others need
/// their own input: [`signals_chart`], [`equity_chart`], [`heatmap_chart`]).
pub fn report_chart(
    r: &Report,
    kind: ChartKind,
    format: Format,
    size: Size,
) -> Result<Vec<u8>, ChartError> {
    report_chart_scaled(r, kind, format, size, Scale::default())
}

/// [`report_chart`] with the overlay's prices on `scale` (the other kinds have no price
/// axis).
pub fn report_chart_scaled(
    r: &Report,
    kind: ChartKind,
    format: Format,
    size: Size,
    scale: Scale,
) -> Result<Vec<u8>, ChartError> {
    report_chart_plots(r, kind, format, size, scale).map(|d| d.0)
}

/// [`report_chart_scaled`] with the chart's plotting areas on a date axis.
fn report_chart_plots(
    r: &Report,
    kind: ChartKind,
    format: Format,
    size: Size,
    scale: Scale,
) -> Result<(Vec<u8>, Vec<PlotArea>), ChartError> {
    let meta = Meta::new(kind, report_title(r, kind)).scaled(scale);
    let m = &meta;
    match kind {
        ChartKind::Overlay => render_plots(&overlay::Overlay::new(r, m)?, m, format, size),
        ChartKind::Correlation => {
            render_plots(&correlation::Correlation::new(r, m)?, m, format, size)
        }
        ChartKind::Momentum => render_plots(&momentum::Momentum::new(r, m)?, m, format, size),
        ChartKind::Ccf => render_plots(&ccf::Ccf::new(r, m)?, m, format, size),
        ChartKind::Levels => render_plots(&levels::Levels::new(r, m)?, m, format, size),
        ChartKind::Signals => Err(ChartError::Usage(
            "the signals chart needs the evaluated rules: use signals_chart".into(),
        )),
        ChartKind::Equity => Err(ChartError::Usage(
            "the equity chart needs a backtest: use equity_chart".into(),
        )),
        ChartKind::Heatmap => Err(ChartError::Usage(
            "the heatmap needs a screen of a universe: use heatmap_chart".into(),
        )),
        ChartKind::Compare => Err(ChartError::Usage(
            "the compare chart needs a comparison: use compare_chart".into(),
        )),
    }
}

/// Price of A with the triggers of the signal rules.
pub fn signals_chart(
    r: &Report,
    s: &SignalsReport,
    format: Format,
    size: Size,
) -> Result<Vec<u8>, ChartError> {
    let meta = Meta::new(ChartKind::Signals, report_title(r, ChartKind::Signals));
    render(&signals::Signals::new(r, s, &meta)?, &meta, format, size)
}

/// Equity curve of the strategy against buy-and-hold, and its drawdown.
pub fn equity_chart(b: &BacktestResult, format: Format, size: Size) -> Result<Vec<u8>, ChartError> {
    equity_chart_scaled(b, format, size, Scale::default())
}

/// [`equity_chart`] with the equity curves on `scale`.
pub fn equity_chart_scaled(
    b: &BacktestResult,
    format: Format,
    size: Size,
    scale: Scale,
) -> Result<Vec<u8>, ChartError> {
    equity_chart_plots(b, format, size, scale).map(|d| d.0)
}

/// [`equity_chart_scaled`] with its two plotting areas (equity, drawdown).
fn equity_chart_plots(
    b: &BacktestResult,
    format: Format,
    size: Size,
    scale: Scale,
) -> Result<(Vec<u8>, Vec<PlotArea>), ChartError> {
    let chart = equity::Equity::new(b)?;
    let meta = Meta::new(ChartKind::Equity, chart.title()).scaled(scale);
    render_plots(&chart, &meta, format, size)
}

/// A against several candidates: each candidate's correlation with A per period (the full
/// period, each window's latest value) with its interval, and the partial correlation given
/// the controls (hollow markers).
pub fn compare_chart(c: &Comparison, format: Format, size: Size) -> Result<Vec<u8>, ChartError> {
    let chart = compare::Compare::new(c)?;
    let meta = Meta::new(ChartKind::Compare, chart.title());
    render(&chart, &meta, format, size)
}

/// Heatmap of the current correlation of every pair of a screen.
pub fn heatmap_chart(s: &Screen, format: Format, size: Size) -> Result<Vec<u8>, ChartError> {
    let chart = heatmap::Heatmap::new(s)?;
    let meta = Meta::new(ChartKind::Heatmap, chart.title());
    render(&chart, &meta, format, size)
}
