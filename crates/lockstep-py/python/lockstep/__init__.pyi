"""Type stubs of the public API of lockstep (written by crates/lockstep-py/stubgen.py)."""

from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union
import os

import numpy as np
import numpy.typing as npt
import pandas as pd

__version__: str

ArrayLike = Union[npt.ArrayLike, pd.Series]
PathLike = Union[str, os.PathLike]


class PartialCorr(NamedTuple):
    """A partial correlation `r` of x and y given `k` controls from `n`
    observations, its two-sided p-value (Student's t, `n − 2 − k` df) and its Fisher interval
    `[lo, hi]` (`n − 3 − k` df). NaN where undefined.
    """
    r: float
    n: int
    k: int
    p_value: float
    lo: float
    hi: float


def rolling_corr(x: ArrayLike, y: ArrayLike, window: int, threads: Optional[int] = None) -> Union[np.ndarray, pd.Series]:
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


def rolling_beta(x: ArrayLike, y: ArrayLike, window: int, threads: Optional[int] = None) -> Union[np.ndarray, pd.Series]:
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


def rolling_spearman(x: ArrayLike, y: ArrayLike, window: int) -> Union[np.ndarray, pd.Series]:
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


def ewma_corr(x: ArrayLike, y: ArrayLike, lam: float = 0.94, warmup: int = 1) -> Union[np.ndarray, pd.Series]:
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


def fisher_interval(r: Union[float, ArrayLike], n: Union[float, npt.ArrayLike], confidence: float = 0.95) -> Union[Tuple[float, float], Tuple[np.ndarray, np.ndarray], pd.DataFrame]:
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


def rsi(x: ArrayLike, period: int = 14) -> Union[np.ndarray, pd.Series]:
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


def ema(x: ArrayLike, period: int, seed: str = 'sma') -> Union[np.ndarray, pd.Series]:
    """Exponential moving average with smoothing `k = 2 / (n + 1)`:
    `EMA_t = EMA_{t-1} + k · (x_t − EMA_{t-1})`. Warm-up `n - 1` (TA-Lib seed) or 0.

    `seed="sma"` (TA-Lib `EMA`, the default): the first value is the simple mean of the first
    `n` inputs, at index `n - 1`. `seed="first"` (pandas `ewm(span=n, adjust=False)` and
    TradingView's recursive form): the first value is the first input itself; no warm-up.

    Parameters: `x` prices (array or Series); `period >= 1`; `seed` `"sma"` or `"first"`.
    Returns: a float64 array, or a Series named `ema_{period}` on the input's index.
    Raises: ValueError for a zero period or another seed.
    """


def sma(x: ArrayLike, period: int) -> Union[np.ndarray, pd.Series]:
    """Simple moving average `SMA_t = (x_t + … + x_{t-n+1}) / n`. Warm-up `n - 1`.

    Kept as a running sum, added before and subtracted after each output, exactly as TA-Lib
    `SMA` does, so the values agree to the last bit.

    Parameters: `x` prices (array or Series); `period >= 1`.
    Returns: a float64 array, or a Series named `sma_{period}` on the input's index.
    Raises: ValueError for a zero period.
    """


def macd(x: ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> Union[Tuple[np.ndarray, np.ndarray, np.ndarray], pd.DataFrame]:
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


def bollinger(x: ArrayLike, period: int = 20, k_up: float = 2.0, k_down: float = 2.0) -> Union[Tuple[np.ndarray, np.ndarray, np.ndarray], pd.DataFrame]:
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


def atr(high: Union[ArrayLike, pd.DataFrame], low: Optional[ArrayLike] = None, close: Optional[ArrayLike] = None, period: int = 14) -> Union[np.ndarray, pd.Series]:
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


def obv(close: Union[ArrayLike, pd.DataFrame], volume: Optional[ArrayLike] = None) -> Union[np.ndarray, pd.Series]:
    """On-balance volume: `OBV_0 = volume_0`; then `+volume` on an up close, `−volume` on a down
    close, unchanged on an equal close (TA-Lib `OBV`). No warm-up.

    Parameters: `close`, `volume` equally long arrays or Series, or one DataFrame with columns
    `close` and `volume` as `close`.
    Returns: a float64 array, or a Series named `obv` on the input's index.
    Raises: ValueError for inputs of different lengths.
    """


def cross_correlation(a: ArrayLike, b: ArrayLike, max_lag: int = 10) -> pd.DataFrame:
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


def granger(effect: ArrayLike, cause: ArrayLike, max_lag: int = 10) -> pd.DataFrame:
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


def partial_corr(x: ArrayLike, y: ArrayLike, controls: Any, confidence: float = 0.95) -> PartialCorr:
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


def rolling_partial_corr(x: ArrayLike, y: ArrayLike, controls: Any, window: int) -> Union[np.ndarray, pd.Series]:
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


def read_csv(path: PathLike, price: str = 'auto', date_col: Optional[str] = None, price_col: Optional[str] = None, dedupe: str = 'error') -> pd.DataFrame:
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


def analyze(a: Any = 'ETH-USD', b: Any = '^RUT', *, windows: Optional[Sequence[int]] = None, align: Optional[str] = None, returns: Optional[str] = None, method: Optional[str] = None, lam: Optional[float] = None, confidence: Optional[float] = None, lag_window: Optional[int] = None, max_lag: Optional[int] = None, divergence_k: Optional[float] = None, regime_leg: Optional[str] = None, ma: Optional[int] = None, vol_window: Optional[int] = None, vol_lookback: Optional[int] = None, rate: Optional[str] = 'fred:DGS2', liquidity: bool = True, price: Optional[str] = None, date_col: Optional[str] = None, price_col: Optional[str] = None, dedupe: Optional[str] = None, provider: Optional[str] = None, clock: Optional[str] = None, interval: Optional[str] = None, intraday_a: Optional[PathLike] = None, intraday_b: Optional[PathLike] = None, home: Optional[PathLike] = None, offline: bool = False, verbose: bool = False) -> Report:
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


def fedwatch(futures: Any, *, as_of: Any = None, range: Optional[Sequence[float]] = None, effective_rate: Optional[float] = None, no_fred: bool = False, calendar: Optional[PathLike] = None, replace_years: bool = False, home: Optional[PathLike] = None, offline: bool = False) -> pd.DataFrame:
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


class LeadLag:
    """The lead-lag section: cross-correlation by lag, Granger tests both ways, the rolling
    best lag and the reaction time. Lag convention: the value at lag ``k`` pairs ``a[t]`` with
    ``b[t-k]``, so ``k > 0`` means B leads A.
    """
    def __init__(self, d: Dict[str, Any], a: str, b: str) -> None: ...
    a: str
    b: str
    n: int
    max_lag: int
    window: int
    unit: str
    band: float
    best_lag: Optional[Dict[str, Any]]
    reaction: Optional[Dict[str, Any]]
    notes: List[str]
    @property
    def ccf(self) -> pd.DataFrame:
        """Cross-correlation at lags −L..L (pandas ``a.corr(b.shift(k))``): index ``lag``,
        columns ``corr``, ``n``, ``significant`` (|corr| above ``band``).
        """
    @property
    def granger(self) -> pd.DataFrame:
        """Granger F tests both ways, one row per direction and lag order: index
        (``test``, ``lag``) with ``test`` = ``"B -> A"`` (does B's past predict A?) or
        ``"A -> B"`` by the legs' names; columns ``f``, ``p``, ``df_num``, ``df_den``, and
        ``aic_lag``/``bic_lag``, the order each criterion selects for that direction. Empty
        when the tests could not be computed (see ``notes``).
        """
    @property
    def rolling_best_lag(self) -> pd.DataFrame:
        """The lag of highest correlation in each rolling window: index ``date``, columns
        ``lag``, ``corr``.
        """
    def to_dict(self) -> Dict[str, Any]:
        """This section of the report's JSON.
        """


class Report:
    """The report of ``lockstep analyze A B`` (built by ``lockstep.analyze``).

    Parts as DataFrames: ``correlation`` (per window), ``series`` (per aligned date),
    ``performance``, ``lead_lag`` (``.ccf``, ``.granger``, ``.rolling_best_lag``),
    ``regimes`` (per regime), ``regime_series``, ``divergences``; the rest of the JSON as
    dicts (``a``, ``b``, ``params``, ``period``, ``structure``, ``liquidity``). ``to_dict()``
    is ``lockstep analyze --format json``; ``str(report)`` its terminal text; ``verdict`` the
    verdict in words; in a notebook the report shows as the HTML page of ``lockstep report``.
    """
    def __init__(self, native: Any) -> None: ...
    a: Dict[str, Any]
    b: Dict[str, Any]
    params: Dict[str, Any]
    period: Dict[str, Any]
    structure: Dict[str, Any]
    liquidity: Dict[str, Any]
    @property
    def verdict(self) -> str:
        """The verdict, in the report's words.
        """
    @property
    def correlation(self) -> pd.DataFrame:
        """One row per window (index ``window``): the latest ``date``, ``corr`` and its
        interval ``corr_lo``/``corr_hi``, ``beta`` (of A on B), ``vol_a``/``vol_b``
        (annualized), ``strength``, ``percentile`` (of the latest value in the window's
        history), ``share_strong`` (share of history above the strong threshold), ``min`` /
        ``max`` with their dates, and ``defined`` (values in the history).
        """
    @property
    def series(self) -> pd.DataFrame:
        """One row per aligned date (index ``date``): ``price_a``, ``price_b``, ``norm_a``,
        ``norm_b`` (rebased to 100), ``ret_a``, ``ret_b``, then per window ``w``:
        ``corr_w``, ``corr_w_lo``, ``corr_w_hi``, ``beta_w``, ``vol_a_w``, ``vol_b_w``, and with
        controls ``pcorr_w``, ``pcorr_w_lo``, ``pcorr_w_hi`` (the partial correlation given
        them) (NaN where undefined; the columns of ``lockstep corr --format csv`` and more).
        """
    @property
    def performance(self) -> pd.DataFrame:
        """Both legs over the aligned period (index: the legs' names): ``start``, ``end``,
        ``total_return``, ``ytd_return``, ``ytd_base_date``.
        """
    @property
    def lead_lag(self) -> LeadLag:
        """The lead-lag section (``.ccf``, ``.granger``, ``.rolling_best_lag`` as DataFrames).
        """
    @property
    def regimes(self) -> pd.DataFrame:
        """Correlation and beta within each regime (index ``regime``: ``risk-on``,
        ``risk-off``): ``n``, ``corr``, ``corr_lo``, ``corr_hi``, ``beta``, ``delta`` (relative
        increase of the conditioning leg's variance over the other regime), ``adjusted``
        (Forbes–Rigobon ``ρ* = ρ / sqrt(1 + δ(1 − ρ²))``), ``partial`` (given the controls;
        NaN without). ``df.attrs``:
        ``leg`` (whose price classifies), ``rule``, ``current`` (regime and date), ``rate``
        (rate sensitivity, or None) and ``notes``.
        """
    @property
    def regime_series(self) -> pd.Series:
        """The regime on each aligned date (``risk-on``, ``risk-off``, None in the warm-up).
        """
    @property
    def divergences(self) -> pd.DataFrame:
        """Days A's return departed from what B and the rolling regression predicted
        (|z| above ``divergence_k``): index ``date``; ``ret_a``, ``ret_b``, ``predicted``,
        ``z``.
        """
    def to_dict(self) -> Dict[str, Any]:
        """The report as ``lockstep analyze --format json`` prints it (a deep copy).
        """
    def to_json(self) -> str:
        """The JSON text of ``lockstep analyze --format json``.
        """
    def text(self, section: Optional[str] = None) -> str:
        """The terminal report of ``lockstep analyze`` (no colour), or one section of it by id:
        ``summary``, ``correlation``, ``performance``, ``lead-lag``, ``regimes``,
        ``structure``, ``liquidity``, ``verdict``.
        """
    def html(self, charts: bool = True) -> str:
        """The self-contained HTML page of ``lockstep report`` for this report (inline CSS and
        SVG charts), without the signals and backtest sections.
        """


class Store:
    """The local store of ``lockstep`` (``lockstep.db`` in the home folder): the symbols and
    their daily bars, fetched from the providers (Yahoo, Coinbase, Binance, Stooq, FRED).

    ``path``: the home folder (``lockstep.db`` and ``config.toml`` in it); default
    ``$LOCKSTEP_HOME``, else the platform data folder + ``lockstep``, as the command line.
    """
    path: Optional[str]
    verbose: bool
    def __init__(self, path: Optional[PathLike] = None, verbose: bool = False) -> None: ...
    def symbols(self) -> pd.DataFrame:
        """The stored symbols (``lockstep list``): one row per symbol, indexed by ``symbol``,
        with ``provider, ticker, asset_class, calendar, currency, first, last, bars,
        last_refresh, intervals``.
        """
    def bars(self, symbol: str, start: Any = None, end: Any = None) -> pd.DataFrame:
        """The stored daily bars of ``symbol`` within ``[start, end]`` (``lockstep export``):
        a DataFrame on a ``date`` index with ``open, high, low, close, adj_close, volume``
        (NaN where a bar has none); ``df.attrs["name"]`` is the symbol, so it can be passed
        to ``analyze``.
        """
    def fetch(self, symbols: Union[str, Iterable[str]], since: Any = None, provider: Optional[str] = None) -> pd.DataFrame:
        """Fetch symbols into the store, or refresh what is new (``lockstep fetch``): from
        ``since``, else from the last stored date minus a few days of overlap, else the full
        history. Every symbol is tried.

        Returns: the summary, one row per symbol fetched (``provider, from, received, added,
        revised, unchanged, first, last, bars, requests``). Raises RuntimeError naming every
        symbol that failed, after the others were fetched (the summary of those is in the
        exception's ``summary`` attribute).
        """
    def refresh(self, symbols: Union[None, str, Iterable[str]] = None) -> pd.DataFrame:
        """Refresh stored symbols (all of them by default) with what is new at their
        providers: ``fetch`` of each from its last stored date.
        """
