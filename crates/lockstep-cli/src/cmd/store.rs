//! What the store commands share: stored bars (daily and intraday) as table rows, cells of
//! optional values and times, and the `--interval` of the store commands.

use anyhow::{bail, Result};
use lockstep_core::{DailyBar, Interval, IntradayBar, Timestamp};
use lockstep_session::Session;

/// An optional value as a cell (empty when absent).
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// `{:?}` of an f64 is its shortest round-trip text: full precision, no trailing noise.
pub fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:?}"),
        _ => String::new(),
    }
}

/// The columns of a stored bar (`show`, `export`).
pub const BAR_HEADER: [&str; 7] = [
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
];

/// A stored bar's cells, in [`BAR_HEADER`] order.
pub fn bar_row(b: &DailyBar) -> Vec<String> {
    vec![
        b.date.to_string(),
        num(b.open),
        num(b.high),
        num(b.low),
        num(Some(b.close)),
        num(b.adj_close),
        num(b.volume),
    ]
}

/// Every stored bar of `symbol`; an error saying how to add it when it is not stored.
pub fn stored_bars(ctx: &Session, symbol: &str) -> Result<Vec<DailyBar>> {
    ctx.with_store(|s| {
        if s.instrument(symbol)?.is_none() {
            bail!(
                "{symbol} is not in the store; `lockstep fetch {symbol}` or `lockstep import \
                 {symbol} FILE.csv` adds it"
            );
        }
        let bars = s.bars(symbol, None, None)?;
        if bars.is_empty() {
            let intraday: Vec<String> = s
                .intervals(symbol)?
                .iter()
                .map(|l| l.interval.to_string())
                .collect();
            if let Some(finest) = intraday.first() {
                bail!(
                    "{symbol} has no daily bars in the store, only intraday ones ({}): add \
                     --interval {finest}",
                    intraday.join(", ")
                );
            }
        }
        Ok(bars)
    })
}

/// A bar interval of the store commands: `1m`, `5m`, `15m`, `30m`, `1h` (also `60m`) or `1d`
/// (the daily bars).
pub fn any_interval(s: &str) -> Result<Interval, String> {
    s.parse()
        .map_err(|_| format!("{s} is not an interval: use 1m, 5m, 15m, 30m, 1h or 1d"))
}

/// An intraday interval: `1m`, `5m`, `15m`, `30m` or `1h`.
pub fn intraday_interval(s: &str) -> Result<Interval, String> {
    match any_interval(s) {
        Ok(i) if i.is_intraday() => Ok(i),
        _ => Err(format!(
            "{s} is not an intraday interval: use 1m, 5m, 15m, 30m or 1h"
        )),
    }
}

/// `Some(interval)` when it is intraday; `None` for the daily bars (`1d` or no `--interval`).
pub fn intraday(interval: Option<Interval>) -> Option<Interval> {
    interval.filter(|i| i.is_intraday())
}

/// A time as RFC 3339 in UTC to the second (`2024-01-04T14:30:00Z`).
pub fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The columns of a stored intraday bar (`show`, `export` with `--interval`): `time` is the
/// bar's open time (RFC 3339, UTC).
pub const INTRADAY_BAR_HEADER: [&str; 6] = ["time", "open", "high", "low", "close", "volume"];

/// What the tables of intraday bars say once about their `time` column.
pub const OPEN_TIME_NOTE: &str =
    "time = the bar's open time (UTC), as the providers label bars; close = the price at its end";

/// A stored intraday bar's cells, in [`INTRADAY_BAR_HEADER`] order.
pub fn intraday_bar_row(b: &IntradayBar) -> Vec<String> {
    vec![
        rfc3339(b.start),
        num(b.open),
        num(b.high),
        num(b.low),
        num(Some(b.close)),
        num(b.volume),
    ]
}

/// Every stored `interval` bar of `symbol`; an error saying what is stored, or how to add it.
pub fn stored_intraday(
    ctx: &Session,
    symbol: &str,
    interval: Interval,
) -> Result<Vec<IntradayBar>> {
    ctx.with_store(|s| {
        if s.instrument(symbol)?.is_none() {
            bail!(
                "{symbol} is not in the store; `lockstep fetch {symbol} --interval {interval}` \
                 adds its {interval} bars"
            );
        }
        let bars = s.intraday_bars(symbol, interval, None, None)?;
        if bars.is_empty() {
            let stored: Vec<String> = s
                .intervals(symbol)?
                .iter()
                .map(|l| l.interval.to_string())
                .collect();
            bail!(
                "{symbol} has no {interval} bars in the store (stored: {}); `lockstep fetch \
                 {symbol} --interval {interval}` adds them",
                if stored.is_empty() {
                    "none".to_string()
                } else {
                    stored.join(", ")
                }
            );
        }
        Ok(bars)
    })
}
