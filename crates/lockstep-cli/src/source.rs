//! Where a series comes from: a CSV file, a stored symbol (fetched first when missing), or a
//! ratio of two of those. Also the fetch-into-store step shared by `fetch` and every analysis
//! command.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use lockstep_core::{Date, PriceSeries};
use lockstep_data::{read_csv, CsvOptions};
use lockstep_fetch::{Config, Fetcher, Progress, ProviderKind};
use lockstep_store::{Store, UpsertStats};

use crate::args::InputArgs;

/// A stored symbol is refreshed before an analysis when its last successful fetch is older
/// than this (unless `--offline`).
pub const STALE_AFTER_HOURS: i64 = 12;

/// What an argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A CSV file.
    File(PathBuf),
    /// A symbol of the store / a provider.
    Symbol(String),
    /// The ratio of two inputs on their common dates.
    Ratio(Box<Input>, Box<Input>),
}

impl Input {
    /// Classify an argument: an existing file, or anything ending in `.csv`/`.txt`, is a file;
    /// `A/B` with two non-empty parts that are not files is a ratio; anything else a symbol.
    /// A ratio may start with an existing file, split at the first `/` after it
    /// (`data/eth.csv/data/btc.csv`, `eth.csv/BTC-USD`).
    pub fn parse(arg: &str) -> Input {
        let path = Path::new(arg);
        if !path.is_file() {
            for (i, _) in arg.match_indices('/') {
                let (a, b) = (&arg[..i], &arg[i + 1..]);
                if !b.is_empty() && Path::new(a).is_file() {
                    return Input::Ratio(
                        Box::new(Input::File(PathBuf::from(a))),
                        Box::new(Input::parse(b)),
                    );
                }
            }
        }
        let lower = arg.to_ascii_lowercase();
        if path.is_file() || lower.ends_with(".csv") || lower.ends_with(".txt") {
            return Input::File(path.to_path_buf());
        }
        if let Some((a, b)) = arg.split_once('/') {
            if !a.is_empty() && !b.is_empty() && !b.contains('/') {
                return Input::Ratio(Box::new(Input::parse(a)), Box::new(Input::parse(b)));
            }
        }
        Input::Symbol(arg.to_string())
    }
}

/// The folder of the store and config: `$LOCKSTEP_HOME`, else the platform data directory
/// + `lockstep`.
pub fn home() -> Result<PathBuf> {
    if let Some(h) = std::env::var_os("LOCKSTEP_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    dirs::data_dir()
        .map(|d| d.join("lockstep"))
        .ok_or_else(|| anyhow!("no data directory on this platform: set LOCKSTEP_HOME"))
}

/// Shared state of one command: the store and the fetcher, opened on first use.
pub struct Ctx {
    /// `$LOCKSTEP_HOME` (or why there is none); only commands that use the store need it.
    home: std::result::Result<PathBuf, String>,
    /// `--offline`.
    pub offline: bool,
    /// `-v`.
    pub verbose: bool,
    store: RefCell<Option<Store>>,
    fetcher: RefCell<Option<Fetcher>>,
}

impl Ctx {
    /// A context for `home`.
    pub fn new(offline: bool, verbose: bool) -> Ctx {
        Ctx {
            home: home().map_err(|e| e.to_string()),
            offline,
            verbose,
            store: RefCell::new(None),
            fetcher: RefCell::new(None),
        }
    }

    /// The home folder.
    pub fn home(&self) -> Result<&Path> {
        self.home.as_deref().map_err(|e| anyhow!("{e}"))
    }

    /// The database file.
    pub fn db_path(&self) -> Result<PathBuf> {
        Ok(self.home()?.join("lockstep.db"))
    }

    /// Run `f` with the open store.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut slot = self.store.borrow_mut();
        if slot.is_none() {
            let path = self.db_path()?;
            *slot = Some(Store::open(&path)?);
        }
        f(slot.as_mut().expect("opened above"))
    }

    fn with_fetcher<T>(&self, f: impl FnOnce(&Fetcher) -> Result<T>) -> Result<T> {
        let mut slot = self.fetcher.borrow_mut();
        if slot.is_none() {
            let config = Config::load(self.home()?)?;
            *slot = Some(Fetcher::new(config));
        }
        f(slot.as_ref().expect("created above"))
    }
}

/// The regime rule: the defaults, overridden by `[regimes]` of `$LOCKSTEP_HOME/config.toml`
/// (`ma_window`, `vol_window`, `vol_lookback`).
pub fn regime_rule(ctx: &Ctx) -> Result<lockstep_stats::RegimeRule> {
    let mut rule = lockstep_stats::RegimeRule::default();
    let Ok(home) = ctx.home() else {
        return Ok(rule);
    };
    if let Some(r) = Config::load(home)?.regimes {
        if let Some(v) = r.ma_window {
            rule.ma_window = v;
        }
        if let Some(v) = r.vol_window {
            rule.vol_window = v;
        }
        if let Some(v) = r.vol_lookback {
            rule.vol_lookback = v;
        }
    }
    Ok(rule)
}

/// Whether an argument names a symbol or a ratio of symbols (not a file).
pub fn is_symbol(arg: &str) -> bool {
    fn sym(i: &Input) -> bool {
        match i {
            Input::File(_) => false,
            Input::Symbol(_) => true,
            Input::Ratio(a, b) => sym(a) && sym(b),
        }
    }
    sym(&Input::parse(arg))
}

/// A rate series (levels, e.g. `fred:DGS2` or a CSV): loaded like any input, but a symbol
/// not in the store is fetched only when `may_fetch`.
pub fn load_rate(ctx: &Ctx, arg: &str, may_fetch: bool) -> Result<PriceSeries> {
    if !may_fetch && is_symbol(arg) {
        // As stored: no fetch, no refresh.
        return ctx.with_store(|s| {
            if s.instrument(arg)?.is_none() {
                bail!("{arg} is not in the store (`lockstep fetch {arg}` adds it)");
            }
            Ok(s.series(arg)?)
        });
    }
    let input = InputArgs {
        price: crate::args::PriceArg::Auto,
        date_col: None,
        price_col: None,
        dedupe: crate::args::DedupeArg::Error,
    };
    load(ctx, arg, &input, None)
}

/// Parse `--provider`.
pub fn provider(name: Option<&str>) -> Result<Option<ProviderKind>> {
    name.map(|p| {
        p.parse::<ProviderKind>()
            .map_err(|e| anyhow!("--provider {p}: {e}"))
    })
    .transpose()
}

/// The outcome of fetching one symbol.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchSummary {
    /// The symbol.
    pub symbol: String,
    /// The provider that answered.
    pub provider: String,
    /// First date requested (`None` = full history).
    pub from: Option<Date>,
    /// What the write did.
    #[serde(flatten)]
    pub stats: UpsertStats,
    /// HTTP requests made.
    pub requests: usize,
    /// Stored range and size after the write.
    pub first: Option<Date>,
    /// Last stored date after the write.
    pub last: Option<Date>,
    /// Stored bars after the write.
    pub bars: usize,
}

/// Fetch `symbol` into the store with [`lockstep_fetch::refresh_symbol`]: from `since`, else
/// from the last stored date minus [`lockstep_fetch::REFRESH_OVERLAP_DAYS`], else its full
/// history. A stored symbol is refreshed from the provider it came from unless `forced` names
/// another. One transaction per symbol; a failure is logged and leaves the stored bars as
/// they were.
pub fn fetch_symbol(
    ctx: &Ctx,
    symbol: &str,
    since: Option<Date>,
    forced: Option<ProviderKind>,
    bar: &ProgressBar,
) -> Result<FetchSummary> {
    if ctx.offline {
        bail!("cannot fetch {symbol} with --offline");
    }
    let to = Utc::now().date_naive();
    bar.set_message(format!("{symbol}: connecting"));
    let verbose = ctx.verbose;
    let mut on_progress = |p: Progress| {
        match p {
            Progress::Provider { provider, ticker } => {
                bar.set_message(format!("{symbol}: {provider} ({ticker})"));
            }
            Progress::Request {
                provider,
                page,
                pages_estimate,
            } => {
                let of = pages_estimate.map(|n| format!("/{n}")).unwrap_or_default();
                bar.set_message(format!("{symbol}: {provider} request {page}{of}"));
            }
            Progress::Retry {
                provider,
                attempt,
                delay,
                reason,
            } => {
                let msg = format!(
                    "{symbol}: {provider} attempt {attempt} failed ({reason}); retrying in {:.1} s",
                    delay.as_secs_f64()
                );
                if verbose {
                    bar.suspend(|| eprintln!("{msg}"));
                }
                bar.set_message(msg);
            }
            // The final error lists every provider's failure; say it as it happens only
            // with -v (a later provider may still succeed).
            Progress::Failed { provider, message } if verbose => {
                bar.suspend(|| eprintln!("{symbol}: {provider} failed: {message}"));
            }
            Progress::Bars { total } => bar.set_message(format!("{symbol}: {total} bars")),
            _ => {}
        }
        bar.tick();
    };
    let r = ctx.with_store(|s| {
        ctx.with_fetcher(|f| {
            Ok(lockstep_fetch::refresh_symbol(
                s,
                f,
                symbol,
                since,
                forced,
                to,
                &mut on_progress,
            )?)
        })
    })?;
    for w in &r.warnings {
        bar.suspend(|| eprintln!("warning: {symbol}: {w}"));
    }
    Ok(FetchSummary {
        symbol: r.symbol,
        provider: r.provider,
        from: r.from,
        stats: r.stats,
        requests: r.requests,
        first: r.first,
        last: r.last,
        bars: r.bars,
    })
}

/// A spinner on stderr for one symbol (hidden when stderr is not a terminal).
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Load what an argument names.
pub fn load(
    ctx: &Ctx,
    arg: &str,
    input: &InputArgs,
    forced: Option<ProviderKind>,
) -> Result<PriceSeries> {
    load_input(ctx, &Input::parse(arg), input, forced)
}

/// The two legs of a ratio argument `A/B`, loaded separately; `None` when `arg` is not a ratio.
pub fn load_pair(
    ctx: &Ctx,
    arg: &str,
    input: &InputArgs,
    forced: Option<ProviderKind>,
) -> Result<Option<(PriceSeries, PriceSeries)>> {
    match Input::parse(arg) {
        Input::Ratio(a, b) => Ok(Some((
            load_input(ctx, &a, input, forced)?,
            load_input(ctx, &b, input, forced)?,
        ))),
        _ => Ok(None),
    }
}

/// Every `*.csv` file of `dir` (sorted by name), each read as one series; the files are read
/// on every core, the first error (in name order) is reported.
pub fn load_folder(ctx: &Ctx, dir: &Path, input: &InputArgs) -> Result<Vec<PriceSeries>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no *.csv file in {}", dir.display());
    }
    use rayon::prelude::*;
    let verbose = ctx.verbose;
    files
        .par_iter()
        .map(|f| read_file(verbose, f, input))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

fn load_input(
    ctx: &Ctx,
    what: &Input,
    input: &InputArgs,
    forced: Option<ProviderKind>,
) -> Result<PriceSeries> {
    match what {
        Input::File(path) => load_file(ctx, path, input),
        Input::Symbol(symbol) => load_symbol(ctx, symbol, forced),
        Input::Ratio(a, b) => {
            let a = load_input(ctx, a, input, forced)?;
            let b = load_input(ctx, b, input, forced)?;
            Ok(PriceSeries::ratio(&a, &b)?)
        }
    }
}

/// Read a CSV file with the reader's options; warnings go to stderr.
pub fn load_file(ctx: &Ctx, path: &Path, input: &InputArgs) -> Result<PriceSeries> {
    read_file(ctx.verbose, path, input)
}

/// [`load_file`] without the context (so files can be read on several threads).
fn read_file(verbose: bool, path: &Path, input: &InputArgs) -> Result<PriceSeries> {
    let opts = csv_options(input);
    // The reader's errors name the file (and line, column) themselves.
    let read = read_csv(path, &opts)?;
    for w in &read.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    if verbose {
        let s = &read.series;
        eprintln!(
            "{}: format {}, price from {}, {} rows{}, {} .. {}",
            path.display(),
            read.format.name(),
            s.price_field.label(),
            s.len(),
            if read.newest_first {
                " (file newest first)"
            } else {
                ""
            },
            s.dates.first().map(|d| d.to_string()).unwrap_or_default(),
            s.dates.last().map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    Ok(read.series)
}

/// The CSV reader options of `--price`, `--date-col`, `--price-col`, `--dedupe`.
pub fn csv_options(input: &InputArgs) -> CsvOptions {
    CsvOptions {
        price: input.price.into(),
        date_col: input.date_col.clone(),
        price_col: input.price_col.clone(),
        dedupe: input.dedupe.into(),
    }
}

/// A stored symbol: fetched first when missing, refreshed when stale (both unless
/// `--offline`; a failed refresh of stored data is a warning, not an error).
fn load_symbol(ctx: &Ctx, symbol: &str, forced: Option<ProviderKind>) -> Result<PriceSeries> {
    let stored = ctx.with_store(|s| Ok(s.instrument(symbol)?))?;
    // An imported series has no provider to refresh from.
    let refreshable = stored.as_ref().is_some_and(|i| i.provider != "import");
    if stored.is_none() {
        if ctx.offline {
            bail!(
                "{symbol} is not in the store ({}) and --offline forbids fetching it; run \
                 `lockstep fetch {symbol}` first, or pass a CSV file",
                ctx.db_path()?.display()
            );
        }
        let bar = spinner();
        let r = fetch_symbol(ctx, symbol, None, forced, &bar);
        bar.finish_and_clear();
        let summary = r?;
        if ctx.verbose {
            eprintln!(
                "{symbol}: fetched {} bars from {}",
                summary.stats.added, summary.provider
            );
        }
    } else if refreshable && !ctx.offline && is_stale(ctx, symbol)? {
        let bar = spinner();
        let r = fetch_symbol(ctx, symbol, None, forced, &bar);
        bar.finish_and_clear();
        match r {
            Ok(s) if ctx.verbose => eprintln!(
                "{symbol}: refreshed from {}: {} added, {} revised",
                s.provider, s.stats.added, s.stats.revised
            ),
            Ok(_) => {}
            Err(e) => eprintln!("warning: using stored {symbol}: refresh failed: {e:#}"),
        }
    }
    let series = ctx.with_store(|s| Ok(s.series(symbol)?))?;
    if ctx.verbose {
        eprintln!(
            "{symbol}: {} stored bars from {}, {} .. {}",
            series.len(),
            series.source,
            series
                .dates
                .first()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            series
                .dates
                .last()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
    }
    Ok(series)
}

fn is_stale(ctx: &Ctx, symbol: &str) -> Result<bool> {
    let last = ctx.with_store(|s| Ok(s.listing(symbol)?.and_then(|l| l.last_refresh)))?;
    let Some(last) = last else { return Ok(true) };
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(&last) else {
        return Ok(true);
    };
    Ok(Utc::now().signed_duration_since(t) > chrono::Duration::hours(STALE_AFTER_HOURS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_arguments() {
        assert_eq!(Input::parse("ETH-USD"), Input::Symbol("ETH-USD".into()));
        assert_eq!(Input::parse("fred:DGS2"), Input::Symbol("fred:DGS2".into()));
        assert_eq!(
            Input::parse("data/x.csv"),
            Input::File(PathBuf::from("data/x.csv"))
        );
        assert_eq!(
            Input::parse("ETH-USD/BTC-USD"),
            Input::Ratio(
                Box::new(Input::Symbol("ETH-USD".into())),
                Box::new(Input::Symbol("BTC-USD".into()))
            )
        );
    }
}
