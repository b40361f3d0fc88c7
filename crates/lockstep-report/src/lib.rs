//! The one `analyze` pipeline of Lockstep and the renderers of its report.
//!
//! [`analyze`] takes two price series and [`AnalyzeOptions`] and builds one [`Report`]: the
//! aligned calendar and returns, the rolling statistics per window, their summaries and the
//! performance of both legs. Every front end renders that struct and computes nothing of its
//! own: the terminal ([`render::table`]), CSV ([`render::corr_csv`], [`render::overlay_csv`],
//! [`render::summary_csv`]) and JSON ([`render::json`]); later the HTML report and the server.
#![forbid(unsafe_code)]

mod analyze;
mod breadth;
pub mod linkage;
pub mod macro_view;
pub mod render;
pub mod screen;
pub mod signals_view;
pub mod structure;
mod technicals;
pub mod words;

pub use analyze::{
    analyze, analyze_with, AnalyzeOptions, Backdrop, Extreme, Leg, LegPerformance, Params,
    Performance, Period, Report, ReportError, RollingWindow, SeriesTable, WindowLatest,
    WindowSummary,
};
pub use breadth::{breadth_report, Basket, BreadthReport, RsReading};
pub use linkage::{LeadLag, LinkageOptions, RegimeLeg, Regimes};
pub use structure::{PairStructure, StructureOptions};
pub use technicals::{technicals, Technicals, TechnicalsOptions};
