"""The documentation from Python: each kernel's docstring carries the formula of the Rust
documentation of its statistic (the same text), ``help()`` shows it, and the committed type
stubs hold the same docstrings (``stubgen.py`` writes them)."""

from __future__ import annotations

import importlib.util
import pydoc
import re

import lockstep as ls
from conftest import REPO

STATS = REPO / "crates" / "lockstep-stats" / "src"

# Python function -> (Rust file, the line the doc comment is above, formulas written inline).
ITEMS = {
    "rolling_corr": ("moments.rs", "pub type RollingCorrelation", []),
    "rolling_beta": ("moments.rs", "pub type RollingBeta", []),
    "rolling_spearman": ("spearman.rs", "pub struct RollingSpearman", []),
    "ewma_corr": ("ewma.rs", "pub struct EwmaPair", ["(x*y).ewm(alpha=1-λ, adjust=False).mean()"]),
    "fisher_interval": ("fisher.rs", "pub fn fisher_interval", []),
    "rsi": ("indicators/rsi.rs", "pub struct Rsi", ["100 · (G / (G + L))"]),
    "ema": ("indicators/ema.rs", "pub struct Ema ", ["k = 2 / (n + 1)", "EMA_t = EMA_{t-1} + k · (x_t − EMA_{t-1})"]),
    "sma": ("indicators/sma.rs", "pub struct Sma", ["SMA_t = (x_t + … + x_{t-n+1}) / n"]),
    "macd": ("indicators/macd.rs", "pub struct Macd ", []),
    "bollinger": ("indicators/bollinger.rs", "pub struct Bollinger", ["σ = √(Σ(x − SMA)² / n)"]),
    "atr": ("indicators/atr.rs", "pub struct Atr", []),
    "obv": ("indicators/obv.rs", "pub struct Obv", ["OBV_0 = volume_0"]),
    "cross_correlation": ("leadlag.rs", "pub fn cross_correlation", ["a.corr(b.shift(k))"]),
    "granger": ("leadlag.rs", "pub fn granger(", ["llf = -nobs/2·(ln 2π + ln(SSR/nobs)"]),
    "partial_corr": ("partial.rs", "pub fn partial_corr", ["r_xy·z = (r_xy − r_xz r_yz)/√((1 − r_xz²)(1 − r_yz²))"]),
    "rolling_partial_corr": ("partial.rs", "pub struct RollingPartialCorrelation", []),
}


def rust_doc(file: str, anchor: str) -> str:
    lines = (STATS / file).read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(anchor))
    j = at - 1
    while j >= 0 and (lines[j].startswith("///") or lines[j].startswith("#[")):
        j -= 1
    return "\n".join(line[4:] if line.startswith("/// ") else line[3:]
                     for line in lines[j + 1:at] if line.startswith("///"))


def formulas(doc: str) -> list:
    return re.findall(r"```text\n(.*?)\n```", doc, flags=re.S)


def test_each_docstring_carries_the_rust_formula():
    for name, (file, anchor, inline) in ITEMS.items():
        rust = rust_doc(file, anchor)
        doc = getattr(ls, name).__doc__
        blocks = formulas(rust)
        for snippet in inline:
            assert snippet in rust, f"{name}: {snippet!r} is no longer in {file}"
        assert blocks or inline, f"{name}: no formula found in {file}"
        text = "\n".join(line.strip() for line in doc.splitlines())
        for block in blocks:
            want = "\n".join(line.strip() for line in block.splitlines())
            assert want in text, f"{name}: the formula of {file} is not in the docstring:\n{block}"
        for snippet in inline:
            assert snippet in doc, f"{name}: {snippet!r} missing from the docstring"
        # help() shows it.
        assert (blocks[0].splitlines()[0].strip() if blocks else inline[0]) in pydoc.render_doc(
            getattr(ls, name), renderer=pydoc.plaintext)


def test_stubs_are_up_to_date():
    path = REPO / "crates" / "lockstep-py" / "stubgen.py"
    spec = importlib.util.spec_from_file_location("stubgen", path)
    stubgen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stubgen)
    committed = (REPO / "crates" / "lockstep-py" / "python" / "lockstep" / "__init__.pyi").read_text(
        encoding="utf-8")
    assert stubgen.stubs() == committed, "run: python crates/lockstep-py/stubgen.py"
    for name in ls.__all__:
        if name != "__version__":
            assert f"def {name}(" in committed or f"class {name}" in committed, name
