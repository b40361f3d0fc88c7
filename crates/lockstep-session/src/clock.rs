//! The clock of a pair: intraday bars of its legs (a CSV file or the store), the synchronous
//! daily series of the every-day leg, and the reaction time in bars.
//!
//! Which leg is the every-day one: the leg whose calendar is every day when the other one's
//! is weekdays (crypto against an exchange); a pair of two exchange legs, or of two every-day
//! legs, has one clock and no comparison.
//!
//! The work of [`Session::pair`] on both clocks is split so that both cores have some: the
//! `--intraday-a/-b` files are read on their own threads from the start ([`Prefetch`]); the
//! main report of a `--clock utc` run needs no intraday bar and runs beside the every-day
//! leg's bars, its synchronous series and the exchange clock's side of the comparison
//! ([`ClockSide::compute`]: only what the comparison reads), itself beside the reaction time
//! in bars. Warnings and errors come out in the order of the steps, whatever finishes first.

use std::path::{Path, PathBuf};

use std::borrow::Cow;

use lockstep_core::{
    new_york_date, sample_at_closes, Calendar, Date, Interval, IntradayPair, IntradaySeries,
    PriceSeries,
};
use lockstep_data::{read_intraday_csv, DataError, IntradayCsvOptions, IntradayRead};
use lockstep_report::{analyze_with, Clock, ClockComparison, ClockSide, IntradaySection, Report};

use crate::error::{chain, Context, Result, SessionError};
use crate::input::{is_symbol, Input};
use crate::load::spinner;
use crate::pair::{PairParams, PairRun, Resolved};
use crate::session::Session;

/// Where a leg's intraday bars come from: a CSV file, or the store's bars of the symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntradaySource {
    /// An intraday CSV export.
    File(std::path::PathBuf),
    /// The stored bars of a symbol (the interval asked for; else `1h`, or the finest interval
    /// stored when there are no `1h` bars).
    Store(String),
}

/// The interval of the every-day leg's bars to refresh for a pair measured in `interval` bars
/// (`--interval`; `None`: the clock comparison only, `1h`). Hourly equity bars start at :30
/// (09:30 New York), so an hourly grid on the hour has no price at their ends: `--interval 1h`
/// refreshes the every-day leg's 30m bars, which end at :00 and :30. A finer interval lies on
/// the equity grid as it is.
pub(crate) fn every_day_fetch(interval: Option<Interval>) -> Interval {
    match interval {
        None => Interval::H1,
        Some(Interval::H1) => Interval::M30,
        Some(i) => i,
    }
}

/// The stored intraday bars of `symbol`: of `interval` when one is asked for (`None` when they
/// are not stored); else of `prefer` when stored, else of the finest interval stored; `None`
/// when the store has none (the session and the dashboard read them this way).
pub fn stored_intraday(
    store: &lockstep_store::Store,
    symbol: &str,
    interval: Option<Interval>,
    prefer: Option<Interval>,
) -> std::result::Result<Option<IntradaySeries>, lockstep_store::StoreError> {
    let stored: Vec<Interval> = store
        .intervals(symbol)?
        .into_iter()
        .map(|l| l.interval)
        .filter(|i| i.is_intraday())
        .collect();
    let pick = match interval {
        Some(i) if stored.contains(&i) => Some(i),
        Some(_) => None,
        None => match prefer {
            Some(p) if stored.contains(&p) => Some(p),
            _ => stored.first().copied(),
        },
    };
    match pick {
        Some(i) => Ok(Some(store.intraday_series(symbol, i)?)),
        None => Ok(None),
    }
}

/// The bars of `s` dated within `[from, to]` (inclusive; `None` leaves that end open) in the
/// exchange's calendar: a bar's date is the New York date of its open time (a regular-session
/// bar's session), as `--from/--to` cut the daily series ([`crate::restrict`]). Intraday
/// returns are taken only within a session (the first bar of a session has none), so the
/// returns of the range are exactly those of its sessions: no bar before `from` is needed.
/// Without a bound the bars are borrowed as they are.
pub fn restrict_intraday(
    s: &IntradaySeries,
    from: Option<Date>,
    to: Option<Date>,
) -> Cow<'_, IntradaySeries> {
    if from.is_none() && to.is_none() {
        return Cow::Borrowed(s);
    }
    // New York dates never decrease along increasing open times.
    let i = from.map_or(0, |f| s.start.partition_point(|t| new_york_date(*t) < f));
    let j = to.map_or(s.len(), |t| {
        s.start.partition_point(|x| new_york_date(*x) <= t)
    });
    let j = j.max(i);
    let col = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v[i..j].to_vec());
    Cow::Owned(IntradaySeries {
        start: s.start[i..j].to_vec(),
        close: s.close[i..j].to_vec(),
        open: col(&s.open),
        high: col(&s.high),
        low: col(&s.low),
        volume: col(&s.volume),
        ..s.clone()
    })
}

/// Which leg trades every day while the other trades on an exchange calendar: `Some(true)`
/// when it is A.
pub fn every_day_leg(a: &PriceSeries, b: &PriceSeries) -> Option<bool> {
    match (a.calendar(), b.calendar()) {
        (Calendar::EveryDay, Calendar::Weekdays) => Some(true),
        (Calendar::Weekdays, Calendar::EveryDay) => Some(false),
        _ => None,
    }
}

impl Session {
    /// Intraday bars from `source`: a file, or the store (`interval`; else `1h`, or the finest
    /// stored interval when there are no `1h` bars); `None` when the store has none for the
    /// symbol. A stored live symbol's `interval` bars (`1h` when none is asked for) are fetched
    /// first when they are stale, unless offline: see [`Session::intraday_refreshed`].
    pub fn intraday(
        &self,
        source: &IntradaySource,
        interval: Option<Interval>,
    ) -> Result<Option<IntradaySeries>> {
        self.intraday_refreshed(source, interval, interval.unwrap_or(Interval::H1))
    }

    /// Intraday bars from `source`, as [`Session::intraday`], after refreshing the store's
    /// `fetch` bars of the symbol. From the store: the `interval` bars when one is asked for
    /// (`None` when they are not stored); else the `fetch` bars, or the finest stored interval
    /// when there are none. (Preferring the refreshed interval to a finer one keeps the longest
    /// history: Yahoo's 1h bars go back 730 days, its 30m bars 60; every interval that ends on
    /// the hour gives the same price at an exchange close.)
    ///
    /// The refresh follows the rule of daily symbols ([`crate::STALE_AFTER_HOURS`]): only
    /// online, only for a live symbol (stored from a provider, not imported, and whose
    /// `fetch` bars are not imported either), only when the `fetch` bars are missing or their
    /// last successful fetch is older than the limit. A failed refresh is a warning when the
    /// store still has bars to use (they are used as they are), else the error.
    pub fn intraday_refreshed(
        &self,
        source: &IntradaySource,
        interval: Option<Interval>,
        fetch: Interval,
    ) -> Result<Option<IntradaySeries>> {
        match source {
            IntradaySource::File(path) => {
                let opts = IntradayCsvOptions {
                    interval,
                    ..IntradayCsvOptions::default()
                };
                let read = read_intraday_csv(path, &opts)?;
                for w in &read.warnings {
                    eprintln!("warning: {}: {w}", path.display());
                }
                Ok(Some(read.series))
            }
            IntradaySource::Store(symbol) => {
                let failed = self.refresh_intraday_if_stale(symbol, fetch)?;
                let series = self.with_store(|s| {
                    Ok::<_, SessionError>(stored_intraday(s, symbol, interval, Some(fetch))?)
                })?;
                match (series, failed) {
                    (None, Some(e)) => Err(e),
                    (Some(series), Some(e)) => {
                        eprintln!(
                            "warning: using the stored {} bars of {symbol}: refreshing its {fetch} \
                             bars failed: {}",
                            series.interval,
                            chain(&e)
                        );
                        Ok(Some(series))
                    }
                    (series, None) => Ok(series),
                }
            }
        }
    }

    /// Fetch the `interval` bars of the stored live `symbol` when they are stale (see
    /// [`Session::intraday_refreshed`]); the error of a refresh that was tried and failed.
    fn refresh_intraday_if_stale(
        &self,
        symbol: &str,
        interval: Interval,
    ) -> Result<Option<SessionError>> {
        if self.offline || !interval.is_intraday() {
            return Ok(None);
        }
        let live = self.with_store(|s| {
            let Some(instrument) = s.instrument(symbol)? else {
                return Ok::<_, SessionError>(false);
            };
            // An imported series has no provider to refresh from.
            let imported = instrument.provider == "import"
                || s.intervals(symbol)?
                    .iter()
                    .any(|l| l.interval == interval && l.provider == "import");
            Ok(!imported)
        })?;
        if !live || !self.intraday_is_stale(symbol, interval)? {
            return Ok(None);
        }
        let bar = spinner();
        let r = self.fetch_intraday(symbol, interval, None, None, &bar);
        bar.finish_and_clear();
        match r {
            Ok(s) => {
                if self.verbose {
                    eprintln!(
                        "{symbol}: {interval} bars refreshed from {}: {} added, {} revised",
                        s.provider, s.stats.added, s.stats.revised
                    );
                }
                Ok(None)
            }
            Err(e) => Ok(Some(e)),
        }
    }

    /// The intraday source of a leg argument: the given file, else the store when the leg is
    /// a stored symbol.
    pub(crate) fn intraday_source(
        &self,
        arg: &str,
        file: Option<&std::path::Path>,
    ) -> Option<IntradaySource> {
        match (file, Input::parse(arg)) {
            (Some(f), _) => Some(IntradaySource::File(f.to_path_buf())),
            (None, Input::Symbol(s)) if is_symbol(arg) => Some(IntradaySource::Store(s)),
            _ => None,
        }
    }
}

/// The intraday bars of a `--intraday-a/-b` file, being read on their own thread while the
/// legs load and the main report is computed (they are the slowest input: a 30-minute file
/// of two years has 35,000 rows). Read with the interval inferred; [`Prefetch::take`] reads
/// the file again with `--interval` only when the result differs (the exchange leg's file
/// whose spacing is not `--interval`), so what it returns is what reading the file with the
/// interval asked for gives.
pub(crate) struct Prefetch<'scope> {
    path: PathBuf,
    opts: IntradayCsvOptions,
    read: std::thread::ScopedJoinHandle<'scope, Result<IntradayRead, DataError>>,
}

impl<'scope> Prefetch<'scope> {
    /// Start reading `path` with `opts` (interval inferred) on a thread of `scope`.
    pub(crate) fn start(
        scope: &'scope std::thread::Scope<'scope, '_>,
        path: &Path,
        opts: IntradayCsvOptions,
    ) -> Prefetch<'scope> {
        let (file, o) = (path.to_path_buf(), opts.clone());
        let read = scope.spawn(move || read_intraday_csv(&file, &o));
        Prefetch {
            path: path.to_path_buf(),
            opts,
            read,
        }
    }

    /// The bars, as read with `interval` (`None`: inferred), and the reader's warnings as
    /// `warning: FILE: ...` lines.
    fn take(self, interval: Option<Interval>) -> Result<(IntradaySeries, Vec<String>)> {
        let read = match self.read.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let read = match (read, interval) {
            (Ok(r), Some(iv)) if r.interval != iv => None,
            (Err(_), Some(_)) => None,
            (r, _) => Some(r),
        };
        let read = match read {
            Some(r) => r?,
            None => read_intraday_csv(
                &self.path,
                &IntradayCsvOptions {
                    interval,
                    ..self.opts
                },
            )?,
        };
        let shown = self.path.display();
        let warnings = read
            .warnings
            .iter()
            .map(|w| format!("warning: {shown}: {w}"))
            .collect();
        Ok((read.series, warnings))
    }
}

/// A leg's intraday bars, as far as they are known before the parallel part of
/// [`Session::on_clocks`].
enum Pending<'scope> {
    /// In memory (the leg's own bars, the store's).
    Ready(IntradaySeries),
    /// Being read from a file.
    File(Prefetch<'scope>),
    /// Not to be had: the error is reported in its turn.
    Failed(SessionError),
}

impl Pending<'_> {
    fn take(self, interval: Option<Interval>) -> Result<(IntradaySeries, Vec<String>)> {
        match self {
            Pending::Ready(b) => Ok((b, Vec::new())),
            Pending::File(f) => f.take(interval),
            Pending::Failed(e) => Err(e),
        }
    }
}

/// The main report on one clock, or the other clock's side of the comparison.
enum OnClock {
    Main(Box<Report>),
    Side(ClockSide),
}

/// What the every-day leg's bars give in [`Session::on_clocks`].
struct EveryDayPart {
    sync: PriceSeries,
    missing: usize,
    source: String,
    exchange_clock: Result<OnClock>,
    /// The reader's warnings about the exchange leg's bars, and the section with the pair on
    /// the exchange leg's grid behind it.
    intraday: Option<(Vec<String>, Result<InBars>)>,
}

/// The reaction time in bars and the pair on the exchange leg's grid behind it.
type InBars = (IntradaySection, IntradayPair);

/// The synchronous daily series of the every-day leg `every` on the dates of `exchange`,
/// from its bars, and the number of those dates inside the bars' span without a price.
fn synchronous(
    every: &PriceSeries,
    exchange: &PriceSeries,
    bars: &IntradaySeries,
) -> Result<(PriceSeries, usize)> {
    let (mut sync, missing) = sample_at_closes(bars, &exchange.dates);
    sync.name = every.name.clone();
    sync.source = format!("{} at the exchange close", bars.source);
    if sync.len() < 3 {
        return Err(SessionError::msg(format!(
            "{}'s intraday bars ({} .. {}) give a price at the exchange close on {} of {}'s \
             dates: they do not overlap enough",
            every.name,
            bars.start
                .first()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            bars.start.last().map(|t| t.to_string()).unwrap_or_default(),
            sync.len(),
            exchange.name
        )));
    }
    // Only the dates inside the bars' span lack a synchronous price; the others are simply
    // outside the intraday history.
    let span = (
        bars.start.first().map(|t| lockstep_core::new_york_date(*t)),
        bars.start.last().map(|t| lockstep_core::new_york_date(*t)),
    );
    let missing = match span {
        (Some(f), Some(l)) => missing.iter().filter(|d| **d >= f && **d <= l).count(),
        _ => 0,
    };
    Ok((sync, missing))
}

/// The intraday bars of the legs of a pair: each leg's own (a leg given as intraday bars),
/// its `--intraday-a/-b` file (being read), or none yet.
pub(crate) struct LegBars<'scope> {
    /// A's own bars and file.
    pub(crate) a: (Option<IntradaySeries>, Option<Prefetch<'scope>>),
    /// B's.
    pub(crate) b: (Option<IntradaySeries>, Option<Prefetch<'scope>>),
}

impl Session {
    /// The pair on both clocks (see [`Session::pair`]): the every-day leg's bars (its
    /// `--intraday` file, else its own bars, else the store's), its synchronous daily series,
    /// the report on `p.clock` with the comparison of both clocks, and with `p.interval` the
    /// reaction time in bars. The main report runs beside the reading of the bars and the
    /// other clock; errors are reported in the order of the steps.
    pub(crate) fn on_clocks(
        &self,
        p: &PairParams,
        r: Resolved,
        legs: LegBars<'_>,
    ) -> Result<PairRun> {
        let what = format!("cannot analyze {} against {}", r.a.name, r.b.name);
        let (name_a, name_b) = (r.a.name.clone(), r.b.name.clone());
        let needs_err = |why: &str| {
            SessionError::msg(format!(
                "{why}: {} against {} needs one leg that trades every day and one on an \
                 exchange calendar, with intraday bars of the every-day leg (`lockstep fetch \
                 SYMBOL --interval 1h`, --intraday-a/--intraday-b FILE, or the leg given as an \
                 intraday CSV file)",
                name_a, name_b
            ))
        };
        let one_clock = |r: Resolved| -> Result<PairRun> {
            if p.clock == Clock::Exchange {
                return Err(needs_err("--clock exchange"));
            }
            if p.interval.is_some() {
                return Err(needs_err("--interval"));
            }
            PairRun::compute(r).context(what.clone())
        };
        let Some(every_is_a) = every_day_leg(&r.a, &r.b) else {
            return one_clock(r);
        };
        // A command that prints no clock comparison does not load bars for one.
        if !r.options.sections.clocks && p.clock == Clock::Utc && p.interval.is_none() {
            return one_clock(r);
        }
        let ((arg, (own, file)), (earg, (eown, efile))) = if every_is_a {
            ((&p.a, legs.a), (&p.b, legs.b))
        } else {
            ((&p.b, legs.b), (&p.a, legs.a))
        };
        // The every-day leg's bars: its file, its own, or the store's (read now).
        let mut from_store = false;
        let bars = match (file, own) {
            (Some(f), _) => Pending::File(f),
            (None, Some(b)) => Pending::Ready(b),
            (None, None) => {
                // The store's bars of `every_day_fetch`, refreshed first (else the finest
                // stored).
                let stored = match self.intraday_source(arg, None) {
                    Some(src) => {
                        match self.intraday_refreshed(&src, None, every_day_fetch(p.interval)) {
                            Ok(b) => b,
                            Err(e) if p.clock == Clock::Exchange || p.interval.is_some() => {
                                return Err(e)
                            }
                            Err(e) => {
                                eprintln!("no clock comparison: {}", chain(&e));
                                None
                            }
                        }
                    }
                    None => None,
                };
                match stored {
                    Some(b) => {
                        from_store = true;
                        Pending::Ready(b)
                    }
                    None => return one_clock(r),
                }
            }
        };
        // The exchange leg's bars of --interval.
        let exchange_bars = p.interval.map(|iv| {
            let pending = match (efile, eown) {
                (Some(f), _) => Pending::File(f),
                (None, Some(b)) if b.interval == iv => Pending::Ready(b),
                (None, Some(b)) => Pending::Failed(SessionError::msg(format!(
                    "--interval {iv}: {earg} holds {} bars, not {iv}: use --interval {} or \
                     give {iv} bars with --intraday-a/--intraday-b FILE",
                    b.interval, b.interval
                ))),
                (None, None) => match self.intraday_source(earg, None) {
                    Some(src) => match self.intraday(&src, Some(iv)) {
                        Ok(Some(b)) => Pending::Ready(b),
                        Ok(None) => Pending::Failed(needs_err(&format!(
                            "--interval {iv}: no {iv} bars of {earg}"
                        ))),
                        Err(e) => Pending::Failed(e),
                    },
                    None => Pending::Failed(needs_err(&format!(
                        "--interval {iv}: no {iv} bars of {earg}"
                    ))),
                },
            };
            (iv, pending)
        });

        let (every, exchange) = if every_is_a {
            (&r.a, &r.b)
        } else {
            (&r.b, &r.a)
        };
        let (opts, backdrop) = (&r.options, &r.backdrop);
        let name = format!("{} against {}", r.a.name, r.b.name);
        let utc_what = || format!("cannot analyze {name}");
        let exch_what = || format!("cannot analyze {name} on the exchange clock");
        // The UTC clock needs no intraday bar: its part runs beside the bars' part.
        let utc_part = || match p.clock {
            Clock::Utc => analyze_with(&r.a, &r.b, opts, backdrop)
                .map(|r| OnClock::Main(Box::new(r)))
                .with_context(utc_what),
            Clock::Exchange => ClockSide::compute(&r.a, &r.b, opts)
                .map(OnClock::Side)
                .with_context(utc_what),
        };
        // With --from/--to the bars are cut as the daily legs were: the every-day leg's
        // prices at the exchange's closes over the exchange leg's kept dates (with the price
        // before the first return), the bars of the reaction time over the sessions dated
        // within the range.
        let ranged = p.from.is_some() || p.to.is_some();
        let every_day_part = |bars: IntradaySeries| -> Result<EveryDayPart> {
            let kept = if ranged {
                restrict_intraday(
                    &bars,
                    exchange.dates.first().copied(),
                    exchange.dates.last().copied(),
                )
            } else {
                Cow::Borrowed(&bars)
            };
            let (sync, missing) = synchronous(every, exchange, &kept)?;
            let source = format!("{}'s {} bars ({})", bars.name, bars.interval, bars.source);
            let (sa, sb) = if every_is_a {
                (&sync, &r.b)
            } else {
                (&r.a, &sync)
            };
            let (exchange_clock, intraday) = rayon::join(
                || match p.clock {
                    Clock::Exchange => analyze_with(sa, sb, opts, backdrop)
                        .map(|r| OnClock::Main(Box::new(r)))
                        .with_context(exch_what),
                    Clock::Utc => ClockSide::compute(sa, sb, opts)
                        .map(OnClock::Side)
                        .with_context(exch_what),
                },
                || {
                    exchange_bars.map(|(iv, pending)| {
                        let (xbars, xwarnings) = match pending.take(Some(iv)) {
                            Ok(x) => x,
                            Err(e) => return (Vec::new(), Err(e)),
                        };
                        let (ebars, xbars) = (
                            restrict_intraday(&bars, p.from, p.to),
                            restrict_intraday(&xbars, p.from, p.to),
                        );
                        let (a_bars, b_bars) = if every_is_a {
                            (&*ebars, &*xbars)
                        } else {
                            (&*xbars, &*ebars)
                        };
                        let section = intraday_pair(a_bars, b_bars, every_is_a).and_then(|pair| {
                            IntradaySection::compute(
                                &pair,
                                &opts.windows,
                                opts.linkage.max_lag,
                                opts.confidence,
                            )
                            .map(|section| (section, pair))
                            .context(format!("cannot measure {name} in {iv} bars"))
                        });
                        (xwarnings, section)
                    })
                },
            );
            Ok(EveryDayPart {
                sync,
                missing,
                source,
                exchange_clock,
                intraday,
            })
        };
        // The reader's warnings, and what the bars give.
        let bars_part = || -> Result<(Vec<String>, Result<EveryDayPart>)> {
            let (bars, warnings) = bars.take(None)?;
            Ok((warnings, every_day_part(bars)))
        };
        let (utc, part) = rayon::join(utc_part, bars_part);
        // In the order of the steps: the bars, the UTC clock, the exchange clock, the
        // reaction time.
        let (warnings, part) = part?;
        for w in &warnings {
            eprintln!("{w}");
        }
        let part = match part {
            Ok(part) => part,
            // The store's bars (fetched on the way) that do not fit the daily legs: one clock,
            // unless a comparison was asked for.
            Err(e) if from_store && p.clock == Clock::Utc && p.interval.is_none() => {
                eprintln!("no clock comparison: {}", chain(&e));
                return PairRun::compute(r).context(what);
            }
            Err(e) => return Err(e),
        };
        let (utc, exch) = (utc?, part.exchange_clock?);
        let (main, utc, exch) = match (utc, exch) {
            (OnClock::Main(m), OnClock::Side(e)) => {
                let u = ClockSide::of(&m);
                (*m, u, e)
            }
            (OnClock::Side(u), OnClock::Main(m)) => {
                let e = ClockSide::of(&m);
                (*m, u, e)
            }
            _ => unreachable!("one main report, one side"),
        };
        let mut run = finish(
            p.clock,
            r,
            every_is_a,
            Sides {
                main,
                utc,
                exch,
                sync: part.sync,
                source: part.source,
                missing: part.missing,
            },
        );
        if let Some((warnings, section)) = part.intraday {
            for w in &warnings {
                eprintln!("{w}");
            }
            let (section, pair) = section?;
            run.report.intraday = Some(section);
            run.intraday = Some(pair);
        }
        Ok(run)
    }
}

/// The report on the main clock, both clocks' sides, and the every-day leg's synchronous
/// series with where it came from and the dates it lacks.
struct Sides {
    main: Report,
    utc: ClockSide,
    exch: ClockSide,
    sync: PriceSeries,
    source: String,
    missing: usize,
}

/// The run of `r` on `clock` from its sides: the report with the comparison of both clocks;
/// on the exchange clock the every-day leg is its synchronous series (so the signals and a
/// backtest that follow use it too).
fn finish(clock: Clock, r: Resolved, every_is_a: bool, s: Sides) -> PairRun {
    let mut report = s.main;
    report.clocks = Some(ClockComparison::of_sides(
        clock, s.utc, s.exch, s.source, s.missing,
    ));
    let (a, b) = match (clock, every_is_a) {
        (Clock::Exchange, true) => (s.sync, r.b),
        (Clock::Exchange, false) => (r.a, s.sync),
        _ => (r.a, r.b),
    };
    PairRun {
        report,
        a,
        b,
        options: r.options,
        backdrop: r.backdrop,
        intraday: None,
    }
}

impl PairRun {
    /// The pair pipeline of the resolved legs `r` with the every-day leg's intraday `bars`
    /// (pure: no I/O; the dashboard's): the report on `clock` comparing both clocks, as
    /// [`Session::pair`] makes it.
    pub fn on_clocks(
        mut r: Resolved,
        every_day_is_a: bool,
        bars: &IntradaySeries,
        clock: Clock,
    ) -> Result<PairRun> {
        r.flag_partial(chrono::Utc::now());
        let (every, exchange) = if every_day_is_a {
            (&r.a, &r.b)
        } else {
            (&r.b, &r.a)
        };
        let (sync, missing) = synchronous(every, exchange, bars)?;
        let source = format!("{}'s {} bars ({})", bars.name, bars.interval, bars.source);
        let (sa, sb) = if every_day_is_a {
            (&sync, &r.b)
        } else {
            (&r.a, &sync)
        };
        let (o, bd) = (&r.options, &r.backdrop);
        let name = format!("{} against {}", r.a.name, r.b.name);
        let (main, utc, exch) = match clock {
            Clock::Utc => {
                let m = analyze_with(&r.a, &r.b, o, bd)
                    .with_context(|| format!("cannot analyze {name}"))?;
                let e = ClockSide::compute(sa, sb, o)
                    .with_context(|| format!("cannot analyze {name} on the exchange clock"))?;
                let u = ClockSide::of(&m);
                (m, u, e)
            }
            Clock::Exchange => {
                let m = analyze_with(sa, sb, o, bd)
                    .with_context(|| format!("cannot analyze {name} on the exchange clock"))?;
                let u = ClockSide::compute(&r.a, &r.b, o)
                    .with_context(|| format!("cannot analyze {name}"))?;
                let e = ClockSide::of(&m);
                (m, u, e)
            }
        };
        Ok(finish(
            clock,
            r,
            every_day_is_a,
            Sides {
                main,
                utc,
                exch,
                sync,
                source,
                missing,
            },
        ))
    }
}

/// The intraday pair of two legs' bars: `a_bars`, `b_bars` with the exchange leg's bars as
/// the grid.
pub(crate) fn intraday_pair(
    a_bars: &IntradaySeries,
    b_bars: &IntradaySeries,
    every_day_is_a: bool,
) -> Result<IntradayPair> {
    let (exchange, every) = if every_day_is_a {
        (b_bars, a_bars)
    } else {
        (a_bars, b_bars)
    };
    Ok(IntradayPair::new(exchange, every, !every_day_is_a)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bars_are_cut_by_their_new_york_date() {
        // Hourly bars from 2024-03-04 02:00 UTC (3 March, 21:00 New York) for two days.
        let t0 = chrono::Utc.with_ymd_and_hms(2024, 3, 4, 2, 0, 0).unwrap();
        let start: Vec<_> = (0..48).map(|h| t0 + chrono::Duration::hours(h)).collect();
        let close: Vec<f64> = (0..48).map(|h| 100.0 + h as f64).collect();
        let s = IntradaySeries::new("X", Interval::H1, start, close).unwrap();
        let d = |day| Date::from_ymd_opt(2024, 3, day).unwrap();
        let cut = restrict_intraday(&s, Some(d(4)), Some(d(4)));
        // 4 March in New York (UTC-5): 05:00 UTC on the 4th to 04:00 UTC on the 5th.
        assert_eq!(cut.len(), 24);
        assert!(cut.start.iter().all(|t| new_york_date(*t) == d(4)));
        assert_eq!(
            cut.start[0],
            chrono::Utc.with_ymd_and_hms(2024, 3, 4, 5, 0, 0).unwrap()
        );
        assert_eq!(cut.close[0], 103.0);
        // An open end keeps the rest; no bound borrows the bars as they are.
        assert_eq!(restrict_intraday(&s, Some(d(5)), None).len(), 48 - 3 - 24);
        assert_eq!(restrict_intraday(&s, None, Some(d(3))).len(), 3);
        assert!(matches!(
            restrict_intraday(&s, None, None),
            Cow::Borrowed(_)
        ));
        // A range without a bar is empty.
        assert!(restrict_intraday(&s, Some(d(9)), Some(d(10))).is_empty());
    }
}
