//! Bollinger bands around a simple moving average ([`Bollinger`], [`Bands`]).

use std::fmt;

use super::{Indicator, Sma};
use crate::Result;

/// One Bollinger band value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bands {
    /// `middle + k_up · σ`.
    pub upper: f64,
    /// SMA of the window.
    pub middle: f64,
    /// `middle − k_down · σ`.
    pub lower: f64,
}

/// Bollinger bands (default 20, 2, 2): the SMA of the window ± k population standard
/// deviations `σ = √(Σ(x − SMA)² / n)` (TA-Lib's `BBANDS` with `matype = SMA`). Warm-up `n − 1`.
///
/// σ is computed by two passes over the window around its mean, not TA-Lib's `E[x²] − E[x]²`,
/// which cancels catastrophically on high price levels; on ordinary prices the two agree far
/// inside 1e-9. A constant window has σ = 0 exactly.
#[derive(Clone, Debug)]
pub struct Bollinger {
    sma: Sma,
    up: f64,
    down: f64,
    window: Vec<f64>,
}

impl Bollinger {
    /// Bands over `period >= 1` with `k_up`, `k_down` standard deviations.
    pub fn new(period: usize, k_up: f64, k_down: f64) -> Result<Self> {
        Ok(Bollinger {
            sma: Sma::new(period)?,
            up: k_up,
            down: k_down,
            window: Vec::with_capacity(period),
        })
    }
}

impl Indicator for Bollinger {
    type Input = f64;
    type Output = Bands;

    fn next(&mut self, x: f64) -> Option<Bands> {
        // The SMA keeps the last n - 1 inputs: with x they are this bar's window.
        self.window.clear();
        self.window.extend(self.sma.values());
        self.window.push(x);
        let middle = self.sma.next(x)?;
        let n = self.window.len() as f64;
        let var = self
            .window
            .iter()
            .map(|v| (v - middle) * (v - middle))
            .sum::<f64>()
            / n;
        let sd = var.sqrt();
        Some(Bands {
            upper: middle + self.up * sd,
            middle,
            lower: middle - self.down * sd,
        })
    }

    fn reset(&mut self) {
        self.sma.reset();
    }
}

impl fmt::Display for Bollinger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BBANDS({},{},{})", self.sma.n, self.up, self.down)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_and_by_hand() {
        let b = Bollinger::new(4, 2.0, 2.0).unwrap().over(&[5.0; 6]);
        assert_eq!(
            b[5],
            Some(Bands {
                upper: 5.0,
                middle: 5.0,
                lower: 5.0
            })
        );
        let b = Bollinger::new(2, 1.0, 1.0).unwrap().over(&[1.0, 3.0, 7.0]);
        assert_eq!(b[2].unwrap().upper, 7.0);
        assert_eq!(b[2].unwrap().lower, 3.0);
    }
}
