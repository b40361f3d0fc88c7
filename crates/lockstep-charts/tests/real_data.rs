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
