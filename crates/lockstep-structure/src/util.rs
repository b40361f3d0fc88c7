//! Private helpers shared by the modules.

use lockstep_core::{Date, PriceSeries};
use lockstep_stats::{Indicator, Macd, MacdPoint};

use crate::{Result, StructureError};

/// Run a scalar indicator over `xs`, resetting it at every non-finite input (which gives
/// `None`), so a NaN never poisons later values: the indicator warms up again after it.
/// Non-finite outputs (overflow) are reported as `None`.
pub(crate) fn segmented<I>(mut ind: I, xs: &[f64]) -> Vec<Option<f64>>
where
    I: Indicator<Input = f64, Output = f64>,
{
    xs.iter()
        .map(|&x| {
            if x.is_finite() {
                ind.next(x).filter(|v| v.is_finite())
            } else {
                ind.reset();
                None
            }
        })
        .collect()
}

/// [`segmented`] for MACD.
pub(crate) fn segmented_macd(mut ind: Macd, xs: &[f64]) -> Vec<Option<MacdPoint>> {
    xs.iter()
        .map(|&x| {
            if x.is_finite() {
                ind.next(x)
                    .filter(|p| p.macd.is_finite() && p.signal.is_finite() && p.hist.is_finite())
            } else {
                ind.reset();
                None
            }
        })
        .collect()
}

/// Check that `dates` strictly increase.
pub(crate) fn check_dates(what: &'static str, dates: &[Date]) -> Result<()> {
    for (i, w) in dates.windows(2).enumerate() {
        if w[1] <= w[0] {
            return Err(StructureError::DatesNotIncreasing {
                what,
                index: i + 1,
                date: w[1],
            });
        }
    }
    Ok(())
}

/// Check that an input has one value per date.
pub(crate) fn check_len(what: &'static str, got: usize, expected: usize) -> Result<()> {
    if got != expected {
        return Err(StructureError::LengthMismatch {
            what,
            got,
            expected,
        });
    }
    Ok(())
}

/// Check a series' invariants (equal lengths, increasing dates, finite prices).
pub(crate) fn check_series(s: &PriceSeries) -> Result<()> {
    s.validate().map_err(|e| StructureError::InvalidSeries {
        name: s.name.clone(),
        reason: e.to_string(),
    })
}

/// An invalid-parameter error.
pub(crate) fn bad(
    name: &'static str,
    value: impl std::fmt::Display,
    rule: &'static str,
) -> StructureError {
    StructureError::InvalidParameter {
        name,
        value: value.to_string(),
        rule,
    }
}

/// Require `value >= min` for a count parameter.
pub(crate) fn at_least(
    name: &'static str,
    value: usize,
    min: usize,
    rule: &'static str,
) -> Result<()> {
    if value < min {
        return Err(bad(name, value, rule));
    }
    Ok(())
}

/// Require a finite `value` within `[lo, hi]`.
pub(crate) fn within(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    rule: &'static str,
) -> Result<()> {
    if !(value.is_finite() && value >= lo && value <= hi) {
        return Err(bad(name, value, rule));
    }
    Ok(())
}

/// Indices of the swing highs of `x`: `x[i]` strictly greater than each of the `left` values
/// before it and greater than or equal to each of the `right` values after it; full windows
/// only (`left <= i < len − right`).
pub(crate) fn swing_highs(x: &[f64], left: usize, right: usize) -> Vec<usize> {
    swings(x, left, right, |a, b| a > b, |a, b| a >= b)
}

/// Indices of the swing lows of `x`: the mirror image of [`swing_highs`] (strictly lower than
/// the `left` values before, lower than or equal to the `right` values after).
pub(crate) fn swing_lows(x: &[f64], left: usize, right: usize) -> Vec<usize> {
    swings(x, left, right, |a, b| a < b, |a, b| a <= b)
}

fn swings(
    x: &[f64],
    left: usize,
    right: usize,
    before: impl Fn(f64, f64) -> bool,
    after: impl Fn(f64, f64) -> bool,
) -> Vec<usize> {
    let n = x.len();
    if n < left + right + 1 {
        return Vec::new();
    }
    (left..n - right)
        .filter(|&i| {
            x[i - left..i].iter().all(|&v| before(x[i], v))
                && x[i + 1..=i + right].iter().all(|&v| after(x[i], v))
        })
        .collect()
}

/// OLS slope of `y` on `0, 1, …, len − 1`; `None` with fewer than two points.
pub(crate) fn ols_slope(y: &[f64]) -> Option<f64> {
    let n = y.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = (nf - 1.0) / 2.0;
    let my = y.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (v - my);
        sxx += dx * dx;
    }
    let s = sxy / sxx;
    s.is_finite().then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_stats::Sma;

    #[test]
    fn swings_tie_rules() {
        // Plateau 3,3: the first bar of the plateau is the high (strict on the left, ≥ on the right).
        let x = [1.0, 2.0, 3.0, 3.0, 2.0, 1.0];
        assert_eq!(swing_highs(&x, 2, 2), vec![2]);
        let y: Vec<f64> = x.iter().map(|v| -v).collect();
        assert_eq!(swing_lows(&y, 2, 2), vec![2]);
        assert!(swing_highs(&x, 3, 3).is_empty());
        assert!(swing_highs(&[], 1, 1).is_empty());
    }

    #[test]
    fn segmented_recovers_after_nan() {
        let v = segmented(Sma::new(2).unwrap(), &[1.0, 3.0, f64::NAN, 5.0, 7.0]);
        assert_eq!(v, vec![None, Some(2.0), None, None, Some(6.0)]);
    }

    #[test]
    fn slope() {
        assert_eq!(ols_slope(&[1.0, 3.0, 5.0]), Some(2.0));
        assert_eq!(ols_slope(&[1.0]), None);
    }
}
