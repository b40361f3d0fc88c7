#!/usr/bin/env python3
"""Before/after timing of whole `lockstep` runs on a shared machine: the binaries alternated run
by run, medians of the wall time and of the CPU time (user + system of the child, getrusage),
which other processes inflate much less than the wall time.

Usage (standard library only):
    python3 bench/alternate.py RUNS BINARY[,BINARY...] ARGS...
    python3 bench/alternate.py 31 /tmp/before,target/release/lockstep --offline analyze ETH-USD ^RUT

LOCKSTEP_HOME is taken from the environment; outputs go to /dev/null; a failing run stops it.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    binaries = sys.argv[2].split(",")
    args = sys.argv[3:]
    env = dict(os.environ, NO_COLOR="1")
    wall = {b: [] for b in binaries}
    cpu = {b: [] for b in binaries}
    for _ in range(runs):
        for b in binaries:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([b] + args, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            wall[b].append((time.perf_counter() - t0) * 1e3)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[b].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e3)
    for b in binaries:
        print(f"{b}: wall median {statistics.median(wall[b]):.1f} ms (min {min(wall[b]):.1f}), "
              f"CPU median {statistics.median(cpu[b]):.1f} ms (min {min(cpu[b]):.1f}), {runs} runs")


if __name__ == "__main__":
    main()
