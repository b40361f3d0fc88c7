//! Criterion benchmarks of the daily CSV reader in MB/s: `cargo bench -p lockstep-data --bench csv`.
//! Generated files (generic and Yahoo layouts, 100,000 rows) and, when present, the real files
//! of `../shared/data`. Figures are recorded in BENCHMARKS.md.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lockstep_data::{parse_csv, read_csv, CsvOptions};
use lockstep_testkit::fixtures::Lcg;
use lockstep_testkit::shared_data;
use std::fmt::Write as _;
use std::hint::black_box;

const ROWS: usize = 100_000;

/// `ROWS` consecutive days from 1800-01-01 of a random walk, written as Python's `repr` would
/// (shortest round-trip digits, as yfinance and pandas files hold them).
fn generated(yahoo: bool) -> String {
    let mut rng = Lcg::new(7);
    let mut day = chrono::NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
    let mut p = 100.0f64;
    let mut s = String::new();
    s.push_str(if yahoo {
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
    } else {
        "Date,Close,High,Low,Open,Volume\n"
    });
    for _ in 0..ROWS {
        let o = p;
        p *= (0.01 * rng.normal()).exp();
        let (h, l) = (o.max(p) * 1.004, o.min(p) * 0.996);
        let v = (rng.uniform() * 1e9).round();
        if yahoo {
            let adj = p * 0.97;
            writeln!(s, "{day},{o:?},{h:?},{l:?},{p:?},{adj:?},{v}").unwrap();
        } else {
            writeln!(s, "{day},{p:?},{h:?},{l:?},{o:?},{v}").unwrap();
        }
        day = day.succ_opt().unwrap();
    }
    s
}

fn csv(c: &mut Criterion) {
    let opts = CsvOptions::default();
    let mut g = c.benchmark_group("csv");
    g.sample_size(20);
    for (name, yahoo) in [("generic", false), ("yahoo", true)] {
        let text = generated(yahoo);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", name), &text, |b, t| {
            b.iter(|| black_box(parse_csv(black_box(t), "x.csv", &opts).unwrap()))
        });
    }
    // The real files: read from disk (the page cache), as `lockstep` reads them.
    let here = env!("CARGO_MANIFEST_DIR");
    match shared_data::find(here) {
        None => shared_data::skip("skipping the real files: ../shared/data not found"),
        Some(dir) => {
            for name in ["RUT.daily.csv", "ETH-USD.daily.csv", "SPY.daily.csv"] {
                let path = dir.join(name);
                let Ok(meta) = std::fs::metadata(&path) else {
                    shared_data::skip(&format!("skipping {}: absent", path.display()));
                    continue;
                };
                g.throughput(Throughput::Bytes(meta.len()));
                g.bench_with_input(BenchmarkId::new("read", name), &path, |b, p| {
                    b.iter(|| black_box(read_csv(black_box(p), &opts).unwrap()))
                });
            }
        }
    }
    g.finish();
}

criterion_group!(benches, csv);
criterion_main!(benches);
