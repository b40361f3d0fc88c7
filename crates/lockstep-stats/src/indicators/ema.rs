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

/// A steady-state recurrence of a batch kernel, run by [`steady_into`]: a state updated by
/// each input, and `K` outputs read from the state after each input.
pub(super) trait Recurrence<const K: usize> {
    /// What the recurrence carries from one input to the next.
    type State: Copy;
    /// Steps after which a lane started from [`Recurrence::guess`] has, on prices, the very
    /// bits of the true state (a lane whose state differs is recomputed, so this only sets
    /// the speed, never the values).
    fn warmup(&self) -> usize;
    /// A guess of the state before input `a >= 1` of `xs`.
    fn guess(&self, xs: &[f64], a: usize) -> Self::State;
    /// The state after input `x`.
    fn step(&self, s: &mut Self::State, x: f64);
    /// The outputs of a state.
    fn outputs(&self, s: &Self::State) -> [f64; K];
    /// The two states have the same bits (so that the same inputs take both to the same bits).
    fn same(&self, a: &Self::State, b: &Self::State) -> bool;
}

/// Lanes of [`steady_into`]: independent chains computed in one loop.
pub(super) const LANES: usize = 4;

/// Steps of each lane per block of [`steady_into`]: the outputs of a block are gathered in a
/// small buffer, the lanes' side by side, so the compiler computes two lanes per instruction
/// (SSE2), then copied to their places.
const BLOCK: usize = 16;

/// The recurrence `r` from `state` over `xs`, writing the outputs after input `i` at index `i`
/// of `outs` (each as long as `xs`), and leaving the state after the last input in `state`:
/// bit for bit what stepping `r` through `xs` in order gives ([`serial_into`]).
///
/// The recurrences are bound by the latency of their chain of operations (EMA: subtract,
/// multiply, add, about 8 cycles an input), which bit-identical values fix. So a long input is
/// cut into [`LANES`] segments computed in one loop, whose chains overlap in the CPU: the
/// first continues from `state`; each other one starts [`Recurrence::warmup`] inputs before
/// its segment, from a guess. The recurrences forget their start geometrically, and in floating
/// point a chain started from a guess soon has exactly the bits of the true one; from there on
/// it computes the true values, since it performs the same operations on the same bits. Each
/// segment's start is checked: its lane's state at the end of the warm-up must have the bits
/// of the true state there (the state at the end of the segment before, itself checked). A
/// segment that fails the check is recomputed in order from the true state, so the values
/// never depend on the guess; only the time does.
pub(super) fn steady_into<R: Recurrence<K>, const K: usize>(
    r: &R,
    state: &mut R::State,
    xs: &[f64],
    mut outs: [&mut [f64]; K],
) {
    let m = xs.len();
    let w = r.warmup().next_multiple_of(BLOCK);
    // Lanes only when their warm-ups cost little (at most 1/16 more steps).
    if m / (16 * LANES) < w {
        serial_into(r, state, xs, outs);
        return;
    }
    // Lane `j` steps through `xs[j·q ..][.. w + q]`, writing the outputs of its last `q` inputs
    // (lane 0 of all): together `0 .. w + LANES·q`; the tail after it is stepped in order at the end.
    let q = (m - w) / LANES / BLOCK * BLOCK;
    let lane_xs: [&[f64]; LANES] = std::array::from_fn(|j| &xs[j * q..][..w + q]);
    let mut s: [R::State; LANES] =
        std::array::from_fn(|j| if j == 0 { *state } else { r.guess(xs, j * q) });
    let mut guessed = s;
    let mut stage = [[[0.0; LANES]; K]; BLOCK];
    for b in (0..w + q).step_by(BLOCK) {
        if b == w {
            guessed = s;
        }
        let block: [&[f64; BLOCK]; LANES] =
            std::array::from_fn(|j| lane_xs[j][b..b + BLOCK].try_into().expect("a whole block"));
        for (i, st) in stage.iter_mut().enumerate() {
            for j in 0..LANES {
                r.step(&mut s[j], block[j][i]);
                let v = r.outputs(&s[j]);
                for k in 0..K {
                    st[k][j] = v[k];
                }
            }
        }
        for (k, o) in outs.iter_mut().enumerate() {
            // Lane 0 writes from index 0, the others once past their warm-up.
            for j in 0..if b < w { 1 } else { LANES } {
                let to: &mut [f64; BLOCK] = (&mut o[j * q + b..][..BLOCK])
                    .try_into()
                    .expect("a whole block");
                for (to, st) in to.iter_mut().zip(&stage) {
                    *to = st[k][j];
                }
            }
        }
    }
    settle_lanes(r, state, xs, outs, (&s, &guessed), (w, q));
}

/// After the lanes of warm-up `w` and segments of `q` inputs: each segment's start (`guessed[j]`,
/// lane `j`'s state at input `j·q + w`) checked bit for bit against the true state, in order,
/// taking lane `j`'s end state (`reached[j]`) when they agree and stepping the segment again from
/// the true state when not; then the tail `w + LANES·q ..` in order, leaving `state` after it.
#[inline(always)]
pub(super) fn settle_lanes<R: Recurrence<K>, const K: usize>(
    r: &R,
    state: &mut R::State,
    xs: &[f64],
    mut outs: [&mut [f64]; K],
    (reached, guessed): (&[R::State; LANES], &[R::State; LANES]),
    (w, q): (usize, usize),
) {
    let mut truth = reached[0];
    for j in 1..LANES {
        if r.same(&guessed[j], &truth) {
            truth = reached[j];
        } else {
            let at = w + j * q;
            let seg = outs.each_mut().map(|o| &mut o[at..at + q]);
            serial_into(r, &mut truth, &xs[at..at + q], seg);
        }
    }
    *state = truth;
    let end = w + LANES * q;
    let tail = outs.map(|o| &mut o[end..]);
    serial_into(r, state, &xs[end..], tail);
}

/// The recurrence `r` from `state` over `xs` in order, writing the outputs after input `i` at
/// index `i` of `outs` (each at least as long as `xs`).
#[inline(always)]
pub(super) fn serial_into<R: Recurrence<K>, const K: usize>(
    r: &R,
    state: &mut R::State,
    xs: &[f64],
    outs: [&mut [f64]; K],
) {
    // Cut the outputs to the input's length, so the compiler drops the bounds checks.
    let outs = outs.map(|o| &mut o[..xs.len()]);
    for (i, &x) in xs.iter().enumerate() {
        r.step(state, x);
        let v = r.outputs(state);
        for k in 0..K {
            outs[k][i] = v[k];
        }
    }
}

/// The steady state of an [`Ema`]: [`ema_step`] with smoothing `k`.
struct EmaSteady {
    k: f64,
    n: usize,
}

impl Recurrence<1> for EmaSteady {
    type State = f64;
    /// 32 periods: a lane from a guess had the bits of the true EMA after at most 21 periods
    /// (periods 2 to 200, 2000 starts each on a random walk).
    fn warmup(&self) -> usize {
        32 * self.n + 64
    }
    fn guess(&self, xs: &[f64], a: usize) -> f64 {
        xs[a - 1]
    }
    #[inline(always)]
    fn step(&self, v: &mut f64, x: f64) {
        *v = ema_step(*v, x, self.k);
    }
    #[inline(always)]
    fn outputs(&self, v: &f64) -> [f64; 1] {
        [*v]
    }
    fn same(&self, a: &f64, b: &f64) -> bool {
        a.to_bits() == b.to_bits()
    }
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

    /// The batch kernel: `out[i]` is what [`Indicator::next`] gives for input `i`, NaN for
    /// `None`; past the warm-up [`steady_into`] over the same [`ema_step`] (bit-identical).
    fn fill(&mut self, xs: &[f64], out: &mut [f64]) {
        let out = &mut out[..xs.len()];
        let mut i = 0;
        while i < xs.len() && !self.is_steady() {
            out[i] = self.next(xs[i]).unwrap_or(f64::NAN);
            i += 1;
        }
        let r = EmaSteady {
            k: self.k,
            n: self.n,
        };
        steady_into(&r, &mut self.value, &xs[i..], [&mut out[i..]]);
        self.count += xs.len() - i;
    }

    /// Batch form writing into a caller-provided slice: `out[i]` is what `next` returns for
    /// input `i`, NaN during the warm-up. The fast path for long series (no `Option`s, no
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

/// Inputs of the lanes' tests ([`steady_into`]), shared with RSI and MACD.
#[cfg(test)]
pub(super) mod rough {
    use crate::test_noise::lcg;

    /// `n` prices that stress the lanes: a random walk whose level jumps between 1e-160 and
    /// 1e160, with constant runs, spikes, signed zeros, infinities and NaN gaps, each kind in
    /// its own stretches (`kinds` picks them: bit 0 runs and spikes, bit 1 zeros, bit 2
    /// infinities, bit 3 NaN), so that some segments see them and others do not.
    pub(in super::super) fn prices(n: usize, seed: u64, kinds: u32) -> Vec<f64> {
        let mut s = seed;
        let mut level = 100.0;
        let mut p = 1.0f64;
        (0..n)
            .map(|i| {
                let u = lcg(&mut s);
                if i % 20_011 == 0 {
                    level = 10f64.powi(((u * 320.0) as i32).clamp(-160, 160));
                }
                p = (p * (1.0 + u * 0.05)).clamp(0.5, 2.0);
                let x = level * p;
                match (i % 7919, i / 7919 % 5) {
                    (100..=180, _) if kinds & 1 != 0 => level,
                    (300, _) if kinds & 1 != 0 => x * 1e12,
                    (301, _) if kinds & 1 != 0 => x * 1e-12,
                    (500..=520, 1) if kinds & 2 != 0 => 0.0,
                    (521..=530, 1) if kinds & 2 != 0 => -0.0,
                    (600, 2) if kinds & 4 != 0 => f64::INFINITY,
                    (601, 2) if kinds & 4 != 0 => f64::NEG_INFINITY,
                    (700..=702, 3) if kinds & 8 != 0 => f64::NAN,
                    _ => x,
                }
            })
            .collect()
    }

    /// The bits of each value, every NaN as `f64::NAN`: the sign and payload of a NaN are not
    /// values (x86 returns the first operand's NaN, and the optimizer may swap the operands of
    /// an addition, so an optimized build of `next` and of a kernel may differ there).
    pub(in super::super) fn bits(v: &[f64]) -> Vec<u64> {
        v.iter()
            .map(|v| if v.is_nan() { f64::NAN } else { *v }.to_bits())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_series::{bits, first, walk, wave};
    use super::*;

    /// The lanes of `over_into` and `over_new` ([`steady_into`], long inputs) give bit for bit
    /// what `next` gives, on every kind of input, for periods whose warm-up allows lanes and
    /// periods whose does not, whole and in pieces (each piece its own lanes).
    #[test]
    fn lanes_are_bit_identical_to_streaming() {
        for (kinds, seed) in [(0, 1), (1, 2), (3, 3), (7, 4), (15, 5), (8, 6)] {
            let xs = rough::prices(120_000, seed, kinds);
            for n in [1, 2, 5, 20, 50, 300] {
                for seed in [EmaSeed::Sma, EmaSeed::FirstValue] {
                    let mut e = Ema::with_seed(n, seed).unwrap();
                    let want: Vec<f64> =
                        xs.iter().map(|&x| e.next(x).unwrap_or(f64::NAN)).collect();
                    let want = rough::bits(&want);
                    let mut out = vec![0.0; xs.len()];
                    Ema::with_seed(n, seed)
                        .unwrap()
                        .over_into(&xs, &mut out)
                        .unwrap();
                    assert!(
                        rough::bits(&out) == want,
                        "EMA({n}) {seed:?}, kinds {kinds}"
                    );
                    let mut e = Ema::with_seed(n, seed).unwrap();
                    let mut got = Vec::new();
                    for c in xs.chunks(50_001) {
                        got.extend(rough::bits(&e.over_new(c)));
                    }
                    assert!(got == want, "EMA({n}) {seed:?}, kinds {kinds}, in pieces");
                }
            }
        }
    }

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
