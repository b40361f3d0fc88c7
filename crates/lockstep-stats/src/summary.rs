//! Summaries of a statistic's history, as the report states them.

/// Percentile rank of `value` within `history` (the defined values of a statistic so far, the
/// value itself included): the share of values `<= value`, in percent (0..=100). `None` for an
/// empty history. Ties count as below-or-equal (pandas `rank(pct=True, method="max")`).
pub fn percentile_rank(history: &[f64], value: f64) -> Option<f64> {
    if history.is_empty() {
        return None;
    }
    let below = history.iter().filter(|&&h| h <= value).count();
    Some(100.0 * below as f64 / history.len() as f64)
}

/// Share of `history` strictly above `threshold`, as a fraction in [0, 1] (`None` if empty).
pub fn share_above(history: &[f64], threshold: f64) -> Option<f64> {
    if history.is_empty() {
        return None;
    }
    Some(history.iter().filter(|&&h| h > threshold).count() as f64 / history.len() as f64)
}

/// Smallest value and its index (the first one on ties).
pub fn min_with_index(values: &[f64]) -> Option<(usize, f64)> {
    values
        .iter()
        .copied()
        .enumerate()
        .fold(None, |best, (i, v)| match best {
            Some((_, b)) if b <= v => best,
            _ => Some((i, v)),
        })
}

/// Largest value and its index (the first one on ties).
pub fn max_with_index(values: &[f64]) -> Option<(usize, f64)> {
    values
        .iter()
        .copied()
        .enumerate()
        .fold(None, |best, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
}

/// Plain-words strength of a correlation `r`:
///
/// | r                | label                |
/// |------------------|----------------------|
/// | r > 0.5          | strong positive      |
/// | 0.3 < r ≤ 0.5    | moderate positive    |
/// | 0.1 < r ≤ 0.3    | weak positive        |
/// | -0.1 ≤ r ≤ 0.1   | no meaningful link   |
/// | -0.3 ≤ r < -0.1  | weak negative        |
/// | -0.5 ≤ r < -0.3  | moderate negative    |
/// | r < -0.5         | strong negative      |
///
/// The 0.5 line is the analysts' "moving in lockstep" threshold.
pub fn strength_label(r: f64) -> &'static str {
    if r > 0.5 {
        "strong positive"
    } else if r > 0.3 {
        "moderate positive"
    } else if r > 0.1 {
        "weak positive"
    } else if r >= -0.1 {
        "no meaningful link"
    } else if r >= -0.3 {
        "weak negative"
    } else if r >= -0.5 {
        "moderate negative"
    } else {
        "strong negative"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let h = [0.2, 0.6, 0.4, 0.6];
        assert_eq!(percentile_rank(&h, 0.6), Some(100.0));
        assert_eq!(percentile_rank(&h, 0.4), Some(50.0));
        assert_eq!(share_above(&h, 0.5), Some(0.5));
        assert_eq!(min_with_index(&h), Some((0, 0.2)));
        assert_eq!(max_with_index(&h), Some((1, 0.6)));
        assert_eq!(percentile_rank(&[], 0.1), None);
        assert_eq!(strength_label(0.51), "strong positive");
        assert_eq!(strength_label(0.5), "moderate positive");
        assert_eq!(strength_label(-0.05), "no meaningful link");
        assert_eq!(strength_label(-0.6), "strong negative");
    }
}
