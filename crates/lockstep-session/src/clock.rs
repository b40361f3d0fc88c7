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

use lockstep_core::{
    sample_at_closes, Calendar, Interval, IntradayPair, IntradaySeries, PriceSeries,
};
use lockstep_data::{read_intraday_csv, DataError, IntradayCsvOptions, IntradayRead};
use lockstep_report::{analyze_with, Clock, ClockComparison, ClockSide, IntradaySection, Report};

use crate::error::{chain, Context, Result, SessionError};
use crate::input::{is_symbol, Input};
use crate::pair::{PairParams, PairRun, Resolved};
use crate::session::Session;

/// Where a leg's intraday bars come from: a CSV file, or the store's bars of the symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntradaySource {
    /// An intraday CSV export.
    File(std::path::PathBuf),
    /// The stored bars of a symbol (the finest interval stored, or the one asked for).
    Store(String),
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
    /// Intraday bars from `source`: a file, or the store (`interval`, else the finest stored
    /// one); `None` when the store has none for the symbol.
    pub fn intraday(
        &self,
        source: &IntradaySource,
        interval: Option<Interval>,
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
            IntradaySource::Store(symbol) => self.with_store(|s| {
                let stored: Vec<Interval> = s
                    .intervals(symbol)?
                    .into_iter()
                    .map(|l| l.interval)
                    .filter(|i| i.is_intraday())
                    .collect();
                let pick = match interval {
                    Some(i) if stored.contains(&i) => Some(i),
                    Some(_) => None,
                    None => stored.first().copied(),
                };
                match pick {
                    Some(i) => Ok(Some(s.intraday_series(symbol, i)?)),
                    None => Ok(None),
                }
            }),
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
    /// The reader's warnings about the exchange leg's bars, and the section.
    intraday: Option<(Vec<String>, Result<IntradaySection>)>,
}

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
        let ((arg, (own, file)), (earg, (eown, efile))) = if every_is_a {
            ((&p.a, legs.a), (&p.b, legs.b))
        } else {
            ((&p.b, legs.b), (&p.a, legs.a))
        };
        // The every-day leg's bars: its file, its own, or the store's (read now).
        let bars = match (file, own) {
            (Some(f), _) => Pending::File(f),
            (None, Some(b)) => Pending::Ready(b),
            (None, None) => {
                let stored = match self.intraday_source(arg, None) {
                    Some(src) => match self.intraday(&src, None) {
                        Ok(b) => b,
                        Err(e) if p.clock == Clock::Exchange => return Err(e),
                        Err(e) => {
                            if self.verbose {
                                eprintln!("no clock comparison: {}", chain(&e));
                            }
                            None
                        }
                    },
                    None => None,
                };
                match stored {
                    Some(b) => Pending::Ready(b),
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
        let every_day_part = |bars: IntradaySeries| -> Result<EveryDayPart> {
            let (sync, missing) = synchronous(every, exchange, &bars)?;
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
                        let (a_bars, b_bars) = if every_is_a {
                            (&bars, &xbars)
                        } else {
                            (&xbars, &bars)
                        };
                        let section = intraday_pair(a_bars, b_bars, every_is_a).and_then(|pair| {
                            IntradaySection::compute(
                                &pair,
                                &opts.windows,
                                opts.linkage.max_lag,
                                opts.confidence,
                            )
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
        let part = part?;
        let (utc, exch) = (utc?, part.exchange_clock?);
        let (mut report, utc, exch) = match (utc, exch) {
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
        report.clocks = Some(ClockComparison::of_sides(
            p.clock,
            utc,
            exch,
            part.source,
            part.missing,
        ));
        if let Some((warnings, section)) = part.intraday {
            for w in &warnings {
                eprintln!("{w}");
            }
            report.intraday = Some(section?);
        }
        let (a, b) = match (p.clock, every_is_a) {
            (Clock::Exchange, true) => (part.sync, r.b),
            (Clock::Exchange, false) => (r.a, part.sync),
            _ => (r.a, r.b),
        };
        Ok(PairRun {
            report,
            a,
            b,
            options: r.options,
            backdrop: r.backdrop,
        })
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
