//! Criterion benchmarks of the level clustering at P = 10^3, 10^4 and 10^5 pivots:
//! `cargo bench -p lockstep-structure --bench levels`. Figures are recorded in BENCHMARKS.md.
//!
//! The input is a random walk with high, low and volume, cut after its `P`-th pivot (about
//! 8 bars per pivot). Throughput is in pivots.
//! * `level_book_insert/P`: its pivots fed to a [`LevelBook`] in confirmation order, the
//!   nearest levels asked after each (the clustering that [`prior_levels`] and [`breakouts`]
//!   walk through; the former re-clustering on every pivot was `O(P²)` in all);
//! * `prior_levels/P`, `breakouts/P`: the public functions on the walk (ATR and pivots
//!   included);
//! * `levels/P`: the batch clustering of every pivot at once.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lockstep_core::{Date, PriceSeries};
use lockstep_structure::{breakouts, levels, pivots, prior_levels, LevelBook, LevelParams, Pivot};
use std::hint::black_box;

/// Deterministic noise in [−0.5, 0.5) (an LCG), so runs compare like with like.
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect()
}

/// A daily random walk (1.4% daily moves, high and low around the close, a volume) of `n`
/// bars.
fn walk(n: usize) -> PriceSeries {
    let start = Date::from_ymd_opt(1000, 1, 1).unwrap();
    let dates: Vec<Date> = start.iter_days().take(n).collect();
    let mut lp = 0.0f64;
    let close: Vec<f64> = noise(n, 7)
        .into_iter()
        .map(|r| {
            lp += 0.05 * r;
            100.0 * lp.exp()
        })
        .collect();
    let range = noise(n, 11);
    let mut s = PriceSeries::new("walk", dates, close.clone()).unwrap();
    s.high = Some(
        close
            .iter()
            .zip(&range)
            .map(|(c, r)| c * (1.0 + 0.01 * (r + 0.5)))
            .collect(),
    );
    s.low = Some(
        close
            .iter()
            .zip(&range)
            .map(|(c, r)| c * (1.0 - 0.01 * (0.5 - r)))
            .collect(),
    );
    s.volume = Some(noise(n, 13).iter().map(|v| 1e6 * (1.0 + v)).collect());
    s
}

/// The shortest prefix of a random walk whose last pivot is the `p`-th (and confirmed).
fn walk_with_pivots(p: usize, params: &LevelParams) -> (PriceSeries, Vec<Pivot>) {
    let mut bars = 10 * p + 100;
    let (s, piv) = loop {
        let s = walk(bars);
        let piv = pivots(&s, params).unwrap();
        if piv.len() >= p {
            break (s, piv);
        }
        bars *= 2;
    };
    let cut = piv[p - 1].index + params.right + 2;
    let mut s = s;
    s.dates.truncate(cut);
    s.price.truncate(cut);
    for col in [&mut s.high, &mut s.low, &mut s.volume] {
        if let Some(v) = col.as_mut() {
            v.truncate(cut);
        }
    }
    let piv = pivots(&s, params).unwrap();
    (s, piv)
}

fn clustering(c: &mut Criterion) {
    let params = LevelParams::default();
    let inputs: Vec<(usize, PriceSeries, Vec<Pivot>)> = [1_000usize, 10_000, 100_000]
        .into_iter()
        .map(|p| {
            let (s, piv) = walk_with_pivots(p, &params);
            eprintln!("P = {p}: {} pivots in {} bars", piv.len(), s.len());
            (p, s, piv)
        })
        .collect();
    let mut g = c.benchmark_group("level_book_insert");
    g.sample_size(10);
    for (p, _, piv) in &inputs {
        g.throughput(Throughput::Elements(piv.len() as u64));
        g.bench_function(BenchmarkId::from_parameter(p), |b| {
            b.iter(|| {
                let mut book = LevelBook::new(&params).unwrap();
                let mut acc = 0.0;
                for q in piv {
                    book.insert(q);
                    acc += book.nearest(q.price).support.unwrap_or(0.0);
                }
                black_box(acc)
            })
        });
    }
    g.finish();
    type Run = fn(&PriceSeries, &LevelParams) -> usize;
    let runs: [(&str, Run); 3] = [
        ("prior_levels", |s, p| prior_levels(s, p).unwrap().len()),
        ("breakouts", |s, p| breakouts(s, p).unwrap().len()),
        ("levels", |s, p| levels(s, p).unwrap().len()),
    ];
    for (name, run) in runs {
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        for (p, s, piv) in &inputs {
            g.throughput(Throughput::Elements(piv.len() as u64));
            g.bench_function(BenchmarkId::from_parameter(p), |b| {
                b.iter(|| black_box(run(black_box(s), &params)))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = clustering
}
criterion_main!(benches);
