//! Relative strength of one series against another, and market breadth of a basket.

use lockstep_core::{Date, PriceSeries};
use lockstep_stats::Sma;
use serde::Serialize;

use crate::util::{at_least, check_dates, check_len, check_series, segmented};
use crate::{Result, StructureError};

/// One day of a relative-strength ratio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsPoint {
    /// Date.
    pub date: Date,
    /// `a / b`.
    pub ratio: f64,
    /// SMA of the ratio (`None` during the warm-up).
    pub ma: Option<f64>,
}

/// Reading of a relative-strength ratio against its moving average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RsTrend {
    /// Ratio above its MA and the MA rising: `a` outperforms `b`.
    Outperforming,
    /// Ratio below its MA and the MA falling: `a` underperforms `b`.
    Underperforming,
    /// Anything else (above a falling MA, below a rising one, or exactly on a flat one).
    Mixed,
}

/// Relative strength of `a` against `b` (see [`relative_strength`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelativeStrength {
    /// Every date with a defined ratio, oldest first.
    pub points: Vec<RsPoint>,
    /// Last date with a defined ratio.
    pub date: Date,
    /// Ratio on that date.
    pub last: f64,
    /// MA of the ratio on that date.
    pub ma: Option<f64>,
    /// `(last / ma − 1) · 100`.
    pub distance_from_ma_pct: Option<f64>,
    /// `(MA_t / MA_{t−s} − 1) · 100`, `s = max(1, ma_period / 5)` points (10 for a 50-day MA).
    pub ma_slope_pct: Option<f64>,
    /// Outperforming, underperforming or mixed; `None` while the MA slope is undefined.
    pub trend: Option<RsTrend>,
}

/// Relative strength of `a` against `b`: the ratio `a / b` and its trend against its
/// moving average (e.g. small caps IWM/SPY, equal weight RSP/SPY).
///
/// * `ratio_t = a_t / b_t` on each date where both are finite and positive; other dates are
///   skipped (no point), and the MA runs over the defined points only (a gap shortens nothing:
///   the window is the last `ma` defined ratios).
/// * `MA = SMA(ma)` of the ratio (default 50); `distance_from_ma_pct = (last / MA − 1) · 100`;
///   `ma_slope_pct = (MA_t / MA_{t−s} − 1) · 100` with `s = max(1, ma / 5)` points.
/// * `trend`: `Outperforming` when `last > MA` and `ma_slope_pct > 0`; `Underperforming` when
///   `last < MA` and `ma_slope_pct < 0`; `Mixed` otherwise.
///
/// Errors: lengths differ, dates not increasing, `ma < 1`, no date with a defined ratio
/// (`InsufficientData`).
pub fn relative_strength(
    dates: &[Date],
    a: &[f64],
    b: &[f64],
    ma: usize,
) -> Result<RelativeStrength> {
    check_len("a", a.len(), dates.len())?;
    check_len("b", b.len(), dates.len())?;
    check_dates("dates", dates)?;
    at_least("ma", ma, 1, "must be at least 1")?;
    let ok = |v: f64| v.is_finite() && v > 0.0;
    let raw: Vec<(Date, f64)> = (0..dates.len())
        .filter(|&i| ok(a[i]) && ok(b[i]))
        .map(|i| (dates[i], a[i] / b[i]))
        .filter(|(_, r)| ok(*r))
        .collect();
    let Some(&(date, last)) = raw.last() else {
        return Err(StructureError::InsufficientData {
            what: "relative strength (dates where both series are positive)",
            needed: 1,
            got: 0,
        });
    };
    let ratios: Vec<f64> = raw.iter().map(|p| p.1).collect();
    let mas = segmented(Sma::new(ma)?, &ratios);
    let points: Vec<RsPoint> = raw
        .iter()
        .zip(&mas)
        .map(|(&(date, ratio), &ma)| RsPoint { date, ratio, ma })
        .collect();
    let n = points.len();
    let s = (ma / 5).max(1);
    let last_ma = mas[n - 1];
    let slope = match (last_ma, n.checked_sub(1 + s).and_then(|i| mas[i])) {
        (Some(now), Some(then)) if then > 0.0 => Some((now / then - 1.0) * 100.0),
        _ => None,
    };
    let trend = match (last_ma, slope) {
        (Some(m), Some(sl)) => Some(if last > m && sl > 0.0 {
            RsTrend::Outperforming
        } else if last < m && sl < 0.0 {
            RsTrend::Underperforming
        } else {
            RsTrend::Mixed
        }),
        _ => None,
    };
    Ok(RelativeStrength {
        points,
        date,
        last,
        ma: last_ma,
        distance_from_ma_pct: last_ma.map(|m| (last / m - 1.0) * 100.0),
        ma_slope_pct: slope,
        trend,
    })
}

/// Breadth of a basket on one date of the grid (see [`breadth`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreadthPoint {
    /// Grid date.
    pub date: Date,
    /// Share (0..=1) of the constituents counted in `counted_50` whose close is strictly above
    /// their own SMA(50); `None` when none is counted.
    pub above_50: Option<f64>,
    /// Same with SMA(200).
    pub above_200: Option<f64>,
    /// Constituents with a close on this date and a defined SMA(50).
    pub counted_50: usize,
    /// Constituents with a close on this date and a defined SMA(200).
    pub counted_200: usize,
    /// Constituents whose close rose since the previous grid date.
    pub advances: usize,
    /// Constituents whose close fell since the previous grid date.
    pub declines: usize,
    /// Cumulative `advances − declines` since the first grid date.
    pub ad_line: i64,
}

/// Market breadth of a basket of constituents on a grid of dates.
///
/// For each constituent, `SMA(50)` and `SMA(200)` of its own closes over its *own*
/// observations (TA-Lib SMA: defined from its 50th / 200th observation). On each grid date:
///
/// * **Missing dates**: a constituent counts on a grid date only if it has an observation on
///   exactly that date (no forward fill); grid dates it lacks leave its averages untouched.
/// * `above_50 = #{close > SMA50} / #{close and SMA50 defined}` (`None` when the denominator
///   is 0), likewise `above_200`; both in `[0, 1]`.
/// * `advances` / `declines`: constituents with a close on both this and the previous grid
///   date, higher / lower than on the previous grid date (unchanged counts as neither; the
///   first grid date has none).
/// * `ad_line_t = Σ_{s <= t} (advances_s − declines_s)`.
///
/// Errors: grid dates not increasing, a constituent that fails `PriceSeries::validate`.
/// An empty grid gives an empty result; no constituent gives zero counts and `None` shares.
pub fn breadth(constituents: &[&PriceSeries], dates_grid: &[Date]) -> Result<Vec<BreadthPoint>> {
    check_dates("dates_grid", dates_grid)?;
    let g = dates_grid.len();
    let mut above = vec![[0usize; 2]; g];
    let mut counted = vec![[0usize; 2]; g];
    let mut adv = vec![0usize; g];
    let mut dec = vec![0usize; g];
    for s in constituents {
        check_series(s)?;
        let smas = [
            segmented(Sma::new(50)?, &s.price),
            segmented(Sma::new(200)?, &s.price),
        ];
        // Index of the constituent's observation on each grid date (merge walk).
        let mut on_grid: Vec<Option<usize>> = vec![None; g];
        let mut j = 0;
        for (k, d) in dates_grid.iter().enumerate() {
            while j < s.dates.len() && s.dates[j] < *d {
                j += 1;
            }
            if j < s.dates.len() && s.dates[j] == *d {
                on_grid[k] = Some(j);
            }
        }
        for k in 0..g {
            let Some(i) = on_grid[k] else { continue };
            let close = s.price[i];
            for (w, sma) in smas.iter().enumerate() {
                if let Some(m) = sma[i] {
                    counted[k][w] += 1;
                    if close > m {
                        above[k][w] += 1;
                    }
                }
            }
            if let Some(prev) = k.checked_sub(1).and_then(|p| on_grid[p]) {
                let before = s.price[prev];
                if close > before {
                    adv[k] += 1;
                } else if close < before {
                    dec[k] += 1;
                }
            }
        }
    }
    let share = |a: usize, c: usize| (c > 0).then(|| a as f64 / c as f64);
    let mut ad_line = 0i64;
    Ok((0..g)
        .map(|k| {
            ad_line += adv[k] as i64 - dec[k] as i64;
            BreadthPoint {
                date: dates_grid[k],
                above_50: share(above[k][0], counted[k][0]),
                above_200: share(above[k][1], counted[k][1]),
                counted_50: counted[k][0],
                counted_200: counted[k][1],
                advances: adv[k],
                declines: dec[k],
                ad_line,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;

    #[test]
    fn relative_strength_trend() {
        let n = 120;
        let d = days(n);
        let b = vec![100.0; n];
        let up: Vec<f64> = (0..n).map(|i| 50.0 + i as f64 * 0.1).collect();
        let rs = relative_strength(&d, &up, &b, 50).unwrap();
        assert_eq!(rs.points.len(), n);
        assert_eq!(rs.trend, Some(RsTrend::Outperforming));
        assert!(rs.distance_from_ma_pct.unwrap() > 0.0);
        assert!(rs.points[48].ma.is_none() && rs.points[49].ma.is_some());
        let down: Vec<f64> = up.iter().rev().copied().collect();
        let rs = relative_strength(&d, &down, &b, 50).unwrap();
        assert_eq!(rs.trend, Some(RsTrend::Underperforming));
        // Short: no MA, no trend, no error.
        let rs = relative_strength(&d[..10], &up[..10], &b[..10], 50).unwrap();
        assert_eq!((rs.ma, rs.trend), (None, None));
        // Gaps (NaN, zero) are skipped.
        let mut gappy = up.clone();
        gappy[5] = f64::NAN;
        gappy[6] = 0.0;
        let rs = relative_strength(&d, &gappy, &b, 50).unwrap();
        assert_eq!(rs.points.len(), n - 2);
        assert!(relative_strength(&d, &[f64::NAN; 120], &b, 50).is_err());
        assert!(relative_strength(&d, &up, &b[..5], 50).is_err());
        assert!(relative_strength(&d, &up, &b, 0).is_err());
    }

    fn series(name: &str, dates: Vec<Date>, price: Vec<f64>) -> PriceSeries {
        PriceSeries::new(name, dates, price).unwrap()
    }

    #[test]
    fn breadth_counts() {
        let n = 260;
        let d = days(n);
        let rising = series("up", d.clone(), (0..n).map(|i| 10.0 + i as f64).collect());
        let falling = series(
            "down",
            d.clone(),
            (0..n).map(|i| 1000.0 - i as f64).collect(),
        );
        // Flat and missing every other day after day 100.
        let (fd, fp): (Vec<Date>, Vec<f64>) = (0..n)
            .filter(|&i| i < 100 || i % 2 == 0)
            .map(|i| (d[i], 5.0))
            .unzip();
        let flat = series("flat", fd, fp);
        let b = breadth(&[&rising, &falling, &flat], &d).unwrap();
        assert_eq!(b.len(), n);
        assert_eq!(b[0].advances + b[0].declines, 0);
        assert_eq!(b[0].above_50, None);
        // Day 49: all three have an SMA50; only "up" is above it (flat equals its average).
        assert_eq!(b[49].counted_50, 3);
        assert_eq!(b[49].above_50, Some(1.0 / 3.0));
        // Flat has only 150 observations by day 199 (none of its own SMA200 yet): two counted.
        assert_eq!((b[199].counted_200, b[199].above_200), (2, Some(0.5)));
        assert_eq!(b[198].above_200, None);
        // Day 201 (odd, after 100): flat is missing, so only two are counted.
        assert_eq!(b[201].counted_50, 2);
        assert_eq!(b[201].above_50, Some(0.5));
        // One advance and one decline every day: the A/D line stays at 0.
        assert!(b.iter().skip(1).all(|p| p.advances == 1 && p.declines == 1));
        assert!(b.iter().all(|p| p.ad_line == 0));
        // Only rising: the A/D line counts days.
        let b = breadth(&[&rising], &d).unwrap();
        assert_eq!(b[n - 1].ad_line, n as i64 - 1);
    }

    #[test]
    fn breadth_edges() {
        let d = days(10);
        assert!(breadth(&[], &d)
            .unwrap()
            .iter()
            .all(|p| p.above_50.is_none()));
        assert!(breadth(&[], &[]).unwrap().is_empty());
        let mut rev = d.clone();
        rev.reverse();
        assert!(breadth(&[], &rev).is_err());
        // Grid dates outside the constituent's range: simply not counted.
        let s = series("x", d[..3].to_vec(), vec![1.0, 2.0, 3.0]);
        let b = breadth(&[&s], &d).unwrap();
        assert_eq!(b[1].advances, 1);
        assert!(b[5..].iter().all(|p| p.advances == 0 && p.declines == 0));
    }
}
