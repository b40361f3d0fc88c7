#!/usr/bin/env python3
"""Growth with the data: time and peak memory of whole `lockstep` commands against the number of rows.

Usage (standard library only; /usr/bin/time for the peak memory):
    cargo build --release -p lockstep-cli
    python3 bench/scaling.py [--sizes 10000,30000,100000,300000,1000000] [--repeat 3]
                             [--binary target/release/lockstep] [--data DIR]

For each size n, generates two daily legs A and B of n rows (consecutive calendar days from
1900-01-01; a geometric random walk with 1% daily moves, B = 0.6·A's move + its own noise; Open,
High, Low around the close, a Volume; seeded), writes them as Date,Open,High,Low,Close,Volume
CSV files into a temporary folder, and runs the release binary on them (LOCKSTEP_HOME in that
folder, so no store, no network):
  * corr A B --format csv
  * analyze A B --offline
  * technicals A --format csv
  * levels A --format csv
Each figure (the wall time of the whole process: reading, computing, printing to /dev/null; its
CPU time; its peak resident memory) is the median of --repeat runs (one run when a run took
more than 20 s); the peak resident memory is /usr/bin/time's maximum resident set size of that
process (not getrusage of this process's children, which would count pages this process holds
at fork).

Prints one Markdown table: per command and size, the wall seconds, the CPU seconds (user +
system of the process, getrusage of the children: steadier than the wall time on a shared
machine) and CPU
microseconds per row, the peak MiB and KiB per row, and the marginal cost from the size before
(ΔCPU/Δrows, ΔRSS/Δrows): flat marginal columns mean linear growth.
"""
import argparse
import math
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

COMMANDS = [
    ("corr", ["corr", "{A}", "{B}", "--format", "csv"]),
    ("analyze", ["analyze", "{A}", "{B}", "--offline"]),
    ("technicals", ["technicals", "{A}", "--format", "csv"]),
    ("levels", ["levels", "{A}", "--format", "csv"]),
]


def write_legs(folder: str, n: int, seed: int) -> tuple[str, str]:
    """Two correlated random-walk legs of n daily rows, as CSV files; returns their paths."""
    rng = random.Random(seed)
    start = date(1900, 1, 1).toordinal()
    paths = (os.path.join(folder, f"A{n}.csv"), os.path.join(folder, f"B{n}.csv"))
    la, lb = math.log(100.0), math.log(50.0)
    with open(paths[0], "w") as fa, open(paths[1], "w") as fb:
        fa.write("Date,Open,High,Low,Close,Volume\n")
        fb.write("Date,Open,High,Low,Close,Volume\n")
        for i in range(n):
            d = date.fromordinal(start + i).isoformat()
            ra = rng.gauss(0.0, 0.01)
            rb = 0.6 * ra + rng.gauss(0.0, 0.008)
            for f, lp, r in ((fa, la, ra), (fb, lb, rb)):
                c = math.exp(lp + r)
                o = math.exp(lp)
                hi = max(o, c) * (1.0 + abs(rng.gauss(0.0, 0.004)))
                lo = min(o, c) * (1.0 - abs(rng.gauss(0.0, 0.004)))
                v = int(1e6 * math.exp(rng.gauss(0.0, 0.3)))
                f.write(f"{d},{o:.6f},{hi:.6f},{lo:.6f},{c:.6f},{v}\n")
            la += ra
            lb += rb
    return paths


def run_once(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one run of cmd."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "scaling: maxrss_kb=%M"] + cmd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    rss = int(re.findall(r"scaling: maxrss_kb=([0-9]+)", p.stderr)[-1]) / 1024
    return wall, cpu, rss


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,30000,100000,300000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(here, "..", "target", "release", "lockstep"))
    ap.add_argument("--data", default=None,
                    help="a folder to keep the legs in and reuse them from (they depend only "
                         "on n), instead of writing them into the temporary folder each time")
    ap.add_argument("--commands", default=",".join(c for c, _ in COMMANDS),
                    help="a subset of corr,analyze,technicals,levels")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    wanted = a.commands.split(",")
    binary = os.path.abspath(a.binary)
    if not os.path.isfile(binary):
        sys.exit(f"{binary} not found: cargo build --release -p lockstep-cli")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LOCKSTEP_HOME=os.path.join(tmp, "home"), NO_COLOR="1")
        for n in sizes:
            t0 = time.perf_counter()
            folder = a.data or tmp
            os.makedirs(folder, exist_ok=True)
            pa, pb = (os.path.join(folder, f"{x}{n}.csv") for x in "AB")
            if not (a.data and os.path.isfile(pa) and os.path.isfile(pb)):
                pa, pb = write_legs(folder, n, seed=n)
            print(f"n = {n}: legs ready in {time.perf_counter() - t0:.1f} s "
                  f"({os.path.getsize(pa) / 2**20:.1f} MiB each)", file=sys.stderr)
            for name, template in COMMANDS:
                if name not in wanted:
                    continue
                cmd = [binary] + [x.format(A=pa, B=pb) for x in template]
                runs = []
                for _ in range(a.repeat):
                    runs.append(run_once(cmd, env))
                    if runs[-1][0] > 20:
                        break
                best, cpu, peak = (statistics.median(r[i] for r in runs) for i in range(3))
                print(f"  {name:<10} {best:8.3f} s {cpu:8.3f} s CPU {peak:8.1f} MiB", file=sys.stderr)
                rows.append((name, n, best, cpu, peak))
            if not a.data:
                os.remove(pa)
                os.remove(pb)
    print(f"| command | rows | wall s | CPU s | CPU µs/row | Δ CPU µs/row | peak MiB | KiB/row "
          f"| Δ KiB/row |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, _ in COMMANDS:
        prev = None
        for r in (r for r in rows if r[0] == name):
            _, n, w, c, m = r
            d_cpu = d_mem = ""
            if prev:
                dn = n - prev[1]
                d_cpu = f"{1e6 * (c - prev[3]) / dn:.2f}"
                d_mem = f"{1024 * (m - prev[4]) / dn:.3f}"
            print(f"| {name} | {n} | {w:.3f} | {c:.3f} | {1e6 * c / n:.2f} | {d_cpu} | {m:.1f} "
                  f"| {1024 * m / n:.3f} | {d_mem} |")
            prev = r
    print(f"binary {binary}; {os.cpu_count()} cores; median of {a.repeat} runs "
          f"(1 above 20 s); peak RSS by /usr/bin/time")


if __name__ == "__main__":
    main()
