//! Returns between consecutive prices, log or simple ([`ReturnKind`]).

use serde::{Deserialize, Serialize};

/// How a return between two consecutive kept prices is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ReturnKind {
    /// `ln(p[t] / p[t-1])` (default): additive over time, symmetric for up and down moves.
    #[default]
    #[cfg_attr(feature = "clap", value(help = "ln(p_t / p_{t-1})"))]
    Log,
    /// `p[t] / p[t-1] - 1`.
    #[cfg_attr(feature = "clap", value(help = "p_t / p_{t-1} - 1"))]
    Simple,
}

impl ReturnKind {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ReturnKind::Log => "log",
            ReturnKind::Simple => "simple",
        }
    }
}

/// Returns between consecutive prices: `out[i]` is the return from `p[i]` to `p[i+1]`, so the
/// output has `p.len() - 1` values (none for fewer than two prices).
///
/// Log returns are computed as `ln_1p((p1 - p0) / p0)`, which keeps full relative precision for
/// tiny moves on huge price levels (a 1e9 price moving by 1 gives 1e-9, not a cancelled
/// `ln(p1) - ln(p0)`). Prices must be positive; callers check that first (see
/// [`crate::align`], which rejects non-positive prices with the date).
pub fn returns(p: &[f64], kind: ReturnKind) -> Vec<f64> {
    p.windows(2)
        .map(|w| {
            let r = (w[1] - w[0]) / w[0];
            match kind {
                ReturnKind::Log => r.ln_1p(),
                ReturnKind::Simple => r,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_and_simple() {
        let r = returns(&[100.0, 110.0, 99.0], ReturnKind::Simple);
        assert!((r[0] - 0.1).abs() < 1e-15 && (r[1] + 0.1).abs() < 1e-15);
        let l = returns(&[100.0, 110.0], ReturnKind::Log);
        assert!((l[0] - (1.1f64).ln()).abs() < 1e-15);
        assert!(returns(&[1.0], ReturnKind::Log).is_empty());
    }

    #[test]
    fn tiny_moves_on_huge_levels_keep_precision() {
        let l = returns(&[1e9, 1e9 + 1.0], ReturnKind::Log);
        // ln(1 + 1e-9) = 1e-9 - 5e-19 + ...
        assert!((l[0] - (1e-9 - 5e-19)).abs() < 1e-24, "{}", l[0]);
    }
}
