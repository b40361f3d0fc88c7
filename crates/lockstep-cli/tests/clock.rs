//! The clock end to end on the real files in `../shared/data` (skips with a printed reason
//! when they are absent): ETH-USD's daily closes against IWM's, ETH's 30-minute bars for the
//! exchange clock, IWM's hourly bars for the reaction time; `analyze` and every pair command
//! on the exchange clock, `corr --interval` against the golden intraday values of
//! `scripts/golden_clock.py`, `leadlag --interval`.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{col, lockstep, parse_csv, s};

fn data() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if d.join("intraday").is_dir() {
        Some(d)
    } else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: {} is absent", d.display());
        None
    }
}

#[test]
fn analyze_shows_both_clocks_and_the_reaction_in_hours() {
    let Some(d) = data() else { return };
    let out = lockstep()
        .args([
            "analyze",
            s(&d.join("ETH-USD.daily.csv")),
            s(&d.join("IWM.daily.csv")),
            "--no-liquidity",
            "--no-rate",
            "--intraday-a",
            s(&d.join("intraday/ETHUSDT.binance.30m.csv")),
            "--intraday-b",
            s(&d.join("intraday/IWM.yfinance.1h.csv")),
            "--interval",
            "1h",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Clock: ETH-USD against IWM"), "{text}");
    assert!(
        words.contains("The daily lead of ETH-USD over IWM on the UTC clock (p = 0.0107) disappears on the exchange clock"),
        "{text}"
    );
    assert!(
        words.contains("Reaction time in hours (ETH-USD against IWM, 1h bars within sessions)"),
        "{text}"
    );
    assert!(words.contains("2988 1h returns in 503 sessions"), "{text}");
    let json = lockstep()
        .args([
            "analyze",
            s(&d.join("ETH-USD.daily.csv")),
            s(&d.join("IWM.daily.csv")),
            "--no-liquidity",
            "--no-rate",
            "--intraday-a",
            s(&d.join("intraday/ETHUSDT.binance.30m.csv")),
            "--clock",
            "exchange",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["clocks"]["main"], "exchange");
    assert!(v["intraday"].is_null());
}

#[test]
fn the_exchange_clock_without_intraday_bars_is_an_error() {
    let Some(d) = data() else { return };
    let out = lockstep()
        .args([
            "analyze",
            s(&d.join("ETH-USD.daily.csv")),
            s(&d.join("IWM.daily.csv")),
            "--no-liquidity",
            "--no-rate",
            "--clock",
            "exchange",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--clock exchange"), "{err}");
    let bad = lockstep()
        .args(["analyze", "--interval", "1d"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// The daily files and the intraday files of the clock, as arguments.
fn pair_args(d: &Path) -> Vec<String> {
    [
        d.join("ETH-USD.daily.csv"),
        d.join("IWM.daily.csv"),
        "--intraday-a".into(),
        d.join("intraday/ETHUSDT.binance.30m.csv"),
        "--intraday-b".into(),
        d.join("intraday/IWM.yfinance.1h.csv"),
    ]
    .iter()
    .map(|p| s(p).to_string())
    .collect()
}

/// Run `lockstep` and return stdout, failing with stderr.
fn run(args: &[String]) -> String {
    let out = lockstep().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn args(cmd: &[&str], d: &Path, more: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = cmd.iter().map(|x| x.to_string()).collect();
    v.extend(pair_args(d));
    v.extend(more.iter().map(|x| x.to_string()));
    v
}

/// ETH's 30-minute closes by bar open time (`2024-01-03 20:30`).
fn eth_30m(d: &Path) -> HashMap<String, f64> {
    let text = std::fs::read_to_string(d.join("intraday/ETHUSDT.binance.30m.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f.first()?.get(..16)?.to_string(), f.get(4)?.parse().ok()?))
        })
        .collect()
}

#[test]
fn every_pair_command_runs_on_the_exchange_clock() {
    let Some(d) = data() else { return };
    let ex = ["--clock", "exchange"];
    // corr: the daily CSV contract, dated by exchange dates, ETH at the 16:00 New York close.
    let csv = run(&args(
        &["corr"],
        &d,
        &[&ex[..], &["--format", "csv"]].concat(),
    ));
    let (head, rows) = parse_csv(&csv);
    assert_eq!(head[..3], ["date", "ret_a", "ret_b"]);
    assert_eq!(head.len(), 3 + 4 * 3);
    assert_eq!(
        rows[0][0], "2024-01-02",
        "the exchange clock starts with the bars"
    );
    let eth = eth_30m(&d);
    let row = rows.iter().find(|r| r[0] == "2024-01-04").unwrap();
    // 16:00 New York in January is 21:00 UTC: the bar opening at 20:30.
    let want = (eth["2024-01-04 20:30"] / eth["2024-01-03 20:30"]).ln();
    let got: f64 = row[col(&head, "ret_a")].parse().unwrap();
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    // leadlag: the same returns.
    let js = run(&args(
        &["leadlag"],
        &d,
        &[&ex[..], &["--format", "json"]].concat(),
    ));
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v["n"].as_u64().unwrap() as usize, rows.len() - 1);
    assert_eq!(v["interval"], "1d");
    assert_eq!(v["reaction"]["unit"], "day");
    // regimes, signals, backtest: on the synchronous series too.
    let reg = run(&args(
        &["regimes"],
        &d,
        &[&ex[..], &["--format", "csv", "--no-rate"]].concat(),
    ));
    assert!(
        reg.lines().nth(1).unwrap().starts_with("2024-01-02,"),
        "{reg:.200}"
    );
    // A rule file whose one condition reads ETH's close on each date.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[conditions.px]\nmeasure = \"close_a\"\nop = \">\"\nvalue = 0\n[rules.up]\nall = [\"px\"]\n",
    )
    .unwrap();
    let sig = run(&args(
        &["signals"],
        &d,
        &[
            &ex[..],
            &["--format", "csv", "--no-liquidity", "--rules", s(&rules)],
        ]
        .concat(),
    ));
    let (sh, srows) = parse_csv(&sig);
    assert_eq!(srows[0][0], "2024-01-02");
    let close_a = col(&sh, "px");
    let r = srows.iter().find(|r| r[0] == "2024-01-04").unwrap();
    assert_eq!(r[close_a].parse::<f64>().unwrap(), eth["2024-01-04 20:30"]);
    let bt = run(&args(
        &["backtest"],
        &d,
        &[&ex[..], &["--format", "json", "--no-liquidity"]].concat(),
    ));
    let b: serde_json::Value = serde_json::from_str(&bt).unwrap();
    assert!(bt.contains("2024-01-02"), "{:.300}", b);
    // report and chart: the files are written, the page on the exchange clock.
    let html = dir.path().join("r.html");
    run(&args(
        &["report"],
        &d,
        &[
            &ex[..],
            &["--no-liquidity", "--no-rate", "-q", "--out", s(&html)],
        ]
        .concat(),
    ));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("main report: exchange clock"));
    let svg = dir.path().join("c.svg");
    run(&args(
        &["chart", "correlation"],
        &d,
        &[&ex[..], &["--no-liquidity", "-q", "--out", s(&svg)]].concat(),
    ));
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    // The heatmap has no clock.
    let bad = lockstep()
        .args([
            "chart",
            "heatmap",
            "--universe",
            "A,B",
            "--clock",
            "exchange",
            "--out",
            "h.svg",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn corr_in_hours_is_the_golden_intraday_rolling_correlation() {
    let Some(d) = data() else { return };
    let csv = run(&args(
        &["corr"],
        &d,
        &["--interval", "1h", "--window", "30,120", "--format", "csv"],
    ));
    let (head, rows) = parse_csv(&csv);
    let mut want_head = vec!["time", "ret_a", "ret_b"];
    want_head.extend([
        "corr_30",
        "corr_30_lo",
        "corr_30_hi",
        "beta_30",
        "corr_120",
        "corr_120_lo",
        "corr_120_hi",
        "beta_120",
    ]);
    assert_eq!(head, want_head);
    // The golden file: one row per IWM bar of a regular session at whose end ETH has a price.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let gold =
        std::fs::read_to_string(root.join("test_data/golden/clock_intraday_eth30m_iwm1h.csv"))
            .unwrap();
    let (gh, grows) = parse_csv(&gold);
    assert_eq!(rows.len(), grows.len(), "one row per bar of the grid");
    let cell = |v: &str| (!v.is_empty()).then(|| v.parse::<f64>().unwrap());
    let close = |got: Option<f64>, want: Option<f64>, what: &str, t: &str| match (got, want) {
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= 1e-8 * w.abs().max(1.0),
            "{what} at {t}: {g} vs {w}"
        ),
        (None, None) => {}
        _ => panic!("{what} at {t}: {got:?} vs {want:?}"),
    };
    let mut sessions = std::collections::HashSet::new();
    for (r, g) in rows.iter().zip(&grows) {
        assert_eq!(r[0], g[col(&gh, "time")]);
        // The first bar of each session (a New York date) has no return and no rolling value.
        let t = chrono::DateTime::parse_from_rfc3339(&r[0]).unwrap();
        // The bar's end is in its session (at the latest its close).
        let ny = lockstep_core::new_york_date(t.with_timezone(&chrono::Utc));
        if sessions.insert(ny) {
            assert!(
                r[1..].iter().all(|c| c.is_empty()),
                "first bar of {ny}: {r:?}"
            );
        }
        for name in ["ret_a", "ret_b", "corr_30", "corr_120"] {
            close(
                cell(&r[col(&head, name)]),
                cell(&g[col(&gh, name)]),
                name,
                &r[0],
            );
        }
    }
    assert_eq!(
        sessions.len(),
        503,
        "the sessions of the reaction-time section"
    );
    // The table shows the latest rows, timed by the bar's end.
    let table = run(&args(&["corr"], &d, &["--interval", "1h", "--rows", "3"]));
    assert!(table.starts_with("time (bar end)"), "{table}");
    assert_eq!(table.lines().count(), 1 + 3 + 1, "{table}");
    let js = run(&args(
        &["corr"],
        &d,
        &["--interval", "1h", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v["interval"], "1h");
    assert_eq!(v["time"].as_array().unwrap().len(), rows.len());
    assert!(v["ret_a"][0].is_null());
    // Daily-only options are usage errors with --interval.
    let bad = lockstep()
        .args(["corr", "--interval", "1h", "--align", "weekly"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn leadlag_in_hours_keeps_the_json_contract() {
    let Some(d) = data() else { return };
    let js = run(&args(
        &["leadlag"],
        &d,
        &["--interval", "1h", "--max-lag", "3", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    for key in [
        "a",
        "b",
        "interval",
        "n",
        "max_lag",
        "window",
        "unit",
        "ccf",
        "band",
        "granger",
        "best_lag",
        "rolling_best_lag",
        "reaction",
        "notes",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v.get("reaction_days").is_none());
    assert_eq!(v["interval"], "1h");
    assert_eq!(v["unit"], "1h");
    assert_eq!(v["reaction"]["unit"], "1h");
    assert_eq!(v["n"], 2988);
    assert_eq!(v["best_lag"]["lag"], 0);
    assert!(v["rolling_best_lag"][0].get("time").is_some());
    // The within-session cross-correlation and Granger tests are the golden ones.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let gold = |f: &str| {
        parse_csv(&std::fs::read_to_string(root.join("test_data/golden").join(f)).unwrap())
    };
    let (ch, crows) = gold("clock_intraday_eth30m_iwm1h_ccf.csv");
    let ccf = v["ccf"].as_array().unwrap();
    assert_eq!(ccf.len(), crows.len());
    for (c, g) in ccf.iter().zip(&crows) {
        assert_eq!(c["lag"].to_string(), g[col(&ch, "lag")]);
        let want: f64 = g[col(&ch, "corr")].parse().unwrap();
        assert!((c["corr"].as_f64().unwrap() - want).abs() < 1e-8);
    }
    let (gh, grows) = gold("clock_intraday_eth30m_iwm1h_granger.csv");
    for g in &grows {
        let dir = &g[col(&gh, "direction")];
        let lag: usize = g[col(&gh, "lag")].parse().unwrap();
        let row = &v["granger"][dir.as_str()][lag - 1];
        for key in ["f", "p"] {
            let want: f64 = g[col(&gh, key)].parse().unwrap();
            let got = row[key].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-8 * want.abs().max(1e-300),
                "{dir} {lag} {key}"
            );
        }
    }
    // The table says it in hours.
    let table = run(&args(
        &["leadlag"],
        &d,
        &["--interval", "1h", "--color", "never"],
    ));
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Lead-lag in 1h bars within sessions"),
        "{table}"
    );
    assert!(words.contains("reaction time: median 0 hours"), "{table}");
}

#[test]
fn analyze_in_hours_states_the_reaction_in_plain_words() {
    let Some(d) = data() else { return };
    let text = run(&args(
        &["analyze"],
        &d,
        &[
            "--interval",
            "1h",
            "--no-liquidity",
            "--no-rate",
            "--color",
            "never",
        ],
    ));
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("ETH-USD's hourly returns move with IWM's in the same hour (r = +0.486, n = 2988); the next hour adds +0.047 when IWM leads"),
        "{text}"
    );
    assert!(
        words.contains("no lead beyond one hour is significant."),
        "{text}"
    );
    // The verdict follows the exchange clock and says so.
    assert!(
        words.contains(
            "On the exchange clock (ETH-USD at the close of IWM's exchange), 30-return correlation"
        ),
        "{text}"
    );
    assert!(
        words.contains("On the UTC clock (each leg's own close):"),
        "{text}"
    );
}
