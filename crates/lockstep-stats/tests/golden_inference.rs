//! The inference numerics against the committed golden files of
//! `scripts/golden_inference.py` (pingouin, arch, R psych, scipy; see
//! `test_data/golden/README.md`): partial correlation, rolling partial correlation, the
//! Politis–White block length, Williams' t / Steiger's z, Fisher's z test, Forbes–Rigobon, and
//! the stationary-bootstrap interval against arch's within Monte Carlo error. The files hold
//! their inputs (the aligned real returns and the synthetic series), so nothing here reads
//! the shared data.

use std::collections::HashMap;

use lockstep_stats::{
    bootstrap_corr_difference, bootstrap_correlation, bootstrap_suite, dependent_corr_test,
    fisher_interval, fisher_z_test, forbes_rigobon, latest_window_mask, optimal_block_length,
    pair_block_length, partial_corr, pearson, variance_increase, BootstrapConfig, CorrInterval,
    RollingPartialCorrelation, StatsError,
};

/// A golden CSV: its header and its rows as strings.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(name: &str) -> Table {
        let path = format!(
            "{}/../../test_data/golden/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut lines = text.lines();
        let header = lines.next().unwrap().split(',').map(String::from).collect();
        let rows = lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        Table { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// The column as numbers (empty cell: NaN).
    fn numbers(&self, name: &str) -> Vec<f64> {
        let c = self.col(name);
        self.rows.iter().map(|r| num(&r[c])).collect()
    }

    /// One row as a map from column name to cell.
    fn records(&self) -> Vec<HashMap<&str, &str>> {
        self.rows
            .iter()
            .map(|r| {
                self.header
                    .iter()
                    .map(String::as_str)
                    .zip(r.iter().map(String::as_str))
                    .collect()
            })
            .collect()
    }
}

fn num(s: &str) -> f64 {
    if s.is_empty() {
        f64::NAN
    } else {
        s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
    }
}

/// The columns of the two input files, with the derived synthetic series.
fn sources() -> HashMap<&'static str, HashMap<String, Vec<f64>>> {
    let mut out = HashMap::new();
    let ret = Table::read("inference_returns.csv");
    let mut r = HashMap::new();
    for c in ["eth", "rut", "spy", "qqq"] {
        r.insert(c.to_string(), ret.numbers(c));
    }
    let sq = |v: &Vec<f64>| v.iter().map(|x| x * x).collect::<Vec<f64>>();
    r.insert("eth_sq".into(), sq(&r["eth"]));
    r.insert("spy_sq".into(), sq(&r["spy"]));
    out.insert("returns", r);
    let syn = Table::read("inference_synthetic.csv");
    let mut s = HashMap::new();
    for c in ["m", "c", "d", "a", "b", "ar_x", "ar_y"] {
        s.insert(c.to_string(), syn.numbers(c));
    }
    let map = |v: &Vec<f64>, f: fn(f64) -> f64| v.iter().map(|x| f(*x)).collect::<Vec<f64>>();
    s.insert("big_a".into(), map(&s["a"], |a| 1e9 + a));
    s.insert("big_b".into(), map(&s["b"], |b| -3e9 + 10.0 * b));
    s.insert("tiny_m".into(), map(&s["m"], |m| 1e-9 * m));
    out.insert("synthetic", s);
    out
}

#[test]
fn partial_correlation_matches_pingouin_and_residual_on_residual() {
    let src = sources();
    let t = Table::read("inference_partial.csv");
    let mut rows = 0;
    for rec in t.records() {
        let data = &src[rec["source"]];
        let (s, e) = (
            rec["start"].parse::<usize>().unwrap(),
            rec["end"].parse::<usize>().unwrap(),
        );
        let x = &data[rec["x"]][s..e];
        let y = &data[rec["y"]][s..e];
        let ctrl: Vec<&[f64]> = rec["controls"].split('+').map(|c| &data[c][s..e]).collect();
        let p = partial_corr(x, y, &ctrl).unwrap().unwrap();
        let case = rec["case"];
        assert_eq!(p.n, rec["n"].parse::<usize>().unwrap());
        assert_eq!(p.k, rec["k"].parse::<usize>().unwrap());
        for want in [num(rec["r"]), num(rec["r_resid"])] {
            assert!((p.r - want).abs() <= 1e-10, "{case}: {} vs {want}", p.r);
        }
        let (lo, hi) = p.interval(0.95).unwrap().unwrap();
        assert!((lo - num(rec["lo"])).abs() <= 1e-10, "{case}: lo {lo}");
        assert!((hi - num(rec["hi"])).abs() <= 1e-10, "{case}: hi {hi}");
        let pv = p.p_value().unwrap();
        let want = num(rec["p"]);
        assert!(
            (pv - want).abs() <= 1e-10 * want.max(1e-3),
            "{case}: p {pv} vs {want}"
        );
        rows += 1;
    }
    assert_eq!(rows, 14);
}

#[test]
fn a_control_equal_to_a_leg_is_a_clear_error() {
    let src = sources();
    let r = &src["returns"];
    let err = partial_corr(&r["eth"], &r["rut"], &[&r["spy"], &r["eth"]]).unwrap_err();
    assert!(
        matches!(&err, StatsError::CollinearControl { series, .. } if series == "x"),
        "{err}"
    );
    let twice: Vec<f64> = r["rut"].iter().map(|v| 2.0 * v - 0.001).collect();
    assert!(matches!(
        partial_corr(&r["eth"], &r["rut"], &[&twice]),
        Err(StatsError::CollinearControl { series, .. }) if series == "y"
    ));
}

#[test]
fn rolling_partial_correlation_matches_pingouin_on_every_window() {
    let src = sources();
    let r = &src["returns"];
    let t = Table::read("inference_partial_rolling.csv");
    for w in [30usize, 90] {
        let want = t.numbers(&format!("pcorr_{w}"));
        let got = RollingPartialCorrelation::new(w, 1)
            .unwrap()
            .over(&r["eth"], &r["rut"], &[&r["spy"]])
            .unwrap();
        assert_eq!(got.len(), want.len());
        let mut worst = 0.0f64;
        for (i, (g, w_)) in got.iter().zip(&want).enumerate() {
            match g {
                None => assert!(w_.is_nan(), "{w}: row {i}: None vs {w_}"),
                Some(g) => {
                    worst = worst.max((g - w_).abs());
                    assert!((g - w_).abs() <= 1e-10, "{w}: row {i}: {g} vs {w_}");
                }
            }
        }
        println!("rolling partial {w}: largest deviation from pingouin {worst:.2e}");
    }
}

#[test]
fn block_length_matches_arch() {
    let src = sources();
    let t = Table::read("inference_block_length.csv");
    let mut rows = 0;
    for rec in t.records() {
        let name = rec["series"];
        let data = src["returns"]
            .get(name)
            .or_else(|| src["synthetic"].get(name))
            .unwrap();
        let (s, e) = (
            rec["start"].parse::<usize>().unwrap(),
            rec["end"].parse::<usize>().unwrap(),
        );
        let b = optimal_block_length(&data[s..e]).unwrap().unwrap();
        for (got, want) in [
            (b.stationary, num(rec["stationary"])),
            (b.circular, num(rec["circular"])),
        ] {
            assert!(
                (got - want).abs() <= 1e-8 * want.max(1.0),
                "{name} {s}..{e}: {got} vs {want}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 63);
}

#[test]
fn dependent_correlations_match_psych_r_test() {
    let t = Table::read("inference_steiger.csv");
    for rec in t.records() {
        let n: usize = rec["n"].parse().unwrap();
        let got = dependent_corr_test(num(rec["r12"]), num(rec["r13"]), num(rec["r23"]), n)
            .unwrap()
            .unwrap();
        let case = format!("{} n={n} {} {}", rec["case"], rec["r12"], rec["r13"]);
        assert!((got.t - num(rec["t"])).abs() <= 1e-8, "{case}: t {got:?}");
        assert!((got.p - num(rec["p"])).abs() <= 1e-8, "{case}: p {got:?}");
        assert!((got.z - num(rec["z"])).abs() <= 1e-10, "{case}: z {got:?}");
        assert!(
            (got.p_z - num(rec["p_z"])).abs() <= 1e-10,
            "{case}: p_z {got:?}"
        );
        assert_eq!(got.df, n as f64 - 3.0);
    }
    assert_eq!(t.rows.len(), 28);
}

#[test]
fn fisher_z_test_matches_scipy() {
    let t = Table::read("inference_fisher_test.csv");
    for rec in t.records() {
        let got = fisher_z_test(
            num(rec["r1"]),
            rec["n1"].parse().unwrap(),
            num(rec["r2"]),
            rec["n2"].parse().unwrap(),
        )
        .unwrap()
        .unwrap();
        let (z, p) = (num(rec["z"]), num(rec["p"]));
        assert!((got.z - z).abs() <= 1e-12 * z.abs().max(1.0), "{got:?} {z}");
        assert!((got.p - p).abs() <= 1e-14, "{got:?} {p}");
    }
}

#[test]
fn forbes_rigobon_matches() {
    let t = Table::read("inference_forbes_rigobon.csv");
    for rec in t.records() {
        let delta = variance_increase(num(rec["var_high"]), num(rec["var_low"])).unwrap();
        assert!((delta - num(rec["delta"])).abs() <= 1e-14 * delta.abs().max(1.0));
        let got = forbes_rigobon(num(rec["rho"]), delta).unwrap();
        assert!((got - num(rec["adjusted"])).abs() <= 1e-14, "{got} {rec:?}");
    }
}

/// A bootstrap interval against arch's record (`lo`, `hi`, `se`, named by `case`): each bound
/// within 0.15 of arch's standard error, the standard error within 10% (Monte Carlo error).
fn assert_within_monte_carlo_error(got: &CorrInterval, rec: &HashMap<&str, &str>) {
    let (case, se) = (rec["case"], num(rec["se"]));
    assert!(
        (got.lo - num(rec["lo"])).abs() <= 0.15 * se,
        "{case}: {got:?}"
    );
    assert!(
        (got.hi - num(rec["hi"])).abs() <= 0.15 * se,
        "{case}: {got:?}"
    );
    assert!((got.se / se - 1.0).abs() <= 0.1, "{case}: {got:?}");
}

/// Lockstep's stationary bootstrap (its own generator, 4000 replicates) against arch's
/// (20000 replicates) with the same block length: the percentile bounds agree within Monte
/// Carlo error (the standard error of a 2.5% quantile of B draws is about
/// `se·√(q(1−q)/B)/φ(1.96)`, 0.03·se for B = 4000; allowed: 0.15·se).
#[test]
fn bootstrap_interval_agrees_with_arch_within_monte_carlo_error() {
    let src = sources();
    let r = &src["returns"];
    let t = Table::read("inference_bootstrap.csv");
    for rec in t.records() {
        let (s, e) = (
            rec["start"].parse::<usize>().unwrap(),
            rec["end"].parse::<usize>().unwrap(),
        );
        let (x, y) = (&r[rec["x"]][s..e], &r[rec["y"]][s..e]);
        let block = num(rec["block"]);
        let auto = pair_block_length(x, y).unwrap().unwrap();
        assert!((auto - block).abs() <= 1e-8 * block, "{auto} vs {block}");
        let cfg = BootstrapConfig {
            replications: 4000,
            ..BootstrapConfig::default()
        };
        let got = bootstrap_correlation(x, y, &cfg).unwrap().unwrap();
        let case = rec["case"];
        assert!((got.r - num(rec["r"])).abs() <= 1e-13);
        assert_eq!(got.block_length, auto);
        assert_within_monte_carlo_error(&got, &rec);
        let (flo, fhi) = fisher_interval(got.r, x.len() as f64, 0.95)
            .unwrap()
            .unwrap();
        assert!((flo - num(rec["fisher_lo"])).abs() <= 1e-12);
        assert!((fhi - num(rec["fisher_hi"])).abs() <= 1e-12);
        println!(
            "ETH/^RUT {case} (n = {}): r = {:.4}, stationary bootstrap 95% [{:.4}, {:.4}] \
             (block {:.3}; arch [{:.4}, {:.4}]) against Fisher [{flo:.4}, {fhi:.4}]",
            x.len(),
            got.r,
            got.lo,
            got.hi,
            got.block_length,
            num(rec["lo"]),
            num(rec["hi"])
        );
    }
}

/// One sample's own interval within resamples of the whole series (`BootstrapSuite::samples`,
/// the report's regime intervals) against arch's (`StationaryBootstrap` over all returns, the
/// correlation of the resampled rows in the sample, 20000 replicates): ETH/^RUT on the days
/// after volatile and after calm ^RUT stretches, tested against each other. Within Monte Carlo
/// error, as above.
#[test]
fn a_samples_interval_agrees_with_arch_within_monte_carlo_error() {
    let src = sources();
    let r = &src["returns"];
    let (x, y) = (&r["eth"][..], &r["rut"][..]);
    let masks = Table::read("inference_bootstrap_masks.csv");
    let mask =
        |name: &str| -> Vec<bool> { masks.numbers(name).iter().map(|&v| v == 1.0).collect() };
    let (volatile, calm) = (mask("volatile"), mask("calm"));
    assert_eq!(volatile.len(), x.len());
    let cfg = BootstrapConfig {
        replications: 4000,
        ..BootstrapConfig::default()
    };
    let suite = bootstrap_suite(x, y, &[(&volatile, &calm)], &cfg).unwrap();
    let t = Table::read("inference_bootstrap_sample.csv");
    for (rec, got) in t.records().iter().zip(suite.samples[0]) {
        let got = got.unwrap();
        let case = rec["case"];
        assert!((got.block_length - num(rec["block"])).abs() <= 1e-8 * got.block_length);
        assert!((got.r - num(rec["r"])).abs() <= 1e-13, "{case}: {got:?}");
        assert_within_monte_carlo_error(&got, rec);
        println!(
            "ETH/^RUT {case} days (n = {}): r = {:.4}, 95% [{:.4}, {:.4}] within resamples of \
             all (arch [{:.4}, {:.4}])",
            rec["n"],
            got.r,
            got.lo,
            got.hi,
            num(rec["lo"]),
            num(rec["hi"])
        );
    }
}

/// The headline figures of issue 17 on the real data (printed with `--nocapture`).
#[test]
fn real_data_figures() {
    let src = sources();
    let r = &src["returns"];
    let n = r["eth"].len();
    for (label, s) in [("full period", 0), ("latest 90", n - 90)] {
        let (a, b, c) = (&r["eth"][s..], &r["rut"][s..], &r["spy"][s..]);
        let p = partial_corr(a, b, &[c]).unwrap().unwrap();
        let (lo, hi) = p.interval(0.95).unwrap().unwrap();
        println!(
            "ETH/^RUT {label} (n = {}): raw {:.4}, ETH/SPY {:.4}, partial given SPY {:.4} \
             [{lo:.4}, {hi:.4}] p = {:.3e}",
            a.len(),
            pearson(a, b).unwrap(),
            pearson(a, c).unwrap(),
            p.r,
            p.p_value().unwrap()
        );
        if s == 0 {
            assert!((p.r - 0.0968).abs() < 5e-4);
        } else {
            assert!((p.r - 0.1929).abs() < 5e-4);
        }
    }
    // Is the latest window's correlation different from the full period's? (overlapping)
    let (a, b) = (&r["eth"], &r["rut"]);
    let d = bootstrap_corr_difference(
        a,
        b,
        &latest_window_mask(n, 90),
        &vec![true; n],
        &BootstrapConfig::default(),
    )
    .unwrap()
    .unwrap();
    println!(
        "ETH/^RUT latest 90 against the full period: {:.4} - {:.4} = {:.4}, bootstrap 95% \
         [{:.4}, {:.4}], p = {:.4} (block {:.3}, {} replicates)",
        d.r_a, d.r_b, d.diff, d.lo, d.hi, d.p, d.block_length, d.replications
    );
    assert!(d.diff > 0.2 && d.p < 0.05, "{d:?}");
}
