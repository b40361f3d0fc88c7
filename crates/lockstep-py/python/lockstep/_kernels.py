"""The numeric kernels of Lockstep on numpy arrays and pandas Series.

Each function converts its inputs to contiguous float64 (no copy when they already are), calls
the Rust kernel of ``lockstep-stats`` (which fills an array numpy allocated, with the GIL
released) and, when given Series, returns Series/DataFrames on the input's index. Undefined
values are NaN. The docstrings carry each statistic's formula and convention, the same text as
the Rust documentation.
"""

from __future__ import annotations

from collections import namedtuple
import json
from typing import Any

import numpy as np
import pandas as pd

from . import _lockstep as _native
from ._convert import as_f64, common_index, frame, series

__all__ = [
    "rolling_corr",
    "rolling_beta",
    "rolling_spearman",
    "ewma_corr",
    "fisher_interval",
    "rsi",
    "ema",
    "sma",
    "macd",
    "bollinger",
    "atr",
    "obv",
    "cross_correlation",
    "granger",
    "partial_corr",
    "rolling_partial_corr",
    "PartialCorr",
]


def _inputs(fn: str, **named: Any):
    """The arrays of the named inputs and the index of the output."""
    arrays, indexes = [], []
    for what, value in named.items():
        a, i = as_f64(value, fn, what)
        arrays.append(a)
        indexes.append(i)
    index = common_index(fn, list(named), indexes, [len(a) for a in arrays])
    return arrays, index


def _threads(threads):
    """The `threads` argument of a kernel: None (every core) or an integer of at least 1."""
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be an integer or None, got {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return int(threads)


def rolling_corr(x, y, window: int, threads: int | None = None):
    """Rolling Pearson correlation over the last `window` pairs (pandas
    `x.rolling(window).corr(y)`):

    ```text
    r = Σ(x-x̄)(y-ȳ) / √(Σ(x-x̄)² · Σ(y-ȳ)²),   -1 ≤ r ≤ 1
    ```

    NaN during the warm-up (`window - 1` inputs), while the window holds a NaN, and when
    either side is constant over the window (r undefined; pandas returns garbage there).
    Numerically stable for any level and after any spike (a value that has left the window is
    in no sum any more).

    Parameters: `x`, `y` equally long arrays or Series; `window >= 2`; `threads`, the most
    threads to compute on (default: one per core; from 65,536 pairs on the input is cut at
    block boundaries into pieces of at least 32,768 pairs, up to four per thread, with bit for
    bit the values of one thread; `threads=1` computes on the calling thread alone).
    Returns: a float64 array, or a Series named `corr_{window}` on the input's index.
    Raises: ValueError for a window below 2, inputs of different lengths or `threads` below 1.
    """
    (xs, ys), index = _inputs("rolling_corr", x=x, y=y)
    return series(_native.rolling_corr(xs, ys, window, _threads(threads)), index,
                  f"corr_{window}")


def rolling_beta(x, y, window: int, threads: int | None = None):
    """Rolling beta of x on y over the last `window` pairs (pandas
    `x.rolling(w).cov(y) / y.rolling(w).var()`):

    ```text
    β = cov(x, y) / var(y) = Σ(x-x̄)(y-ȳ) / Σ(y-ȳ)²
    ```

    the slope of the least-squares line of x on y: how many units x moves per unit of y. NaN
    during warm-up, with a NaN in the window, or when y is constant.

    Parameters: `x`, `y` equally long arrays or Series; `window >= 2`; `threads`, the most
    threads to compute on (default: one per core; bit for bit the values of one thread, see
    `rolling_corr`).
    Returns: a float64 array, or a Series named `beta_{window}` on the input's index.
    Raises: ValueError for a window below 2, inputs of different lengths or `threads` below 1.
    """
    (xs, ys), index = _inputs("rolling_beta", x=x, y=y)
    return series(_native.rolling_beta(xs, ys, window, _threads(threads)), index,
                  f"beta_{window}")


def rolling_spearman(x, y, window: int):
    """Rolling Spearman rank correlation: the Pearson correlation of the average ranks of x and y
    within each window (`scipy.stats.spearmanr` on the window):

    ```text
    ρ = corr(rank(x), rank(y)),   -1 ≤ ρ ≤ 1
    ```

    Robust to outliers and to any monotone transformation of either input. Costs O(w log w) per
    step. NaN during warm-up, with a NaN in the window, or when either side is constant.

    Parameters: `x`, `y` equally long arrays or Series; `window >= 2`.
    Returns: a float64 array, or a Series named `spearman_{window}` on the input's index.
    Raises: ValueError for a window below 2 or inputs of different lengths.
    """
    (xs, ys), index = _inputs("rolling_spearman", x=x, y=y)
    return series(_native.rolling_spearman(xs, ys, window), index, f"spearman_{window}")


def ewma_corr(x, y, lam: float = 0.94, warmup: int = 1):
    """Exponentially weighted correlation, RiskMetrics (J.P. Morgan 1996) style: zero-mean
    exponentially weighted second moments with decay `λ` (`lam`, default 0.94 for daily data):

    ```text
    c_t  = λ c_{t-1}  + (1-λ) x_t y_t        (covariance)
    vx_t = λ vx_{t-1} + (1-λ) x_t²           (variance of x, likewise vy)
    ρ_t  = c_t / √(vx_t vy_t),   β_t = c_t / vy_t,   σx_t = √vx_t
    ```

    seeded with the first pair (`c_0 = x_0 y_0`), which is pandas
    `(x*y).ewm(alpha=1-λ, adjust=False).mean()`. Values are reported from the `warmup`-th input
    on (pandas `min_periods`). A pair with a NaN leaves the state unchanged and gives NaN.
    The effective number of observations behind an estimate is `(1+λ)/(1-λ)` (≈ 32.3 for 0.94),
    used for its confidence interval.

    Parameters: `x`, `y` equally long arrays or Series; `0 < lam < 1`; `warmup >= 1`.
    Returns: the correlation ρ as a float64 array, or a Series named `ewma_corr` on the input's
    index.
    Raises: ValueError for a decay outside (0, 1), a zero warm-up or inputs of different
    lengths.
    """
    (xs, ys), index = _inputs("ewma_corr", x=x, y=y)
    return series(_native.ewma_corr(xs, ys, lam, warmup), index, "ewma_corr")


def fisher_interval(r, n, confidence: float = 0.95):
    """Confidence interval of a correlation `r` estimated from `n` observations, by Fisher's z
    transform:

    ```text
    z = atanh(r),  se = 1/√(n-3),  [lo, hi] = tanh(z ∓ z_{(1+c)/2} · se)
    ```

    with `z_{(1+c)/2}` the exact normal quantile (1.959963984540054 for c = 0.95, which is what
    `scipy.stats.pearsonr(x, y).confidence_interval(0.95)` uses; the textbook "1.96" is its
    rounding). The interval is asymmetric around r and always inside [-1, 1]; for |r| = 1 it
    collapses to r. NaN when `n <= 3` (the standard error is undefined) or r is not finite.
    For Spearman's ρ this is the usual normal approximation; for EWMA pass the effective sample
    size `(1+λ)/(1-λ)`.

    Parameters: `r` a number, array or Series; `n` a number or an array broadcast against
    `r`; `0 < confidence < 1`.
    Returns: `(lo, hi)`: two floats for a scalar `r`, two arrays for an array, or a DataFrame
    with columns `lo`, `hi` on the index of a Series.
    Raises: ValueError for a confidence outside (0, 1).
    """
    scalar = np.ndim(r) == 0 and not isinstance(r, pd.Series)
    rs, index = as_f64(np.atleast_1d(r) if scalar else r, "fisher_interval", "r")
    ns = np.ascontiguousarray(np.broadcast_to(np.asarray(n, dtype=np.float64), rs.shape))
    lo, hi = _native.fisher_interval(rs, ns, confidence)
    if scalar:
        return float(lo[0]), float(hi[0])
    return frame([("lo", lo), ("hi", hi)], index)


def rsi(x, period: int = 14):
    """Relative strength index (Wilder), TA-Lib convention:

    ```text
    gain_t = max(x_t − x_{t−1}, 0),  loss_t = max(x_{t−1} − x_t, 0)
    G_n = mean(gain_1..gain_n),  L_n likewise                (simple mean seed)
    G_t = (G_{t−1}·(n−1) + gain_t) / n,  L_t likewise        (Wilder smoothing)
    RSI_t = 100 · G_t / (G_t + L_t)                          ∈ [0, 100]
    ```

    In floating point every `/ n` (of the seed and of the smoothing) is a multiplication by
    the rounded reciprocal `fl(1/n)`, and RSI is `100 · (G / (G + L))`: TA-Lib's arithmetic,
    so the values are bit for bit TA-Lib's `RSI`.

    Warm-up `n` (the first value at index n). When `G + L = 0` (no move at all over the
    smoothing history, e.g. a constant series) RSI is 0/0: NaN here, where TA-Lib writes 0.
    A strictly rising series gives 100, a strictly falling one 0.

    Parameters: `x` prices (array or Series); `period >= 1`.
    Returns: a float64 array, or a Series named `rsi_{period}` on the input's index.
    Raises: ValueError for a zero period.
    """
    (xs,), index = _inputs("rsi", x=x)
    return series(_native.rsi(xs, period), index, f"rsi_{period}")


def ema(x, period: int, seed: str = "sma"):
    """Exponential moving average with smoothing `k = 2 / (n + 1)`:
    `EMA_t = EMA_{t-1} + k · (x_t − EMA_{t-1})`. Warm-up `n - 1` (TA-Lib seed) or 0.

    `seed="sma"` (TA-Lib `EMA`, the default): the first value is the simple mean of the first
    `n` inputs, at index `n - 1`. `seed="first"` (pandas `ewm(span=n, adjust=False)` and
    TradingView's recursive form): the first value is the first input itself; no warm-up.

    Parameters: `x` prices (array or Series); `period >= 1`; `seed` `"sma"` or `"first"`.
    Returns: a float64 array, or a Series named `ema_{period}` on the input's index.
    Raises: ValueError for a zero period or another seed.
    """
    (xs,), index = _inputs("ema", x=x)
    return series(_native.ema(xs, period, seed), index, f"ema_{period}")


def sma(x, period: int):
    """Simple moving average `SMA_t = (x_t + … + x_{t-n+1}) / n`. Warm-up `n - 1`.

    Kept as a running sum, added before and subtracted after each output, exactly as TA-Lib
    `SMA` does, so the values agree to the last bit.

    Parameters: `x` prices (array or Series); `period >= 1`.
    Returns: a float64 array, or a Series named `sma_{period}` on the input's index.
    Raises: ValueError for a zero period.
    """
    (xs,), index = _inputs("sma", x=x)
    return series(_native.sma(xs, period), index, f"sma_{period}")


def macd(x, fast: int = 12, slow: int = 26, signal: int = 9):
    """MACD (default 12, 26, 9), TA-Lib convention:

    ```text
    MACD_t   = EMA_fast(x)_t − EMA_slow(x)_t
    signal_t = EMA_signal(MACD)_t,   hist_t = MACD_t − signal_t
    ```

    Both EMAs start on the same bar, index `slow − 1`: the slow one seeded with the mean of
    the first `slow` inputs, the fast one with the mean of the `fast` inputs ending there (not of
    the first `fast` inputs: that is TA-Lib's alignment of the seeds). The signal line is seeded
    with the mean of the first `signal` MACD values. Warm-up `slow + signal − 2` (33 for
    12/26/9); all three values start together, as in TA-Lib.

    Parameters: `x` prices (array or Series); `1 <= fast < slow`, `signal >= 1`.
    Returns: `(macd, signal, hist)` arrays, or a DataFrame with columns `macd`, `macd_signal`,
    `macd_hist` on the input's index.
    Raises: ValueError for periods out of range.
    """
    (xs,), index = _inputs("macd", x=x)
    m, s, h = _native.macd(xs, fast, slow, signal)
    return frame([("macd", m), ("macd_signal", s), ("macd_hist", h)], index)


def bollinger(x, period: int = 20, k_up: float = 2.0, k_down: float = 2.0):
    """Bollinger bands (default 20, 2, 2): the SMA of the window ± k population standard
    deviations `σ = √(Σ(x − SMA)² / n)` (TA-Lib's `BBANDS` with `matype = SMA`). Warm-up `n − 1`.

    σ is computed by two passes over the window around its mean, not TA-Lib's `E[x²] − E[x]²`,
    which cancels catastrophically on high price levels; on ordinary prices the two agree far
    inside 1e-9. A constant window has σ = 0 exactly.

    Parameters: `x` prices (array or Series); `period >= 1`; `k_up`, `k_down` the numbers of
    standard deviations above and below.
    Returns: `(upper, middle, lower)` arrays, or a DataFrame with columns `bb_upper`,
    `bb_middle`, `bb_lower` on the input's index.
    Raises: ValueError for a zero period.
    """
    (xs,), index = _inputs("bollinger", x=x)
    u, m, lo = _native.bollinger(xs, period, k_up, k_down)
    return frame([("bb_upper", u), ("bb_middle", m), ("bb_lower", lo)], index)


def atr(high, low=None, close=None, period: int = 14):
    """Average true range (Wilder), TA-Lib convention:

    ```text
    TR_t  = max(high_t − low_t, |high_t − close_{t−1}|, |low_t − close_{t−1}|)   (from t = 1)
    ATR_n = mean(TR_1..TR_n),   ATR_t = (ATR_{t−1}·(n−1) + TR_t) / n
    ```

    Warm-up `n` (the first bar has no previous close).

    Parameters: `high`, `low`, `close` equally long arrays or Series, or one DataFrame with
    columns `high`, `low`, `close` (such as `lockstep.read_csv`'s) as `high`; `period >= 1`.
    Returns: a float64 array, or a Series named `atr_{period}` on the input's index.
    Raises: ValueError for a zero period or inputs of different lengths.
    """
    if isinstance(high, pd.DataFrame) and low is None and close is None:
        df = high
        high, low, close = (_column(df, c, "atr") for c in ("high", "low", "close"))
    (h, lo, c), index = _inputs("atr", high=high, low=low, close=close)
    return series(_native.atr(h, lo, c, period), index, f"atr_{period}")


def obv(close, volume=None):
    """On-balance volume: `OBV_0 = volume_0`; then `+volume` on an up close, `−volume` on a down
    close, unchanged on an equal close (TA-Lib `OBV`). No warm-up.

    Parameters: `close`, `volume` equally long arrays or Series, or one DataFrame with columns
    `close` and `volume` as `close`.
    Returns: a float64 array, or a Series named `obv` on the input's index.
    Raises: ValueError for inputs of different lengths.
    """
    if isinstance(close, pd.DataFrame) and volume is None:
        df = close
        close, volume = _column(df, "close", "obv"), _column(df, "volume", "obv")
    (c, v), index = _inputs("obv", close=close, volume=volume)
    return series(_native.obv(c, v), index, "obv")


def _column(df: pd.DataFrame, name: str, fn: str) -> pd.Series:
    """The column `name` of `df` (case-insensitive)."""
    for c in df.columns:
        if str(c).lower() == name:
            return df[c]
    raise ValueError(f"{fn}: the DataFrame has no column {name!r}")


def cross_correlation(a, b, max_lag: int = 10) -> pd.DataFrame:
    """Cross-correlation of A and B at every lag `k = -max_lag ..= max_lag` (in that order).

    ```text
    r(k) = Σ(a_t - ā_k)(b_{t-k} - b̄_k) / √(Σ(a_t - ā_k)² · Σ(b_{t-k} - b̄_k)²)
    ```

    over the overlapping pairs `(a[t], b[t-k])`, `0 <= t, t-k < n`, where a pair with a NaN
    (or infinite value) on either side is dropped; the means `ā_k`, `b̄_k` are those of the
    pairs used at that lag. This is exactly pandas `a.corr(b.shift(k))` (pairwise deletion,
    per-lag means and variances). `k > 0` means B leads A by `k` periods.

    Note: statsmodels `ccf` differs: it uses the full-sample means and variances and divides
    by `n` at every lag, so its values shrink towards 0 at large lags.

    Each lag is computed two-pass (centered), so the result is accurate for any level and
    always in [-1, 1]. `corr` is NaN when fewer than 2 pairs overlap or one side is
    constant over the pairs (0/0).

    Parameters: `a`, `b` equally long arrays or Series (returns; NaN allowed); `max_lag >= 0`.
    Returns: a DataFrame indexed by `lag` with columns `corr` and `n` (the pairs used).
    Raises: ValueError for inputs of different lengths.
    """
    (xa, xb), _ = _inputs("cross_correlation", a=a, b=b)
    lag, corr, n = _native.cross_correlation(xa, xb, max_lag)
    return pd.DataFrame({"corr": corr, "n": n}, index=pd.Index(lag, name="lag"))


def granger(effect, cause, max_lag: int = 10) -> pd.DataFrame:
    """Granger causality F tests of orders `p = 1 ..= max_lag`: does the past of `cause` help
    predict `effect` beyond the effect's own past?

    On the `nobs = n - p` rows `t = p .. n-1`:

    ```text
    restricted:    effect_t = c + Σ_{i=1..p} α_i effect_{t-i}                       + e_t
    unrestricted:  effect_t = c + Σ_{i=1..p} α_i effect_{t-i} + Σ_{i=1..p} β_i cause_{t-i} + u_t
    F = ((SSR_r - SSR_u) / p) / (SSR_u / (nobs - 2p - 1)),   p-value = P(F(p, nobs-2p-1) > F)
    ```

    This is statsmodels
    `grangercausalitytests(np.column_stack([effect, cause]), maxlag=p)[p][0]["ssr_ftest"]`,
    whose tuple is `(F, p-value, df_den, df_num)` (note the order). `aic`/`bic` are those of
    the unrestricted model as statsmodels OLS reports them: `llf = -nobs/2·(ln 2π + ln(SSR/nobs)
    + 1)`, `aic = -2·llf + 2k`, `bic = -2·llf + k·ln(nobs)`, `k = 2p + 1`. Both regressions are
    solved by Householder QR.

    Lag order selection: the AIC/BIC of the rows are **not** comparable across orders
    (different samples), so the order is selected on a **common sample**: the unrestricted
    model of every order `p` is fitted on the same rows `t = L .. n-1` (`n - L` rows) and
    `aic_lag` / `bic_lag` minimise `-2·llf + 2k` / `-2·llf + k·ln(n-L)`, `k = 2p + 1`, ties
    going to the smaller order (the rows of statsmodels `VAR(..).select_order(L)`).

    Parameters: `effect`, `cause` equally long arrays or Series of finite values (drop the
    NaN first return: `s.dropna()`); `max_lag >= 1`.
    Returns: a DataFrame indexed by `lag` with columns `f`, `p`, `df_num`, `df_den`,
    `ssr_restricted`, `ssr_unrestricted`, `aic`, `bic`, `nobs`; `df.attrs` holds `aic_lag`,
    `bic_lag`, `selection_nobs` and `criteria` (the common-sample AIC/BIC of each order).
    Raises: ValueError when lengths differ, `max_lag = 0`, an input is NaN or infinite,
    `n < 3·max_lag + 2`, a regressor is collinear (a constant input) or the model fits
    exactly.
    """
    (e, c), _ = _inputs("granger", effect=effect, cause=cause)
    scan = json.loads(_native.granger(e, c, max_lag))
    cols = ["f", "p", "df_num", "df_den", "ssr_restricted", "ssr_unrestricted", "aic", "bic",
            "nobs"]
    df = pd.DataFrame(
        [[t[k] for k in cols] for t in scan["tests"]],
        columns=cols,
        index=pd.Index([t["lag"] for t in scan["tests"]], name="lag"),
    )
    df.attrs.update(
        aic_lag=scan["aic_lag"],
        bic_lag=scan["bic_lag"],
        selection_nobs=scan["selection_nobs"],
        criteria=scan["criteria"],
    )
    return df


PartialCorr = namedtuple("PartialCorr", ["r", "n", "k", "p_value", "lo", "hi"])
PartialCorr.__doc__ = """A partial correlation `r` of x and y given `k` controls from `n`
observations, its two-sided p-value (Student's t, `n − 2 − k` df) and its Fisher interval
`[lo, hi]` (`n − 3 − k` df). NaN where undefined."""


def _controls(controls: Any) -> list:
    """The controls as a list of one-dimensional inputs: one array or Series, a list of them,
    a 2-D array (one control per column) or a DataFrame (one per column)."""
    if isinstance(controls, pd.DataFrame):
        return [controls[c] for c in controls.columns]
    if isinstance(controls, pd.Series):
        return [controls]
    if isinstance(controls, np.ndarray):
        if controls.ndim == 1:
            return [controls]
        if controls.ndim == 2:
            return [controls[:, j] for j in range(controls.shape[1])]
        raise ValueError(f"controls must be 1- or 2-dimensional, got {controls.ndim} dimensions")
    if isinstance(controls, (list, tuple)):
        if controls and np.ndim(controls[0]) == 0:
            return [controls]
        return list(controls)
    return [controls]


def _partial_inputs(fn: str, x, y, controls):
    cs = _controls(controls)
    named = {"x": x, "y": y}
    named.update({f"controls[{i}]": c for i, c in enumerate(cs)})
    arrays, index = _inputs(fn, **named)
    return arrays[0], arrays[1], arrays[2:], index


def partial_corr(x, y, controls, confidence: float = 0.95) -> PartialCorr:
    """Partial correlation of x and y given the controls `z₁ … z_k` (k ≥ 0; k = 0 is Pearson's r):
    the correlation of what is left of x and of y once each is regressed on a constant and the
    controls,

    ```text
    e_x = x − (a_x + Z b_x),   e_y = y − (a_y + Z b_y)        (least squares)
    r_xy·z = Σ e_x e_y / √(Σ e_x² · Σ e_y²),   -1 ≤ r ≤ 1
    ```

    equal to `−P_xy/√(P_xx P_yy)` with `P` the inverse of the covariance matrix of
    `(x, y, z₁…z_k)` (pingouin `partial_corr`, which computes it that way). With one control
    `r_xy·z = (r_xy − r_xz r_yz)/√((1 − r_xz²)(1 − r_yz²))`.

    The p-value is Student's t with `n − 2 − k` degrees of freedom (pingouin's `p_val`),
    `t = r · √((n − 2 − k)/(1 − r²))`; the interval is Fisher's z with `n − 3 − k` degrees of
    freedom, `tanh(atanh(r) ∓ z_{(1+c)/2}/√(n − 3 − k))`.

    Undefined and invalid cases: x or y constant gives r = NaN; a control that the constant
    and the controls before it explain exactly (a constant or duplicated control), or an x or
    y that the controls explain exactly (a control equal to a leg), is a ValueError naming it.

    Parameters: `x`, `y` equally long arrays or Series; `controls` one array or Series, a
    list of them, a 2-D array (a control per column) or a DataFrame; `0 < confidence < 1`.
    Returns: `PartialCorr(r, n, k, p_value, lo, hi)`.
    Raises: ValueError for fewer than `k + 3` observations, inputs of different lengths, a NaN
    or infinite value, or a collinear control.
    """
    xs, ys, cs, _ = _partial_inputs("partial_corr", x, y, controls)
    return PartialCorr(*_native.partial_corr(xs, ys, cs, confidence))


def rolling_partial_corr(x, y, controls, window: int):
    """Rolling partial correlation of x and y given `k` controls over the last `window`
    observations: on each full window, the `partial_corr` of its rows,

    ```text
    r_xy·z = S_xy / √(S_xx S_yy),   S = C_[xy][xy] − C_[xy]Z C_ZZ⁻¹ C_Z[xy]
    ```

    with `C` the centred cross-product matrix of the window's `(z₁…z_k, x, y)` and `S` its Schur
    complement: the cross products of the residuals of x and y on the constant and the controls.
    Streaming and stable (every sum shifted by a row of the window, so the level and past
    spikes do not matter; a constant column sums to exactly 0).

    NaN during the warm-up (`window − 1` rows), while the window holds a NaN or infinity
    (recovering as it leaves), where x or y is constant on the window, and where a control is
    constant or the controls explain x, y or another control exactly.

    Parameters: `x`, `y`, `controls` as for `partial_corr`; `window >= k + 3`.
    Returns: a float64 array, or a Series named `pcorr_{window}` on the input's index.
    Raises: ValueError for a window below `k + 3` or inputs of different lengths.
    """
    xs, ys, cs, index = _partial_inputs("rolling_partial_corr", x, y, controls)
    return series(_native.rolling_partial_corr(xs, ys, cs, window), index, f"pcorr_{window}")

