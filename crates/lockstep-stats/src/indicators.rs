//! Technical indicators, TA-Lib compatible by default (to the last digit on real data: see the
//! golden test against the `ta-lib` wheel).
//!
//! Every indicator is a struct with `new(params) -> Result<Self>` (a zero period is rejected),
//! a streaming [`Indicator::next`] that is `None` during the warm-up, a batch
//! [`Indicator::over`] that calls `next` (the same code), [`Indicator::reset`], and `Display`
//! like `RSI(14)`. "Warm-up" below is the number of inputs before the first value; the first
//! value comes with input index `warm-up` (0-based), as in TA-Lib's `lookback`.

use std::collections::VecDeque;
use std::fmt;

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

    /// Batch form: `next` over every input, so batch and streaming are the same code.
    fn over(&mut self, inputs: &[Self::Input]) -> Vec<Option<Self::Output>> {
        inputs.iter().map(|x| self.next(*x)).collect()
    }
}

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

/// Simple moving average `SMA_t = (x_t + … + x_{t-n+1}) / n`. Warm-up `n - 1`.
///
/// Kept as a running sum, added before and subtracted after each output, exactly as TA-Lib
/// `SMA` does, so the values agree to the last bit.
#[derive(Clone, Debug)]
pub struct Sma {
    n: usize,
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
    fn values(&self) -> impl Iterator<Item = &f64> {
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

/// Exponential moving average with smoothing `k = 2 / (n + 1)`:
/// `EMA_t = EMA_{t-1} + k · (x_t − EMA_{t-1})`, seeded per [`EmaSeed`]. Warm-up `n - 1`
/// (TA-Lib seed) or 0.
#[derive(Clone, Debug)]
pub struct Ema {
    n: usize,
    k: f64,
    seed: EmaSeed,
    count: usize,
    sum: f64,
    value: f64,
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

    /// Start from a known value (used by MACD to align its two EMAs as TA-Lib does).
    fn seeded(period: usize, value: f64) -> Result<Self> {
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
            _ => self.value += (x - self.value) * self.k,
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

/// Relative strength index (Wilder), TA-Lib convention:
///
/// ```text
/// gain_t = max(x_t − x_{t−1}, 0),  loss_t = max(x_{t−1} − x_t, 0)
/// G_n = mean(gain_1..gain_n),  L_n likewise                (simple mean seed)
/// G_t = (G_{t−1}·(n−1) + gain_t) / n,  L_t likewise        (Wilder smoothing)
/// RSI_t = 100 · G_t / (G_t + L_t)                          ∈ [0, 100]
/// ```
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
            self.loss /= n;
            self.gain /= n;
        } else {
            self.loss *= n - 1.0;
            self.gain *= n - 1.0;
            if d < 0.0 {
                self.loss -= d;
            } else {
                self.gain += d;
            }
            self.loss /= n;
            self.gain /= n;
        }
        let total = self.gain + self.loss;
        (total > 0.0).then(|| 100.0 * (self.gain / total))
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

/// One MACD value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MacdPoint {
    /// `EMA_fast − EMA_slow`.
    pub macd: f64,
    /// EMA of the MACD line over the signal period.
    pub signal: f64,
    /// `macd − signal`.
    pub hist: f64,
}

/// MACD (default 12, 26, 9), TA-Lib convention:
///
/// ```text
/// MACD_t   = EMA_fast(x)_t − EMA_slow(x)_t
/// signal_t = EMA_signal(MACD)_t,   hist_t = MACD_t − signal_t
/// ```
///
/// Both EMAs start on the same bar, index `slow − 1`: the slow one seeded with the mean of
/// the first `slow` inputs, the fast one with the mean of the `fast` inputs ending there (not of
/// the first `fast` inputs: that is TA-Lib's alignment of the seeds). The signal line is seeded
/// with the mean of the first `signal` MACD values. Warm-up `slow + signal − 2` (33 for
/// 12/26/9); all three values start together, as in TA-Lib.
#[derive(Clone, Debug)]
pub struct Macd {
    fast_n: usize,
    slow_n: usize,
    signal_n: usize,
    buf: VecDeque<f64>,
    emas: Option<(Ema, Ema)>,
    signal: Ema,
}

impl Macd {
    /// MACD with `1 <= fast < slow` and `signal >= 1`.
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self> {
        check_period("MACD fast EMA", fast, 1)?;
        check_period(
            "MACD slow EMA (must exceed the fast period)",
            slow,
            fast + 1,
        )?;
        Ok(Macd {
            fast_n: fast,
            slow_n: slow,
            signal_n: signal,
            buf: VecDeque::with_capacity(slow),
            emas: None,
            signal: Ema::new(signal)?,
        })
    }
}

impl Indicator for Macd {
    type Input = f64;
    type Output = MacdPoint;

    fn next(&mut self, x: f64) -> Option<MacdPoint> {
        let line = match &mut self.emas {
            Some((fast, slow)) => fast.next(x)? - slow.next(x)?,
            None => {
                self.buf.push_back(x);
                if self.buf.len() < self.slow_n {
                    return None;
                }
                let mean = |it: std::collections::vec_deque::Iter<'_, f64>, n: usize| {
                    it.fold(0.0, |s, v| s + v) / n as f64
                };
                let slow_seed = mean(self.buf.iter(), self.slow_n);
                let fast_seed = mean(self.buf.range(self.slow_n - self.fast_n..), self.fast_n);
                self.buf.clear();
                let fast = Ema::seeded(self.fast_n, fast_seed).ok()?;
                let slow = Ema::seeded(self.slow_n, slow_seed).ok()?;
                self.emas = Some((fast, slow));
                fast_seed - slow_seed
            }
        };
        let signal = self.signal.next(line)?;
        Some(MacdPoint {
            macd: line,
            signal,
            hist: line - signal,
        })
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.emas = None;
        self.signal.reset();
    }
}

impl fmt::Display for Macd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MACD({},{},{})", self.fast_n, self.slow_n, self.signal_n)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmups_and_display() {
        let xs: Vec<f64> = (1..=60)
            .map(|i| 100.0 + (i as f64 * 0.7).sin() * 5.0)
            .collect();
        let first = |v: Vec<Option<f64>>| v.iter().position(Option::is_some);
        assert_eq!(first(Sma::new(20).unwrap().over(&xs)), Some(19));
        assert_eq!(first(Ema::new(20).unwrap().over(&xs)), Some(19));
        assert_eq!(first(Rsi::new(14).unwrap().over(&xs)), Some(14));
        assert_eq!(first(Roc::new(10).unwrap().over(&xs)), Some(10));
        let m = Macd::new(12, 26, 9).unwrap().over(&xs);
        assert_eq!(m.iter().position(Option::is_some), Some(33));
        assert_eq!(Rsi::new(14).unwrap().to_string(), "RSI(14)");
        assert_eq!(Macd::new(12, 26, 9).unwrap().to_string(), "MACD(12,26,9)");
        assert!(Rsi::new(0).is_err() && Sma::new(0).is_err() && Macd::new(12, 12, 9).is_err());
        assert!(Macd::new(12, 26, 0).is_err());
    }

    #[test]
    fn sma_and_ema_by_hand() {
        let s = Sma::new(3).unwrap().over(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s, vec![None, None, Some(2.0), Some(3.0)]);
        // seed mean(1,2,3) = 2, then 2 + 0.5·(4 − 2) = 3
        let e = Ema::new(3).unwrap().over(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e, vec![None, None, Some(2.0), Some(3.0)]);
        let p = Ema::with_seed(3, EmaSeed::FirstValue)
            .unwrap()
            .over(&[1.0, 3.0]);
        assert_eq!(p, vec![Some(1.0), Some(2.0)]);
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

    #[test]
    fn atr_obv_bollinger() {
        let bars: Vec<Bar> = (0..20)
            .map(|i| Bar {
                high: 11.0 + i as f64,
                low: 9.0 + i as f64,
                close: 10.0 + i as f64,
                volume: 100.0,
            })
            .collect();
        // Every TR is max(2, |11+i − (9+i)|, ...) = 2.
        let atr = Atr::new(5).unwrap().over(&bars);
        assert_eq!(atr[4], None);
        assert_eq!(atr[5], Some(2.0));
        assert_eq!(atr[19], Some(2.0));
        let obv = Obv::new().over(&bars);
        assert_eq!(obv[0], Some(100.0));
        assert_eq!(obv[3], Some(400.0));
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
