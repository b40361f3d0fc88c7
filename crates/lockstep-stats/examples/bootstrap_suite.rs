//! Times one `bootstrap_suite` of `analyze`'s shape (the full period, the latest 30, 60 and 90
//! returns against it, risk-on against risk-off in alternating stretches of 50) on synthetic
//! returns, at a given block length: `cargo run --release -p lockstep-stats --example
//! bootstrap_suite -- N BLOCK [REPLICATES] [REPEATS]` prints the best time of REPEATS runs, the
//! process's CPU time per run (user + system, from `/proc/self/stat` on Linux; the figure to
//! compare on a busy machine), a digest of the interval and the tests (FNV-1a of the `Debug`
//! text of `full` and `differences`: equal digests, equal results bit for bit) and one of each
//! sample's own interval (`samples`). `RAYON_NUM_THREADS=1` for one thread.

mod common;

use std::time::Instant;

use lockstep_stats::{bootstrap_suite, latest_window_mask, BootstrapConfig};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(2080, |s| s.parse().unwrap());
    let block: f64 = args.get(2).map_or(3.7, |s| s.parse().unwrap());
    let b: usize = args.get(3).map_or(999, |s| s.parse().unwrap());
    let repeats: usize = args.get(4).map_or(5, |s| s.parse().unwrap());
    let (x, y) = common::returns(n);
    let cfg = BootstrapConfig {
        replications: b,
        block_length: Some(block),
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
    pairs.push((&on, &off));
    let mut best = f64::INFINITY;
    let mut last = None;
    let mut digest = 0;
    let mut sides = 0;
    let cpu0 = cpu_seconds();
    for _ in 0..repeats {
        let t = Instant::now();
        let s = bootstrap_suite(&x, &y, &pairs, &cfg).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        last = s.full;
        digest = fnv1a(format!("{:?} {:?}", s.full, s.differences).as_bytes());
        sides = fnv1a(format!("{:?}", s.samples).as_bytes());
    }
    let cpu = match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.0} ms", (b - a) / repeats as f64 * 1e3),
        _ => "unknown".into(),
    };
    let f = last.unwrap();
    println!(
        "n {n} b {block}: best {:.2} ms of {repeats}, CPU {cpu} a run; lo {} hi {}; digest {digest:016x}; samples {sides:016x}",
        best * 1e3,
        f.lo,
        f.hi
    );
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// User + system CPU time of this process so far, in seconds (Linux: fields 14 and 15 of
/// `/proc/self/stat`, in ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
