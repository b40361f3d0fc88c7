"""The kernels from Python: bit for bit the command line's values on the real data, the
references (pandas, TA-Lib, statsmodels, the golden files) at the golden tolerances, the
Series index, NaN and constant windows, and the errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import lockstep as ls
from conftest import GOLDEN, number, read_columns, run_cli, shared


def same_bits(got, want) -> None:
    """Equal to the last bit, NaN at the same places."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    nan = np.isnan(want)
    assert (np.isnan(got) == nan).all(), "NaN at different places"
    diff = np.flatnonzero(got[~nan].view(np.uint64) != want[~nan].view(np.uint64))
    assert diff.size == 0, (
        f"{diff.size} values differ, first at {diff[0]}: {got[~nan][diff[0]]!r} vs "
        f"{want[~nan][diff[0]]!r}")


def close(got, want, tol: float, rel: bool = False) -> float:
    """Within `tol` (absolute, or relative to max(|want|, 1)), NaN at the same places; the
    largest deviation."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    nan = np.isnan(want)
    assert (np.isnan(got) == nan).all(), "NaN at different places"
    d = np.abs(got[~nan] - want[~nan])
    if rel:
        d = d / np.maximum(np.abs(want[~nan]), 1.0)
    worst = float(d.max()) if d.size else 0.0
    assert worst <= tol, f"deviation {worst} > {tol}"
    return worst


def col(cols, name):
    return np.array([number(c) for c in cols[name]])


def rets(cols, name):
    """A column of the rows that have returns (all but the first aligned date): the command
    feeds its kernels the returns, so the same inputs give the same bits."""
    return col(cols, name)[1:]


@pytest.fixture
def eth_rut():
    return str(shared("ETH-USD.daily.csv")), str(shared("RUT.daily.csv"))


@pytest.fixture
def corr_csv(eth_rut, home):
    """`lockstep corr ETH-USD RUT --format csv`: the aligned returns and rolling statistics."""
    return read_columns(run_cli("corr", *eth_rut, "--format", "csv", home=home))


# --- bit for bit: the command line -----------------------------------------------------------


def test_corr_beta_interval_equal_the_cli(corr_csv):
    a, b = rets(corr_csv, "ret_a"), rets(corr_csv, "ret_b")
    for w in (30, 60, 90):
        r = ls.rolling_corr(a, b, w)
        same_bits(r, rets(corr_csv, f"corr_{w}"))
        same_bits(ls.rolling_beta(a, b, w), rets(corr_csv, f"beta_{w}"))
        lo, hi = ls.fisher_interval(r, w)
        same_bits(lo, rets(corr_csv, f"corr_{w}_lo"))
        same_bits(hi, rets(corr_csv, f"corr_{w}_hi"))


def test_spearman_and_ewma_equal_the_cli(eth_rut, home):
    sp = read_columns(run_cli("corr", *eth_rut, "--method", "spearman", "--window", "30",
                              "--format", "csv", home=home))
    a, b = rets(sp, "ret_a"), rets(sp, "ret_b")
    same_bits(ls.rolling_spearman(a, b, 30), rets(sp, "corr_30"))
    ew = read_columns(run_cli("corr", *eth_rut, "--method", "ewma", "--lambda", "0.94",
                              "--window", "30", "--format", "csv", home=home))
    # The window is the EWMA's warm-up.
    got = ls.ewma_corr(a, b, lam=0.94, warmup=30)
    same_bits(got, rets(ew, "corr_30"))
    n_eff = (1 + 0.94) / (1 - 0.94)
    lo, hi = ls.fisher_interval(got, n_eff)
    same_bits(lo, rets(ew, "corr_30_lo"))
    same_bits(hi, rets(ew, "corr_30_hi"))


def test_indicators_equal_the_cli(home):
    path = shared("ETH-USD.daily.csv")
    t = read_columns(run_cli("technicals", str(path), "--format", "csv", home=home))
    df = ls.read_csv(path)
    close_ = df[df.attrs["price"]]
    same_bits(close_.to_numpy(), col(t, "close"))
    same_bits(ls.rsi(close_, 14), col(t, "rsi_14"))
    m = ls.macd(close_, 12, 26, 9)
    for c in ("macd", "macd_signal", "macd_hist"):
        same_bits(m[c], col(t, c))
    bb = ls.bollinger(close_, 20, 2.0, 2.0)
    for c in ("upper", "middle", "lower"):
        same_bits(bb[f"bb_{c}"], col(t, f"bb_{c}_20"))
    same_bits(ls.atr(df, period=14), col(t, "atr_14"))
    same_bits(ls.obv(close_, df["volume"]), col(t, "obv"))
    # Bollinger's middle band is the SMA (one kernel).
    same_bits(ls.sma(close_, 20), bb["bb_middle"])


def test_cross_correlation_and_granger_equal_the_cli(eth_rut, home, corr_csv):
    report = json.loads(run_cli("analyze", *eth_rut, "--format", "json", home=home))
    ll = report["lead_lag"]
    a, b = rets(corr_csv, "ret_a"), rets(corr_csv, "ret_b")
    ccf = ls.cross_correlation(a, b, ll["max_lag"])
    assert list(ccf.index) == [r["lag"] for r in ll["ccf"]]
    assert list(ccf["n"]) == [r["n"] for r in ll["ccf"]]
    same_bits(ccf["corr"], [math.nan if r["corr"] is None else r["corr"] for r in ll["ccf"]])
    g = ll["granger"]
    for key, effect, cause in (("b_to_a", a, b), ("a_to_b", b, a)):
        got = ls.granger(effect, cause, ll["max_lag"])
        want = g[key]
        for c in ("f", "p"):
            same_bits(got[c], [t[c] for t in want["tests"]])
        assert list(got["df_den"]) == [t["df_den"] for t in want["tests"]]
        assert (got.attrs["aic_lag"], got.attrs["bic_lag"]) == (want["aic_lag"], want["bic_lag"])


# --- the references at the golden tolerances ---------------------------------------------------


def test_corr_beta_ewma_match_pandas(corr_csv):
    a = pd.Series(rets(corr_csv, "ret_a"))
    b = pd.Series(rets(corr_csv, "ret_b"))
    for w in (30, 60, 90):
        close(ls.rolling_corr(a, b, w), a.rolling(w).corr(b), 1e-10)
        close(ls.rolling_beta(a, b, w), a.rolling(w).cov(b) / b.rolling(w).var(), 1e-10,
              rel=True)
    # RiskMetrics EWMA: pandas ewm(adjust=False) of the products, from the first return.
    ra, rb = a, b
    ewm = lambda s: s.ewm(alpha=0.06, adjust=False, min_periods=30).mean()  # noqa: E731
    want = ewm(ra * rb) / np.sqrt(ewm(ra * ra) * ewm(rb * rb))
    close(ls.ewma_corr(ra, rb, 0.94, 30), want, 1e-10)


def test_golden_files(corr_csv):
    """The golden files (pandas/scipy) the Rust tests read, at their tolerance (1e-10)."""
    dates = corr_csv["date"][1:]
    a, b = rets(corr_csv, "ret_a"), rets(corr_csv, "ret_b")
    g = read_columns((GOLDEN / "eth_rut_inner_log.csv").read_text())
    at = [dates.index(d) for d in g["date"]]
    for w in (30, 60, 90):
        close(ls.rolling_corr(a, b, w)[at], col(g, f"corr_{w}"), 1e-10)
        close(ls.rolling_beta(a, b, w)[at], col(g, f"beta_{w}"), 1e-10, rel=True)
        lo, hi = ls.fisher_interval(ls.rolling_corr(a, b, w), w)
        close(lo[at], col(g, f"corr_{w}_lo"), 1e-10)
        close(hi[at], col(g, f"corr_{w}_hi"), 1e-10)
    s = read_columns((GOLDEN / "eth_rut_spearman_30.csv").read_text())
    at = [dates.index(d) for d in s["date"]]
    close(ls.rolling_spearman(a, b, 30)[at], col(s, "spearman_30"), 1e-10)
    f = read_columns((GOLDEN / "fisher_z.csv").read_text())
    lo, hi = ls.fisher_interval(col(f, "r"), col(f, "n"))
    close(lo, col(f, "lo"), 1e-10)
    close(hi, col(f, "hi"), 1e-10)


def test_indicators_match_talib():
    talib = pytest.importorskip("talib", reason="skipping: TA-Lib (pip install TA-Lib) is not installed")
    df = ls.read_csv(shared("ETH-USD.daily.csv"))
    c = df["close"].to_numpy()
    h, lo, v = df["high"].to_numpy(), df["low"].to_numpy(), df["volume"].to_numpy()
    # RSI and SMA do TA-Lib's arithmetic: the same bits.
    same_bits(ls.rsi(c, 14), talib.RSI(c, 14))
    same_bits(ls.sma(c, 20), talib.SMA(c, 20))
    close(ls.ema(c, 20), talib.EMA(c, 20), 1e-9, rel=True)
    m, s, hist = ls.macd(c, 12, 26, 9)
    tm, ts, th = talib.MACD(c, 12, 26, 9)
    for got, want in ((m, tm), (s, ts), (hist, th)):
        close(got, want, 1e-9, rel=True)
    for got, want in zip(ls.bollinger(c, 20, 2.0, 2.0), talib.BBANDS(c, 20, 2.0, 2.0, 0)):
        close(got, want, 1e-9, rel=True)
    close(ls.atr(h, lo, c, 14), talib.ATR(h, lo, c, 14), 1e-9, rel=True)
    close(ls.obv(c, v), talib.OBV(c, v), 1e-9, rel=True)
    # The golden file of the Rust test, from the same wheel.
    g = read_columns((GOLDEN / "talib_eth.csv").read_text())
    idx = [df.index.get_loc(pd.Timestamp(d)) for d in g["date"]]
    same_bits(ls.rsi(c, 14)[idx], col(g, "rsi_14"))
    close(ls.ema(c, 20)[idx], col(g, "ema_20"), 1e-9, rel=True)


def test_ema_seeds():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # TA-Lib: the mean of the first n is the first value; "first": pandas ewm(adjust=False).
    assert np.isnan(ls.ema(x, 3)[:2]).all() and ls.ema(x, 3)[2] == 2.0
    close(ls.ema(x, 3, seed="first"), pd.Series(x).ewm(span=3, adjust=False).mean(), 1e-15)


def test_cross_correlation_and_granger_match_pandas_and_statsmodels(corr_csv):
    a = pd.Series(rets(corr_csv, "ret_a"))
    b = pd.Series(rets(corr_csv, "ret_b"))
    ccf = ls.cross_correlation(a, b, 10)
    close(ccf["corr"], [a.corr(b.shift(k)) for k in range(-10, 11)], 1e-12)
    st = pytest.importorskip("statsmodels.tsa.stattools",
                             reason="skipping: statsmodels (pip install statsmodels) is not installed")
    ra, rb = a.to_numpy(), b.to_numpy()
    want = st.grangercausalitytests(np.column_stack([ra, rb]), maxlag=10)
    got = ls.granger(ra, rb, 10)
    for p in range(1, 11):
        f, pv, df_den, df_num = want[p][0]["ssr_ftest"]
        assert abs(got.loc[p, "f"] - f) <= 1e-8 * max(abs(f), 1.0)
        assert abs(got.loc[p, "p"] - pv) <= 1e-8 * max(pv, 1e-3)
        assert (got.loc[p, "df_den"], got.loc[p, "df_num"]) == (df_den, df_num)
        close([got.loc[p, "aic"], got.loc[p, "bic"]], [want[p][1][1].aic, want[p][1][1].bic],
              1e-10, rel=True)
    # The golden file (statsmodels 0.15.0), ETH on RUT.
    g = read_columns((GOLDEN / "leadlag_granger.csv").read_text())
    rows = [i for i, t in enumerate(g["test"]) if t == "eth_rut:rut->eth"]
    close(got["f"], [number(g["f"][i]) for i in rows], 1e-8, rel=True)
    close(got["p"], [number(g["p"][i]) for i in rows], 1e-8, rel=True)


def test_partial_corr_matches_the_golden_files():
    g = read_columns((GOLDEN / "inference_partial.csv").read_text())
    ret = read_columns((GOLDEN / "inference_returns.csv").read_text())
    checked = 0
    for i, source in enumerate(g["source"]):
        if source != "returns":
            continue
        s, e = int(g["start"][i]), int(g["end"][i])
        x = col(ret, g["x"][i])[s:e]
        y = col(ret, g["y"][i])[s:e]
        cs = [col(ret, c)[s:e] for c in g["controls"][i].split("+") if c]
        p = ls.partial_corr(x, y, cs)
        assert abs(p.r - number(g["r"][i])) <= 1e-10, g["case"][i]
        assert abs(p.lo - number(g["lo"][i])) <= 1e-10 and abs(p.hi - number(g["hi"][i])) <= 1e-10
        want_p = number(g["p"][i])
        assert abs(p.p_value - want_p) <= 1e-10 * max(want_p, 1e-3)
        assert (p.n, p.k) == (int(g["n"][i]), int(g["k"][i]))
        checked += 1
    assert checked > 0
    r = read_columns((GOLDEN / "inference_partial_rolling.csv").read_text())
    eth, rut, spy = col(ret, "eth"), col(ret, "rut"), col(ret, "spy")
    for w in (30, 90):
        close(ls.rolling_partial_corr(eth, rut, spy, w), col(r, f"pcorr_{w}"), 1e-10)


# --- Series in, Series out -----------------------------------------------------------------------


def test_series_keep_their_index():
    idx = pd.date_range("2024-01-01", periods=300, freq="D", name="when")
    rng = np.random.default_rng(3)
    x = pd.Series(rng.normal(size=300), index=idx, name="x")
    y = pd.Series(0.5 * x.to_numpy() + rng.normal(size=300), index=idx, name="y")
    for out in (ls.rolling_corr(x, y, 30), ls.rolling_beta(x, y, 30),
                ls.rolling_spearman(x, y, 30), ls.ewma_corr(x, y), ls.rsi(x + 100),
                ls.ema(x, 10), ls.sma(x, 10), ls.obv(x, y.abs()),
                ls.rolling_partial_corr(x, y, x.shift(1).fillna(0.0), 30)):
        assert isinstance(out, pd.Series) and out.index.equals(idx)
    assert ls.rolling_corr(x, y, 30).name == "corr_30"
    for df in (ls.macd(x), ls.bollinger(x), ls.fisher_interval(ls.rolling_corr(x, y, 30), 30)):
        assert isinstance(df, pd.DataFrame) and df.index.equals(idx)
    assert list(ls.macd(x).columns) == ["macd", "macd_signal", "macd_hist"]
    bars = pd.DataFrame({"high": x + 2, "low": x - 2, "close": x}, index=idx)
    assert ls.atr(bars).index.equals(idx)
    # Arrays in, arrays out.
    out = ls.rolling_corr(x.to_numpy(), y.to_numpy(), 30)
    assert type(out) is np.ndarray and out.dtype == np.float64 and out.flags.c_contiguous
    # A Series of another length than an array: the kernel's error; equal lengths but another
    # index: nothing is aligned silently.
    with pytest.raises(ValueError, match="different indexes"):
        ls.rolling_corr(x, y.set_axis(idx + pd.Timedelta(days=1)), 30)


def test_inputs_are_converted():
    x = np.arange(100)
    y = (np.arange(100) ** 2)
    same_bits(ls.rolling_corr(x, y, 10), ls.rolling_corr(x.astype(float), y.astype(float), 10))
    same_bits(ls.rolling_corr(x.astype(np.float32), y, 10),
              ls.rolling_corr(x.astype(np.float32).astype(float), y.astype(float), 10))
    # A strided view is copied into a contiguous array; pandas' nullable dtype: NA is NaN.
    z = np.arange(200.0)[::2]
    same_bits(ls.sma(z, 3), ls.sma(z.copy(), 3))
    s = pd.Series([1, 2, None, 4, 5, 6], dtype="Int64")
    same_bits(ls.rolling_corr(s, s, 2), ls.rolling_corr(s.astype(float), s.astype(float), 2))
    assert np.isnan(ls.rolling_corr(s, s[::-1].reset_index(drop=True), 2)[2:4]).all()
    assert ls.sma([1.0, 2.0, 3.0], 2)[2] == 2.5
    with pytest.raises(TypeError, match="rolling_corr: x must be numeric"):
        ls.rolling_corr(np.array(["a", "b", "c"]), [1.0, 2.0, 3.0], 2)
    with pytest.raises(TypeError, match="rsi: x must be numeric"):
        ls.rsi(pd.Series(["1", "x"]))
    with pytest.raises(TypeError, match="not numbers"):
        ls.sma(np.array([1.0, "x"], dtype=object), 2)
    with pytest.raises(ValueError, match="one-dimensional"):
        ls.sma(np.ones((3, 3)), 2)


# --- undefined values ----------------------------------------------------------------------------


def test_constant_windows_and_nan():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    y = np.array([2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0, 10.0, 9.0, 12.0, 11.0])
    r = ls.rolling_corr(x, y, 4)
    # The window 4..7 of x is constant: undefined, where pandas gives a number or ±inf.
    assert np.isnan(r[7]) and not np.isnan(r[6]) and not np.isnan(r[8])
    assert np.isnan(ls.rolling_beta(y, x, 4)[7])
    assert np.isnan(ls.rolling_spearman(x, y, 4)[7])
    # A constant series: RSI 0/0 is NaN (TA-Lib writes 0).
    assert np.isnan(ls.rsi(np.full(30, 7.0), 14)).all()
    # A NaN makes the windows holding it undefined, then the statistic recovers.
    xn = x.copy()
    xn[2] = np.nan
    rn = ls.rolling_corr(xn, y, 3)
    assert np.isnan(rn[2:5]).all() and not np.isnan(rn[5])
    # After a spike has left the window, the value is that of the window alone.
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=400), rng.normal(size=400)
    a[100] = 1e12
    got = ls.rolling_corr(a, b, 50)[-1]
    assert abs(got - np.corrcoef(a[-50:], b[-50:])[0, 1]) < 1e-12
    # Fisher: undefined below 4 observations or for a NaN correlation.
    lo, hi = ls.fisher_interval(np.array([0.5, np.nan, 0.5]), np.array([30.0, 30.0, 3.0]))
    assert not np.isnan(lo[0]) and np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()
    assert ls.fisher_interval(1.0, 30) == (1.0, 1.0)
    # Partial correlation of a constant leg is undefined (NaN), not an error.
    assert math.isnan(ls.partial_corr(np.ones(10), np.arange(10.0), np.arange(10.0) ** 2).r)


# --- errors: the words of the command line ------------------------------------------------------


def test_errors_say_what_the_cli_says():
    x = np.arange(10.0)
    cases = [
        (lambda: ls.rolling_corr(x, x[:-1], 3), "inputs have different lengths: 10 and 9"),
        (lambda: ls.rolling_corr(x, x, 1),
         "window 1 is too short for rolling moments: it needs at least 2 observations"),
        (lambda: ls.ewma_corr(x, x, lam=1.0),
         "EWMA decay lambda must lie strictly between 0 and 1, got 1"),
        (lambda: ls.fisher_interval(0.5, 30, confidence=1.5),
         "confidence level must lie strictly between 0 and 1, got 1.5"),
        (lambda: ls.rsi(x, 0), "window 0 is too short for RSI"),
        (lambda: ls.macd(x, 26, 12, 9), "MACD"),
        (lambda: ls.granger(np.r_[x, np.nan], np.r_[x, 1.0], 1),
         "Granger causality: input 10 is not a finite number"),
        (lambda: ls.granger(x, x, 0), "Granger causality: lag 0 is too small, it must be at least 1"),
        (lambda: ls.partial_corr(x, x ** 2, np.ones(10)), "control 1"),
        (lambda: ls.ema(x, 3, seed="zero"), "invalid value 'zero' for seed"),
        (lambda: ls.atr(x, x, x[:-1]), "inputs have different lengths: 10 and 9"),
    ]
    for f, words in cases:
        with pytest.raises(ValueError) as e:
            f()
        assert words in str(e.value), f"{str(e.value)!r} lacks {words!r}"


# --- threads -------------------------------------------------------------------------------------


def test_threads_give_the_bits_of_one_thread():
    """rolling_corr and rolling_beta on every core (the default), on 1, 2 and 3 threads: bit for
    bit the same values, with NaN gaps and a constant run at and around the cuts."""
    n = 300_007
    rng = np.random.default_rng(21)
    x = rng.normal(size=n)
    y = 0.6 * x + rng.normal(size=n)
    for at in (n // 2 - 91, n // 2 - 1, n // 2, n // 2 + 1, n // 3, 2 * n // 3):
        x[at] = np.nan
    x[n // 4 - 200:n // 4 + 200] = 2.5
    sx, sy = pd.Series(x), pd.Series(y)
    for f, w in ((ls.rolling_corr, 90), (ls.rolling_beta, 90), (ls.rolling_corr, 7)):
        one = f(x, y, w, threads=1)
        for t in (None, 2, 3, 8, np.int64(2)):
            same_bits(f(x, y, w, threads=t), one)
        same_bits(f(sx, sy, w).to_numpy(), one)
        for bad in (0, -1):
            with pytest.raises(ValueError, match="threads must be at least 1"):
                f(x, y, w, threads=bad)
        with pytest.raises(TypeError, match="threads must be an integer"):
            f(x, y, w, threads=1.5)
    # A short input runs on one thread whatever asked for, with the same values.
    same_bits(ls.rolling_corr(x[:1000], y[:1000], 30, threads=2),
              ls.rolling_corr(x[:1000], y[:1000], 30))
