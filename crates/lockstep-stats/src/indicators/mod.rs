//! Technical indicators, TA-Lib compatible by default (to the last digit on real data: see the
//! golden test against the `ta-lib` wheel).
//!
//! Every indicator is a struct with `new(params) -> Result<Self>` (a zero period is rejected),
//! a streaming [`Indicator::next`] that is `None` during the warm-up, a batch
//! [`Indicator::over`] that gives what `next` gives on every input (the same code; [`Rsi`],
//! [`Ema`] and [`Macd`] also have `over_into`, writing into caller-provided slices with NaN for
//! `None`, which runs the step function of `next` in a tight loop once warm),
//! [`Indicator::reset`], and `Display` like `RSI(14)`. "Warm-up" below is the number of inputs
//! before the first value; the first value comes with input index `warm-up` (0-based), as in
//! TA-Lib's `lookback`.

mod atr;
mod bollinger;
mod ema;
mod macd;
mod obv;
mod relative_volume;
mod roc;
mod rsi;
mod sma;

pub use atr::{Atr, Bar};
pub use bollinger::{Bands, Bollinger};
pub use ema::{Ema, EmaSeed};
pub use macd::{Macd, MacdPoint, MacdSeries};
pub use obv::Obv;
pub use relative_volume::RelativeVolume;
pub use roc::Roc;
pub use rsi::Rsi;
pub use sma::Sma;

use crate::{Result, StatsError};

/// The common interface of the indicators.
pub trait Indicator {
    /// One input (a price, or a bar for ATR and OBV).
    type Input: Copy;
    /// One output.
    type Output;

    /// Feed one input; `None` during the warm-up or where the value is undefined.
    fn next(&mut self, input: Self::Input) -> Option<Self::Output>;

    /// Forget all inputs.
    fn reset(&mut self);

    /// Batch form: what `next` gives on every input, so batch and streaming are the same
    /// code (this default calls `next`).
    fn over(&mut self, inputs: &[Self::Input]) -> Vec<Option<Self::Output>> {
        inputs.iter().map(|x| self.next(*x)).collect()
    }
}

/// The output slices of an `over_into` must be as long as the input.
fn check_out(inputs: usize, out: &[f64]) -> Result<()> {
    if out.len() != inputs {
        return Err(StatsError::LengthMismatch(inputs, out.len()));
    }
    Ok(())
}

/// A period below `min` is an error naming the indicator.
fn check_period(what: &'static str, period: usize, min: usize) -> Result<()> {
    if period < min {
        return Err(StatsError::WindowTooShort {
            what,
            window: period,
            min,
        });
    }
    Ok(())
}

/// Inputs shared by the indicators' unit tests.
#[cfg(test)]
mod test_series {
    use super::Bar;

    /// 60 prices on a sine wave around 100 (the warm-up tests).
    pub(super) fn wave() -> Vec<f64> {
        (1..=60)
            .map(|i| 100.0 + (i as f64 * 0.7).sin() * 5.0)
            .collect()
    }

    /// Index of the first value.
    pub(super) fn first(v: Vec<Option<f64>>) -> Option<usize> {
        v.iter().position(Option::is_some)
    }

    /// A random walk with flat stretches, huge and tiny levels, and a NaN near the end
    /// (EMA and MACD never recover from one).
    pub(super) fn walk(n: usize) -> Vec<f64> {
        let mut s = 5u64;
        let mut p = 100.0;
        let mut xs: Vec<f64> = (0..n)
            .map(|i| {
                p *= 1.0 + crate::test_noise::lcg(&mut s) * 0.04;
                match i % 1013 {
                    10..=40 => 55.0,
                    300..=350 => p * 1e200,
                    400..=450 => p * 1e-200,
                    _ => p,
                }
            })
            .collect();
        xs[n - 60] = f64::NAN;
        xs
    }

    /// The bits of each value, NaN for `None`.
    pub(super) fn bits(v: &[Option<f64>]) -> Vec<u64> {
        v.iter()
            .map(|v| v.map_or(f64::NAN.to_bits(), f64::to_bits))
            .collect()
    }

    /// 20 bars rising by 1 a day, each 2 high, closing mid-range on a volume of 100.
    pub(super) fn rising_bars() -> Vec<Bar> {
        (0..20)
            .map(|i| Bar {
                high: 11.0 + i as f64,
                low: 9.0 + i as f64,
                close: 10.0 + i as f64,
                volume: 100.0,
            })
            .collect()
    }
}
