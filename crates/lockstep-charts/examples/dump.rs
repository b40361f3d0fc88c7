//! Writes every chart of a synthetic pair to a directory (for eyeballing).
#[path = "../tests/common/mod.rs"]
mod common;

use lockstep_charts::*;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/charts_out".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(900);
    let (r, sig, bt) = common::signals_and_backtest(n);
    let sc = common::universe(6, 300);
    for f in [Format::Svg, Format::Png] {
        for k in ChartKind::REPORT {
            let b = report_chart(&r, k, f, k.default_size()).unwrap();
            std::fs::write(format!("{dir}/{}.{}", k.name(), f.extension()), b).unwrap();
        }
        let b = signals_chart(&r, &sig, f, DEFAULT_SIZE).unwrap();
        std::fs::write(format!("{dir}/signals.{}", f.extension()), b).unwrap();
        let b = equity_chart(&bt, f, ChartKind::Equity.default_size()).unwrap();
        std::fs::write(format!("{dir}/equity.{}", f.extension()), b).unwrap();
        let b = heatmap_chart(&sc, f, ChartKind::Heatmap.default_size()).unwrap();
        std::fs::write(format!("{dir}/heatmap.{}", f.extension()), b).unwrap();
    }
}
