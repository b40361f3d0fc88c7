//! Criterion benchmarks of the rolling kernels: `cargo bench -p lockstep-stats --bench rolling`.
//! Figures are recorded in BENCHMARKS.md.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lockstep_stats::{Ema, Indicator, Macd, RollingBeta, RollingCorrelation, RollingMoments, Rsi};
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
        // The fast batch forms, into an output buffer allocated once (no `Option`s, no page
        // faults of a fresh 80 MB vector at 10^7).
        let mut out = vec![0.0; n];
        g.bench_with_input(BenchmarkId::new("corr_into", n), &n, |b, _| {
            b.iter(|| {
                let mut k = RollingCorrelation::new(w).unwrap();
                k.over_into(black_box(&x), black_box(&y), &mut out).unwrap();
                black_box(out[n - 1])
            })
        });
        g.bench_with_input(BenchmarkId::new("beta_into", n), &n, |b, _| {
            b.iter(|| {
                let mut k = RollingBeta::new(w).unwrap();
                k.over_into(black_box(&x), black_box(&y), &mut out).unwrap();
                black_box(out[n - 1])
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

fn indicators(c: &mut Criterion) {
    let n = 10_000_000usize;
    // A positive random walk, like prices: 100·exp(Σ r), which stays within normal floats
    // (100·Π(1 + r) drifts to 1e-250 over 10^7 steps).
    let mut lp = 0.0f64;
    let prices: Vec<f64> = noise(n, 3)
        .into_iter()
        .map(|r| {
            lp += r;
            100.0 * lp.exp()
        })
        .collect();
    let mut g = c.benchmark_group("indicators");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("rsi14", n), |b| {
        b.iter(|| black_box(Rsi::new(14).unwrap().over(black_box(&prices))))
    });
    g.bench_function(BenchmarkId::new("ema20", n), |b| {
        b.iter(|| black_box(Ema::new(20).unwrap().over(black_box(&prices))))
    });
    g.bench_function(BenchmarkId::new("macd12_26_9", n), |b| {
        b.iter(|| black_box(Macd::new(12, 26, 9).unwrap().over(black_box(&prices))))
    });
    // The fast batch forms, into output buffers allocated once.
    let (mut o1, mut o2, mut o3) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    g.bench_function(BenchmarkId::new("rsi14_into", n), |b| {
        b.iter(|| {
            Rsi::new(14)
                .unwrap()
                .over_into(black_box(&prices), &mut o1)
                .unwrap();
            black_box(o1[n - 1])
        })
    });
    g.bench_function(BenchmarkId::new("ema20_into", n), |b| {
        b.iter(|| {
            Ema::new(20)
                .unwrap()
                .over_into(black_box(&prices), &mut o1)
                .unwrap();
            black_box(o1[n - 1])
        })
    });
    g.bench_function(BenchmarkId::new("macd12_26_9_into", n), |b| {
        b.iter(|| {
            Macd::new(12, 26, 9)
                .unwrap()
                .over_into(black_box(&prices), &mut o1, &mut o2, &mut o3)
                .unwrap();
            black_box(o1[n - 1] + o2[n - 1] + o3[n - 1])
        })
    });
    g.finish();
    // A new output per call (`over_new`), as the Python libraries return a new array: at 10^6
    // a reused heap buffer, at 10^7 a huge-page mapping filled while a helper thread faults it.
    for n in [1_000_000usize, 10_000_000] {
        let p = &prices[..n];
        let mut g = c.benchmark_group("indicators_new");
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_with_input(BenchmarkId::new("rsi14", n), &n, |b, _| {
            b.iter(|| black_box(Rsi::new(14).unwrap().over_new(black_box(p))[n - 1]))
        });
        g.bench_with_input(BenchmarkId::new("ema20", n), &n, |b, _| {
            b.iter(|| black_box(Ema::new(20).unwrap().over_new(black_box(p))[n - 1]))
        });
        g.bench_with_input(BenchmarkId::new("macd12_26_9", n), &n, |b, _| {
            b.iter(|| {
                let m = Macd::new(12, 26, 9).unwrap().over_new(black_box(p));
                black_box(m.macd[n - 1] + m.signal[n - 1] + m.hist[n - 1])
            })
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = rolling, indicators
}
criterion_main!(benches);
