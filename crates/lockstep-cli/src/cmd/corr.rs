//! `lockstep corr`: the rolling correlation, its interval and beta per window on every
//! aligned date (the CSV contract of the README).

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::view::Format;
use lockstep_report::view::{self, Look};
use lockstep_report::{IntradayRolling, Sections};

use super::common::{
    pair_params, BarsArgs, ClockArgs, ControlArgs, CorrelationArgs, InputArgs, IntervalArgs, Legs,
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
    #[command(flatten)]
    pub control: ControlArgs,
}

impl Args {
    /// No window given twice; bars measured on the inner calendar in log returns.
    pub fn check(&self) -> Result<(), Usage> {
        self.bars
            .check(&self.correlation.align, &self.correlation.returns)?;
        self.correlation.check()
    }
}

/// Analyze the pair (without the macro backdrop) and print the per-date series.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let mut params = pair_params(
        &a.legs,
        &[
            &a.input,
            &a.source,
            &a.correlation,
            &a.interval,
            &a.clock,
            &a.bars,
            &a.control,
        ],
    )?
    .without_backdrop();
    // The CSV and the table are the rolling windows; JSON is the whole report. They read the
    // legs' dates and prices only, and compute the windows' rows as they print them (no
    // stored series), except with controls, whose partial correlation the report stores.
    if a.output.format != Format::Json {
        params.options.sections = Sections {
            rolling: !params.controls.is_empty(),
            ..Sections::NONE
        };
        params.csv.prices_only = true;
    }
    let run = cx.session.pair(&params)?;
    if let Some(iv) = a.bars.interval {
        let pair = run
            .intraday
            .as_ref()
            .with_context(|| format!("no {iv} bars of the pair"))?;
        let (o, r) = (&run.options, &run.report);
        let s = IntradayRolling::compute(
            pair,
            &r.a.name,
            &r.b.name,
            &o.windows,
            o.method,
            o.confidence,
        )
        .with_context(|| {
            format!(
                "cannot measure {} against {} in {iv} bars",
                r.a.name, r.b.name
            )
        })?;
        return crate::output::show(
            &view::IntradayCorrelation(&s),
            a.output.format,
            Look::new(a.output.rows, cx.color),
        );
    }
    // The legs and the rest of the run are let go before the rows are written.
    let report = { run }.report;
    crate::output::show(
        &view::Correlation(&report),
        a.output.format,
        Look::new(a.output.rows, cx.color),
    )
}
