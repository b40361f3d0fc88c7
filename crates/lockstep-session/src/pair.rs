//! The pair pipeline every front end runs: resolve the two legs and the macro backdrop from
//! plain parameters, analyze, then evaluate rules and run a strategy on the result.

use std::path::PathBuf;

use lockstep_core::{Date, Interval, IntradayPair, IntradaySeries, PriceSeries};
use lockstep_data::{CsvOptions, IntradayCsvOptions};
use lockstep_fetch::ProviderKind;
use lockstep_macro::NetLiquidity;
use lockstep_report::freshness;
use lockstep_report::signals_view::{self, SignalsReport};
use lockstep_report::{analyze_with, AnalyzeOptions, Backdrop, Clock, Report, ReportError};
use lockstep_signals::BacktestResult;
use lockstep_signals::{RuleSet, Strategy};

use crate::backdrop::LiquiditySpec;
use crate::clock::{LegBars, Prefetch};
use crate::error::{chain, Context, Result};
use crate::input::is_symbol;
use crate::session::Session;

/// The default rate series of rate sensitivity: the 2-year Treasury yield.
pub const DEFAULT_RATE: &str = "fred:DGS2";

/// Which rate series rate sensitivity uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RateChoice {
    /// No rate section, no note.
    Off,
    /// Used when it can be had: stored, or fetched when both legs are symbols (analyzing CSV
    /// files never reaches for the network by itself); its absence is a note in the report.
    Optional(String),
    /// Must load (fetched when missing unless offline): its absence is an error.
    Required(String),
}

/// Which net-liquidity series the liquidity section uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiquidityChoice {
    /// Not asked for: the section says no series was given.
    NotAsked,
    /// Skipped on request (`--no-liquidity`).
    Skipped,
    /// These series: stored, or fetched when both legs are symbols; their absence is a
    /// one-line reason in the section.
    Series(LiquiditySpec),
}

/// Overrides of the regime rule of `config.toml` (`None` keeps the configured value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegimeOverrides {
    /// Moving-average window.
    pub ma_window: Option<usize>,
    /// Realized-volatility window.
    pub vol_window: Option<usize>,
    /// Number of volatility values whose median is the threshold.
    pub vol_lookback: Option<usize>,
}

/// Everything that says which pair to analyze and how: plain values (no loaded data), the
/// same for the terminal, the dashboard and the Python package.
#[derive(Clone, Debug, PartialEq)]
pub struct PairParams {
    /// Leg A: a symbol, a ratio `X/Y` or a CSV path.
    pub a: String,
    /// Leg B: a symbol, a ratio or a CSV path.
    pub b: String,
    /// How CSV files are read.
    pub csv: CsvOptions,
    /// Fetch only from this provider.
    pub provider: Option<ProviderKind>,
    /// The analysis parameters (the regime rule is replaced by config.toml's, then
    /// `regime` applied on top).
    pub options: AnalyzeOptions,
    /// Overrides of the configured regime rule.
    pub regime: RegimeOverrides,
    /// The rate series of rate sensitivity.
    pub rate: RateChoice,
    /// The series of net liquidity.
    pub liquidity: LiquidityChoice,
    /// The daily clock of the main report (`--clock`); with intraday bars of the every-day
    /// leg the report also compares both clocks.
    pub clock: Clock,
    /// Intraday bars of A from a file (`--intraday-a`); else the store's when A is a symbol.
    pub intraday_a: Option<PathBuf>,
    /// Intraday bars of B from a file (`--intraday-b`).
    pub intraday_b: Option<PathBuf>,
    /// The reaction time in bars of this interval (`--interval`): both legs' intraday bars
    /// are needed.
    pub interval: Option<Interval>,
    /// The time zone of naive timestamps in intraday CSV files (`--tz`), DST-aware.
    pub tz: Option<chrono_tz::Tz>,
    /// Skip rows of intraday CSV files whose time of day is missing, counting them in a
    /// warning (`--skip-bad-rows`), instead of refusing the file.
    pub skip_bad_rows: bool,
    /// Series to control for (`--control`, symbols or CSV paths, resolved like the legs):
    /// the report adds the partial correlation of A and B given them.
    pub controls: Vec<String>,
    /// Without `controls`, use the pair's default control (see
    /// [`Session::default_controls`]); `--no-control` and the commands that print machine
    /// tables of their own (`corr`, `regimes`, `signals`) switch it off.
    pub default_control: bool,
    /// The first date of the analysis (`--from`, inclusive): see [`restrict`].
    pub from: Option<Date>,
    /// The last date of the analysis (`--to`, inclusive): see [`restrict`].
    pub to: Option<Date>,
}

/// Both legs cut to the dates range `[from, to]` (inclusive) of their aligned returns: the
/// first aligned return kept is the first dated on or after `from` (its previous aligned
/// price is kept with it), the last is the last dated on or before `to`; every statistic then
/// runs on these returns only. Errors: `from` after `to`, or fewer than two aligned prices in
/// the range.
pub fn restrict(
    a: &PriceSeries,
    b: &PriceSeries,
    align: lockstep_core::Align,
    returns: lockstep_core::ReturnKind,
    from: Option<Date>,
    to: Option<Date>,
) -> std::result::Result<(PriceSeries, PriceSeries), String> {
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(format!("--from {f} is after --to {t}"));
        }
    }
    let al = lockstep_core::align(a, b, align, returns).map_err(|e| e.to_string())?;
    let d = &al.dates;
    // The first kept price: the aligned date before the first return dated >= from.
    let start = match from {
        Some(f) => {
            let k = d.partition_point(|x| *x < f);
            d.get(k.saturating_sub(1)).copied()
        }
        None => d.first().copied(),
    };
    let end = match to {
        Some(t) => d[..d.partition_point(|x| *x <= t)].last().copied(),
        None => d.last().copied(),
    };
    let kept = match (start, end) {
        (Some(s), Some(e)) if s < e => (s, e),
        _ => {
            let show = |x: Option<Date>| x.map_or_else(|| "…".to_string(), |x| x.to_string());
            return Err(format!(
                "the range {} to {} holds fewer than two aligned dates of {} and {} (they \
                 share {} to {})",
                show(from),
                show(to),
                a.name,
                b.name,
                show(d.first().copied()),
                show(d.last().copied())
            ));
        }
    };
    let cut = |s: &PriceSeries| {
        let i = s.dates.partition_point(|x| *x < kept.0);
        let j = s.dates.partition_point(|x| *x <= kept.1);
        let col = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v[i..j].to_vec());
        PriceSeries {
            dates: s.dates[i..j].to_vec(),
            price: s.price[i..j].to_vec(),
            open: col(&s.open),
            high: col(&s.high),
            low: col(&s.low),
            volume: col(&s.volume),
            ..s.clone()
        }
    };
    Ok((cut(a), cut(b)))
}

impl PairParams {
    /// What `lockstep analyze A B` does with no option: the default analysis, the 2-year
    /// Treasury yield when it can be had, net liquidity from FRED's series.
    pub fn new(a: impl Into<String>, b: impl Into<String>) -> PairParams {
        PairParams {
            a: a.into(),
            b: b.into(),
            csv: CsvOptions::default(),
            provider: None,
            options: AnalyzeOptions::default(),
            regime: RegimeOverrides::default(),
            rate: RateChoice::Optional(DEFAULT_RATE.to_string()),
            liquidity: LiquidityChoice::Series(LiquiditySpec::default()),
            clock: Clock::Utc,
            intraday_a: None,
            intraday_b: None,
            interval: None,
            tz: None,
            skip_bad_rows: false,
            controls: Vec::new(),
            default_control: true,
            from: None,
            to: None,
        }
    }

    /// How intraday CSV files are read (a leg given as intraday bars, `--intraday-a/-b`):
    /// `tz`, `skip_bad_rows`, and the daily reader's `dedupe`; the interval is the file's.
    pub fn intraday_csv(&self) -> IntradayCsvOptions {
        IntradayCsvOptions {
            tz: self.tz,
            interval: None,
            dedupe: self.csv.dedupe,
            skip_undated: self.skip_bad_rows,
        }
    }

    /// Without the macro backdrop (no rate series, no liquidity, no default control) and
    /// without the bootstrap, which their outputs do not show: `corr`, `overlay`, `leadlag`.
    pub fn without_backdrop(mut self) -> PairParams {
        self.rate = RateChoice::Off;
        self.liquidity = LiquidityChoice::NotAsked;
        self.default_control = false;
        self.options.bootstrap.replications = 0;
        self
    }

    /// Whether both legs are symbols (then the backdrop's series may be fetched).
    pub fn live(&self) -> bool {
        is_symbol(&self.a) && is_symbol(&self.b)
    }
}

/// The two legs loaded, the options resolved, the backdrop loaded: the input of
/// [`PairRun::compute`].
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Leg A.
    pub a: PriceSeries,
    /// Leg B.
    pub b: PriceSeries,
    /// The analysis options (with config.toml's regime rule).
    pub options: AnalyzeOptions,
    /// The macro backdrop.
    pub backdrop: Backdrop,
}

impl Resolved {
    /// Flag each leg whose last bar looks partial at `now` (see
    /// [`freshness::partial_last_bar`]) in the backdrop, and leave its volume out of the
    /// volume statistics unless `options.include_partial`. A leg already flagged is left as
    /// it is, so calling this again changes nothing.
    pub fn flag_partial(&mut self, now: lockstep_core::Timestamp) {
        let include = self.options.include_partial;
        for s in [&mut self.a, &mut self.b] {
            if self.backdrop.partial.iter().any(|p| p.leg == s.name) {
                continue;
            }
            if let Some(mut bar) = freshness::partial_last_bar(s, now) {
                bar.included = include;
                if !include {
                    freshness::drop_last_volume(s);
                }
                self.backdrop.partial.push(bar);
            }
        }
    }
}

/// The result of the pair pipeline: the report, with what it was computed from (so the
/// signals and a backtest can follow without loading anything again).
#[derive(Clone, Debug)]
pub struct PairRun {
    /// The analysis report.
    pub report: Report,
    /// Leg A.
    pub a: PriceSeries,
    /// Leg B.
    pub b: PriceSeries,
    /// The options of the analysis.
    pub options: AnalyzeOptions,
    /// The macro backdrop of the analysis.
    pub backdrop: Backdrop,
    /// The two legs on the exchange leg's intraday grid (with `--interval`): the per-bar
    /// returns behind `report.intraday`.
    pub intraday: Option<IntradayPair>,
}

impl PairRun {
    /// Analyze the resolved pair (no I/O; a last bar that looks partial now is flagged, see
    /// [`Resolved::flag_partial`]).
    pub fn compute(mut r: Resolved) -> Result<PairRun, ReportError> {
        r.flag_partial(chrono::Utc::now());
        let report = analyze_with(&r.a, &r.b, &r.options, &r.backdrop)?;
        Ok(PairRun {
            report,
            a: r.a,
            b: r.b,
            options: r.options,
            backdrop: r.backdrop,
            intraday: None,
        })
    }

    /// `rules` evaluated over the pair's daily measurement table.
    pub fn signals(&self, rules: &RuleSet) -> Result<SignalsReport, ReportError> {
        let m = signals_view::measurements(
            &self.report,
            &self.a,
            &self.b,
            self.backdrop.liquidity.as_ref().ok(),
            &self.options.structure,
        )?;
        let mut rep = signals_view::signals(&self.report, &m, rules)?;
        rep.liquidity_as_of = signals_view::liquidity_as_of(
            self.backdrop.liquidity.as_ref().ok(),
            &rep.evaluation.dates,
        );
        Ok(rep)
    }

    /// A position in A from `signals` by `strategy` (out of sample from `split`).
    pub fn backtest(
        &self,
        signals: &SignalsReport,
        strategy: &Strategy,
        split: Option<Date>,
    ) -> Result<BacktestResult, ReportError> {
        signals_view::run_backtest(&self.report, &signals.evaluation, strategy, split)
    }
}

impl Session {
    /// The analysis options of `p` with config.toml's regime rule and the overrides, and the
    /// macro backdrop `p` asks for (loaded from the store, fetched when both legs are symbols
    /// and the session is online; an absent optional series is a note, not an error).
    pub fn analysis(&self, p: &PairParams) -> Result<(AnalyzeOptions, Backdrop)> {
        let liquidity = self.liquidity_of(p);
        let (options, mut backdrop) = self.analysis_but_liquidity(p)?;
        backdrop.liquidity = liquidity;
        Ok((options, backdrop))
    }

    /// The net liquidity `p` asks for, or why there is none.
    fn liquidity_of(&self, p: &PairParams) -> std::result::Result<NetLiquidity, String> {
        match &p.liquidity {
            LiquidityChoice::NotAsked => Backdrop::default().liquidity,
            LiquidityChoice::Skipped => Err("skipped (--no-liquidity)".into()),
            // Like the default rate series: fetched when both legs are symbols, else used
            // only when stored.
            LiquidityChoice::Series(spec) => self
                .liquidity(spec, p.live())
                .map_err(|e| format!("not available: {} (--no-liquidity hides this)", chain(&e))),
        }
    }

    /// [`Session::analysis`] but the liquidity (left as in `Backdrop::default()`).
    fn analysis_but_liquidity(&self, p: &PairParams) -> Result<(AnalyzeOptions, Backdrop)> {
        let live = p.live();
        let mut options = p.options.clone();
        let mut rule = self.regime_rule()?;
        if let Some(v) = p.regime.ma_window {
            rule.ma_window = v;
        }
        if let Some(v) = p.regime.vol_window {
            rule.vol_window = v;
        }
        if let Some(v) = p.regime.vol_lookback {
            rule.vol_lookback = v;
        }
        options.linkage.regime_rule = rule;
        let mut backdrop = Backdrop::default();
        backdrop.rate = match &p.rate {
            RateChoice::Off => None,
            RateChoice::Required(s) => Some(
                self.load_levels(s, true)
                    .with_context(|| format!("cannot load the rate series {s}"))?,
            ),
            RateChoice::Optional(s) => match self.load_levels(s, live) {
                Ok(r) => Some(r),
                Err(e) => {
                    backdrop.notes.push(format!(
                        "no rate sensitivity: {} (--rate names another series, --no-rate \
                         skips it)",
                        chain(&e)
                    ));
                    None
                }
            },
        };
        backdrop.controls = self.controls(p)?;
        Ok((options, backdrop))
    }

    /// Whether the backdrop of `p` loads without a word on the terminal and without writing
    /// to the store, so that it can be read beside the legs: not verbose, nothing fetched
    /// (offline, or legs that are not both symbols and no named control, which alone may be
    /// fetched then), and every series of it a symbol (no CSV file, whose warnings would
    /// print).
    fn quiet_backdrop(&self, p: &PairParams) -> bool {
        let rate = match &p.rate {
            RateChoice::Off => true,
            RateChoice::Optional(s) | RateChoice::Required(s) => is_symbol(s),
        };
        let liquidity = match &p.liquidity {
            LiquidityChoice::Series(spec) => [&spec.fed_assets, &spec.tga, &spec.rrp]
                .iter()
                .all(|s| is_symbol(s)),
            _ => true,
        };
        !self.verbose
            && (self.offline || (!p.live() && p.controls.is_empty()))
            && rate
            && liquidity
            && p.controls.iter().all(|c| is_symbol(c))
    }

    /// Load both legs of `p` (a leg given only as intraday bars gets its daily series from
    /// them, see [`Session::pair`]), resolve its options and load its backdrop.
    pub fn resolve(&self, p: &PairParams) -> Result<Resolved> {
        Ok(self.resolve_legs(p)?.0)
    }

    /// [`Session::resolve`], and the intraday bars of each leg given as an intraday file.
    fn resolve_legs(&self, p: &PairParams) -> Result<(Resolved, [Option<IntradaySeries>; 2])> {
        let iopts = p.intraday_csv();
        let legs = || self.load_legs((&p.a, &p.b), &p.csv, &iopts, p.provider);
        let ((a, b), (options, backdrop)) = if self.quiet_backdrop(p) {
            // The rate and the controls read beside the legs and the liquidity, on a
            // connection of their own (the same series and the same first error as one
            // after the other; the liquidity never fails).
            std::thread::scope(|scope| {
                let other = self.sibling();
                let backdrop = scope.spawn(move || other.analysis_but_liquidity(p));
                let legs = legs().map(|legs| (legs, self.liquidity_of(p)));
                let backdrop = backdrop
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                let (legs, liquidity) = legs?;
                let (options, mut backdrop) = backdrop?;
                backdrop.liquidity = liquidity;
                Ok::<_, crate::error::SessionError>((legs, (options, backdrop)))
            })?
        } else {
            let legs = legs()?;
            (legs, self.analysis(p)?)
        };
        let (a_daily, b_daily) = if p.from.is_some() || p.to.is_some() {
            restrict(
                &a.daily,
                &b.daily,
                options.align,
                options.returns,
                p.from,
                p.to,
            )
            .map_err(crate::error::SessionError::msg)?
        } else {
            (a.daily, b.daily)
        };
        let mut r = Resolved {
            a: a_daily,
            b: b_daily,
            options,
            backdrop,
        };
        r.flag_partial(chrono::Utc::now());
        Ok((r, [a.bars, b.bars]))
    }

    /// The pair pipeline: [`Session::resolve`], then [`PairRun::compute`]; with intraday
    /// bars of the every-day leg (a file, or the store) the report is on `p.clock` and
    /// compares both clocks, and with `p.interval` it has the reaction time in bars.
    ///
    /// A leg given only as intraday bars (an intraday CSV file, or a stored symbol with
    /// intraday bars and no daily ones) has its daily series derived from them (see
    /// `Session::load_leg`: an exchange leg's close of its last regular-session bar when
    /// that bar ends at the session's close, an every-day leg's close of its last bar of each
    /// UTC day); a file's bars also serve as that leg's intraday bars, so
    /// `lockstep analyze ETHUSDT.1h.csv IWM.1h.csv` compares both clocks by itself.
    pub fn pair(&self, p: &PairParams) -> Result<PairRun> {
        std::thread::scope(|scope| {
            // The --intraday files are read while the legs load and the main report runs.
            let read = |f: &Option<PathBuf>| {
                f.as_deref()
                    .map(|f| Prefetch::start(scope, f, p.intraday_csv()))
            };
            let (file_a, file_b) = (read(&p.intraday_a), read(&p.intraday_b));
            let (r, [own_a, own_b]) = self.resolve_legs(p)?;
            let legs = LegBars {
                a: (own_a, file_a),
                b: (own_b, file_b),
            };
            self.on_clocks(p, r, legs)
        })
    }
}

#[cfg(test)]
mod range_tests {
    use super::*;
    use lockstep_core::{Align, ReturnKind};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// Every day (A) against weekdays (B), 2024-01-01 (Monday) to 2024-01-21.
    fn legs() -> (PriceSeries, PriceSeries) {
        let days: Vec<Date> = (0..21)
            .map(|i| d("2024-01-01") + chrono::Days::new(i))
            .collect();
        let week: Vec<Date> = days
            .iter()
            .copied()
            .filter(|x| chrono::Datelike::weekday(x).number_from_monday() <= 5)
            .collect();
        let p = |n: usize| (0..n).map(|i| 100.0 + i as f64).collect::<Vec<f64>>();
        (
            PriceSeries::new("A", days.clone(), p(days.len())).unwrap(),
            PriceSeries::new("B", week.clone(), p(week.len())).unwrap(),
        )
    }

    #[test]
    fn the_first_return_kept_is_the_first_dated_from() {
        let (a, b) = legs();
        // From Monday 2024-01-08: the aligned price before it is Friday 2024-01-05.
        let (ca, cb) = restrict(
            &a,
            &b,
            Align::Inner,
            ReturnKind::Log,
            Some(d("2024-01-08")),
            Some(d("2024-01-12")),
        )
        .unwrap();
        let al = lockstep_core::align(&ca, &cb, Align::Inner, ReturnKind::Log).unwrap();
        assert_eq!(al.dates.first(), Some(&d("2024-01-05")));
        assert_eq!(al.dates.last(), Some(&d("2024-01-12")));
        // Returns dated 2024-01-08 to 2024-01-12: five.
        assert_eq!(al.ret_a.len(), 5);
        // A keeps its weekend days inside the range (alignment drops them).
        assert_eq!(ca.dates.first(), Some(&d("2024-01-05")));
        assert_eq!(ca.dates.len(), 8);
    }

    #[test]
    fn bad_ranges_are_refused() {
        let (a, b) = legs();
        let r = |f: &str, t: &str| {
            restrict(
                &a,
                &b,
                Align::Inner,
                ReturnKind::Log,
                Some(d(f)),
                Some(d(t)),
            )
        };
        assert!(r("2024-01-10", "2024-01-09").unwrap_err().contains("after"));
        assert!(r("2030-01-01", "2030-02-01")
            .unwrap_err()
            .contains("fewer than two aligned dates"));
        // One return is enough to cut (the analysis says whether it is enough to analyze).
        assert!(r("2024-01-09", "2024-01-09").is_ok());
    }
}
