#!/usr/bin/env python3
"""Correlation screen, side by side: pandas pairwise rolling correlation against `lockstep screen`.

Usage (installs nothing; `pip install pandas numpy`):
    cargo build --release -p lockstep-cli
    python3 bench/screen_compare.py [--series 200] [--days 2520] [--window 90]

Generates `--series` random-walk price series on the same `--days` business days once (seeded),
writes them as Date,Close CSV files into a temporary folder, then times on that data:
  * pandas: `returns.rolling(window).corr()` on the wide frame of log returns (every pair, every
    day: the pandas idiom for a rolling correlation matrix), best of 3 (1 for > 300 series);
  * lockstep: `target/release/lockstep screen DIR --window W --format csv` (the whole process:
    reading the CSV files, aligning each pair, all pairs on every core), best of 3.
Prints seconds, ns per pair-day (pairs = n(n-1)/2, days = returns per pair) and the ratios, for
lockstep's whole process and for its computation alone (`lockstep -v screen` reports it; pandas
is timed on data already in memory), and lockstep's peak resident memory (/usr/bin/time).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--days", type=int, default=2520)
    ap.add_argument("--window", type=int, default=90)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "lockstep"))
    a = ap.parse_args()
    rng = np.random.default_rng(42)
    dates = pd.bdate_range("2016-01-04", periods=a.days)
    common = rng.normal(0, 0.01, a.days)
    rets = 0.5 * common[:, None] + rng.normal(0, 0.01, (a.days, a.series))
    prices = 100 * np.exp(np.cumsum(rets, axis=0))
    pairs = a.series * (a.series - 1) // 2
    pair_days = pairs * (a.days - 1)
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.series):
            with open(os.path.join(tmp, f"s{k:04d}.csv"), "w") as f:
                f.write("Date,Close\n")
                f.writelines(f"{d:%Y-%m-%d},{float(p)!r}\n" for d, p in zip(dates, prices[:, k]))
        frame = pd.DataFrame(np.log(prices), index=dates).diff().iloc[1:]
        runs = 1 if a.series > 300 else 3
        best_pd = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            frame.rolling(a.window).corr()
            best_pd = min(best_pd, time.perf_counter() - t0)
        best_ls, best_kernel, rss_mib = float("inf"), float("inf"), 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            # /usr/bin/time for the peak memory: getrusage of children would count the pages
            # of this (pandas-holding) process that the child inherits at fork.
            p = subprocess.Popen(["/usr/bin/time", "-f", "maxrss_kb=%M",
                                  a.binary, "-v", "screen", tmp, "--window", str(a.window), "--format", "csv"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            _, err = p.communicate()
            best_ls = min(best_ls, time.perf_counter() - t0)
            if p.returncode != 0:
                sys.exit(err)
            m = re.search(r"computed in ([0-9.]+) ms", err)
            best_kernel = min(best_kernel, float(m.group(1)) / 1e3)
            rss_mib = max(rss_mib, int(re.search(r"maxrss_kb=([0-9]+)", err).group(1)) / 1024)
    print(f"{a.series} series x {a.days} days, window {a.window}: {pairs} pairs, {pair_days} pair-days")
    print(f"{'':<10} {'seconds':>9} {'ns/pair-day':>12}")
    print(f"{'pandas':<10} {best_pd:>9.3f} {1e9 * best_pd / pair_days:>12.2f}")
    print(f"{'lockstep':<10} {best_ls:>9.3f} {1e9 * best_ls / pair_days:>12.2f}   whole process: read {a.series} CSV files + compute")
    print(f"{'  compute':<10} {best_kernel:>9.3f} {1e9 * best_kernel / pair_days:>12.2f}   the screen itself (like pandas: data in memory)")
    print(f"pandas / lockstep: {best_pd / best_ls:.1f}x whole process, {best_pd / best_kernel:.1f}x compute; "
          f"lockstep peak RSS {rss_mib:.0f} MiB ({os.cpu_count()} cores)")


if __name__ == "__main__":
    sys.exit(main())
