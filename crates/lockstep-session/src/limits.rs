//! The limits of the pair pipeline's parameters, checked in one place for every front end:
//! the command's value parsers and the Python package's options apply the same rule and say
//! the same words (each front end names the parameter its own way: `--window`, `windows`).

/// A rolling window of `w >= 2` returns (a correlation needs two pairs).
pub fn window(w: u64) -> Result<u64, String> {
    if w < 2 {
        return Err("a window needs at least 2 returns".into());
    }
    Ok(w)
}

/// A list of windows names each window once; the error names the repeated one.
pub fn distinct_windows<T: PartialEq + std::fmt::Display>(ws: &[T]) -> Result<(), String> {
    match ws.iter().enumerate().find(|(i, x)| ws[..*i].contains(x)) {
        Some((_, dup)) => Err(format!("window {dup} is given twice")),
        None => Ok(()),
    }
}

/// A level or a decay strictly between 0 and 1 (confidence level, EWMA λ).
pub fn unit_interval(v: f64) -> Result<f64, String> {
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("{v} must lie strictly between 0 and 1"))
    }
}

/// The window of the rolling best lag, the divergence regression and the rate beta: `w >= 3`
/// returns (a regression with an intercept and a slope needs a residual).
pub fn lag_window(w: u64) -> Result<u64, String> {
    if w < 3 {
        return Err("the lag window needs 3 or more returns".into());
    }
    Ok(w)
}

/// The largest lag of the cross-correlation, the Granger tests and the rolling best lag:
/// 1 to [`MAX_LAG`].
pub fn max_lag(m: u64) -> Result<u64, String> {
    if !(1..=MAX_LAG).contains(&m) {
        return Err(format!("the largest lag is 1 to {MAX_LAG}"));
    }
    Ok(m)
}

/// The largest `max_lag` accepted.
pub const MAX_LAG: u64 = 60;

/// The number of bootstrap resamples: 0 (no bootstrap) or 2 and more.
pub fn bootstrap(n: u64) -> Result<u64, String> {
    if n == 1 {
        return Err("1 resample gives no interval: use 0 (off) or 2 and more".into());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_their_words() {
        assert_eq!(window(2), Ok(2));
        assert_eq!(window(1).unwrap_err(), "a window needs at least 2 returns");
        assert_eq!(distinct_windows(&[30, 60, 90]), Ok(()));
        assert_eq!(
            distinct_windows(&[30, 60, 30]).unwrap_err(),
            "window 30 is given twice"
        );
        assert_eq!(unit_interval(0.95), Ok(0.95));
        for bad in [0.0, 1.0, 1.5, -0.1, f64::NAN] {
            assert!(unit_interval(bad)
                .unwrap_err()
                .contains("strictly between 0 and 1"));
        }
        assert_eq!(lag_window(3), Ok(3));
        assert!(lag_window(2).is_err());
        assert_eq!(max_lag(60), Ok(60));
        assert!(max_lag(0).is_err() && max_lag(61).is_err());
        assert_eq!(bootstrap(0), Ok(0));
        assert_eq!(bootstrap(2), Ok(2));
        assert!(bootstrap(1).is_err());
    }
}
