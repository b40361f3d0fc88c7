//! Simple moving average ([`Sma`]).

use std::collections::VecDeque;
use std::fmt;

use super::{check_period, Indicator};
use crate::Result;

/// Simple moving average `SMA_t = (x_t + … + x_{t-n+1}) / n`. Warm-up `n - 1`.
///
/// Kept as a running sum, added before and subtracted after each output, exactly as TA-Lib
/// `SMA` does, so the values agree to the last bit.
#[derive(Clone, Debug)]
pub struct Sma {
    /// The period (read by the indicators built on an SMA).
    pub(super) n: usize,
    window: VecDeque<f64>,
    total: f64,
}

impl Sma {
    /// SMA over `period >= 1` values.
    pub fn new(period: usize) -> Result<Self> {
        check_period("SMA", period, 1)?;
        Ok(Sma {
            n: period,
            window: VecDeque::with_capacity(period),
            total: 0.0,
        })
    }

    /// The inputs kept for the next window (the last `n - 1` once warm), oldest first.
    pub(super) fn values(&self) -> impl Iterator<Item = &f64> {
        self.window.iter()
    }
}

impl Indicator for Sma {
    type Input = f64;
    type Output = f64;

    fn next(&mut self, x: f64) -> Option<f64> {
        self.window.push_back(x);
        self.total += x;
        if self.window.len() < self.n {
            return None;
        }
        let out = self.total / self.n as f64;
        if let Some(old) = self.window.pop_front() {
            self.total -= old;
        }
        Some(out)
    }

    fn reset(&mut self) {
        self.window.clear();
        self.total = 0.0;
    }
}

impl fmt::Display for Sma {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SMA({})", self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::{first, wave};
    use super::*;

    #[test]
    fn warmup() {
        assert_eq!(first(Sma::new(20).unwrap().over(&wave())), Some(19));
        assert!(Sma::new(0).is_err());
    }

    #[test]
    fn by_hand() {
        let s = Sma::new(3).unwrap().over(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s, vec![None, None, Some(2.0), Some(3.0)]);
    }
}
