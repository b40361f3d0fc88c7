//! Times one Lockstep kernel on inputs read from files, for `bench/compare.py`, which runs
//! pandas, polars and TA-Lib on the same data in the same run.
//!
//! ```text
//! cargo run --release -p lockstep-stats --example kernel_timing -- REPS KERNEL FILE [FILE2]
//! ```
//!
//! `FILE` (and `FILE2` for the two-input kernels) hold little-endian `f64`s. Kernels:
//!
//! * `corr`, `beta`: [`RollingCorrelation::over_into`] / [`RollingBeta::over_into`], window 90,
//!   of FILE on FILE2, into an output buffer allocated once and reused;
//! * `rsi`, `ema`, `macd`: [`Rsi::over_into`] (14), [`Ema::over_into`] (20),
//!   [`Macd::over_into`] (12, 26, 9) of FILE, likewise;
//! * `corr_fresh`, `rsi_fresh`, ...: the same into a freshly allocated buffer on every run (as
//!   the Python libraries return a new array: this includes the page faults of the output);
//! * `corr_over`, `beta_over`, `rsi_over`, `ema_over`, `macd_over`: the `Vec<Option<_>>` batch
//!   forms `over`;
//! * `corr_stream`: [`RollingCorrelation::next`] on each pair, into the reused buffer.
//!
//! Prints one JSON line: the kernel, `n`, the best of `REPS` runs in seconds and in ns per
//! element, and a checksum of the output (so the work cannot be optimized away).

use std::hint::black_box;
use std::time::Instant;

use lockstep_stats::{Ema, Indicator, Macd, RollingBeta, RollingCorrelation, Rsi};

const WINDOW: usize = 90;

fn read_f64s(path: &str) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    assert!(
        bytes.len().is_multiple_of(8),
        "{path}: not a whole number of f64s"
    );
    bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// Sum of the finite values, a cheap checksum of an output.
fn checksum(v: &[f64]) -> f64 {
    v.iter().filter(|x| x.is_finite()).sum()
}

fn checksum_opt(v: &[Option<f64>]) -> f64 {
    v.iter().flatten().filter(|x| x.is_finite()).sum()
}

/// Runs `f` `reps` times; the best time in seconds and the last checksum.
fn best_of(reps: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut best = f64::INFINITY;
    let mut sum = 0.0;
    for _ in 0..reps {
        let t = Instant::now();
        sum = black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, sum)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: kernel_timing REPS KERNEL FILE [FILE2]");
        std::process::exit(2);
    }
    let reps: usize = args[0].parse().expect("REPS is a number");
    let kernel = args[1].as_str();
    let x = read_f64s(&args[2]);
    let y = args.get(3).map(|p| read_f64s(p));
    let n = x.len();
    let two = || {
        let y = y.as_ref().expect("this kernel needs FILE2");
        assert_eq!(y.len(), n, "FILE and FILE2 differ in length");
        y
    };
    let mut out = vec![0.0; n];
    let (mut o2, mut o3) = (vec![0.0; n], vec![0.0; n]);
    let (best, sum) = match kernel {
        "corr" => {
            let y = two();
            best_of(reps, || {
                let mut k = RollingCorrelation::new(WINDOW).unwrap();
                k.over_into(black_box(&x), black_box(y), &mut out).unwrap();
                checksum(&out[n - 1..])
            })
        }
        "corr_fresh" => {
            let y = two();
            best_of(reps, || {
                let mut out = vec![0.0; n];
                let mut k = RollingCorrelation::new(WINDOW).unwrap();
                k.over_into(black_box(&x), black_box(y), &mut out).unwrap();
                checksum(&out[n - 1..])
            })
        }
        "corr_over" => {
            let y = two();
            best_of(reps, || {
                let mut k = RollingCorrelation::new(WINDOW).unwrap();
                let v = k.over(black_box(&x), black_box(y)).unwrap();
                checksum_opt(&v[n - 1..])
            })
        }
        "corr_stream" => {
            let y = two();
            best_of(reps, || {
                let mut k = RollingCorrelation::new(WINDOW).unwrap();
                for ((o, &a), &b) in out.iter_mut().zip(black_box(&x)).zip(y) {
                    *o = k.next(a, b).unwrap_or(f64::NAN);
                }
                checksum(&out[n - 1..])
            })
        }
        "beta" => {
            let y = two();
            best_of(reps, || {
                let mut k = RollingBeta::new(WINDOW).unwrap();
                k.over_into(black_box(&x), black_box(y), &mut out).unwrap();
                checksum(&out[n - 1..])
            })
        }
        "beta_fresh" => {
            let y = two();
            best_of(reps, || {
                let mut out = vec![0.0; n];
                let mut k = RollingBeta::new(WINDOW).unwrap();
                k.over_into(black_box(&x), black_box(y), &mut out).unwrap();
                checksum(&out[n - 1..])
            })
        }
        "beta_over" => {
            let y = two();
            best_of(reps, || {
                let mut k = RollingBeta::new(WINDOW).unwrap();
                let v = k.over(black_box(&x), black_box(y)).unwrap();
                checksum_opt(&v[n - 1..])
            })
        }
        "rsi" => best_of(reps, || {
            Rsi::new(14)
                .unwrap()
                .over_into(black_box(&x), &mut out)
                .unwrap();
            checksum(&out[n - 1..])
        }),
        "rsi_fresh" => best_of(reps, || {
            let mut out = vec![0.0; n];
            Rsi::new(14)
                .unwrap()
                .over_into(black_box(&x), &mut out)
                .unwrap();
            checksum(&out[n - 1..])
        }),
        "rsi_over" => best_of(reps, || {
            checksum_opt(&Rsi::new(14).unwrap().over(black_box(&x))[n - 1..])
        }),
        "ema" => best_of(reps, || {
            Ema::new(20)
                .unwrap()
                .over_into(black_box(&x), &mut out)
                .unwrap();
            checksum(&out[n - 1..])
        }),
        "ema_fresh" => best_of(reps, || {
            let mut out = vec![0.0; n];
            Ema::new(20)
                .unwrap()
                .over_into(black_box(&x), &mut out)
                .unwrap();
            checksum(&out[n - 1..])
        }),
        "ema_over" => best_of(reps, || {
            checksum_opt(&Ema::new(20).unwrap().over(black_box(&x))[n - 1..])
        }),
        "macd" => best_of(reps, || {
            Macd::new(12, 26, 9)
                .unwrap()
                .over_into(black_box(&x), &mut out, &mut o2, &mut o3)
                .unwrap();
            checksum(&out[n - 1..]) + checksum(&o2[n - 1..]) + checksum(&o3[n - 1..])
        }),
        "macd_fresh" => best_of(reps, || {
            let (mut a, mut b, mut c) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            Macd::new(12, 26, 9)
                .unwrap()
                .over_into(black_box(&x), &mut a, &mut b, &mut c)
                .unwrap();
            checksum(&a[n - 1..]) + checksum(&b[n - 1..]) + checksum(&c[n - 1..])
        }),
        "macd_over" => best_of(reps, || {
            let v = Macd::new(12, 26, 9).unwrap().over(black_box(&x));
            v[n - 1].map_or(0.0, |p| p.macd + p.signal + p.hist)
        }),
        other => {
            eprintln!("unknown kernel {other}");
            std::process::exit(2);
        }
    };
    println!(
        "{{\"kernel\": \"{kernel}\", \"n\": {n}, \"best_s\": {best:.6e}, \"ns_per_element\": {:.3}, \"checksum\": {sum:e}}}",
        best / n as f64 * 1e9
    );
}
