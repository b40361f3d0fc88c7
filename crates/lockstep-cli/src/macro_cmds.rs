//! `lockstep fed` and `lockstep liquidity`, and the net liquidity of `analyze`: loading the
//! inputs (a futures file, FRED series from the store or a provider, CSV files) and handing
//! them to `lockstep-macro`.

use anyhow::{bail, Context, Result};
use lockstep_core::{last_on_or_before, Date, PriceSeries};
use lockstep_macro::{
    fedwatch, net_liquidity, FedWatch, FedWatchOptions, FomcCalendar, FuturesStrip, LiquidityInput,
    NetLiquidity, TargetRange, Units,
};

use crate::args::{FedArgs, LiquiditySeries, UnitsArg};
use crate::source::{self, Ctx};

impl From<UnitsArg> for Units {
    fn from(u: UnitsArg) -> Units {
        match u {
            UnitsArg::Millions => Units::Millions,
            UnitsArg::Billions => Units::Billions,
        }
    }
}

/// The value of `s` on `date` or the last one before it.
fn on_or_before(s: &PriceSeries, date: Date) -> Option<(Date, f64)> {
    last_on_or_before(&s.dates, date).map(|i| (s.dates[i], s.price[i]))
}

/// A FRED series for the current range / effective rate: `None` (with the reason as a note)
/// when it cannot be loaded. A symbol not in the store is fetched unless `--offline`.
fn optional_series(ctx: &Ctx, symbol: &str, notes: &mut Vec<String>) -> Option<PriceSeries> {
    match source::load_rate(ctx, symbol, !ctx.offline) {
        Ok(s) => Some(s),
        Err(e) => {
            notes.push(format!("{symbol} not used: {e:#}"));
            None
        }
    }
}

/// `lockstep fed`: the strip, the calendar (built in, extended or overridden by a file) and
/// the current range: `--range`, else FRED's target range on the as-of date, else inferred.
/// Returns the result and where the current range came from.
pub fn fed(ctx: &Ctx, a: &FedArgs) -> Result<(FedWatch, Option<String>)> {
    let text = std::fs::read_to_string(&a.futures)
        .with_context(|| format!("cannot read {}", a.futures.display()))?;
    let strip = FuturesStrip::parse(&text)
        .with_context(|| format!("cannot read the futures strip {}", a.futures.display()))?;
    let mut calendar = FomcCalendar::builtin();
    if let Some(path) = &a.calendar {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file = FomcCalendar::parse(&text)
            .with_context(|| format!("cannot read the FOMC calendar {}", path.display()))?;
        if a.replace_years {
            calendar.override_years(&file);
        } else {
            calendar.extend(&file);
        }
    }
    let as_of = a.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut notes = Vec::new();
    let mut source = None;
    let current_range = match &a.range {
        Some(r) => {
            let &[lower, upper] = r.as_slice() else {
                bail!("--range takes two numbers lower,upper (e.g. 3.75,4.00)");
            };
            source = Some("--range".to_string());
            Some(TargetRange::new(lower, upper)?)
        }
        None if a.no_fred => None,
        None => {
            let lo = optional_series(ctx, "fred:DFEDTARL", &mut notes);
            let hi = optional_series(ctx, "fred:DFEDTARU", &mut notes);
            // The upper bound on the as-of date; the lower one of the same date, else
            // upper − 0.25 (every range since 2008-12-16 is 25 bp wide; DFEDTARL files can
            // end earlier than DFEDTARU ones).
            match hi.as_ref().and_then(|s| on_or_before(s, as_of)) {
                Some((du, u)) => {
                    let l = match lo.as_ref().and_then(|s| s.price_on(du)) {
                        Some(l) => l,
                        None => {
                            notes.push(format!(
                                "fred:DFEDTARL has no value on {du}: lower bound = DFEDTARU − 0.25"
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
    let effective_rate = match a.effective_rate {
        Some(r) => Some(r),
        None if a.no_fred || current_range.is_some() => None,
        None => optional_series(ctx, "fred:DFF", &mut notes)
            .and_then(|s| on_or_before(&s, as_of))
            .map(|(_, r)| r),
    };
    let opts = FedWatchOptions {
        as_of: Some(as_of),
        current_range,
        effective_rate,
        ..FedWatchOptions::default()
    };
    let mut out = fedwatch(&strip, &calendar, &opts).context("cannot compute the probabilities")?;
    out.notes.extend(notes);
    Ok((out, source))
}

/// The net liquidity of the three series named in `a` (symbols or CSV files).
pub fn liquidity(ctx: &Ctx, a: &LiquiditySeries, may_fetch: bool) -> Result<NetLiquidity> {
    let load = |arg: &str| {
        source::load_rate(ctx, arg, may_fetch).with_context(|| format!("cannot load {arg}"))
    };
    let (walcl, tga, rrp) = (load(&a.fed_assets)?, load(&a.tga)?, load(&a.rrp)?);
    net_liquidity(
        LiquidityInput::new(&walcl, a.fed_assets_units.into()),
        LiquidityInput::new(&tga, a.tga_units.into()),
        LiquidityInput::new(&rrp, a.rrp_units.into()),
    )
    .context("cannot compute net liquidity")
}
