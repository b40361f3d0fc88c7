//! The numeric kernels of `lockstep-stats` on numpy arrays: each takes contiguous float64
//! arrays (the Python layer converts anything else), allocates its outputs with numpy, and
//! fills them in place with the GIL released. NaN marks an undefined value.
//!
//! These are the private functions of `lockstep._lockstep`; the public ones (pandas in and
//! out, the docstrings with each statistic's formula) are in `python/lockstep/_kernels.py`.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;

use lockstep_stats::{
    cross_correlation as ccf, default_threads, fisher_interval as fisher, granger_scan,
    partial_corr as pcorr, Atr, Bar, Bollinger, Ema, EmaSeed, EwmaPair, Indicator, Macd, Obv,
    RollingBeta, RollingCorrelation, RollingPartialCorrelation, RollingSpearman, Rsi, Sma,
    StatsError,
};

use crate::error::{Error, Result};

/// A one-dimensional float64 output array, allocated by numpy.
type Out<'py> = Bound<'py, PyArray1<f64>>;

/// The input as a slice (no copy).
fn slice<'a>(a: &'a PyReadonlyArray1<'_, f64>, what: &'static str) -> Result<&'a [f64]> {
    a.as_slice().map_err(|_| Error::NotContiguous(what))
}

/// A new output of `n` values: `numpy.empty(n)`, which every value is then written into (no
/// zero-filling pass first, and numpy's own allocator, huge pages for large arrays).
fn out(py: Python<'_>, n: usize) -> Result<Out<'_>> {
    let arr = py
        .import("numpy")?
        .getattr("empty")?
        .call1((n, "float64"))?
        .cast_into::<PyArray1<f64>>()
        .map_err(PyErr::from)?;
    Ok(arr)
}

/// Two inputs of a pair statistic must be equally long (the kernels' own error).
fn same_len(a: &[f64], b: &[f64]) -> Result<()> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch(a.len(), b.len()).into());
    }
    Ok(())
}

/// Run `f` on the output's slice with the GIL released.
fn fill<'py, F>(py: Python<'py>, n: usize, f: F) -> Result<Out<'py>>
where
    F: FnOnce(&mut [f64]) -> Result<()> + Send,
{
    let arr = out(py, n)?;
    {
        let mut rw = arr.readwrite();
        let o = rw
            .as_slice_mut()
            .map_err(|_| Error::NotContiguous("output"))?;
        py.detach(|| f(o))?;
    }
    Ok(arr)
}

/// Like [`fill`] with `k` outputs of `n` values.
fn fill3<'py, F>(py: Python<'py>, n: usize, f: F) -> Result<(Out<'py>, Out<'py>, Out<'py>)>
where
    F: FnOnce(&mut [f64], &mut [f64], &mut [f64]) -> Result<()> + Send,
{
    let (a, b, c) = (out(py, n)?, out(py, n)?, out(py, n)?);
    {
        let (mut ra, mut rb, mut rc) = (a.readwrite(), b.readwrite(), c.readwrite());
        let oa = ra
            .as_slice_mut()
            .map_err(|_| Error::NotContiguous("output"))?;
        let ob = rb
            .as_slice_mut()
            .map_err(|_| Error::NotContiguous("output"))?;
        let oc = rc
            .as_slice_mut()
            .map_err(|_| Error::NotContiguous("output"))?;
        py.detach(|| f(oa, ob, oc))?;
    }
    Ok((a, b, c))
}

/// `next` of a pair statistic on every pair, NaN for `None` (what its `over` gives).
fn pair_loop(xs: &[f64], ys: &[f64], o: &mut [f64], mut next: impl FnMut(f64, f64) -> Option<f64>) {
    for ((o, &x), &y) in o.iter_mut().zip(xs).zip(ys) {
        *o = next(x, y).unwrap_or(f64::NAN);
    }
}

/// The threads of a kernel: all of the rayon pool's when not given (one per core), 0 refused
/// before any output exists (the kernels' own error).
fn threads_checked(t: Option<usize>) -> Result<usize> {
    let t = t.unwrap_or_else(default_threads);
    if t == 0 {
        return Err(StatsError::InvalidParameter {
            what: "threads",
            expected: "at least 1",
            value: 0.0,
        }
        .into());
    }
    Ok(t)
}

/// Rolling Pearson correlation (`RollingCorrelation::over_into_threads`: on up to `threads`
/// threads, every core by default, bit-identical to one).
#[pyfunction]
#[pyo3(signature = (x, y, window, threads = None))]
pub fn rolling_corr<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    window: usize,
    threads: Option<usize>,
) -> Result<Out<'py>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let mut k = RollingCorrelation::new(window)?;
    same_len(xs, ys)?;
    let t = threads_checked(threads)?;
    fill(py, xs.len(), |o| Ok(k.over_into_threads(xs, ys, o, t)?))
}

/// Rolling beta of x on y (`RollingBeta::over_into_threads`).
#[pyfunction]
#[pyo3(signature = (x, y, window, threads = None))]
pub fn rolling_beta<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    window: usize,
    threads: Option<usize>,
) -> Result<Out<'py>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let mut k = RollingBeta::new(window)?;
    same_len(xs, ys)?;
    let t = threads_checked(threads)?;
    fill(py, xs.len(), |o| Ok(k.over_into_threads(xs, ys, o, t)?))
}

/// Rolling Spearman rank correlation (`RollingSpearman::next` on every pair).
#[pyfunction]
pub fn rolling_spearman<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    window: usize,
) -> Result<Out<'py>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let mut k = RollingSpearman::new(window)?;
    same_len(xs, ys)?;
    fill(py, xs.len(), |o| {
        pair_loop(xs, ys, o, |x, y| k.next(x, y));
        Ok(())
    })
}

/// RiskMetrics EWMA correlation (`EwmaPair::next` on every pair).
#[pyfunction]
pub fn ewma_corr<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    lam: f64,
    warmup: usize,
) -> Result<Out<'py>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let mut k = EwmaPair::new(lam, warmup)?;
    same_len(xs, ys)?;
    fill(py, xs.len(), |o| {
        pair_loop(xs, ys, o, |x, y| k.next(x, y));
        Ok(())
    })
}

/// Fisher-z interval of each correlation `r[i]` from `n[i]` observations: `(lo, hi)`.
#[pyfunction]
pub fn fisher_interval<'py>(
    py: Python<'py>,
    r: PyReadonlyArray1<'py, f64>,
    n: PyReadonlyArray1<'py, f64>,
    confidence: f64,
) -> Result<(Out<'py>, Out<'py>)> {
    let (rs, ns) = (slice(&r, "r")?, slice(&n, "n")?);
    same_len(rs, ns)?;
    // The confidence is checked once, before any output exists.
    fisher(0.0, 4.0, confidence)?;
    let (lo, hi, _) = fill3(py, rs.len(), |lo, hi, _| {
        for (i, (&r, &n)) in rs.iter().zip(ns).enumerate() {
            let (l, h) = fisher(r, n, confidence)?.unwrap_or((f64::NAN, f64::NAN));
            lo[i] = l;
            hi[i] = h;
        }
        Ok(())
    })?;
    Ok((lo, hi))
}

/// Wilder's RSI, TA-Lib arithmetic (`Rsi::over_into`).
#[pyfunction]
pub fn rsi<'py>(py: Python<'py>, x: PyReadonlyArray1<'py, f64>, period: usize) -> Result<Out<'py>> {
    let xs = slice(&x, "x")?;
    let mut k = Rsi::new(period)?;
    fill(py, xs.len(), |o| Ok(k.over_into(xs, o)?))
}

/// EMA seeded as TA-Lib (`seed = "sma"`) or with the first value (`"first"`).
#[pyfunction]
pub fn ema<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    period: usize,
    seed: &str,
) -> Result<Out<'py>> {
    let xs = slice(&x, "x")?;
    let seed = match seed {
        "sma" => EmaSeed::Sma,
        "first" => EmaSeed::FirstValue,
        other => {
            return Err(Error::Option(format!(
                "invalid value '{other}' for seed: possible values are 'sma' (TA-Lib) and 'first' (pandas ewm(span=n, adjust=False))"
            )))
        }
    };
    let mut k = Ema::with_seed(period, seed)?;
    fill(py, xs.len(), |o| Ok(k.over_into(xs, o)?))
}

/// Simple moving average (`Sma::next` on every input).
#[pyfunction]
pub fn sma<'py>(py: Python<'py>, x: PyReadonlyArray1<'py, f64>, period: usize) -> Result<Out<'py>> {
    let xs = slice(&x, "x")?;
    let mut k = Sma::new(period)?;
    fill(py, xs.len(), |o| {
        for (o, &x) in o.iter_mut().zip(xs) {
            *o = k.next(x).unwrap_or(f64::NAN);
        }
        Ok(())
    })
}

/// MACD line, signal and histogram (`Macd::over_into`).
#[pyfunction]
pub fn macd<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    fast: usize,
    slow: usize,
    signal: usize,
) -> Result<(Out<'py>, Out<'py>, Out<'py>)> {
    let xs = slice(&x, "x")?;
    let mut k = Macd::new(fast, slow, signal)?;
    fill3(py, xs.len(), |m, s, h| Ok(k.over_into(xs, m, s, h)?))
}

/// Bollinger bands: upper, middle, lower (`Bollinger::next` on every input).
#[pyfunction]
pub fn bollinger<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    period: usize,
    k_up: f64,
    k_down: f64,
) -> Result<(Out<'py>, Out<'py>, Out<'py>)> {
    let xs = slice(&x, "x")?;
    let mut k = Bollinger::new(period, k_up, k_down)?;
    fill3(py, xs.len(), |u, m, l| {
        for (i, &x) in xs.iter().enumerate() {
            let b = k.next(x);
            u[i] = b.map_or(f64::NAN, |b| b.upper);
            m[i] = b.map_or(f64::NAN, |b| b.middle);
            l[i] = b.map_or(f64::NAN, |b| b.lower);
        }
        Ok(())
    })
}

/// Average true range (`Atr::next` on every bar).
#[pyfunction]
pub fn atr<'py>(
    py: Python<'py>,
    high: PyReadonlyArray1<'py, f64>,
    low: PyReadonlyArray1<'py, f64>,
    close: PyReadonlyArray1<'py, f64>,
    period: usize,
) -> Result<Out<'py>> {
    let (h, l, c) = (
        slice(&high, "high")?,
        slice(&low, "low")?,
        slice(&close, "close")?,
    );
    let mut k = Atr::new(period)?;
    same_len(h, l)?;
    same_len(h, c)?;
    fill(py, c.len(), |o| {
        for i in 0..c.len() {
            let bar = Bar {
                high: h[i],
                low: l[i],
                close: c[i],
                volume: 0.0,
            };
            o[i] = k.next(bar).unwrap_or(f64::NAN);
        }
        Ok(())
    })
}

/// On-balance volume (`Obv::next` on every bar).
#[pyfunction]
pub fn obv<'py>(
    py: Python<'py>,
    close: PyReadonlyArray1<'py, f64>,
    volume: PyReadonlyArray1<'py, f64>,
) -> Result<Out<'py>> {
    let (c, v) = (slice(&close, "close")?, slice(&volume, "volume")?);
    same_len(c, v)?;
    let mut k = Obv::new();
    fill(py, c.len(), |o| {
        for i in 0..c.len() {
            let bar = Bar {
                high: f64::NAN,
                low: f64::NAN,
                close: c[i],
                volume: v[i],
            };
            o[i] = k.next(bar).unwrap_or(f64::NAN);
        }
        Ok(())
    })
}

/// Cross-correlation at lags `-max_lag..=max_lag`: `(lag, corr, n)` columns.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn cross_correlation<'py>(
    py: Python<'py>,
    a: PyReadonlyArray1<'py, f64>,
    b: PyReadonlyArray1<'py, f64>,
    max_lag: usize,
) -> Result<(
    Bound<'py, PyArray1<i64>>,
    Out<'py>,
    Bound<'py, PyArray1<i64>>,
)> {
    let (xa, xb) = (slice(&a, "a")?, slice(&b, "b")?);
    let lags = py.detach(|| ccf(xa, xb, max_lag))?;
    let lag: Vec<i64> = lags.iter().map(|l| l.lag).collect();
    let corr: Vec<f64> = lags.iter().map(|l| l.corr.unwrap_or(f64::NAN)).collect();
    let n: Vec<i64> = lags.iter().map(|l| l.n as i64).collect();
    Ok((
        PyArray1::from_vec(py, lag),
        PyArray1::from_vec(py, corr),
        PyArray1::from_vec(py, n),
    ))
}

/// Granger tests of orders `1..=max_lag` and the orders chosen by AIC and BIC, as the JSON
/// of `lockstep_stats::GrangerScan`.
#[pyfunction]
pub fn granger(
    py: Python<'_>,
    effect: PyReadonlyArray1<'_, f64>,
    cause: PyReadonlyArray1<'_, f64>,
    max_lag: usize,
) -> Result<String> {
    let (e, c) = (slice(&effect, "effect")?, slice(&cause, "cause")?);
    let scan = py.detach(|| granger_scan(e, c, max_lag))?;
    Ok(serde_json::to_string(&scan)?)
}

/// The controls as slices; the kernels check their lengths.
fn control_slices<'a>(cs: &'a [PyReadonlyArray1<'_, f64>]) -> Result<Vec<&'a [f64]>> {
    cs.iter().map(|c| slice(c, "controls")).collect()
}

/// Partial correlation given the controls: `(r, n, k, p, lo, hi)`, `r` NaN when undefined.
#[pyfunction]
pub fn partial_corr(
    py: Python<'_>,
    x: PyReadonlyArray1<'_, f64>,
    y: PyReadonlyArray1<'_, f64>,
    controls: Vec<PyReadonlyArray1<'_, f64>>,
    confidence: f64,
) -> Result<(f64, usize, usize, f64, f64, f64)> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let cs = control_slices(&controls)?;
    let got = py.detach(|| pcorr(xs, ys, &cs))?;
    let nan = f64::NAN;
    let Some(p) = got else {
        // The interval's confidence is still checked.
        fisher(0.0, 4.0, confidence)?;
        return Ok((nan, xs.len(), cs.len(), nan, nan, nan));
    };
    let (lo, hi) = p.interval(confidence)?.unwrap_or((nan, nan));
    Ok((p.r, p.n, p.k, p.p_value().unwrap_or(nan), lo, hi))
}

/// Rolling partial correlation given the controls (`RollingPartialCorrelation::next` on
/// every row).
#[pyfunction]
pub fn rolling_partial_corr<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    controls: Vec<PyReadonlyArray1<'py, f64>>,
    window: usize,
) -> Result<Out<'py>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let cs = control_slices(&controls)?;
    let mut k = RollingPartialCorrelation::new(window, cs.len())?;
    same_len(xs, ys)?;
    for c in &cs {
        same_len(xs, c)?;
    }
    fill(py, xs.len(), |o| {
        let mut row = vec![0.0; cs.len()];
        for i in 0..xs.len() {
            for (r, c) in row.iter_mut().zip(&cs) {
                *r = c[i];
            }
            o[i] = k.next(xs[i], ys[i], &row).unwrap_or(f64::NAN);
        }
        Ok(())
    })
}

/// Add the kernels to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(rolling_corr, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_beta, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_spearman, m)?)?;
    m.add_function(wrap_pyfunction!(ewma_corr, m)?)?;
    m.add_function(wrap_pyfunction!(fisher_interval, m)?)?;
    m.add_function(wrap_pyfunction!(rsi, m)?)?;
    m.add_function(wrap_pyfunction!(ema, m)?)?;
    m.add_function(wrap_pyfunction!(sma, m)?)?;
    m.add_function(wrap_pyfunction!(macd, m)?)?;
    m.add_function(wrap_pyfunction!(bollinger, m)?)?;
    m.add_function(wrap_pyfunction!(atr, m)?)?;
    m.add_function(wrap_pyfunction!(obv, m)?)?;
    m.add_function(wrap_pyfunction!(cross_correlation, m)?)?;
    m.add_function(wrap_pyfunction!(granger, m)?)?;
    m.add_function(wrap_pyfunction!(partial_corr, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_partial_corr, m)?)?;
    Ok(())
}
