"""Write the type stubs of the public API, ``python/lockstep/__init__.pyi``: the signatures below
with the docstrings of the installed package (each statistic's formula and convention, the
text of the Rust documentation), so editors show what ``help()`` shows.

Run after installing the package (``pip install ./crates/lockstep-py``):
``python crates/lockstep-py/stubgen.py``. ``tests/test_docs.py`` checks that the committed
stubs are what this script writes.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

HEADER = '''"""Type stubs of the public API of lockstep (written by crates/lockstep-py/stubgen.py)."""

from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union
import os

import numpy as np
import numpy.typing as npt
import pandas as pd

__version__: str

ArrayLike = Union[npt.ArrayLike, pd.Series]
PathLike = Union[str, os.PathLike]
'''

# name -> the stub's signature line (the docstring follows).
FUNCTIONS = {
    "rolling_corr": ["def rolling_corr(x: ArrayLike, y: ArrayLike, window: int, threads: Optional[int] = None) -> Union[np.ndarray, pd.Series]:"],
    "rolling_beta": ["def rolling_beta(x: ArrayLike, y: ArrayLike, window: int, threads: Optional[int] = None) -> Union[np.ndarray, pd.Series]:"],
    "rolling_spearman": ["def rolling_spearman(x: ArrayLike, y: ArrayLike, window: int) -> Union[np.ndarray, pd.Series]:"],
    "ewma_corr": ["def ewma_corr(x: ArrayLike, y: ArrayLike, lam: float = 0.94, warmup: int = 1) -> Union[np.ndarray, pd.Series]:"],
    "fisher_interval": ["def fisher_interval(r: Union[float, ArrayLike], n: Union[float, npt.ArrayLike], confidence: float = 0.95) -> Union[Tuple[float, float], Tuple[np.ndarray, np.ndarray], pd.DataFrame]:"],
    "rsi": ["def rsi(x: ArrayLike, period: int = 14) -> Union[np.ndarray, pd.Series]:"],
    "ema": ["def ema(x: ArrayLike, period: int, seed: str = 'sma') -> Union[np.ndarray, pd.Series]:"],
    "sma": ["def sma(x: ArrayLike, period: int) -> Union[np.ndarray, pd.Series]:"],
    "macd": ["def macd(x: ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> Union[Tuple[np.ndarray, np.ndarray, np.ndarray], pd.DataFrame]:"],
    "bollinger": ["def bollinger(x: ArrayLike, period: int = 20, k_up: float = 2.0, k_down: float = 2.0) -> Union[Tuple[np.ndarray, np.ndarray, np.ndarray], pd.DataFrame]:"],
    "atr": ["def atr(high: Union[ArrayLike, pd.DataFrame], low: Optional[ArrayLike] = None, close: Optional[ArrayLike] = None, period: int = 14) -> Union[np.ndarray, pd.Series]:"],
    "obv": ["def obv(close: Union[ArrayLike, pd.DataFrame], volume: Optional[ArrayLike] = None) -> Union[np.ndarray, pd.Series]:"],
    "cross_correlation": ["def cross_correlation(a: ArrayLike, b: ArrayLike, max_lag: int = 10) -> pd.DataFrame:"],
    "granger": ["def granger(effect: ArrayLike, cause: ArrayLike, max_lag: int = 10) -> pd.DataFrame:"],
    "partial_corr": ["def partial_corr(x: ArrayLike, y: ArrayLike, controls: Any, confidence: float = 0.95) -> PartialCorr:"],
    "rolling_partial_corr": ["def rolling_partial_corr(x: ArrayLike, y: ArrayLike, controls: Any, window: int) -> Union[np.ndarray, pd.Series]:"],
    "read_csv": ["def read_csv(path: PathLike, price: str = 'auto', date_col: Optional[str] = None, price_col: Optional[str] = None, dedupe: str = 'error') -> pd.DataFrame:"],
    "analyze": ["def analyze(a: Any = 'ETH-USD', b: Any = '^RUT', *, windows: Optional[Sequence[int]] = None, align: Optional[str] = None, returns: Optional[str] = None, method: Optional[str] = None, lam: Optional[float] = None, confidence: Optional[float] = None, lag_window: Optional[int] = None, max_lag: Optional[int] = None, divergence_k: Optional[float] = None, regime_leg: Optional[str] = None, ma: Optional[int] = None, vol_window: Optional[int] = None, vol_lookback: Optional[int] = None, rate: Optional[str] = 'fred:DGS2', liquidity: bool = True, price: Optional[str] = None, date_col: Optional[str] = None, price_col: Optional[str] = None, dedupe: Optional[str] = None, provider: Optional[str] = None, clock: Optional[str] = None, interval: Optional[str] = None, intraday_a: Optional[PathLike] = None, intraday_b: Optional[PathLike] = None, home: Optional[PathLike] = None, offline: bool = False, verbose: bool = False) -> Report:"],
    "fedwatch": ["def fedwatch(futures: Any, *, as_of: Any = None, range: Optional[Sequence[float]] = None, effective_rate: Optional[float] = None, no_fred: bool = False, calendar: Optional[PathLike] = None, replace_years: bool = False, home: Optional[PathLike] = None, offline: bool = False) -> pd.DataFrame:"],
}

PARTIAL = """class PartialCorr(NamedTuple):
{doc}
    r: float
    n: int
    k: int
    p_value: float
    lo: float
    hi: float
"""

CLASSES = {
    "LeadLag": (["def __init__(self, d: Dict[str, Any], a: str, b: str) -> None: ...",
                 "a: str", "b: str", "n: int", "max_lag: int", "window: int", "unit: str",
                 "band: float", "best_lag: Optional[Dict[str, Any]]",
                 "reaction: Optional[Dict[str, Any]]", "notes: List[str]"],
                {"ccf": "pd.DataFrame", "granger": "pd.DataFrame",
                 "rolling_best_lag": "pd.DataFrame"},
                {"to_dict": "def to_dict(self) -> Dict[str, Any]:"}),
    "Report": (["def __init__(self, native: Any) -> None: ...", "a: Dict[str, Any]",
                "b: Dict[str, Any]", "params: Dict[str, Any]", "period: Dict[str, Any]",
                "structure: Dict[str, Any]", "liquidity: Dict[str, Any]"],
               {"verdict": "str", "correlation": "pd.DataFrame", "series": "pd.DataFrame",
                "performance": "pd.DataFrame", "lead_lag": "LeadLag",
                "regimes": "pd.DataFrame", "regime_series": "pd.Series",
                "divergences": "pd.DataFrame"},
               {"to_dict": "def to_dict(self) -> Dict[str, Any]:",
                "to_json": "def to_json(self) -> str:",
                "text": "def text(self, section: Optional[str] = None) -> str:",
                "html": "def html(self, charts: bool = True) -> str:"}),
    "Store": (["path: Optional[str]", "verbose: bool",
               "def __init__(self, path: Optional[PathLike] = None, verbose: bool = False) -> None: ..."],
              {},
              {"symbols": "def symbols(self) -> pd.DataFrame:",
               "bars": "def bars(self, symbol: str, start: Any = None, end: Any = None) -> pd.DataFrame:",
               "fetch": "def fetch(self, symbols: Union[str, Iterable[str]], since: Any = None, provider: Optional[str] = None) -> pd.DataFrame:",
               "refresh": "def refresh(self, symbols: Union[None, str, Iterable[str]] = None) -> pd.DataFrame:"}),
}


def docstring(obj: object, indent: str) -> str:
    doc = inspect.getdoc(obj) or ""
    body = "\n".join((indent + line) if line else "" for line in doc.splitlines())
    return f'{indent}"""{body[len(indent):]}\n{indent}"""'


def stubs() -> str:
    import lockstep as ls

    out = [HEADER]
    out.append(PARTIAL.format(doc=docstring(ls.PartialCorr, "    ")))
    for name, sig in FUNCTIONS.items():
        f = getattr(ls, name)
        out.append(sig[0] + "\n" + docstring(f, "    ") + "\n")
    for name, (attrs, props, methods) in CLASSES.items():
        cls = getattr(ls, name)
        lines = [f"class {name}:", docstring(cls, "    ")]
        lines += ["    " + a for a in attrs]
        for p, t in props.items():
            lines += ["    @property", f"    def {p}(self) -> {t}:",
                      docstring(getattr(cls, p), "        ")]
        for m, sig in methods.items():
            lines += ["    " + sig, docstring(getattr(cls, m), "        ")]
        out.append("\n".join(lines) + "\n")
    return "\n\n".join(s.rstrip("\n") + "\n" for s in out)


if __name__ == "__main__":
    path = Path(__file__).parent / "python" / "lockstep" / "__init__.pyi"
    path.write_text(stubs(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
