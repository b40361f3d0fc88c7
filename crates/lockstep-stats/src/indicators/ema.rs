//! Exponential moving average ([`Ema`], seeded per [`EmaSeed`]).

use std::fmt;

use super::{check_out, check_period, Indicator};
use crate::buffer::fill_pieces;
use crate::{OutBuf, Result};

/// How an [`Ema`] starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EmaSeed {
    /// TA-Lib (default): the first value is the simple mean of the first `n` inputs; warm-up
    /// `n - 1`.
    #[default]
    Sma,
    /// pandas `ewm(span=n, adjust=False)` and TradingView's recursive form: the first value is
    /// the first input itself; no warm-up.
    FirstValue,
}

/// One EMA step, `v + k·(x − v)`, shared by [`Ema`] and [`Macd`](super::Macd) in streaming and
/// batch form.
#[inline(always)]
pub(super) fn ema_step(v: f64, x: f64, k: f64) -> f64 {
    v + (x - v) * k
}

/// Exponential moving average with smoothing `k = 2 / (n + 1)`:
/// `EMA_t = EMA_{t-1} + k · (x_t − EMA_{t-1})`, seeded per [`EmaSeed`]. Warm-up `n - 1`
/// (TA-Lib seed) or 0.
#[derive(Clone, Debug)]
pub struct Ema {
    n: usize,
    /// The smoothing `2 / (n + 1)` (read by MACD's fused loop, as are `count` and `value`).
    pub(super) k: f64,
    seed: EmaSeed,
    pub(super) count: usize,
    sum: f64,
    pub(super) value: f64,
}

impl Ema {
    /// TA-Lib-seeded EMA over `period >= 1`.
    pub fn new(period: usize) -> Result<Self> {
        Self::with_seed(period, EmaSeed::Sma)
    }

    /// EMA with an explicit seeding convention.
    pub fn with_seed(period: usize, seed: EmaSeed) -> Result<Self> {
        check_period("EMA", period, 1)?;
        Ok(Ema {
            n: period,
            k: 2.0 / (period as f64 + 1.0),
            seed,
            count: 0,
            sum: 0.0,
            value: 0.0,
        })
    }

    /// True once every further input only takes the smoothing step (the seed is in).
    #[inline]
    pub(super) fn is_steady(&self) -> bool {
        match self.seed {
            EmaSeed::Sma => self.count >= self.n,
            EmaSeed::FirstValue => self.count >= 1,
        }
    }

    /// The batch kernel: [`Indicator::next`] on each input in order, calling `emit(i, value)`;
    /// the steady state runs as a tight loop over the same [`ema_step`] (bit-identical).
    #[inline(always)]
    fn drive(&mut self, xs: &[f64], mut emit: impl FnMut(usize, Option<f64>)) {
        let mut i = 0;
        while i < xs.len() && !self.is_steady() {
            emit(i, self.next(xs[i]));
            i += 1;
        }
        let (k, mut v) = (self.k, self.value);
        for (j, &x) in xs.iter().enumerate().skip(i) {
            v = ema_step(v, x, k);
            emit(j, Some(v));
        }
        self.value = v;
        self.count += xs.len() - i;
    }

    /// Batch form writing into a caller-provided slice: `out[i]` is what `next` returns for
    /// input `i`, NaN during the warm-up. The fast path for long series (no `Option`s, no
    /// allocation). Errors when `out` is not as long as `xs`.
    pub fn over_into(&mut self, xs: &[f64], out: &mut [f64]) -> Result<()> {
        check_out(xs.len(), out)?;
        self.drive(xs, |i, v| out[i] = v.unwrap_or(f64::NAN));
        Ok(())
    }

    /// Batch form into a new buffer: what [`Self::over_into`] writes (the same kernel,
    /// bit-identical), into a new [`OutBuf`] of the inputs' length (the form to use when each
    /// call needs its own output): a huge-page mapping when large, filled while another
    /// thread faults in its pages, a reused `Vec` when small.
    pub fn over_new(&mut self, xs: &[f64]) -> OutBuf {
        let mut out = OutBuf::for_overwrite(xs.len());
        let mapped = out.is_mapped();
        fill_pieces([out.as_mut_slice()], mapped, |r, [o]| {
            // Cut `o` to the input's length, so the compiler drops the bounds checks.
            let xs = &xs[r];
            let o = &mut o[..xs.len()];
            self.drive(xs, |i, v| o[i] = v.unwrap_or(f64::NAN));
        });
        out
    }

    /// Start from a known value (used by MACD to align its two EMAs as TA-Lib does).
    pub(super) fn seeded(period: usize, value: f64) -> Result<Self> {
        let mut e = Self::new(period)?;
        e.count = period;
        e.value = value;
        Ok(e)
    }
}

impl Indicator for Ema {
    type Input = f64;
    type Output = f64;

    fn next(&mut self, x: f64) -> Option<f64> {
        self.count += 1;
        match self.seed {
            EmaSeed::Sma if self.count < self.n => {
                self.sum += x;
                return None;
            }
            EmaSeed::Sma if self.count == self.n => {
                self.sum += x;
                self.value = self.sum / self.n as f64;
            }
            EmaSeed::FirstValue if self.count == 1 => self.value = x,
            _ => self.value = ema_step(self.value, x, self.k),
        }
        Some(self.value)
    }

    fn reset(&mut self) {
        self.count = 0;
        self.sum = 0.0;
        self.value = 0.0;
    }
}

impl fmt::Display for Ema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EMA({})", self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::{bits, first, walk, wave};
    use super::*;

    #[test]
    fn warmup() {
        assert_eq!(first(Ema::new(20).unwrap().over(&wave())), Some(19));
    }

    /// `over` and `over_into` (tight loops past the warm-up) give bit for bit what `next`
    /// gives, also when a series is fed in pieces mixing the three.
    #[test]
    fn batch_forms_are_bit_identical_to_streaming() {
        let xs = walk(5000);
        let stream = |mut f: Box<dyn FnMut(f64) -> Option<f64>>| -> Vec<Option<f64>> {
            xs.iter().map(|&x| f(x)).collect()
        };
        for n in [1, 2, 14, 30] {
            for seed in [EmaSeed::Sma, EmaSeed::FirstValue] {
                let mut e = Ema::with_seed(n, seed).unwrap();
                let want = bits(&stream(Box::new(move |x| e.next(x))));
                assert_eq!(bits(&Ema::with_seed(n, seed).unwrap().over(&xs)), want);
                // In pieces: batch, streaming and into-slice calls on one instance.
                let mut e = Ema::with_seed(n, seed).unwrap();
                let mut got = Vec::new();
                for (k, c) in xs.chunks(37).enumerate() {
                    match k % 3 {
                        0 => got.extend(bits(&e.over(c))),
                        1 => got.extend(bits(&c.iter().map(|&x| e.next(x)).collect::<Vec<_>>())),
                        _ => {
                            let mut o = vec![0.0; c.len()];
                            e.over_into(c, &mut o).unwrap();
                            got.extend(o.iter().map(|v| v.to_bits()));
                        }
                    }
                }
                assert_eq!(got, want, "EMA({n}) {seed:?} in pieces");
            }
        }
    }

    #[test]
    fn by_hand() {
        // seed mean(1,2,3) = 2, then 2 + 0.5·(4 − 2) = 3
        let e = Ema::new(3).unwrap().over(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e, vec![None, None, Some(2.0), Some(3.0)]);
        let p = Ema::with_seed(3, EmaSeed::FirstValue)
            .unwrap()
            .over(&[1.0, 3.0]);
        assert_eq!(p, vec![Some(1.0), Some(2.0)]);
    }
}
