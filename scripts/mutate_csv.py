#!/usr/bin/env python3
"""Mutation test of the CSV readers: every mutated file must either load (exit 0) or fail
with exit code 1 and one error naming the file and a line (`FILE:LINE: ...`); never a panic
(exit 101), a hang, a silently shortened series, or a non-finite number on standard output.

Usage: python3 scripts/mutate_csv.py [--lockstep target/release/lockstep] [--seed 1]
       [--per-file 60] [FILE ...]
Without files, the daily CSVs of ../shared/data are mutated. Prints a table of the cases
tried, loaded, refused with a located error, and failures (with the first failing case of
each kind kept under target/mutations/ for inspection).
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MUTATIONS = [
    "stray_quote",
    "drop_cell",
    "extra_cell",
    "bad_number",
    "nan_price",
    "inf_price",
    "negative_price",
    "zero_price",
    "huge_price",
    "tiny_price",
    "bad_date",
    "swap_rows",
    "duplicate_row",
    "blank_line",
    "crlf",
    "bom",
    "truncate",
    "long_cell",
    "negative_volume",
    "nan_open",
]


def mutate(lines, kind, rng):
    """A mutated copy of `lines` (header first) and the 1-based line it touched."""
    out = list(lines)
    n = len(out)
    i = rng.randrange(1, n) if n > 1 else 0
    cells = out[i].split(",")
    c = rng.randrange(1, len(cells)) if len(cells) > 1 else 0
    if kind == "stray_quote":
        out[i] = '"' + out[i]
    elif kind == "drop_cell":
        out[i] = ",".join(cells[:-1])
    elif kind == "extra_cell":
        out[i] = out[i] + ",7"
    elif kind == "bad_number":
        cells[c] = "12x.5"
        out[i] = ",".join(cells)
    elif kind in ("nan_price", "inf_price", "negative_price", "zero_price", "huge_price", "tiny_price"):
        value = {"nan_price": "NaN", "inf_price": "inf", "negative_price": "-5",
                 "zero_price": "0", "huge_price": "1e19", "tiny_price": "1e-300"}[kind]
        cells[c] = value
        out[i] = ",".join(cells)
    elif kind == "bad_date":
        cells[0] = "2024-13-45"
        out[i] = ",".join(cells)
    elif kind == "swap_rows" and n > 3:
        j = min(i + 1, n - 1)
        out[i], out[j] = out[j], out[i]
    elif kind == "duplicate_row":
        out.insert(i, out[i])
    elif kind == "blank_line":
        out.insert(i, "")
    elif kind == "crlf":
        return [l + "\r" for l in out], i + 1
    elif kind == "bom":
        out[0] = "\ufeff" + out[0]
    elif kind == "truncate":
        out = out[: i + 1]
        out[-1] = out[-1][: max(1, len(out[-1]) // 2)]
    elif kind == "long_cell":
        cells[c] = "9" * 200_000
        out[i] = ",".join(cells)
    elif kind == "negative_volume":
        cells[-1] = "-3"
        out[i] = ",".join(cells)
    elif kind == "nan_open" and len(cells) > 2:
        cells[1] = "NaN"
        out[i] = ",".join(cells)
    return out, i + 1


def run(lockstep, path, timeout=20):
    try:
        p = subprocess.run(
            [lockstep, "--offline", "corr", str(path), str(path), "--window", "5", "--format", "csv"],
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "LOCKSTEP_HOME": tempfile.gettempdir() + "/lockstep-mutations-home"},
        )
    except subprocess.TimeoutExpired:
        return "hang", ""
    if p.returncode == 0:
        if "inf" in p.stdout.lower() or "nan" in p.stdout.lower():
            return "non-finite output", p.stdout[:200]
        return "loaded", ""
    if p.returncode == 1:
        first = p.stderr.splitlines()[0] if p.stderr else ""
        # A located error: "error: FILE:LINE: ..." (or the file named with a reason).
        if path.name in first:
            return "refused (located)", first
        return "refused (not located)", first
    return f"exit {p.returncode}", p.stderr[:300]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lockstep", default=str(ROOT / "target/release/lockstep"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-file", type=int, default=len(MUTATIONS))
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = [Path(f) for f in a.files]
    if not files:
        data = ROOT.parent / "shared" / "data"
        files = sorted(p for p in data.glob("*.daily.csv"))
    if not files:
        sys.exit("no input files (../shared/data absent?)")
    rng = random.Random(a.seed)
    keep = ROOT / "target" / "mutations"
    keep.mkdir(parents=True, exist_ok=True)
    tally = Counter()
    by_kind = Counter()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            text = f.read_text(encoding="utf-8-sig")
            lines = text.splitlines()
            for k in range(a.per_file):
                kind = MUTATIONS[k % len(MUTATIONS)]
                mutated, line = mutate(lines, kind, rng)
                path = Path(tmp) / f"{f.stem}.{kind}.{k}.csv"
                path.write_text("\n".join(mutated) + "\n", encoding="utf-8")
                verdict, detail = run(a.lockstep, path)
                tally[verdict] += 1
                by_kind[(kind, verdict)] += 1
                if verdict not in ("loaded", "refused (located)"):
                    failures.append((kind, f.name, verdict, detail))
                    shutil.copy(path, keep / path.name)
    total = sum(tally.values())
    print(f"{total} mutated files from {len(files)} inputs (seed {a.seed})")
    for verdict, count in sorted(tally.items()):
        print(f"  {verdict:24} {count}")
    print("by mutation:")
    for kind in MUTATIONS:
        row = {v: c for (k, v), c in by_kind.items() if k == kind}
        if row:
            print(f"  {kind:16} " + ", ".join(f"{v} {c}" for v, c in sorted(row.items())))
    for kind, name, verdict, detail in failures[:20]:
        print(f"FAIL {kind} {name}: {verdict}: {detail}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
