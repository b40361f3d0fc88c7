"""The pipeline of the ``lockstep`` command from Python: ``read_csv``, ``analyze`` (the
``Report``), the ``Store`` and ``fedwatch``.

The Rust side does every computation and hands back numpy columns or the JSON the command
line prints with ``--format json``; this module only reshapes them into DataFrames.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
import warnings
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _lockstep as _native
from ._report import Report  # noqa: F401 (re-exported)

__all__ = ["read_csv", "analyze", "Store", "fedwatch", "Report"]

PathLike = Union[str, "os.PathLike[str]"]

_COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]


def _dates(days: np.ndarray) -> pd.DatetimeIndex:
    """Days since 1970-01-01 as a DatetimeIndex named ``date``."""
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"), name="date")


def _bars_frame(cols: Dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({c: cols[c] for c in _COLUMNS}, index=_dates(cols["date"]))


def read_csv(
    path: PathLike,
    price: str = "auto",
    date_col: Optional[str] = None,
    price_col: Optional[str] = None,
    dedupe: str = "error",
) -> pd.DataFrame:
    """Read a daily price file in any format Lockstep detects (Yahoo, yfinance, CoinGecko,
    CryptoDataDownload, Investing.com, FRED, or any file with a date and a close/price
    column), exactly as ``lockstep analyze FILE`` reads it.

    Parameters: ``path``; ``price`` ``"auto"`` (the adjusted close if the file has one, else
    the close or its single price/value column), ``"close"`` or ``"adj-close"``;
    ``date_col`` / ``price_col`` pick columns by header name; ``dedupe`` ``"error"`` (a
    repeated date is an error naming both lines) or ``"last"``.

    Returns: a DataFrame on a ``DatetimeIndex`` named ``date`` (ascending), with columns
    ``open, high, low, close, adj_close, volume`` (NaN where the file has none). ``df.attrs``:
    ``format`` (the detected format), ``name``, ``source``, ``price`` (the column the analysis
    uses: ``adj_close`` or ``close``), ``price_field``, ``newest_first``,
    ``skipped_null_rows`` and ``warnings`` (also issued as Python warnings).

    Raises: FileNotFoundError; ValueError naming file, line and column for a file that cannot
    be read.
    """
    cols = _native.read_csv(os.fspath(path), price, date_col, price_col, dedupe)
    df = _bars_frame(cols)
    for w in cols["warnings"]:
        warnings.warn(f"{os.fspath(path)}: {w}", stacklevel=2)
    df.attrs.update(
        format=cols["format"],
        name=cols["name"],
        source=cols["source"],
        price="adj_close" if cols["price_field"] == "adj-close" else "close",
        price_field=cols["price_field"],
        newest_first=cols["newest_first"],
        skipped_null_rows=cols["skipped_null_rows"],
        warnings=list(cols["warnings"]),
    )
    return df


# ---------------------------------------------------------------------------------------------
# analyze
# ---------------------------------------------------------------------------------------------

_PRICE_NAMES = [
    ("adj_close", "adj-close"),
    ("adj close", "adj-close"),
    ("adjclose", "adj-close"),
    ("close", "close"),
    ("price", "price"),
    ("value", "value"),
]


def _daily_index(index: pd.Index, name: str) -> np.ndarray:
    """Days since 1970-01-01 of a daily index (dates, or timestamps at midnight)."""
    try:
        idx = pd.DatetimeIndex(index)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name}: the index must hold dates, got {index.dtype}") from e
    if idx.tz is not None:
        # A daily bar's date is its local date (yfinance dates equity bars at local midnight).
        idx = idx.tz_localize(None)
    if not (idx == idx.normalize()).all():
        raise ValueError(
            f"{name}: the index has times of day: analyze takes daily prices (one per date)"
        )
    return idx.values.astype("datetime64[D]").astype(np.int64)


def _memory_leg(value: Any, default: str):
    """A Series or DataFrame as the extension module's in-memory leg."""
    if isinstance(value, pd.DataFrame):
        df = value
        if isinstance(df.columns, pd.MultiIndex):
            # yfinance's download(): (field, ticker) columns for one ticker.
            tickers = df.columns.get_level_values(-1).unique()
            if len(tickers) != 1:
                raise ValueError(f"{default}: a DataFrame of one ticker is needed, got {list(tickers)}")
            df = df.droplevel(-1, axis=1)
            name, source, fmt = str(tickers[0]), "python", "yfinance"
        else:
            name = df.attrs.get("name") or default
            source = str(df.attrs.get("source") or "python")
            fmt = str(df.attrs.get("format") or "pandas")
        lower = {str(c).lower(): c for c in df.columns}
        choice = df.attrs.get("price")
        if choice in df.columns and not df[choice].isna().all():
            col, field = choice, ("adj-close" if choice == "adj_close" else "close")
        else:
            for key, f in _PRICE_NAMES:
                if key in lower and not df[lower[key]].isna().all():
                    col, field = lower[key], f
                    break
            else:
                raise ValueError(
                    f"{name}: the DataFrame has no adj_close, close, price or value column"
                )
        price = df[col]
        extra = {k: df[lower[k]] if k in lower else None for k in ("open", "high", "low", "volume")}
    elif isinstance(value, pd.Series):
        name = str(value.name) if value.name is not None else default
        price, field, extra = value, "price", dict.fromkeys(("open", "high", "low", "volume"))
        source, fmt = "python", "pandas"
    else:
        raise TypeError(
            f"{default}: expected a symbol, a CSV path, a pandas Series or DataFrame, got"
            f" {type(value).__name__}"
        )
    try:
        p = price.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: prices must be numeric, got dtype {price.dtype}") from e
    keep = ~np.isnan(p)
    if not keep.all():
        warnings.warn(f"{name}: {int((~keep).sum())} rows without a price skipped", stacklevel=3)
    days = _daily_index(price.index, name)[keep]
    cols = [
        None if c is None else np.ascontiguousarray(
            c.to_numpy(dtype=np.float64, na_value=np.nan)[keep])
        for c in (extra["open"], extra["high"], extra["low"], extra["volume"])
    ]
    return (name, source, fmt, np.ascontiguousarray(days), np.ascontiguousarray(p[keep]), field, *cols)


def _leg(value: Any, default: str):
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    return _memory_leg(value, default)


def analyze(
    a: Any = "ETH-USD",
    b: Any = "^RUT",
    *,
    windows: Optional[Sequence[int]] = None,
    align: Optional[str] = None,
    returns: Optional[str] = None,
    method: Optional[str] = None,
    lam: Optional[float] = None,
    confidence: Optional[float] = None,
    lag_window: Optional[int] = None,
    max_lag: Optional[int] = None,
    divergence_k: Optional[float] = None,
    regime_leg: Optional[str] = None,
    ma: Optional[int] = None,
    vol_window: Optional[int] = None,
    vol_lookback: Optional[int] = None,
    rate: Optional[str] = "fred:DGS2",
    liquidity: bool = True,
    price: Optional[str] = None,
    date_col: Optional[str] = None,
    price_col: Optional[str] = None,
    dedupe: Optional[str] = None,
    provider: Optional[str] = None,
    clock: Optional[str] = None,
    interval: Optional[str] = None,
    intraday_a: Optional[PathLike] = None,
    intraday_b: Optional[PathLike] = None,
    control: Union[None, str, PathLike, Sequence[Union[str, PathLike]]] = None,
    default_control: bool = True,
    bootstrap: Optional[int] = None,
    seed: Optional[int] = None,
    home: Optional[PathLike] = None,
    offline: bool = False,
    verbose: bool = False,
) -> Report:
    """The report of ``lockstep analyze A B``: rolling correlation with intervals, beta,
    volatility, performance, lead-lag (cross-correlation, Granger, reaction time), regimes,
    momentum and structure, liquidity, the verdict.

    ``a``, ``b``: a stored symbol (``"ETH-USD"``, ``"^RUT"``, ``"fred:DGS2"``; fetched when
    missing and refreshed when stale unless ``offline``), a ratio ``"X/Y"``, a CSV path, or a
    pandas Series of prices / DataFrame of bars on a daily DatetimeIndex (``read_csv``'s, or
    yfinance's ``download`` of one ticker: the adjusted close if present, else the close).
    A leg in memory is built into a price series directly (no temporary file), named after
    the Series (or ``df.attrs["name"]``), and counts as a file: nothing is fetched on its
    account.

    Options, each the command's flag of the same name with the same default:
    ``windows`` (``--window``, [30, 60, 90]), ``align`` (inner|weekly|monthly), ``returns``
    (log|simple), ``method`` (pearson|spearman|ewma), ``lam`` (``--lambda``, 0.94),
    ``confidence`` (0.95), ``lag_window`` (90), ``max_lag`` (10), ``divergence_k`` (3.0),
    ``regime_leg`` (auto|a|b), ``ma``, ``vol_window``, ``vol_lookback``, ``rate``
    (``"fred:DGS2"`` used when it can be had; another series must load; ``None`` =
    ``--no-rate``), ``liquidity`` (``False`` = ``--no-liquidity``), ``price``
    (auto|close|adj-close), ``date_col``, ``price_col``, ``dedupe`` (error|last),
    ``provider``, ``clock`` (utc|exchange), ``interval``, ``intraday_a``, ``intraday_b``,
    ``control`` (``--control``: a symbol or CSV path, or a list of them; the report adds the
    partial correlation of A and B given them), ``default_control`` (``False`` =
    ``--no-control``: not even the pair's default control, SPY for ETH-USD against ^RUT),
    ``bootstrap`` (``--bootstrap``, 999 resamples of the stationary bootstrap; 0 = off),
    ``seed`` (``--seed``, the generator's seed: the same seed gives the same intervals);
    ``home`` the folder of the store and config (default ``$LOCKSTEP_HOME`` or the platform
    data folder), ``offline`` (``--offline``), ``verbose`` (``-v``).

    Returns: a ``Report`` whose ``to_dict()`` is ``lockstep analyze --format json``.
    Raises: ValueError for an option out of range; FileNotFoundError; RuntimeError when the
    pipeline fails (the message is the command's error and its causes).
    """
    options = {
        "windows": None if windows is None else [int(w) for w in windows],
        "align": align,
        "returns": returns,
        "method": method,
        "lam": lam,
        "confidence": confidence,
        "lag_window": lag_window,
        "max_lag": max_lag,
        "divergence_k": divergence_k,
        "regime_leg": regime_leg,
        "ma": ma,
        "vol_window": vol_window,
        "vol_lookback": vol_lookback,
        "rate": rate,
        "liquidity": liquidity,
        "price": price,
        "date_col": date_col,
        "price_col": price_col,
        "dedupe": dedupe,
        "provider": provider,
        "clock": clock,
        "interval": interval,
        "intraday_a": None if intraday_a is None else os.fspath(intraday_a),
        "intraday_b": None if intraday_b is None else os.fspath(intraday_b),
        "control": _controls(control),
        "default_control": bool(default_control),
        "bootstrap": None if bootstrap is None else int(bootstrap),
        "seed": None if seed is None else int(seed),
    }
    native = _native.analyze(
        _leg(a, "A"),
        _leg(b, "B"),
        options,
        None if home is None else os.fspath(home),
        offline,
        verbose,
    )
    return Report(native)


def _controls(c: Any) -> Optional[List[str]]:
    """``control`` as a list of symbols or paths (one, a list, or None)."""
    if c is None:
        return None
    if isinstance(c, (str, os.PathLike)):
        return [os.fspath(c)]
    return [os.fspath(x) for x in c]


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


def _date_arg(d: Any) -> Optional[str]:
    if d is None:
        return None
    if isinstance(d, (_dt.date, pd.Timestamp)):
        return d.strftime("%Y-%m-%d")
    return str(d)


class Store:
    """The local store of ``lockstep`` (``lockstep.db`` in the home folder): the symbols and
    their daily bars, fetched from the providers (Yahoo, Coinbase, Binance, Stooq, FRED).

    ``path``: the home folder (``lockstep.db`` and ``config.toml`` in it); default
    ``$LOCKSTEP_HOME``, else the platform data folder + ``lockstep``, as the command line.
    """

    def __init__(self, path: Optional[PathLike] = None, verbose: bool = False) -> None:
        self.path = None if path is None else os.fspath(path)
        self.verbose = verbose

    def __repr__(self) -> str:
        return f"Store({self.path!r})" if self.path else "Store()"

    def symbols(self) -> pd.DataFrame:
        """The stored symbols (``lockstep list``): one row per symbol, indexed by ``symbol``,
        with ``provider, ticker, asset_class, calendar, currency, first, last, bars,
        last_refresh, intervals``."""
        rows = json.loads(_native.store_list(self.path))
        out = []
        for r in rows:
            i = r["instrument"]
            out.append({
                "symbol": i["symbol"],
                "provider": i["provider"],
                "ticker": i["ticker"],
                "asset_class": i.get("asset_class"),
                "calendar": i.get("calendar"),
                "currency": i.get("currency"),
                "first": pd.Timestamp(r["first"]) if r.get("first") else pd.NaT,
                "last": pd.Timestamp(r["last"]) if r.get("last") else pd.NaT,
                "bars": r["bars"],
                "last_refresh": r.get("last_refresh"),
                "intervals": list(r.get("intervals") or []),
            })
        cols = ["symbol", "provider", "ticker", "asset_class", "calendar", "currency", "first",
                "last", "bars", "last_refresh", "intervals"]
        return pd.DataFrame(out, columns=cols).set_index("symbol")

    def bars(self, symbol: str, start: Any = None, end: Any = None) -> pd.DataFrame:
        """The stored daily bars of ``symbol`` within ``[start, end]`` (``lockstep export``):
        a DataFrame on a ``date`` index with ``open, high, low, close, adj_close, volume``
        (NaN where a bar has none); ``df.attrs["name"]`` is the symbol, so it can be passed
        to ``analyze``."""
        cols = _native.store_bars(symbol, _date_arg(start), _date_arg(end), self.path)
        df = _bars_frame(cols)
        adjusted = len(df) > 0 and not df["adj_close"].isna().any()
        df.attrs.update(name=symbol, source=f"store:{symbol}", format="store",
                        price="adj_close" if adjusted else "close")
        return df

    def fetch(self, symbols: Union[str, Iterable[str]], since: Any = None,
              provider: Optional[str] = None) -> pd.DataFrame:
        """Fetch symbols into the store, or refresh what is new (``lockstep fetch``): from
        ``since``, else from the last stored date minus a few days of overlap, else the full
        history. Every symbol is tried.

        Returns: the summary, one row per symbol fetched (``provider, from, received, added,
        revised, unchanged, first, last, bars, requests``). Raises RuntimeError naming every
        symbol that failed, after the others were fetched (the summary of those is in the
        exception's ``summary`` attribute).
        """
        names = [symbols] if isinstance(symbols, str) else list(symbols)
        done, failed = _native.store_fetch(names, _date_arg(since), provider, self.path,
                                           self.verbose)
        summary = _fetch_frame(json.loads(done))
        if failed:
            err = RuntimeError("; ".join(f"{s}: {e}" for s, e in failed))
            err.summary = summary  # type: ignore[attr-defined]
            err.failed = dict(failed)  # type: ignore[attr-defined]
            raise err
        return summary

    def refresh(self, symbols: Union[None, str, Iterable[str]] = None) -> pd.DataFrame:
        """Refresh stored symbols (all of them by default) with what is new at their
        providers: ``fetch`` of each from its last stored date."""
        if symbols is None:
            symbols = list(self.symbols().index)
        return self.fetch(symbols)


def _fetch_frame(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    cols = ["symbol", "provider", "from", "received", "added", "revised", "unchanged", "first",
            "last", "bars", "requests"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols).set_index(
        "symbol")


# ---------------------------------------------------------------------------------------------
# FedWatch
# ---------------------------------------------------------------------------------------------


def _futures_files(futures: Any, tmp: str) -> List[str]:
    """Paths of the futures inputs; a mapping / Series / DataFrame of contract → price is
    written as a strip CSV (``contract,price``)."""
    if isinstance(futures, (str, os.PathLike)):
        return [os.fspath(futures)]
    if isinstance(futures, pd.DataFrame):
        lower = {str(c).lower(): c for c in futures.columns}
        if "contract" not in lower or "price" not in lower:
            raise ValueError("fedwatch: a DataFrame of futures needs columns contract, price")
        futures = dict(zip(futures[lower["contract"]], futures[lower["price"]]))
    if isinstance(futures, pd.Series):
        futures = futures.to_dict()
    if isinstance(futures, dict):
        path = os.path.join(tmp, "strip.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("contract,price\n")
            for k, v in futures.items():
                f.write(f"{k},{float(v)!r}\n")
        return [path]
    return [os.fspath(p) for p in futures]


def fedwatch(
    futures: Any,
    *,
    as_of: Any = None,
    range: Optional[Sequence[float]] = None,  # noqa: A002 - the command's --range
    effective_rate: Optional[float] = None,
    no_fred: bool = False,
    calendar: Optional[PathLike] = None,
    replace_years: bool = False,
    home: Optional[PathLike] = None,
    offline: bool = False,
) -> pd.DataFrame:
    """Fed rate-move probabilities implied by 30-day fed funds futures, the CME FedWatch
    method (``lockstep fed``): per FOMC decision P(cut), P(hold), P(hike), the expected rate
    and the probability of every target range.

    A month's implied average rate is ``100 - price``. In a month with a decision on day d of
    N, ``average = ((d-1)·start + (N-d+1)·end)/N``: the decision day counts at the new rate. A
    month without a decision anchors ``start = end = average``; months chain
    ``end(k) = start(k+1)``. Each decision's move (``end - start``) is split between the two
    nearest 25 bp steps; successive decisions multiply (the tree). ``expected = Σ p ·
    midpoint of the range``.

    ``futures``: a path or list of paths (a strip CSV ``contract,price``, Barchart's contract
    table, or Investing.com exports of one contract each), or a dict / Series / DataFrame
    (``contract``, ``price``) of settlement prices such as ``{"ZQK26": 96.37}``. ``as_of``
    (the settlement date), ``range`` (the current target range ``(lower, upper)`` in
    percent), ``effective_rate``, ``no_fred``, ``calendar`` (a file of FOMC dates),
    ``replace_years``, ``home``, ``offline``: as the command's flags.

    Returns: a DataFrame indexed by decision ``date`` with ``kind, rate_before, rate_after,
    implied_move_bp, p_cut, p_hold, p_hike, expected_rate`` and a column ``p_{lower}_{upper}``
    per target range (as ``lockstep fed --format csv``). ``df.attrs``: ``as_of``,
    ``current_range``, ``range_source``, ``source``, ``months``, ``unresolved``, ``notes``.
    """
    with tempfile.TemporaryDirectory(prefix="lockstep-fed-") as tmp:
        files = _futures_files(futures, tmp)
        text, source = _native.fedwatch(
            files, _date_arg(as_of), None if range is None else [float(v) for v in range],
            effective_rate, no_fred, None if calendar is None else os.fspath(calendar),
            replace_years, None if home is None else os.fspath(home), offline)
    fw = json.loads(text)
    ranges = sorted({(r["lower"], r["upper"]) for m in fw["meetings"] for r in m["ranges"]})
    rows = []
    for m in fw["meetings"]:
        row = {
            "date": pd.Timestamp(m["date"]),
            "kind": m["kind"],
            "rate_before": m["rate_before"],
            "rate_after": m["rate_after"],
            "implied_move_bp": m["implied_move_bp"],
            "p_cut": m["p_cut"],
            "p_hold": m["p_hold"],
            "p_hike": m["p_hike"],
            "expected_rate": m["expected_rate"],
        }
        got = {(r["lower"], r["upper"]): r["p"] for r in m["ranges"]}
        for lo, hi in ranges:
            row[f"p_{lo:.2f}_{hi:.2f}"] = got.get((lo, hi), np.nan)
        rows.append(row)
    cols = ["date", "kind", "rate_before", "rate_after", "implied_move_bp", "p_cut", "p_hold",
            "p_hike", "expected_rate"] + [f"p_{lo:.2f}_{hi:.2f}" for lo, hi in ranges]
    df = pd.DataFrame(rows, columns=cols).set_index("date")
    df.attrs.update(
        as_of=fw.get("as_of"),
        current_range=fw.get("current_range"),
        range_source=fw.get("range_source"),
        source=source,
        months=fw.get("months"),
        unresolved=fw.get("unresolved"),
        notes=fw.get("notes"),
    )
    return df
