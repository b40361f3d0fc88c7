//! Exponentially weighted (RiskMetrics) correlation, beta and volatility of a pair ([`EwmaPair`]).

use crate::moments::check_lengths;
use crate::pair::{PairPoint, RollingPair};
use crate::{Result, StatsError};

/// Exponentially weighted correlation and beta, RiskMetrics (J.P. Morgan 1996) style: zero-mean
/// exponentially weighted second moments with decay `λ` (default 0.94 for daily data):
///
/// ```text
/// c_t  = λ c_{t-1}  + (1-λ) x_t y_t        (covariance)
/// vx_t = λ vx_{t-1} + (1-λ) x_t²           (variance of x, likewise vy)
/// ρ_t  = c_t / √(vx_t vy_t),   β_t = c_t / vy_t,   σx_t = √vx_t
/// ```
///
/// seeded with the first pair (`c_0 = x_0 y_0`), which is pandas
/// `(x*y).ewm(alpha=1-λ, adjust=False).mean()`. Values are reported from the `warmup`-th input
/// on (pandas `min_periods`). A pair with a NaN leaves the state unchanged and gives `None`.
/// The effective number of observations behind an estimate is `(1+λ)/(1-λ)` (≈ 32.3 for 0.94),
/// used for its confidence interval.
#[derive(Clone, Debug)]
pub struct EwmaPair {
    lambda: f64,
    warmup: usize,
    seen: usize,
    c: f64,
    vx: f64,
    vy: f64,
}

impl EwmaPair {
    /// EWMA moments with decay `lambda` in (0, 1), reported after `warmup >= 1` inputs.
    pub fn new(lambda: f64, warmup: usize) -> Result<Self> {
        if !(lambda > 0.0 && lambda < 1.0) {
            return Err(StatsError::InvalidLambda(lambda));
        }
        if warmup < 1 {
            return Err(StatsError::WindowTooShort {
                what: "EWMA warm-up",
                window: warmup,
                min: 1,
            });
        }
        Ok(EwmaPair {
            lambda,
            warmup,
            seen: 0,
            c: 0.0,
            vx: 0.0,
            vy: 0.0,
        })
    }

    /// Add a pair; the EWMA correlation when defined.
    pub fn next(&mut self, x: f64, y: f64) -> Option<f64> {
        self.next_point(x, y).and_then(|p| p.corr)
    }

    /// Batch form of [`EwmaPair::next`].
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<f64>>> {
        check_lengths(xs, ys)?;
        Ok(xs.iter().zip(ys).map(|(&x, &y)| self.next(x, y)).collect())
    }
}

impl RollingPair for EwmaPair {
    fn next_point(&mut self, x: f64, y: f64) -> Option<PairPoint> {
        if x.is_nan() || y.is_nan() {
            return None;
        }
        if self.seen == 0 {
            self.c = x * y;
            self.vx = x * x;
            self.vy = y * y;
        } else {
            let (l, k) = (self.lambda, 1.0 - self.lambda);
            self.c = l * self.c + k * (x * y);
            self.vx = l * self.vx + k * (x * x);
            self.vy = l * self.vy + k * (y * y);
        }
        self.seen += 1;
        if self.seen < self.warmup {
            return None;
        }
        let corr = (self.vx > 0.0 && self.vy > 0.0)
            .then(|| (self.c / (self.vx.sqrt() * self.vy.sqrt())).clamp(-1.0, 1.0));
        let beta = (self.vy > 0.0).then(|| self.c / self.vy);
        Some(PairPoint {
            corr,
            beta,
            std_a: Some(self.vx.sqrt()),
            std_b: Some(self.vy.sqrt()),
        })
    }

    fn effective_n(&self) -> f64 {
        (1.0 + self.lambda) / (1.0 - self.lambda)
    }

    fn reset(&mut self) {
        self.seen = 0;
    }
}

impl std::fmt::Display for EwmaPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EWMA({})", self.lambda)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursion_and_warmup() {
        let mut e = EwmaPair::new(0.5, 2).unwrap();
        assert_eq!(e.next(1.0, 2.0), None);
        // c = .5*2 + .5*(-1*1) = 0.5; vx = .5*1 + .5*1 = 1; vy = .5*4 + .5*1 = 2.5
        let p = e.next_point(-1.0, 1.0).unwrap();
        assert!((p.corr.unwrap() - 0.5 / (2.5f64).sqrt()).abs() < 1e-15);
        assert!((p.beta.unwrap() - 0.2).abs() < 1e-15);
        assert!(EwmaPair::new(1.0, 1).is_err() && EwmaPair::new(0.9, 0).is_err());
    }
}
