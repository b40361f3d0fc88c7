//! `lockstep corr`: the rolling correlation, its interval and beta per window on every
//! aligned date (the CSV contract of the README).

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::view::{self, Look};

use super::common::{
    pair_params, CorrelationArgs, InputArgs, IntervalArgs, Legs, RowsArgs, SourceArgs,
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
}

impl Args {
    /// No window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.correlation.check()
    }
}

/// Analyze the pair (without the macro backdrop) and print the per-date series.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let params = pair_params(&a.legs, &[&a.input, &a.source, &a.correlation, &a.interval])?
        .without_backdrop();
    let report = cx.session.pair(&params)?.report;
    crate::output::show(
        &view::Correlation(&report),
        a.output.format,
        Look::new(a.output.rows, cx.color),
    )
}
