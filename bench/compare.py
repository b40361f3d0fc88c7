"""Lockstep against pandas, polars and TA-Lib on the same inputs, in the same run.

    python3 bench/compare.py            # pip install pandas polars ta-lib numpy

Installs nothing itself. One run generates the inputs once (numpy, fixed seed), writes them to
a temporary directory as little-endian f64 files, times pandas, polars and TA-Lib on them in
this process (best of N), and times Lockstep on the very same files through
`lockstep bench KERNEL --x FILE [--y FILE] --mode new,reused,... --format json` (the
release binary, built first; best of N inside that process). It prints a Markdown table of ns per element and the ratio Lockstep / other
(below 1 means Lockstep is faster) for:

* rolling Pearson correlation and beta, window 90, of returns-like noise (y = 0.6 x + noise),
  n = 10^6 and 10^7: pandas `rolling(90).corr` / `.cov / .var`, polars `rolling_corr` /
  `rolling_cov / rolling_var`, TA-Lib `CORREL`;
* RSI(14), EMA(20) and MACD(12, 26, 9) of a positive random walk (100·exp(Σr)),
  n = 10^6 and 10^7, against TA-Lib.

Every other library computes on one thread (polars is pinned with POLARS_MAX_THREADS=1 unless
`--polars-threads` says otherwise). Lockstep is timed these ways, each row labelled with the
threads it computed on: `over_new`, a new output on every call as the Python libraries
return a new array (an `OutBuf`: below 32 MiB a `Vec`, reused from the previous call's
dropped output as glibc reuses numpy's; from 32 MiB on a huge-page mapping), the headline
row and the one the ratios are of: corr and beta on every core (the input cut at block
boundaries, bit-identical to one thread), the indicators on one (a helper thread faulting in
the pages of a large output); for corr and beta, `over_new` on one thread and
`over_into_threads` on every core into a buffer allocated once; `over_into` into an output
buffer allocated once (the kernel alone, one thread); `over_into` into a new `Vec<f64>` on
every call (4 KiB pages and their faults at 10^7); `over_into` into a new huge-page mapping
on every call, without the helper thread, at every size; and `over` (the `Vec<Option<f64>>`
form).

Each library's figure is the best of `--reps` consecutive calls of the same function. The
headline `over_new` is timed the same way, in a `lockstep bench` process of its own; the other
Lockstep forms are timed in a second process, where they take turns call by call (so that a
burst of load hits them alike). Taking turns with them slows `over_new` itself: at 10^6 MACD,
best of 41, 1.2 ns alone against 2.4 ns between the other forms' runs (which map, fault and
free fresh memory between its calls), so the turns are kept for the diagnostic forms only.

With `--runs N` the whole comparison runs N times over the same inputs and every figure is the
median of the N (each itself a best of `--reps`), so that the load of a shared machine shows
less; the load average is printed before and after.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
W = 90


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000000,10000000", help="n for correlation and beta")
    p.add_argument("--sizes-indicators", default="1000000,10000000", help="n for RSI, EMA, MACD")
    p.add_argument("--runs", type=int, default=1, help="median of this many whole runs")
    p.add_argument("--reps", type=int, default=5, help="best of this many runs (n <= 10^6)")
    p.add_argument("--reps-large", type=int, default=3, help="best of this many runs (n > 10^6)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--polars-threads", default="1")
    p.add_argument("--skip-build", action="store_true", help="assume target/release/lockstep is built")
    p.add_argument("--kernels", default="corr,beta,rsi,ema,macd",
                   help="comma-separated subset of corr,beta,rsi,ema,macd")
    return p.parse_args()


ARGS = parse_args()
# Must be set before polars is imported.
os.environ.setdefault("POLARS_MAX_THREADS", ARGS.polars_threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import talib  # noqa: E402


def best_of(f, reps):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def cargo(*args):
    return ["cargo", *args]


# LOCKSTEP_BIN names another binary (a "before" build, to alternate with --skip-build).
LOCKSTEP = Path(os.environ.get("LOCKSTEP_BIN") or
                Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "lockstep")


def build_lockstep():
    subprocess.run(
        cargo("build", "--release", "--quiet", "-p", "lockstep-cli"),
        cwd=ROOT,
        check=True,
    )


HEADLINE = "Lockstep, new output per call (over_new)"
MODES = (
    ("new", HEADLINE),
    ("new1", "Lockstep over_new on one thread"),
    ("reused", "Lockstep over_into, buffer allocated once"),
    ("reused-all", "Lockstep over_into_threads, buffer allocated once"),
    ("fresh", "Lockstep over_into, new Vec (4 KiB pages)"),
    ("mapped", "Lockstep over_into, new huge-page mapping, one thread"),
    ("option", "Lockstep over (Option)"),
)
# The modes of corr and beta only (their parallel forms).
PAIR_ONLY = ("new1", "reused-all")


def lockstep(kernel, reps, x, y=None):
    """ns per element of `lockstep bench` for each of MODES, in that order (those of corr and
    beta only for them), each label ending with the threads the kernel used."""
    modes = [(m, label) for m, label in MODES if y is not None or m not in PAIR_ONLY]
    timed = {}
    # The headline alone (consecutive calls, as the other libraries are timed), then the rest.
    for group in (modes[:1], modes[1:]):
        args = [str(LOCKSTEP), "bench", kernel, "--x", str(x), "--reps", str(reps),
                "--mode", ",".join(m for m, _ in group), "--format", "json"]
        if y is not None:
            args += ["--y", str(y)]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        timed.update({r["mode"]: r for r in map(json.loads, out.strip().splitlines())})
    rows = []
    for mode, label in modes:
        t = timed[mode]["threads"]
        rows.append((f"{label} [{t} thread{'s' if t > 1 else ''}]", timed[mode]["ns_per_element"]))
    return rows


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; {rustc}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"polars {pl.__version__} ({os.environ['POLARS_MAX_THREADS']} thread(s)), "
        f"TA-Lib {talib.__version__}"
    )


def load():
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def main():
    if not ARGS.skip_build:
        build_lockstep()
    sizes = [int(s) for s in ARGS.sizes.split(",")]
    sizes_ind = [int(s) for s in ARGS.sizes_indicators.split(",")]
    rng = np.random.default_rng(ARGS.seed)
    big = max(sizes)
    x_all = (rng.random(big) - 0.5) * 0.04
    y_all = 0.6 * x_all + (rng.random(big) - 0.5) * 0.04
    prices_all = 100.0 * np.exp(np.cumsum((rng.random(max(sizes_ind)) - 0.5) * 0.04))
    load_before = load()

    runs = []
    with tempfile.TemporaryDirectory(prefix="lockstep-compare-") as tmp:
        tmp = Path(tmp)
        for run in range(ARGS.runs):
            runs.append(one_run(tmp, run, sizes, sizes_ind, x_all, y_all, prices_all))
    rows = [
        (n, kernel, lib, float(np.median([r[i][3] for r in runs])))
        for i, (n, kernel, lib, _) in enumerate(runs[0])
    ]

    names = {"corr": "corr w=90", "beta": "beta w=90", "rsi": "RSI(14)", "ema": "EMA(20)", "macd": "MACD(12,26,9)"}
    print(f"Machine: {machine()}")
    print(f"{load_before} before, {load()} after; median of {ARGS.runs} run(s)\n")
    print("| n | kernel | library | ns/element | Lockstep new output / this |")
    print("|---:|---|---|---:|---:|")
    for n, kernel, lib, t in rows:
        ours = next(r[3] for r in rows if r[:2] == (n, kernel) and r[2].startswith(HEADLINE))
        print(f"| {n:.0e} | {names[kernel]} | {lib} | {t:.2f} | {ours / t:.2f} |")


def one_run(tmp, run, sizes, sizes_ind, x_all, y_all, prices_all):
    """One whole comparison: rows of (n, kernel, library, ns/element), in a fixed order."""
    rows = []
    kernels = ARGS.kernels.split(",")
    for n in sizes if {"corr", "beta"} & set(kernels) else []:
        reps = ARGS.reps if n <= 1_000_000 else ARGS.reps_large
        x, y = np.ascontiguousarray(x_all[:n]), np.ascontiguousarray(y_all[:n])
        fx, fy = tmp / f"x{n}.f64", tmp / f"y{n}.f64"
        if run == 0:
            x.astype("<f8").tofile(fx)
            y.astype("<f8").tofile(fy)
        sx, sy = pd.Series(x), pd.Series(y)
        df = pl.DataFrame({"x": x, "y": y})
        py = {
            "corr": {
                "pandas": lambda: sx.rolling(W).corr(sy),
                "polars": lambda: df.select(pl.rolling_corr("x", "y", window_size=W)),
                "TA-Lib CORREL": lambda: talib.CORREL(x, y, timeperiod=W),
            },
            "beta": {
                "pandas": lambda: sx.rolling(W).cov(sy) / sy.rolling(W).var(),
                "polars": lambda: df.select(
                    pl.rolling_cov("x", "y", window_size=W)
                    / pl.col("y").rolling_var(window_size=W)
                ),
                "TA-Lib CORREL": lambda: talib.CORREL(x, y, timeperiod=W),
            },
        }
        for kernel, libs in py.items():
            if kernel not in kernels:
                continue
            for lib, f in libs.items():
                if kernel == "beta" and lib.startswith("TA-Lib") and "corr" in kernels:
                    # Same timing as for corr: no need to run it twice.
                    t = next(r[3] for r in rows if r[:3] == (n, "corr", lib))
                else:
                    t = best_of(f, reps) / n * 1e9
                rows.append((n, kernel, lib, t))
            for label, t in lockstep(kernel, reps, fx, fy):
                rows.append((n, kernel, label, t))
        print(f"# run {run + 1}: n = {n} done ({load()})", file=sys.stderr)
    for ni in sizes_ind:
        prices = np.ascontiguousarray(prices_all[:ni])
        fp = tmp / f"prices{ni}.f64"
        if run == 0:
            prices.astype("<f8").tofile(fp)
        reps = ARGS.reps if ni <= 1_000_000 else ARGS.reps_large
        for kernel, f in {
            "rsi": lambda: talib.RSI(prices, timeperiod=14),
            "ema": lambda: talib.EMA(prices, timeperiod=20),
            "macd": lambda: talib.MACD(prices, 12, 26, 9),
        }.items():
            if kernel not in kernels:
                continue
            rows.append((ni, kernel, "TA-Lib", best_of(f, reps) / ni * 1e9))
            for label, t in lockstep(kernel, reps, fp):
                rows.append((ni, kernel, label, t))
        print(f"# run {run + 1}: indicators n = {ni} done ({load()})", file=sys.stderr)
    return rows


if __name__ == "__main__":
    main()
