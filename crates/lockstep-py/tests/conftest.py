"""Shared fixtures of the Python package's tests: the real data in ``../shared/data`` beside
the repository (tests that need it skip with the reason when it is absent), the golden files,
and the ``lockstep`` binary to compare against (``$LOCKSTEP_BIN``, else the workspace's target
folder)."""

from __future__ import annotations

import csv
import math
import os
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "data"
GOLDEN = REPO / "test_data" / "golden"


def shared(name: str) -> Path:
    """A file of the real data, or a skip saying why the test cannot run."""
    p = SHARED / name
    if not p.is_file():
        pytest.skip(f"skipping: {p} not found (the test needs the real data in ../shared/data)")
    return p


def lockstep_bin() -> Path:
    """The ``lockstep`` binary, or a skip saying how to provide it."""
    env = os.environ.get("LOCKSTEP_BIN")
    candidates = [Path(env)] if env else []
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    candidates += [target / "release" / "lockstep", target / "debug" / "lockstep"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    pytest.skip("skipping: no lockstep binary (set LOCKSTEP_BIN or build it: cargo build -p lockstep-cli)")
    raise AssertionError  # unreachable


def run_cli(*args: str, home: Path) -> str:
    """Standard output of ``lockstep ARGS`` with ``LOCKSTEP_HOME=home`` (it must succeed)."""
    env = dict(os.environ, LOCKSTEP_HOME=str(home), NO_COLOR="1")
    out = subprocess.run([str(lockstep_bin()), *args], capture_output=True, text=True, env=env,
                         check=False)
    assert out.returncode == 0, f"lockstep {' '.join(args)} failed: {out.stderr}"
    return out.stdout


def number(cell: str) -> float:
    """A CSV cell as the exact float it prints (empty = NaN)."""
    return math.nan if cell == "" else float(cell)


def read_columns(text: str) -> Dict[str, List[str]]:
    """A CSV text as columns of cells."""
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    return {h: [r[i] for r in body] for i, h in enumerate(header)}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty Lockstep home folder (store and config) for one test."""
    h = tmp_path / "home"
    h.mkdir()
    return h
