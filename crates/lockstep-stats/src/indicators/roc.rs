//! Rate of change in percent ([`Roc`]).

use std::collections::VecDeque;
use std::fmt;

use super::{check_period, Indicator};
use crate::Result;

/// Rate of change in percent: `ROC_t = (x_t / x_{t−n} − 1) · 100` (TA-Lib `ROC`). Warm-up `n`;
/// `None` when `x_{t−n} = 0` (TA-Lib writes 0).
#[derive(Clone, Debug)]
pub struct Roc {
    n: usize,
    window: VecDeque<f64>,
}

impl Roc {
    /// ROC over `period >= 1`.
    pub fn new(period: usize) -> Result<Self> {
        check_period("ROC", period, 1)?;
        Ok(Roc {
            n: period,
            window: VecDeque::with_capacity(period + 1),
        })
    }
}

impl Indicator for Roc {
    type Input = f64;
    type Output = f64;

    fn next(&mut self, x: f64) -> Option<f64> {
        self.window.push_back(x);
        if self.window.len() <= self.n {
            return None;
        }
        let old = self.window.pop_front()?;
        (old != 0.0).then(|| (x / old - 1.0) * 100.0)
    }

    fn reset(&mut self) {
        self.window.clear();
    }
}

impl fmt::Display for Roc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ROC({})", self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::{first, wave};
    use super::*;

    #[test]
    fn warmup() {
        assert_eq!(first(Roc::new(10).unwrap().over(&wave())), Some(10));
    }
}
