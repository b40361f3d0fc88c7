//! Golden-value tests of the lead-lag, Granger, regime and divergence numerics of
//! `lockstep-stats` on the real ETH-USD / ^RUT / IWM files in `../shared/data`, against
//! pandas / statsmodels / numpy (`scripts/golden_leadlag.py`, files
//! `test_data/golden/leadlag_*.csv`). Tolerances: ccf 1e-12 abs; Granger F and p 1e-8
//! relative; best lags, regimes, event dates and degrees of freedom exact.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;

use common::{date_index, golden, shared, skip};

use lockstep_core::{align, Align, Aligned, ReturnKind};
use lockstep_stats::{
    classify, cross_correlation, divergence_scores, divergences, granger_scan, regime_stats,
    rolling_best_lag, Regime, RegimeRule,
};

const CCF_TOL: f64 = 1e-12;
const GRANGER_REL: f64 = 1e-8;

thread_local! {
    /// Largest difference seen per quantity, printed at the end of each test.
    static MAX_DIFF: RefCell<HashMap<&'static str, f64>> = RefCell::new(HashMap::new());
}

fn record(what: &'static str, diff: f64) {
    MAX_DIFF.with(|m| {
        let e = m.borrow_mut().entry(what).or_insert(0.0).max(diff);
        m.borrow_mut().insert(what, e);
    });
}

fn report(test: &str) {
    MAX_DIFF.with(|m| {
        let mut v: Vec<_> = m.borrow().iter().map(|(k, v)| (*k, *v)).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        for (k, d) in v {
            eprintln!("{test}: max diff {k}: {d:.3e}");
        }
    });
}

/// `|got - want| <= tol · max(|want|, floor)`; records the relative difference.
fn rel(what: &'static str, label: &str, got: f64, want: f64, tol: f64, floor: f64) {
    let scale = want.abs().max(floor);
    let d = (got - want).abs() / scale;
    record(what, d);
    assert!(
        d <= tol,
        "{label} {what}: got {got}, reference {want}, rel diff {d:e}"
    );
}

fn abs(what: &'static str, label: &str, got: f64, want: f64, tol: f64) {
    let d = (got - want).abs();
    record(what, d);
    assert!(
        d <= tol,
        "{label} {what}: got {got}, reference {want}, diff {d:e}"
    );
}

fn aligned(a: &str, b: &str) -> Option<Aligned> {
    match (shared(a), shared(b)) {
        (Some(a), Some(b)) => Some(align(&a, &b, Align::Inner, ReturnKind::Log).unwrap()),
        _ => {
            skip("skipping: ../shared/data not found (lead-lag golden tests need the real data)");
            None
        }
    }
}

fn val(cols: &HashMap<String, Option<f64>>, c: &str) -> f64 {
    cols[c].unwrap_or_else(|| panic!("empty golden cell {c}"))
}

#[test]
fn ccf_matches_pandas() {
    let (Some(rut), Some(iwm)) = (
        aligned("ETH-USD.daily.csv", "RUT.daily.csv"),
        aligned("ETH-USD.daily.csv", "IWM.daily.csv"),
    ) else {
        return;
    };
    let g = golden("leadlag_ccf.csv");
    let mut checked = 0;
    for (key, al) in [("eth_rut", &rut), ("eth_iwm", &iwm)] {
        let ours = cross_correlation(&al.ret_a, &al.ret_b, 10).unwrap();
        // The pandas series start with a NaN return: the same NaN here must change nothing.
        let with_nan = |r: &[f64]| [&[f64::NAN][..], r].concat();
        let ours_nan = cross_correlation(&with_nan(&al.ret_a), &with_nan(&al.ret_b), 10).unwrap();
        assert_eq!(ours, ours_nan);
        for (pair, cols) in g.rows.iter().filter(|r| r.0 == key) {
            let lag = val(cols, "lag") as i64;
            let o = ours.iter().find(|c| c.lag == lag).unwrap();
            assert_eq!(o.n, val(cols, "n") as usize, "{pair} lag {lag} n");
            abs("ccf", pair, o.corr.unwrap(), val(cols, "corr"), CCF_TOL);
            checked += 1;
        }
    }
    assert_eq!(checked, 42);
    report("ccf");
}

#[test]
fn granger_matches_statsmodels() {
    let (Some(rut), Some(iwm)) = (
        aligned("ETH-USD.daily.csv", "RUT.daily.csv"),
        aligned("ETH-USD.daily.csv", "IWM.daily.csv"),
    ) else {
        return;
    };
    let tests = golden("leadlag_granger.csv");
    let select = golden("leadlag_granger_select.csv");
    let chosen = golden("leadlag_granger_chosen.csv");
    // effect_t = ETH_t + 2·RUT_{t-1}: p-values far below 1e-100
    let n = rut.ret_a.len();
    let synth: Vec<f64> = (1..n)
        .map(|t| rut.ret_a[t] + 2.0 * rut.ret_b[t - 1])
        .collect();
    let cases = [
        ("eth_rut:rut->eth", &rut.ret_a, &rut.ret_b),
        ("eth_rut:eth->rut", &rut.ret_b, &rut.ret_a),
        ("eth_iwm:iwm->eth", &iwm.ret_a, &iwm.ret_b),
        ("eth_iwm:eth->iwm", &iwm.ret_b, &iwm.ret_a),
        (
            "synthetic:rut->eth+2rut(-1)",
            &synth,
            &rut.ret_b[1..].to_vec(),
        ),
    ];
    let mut checked = 0;
    for (key, effect, cause) in cases {
        let scan = granger_scan(effect, cause, 10).unwrap();
        for (k, cols) in tests.rows.iter().filter(|r| r.0 == key) {
            let lag = val(cols, "lag") as usize;
            let t = &scan.tests[lag - 1];
            let label = format!("{k} lag {lag}");
            assert_eq!(t.lag, lag);
            assert_eq!(t.df_num, val(cols, "df_num") as usize, "{label}");
            assert_eq!(t.df_den, val(cols, "df_den") as usize, "{label}");
            assert_eq!(t.nobs, val(cols, "nobs") as usize, "{label}");
            rel("granger F", &label, t.f, val(cols, "f"), GRANGER_REL, 0.0);
            // relative even for tiny p (floor only against an exact 0)
            rel(
                "granger p",
                &label,
                t.p,
                val(cols, "p"),
                GRANGER_REL,
                1e-300,
            );
            let ssr = |c| val(cols, c);
            rel(
                "ssr",
                &label,
                t.ssr_restricted,
                ssr("ssr_restricted"),
                1e-10,
                0.0,
            );
            rel(
                "ssr",
                &label,
                t.ssr_unrestricted,
                ssr("ssr_unrestricted"),
                1e-10,
                0.0,
            );
            rel("aic/bic", &label, t.aic, val(cols, "aic"), 1e-10, 1.0);
            rel("aic/bic", &label, t.bic, val(cols, "bic"), 1e-10, 1.0);
            checked += 1;
        }
        for (k, cols) in select.rows.iter().filter(|r| r.0 == key) {
            let lag = val(cols, "lag") as usize;
            let c = &scan.criteria[lag - 1];
            assert_eq!(
                (c.lag, scan.selection_nobs),
                (lag, val(cols, "nobs") as usize)
            );
            let label = format!("{k} common-sample lag {lag}");
            rel(
                "selection aic/bic",
                &label,
                c.aic,
                val(cols, "aic"),
                1e-10,
                1.0,
            );
            rel(
                "selection aic/bic",
                &label,
                c.bic,
                val(cols, "bic"),
                1e-10,
                1.0,
            );
        }
        let (_, cols) = chosen.rows.iter().find(|r| r.0 == key).unwrap();
        assert_eq!(scan.aic_lag, val(cols, "aic_lag") as usize, "{key} AIC lag");
        assert_eq!(scan.bic_lag, val(cols, "bic_lag") as usize, "{key} BIC lag");
    }
    assert_eq!(checked, 50);
    report("granger");
}

#[test]
fn rolling_best_lag_matches_python_loop() {
    let Some(al) = aligned("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let ours = rolling_best_lag(&al.ret_a, &al.ret_b, 90, 10).unwrap();
    let g = golden("leadlag_rolling_best.csv");
    assert_eq!(ours.iter().flatten().count(), g.rows.len());
    let idx = date_index(&al.dates);
    for (date, cols) in &g.rows {
        // return j runs from dates[j] to dates[j + 1]
        let j = idx[date] - 1;
        let b = ours[j].unwrap_or_else(|| panic!("{date}: no best lag"));
        assert_eq!(b.lag, val(cols, "lag") as i64, "{date} best lag");
        abs("best-lag corr", date, b.corr, val(cols, "corr"), CCF_TOL);
    }
    report("rolling best lag");
}

fn regime_code(r: Option<Regime>) -> Option<f64> {
    r.map(|r| if r == Regime::RiskOn { 1.0 } else { 0.0 })
}

#[test]
fn regimes_match_pandas() {
    let Some(al) = aligned("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let rule = RegimeRule::default();
    let reg_a = classify(&al.a, rule).unwrap();
    let reg_b = classify(&al.b, rule).unwrap();
    let g = golden("leadlag_regime.csv");
    assert_eq!(g.rows.len(), al.dates.len());
    for (i, (date, cols)) in g.rows.iter().enumerate() {
        assert_eq!(*date, al.dates[i].to_string());
        assert_eq!(
            regime_code(reg_a[i]),
            cols["regime_a"],
            "{date} regime of A"
        );
        assert_eq!(
            regime_code(reg_b[i]),
            cols["regime_b"],
            "{date} regime of B"
        );
    }
    // statistics per regime, each return labelled with the regime at the close before it
    let n = al.ret_a.len();
    let st = golden("leadlag_regime_stats.csv");
    for (key, reg) in [("regime_b", &reg_b), ("regime_a", &reg_a)] {
        let ours = regime_stats(&al.ret_a, &al.ret_b, &reg[..n], 0.95).unwrap();
        for s in ours {
            let name = if s.regime == Regime::RiskOn {
                "risk-on"
            } else {
                "risk-off"
            };
            let label = format!("{key}:{name}");
            let (_, cols) = st.rows.iter().find(|r| r.0 == label).unwrap();
            assert_eq!(s.n, val(cols, "n") as usize, "{label} n");
            abs(
                "regime corr",
                &label,
                s.corr.unwrap(),
                val(cols, "corr"),
                1e-12,
            );
            abs(
                "regime CI",
                &label,
                s.corr_lo.unwrap(),
                val(cols, "corr_lo"),
                1e-12,
            );
            abs(
                "regime CI",
                &label,
                s.corr_hi.unwrap(),
                val(cols, "corr_hi"),
                1e-12,
            );
            rel(
                "regime beta",
                &label,
                s.beta.unwrap(),
                val(cols, "beta"),
                1e-12,
                1.0,
            );
        }
    }
    report("regimes");
}

#[test]
fn divergences_match_numpy() {
    let Some(al) = aligned("ETH-USD.daily.csv", "RUT.daily.csv") else {
        return;
    };
    let idx = date_index(&al.dates);
    let scores = divergence_scores(&al.ret_a, &al.ret_b, 60).unwrap();
    for (date, cols) in &golden("leadlag_divergence_z.csv").rows {
        let d = scores[idx[date] - 1].unwrap();
        abs("divergence z", date, d.z, val(cols, "z"), 1e-9);
    }
    let events = divergences(&al.ret_a, &al.ret_b, 60, 3.0).unwrap();
    let g = golden("leadlag_divergence_events.csv");
    let ours: Vec<String> = events
        .iter()
        .map(|e| al.dates[e.index + 1].to_string())
        .collect();
    let want: Vec<String> = g.rows.iter().map(|r| r.0.clone()).collect();
    assert_eq!(ours, want, "divergence event dates");
    for (e, (date, cols)) in events.iter().zip(&g.rows) {
        abs("divergence z", date, e.z, val(cols, "z"), 1e-9);
    }
    report("divergences");
}
