//! [`PriceSeries`]: a named series of dated prices (with optional open, high, low and
//! volume), the column its price came from ([`PriceField`]) and its trading [`Calendar`].

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Date, Result};

/// Which column of a source the price of a [`PriceSeries`] was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriceField {
    /// Dividend- and split-adjusted close (`Adj Close`, `adj_close`, `adjclose`).
    AdjClose,
    /// Close as traded (for yfinance `auto_adjust` exports the close is already adjusted).
    Close,
    /// A single price column (`price`, CoinGecko, Investing.com).
    Price,
    /// A level that is not a traded price (a FRED series: a rate, a balance).
    Value,
    /// A column chosen by name with `--price-col`.
    Column,
}

impl PriceField {
    /// Human label, as printed in reports.
    pub fn label(self) -> &'static str {
        match self {
            PriceField::AdjClose => "adjusted close",
            PriceField::Close => "close",
            PriceField::Price => "price",
            PriceField::Value => "value",
            PriceField::Column => "named column",
        }
    }
}

/// The trading calendar a series follows, inferred from its dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Calendar {
    /// Trades every calendar day, weekends included (crypto): 365 periods a year.
    EveryDay,
    /// Trades on weekdays only (exchange days: US equities, ETFs, FRED business-day series): 252 a year.
    Weekdays,
}

impl Calendar {
    /// Infer the calendar of a set of dates: [`Calendar::EveryDay`] when at least 5% of the dates
    /// fall on a Saturday or Sunday, else [`Calendar::Weekdays`]. The threshold tolerates the odd
    /// weekend bar of a futures contract (e.g. a Sunday evening session) without calling it crypto.
    pub fn infer(dates: &[Date]) -> Calendar {
        if dates.is_empty() {
            return Calendar::Weekdays;
        }
        let weekend = dates
            .iter()
            .filter(|d| d.weekday().number_from_monday() >= 6)
            .count();
        if weekend * 20 >= dates.len() {
            Calendar::EveryDay
        } else {
            Calendar::Weekdays
        }
    }

    /// Trading periods per year used to annualize daily statistics: 365 or 252.
    pub fn periods_per_year(self) -> f64 {
        match self {
            Calendar::EveryDay => 365.0,
            Calendar::Weekdays => 252.0,
        }
    }
}

/// A daily price series: strictly increasing dates, one finite price per date, and the
/// optional OHLCV columns of the source (`NaN` where a row had no value for that column).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceSeries {
    /// Short name: the ticker or file stem.
    pub name: String,
    /// Where it came from: a file path or `provider:symbol`.
    pub source: String,
    /// The detected source format (e.g. `yahoo`, `fred`, `investing`).
    pub format: String,
    /// Which column the price was taken from.
    pub price_field: PriceField,
    /// Trading dates, strictly increasing.
    pub dates: Vec<Date>,
    /// The price used for returns (see `price_field`).
    pub price: Vec<f64>,
    /// Opening prices, if the source has them.
    pub open: Option<Vec<f64>>,
    /// Highs, if the source has them.
    pub high: Option<Vec<f64>>,
    /// Lows, if the source has them.
    pub low: Option<Vec<f64>>,
    /// Volumes, if the source has them.
    pub volume: Option<Vec<f64>>,
}

impl PriceSeries {
    /// A series of dates and prices only. Checks that dates strictly increase and prices are
    /// finite (they may be zero or negative: a FRED rate can be; returns check positivity).
    pub fn new(name: impl Into<String>, dates: Vec<Date>, price: Vec<f64>) -> Result<Self> {
        let s = PriceSeries {
            name: name.into(),
            source: String::new(),
            format: "memory".into(),
            price_field: PriceField::Close,
            dates,
            price,
            open: None,
            high: None,
            low: None,
            volume: None,
        };
        s.validate()?;
        Ok(s)
    }

    /// Check the invariants: equal column lengths, strictly increasing dates, finite prices.
    pub fn validate(&self) -> Result<()> {
        let n = self.dates.len();
        let cols: [(&'static str, Option<usize>); 5] = [
            ("price", Some(self.price.len())),
            ("open", self.open.as_ref().map(Vec::len)),
            ("high", self.high.as_ref().map(Vec::len)),
            ("low", self.low.as_ref().map(Vec::len)),
            ("volume", self.volume.as_ref().map(Vec::len)),
        ];
        for (column, len) in cols {
            if let Some(got) = len {
                if got != n {
                    return Err(CoreError::LengthMismatch {
                        name: self.name.clone(),
                        column,
                        got,
                        expected: n,
                    });
                }
            }
        }
        for i in 1..n {
            if self.dates[i] <= self.dates[i - 1] {
                return Err(CoreError::NotIncreasing {
                    name: self.name.clone(),
                    index: i,
                    date: self.dates[i],
                    previous: self.dates[i - 1],
                });
            }
        }
        for (d, &v) in self.dates.iter().zip(&self.price) {
            if !v.is_finite() {
                return Err(CoreError::NonFinite {
                    name: self.name.clone(),
                    date: *d,
                    value: v,
                });
            }
        }
        Ok(())
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the series has no observation.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The calendar the series trades on, inferred from its dates.
    pub fn calendar(&self) -> Calendar {
        Calendar::infer(&self.dates)
    }

    /// First and last date, if any.
    pub fn range(&self) -> Option<(Date, Date)> {
        Some((*self.dates.first()?, *self.dates.last()?))
    }

    /// Price on a date, by binary search.
    pub fn price_on(&self, date: Date) -> Option<f64> {
        self.dates.binary_search(&date).ok().map(|i| self.price[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn rejects_unsorted_and_nonfinite() {
        let e = PriceSeries::new("x", vec![d("2024-01-02"), d("2024-01-01")], vec![1.0, 2.0])
            .unwrap_err();
        assert!(matches!(e, CoreError::NotIncreasing { index: 1, .. }));
        let e = PriceSeries::new(
            "x",
            vec![d("2024-01-01"), d("2024-01-02")],
            vec![1.0, f64::NAN],
        )
        .unwrap_err();
        assert!(matches!(e, CoreError::NonFinite { .. }));
        let e = PriceSeries::new("x", vec![d("2024-01-01")], vec![1.0, 2.0]).unwrap_err();
        assert!(matches!(e, CoreError::LengthMismatch { .. }));
    }

    #[test]
    fn infers_calendar() {
        let every: Vec<Date> = (0..30)
            .map(|i| d("2024-01-01") + chrono::Days::new(i))
            .collect();
        assert_eq!(Calendar::infer(&every), Calendar::EveryDay);
        let weekdays: Vec<Date> = every
            .iter()
            .copied()
            .filter(|x| x.weekday().number_from_monday() <= 5)
            .collect();
        assert_eq!(Calendar::infer(&weekdays), Calendar::Weekdays);
    }
}
