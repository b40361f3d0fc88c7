//! Golden values of the clock on the real intraday files in `../shared/data/intraday`,
//! against pandas, statsmodels and pandas_market_calendars (`scripts/golden_clock.py`, files
//! `test_data/golden/clock_*.csv`): exchange-clock and UTC-clock daily returns and rolling
//! correlations to 1e-10; within-session intraday returns and rolling correlations, the
//! within-session cross-correlation and Granger F/p to 1e-8.
//!
//! Skips with a printed reason when `../shared/data/intraday` is absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lockstep_core::{
    align, exchange_daily, sample_at_closes, Align, IntradayPair, IntradaySeries, ReturnKind,
};
use lockstep_data::{read_intraday_csv, IntradayCsvOptions};
use lockstep_stats::{segmented_cross_correlation, segmented_granger_scan, RollingCorrelation};

const DAILY_TOL: f64 = 1e-10;
const INTRADAY_TOL: f64 = 1e-8;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The intraday folder, or `None` with a printed reason.
fn data() -> Option<PathBuf> {
    let d = root().join("../shared/data/intraday");
    if d.is_dir() {
        Some(d)
    } else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {} is absent (the clock golden values need it)",
            d.display()
        );
        None
    }
}

fn bars(dir: &Path, file: &str) -> IntradaySeries {
    read_intraday_csv(&dir.join(file), &IntradayCsvOptions::default())
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .series
}

/// A golden CSV: header → column of strings.
struct Golden {
    cols: HashMap<String, Vec<String>>,
    rows: usize,
}

impl Golden {
    fn read(name: &str) -> Golden {
        let path = root().join("test_data/golden").join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut lines = text.lines();
        let head: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let mut cols: HashMap<String, Vec<String>> =
            head.iter().map(|h| (h.clone(), Vec::new())).collect();
        let mut rows = 0;
        for l in lines {
            for (h, v) in head.iter().zip(l.split(',')) {
                cols.get_mut(h).unwrap().push(v.to_string());
            }
            rows += 1;
        }
        Golden { cols, rows }
    }

    fn str(&self, col: &str) -> &[String] {
        &self.cols[col]
    }

    fn num(&self, col: &str) -> Vec<Option<f64>> {
        self.cols[col]
            .iter()
            .map(|v| (!v.is_empty()).then(|| v.parse::<f64>().unwrap()))
            .collect()
    }
}

fn close(got: Option<f64>, want: Option<f64>, tol: f64, what: &str) -> f64 {
    match (got, want) {
        (Some(g), Some(w)) => {
            let d = (g - w).abs() / w.abs().max(1.0);
            assert!(d <= tol, "{what}: {g} vs {w} (diff {d:e})");
            d
        }
        (None, None) => 0.0,
        (g, w) => panic!("{what}: {g:?} vs {w:?}"),
    }
}

fn opt(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn rolling(a: &[f64], b: &[f64], w: usize) -> Vec<Option<f64>> {
    let mut k = RollingCorrelation::new(w).unwrap();
    a.iter().zip(b).map(|(x, y)| k.next(*x, *y)).collect()
}

#[test]
fn daily_returns_on_the_exchange_and_utc_clocks() {
    let Some(dir) = data() else { return };
    let iwm = bars(&dir, "IWM.yfinance.1h.csv");
    let eth = bars(&dir, "ETHUSDT.binance.1h.csv");
    let b = exchange_daily(&iwm).unwrap();
    assert_eq!(b.outside_session, 0, "the file is regular hours only");
    let g = Golden::read("clock_daily_eth_iwm_1h.csv");
    let mut worst = 0.0f64;
    for clock in ["exchange", "utc"] {
        let a = match clock {
            "exchange" => sample_at_closes(&eth, &b.series.dates).0,
            _ => {
                // The UTC close of each equity date: the bar ending at the next midnight.
                let mut s = lockstep_core::utc_daily(&eth).series;
                let keep: Vec<usize> = (0..s.dates.len())
                    .filter(|&i| b.series.dates.binary_search(&s.dates[i]).is_ok())
                    .collect();
                s.dates = keep.iter().map(|&i| s.dates[i]).collect();
                s.price = keep.iter().map(|&i| s.price[i]).collect();
                s
            }
        };
        let al = align(&a, &b.series, Align::Inner, ReturnKind::Log).unwrap();
        let rows: Vec<usize> = (0..g.rows)
            .filter(|&i| g.str("clock")[i] == clock)
            .collect();
        assert_eq!(al.a.len() - 1, rows.len(), "{clock}: number of returns");
        let (ra, rb) = (g.num("ret_a"), g.num("ret_b"));
        let (ret_a, ret_b) = (al.ret_a.clone(), al.ret_b.clone());
        for w in [30, 60] {
            let want = g.num(&format!("corr_{w}"));
            let got = rolling(&ret_a, &ret_b, w);
            for (k, &i) in rows.iter().enumerate() {
                assert_eq!(
                    al.dates[k + 1].to_string(),
                    g.str("date")[i],
                    "{clock} date"
                );
                worst = worst.max(close(opt(ret_a[k]), ra[i], DAILY_TOL, "ret_a"));
                worst = worst.max(close(opt(ret_b[k]), rb[i], DAILY_TOL, "ret_b"));
                worst = worst.max(close(got[k], want[i], DAILY_TOL, "corr"));
            }
        }
    }
    eprintln!("daily clock: max relative difference {worst:.3e}");
}

fn intraday_case(eq_file: &str, cr_file: &str, tag: &str, windows: &[usize], max_lag: usize) {
    let Some(dir) = data() else { return };
    let eq = bars(&dir, eq_file);
    let cr = bars(&dir, cr_file);
    let p = IntradayPair::new(&eq, &cr, false).unwrap();
    let g = Golden::read(&format!("clock_intraday_{tag}.csv"));
    assert_eq!(p.time.len(), g.rows, "{tag}: grid bars");
    let mut worst = 0.0f64;
    let (ra, rb) = (g.num("ret_a"), g.num("ret_b"));
    for i in 0..g.rows {
        assert_eq!(
            p.time[i].format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            g.str("time")[i]
        );
        worst = worst.max(close(opt(p.ret_a[i]), ra[i], INTRADAY_TOL, "ret_a"));
        worst = worst.max(close(opt(p.ret_b[i]), rb[i], INTRADAY_TOL, "ret_b"));
    }
    let idx = p.returns_index();
    let a: Vec<f64> = idx.iter().map(|&i| p.ret_a[i]).collect();
    let b: Vec<f64> = idx.iter().map(|&i| p.ret_b[i]).collect();
    for &w in windows {
        let want = g.num(&format!("corr_{w}"));
        let got = rolling(&a, &b, w);
        for (k, &i) in idx.iter().enumerate() {
            worst = worst.max(close(got[k], want[i], INTRADAY_TOL, "rolling corr"));
        }
    }
    let cc = segmented_cross_correlation(&p.ret_a, &p.ret_b, max_lag).unwrap();
    let gc = Golden::read(&format!("clock_intraday_{tag}_ccf.csv"));
    let (want, n) = (gc.num("corr"), gc.num("n"));
    for (k, c) in cc.iter().enumerate() {
        assert_eq!(c.lag.to_string(), gc.str("lag")[k]);
        assert_eq!(Some(c.n as f64), n[k], "pairs at lag {}", c.lag);
        worst = worst.max(close(c.corr, want[k], INTRADAY_TOL, "ccf"));
    }
    let gg = Golden::read(&format!("clock_intraday_{tag}_granger.csv"));
    for (dir_name, effect, cause) in [
        ("b_causes_a", &p.ret_a, &p.ret_b),
        ("a_causes_b", &p.ret_b, &p.ret_a),
    ] {
        let scan = segmented_granger_scan(effect, cause, max_lag).unwrap();
        let rows: Vec<usize> = (0..gg.rows)
            .filter(|&i| gg.str("direction")[i] == dir_name)
            .collect();
        assert_eq!(rows.len(), max_lag);
        for (t, &i) in scan.tests.iter().zip(&rows) {
            assert_eq!(t.lag.to_string(), gg.str("lag")[i]);
            assert_eq!(t.nobs.to_string(), gg.str("nobs")[i], "{dir_name} nobs");
            assert_eq!(t.df_den.to_string(), gg.str("df_den")[i], "{dir_name} df");
            let rel = |x: f64, y: f64| (x - y).abs() / y.abs().max(1e-300);
            let (f, pv) = (gg.num("f")[i].unwrap(), gg.num("p")[i].unwrap());
            assert!(rel(t.f, f) < INTRADAY_TOL, "{dir_name} F {} vs {f}", t.f);
            assert!(rel(t.p, pv) < INTRADAY_TOL, "{dir_name} p {} vs {pv}", t.p);
            worst = worst.max(rel(t.f, f)).max(rel(t.p, pv));
        }
    }
    eprintln!("{tag}: max relative difference {worst:.3e}");
}

#[test]
fn eth_30m_against_iwm_hours_within_sessions() {
    intraday_case(
        "IWM.yfinance.1h.csv",
        "ETHUSDT.binance.30m.csv",
        "eth30m_iwm1h",
        &[30, 120],
        3,
    );
}

#[test]
fn eth_5m_against_iwm_5m_within_regular_sessions() {
    intraday_case(
        "IWM.yfinance.5m.2025Q3.csv",
        "ETHUSDT.binance.5m.2025-08-19_09-18.csv",
        "eth5m_iwm5m",
        &[78, 390],
        12,
    );
}
