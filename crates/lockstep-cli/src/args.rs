//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lockstep_core::{Align, ReturnKind};
use lockstep_data::{Dedupe, PriceChoice};
use lockstep_report::AnalyzeOptions;
use lockstep_stats::Method;

const ABOUT: &str = "Are two markets moving in lockstep right now, how strongly, and since when?";

const STATS_HELP: &str = "\
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

Prices: the adjusted close when the file has one, else the close (or the file's single
price/value column); --price overrides, and the report says which was used.
Alignment: inner keeps dates present in both files, so a crypto weekend lands in the
equity's Monday return; weekly takes each leg's last price of the week ending Friday;
monthly the last of each calendar month. Crypto daily closes are 00:00 UTC, US equity
closes 16:00 New York: same-dated closes are 3-4 hours apart.";

/// `lockstep`: the command line.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version, about = ABOUT, after_long_help = STATS_HELP)]
pub struct Cli {
    /// Say which format was detected in each file, and what was read.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour in the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The report: latest rolling correlation per window with its interval, percentile and
    /// share of history above 0.5, min/max, beta, volatility and performance of both legs.
    #[command(after_long_help = STATS_HELP)]
    Analyze(PairArgs),
    /// Rolling correlation, interval and beta per aligned date (CSV: date,ret_a,ret_b, then
    /// corr_W,corr_W_lo,corr_W_hi,beta_W for each window W).
    #[command(after_long_help = STATS_HELP)]
    Corr(PairArgs),
    /// Both legs rebased to 100 on the first aligned date (CSV: date,a,b).
    Overlay(PairArgs),
}

impl Cli {
    /// Checks clap cannot express: repeated windows. Reported as usage errors (exit 2).
    pub fn validate(self) -> Result<Self, clap::Error> {
        let pair = match &self.command {
            Command::Analyze(p) | Command::Corr(p) | Command::Overlay(p) => p,
        };
        let w = &pair.analysis.window;
        if let Some(dup) = w.iter().enumerate().find(|(i, x)| w[..*i].contains(x)) {
            use clap::CommandFactory;
            return Err(Cli::command().error(
                clap::error::ErrorKind::ValueValidation,
                format!("window {} is given twice in --window", dup.1),
            ));
        }
        Ok(self)
    }
}

/// A number strictly between 0 and 1 (confidence level, EWMA decay).
fn unit_interval(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("{v} must lie strictly between 0 and 1"))
    }
}

/// Colour choice.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// CSV for machines (full f64 precision, empty cell = undefined).
    Csv,
    /// JSON for machines (null = undefined).
    Json,
}

/// Two inputs and how to read and analyze them.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// Series A (the asset), a CSV file.
    pub a: PathBuf,
    /// Series B (the benchmark), a CSV file.
    pub b: PathBuf,
    /// Output format [default: table for analyze and corr, csv for overlay].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Table rows for `corr` and `overlay` (the latest N dates; 0 = all).
    #[arg(long, default_value_t = 20)]
    pub rows: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// How CSV files are read.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Price column: auto = adjusted close if present, else close (or price/value).
    #[arg(long, value_enum, default_value_t = PriceArg::Auto)]
    pub price: PriceArg,
    /// Name of the date column (overrides detection).
    #[arg(long, value_name = "NAME")]
    pub date_col: Option<String>,
    /// Name of the price column (overrides detection).
    #[arg(long, value_name = "NAME")]
    pub price_col: Option<String>,
    /// Duplicate dates: error (default), or keep the last row in file order.
    #[arg(long, value_enum, default_value_t = DedupeArg::Error)]
    pub dedupe: DedupeArg,
}

/// Price column choice.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PriceArg {
    /// Adjusted close if the file has one, else close.
    Auto,
    /// The close.
    Close,
    /// The adjusted close (error if the file has none).
    AdjClose,
}

impl From<PriceArg> for PriceChoice {
    fn from(p: PriceArg) -> Self {
        match p {
            PriceArg::Auto => PriceChoice::Auto,
            PriceArg::Close => PriceChoice::Close,
            PriceArg::AdjClose => PriceChoice::AdjClose,
        }
    }
}

/// Duplicate-date policy.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DedupeArg {
    /// Report duplicates as an error.
    Error,
    /// Keep the last occurrence in file order.
    Last,
}

impl From<DedupeArg> for Dedupe {
    fn from(d: DedupeArg) -> Self {
        match d {
            DedupeArg::Error => Dedupe::Error,
            DedupeArg::Last => Dedupe::Last,
        }
    }
}

/// Analysis parameters.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// Rolling windows in returns, comma-separated.
    #[arg(long, short, value_delimiter = ',', default_value = "30,60,90", value_parser = clap::value_parser!(u32).range(2..))]
    pub window: Vec<u32>,
    /// Calendar alignment of the two series.
    #[arg(long, value_enum, default_value_t = AlignArg::Inner)]
    pub align: AlignArg,
    /// Return kind.
    #[arg(long, value_enum, default_value_t = ReturnsArg::Log)]
    pub returns: ReturnsArg,
    /// Correlation method.
    #[arg(long, value_enum, default_value_t = MethodArg::Pearson)]
    pub method: MethodArg,
    /// EWMA decay λ (with --method ewma), strictly between 0 and 1.
    #[arg(long, default_value_t = 0.94, value_parser = unit_interval)]
    pub lambda: f64,
    /// Confidence level of the correlation interval (the interval needs a window of 4 or more).
    #[arg(long, default_value_t = 0.95, value_parser = unit_interval)]
    pub confidence: f64,
}

/// Alignment.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlignArg {
    /// Dates present in both series.
    Inner,
    /// Last observation of each week ending Friday, weeks present in both.
    Weekly,
    /// Last observation of each calendar month, months present in both.
    Monthly,
}

/// Return kind.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReturnsArg {
    /// ln(p_t / p_{t-1}).
    Log,
    /// p_t / p_{t-1} - 1.
    Simple,
}

/// Correlation method.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Pearson correlation in each window.
    Pearson,
    /// Spearman rank correlation in each window.
    Spearman,
    /// RiskMetrics EWMA (λ from --lambda); the window sets the warm-up.
    Ewma,
}

impl AnalysisArgs {
    /// The pipeline's options.
    pub fn options(&self) -> AnalyzeOptions {
        AnalyzeOptions {
            windows: self.window.iter().map(|w| *w as usize).collect(),
            align: match self.align {
                AlignArg::Inner => Align::Inner,
                AlignArg::Weekly => Align::Weekly,
                AlignArg::Monthly => Align::Monthly,
            },
            returns: match self.returns {
                ReturnsArg::Log => ReturnKind::Log,
                ReturnsArg::Simple => ReturnKind::Simple,
            },
            method: match self.method {
                MethodArg::Pearson => Method::Pearson,
                MethodArg::Spearman => Method::Spearman,
                MethodArg::Ewma => Method::Ewma {
                    lambda: self.lambda,
                },
            },
            confidence: self.confidence,
            ..AnalyzeOptions::default()
        }
    }
}
