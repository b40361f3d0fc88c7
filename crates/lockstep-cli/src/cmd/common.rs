//! The argument groups several commands share, each defined once, and how they set the
//! session's plain parameters ([`SetParams`]). A command flattens only the groups whose
//! options it uses, so its help lists nothing it ignores.
//!
//! Every group but the legs and the output options carries a help heading (Input,
//! Correlation, Lead-lag and regimes, Momentum and structure, Net liquidity); a command lists
//! its own options before its groups.

use clap::{Args, ValueEnum};
use lockstep_core::{Align, ReturnKind};
use lockstep_data::{Dedupe, PriceChoice};
use lockstep_macro::Units;
use lockstep_report::{RegimeLeg, StructureOptions};
use lockstep_session::{limits, LiquidityChoice, PairParams, RateChoice, DEFAULT_RATE};
use lockstep_stats::Method;

use super::Usage;

/// A group of options that sets part of a pair's parameters.
pub trait SetParams {
    /// Write this group's values into `p`.
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()>;
}

/// The parameters of the pair `legs`: the session's defaults ([`PairParams::new`]), then each
/// group's values.
pub fn pair_params(legs: &Legs, groups: &[&dyn SetParams]) -> anyhow::Result<PairParams> {
    let mut p = PairParams::new(&legs.a, &legs.b);
    for g in groups {
        g.set(&mut p)?;
    }
    Ok(p)
}

// ---------------------------------------------------------------------------------------------
// What to read, and how to print it
// ---------------------------------------------------------------------------------------------

/// The two legs of a pair.
#[derive(Debug, Args)]
pub struct Legs {
    /// Series A (the asset): a symbol (ETH-USD), a ratio (ETH-USD/BTC-USD) or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub a: String,
    /// Series B (the benchmark): a symbol (^RUT), a ratio or a CSV file.
    #[arg(default_value = "^RUT")]
    pub b: String,
}

pub use lockstep_report::view::Format;

/// The output format, a table by default.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A table of the latest dates by default; CSV and JSON hold every date.
#[derive(Debug, Args)]
pub struct RowsArgs {
    /// Output format: a table of the latest --rows dates, or every date as CSV or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows (the latest N dates; 0 = all).
    #[arg(long, default_value_t = 20)]
    pub rows: usize,
}

/// How CSV files are read.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Price column: auto = adjusted close if present, else close (or price/value).
    #[arg(long, value_enum, default_value_t = PriceChoice::Auto)]
    pub price: PriceChoice,
    /// Name of the date column (overrides detection).
    #[arg(long, value_name = "NAME")]
    pub date_col: Option<String>,
    /// Name of the price column (overrides detection).
    #[arg(long, value_name = "NAME")]
    pub price_col: Option<String>,
    /// Duplicate dates: error (default), or keep the last row in file order.
    #[arg(long, value_enum, default_value_t = Dedupe::Error)]
    pub dedupe: Dedupe,
}

impl InputArgs {
    /// The CSV reader options of `--price`, `--date-col`, `--price-col`, `--dedupe`.
    pub fn csv(&self) -> lockstep_data::CsvOptions {
        lockstep_data::CsvOptions {
            price: self.price,
            date_col: self.date_col.clone(),
            price_col: self.price_col.clone(),
            dedupe: self.dedupe,
            ..Default::default()
        }
    }
}

impl SetParams for InputArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.csv = self.csv();
        Ok(())
    }
}

/// Where symbols are fetched from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct SourceArgs {
    /// Use only this provider (yahoo, coinbase, binance, stooq, fred) instead of the
    /// symbol's fallback chain.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
}

impl SourceArgs {
    /// `--provider`, parsed.
    pub fn provider(&self) -> anyhow::Result<Option<lockstep_fetch::ProviderKind>> {
        super::provider(self.provider.as_deref())
    }
}

impl SetParams for SourceArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.provider = self.provider()?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Correlation
// ---------------------------------------------------------------------------------------------

/// The rolling correlation: windows, calendar, returns and method.
#[derive(Debug, Args)]
#[command(next_help_heading = "Correlation")]
pub struct CorrelationArgs {
    #[command(flatten)]
    pub windows: WindowsArgs,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub returns: ReturnsArgs,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Correlation method.
    #[arg(long, value_enum, default_value_t = MethodArg::Pearson)]
    pub method: MethodArg,
    /// EWMA decay λ (with --method ewma), strictly between 0 and 1.
    #[arg(long, default_value_t = 0.94, value_parser = unit_interval)]
    pub lambda: f64,
}

impl CorrelationArgs {
    /// No window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.range.check()?;
        self.windows.check()
    }
}

impl SetParams for CorrelationArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        self.windows.set(p)?;
        self.range.set(p)?;
        self.align.set(p)?;
        self.returns.set(p)?;
        p.options.method = match self.method {
            MethodArg::Pearson => Method::Pearson,
            MethodArg::Spearman => Method::Spearman,
            MethodArg::Ewma => Method::Ewma {
                lambda: self.lambda,
            },
        };
        Ok(())
    }
}

/// Rolling windows, as a list (`--window 30,60,90`). Also the heatmap's, which draws the
/// longest.
#[derive(Debug, Args)]
#[command(next_help_heading = "Correlation")]
pub struct WindowsArgs {
    /// Rolling windows in returns, comma-separated.
    #[arg(long, short, value_delimiter = ',', default_value = "30,60,90", value_parser = window)]
    pub window: Vec<u32>,
}

impl WindowsArgs {
    /// No window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        check_windows(&self.window)
    }

    /// The longest window.
    pub fn longest(&self) -> usize {
        self.window.iter().copied().max().unwrap_or(90) as usize
    }
}

impl SetParams for WindowsArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.windows = self.window.iter().map(|w| *w as usize).collect();
        Ok(())
    }
}

/// A list of windows (`--window 30,60,90`) names each window once.
pub fn check_windows(w: &[u32]) -> Result<(), Usage> {
    limits::distinct_windows(w).map_err(|e| Usage::invalid(format!("{e} in --window")))
}

/// The date range of the analysis.
#[derive(Debug, Args)]
#[command(next_help_heading = "Correlation")]
pub struct RangeArgs {
    /// First date (YYYY-MM-DD, inclusive) of the aligned returns every statistic reads; the
    /// intraday bars (`--interval`, the clock comparison) are cut to the same sessions, a
    /// bar belonging to its New York date.
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Last date (YYYY-MM-DD, inclusive) of the aligned returns every statistic reads, and of
    /// the intraday bars' sessions.
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
}

impl RangeArgs {
    /// `--from` is not after `--to`.
    pub fn check(&self) -> Result<(), Usage> {
        match (self.from, self.to) {
            (Some(f), Some(t)) if f > t => {
                Err(Usage::invalid(format!("--from {f} is after --to {t}")))
            }
            _ => Ok(()),
        }
    }
}

impl SetParams for RangeArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.from = self.from;
        p.to = self.to;
        Ok(())
    }
}

/// How the two legs are put on one calendar.
#[derive(Debug, Args)]
#[command(next_help_heading = "Correlation")]
pub struct AlignArgs {
    /// Calendar alignment of the two series.
    #[arg(long, value_enum, default_value_t = Align::Inner)]
    pub align: Align,
}

impl SetParams for AlignArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.align = self.align;
        Ok(())
    }
}

/// How returns are measured.
#[derive(Debug, Args)]
#[command(next_help_heading = "Correlation")]
pub struct ReturnsArgs {
    /// Return kind.
    #[arg(long, value_enum, default_value_t = ReturnKind::Log)]
    pub returns: ReturnKind,
}

impl SetParams for ReturnsArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.returns = self.returns;
        Ok(())
    }
}

/// Correlation method: [`Method`] without its parameter (λ comes from `--lambda`), so not a
/// `ValueEnum` of its own.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Pearson correlation in each window.
    Pearson,
    /// Spearman rank correlation in each window.
    Spearman,
    /// RiskMetrics EWMA (λ from --lambda); the window sets the warm-up.
    Ewma,
}

/// The confidence level of the correlation interval (and of the bands drawn with it).
#[derive(Debug, Args)]
#[command(next_help_heading = "Correlation")]
pub struct IntervalArgs {
    /// Confidence level of the correlation interval (the interval needs a window of 4 or more).
    #[arg(long, default_value_t = 0.95, value_parser = unit_interval)]
    pub confidence: f64,
}

impl SetParams for IntervalArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.confidence = self.confidence;
        Ok(())
    }
}

/// The clock of daily returns and the intraday bars behind it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Clock")]
pub struct ClockArgs {
    /// Daily clock of the main report: utc (each leg's own close: crypto 00:00 UTC, equities
    /// 16:00 New York) or exchange (the every-day leg at the exchange's close, from its
    /// intraday bars). With intraday bars of the every-day leg the report shows both clocks.
    #[arg(long, value_enum, default_value_t = lockstep_report::Clock::Utc)]
    pub clock: lockstep_report::Clock,
    /// Intraday bars of A from a CSV export (else the store's, when A is a stored symbol).
    #[arg(long, value_name = "FILE")]
    pub intraday_a: Option<std::path::PathBuf>,
    /// Intraday bars of B from a CSV export.
    #[arg(long, value_name = "FILE")]
    pub intraday_b: Option<std::path::PathBuf>,
    /// Time zone of intraday CSV timestamps written without an offset (e.g.
    /// America/New_York; daylight saving applied). A leg given as an intraday CSV file gets
    /// its daily closes from its bars.
    #[arg(long, value_name = "ZONE", value_parser = time_zone)]
    pub tz: Option<chrono_tz::Tz>,
    /// Skip intraday CSV rows whose time of day is missing (a spreadsheet dropped it),
    /// counting them in a warning, instead of refusing the file.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// An IANA time zone name (`America/New_York`, `UTC`).
fn time_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse().map_err(|_| {
        format!("{s} is not a time zone name of the IANA database (e.g. America/New_York, UTC)")
    })
}

/// An intraday interval: 1m, 5m, 15m, 30m or 1h.
fn intraday_interval(s: &str) -> Result<lockstep_core::Interval, String> {
    let i: lockstep_core::Interval = s.parse().map_err(|e| format!("{e}"))?;
    if i.is_intraday() {
        Ok(i)
    } else {
        Err(format!(
            "{s} is not an intraday interval: use 1m, 5m, 15m, 30m or 1h"
        ))
    }
}

impl SetParams for ClockArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.clock = self.clock;
        p.intraday_a = self.intraday_a.clone();
        p.intraday_b = self.intraday_b.clone();
        p.tz = self.tz;
        p.skip_bad_rows = self.skip_bad_rows;
        Ok(())
    }
}

/// Returns in intraday bars within sessions (`--interval`): `analyze`, `corr`, `leadlag`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Clock")]
pub struct BarsArgs {
    /// Measure in bars of this interval (1m, 5m, 15m, 30m, 1h): returns between consecutive
    /// bars of one regular session, lags within sessions (the reaction time in hours); needs
    /// both legs' intraday bars.
    #[arg(long, value_name = "INTERVAL", value_parser = intraday_interval)]
    pub interval: Option<lockstep_core::Interval>,
}

impl BarsArgs {
    /// Returns in bars are log returns between bars of one session: `--align` and
    /// `--returns simple` are for daily closes.
    pub fn check(&self, align: &AlignArgs, returns: &ReturnsArgs) -> Result<(), Usage> {
        let Some(iv) = self.interval else {
            return Ok(());
        };
        if align.align != Align::Inner {
            return Err(Usage::invalid(format!(
                "--interval {iv} measures bars within sessions: --align {} is for daily closes",
                align.align.name()
            )));
        }
        if returns.returns != ReturnKind::Log {
            return Err(Usage::invalid(format!(
                "--interval {iv} measures log returns between bars of one session: --returns \
                 simple is for daily closes"
            )));
        }
        Ok(())
    }
}

impl SetParams for BarsArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.interval = self.interval;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Lead-lag and regimes
// ---------------------------------------------------------------------------------------------

/// The window of the rolling best lag, the divergence regression and the rate beta: one name
/// in every command (`leadlag` and `regimes` also take their former `--window`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Lead-lag and regimes")]
pub struct LagWindowArgs {
    /// Rolling window, in returns, of the best lag, the divergence regression and the rate
    /// beta.
    #[arg(long, default_value_t = 90, value_parser = lag_window)]
    pub lag_window: u32,
}

impl LagWindowArgs {
    /// `leadlag` and `regimes`: the window is also the one correlation window they report.
    pub fn set_only_window(&self, p: &mut PairParams) -> anyhow::Result<()> {
        self.set(p)?;
        p.options.windows = vec![self.lag_window as usize];
        Ok(())
    }
}

impl SetParams for LagWindowArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        let w = self.lag_window as usize;
        p.options.linkage.lag_window = w;
        p.options.linkage.divergence_window = w;
        p.options.linkage.rate_window = w;
        Ok(())
    }
}

/// The largest lag looked at.
#[derive(Debug, Args)]
#[command(next_help_heading = "Lead-lag and regimes")]
pub struct MaxLagArgs {
    /// Largest lag of the cross-correlation, Granger tests and rolling best lag.
    #[arg(long, default_value_t = 10, value_parser = max_lag)]
    pub max_lag: u32,
}

impl SetParams for MaxLagArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.linkage.max_lag = self.max_lag as usize;
        Ok(())
    }
}

/// The confidence level of the lead-lag band and the regime intervals.
#[derive(Debug, Args)]
#[command(next_help_heading = "Lead-lag and regimes")]
pub struct BandArgs {
    /// Confidence level of intervals and bands.
    #[arg(long, default_value_t = 0.95, value_parser = unit_interval)]
    pub confidence: f64,
}

impl SetParams for BandArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.confidence = self.confidence;
        Ok(())
    }
}

/// The risk-on / risk-off rule.
#[derive(Debug, Args)]
#[command(next_help_heading = "Lead-lag and regimes")]
pub struct RegimeRuleArgs {
    /// Which leg's price classifies risk-on / risk-off.
    #[arg(long, value_enum, default_value_t = RegimeLeg::Auto)]
    pub regime_leg: RegimeLeg,
    /// Moving-average window of the regime rule [default: 200, or [regimes] in config.toml].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub ma: Option<u32>,
    /// Realized-volatility window of the regime rule [default: 20].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub vol_window: Option<u32>,
    /// Number of volatility values whose median is the regime threshold [default: 252].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub vol_lookback: Option<u32>,
}

impl SetParams for RegimeRuleArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.linkage.regime_leg = self.regime_leg;
        p.regime = lockstep_session::RegimeOverrides {
            ma_window: self.ma.map(|v| v as usize),
            vol_window: self.vol_window.map(|v| v as usize),
            vol_lookback: self.vol_lookback.map(|v| v as usize),
        };
        Ok(())
    }
}

/// When a day's move departs from the pair's regression.
#[derive(Debug, Args)]
#[command(next_help_heading = "Lead-lag and regimes")]
pub struct DivergenceArgs {
    /// Divergence threshold: |z| above this is an event.
    #[arg(long, default_value_t = 3.0)]
    pub divergence_k: f64,
}

impl SetParams for DivergenceArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.linkage.divergence_k = self.divergence_k;
        Ok(())
    }
}

/// The rate series of rate sensitivity.
#[derive(Debug, Args)]
#[command(next_help_heading = "Lead-lag and regimes")]
pub struct RateArgs {
    /// Rate series for rate sensitivity (a symbol or CSV; levels in percent).
    #[arg(long, default_value = DEFAULT_RATE)]
    pub rate: String,
    /// Skip rate sensitivity.
    #[arg(long)]
    pub no_rate: bool,
}

impl SetParams for RateArgs {
    /// None with `--no-rate`; the default series when it can be had; an explicit `--rate`
    /// must load.
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.rate = if self.no_rate {
            RateChoice::Off
        } else if self.rate != DEFAULT_RATE {
            RateChoice::Required(self.rate.clone())
        } else {
            RateChoice::Optional(self.rate.clone())
        };
        Ok(())
    }
}

/// Where no rate series is used (`signals`, `backtest`, `chart`): none is loaded, and
/// `--no-rate`, which these commands took when they loaded one, is accepted (hidden) so the
/// scripts that pass it keep working.
#[derive(Debug, Args)]
pub struct NoRateArgs {
    /// No rate series (none is used here).
    #[arg(long, hide = true)]
    pub no_rate: bool,
}

impl SetParams for NoRateArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.rate = RateChoice::Off;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Momentum and structure
// ---------------------------------------------------------------------------------------------

/// The momentum indicators of the structure section and the signals.
#[derive(Debug, Args)]
#[command(next_help_heading = "Momentum and structure")]
pub struct MomentumArgs {
    /// RSI period (Wilder).
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    pub rsi: u32,
    /// MACD fast,slow,signal periods.
    #[arg(long, default_value = "12,26,9", value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub macd: Vec<u32>,
    /// Keep a last bar that looks partial (session not closed, or zero volume where volume
    /// is normally positive) in the volume statistics; by default it is flagged and left out.
    #[arg(long)]
    pub include_partial: bool,
}

impl MomentumArgs {
    /// `--macd` holds three periods.
    pub fn check(&self) -> Result<(), Usage> {
        check_macd(&self.macd)
    }

    /// RSI and MACD periods (`--macd` has been checked to hold three).
    pub fn set_structure(&self, o: &mut StructureOptions) {
        o.technicals.rsi = self.rsi as usize;
        if let &[fast, slow, signal] = self.macd.as_slice() {
            o.technicals.macd = (fast as usize, slow as usize, signal as usize);
        }
    }
}

impl SetParams for MomentumArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        self.set_structure(&mut p.options.structure);
        p.options.include_partial = self.include_partial;
        Ok(())
    }
}

/// `--macd` takes three periods.
pub fn check_macd(m: &[u32]) -> Result<(), Usage> {
    if m.len() == 3 {
        return Ok(());
    }
    Err(Usage::invalid(format!(
        "--macd takes three periods fast,slow,signal (e.g. 12,26,9), got {}",
        m.len()
    )))
}

/// Swing pivots: of the levels and of a cup's left rim.
#[derive(Debug, Args)]
#[command(next_help_heading = "Momentum and structure")]
pub struct PivotArgs {
    /// Bars on each side of a swing pivot (levels) and of a cup's left rim.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub pivot: u32,
}

impl PivotArgs {
    /// The pivot width of levels and cups.
    pub fn set_structure(&self, o: &mut StructureOptions) {
        o.levels.left = self.pivot as usize;
        o.levels.right = self.pivot as usize;
        o.cup.pivot = self.pivot as usize;
    }
}

/// Support and resistance levels.
#[derive(Debug, Args)]
#[command(next_help_heading = "Momentum and structure")]
pub struct LevelArgs {
    #[command(flatten)]
    pub pivot: PivotArgs,
    /// Clustering tolerance of levels, in ATR(14).
    #[arg(long, default_value_t = 0.5)]
    pub atr_mult: f64,
    /// Pivots a level needs.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub min_touches: u32,
    /// Breakouts: margin a close must clear a level by, in ATR(14) of that day.
    #[arg(long, default_value_t = lockstep_structure::DEFAULT_MARGIN_ATR)]
    pub margin_atr: f64,
    /// Breakouts: consecutive closes that must clear the level.
    #[arg(long, default_value_t = lockstep_structure::DEFAULT_HOLD as u32,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub hold: u32,
}

impl LevelArgs {
    /// Pivots, clustering and touches of the levels (and the cups' pivots).
    pub fn set_structure(&self, o: &mut StructureOptions) {
        self.pivot.set_structure(o);
        o.levels.atr_mult = self.atr_mult;
        o.levels.min_touches = self.min_touches as usize;
        o.levels.margin_atr = self.margin_atr;
        o.levels.hold = self.hold as usize;
    }
}

impl SetParams for LevelArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        self.set_structure(&mut p.options.structure);
        Ok(())
    }
}

/// Which events the structure section of the report shows.
#[derive(Debug, Args)]
#[command(next_help_heading = "Momentum and structure")]
pub struct RecentArgs {
    /// Events (breakouts, alignment runs, MACD crosses) shown in the report: those of the
    /// last N observations.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub recent: u32,
}

impl SetParams for RecentArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.structure.recent = self.recent as usize;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Net liquidity
// ---------------------------------------------------------------------------------------------

/// The three series of net liquidity.
#[derive(Debug, Args)]
#[command(next_help_heading = "Net liquidity")]
pub struct LiquiditySeries {
    /// Fed total assets (a symbol or CSV).
    #[arg(long, default_value = "fred:WALCL")]
    pub fed_assets: String,
    /// Units of --fed-assets.
    #[arg(long, value_enum, default_value_t = Units::Millions)]
    pub fed_assets_units: Units,
    /// Treasury General Account (a symbol or CSV).
    #[arg(long, default_value = "fred:WTREGEN")]
    pub tga: String,
    /// Units of --tga.
    #[arg(long, value_enum, default_value_t = Units::Millions)]
    pub tga_units: Units,
    /// Overnight reverse repo (a symbol or CSV).
    #[arg(long, default_value = "fred:RRPONTSYD")]
    pub rrp: String,
    /// Units of --rrp.
    #[arg(long, value_enum, default_value_t = Units::Billions)]
    pub rrp_units: Units,
}

impl LiquiditySeries {
    /// The series of net liquidity.
    pub fn spec(&self) -> lockstep_session::LiquiditySpec {
        lockstep_session::LiquiditySpec {
            fed_assets: self.fed_assets.clone(),
            fed_assets_units: self.fed_assets_units,
            tga: self.tga.clone(),
            tga_units: self.tga_units,
            rrp: self.rrp.clone(),
            rrp_units: self.rrp_units,
        }
    }
}

/// Net liquidity in a pair's analysis: its series, or none.
#[derive(Debug, Args)]
#[command(next_help_heading = "Net liquidity")]
pub struct LiquidityArgs {
    #[command(flatten)]
    pub series: LiquiditySeries,
    /// Skip the liquidity section.
    #[arg(long)]
    pub no_liquidity: bool,
}

impl SetParams for LiquidityArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.liquidity = if self.no_liquidity {
            LiquidityChoice::Skipped
        } else {
            LiquidityChoice::Series(self.series.spec())
        };
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Everything the daily measurement table depends on
// ---------------------------------------------------------------------------------------------

/// The options the pair's daily measurements depend on (correlation and beta per window, the
/// best lag, the regime, RSI, MACD, levels, net liquidity): `signals`, `backtest`, `chart`,
/// and with the report's own options `analyze` and `report`.
#[derive(Debug, Args)]
pub struct MeasuresArgs {
    #[command(flatten)]
    pub correlation: CorrelationArgs,
    #[command(flatten)]
    pub lag_window: LagWindowArgs,
    #[command(flatten)]
    pub max_lag: MaxLagArgs,
    #[command(flatten)]
    pub regime: RegimeRuleArgs,
    #[command(flatten)]
    pub momentum: MomentumArgs,
    #[command(flatten)]
    pub levels: LevelArgs,
    #[command(flatten)]
    pub liquidity: LiquidityArgs,
}

impl MeasuresArgs {
    /// Three MACD periods, no window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.momentum.check()?;
        self.correlation.check()
    }
}

impl SetParams for MeasuresArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        self.correlation.set(p)?;
        self.lag_window.set(p)?;
        self.max_lag.set(p)?;
        self.regime.set(p)?;
        self.momentum.set(p)?;
        self.levels.set(p)?;
        self.liquidity.set(p)
    }
}

/// The options of the whole report beyond the measurements: the interval, divergences, rate
/// sensitivity and the structure section's recent events (`analyze`, `report`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub measures: MeasuresArgs,
    #[command(flatten)]
    pub interval: IntervalArgs,
    #[command(flatten)]
    pub divergence: DivergenceArgs,
    #[command(flatten)]
    pub rate: RateArgs,
    #[command(flatten)]
    pub recent: RecentArgs,
}

impl ReportArgs {
    /// Three MACD periods, no window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.measures.check()
    }
}

impl SetParams for ReportArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        self.measures.set(p)?;
        self.interval.set(p)?;
        self.divergence.set(p)?;
        self.rate.set(p)?;
        self.recent.set(p)
    }
}

// ---------------------------------------------------------------------------------------------
// Control and inference
// ---------------------------------------------------------------------------------------------

/// The series to control for, named (no default control): `corr`, `regimes`, `signals`,
/// `backtest`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Control")]
pub struct ControlArgs {
    /// Control for this series (a symbol or CSV file; repeatable): adds the partial
    /// correlation of A and B given the controls.
    #[arg(long = "control", value_name = "SYMBOL|FILE")]
    pub control: Vec<String>,
}

impl SetParams for ControlArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.controls = self.control.clone();
        p.default_control = false;
        Ok(())
    }
}

/// The series to control for, or the pair's default control: `analyze`, `report`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Control")]
pub struct DefaultControlArgs {
    /// Control for this series (a symbol or CSV file; repeatable) [default: SPY for ETH-USD
    /// against ^RUT, or [controls] of config.toml by asset class].
    #[arg(long = "control", value_name = "SYMBOL|FILE")]
    pub control: Vec<String>,
    /// No control, not even the pair's default one.
    #[arg(long, conflicts_with = "control")]
    pub no_control: bool,
}

impl SetParams for DefaultControlArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.controls = self.control.clone();
        p.default_control = !self.no_control;
        Ok(())
    }
}

/// The stationary bootstrap of the report's intervals and tests: `analyze`, `report`,
/// `regimes`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Inference")]
pub struct BootstrapArgs {
    /// Bootstrap resamples of each interval and test (stationary bootstrap, Politis–White
    /// block length); 0 leaves the bootstrap out.
    #[arg(long, value_name = "N", default_value_t = 999, value_parser = bootstrap_count)]
    pub bootstrap: usize,
    /// Seed of the bootstrap's generator: the same seed gives the same intervals [default:
    /// the fixed seed 5498687660842304848].
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
}

/// 0 (off) or 2 and more resamples.
fn bootstrap_count(s: &str) -> Result<usize, String> {
    let v: usize = s.parse().map_err(|_| format!("{s:?} is not a count"))?;
    limits::bootstrap(v as u64).map(|_| v)
}

impl SetParams for BootstrapArgs {
    fn set(&self, p: &mut PairParams) -> anyhow::Result<()> {
        p.options.bootstrap.replications = self.bootstrap;
        if let Some(s) = self.seed {
            p.options.bootstrap.seed = s;
        }
        Ok(())
    }
}

/// A number strictly between 0 and 1 (confidence level, EWMA decay).
fn unit_interval(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    limits::unit_interval(v)
}

/// A count parsed from `s`, then checked by `limit` (a rule of [`limits`]).
fn count(s: &str, limit: fn(u64) -> Result<u64, String>) -> Result<u32, String> {
    let v: u32 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number"))?;
    limit(u64::from(v)).map(|_| v)
}

/// A rolling window ([`limits::window`]).
fn window(s: &str) -> Result<u32, String> {
    count(s, limits::window)
}

/// The lag window ([`limits::lag_window`]).
fn lag_window(s: &str) -> Result<u32, String> {
    count(s, limits::lag_window)
}

/// The largest lag ([`limits::max_lag`]).
fn max_lag(s: &str) -> Result<u32, String> {
    count(s, limits::max_lag)
}
