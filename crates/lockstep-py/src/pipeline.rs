//! The pipeline from Python: reading a CSV file, the pair analysis (the report of
//! `lockstep analyze`), the store and FedWatch. Each runs with the GIL released and hands
//! Python plain values: numpy columns, or the JSON the command line prints (`--format json`),
//! which the Python layer turns into DataFrames without computing anything.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods, PyList};

use lockstep_core::{Align, Date, Interval, PriceField, PriceSeries, ReturnKind};
use lockstep_data::{read_csv as read_file, CsvOptions, Dedupe, PriceChoice};
use lockstep_report::{Clock, RegimeLeg, Report};
use lockstep_session::{
    limits, FedParams, LiquidityChoice, PairParams, PairRun, RateChoice, Resolved, Session,
    DEFAULT_RATE,
};
use lockstep_stats::Method;

use crate::error::{Error, Result};

/// 1970-01-01, day 0 of the dates handed to numpy (`datetime64[D]`).
fn epoch() -> Date {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

/// A `YYYY-MM-DD` argument.
fn date_arg(what: &str, s: Option<String>) -> Result<Option<Date>> {
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| Error::Option(format!("invalid value '{s}' for {what}: {e} (YYYY-MM-DD)")))
    })
    .transpose()
}

/// Days since 1970-01-01.
fn days(dates: &[Date]) -> Vec<i64> {
    let e = epoch();
    dates.iter().map(|d| (*d - e).num_days()).collect()
}

/// The session of a call: `home` (else `$LOCKSTEP_HOME` or the platform folder).
fn session(home: Option<&str>, offline: bool, verbose: bool) -> Session {
    match home {
        Some(h) => Session::at(h, offline, verbose),
        None => Session::new(offline, verbose),
    }
}

/// `value` as one of `choices`, else the error naming the option and the choices.
fn choose<T: Copy>(what: &str, value: &str, choices: &[(&str, T)]) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            Error::Option(format!(
                "invalid value '{value}' for {what}: possible values are {}",
                names.join(", ")
            ))
        })
}

/// The CSV reader's options.
fn csv_options(
    price: &str,
    date_col: Option<String>,
    price_col: Option<String>,
    dedupe: &str,
) -> Result<CsvOptions> {
    Ok(CsvOptions {
        price: choose(
            "price",
            price,
            &[
                ("auto", PriceChoice::Auto),
                ("close", PriceChoice::Close),
                ("adj-close", PriceChoice::AdjClose),
                ("adj_close", PriceChoice::AdjClose),
            ],
        )?,
        date_col,
        price_col,
        dedupe: choose(
            "dedupe",
            dedupe,
            &[("error", Dedupe::Error), ("last", Dedupe::Last)],
        )?,
        prices_only: false,
    })
}

/// A column of a series, NaN where the source had none.
fn column(c: &Option<Vec<f64>>, n: usize) -> Vec<f64> {
    c.clone().unwrap_or_else(|| vec![f64::NAN; n])
}

/// The kebab-case name of a price field (as in the report JSON).
fn field_name(f: PriceField) -> &'static str {
    match f {
        PriceField::AdjClose => "adj-close",
        PriceField::Close => "close",
        PriceField::Price => "price",
        PriceField::Value => "value",
        PriceField::Column => "column",
    }
}

/// Read a CSV price file: a dict of numpy columns (`date` as days since 1970-01-01, `open`,
/// `high`, `low`, `close`, `adj_close`, `volume`, NaN where the file has none) and what was
/// detected (`format`, `name`, `source`, `price_field`, `newest_first`, `skipped_null_rows`,
/// `warnings`). With an adjusted close the file is read a second time for the close.
#[pyfunction]
#[pyo3(signature = (path, price="auto", date_col=None, price_col=None, dedupe="error"))]
pub fn read_csv<'py>(
    py: Python<'py>,
    path: PathBuf,
    price: &str,
    date_col: Option<String>,
    price_col: Option<String>,
    dedupe: &str,
) -> Result<Bound<'py, PyDict>> {
    let opts = csv_options(price, date_col, price_col, dedupe)?;
    if !path.exists() {
        return Err(Error::NotFound(path.display().to_string()));
    }
    let (read, close) = py.detach(|| -> Result<_> {
        let read = read_file(&path, &opts)?;
        // The close beside the adjusted close: the file read again for its close column.
        let close = if read.series.price_field == PriceField::AdjClose && opts.price_col.is_none() {
            let c = read_file(
                &path,
                &CsvOptions {
                    price: PriceChoice::Close,
                    ..opts.clone()
                },
            )?;
            let at: std::collections::HashMap<Date, f64> =
                c.series.dates.iter().copied().zip(c.series.price).collect();
            Some(
                read.series
                    .dates
                    .iter()
                    .map(|d| at.get(d).copied().unwrap_or(f64::NAN))
                    .collect::<Vec<f64>>(),
            )
        } else {
            None
        };
        Ok((read, close))
    })?;
    let s = &read.series;
    let n = s.len();
    let (close, adj) = match close {
        Some(c) => (c, s.price.clone()),
        None => (s.price.clone(), vec![f64::NAN; n]),
    };
    let d = PyDict::new(py);
    d.set_item("date", PyArray1::from_vec(py, days(&s.dates)))?;
    d.set_item("open", PyArray1::from_vec(py, column(&s.open, n)))?;
    d.set_item("high", PyArray1::from_vec(py, column(&s.high, n)))?;
    d.set_item("low", PyArray1::from_vec(py, column(&s.low, n)))?;
    d.set_item("close", PyArray1::from_vec(py, close))?;
    d.set_item("adj_close", PyArray1::from_vec(py, adj))?;
    d.set_item("volume", PyArray1::from_vec(py, column(&s.volume, n)))?;
    d.set_item("format", read.format.name())?;
    d.set_item("name", &s.name)?;
    d.set_item("source", &s.source)?;
    d.set_item("price_field", field_name(s.price_field))?;
    d.set_item("newest_first", read.newest_first)?;
    d.set_item("skipped_null_rows", read.skipped_null_rows)?;
    d.set_item("warnings", PyList::new(py, &read.warnings)?)?;
    Ok(d)
}

/// One leg of `analyze` as Python gives it: a symbol, ratio or path, or a series in memory.
#[derive(FromPyObject)]
pub enum LegArg<'py> {
    /// A symbol, a ratio `A/B` or a CSV path.
    Arg(String),
    /// `(name, source, format, days since 1970-01-01, price, price_field, open, high, low,
    /// volume)`.
    Memory(MemoryLeg<'py>),
}

/// A series held by Python (a pandas Series or DataFrame, converted by the Python layer).
type MemoryLeg<'py> = (
    String,
    String,
    String,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, f64>,
    String,
    Option<PyReadonlyArray1<'py, f64>>,
    Option<PyReadonlyArray1<'py, f64>>,
    Option<PyReadonlyArray1<'py, f64>>,
    Option<PyReadonlyArray1<'py, f64>>,
);

/// A [`PriceSeries`] from a leg held in memory (checked like any series: increasing dates,
/// finite prices, equal lengths).
fn memory_series(leg: &MemoryLeg<'_>) -> Result<PriceSeries> {
    let (name, source, format, dates, price, field, open, high, low, volume) = leg;
    let e = epoch();
    let dates = dates
        .as_array()
        .iter()
        .map(|d| {
            e.checked_add_signed(chrono::Duration::days(*d))
                .ok_or_else(|| Error::Option(format!("{name}: date {d} out of range")))
        })
        .collect::<Result<Vec<Date>>>()?;
    let col = |c: &Option<PyReadonlyArray1<'_, f64>>| c.as_ref().map(|a| a.as_array().to_vec());
    let s = PriceSeries {
        name: name.clone(),
        source: source.clone(),
        format: format.clone(),
        price_field: choose(
            "price_field",
            field,
            &[
                ("adj-close", PriceField::AdjClose),
                ("close", PriceField::Close),
                ("price", PriceField::Price),
                ("value", PriceField::Value),
                ("column", PriceField::Column),
            ],
        )?,
        dates,
        price: price.as_array().to_vec(),
        open: col(open),
        high: col(high),
        low: col(low),
        volume: col(volume),
    };
    s.validate()?;
    Ok(s)
}

/// An option of `analyze` from the dict the Python layer passes (absent or None: the
/// command line's default).
fn opt<'py, T: FromPyObjectOwned<'py>>(o: &Bound<'py, PyDict>, key: &str) -> Result<Option<T>> {
    match o.get_item(key).map_err(|e| Error::Type(e.to_string()))? {
        Some(v) if !v.is_none() => v.extract::<T>().map(Some).map_err(|e| {
            let e: PyErr = e.into();
            Error::Type(format!("analyze(): {key}: {e}"))
        }),
        _ => Ok(None),
    }
}

/// `value` of the option `what` checked by `limit` (a rule of [`limits`], the one the
/// command's flag applies): "invalid value '1' for windows: a window needs at least 2
/// returns", as the command says it of `--window`.
fn limited(
    what: &str,
    value: usize,
    limit: fn(u64) -> std::result::Result<u64, String>,
) -> Result<()> {
    limit(value as u64)
        .map(|_| ())
        .map_err(|e| Error::Option(format!("invalid value '{value}' for {what}: {e}")))
}

/// `lockstep analyze`'s parameters from the options (the same defaults and the same
/// meaning as each flag; see the Python docstring of `analyze`).
fn pair_params(a: String, b: String, o: &Bound<'_, PyDict>) -> Result<PairParams> {
    let mut p = PairParams::new(a, b);
    if let Some(w) = opt::<Vec<usize>>(o, "windows")? {
        for x in &w {
            limited("windows", *x, limits::window)?;
        }
        limits::distinct_windows(&w).map_err(|e| Error::Option(format!("{e} in windows")))?;
        if w.is_empty() {
            return Err(Error::Option("windows: give at least one window".into()));
        }
        p.options.windows = w;
    }
    if let Some(v) = opt::<String>(o, "align")? {
        p.options.align = choose(
            "align",
            &v,
            &[
                ("inner", Align::Inner),
                ("weekly", Align::Weekly),
                ("monthly", Align::Monthly),
            ],
        )?;
    }
    if let Some(v) = opt::<String>(o, "returns")? {
        p.options.returns = choose(
            "returns",
            &v,
            &[("log", ReturnKind::Log), ("simple", ReturnKind::Simple)],
        )?;
    }
    let lambda = opt::<f64>(o, "lam")?.unwrap_or(0.94);
    limits::unit_interval(lambda)
        .map_err(|e| Error::Option(format!("invalid value '{lambda}' for lam: {e}")))?;
    if let Some(v) = opt::<String>(o, "method")? {
        p.options.method = choose(
            "method",
            &v,
            &[
                ("pearson", Method::Pearson),
                ("spearman", Method::Spearman),
                ("ewma", Method::Ewma { lambda }),
            ],
        )?;
    }
    if let Some(c) = opt::<f64>(o, "confidence")? {
        limits::unit_interval(c)
            .map_err(|e| Error::Option(format!("invalid value '{c}' for confidence: {e}")))?;
        p.options.confidence = c;
    }
    if let Some(w) = opt::<usize>(o, "lag_window")? {
        limited("lag_window", w, limits::lag_window)?;
        let l = &mut p.options.linkage;
        (l.lag_window, l.divergence_window, l.rate_window) = (w, w, w);
    }
    if let Some(m) = opt::<usize>(o, "max_lag")? {
        limited("max_lag", m, limits::max_lag)?;
        p.options.linkage.max_lag = m;
    }
    if let Some(k) = opt::<f64>(o, "divergence_k")? {
        p.options.linkage.divergence_k = k;
    }
    if let Some(v) = opt::<String>(o, "regime_leg")? {
        p.options.linkage.regime_leg = choose(
            "regime_leg",
            &v,
            &[
                ("auto", RegimeLeg::Auto),
                ("a", RegimeLeg::A),
                ("b", RegimeLeg::B),
            ],
        )?;
    }
    p.regime.ma_window = opt(o, "ma")?;
    p.regime.vol_window = opt(o, "vol_window")?;
    p.regime.vol_lookback = opt(o, "vol_lookback")?;
    // `rate`: the default series is used when it can be had, another one must load, None
    // (or False) skips rate sensitivity (`--rate`, `--no-rate`).
    p.rate = match o.get_item("rate").map_err(|e| Error::Type(e.to_string()))? {
        None => RateChoice::Optional(DEFAULT_RATE.to_string()),
        Some(v) if v.is_none() || v.extract::<bool>().is_ok_and(|b| !b) => RateChoice::Off,
        Some(v) => {
            let s: String = v
                .extract::<String>()
                .map_err(|e| Error::Type(format!("analyze(): rate: {e}")))?;
            if s == DEFAULT_RATE {
                RateChoice::Optional(s)
            } else {
                RateChoice::Required(s)
            }
        }
    };
    if opt::<bool>(o, "liquidity")? == Some(false) {
        p.liquidity = LiquidityChoice::Skipped;
    }
    p.csv = csv_options(
        &opt::<String>(o, "price")?.unwrap_or_else(|| "auto".into()),
        opt(o, "date_col")?,
        opt(o, "price_col")?,
        &opt::<String>(o, "dedupe")?.unwrap_or_else(|| "error".into()),
    )?;
    if let Some(pr) = opt::<String>(o, "provider")? {
        p.provider = Some(
            pr.parse()
                .map_err(|e| Error::Option(format!("--provider {pr}: {e}")))?,
        );
    }
    if let Some(c) = opt::<String>(o, "clock")? {
        p.clock = choose(
            "clock",
            &c,
            &[("utc", Clock::Utc), ("exchange", Clock::Exchange)],
        )?;
    }
    if let Some(i) = opt::<String>(o, "interval")? {
        let iv: Interval = i
            .parse()
            .map_err(|e| Error::Option(format!("interval {i}: {e}")))?;
        if !iv.is_intraday() {
            return Err(Error::Option(format!(
                "{i} is not an intraday interval: use 1m, 5m, 15m, 30m or 1h"
            )));
        }
        p.interval = Some(iv);
    }
    p.intraday_a = opt(o, "intraday_a")?;
    p.intraday_b = opt(o, "intraday_b")?;
    // `control`: one series or a list (`--control`, repeatable); `default_control=False` is
    // `--no-control`.
    if let Some(v) = o
        .get_item("control")
        .map_err(|e| Error::Type(e.to_string()))?
    {
        if !v.is_none() {
            p.controls = match v.extract::<String>() {
                Ok(one) => vec![one],
                Err(_) => v
                    .extract::<Vec<String>>()
                    .map_err(|e| Error::Type(format!("analyze(): control: {e}")))?,
            };
        }
    }
    p.default_control = opt::<bool>(o, "default_control")?.unwrap_or(true);
    if !p.default_control && !p.controls.is_empty() {
        return Err(Error::Option(
            "control and default_control=False exclude each other (--control, --no-control)".into(),
        ));
    }
    if let Some(n) = opt::<usize>(o, "bootstrap")? {
        limited("bootstrap", n, limits::bootstrap)?;
        p.options.bootstrap.replications = n;
    }
    if let Some(seed) = opt::<u64>(o, "seed")? {
        p.options.bootstrap.seed = seed;
    }
    Ok(p)
}

/// A report computed in Rust, kept for its HTML page; its data reach Python as JSON.
#[pyclass(module = "lockstep._lockstep", frozen)]
pub struct NativeReport {
    report: Report,
}

#[pymethods]
impl NativeReport {
    /// The report as `lockstep analyze --format json` prints it.
    fn json(&self) -> Result<String> {
        lockstep_report::render::json(&self.report).map_err(|e| Error::Session(e.to_string()))
    }

    /// The report as `lockstep analyze` prints it (no colour), or only the section with the
    /// id `section` (`summary`, `correlation`, `performance`, `lead-lag`, `regimes`,
    /// `structure`, `liquidity`, `verdict`).
    #[pyo3(signature = (section=None))]
    fn text(&self, section: Option<&str>) -> Result<String> {
        let Some(id) = section else {
            return Ok(lockstep_report::render::table(&self.report, false));
        };
        let sections = lockstep_report::describe::sections(&self.report);
        let ids: Vec<&str> = sections.iter().map(|s| s.id).collect();
        sections
            .iter()
            .find(|s| s.id == id)
            .map(|s| lockstep_report::doc::text::section(s, false))
            .ok_or_else(|| {
                Error::Option(format!(
                    "no section '{id}' in this report: it has {}",
                    ids.join(", ")
                ))
            })
    }

    /// The HTML page of `lockstep report` (its sections and, with `charts`, its charts as
    /// inline SVG), without the signals and backtest sections.
    #[pyo3(signature = (charts=true))]
    fn html(&self, py: Python<'_>, charts: bool) -> Result<String> {
        let r = &self.report;
        py.detach(|| {
            let drawn = if charts {
                lockstep_charts::report_charts(r)
                    .map_err(|e| Error::Session(format!("cannot draw the charts: {e}")))?
            } else {
                Vec::new()
            };
            let options = lockstep_html::PageOptions {
                title: format!("{} against {}", r.a.name, r.b.name),
                ..Default::default()
            };
            Ok(lockstep_html::report_page(r, &drawn, &options))
        })
    }
}

/// The name an in-memory leg gets in `PairParams` (a path that does not exist, so it counts
/// as a file: nothing is fetched for the backdrop on its account, as for a CSV leg).
fn memory_arg(name: &str) -> String {
    format!("<memory:{name}>.csv")
}

/// `lockstep analyze A B` with options: both legs symbols or paths run the session's pair
/// pipeline (exactly the command's); a leg in memory is analyzed with the same options and
/// backdrop, the other leg loaded as the command would.
#[pyfunction]
#[pyo3(signature = (a, b, options, home=None, offline=false, verbose=false))]
pub fn analyze(
    py: Python<'_>,
    a: LegArg<'_>,
    b: LegArg<'_>,
    options: &Bound<'_, PyDict>,
    home: Option<String>,
    offline: bool,
    verbose: bool,
) -> Result<NativeReport> {
    let leg = |l: &LegArg<'_>| -> Result<(String, Option<PriceSeries>)> {
        Ok(match l {
            LegArg::Arg(s) => (s.clone(), None),
            LegArg::Memory(m) => (memory_arg(&m.0), Some(memory_series(m)?)),
        })
    };
    let (arg_a, mem_a) = leg(&a)?;
    let (arg_b, mem_b) = leg(&b)?;
    let p = pair_params(arg_a, arg_b, options)?;
    let report = py.detach(move || -> Result<Report> {
        let s = session(home.as_deref(), offline, verbose);
        if mem_a.is_none() && mem_b.is_none() {
            return Ok(s.pair(&p)?.report);
        }
        let load = |m: Option<PriceSeries>, arg: &str| -> Result<PriceSeries> {
            match m {
                Some(m) => Ok(m),
                None => Ok(s.load(arg, &p.csv, p.provider)?),
            }
        };
        let a = load(mem_a, &p.a)?;
        let b = load(mem_b, &p.b)?;
        let (options, backdrop) = s.analysis(&p)?;
        let what = format!("cannot analyze {} against {}", a.name, b.name);
        let run = PairRun::compute(Resolved {
            a,
            b,
            options,
            backdrop,
        })
        .map_err(|e| Error::Session(format!("{what}: {}", lockstep_session::chain(&e))))?;
        Ok(run.report)
    })?;
    Ok(NativeReport { report })
}

/// The stored symbols (`lockstep list --format json`'s rows: `Store::list`) as JSON.
#[pyfunction]
#[pyo3(signature = (home=None))]
pub fn store_list(py: Python<'_>, home: Option<String>) -> Result<String> {
    py.detach(|| {
        let s = session(home.as_deref(), true, false);
        let rows = s.with_store(|st| st.list().map_err(session_error))?;
        Ok(serde_json::to_string(&rows)?)
    })
}

/// A store failure in the words the command line prints.
fn session_error(e: lockstep_store::StoreError) -> Error {
    Error::Session(lockstep_session::chain(&e))
}

/// The stored daily bars of `symbol` within `[start, end]`: a dict of numpy columns
/// (`date` in days since 1970-01-01, `open`, `high`, `low`, `close`, `adj_close`, `volume`,
/// NaN where a bar has none).
#[pyfunction]
#[pyo3(signature = (symbol, start=None, end=None, home=None))]
pub fn store_bars<'py>(
    py: Python<'py>,
    symbol: String,
    start: Option<String>,
    end: Option<String>,
    home: Option<String>,
) -> Result<Bound<'py, PyDict>> {
    let (start, end) = (date_arg("start", start)?, date_arg("end", end)?);
    let bars = py.detach(|| {
        let s = session(home.as_deref(), true, false);
        s.with_store(|st| {
            if st.instrument(&symbol).map_err(session_error)?.is_none() {
                return Err(Error::Session(format!("{symbol} is not in the store")));
            }
            st.bars(&symbol, start, end).map_err(session_error)
        })
    })?;
    let dates: Vec<Date> = bars.iter().map(|b| b.date).collect();
    let col = |f: fn(&lockstep_core::DailyBar) -> Option<f64>| -> Vec<f64> {
        bars.iter().map(|b| f(b).unwrap_or(f64::NAN)).collect()
    };
    let d = PyDict::new(py);
    d.set_item("date", PyArray1::from_vec(py, days(&dates)))?;
    d.set_item("open", PyArray1::from_vec(py, col(|b| b.open)))?;
    d.set_item("high", PyArray1::from_vec(py, col(|b| b.high)))?;
    d.set_item("low", PyArray1::from_vec(py, col(|b| b.low)))?;
    d.set_item("close", PyArray1::from_vec(py, col(|b| Some(b.close))))?;
    d.set_item("adj_close", PyArray1::from_vec(py, col(|b| b.adj_close)))?;
    d.set_item("volume", PyArray1::from_vec(py, col(|b| b.volume)))?;
    Ok(d)
}

/// Fetch (or refresh what is new of) each symbol into the store, as `lockstep fetch`: the
/// JSON of the summaries of those fetched, and the failures `[symbol, error]`. Every symbol
/// is tried.
#[pyfunction]
#[pyo3(signature = (symbols, since=None, provider=None, home=None, verbose=false))]
pub fn store_fetch(
    py: Python<'_>,
    symbols: Vec<String>,
    since: Option<String>,
    provider: Option<String>,
    home: Option<String>,
    verbose: bool,
) -> Result<(String, Vec<(String, String)>)> {
    let since = date_arg("since", since)?;
    let forced = provider
        .map(|p| {
            p.parse()
                .map_err(|e| Error::Option(format!("--provider {p}: {e}")))
        })
        .transpose()?;
    py.detach(|| {
        let s = session(home.as_deref(), false, verbose);
        let bar = indicatif::ProgressBar::hidden();
        let mut done = Vec::new();
        let mut failed = Vec::new();
        for symbol in &symbols {
            match s.fetch_symbol(symbol, since, forced, &bar) {
                Ok(r) => done.push(r),
                Err(e) => failed.push((symbol.clone(), lockstep_session::chain(&e))),
            }
        }
        Ok((serde_json::to_string(&done)?, failed))
    })
}

/// FedWatch (`lockstep fed --format json`): the JSON of the result and where the current
/// range came from.
#[pyfunction]
#[pyo3(signature = (futures, as_of=None, range=None, effective_rate=None, no_fred=false, calendar=None, replace_years=false, home=None, offline=false))]
#[allow(clippy::too_many_arguments)]
pub fn fedwatch(
    py: Python<'_>,
    futures: Vec<PathBuf>,
    as_of: Option<String>,
    range: Option<Vec<f64>>,
    effective_rate: Option<f64>,
    no_fred: bool,
    calendar: Option<PathBuf>,
    replace_years: bool,
    home: Option<String>,
    offline: bool,
) -> Result<(String, Option<String>)> {
    let as_of = date_arg("as_of", as_of)?;
    for f in futures.iter().chain(&calendar) {
        if !Path::new(f).exists() {
            return Err(Error::NotFound(f.display().to_string()));
        }
    }
    let p = FedParams {
        futures,
        as_of,
        range,
        effective_rate,
        no_fred,
        calendar,
        replace_years,
    };
    py.detach(|| {
        let s = session(home.as_deref(), offline, false);
        let (fw, source) = s.fed(&p)?;
        Ok((serde_json::to_string(&fw)?, source))
    })
}

/// Add the pipeline to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeReport>()?;
    m.add_function(wrap_pyfunction!(read_csv, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(store_list, m)?)?;
    m.add_function(wrap_pyfunction!(store_bars, m)?)?;
    m.add_function(wrap_pyfunction!(store_fetch, m)?)?;
    m.add_function(wrap_pyfunction!(fedwatch, m)?)?;
    Ok(())
}
