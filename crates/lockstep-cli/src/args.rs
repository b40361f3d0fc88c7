//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lockstep_core::{Align, ReturnKind};
use lockstep_data::{Dedupe, PriceChoice};
use lockstep_report::{AnalyzeOptions, StructureOptions};
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
    /// Say which format was detected in each file, and what was read or fetched.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Colour in the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Never use the network: symbols must already be in the store.
    #[arg(long, global = true)]
    pub offline: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The report: latest rolling correlation per window with its interval, percentile and
    /// share of history above 0.5, min/max, beta, volatility and performance of both legs.
    /// With no arguments: ETH-USD against ^RUT.
    #[command(after_long_help = STATS_HELP)]
    Analyze(PairArgs),
    /// Rolling correlation, interval and beta per aligned date (CSV: date,ret_a,ret_b, then
    /// corr_W,corr_W_lo,corr_W_hi,beta_W for each window W).
    #[command(after_long_help = STATS_HELP)]
    Corr(PairArgs),
    /// Both legs rebased to 100 on the first aligned date (CSV: date,a,b).
    Overlay(PairArgs),
    /// Who leads: cross-correlation at lags -L..L, Granger tests both ways, and the best lag
    /// of each rolling window (the reaction time).
    #[command(after_long_help = LEADLAG_HELP)]
    Leadlag(LinkArgs),
    /// Risk-on / risk-off regimes with correlation and beta in each, divergence events, and
    /// each leg's sensitivity to rate changes.
    #[command(after_long_help = REGIMES_HELP)]
    Regimes(LinkArgs),
    /// Momentum indicators of one series, TA-Lib compatible: RSI (Wilder), MACD, Bollinger
    /// bands, ATR, OBV, rate of change, relative volume. CSV header starts
    /// date,close,volume,rsi_14,macd,macd_signal,macd_hist.
    Technicals(TechnicalsArgs),
    /// Support and resistance levels (clustered swing pivots, with touches, first/last touch
    /// and distance from the last close) and volume-confirmed breakouts through them.
    #[command(after_long_help = LEVELS_HELP)]
    Levels(LevelsArgs),
    /// Cup-and-handle patterns (forming, confirmed, failed), the trend against the 200-day
    /// average and the bottoming test: of a price or a ratio such as ETH-USD/BTC-USD.
    #[command(after_long_help = PATTERNS_HELP)]
    Patterns(PatternsArgs),
    /// Equity breadth: small-cap relative strength (IWM/SPY), equal weight against cap weight
    /// (RSP/SPY), and with --constituents the share of a basket above its 50- and 200-day
    /// averages and its advance-decline line.
    #[command(after_long_help = BREADTH_HELP)]
    Breadth(BreadthArgs),
    /// Fed rate-move probabilities implied by 30-day fed funds futures (CME FedWatch method):
    /// per FOMC decision P(cut), P(hold), P(hike), the expected rate and each target range.
    #[command(after_long_help = FED_HELP)]
    Fed(FedArgs),
    /// Correlation screen of a universe: the rolling correlation of every pair (each aligned
    /// on its own common dates, log returns), its change over a month, the most and least
    /// correlated pairs; on every core.
    Screen(ScreenArgs),
    /// Rule-based signals of a pair, every day: the built-in `synchronized-breakout`,
    /// `risk-reduction` and `strong-b`, or your own TOML rules (--rules FILE).
    #[command(after_long_help = SIGNALS_HELP)]
    Signals(SignalsArgs),
    /// Backtest a position in A set by rules on the pair (default: the macro overlay), without
    /// look-ahead, with fees and slippage, against buy-and-hold A.
    #[command(after_long_help = BACKTEST_HELP)]
    Backtest(BacktestArgs),
    /// Draw one chart of a pair as SVG or PNG (by the extension of --out): overlay,
    /// correlation, momentum, ccf, levels, signals, equity; heatmap draws a universe.
    #[command(after_long_help = CHART_HELP)]
    Chart(ChartArgs),
    /// Write the whole analysis of a pair as one self-contained HTML file: every section of
    /// `analyze`, its charts inline, the signals and the overlay backtest.
    Report(ReportArgs),
    /// Serve the dashboard and the JSON API of the watchlist ([serve] in config.toml) on
    /// 127.0.0.1:8080, refresh its symbols on a schedule and deliver alerts.
    #[command(after_long_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Time the numeric kernels on this machine (rolling correlation and beta, w = 90; RSI 14,
    /// EMA 20, MACD 12/26/9), on generated inputs or on little-endian f64 files
    /// (bench/compare.py runs pandas, polars and TA-Lib on the same files).
    Bench(BenchArgs),
    /// Net liquidity = Fed balance sheet (WALCL) − Treasury General Account (WTREGEN) −
    /// overnight reverse repo (RRPONTSYD), weekly on Wednesdays, with its 4- and 13-week
    /// change and z-score.
    #[command(after_long_help = LIQUIDITY_HELP)]
    Liquidity(LiquidityArgs),
    /// Fetch daily bars into the local store, or refresh them: only dates after the last
    /// stored one (minus a few days' overlap, since providers revise recent bars) are asked for.
    #[command(after_long_help = SOURCES_HELP)]
    Fetch(FetchArgs),
    /// The stored symbols: provider, first and last date, bars, last refresh.
    List(ListArgs),
    /// The latest stored bars of a symbol.
    Show(ShowArgs),
    /// Store a CSV file's series under a symbol (provider `import`).
    Import(ImportArgs),
    /// Write a stored symbol's bars (CSV header date,open,high,low,close,adj_close,volume).
    Export(ExportArgs),
    /// The fetch log: every fetch, its outcome and what it changed.
    Log(LogArgs),
    /// Delete a symbol and its bars from the store.
    Remove(RemoveArgs),
}

const CHART_HELP: &str = "\
Charts (each renders what `analyze`, `signals`, `backtest` or `screen` computes):
  overlay      both legs rebased to 100 on the first aligned date
  correlation  rolling correlation per window, its confidence band, the --strong line (0.5)
               and risk-off regimes shaded
  momentum     RSI (30/70 lines) and MACD (line, signal, histogram) of both legs, last year
  ccf          cross-correlation by lag (k > 0: B leads A) with the ±z/√n band
  levels       each leg's last two years with support/resistance levels, breakouts, cups
  signals      A's price with the trigger dates of each rule (--rules FILE or the built-ins)
  equity       the backtest's equity against buy-and-hold, and its drawdown (--strategy)
  heatmap      the current rolling correlation of every pair of --universe (symbols, CSV
               files or one folder), window --window
Examples:
  lockstep chart correlation ETH-USD ^RUT --out corr.svg
  lockstep chart heatmap --universe ETH-USD,BTC-USD,^RUT,GLD --out heat.png";

const SERVE_HELP: &str = "\
Configuration: the [serve] table of $LOCKSTEP_HOME/config.toml (or --config FILE):
  [serve]
  bind = \"127.0.0.1:8080\"        # another address than loopback requires a token
  token = \"...\"                  # or LOCKSTEP_TOKEN; then every route needs
                                   # Authorization: Bearer <token> (a browser
                                   # logs in at /login)
  header_timeout_secs = 10         # a connection slower to send its headers (or
                                   # idle longer between requests) is closed
  [[serve.pairs]]
  a = \"ETH-USD\"
  b = \"^RUT\"                     # optional: windows = [30, 60, 90], id = \"eth-usd_rut\"
  [serve.refresh]
  equities_after = \"16:30\"       # New York time, NYSE trading days (exchange-day symbols)
  crypto_every_hours = 4           # symbols that trade every day
  [serve.alerts]
  rules = true                     # a signal rule turning on or off
  corr_thresholds = [0.5]          # the longest window's correlation crossing these
  [serve.alerts.webhook]
  url = \"http://127.0.0.1:9000/hook\"   # JSON POST, Idempotency-Key header, retried
                                         # with backoff until delivered
Pages: / (the pairs), /pairs/ID (dashboard), /pairs/ID/charts/KIND.svg|png.
API: /api/pairs, /api/pairs/ID/series?from=&to=, /api/pairs/ID/report,
/api/pairs/ID/signals, /api/alerts?pair=&since=&limit=, POST /api/refresh, /api/health,
described by /api/openapi.json. Errors are JSON {\"error\": {\"status\", \"message\"}}.
With --offline nothing is fetched: the dashboard shows what the store holds.";

const LEADLAG_HELP: &str = "\
Lag convention: the correlation at lag k pairs A's return on date t with B's return k
periods earlier, (ret_a[t], ret_b[t-k]) - pandas a.corr(b.shift(k)) - so k > 0 means B
leads A by k periods. (statsmodels ccf uses full-sample means and variances instead.)
Band: ±z/√n with the exact normal quantile (1.959964 for 95%).
Granger: F-test of p lags of the cause added to p lags of the effect and a constant, OLS by
QR; equal to statsmodels grangercausalitytests(...)[p][0][\"ssr_ftest\"]. The lag orders
with the lowest AIC and BIC (on the common last n-L rows) are reported.
Rolling best lag: in each window of --window returns, the lag in [-L, L] with the largest
correlation over the pairs inside the window; its distribution over history is the
reaction time (median, quartiles, share at lag 0).";

const REGIMES_HELP: &str = "\
Regime rule (default): risk-on on a date when the classified leg (the exchange-day leg of a
crypto/equity pair, else B) closes above its 200-period simple average AND its 20-period
realized volatility (sample sd of log returns) is below the median of its last 252 values;
risk-off otherwise. Each return is labelled with the regime known at the close before it.
Correlation (Fisher-z interval) and beta are computed within each regime.
Divergence: at t, OLS of A on B over the previous --window returns; z = (a_t - α - β·b_t)/σ
with σ the residual standard error (n-2); an event when |z| > --divergence-k.
Rate sensitivity: rolling OLS beta of each leg's log return on the daily change of the rate
(percentage points; default fred:DGS2, the 2-year Treasury yield), with a t interval.";

const LEVELS_HELP: &str = "\
Pivots: a swing high at bar i is strictly above the --pivot bars before it and at or above the
--pivot bars after it (a swing low mirrors it); highs and lows are used where the series has
them, else closes. A pivot is known only --pivot bars after it.
Levels: pivots sorted by price are clustered while a pivot lies within --atr-mult × ATR(14)
(Wilder, on the pivot's own date) of the cluster mean; a cluster with at least --min-touches
pivots is a level at the mean of their prices; support below the last close, resistance at
or above it; distance = (level / last close - 1) × 100.
Breakouts: on day t, the levels known from the pivots confirmed by t-1; a close crossing one
(previous close at or below, close above, or the reverse) with volume above the mean of the
previous 20 days is a confirmed breakout; without volume data a crossing is listed as
unconfirmed. CSV: the levels (kind,price,distance_pct,touches,first_touch,last_touch), or
with --breakouts the breakouts.";

const PATTERNS_HELP: &str = "\
Cup-and-handle (closes): left rim = a swing high (5 bars each side); the cup falls 12-50%
below it and comes back within 5% of it 30-250 bars later (right rim); at least 40% of the
cup's closes lie in its lower third (a rounded bottom, not a V); the handle retraces at most
a third of the cup's depth and lasts at most half the cup; confirmed at the first close
above the rim level after at least 5 handle bars, failed at a close below the handle floor,
forming until either happens.
Trend: OLS slope of ln(price) over the last 30 observations (% per observation) and the
distance from the 200-observation simple average.
Bottoming: the last new 365-day low (within the last 365 days), a rebound of at least 5%,
then a higher swing low whose RSI(14) is above the RSI at the new low (bullish divergence);
confirmed when the last value is above the highest value between the two lows.";

const BREADTH_HELP: &str = "\
Relative strength A/B: the ratio on the common dates of A and B, its --ma-day simple average
(MA), the distance (last / MA - 1) and the MA's slope over --ma/5 observations; outperforming
when the ratio is above a rising MA, underperforming below a falling one, mixed otherwise.
Constituents: every *.csv file of the folder is one series (any format `analyze` reads). On
each date of the union of their dates, a constituent counts only if it has a close on that
date (no filling): share above its own 50- and 200-observation simple averages, advances and
declines against its previous close on the grid, and their running sum (the A/D line).";

const FED_HELP: &str = "\
Input: a CSV of settlement prices, `contract,price` (ZQV25 or ZQV2025; FF also accepted;
CME month letters F G H J K M N Q U V X Z) or `month,price` (YYYY-MM).
Method (CME FedWatch): a month's implied average rate is 100 - price. In a month with a
decision on day d of N, average = ((d-1)·start + (N-d+1)·end)/N: the decision day counts at the
new rate. A month without a decision anchors start = end = average; months chain
end(k) = start(k+1), forward from an anchor and backward where needed. Each decision's move
(end - start) is split between the two nearest 25 bp steps; successive decisions multiply
(the tree), giving the probability of every target range. P(cut/hold/hike) compare the range
after a decision with the current range; expected = Σ p · midpoint of the range.
Current range: --range, else FRED DFEDTARL/DFEDTARU on the as-of date (from the store, fetched
unless --offline), else the 25 bp range containing the effective rate (--effective-rate or
FRED DFF), else the one containing the futures-implied rate before the first decision.
Calendar: FOMC decision dates 2008-2027 built in (2027 tentative; unscheduled moves included);
--calendar FILE adds dates (`YYYY-MM-DD[,unscheduled]` per line, # comments), or with
--replace-years replaces every year the file has.";

const LIQUIDITY_HELP: &str = "\
Net liquidity = WALCL - WTREGEN - RRPONTSYD, in millions of USD, on WALCL's Wednesdays.
FRED units: WALCL and WTREGEN in millions (older WTREGEN vintages: billions, use
--tga-units billions), RRPONTSYD in billions (× 1000). The TGA and RRP value of a week is
the one on that Wednesday, else the last one of the week ending on it; a week without one is
skipped and counted. Changes over 4 and 13 weeks are by date (28 and 91 days back); z is the
13-week change against its last 52 weeks (sample standard deviation).
In analyze: each leg's weekly log return (last close on or before each Wednesday) against
the weekly change in net liquidity, over all history and the last 52 weeks, with a 95%
Fisher-z interval.";

const SIGNALS_HELP: &str = "\
Measurements (one value per aligned date, known at that date's close): corr_W and beta_W
for each --window, close_a/b, sma200_a/b, rsi_a/b, macd_hist_a/b, rel_volume_a/b (volume over
its previous 20-day mean), resistance_a/b and support_a/b (nearest levels around the previous
close, known at the previous close), risk_on (1/0), net_liquidity and liquidity_change_4w
(millions of USD, from the day after each Wednesday), best_lag.
Rules (TOML): [conditions.NAME] measure = \"corr_30\" with op = \">\" and value = 0.5 (or
than = \"resistance_a\"), or rising = K / falling = K (against K rows earlier), or
crosses_below = X with after_above = Y and lookback = N; [rules.NAME] all = [...], any =
[...] or not = \"...\" over conditions and other rules. A condition with a missing input is
unknown; all/any/not follow three-valued logic; a rule triggers only when true.
Built in: synchronized-breakout = corr_30 > 0.5, RSI rising over 5 days on both legs,
rel_volume_a > 1, liquidity_change_4w > 0, close_a > resistance_a; risk-reduction =
close_b < sma200_b, or corr_30 crossing below 0.2 after being above 0.5 in the last 60 days;
strong-b = close_b > sma200_b and corr_30 > 0.5.";

const BACKTEST_HELP: &str = "\
Strategy overlay (default): long A (weight 1) while strong-b is true, flat when
risk-reduction is true (it wins); otherwise, unknown included, the position is kept (start
flat). A signal at the close of t sets the position at the close of t+1 (--delay 1), which
earns the returns after it. Costs: (fees + slippage) bps × |position change|, multiplicative.
A strategy file has [strategy] long = RULE, flat = RULE, short = RULE (with allow_short =
true), long_weight, short_weight, hold, delay, fees_bps, slippage_bps, and may carry its own
[conditions.*]/[rules.*] (else the built-in rules).
Metrics (empyrical conventions, zero risk-free rate): total return, CAGR over n/periods-per-
year years (periods per year = the aligned calendar's: 365 when both legs trade every day,
else 252), volatility (ddof 1), Sharpe, Sortino (downside deviation over all periods), max
drawdown with peak/trough/recovery dates, Calmar, exposure, trades, turnover per year, hit
rate (share of invested periods with a positive return); --split DATE reports in-sample
(before DATE) and out-of-sample separately, each rebased. CSV: the daily equity curve,
date,position,return,equity,drawdown,benchmark_equity,benchmark_drawdown.";

const SOURCES_HELP: &str = "\
Symbols: ETH-USD, BTC-USD (crypto: yahoo, then coinbase, then binance), ^RUT, ^GSPC, ^NDX,
IWM, SPY, GLD (yahoo, then stooq), fred:DGS2 (FRED). A ratio A/B (ETH-USD/BTC-USD) is the
two series divided on their common dates. Anywhere a symbol is accepted, a CSV path is too.

Store and configuration: $LOCKSTEP_HOME/lockstep.db and $LOCKSTEP_HOME/config.toml
(default home: the platform data directory + /lockstep). Provider base URLs: the config's
[providers.NAME] url, or LOCKSTEP_YAHOO_URL, LOCKSTEP_COINBASE_URL, LOCKSTEP_BINANCE_URL,
LOCKSTEP_STOOQ_URL, LOCKSTEP_FRED_URL (these win).";

impl Cli {
    /// Checks clap cannot express: repeated windows. Reported as usage errors (exit 2).
    pub fn validate(self) -> Result<Self, clap::Error> {
        use clap::CommandFactory;
        let macd = match &self.command {
            Command::Technicals(t) => Some(&t.macd),
            Command::Analyze(p) | Command::Corr(p) | Command::Overlay(p) => Some(&p.structure.macd),
            Command::Levels(l) => Some(&l.structure.macd),
            Command::Signals(x) => Some(&x.pair.structure.macd),
            Command::Backtest(x) => Some(&x.pair.structure.macd),
            Command::Chart(x) => Some(&x.pair.structure.macd),
            Command::Report(x) => Some(&x.pair.structure.macd),
            Command::Patterns(p) => Some(&p.structure.macd),
            _ => None,
        };
        if let Some(m) = macd.filter(|m| m.len() != 3) {
            return Err(Cli::command().error(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "--macd takes three periods fast,slow,signal (e.g. 12,26,9), got {}",
                    m.len()
                ),
            ));
        }
        let pair = match &self.command {
            Command::Analyze(p) | Command::Corr(p) | Command::Overlay(p) => p,
            Command::Signals(x) => &x.pair,
            Command::Backtest(x) => &x.pair,
            Command::Report(x) => &x.pair,
            Command::Chart(x) => {
                let ext = x.out.extension().and_then(|e| e.to_str()).unwrap_or("");
                if !matches!(ext.to_ascii_lowercase().as_str(), "svg" | "png") {
                    return Err(Cli::command().error(
                        clap::error::ErrorKind::ValueValidation,
                        format!("--out must end in .svg or .png, got {}", x.out.display()),
                    ));
                }
                if x.kind == lockstep_charts::ChartKind::Heatmap && x.universe.is_empty() {
                    return Err(Cli::command().error(
                        clap::error::ErrorKind::MissingRequiredArgument,
                        "the heatmap needs --universe: two or more symbols or files, or a folder",
                    ));
                }
                &x.pair
            }
            _ => return Ok(self),
        };
        let w = &pair.analysis.window;
        if let Some(dup) = w.iter().enumerate().find(|(i, x)| w[..*i].contains(x)) {
            return Err(Cli::command().error(
                clap::error::ErrorKind::ValueValidation,
                format!("window {} is given twice in --window", dup.1),
            ));
        }
        Ok(self)
    }
}

/// `lockstep technicals`.
#[derive(Debug, Args)]
pub struct TechnicalsArgs {
    /// A symbol, a ratio or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub symbol: String,
    /// RSI period.
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    pub rsi: u32,
    /// MACD fast,slow,signal periods.
    #[arg(long, default_value = "12,26,9", value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub macd: Vec<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows (the latest N dates; 0 = all).
    #[arg(long, default_value_t = 20)]
    pub rows: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `lockstep levels`.
#[derive(Debug, Args)]
pub struct LevelsArgs {
    /// A symbol, a ratio or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub symbol: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows: the N levels nearest the last close and the N latest breakouts (0 = all).
    #[arg(long, default_value_t = 12)]
    pub rows: usize,
    /// CSV/table of the breakouts instead of the levels (CSV: date,direction,level,touches,
    /// prev_close,close,volume_ratio,confirmed).
    #[arg(long)]
    pub breakouts: bool,
    #[command(flatten)]
    pub structure: StructureArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `lockstep patterns`.
#[derive(Debug, Args)]
pub struct PatternsArgs {
    /// A symbol, a ratio (ETH-USD/BTC-USD) or a CSV file.
    #[arg(default_value = "ETH-USD/BTC-USD")]
    pub symbol: String,
    /// Output format (CSV: one row per cup-and-handle).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub structure: StructureArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `lockstep breadth`.
#[derive(Debug, Args)]
pub struct BreadthArgs {
    /// Small caps against large caps: a ratio A/B of symbols or CSV files ("none" to skip).
    #[arg(long, default_value = "IWM/SPY")]
    pub small_caps: String,
    /// Equal weight against cap weight: a ratio A/B ("none" to skip).
    #[arg(long, default_value = "RSP/SPY")]
    pub equal_weight: String,
    /// A folder of constituent price files (*.csv) for the share above the 50/200-day
    /// averages and the advance-decline line.
    #[arg(long, value_name = "DIR")]
    pub constituents: Option<PathBuf>,
    /// Moving average of the relative-strength ratios, in observations.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub ma: u32,
    /// Output format (CSV: one row per date).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows of the constituents' breadth (the latest N dates; 0 = all).
    #[arg(long, default_value_t = 10)]
    pub rows: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `lockstep signals`.
#[derive(Debug, Args)]
pub struct SignalsArgs {
    #[command(flatten)]
    pub pair: PairArgs,
    /// A TOML file of conditions and rules (replaces the built-in set).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

/// `lockstep backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub pair: PairArgs,
    /// `overlay` or a TOML strategy file.
    #[arg(long, default_value = "overlay")]
    pub strategy: String,
    /// Fees in basis points per unit of position traded (overrides the strategy's).
    #[arg(long, value_name = "BPS")]
    pub fees: Option<f64>,
    /// Slippage in basis points per unit of position traded (overrides the strategy's).
    #[arg(long, value_name = "BPS")]
    pub slippage: Option<f64>,
    /// Closes between a signal and the trade (overrides the strategy's; default 1).
    #[arg(long)]
    pub delay: Option<usize>,
    /// Report in-sample (before DATE) and out-of-sample (from DATE) separately.
    #[arg(long, value_name = "DATE")]
    pub split: Option<chrono::NaiveDate>,
}

/// The chart kinds by their names (`overlay`, `correlation`, ...), listed in the help and in
/// the error of an unknown one.
fn chart_kind() -> impl clap::builder::TypedValueParser<Value = lockstep_charts::ChartKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(lockstep_charts::ChartKind::ALL.map(|k| k.name()))
        .try_map(|s| s.parse::<lockstep_charts::ChartKind>())
}

/// `lockstep chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Which chart (see below).
    #[arg(value_parser = chart_kind())]
    pub kind: lockstep_charts::ChartKind,
    #[command(flatten)]
    pub pair: PairArgs,
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
    /// Strategy of the equity chart: `overlay` or a TOML strategy file.
    #[arg(long, default_value = "overlay")]
    pub strategy: String,
    /// The heatmap's symbols or CSV files (comma-separated), or one folder of CSV files.
    #[arg(long, value_delimiter = ',', value_name = "INPUTS")]
    pub universe: Vec<String>,
    /// The heatmap's rolling window, in returns.
    #[arg(long = "heatmap-window", default_value_t = 90, value_parser = clap::value_parser!(u32).range(2..))]
    pub heatmap_window: u32,
}

/// `lockstep report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub pair: PairArgs,
    /// Output HTML file.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,
    /// Rules of the signals section (TOML; default the built-ins).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

/// `lockstep serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides [serve] bind).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// The configuration file [default: $LOCKSTEP_HOME/config.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Pairs to serve besides the configured ones, e.g. ETH-USD/^RUT (repeatable).
    #[arg(long = "pair", value_name = "A/B")]
    pub pairs: Vec<String>,
}

/// Kernels of `lockstep bench`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchKernel {
    /// Rolling Pearson correlation, window 90.
    Corr,
    /// Rolling beta, window 90.
    Beta,
    /// RSI(14).
    Rsi,
    /// EMA(20).
    Ema,
    /// MACD(12, 26, 9).
    Macd,
}

impl BenchKernel {
    /// Every kernel.
    pub const ALL: [BenchKernel; 5] = [
        BenchKernel::Corr,
        BenchKernel::Beta,
        BenchKernel::Rsi,
        BenchKernel::Ema,
        BenchKernel::Macd,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BenchKernel::Corr => "corr",
            BenchKernel::Beta => "beta",
            BenchKernel::Rsi => "rsi",
            BenchKernel::Ema => "ema",
            BenchKernel::Macd => "macd",
        }
    }

    /// With its parameters.
    pub fn label(self) -> &'static str {
        match self {
            BenchKernel::Corr => "corr w=90",
            BenchKernel::Beta => "beta w=90",
            BenchKernel::Rsi => "RSI(14)",
            BenchKernel::Ema => "EMA(20)",
            BenchKernel::Macd => "MACD(12,26,9)",
        }
    }
}

/// How a kernel's output is produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchMode {
    /// `over_into` an output buffer allocated once (the kernel itself).
    Reused,
    /// `over_into` a new buffer every run (adds the page faults of a fresh output, as the
    /// Python libraries return a new array).
    Fresh,
    /// `over`, returning `Vec<Option<f64>>`.
    Option,
    /// `next` on each input (correlation only).
    Stream,
}

impl BenchMode {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BenchMode::Reused => "reused",
            BenchMode::Fresh => "fresh",
            BenchMode::Option => "option",
            BenchMode::Stream => "stream",
        }
    }
}

/// `lockstep bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Kernels to time [default: all].
    #[arg(value_enum)]
    pub kernels: Vec<BenchKernel>,
    /// Output modes [default: reused, fresh, option].
    #[arg(long = "mode", value_enum, value_delimiter = ',')]
    pub modes: Vec<BenchMode>,
    /// Input x (or prices): a file of little-endian f64 [default: generated].
    #[arg(long, value_name = "FILE")]
    pub x: Option<PathBuf>,
    /// Input y of corr and beta (with --x).
    #[arg(long, value_name = "FILE")]
    pub y: Option<PathBuf>,
    /// Length of the generated inputs.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(100..=200_000_000))]
    pub n: usize,
    /// Seed of the generated inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Runs per kernel; the best is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub reps: usize,
    /// Output format (JSON: one object per line).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `lockstep screen`.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Symbols or CSV files, or one folder of CSV files.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Rolling window, in returns.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(2..))]
    pub window: u32,
    /// Pairs in each list of the table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Output format (CSV: one row per pair, a,b,common_dates,date,corr,corr_1m,change).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// `lockstep fed`.
#[derive(Debug, Args)]
pub struct FedArgs {
    /// CSV of fed funds futures settlement prices (`contract,price` or `month,price`).
    #[arg(long, value_name = "FILE")]
    pub futures: PathBuf,
    /// Settlement date of the prices: decisions on or before it are past [default: today].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Current target range lower,upper in percent (e.g. 3.75,4.00).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub range: Option<Vec<f64>>,
    /// Current effective fed funds rate in percent.
    #[arg(long)]
    pub effective_rate: Option<f64>,
    /// Do not read FRED's target range or effective rate.
    #[arg(long)]
    pub no_fred: bool,
    /// A file of FOMC decision dates added to the built-in calendar.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// Let --calendar replace the built-in dates of every year it has, instead of adding.
    #[arg(long, requires = "calendar")]
    pub replace_years: bool,
    /// Output format (CSV: one row per decision, a column per target range).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Units of a liquidity input.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnitsArg {
    /// Millions of USD.
    Millions,
    /// Billions of USD.
    Billions,
}

/// The three series of net liquidity.
#[derive(Debug, Args)]
#[command(next_help_heading = "Net liquidity")]
pub struct LiquiditySeries {
    /// Fed total assets (a symbol or CSV).
    #[arg(long, default_value = "fred:WALCL")]
    pub fed_assets: String,
    /// Units of --fed-assets.
    #[arg(long, value_enum, default_value_t = UnitsArg::Millions)]
    pub fed_assets_units: UnitsArg,
    /// Treasury General Account (a symbol or CSV).
    #[arg(long, default_value = "fred:WTREGEN")]
    pub tga: String,
    /// Units of --tga.
    #[arg(long, value_enum, default_value_t = UnitsArg::Millions)]
    pub tga_units: UnitsArg,
    /// Overnight reverse repo (a symbol or CSV).
    #[arg(long, default_value = "fred:RRPONTSYD")]
    pub rrp: String,
    /// Units of --rrp.
    #[arg(long, value_enum, default_value_t = UnitsArg::Billions)]
    pub rrp_units: UnitsArg,
}

/// `lockstep liquidity`.
#[derive(Debug, Args)]
pub struct LiquidityArgs {
    #[command(flatten)]
    pub series: LiquiditySeries,
    /// Output format (CSV: one row per week, units in the column names).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows (the latest N weeks; 0 = all).
    #[arg(long, default_value_t = 13)]
    pub rows: usize,
}

/// Momentum and structure parameters shared by `analyze`, `levels` and `patterns`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Momentum and structure")]
pub struct StructureArgs {
    /// RSI period (Wilder).
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    pub rsi: u32,
    /// MACD fast,slow,signal periods.
    #[arg(long, default_value = "12,26,9", value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub macd: Vec<u32>,
    /// Bars on each side of a swing pivot (levels) and of a cup's left rim.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub pivot: u32,
    /// Clustering tolerance of levels, in ATR(14).
    #[arg(long, default_value_t = 0.5)]
    pub atr_mult: f64,
    /// Pivots a level needs.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub min_touches: u32,
    /// Events (breakouts, alignment runs, MACD crosses) shown by `analyze`: those of the last
    /// N observations.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub recent: u32,
}

impl StructureArgs {
    /// The pipeline's options (`--macd` has been checked to hold three periods).
    pub fn options(&self) -> StructureOptions {
        let mut o = StructureOptions::default();
        o.technicals.rsi = self.rsi as usize;
        if let &[fast, slow, signal] = self.macd.as_slice() {
            o.technicals.macd = (fast as usize, slow as usize, signal as usize);
        }
        o.levels.left = self.pivot as usize;
        o.levels.right = self.pivot as usize;
        o.levels.atr_mult = self.atr_mult;
        o.levels.min_touches = self.min_touches as usize;
        o.cup.pivot = self.pivot as usize;
        o.recent = self.recent as usize;
        o
    }
}

/// `lockstep fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Symbols to fetch or refresh (ETH-USD, ^RUT, IWM, fred:DGS2, ...).
    #[arg(required = true)]
    pub symbols: Vec<String>,
    /// Fetch from this date (YYYY-MM-DD) instead of the last stored date; without it a
    /// symbol not yet stored gets its full history.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Where symbols are fetched from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Use only this provider (yahoo, coinbase, binance, stooq, fred) instead of the
    /// symbol's fallback chain.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
}

/// `lockstep list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `lockstep show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A stored symbol.
    pub symbol: String,
    /// The latest N bars (0 = all).
    #[arg(long, default_value_t = 10)]
    pub tail: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `lockstep import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The symbol to store the series under.
    pub symbol: String,
    /// A CSV file in any format `analyze` reads.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
}

/// `lockstep export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A stored symbol.
    pub symbol: String,
    /// File format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Export file format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// CSV: date,open,high,low,close,adj_close,volume (empty cell = missing).
    Csv,
    /// JSON array of bars.
    Json,
    /// Apache Parquet (needs -o FILE): date as DATE, prices and volume as nullable doubles.
    Parquet,
}

/// `lockstep log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this symbol.
    pub symbol: Option<String>,
    /// The latest N entries.
    #[arg(long, default_value_t = 20)]
    pub tail: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `lockstep remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Symbols to delete.
    #[arg(required = true)]
    pub symbols: Vec<String>,
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
    /// Series A (the asset): a symbol (ETH-USD), a ratio (ETH-USD/BTC-USD) or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub a: String,
    /// Series B (the benchmark): a symbol (^RUT), a ratio or a CSV file.
    #[arg(default_value = "^RUT")]
    pub b: String,
    /// Output format [default: table for analyze and corr, csv for overlay].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Table rows for `corr` and `overlay` (the latest N dates; 0 = all).
    #[arg(long, default_value_t = 20)]
    pub rows: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub linkage: LinkageArgs,
    #[command(flatten)]
    pub structure: StructureArgs,
    #[command(flatten)]
    pub liquidity: LiquiditySeries,
    /// Skip the liquidity section.
    #[arg(long)]
    pub no_liquidity: bool,
    /// Window of the rolling best lag, in returns.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(3..))]
    pub lag_window: u32,
}

/// `lockstep leadlag` / `lockstep regimes`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Series A (the asset): a symbol, a ratio or a CSV file.
    #[arg(default_value = "ETH-USD")]
    pub a: String,
    /// Series B (the benchmark): a symbol, a ratio or a CSV file.
    #[arg(default_value = "^RUT")]
    pub b: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Rolling window in returns: of the best lag (leadlag) and of the divergence regression
    /// (regimes).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(3..))]
    pub window: u32,
    /// Calendar alignment of the two series.
    #[arg(long, value_enum, default_value_t = AlignArg::Inner)]
    pub align: AlignArg,
    /// Return kind.
    #[arg(long, value_enum, default_value_t = ReturnsArg::Log)]
    pub returns: ReturnsArg,
    /// Confidence level of intervals and bands.
    #[arg(long, default_value_t = 0.95, value_parser = unit_interval)]
    pub confidence: f64,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub linkage: LinkageArgs,
}

/// Lead-lag and regime parameters.
#[derive(Debug, Args)]
pub struct LinkageArgs {
    /// Largest lag of the cross-correlation, Granger tests and rolling best lag.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub max_lag: u32,
    /// Which leg's price classifies risk-on / risk-off.
    #[arg(long, value_enum, default_value_t = RegimeLegArg::Auto)]
    pub regime_leg: RegimeLegArg,
    /// Moving-average window of the regime rule [default: 200, or [regimes] in config.toml].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub ma: Option<u32>,
    /// Realized-volatility window of the regime rule [default: 20].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub vol_window: Option<u32>,
    /// Number of volatility values whose median is the regime threshold [default: 252].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub vol_lookback: Option<u32>,
    /// Divergence threshold: |z| above this is an event.
    #[arg(long, default_value_t = 3.0)]
    pub divergence_k: f64,
    /// Rate series for rate sensitivity (a symbol or CSV; levels in percent).
    #[arg(long, default_value = DEFAULT_RATE)]
    pub rate: String,
    /// Skip rate sensitivity.
    #[arg(long)]
    pub no_rate: bool,
}

pub use lockstep_session::DEFAULT_RATE;

/// Regime leg choice.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegimeLegArg {
    /// The exchange-day leg of a crypto/equity pair, else B.
    Auto,
    /// Leg A.
    A,
    /// Leg B.
    B,
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

impl From<AlignArg> for Align {
    fn from(a: AlignArg) -> Align {
        match a {
            AlignArg::Inner => Align::Inner,
            AlignArg::Weekly => Align::Weekly,
            AlignArg::Monthly => Align::Monthly,
        }
    }
}

impl From<ReturnsArg> for ReturnKind {
    fn from(r: ReturnsArg) -> ReturnKind {
        match r {
            ReturnsArg::Log => ReturnKind::Log,
            ReturnsArg::Simple => ReturnKind::Simple,
        }
    }
}

impl AnalysisArgs {
    /// The pipeline's options.
    pub fn options(&self) -> AnalyzeOptions {
        AnalyzeOptions {
            windows: self.window.iter().map(|w| *w as usize).collect(),
            align: self.align.into(),
            returns: self.returns.into(),
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

// ---------------------------------------------------------------------------------------------
// Arguments → the session's plain parameters
// ---------------------------------------------------------------------------------------------

impl From<UnitsArg> for lockstep_macro::Units {
    fn from(u: UnitsArg) -> lockstep_macro::Units {
        match u {
            UnitsArg::Millions => lockstep_macro::Units::Millions,
            UnitsArg::Billions => lockstep_macro::Units::Billions,
        }
    }
}

impl InputArgs {
    /// The CSV reader options of `--price`, `--date-col`, `--price-col`, `--dedupe`.
    pub fn csv(&self) -> lockstep_data::CsvOptions {
        lockstep_data::CsvOptions {
            price: self.price.into(),
            date_col: self.date_col.clone(),
            price_col: self.price_col.clone(),
            dedupe: self.dedupe.into(),
        }
    }
}

impl LiquiditySeries {
    /// The series of net liquidity.
    pub fn spec(&self) -> lockstep_session::LiquiditySpec {
        lockstep_session::LiquiditySpec {
            fed_assets: self.fed_assets.clone(),
            fed_assets_units: self.fed_assets_units.into(),
            tga: self.tga.clone(),
            tga_units: self.tga_units.into(),
            rrp: self.rrp.clone(),
            rrp_units: self.rrp_units.into(),
        }
    }
}

impl FedArgs {
    /// The inputs of FedWatch.
    pub fn params(&self) -> lockstep_session::FedParams {
        lockstep_session::FedParams {
            futures: self.futures.clone(),
            as_of: self.as_of,
            range: self.range.clone(),
            effective_rate: self.effective_rate,
            no_fred: self.no_fred,
            calendar: self.calendar.clone(),
            replace_years: self.replace_years,
        }
    }
}

impl LinkageArgs {
    /// The lead-lag and regime parameters, with `window` for the rolling best lag, the
    /// divergence regression and the rate beta.
    fn options(&self, window: usize) -> lockstep_report::LinkageOptions {
        lockstep_report::LinkageOptions {
            max_lag: self.max_lag as usize,
            lag_window: window,
            regime_leg: match self.regime_leg {
                RegimeLegArg::Auto => lockstep_report::RegimeLeg::Auto,
                RegimeLegArg::A => lockstep_report::RegimeLeg::A,
                RegimeLegArg::B => lockstep_report::RegimeLeg::B,
            },
            divergence_window: window,
            divergence_k: self.divergence_k,
            rate_window: window,
            ..lockstep_report::LinkageOptions::default()
        }
    }

    fn regime(&self) -> lockstep_session::RegimeOverrides {
        lockstep_session::RegimeOverrides {
            ma_window: self.ma.map(|v| v as usize),
            vol_window: self.vol_window.map(|v| v as usize),
            vol_lookback: self.vol_lookback.map(|v| v as usize),
        }
    }

    /// The rate series: none without `with_rate` or with `--no-rate`; the default series
    /// when it can be had; an explicit `--rate` must load.
    fn rate(&self, with_rate: bool) -> lockstep_session::RateChoice {
        use lockstep_session::RateChoice;
        if !with_rate || self.no_rate {
            RateChoice::Off
        } else if self.rate != DEFAULT_RATE {
            RateChoice::Required(self.rate.clone())
        } else {
            RateChoice::Optional(self.rate.clone())
        }
    }
}

impl PairArgs {
    /// The pair's parameters; `with_backdrop` loads the rate series and net liquidity
    /// (`analyze`, `signals`, `backtest`, `chart`, `report`; not `corr` and `overlay`).
    pub fn params(&self, with_backdrop: bool) -> anyhow::Result<lockstep_session::PairParams> {
        use lockstep_session::LiquidityChoice;
        let mut options = self.analysis.options();
        options.structure = self.structure.options();
        options.linkage = self.linkage.options(self.lag_window as usize);
        Ok(lockstep_session::PairParams {
            a: self.a.clone(),
            b: self.b.clone(),
            csv: self.input.csv(),
            provider: crate::provider(self.source.provider.as_deref())?,
            options,
            regime: self.linkage.regime(),
            rate: self.linkage.rate(with_backdrop),
            liquidity: match (with_backdrop, self.no_liquidity) {
                (false, _) => LiquidityChoice::NotAsked,
                (true, true) => LiquidityChoice::Skipped,
                (true, false) => LiquidityChoice::Series(self.liquidity.spec()),
            },
            ..lockstep_session::PairParams::new(&self.a, &self.b)
        })
    }
}

impl LinkArgs {
    /// The parameters of `leadlag` (`with_rate` false) and `regimes` (true): one window.
    pub fn params(&self, with_rate: bool) -> anyhow::Result<lockstep_session::PairParams> {
        let w = self.window as usize;
        let options = AnalyzeOptions {
            windows: vec![w],
            align: self.align.into(),
            returns: self.returns.into(),
            confidence: self.confidence,
            linkage: self.linkage.options(w),
            ..AnalyzeOptions::default()
        };
        Ok(lockstep_session::PairParams {
            a: self.a.clone(),
            b: self.b.clone(),
            csv: self.input.csv(),
            provider: crate::provider(self.source.provider.as_deref())?,
            options,
            regime: self.linkage.regime(),
            rate: self.linkage.rate(with_rate),
            liquidity: lockstep_session::LiquidityChoice::NotAsked,
            ..lockstep_session::PairParams::new(&self.a, &self.b)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `lockstep analyze A B` with no option is the session's default pair: the server and
    /// the Python package, which build `PairParams::new`, analyze exactly what the terminal
    /// does.
    #[test]
    fn analyze_defaults_are_the_sessions() {
        let cli = Cli::try_parse_from(["lockstep", "analyze", "X", "Y"]).unwrap();
        let Command::Analyze(pair) = &cli.command else {
            panic!("not analyze");
        };
        assert_eq!(
            pair.params(true).unwrap(),
            lockstep_session::PairParams::new("X", "Y")
        );
        assert_eq!(
            pair.params(false).unwrap(),
            lockstep_session::PairParams::new("X", "Y").without_backdrop()
        );
    }
}
