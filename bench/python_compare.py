"""lockstep.rolling_corr and rolling_beta from Python against pandas and TA-Lib on the same arrays.

    pip install ./crates/lockstep-py TA-Lib      # the wheel (release build), numpy, pandas
    python3 bench/python_compare.py              # n = 10^6 and 10^7, in one run

The inputs are those of bench/compare.py (numpy, seed 1): returns-like uniform noise x and
y = 0.6 x + noise. In one run of the script, each library is timed on `--runs` consecutive
calls per n (5 by default), each call from the call to the returned array, a new output every
time; the table gives the best of them (the figure the ratios are of, as `bench/compare.py`
takes the best of its repetitions) and the first call alone. Why both: on this 2-core
Firecracker guest a first call writes memory the process has never touched, and that first
touch of a fresh 8 MB output costs every library from about 1 to over 40 ns an element, from
run to run (the host backs the guest's freed memory again page by page), which decides a
single call's ratio; the following calls, each with its own new output, measure the libraries.
The calls timed: `lockstep.rolling_corr(x, y, 90)` (a new output numpy allocates,
filled by the Rust kernel with the GIL released), `pd.Series(x).rolling(90).corr(pd.Series(y))`
(Series built outside the timing) and `talib.CORREL(x, y, 90)`, each after one call on a
small input (no first-call cost in the timed run; Lockstep's small input is large enough to
start its thread pool). Lockstep runs on every core by default
(from 65,536 pairs on the input is cut at block boundaries, up to four pieces per thread,
with the values of one thread bit for bit): it is timed that way, with `threads=1` (one thread), and
on pandas Series (`rolling_corr(sx, sy, 90)`, which returns a Series on the same index); each
row names its threads. `rolling_beta` is timed the same ways against pandas
`x.rolling(90).cov(y) / y.rolling(90).var()` (TA-Lib has no rolling beta: its ratio is to
`CORREL`). Prints a Markdown table of ns per element and the ratios the issue sets as
targets: pandas / Lockstep (at least 10) and Lockstep / TA-Lib (at most 1), of the best
calls. `--runs 1` times one call per library.
"""

import argparse
import os
import platform
import sys
import time

import numpy as np
import pandas as pd

import lockstep

W = 90
# Pieces of at least this many pairs (lockstep_stats::PAR_MIN): below twice that, one thread.
PAR_MIN = 1 << 15


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000000,10000000")
    p.add_argument("--runs", type=int, default=5,
                   help="consecutive calls per library and n, each with a new output (default 5)")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


FIRST = {}


def timed(f, runs, label=None):
    """The best of `runs` calls of `f` (seconds) and its last result; the first call's time is
    kept in FIRST[label]."""
    best, out = float("inf"), None
    for i in range(runs):
        t = time.perf_counter()
        out = f()
        dt = time.perf_counter() - t
        if i == 0 and label is not None:
            FIRST[label] = dt
        best = min(best, dt)
    return best, out


def main():
    args = parse_args()
    try:
        import talib
    except ImportError:
        talib = None
        print("TA-Lib not installed (pip install TA-Lib): its column is left out", file=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    big = max(sizes)
    x_all = (rng.random(big) - 0.5) * 0.04
    y_all = 0.6 * x_all + (rng.random(big) - 0.5) * 0.04
    print(f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
          f", TA-Lib {getattr(talib, '__version__', 'absent')}, lockstep {lockstep.__version__};"
          f" {platform.machine()}, window {W}; one run, "
          f"{'one call' if args.runs == 1 else f'best of {args.runs} calls'} per library and n")
    print()
    print("| n | library | ns / element | first call | pandas / lockstep | lockstep / TA-Lib |")
    print("|---:|---|---:|---:|---:|---:|")
    # One call of each on a small input first, so that no first-call cost (imports, lazy
    # initialization) lands in the one timed run. Lockstep's warm-up input holds 4·PAR_MIN
    # pairs, enough for the default to cut it into pieces: its thread pool (rayon's, started
    # on the first call that uses it, about 0.5 ms here) is then running, as pandas' and
    # TA-Lib's lazy parts are after theirs.
    warm = 4 * PAR_MIN
    lockstep.rolling_corr(x_all[:warm], y_all[:warm], W)
    pd.Series(x_all[:1000]).rolling(W).corr(pd.Series(y_all[:1000]))
    if talib is not None:
        talib.CORREL(x_all[:1000], y_all[:1000], W)
    lockstep.rolling_beta(x_all[:warm], y_all[:warm], W)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    for n in sizes:
        x, y = x_all[:n], y_all[:n]
        sx, sy = pd.Series(x), pd.Series(y)
        # The threads the default uses on n pairs (every core, pieces of at least PAR_MIN).
        all_t = max(1, min(cores, n // PAR_MIN))
        t_ta = None
        if talib is not None:
            t_ta, r_ta = timed(lambda: talib.CORREL(x, y, W), args.runs, "TA-Lib CORREL")
        for name, ls_f, pd_f, pd_name in (
            ("rolling_corr", lockstep.rolling_corr, lambda: sx.rolling(W).corr(sy),
             "pandas rolling(90).corr"),
            ("rolling_beta", lockstep.rolling_beta,
             lambda: sx.rolling(W).cov(sy) / sy.rolling(W).var(),
             "pandas rolling(90).cov / .var"),
        ):
            th = f"{all_t} thread{'s' if all_t > 1 else ''}"
            l_all = f"lockstep.{name} (numpy, default: {th})"
            l_one = f"lockstep.{name} (numpy, threads=1)"
            l_ser = f"lockstep.{name} (Series, default: {th})"
            t_all, r_all = timed(lambda: ls_f(x, y, W), args.runs, l_all)
            t_one, r_one = timed(lambda: ls_f(x, y, W, threads=1), args.runs, l_one)
            t_ser, r_ser = timed(lambda: ls_f(sx, sy, W), args.runs, l_ser)
            t_pd, r_pd = timed(pd_f, args.runs, pd_name)
            assert np.array_equal(r_all.view(np.uint64), r_one.view(np.uint64))
            assert np.array_equal(r_all, r_ser.to_numpy(), equal_nan=True)
            rows = [(l_all, t_all), (l_one, t_one), (l_ser, t_ser), (pd_name, t_pd)]
            if t_ta is not None:
                rows.append(("TA-Lib CORREL", t_ta))
            for label, t in rows:
                ns = t / n * 1e9
                first = FIRST[label] / n * 1e9
                vs_pd = f"{t_pd / t:.1f}x" if label.startswith("lockstep") else ""
                vs_ta = f"{t / t_ta:.2f}" if t_ta and label.startswith("lockstep") else ""
                print(f"| 10^{int(round(np.log10(n)))} | {label} | {ns:.2f} | {first:.2f} | {vs_pd}"
                      f" | {vs_ta} |")
            note = f"max |lockstep - pandas| {np.nanmax(np.abs(r_all - r_pd.to_numpy())):.1e}"
            if name == "rolling_corr" and t_ta is not None:
                note += f", max |lockstep - TA-Lib| {np.nanmax(np.abs(r_all - r_ta)):.1e}"
            print(f"|  | ({note}; threads=1 and the default bit-identical) |  |  |  |  |")


if __name__ == "__main__":
    main()
