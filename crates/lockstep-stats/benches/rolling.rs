//! Criterion benchmarks of the rolling kernels: `cargo bench -p lockstep-stats --bench rolling`.
//! Figures are recorded in BENCHMARKS.md.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lockstep_stats::{RollingBeta, RollingCorrelation, RollingMoments};
use std::hint::black_box;

/// Deterministic returns-like noise (an LCG), so runs compare like with like.
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.04
        })
        .collect()
}

fn rolling(c: &mut Criterion) {
    let w = 90;
    for n in [1_000_000usize, 10_000_000] {
        let x = noise(n, 1);
        let y: Vec<f64> = x
            .iter()
            .zip(noise(n, 2))
            .map(|(a, b)| 0.6 * a + b)
            .collect();
        let mut g = c.benchmark_group("rolling_w90");
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_with_input(BenchmarkId::new("corr", n), &n, |b, _| {
            b.iter(|| {
                let mut k = RollingCorrelation::new(w).unwrap();
                black_box(k.over(black_box(&x), black_box(&y)).unwrap())
            })
        });
        g.bench_with_input(BenchmarkId::new("beta", n), &n, |b, _| {
            b.iter(|| {
                let mut k = RollingBeta::new(w).unwrap();
                black_box(k.over(black_box(&x), black_box(&y)).unwrap())
            })
        });
        g.bench_with_input(BenchmarkId::new("moments_stream", n), &n, |b, _| {
            b.iter(|| {
                let mut k = RollingMoments::new(w).unwrap();
                let mut acc = 0.0;
                for (a, bb) in x.iter().zip(&y) {
                    if let Some(m) = k.next(*a, *bb) {
                        acc += m.sxy;
                    }
                }
                black_box(acc)
            })
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = rolling
}
criterion_main!(benches);
