//! On-balance volume ([`Obv`]).

use std::fmt;

use super::{Bar, Indicator};

/// On-balance volume: `OBV_0 = volume_0`; then `+volume` on an up close, `−volume` on a down
/// close, unchanged on an equal close (TA-Lib `OBV`). No warm-up.
#[derive(Clone, Debug, Default)]
pub struct Obv {
    prev_close: Option<f64>,
    value: f64,
}

impl Obv {
    /// A new OBV.
    pub fn new() -> Self {
        Obv::default()
    }
}

impl Indicator for Obv {
    type Input = Bar;
    type Output = f64;

    fn next(&mut self, b: Bar) -> Option<f64> {
        match self.prev_close.replace(b.close) {
            None => self.value = b.volume,
            Some(pc) if b.close > pc => self.value += b.volume,
            Some(pc) if b.close < pc => self.value -= b.volume,
            Some(_) => {}
        }
        Some(self.value)
    }

    fn reset(&mut self) {
        *self = Obv::default();
    }
}

impl fmt::Display for Obv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OBV")
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::rising_bars;
    use super::*;

    #[test]
    fn rising_closes_add_the_volume() {
        let bars = rising_bars();
        let obv = Obv::new().over(&bars);
        assert_eq!(obv[0], Some(100.0));
        assert_eq!(obv[3], Some(400.0));
    }
}
