//! Daily bars as providers report them and the store keeps them ([`DailyBar`]), asset classes
//! and instruments, and building a [`PriceSeries`] from bars or as the ratio of two series.

use serde::{Deserialize, Serialize};

use crate::{Calendar, Date, PriceField, PriceSeries, Result};

/// One daily bar as a provider reports it and the store keeps it.
///
/// `close` is the price as traded; `adj_close` is the dividend- and split-adjusted close where the
/// provider has one (Yahoo `adjclose`). Missing fields are `None`, never a sentinel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DailyBar {
    /// The trading day the bar belongs to (exchange-local date; UTC day for crypto).
    pub date: Date,
    /// Opening price.
    pub open: Option<f64>,
    /// High.
    pub high: Option<f64>,
    /// Low.
    pub low: Option<f64>,
    /// Close as traded (for FRED: the observation's value).
    pub close: f64,
    /// Dividend- and split-adjusted close.
    pub adj_close: Option<f64>,
    /// Volume in the provider's unit (shares, coins, or quote currency; see the provider).
    pub volume: Option<f64>,
}

impl DailyBar {
    /// A bar with only a close (a FRED observation, a one-column CSV).
    pub fn close_only(date: Date, close: f64) -> DailyBar {
        DailyBar {
            date,
            open: None,
            high: None,
            low: None,
            close,
            adj_close: None,
            volume: None,
        }
    }

    /// The price analysis uses: the adjusted close when present, else the close.
    pub fn price(&self) -> f64 {
        self.adj_close.unwrap_or(self.close)
    }
}

/// What kind of instrument a symbol names. Decides defaults such as the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetClass {
    /// A cryptocurrency pair (trades every day, UTC days).
    Crypto,
    /// An equity index (`^RUT`): no tradable volume.
    Index,
    /// An exchange-traded fund.
    Etf,
    /// A single stock.
    Equity,
    /// A futures contract.
    Future,
    /// A macro or rate series (FRED).
    Macro,
    /// Anything else.
    Other,
}

impl AssetClass {
    /// Stable lower-case name (as stored and printed).
    pub fn name(self) -> &'static str {
        match self {
            AssetClass::Crypto => "crypto",
            AssetClass::Index => "index",
            AssetClass::Etf => "etf",
            AssetClass::Equity => "equity",
            AssetClass::Future => "future",
            AssetClass::Macro => "macro",
            AssetClass::Other => "other",
        }
    }

    /// Parse [`AssetClass::name`]; unknown names give [`AssetClass::Other`].
    pub fn from_name(s: &str) -> AssetClass {
        match s.to_ascii_lowercase().as_str() {
            "crypto" | "cryptocurrency" => AssetClass::Crypto,
            "index" => AssetClass::Index,
            "etf" => AssetClass::Etf,
            "equity" | "stock" => AssetClass::Equity,
            "future" | "futures" => AssetClass::Future,
            "macro" | "fred" => AssetClass::Macro,
            _ => AssetClass::Other,
        }
    }
}

/// What the store records about a symbol: where its bars come from and how it trades.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// The user's symbol (`ETH-USD`, `^RUT`, `fred:DGS2`).
    pub symbol: String,
    /// Provider name (`yahoo`, `coinbase`, `binance`, `stooq`, `fred`, `import`).
    pub provider: String,
    /// The provider's own ticker (`ETH-USD`, `ETHUSDT`, `DGS2`).
    pub ticker: String,
    /// Instrument kind.
    pub asset_class: AssetClass,
    /// Trading calendar.
    pub calendar: Calendar,
    /// Quote currency, when known (`USD`, `USDT`).
    pub currency: Option<String>,
}

impl PriceSeries {
    /// Build a series from bars sorted by date: price = adjusted close where every bar has one,
    /// else the close (a series never mixes the two). Open/high/low/volume columns are kept when
    /// at least one bar has them (`NaN` where a bar lacks the value).
    pub fn from_bars(
        name: impl Into<String>,
        source: impl Into<String>,
        format: impl Into<String>,
        bars: &[DailyBar],
    ) -> Result<PriceSeries> {
        let adjusted = !bars.is_empty() && bars.iter().all(|b| b.adj_close.is_some());
        let column = |f: fn(&DailyBar) -> Option<f64>| -> Option<Vec<f64>> {
            if bars.iter().any(|b| f(b).is_some()) {
                Some(bars.iter().map(|b| f(b).unwrap_or(f64::NAN)).collect())
            } else {
                None
            }
        };
        let s = PriceSeries {
            name: name.into(),
            source: source.into(),
            format: format.into(),
            price_field: if adjusted {
                PriceField::AdjClose
            } else {
                PriceField::Close
            },
            dates: bars.iter().map(|b| b.date).collect(),
            price: bars
                .iter()
                .map(|b| if adjusted { b.price() } else { b.close })
                .collect(),
            open: column(|b| b.open),
            high: column(|b| b.high),
            low: column(|b| b.low),
            volume: column(|b| b.volume),
        };
        s.validate()?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_from_bars_prefers_adjusted_only_when_complete() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let mut a = DailyBar::close_only(d("2024-01-02"), 10.0);
        a.adj_close = Some(9.0);
        let b = DailyBar::close_only(d("2024-01-03"), 11.0);
        let s = PriceSeries::from_bars("x", "t", "store", &[a, b]).unwrap();
        assert_eq!(s.price, vec![10.0, 11.0]);
        assert_eq!(s.price_field, PriceField::Close);
        let mut b2 = b;
        b2.adj_close = Some(10.5);
        let s = PriceSeries::from_bars("x", "t", "store", &[a, b2]).unwrap();
        assert_eq!(s.price, vec![9.0, 10.5]);
        assert!(s.open.is_none());
    }
}

impl PriceSeries {
    /// The ratio series `a / b` (e.g. ETH-USD/BTC-USD) on the dates both series have (inner
    /// join, no filling): `ratio_t = price_a_t / price_b_t`. Named `A/B`. Dates where the
    /// denominator is not positive are an error ([`crate::CoreError::NonPositive`]); no
    /// open/high/low/volume columns (a ratio of highs is not the high of the ratio).
    pub fn ratio(a: &PriceSeries, b: &PriceSeries) -> Result<PriceSeries> {
        let name = format!("{}/{}", a.name, b.name);
        let (dates, num, den) = crate::common_dates(a, b);
        if let Some(i) = den.iter().position(|d| !(*d > 0.0)) {
            return Err(crate::CoreError::NonPositive {
                name: b.name.clone(),
                date: dates[i],
                value: den[i],
            });
        }
        let price = num.iter().zip(&den).map(|(x, y)| x / y).collect();
        let s = PriceSeries {
            source: format!("{} / {}", a.source, b.source),
            format: "ratio".into(),
            price_field: PriceField::Price,
            dates,
            price,
            open: None,
            high: None,
            low: None,
            volume: None,
            name,
        };
        s.validate()?;
        Ok(s)
    }
}

#[cfg(test)]
mod ratio_tests {
    use super::*;

    #[test]
    fn ratio_is_an_inner_join() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let a = PriceSeries::new(
            "ETH",
            vec![d("2024-01-01"), d("2024-01-02"), d("2024-01-03")],
            vec![10.0, 20.0, 30.0],
        )
        .unwrap();
        let b = PriceSeries::new(
            "BTC",
            vec![d("2024-01-02"), d("2024-01-03")],
            vec![4.0, 5.0],
        )
        .unwrap();
        let r = PriceSeries::ratio(&a, &b).unwrap();
        assert_eq!(r.name, "ETH/BTC");
        assert_eq!(r.dates, vec![d("2024-01-02"), d("2024-01-03")]);
        assert_eq!(r.price, vec![5.0, 6.0]);
        let z = PriceSeries::new("Z", vec![d("2024-01-02")], vec![0.0]).unwrap();
        assert!(PriceSeries::ratio(&a, &z).is_err());
    }
}
