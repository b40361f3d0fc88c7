//! The macro backdrop a front end asks for: net liquidity from its three series, the rate
//! series of rate sensitivity, and the inputs of FedWatch (a futures strip, the FOMC
//! calendar, FRED's target range).

use std::path::PathBuf;

use lockstep_core::{last_on_or_before, Date, PriceSeries};
use lockstep_macro::{
    fedwatch, net_liquidity, read_strip, FedWatch, FedWatchOptions, FomcCalendar, FuturesStrip,
    LiquidityInput, NetLiquidity, TargetRange, Units,
};

use crate::error::{chain, Context, Result, SessionError};
use crate::session::Session;

/// The three series of net liquidity: symbols or CSV files, with their units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiquiditySpec {
    /// Fed total assets (default `fred:WALCL`, millions).
    pub fed_assets: String,
    /// Units of `fed_assets`.
    pub fed_assets_units: Units,
    /// Treasury General Account (default `fred:WTREGEN`, millions).
    pub tga: String,
    /// Units of `tga`.
    pub tga_units: Units,
    /// Overnight reverse repo (default `fred:RRPONTSYD`, billions).
    pub rrp: String,
    /// Units of `rrp`.
    pub rrp_units: Units,
}

impl Default for LiquiditySpec {
    fn default() -> Self {
        LiquiditySpec {
            fed_assets: "fred:WALCL".into(),
            fed_assets_units: Units::Millions,
            tga: "fred:WTREGEN".into(),
            tga_units: Units::Millions,
            rrp: "fred:RRPONTSYD".into(),
            rrp_units: Units::Billions,
        }
    }
}

/// The inputs of `lockstep fed`.
#[derive(Clone, Debug, PartialEq)]
pub struct FedParams {
    /// The futures files: a strip CSV (`contract,price`), Barchart's contract table or
    /// Investing.com exports of one contract each (see `lockstep_macro::futures_files`); the
    /// quotes of several files make one strip.
    pub futures: Vec<PathBuf>,
    /// The date of the probabilities (default: the date the files' prices are of, else
    /// today).
    pub as_of: Option<Date>,
    /// The current target range, lower and upper, in percent (else FRED's on `as_of`).
    pub range: Option<Vec<f64>>,
    /// The current effective rate in percent (else FRED `DFF` on `as_of` when no range).
    pub effective_rate: Option<f64>,
    /// Read nothing from FRED.
    pub no_fred: bool,
    /// A file of FOMC decision dates, added to the built-in calendar.
    pub calendar: Option<PathBuf>,
    /// The file replaces the built-in dates of every year it has.
    pub replace_years: bool,
}

impl Session {
    /// The net liquidity of the three series of `spec` (symbols not in the store are fetched
    /// only when `may_fetch`).
    pub fn liquidity(&self, spec: &LiquiditySpec, may_fetch: bool) -> Result<NetLiquidity> {
        let load = |arg: &str| {
            self.load_levels(arg, may_fetch)
                .with_context(|| format!("cannot load {arg}"))
        };
        let (walcl, tga, rrp) = (load(&spec.fed_assets)?, load(&spec.tga)?, load(&spec.rrp)?);
        net_liquidity(
            LiquidityInput::new(&walcl, spec.fed_assets_units),
            LiquidityInput::new(&tga, spec.tga_units),
            LiquidityInput::new(&rrp, spec.rrp_units),
        )
        .context("cannot compute net liquidity")
    }

    /// A FRED series for the current range / effective rate: `None` (with the reason as a
    /// note) when it cannot be loaded. A symbol not in the store is fetched unless offline.
    fn optional_series(&self, symbol: &str, notes: &mut Vec<String>) -> Option<PriceSeries> {
        match self.load_levels(symbol, !self.offline) {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(format!("{symbol} not used: {}", chain(&e)));
                None
            }
        }
    }

    /// FedWatch: the strip, the calendar (built in, extended or overridden by a file) and
    /// the current range: `range`, else FRED's target range on the as-of date, else inferred.
    /// Returns the result and where the current range came from.
    pub fn fed(&self, p: &FedParams) -> Result<(FedWatch, Option<String>)> {
        let (strip, priced_on, mut notes) = read_futures(&p.futures, p.as_of)?;
        let mut calendar = FomcCalendar::builtin();
        if let Some(path) = &p.calendar {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let file = FomcCalendar::parse(&text)
                .with_context(|| format!("cannot read the FOMC calendar {}", path.display()))?;
            if p.replace_years {
                calendar.override_years(&file);
            } else {
                calendar.extend(&file);
            }
        }
        let as_of = p
            .as_of
            .or(priced_on)
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        if let Some(d) = priced_on.filter(|d| *d < as_of) {
            let w = format!(
                "the futures prices are of {d}, older than the as-of date {as_of}: the                  probabilities are those the market priced on {d}"
            );
            eprintln!("warning: {w}");
            notes.push(w);
        }
        let mut source = None;
        let current_range = match &p.range {
            Some(r) => {
                let &[lower, upper] = r.as_slice() else {
                    return Err(SessionError::msg(
                        "--range takes two numbers lower,upper (e.g. 3.75,4.00)",
                    ));
                };
                source = Some("--range".to_string());
                Some(TargetRange::new(lower, upper)?)
            }
            None if p.no_fred => None,
            None => {
                let lo = self.optional_series("fred:DFEDTARL", &mut notes);
                let hi = self.optional_series("fred:DFEDTARU", &mut notes);
                // The upper bound on the as-of date; the lower one of the same date, else
                // upper − 0.25 (every range since 2008-12-16 is 25 bp wide; DFEDTARL files
                // can end earlier than DFEDTARU ones).
                match hi.as_ref().and_then(|s| on_or_before(s, as_of)) {
                    Some((du, u)) => {
                        let l = match lo.as_ref().and_then(|s| s.price_on(du)) {
                            Some(l) => l,
                            None => {
                                notes.push(format!(
                                    "fred:DFEDTARL has no value on {du}: lower bound = \
                                     DFEDTARU − 0.25"
                                ));
                                u - 0.25
                            }
                        };
                        source = Some(format!("FRED DFEDTARL/DFEDTARU on {du}"));
                        Some(TargetRange::new(l, u)?)
                    }
                    None => None,
                }
            }
        };
        let effective_rate = match p.effective_rate {
            Some(r) => Some(r),
            None if p.no_fred || current_range.is_some() => None,
            None => self
                .optional_series("fred:DFF", &mut notes)
                .and_then(|s| on_or_before(&s, as_of))
                .map(|(_, r)| r),
        };
        let opts = FedWatchOptions {
            as_of: Some(as_of),
            current_range,
            effective_rate,
            ..FedWatchOptions::default()
        };
        let mut out =
            fedwatch(&strip, &calendar, &opts).context("cannot compute the probabilities")?;
        out.notes.extend(notes);
        Ok((out, source))
    }
}

/// The strip of the futures files (their quotes merged; a month given by two files is an
/// error), the date their prices are of (the oldest of the files' dates, when any says it),
/// and what each file left out.
fn read_futures(
    files: &[PathBuf],
    as_of: Option<Date>,
) -> Result<(FuturesStrip, Option<Date>, Vec<String>)> {
    let mut quotes = Vec::new();
    let mut priced_on: Option<Date> = None;
    let mut notes = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let read = read_strip(&text, &path.display().to_string(), as_of)
            .with_context(|| format!("cannot read the futures file {}", path.display()))?;
        for q in read.strip.quotes() {
            if let Some(d) = read.priced_on {
                priced_on = Some(priced_on.map_or(d, |p| p.min(d)));
            }
            quotes.push(*q);
        }
        notes.extend(read.notes);
    }
    let strip = FuturesStrip::new(quotes).with_context(|| {
        format!(
            "cannot combine the futures files {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    Ok((strip, priced_on, notes))
}

/// The value of `s` on `date` or the last one before it.
fn on_or_before(s: &PriceSeries, date: Date) -> Option<(Date, f64)> {
    last_on_or_before(&s.dates, date).map(|i| (s.dates[i], s.price[i]))
}
