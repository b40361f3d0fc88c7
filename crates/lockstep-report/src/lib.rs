//! The one `analyze` pipeline of Lockstep: this crate computes the report; other crates draw,
//! page and serve it.
//!
//! [`analyze`] (or [`analyze_with`], given the [`Backdrop`]: the rate series, net liquidity
//! and the controls) takes two price series and [`AnalyzeOptions`] and builds one [`Report`]: the
//! aligned calendar and returns, the rolling statistics per window and their summaries, the
//! performance of both legs, lead-lag and regimes ([`linkage`]), momentum and structure
//! ([`structure`]) and the liquidity section ([`macro_view`]); with controls, the partial
//! correlation given them ([`control`]); the bootstrap intervals and tests of change
//! ([`inference`]). What is derived from a report is computed here too: the daily
//! measurement table, the signals and the backtest ([`signals_view`]); so are the
//! correlation screen ([`screen`]), the comparison of one series with several candidates
//! ([`compare`]), [`technicals()`] and [`breadth_report`].
//!
//! Front ends show these structs and compute nothing of their own. How each section of a
//! report reads is said once, here: [`describe::report`] turns a [`Report`] into a
//! [`doc::Document`] that every front end lays out, in the plain words of [`words`]. This
//! crate lays it out for the terminal ([`render::table`]) and renders the report as CSV
//! ([`render::corr_csv`], [`render::overlay_csv`], [`render::summary_csv`]) and JSON
//! ([`render::json`]). The charts (`lockstep-charts`), the HTML report (`lockstep-html`), the
//! dashboard and its JSON API (`lockstep-server`) and the alerts (`lockstep-alerts`) are other
//! crates; `lockstep-session` resolves the inputs and runs this pipeline for the command line
//! and the server.
#![forbid(unsafe_code)]

mod analyze;
mod breadth;
pub mod clock;
pub mod compare;
pub mod control;
pub mod describe;
pub mod doc;
pub mod freshness;
pub mod inference;
pub mod intraday;
pub mod linkage;
pub mod macro_view;
pub mod render;
pub mod rolling;
pub mod screen;
pub mod signals_view;
pub mod structure;
mod technicals;
mod values;
pub mod view;
pub mod words;

pub use analyze::{
    analyze, analyze_with, AnalyzeOptions, Backdrop, Extreme, Leg, LegPerformance, Params,
    Performance, Period, Report, ReportError, RollingWindow, Sections, SeriesTable, WindowLatest,
    WindowSummary,
};
pub use breadth::{breadth_report, Basket, BreadthReport, RsReading};
pub use clock::{Clock, ClockComparison, ClockSide, IntradaySection};
pub use control::{ControlSection, Controls};
pub use inference::{BootstrapOptions, Inference};
pub use intraday::{IntradayLeadLag, IntradayRolling};
pub use linkage::{LeadLag, LinkageOptions, RegimeLeg, Regimes};
pub use rolling::{RollingPoint, RollingRows};
pub use structure::{PairStructure, StructureOptions};
pub use technicals::{technicals, Technicals, TechnicalsOptions};
pub use values::Values;
