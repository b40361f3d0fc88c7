//! Trend and bottoming of a ratio series (e.g. ETH/BTC).

use lockstep_core::Date;
use lockstep_stats::{Indicator, Rsi, Sma};
use serde::Serialize;

use crate::util::{at_least, check_dates, check_len, ols_slope, segmented, swing_lows, within};
use crate::{Result, StructureError};

/// Trend of a ratio at its last date (see [`ratio_trend`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioTrend {
    /// Last date.
    pub date: Date,
    /// Last value of the ratio.
    pub last: f64,
    /// OLS slope of `ln(ratio)` on the day index over the last `slope_window` days, × 100:
    /// the trend in % per day (per observation).
    pub slope_pct_per_day: f64,
    /// `(last / ma − 1) · 100`.
    pub distance_from_ma_pct: f64,
    /// Simple moving average of the ratio over the last `ma_period` days.
    pub ma: f64,
    /// The moving-average period used.
    pub ma_period: usize,
    /// The slope window used.
    pub slope_window: usize,
}

fn check_positive(what: &'static str, x: &[f64], offset: usize) -> Result<()> {
    match x.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
        Some(i) => Err(StructureError::InvalidValue {
            what,
            index: offset + i,
            value: x[i],
        }),
        None => Ok(()),
    }
}

/// Trend of a ratio series (e.g. ETH/BTC) at its last date.
///
/// * `ma = SMA(ma)` of the ratio at the last date (default 200);
///   `distance_from_ma_pct = (last / ma − 1) · 100`.
/// * `slope_pct_per_day = 100 · β`, `β` the OLS slope of `ln(ratio_t)` on `t = 0, 1, …` over
///   the last `slope_window` days (default 30): the average growth in % per observation
///   (per calendar day for crypto, per trading day for exchange-traded series).
///
/// Errors: lengths differ, dates not increasing, `ma < 1` or `slope_window < 2`, fewer than
/// `max(ma, slope_window)` values (`InsufficientData`), or a value in those last
/// `max(ma, slope_window)` that is not finite and positive (`InvalidValue`).
pub fn ratio_trend(
    dates: &[Date],
    ratio: &[f64],
    ma: usize,
    slope_window: usize,
) -> Result<RatioTrend> {
    check_len("ratio", ratio.len(), dates.len())?;
    check_dates("dates", dates)?;
    at_least("ma", ma, 1, "must be at least 1")?;
    at_least(
        "slope_window",
        slope_window,
        2,
        "a slope needs at least 2 points",
    )?;
    let n = ratio.len();
    let need = ma.max(slope_window);
    if n < need {
        return Err(StructureError::InsufficientData {
            what: "ratio trend",
            needed: need,
            got: n,
        });
    }
    check_positive("ratio", &ratio[n - need..], n - need)?;
    let last = ratio[n - 1];
    let avg = Sma::new(ma)?.over(&ratio[n - ma..]).pop().flatten().ok_or(
        StructureError::InsufficientData {
            what: "ratio moving average",
            needed: ma,
            got: n,
        },
    )?;
    let logs: Vec<f64> = ratio[n - slope_window..].iter().map(|v| v.ln()).collect();
    let slope = ols_slope(&logs).ok_or(StructureError::InsufficientData {
        what: "ratio slope",
        needed: slope_window,
        got: n,
    })?;
    Ok(RatioTrend {
        date: dates[n - 1],
        last,
        slope_pct_per_day: slope * 100.0,
        distance_from_ma_pct: (last / avg - 1.0) * 100.0,
        ma: avg,
        ma_period: ma,
        slope_window,
    })
}

/// Parameters of [`bottoming_with`].
///
/// Defaults: `lookback = 365`, `rsi_period = 14`, `pivot = 5`, `min_rebound_pct = 5`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BottomingParams {
    /// Days (observations) of the low that `low1` must undercut, and the most days `low1` may
    /// lie before the last date. `>= 1`.
    pub lookback: usize,
    /// RSI period (Wilder, TA-Lib). `>= 1`.
    pub rsi_period: usize,
    /// Bars on each side of the second low's swing low. `>= 1`.
    pub pivot: usize,
    /// Least rebound from `low1`, in %, before the second low. Finite, `0 ..= 1000`.
    pub min_rebound_pct: f64,
}

impl Default for BottomingParams {
    fn default() -> Self {
        BottomingParams {
            lookback: 365,
            rsi_period: 14,
            pivot: 5,
            min_rebound_pct: 5.0,
        }
    }
}

/// A higher low after a new low, with a bullish RSI divergence (see [`bottoming_with`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottoming {
    /// The new `lookback`-day low.
    pub low1: (Date, f64),
    /// The higher low after the rebound.
    pub low2: (Date, f64),
    /// RSI of the ratio at `low1`.
    pub rsi1: f64,
    /// RSI of the ratio at `low2` (`> rsi1`).
    pub rsi2: f64,
    /// Highest value strictly between the two lows (the first on ties): the "neckline".
    pub rebound_high: (Date, f64),
    /// True when the last value is above `rebound_high` (the double bottom is confirmed).
    pub confirmed: bool,
}

/// [`bottoming_with`] with `lookback`, `rsi_period` given and the other parameters at their
/// defaults (`pivot = 5`, `min_rebound_pct = 5`).
pub fn bottoming(
    dates: &[Date],
    ratio: &[f64],
    lookback: usize,
    rsi_period: usize,
) -> Result<Option<Bottoming>> {
    bottoming_with(
        dates,
        ratio,
        &BottomingParams {
            lookback,
            rsi_period,
            ..BottomingParams::default()
        },
    )
}

/// Has the ratio "bottomed out"? A documented double-bottom test with bullish RSI divergence:
///
/// 1. **low1** at `i1`: the *last* day with `ratio_{i1} < min(ratio_{i1−lookback} ..
///    ratio_{i1−1})` (a new `lookback`-day low; needs `i1 >= lookback`), and at most
///    `lookback` days before the last date.
/// 2. **Rebound**: the first day `r > i1` with `ratio_r >= ratio_{i1} · (1 + min_rebound_pct/100)`.
/// 3. **low2** at `i2 > r`: the lowest confirmed swing low (strictly below the `pivot` values
///    before it, at or below the `pivot` values after it; the latest on ties), which must be
///    above `ratio_{i1}` (a higher low).
/// 4. **Divergence**: `RSI(rsi_period)` of the ratio defined at both lows and
///    `RSI_{i2} > RSI_{i1}`.
///
/// `Some` when all four hold, else `None` (including series shorter than `lookback + 1`).
/// `confirmed` = the last value is above the highest value between the two lows.
/// Errors: lengths differ, dates not increasing, invalid parameters, a ratio value that is not
/// finite and positive.
pub fn bottoming_with(
    dates: &[Date],
    ratio: &[f64],
    p: &BottomingParams,
) -> Result<Option<Bottoming>> {
    check_len("ratio", ratio.len(), dates.len())?;
    check_dates("dates", dates)?;
    at_least("lookback", p.lookback, 1, "must be at least 1")?;
    at_least("rsi_period", p.rsi_period, 1, "must be at least 1")?;
    at_least("pivot", p.pivot, 1, "must be at least 1")?;
    within(
        "min_rebound_pct",
        p.min_rebound_pct,
        0.0,
        1000.0,
        "must be in [0, 1000]",
    )?;
    check_positive("ratio", ratio, 0)?;
    let n = ratio.len();
    if n <= p.lookback {
        return Ok(None);
    }
    // 1. The last new lookback-day low, searched backwards within the last lookback days.
    let first = (n - 1).saturating_sub(p.lookback).max(p.lookback);
    let Some(i1) = (first..n).rev().find(|&i| {
        let prior = ratio[i - p.lookback..i]
            .iter()
            .fold(f64::INFINITY, |m, &v| m.min(v));
        ratio[i] < prior
    }) else {
        return Ok(None);
    };
    let low1 = ratio[i1];
    // 2. Rebound.
    let target = low1 * (1.0 + p.min_rebound_pct / 100.0);
    let Some(r) = (i1 + 1..n).find(|&i| ratio[i] >= target) else {
        return Ok(None);
    };
    // 3. Lowest swing low after the rebound (latest on ties).
    let Some(i2) = swing_lows(ratio, p.pivot, p.pivot)
        .into_iter()
        .filter(|&i| i > r)
        .fold(None, |best: Option<usize>, i| match best {
            Some(b) if ratio[b] < ratio[i] => Some(b),
            _ => Some(i),
        })
    else {
        return Ok(None);
    };
    if !(ratio[i2] > low1) {
        return Ok(None);
    }
    // 4. Divergence.
    let rsi = segmented(Rsi::new(p.rsi_period)?, ratio);
    let (Some(rsi1), Some(rsi2)) = (rsi[i1], rsi[i2]) else {
        return Ok(None);
    };
    if !(rsi2 > rsi1) {
        return Ok(None);
    }
    // Values before r are below the rebound target <= ratio_r: start the scan at r.
    let (hi, high) = (r + 1..i2).fold((r, ratio[r]), |(bi, bv), i| {
        if ratio[i] > bv {
            (i, ratio[i])
        } else {
            (bi, bv)
        }
    });
    Ok(Some(Bottoming {
        low1: (dates[i1], low1),
        low2: (dates[i2], ratio[i2]),
        rsi1,
        rsi2,
        rebound_high: (dates[hi], high),
        confirmed: ratio[n - 1] > high,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;

    #[test]
    fn trend_of_exponential() {
        let n = 250;
        let r: Vec<f64> = (0..n).map(|i| 0.05 * (0.001 * i as f64).exp()).collect();
        let t = ratio_trend(&days(n), &r, 200, 30).unwrap();
        assert!((t.slope_pct_per_day - 0.1).abs() < 1e-9, "{t:?}");
        assert_eq!(t.last, r[n - 1]);
        let ma = r[n - 200..].iter().sum::<f64>() / 200.0;
        assert!((t.ma - ma).abs() < 1e-12);
        assert!((t.distance_from_ma_pct - (r[n - 1] / ma - 1.0) * 100.0).abs() < 1e-9);
        assert!(t.distance_from_ma_pct > 0.0);
        assert_eq!(t.date, days(n)[n - 1]);
    }

    #[test]
    fn trend_errors() {
        let d = days(50);
        let r = vec![1.0; 50];
        assert!(matches!(
            ratio_trend(&d, &r, 200, 30),
            Err(StructureError::InsufficientData {
                needed: 200,
                got: 50,
                ..
            })
        ));
        let c = ratio_trend(&d, &r, 20, 30).unwrap();
        assert_eq!(c.slope_pct_per_day, 0.0);
        assert_eq!(c.distance_from_ma_pct, 0.0);
        let mut bad = r.clone();
        bad[45] = f64::NAN;
        assert!(matches!(
            ratio_trend(&d, &bad, 20, 30),
            Err(StructureError::InvalidValue { index: 45, .. })
        ));
        bad[45] = 1.0;
        bad[5] = -1.0; // outside the windows used: fine
        assert!(ratio_trend(&d, &bad, 20, 30).is_ok());
        assert!(ratio_trend(&d, &r, 20, 1).is_err());
        assert!(ratio_trend(&d, &r[..49], 20, 30).is_err());
        assert!(ratio_trend(&[], &[], 20, 30).is_err());
    }

    /// 400 days of slow decline 1.0 → 0.7, a sharp fall to 0.6 (low1 at index 410), a rebound
    /// to 0.7 (index 430), a choppy drift down to a higher low, then `end` rising days.
    fn double_bottom(second_low_step: (f64, f64), end: usize) -> Vec<f64> {
        let mut r: Vec<f64> = (0..=400).map(|i| 1.0 - 0.3 * i as f64 / 400.0).collect();
        r.extend((1..=10).map(|i| 0.7 - 0.01 * i as f64));
        r.extend((1..=20).map(|i| 0.6 + 0.005 * i as f64));
        let (down, up) = second_low_step;
        for _ in 0..10 {
            let x = *r.last().unwrap();
            r.push(x - down);
            let x = *r.last().unwrap();
            r.push(x + up);
        }
        let x = *r.last().unwrap();
        r.push(x - down);
        let low = *r.last().unwrap();
        r.extend((1..=end).map(|i| low + 0.004 * i as f64));
        r
    }

    #[test]
    fn bottoming_detected_and_confirmed() {
        let r = double_bottom((0.006, 0.0035), 30);
        let d = days(r.len());
        let b = bottoming(&d, &r, 365, 14)
            .unwrap()
            .expect("a double bottom");
        assert_eq!(b.low1.0, d[410]);
        assert!((b.low1.1 - 0.6).abs() < 1e-12);
        assert_eq!(b.low2.0, d[451]);
        assert!(b.low2.1 > b.low1.1);
        assert!(b.rsi2 > b.rsi1, "{b:?}");
        assert_eq!(b.rebound_high.0, d[430]);
        assert!(b.confirmed, "{b:?}");
        // Not yet above the neckline 0.7: unconfirmed.
        let r = double_bottom((0.006, 0.0035), 5);
        let b = bottoming(&days(r.len()), &r, 365, 14).unwrap().unwrap();
        assert!(!b.confirmed);
    }

    #[test]
    fn bottoming_rejections() {
        // Second low lower than the first: low1 moves to it, no rebound after → None.
        let r = double_bottom((0.02, 0.001), 30);
        assert!(bottoming(&days(r.len()), &r, 365, 14).unwrap().is_none());
        // Steady decline: the last day is the low, no rebound.
        let r: Vec<f64> = (0..500).map(|i| 1.0 - 0.001 * i as f64).collect();
        assert!(bottoming(&days(500), &r, 365, 14).unwrap().is_none());
        // Too short for the lookback; constant.
        assert!(bottoming(&days(100), &r[..100], 365, 14).unwrap().is_none());
        assert!(bottoming(&days(500), &[1.0; 500], 365, 14)
            .unwrap()
            .is_none());
        // Errors.
        let mut bad = r.clone();
        bad[3] = 0.0;
        assert!(bottoming(&days(500), &bad, 365, 14).is_err());
        assert!(bottoming(&days(500), &r, 0, 14).is_err());
        assert!(bottoming(&days(499), &r, 365, 14).is_err());
    }
}
