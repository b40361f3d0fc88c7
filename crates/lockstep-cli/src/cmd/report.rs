//! `lockstep report`: the whole analysis of a pair as one self-contained HTML file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;

use super::common::{
    pair_params, BootstrapArgs, ClockArgs, DefaultControlArgs, InputArgs, Legs, ReportArgs,
    SourceArgs,
};
use super::{pair_signals, read_rules, Cx, Usage};

/// `lockstep report`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub legs: Legs,
    /// Output HTML file.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,
    /// Rules of the signals section (TOML; default the built-ins).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Prices (overlay) and equity on a linear scale instead of the default log scale.
    #[arg(long)]
    pub linear: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub control: DefaultControlArgs,
    #[command(flatten)]
    pub inference: BootstrapArgs,
}

impl Args {
    /// Three MACD periods, no window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.report.check()
    }
}

/// Analyze the pair, evaluate the rules, backtest the overlay and write the page.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let rules = read_rules(a.rules.as_deref())?;
    let params = pair_params(
        &a.legs,
        &[
            &a.input,
            &a.source,
            &a.report,
            &a.clock,
            &a.control,
            &a.inference,
        ],
    )?;
    let (run, rep) = pair_signals(&cx.session, &params, &rules)?;
    let report = &run.report;
    let bt = run
        .backtest(&rep, &lockstep_signals::Strategy::overlay(), None)
        .context("cannot run the overlay backtest")?;
    let charts = lockstep_charts::page_charts_scaled(
        report,
        Some(&rep),
        Some(&bt),
        super::chart::scale(a.linear),
    )
    .context("cannot draw the charts")?;
    let options = lockstep_html::PageOptions {
        title: format!("{} against {}", report.a.name, report.b.name),
        nav: Vec::new(),
        // Where each leg came from is in the last section (`summary`).
        banner: Vec::new(),
        extra: vec![
            lockstep_html::signals_section(&rep),
            lockstep_html::backtest_section(&bt),
        ],
        generated: Some(chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()),
    };
    let html = lockstep_html::report_page(report, &charts, &options);
    cx.write_file(&a.out, html.as_bytes())
}
