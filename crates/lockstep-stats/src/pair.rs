//! The common interface of the rolling pair statistics ([`RollingPair`], [`PairPoint`]) and the
//! choice of [`Method`].

use serde::{Deserialize, Serialize};

use crate::moments::{check_lengths, Moments, RollingMoments};
use crate::{EwmaPair, Result, RollingSpearman};

/// How a rolling correlation is measured.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Method {
    /// Pearson correlation of the returns in each full window (default).
    Pearson,
    /// Spearman rank correlation in each full window.
    Spearman,
    /// RiskMetrics exponentially weighted correlation with decay `lambda` (0.94 by default);
    /// the window only sets the warm-up (the first value comes with the window-th return).
    Ewma {
        /// Decay factor λ in (0, 1).
        lambda: f64,
    },
}

impl Method {
    /// The name used on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Pearson => "pearson",
            Method::Spearman => "spearman",
            Method::Ewma { .. } => "ewma",
        }
    }
}

/// The statistics of one pair at one step: correlation of A with B, beta of A on B, and the
/// per-period standard deviation (sample, `n - 1`; for EWMA the RiskMetrics zero-mean σ) of each.
/// A field is `None` where undefined on the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairPoint {
    /// Correlation in [-1, 1].
    pub corr: Option<f64>,
    /// Beta of A on B: `cov(a, b) / var(b)`.
    pub beta: Option<f64>,
    /// Standard deviation of A per period.
    pub std_a: Option<f64>,
    /// Standard deviation of B per period.
    pub std_b: Option<f64>,
}

impl PairPoint {
    /// Pearson correlation, beta and standard deviations of one window's moments.
    pub fn from_moments(m: &Moments) -> PairPoint {
        PairPoint {
            corr: m.corr(),
            beta: m.beta(),
            std_a: Some(m.var_x().sqrt()),
            std_b: Some(m.var_y().sqrt()),
        }
    }
}

/// A rolling statistic of a pair of return series: the common interface of the correlation
/// methods, so the analysis pipeline runs any of them the same way.
pub trait RollingPair {
    /// Add a pair `(a, b)`; `None` during warm-up or while the window holds a NaN.
    fn next_point(&mut self, a: f64, b: f64) -> Option<PairPoint>;

    /// The number of observations behind one estimate, used for its confidence interval:
    /// the window for Pearson and Spearman, `(1+λ)/(1-λ)` for EWMA.
    fn effective_n(&self) -> f64;

    /// Forget all inputs.
    fn reset(&mut self);

    /// Batch form: `next_point` over each pair (the same code as streaming).
    fn over_points(&mut self, a: &[f64], b: &[f64]) -> Result<Vec<Option<PairPoint>>> {
        check_lengths(a, b)?;
        Ok(a.iter()
            .zip(b)
            .map(|(&x, &y)| self.next_point(x, y))
            .collect())
    }
}

impl RollingPair for RollingMoments {
    fn next_point(&mut self, a: f64, b: f64) -> Option<PairPoint> {
        self.next(a, b).map(|m| PairPoint::from_moments(&m))
    }

    /// The batch kernel of [`RollingMoments`] (bit-identical to `next_point` on each pair).
    fn over_points(&mut self, a: &[f64], b: &[f64]) -> Result<Vec<Option<PairPoint>>> {
        Ok(self
            .over(a, b)?
            .into_iter()
            .map(|m| m.map(|m| PairPoint::from_moments(&m)))
            .collect())
    }

    fn effective_n(&self) -> f64 {
        self.window() as f64
    }

    fn reset(&mut self) {
        RollingMoments::reset(self);
    }
}

/// The rolling pair statistic for `method` over `window` observations.
pub fn rolling_pair(method: Method, window: usize) -> Result<Box<dyn RollingPair + Send>> {
    Ok(match method {
        Method::Pearson => Box::new(RollingMoments::new(window)?),
        Method::Spearman => Box::new(RollingSpearman::new(window)?),
        Method::Ewma { lambda } => Box::new(EwmaPair::new(lambda, window)?),
    })
}
