//! Provider bars checked as strictly as CSV bars, so that a bad bar never replaces a good
//! stored one: a bar that fails is refused (left out of what is stored, named in a warning
//! and in the fetch log) and the rest of the fetch goes on.
//!
//! The rules, for every provider but FRED (whose observations, rates and spreads, may be zero
//! or negative and have no open, high, low or volume):
//! * the close, and the open, high and low when given, are positive finite prices; a missing
//!   (null) close is not a bad bar but a missing one, skipped and counted as before;
//! * `low ≤ min(open, close)` and `high ≥ max(open, close)`, each within a relative
//!   tolerance of [`OHLC_TOLERANCE`] (providers round the four prices separately);
//! * the volume, when given, is finite and not negative;
//! * **jumps**: a close more than [`MAX_JUMP`] times, or less than `1 / MAX_JUMP` times, the
//!   previous accepted close of the same fetch is refused as an outlier unless outliers are
//!   accepted (`--accept-outliers`). The first bar of a fetch has no previous close to
//!   compare with.
//!
//! FRED observations must only be finite.

use std::fmt::Display;

/// Relative tolerance of the high/low checks.
pub const OHLC_TOLERANCE: f64 = 1e-6;

/// The largest factor between two consecutive closes of a fetch that is not an outlier.
pub const MAX_JUMP: f64 = 10.0;

/// The prices and volume of a bar.
pub(crate) struct Prices {
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub close: f64,
    pub volume: Option<f64>,
}

/// A bar whose prices can be checked.
pub(crate) trait Priced {
    /// Its prices and volume.
    fn prices(&self) -> Prices;
}

impl Priced for lockstep_core::DailyBar {
    fn prices(&self) -> Prices {
        Prices {
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
        }
    }
}

impl Priced for lockstep_core::IntradayBar {
    fn prices(&self) -> Prices {
        Prices {
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
        }
    }
}

/// [`screen`] of bars that know their prices.
pub(crate) fn screen_bars<B: Priced, L: Display>(
    bars: Vec<B>,
    fred: bool,
    accept_outliers: bool,
    label: impl Fn(&B) -> L,
) -> (Vec<B>, Vec<String>) {
    screen(bars, fred, accept_outliers, B::prices, label)
}

/// A number for messages: scientific notation when very large or very small.
fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Why the prices of a bar are bad, ignoring jumps; `None` when they are fine.
fn bad_prices(p: &Prices, fred: bool) -> Option<String> {
    if fred {
        return (!p.close.is_finite()).then(|| format!("value {} is not finite", num(p.close)));
    }
    let price_ok = |x: f64| x.is_finite() && x > 0.0;
    if !price_ok(p.close) {
        return Some(format!(
            "close {} is not a positive finite price",
            num(p.close)
        ));
    }
    for (name, v) in [("open", p.open), ("high", p.high), ("low", p.low)] {
        if let Some(v) = v.filter(|v| !price_ok(*v)) {
            return Some(format!("{name} {} is not a positive finite price", num(v)));
        }
    }
    if let Some(v) = p.volume.filter(|v| !(v.is_finite() && *v >= 0.0)) {
        return Some(format!(
            "volume {} is not a non-negative finite number",
            num(v)
        ));
    }
    let body = [Some(p.close), p.open];
    let (lo, hi) = body
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if let Some(low) = p.low.filter(|l| *l > lo * (1.0 + OHLC_TOLERANCE)) {
        return Some(format!("low {low} is above the open or close ({lo})"));
    }
    if let Some(high) = p.high.filter(|h| *h < hi * (1.0 - OHLC_TOLERANCE)) {
        return Some(format!("high {high} is below the open or close ({hi})"));
    }
    None
}

/// Keep the good bars of `bars` (sorted by time), in order; each refused one is described as
/// `"<label>: <reason>"`.
pub(crate) fn screen<B, L: Display>(
    bars: Vec<B>,
    fred: bool,
    accept_outliers: bool,
    prices: impl Fn(&B) -> Prices,
    label: impl Fn(&B) -> L,
) -> (Vec<B>, Vec<String>) {
    let mut kept: Vec<B> = Vec::with_capacity(bars.len());
    let mut refused = Vec::new();
    let mut previous: Option<f64> = None;
    for bar in bars {
        let p = prices(&bar);
        if let Some(why) = bad_prices(&p, fred) {
            refused.push(format!("{}: {why}", label(&bar)));
            continue;
        }
        if let (false, false, Some(prev)) = (fred, accept_outliers, previous) {
            let factor = p.close / prev;
            if !(1.0 / MAX_JUMP..=MAX_JUMP).contains(&factor) {
                refused.push(format!(
                    "{}: close {} is {factor:.3e} times the previous close {} (more than \
                     a {MAX_JUMP}x move: an outlier; --accept-outliers keeps it)",
                    label(&bar),
                    num(p.close),
                    num(prev)
                ));
                continue;
            }
        }
        previous = Some(p.close);
        kept.push(bar);
    }
    (kept, refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(o: f64, h: f64, l: f64, c: f64, v: f64) -> Prices {
        Prices {
            open: Some(o),
            high: Some(h),
            low: Some(l),
            close: c,
            volume: Some(v),
        }
    }

    fn run(bars: Vec<(u32, Prices)>, accept: bool) -> (Vec<u32>, Vec<String>) {
        let (kept, refused) = screen(
            bars,
            false,
            accept,
            |(_, p)| Prices { ..*p },
            |(d, _)| format!("day {d}"),
        );
        (kept.into_iter().map(|(d, _)| d).collect(), refused)
    }

    impl Clone for Prices {
        fn clone(&self) -> Prices {
            Prices { ..*self }
        }
    }

    #[test]
    fn bad_prices_are_refused_with_their_reason() {
        let (kept, refused) = run(
            vec![
                (1, bar(10.0, 11.0, 9.0, 10.5, 100.0)),
                (2, bar(10.0, 11.0, 9.0, -5.0, 100.0)),
                (3, bar(10.0, 11.0, 9.0, 0.0, 100.0)),
                (4, bar(10.0, 11.0, 9.0, 10.0, -1.0)),
                (5, bar(10.0, 9.5, 9.0, 10.0, 1.0)),
                (6, bar(10.0, 11.0, 10.2, 10.1, 1.0)),
                (7, bar(f64::NAN, 11.0, 9.0, 10.0, 1.0)),
                (8, bar(10.0, 10.0 * (1.0 - 1e-7), 9.0, 10.0, 0.0)),
            ],
            false,
        );
        assert_eq!(kept, [1, 8]);
        assert_eq!(
            refused,
            [
                "day 2: close -5 is not a positive finite price",
                "day 3: close 0 is not a positive finite price",
                "day 4: volume -1 is not a non-negative finite number",
                "day 5: high 9.5 is below the open or close (10)",
                "day 6: low 10.2 is above the open or close (10)",
                "day 7: open NaN is not a positive finite price",
            ]
        );
    }

    #[test]
    fn jumps_are_outliers_unless_accepted() {
        let p = |c: f64| bar(c, c, c, c, 1.0);
        let bars = vec![
            (1, p(100.0)),
            (2, p(1e308)),
            (3, p(101.0)),
            (4, p(1e-300)),
            (5, p(5.0)),
        ];
        let (kept, refused) = run(bars.clone(), false);
        assert_eq!(kept, [1, 3]);
        assert_eq!(refused.len(), 3);
        assert!(
            refused[0].starts_with("day 2: close 1e308 is 1.000e306 times"),
            "{}",
            refused[0]
        );
        assert!(
            refused[2].starts_with("day 5: close 5 is"),
            "{}",
            refused[2]
        );
        let (kept, refused) = run(bars, true);
        assert_eq!((kept.len(), refused.len()), (5, 0));
    }

    #[test]
    fn fred_values_only_need_to_be_finite() {
        let v = |c: f64| Prices {
            open: None,
            high: None,
            low: None,
            close: c,
            volume: None,
        };
        let (kept, refused) = screen(
            vec![
                (1, v(-0.5)),
                (2, v(0.0)),
                (3, v(f64::INFINITY)),
                (4, v(400.0)),
            ],
            true,
            false,
            |(_, p)| p.clone(),
            |(d, _)| *d,
        );
        assert_eq!(kept.iter().map(|b| b.0).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(refused, ["3: value inf is not finite"]);
    }
}
