//! The clock of a pair: intraday bars of its legs (a CSV file or the store), the synchronous
//! daily series of the every-day leg, and the reaction time in bars.
//!
//! Which leg is the every-day one: the leg whose calendar is every day when the other one's
//! is weekdays (crypto against an exchange); a pair of two exchange legs, or of two every-day
//! legs, has one clock and no comparison.

use lockstep_core::{
    sample_at_closes, Calendar, Interval, IntradayPair, IntradaySeries, PriceSeries,
};
use lockstep_data::{read_intraday_csv, IntradayCsvOptions};
use lockstep_report::{analyze_with, AnalyzeOptions, Backdrop, Clock, ClockComparison, Report};

use crate::error::{chain, Context, Result, SessionError};
use crate::input::{is_symbol, Input};
use crate::load::spinner;
use crate::pair::{PairRun, Resolved};
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

impl PairRun {
    /// The pair pipeline of the resolved legs `r` with the every-day leg's intraday `bars`
    /// (pure: no I/O): the report on `clock` comparing both clocks; on the exchange clock the
    /// every-day leg of the run is its synchronous series (its price at each exchange close),
    /// so the signals and a backtest that follow use it too.
    pub fn on_clocks(
        r: Resolved,
        every_day_is_a: bool,
        bars: &IntradaySeries,
        clock: Clock,
    ) -> Result<PairRun> {
        let source = format!("{}'s {} bars ({})", bars.name, bars.interval, bars.source);
        let (report, sync) = on_both_clocks(
            &r.a,
            &r.b,
            every_day_is_a,
            bars,
            &r.options,
            &r.backdrop,
            clock,
            source,
        )?;
        let (a, b) = match (clock, every_day_is_a) {
            (Clock::Exchange, true) => (sync, r.b),
            (Clock::Exchange, false) => (r.a, sync),
            _ => (r.a, r.b),
        };
        Ok(PairRun {
            report,
            a,
            b,
            options: r.options,
            backdrop: r.backdrop,
            intraday: None,
        })
    }
}

/// The report on `clock` and the comparison with the other clock, from the daily legs and the
/// every-day leg's intraday bars.
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_both_clocks(
    a: &PriceSeries,
    b: &PriceSeries,
    every_day_is_a: bool,
    bars: &IntradaySeries,
    options: &AnalyzeOptions,
    backdrop: &Backdrop,
    clock: Clock,
    source: String,
) -> Result<(Report, PriceSeries)> {
    let exchange = if every_day_is_a { b } else { a };
    let (mut sync, missing) = sample_at_closes(bars, &exchange.dates);
    let every = if every_day_is_a { a } else { b };
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
    let (sa, sb) = if every_day_is_a {
        (&sync, b)
    } else {
        (a, &sync)
    };
    let name = |x: &PriceSeries, y: &PriceSeries| format!("{} against {}", x.name, y.name);
    let utc =
        analyze_with(a, b, options, backdrop).context(format!("cannot analyze {}", name(a, b)))?;
    let exch = analyze_with(sa, sb, options, backdrop).context(format!(
        "cannot analyze {} on the exchange clock",
        name(a, b)
    ))?;
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
    let comparison = ClockComparison::new(clock, &utc, &exch, source, missing);
    let mut main = match clock {
        Clock::Utc => utc,
        Clock::Exchange => exch,
    };
    main.clocks = Some(comparison);
    Ok((main, sync))
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
