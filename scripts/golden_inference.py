#!/usr/bin/env python3
"""Golden values of the inference around a correlation (issue 17), for the Rust tests in
crates/lockstep-stats/tests/golden_inference.rs:

* partial correlation given k controls: pingouin ``partial_corr`` (r, p) and the
  residual-on-residual correlation (numpy least squares), Fisher interval on n - 3 - k;
* rolling partial correlation (pingouin on every full window);
* Politis-White optimal block length: ``arch.bootstrap.optimal_block_length``;
* stationary-bootstrap percentile interval of the correlation: ``arch.bootstrap.
  StationaryBootstrap`` (same block length), for a Monte Carlo comparison; and one
  sample's own interval within resamples of the whole series (the report's regime intervals);
* two dependent overlapping correlations: R ``psych::r.test(n, r12, r13, r23)`` (Williams'
  t, through ``Rscript``) and Steiger's (1980) pooled Z1* (formula below, numpy);
* Fisher z test for two independent correlations: scipy (and psych ``r.test`` as a check);
* Forbes-Rigobon adjusted correlation.

Input: the real daily closes in ../shared/data (ETH-USD.daily.csv, RUT.daily.csv,
SPY.daily.csv, QQQ.daily.csv), loaded as golden.py does (column Close, all rows), inner
alignment of all four, log returns between consecutive kept dates; plus synthetic series
from numpy's default_rng (written out, so the Rust tests never regenerate them).

Writes test_data/golden/inference_*.csv and the ``inference`` section of
test_data/golden/README.md (run after golden.py, which rewrites the README).

Run: pip install -r scripts/requirements-golden.txt && apt-get install -y r-cran-psych &&
python3 scripts/golden_inference.py
"""

from __future__ import annotations

import io
import math
import platform
import subprocess
import sys
import warnings
from pathlib import Path

import arch
import numpy as np
import pandas as pd
import pingouin as pg
import scipy
from arch.bootstrap import StationaryBootstrap, optimal_block_length
from scipy import special, stats

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "test_data" / "golden"
MARK_START = "<!-- inference:start -->"
MARK_END = "<!-- inference:end -->"

FILES = {"eth": "ETH-USD.daily.csv", "rut": "RUT.daily.csv", "spy": "SPY.daily.csv", "qqq": "QQQ.daily.csv"}
Z975 = float(special.ndtri(0.975))
ROLL_WINDOWS = (30, 90)
BOOT_B = 20000
BOOT_SEED = 20240917


def fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    if math.isnan(f):
        return ""
    assert math.isfinite(f), f
    return repr(f)


def write_rows(name: str, header: list[str], rows: list) -> Path:
    path = OUT / name
    lines = [",".join(header)] + [",".join(fmt(c) for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    assert path.stat().st_size < 400_000, (name, path.stat().st_size)
    return path


# ------------------------------------------------------------------------- data
def load_close(name: str) -> pd.Series:
    df = pd.read_csv(DATA / name, index_col="Date", parse_dates=True)
    s = df["Close"].astype("float64")
    assert s.index.is_monotonic_increasing and not s.index.duplicated().any() and not s.isna().any()
    return s


def real_returns() -> pd.DataFrame:
    prices = pd.concat([load_close(f).rename(k) for k, f in FILES.items()], axis=1, join="inner").sort_index()
    three = pd.concat([load_close(FILES[k]).rename(k) for k in ("eth", "rut", "spy")], axis=1, join="inner")
    assert len(three) == len(prices), "QQQ changes the three-way alignment"
    return np.log(prices / prices.shift(1)).iloc[1:]


def synthetic() -> pd.DataFrame:
    """Market + noise legs, a second factor, the same at huge levels, and an AR(1) pair."""
    g = np.random.default_rng(17)
    n = 1000
    m = g.standard_normal(n)
    c = g.standard_normal(n)
    a = m + 0.5 * c + 0.8 * g.standard_normal(n)
    b = 0.7 * m + 0.7 * g.standard_normal(n)
    d = 0.3 * a + g.standard_normal(n)  # a third control related to a
    phi, rho = 0.6, 0.5
    e = g.standard_normal((n, 2)) @ np.linalg.cholesky([[1.0, rho], [rho, 1.0]]).T
    ax = np.zeros(n)
    ay = np.zeros(n)
    ax[0], ay[0] = e[0] / math.sqrt(1 - phi * phi)
    for t in range(1, n):
        ax[t] = phi * ax[t - 1] + e[t, 0]
        ay[t] = phi * ay[t - 1] + e[t, 1]
    return pd.DataFrame(
        {
            "m": m,
            "c": c,
            "d": d,
            "a": a,
            "b": b,
            # 1e9 moving by about one unit, -3e9 moving by ten, a control of scale 1e-9
            "big_a": 1e9 + a,
            "big_b": -3e9 + 10 * b,
            "tiny_m": 1e-9 * m,
            "ar_x": ax,
            "ar_y": ay,
        }
    )


# ------------------------------------------------------------ partial correlation
def resid_corr(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Correlation of the residuals of x and y on [1, z] (least squares), every column
    shifted by its first value first (exact differences at price-like levels)."""
    x = x - x[0]
    y = y - y[0]
    z = z - z[0]
    design = np.column_stack([np.ones(len(x)), z])
    ex = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
    ey = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return float(ex @ ey / math.sqrt((ex @ ex) * (ey @ ey)))


def fisher_ci(r: float, n_eff: float):
    z = math.atanh(r)
    h = Z975 / math.sqrt(n_eff - 3)
    return math.tanh(z - h), math.tanh(z + h)


def partial_row(source, df, case, x, y, ctrl, start, end, info):
    sub = df.iloc[start:end]
    n, k = len(sub), len(ctrl)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pg.partial_corr(data=sub, x=x, y=y, covar=list(ctrl), method="pearson")
    r_pg = float(res["r"].iloc[0])
    p_pg = float(res["p_val"].iloc[0])
    ci_pg = res["CI95"].iloc[0]
    r_res = resid_corr(sub[x].to_numpy(), sub[y].to_numpy(), sub[list(ctrl)].to_numpy())
    lo, hi = fisher_ci(r_res, n - k)
    # pingouin rounds its interval to 6 decimals
    assert abs(ci_pg[0] - lo) <= 5e-7 + 1e-12 and abs(ci_pg[1] - hi) <= 5e-7 + 1e-12, (case, ci_pg, lo, hi)
    dev = abs(r_pg - r_res)
    info.setdefault("partial: pingouin vs residual on residual (abs)", [])
    info["partial: pingouin vs residual on residual (abs)"].append((case, dev))
    return [source, case, x, y, "+".join(ctrl), start, end, n, k, r_pg, r_res, lo, hi, p_pg]


def main() -> int:
    # pingouin rounds CI95 to 2 decimals when it prints; keep compute_esci's 6
    pg.options["round.column.CI95"] = None
    info: dict = {}
    ret = real_returns()
    syn = synthetic()
    dates = ret.index
    n = len(ret)
    write_rows(
        "inference_returns.csv",
        ["date", "eth", "rut", "spy", "qqq"],
        [[d.strftime("%Y-%m-%d")] + list(row) for d, row in zip(dates, ret.to_numpy())],
    )
    # big_a, big_b, tiny_m are not written: the tests recompute them (one IEEE operation each)
    stored = syn.drop(columns=["big_a", "big_b", "tiny_m"])
    write_rows("inference_synthetic.csv", ["i"] + list(stored.columns), [[i] + list(r) for i, r in enumerate(stored.to_numpy())])

    # 1. partial correlations
    y2025 = int(np.searchsorted(dates, pd.Timestamp("2025-01-01")))
    rows = []
    for case, x, y, ctrl, s, e in [
        ("full", "eth", "rut", ["spy"], 0, n),
        ("latest90", "eth", "rut", ["spy"], n - 90, n),
        ("latest30", "eth", "rut", ["spy"], n - 30, n),
        ("since2025", "eth", "rut", ["spy"], y2025, n),
        ("full_k2", "eth", "rut", ["spy", "qqq"], 0, n),
        ("latest90_k2", "eth", "rut", ["spy", "qqq"], n - 90, n),
        ("eth_spy_given_rut", "eth", "spy", ["rut"], 0, n),
        ("rut_spy_given_eth", "rut", "spy", ["eth"], 0, n),
    ]:
        rows.append(partial_row("returns", ret, case, x, y, ctrl, s, e, info))
    m = len(syn)
    for case, x, y, ctrl, s, e in [
        ("market", "a", "b", ["m"], 0, m),
        ("market_k2", "a", "b", ["m", "c"], 0, m),
        ("market_k3", "a", "b", ["m", "c", "d"], 0, m),
        ("market_short", "a", "b", ["m", "c"], 0, 12),
        ("huge_levels", "big_a", "big_b", ["tiny_m"], 0, m),
        ("ar1", "ar_x", "ar_y", ["m"], 0, m),
    ]:
        rows.append(partial_row("synthetic", syn, case, x, y, ctrl, s, e, info))
    write_rows(
        "inference_partial.csv",
        ["source", "case", "x", "y", "controls", "start", "end", "n", "k", "r", "r_resid", "lo", "hi", "p"],
        rows,
    )
    devs = info.pop("partial: pingouin vs residual on residual (abs)")
    worst = max(devs, key=lambda t: t[1])
    info["partial: pingouin vs residual on residual, largest (abs)"] = f"{worst[1]:.3g} ({worst[0]})"
    normal = max(d for c, d in devs if c != "huge_levels")
    assert normal < 1e-12, devs
    summary = {r[1]: r for r in rows}
    raw = ret.iloc[n - 90 :].corr()
    info["ETH/^RUT given SPY, full period"] = (
        f"r = {summary['full'][10]:.4f} (raw {ret['eth'].corr(ret['rut']):.4f}), n = {n}, "
        f"Fisher 95% [{summary['full'][11]:.4f}, {summary['full'][12]:.4f}]"
    )
    info["ETH/^RUT given SPY, latest 90"] = (
        f"r = {summary['latest90'][10]:.4f} (raw {raw.loc['eth', 'rut']:.4f}; ETH/SPY {raw.loc['eth', 'spy']:.4f}), "
        f"Fisher 95% [{summary['latest90'][11]:.4f}, {summary['latest90'][12]:.4f}]"
    )
    info["ETH/^RUT given SPY, since 2025-01-01"] = f"r = {summary['since2025'][10]:.4f}, n = {summary['since2025'][7]}"

    # 2. rolling partial correlation, ETH/RUT given SPY
    cols = {}
    roll_dev = 0.0
    for w in ROLL_WINDOWS:
        out = np.full(n, np.nan)
        x, y, z = ret["eth"].to_numpy(), ret["rut"].to_numpy(), ret["spy"].to_numpy()
        sub_all = ret[["eth", "rut", "spy"]]
        for end in range(w, n + 1):
            sub = sub_all.iloc[end - w : end]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[end - 1] = pg.partial_corr(data=sub, x="eth", y="rut", covar=["spy"])["r"].iloc[0]
            rr = resid_corr(x[end - w : end], y[end - w : end], z[end - w : end])
            roll_dev = max(roll_dev, abs(rr - out[end - 1]))
        cols[w] = out
    info["rolling partial: pingouin vs residual on residual (abs)"] = f"{roll_dev:.3g}"
    assert roll_dev < 1e-12
    write_rows(
        "inference_partial_rolling.csv",
        ["date"] + [f"pcorr_{w}" for w in ROLL_WINDOWS],
        [[d.strftime("%Y-%m-%d")] + [cols[w][i] for w in ROLL_WINDOWS] for i, d in enumerate(dates)],
    )

    # 3. optimal block length
    series = {k: ret[k].to_numpy() for k in ("eth", "rut", "spy", "qqq")}
    series["eth_sq"] = series["eth"] ** 2
    series["spy_sq"] = series["spy"] ** 2
    for k in ("m", "ar_x", "ar_y"):
        series[k] = syn[k].to_numpy()
    brows = []
    for name, x in series.items():
        total = len(x)
        spans = [(0, total), (total - 250, total), (total - 90, total), (total - 30, total), (0, 8), (0, 12), (0, 20)]
        for s, e in spans:
            with np.errstate(divide="ignore", invalid="ignore"):
                b = optimal_block_length(x[s:e])
            brows.append([name, s, e, e - s, float(b["stationary"].iloc[0]), float(b["circular"].iloc[0])])
    write_rows("inference_block_length.csv", ["series", "start", "end", "n", "stationary", "circular"], brows)
    bl = {(r[0], r[3]): r[4] for r in brows}
    info["block length, full period (stationary)"] = ", ".join(
        f"{k} {bl[(k, n)]:.4f}" for k in ("eth", "rut", "spy", "eth_sq", "spy_sq")
    )

    # 4. stationary-bootstrap percentile interval (arch), ETH/RUT
    boot = []
    for case, s in [("full", 0), ("latest250", n - 250), ("latest90", n - 90)]:
        x, y = ret["eth"].to_numpy()[s:], ret["rut"].to_numpy()[s:]
        block = max(
            float(optimal_block_length(x)["stationary"].iloc[0]),
            float(optimal_block_length(y)["stationary"].iloc[0]),
            1.0,
        )
        sb = StationaryBootstrap(block, x, y, seed=BOOT_SEED)
        reps = np.array([np.corrcoef(d[0], d[1])[0, 1] for d, _ in sb.bootstrap(BOOT_B)])
        lo, hi = np.percentile(reps, [2.5, 97.5])
        r = float(np.corrcoef(x, y)[0, 1])
        flo, fhi = fisher_ci(r, len(x))
        boot.append(["eth", "rut", case, s, n, len(x), block, BOOT_B, r, lo, hi, reps.std(ddof=1), flo, fhi])
        info[f"bootstrap ETH/^RUT {case} (arch, B={BOOT_B}, block {block:.3f})"] = (
            f"r = {r:.4f}: percentile 95% [{lo:.4f}, {hi:.4f}] against Fisher [{flo:.4f}, {fhi:.4f}]"
        )
    write_rows(
        "inference_bootstrap.csv",
        ["x", "y", "case", "start", "end", "n", "block", "replications", "r", "lo", "hi", "se", "fisher_lo", "fisher_hi"],
        boot,
    )

    # 4b. one sample's own interval within resamples of the whole series (arch), ETH/RUT: the
    # days whose previous 20 RUT returns had a standard deviation above its median (volatile)
    # and the others with one (calm), as the report's regime intervals are drawn
    x, y = ret["eth"].to_numpy(), ret["rut"].to_numpy()
    block = max(
        float(optimal_block_length(x)["stationary"].iloc[0]),
        float(optimal_block_length(y)["stationary"].iloc[0]),
        1.0,
    )
    vol = ret["rut"].rolling(20).std().shift(1)
    masks = {"volatile": (vol > vol.median()).to_numpy(), "calm": (vol <= vol.median()).to_numpy()}
    write_rows(
        "inference_bootstrap_masks.csv",
        ["i", "volatile", "calm"],
        [[i, int(masks["volatile"][i]), int(masks["calm"][i])] for i in range(len(x))],
    )
    srows = []
    for case, m in masks.items():
        sb = StationaryBootstrap(block, x, y, m, seed=BOOT_SEED)
        reps = np.array(
            [np.corrcoef(d[0][d[2]], d[1][d[2]])[0, 1] for d, _ in sb.bootstrap(BOOT_B)]
        )
        reps = reps[np.isfinite(reps)]
        lo, hi = np.percentile(reps, [2.5, 97.5])
        r = float(np.corrcoef(x[m], y[m])[0, 1])
        srows.append([case, int(m.sum()), block, len(reps), r, lo, hi, reps.std(ddof=1)])
        info[f"bootstrap ETH/^RUT {case} days within resamples of all (arch, B={BOOT_B})"] = (
            f"r = {r:.4f} on {int(m.sum())} returns: percentile 95% [{lo:.4f}, {hi:.4f}]"
        )
    write_rows(
        "inference_bootstrap_sample.csv",
        ["case", "n", "block", "replications", "r", "lo", "hi", "se"],
        srows,
    )

    # 5. dependent overlapping correlations: psych::r.test (Williams' t) and Steiger's Z1*
    dep_in = []
    for nn in (10, 30, 103, 500):
        for r12, r13, r23 in [(0.5, 0.3, 0.4), (0.2, 0.5, 0.1), (-0.3, 0.6, -0.2), (0.9, 0.85, 0.95), (0.1, 0.1, 0.5), (0.05, -0.02, 0.0)]:
            dep_in.append((f"grid", nn, r12, r13, r23))
    corr_full = ret.corr()
    corr_90 = ret.iloc[n - 90 :].corr()
    for case, cm, nn in [("full", corr_full, n), ("latest90", corr_90, 90)]:
        dep_in.append((f"eth:rut-vs-eth:spy:{case}", nn, cm.loc["eth", "rut"], cm.loc["eth", "spy"], cm.loc["rut", "spy"]))
        dep_in.append((f"eth:rut-vs-eth:qqq:{case}", nn, cm.loc["eth", "rut"], cm.loc["eth", "qqq"], cm.loc["rut", "qqq"]))
    psych = rscript_r_test(dep_in)
    dep = []
    for (case, nn, r12, r13, r23), (t, p, t2, p2) in zip(dep_in, psych):
        assert abs(t - t2) < 1e-12 and abs(p - p2) < 1e-15, "r.test and paired.r differ"
        z, pz = steiger_z(r12, r13, r23, nn)
        dep.append([case, nn, r12, r13, r23, t, p, z, pz])
    write_rows("inference_steiger.csv", ["case", "n", "r12", "r13", "r23", "t", "p", "z", "p_z"], dep)
    for row in dep:
        if row[0].startswith("eth:rut-vs-eth:spy"):
            info[f"Williams t {row[0]}"] = f"t = {row[5]:.4f}, p = {row[6]:.4g}; Steiger z = {row[7]:.4f}, p = {row[8]:.4g}"

    # 6. Fisher z test for two independent correlations
    fin = []
    for r1, n1, r2, n2 in [(0.5, 100, 0.3, 150), (0.3, 150, 0.5, 100), (-0.2, 30, 0.4, 40), (0.9, 1000, 0.85, 800), (0.0, 4, 0.5, 5), (0.999, 50, -0.999, 60)]:
        fin.append(("grid", r1, n1, r2, n2))
    # the latest 90 returns against the returns before them (no shared day)
    r_late = float(ret["eth"].iloc[n - 90 :].corr(ret["rut"].iloc[n - 90 :]))
    r_early = float(ret["eth"].iloc[: n - 90].corr(ret["rut"].iloc[: n - 90]))
    fin.append(("eth:rut:latest90-vs-before", r_late, 90, r_early, n - 90))
    ps = rscript_r_test_independent(fin)
    frows = []
    for (case, r1, n1, r2, n2), (zabs, p_r) in zip(fin, ps):
        z = (math.atanh(r1) - math.atanh(r2)) / math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3))
        p = float(2 * stats.norm.sf(abs(z)))
        assert abs(abs(z) - zabs) < 1e-12 and abs(p - p_r) < 1e-14, (z, zabs, p, p_r)
        frows.append([case, r1, n1, r2, n2, z, p])
    write_rows("inference_fisher_test.csv", ["case", "r1", "n1", "r2", "n2", "z", "p"], frows)
    info["Fisher z, ETH/^RUT latest 90 vs the returns before"] = f"r {r_late:.4f} vs {r_early:.4f}: z = {frows[-1][5]:.4f}, p = {frows[-1][6]:.4g}"

    # 7. Forbes-Rigobon
    fr = []
    for rho in (-0.9, -0.3, 0.0, 0.2, 0.5, 0.8, 0.99, 1.0):
        for var_high, var_low in [(1.0, 1.0), (2.0, 1.0), (5.0, 1.0), (0.5, 1.0), (3.3e-4, 1.1e-4)]:
            delta = var_high / var_low - 1
            fr.append(["grid", rho, var_high, var_low, delta, rho / math.sqrt(1 + delta * (1 - rho * rho))])
    # real: ETH/RUT on days whose previous 20 RUT returns had a standard deviation above its median
    vol = ret["rut"].rolling(20).std().shift(1)
    high = vol > vol.median()
    low = vol <= vol.median()
    rho_high = float(ret["eth"][high].corr(ret["rut"][high]))
    vh, vl = float(ret["rut"][high].var()), float(ret["rut"][low].var())
    d = vh / vl - 1
    fr.append(["eth:rut:high-rut-vol", rho_high, vh, vl, d, rho_high / math.sqrt(1 + d * (1 - rho_high**2))])
    write_rows("inference_forbes_rigobon.csv", ["case", "rho", "var_high", "var_low", "delta", "adjusted"], fr)
    info["Forbes-Rigobon ETH/^RUT, high ^RUT volatility days"] = (
        f"rho {rho_high:.4f}, delta {d:.3f}, adjusted {fr[-1][5]:.4f} "
        f"(calm days: {float(ret['eth'][low].corr(ret['rut'][low])):.4f})"
    )

    readme(ret, info)
    for k, v in info.items():
        print(f"{k}: {v}")
    return 0


def steiger_z(r12: float, r13: float, r23: float, n: int):
    """Steiger (1980) eq. 14, Z1* with the pooled rbar (cocor's steiger1980)."""
    rbar = (r12 + r13) / 2
    psi = r23 * (1 - 2 * rbar**2) - 0.5 * rbar**2 * (1 - 2 * rbar**2 - r23**2)
    c = psi / (1 - rbar**2) ** 2
    z = (math.atanh(r12) - math.atanh(r13)) * math.sqrt(n - 3) / math.sqrt(2 - 2 * c)
    return z, float(2 * stats.norm.sf(abs(z)))


def run_r(code: str, rows: list[str]) -> list[list[float]]:
    inp = "\n".join(rows) + "\n"
    out = subprocess.run(["Rscript", "-e", code], input=inp, capture_output=True, text=True, check=True).stdout
    return [[float(v) for v in line.split(",")] for line in out.strip().splitlines()]


def rscript_r_test(rows):
    """psych::r.test(n, r12, r13, r23) and psych::paired.r(r12, r13, r23, n): t, p."""
    code = r"""
suppressMessages(library(psych))
d <- read.csv(file("stdin"), header = FALSE)
for (i in seq_len(nrow(d))) {
  a <- r.test(n = d[i, 1], r12 = d[i, 2], r13 = d[i, 3], r23 = d[i, 4])
  b <- paired.r(d[i, 2], d[i, 3], d[i, 4], n = d[i, 1])
  cat(sprintf("%.17g,%.17g,%.17g,%.17g\n", a$t, a$p, b$t, b$p))
}
"""
    return run_r(code, [f"{nn},{float(r12)!r},{float(r13)!r},{float(r23)!r}" for _, nn, r12, r13, r23 in rows])


def rscript_r_test_independent(rows):
    """psych::r.test(n1, r12 = r1, r34 = r2, n2 = n2): |z|, p."""
    code = r"""
suppressMessages(library(psych))
d <- read.csv(file("stdin"), header = FALSE)
for (i in seq_len(nrow(d))) {
  a <- r.test(n = d[i, 2], r12 = d[i, 1], r34 = d[i, 3], n2 = d[i, 4])
  cat(sprintf("%.17g,%.17g\n", a$z, a$p))
}
"""
    return run_r(code, [f"{float(r1)!r},{n1},{float(r2)!r},{n2}" for _, r1, n1, r2, n2 in rows])


def r_version() -> str:
    out = subprocess.run(
        ["Rscript", "-e", 'cat(R.version$major, R.version$minor, as.character(packageVersion("psych")), sep=" ")'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"R {out[0]}.{out[1]}, psych {out[2]}"


def readme(ret: pd.DataFrame, info: dict) -> None:
    d = lambda ts: pd.Timestamp(ts).strftime("%Y-%m-%d")  # noqa: E731
    info_lines = "".join(f"- {k}: {v}\n" for k, v in info.items())
    section = f"""{MARK_START}
## Partial correlation, tests of two correlations, block bootstrap (`scripts/golden_inference.py`)

Generated by `scripts/golden_inference.py` (run it after `golden.py`, which rewrites this
README; this section sits between the `inference` markers and is replaced on each run).
Inputs: `golden.py`'s loader for `ETH-USD.daily.csv`, `RUT.daily.csv`, `SPY.daily.csv` and
`QQQ.daily.csv`, **inner alignment of all four** (the same dates as the three-way ETH/^RUT/SPY
alignment), log returns between consecutive kept dates: {len(ret)} returns
{d(ret.index[0])} .. {d(ret.index[-1])}. Synthetic series from `numpy.random.default_rng(17)`.

Versions: Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__},
scipy {scipy.__version__}, pingouin {pg.__version__}, arch {arch.__version__}, {r_version()}
(Debian `r-cran-psych`, called through `Rscript`; the Rust tests need none of them).

| File | Content |
|---|---|
| `inference_returns.csv` | `date,eth,rut,spy,qqq`: the aligned log returns (inputs of the tests). |
| `inference_synthetic.csv` | `i,m,c,d,a,b,ar_x,ar_y`: 1000 rows. `m` market, `c` second factor, `a = m + 0.5c + 0.8e₁`, `b = 0.7m + 0.7e₂`, `d = 0.3a + e₃`; `ar_x, ar_y`: AR(1), φ = 0.6, innovations correlated 0.5 (stationary start). The cases also use `big_a = 1e9 + a`, `big_b = -3e9 + 10*b`, `tiny_m = 1e-9*m` (f64 operations as written; not stored, the tests recompute them). |
| `inference_partial.csv` | `source,case,x,y,controls,start,end,n,k,r,r_resid,lo,hi,p`: partial correlation of columns `x`, `y` of `source` (`returns` or `synthetic`) given `controls` (`+`-separated) on rows `start..end` (0-based, end exclusive). `r` pingouin `partial_corr(..., method="pearson")`, `p` its `p_val` (t, n − 2 − k df); `r_resid` the correlation of the residuals of x and y on [1, controls] (numpy `lstsq`, every column shifted by its first value); `lo, hi` = `tanh(atanh(r_resid) ∓ ndtri(0.975)/√(n − 3 − k))`, checked against pingouin's `CI95` (rounded to 6 decimals by pingouin). |
| `inference_partial_rolling.csv` | `date,pcorr_30,pcorr_90`: ETH/^RUT given SPY, pingouin `partial_corr` on every full window of 30 and 90 returns ending at the row (empty in the warm-up). |
| `inference_block_length.csv` | `series,start,end,n,stationary,circular`: `arch.bootstrap.optimal_block_length(x[start:end])`; series `eth, rut, spy, qqq` (returns), `eth_sq, spy_sq` (squared returns), `m, ar_x, ar_y` (synthetic); spans: all, last 250, 90, 30, first 8, 12, 20. |
| `inference_bootstrap.csv` | `x,y,case,start,end,n,block,replications,r,lo,hi,se,fisher_lo,fisher_hi`: ETH/^RUT returns `start..end`; `block` = max of the two series' arch stationary block lengths (and 1); `arch.bootstrap.StationaryBootstrap(block, x, y, seed={BOOT_SEED})`, {BOOT_B} replicates of `np.corrcoef`, `np.percentile(.., [2.5, 97.5])` and the replicates' standard deviation; the Fisher interval beside it. Lockstep's generator is its own, so the test compares within Monte Carlo error. |
| `inference_bootstrap_masks.csv`, `inference_bootstrap_sample.csv` | A sample's own interval within resamples of the whole series (the report's regime intervals): `masks` holds, per return `i` of `inference_returns.csv`, whether the previous 20 ^RUT returns had a standard deviation above its median (`volatile`) or not (`calm`; neither in the first 20). `sample`: `case,n,block,replications,r,lo,hi,se`: `arch.bootstrap.StationaryBootstrap(block, eth, rut, mask, seed={BOOT_SEED})` over all returns (block as `full` above), {BOOT_B} replicates of `np.corrcoef` of the resampled rows whose mask is true, their percentile interval and standard deviation. Compared within Monte Carlo error. |
| `inference_steiger.csv` | `case,n,r12,r13,r23,t,p,z,p_z`: `t, p` from R `psych::r.test(n, r12, r13, r23)` (Williams' t, n − 3 df; equal to `psych::paired.r`); `z, p_z` Steiger's (1980) Z1*: `r̄ = (r12 + r13)/2`, `ψ = r23(1 − 2r̄²) − ½r̄²(1 − 2r̄² − r23²)`, `c = ψ/(1 − r̄²)²`, `z = (atanh r12 − atanh r13)·√(n − 3)/√(2 − 2c)`, `p_z = 2·norm.sf(|z|)`. Real cases: ETH:^RUT against ETH:SPY (and ETH:QQQ), full period and latest 90. |
| `inference_fisher_test.csv` | `case,r1,n1,r2,n2,z,p`: `z = (atanh r1 − atanh r2)/√(1/(n1 − 3) + 1/(n2 − 3))`, `p = 2·scipy.stats.norm.sf(|z|)`; checked against `psych::r.test(n1, r12 = r1, r34 = r2, n2 = n2)` (which reports |z|). |
| `inference_forbes_rigobon.csv` | `case,rho,var_high,var_low,delta,adjusted`: `delta = var_high/var_low − 1`, `adjusted = rho/√(1 + delta(1 − rho²))`; the real row: ETH/^RUT on days whose previous 20 ^RUT returns had a standard deviation above its median, δ from ^RUT's variance on those days against the others. |

Measured by the script (informational):

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
