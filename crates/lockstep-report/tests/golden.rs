//! Golden-value tests: the analyze pipeline on the real ETH-USD, ^RUT and IWM files in
//! `../shared/data` against values computed independently by pandas and scipy
//! (`scripts/golden.py`, files in `test_data/golden/`). Max abs difference 1e-10.

mod common;

use common::{date_index, golden, shared, skip, Golden};

use lockstep_core::{Align, PriceSeries, ReturnKind};
use lockstep_report::{analyze, AnalyzeOptions, Report};
use lockstep_stats::Method;

const TOL: f64 = 1e-10;

fn check(label: &str, got: Option<f64>, want: Option<f64>) {
    match (got, want) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= TOL,
            "{label}: got {g}, pandas {w}, diff {:e}",
            (g - w).abs()
        ),
        _ => panic!("{label}: got {got:?}, pandas {want:?}"),
    }
}

/// Compare every golden column of `g` with the report, matching rows by date.
fn compare(report: &Report, g: &Golden, vol_window: usize) -> usize {
    let s = &report.series;
    let index = date_index(&s.dates);
    let mut checked = 0;
    for (date, cols) in &g.rows {
        let i = *index
            .get(date)
            .unwrap_or_else(|| panic!("date {date} missing from the report"));
        for (col, want) in cols {
            let got = if col == "ret_a" {
                s.ret_a.at(i)
            } else if col == "ret_b" {
                s.ret_b.at(i)
            } else if let Some(side) = col.strip_prefix("vol_") {
                let rw = s.rolling.iter().find(|r| r.window == vol_window).unwrap();
                if side.starts_with('a') {
                    rw.vol_a.at(i)
                } else {
                    rw.vol_b.at(i)
                }
            } else {
                // corr_W, corr_W_lo, corr_W_hi, beta_W
                let (stat, rest) = col.split_once('_').unwrap();
                let (w, suffix) = rest.split_once('_').map_or((rest, ""), |(w, x)| (w, x));
                let w: usize = w.parse().unwrap();
                let rw = s.rolling.iter().find(|r| r.window == w).unwrap();
                match (stat, suffix) {
                    ("corr", "") => rw.corr.at(i),
                    ("corr", "lo") => rw.corr_lo.at(i),
                    ("corr", "hi") => rw.corr_hi.at(i),
                    ("beta", "") => rw.beta.at(i),
                    _ => panic!("unknown golden column {col}"),
                }
            };
            check(&format!("{date} {col}"), got, *want);
            checked += 1;
        }
    }
    checked
}

fn pair(a: &str, b: &str) -> Option<(PriceSeries, PriceSeries)> {
    match (shared(a), shared(b)) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => {
            skip("skipping: ../shared/data not found (golden tests need the real data)");
            None
        }
    }
}

#[test]
fn pearson_inner_log_matches_pandas() {
    let Some((eth, rut)) = pair("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let r = analyze(&eth, &rut, &AnalyzeOptions::default()).unwrap();
    assert_eq!(r.period.dates, 2081);
    assert_eq!(r.params.periods_per_year, 252.0);
    let n = compare(&r, &golden("eth_rut_inner_log.csv"), 30);
    assert!(n > 10_000, "{n} values checked");
    let latest = r.windows[0].latest.as_ref().unwrap();
    assert_eq!(latest.date.to_string(), "2026-02-23");
}

#[test]
fn pearson_weekly_simple_matches_pandas() {
    let Some((eth, iwm)) = pair("ETH-USD.daily.csv", "IWM.daily.csv") else {
        return;
    };
    let opts = AnalyzeOptions {
        windows: vec![13, 26, 52],
        align: Align::Weekly,
        returns: ReturnKind::Simple,
        ..Default::default()
    };
    let r = analyze(&eth, &iwm, &opts).unwrap();
    assert_eq!(r.params.periods_per_year, 52.0);
    let g = golden("eth_iwm_weekly_simple.csv");
    assert_eq!(
        r.series.dates.len(),
        g.rows.len(),
        "same weeks as pandas W-FRI"
    );
    compare(&r, &g, 13);
}

#[test]
fn spearman_matches_scipy() {
    let Some((eth, rut)) = pair("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let opts = AnalyzeOptions {
        windows: vec![30],
        method: Method::Spearman,
        ..Default::default()
    };
    let r = analyze(&eth, &rut, &opts).unwrap();
    let g = golden("eth_rut_spearman_30.csv");
    let idx = date_index(&r.series.dates);
    for (date, cols) in &g.rows {
        check(
            date,
            r.series.rolling[0].corr.at(idx[date]),
            cols["spearman_30"],
        );
    }
}

#[test]
fn ewma_matches_pandas() {
    let Some((eth, rut)) = pair("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let opts = AnalyzeOptions {
        windows: vec![30],
        method: Method::Ewma { lambda: 0.94 },
        ..Default::default()
    };
    let r = analyze(&eth, &rut, &opts).unwrap();
    let g = golden("eth_rut_ewma_094.csv");
    let idx = date_index(&r.series.dates);
    for (date, cols) in &g.rows {
        let i = idx[date];
        check(
            &format!("{date} corr"),
            r.series.rolling[0].corr.at(i),
            cols["corr"],
        );
        // pandas' EWMA sums drift by ~1e-12 relative: compare beta relatively.
        let (gb, wb) = (
            r.series.rolling[0].beta.at(i).unwrap(),
            cols["beta"].unwrap(),
        );
        assert!(
            (gb - wb).abs() <= TOL * wb.abs().max(1.0),
            "{date} beta {gb} vs {wb}"
        );
    }
}

#[test]
fn results_do_not_depend_on_older_history() {
    let Some((eth, rut)) = pair("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let full = analyze(&eth, &rut, &AnalyzeOptions::default()).unwrap();
    // Drop everything before 2024: the values from 2024-06 on must not change.
    let cut = |s: &PriceSeries| {
        let k = s
            .dates
            .iter()
            .position(|d| d.to_string().as_str() >= "2024-01-01")
            .unwrap();
        let mut t = s.clone();
        t.dates.drain(..k);
        t.price.drain(..k);
        for c in [&mut t.open, &mut t.high, &mut t.low, &mut t.volume]
            .into_iter()
            .flatten()
        {
            c.drain(..k);
        }
        t
    };
    let short = analyze(&cut(&eth), &cut(&rut), &AnalyzeOptions::default()).unwrap();
    let off = full
        .series
        .dates
        .iter()
        .position(|d| *d == short.series.dates[0])
        .unwrap();
    for (w, (f, s)) in full
        .series
        .rolling
        .iter()
        .zip(&short.series.rolling)
        .enumerate()
    {
        for i in 100..short.series.dates.len() {
            let (a, b) = (f.corr.at(off + i).unwrap(), s.corr.at(i).unwrap());
            assert!((a - b).abs() < 1e-12, "window #{w} row {i}: {a} vs {b}");
        }
    }
}
