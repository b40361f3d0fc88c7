//! `lockstep bench`: time the numeric kernels on this machine, on generated inputs or on the
//! files `bench/compare.py` writes (so pandas, polars, TA-Lib and Lockstep run on the same
//! data in the same run).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::view::{Look, View};
use lockstep_report::ReportError;
use lockstep_stats::{
    default_threads, threads_for, Ema, Indicator, Macd, OutBuf, RollingBeta, RollingCorrelation,
    Rsi,
};

use super::common::Format;
use super::Cx;

/// Window of the correlation and beta kernels.
const WINDOW: usize = 90;

/// Kernels of `lockstep bench`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchKernel {
    /// Rolling Pearson correlation, window 90.
    Corr,
    /// Rolling beta, window 90.
    Beta,
    /// RSI(14).
    Rsi,
    /// EMA(20).
    Ema,
    /// MACD(12, 26, 9).
    Macd,
}

impl BenchKernel {
    /// Every kernel.
    pub const ALL: [BenchKernel; 5] = [
        BenchKernel::Corr,
        BenchKernel::Beta,
        BenchKernel::Rsi,
        BenchKernel::Ema,
        BenchKernel::Macd,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BenchKernel::Corr => "corr",
            BenchKernel::Beta => "beta",
            BenchKernel::Rsi => "rsi",
            BenchKernel::Ema => "ema",
            BenchKernel::Macd => "macd",
        }
    }

    /// With its parameters.
    pub fn label(self) -> &'static str {
        match self {
            BenchKernel::Corr => "corr w=90",
            BenchKernel::Beta => "beta w=90",
            BenchKernel::Rsi => "RSI(14)",
            BenchKernel::Ema => "EMA(20)",
            BenchKernel::Macd => "MACD(12,26,9)",
        }
    }
}

/// How a kernel's output is produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchMode {
    /// `over_into` an output buffer allocated once (the kernel itself, one thread).
    Reused,
    /// `over_into_threads` on every core into an output buffer allocated once (corr and beta
    /// only).
    #[value(name = "reused-all")]
    ReusedAll,
    /// `over_new`: a new output every run, as the Python libraries return a new array (an
    /// `OutBuf`: a reused `Vec` when small, a huge-page mapping when large). Corr and beta
    /// compute on every core (above the size threshold, `lockstep_stats::PAR_MIN`), the
    /// indicators on one thread, with a helper thread faulting in the pages of a large output.
    New,
    /// `over_new_threads(.., 1)`: `over_new` on one thread (corr and beta only).
    #[value(name = "new1")]
    New1,
    /// `over_into` a new `Vec<f64>` every run (4 KiB pages: the page faults of a fresh
    /// output).
    Fresh,
    /// `over_into` a new huge-page mapping (`OutBuf::mapped`) every run, whatever the size,
    /// on one thread.
    Mapped,
    /// `over`, returning `Vec<Option<f64>>`.
    Option,
    /// `next` on each input (correlation only).
    Stream,
}

impl BenchMode {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BenchMode::Reused => "reused",
            BenchMode::ReusedAll => "reused-all",
            BenchMode::New => "new",
            BenchMode::New1 => "new1",
            BenchMode::Fresh => "fresh",
            BenchMode::Mapped => "mapped",
            BenchMode::Option => "option",
            BenchMode::Stream => "stream",
        }
    }
}

/// `lockstep bench`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Kernels to time [default: all].
    #[arg(value_enum)]
    pub kernels: Vec<BenchKernel>,
    /// Output modes [default: reused, new, fresh, option; reused-all and new1 are of corr and
    /// beta only].
    #[arg(long = "mode", value_enum, value_delimiter = ',')]
    pub modes: Vec<BenchMode>,
    /// Input x (or prices): a file of little-endian f64 [default: generated].
    #[arg(long, value_name = "FILE")]
    pub x: Option<PathBuf>,
    /// Input y of corr and beta (with --x).
    #[arg(long, value_name = "FILE")]
    pub y: Option<PathBuf>,
    /// Length of the generated inputs.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(100..=200_000_000))]
    pub n: usize,
    /// Seed of the generated inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Runs per kernel; the best is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub reps: usize,
    /// Output format (JSON: one object per line).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Little-endian f64s of a file.
fn read_f64s(path: &std::path::Path) -> Result<Vec<f64>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    ensure!(
        bytes.len().is_multiple_of(8),
        "{}: not a whole number of little-endian f64s ({} bytes)",
        path.display(),
        bytes.len()
    );
    Ok(bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// Uniform noise in ±0.02 from a 64-bit xorshift generator (deterministic per seed).
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.04
        })
        .collect()
}

/// The inputs: the files, or generated ones (returns-like noise x and y = 0.6·x + noise for
/// the two-input kernels, the random walk 100·exp(Σr) for the indicators).
fn inputs(a: &Args, kernel: BenchKernel) -> Result<(Vec<f64>, Vec<f64>)> {
    let two = matches!(kernel, BenchKernel::Corr | BenchKernel::Beta);
    if let Some(x) = &a.x {
        let x = read_f64s(x)?;
        let y = match (&a.y, two) {
            (Some(y), true) => read_f64s(y)?,
            (None, true) => bail!("{} needs --y FILE with --x", kernel.name()),
            _ => Vec::new(),
        };
        ensure!(
            !two || y.len() == x.len(),
            "--x and --y differ in length ({} and {})",
            x.len(),
            y.len()
        );
        return Ok((x, y));
    }
    let x = noise(a.n, a.seed);
    if two {
        let e = noise(a.n, a.seed + 1);
        let y = x.iter().zip(&e).map(|(x, e)| 0.6 * x + e).collect();
        Ok((x, y))
    } else {
        let mut level = 0.0;
        let walk = x
            .iter()
            .map(|r| {
                level += r;
                100.0 * f64::exp(level)
            })
            .collect();
        Ok((walk, Vec::new()))
    }
}

/// Sum of the finite values of the last output: a checksum, so the work cannot be dropped.
fn tail_sum(v: &[f64]) -> f64 {
    v.last().copied().filter(|x| x.is_finite()).unwrap_or(0.0)
}

/// Best of `reps` runs of `f` (seconds) and the last checksum.
fn best_of(reps: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let (mut best, mut sum) = (f64::INFINITY, 0.0);
    for _ in 0..reps {
        let t = Instant::now();
        sum = black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, sum)
}

/// One timed kernel.
struct Timing {
    kernel: BenchKernel,
    mode: BenchMode,
    n: usize,
    /// Threads the kernel computed on.
    threads: usize,
    best: f64,
    checksum: f64,
}

/// The output buffers of the `reused` and `stream` modes, allocated once per kernel.
struct Reused {
    out: Vec<f64>,
    o2: Vec<f64>,
    o3: Vec<f64>,
}

/// Run `kernel` in `mode` `reps` times (the best is kept); `bufs` are the output buffers of
/// the `reused` mode.
fn time(
    kernel: BenchKernel,
    mode: BenchMode,
    x: &[f64],
    y: &[f64],
    reps: usize,
    bufs: &mut Reused,
) -> Result<Timing> {
    let n = x.len();
    ensure!(
        n > WINDOW,
        "the input has {n} values: give more than {WINDOW}"
    );
    let two = matches!(kernel, BenchKernel::Corr | BenchKernel::Beta);
    ensure!(
        two || !matches!(mode, BenchMode::ReusedAll | BenchMode::New1),
        "--mode {} times corr and beta only",
        mode.name()
    );
    // The threads of the parallel forms (corr and beta in `new` and `reused-all`).
    let all = default_threads();
    let threads = match mode {
        BenchMode::ReusedAll | BenchMode::New if two => threads_for(n, all),
        _ => 1,
    };
    let Reused { out, o2, o3 } = bufs;
    // The kernel into `buf` (reused or fresh), or its `Option` form.
    let run_into = |buf: &mut [f64], o2: &mut [f64], o3: &mut [f64]| -> f64 {
        match kernel {
            BenchKernel::Corr => {
                let mut k = RollingCorrelation::new(WINDOW).expect("valid window");
                k.over_into(black_box(x), black_box(y), buf)
                    .expect("lengths");
            }
            BenchKernel::Beta => {
                let mut k = RollingBeta::new(WINDOW).expect("valid window");
                k.over_into(black_box(x), black_box(y), buf)
                    .expect("lengths");
            }
            BenchKernel::Rsi => Rsi::new(14)
                .expect("valid period")
                .over_into(black_box(x), buf)
                .expect("lengths"),
            BenchKernel::Ema => Ema::new(20)
                .expect("valid period")
                .over_into(black_box(x), buf)
                .expect("lengths"),
            BenchKernel::Macd => {
                Macd::new(12, 26, 9)
                    .expect("valid periods")
                    .over_into(black_box(x), buf, o2, o3)
                    .expect("lengths");
                return tail_sum(buf) + tail_sum(o2) + tail_sum(o3);
            }
        }
        tail_sum(buf)
    };
    // Corr and beta on `t` threads into the buffer allocated once.
    let into_threads = |buf: &mut [f64], t: usize| -> f64 {
        match kernel {
            BenchKernel::Corr => RollingCorrelation::new(WINDOW)
                .expect("valid window")
                .over_into_threads(black_box(x), black_box(y), buf, t)
                .expect("lengths"),
            _ => RollingBeta::new(WINDOW)
                .expect("valid window")
                .over_into_threads(black_box(x), black_box(y), buf, t)
                .expect("lengths"),
        }
        tail_sum(buf)
    };
    // `over_new` (the output allocated by the kernel's batch form), corr and beta on `t`
    // threads.
    let new = |t: usize| -> f64 {
        match kernel {
            BenchKernel::Corr => tail_sum(
                &RollingCorrelation::new(WINDOW)
                    .expect("valid window")
                    .over_new_threads(black_box(x), black_box(y), t)
                    .expect("lengths"),
            ),
            BenchKernel::Beta => tail_sum(
                &RollingBeta::new(WINDOW)
                    .expect("valid window")
                    .over_new_threads(black_box(x), black_box(y), t)
                    .expect("lengths"),
            ),
            BenchKernel::Rsi => tail_sum(&Rsi::new(14).expect("valid").over_new(black_box(x))),
            BenchKernel::Ema => tail_sum(&Ema::new(20).expect("valid").over_new(black_box(x))),
            BenchKernel::Macd => {
                let m = Macd::new(12, 26, 9).expect("valid").over_new(black_box(x));
                tail_sum(&m.macd) + tail_sum(&m.signal) + tail_sum(&m.hist)
            }
        }
    };
    let option = || -> f64 {
        let last = match kernel {
            BenchKernel::Corr => RollingCorrelation::new(WINDOW)
                .expect("valid window")
                .over(black_box(x), black_box(y))
                .expect("lengths")
                .pop()
                .flatten(),
            BenchKernel::Beta => RollingBeta::new(WINDOW)
                .expect("valid window")
                .over(black_box(x), black_box(y))
                .expect("lengths")
                .pop()
                .flatten(),
            BenchKernel::Rsi => Rsi::new(14)
                .expect("valid")
                .over(black_box(x))
                .pop()
                .flatten(),
            BenchKernel::Ema => Ema::new(20)
                .expect("valid")
                .over(black_box(x))
                .pop()
                .flatten(),
            BenchKernel::Macd => Macd::new(12, 26, 9)
                .expect("valid")
                .over(black_box(x))
                .pop()
                .flatten()
                .map(|p| p.macd + p.signal + p.hist),
        };
        last.unwrap_or(0.0)
    };
    let (best, checksum) = match mode {
        BenchMode::Reused => best_of(reps, || run_into(out, o2, o3)),
        BenchMode::ReusedAll => best_of(reps, || into_threads(out, all)),
        BenchMode::Fresh => best_of(reps, || {
            let (mut a, mut b, mut c) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            run_into(&mut a, &mut b, &mut c)
        }),
        BenchMode::Mapped => best_of(reps, || {
            let map = || OutBuf::mapped(n).unwrap_or_else(|| OutBuf::heap(n));
            let (mut a, mut b, mut c) = (map(), map(), map());
            run_into(&mut a, &mut b, &mut c)
        }),
        BenchMode::New => best_of(reps, || new(all)),
        BenchMode::New1 => best_of(reps, || new(1)),
        BenchMode::Option => best_of(reps, option),
        BenchMode::Stream => {
            ensure!(
                kernel == BenchKernel::Corr,
                "--mode stream times the streaming correlation only"
            );
            best_of(reps, || {
                let mut k = RollingCorrelation::new(WINDOW).expect("valid window");
                for ((o, &a), &b) in out.iter_mut().zip(black_box(x)).zip(y) {
                    *o = k.next(a, b).unwrap_or(f64::NAN);
                }
                tail_sum(out)
            })
        }
    };
    Ok(Timing {
        kernel,
        mode,
        n,
        threads,
        best,
        checksum,
    })
}

/// `lockstep bench [KERNEL...]`: time each kernel in each mode and print the timings.
pub fn run(_cx: &Cx, a: &Args) -> Result<()> {
    crate::output::show(&timings(a)?, a.format, Look::default())
}

/// The timings of a run: JSON is one object per line (read by `bench/compare.py`).
struct Timings {
    reps: usize,
    rows: Vec<Timing>,
}

/// Nanoseconds per input element.
fn ns(t: &Timing) -> f64 {
    t.best / t.n as f64 * 1e9
}

impl View for Timings {
    fn table(&self, _look: Look) -> String {
        let mut s = format!(
            "best of {} runs; ns per input element\n{:<16} {:<10} {:>10} {:>7} {:>10}\n",
            self.reps, "kernel", "output", "n", "threads", "ns/elem"
        );
        for t in &self.rows {
            s += &format!(
                "{:<16} {:<10} {:>10} {:>7} {:>10.2}\n",
                t.kernel.label(),
                t.mode.name(),
                t.n,
                t.threads,
                ns(t)
            );
        }
        s
    }
    fn csv(&self) -> String {
        let mut s = String::from("kernel,mode,n,best_s,ns_per_element,threads\n");
        for t in &self.rows {
            s += &format!(
                "{},{},{},{:e},{},{}\n",
                t.kernel.name(),
                t.mode.name(),
                t.n,
                t.best,
                ns(t),
                t.threads
            );
        }
        s
    }
    fn json(&self) -> Result<String, ReportError> {
        Ok(self
            .rows
            .iter()
            .map(|t| {
                serde_json::json!({
                    "kernel": t.kernel.name(), "mode": t.mode.name(), "n": t.n,
                    "threads": t.threads, "best_s": t.best, "ns_per_element": ns(t), "checksum": t.checksum,
                })
                .to_string()
                    + "\n"
            })
            .collect())
    }
}

/// Time every kernel asked for in every mode asked for.
fn timings(a: &Args) -> Result<Timings> {
    let kernels = if a.kernels.is_empty() {
        BenchKernel::ALL.to_vec()
    } else {
        a.kernels.clone()
    };
    let modes = if a.modes.is_empty() {
        vec![
            BenchMode::Reused,
            BenchMode::New,
            BenchMode::Fresh,
            BenchMode::Option,
        ]
    } else {
        a.modes.clone()
    };
    let mut rows = Vec::new();
    for &k in &kernels {
        let (x, y) = inputs(a, k)?;
        // The modes take turns, one run each per round, so that a burst of load on a shared
        // machine hits them alike; each keeps its best run.
        let n = x.len();
        let mut bufs = Reused {
            out: vec![0.0; n],
            o2: vec![0.0; n],
            o3: vec![0.0; n],
        };
        let mut best: Vec<Option<Timing>> = modes.iter().map(|_| None).collect();
        for _ in 0..a.reps {
            for (slot, &m) in best.iter_mut().zip(&modes) {
                let t = time(k, m, &x, &y, 1, &mut bufs)?;
                if slot.as_ref().is_none_or(|b| t.best < b.best) {
                    *slot = Some(t);
                }
            }
        }
        rows.extend(best.into_iter().flatten());
    }
    Ok(Timings { reps: a.reps, rows })
}
