//! Average true range, Wilder's smoothing ([`Atr`]), and the daily [`Bar`] it reads.

use std::fmt;

use super::{check_period, Indicator};
use crate::Result;

/// A daily bar for the indicators that need more than the close.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Volume.
    pub volume: f64,
}

/// Average true range (Wilder), TA-Lib convention:
///
/// ```text
/// TR_t  = max(high_t − low_t, |high_t − close_{t−1}|, |low_t − close_{t−1}|)   (from t = 1)
/// ATR_n = mean(TR_1..TR_n),   ATR_t = (ATR_{t−1}·(n−1) + TR_t) / n
/// ```
///
/// Warm-up `n` (the first bar has no previous close).
#[derive(Clone, Debug)]
pub struct Atr {
    n: usize,
    prev_close: Option<f64>,
    count: usize,
    value: f64,
}

impl Atr {
    /// ATR over `period >= 1`.
    pub fn new(period: usize) -> Result<Self> {
        check_period("ATR", period, 1)?;
        Ok(Atr {
            n: period,
            prev_close: None,
            count: 0,
            value: 0.0,
        })
    }
}

impl Indicator for Atr {
    type Input = Bar;
    type Output = f64;

    fn next(&mut self, b: Bar) -> Option<f64> {
        let pc = self.prev_close.replace(b.close)?;
        let tr = (b.high - b.low)
            .max((pc - b.high).abs())
            .max((b.low - pc).abs());
        self.count += 1;
        let n = self.n as f64;
        if self.count < self.n {
            self.value += tr;
            return None;
        }
        if self.count == self.n {
            self.value = (self.value + tr) / n;
        } else {
            self.value = (self.value * (n - 1.0) + tr) / n;
        }
        Some(self.value)
    }

    fn reset(&mut self) {
        self.prev_close = None;
        self.count = 0;
        self.value = 0.0;
    }
}

impl fmt::Display for Atr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ATR({})", self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::rising_bars;
    use super::*;

    #[test]
    fn constant_range() {
        let bars = rising_bars();
        // Every TR is max(2, |11+i − (9+i)|, ...) = 2.
        let atr = Atr::new(5).unwrap().over(&bars);
        assert_eq!(atr[4], None);
        assert_eq!(atr[5], Some(2.0));
        assert_eq!(atr[19], Some(2.0));
    }
}
