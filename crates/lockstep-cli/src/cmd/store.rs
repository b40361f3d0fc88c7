//! What the store commands share: stored bars as table rows, and cells of optional values.

use anyhow::{bail, Result};
use lockstep_core::DailyBar;
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
        Ok(s.bars(symbol, None, None)?)
    })
}
