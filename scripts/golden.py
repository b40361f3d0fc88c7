#!/usr/bin/env python3
"""Generate reference ("golden") values for Lockstep's Rust tests.

Computes everything independently with pandas / numpy / scipy from the real
data in ``<repo>/../shared/data`` and writes small CSV files plus a README into
``<repo>/test_data/golden/``.

Regenerate with:

    pip install -r scripts/requirements-golden.txt && python3 scripts/golden.py

Deterministic: no randomness except a fixed-seed generator used only for an
internal self-check of the Fisher-z formula against scipy.
"""

from __future__ import annotations

import math
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from scipy import special, stats

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "test_data" / "golden"

ETH = "ETH-USD.daily.csv"
RUT = "RUT.daily.csv"
IWM = "IWM.daily.csv"

CONFIDENCE = 0.95
EWMA_LAMBDA = 0.94
EWMA_MIN = 30
SPEARMAN_W = 30
SPEARMAN_LAST = 400
# File 1 has 17 columns; from 2019-01-01 it would be ~585 KB, over the 400 KB size budget,
# so only rows from 2023-01-01 are written (~256 KB). Everything is still computed on the
# full aligned history. The EWMA file (3 columns) keeps 2019-01-01.
INNER_CUTOFF = pd.Timestamp("2023-01-01")
EWMA_CUTOFF = pd.Timestamp("2019-01-01")


# --------------------------------------------------------------------------- io
def load_close(name: str) -> pd.Series:
    """Read a Yahoo-style CSV (Date,Close,High,Low,Open,Volume); keep all rows."""
    df = pd.read_csv(DATA / name, index_col="Date", parse_dates=True)
    s = df["Close"].astype("float64")
    assert s.index.is_monotonic_increasing, name
    assert not s.index.duplicated().any(), name
    assert not s.isna().any(), name
    s.name = name
    return s


def fmt(v) -> str:
    """repr(float) (shortest round-trip); NaN -> empty cell."""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    f = float(v)
    if math.isnan(f):
        return ""
    assert math.isfinite(f), f
    return repr(f)


def write_csv(df: pd.DataFrame, name: str) -> Path:
    """Write df (index = date) with the index as first column named 'date'."""
    path = OUT / name
    lines = [",".join(["date"] + list(df.columns))]
    cols = [df[c].to_numpy() for c in df.columns]
    for i, d in enumerate(df.index):
        lines.append(",".join([fmt(pd.Timestamp(d))] + [fmt(c[i]) for c in cols]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    assert path.stat().st_size < 400_000, (name, path.stat().st_size)
    return path


# -------------------------------------------------------------------- alignment
def align_inner(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    return pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").sort_index()


def align_weekly(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    wa = a.resample("W-FRI").last().dropna()
    wb = b.resample("W-FRI").last().dropna()
    return align_inner(wa, wb)


def returns(p: pd.Series, kind: str) -> pd.Series:
    if kind == "log":
        return np.log(p / p.shift(1))
    if kind == "simple":
        return p.pct_change()
    raise ValueError(kind)


# ------------------------------------------------------------------- statistics
def rolling_pearson_ci(ra: pd.Series, rb: pd.Series, w: int):
    """scipy pearsonr(...).confidence_interval(0.95) for every full window."""
    x = ra.to_numpy()
    y = rb.to_numpy()
    lo = np.full(len(x), np.nan)
    hi = np.full(len(x), np.nan)
    for end in range(w - 1, len(x)):
        xs = x[end - w + 1 : end + 1]
        ys = y[end - w + 1 : end + 1]
        if np.isnan(xs).any() or np.isnan(ys).any():
            continue
        ci = stats.pearsonr(xs, ys).confidence_interval(confidence_level=CONFIDENCE)
        lo[end], hi[end] = ci.low, ci.high
    return pd.Series(lo, index=ra.index), pd.Series(hi, index=ra.index)


def rolling_spearman(ra: pd.Series, rb: pd.Series, w: int, last: int) -> pd.Series:
    x = ra.to_numpy()
    y = rb.to_numpy()
    out = np.full(len(x), np.nan)
    for end in range(max(w - 1, len(x) - last), len(x)):
        xs = x[end - w + 1 : end + 1]
        ys = y[end - w + 1 : end + 1]
        if end - w + 1 < 0 or np.isnan(xs).any() or np.isnan(ys).any():
            continue
        out[end] = stats.spearmanr(xs, ys).statistic
    return pd.Series(out, index=ra.index)


def pair_table(df: pd.DataFrame, kind: str, windows, vol_w: int, periods: int) -> pd.DataFrame:
    ra = returns(df["a"], kind)
    rb = returns(df["b"], kind)
    out = pd.DataFrame(index=df.index)
    out["ret_a"] = ra
    out["ret_b"] = rb
    for w in windows:
        lo, hi = rolling_pearson_ci(ra, rb, w)
        out[f"corr_{w}"] = ra.rolling(w).corr(rb)
        out[f"corr_{w}_lo"] = lo
        out[f"corr_{w}_hi"] = hi
        out[f"beta_{w}"] = ra.rolling(w).cov(rb) / rb.rolling(w).var()
        # every window with a correlation has an interval and vice versa
        assert (out[f"corr_{w}"].isna() == lo.isna()).all()
    out[f"vol_a_{vol_w}"] = ra.rolling(vol_w).std(ddof=1) * math.sqrt(periods)
    out[f"vol_b_{vol_w}"] = rb.rolling(vol_w).std(ddof=1) * math.sqrt(periods)
    return out


def ewma_table(df: pd.DataFrame, lam: float, w: int) -> pd.DataFrame:
    ra = returns(df["a"], "log").iloc[1:]  # start at the first return
    rb = returns(df["b"], "log").iloc[1:]
    assert not ra.isna().any() and not rb.isna().any()
    kw = dict(alpha=1 - lam, adjust=False)
    cov = (ra * rb).ewm(**kw).mean()
    va = (ra * ra).ewm(**kw).mean()
    vb = (rb * rb).ewm(**kw).mean()
    corr = cov / np.sqrt(va * vb)
    beta = cov / vb
    corr.iloc[: w - 1] = np.nan
    beta.iloc[: w - 1] = np.nan
    # equivalence with min_periods=w
    cov_m = (ra * rb).ewm(min_periods=w, **kw).mean()
    vb_m = (rb * rb).ewm(min_periods=w, **kw).mean()
    pd.testing.assert_series_equal(beta, cov_m / vb_m, check_names=False)
    out = pd.DataFrame({"corr": corr, "beta": beta}).reindex(df.index)
    return out


def fisher_ci_formula(r: float, n: int):
    """scipy's _pearsonr_fisher_ci (two-sided), reproduced operation by operation."""
    zr = np.arctanh(np.float64(r))
    se = np.sqrt(1 / (np.float64(n) - 3))
    h = special.ndtri(0.5 + np.float64(CONFIDENCE) / 2)
    return float(np.tanh(zr - h * se)), float(np.tanh(zr + h * se))


def sample_with_corr(r: float, n: int, rng: np.random.Generator):
    """x, y of length n whose sample correlation is r up to rounding."""
    x = rng.standard_normal(n)
    z = rng.standard_normal(n)
    x = x - x.mean()
    z = z - z.mean()
    z = z - (z @ x) / (x @ x) * x
    x = x / np.linalg.norm(x)
    z = z / np.linalg.norm(z)
    return x, r * x + math.sqrt(1 - r * r) * z


def fisher_table() -> pd.DataFrame:
    rs = [-0.99, -0.7, -0.3, 0.0, 0.25, 0.5, 0.6, 0.9, 0.999]
    ns = [4, 10, 30, 90, 250]
    assert abs(special.ndtri(0.975) - 1.959963984540054) < 1e-15
    rng = np.random.default_rng(12345)
    rows = []
    for r in rs:
        for n in ns:
            lo, hi = fisher_ci_formula(r, n)
            # self-check against scipy on a constructed sample
            x, y = sample_with_corr(r, n, rng)
            res = stats.pearsonr(x, y)
            ci = res.confidence_interval(confidence_level=CONFIDENCE)
            # identical formula applied to scipy's own statistic -> bitwise equal
            flo, fhi = fisher_ci_formula(float(res.statistic), n)
            assert (flo, fhi) == (float(ci.low), float(ci.high)), (r, n, flo, fhi, ci)
            # and the sample really has correlation r
            assert abs(res.statistic - r) < 1e-12, (r, n, res.statistic)
            assert abs(ci.low - lo) < 1e-9 and abs(ci.high - hi) < 1e-9, (r, n)
            rows.append((r, n, lo, hi))
    df = pd.DataFrame(rows, columns=["r", "n", "lo", "hi"])
    return df


# ----------------------------------------------------------------------- checks
def self_checks(t1: pd.DataFrame, t2: pd.DataFrame, inner: pd.DataFrame):
    """Independent two-pass numpy recomputation of a few values."""
    ra = returns(inner["a"], "log").to_numpy()
    rb = returns(inner["b"], "log").to_numpy()
    for w in (30, 60, 90):
        x, y = ra[-w:], rb[-w:]
        c = np.corrcoef(x, y)[0, 1]
        assert abs(c - t1[f"corr_{w}"].iloc[-1]) < 1e-12, w
        b = np.cov(x, y, ddof=1)[0, 1] / np.var(y, ddof=1)
        assert abs(b - t1[f"beta_{w}"].iloc[-1]) < 1e-12, w
    v = np.std(ra[-30:], ddof=1) * math.sqrt(252)
    assert abs(v - t1["vol_a_30"].iloc[-1]) < 1e-12


def agreement(inner: pd.DataFrame, t1: pd.DataFrame, t4: pd.DataFrame) -> dict:
    """Max deviations of the pandas values from straightforward reimplementations.

    Informational (written into the README) so the Rust tests can pick tolerances.
    """
    from numpy.lib.stride_tricks import sliding_window_view as swv

    ra = returns(inner["a"], "log").to_numpy()[1:]
    rb = returns(inner["b"], "log").to_numpy()[1:]
    res = {}
    corr_dev = beta_dev = ci_dev = vol_dev = 0.0
    for w in (30, 60, 90):
        X, Y = swv(ra, w), swv(rb, w)
        xm = X - X.mean(axis=1, keepdims=True)
        ym = Y - Y.mean(axis=1, keepdims=True)
        sxy, sxx, syy = (xm * ym).sum(1), (xm * xm).sum(1), (ym * ym).sum(1)
        c = sxy / np.sqrt(sxx * syy)
        b = sxy / syy
        got_c = t1[f"corr_{w}"].to_numpy()[w:]
        got_b = t1[f"beta_{w}"].to_numpy()[w:]
        corr_dev = max(corr_dev, np.max(np.abs(c - got_c)))
        beta_dev = max(beta_dev, np.max(np.abs(b - got_b) / np.maximum(1, np.abs(b))))
        h = 1.959963984540054 / math.sqrt(w - 3)
        lo = np.tanh(np.arctanh(c) - h)
        ci_dev = max(ci_dev, np.max(np.abs(lo - t1[f"corr_{w}_lo"].to_numpy()[w:])))
        if w == 30:
            v = np.sqrt(sxx / (w - 1)) * math.sqrt(252)
            got_v = t1["vol_a_30"].to_numpy()[w:]
            vol_dev = np.max(np.abs(v - got_v) / v)
    res["corr (abs)"] = corr_dev
    res["beta (rel)"] = beta_dev
    res["corr CI lo (abs)"] = ci_dev
    res["vol_a_30 (rel)"] = vol_dev
    lam = EWMA_LAMBDA
    ca, va, vb = ra[0] * rb[0], ra[0] ** 2, rb[0] ** 2
    cs, bs = [np.nan] * len(ra), [np.nan] * len(ra)
    for t in range(len(ra)):
        if t:
            ca = lam * ca + (1 - lam) * ra[t] * rb[t]
            va = lam * va + (1 - lam) * ra[t] ** 2
            vb = lam * vb + (1 - lam) * rb[t] ** 2
        if t >= EWMA_MIN - 1:
            cs[t], bs[t] = ca / math.sqrt(va * vb), ca / vb
    res["EWMA corr (abs)"] = np.nanmax(np.abs(np.array(cs) - t4["corr"].to_numpy()[1:]))
    res["EWMA beta (rel)"] = np.nanmax(
        np.abs(np.array(bs) - t4["beta"].to_numpy()[1:]) / np.abs(np.array(bs))
    )
    return {k: float(v) for k, v in res.items()}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    eth, rut, iwm = load_close(ETH), load_close(RUT), load_close(IWM)

    written = []

    # 1. ETH vs ^RUT, inner, log
    inner = align_inner(eth, rut)
    t1 = pair_table(inner, "log", (30, 60, 90), 30, 252)
    self_checks(t1, None, inner)
    written.append(write_csv(t1[t1.index >= INNER_CUTOFF], "eth_rut_inner_log.csv"))

    # 2. ETH vs IWM, weekly (W-FRI), simple
    weekly = align_weekly(eth, iwm)
    t2 = pair_table(weekly, "simple", (13, 26, 52), 13, 52)
    written.append(write_csv(t2, "eth_iwm_weekly_simple.csv"))

    # 3. rolling Spearman 30, last 400 aligned dates
    ra = returns(inner["a"], "log")
    rb = returns(inner["b"], "log")
    sp = rolling_spearman(ra, rb, SPEARMAN_W, SPEARMAN_LAST)
    t3 = pd.DataFrame({f"spearman_{SPEARMAN_W}": sp}).iloc[-SPEARMAN_LAST:]
    assert not t3.isna().any().any()
    written.append(write_csv(t3, "eth_rut_spearman_30.csv"))

    # 4. EWMA lambda 0.94, min 30 returns
    t4 = ewma_table(inner, EWMA_LAMBDA, EWMA_MIN)
    written.append(write_csv(t4[t4.index >= EWMA_CUTOFF], "eth_rut_ewma_094.csv"))

    # 5. Fisher z table
    t5 = fisher_table()
    path = OUT / "fisher_z.csv"
    lines = ["r,n,lo,hi"] + [
        f"{fmt(r.r)},{int(r.n)},{fmt(r.lo)},{fmt(r.hi)}" for r in t5.itertuples()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    written.append(path)

    dev = agreement(inner, t1, t4)
    write_readme(inner, weekly, t1, t2, t3, t4, dev, eth, rut, iwm)

    for p in written:
        n = sum(1 for _ in p.open()) - 1
        print(f"{p.relative_to(REPO)}: {p.stat().st_size} bytes, {n} rows")
    return 0


def versions() -> str:
    return (
        f"- Python {platform.python_version()}\n"
        f"- numpy {np.__version__}\n"
        f"- pandas {pd.__version__}\n"
        f"- scipy {scipy.__version__}\n"
    )


def write_readme(inner, weekly, t1, t2, t3, t4, dev, eth, rut, iwm):
    d = lambda ts: pd.Timestamp(ts).strftime("%Y-%m-%d")  # noqa: E731
    dev_lines = "".join(f"- {k}: {v:.3g}\n" for k, v in dev.items())
    ra = returns(inner["a"], "log").to_numpy()
    rb = returns(inner["b"], "log").to_numpy()
    n = len(ra)
    spearman_ties = sum(
        len(np.unique(ra[e - SPEARMAN_W + 1 : e + 1])) < SPEARMAN_W
        or len(np.unique(rb[e - SPEARMAN_W + 1 : e + 1])) < SPEARMAN_W
        for e in range(n - len(t3), n)
    )
    zr = inner.index[1:][np.diff(inner["b"].to_numpy()) == 0]
    zero_rut = ", ".join(d(x) for x in zr) or "none"
    t1w = t1[t1.index >= INNER_CUTOFF]
    t4w = t4[t4.index >= EWMA_CUTOFF]
    text = f"""# Golden reference values

Generated by `scripts/golden.py` (do not edit by hand). Regenerate from the repository root with

```
pip install -r scripts/requirements-golden.txt && python3 scripts/golden.py
```

The script reads the real data from `../shared/data/` relative to the repository root
(`ETH-USD.daily.csv`, `RUT.daily.csv`, `IWM.daily.csv`; see `PROVENANCE.md` there) and
computes everything independently with pandas / numpy / scipy. The data are not copied here.

Library versions used for the files in this folder:

{versions()}
## Files

All CSV: header first, LF line endings, one row per aligned date in ascending order,
dates `YYYY-MM-DD`. Floats are written with Python `repr(float)` (shortest string that
round-trips to the same f64, e.g. `0.1`, `-3.2e-05`). An undefined value (NaN) is an empty cell.

| File | Content | Rows | First date | Last date |
|---|---|---|---|---|
| `eth_rut_inner_log.csv` | ETH-USD vs ^RUT, inner alignment, log returns, windows 30/60/90 (corr, 95% CI, beta), 30-return annualized vol (P=252). Computed on the full aligned history ({d(inner.index[0])} .. {d(inner.index[-1])}, {len(inner)} dates); only rows with date >= {d(INNER_CUTOFF)} written (from 2019-01-01 the file would exceed the 400 KB size budget). | {len(t1w)} | {d(t1w.index[0])} | {d(t1w.index[-1])} |
| `eth_iwm_weekly_simple.csv` | ETH-USD vs IWM, weekly W-FRI alignment, simple returns, windows 13/26/52, 13-return annualized vol (P=52). All rows; the first row has empty returns. | {len(t2)} | {d(t2.index[0])} | {d(t2.index[-1])} |
| `eth_rut_spearman_30.csv` | ETH-USD vs ^RUT, inner, log returns: rolling 30-return Spearman rank correlation, last {SPEARMAN_LAST} aligned dates. | {len(t3)} | {d(t3.index[0])} | {d(t3.index[-1])} |
| `eth_rut_ewma_094.csv` | ETH-USD vs ^RUT, inner, log returns: RiskMetrics EWMA (zero mean, lambda 0.94) correlation and beta, reported once >= {EWMA_MIN} returns seen; computed on full history, rows >= {d(EWMA_CUTOFF)}. | {len(t4w)} | {d(t4w.index[0])} | {d(t4w.index[-1])} |
| `fisher_z.csv` | Fisher-z 95% CI `(lo, hi)` of a Pearson r for r in {{-0.99,-0.7,-0.3,0,0.25,0.5,0.6,0.9,0.999}} x n in {{4,10,30,90,250}} (scipy's formula). | 45 | | |

Columns:

- `eth_rut_inner_log.csv`: `date,ret_a,ret_b,corr_30,corr_30_lo,corr_30_hi,beta_30,corr_60,corr_60_lo,corr_60_hi,beta_60,corr_90,corr_90_lo,corr_90_hi,beta_90,vol_a_30,vol_b_30`
- `eth_iwm_weekly_simple.csv`: `date,ret_a,ret_b,corr_13,corr_13_lo,corr_13_hi,beta_13,corr_26,corr_26_lo,corr_26_hi,beta_26,corr_52,corr_52_lo,corr_52_hi,beta_52,vol_a_13,vol_b_13`
- `eth_rut_spearman_30.csv`: `date,spearman_30`
- `eth_rut_ewma_094.csv`: `date,corr,beta`
- `fisher_z.csv`: `r,n,lo,hi`

Leg A is always ETH-USD, leg B the equity (^RUT or IWM). Price = `Close`.

## Conventions

- Input: `pd.read_csv(path, index_col="Date", parse_dates=True)`, column `Close`; all rows kept
  as they are (including the partial last ETH-USD bar 2026-05-20 and the provisional last
  RUT/IWM bar 2026-02-23 - see "Data notes" below).
- Inner alignment: dates present in both series (inner join). Returns between consecutive kept
  dates: log `np.log(p / p.shift(1))`, simple `p.pct_change()`. The first aligned row has no return.
- Weekly alignment: per series `resample("W-FRI").last()`, dropping weeks with no observation,
  then inner join; the row date is the Friday label of the week (even if the last observation of
  the week is earlier, e.g. a Thursday before Good Friday).
- Rolling statistics use full windows only (`min_periods = window`; a window of w returns ends at
  the row): correlation `ra.rolling(w).corr(rb)`, beta `ra.rolling(w).cov(rb) / rb.rolling(w).var()`.
  The first value appears on the row holding the w-th return (aligned row index w, 0-based).
- 95% CI: for every full window `scipy.stats.pearsonr(x, y).confidence_interval(0.95)`, i.e.
  `tanh(atanh(r) -/+ z / sqrt(n - 3))` with `z = ndtri(0.975) = 1.959963984540054` (not 1.96) and
  `r` = scipy's own two-pass estimate for the window (agrees with `corr_w` to ~1e-15).
- Annualized vol: `r.rolling(w).std(ddof=1) * sqrt(P)`, P = 252 (inner, equity leg), 52 (weekly).
- Spearman: `scipy.stats.spearmanr(x_window, y_window).statistic` (average ranks for ties).
- EWMA (RiskMetrics, zero mean, lambda = 0.94): with the return series starting at the first
  return, `cov = (ra*rb).ewm(alpha=1-lambda, adjust=False).mean()`, `va`, `vb` likewise
  (recursion `s_0 = x_0`, `s_t = lambda*s_(t-1) + (1-lambda)*x_t`); `corr = cov/sqrt(va*vb)`,
  `beta = cov/vb`; the first {EWMA_MIN - 1} returns' values are empty (= `ewm(min_periods={EWMA_MIN})`).

## Numerical agreement

pandas rolling/ewm use online (add/remove) updates, so a straightforward two-pass or
differently ordered implementation agrees closely but not bit-for-bit; compare with a
tolerance. Max deviation of the ETH/^RUT daily values (full history, all windows) from a
numpy two-pass recomputation, and of the EWMA values from the plain recursion
`s_t = lambda*s_(t-1) + (1-lambda)*x_t`, as measured by the script with the versions above:

{dev_lines}
A tolerance of 1e-10 (abs for correlations, relative for beta/vol) is comfortably safe.

## Data notes

- Inner ETH/^RUT alignment: {len(inner)} dates, {d(inner.index[0])} .. {d(inner.index[-1])}
  (ETH has every calendar day, so the aligned dates are RUT's session dates from ETH's start;
  Friday->Monday returns of ETH therefore span the weekend).
- The partial last ETH-USD bar ({d(eth.index[-1])}) lies after the last RUT/IWM date
  ({d(rut.index[-1])}), so it is not in any inner-aligned file; in the weekly alignment its
  week has no IWM observation and is dropped. It has no effect on any value here.
- The provisional last RUT/IWM bar {d(rut.index[-1])} (a Monday; volume 0 / partial per
  PROVENANCE.md) IS kept, as the Rust code keeps all rows: it is the last row of the daily
  files, and the last weekly row {d(weekly.index[-1])} pairs ETH's Friday {d(weekly.index[-1])}
  close with IWM's Monday {d(iwm.index[-1])} close (the only observation of that IWM week).
- ^RUT zero daily returns (repeated closes) in the aligned range: {zero_rut};
  {spearman_ties} of the {len(t3)} Spearman windows contain ties.
"""
    (OUT / "README.md").write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    sys.exit(main())
