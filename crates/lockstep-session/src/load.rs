//! Loading what an argument names: a CSV file, a stored symbol (fetched first when missing,
//! refreshed when stale), a ratio of two of those, a folder of CSV files. Also the
//! fetch-into-store step shared by `lockstep fetch` and every analysis.

use std::path::{Path, PathBuf};

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use lockstep_core::{
    daily_from_intraday, trades_every_day, Calendar, Date, Interval, IntradaySeries, PriceSeries,
    Timestamp,
};
use lockstep_data::{
    read_any_csv, read_csv, AnyRead, CsvOptions, IntradayCsvOptions, IntradayRead,
};
use lockstep_fetch::{Progress, ProviderKind};
use lockstep_store::UpsertStats;

use crate::error::{Context, Result, SessionError};
use crate::input::{is_symbol, Input};
use crate::session::Session;

/// A stored symbol is refreshed before an analysis when its last successful fetch is older
/// than this (unless offline).
pub const STALE_AFTER_HOURS: i64 = 12;

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

/// The outcome of fetching one symbol's intraday bars of one interval.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IntradayFetchSummary {
    /// The symbol.
    pub symbol: String,
    /// The interval.
    pub interval: Interval,
    /// The provider that answered.
    pub provider: String,
    /// First open time requested (the request ends now).
    pub from: Timestamp,
    /// What the write did (`received` counts the complete bars, not one still forming).
    #[serde(flatten)]
    pub stats: UpsertStats,
    /// HTTP requests made.
    pub requests: usize,
    /// Open time of the first stored bar of the interval after the write.
    pub first: Option<Timestamp>,
    /// Open time of the last stored bar of the interval after the write.
    pub last: Option<Timestamp>,
    /// Stored bars of the interval after the write.
    pub bars: usize,
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

/// One leg of a pair as loaded: its daily series and, when it was given only as intraday
/// bars, those bars (which then also serve as the leg's intraday bars).
#[derive(Clone, Debug)]
pub(crate) struct Leg {
    /// The daily series (derived from `bars` when there are bars).
    pub(crate) daily: PriceSeries,
    /// The intraday bars of a leg given as an intraday CSV file.
    pub(crate) bars: Option<IntradaySeries>,
}

impl Session {
    /// Fetch `symbol` into the store with [`lockstep_fetch::refresh_symbol`]: from `since`,
    /// else from the last stored date minus [`lockstep_fetch::REFRESH_OVERLAP_DAYS`], else
    /// its full history. A stored symbol is refreshed from the provider it came from unless
    /// `forced` names another. One transaction per symbol; a failure is logged and leaves the
    /// stored bars as they were. Progress goes to `bar`.
    pub fn fetch_symbol(
        &self,
        symbol: &str,
        since: Option<Date>,
        forced: Option<ProviderKind>,
        bar: &ProgressBar,
    ) -> Result<FetchSummary> {
        if self.offline {
            return Err(SessionError::msg(format!(
                "cannot fetch {symbol} with --offline"
            )));
        }
        let to = Utc::now().date_naive();
        bar.set_message(format!("{symbol}: connecting"));
        let mut on_progress = progress_on(symbol, bar, self.verbose);
        let r = self.with_store(|s| {
            self.with_fetcher(|f| {
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

    /// Fetch the `interval` bars of `symbol` into the store with
    /// [`lockstep_fetch::refresh_intraday`]: from 00:00 UTC of `since`, else from the last
    /// stored bar of the interval minus [`lockstep_fetch::INTRADAY_OVERLAP_BARS`], else the
    /// default lookback ([`lockstep_fetch::default_intraday_lookback_days`]); up to now, bars
    /// still forming left out. The stored bars of the interval are refreshed from the provider
    /// they came from unless `forced` names another. One transaction; a failure is logged with
    /// the interval and leaves the stored bars as they were. Progress goes to `bar`.
    pub fn fetch_intraday(
        &self,
        symbol: &str,
        interval: Interval,
        since: Option<Date>,
        forced: Option<ProviderKind>,
        bar: &ProgressBar,
    ) -> Result<IntradayFetchSummary> {
        if self.offline {
            return Err(SessionError::msg(format!(
                "cannot fetch {symbol} with --offline"
            )));
        }
        let now = Utc::now();
        let since = since.map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
        bar.set_message(format!("{symbol} {interval}: connecting"));
        let label = format!("{symbol} {interval}");
        let mut on_progress = progress_on(&label, bar, self.verbose);
        let r = self.with_store(|s| {
            self.with_fetcher(|f| {
                Ok(lockstep_fetch::refresh_intraday(
                    s,
                    f,
                    symbol,
                    interval,
                    since,
                    forced,
                    now,
                    &mut on_progress,
                )?)
            })
        })?;
        for w in &r.warnings {
            bar.suspend(|| eprintln!("warning: {symbol} {interval}: {w}"));
        }
        Ok(IntradayFetchSummary {
            symbol: r.symbol,
            interval: r.interval,
            provider: r.provider,
            from: r.from,
            stats: r.stats,
            requests: r.requests,
            first: r.first,
            last: r.last,
            bars: r.bars,
        })
    }

    /// Load what an argument names (see [`Input::parse`]).
    pub fn load(
        &self,
        arg: &str,
        csv: &CsvOptions,
        forced: Option<ProviderKind>,
    ) -> Result<PriceSeries> {
        self.load_input(&Input::parse(arg), csv, forced)
    }

    /// The two legs of a ratio argument `A/B`, loaded separately; `None` when `arg` is not a
    /// ratio.
    pub fn load_ratio_legs(
        &self,
        arg: &str,
        csv: &CsvOptions,
        forced: Option<ProviderKind>,
    ) -> Result<Option<(PriceSeries, PriceSeries)>> {
        match Input::parse(arg) {
            Input::Ratio(a, b) => Ok(Some((
                self.load_input(&a, csv, forced)?,
                self.load_input(&b, csv, forced)?,
            ))),
            _ => Ok(None),
        }
    }

    /// Every `*.csv` file of `dir` (sorted by name), each read as one series; the files are
    /// read on every core, the first error (in name order) is reported.
    pub fn load_folder(&self, dir: &Path, csv: &CsvOptions) -> Result<Vec<PriceSeries>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the folder {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(SessionError::msg(format!(
                "no *.csv file in {}",
                dir.display()
            )));
        }
        use rayon::prelude::*;
        let verbose = self.verbose;
        files
            .par_iter()
            .map(|f| read_file(verbose, f, csv))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }

    /// Symbols or CSV files, or one folder of CSV files (`screen`, the heatmap).
    pub fn load_universe(
        &self,
        inputs: &[String],
        csv: &CsvOptions,
        forced: Option<ProviderKind>,
    ) -> Result<Vec<PriceSeries>> {
        match inputs {
            [one] if Path::new(one).is_dir() => self.load_folder(Path::new(one), csv),
            many => many.iter().map(|x| self.load(x, csv, forced)).collect(),
        }
    }

    /// Read a CSV file with the reader's options; warnings go to stderr.
    pub fn load_file(&self, path: &Path, csv: &CsvOptions) -> Result<PriceSeries> {
        read_file(self.verbose, path, csv)
    }

    /// A series of levels (a rate, a FRED series, a CSV): loaded like any input, but a symbol
    /// not in the store is fetched only when `may_fetch`. A stored symbol not fetched is read
    /// as its dates and prices only ([`lockstep_store::Store::levels`]; what reads levels
    /// reads nothing else).
    pub fn load_levels(&self, arg: &str, may_fetch: bool) -> Result<PriceSeries> {
        if !may_fetch && is_symbol(arg) {
            // As stored: no fetch, no refresh.
            return self.with_store(|s| {
                if s.instrument(arg)?.is_none() {
                    return Err(SessionError::msg(format!(
                        "{arg} is not in the store (`lockstep fetch {arg}` adds it)"
                    )));
                }
                Ok(s.levels(arg)?)
            });
        }
        self.load(arg, &CsvOptions::default(), None)
    }

    /// A leg of a pair (see [`Input::parse`]), which may be given only as intraday bars:
    /// * a CSV file that holds intraday bars ([`lockstep_data::looks_intraday`]) is read with
    ///   `intraday` and its daily series derived from the bars
    ///   ([`lockstep_core::daily_from_intraday`]); the bars are kept in [`Leg::bars`];
    /// * a stored symbol with intraday bars and no daily bars gets its daily series from the
    ///   stored interval that spans the longest time (the finest of equal spans), without a
    ///   daily fetch;
    /// * anything else is loaded as by [`Session::load`].
    ///
    /// Which daily series: an every-day leg's is the close of its last bar of each UTC day
    /// (the bar ending at 00:00 UTC); an exchange leg's is the close of its last
    /// regular-session bar of each NYSE session, only when that bar ends at the session's
    /// close. A file's bars are an every-day leg's when at least 5% of them start on a
    /// Saturday or a Sunday ([`lockstep_core::trades_every_day`]); a stored symbol's by the
    /// calendar the store records for it. What was left out (sessions whose bars stop
    /// before the close, extended-hours bars, UTC days without a bar ending at midnight) is
    /// counted in warnings on stderr.
    pub(crate) fn load_leg(
        &self,
        arg: &str,
        csv: &CsvOptions,
        intraday: &IntradayCsvOptions,
        forced: Option<ProviderKind>,
    ) -> Result<Leg> {
        self.load_leg_read(arg, csv, intraday, forced, None)
    }

    /// Both legs of a pair, as [`Session::load_leg`] loads them one after the other (the
    /// same series, warnings and first error); when both are CSV files (and more than their
    /// prices are read), B's file is read on another thread while A's is read and used (its
    /// warnings still printed after A's).
    pub(crate) fn load_legs(
        &self,
        (a, b): (&str, &str),
        csv: &CsvOptions,
        intraday: &IntradayCsvOptions,
        forced: Option<ProviderKind>,
    ) -> Result<(Leg, Leg)> {
        // Two files are read side by side, except for a lean read of prices only (`corr`):
        // one file's text at a time keeps its peak memory near one leg's (at 10^6 rows a
        // second text in memory is 65 MB more, for 0.1 s).
        let (Input::File(_), Input::File(path_b), false) =
            (Input::parse(a), Input::parse(b), csv.prices_only)
        else {
            let leg_a = self.load_leg(a, csv, intraday, forced)?;
            return Ok((leg_a, self.load_leg(b, csv, intraday, forced)?));
        };
        std::thread::scope(|scope| {
            let read_b = scope.spawn(|| read_any_csv(&path_b, csv, intraday));
            let leg_a = self.load_leg(a, csv, intraday, forced);
            let read_b = read_b
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            let leg_a = leg_a?;
            Ok((
                leg_a,
                self.load_leg_read(b, csv, intraday, forced, Some(read_b))?,
            ))
        })
    }

    /// [`Session::load_leg`] with the CSV file of `arg` already read (`pre`), if it is one.
    fn load_leg_read(
        &self,
        arg: &str,
        csv: &CsvOptions,
        intraday: &IntradayCsvOptions,
        forced: Option<ProviderKind>,
        pre: Option<std::result::Result<AnyRead, lockstep_data::DataError>>,
    ) -> Result<Leg> {
        let daily = |daily| Leg { daily, bars: None };
        match Input::parse(arg) {
            Input::File(path) => match pre.unwrap_or_else(|| read_any_csv(&path, csv, intraday))? {
                AnyRead::Daily(read) => {
                    report_daily(self.verbose, &path, &read);
                    Ok(daily(read.series))
                }
                AnyRead::Intraday(read) => {
                    let what = path.display().to_string();
                    for w in &read.warnings {
                        eprintln!("warning: {what}: {w}");
                    }
                    let IntradayRead { series, .. } = read;
                    let every = trades_every_day(&series);
                    let d = self.derive_daily(&what, &series, every)?;
                    Ok(Leg {
                        daily: d,
                        bars: Some(series),
                    })
                }
            },
            Input::Symbol(symbol) => match self.stored_intraday_only(&symbol)? {
                Some((bars, calendar)) => {
                    let every = calendar == Calendar::EveryDay;
                    Ok(daily(self.derive_daily(&symbol, &bars, every)?))
                }
                None => Ok(daily(self.load_symbol(&symbol, forced)?)),
            },
            ratio => Ok(daily(self.load_input(&ratio, csv, forced)?)),
        }
    }

    /// The daily series of `bars` (see [`Session::load_leg`]), with warnings about what was
    /// left out; `what` names the source in them.
    fn derive_daily(&self, what: &str, bars: &IntradaySeries, every: bool) -> Result<PriceSeries> {
        let d = daily_from_intraday(bars, every)
            .with_context(|| format!("cannot derive daily closes from {what}"))?;
        let first = |v: &[Date]| v.first().map(|d| d.to_string()).unwrap_or_default();
        if every {
            if !d.incomplete.is_empty() {
                eprintln!(
                    "warning: {what}: {} UTC day(s) without a bar ending at 00:00 UTC have no \
                     daily close (first {})",
                    d.incomplete.len(),
                    first(&d.incomplete)
                );
            }
        } else {
            if !d.incomplete.is_empty() {
                eprintln!(
                    "warning: {what}: {} session(s) whose bars stop before the session's close \
                     have no daily close (first {}): a download gap, a half day missing its \
                     last bars, or a session still trading",
                    d.incomplete.len(),
                    first(&d.incomplete)
                );
            }
            if d.outside_session > 0 {
                eprintln!(
                    "warning: {what}: {} bar(s) outside the regular session (09:30-16:00 New \
                     York, 13:00 on early closes) dropped",
                    d.outside_session
                );
            }
        }
        if d.series.len() < 2 {
            return Err(SessionError::msg(format!(
                "{what}: its {} bars give {} daily close(s); a leg needs at least 2",
                bars.interval,
                d.series.len()
            )));
        }
        if self.verbose {
            eprintln!(
                "{what}: {} {} bars of an {} leg, {} daily closes {} .. {} ({})",
                bars.len(),
                bars.interval,
                if every { "every-day" } else { "exchange" },
                d.series.len(),
                first(&d.series.dates),
                d.series
                    .dates
                    .last()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                if every {
                    "the close of each UTC day's last bar"
                } else {
                    "the close of each session's last regular-session bar"
                },
            );
        }
        Ok(d.series)
    }

    /// The intraday bars of a stored symbol that has no daily bars (the interval spanning the
    /// longest time, the finest of equal spans) and its calendar; `None` when the symbol is
    /// not stored, has daily bars, or has no intraday bars.
    fn stored_intraday_only(&self, symbol: &str) -> Result<Option<(IntradaySeries, Calendar)>> {
        self.with_store(|s| {
            let Some(instrument) = s.instrument(symbol)? else {
                return Ok(None);
            };
            let intervals = s.intervals(symbol)?;
            if intervals.iter().any(|l| l.interval == Interval::D1) {
                return Ok(None);
            }
            // Finest first: keep the first of equal spans.
            let mut best: Option<&lockstep_store::IntervalListing> = None;
            for l in &intervals {
                if best.is_none_or(|b| l.last - l.first > b.last - b.first) {
                    best = Some(l);
                }
            }
            match best {
                Some(l) => Ok(Some((
                    s.intraday_series(symbol, l.interval)?,
                    instrument.calendar,
                ))),
                None => Ok(None),
            }
        })
    }

    fn load_input(
        &self,
        what: &Input,
        csv: &CsvOptions,
        forced: Option<ProviderKind>,
    ) -> Result<PriceSeries> {
        match what {
            Input::File(path) => self.load_file(path, csv),
            Input::Symbol(symbol) => self.load_symbol(symbol, forced),
            Input::Ratio(a, b) => {
                let a = self.load_input(a, csv, forced)?;
                let b = self.load_input(b, csv, forced)?;
                Ok(PriceSeries::ratio(&a, &b)?)
            }
        }
    }

    /// A stored symbol: fetched first when missing, refreshed when stale (both unless
    /// offline; a failed refresh of stored data is a warning, not an error).
    fn load_symbol(&self, symbol: &str, forced: Option<ProviderKind>) -> Result<PriceSeries> {
        let stored = self.with_store(|s| Ok::<_, SessionError>(s.instrument(symbol)?))?;
        // An imported series has no provider to refresh from.
        let refreshable = stored.as_ref().is_some_and(|i| i.provider != "import");
        if stored.is_none() {
            if self.offline {
                return Err(SessionError::msg(format!(
                    "{symbol} is not in the store ({}) and --offline forbids fetching it; run \
                     `lockstep fetch {symbol}` first, or pass a CSV file",
                    self.db_path()?.display()
                )));
            }
            let bar = spinner();
            let r = self.fetch_symbol(symbol, None, forced, &bar);
            bar.finish_and_clear();
            let summary = r?;
            if self.verbose {
                eprintln!(
                    "{symbol}: fetched {} bars from {}",
                    summary.stats.added, summary.provider
                );
            }
        } else if refreshable && !self.offline && self.is_stale(symbol)? {
            let bar = spinner();
            let r = self.fetch_symbol(symbol, None, forced, &bar);
            bar.finish_and_clear();
            match r {
                Ok(s) if self.verbose => eprintln!(
                    "{symbol}: refreshed from {}: {} added, {} revised",
                    s.provider, s.stats.added, s.stats.revised
                ),
                Ok(_) => {}
                Err(e) => eprintln!(
                    "warning: using stored {symbol}: refresh failed: {}",
                    crate::chain(&e)
                ),
            }
        }
        let series = self.with_store(|s| Ok::<_, SessionError>(s.series(symbol)?))?;
        if self.verbose {
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

    fn is_stale(&self, symbol: &str) -> Result<bool> {
        let last = self.with_store(|s| {
            Ok::<_, SessionError>(s.listing(symbol)?.and_then(|l| l.last_refresh))
        })?;
        Ok(stale(last.as_deref()))
    }

    /// Whether the stored `interval` bars of `symbol` are to be refreshed before they are used:
    /// none stored, or their last successful fetch is older than [`STALE_AFTER_HOURS`] (the
    /// rule of daily bars).
    pub(crate) fn intraday_is_stale(&self, symbol: &str, interval: Interval) -> Result<bool> {
        let last = self.with_store(|s| {
            Ok::<_, SessionError>(
                s.intervals(symbol)?
                    .into_iter()
                    .find(|l| l.interval == interval)
                    .and_then(|l| l.last_refresh),
            )
        })?;
        Ok(stale(last.as_deref()))
    }
}

/// Whether a last successful refresh (RFC 3339; `None` = never) is older than
/// [`STALE_AFTER_HOURS`].
fn stale(last_refresh: Option<&str>) -> bool {
    let Some(last) = last_refresh else {
        return true;
    };
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(last) else {
        return true;
    };
    Utc::now().signed_duration_since(t) > chrono::Duration::hours(STALE_AFTER_HOURS)
}

/// What a fetch of `symbol` reports, shown on `bar`: the provider tried, each request (page
/// of pages), retries; with `verbose` also each retry and failed provider as a line.
fn progress_on<'a>(
    symbol: &'a str,
    bar: &'a ProgressBar,
    verbose: bool,
) -> impl FnMut(Progress) + 'a {
    move |p: Progress| {
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
                    "{symbol}: {provider} attempt {attempt} failed ({reason}); retrying in \
                     {:.1} s",
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
    }
}

/// Read one CSV file (any thread): warnings go to stderr, the detected format with `verbose`.
fn read_file(verbose: bool, path: &Path, csv: &CsvOptions) -> Result<PriceSeries> {
    // The reader's errors name the file (and line, column) themselves.
    let read = read_csv(path, csv)?;
    report_daily(verbose, path, &read);
    Ok(read.series)
}

/// The warnings of a daily read on stderr, and with `verbose` the detected format.
fn report_daily(verbose: bool, path: &Path, read: &lockstep_data::CsvRead) {
    // Each line is formatted first and written whole: one write to stderr (unbuffered) per
    // line, not one per piece, and lines of files read in parallel never interleave.
    for w in &read.warnings {
        let line = format!("warning: {}: {w}\n", path.display());
        eprint!("{line}");
    }
    if verbose {
        let s = &read.series;
        let line = format!(
            "{}: format {}, price from {}, {} rows{}, {} .. {}\n",
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
        eprint!("{line}");
    }
}
