//! Deterministic synthetic inputs for the test suites: the two pseudo-random generators the
//! synthetic series are drawn from, and dates.
//!
//! Tests compare numbers against what these generators produced when their snapshots and
//! expected values were written, so **their arithmetic must never change**: the same state
//! gives the same `u64` sequence and the same `f64` draws, bit for bit, on every platform.
//! A test that wants other numbers picks another seed or maps the draws itself.
//!
//! ```
//! use lockstep_testkit::fixtures::{consecutive_days, date, Lcg, XorShift64};
//!
//! let mut lcg = Lcg::new(42);
//! assert!((0.0..1.0).contains(&lcg.uniform()));
//! let mut xs = XorShift64::new(7);
//! assert_ne!(xs.next_u64(), xs.next_u64());
//! let days = consecutive_days(date("2024-02-28"), 3);
//! assert_eq!(days[2], date("2024-03-01"));
//! ```

use chrono::{Days, NaiveDate};

/// The top 53 bits of `x` as a uniform draw in `[0, 1)`: `(x >> 11) / 2^53`.
fn top53(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Knuth's MMIX linear congruential generator: `x ← 6364136223846793005·x +
/// 1442695040888963407` (wrapping). Each draw steps the state first, then reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lcg(u64);

impl Lcg {
    /// The multiplier of the recurrence.
    pub const MULTIPLIER: u64 = 6_364_136_223_846_793_005;
    /// The increment of the recurrence.
    pub const INCREMENT: u64 = 1_442_695_040_888_963_407;

    /// A generator whose state is `state` (any value, zero included).
    pub fn new(state: u64) -> Lcg {
        Lcg(state)
    }

    /// Step the state and return it.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::INCREMENT);
        self.0
    }

    /// A uniform draw in `[0, 1)` (the top 53 bits of the next state).
    pub fn uniform(&mut self) -> f64 {
        top53(self.next_u64())
    }

    /// A standard-normal-ish draw: the sum of 12 uniform draws minus 6 (mean 0, variance 1,
    /// within ±6).
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

/// Marsaglia's xorshift64 generator with shifts 13, 7, 17. Each draw steps the state first,
/// then reads it.
///
/// A zero state stays zero forever: seed with a non-zero value (`seed.max(1)`, `seed | 1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XorShift64(u64);

impl XorShift64 {
    /// A generator whose state is `state` (should not be zero, see the type).
    pub fn new(state: u64) -> XorShift64 {
        XorShift64(state)
    }

    /// Step the state and return it.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A uniform draw in `[0, 1)` (the top 53 bits of the next state).
    pub fn uniform(&mut self) -> f64 {
        top53(self.next_u64())
    }
}

/// The date of a `YYYY-MM-DD` literal.
///
/// # Panics
/// When `s` is not a valid date (a mistake in the test).
pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// `n` consecutive calendar days from `start` (weekends included).
pub fn consecutive_days(start: NaiveDate, n: usize) -> Vec<NaiveDate> {
    (0..n).map(|i| start + Days::new(i as u64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_keep_their_sequences() {
        // The first states from seed 1: a change here changes every synthetic test input.
        let mut lcg = Lcg::new(1);
        assert_eq!(lcg.next_u64(), 7_806_831_264_735_756_412);
        let mut xs = XorShift64::new(1);
        assert_eq!(xs.next_u64(), 1_082_269_761);
        assert_eq!(XorShift64::new(0).next_u64(), 0);
    }

    #[test]
    fn draws_are_in_range() {
        let mut lcg = Lcg::new(3);
        let mut xs = XorShift64::new(3);
        for _ in 0..1000 {
            assert!((0.0..1.0).contains(&lcg.uniform()));
            assert!((0.0..1.0).contains(&xs.uniform()));
            assert!((-6.0..=6.0).contains(&lcg.normal()));
        }
    }

    #[test]
    fn consecutive_days_cross_months_and_years() {
        let d = consecutive_days(date("2023-12-31"), 3);
        assert_eq!(
            d,
            vec![date("2023-12-31"), date("2024-01-01"), date("2024-01-02")]
        );
        assert!(consecutive_days(date("2024-01-01"), 0).is_empty());
    }
}
