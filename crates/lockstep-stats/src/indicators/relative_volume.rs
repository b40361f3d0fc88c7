//! Volume relative to its simple moving average ([`RelativeVolume`]).

use std::fmt;

use super::{Indicator, Sma};
use crate::Result;

/// Volume relative to its average: `RVOL_t = volume_t / SMA_n(volume)_t`, the window including
/// the current bar (default n = 20). 1 is an average day, 2 twice the average. Warm-up `n − 1`;
/// `None` when the average is 0.
#[derive(Clone, Debug)]
pub struct RelativeVolume {
    sma: Sma,
}

impl RelativeVolume {
    /// Relative volume over `period >= 1`.
    pub fn new(period: usize) -> Result<Self> {
        Ok(RelativeVolume {
            sma: Sma::new(period)?,
        })
    }
}

impl Indicator for RelativeVolume {
    type Input = f64;
    type Output = f64;

    fn next(&mut self, v: f64) -> Option<f64> {
        let avg = self.sma.next(v)?;
        (avg != 0.0).then(|| v / avg)
    }

    fn reset(&mut self) {
        self.sma.reset();
    }
}

impl fmt::Display for RelativeVolume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RVOL({})", self.sma.n)
    }
}
