//! `lockstep corr`: the rolling correlation, its interval and beta per window on every
//! aligned date (the CSV contract of the README).

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::render;

use super::common::{
    pair_params, BarsArgs, ClockArgs, CorrelationArgs, Format, InputArgs, IntervalArgs, Legs,
    RowsArgs, SourceArgs,
};
use super::{Cx, Usage};

/// `lockstep corr`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub legs: Legs,
    #[command(flatten)]
    pub output: RowsArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub correlation: CorrelationArgs,
    #[command(flatten)]
    pub interval: IntervalArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub bars: BarsArgs,
}

impl Args {
    /// No window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.correlation.check()
    }
}

/// Analyze the pair (without the macro backdrop) and print the per-date series.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let params = pair_params(
        &a.legs,
        &[
            &a.input,
            &a.source,
            &a.correlation,
            &a.interval,
            &a.clock,
            &a.bars,
        ],
    )?
    .without_backdrop();
    let report = cx.session.pair(&params)?.report;
    crate::output::print(&match a.output.format {
        Format::Table => render::corr_table(&report, a.output.rows),
        Format::Json => render::json(&report)?,
        Format::Csv => render::corr_csv(&report),
    })
}
