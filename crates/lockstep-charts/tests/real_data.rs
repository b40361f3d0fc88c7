//! Every report chart on real data (ETH-USD against the Russell 2000), when the shared data
//! directory is present next to the workspace; skipped with a reason otherwise.

mod common;

use std::path::PathBuf;

use common::{png_size, svg};
use lockstep_charts::{report_chart, report_charts, ChartKind, Format};
use lockstep_data::{read_csv, CsvOptions};
use lockstep_report::{analyze, AnalyzeOptions};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

#[test]
fn eth_against_rut() {
    let dir = data_dir();
    let (pa, pb) = (dir.join("ETH-USD.daily.csv"), dir.join("RUT.daily.csv"));
    if !pa.exists() || !pb.exists() {
        println!(
            "skipped: {} or {} is absent (real data lives outside the repository)",
            pa.display(),
            pb.display()
        );
        return;
    }
    let a = read_csv(&pa, &CsvOptions::default()).unwrap().series;
    let b = read_csv(&pb, &CsvOptions::default()).unwrap().series;
    let r = analyze(&a, &b, &AnalyzeOptions::default()).unwrap();
    let charts = report_charts(&r).unwrap();
    assert_eq!(charts.len(), ChartKind::REPORT.len());
    for c in &charts {
        let s = svg(
            c.svg.clone().into_bytes(),
            c.kind.name(),
            c.kind.default_size(),
        );
        assert!(s.contains(&r.a.name) && s.contains(&r.b.name), "{}", c.kind);
    }
    for k in ChartKind::REPORT {
        let png = report_chart(&r, k, Format::Png, (800, 500)).unwrap();
        assert_eq!(png_size(&png), (800, 500), "{k}");
    }
}

/// The interactive momentum figure sends both legs from the later of their first dates (ETH's,
/// 2017, not ^RUT's 1987), up to each leg's last date, with the values of the technicals
/// computed on each leg's whole history.
#[test]
fn the_momentum_figure_starts_both_legs_together() {
    let dir = data_dir();
    let (pa, pb) = (dir.join("ETH-USD.daily.csv"), dir.join("RUT.daily.csv"));
    if !pa.exists() || !pb.exists() {
        println!("skipped: {} or {} is absent", pa.display(), pb.display());
        return;
    }
    let a = read_csv(&pa, &CsvOptions::default()).unwrap().series;
    let b = read_csv(&pb, &CsvOptions::default()).unwrap().series;
    let r = analyze(&a, &b, &AnalyzeOptions::default()).unwrap();
    let (ta, tb) = (&r.structure.a.technicals, &r.structure.b.technicals);
    let since = ta.dates[0].max(tb.dates[0]);
    assert!(tb.dates[0] < since, "^RUT's history starts earlier");
    let fig = lockstep_charts::interactive::momentum(&r);
    let traces = fig["data"].as_array().unwrap();
    // RSI A, RSI B, then MACD and signal of A, of B.
    for (i, t) in [(0, ta), (1, tb), (2, ta), (3, ta), (4, tb), (5, tb)] {
        let x = traces[i]["x"].as_array().unwrap();
        let k = t.dates.partition_point(|d| *d < since);
        assert_eq!(x.len(), t.dates.len() - k, "trace {i}");
        assert_eq!(x[0].as_str().unwrap(), since.to_string(), "trace {i}");
        assert_eq!(
            x.last().unwrap().as_str().unwrap(),
            t.dates.last().unwrap().to_string()
        );
    }
    let y = traces[1]["y"].as_array().unwrap();
    let k = tb.dates.partition_point(|d| *d < since);
    let last = tb.rsi.len() - 1;
    assert_eq!(y.last().unwrap().as_f64(), tb.rsi[last]);
    assert_eq!(y[0].as_f64(), tb.rsi[k]);
}
