//! Return statistics of a series of simple period returns, following empyrical's
//! conventions (and quantstats' where they agree; differences are noted).

use serde::Serialize;

/// Return-based statistics of simple period returns `r_1 … r_n` (see [`return_stats`]).
///
/// Drawdown positions index the equity points `E_0 = 1, E_k = Π_{j≤k} (1 + r_j)`, so `0` is
/// the starting point before the first return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnStats {
    /// Number of return periods `n`.
    pub periods: usize,
    /// `Π (1 + r) − 1`.
    pub total_return: Option<f64>,
    /// `(1 + total)^(ppy / n) − 1`.
    pub cagr: Option<f64>,
    /// `std(r, ddof = 1) · √ppy`.
    pub volatility: Option<f64>,
    /// `mean(r) / std(r, ddof = 1) · √ppy` (risk-free rate 0).
    pub sharpe: Option<f64>,
    /// `mean(r) · √ppy / √(mean(min(r, 0)²))`.
    pub sortino: Option<f64>,
    /// `min_k (E_k / max_{j≤k} E_j − 1)`, `≤ 0`.
    pub max_drawdown: Option<f64>,
    /// `CAGR / |max drawdown|`.
    pub calmar: Option<f64>,
    /// Equity point of the peak before the deepest drawdown (`None` without a drawdown).
    pub drawdown_peak: Option<usize>,
    /// Equity point of the trough.
    pub drawdown_trough: Option<usize>,
    /// First equity point after the trough back at or above the peak (`None` if never).
    pub drawdown_recovery: Option<usize>,
}

/// Statistics of the simple period returns `r` with `ppy` periods per year (365 for an asset
/// trading every calendar day, 252 for exchange days; the caller chooses and states it).
///
/// Formulas (`n` = number of returns; every field is `None` when undefined):
/// * total return `= Π (1 + r_t) − 1` (`n ≥ 1`);
/// * CAGR `= (1 + total)^(ppy / n) − 1` — empyrical `annual_return` (years = `n / ppy`);
///   quantstats 0.0.86 `cagr(periods = ppy)` agrees (older quantstats releases counted
///   calendar years between the first and last date instead). `None` when `1 + total ≤ 0`;
/// * annualized volatility `= std(r, ddof = 1) · √ppy` (`n ≥ 2`) — empyrical
///   `annual_volatility`, quantstats `volatility`;
/// * Sharpe `= mean(r) / std(r, ddof = 1) · √ppy` with risk-free rate 0 (`None` when all
///   returns are equal) — empyrical `sharpe_ratio`, quantstats `sharpe`;
/// * Sortino `= mean(r) · √ppy / DD`, `DD = √(Σ min(r_t, 0)² / n)` over *all* periods (the
///   empyrical `sortino_ratio` / `downside_risk` convention, also quantstats'); `None` when
///   no return is negative (empyrical returns `inf`);
/// * max drawdown `= min_k (E_k / max_{j≤k} E_j − 1)` over the equity points including the
///   starting `E_0 = 1` (empyrical `max_drawdown` also starts from the initial value, and
///   so does quantstats 0.0.86 with its "phantom baseline"; older quantstats releases
///   started from `E_1`, missing a loss on the first period);
/// * Calmar `= CAGR / |max drawdown|` (`None` when the max drawdown is 0) — empyrical
///   `calmar_ratio`.
pub fn return_stats(returns: &[f64], ppy: f64) -> ReturnStats {
    let n = returns.len();
    let mut s = ReturnStats {
        periods: n,
        total_return: None,
        cagr: None,
        volatility: None,
        sharpe: None,
        sortino: None,
        max_drawdown: None,
        calmar: None,
        drawdown_peak: None,
        drawdown_trough: None,
        drawdown_recovery: None,
    };
    if n == 0 {
        return s;
    }
    let nf = n as f64;
    let growth: f64 = returns.iter().map(|r| 1.0 + r).product();
    s.total_return = Some(growth - 1.0);
    if growth > 0.0 {
        s.cagr = Some(growth.powf(ppy / nf) - 1.0).filter(|v| v.is_finite());
    }
    let mean = returns.iter().sum::<f64>() / nf;
    if n >= 2 {
        let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (nf - 1.0);
        let sd = var.sqrt();
        s.volatility = Some(sd * ppy.sqrt());
        if returns.iter().any(|&r| r != returns[0]) && sd > 0.0 {
            s.sharpe = Some(mean / sd * ppy.sqrt());
        }
    }
    let down = (returns.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / nf).sqrt();
    if down > 0.0 {
        s.sortino = Some(mean * ppy.sqrt() / down);
    }
    // Drawdown over the equity points E_0 = 1, E_k.
    let mut equity = 1.0;
    let mut peak = 1.0;
    let mut peak_at = 0;
    let mut worst = 0.0;
    let mut worst_at = (0, 0);
    let mut points = Vec::with_capacity(n + 1);
    points.push(1.0);
    for (k, r) in returns.iter().enumerate() {
        equity *= 1.0 + r;
        points.push(equity);
        if equity > peak {
            peak = equity;
            peak_at = k + 1;
        }
        let dd = equity / peak - 1.0;
        if dd < worst {
            worst = dd;
            worst_at = (peak_at, k + 1);
        }
    }
    s.max_drawdown = Some(worst);
    if worst < 0.0 {
        let (p, t) = worst_at;
        s.drawdown_peak = Some(p);
        s.drawdown_trough = Some(t);
        s.drawdown_recovery = (t + 1..points.len()).find(|&k| points[k] >= points[p]);
        s.calmar = s.cagr.map(|c| c / worst.abs());
    }
    s
}

/// Drawdown of each equity point: `E_k / max_{j≤k} E_j − 1` with the running maximum
/// starting at `max(1, E_0)`.
pub(crate) fn drawdowns(equity: &[f64]) -> Vec<f64> {
    let mut peak: f64 = 1.0;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            e / peak - 1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn hand_computed_series() {
        // r = [0.10, −0.05, 0.02, −0.10, 0.08], ppy = 252.
        let r = [0.10, -0.05, 0.02, -0.10, 0.08];
        let s = return_stats(&r, 252.0);
        // Equity: 1 → 1.1 → 1.045 → 1.0659 → 0.95931 → 1.0360548.
        let total = 1.1 * 0.95 * 1.02 * 0.9 * 1.08 - 1.0;
        assert!(close(s.total_return.unwrap(), total));
        assert!(close(total, 0.0360548));
        // CAGR = 1.0360548^(252/5) − 1.
        assert!(close(s.cagr.unwrap(), 1.0360548f64.powf(50.4) - 1.0));
        // mean = 0.05/5 = 0.01; deviations 0.09, −0.06, 0.01, −0.11, 0.07;
        // squares 0.0081 + 0.0036 + 0.0001 + 0.0121 + 0.0049 = 0.0288; var = 0.0288/4 = 0.0072.
        let sd = 0.0072f64.sqrt();
        assert!(close(s.volatility.unwrap(), sd * 252f64.sqrt()));
        assert!(close(s.sharpe.unwrap(), 0.01 / sd * 252f64.sqrt()));
        // Downside: (0.0025 + 0.01)/5 = 0.0025 → DD = 0.05; Sortino = 0.01·√252/0.05.
        assert!(close(s.sortino.unwrap(), 0.2 * 252f64.sqrt()));
        // Peak 1.1 at point 1, trough 0.95931 at point 4: 0.95931/1.1 − 1 = −0.12790.
        assert!(close(s.max_drawdown.unwrap(), 0.95931 / 1.1 - 1.0));
        assert_eq!(s.drawdown_peak, Some(1));
        assert_eq!(s.drawdown_trough, Some(4));
        assert_eq!(s.drawdown_recovery, None); // 1.0360548 < 1.1
        assert!(close(
            s.calmar.unwrap(),
            s.cagr.unwrap() / (1.0 - 0.95931 / 1.1)
        ));
    }

    #[test]
    fn drawdown_from_the_start_and_recovery() {
        // E: 1 → 0.9 → 0.99 → 1.089; first period is a drawdown from the initial 1.
        let s = return_stats(&[-0.1, 0.1, 0.1], 365.0);
        assert!(close(s.max_drawdown.unwrap(), -0.1));
        assert_eq!(
            (s.drawdown_peak, s.drawdown_trough, s.drawdown_recovery),
            (Some(0), Some(1), Some(3))
        );
    }

    #[test]
    fn undefined_values() {
        let s = return_stats(&[], 252.0);
        assert!(s.total_return.is_none() && s.cagr.is_none() && s.max_drawdown.is_none());
        let s = return_stats(&[0.01], 252.0);
        assert!(s.volatility.is_none() && s.sharpe.is_none() && s.sortino.is_none());
        let s = return_stats(&[0.01, 0.01, 0.01], 252.0);
        assert!(s.sharpe.is_none() && s.sortino.is_none() && s.calmar.is_none());
        assert_eq!(s.max_drawdown, Some(0.0));
        let s = return_stats(&[-1.0, 0.5], 252.0);
        assert_eq!(s.total_return, Some(-1.0));
        assert!(s.cagr.is_none());
    }

    #[test]
    fn drawdown_series() {
        assert_eq!(
            drawdowns(&[1.0, 1.2, 0.9, 1.5]),
            vec![0.0, 0.0, 0.9 / 1.2 - 1.0, 0.0]
        );
    }
}
