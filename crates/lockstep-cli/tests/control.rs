//! End to end: controlling for a third series (`--control`, the default control of the
//! default pair), the bootstrap intervals (`--bootstrap`, `--seed`) and `lockstep compare`,
//! on constructed series and on the real files of `../shared/data` against the golden values
//! of `test_data/golden` (`scripts/golden_inference.py`: pingouin, arch, R psych).

mod common;

use std::path::PathBuf;

use common::*;

/// A market and two legs that follow it with independent noises: A = m + e₁ (every day),
/// B = m + e₂ (every day), the market on weekdays only (so the three align on weekdays).
fn market_files(dir: &Dir, n: usize) -> (PathBuf, PathBuf, PathBuf) {
    let m = noise(n, 101);
    let (e1, e2) = (noise(n, 202), noise(n, 303));
    let a: Vec<f64> = m.iter().zip(&e1).map(|(m, e)| m + 0.5 * e).collect();
    let b: Vec<f64> = m.iter().zip(&e2).map(|(m, e)| m + 0.5 * e).collect();
    (
        dir.file("a.csv", &Series::daily("2023-01-02", &a, false).csv()),
        dir.file("b.csv", &Series::daily("2023-01-02", &b, false).csv()),
        dir.file("m.csv", &Series::daily("2023-01-02", &m, true).csv()),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON: {e}: {text}"))
}

#[test]
fn the_shared_market_is_removed() {
    let dir = Dir::new();
    let (a, b, m) = market_files(&dir, 700);
    let v = json(&ok_stdout(&[
        "analyze",
        s(&a),
        s(&b),
        "--control",
        s(&m),
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]));
    let c = &v["control"];
    let raw = c["raw"].as_f64().unwrap();
    let partial = c["partial"].as_f64().unwrap();
    assert!(raw > 0.6, "raw {raw}");
    assert!(partial.abs() < 0.1, "partial {partial}");
    assert_eq!(c["controls"][0], "m");
    assert_eq!(c["default"], false);
    // The interval holds 0 and is the Fisher interval on n − 3 − 1 degrees of freedom.
    let (lo, hi) = (c["lo"].as_f64().unwrap(), c["hi"].as_f64().unwrap());
    assert!(lo < 0.0 && hi > 0.0, "[{lo}, {hi}]");
    let n = c["n"].as_f64().unwrap();
    let half = 1.959963984540054 / (n - 4.0).sqrt();
    assert!(((partial.atanh() - half).tanh() - lo).abs() < 1e-12);
    // The rows are the dates all three have: weekdays only.
    assert_eq!(v["period"]["dates"], 500, "700 days hold 500 weekdays");
    // Without the control, every day.
    let v = json(&ok_stdout(&[
        "analyze",
        s(&a),
        s(&b),
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]));
    assert!(v.get("control").is_none());
    assert_eq!(v["period"]["dates"], 700);
    // In words: what is left beyond the market.
    let text = ok_stdout(&["analyze", s(&a), s(&b), "--control", s(&m)]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Beyond the market: partial correlation given m"),
        "{text}"
    );
    assert!(text.contains("beyond what both share with m"), "{text}");
}

#[test]
fn a_control_equal_to_a_leg_is_an_error_naming_it() {
    let dir = Dir::new();
    let (a, b, m) = market_files(&dir, 200);
    for cmd in ["corr", "analyze", "regimes"] {
        let err = fails(&[cmd, s(&a), s(&b), "--control", s(&a)]);
        assert!(err.contains("cannot control for a"), "{cmd}: {err}");
        assert!(err.contains("leg A (a)"), "{cmd}: {err}");
        assert!(!err.contains("NaN"), "{cmd}: {err}");
    }
    let err = fails(&["corr", s(&a), s(&b), "--control", s(&b)]);
    assert!(err.contains("leg B (b)"), "{err}");
    // A control that repeats another.
    let err = fails(&["corr", s(&a), s(&b), "--control", s(&m), "--control", s(&m)]);
    assert!(err.contains("cannot control for m"), "{err}");
    // A control that cannot be read names its file.
    let err = fails(&["corr", s(&a), s(&b), "--control", "missing.csv"]);
    assert!(err.contains("cannot load the control missing.csv"), "{err}");
    // --no-control and --control together are a usage error.
    usage(&["analyze", s(&a), s(&b), "--control", s(&m), "--no-control"]);
}

#[test]
fn corr_csv_keeps_its_columns_and_appends_the_partial_ones() {
    let dir = Dir::new();
    let (a, b, m) = market_files(&dir, 300);
    let plain = ok_stdout(&["corr", s(&a), s(&b), "--window", "20,60", "--format", "csv"]);
    let ctl = ok_stdout(&[
        "corr",
        s(&a),
        s(&b),
        "--window",
        "20,60",
        "--control",
        s(&m),
        "--format",
        "csv",
    ]);
    let (h0, _) = parse_csv(&plain);
    let (h, rows) = parse_csv(&ctl);
    assert_eq!(
        h0.join(","),
        "date,ret_a,ret_b,corr_20,corr_20_lo,corr_20_hi,beta_20,corr_60,corr_60_lo,corr_60_hi,\
         beta_60"
    );
    assert_eq!(
        h.join(","),
        format!(
            "{},pcorr_20,pcorr_20_lo,pcorr_20_hi,pcorr_60,pcorr_60_lo,pcorr_60_hi",
            h0.join(",")
        )
    );
    // Weekdays only: the dates all three have.
    assert!(rows.iter().all(|r| {
        let d = day(&r[0]);
        weekday(d) < 5
    }));
    assert_eq!(rows.len(), 215, "300 days from a Monday hold 215 weekdays");
    // The warm-up is empty, then every partial value sits inside its interval.
    let (p, lo, hi) = (
        col(&h, "pcorr_20"),
        col(&h, "pcorr_20_lo"),
        col(&h, "pcorr_20_hi"),
    );
    assert!(rows[..20].iter().all(|r| r[p].is_empty()));
    for r in &rows[20..] {
        let (v, l, u) = (num(&r[p]), num(&r[lo]), num(&r[hi]));
        assert!(l < v && v < u && v.abs() < 0.8, "{r:?}");
    }
    // The table names the control.
    let t = ok_stdout(&["corr", s(&a), s(&b), "--control", s(&m), "--rows", "3"]);
    assert!(
        t.contains("pcorr_30") && t.contains("partial correlation given m"),
        "{t}"
    );
}

/// The aligned files of the real data, or `None` (skipped).
fn real() -> Option<(PathBuf, PathBuf, PathBuf, PathBuf)> {
    Some((
        shared("ETH-USD.daily.csv")?,
        shared("RUT.daily.csv")?,
        shared("SPY.daily.csv")?,
        shared("QQQ.daily.csv")?,
    ))
}

/// The rows of a golden CSV of `test_data/golden`.
fn golden(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = lockstep_testkit::shared_data::workspace_root(env!("CARGO_MANIFEST_DIR"))
        .join("test_data/golden")
        .join(name);
    parse_csv(&std::fs::read_to_string(&path).expect("golden file"))
}

/// The value of column `c` in the golden row whose cells include every one of `keys`.
fn golden_value(name: &str, keys: &[&str], c: &str) -> f64 {
    let (h, rows) = golden(name);
    let row = rows
        .iter()
        .find(|r| keys.iter().all(|k| r.iter().any(|x| x == k)))
        .unwrap_or_else(|| panic!("{keys:?} in {name}"));
    num(&row[col(&h, c)])
}

#[test]
fn eth_and_the_russell_given_the_sp500_equal_the_golden_values() {
    let Some((eth, rut, spy, _)) = real() else {
        return;
    };
    let partial = |case: &str, c: &str| {
        golden_value(
            "inference_partial.csv",
            &["returns", case, "eth", "rut", "spy"],
            c,
        )
    };
    let v = json(&ok_stdout(&[
        "analyze",
        s(&eth),
        s(&rut),
        "--control",
        s(&spy),
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]));
    let c = &v["control"];
    assert_eq!(c["n"], 2080);
    for (key, col) in [("partial", "r"), ("lo", "lo"), ("hi", "hi"), ("p", "p")] {
        let got = c[key].as_f64().unwrap();
        let want = partial("full", col);
        assert!((got - want).abs() < 1e-10, "{key}: {got} vs {want}");
    }
    let w90 = &c["windows"][2];
    assert_eq!(w90["window"], 90);
    assert!((w90["partial"].as_f64().unwrap() - partial("latest90", "r")).abs() < 1e-10);
    assert!((w90["lo"].as_f64().unwrap() - partial("latest90", "lo")).abs() < 1e-10);
    // Every rolling value of the corr CSV, against pingouin on each window.
    let csv = ok_stdout(&[
        "corr",
        s(&eth),
        s(&rut),
        "--control",
        s(&spy),
        "--window",
        "30,90",
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&csv);
    let (gh, grows) = golden("inference_partial_rolling.csv");
    assert_eq!(
        rows.len(),
        grows.len() + 1,
        "one row per return plus the first date"
    );
    let mut compared = 0;
    for (r, g) in rows[1..].iter().zip(&grows) {
        assert_eq!(r[0], g[0]);
        for w in ["30", "90"] {
            let (mine, theirs) = (
                &r[col(&h, &format!("pcorr_{w}"))],
                &g[col(&gh, &format!("pcorr_{w}"))],
            );
            assert_eq!(mine.is_empty(), theirs.is_empty(), "{} {w}", r[0]);
            if !mine.is_empty() {
                assert!((num(mine) - num(theirs)).abs() < 1e-10, "{} {w}", r[0]);
                compared += 1;
            }
        }
    }
    assert_eq!(compared, (2080 - 29) + (2080 - 89));
    let last = rows.last().unwrap();
    assert!((num(&last[col(&h, "pcorr_90")]) - 0.19285167731886813).abs() < 1e-10);
    // In plain words (the lines rejoined).
    let text = ok_stdout(&["analyze", s(&eth), s(&rut), "--control", s(&spy)]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("0.54 raw; 0.19 beyond what both share with the S&P 500 (SPY)"),
        "{text}"
    );
    assert!(
        text.contains("0.32 raw; 0.10 beyond what both share with the S&P 500 (SPY)"),
        "{text}"
    );
}

#[test]
fn the_bootstrap_is_reproducible_and_agrees_with_arch() {
    let Some((eth, rut, _, _)) = real() else {
        return;
    };
    let run = |seed: &str| {
        json(&ok_stdout(&[
            "analyze",
            s(&eth),
            s(&rut),
            "--seed",
            seed,
            "--format",
            "json",
        ]))["inference"]
            .clone()
    };
    let (a, b, c) = (run("7"), run("7"), run("8"));
    assert_eq!(a, b, "the same seed gives the same intervals and tests");
    // Whatever the number of threads.
    let one = lockstep()
        .env("RAYON_NUM_THREADS", "1")
        .args([
            "analyze",
            s(&eth),
            s(&rut),
            "--seed",
            "7",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&String::from_utf8(one).unwrap())["inference"], a);
    assert_ne!(a["full"]["boot_lo"], c["full"]["boot_lo"]);
    let full = &a["full"];
    // The block length is arch's (the larger of the two legs', ^RUT's here).
    let block = golden_value(
        "inference_block_length.csv",
        &["rut", "0", "2080"],
        "stationary",
    );
    assert!((full["block_length"].as_f64().unwrap() - block).abs() < 1e-8);
    // The percentile interval agrees with arch's (20000 resamples) within Monte Carlo error
    // of 999 resamples, and is wider than Fisher's.
    let arch = |c: &str| golden_value("inference_bootstrap.csv", &["eth", "rut", "full"], c);
    for (k, c) in [
        ("boot_lo", "lo"),
        ("boot_hi", "hi"),
        ("fisher_lo", "fisher_lo"),
    ] {
        let (got, want) = (full[k].as_f64().unwrap(), arch(c));
        let tol = if k.starts_with("fisher") { 1e-12 } else { 0.02 };
        assert!((got - want).abs() < tol, "{k}: {got} vs {want}");
    }
    // The latest 90 returns against the returns before them: golden Fisher z test.
    let ch = &a["changes"][2];
    assert_eq!(ch["window"], 90);
    let p = golden_value(
        "inference_fisher_test.csv",
        &["eth:rut:latest90-vs-before"],
        "p",
    );
    assert!((ch["fisher"]["fisher_p"].as_f64().unwrap() - p).abs() < 1e-10);
    assert!(ch["boot_p"].as_f64().unwrap() < 0.05);
    // --bootstrap 0 leaves it out; the verdict then reads Fisher's interval.
    let off = json(&ok_stdout(&[
        "analyze",
        s(&eth),
        s(&rut),
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]));
    assert!(off.get("inference").is_none());
    // The verdict never says more than the interval: r = 0.52 on 30 returns whose bootstrap
    // range reaches 0.
    let text = ok_stdout(&["analyze", s(&eth), s(&rut)]);
    let verdict = &text[text.find("\nVerdict").expect("verdict")..];
    let verdict = &verdict[..verdict[1..].find("\n\n").map_or(verdict.len(), |i| i + 1)];
    assert!(!verdict.contains("lockstep"), "{verdict}");
    assert!(verdict.contains("(r = 0.52, plausible range"), "{verdict}");
}

#[test]
fn compare_tests_the_candidates_against_the_first() {
    let Some((eth, rut, spy, qqq)) = real() else {
        return;
    };
    let v = json(&ok_stdout(&[
        "compare",
        s(&eth),
        s(&rut),
        s(&spy),
        s(&qqq),
        "--control",
        s(&spy),
        "--format",
        "json",
    ]));
    assert_eq!(v["n"], 2080);
    let cands = v["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 3);
    let steiger = |case: &str, c: &str| golden_value("inference_steiger.csv", &[case], c);
    for (j, name) in [(1, "spy"), (2, "qqq")] {
        for (k, period) in [(0, "full"), (1, "latest90")] {
            let case = format!("eth:rut-vs-eth:{name}:{period}");
            let t = &cands[j]["periods"][k]["vs_first"];
            for (key, c) in [("t", "t"), ("p", "p"), ("z", "z"), ("p_z", "p_z")] {
                let (got, want) = (t[key].as_f64().unwrap(), steiger(&case, c));
                assert!((got - want).abs() < 1e-8, "{case} {key}: {got} vs {want}");
            }
        }
    }
    // ^RUT's partial correlation given SPY is the golden one; SPY's own is undefined.
    let p = cands[0]["periods"][0]["partial"]["r"].as_f64().unwrap();
    let want = golden_value(
        "inference_partial.csv",
        &["returns", "full", "eth", "rut", "spy"],
        "r",
    );
    assert!((p - want).abs() < 1e-10);
    assert!(cands[1]["periods"][0]["partial"].is_null());
    // The CSV: one row per candidate and period.
    let csv = ok_stdout(&[
        "compare",
        s(&eth),
        s(&rut),
        s(&spy),
        s(&qqq),
        "--control",
        s(&spy),
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(
        h.join(","),
        "candidate,period,n,corr,corr_lo,corr_hi,pcorr,pcorr_lo,pcorr_hi,t_vs_first,p_vs_first,\
         z_vs_first,p_z_vs_first"
    );
    assert_eq!(rows.len(), 6);
    assert_eq!((rows[0][0].as_str(), rows[0][1].as_str()), ("RUT", "all"));
    assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("90", "90"));
    // The table, and the chart.
    let t = ok_stdout(&["compare", s(&eth), s(&rut), s(&spy), s(&qqq)]);
    assert!(
        t.contains("Full period (2017-11-09 .. 2026-02-23, 2080 returns)"),
        "{t}"
    );
    assert!(t.contains("ETH-USD and SPY: positively correlated"), "{t}");
    let dir = Dir::new();
    let out = dir.0.path().join("compare.svg");
    lockstep()
        .args([
            "-q",
            "chart",
            "compare",
            s(&eth),
            s(&rut),
            s(&spy),
            s(&qqq),
            "--control",
            s(&spy),
            "--window",
            "90",
            "--out",
            s(&out),
        ])
        .assert()
        .success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("data-chart=\"compare\""));
    assert!(svg.contains("ETH-USD against each candidate (partial given SPY)"));
}

#[test]
fn the_default_pair_is_controlled_for_the_sp500() {
    // The default pair's symbols imported from constructed files: ETH-USD every day, ^RUT
    // and SPY on weekdays, all following one market.
    let dir = Dir::new();
    let home = tempfile::tempdir().unwrap();
    let n = 400;
    let m = noise(n, 5);
    let (e1, e2) = (noise(n, 6), noise(n, 7));
    let leg = |e: &[f64]| -> Vec<f64> { m.iter().zip(e).map(|(m, e)| m + 0.5 * e).collect() };
    let files = [
        ("ETH-USD", Series::daily("2023-01-02", &leg(&e1), false)),
        ("^RUT", Series::daily("2023-01-02", &leg(&e2), true)),
        ("SPY", Series::daily("2023-01-02", &m, true)),
    ];
    let import = |sym: &str, ser: &Series| {
        let f = dir.file(&format!("{}.csv", sym.replace('^', "")), &ser.csv());
        at(home.path())
            .args(["import", sym, s(&f)])
            .assert()
            .success();
    };
    import(files[0].0, &files[0].1);
    import(files[1].0, &files[1].1);
    // Without SPY in the store: a note, not an error.
    let v = json(
        &String::from_utf8(
            at(home.path())
                .args([
                    "--offline",
                    "analyze",
                    "--format",
                    "json",
                    "--bootstrap",
                    "0",
                ])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone(),
        )
        .unwrap(),
    );
    let note = v["control"]["note"].as_str().unwrap();
    assert!(
        note.contains("the default control SPY is not available"),
        "{note}"
    );
    import(files[2].0, &files[2].1);
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--offline"];
        all.extend_from_slice(args);
        all.extend(["--format", "json"]);
        json(
            &String::from_utf8(
                at(home.path())
                    .args(&all)
                    .assert()
                    .success()
                    .get_output()
                    .stdout
                    .clone(),
            )
            .unwrap(),
        )
    };
    let v = run(&["analyze"]);
    assert_eq!(v["control"]["controls"][0], "SPY");
    assert_eq!(v["control"]["default"], true);
    assert!(v["control"]["partial"].as_f64().unwrap().abs() < 0.15);
    assert!(v["control"]["raw"].as_f64().unwrap() > 0.6);
    // --no-control switches it off; another pair has no default; corr never adds one.
    assert!(run(&["analyze", "--no-control"]).get("control").is_none());
    assert!(run(&["analyze", "ETH-USD", "SPY"]).get("control").is_none());
    assert!(run(&["corr"]).get("control").is_none());
    // config.toml's [controls] gives other pairs one by asset class (B's class first).
    std::fs::write(
        home.path().join("config.toml"),
        "[controls]\netf = \"^RUT\"\n",
    )
    .unwrap();
    let v = run(&["analyze", "ETH-USD", "SPY"]);
    assert_eq!(v["control"]["controls"][0], "^RUT");
    // A class set to [] turns the built-in default off.
    std::fs::write(home.path().join("config.toml"), "[controls]\nindex = []\n").unwrap();
    assert!(run(&["analyze"]).get("control").is_none());
}
