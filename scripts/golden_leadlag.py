#!/usr/bin/env python3
"""Golden values for Lockstep's lead-lag, Granger, regime and divergence numerics.

Reads the real data in ``<repo>/../shared/data`` exactly like ``scripts/golden.py`` (its
loader, inner join and log returns are imported from it, so both scripts use identical
inputs) and writes ``test_data/golden/leadlag_*.csv`` plus a section of
``test_data/golden/README.md`` (between the ``leadlag`` markers; run this after
``golden.py``, which rewrites the README).

    pip install -r scripts/requirements-golden.txt statsmodels && python3 scripts/golden_leadlag.py

Everything is computed independently of the Rust code: pandas ``corr``/``shift``/``rolling``,
statsmodels ``grangercausalitytests`` and ``OLS``, and plain numpy loops. Deterministic.
"""

from __future__ import annotations

import math
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import special
from statsmodels.regression.linear_model import OLS
from statsmodels.tsa.stattools import grangercausalitytests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden import ETH, IWM, RUT, OUT, align_inner, fmt, load_close, returns  # noqa: E402

MAX_LAG = 10
ROLL_W = 90
ROLL_L = 10
MA_W, VOL_W, VOL_LB = 200, 20, 252
DIV_W, DIV_K = 60, 3.0
DIV_CUTOFF = pd.Timestamp("2023-01-01")
CONF = 0.95
BUDGET = 200_000
MARK_START = "<!-- leadlag:start -->"
MARK_END = "<!-- leadlag:end -->"

written: list[Path] = []


def write_rows(name: str, header: list[str], rows: list[list]) -> Path:
    path = OUT / name
    lines = [",".join(header)] + [",".join(fmt(v) if not isinstance(v, str) else v for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    written.append(path)
    return path


def pair_returns(a_name: str, b_name: str):
    inner = align_inner(load_close(a_name), load_close(b_name))
    ra = returns(inner["a"], "log")
    rb = returns(inner["b"], "log")
    return inner, ra, rb


# ------------------------------------------------------------------------ lead-lag
def ccf_rows(key: str, ra: pd.Series, rb: pd.Series) -> list[list]:
    rows = []
    for k in range(-MAX_LAG, MAX_LAG + 1):
        shifted = rb.shift(k)
        n = int((ra.notna() & shifted.notna()).sum())
        rows.append([key, k, ra.corr(shifted), n])
    return rows


def granger_rows(key: str, effect: np.ndarray, cause: np.ndarray) -> list[list]:
    res = grangercausalitytests(np.column_stack([effect, cause]), maxlag=MAX_LAG)
    rows = []
    for p in range(1, MAX_LAG + 1):
        f, pv, df_den, df_num = res[p][0]["ssr_ftest"]
        down, joint = res[p][1][0], res[p][1][1]
        assert int(df_num) == p and int(df_den) == int(joint.df_resid)
        rows.append(
            [key, p, f, pv, int(df_den), int(df_num), down.ssr, joint.ssr, joint.aic, joint.bic, int(joint.nobs)]
        )
    return rows


def selection_rows(key: str, effect: np.ndarray, cause: np.ndarray):
    """AIC/BIC of the unrestricted model of each order on the common rows t = L..n-1."""
    n, L = len(effect), MAX_LAG
    y = effect[L:]
    rows = []
    for p in range(1, L + 1):
        cols = [np.ones(n - L)]
        cols += [effect[L - i : n - i] for i in range(1, p + 1)]
        cols += [cause[L - i : n - i] for i in range(1, p + 1)]
        fit = OLS(y, np.column_stack(cols)).fit()
        assert int(fit.nobs) == n - L
        rows.append([key, p, fit.aic, fit.bic, n - L])
    aic_lag = min(rows, key=lambda r: (r[2], r[1]))[1]
    bic_lag = min(rows, key=lambda r: (r[3], r[1]))[1]
    return rows, aic_lag, bic_lag


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    xm, ym = x - x.mean(), y - y.mean()
    return float((xm @ ym) / math.sqrt((xm @ xm) * (ym @ ym)))


def rolling_best_lag(a: np.ndarray, b: np.ndarray, w: int, L: int):
    """Straightforward loop: pairs (a[s], b[s-k]) with s and s-k both in (t-w, t]."""
    order = sorted(range(-L, L + 1), key=lambda k: (abs(k), k))  # tie rule: |k|, then negative
    out, min_gap = [], math.inf
    for t in range(w - 1, len(a)):
        lo = t - w + 1
        best_k, best_r, rs = None, -math.inf, []
        for k in order:
            s = np.arange(max(lo, lo + k), min(t, t + k) + 1)
            assert len(s) == w - abs(k)
            r = pearson(a[s], b[s - k])
            rs.append(r)
            if r > best_r:
                best_k, best_r = k, r
        rs.sort()
        min_gap = min(min_gap, rs[-1] - rs[-2])
        out.append((t, best_k, best_r))
    return out, min_gap


# ------------------------------------------------------------------------- regimes
def classify(p: pd.Series) -> pd.Series:
    """1.0 risk-on, 0.0 risk-off, NaN during warm-up (pandas rolling, as documented)."""
    sma = p.rolling(MA_W).mean()
    vol = np.log(p / p.shift(1)).rolling(VOL_W).std()
    med = vol.rolling(VOL_LB).median()
    on = (p > sma) & (vol < med)
    out = on.astype("float64")
    out[sma.isna() | vol.isna() | med.isna()] = np.nan
    return out


def classify_loop(p: np.ndarray) -> np.ndarray:
    """The same rule by plain loops (self-check of the pandas version)."""
    r = np.full(len(p), np.nan)
    r[1:] = np.log(p[1:] / p[:-1])
    vol = np.full(len(p), np.nan)
    for t in range(VOL_W, len(p)):
        vol[t] = np.std(r[t - VOL_W + 1 : t + 1], ddof=1)
    out = np.full(len(p), np.nan)
    for t in range(len(p)):
        if t < MA_W - 1 or t < VOL_LB - 1 or np.isnan(vol[t - VOL_LB + 1 : t + 1]).any():
            continue
        sma = p[t - MA_W + 1 : t + 1].mean()
        med = np.median(vol[t - VOL_LB + 1 : t + 1])
        out[t] = float(p[t] > sma and vol[t] < med)
    return out


def fisher(r: float, n: int):
    h = special.ndtri(0.5 + CONF / 2) / math.sqrt(n - 3)
    return math.tanh(math.atanh(r) - h), math.tanh(math.atanh(r) + h)


def regime_stats_rows(key: str, ra: pd.Series, rb: pd.Series, reg: pd.Series) -> list[list]:
    """Each return (row i, from date i-1 to i) labelled with the regime at the close of i-1."""
    label = reg.shift(1)
    rows = []
    for name, v in (("risk-on", 1.0), ("risk-off", 0.0)):
        m = (label == v) & ra.notna() & rb.notna()
        x, y = ra[m].to_numpy(), rb[m].to_numpy()
        r = float(np.corrcoef(x, y)[0, 1])
        lo, hi = fisher(r, len(x))
        beta = float(np.cov(x, y, ddof=1)[0, 1] / np.var(y, ddof=1))
        rows.append([f"{key}:{name}", len(x), r, lo, hi, beta])
    return rows


def divergence(ra: np.ndarray, rb: np.ndarray):
    """z of a[t] given b[t] from the OLS of a on b over t-W..t-1 (np.linalg.lstsq)."""
    z = np.full(len(ra), np.nan)
    for t in range(DIV_W, len(ra)):
        x, y = rb[t - DIV_W : t], ra[t - DIV_W : t]
        X = np.column_stack([np.ones(DIV_W), x])
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ coef
        sigma = math.sqrt(resid @ resid / (DIV_W - 2))
        z[t] = (ra[t] - coef[0] - coef[1] * rb[t]) / sigma
    return z


def divergence_pandas(ra: pd.Series, rb: pd.Series) -> pd.Series:
    """The same z from pandas rolling moments of the previous window (cross-check)."""
    cov = ra.rolling(DIV_W).cov(rb)
    vb, va = rb.rolling(DIV_W).var(), ra.rolling(DIV_W).var()
    beta = cov / vb
    alpha = ra.rolling(DIV_W).mean() - beta * rb.rolling(DIV_W).mean()
    s2 = (va - cov * cov / vb) * (DIV_W - 1) / (DIV_W - 2)
    return (ra - alpha.shift(1) - beta.shift(1) * rb) / np.sqrt(s2.shift(1))


# ---------------------------------------------------------------------------- main
def main() -> int:
    info: dict[str, str] = {}
    inner, ra_s, rb_s = pair_returns(ETH, RUT)
    _, ia_s, ib_s = pair_returns(ETH, IWM)
    dates = inner.index
    ra, rb = ra_s.to_numpy()[1:], rb_s.to_numpy()[1:]  # return j = row j+1
    ia, ib = ia_s.to_numpy()[1:], ib_s.to_numpy()[1:]
    assert np.isfinite(ra).all() and np.isfinite(rb).all() and np.isfinite(ia).all()

    # 1. ccf
    rows = ccf_rows("eth_rut", ra_s, rb_s) + ccf_rows("eth_iwm", ia_s, ib_s)
    # cross-check pandas against the two-pass formula on the overlapping pairs
    dev = 0.0
    for r in rows[: 2 * MAX_LAG + 1]:
        k = r[1]
        x, y = (ra[k:], rb[: len(rb) - k]) if k >= 0 else (ra[: len(ra) + k], rb[-k:])
        dev = max(dev, abs(pearson(x, y) - r[2]))
        assert len(x) == r[3]
    info["ccf: pandas vs numpy two-pass (abs)"] = f"{dev:.3g}"
    write_rows("leadlag_ccf.csv", ["pair", "lag", "corr", "n"], rows)

    # 2. Granger, both directions, lags 1..10 (each lag on its own n - p rows)
    g = []
    sel = []
    chosen = []
    for key, (eff, cau) in {
        "eth_rut:rut->eth": (ra, rb),
        "eth_rut:eth->rut": (rb, ra),
        "eth_iwm:iwm->eth": (ia, ib),
        "eth_iwm:eth->iwm": (ib, ia),
        # constructed: effect_t = ETH_t + 2·RUT_{t-1} (t >= 1), cause = RUT: p-values far
        # below 1e-100, to check their relative precision
        "synthetic:rut->eth+2rut(-1)": (ra[1:] + 2.0 * rb[:-1], rb[1:]),
    }.items():
        g += granger_rows(key, eff, cau)
        s, aic_lag, bic_lag = selection_rows(key, eff, cau)
        sel += s
        chosen.append([key, aic_lag, bic_lag])
    write_rows(
        "leadlag_granger.csv",
        ["test", "lag", "f", "p", "df_den", "df_num", "ssr_restricted", "ssr_unrestricted", "aic", "bic", "nobs"],
        g,
    )
    write_rows("leadlag_granger_select.csv", ["test", "lag", "aic", "bic", "nobs"], sel)
    write_rows("leadlag_granger_chosen.csv", ["test", "aic_lag", "bic_lag"], chosen)
    info["smallest Granger p-value"] = f"{min(r[3] for r in g):.3g}"

    # 3. rolling best lag, ETH/RUT, window 90, lags -10..10 (every date)
    best, gap = rolling_best_lag(ra, rb, ROLL_W, ROLL_L)
    info["rolling best lag: smallest gap best - second best corr"] = f"{gap:.3g}"
    write_rows(
        "leadlag_rolling_best.csv",
        ["date", "lag", "corr"],
        [[dates[t + 1], k, r] for t, k, r in best],
    )

    # 4. regimes on the aligned prices of both legs + regime statistics
    reg_a, reg_b = classify(inner["a"]), classify(inner["b"])
    for reg, col in ((reg_a, "a"), (reg_b, "b")):
        loop = classify_loop(inner[col].to_numpy())
        assert np.array_equal(np.isnan(loop), reg.isna().to_numpy()), col
        assert (loop[~np.isnan(loop)] == reg.dropna().to_numpy()).all(), col
    write_rows(
        "leadlag_regime.csv",
        ["date", "regime_a", "regime_b"],
        [[d, a, b] for d, a, b in zip(dates, reg_a, reg_b)],
    )
    stats_rows = regime_stats_rows("regime_b", ra_s, rb_s, reg_b) + regime_stats_rows(
        "regime_a", ra_s, rb_s, reg_a
    )
    write_rows("leadlag_regime_stats.csv", ["key", "n", "corr", "corr_lo", "corr_hi", "beta"], stats_rows)

    # 5. divergences, ETH on RUT, window 60, k = 3
    z = divergence(ra, rb)
    zp = divergence_pandas(ra_s, rb_s).to_numpy()[1:]
    info["divergence z: lstsq loop vs pandas rolling (abs)"] = f"{np.nanmax(np.abs(z - zp)):.3g}"
    assert np.nanmax(np.abs(z - zp)) < 1e-8
    write_rows(
        "leadlag_divergence_z.csv",
        ["date", "z"],
        [[dates[j + 1], z[j]] for j in range(DIV_W, len(z)) if dates[j + 1] >= DIV_CUTOFF],
    )
    events = [j for j in range(len(z)) if abs(z[j]) > DIV_K]
    margin = float(np.nanmin(np.abs(np.abs(z) - DIV_K)))
    info["divergence: smallest | |z| - k |"] = f"{margin:.3g}"
    write_rows("leadlag_divergence_events.csv", ["date", "z"], [[dates[j + 1], z[j]] for j in events])

    total = sum(p.stat().st_size for p in written)
    assert total < BUDGET, total
    readme(inner, len(best), len(events), total, info)
    for p in written:
        n = sum(1 for _ in p.open()) - 1
        print(f"{p.relative_to(OUT.parent.parent)}: {p.stat().st_size} bytes, {n} rows")
    print(f"total {total} bytes")
    return 0


def readme(inner, n_best, n_events, total, info):
    d = lambda ts: pd.Timestamp(ts).strftime("%Y-%m-%d")  # noqa: E731
    info_lines = "".join(f"- {k}: {v}\n" for k, v in info.items())
    section = f"""{MARK_START}
## Lead-lag, Granger, regimes, divergences (`scripts/golden_leadlag.py`)

Generated by `scripts/golden_leadlag.py` (run it after `golden.py`, which rewrites this README;
this section sits between the `leadlag` markers and is replaced on each run). Same inputs as
above: `golden.py`'s loader, inner join and log returns. ETH-USD (A) vs ^RUT (B), inner,
{len(inner)} dates {d(inner.index[0])} .. {d(inner.index[-1])}; ETH-USD vs IWM for ccf/Granger.
Files total {total} bytes.

Versions: Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__},
scipy {scipy.__version__}, **statsmodels {statsmodels.__version__}** (not in
`requirements-golden.txt`; install it alongside).

| File | Content |
|---|---|
| `leadlag_ccf.csv` | `pair,lag,corr,n`: pandas `ra.corr(rb.shift(k))`, k = -{MAX_LAG}..{MAX_LAG}, n = overlapping pairs; pairs `eth_rut`, `eth_iwm`. k > 0: B leads A. |
| `leadlag_granger.csv` | `test,lag,f,p,df_den,df_num,ssr_restricted,ssr_unrestricted,aic,bic,nobs`: statsmodels `grangercausalitytests(np.column_stack([effect, cause]), maxlag={MAX_LAG})[p]`: `ssr_ftest` (F, p, df_den, df_num), the two OLS fits' `ssr`, the unrestricted fit's `aic`/`bic`/`nobs`. `test` = `pair:cause->effect`; `synthetic:rut->eth+2rut(-1)`: effect = ETH_t + 2·RUT_(t-1) (returns j >= 1), cause = RUT_t, for tiny p-values. |
| `leadlag_granger_select.csv` | `test,lag,aic,bic,nobs`: statsmodels `OLS` of the unrestricted model of order p = 1..{MAX_LAG}, all on the common rows t = {MAX_LAG}..n-1. |
| `leadlag_granger_chosen.csv` | `test,aic_lag,bic_lag`: argmin of the above (ties: smaller lag). |
| `leadlag_rolling_best.csv` | `date,lag,corr`: ETH/RUT rolling best lag, window {ROLL_W}, lags -{ROLL_L}..{ROLL_L}, pairs `(a[s], b[s-k])` with s and s-k both in the window (t-{ROLL_W}, t]; largest corr, ties smallest abs lag then negative. Plain numpy loop; {n_best} rows (every date with a complete window). |
| `leadlag_regime.csv` | `date,regime_a,regime_b`: 1 risk-on, 0 risk-off, empty = warm-up, for the aligned ETH (a) and RUT (b) prices: `p > p.rolling({MA_W}).mean()` and `vol < vol.rolling({VOL_LB}).median()` with `vol = np.log(p/p.shift()).rolling({VOL_W}).std()`; cross-checked against a plain loop. |
| `leadlag_regime_stats.csv` | `key,n,corr,corr_lo,corr_hi,beta`: ETH/RUT returns per regime (of b, or of a), each return labelled with the regime at the close before it (`reg.shift(1)`); `np.corrcoef`, Fisher 95% CI (`ndtri(0.975)`), beta = cov/var(b). |
| `leadlag_divergence_z.csv` | `date,z`: ETH on RUT, OLS (`np.linalg.lstsq`) over the previous {DIV_W} returns, sigma = sqrt(SSR/({DIV_W}-2)), z = (a_t - alpha - beta b_t)/sigma; rows >= {d(DIV_CUTOFF)} only (size budget). |
| `leadlag_divergence_events.csv` | `date,z`: all {n_events} returns of the full history with abs(z) > {DIV_K}. |

Measured by the script (informational, for tolerances):

{info_lines}{MARK_END}
"""
    path = OUT / "README.md"
    text = path.read_text(encoding="utf-8")
    if MARK_START in text:
        head, rest = text.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1].lstrip("\n")
        text = head.rstrip("\n") + "\n\n" + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    sys.exit(main())
