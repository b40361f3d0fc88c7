//! Rolling Spearman rank correlation ([`RollingSpearman`]).

use crate::moments::{check_lengths, RollingMoments};
use crate::pair::{PairPoint, RollingPair};
use crate::Result;

/// Average ranks (1-based; ties get the mean of the ranks they span), as
/// `scipy.stats.rankdata(method="average")`.
fn average_ranks(values: &[f64], order: &mut Vec<usize>, out: &mut [f64]) {
    order.clear();
    order.extend(0..values.len());
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) share ranks i+1..=j: their mean is (i + 1 + j) / 2.
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            out[k] = rank;
        }
        i = j;
    }
}

/// Rolling Spearman rank correlation: the Pearson correlation of the average ranks of x and y
/// within each window (`scipy.stats.spearmanr` on the window):
///
/// ```text
/// ρ = corr(rank(x), rank(y)),   -1 ≤ ρ ≤ 1
/// ```
///
/// Robust to outliers and to any monotone transformation of either input. Costs O(w log w) per
/// step. Beta and volatility in the [`PairPoint`] it produces stay the Pearson moments of the
/// raw values (a rank beta has no unit). `None` during warm-up, with a NaN in the window, or when
/// either side is constant.
#[derive(Clone, Debug)]
pub struct RollingSpearman {
    moments: RollingMoments,
    xs: Vec<f64>,
    ys: Vec<f64>,
    rx: Vec<f64>,
    ry: Vec<f64>,
    order: Vec<usize>,
}

impl RollingSpearman {
    /// Spearman correlation over `window >= 2` observations.
    pub fn new(window: usize) -> Result<Self> {
        Ok(RollingSpearman {
            moments: RollingMoments::new(window)?,
            xs: Vec::with_capacity(window),
            ys: Vec::with_capacity(window),
            rx: vec![0.0; window],
            ry: vec![0.0; window],
            order: Vec::with_capacity(window),
        })
    }

    /// Add a pair; the rank correlation of the window when defined.
    pub fn next(&mut self, x: f64, y: f64) -> Option<f64> {
        self.next_point(x, y).and_then(|p| p.corr)
    }

    /// Batch form of [`RollingSpearman::next`].
    pub fn over(&mut self, xs: &[f64], ys: &[f64]) -> Result<Vec<Option<f64>>> {
        check_lengths(xs, ys)?;
        Ok(xs.iter().zip(ys).map(|(&x, &y)| self.next(x, y)).collect())
    }

    fn rank_corr(&mut self) -> Option<f64> {
        self.xs.clear();
        self.ys.clear();
        for (x, y) in self.moments.values() {
            self.xs.push(x);
            self.ys.push(y);
        }
        average_ranks(&self.xs, &mut self.order, &mut self.rx);
        average_ranks(&self.ys, &mut self.order, &mut self.ry);
        crate::moments::pearson(&self.rx, &self.ry)
    }
}

impl RollingPair for RollingSpearman {
    fn next_point(&mut self, x: f64, y: f64) -> Option<PairPoint> {
        let m = self.moments.next(x, y)?;
        let corr = if m.constant_x || m.constant_y {
            None
        } else {
            self.rank_corr()
        };
        Some(PairPoint {
            corr,
            ..PairPoint::from_moments(&m)
        })
    }

    fn effective_n(&self) -> f64 {
        self.moments.window() as f64
    }

    fn reset(&mut self) {
        self.moments.reset();
    }
}

impl std::fmt::Display for RollingSpearman {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SPEARMAN({})", self.moments.window())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_with_ties() {
        let mut order = Vec::new();
        let mut out = vec![0.0; 5];
        average_ranks(&[10.0, 20.0, 10.0, 30.0, 20.0], &mut order, &mut out);
        assert_eq!(out, vec![1.5, 3.5, 1.5, 5.0, 3.5]);
    }

    #[test]
    fn monotone_transform_gives_one() {
        let x: Vec<f64> = (0..50).map(|i| ((i * 37) % 50) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v.powi(3) + 1.0).collect();
        let got = RollingSpearman::new(10).unwrap().over(&x, &y).unwrap();
        for g in got.iter().skip(9) {
            assert!((g.unwrap() - 1.0).abs() < 1e-15);
        }
    }
}
