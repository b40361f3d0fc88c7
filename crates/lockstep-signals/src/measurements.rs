//! The date-indexed table of named daily measurements that rules are evaluated on.

use std::collections::BTreeMap;

use lockstep_core::Date;
use serde::Serialize;

use crate::{Result, SignalsError};

/// A date-indexed table of named `f64` columns: the daily measurements of a pair.
///
/// Every column has one value per date; a missing value (warm-up, no data, NaN or infinite
/// input) is `None`. A value at date `t` must be known at the close of `t` (the table's
/// builder is responsible for that; the rule engine itself only looks backwards).
///
/// # Measurement names
///
/// The rule engine does not hard-code names: a rule may use any column present at
/// evaluation time ([`crate::RuleSet::check`]). The analysis pipeline provides the following
/// vocabulary (leg A is the traded leg, B the other; in the default pair ETH-USD / ^RUT,
/// B is the equity leg):
///
/// | name | meaning |
/// |---|---|
/// | `corr_<w>` (`corr_30`, `corr_60`, `corr_90`) | rolling `w`-day correlation of the legs' returns |
/// | `beta_<w>` | rolling `w`-day beta of A on B |
/// | `close_a`, `close_b` | closes |
/// | `sma200_a`, `sma200_b` | 200-day simple moving average of the close |
/// | `rsi_a`, `rsi_b` | RSI (14) |
/// | `macd_hist_a`, `macd_hist_b` | MACD histogram (12, 26, 9) |
/// | `rel_volume_a`, `rel_volume_b` | volume / mean volume of the previous 20 days |
/// | `resistance_a`, `resistance_b` | nearest resistance known at that close, above the previous close |
/// | `support_a`, `support_b` | nearest support known at that close, below the previous close |
/// | `breakout_up_a`, `breakout_up_b` | upward breakouts of the leg (closes clearing a level by a margin of ATRs for a number of days, `lockstep levels`) called on its own dates after the previous row, up to this one |
/// | `risk_on` | regime: 1 risk-on, 0 risk-off |
/// | `net_liquidity` | weekly net liquidity, forward-filled (known on/after its date) |
/// | `liquidity_change_4w` | `net_liquidity` minus its value 4 weeks earlier |
/// | `best_lag` | rolling best lead-lag (days) |
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurements {
    /// The dates, strictly increasing.
    pub dates: Vec<Date>,
    columns: BTreeMap<String, Vec<Option<f64>>>,
}

impl Measurements {
    /// An empty table over `dates`, which must strictly increase.
    pub fn new(dates: Vec<Date>) -> Result<Self> {
        check_increasing(&dates)?;
        Ok(Self {
            dates,
            columns: BTreeMap::new(),
        })
    }

    /// Add column `name` with one value per date; NaN and infinite values are stored as
    /// missing (`None`).
    pub fn insert(&mut self, name: impl Into<String>, values: &[f64]) -> Result<()> {
        self.insert_opt(name, values.iter().map(|&v| Some(v)).collect())
    }

    /// Add column `name` with one optional value per date; `Some(NaN)` and infinite values
    /// are stored as `None`. Errors on a length mismatch, an empty name or a name already
    /// present.
    pub fn insert_opt(&mut self, name: impl Into<String>, values: Vec<Option<f64>>) -> Result<()> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(SignalsError::BadMeasurement {
                name,
                reason: "empty name",
            });
        }
        if self.columns.contains_key(&name) {
            return Err(SignalsError::BadMeasurement {
                name,
                reason: "inserted twice",
            });
        }
        if values.len() != self.dates.len() {
            return Err(SignalsError::LengthMismatch {
                what: format!("measurement {name}"),
                got: values.len(),
                expected: self.dates.len(),
            });
        }
        let values = values
            .into_iter()
            .map(|v| v.filter(|x| x.is_finite()))
            .collect();
        self.columns.insert(name, values);
        Ok(())
    }

    /// The column `name`, if present.
    pub fn get(&self, name: &str) -> Option<&[Option<f64>]> {
        self.columns.get(name).map(Vec::as_slice)
    }

    /// The column names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.columns.keys().map(String::as_str)
    }

    /// Number of dates.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Whether there are no dates.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The first `n` dates (all of them if `n` is larger) with every column cut alike:
    /// the table as it was known at the close of date `n − 1`.
    pub fn truncated(&self, n: usize) -> Self {
        let n = n.min(self.dates.len());
        Self {
            dates: self.dates[..n].to_vec(),
            columns: self
                .columns
                .iter()
                .map(|(k, v)| (k.clone(), v[..n].to_vec()))
                .collect(),
        }
    }

    /// Check the invariants (the dates are a public field): strictly increasing dates and
    /// one value per date in every column.
    pub fn validate(&self) -> Result<()> {
        check_increasing(&self.dates)?;
        for (name, col) in &self.columns {
            if col.len() != self.dates.len() {
                return Err(SignalsError::LengthMismatch {
                    what: format!("measurement {name}"),
                    got: col.len(),
                    expected: self.dates.len(),
                });
            }
        }
        Ok(())
    }
}

pub(crate) fn check_increasing(dates: &[Date]) -> Result<()> {
    for (i, w) in dates.windows(2).enumerate() {
        if w[1] <= w[0] {
            return Err(SignalsError::DatesNotIncreasing {
                index: i + 1,
                date: w[1],
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;

    #[test]
    fn insert_get_and_missing_values() {
        let mut m = Measurements::new(days(3)).unwrap();
        m.insert("x", &[1.0, f64::NAN, f64::INFINITY]).unwrap();
        m.insert_opt("y", vec![None, Some(2.0), Some(f64::NAN)])
            .unwrap();
        assert_eq!(m.get("x").unwrap(), &[Some(1.0), None, None]);
        assert_eq!(m.get("y").unwrap(), &[None, Some(2.0), None]);
        assert!(m.get("z").is_none());
        assert_eq!(m.names().collect::<Vec<_>>(), ["x", "y"]);
        assert!(matches!(
            m.insert("x", &[0.0; 3]),
            Err(SignalsError::BadMeasurement { .. })
        ));
        assert!(matches!(
            m.insert("w", &[0.0; 2]),
            Err(SignalsError::LengthMismatch {
                got: 2,
                expected: 3,
                ..
            })
        ));
        let t = m.truncated(2);
        assert_eq!(t.len(), 2);
        assert_eq!(t.get("y").unwrap(), &[None, Some(2.0)]);
    }

    #[test]
    fn dates_must_increase() {
        let mut d = days(3);
        d[2] = d[1];
        assert!(matches!(
            Measurements::new(d),
            Err(SignalsError::DatesNotIncreasing { index: 2, .. })
        ));
    }
}
