//! Lead-lag on returns cut into segments (the sessions of an exchange): cross-correlation
//! and Granger tests that never pair a return with one of another segment.
//!
//! Intraday returns exist only inside a session (the overnight and weekend gap is not a
//! return), so a lag of `k` bars must not reach across a session boundary. Returns are
//! given as arrays with `NaN` where there is no return (the first bar of a session, a bar
//! left out); a **segment** is a maximal run of consecutive finite returns of both legs.
//!
//! * [`segmented_cross_correlation`]: at lag `k`, Pearson over the pairs `(a[t], b[t-k])`
//!   with `t` and `t-k` in the same segment (two-pass, per-lag means: pandas
//!   `a.corr(b.groupby(segment).shift(k))`).
//! * [`segmented_granger`] / [`segmented_granger_scan`]: the Granger F test of
//!   [`granger`](fn@crate::granger) on the rows `t` whose lags `t-1 .. t-p` all lie in `t`'s
//!   segment (`nobs` = those rows; `F = ((SSR_r − SSR_u)/p) / (SSR_u/(nobs − 2p − 1))`);
//!   lag orders are compared on the rows valid for the largest order.
//! * [`segmented_rolling_best_lag`]: the rolling best lag of
//!   [`rolling_best_lag`](fn@crate::rolling_best_lag) over windows of the last `window`
//!   returns (a window may span segments), pairing only returns of one segment.

use crate::leadlag::{
    f_test, pearson_pairs, select_orders, BestLag, GrangerScan, GrangerTest, LagCorr, LagCriteria,
};
use crate::{ols, Result, StatsError};

const GRANGER: &str = "Granger causality test (within sessions)";

/// The segment of each position: `Some(id)` where both returns are finite, ids increasing
/// by one at each new run of finite values.
pub fn segments(a: &[f64], b: &[f64]) -> Vec<Option<usize>> {
    let mut id = 0;
    let mut prev = false;
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let ok = x.is_finite() && y.is_finite();
            let out = if ok {
                if !prev {
                    id += 1;
                }
                Some(id)
            } else {
                None
            };
            prev = ok;
            out
        })
        .collect()
}

fn check(a: &[f64], b: &[f64]) -> Result<()> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch(a.len(), b.len()));
    }
    Ok(())
}

/// Cross-correlation by lag within segments (see the module docs), lags `-max_lag ..=
/// max_lag`; `k > 0` means B leads A by `k` bars. `corr` is `None` with fewer than 2 pairs or
/// a constant side. Errors only when the lengths differ.
pub fn segmented_cross_correlation(a: &[f64], b: &[f64], max_lag: usize) -> Result<Vec<LagCorr>> {
    check(a, b)?;
    let seg = segments(a, b);
    let n = a.len() as i64;
    let l = max_lag as i64;
    Ok((-l..=l)
        .map(|k| {
            let pairs = (0..n)
                .filter(|&t| t - k >= 0 && t - k < n)
                .filter(|&t| {
                    let (t, u) = (t as usize, (t - k) as usize);
                    seg[t].is_some() && seg[t] == seg[u]
                })
                .map(|t| (a[t as usize], b[(t - k) as usize]));
            let (corr, used) = pearson_pairs(pairs);
            LagCorr {
                lag: k,
                corr,
                n: used,
            }
        })
        .collect())
}

/// The rows `t` whose lags `1..=p` lie in `t`'s segment.
fn rows(seg: &[Option<usize>], p: usize) -> Vec<usize> {
    (p..seg.len())
        .filter(|&t| seg[t].is_some() && (1..=p).all(|i| seg[t - i] == seg[t]))
        .collect()
}

/// OLS of `effect[t]` on `[1, effect[t-i], cause[t-i] (joint)]`, `i = 1..=p`, over `rows`.
fn regression(
    effect: &[f64],
    cause: &[f64],
    p: usize,
    rows: &[usize],
    joint: bool,
) -> Result<crate::OlsFit> {
    let y: Vec<f64> = rows.iter().map(|&t| effect[t]).collect();
    let ones = vec![1.0; rows.len()];
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for i in 1..=p {
        cols.push(rows.iter().map(|&t| effect[t - i]).collect());
    }
    if joint {
        for i in 1..=p {
            cols.push(rows.iter().map(|&t| cause[t - i]).collect());
        }
    }
    let mut refs: Vec<&[f64]> = vec![&ones];
    refs.extend(cols.iter().map(|c| c.as_slice()));
    ols(&y, &refs).map_err(|e| match e {
        StatsError::Collinear { column, .. } => StatsError::Collinear {
            what: "Granger causality regression within sessions",
            column,
        },
        e => e,
    })
}

fn test_on(effect: &[f64], cause: &[f64], p: usize, rows: &[usize]) -> Result<GrangerTest> {
    let need = 2 * p + 2;
    if rows.len() < need {
        return Err(StatsError::TooFewObservations {
            what: GRANGER,
            got: rows.len(),
            need,
        });
    }
    let restricted = regression(effect, cause, p, rows, false)?;
    let unrestricted = regression(effect, cause, p, rows, true)?;
    let y: Vec<f64> = rows.iter().map(|&t| effect[t]).collect();
    f_test(&y, &restricted, &unrestricted, p, GRANGER)
}

/// Granger F test of order `p` on the within-segment rows (see the module docs): does the
/// past of `cause` in the same session help predict `effect`?
pub fn segmented_granger(effect: &[f64], cause: &[f64], p: usize) -> Result<GrangerTest> {
    check(effect, cause)?;
    if p < 1 {
        return Err(StatsError::InvalidLag {
            what: GRANGER,
            lag: p,
            min: 1,
        });
    }
    let seg = segments(effect, cause);
    test_on(effect, cause, p, &rows(&seg, p))
}

/// [`segmented_granger`] for the orders `1..=max_lag`, each on its own rows, and the order
/// chosen by AIC and BIC on the rows valid for `max_lag` (ties: the smaller order).
pub fn segmented_granger_scan(
    effect: &[f64],
    cause: &[f64],
    max_lag: usize,
) -> Result<GrangerScan> {
    check(effect, cause)?;
    if max_lag < 1 {
        return Err(StatsError::InvalidLag {
            what: GRANGER,
            lag: max_lag,
            min: 1,
        });
    }
    let seg = segments(effect, cause);
    let tests = (1..=max_lag)
        .map(|p| test_on(effect, cause, p, &rows(&seg, p)))
        .collect::<Result<Vec<_>>>()?;
    let common = rows(&seg, max_lag);
    let criteria = (1..=max_lag)
        .map(|p| {
            let fit = regression(effect, cause, p, &common, true)?;
            Ok(LagCriteria {
                lag: p,
                aic: fit.aic(),
                bic: fit.bic(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (aic_lag, bic_lag) = select_orders(&criteria);
    Ok(GrangerScan {
        aic_lag,
        bic_lag,
        tests,
        criteria,
        selection_nobs: common.len(),
    })
}

/// Rolling best lag within segments: for each position `t` with a return, the lag in
/// `[-max_lag, max_lag]` at which A and B are most correlated over the window of the last
/// `window` positions with a return ending at `t` (a window may span segments; positions
/// without a return are in no window).
///
/// **Definition.** Let `W_t` be those positions. At lag `k` the pairs are `(a[s], b[s-k])`
/// with **both** `s` and `s-k` in `W_t` **and in the same segment** (for `k < 0`, `(a[s-|k|],
/// b[s])` likewise), so a pair never crosses a session boundary; without gaps this is
/// exactly [`rolling_best_lag`](fn@crate::rolling_best_lag). The correlation is Pearson
/// (two-pass, centered) over those pairs, a lag with fewer than 3 pairs or a constant side
/// is skipped; the best lag has the **largest** (signed) correlation, exact ties going to the
/// smallest `|k|`, then to the negative lag.
///
/// One entry per input position: `None` where there is no return, before `window` returns
/// have been seen, and where no lag has a defined correlation. O(n·L·window).
///
/// Errors: lengths differ; `window < max_lag + 3`.
pub fn segmented_rolling_best_lag(
    a: &[f64],
    b: &[f64],
    window: usize,
    max_lag: usize,
) -> Result<Vec<Option<BestLag>>> {
    check(a, b)?;
    if window < max_lag + 3 {
        return Err(StatsError::WindowTooShort {
            what: "rolling best lag within sessions",
            window,
            min: max_lag + 3,
        });
    }
    let seg = segments(a, b);
    let seg = seg.as_slice();
    let idx: Vec<usize> = (0..a.len()).filter(|&i| seg[i].is_some()).collect();
    let idx = idx.as_slice();
    let mut out = vec![None; a.len()];
    let l = max_lag as i64;
    for j in window.saturating_sub(1)..idx.len() {
        let first = idx[j + 1 - window];
        let t = idx[j];
        let mut best: Option<BestLag> = None;
        for k in -l..=l {
            let m = k.unsigned_abs() as usize;
            // Pairs (x[s], y[s - m]) with s - m >= first and both in one segment: for k >= 0
            // x = a, y = b; for k < 0 x = b, y = a (A's earlier return with B's later one).
            let (x, y) = if k >= 0 { (a, b) } else { (b, a) };
            let pairs = || {
                idx[j + 1 - window..=j]
                    .iter()
                    .copied()
                    .filter(move |&s| s >= first + m && seg[s - m] == seg[s])
                    .map(move |s| (x[s], y[s - m]))
            };
            let n = pairs().count();
            if n < 3 {
                continue;
            }
            let (mx, my) = pairs().fold((0.0, 0.0), |(p, q), (u, v)| (p + u, q + v));
            let (mx, my) = (mx / n as f64, my / n as f64);
            let (sxx, syy, sxy) = pairs().fold((0.0, 0.0, 0.0), |(p, q, r), (u, v)| {
                let (du, dv) = (u - mx, v - my);
                (p + du * du, q + dv * dv, r + du * dv)
            });
            if !(sxx > 0.0 && syy > 0.0) {
                continue;
            }
            let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
            let better = match best {
                None => true,
                Some(bl) => {
                    r > bl.corr
                        || (r == bl.corr
                            && (k.abs() < bl.lag.abs() || (k.abs() == bl.lag.abs() && k < bl.lag)))
                }
            };
            if better {
                best = Some(BestLag { lag: k, corr: r });
            }
        }
        out[t] = best;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    /// Sessions of `len` bars: NaN first return, then noise.
    fn sessions(n_sessions: usize, len: usize, seed: u64) -> Vec<f64> {
        let z = noise(n_sessions * len, seed);
        z.iter()
            .enumerate()
            .map(|(i, v)| if i % len == 0 { f64::NAN } else { *v })
            .collect()
    }

    #[test]
    fn the_rolling_best_lag_without_gaps_is_the_plain_one() {
        let a = noise(400, 3);
        let b = noise(400, 4);
        let plain = crate::rolling_best_lag(&a, &b, 40, 4).unwrap();
        let seg = segmented_rolling_best_lag(&a, &b, 40, 4).unwrap();
        assert_eq!(plain.len(), seg.len());
        for (p, s) in plain.iter().zip(&seg) {
            match (p, s) {
                (Some(p), Some(s)) => {
                    assert_eq!(p.lag, s.lag);
                    assert!((p.corr - s.corr).abs() < 1e-12, "{} {}", p.corr, s.corr);
                }
                (None, None) => {}
                _ => panic!("{p:?} {s:?}"),
            }
        }
        assert!(segmented_rolling_best_lag(&a, &b, 6, 4).is_err());
    }

    #[test]
    fn the_rolling_best_lag_finds_a_one_bar_delay_within_sessions() {
        // B leads A by one bar inside each session of 8 bars; across the session boundary
        // the lagged pair would be B's return of the previous session, which is excluded.
        let b = sessions(60, 8, 5);
        let z = noise(480, 6);
        let a: Vec<f64> = (0..480)
            .map(|i| {
                if i % 8 == 0 {
                    f64::NAN
                } else if i % 8 == 1 {
                    z[i]
                } else {
                    b[i - 1] + 0.2 * z[i]
                }
            })
            .collect();
        let best = segmented_rolling_best_lag(&a, &b, 35, 3).unwrap();
        assert!(best
            .iter()
            .enumerate()
            .all(|(i, x)| i % 8 != 0 || x.is_none()));
        let lags: Vec<i64> = best.iter().flatten().map(|x| x.lag).collect();
        assert!(!lags.is_empty());
        assert!(lags.iter().all(|&k| k == 1), "{lags:?}");
    }

    #[test]
    fn without_gaps_it_is_the_plain_computation() {
        let a = noise(300, 1);
        let b = noise(300, 2);
        let plain = crate::cross_correlation(&a, &b, 5).unwrap();
        let seg = segmented_cross_correlation(&a, &b, 5).unwrap();
        for (p, s) in plain.iter().zip(&seg) {
            assert_eq!(p.n, s.n);
            assert!((p.corr.unwrap() - s.corr.unwrap()).abs() < 1e-14);
        }
        let g = crate::granger(&a, &b, 2).unwrap();
        let s = segmented_granger(&a, &b, 2).unwrap();
        assert!((g.f - s.f).abs() < 1e-10 * g.f.max(1.0), "{} {}", g.f, s.f);
        assert_eq!(g.df_den, s.df_den);
    }

    #[test]
    fn a_one_bar_delay_is_found_and_no_pair_crosses_a_session() {
        // B leads A by one bar inside each session of 8 bars.
        let b = sessions(200, 8, 7);
        let mut a = vec![f64::NAN; b.len()];
        for t in 1..b.len() {
            if t % 8 >= 2 {
                a[t] = b[t - 1] + 0.1 * noise(1, t as u64)[0];
            }
        }
        let cc = segmented_cross_correlation(&a, &b, 3).unwrap();
        let best = cc
            .iter()
            .max_by(|x, y| x.corr.unwrap().partial_cmp(&y.corr.unwrap()).unwrap())
            .unwrap();
        assert_eq!(best.lag, 1);
        // Pairs at lag 1: 6 per session minus the first valid bar of A's run.
        let lag1 = cc.iter().find(|c| c.lag == 1).unwrap();
        assert_eq!(lag1.n, 200 * 5);
        let g = segmented_granger(&a, &b, 1).unwrap();
        assert!(g.p < 1e-50);
        let back = segmented_granger(&b, &a, 1).unwrap();
        assert!(back.p > 1e-3, "{back:?}");
    }
}
