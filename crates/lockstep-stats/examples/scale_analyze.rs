//! Times the heavy numerics of `lockstep analyze` on synthetic returns of n rows (issue 20):
//! the bootstrap suite (full period, three latest windows against it, two regime masks) and
//! the Granger scan to lag 10 in both directions. `cargo run --release -p lockstep-stats
//! --example scale_analyze -- 1000000 999`.

mod common;

use std::time::Instant;

use lockstep_stats::{
    bootstrap_correlation, bootstrap_suite, granger_scan, latest_window_mask, BootstrapConfig,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(1_000_000, |s| s.parse().unwrap());
    let b: usize = args.get(2).map_or(999, |s| s.parse().unwrap());
    let (x, y) = common::returns(n);
    let cfg = BootstrapConfig {
        replications: b,
        ..BootstrapConfig::default()
    };
    let all = vec![true; n];
    let w: Vec<Vec<bool>> = [30, 60, 90]
        .iter()
        .map(|&w| latest_window_mask(n, w))
        .collect();
    let on: Vec<bool> = (0..n).map(|t| (t / 50) % 2 == 0).collect();
    let off: Vec<bool> = on.iter().map(|v| !v).collect();
    let mut pairs: Vec<(&[bool], &[bool])> = w.iter().map(|m| (&m[..], &all[..])).collect();
    let t = Instant::now();
    let s = bootstrap_suite(&x, &y, &pairs, &cfg).unwrap();
    println!(
        "suite (full + 3 windows): {:.3} s  {:?}",
        t.elapsed().as_secs_f64(),
        s.full
    );
    pairs.push((&on, &off));
    let t = Instant::now();
    bootstrap_suite(&x, &y, &pairs, &cfg).unwrap();
    println!("suite (+ regimes): {:.3} s", t.elapsed().as_secs_f64());
    let half: Vec<f64> = x.iter().step_by(2).copied().collect();
    let half_y: Vec<f64> = y.iter().step_by(2).copied().collect();
    let t = Instant::now();
    bootstrap_correlation(&half, &half_y, &cfg).unwrap();
    println!("correlation of n/2: {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let sc = granger_scan(&x, &y, 10).unwrap();
    println!(
        "granger scan, lag 10: {:.3} s (aic lag {})",
        t.elapsed().as_secs_f64(),
        sc.aic_lag
    );
}
