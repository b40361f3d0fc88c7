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
/// Log returns are computed as `ln_1p((p1 - p0) / p0)` for moves below 50% either way, which
/// keeps full relative precision for tiny moves on huge price levels (a 1e9 price moving by 1
/// gives 1e-9, not a cancelled `ln(p1) - ln(p0)`), and as `ln(p1) - ln(p0)` for larger moves,
/// which is finite for any two positive finite prices (`(p1 - p0) / p0` rounds to `-1` when
/// `p1` is 1e17 times smaller than `p0`, and overflows when it is 1e308 times larger). Prices
/// must be positive; callers check that first (see [`crate::align`], which rejects
/// non-positive prices with the date).
pub fn returns(p: &[f64], kind: ReturnKind) -> Vec<f64> {
    p.windows(2)
        .map(|w| match kind {
            ReturnKind::Log => log_return(w[0], w[1]),
            ReturnKind::Simple => (w[1] - w[0]) / w[0],
        })
        .collect()
}

/// The log return `ln(p1 / p0)` from `p0` to `p1`, computed as described in [`returns`]:
/// `ln_1p((p1 - p0) / p0)` below a 50% move, `ln(p1) - ln(p0)` beyond it; finite for any two
/// positive finite prices.
pub fn log_return(p0: f64, p1: f64) -> f64 {
    let r = (p1 - p0) / p0;
    if r.abs() < 0.5 {
        r.ln_1p()
    } else {
        p1.ln() - p0.ln()
    }
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

    #[test]
    fn extreme_moves_give_finite_log_returns() {
        let p = [
            100.0,
            1e19,
            100.0,
            1e-300,
            1e308,
            f64::MIN_POSITIVE,
            f64::MAX,
            5e-324,
        ];
        let l = returns(&p, ReturnKind::Log);
        for (w, r) in p.windows(2).zip(&l) {
            assert!(r.is_finite(), "{w:?} gives {r}");
            let want = w[1].ln() - w[0].ln();
            assert!(
                (r - want).abs() <= 1e-12 * want.abs(),
                "{w:?}: {r} vs {want}"
            );
        }
        // The two formulas meet at the 50% boundary without a jump.
        let a = returns(&[100.0, 150.0 - 1e-9], ReturnKind::Log)[0];
        let b = returns(&[100.0, 150.0], ReturnKind::Log)[0];
        assert!((a - b).abs() < 1e-10 && (b - 1.5f64.ln()).abs() < 1e-15);
    }
}
