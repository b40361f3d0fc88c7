//! `lockstep regimes`: risk-on / risk-off regimes with the correlation and beta in each,
//! divergence events, and each leg's sensitivity to rate changes.

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::view::{self, Look};
use lockstep_report::Sections;

use super::common::{
    pair_params, AlignArgs, BandArgs, BootstrapArgs, ClockArgs, ControlArgs, DivergenceArgs,
    FormatArgs, InputArgs, LagWindowArgs, Legs, RangeArgs, RateArgs, RegimeRuleArgs, ReturnsArgs,
    SourceArgs,
};
use super::Cx;

/// The rules of `regimes --help`.
pub const LONG_HELP: &str = "\
Regime rule (default): risk-on on a date when the classified leg (the exchange-day leg of a
crypto/equity pair, else B) closes above its 200-period simple average AND its 20-period
realized volatility (sample sd of log returns) is below the median of its last 252 values;
risk-off otherwise. Each return is labelled with the regime known at the close before it.
Correlation (Fisher-z interval) and beta are computed within each regime, with the
stationary-bootstrap interval (--bootstrap, --seed) and the test of risk-on against risk-off
(Fisher z: the regimes share no day; and the bootstrap difference). The bootstrap resamples
blocks of consecutive days of the whole series, each day keeping its regime: a regime's
interval is that of its days within the resamples, the very replicates of the test.
Forbes–Rigobon (2002): correlation rises mechanically with volatility. For the more volatile
regime, with δ = var(regime leg's returns there) / var(in the other regime) − 1,
  adj. corr ρ* = ρ / √(1 + δ(1 − ρ²)),
its correlation with that rise removed, to compare with the calmer regime's.
--control SYMBOL|FILE adds each regime's partial correlation given the controls.
Divergence: at t, OLS of A on B over the previous --lag-window returns;
z = (a_t - α - β·b_t)/σ with σ the residual standard error (n-2); an event when
|z| > --divergence-k.
Rate sensitivity: rolling OLS beta of each leg's log return on the daily change of the rate
(percentage points; default fred:DGS2, the 2-year Treasury yield) over --lag-window changes,
with a t interval.";

/// `lockstep regimes`.
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
    pub regime: RegimeRuleArgs,
    #[command(flatten)]
    pub divergence: DivergenceArgs,
    #[command(flatten)]
    pub rate: RateArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub control: ControlArgs,
    #[command(flatten)]
    pub inference: BootstrapArgs,
    #[command(flatten)]
    pub range: RangeArgs,
}

/// Analyze the pair with the rate series and print the regimes section.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let mut params = pair_params(
        &a.legs,
        &[
            &a.input,
            &a.source,
            &a.align,
            &a.returns,
            &a.band,
            &a.regime,
            &a.divergence,
            &a.rate,
            &a.clock,
            &a.control,
            &a.inference,
            &a.range,
        ],
    )?;
    params.liquidity = lockstep_session::LiquidityChoice::NotAsked;
    a.lag_window.set_only_window(&mut params)?;
    // The regimes section, and the controls' names (the control section, on the rolling
    // window).
    params.options.sections = Sections {
        regimes: true,
        rolling: true,
        ..Sections::NONE
    };
    let report = cx.session.pair(&params)?.report;
    crate::output::show(
        &view::Regimes(&report),
        a.format.format,
        Look::new(0, cx.color),
    )
}
