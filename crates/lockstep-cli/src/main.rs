//! `lockstep`: are two markets moving in lockstep right now, how strongly, and since when?
//!
//! The global options, the commands (each in its own file under `cmd/`) and the dispatch.
//! Exit codes: 0 ok, 1 failure (the error and its causes are printed on stderr), 2 usage.
#![forbid(unsafe_code)]

mod cmd;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use cmd::Cx;
use lockstep_session::Session;

const ABOUT: &str = "Are two markets moving in lockstep right now, how strongly, and since when?";

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// `lockstep`: the command line.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version, about = ABOUT, after_long_help = cmd::analyze::STATS_HELP)]
pub struct Cli {
    /// Say which format was detected in each file, and what was read or fetched.
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub verbose: bool,
    /// Colour in the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, help_heading = GLOBAL)]
    pub color: ColorChoice,
    /// Never use the network: symbols must already be in the store.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub offline: bool,
    /// Print no confirmation of the files written (`chart`, `report`).
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    /// Keep provider bars whose close moves more than 10x from the previous one (refused as
    /// outliers by default, as are non-positive prices and inconsistent high/low).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub accept_outliers: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The report: latest rolling correlation per window with its interval, percentile and
    /// share of history above 0.5, min/max, beta, volatility and performance of both legs,
    /// bootstrap intervals and tests of change, and the partial correlation given --control.
    /// With no arguments: ETH-USD against ^RUT, controlled for the S&P 500 (SPY).
    #[command(after_long_help = cmd::analyze::STATS_HELP)]
    Analyze(cmd::analyze::Args),
    /// Rolling correlation, interval and beta per aligned date (CSV: date,ret_a,ret_b, then
    /// corr_W,corr_W_lo,corr_W_hi,beta_W for each window W; with --control then
    /// pcorr_W,pcorr_W_lo,pcorr_W_hi for each window W).
    #[command(after_long_help = cmd::analyze::STATS_HELP)]
    Corr(cmd::corr::Args),
    /// Both legs rebased to 100 on the first aligned date: the latest --rows dates, or every
    /// date with --format csv (date,a,b) or json.
    Overlay(cmd::overlay::Args),
    /// Who leads: cross-correlation at lags -L..L, Granger tests both ways, and the best lag
    /// of each rolling window (the reaction time).
    #[command(
        after_long_help = cmd::leadlag::LONG_HELP,
        mut_arg("lag_window", |a| a.alias("window"))
    )]
    Leadlag(cmd::leadlag::Args),
    /// Risk-on / risk-off regimes with correlation and beta in each, divergence events, and
    /// each leg's sensitivity to rate changes.
    #[command(
        after_long_help = cmd::regimes::LONG_HELP,
        mut_arg("lag_window", |a| a.alias("window"))
    )]
    Regimes(cmd::regimes::Args),
    /// Momentum indicators of one series, TA-Lib compatible: RSI (Wilder), MACD, Bollinger
    /// bands, ATR, OBV, rate of change, relative volume. CSV header starts
    /// date,close,volume,rsi_14,macd,macd_signal,macd_hist.
    Technicals(cmd::technicals::Args),
    /// Key support and resistance levels (clustered swing pivots ranked by a score of touches,
    /// recency, volume and distance: the best few on each side of the last close) and the
    /// breakouts through them (closes clearing a level by a margin of ATRs for N days).
    #[command(after_long_help = cmd::levels::LONG_HELP)]
    Levels(cmd::levels::Args),
    /// Cup-and-handle patterns (forming, confirmed, failed), the trend against the 200-day
    /// average and the bottoming test: of a price or a ratio such as ETH-USD/BTC-USD.
    #[command(after_long_help = cmd::patterns::LONG_HELP)]
    Patterns(cmd::patterns::Args),
    /// Equity breadth: small-cap relative strength (IWM/SPY), equal weight against cap weight
    /// (RSP/SPY), and with --constituents the share of a basket above its 50- and 200-day
    /// averages and its advance-decline line.
    #[command(after_long_help = cmd::breadth::LONG_HELP)]
    Breadth(cmd::breadth::Args),
    /// Fed rate-move probabilities implied by 30-day fed funds futures (CME FedWatch method):
    /// per FOMC decision P(cut), P(hold), P(hike), the expected rate and each target range.
    #[command(after_long_help = cmd::fed::LONG_HELP)]
    Fed(cmd::fed::Args),
    /// A against several candidates on the dates every series has: each one's correlation and
    /// interval (full period and latest window), its partial correlation given --control, and
    /// whether B1's correlation with A differs from each other's (Williams' t).
    #[command(after_long_help = cmd::compare::LONG_HELP)]
    Compare(cmd::compare::Args),
    /// Correlation screen of a universe: the rolling correlation of every pair (each aligned
    /// on its own common dates, log returns), its change over a month, the most and least
    /// correlated pairs; on every core, for each window of --window.
    #[command(
        after_long_help = cmd::screen::LONG_HELP,
        mut_arg("window", cmd::screen::window_arg)
    )]
    Screen(cmd::screen::Args),
    /// Rule-based signals of a pair, every day: the built-in `synchronized-breakout`,
    /// `risk-reduction` and `strong-b`, or your own TOML rules (--rules FILE).
    #[command(after_long_help = cmd::signals::LONG_HELP)]
    Signals(cmd::signals::Args),
    /// Backtest a position in A set by rules on the pair (default: the macro overlay), without
    /// look-ahead, with fees and slippage, against buy-and-hold A.
    #[command(after_long_help = cmd::backtest::LONG_HELP)]
    Backtest(cmd::backtest::Args),
    /// Draw one chart of a pair as SVG or PNG (by the extension of --out): overlay,
    /// correlation, momentum, ccf, levels, signals, equity; heatmap draws a universe.
    #[command(
        after_long_help = cmd::chart::LONG_HELP,
        mut_arg("window", |a| a.alias("heatmap-window"))
    )]
    Chart(cmd::chart::Args),
    /// Write the whole analysis of a pair as one self-contained HTML file: every section of
    /// `analyze`, its charts inline, the signals and the overlay backtest. The file written is
    /// confirmed on stderr (path and size) unless --quiet.
    Report(cmd::report::Args),
    /// Serve the dashboard and the JSON API of the watchlist ([serve] in config.toml) on
    /// 127.0.0.1:8080, refresh its symbols on a schedule and deliver alerts.
    #[command(after_long_help = cmd::serve::LONG_HELP)]
    Serve(cmd::serve::Args),
    /// Time the numeric kernels on this machine (rolling correlation and beta, w = 90; RSI 14,
    /// EMA 20, MACD 12/26/9), on generated inputs or on little-endian f64 files
    /// (bench/compare.py runs pandas, polars and TA-Lib on the same files).
    Bench(cmd::bench::Args),
    /// Net liquidity = Fed balance sheet (WALCL) − Treasury General Account (WTREGEN) −
    /// overnight reverse repo (RRPONTSYD), weekly on Wednesdays, with its 4- and 13-week
    /// change and z-score.
    #[command(after_long_help = cmd::liquidity::LONG_HELP)]
    Liquidity(cmd::liquidity::Args),
    /// Fetch daily bars (or intraday ones, --interval) into the local store, or refresh them:
    /// only what follows the last stored bar (minus an overlap, since providers revise recent
    /// bars) is asked for.
    #[command(after_long_help = cmd::fetch::LONG_HELP)]
    Fetch(cmd::fetch::Args),
    /// The stored symbols, a row per interval: provider, first and last bar, bars, last refresh.
    List(cmd::list::Args),
    /// The latest stored bars of a symbol (daily, or of an intraday --interval).
    Show(cmd::show::Args),
    /// Store a CSV file's series under a symbol (provider `import`; intraday with --interval).
    Import(cmd::import::Args),
    /// Write a stored symbol's bars (CSV header date,open,high,low,close,adj_close,volume).
    Export(cmd::export::Args),
    /// The fetch log: every fetch, its outcome and what it changed.
    Log(cmd::log::Args),
    /// Delete a symbol and its bars from the store (or only one intraday --interval).
    Remove(cmd::remove::Args),
}

impl Command {
    /// The checks clap cannot express (three MACD periods, no window given twice, a chart
    /// file type): a failure is a usage error, exit 2.
    fn check(&self) -> Result<(), cmd::Usage> {
        match self {
            Command::Analyze(a) => a.check(),
            Command::Corr(a) => a.check(),
            Command::Leadlag(a) => a.check(),
            Command::Overlay(a) => a.range.check(),
            Command::Regimes(a) => a.range.check(),
            Command::Technicals(a) => a.check(),
            Command::Screen(a) => a.check(),
            Command::Compare(a) => a.check(),
            Command::Signals(a) => a.check(),
            Command::Backtest(a) => a.check(),
            Command::Chart(a) => a.check(),
            Command::Report(a) => a.check(),
            _ => Ok(()),
        }
    }

    /// Run the command.
    fn run(&self, cx: &Cx) -> anyhow::Result<()> {
        match self {
            Command::Analyze(a) => cmd::analyze::run(cx, a),
            Command::Corr(a) => cmd::corr::run(cx, a),
            Command::Overlay(a) => cmd::overlay::run(cx, a),
            Command::Leadlag(a) => cmd::leadlag::run(cx, a),
            Command::Regimes(a) => cmd::regimes::run(cx, a),
            Command::Technicals(a) => cmd::technicals::run(cx, a),
            Command::Levels(a) => cmd::levels::run(cx, a),
            Command::Patterns(a) => cmd::patterns::run(cx, a),
            Command::Breadth(a) => cmd::breadth::run(cx, a),
            Command::Fed(a) => cmd::fed::run(cx, a),
            Command::Screen(a) => cmd::screen::run(cx, a),
            Command::Compare(a) => cmd::compare::run(cx, a),
            Command::Signals(a) => cmd::signals::run(cx, a),
            Command::Backtest(a) => cmd::backtest::run(cx, a),
            Command::Chart(a) => cmd::chart::run(cx, a),
            Command::Report(a) => cmd::report::run(cx, a),
            Command::Serve(a) => cmd::serve::run(cx, a),
            Command::Bench(a) => cmd::bench::run(cx, a),
            Command::Liquidity(a) => cmd::liquidity::run(cx, a),
            Command::Fetch(a) => cmd::fetch::run(cx, a),
            Command::List(a) => cmd::list::run(cx, a),
            Command::Show(a) => cmd::show::run(cx, a),
            Command::Import(a) => cmd::import::run(cx, a),
            Command::Export(a) => cmd::export::run(cx, a),
            Command::Log(a) => cmd::log::run(cx, a),
            Command::Remove(a) => cmd::remove::run(cx, a),
        }
    }
}

/// Parse the command line and run the command: exit 0 on success (and on --help, --version
/// and a closed pipe), 1 on failure with the error and its causes on stderr, 2 on a usage
/// error.
fn main() -> ExitCode {
    let parsed = Cli::try_parse().and_then(|cli| match cli.command.check() {
        Ok(()) => Ok(cli),
        Err(u) => Err(Cli::command().error(u.kind, u.message)),
    });
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; anything else is a usage error.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let cx = Cx {
        session: Session::new(cli.offline, cli.verbose).accept_outliers(cli.accept_outliers),
        color: output::use_color(cli.color),
        quiet: cli.quiet,
    };
    match cli.command.run(&cx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

/// Whether the error is a closed standard output (`lockstep ... | head`): not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
