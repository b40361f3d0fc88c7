//! The automatic block length of Politis and White (2004), with the correction of Patton,
//! Politis and White (2009), for the stationary and the circular block bootstrap
//! ([`optimal_block_length`]): `arch.bootstrap.optimal_block_length`, convention for
//! convention.

use crate::{Result, StatsError};

/// The estimated optimal expected block lengths of one series (see [`optimal_block_length`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BlockLength {
    /// For the stationary bootstrap (Politis and Romano 1994): the mean of its geometric block
    /// lengths, `1/p`.
    pub stationary: f64,
    /// For the circular block bootstrap.
    pub circular: f64,
    /// The bandwidth `m` of the flat-top kernel that was used.
    pub m: usize,
}

/// Politis–White optimal block length of a series, with the Patton–Politis–White (2009)
/// correction, computed as `arch.bootstrap.optimal_block_length(x)` does (arch 8.0; every
/// convention below is arch's, so the values agree to rounding, tested to 1e-8):
///
/// ```text
/// ε_t = x_t − x̄,   γ̂_k = n⁻¹ Σ_{t=k}^{n−1} ε_t ε_{t−k}
/// ρ̂_k = |Σ_{t=k}^{n−1} ε_t ε_{t−k}| / √(Σ_{t=k+1}^{n−1} ε_t² · Σ_{t=0}^{n−k−2} ε_t²)
/// K_n = max(5, ⌊log₁₀ n⌋),   m_max = ⌈√n⌉ + K_n,   c = 2√(log₁₀ n / n)
/// m̂ = the first i − K_n (i = K_n … m_max) with ρ̂_{i−K_n} … ρ̂_{i−1} all < c
/// m = min(2·max(m̂, 1), m_max), or m_max when there is no such i
/// λ(s) = 1 for s ≤ ½, 2(1 − s) above (the flat-top kernel), s = k/m
/// G = Σ_{k=1}^{m} 2λ(k/m) k γ̂_k,   σ̂² = γ̂₀ + Σ_{k=1}^{m} 2λ(k/m) γ̂_k
/// b_SB = (2G²/(2σ̂⁴))^{1/3} n^{1/3},   b_CB = (2G²/((4/3)σ̂⁴))^{1/3} n^{1/3}
/// both capped at b_max = ⌈min(3√n, n/3)⌉; not rounded
/// ```
///
/// arch's own quirks are kept: the denominators of `ρ̂_k` are the sums over `k + 1` shifted
/// windows (one term fewer than the numerator), the first window of `K_n` lags tested
/// includes lag 0 (never small, so in effect lags from 1). arch computes every lag up to
/// `m_max`; only lags up to `m` enter the result, so the loop stops there (same values, cost
/// `O(n·m)`). A lag whose denominator is 0 counts as not small.
///
/// The block length can be below 1 (no measurable dependence, G ≈ 0): a bootstrap then uses
/// blocks of length 1 (see [`crate::StationaryBootstrap`]).
///
/// `None` when the series is constant (σ̂² = 0). Errors with fewer than 8 observations (arch
/// needs `m_max ≤ n`) and on NaN or infinite values.
pub fn optimal_block_length(x: &[f64]) -> Result<Option<BlockLength>> {
    const WHAT: &str = "optimal block length";
    let n = x.len();
    if n < 8 {
        return Err(StatsError::TooFewObservations {
            what: WHAT,
            got: n,
            need: 8,
        });
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: WHAT,
            index: i,
        });
    }
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    let eps: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let b_max = (3.0 * nf.sqrt()).min(nf / 3.0).ceil();
    let kn = 5usize.max(nf.log10() as usize);
    let m_max = nf.sqrt().ceil() as usize + kn;
    let cv = 2.0 * (nf.log10() / nf).sqrt();
    let sq = |s: &[f64]| s.iter().map(|v| v * v).sum::<f64>();
    let mut acv = vec![0.0; m_max + 1];
    let mut small = vec![false; m_max + 1];
    let mut opt_m = None;
    for i in 0..=m_max {
        let v1 = if i + 1 < n { sq(&eps[i + 1..]) } else { 0.0 };
        let v2 = if i + 1 < n {
            sq(&eps[..n - i - 1])
        } else {
            0.0
        };
        let cross: f64 = eps[i..].iter().zip(&eps[..n - i]).map(|(a, b)| a * b).sum();
        acv[i] = cross / nf;
        let den = (v1 * v2).sqrt();
        // NaN or infinite when den is 0: not small, as in arch (NaN < cv is false).
        small[i] = cross.abs() / den < cv;
        if i >= kn && opt_m.is_none() && small[i - kn..i].iter().all(|s| *s) {
            opt_m = Some(i - kn);
        }
        // The lags past the kernel's bandwidth are never read: once m̂ is known, stop at
        // m = 2·max(m̂, 1) (the values are the same as computing every lag up to m_max, and
        // the cost is O(n·m) instead of O(n^1.5)).
        if let Some(o) = opt_m {
            if i >= (2 * o.max(1)).min(m_max) {
                break;
            }
        }
    }
    let m = match opt_m {
        Some(o) => 2 * o.max(1),
        None => m_max,
    }
    .min(m_max);
    let (mut g, mut lr) = (0.0, acv[0]);
    for (k, a) in acv.iter().enumerate().take(m + 1).skip(1) {
        let s = k as f64 / m as f64;
        let lam = if s <= 0.5 { 1.0 } else { 2.0 * (1.0 - s) };
        g += 2.0 * lam * k as f64 * a;
        lr += 2.0 * lam * a;
    }
    let d_sb = 2.0 * lr * lr;
    let d_cb = 4.0 / 3.0 * lr * lr;
    let n3 = nf.powf(1.0 / 3.0);
    let b_sb = ((2.0 * g * g) / d_sb).powf(1.0 / 3.0) * n3;
    let b_cb = ((2.0 * g * g) / d_cb).powf(1.0 / 3.0) * n3;
    if !(b_sb.is_finite() && b_cb.is_finite()) {
        return Ok(None);
    }
    Ok(Some(BlockLength {
        stationary: b_sb.min(b_max),
        circular: b_cb.min(b_max),
        m,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

    #[test]
    fn ar1_needs_longer_blocks_than_noise() {
        let e = noise(2000, 3);
        let mut ar = vec![0.0; 2000];
        for t in 1..2000 {
            ar[t] = 0.8 * ar[t - 1] + e[t];
        }
        let white = optimal_block_length(&e).unwrap().unwrap();
        let dep = optimal_block_length(&ar).unwrap().unwrap();
        assert!(white.stationary < 3.0, "{white:?}");
        assert!(dep.stationary > 10.0, "{dep:?}");
        assert!(dep.circular > dep.stationary);
        assert!(dep.stationary <= (3.0 * 2000f64.sqrt()).ceil());
    }

    #[test]
    fn undefined_and_invalid() {
        assert_eq!(optimal_block_length(&[1.0; 50]).unwrap(), None);
        assert!(optimal_block_length(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]).is_err());
        let mut x = noise(20, 1);
        assert!(optimal_block_length(&x).unwrap().is_some());
        x[4] = f64::NAN;
        assert!(matches!(
            optimal_block_length(&x),
            Err(StatsError::NonFinite { index: 4, .. })
        ));
    }
}
