//! `lockstep leadlag`: who leads: the cross-correlation by lag, Granger tests both ways and
//! the rolling best lag (the reaction time).

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::view::Format;
use lockstep_report::view::{self, Look};
use lockstep_report::{IntradayLeadLag, Sections};

use super::common::{
    pair_params, AlignArgs, BandArgs, BarsArgs, ClockArgs, FormatArgs, InputArgs, LagWindowArgs,
    Legs, MaxLagArgs, RangeArgs, ReturnsArgs, SourceArgs,
};
use super::{Cx, Usage};

/// The conventions of `leadlag --help`.
pub const LONG_HELP: &str = "\
Lag convention: the correlation at lag k pairs A's return on date t with B's return k
periods earlier, (ret_a[t], ret_b[t-k]) - pandas a.corr(b.shift(k)) - so k > 0 means B
leads A by k periods. (statsmodels ccf uses full-sample means and variances instead.)
Band: ±z/√n with the exact normal quantile (1.959964 for 95%).
Granger: F-test of p lags of the cause added to p lags of the effect and a constant, OLS by
QR; equal to statsmodels grangercausalitytests(...)[p][0][\"ssr_ftest\"]. The lag orders
with the lowest AIC and BIC (on the common last n-L rows) are reported.
Rolling best lag: in each window of --lag-window returns, the lag in [-L, L] with the
largest correlation over the pairs inside the window; its distribution over history is the
reaction time (median, quartiles, share at lag 0). --lag-window is also the window of the
correlation reported here.";

/// `lockstep leadlag`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub legs: Legs,
    #[command(flatten)]
    pub format: FormatArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub returns: ReturnsArgs,
    #[command(flatten)]
    pub lag_window: LagWindowArgs,
    #[command(flatten)]
    pub band: BandArgs,
    #[command(flatten)]
    pub max_lag: MaxLagArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub bars: BarsArgs,
    #[command(flatten)]
    pub range: RangeArgs,
}

impl Args {
    /// Bars are measured on the inner calendar in log returns.
    pub fn check(&self) -> Result<(), Usage> {
        self.range.check()?;
        self.bars.check(&self.align, &self.returns)
    }
}

/// Analyze the pair (no macro backdrop) and print the lead-lag section.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let mut params = pair_params(
        &a.legs,
        &[
            &a.input, &a.source, &a.align, &a.returns, &a.band, &a.max_lag, &a.clock, &a.bars,
            &a.range,
        ],
    )?
    .without_backdrop();
    a.lag_window.set_only_window(&mut params)?;
    // The lead-lag section; the table also says where the exchange clock disagrees.
    params.options.sections = Sections {
        lead_lag: true,
        rolling: a.format.format == Format::Table,
        clocks: a.format.format == Format::Table,
        ..Sections::NONE
    };
    let run = cx.session.pair(&params)?;
    if let Some(iv) = a.bars.interval {
        let pair = run
            .intraday
            .as_ref()
            .with_context(|| format!("no {iv} bars of the pair"))?;
        let (o, r) = (&run.options, &run.report);
        let ll =
            IntradayLeadLag::compute(pair, o.linkage.lag_window, o.linkage.max_lag, o.confidence)
                .with_context(|| {
                format!(
                    "cannot measure {} against {} in {iv} bars",
                    r.a.name, r.b.name
                )
            })?;
        return crate::output::show(
            &view::IntradayLeadLagView {
                report: r,
                lead_lag: &ll,
            },
            a.format.format,
            Look::new(0, cx.color),
        );
    }
    let report = run.report;
    crate::output::show(
        &view::LeadLag(&report),
        a.format.format,
        Look::new(0, cx.color),
    )
}
