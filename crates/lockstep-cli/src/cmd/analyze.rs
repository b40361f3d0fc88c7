//! `lockstep analyze`: the report of a pair (correlation, volatility, performance, lead-lag,
//! regimes, momentum and structure, liquidity) as a table, one CSV row per window, or JSON.

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::view::{self, Look};

use super::common::{
    pair_params, BarsArgs, BootstrapArgs, ClockArgs, DefaultControlArgs, FormatArgs, InputArgs,
    Legs, ReportArgs, SourceArgs,
};
use super::{Cx, Usage};

/// What each statistic means (`lockstep --help`, `analyze --help`, `corr --help`).
pub const STATS_HELP: &str = "\
Statistics (all on aligned returns, full windows only: a value needs `window` returns):
  corr      Pearson correlation r = Σ(a-ā)(b-b̄) / √(Σ(a-ā)²·Σ(b-b̄)²), in [-1, 1].
            > 0.5 strong, 0.3..0.5 moderate, 0.1..0.3 weak, |r| ≤ 0.1 no meaningful link.
            Undefined (empty) when either leg is constant over the window.
  interval  Fisher-z confidence interval tanh(atanh(r) ± z/√(n-3)), z = 1.959964 for 95%
            (n = window; for EWMA the effective n = (1+λ)/(1-λ)).
  beta      cov(a, b) / var(b): the % move of A per 1% move of B.
  vol       sample standard deviation of returns × √periods per year (365 when both legs
            trade every day, 252 with an exchange-day leg, 52 weekly, 12 monthly).
  spearman  Pearson correlation of the ranks within each window (robust to outliers).
  ewma      RiskMetrics: zero-mean exponentially weighted moments with decay λ (0.94).

Control (--control SYMBOL|FILE, repeatable; analyze: SPY by default for ETH-USD against ^RUT,
or [controls] of config.toml by asset class; --no-control switches it off): the partial
correlation of A and B given the controls, the correlation of what is left of each leg's
returns once regressed (least squares) on a constant and the controls' returns; with one
control z: r_ab·z = (r_ab − r_az·r_bz) / √((1 − r_az²)(1 − r_bz²)). Fisher interval with
n − 3 − k degrees of freedom for k controls. All series are aligned together (the dates all
of them have). A control that explains a leg exactly (the leg itself) is an error.
Inference (analyze, report, regimes): beside each Fisher interval the stationary-bootstrap
percentile interval (Politis–Romano; blocks of expected length by Politis–White 2004 with
Patton's correction, the larger of the two legs'; --bootstrap N resamples, default 999, 0 =
off; --seed S, default fixed, so the report is reproducible). Tests of change: the latest
window against the returns before it (Fisher z, independent samples) and against the full
period (bootstrap, overlapping samples); risk-on against risk-off (both). The verdict says
\"moving in lockstep\" only when the whole interval is above 0.5 (the strong threshold), else
\"positively correlated (r = 0.52, plausible range 0.20 to 0.74)\" and the like.
Prices: the adjusted close when the file has one, else the close (or the file's single
price/value column); --price overrides, and the report says which was used.
Alignment: inner keeps dates present in both files, so a crypto weekend lands in the
equity's Monday return; weekly takes each leg's last price of the week ending Friday;
monthly the last of each calendar month. Crypto daily closes are 00:00 UTC, US equity
closes 16:00 New York: same-dated closes are 3-4 hours apart.";

/// `lockstep analyze`.
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
    pub report: ReportArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub bars: BarsArgs,
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

    /// The pair's parameters, with the macro backdrop (the rate series, net liquidity).
    pub fn params(&self) -> Result<lockstep_session::PairParams> {
        pair_params(
            &self.legs,
            &[
                &self.input,
                &self.source,
                &self.report,
                &self.clock,
                &self.bars,
                &self.control,
                &self.inference,
            ],
        )
    }
}

/// Analyze the pair with its macro backdrop and print the report.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let report = cx.session.pair(&a.params()?)?.report;
    crate::output::show(
        &view::Analysis(&report),
        a.format.format,
        Look::new(0, cx.color),
    )
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::{Cli, Command};

    /// `lockstep analyze A B` with no option is the session's default pair: the server and
    /// the Python package, which build `PairParams::new`, analyze exactly what the terminal
    /// does.
    #[test]
    fn analyze_defaults_are_the_sessions() {
        let cli = Cli::try_parse_from(["lockstep", "analyze", "X", "Y"]).unwrap();
        let Command::Analyze(a) = &cli.command else {
            panic!("not analyze");
        };
        assert_eq!(
            a.params().unwrap(),
            lockstep_session::PairParams::new("X", "Y")
        );
    }

    /// Each option lands in the parameters.
    #[test]
    fn options_set_the_parameters() {
        let cli = Cli::try_parse_from([
            "lockstep",
            "analyze",
            "--window",
            "20,40",
            "--lag-window",
            "50",
            "--max-lag",
            "4",
            "--method",
            "ewma",
            "--lambda",
            "0.9",
            "--confidence",
            "0.9",
            "--regime-leg",
            "a",
            "--ma",
            "100",
            "--divergence-k",
            "2.5",
            "--rate",
            "fred:DGS10",
            "--rsi",
            "7",
            "--macd",
            "5,10,3",
            "--pivot",
            "3",
            "--recent",
            "30",
            "--no-liquidity",
        ])
        .unwrap();
        let Command::Analyze(a) = &cli.command else {
            panic!("not analyze");
        };
        let p = a.params().unwrap();
        let o = &p.options;
        assert_eq!(o.windows, [20, 40]);
        assert_eq!(o.method, lockstep_stats::Method::Ewma { lambda: 0.9 });
        assert_eq!(o.confidence, 0.9);
        assert_eq!(
            (
                o.linkage.lag_window,
                o.linkage.divergence_window,
                o.linkage.rate_window
            ),
            (50, 50, 50)
        );
        assert_eq!(o.linkage.max_lag, 4);
        assert_eq!(o.linkage.regime_leg, lockstep_report::RegimeLeg::A);
        assert_eq!(o.linkage.divergence_k, 2.5);
        assert_eq!(p.regime.ma_window, Some(100));
        assert_eq!(
            p.rate,
            lockstep_session::RateChoice::Required("fred:DGS10".into())
        );
        assert_eq!(o.structure.technicals.rsi, 7);
        assert_eq!(o.structure.technicals.macd, (5, 10, 3));
        assert_eq!((o.structure.levels.left, o.structure.cup.pivot), (3, 3));
        assert_eq!(o.structure.recent, 30);
        assert_eq!(p.liquidity, lockstep_session::LiquidityChoice::Skipped);
    }
}
