//! `lockstep chart`: one chart of a pair (or the heatmap of a universe) as SVG or PNG.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_charts::ChartKind;

use super::common::{
    pair_params, ClockArgs, ControlArgs, InputArgs, IntervalArgs, Legs, MeasuresArgs, NoRateArgs,
    SourceArgs,
};
use super::{pair_signals, read_rules, read_strategy, Cx, Usage};

/// The kinds of `chart --help`.
pub const LONG_HELP: &str = "\
Charts (each renders what `analyze`, `signals`, `backtest` or `screen` computes):
  overlay      both legs rebased to 100 on the first aligned date
  correlation  rolling correlation per window, its confidence band, the strong line (0.5)
               and risk-off regimes shaded
  momentum     RSI (30/70 lines) and MACD (line, signal, histogram) of both legs, last year
  ccf          cross-correlation by lag (k > 0: B leads A) with the ±z/√n band
  levels       each leg's last two years with support/resistance levels, breakouts, cups
  signals      A's price with the trigger dates of each rule (--rules FILE or the built-ins)
  equity       the backtest's equity against buy-and-hold, and its drawdown (--strategy)
  heatmap      the current rolling correlation of every pair of --universe (symbols, CSV
               files or one folder) over the longest window of --window
  compare      A against the candidates B B2 B3 … (`lockstep compare`): each one's
               correlation per period (full period, latest --window) with its Fisher
               interval, and with --control the partial correlation (hollow markers)
The file written is confirmed on stderr (path and size) unless --quiet.
Examples:
  lockstep chart correlation ETH-USD ^RUT --out corr.svg
  lockstep chart heatmap --universe ETH-USD,BTC-USD,^RUT,GLD --out heat.png
  lockstep chart compare ETH-USD ^RUT SPY QQQ --control SPY --window 90 --out cmp.svg";

/// The chart kinds by their names (`overlay`, `correlation`, ...), listed in the help and in
/// the error of an unknown one.
fn chart_kind() -> impl clap::builder::TypedValueParser<Value = ChartKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(ChartKind::ALL.map(|k| k.name()))
        .try_map(|s| s.parse::<ChartKind>())
}

/// `lockstep chart`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Which chart (see below).
    #[arg(value_parser = chart_kind())]
    pub kind: ChartKind,
    #[command(flatten)]
    pub legs: Legs,
    /// More candidates for `chart compare` (A B B2 B3 …).
    #[arg(value_name = "B2")]
    pub more: Vec<String>,
    /// Output file: .svg or .png.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 1200, value_parser = clap::value_parser!(u32).range(200..=8000))]
    pub width: u32,
    /// Height in pixels [default: 600, 900 for momentum and levels, heatmap square].
    #[arg(long, value_parser = clap::value_parser!(u32).range(150..=8000))]
    pub height: Option<u32>,
    /// Rules for the signals chart (TOML; default the built-ins).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Prices (overlay) and equity on a linear scale instead of the default log scale.
    #[arg(long)]
    pub linear: bool,
    /// Strategy of the equity chart: `overlay` or a TOML strategy file.
    #[arg(long, default_value = "overlay")]
    pub strategy: String,
    /// The heatmap's symbols or CSV files (comma-separated), or one folder of CSV files.
    #[arg(long, value_delimiter = ',', value_name = "INPUTS")]
    pub universe: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub measures: MeasuresArgs,
    #[command(flatten)]
    pub interval: IntervalArgs,
    #[command(flatten)]
    pub no_rate: NoRateArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub control: ControlArgs,
}

impl Args {
    /// Three MACD periods, an .svg or .png file, a universe for the heatmap, no window twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.measures.momentum.check()?;
        let ext = self.out.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext.to_ascii_lowercase().as_str(), "svg" | "png") {
            return Err(Usage::invalid(format!(
                "--out must end in .svg or .png, got {}",
                self.out.display()
            )));
        }
        if self.kind == ChartKind::Heatmap && self.universe.is_empty() {
            return Err(Usage {
                kind: clap::error::ErrorKind::MissingRequiredArgument,
                message: "the heatmap needs --universe: two or more symbols or files, or a folder"
                    .into(),
            });
        }
        if !self.more.is_empty() && self.kind != ChartKind::Compare {
            return Err(Usage::invalid(format!(
                "the {} chart takes two legs; more series ({}) are for `chart compare`",
                self.kind.name(),
                self.more.join(" ")
            )));
        }
        if self.kind == ChartKind::Heatmap
            && (self.clock.clock != lockstep_report::Clock::Utc
                || self.clock.intraday_a.is_some()
                || self.clock.intraday_b.is_some())
        {
            return Err(Usage::invalid(
                "--clock and --intraday-a/--intraday-b apply to the pair charts, not the heatmap",
            ));
        }
        self.measures.correlation.check()
    }
}

/// The scale of the price and equity axes: log unless `--linear`.
pub fn scale(linear: bool) -> lockstep_charts::Scale {
    if linear {
        lockstep_charts::Scale::Linear
    } else {
        lockstep_charts::Scale::Log
    }
}

/// Compute what the chart shows, draw it and write it.
pub fn run(cx: &Cx, c: &Args) -> Result<()> {
    let ctx = &cx.session;
    let format = lockstep_charts::Format::from_path(&c.out)?;
    let kind = c.kind;
    let height = c.height.unwrap_or(match kind {
        ChartKind::Momentum | ChartKind::Levels => 900,
        ChartKind::Heatmap => c.width,
        _ => 600,
    });
    let size = (c.width, height);
    let what = format!("cannot draw the {} chart", kind.name());
    let params = || {
        pair_params(
            &c.legs,
            &[
                &c.input,
                &c.source,
                &c.measures,
                &c.interval,
                &c.no_rate,
                &c.clock,
                &c.control,
            ],
        )
    };
    let bytes = match kind {
        ChartKind::Heatmap => {
            let series = ctx.load_universe(&c.universe, &c.input.csv(), c.source.provider()?)?;
            let window = c.measures.correlation.windows.longest();
            let sc = lockstep_report::screen::screen(&series, window)
                .context("cannot screen the universe")?;
            lockstep_charts::heatmap_chart(&sc, format, size).context(what)?
        }
        ChartKind::Compare => {
            let mut candidates = vec![c.legs.b.clone()];
            candidates.extend(c.more.iter().cloned());
            let mut p = lockstep_session::CompareParams::new(&c.legs.a, candidates);
            p.controls = c.control.control.clone();
            p.csv = c.input.csv();
            p.provider = c.source.provider()?;
            let corr = &c.measures.correlation;
            p.options.windows = corr.windows.window.iter().map(|w| *w as usize).collect();
            p.options.align = corr.align.align;
            p.options.returns = corr.returns.returns;
            p.options.confidence = c.interval.confidence;
            let cmp = ctx.compare(&p)?;
            lockstep_charts::compare_chart(&cmp, format, size).context(what)?
        }
        ChartKind::Signals => {
            let rules = read_rules(c.rules.as_deref())?;
            let (run, rep) = pair_signals(ctx, &params()?, &rules)?;
            lockstep_charts::signals_chart(&run.report, &rep, format, size).context(what)?
        }
        ChartKind::Equity => {
            let (rules, strategy) = read_strategy(&c.strategy)?;
            let (run, rep) = pair_signals(ctx, &params()?, &rules)?;
            let bt = run
                .backtest(&rep, &strategy, None)
                .context("cannot run the backtest")?;
            lockstep_charts::equity_chart_scaled(&bt, format, size, scale(c.linear))
                .context(what)?
        }
        _ => {
            let report = ctx.pair(&params()?)?.report;
            lockstep_charts::report_chart_scaled(&report, kind, format, size, scale(c.linear))
                .context(what)?
        }
    };
    cx.write_file(&c.out, &bytes)
}
