//! `lockstep overlay`: both legs rebased to 100 on the first aligned date: a table of the
//! latest dates by default, every date with `--format csv` or `json`.

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::view::{self, Look};
use lockstep_report::Sections;

use super::common::{pair_params, AlignArgs, InputArgs, Legs, RangeArgs, RowsArgs, SourceArgs};
use super::Cx;

/// `lockstep overlay`.
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
    pub align: AlignArgs,
    #[command(flatten)]
    pub range: RangeArgs,
}

/// Align the pair and print both legs rebased.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let mut params =
        pair_params(&a.legs, &[&a.input, &a.source, &a.align, &a.range])?.without_backdrop();
    // The aligned series alone.
    params.options.sections = Sections::NONE;
    let report = cx.session.pair(&params)?.report;
    crate::output::show(
        &view::Overlay(&report),
        a.output.format,
        Look::new(a.output.rows, cx.color),
    )
}
