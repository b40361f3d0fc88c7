//! Relative strength index, Wilder's smoothing in TA-Lib's arithmetic ([`Rsi`]).

use std::fmt;

use super::ema::{steady_into, Recurrence};
use super::{check_out, check_period, Indicator};
use crate::buffer::fill_pieces;
use crate::{OutBuf, Result};

/// Relative strength index (Wilder), TA-Lib convention:
///
/// ```text
/// gain_t = max(x_t − x_{t−1}, 0),  loss_t = max(x_{t−1} − x_t, 0)
/// G_n = mean(gain_1..gain_n),  L_n likewise                (simple mean seed)
/// G_t = (G_{t−1}·(n−1) + gain_t) / n,  L_t likewise        (Wilder smoothing)
/// RSI_t = 100 · G_t / (G_t + L_t)                          ∈ [0, 100]
/// ```
///
/// In floating point every `/ n` (of the seed and of the smoothing) is a multiplication by
/// the rounded reciprocal `fl(1/n)`, and RSI is `100 · (G / (G + L))`: TA-Lib's arithmetic,
/// so the values are bit for bit TA-Lib's (checked on 2·10^5 random-walk prices and on the
/// golden file). It also keeps a division off the recurrence's critical path.
///
/// Warm-up `n` (the first value at index n). When `G + L = 0` (no move at all over the
/// smoothing history, e.g. a constant series) RSI is 0/0: `None` here, where TA-Lib writes 0.
/// A strictly rising series gives 100, a strictly falling one 0.
#[derive(Clone, Debug)]
pub struct Rsi {
    n: usize,
    prev: Option<f64>,
    count: usize,
    gain: f64,
    loss: f64,
}

impl Rsi {
    /// RSI over `period >= 1`.
    pub fn new(period: usize) -> Result<Self> {
        check_period("RSI", period, 1)?;
        Ok(Rsi {
            n: period,
            prev: None,
            count: 0,
            gain: 0.0,
            loss: 0.0,
        })
    }
}

/// One step of Wilder's smoothing of the average gain and loss with the move `d`:
/// `((G·(n−1) + max(d, 0)) · inv, (L·(n−1) + max(−d, 0)) · inv)` with `inv = fl(1/n)`, in
/// TA-Lib's order of operations.
#[inline(always)]
fn wilder_step(gain: f64, loss: f64, d: f64, n: f64, inv: f64) -> (f64, f64) {
    // Branch-free form of `if d < 0 { L -= d } else { G += d }`: the side without the move
    // takes ±0.0, which leaves it bit for bit unchanged (G is +0.0 or more, and L − 0.0 = L
    // for every L). The branch is a coin flip on prices and was mispredicted half the time:
    // 8.0 → 6.1 ns/element for `over_into` on 10^7 random-walk prices. What is left is the
    // latency of `·(n−1)`, `+` and `·inv` of the recurrence.
    let down = if d < 0.0 { d } else { 0.0 };
    let up = if d < 0.0 { 0.0 } else { d };
    (
        (gain * (n - 1.0) + up) * inv,
        (loss * (n - 1.0) - down) * inv,
    )
}

/// `100 · G / (G + L)`, `None` when `G + L` is not positive.
#[inline(always)]
fn rsi_value(gain: f64, loss: f64) -> Option<f64> {
    let total = gain + loss;
    (total > 0.0).then(|| 100.0 * (gain / total))
}

/// The steady state of an [`Rsi`]: [`wilder_step`] on the moves, the state being the previous
/// input and the average gain and loss.
struct RsiSteady {
    period: usize,
    n: f64,
    inv: f64,
}

impl Recurrence<1> for RsiSteady {
    type State = (f64, f64, f64);
    /// 64 periods: a lane from no gain and no loss had the bits of the true averages after at
    /// most 44 periods (periods 2 to 200, 2000 starts each on a random walk).
    fn warmup(&self) -> usize {
        64 * self.period + 64
    }
    fn guess(&self, xs: &[f64], a: usize) -> Self::State {
        (xs[a - 1], 0.0, 0.0)
    }
    #[inline(always)]
    fn step(&self, (prev, gain, loss): &mut Self::State, x: f64) {
        (*gain, *loss) = wilder_step(*gain, *loss, x - *prev, self.n, self.inv);
        *prev = x;
    }
    #[inline(always)]
    fn outputs(&self, &(_, gain, loss): &Self::State) -> [f64; 1] {
        [rsi_value(gain, loss).unwrap_or(f64::NAN)]
    }
    fn same(&self, a: &Self::State, b: &Self::State) -> bool {
        let bits = |s: &Self::State| [s.0, s.1, s.2].map(f64::to_bits);
        bits(a) == bits(b)
    }
}

impl Rsi {
    /// The batch kernel: `out[i]` is what [`Indicator::next`] gives for input `i`, NaN for
    /// `None`; past the warm-up [`steady_into`] over the same [`wilder_step`] (bit-identical).
    fn fill(&mut self, xs: &[f64], out: &mut [f64]) {
        let out = &mut out[..xs.len()];
        let mut i = 0;
        while i < xs.len() && (self.prev.is_none() || self.count < self.n) {
            out[i] = self.next(xs[i]).unwrap_or(f64::NAN);
            i += 1;
        }
        let Some(prev) = self.prev else {
            return;
        };
        let n = self.n as f64;
        let r = RsiSteady {
            period: self.n,
            n,
            inv: 1.0 / n,
        };
        let mut state = (prev, self.gain, self.loss);
        steady_into(&r, &mut state, &xs[i..], [&mut out[i..]]);
        (self.gain, self.loss) = (state.1, state.2);
        self.prev = Some(state.0);
        self.count += xs.len() - i;
    }

    /// Batch form writing into a caller-provided slice: `out[i]` is what `next` returns for
    /// input `i`, NaN for `None`. The fast path for long series (no `Option`s, no
    /// allocation). Errors when `out` is not as long as `xs`.
    pub fn over_into(&mut self, xs: &[f64], out: &mut [f64]) -> Result<()> {
        check_out(xs.len(), out)?;
        self.fill(xs, out);
        Ok(())
    }

    /// Batch form into a new buffer: what [`Self::over_into`] writes (the same kernel,
    /// bit-identical), into a new [`OutBuf`] of the inputs' length (the form to use when each
    /// call needs its own output): a huge-page mapping when large, filled while another
    /// thread faults in its pages, a reused `Vec` when small.
    pub fn over_new(&mut self, xs: &[f64]) -> OutBuf {
        let mut out = OutBuf::for_overwrite(xs.len());
        let mapped = out.is_mapped();
        fill_pieces([out.as_mut_slice()], mapped, |r, [o]| self.fill(&xs[r], o));
        out
    }
}

impl Indicator for Rsi {
    type Input = f64;
    type Output = f64;

    fn next(&mut self, x: f64) -> Option<f64> {
        let prev = self.prev.replace(x)?;
        let d = x - prev;
        self.count += 1;
        let n = self.n as f64;
        if self.count <= self.n {
            if d < 0.0 {
                self.loss -= d;
            } else {
                self.gain += d;
            }
            if self.count < self.n {
                return None;
            }
            self.loss *= 1.0 / n;
            self.gain *= 1.0 / n;
        } else {
            (self.gain, self.loss) = wilder_step(self.gain, self.loss, d, n, 1.0 / n);
        }
        rsi_value(self.gain, self.loss)
    }

    fn reset(&mut self) {
        self.prev = None;
        self.count = 0;
        self.gain = 0.0;
        self.loss = 0.0;
    }
}

impl fmt::Display for Rsi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RSI({})", self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::{bits, first, walk, wave};
    use super::*;

    #[test]
    fn warmup_and_display() {
        assert_eq!(first(Rsi::new(14).unwrap().over(&wave())), Some(14));
        assert_eq!(Rsi::new(14).unwrap().to_string(), "RSI(14)");
        assert!(Rsi::new(0).is_err());
    }

    /// `over` and `over_into` (tight loops past the warm-up) give bit for bit what `next`
    /// gives.
    #[test]
    fn batch_forms_are_bit_identical_to_streaming() {
        let xs = walk(5000);
        let stream = |mut f: Box<dyn FnMut(f64) -> Option<f64>>| -> Vec<Option<f64>> {
            xs.iter().map(|&x| f(x)).collect()
        };
        for n in [1, 2, 14, 30] {
            let mut r = Rsi::new(n).unwrap();
            let want = bits(&stream(Box::new(move |x| r.next(x))));
            assert_eq!(bits(&Rsi::new(n).unwrap().over(&xs)), want, "RSI({n})");
            let mut out = vec![0.0; xs.len()];
            Rsi::new(n).unwrap().over_into(&xs, &mut out).unwrap();
            assert_eq!(out.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want);
        }
        let mut r = Rsi::new(14).unwrap();
        assert!(r.over_into(&xs, &mut [0.0; 3]).is_err());
    }

    /// The lanes of `over_into` and `over_new` (long inputs) give bit for bit what `next`
    /// gives, on every kind of input, whole and in pieces.
    #[test]
    fn lanes_are_bit_identical_to_streaming() {
        use super::super::ema::rough;
        for (kinds, seed) in [(0, 1), (1, 2), (3, 3), (7, 4), (15, 5), (8, 6)] {
            let xs = rough::prices(120_000, seed, kinds);
            for n in [1, 2, 5, 14, 30, 200] {
                let mut r = Rsi::new(n).unwrap();
                let want: Vec<f64> = xs.iter().map(|&x| r.next(x).unwrap_or(f64::NAN)).collect();
                let want = rough::bits(&want);
                let mut out = vec![0.0; xs.len()];
                Rsi::new(n).unwrap().over_into(&xs, &mut out).unwrap();
                assert!(rough::bits(&out) == want, "RSI({n}), kinds {kinds}");
                let mut r = Rsi::new(n).unwrap();
                let mut got = Vec::new();
                for c in xs.chunks(70_001) {
                    got.extend(rough::bits(&r.over_new(c)));
                }
                assert!(got == want, "RSI({n}), kinds {kinds}, in pieces");
            }
        }
    }

    #[test]
    fn rsi_extremes() {
        let up: Vec<f64> = (0..30).map(|i| i as f64).collect();
        assert!(Rsi::new(14)
            .unwrap()
            .over(&up)
            .into_iter()
            .flatten()
            .all(|r| r == 100.0));
        let down: Vec<f64> = up.iter().rev().copied().collect();
        assert!(Rsi::new(14)
            .unwrap()
            .over(&down)
            .into_iter()
            .flatten()
            .all(|r| r == 0.0));
        let flat = vec![5.0; 30];
        assert!(Rsi::new(14)
            .unwrap()
            .over(&flat)
            .iter()
            .all(Option::is_none));
        assert!(Rsi::new(14)
            .unwrap()
            .over(&up[..10])
            .iter()
            .all(Option::is_none));
    }
}
