//! Every intraday export of `../shared/data/intraday` through the command line (skips with a
//! printed reason when the folder is absent): each loads as a leg of `lockstep analyze` with
//! the options its PROVENANCE.md quirks need, and without them fails with an error naming the
//! file and the line (and the column, when a cell is at fault). Then the pair on the intraday
//! files alone, both legs given only as bars: the README's figures and the golden values of
//! `scripts/golden_clock.py`.

mod common;

use std::path::Path;

use common::{lockstep, s, shared};
use serde_json::Value;

/// The options a file needs, and for each option left out, the start of the error that
/// follows (after `FILE:`).
fn needs(name: &str) -> (&'static [&'static str], Vec<(&'static str, &'static str)>) {
    match name {
        // Naive New York wall times; 22 rows whose time of day Excel dropped.
        "IWM.1m.2019-10_2020-06.csv" => (
            &["--tz", "America/New_York", "--skip-bad-rows"],
            vec![
                (
                    "--tz",
                    "2: column 1 (Date): \"10/21/2019 9:30\" has no UTC offset",
                ),
                (
                    "--skip-bad-rows",
                    "152: column 1 (Date): \"10/21/2019\" is a date without a time of day",
                ),
            ],
        ),
        // Four duplicated hours in 2017.
        "ETHUSDT.binance.cdd.1h.2017-2020.csv" => (
            &["--dedupe", "last"],
            vec![(
                "--dedupe",
                "26125: duplicate timestamp 2017-09-26T22:00:00Z (also on line 26124)",
            )],
        ),
        _ => (&[], Vec::new()),
    }
}

/// `analyze FILE FILE` (the file as both legs) with `flags`.
fn analyze_itself(file: &Path, flags: &[&str]) -> std::process::Output {
    lockstep()
        .args(["analyze", s(file), s(file), "--window", "5"])
        .args(["--no-rate", "--no-liquidity", "--format", "json"])
        .args(flags)
        .output()
        .unwrap()
}

#[test]
fn every_intraday_file_loads_or_says_where_it_fails() {
    let Some(dir) = shared("intraday") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (flags, errors) = needs(name);
        let out = analyze_itself(file, flags);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name} {flags:?}: {err}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let days = v["a"]["observations"].as_u64().unwrap();
        assert!(days >= 20, "{name}: {days} daily closes");
        // Its daily closes came from its bars.
        assert_eq!(v["a"]["format"], "intraday", "{name}");
        for (left_out, at) in errors {
            let mut fewer: Vec<&str> = Vec::new();
            let mut i = 0;
            while i < flags.len() {
                let takes_value = !flags[i].starts_with("--skip");
                if flags[i] != left_out {
                    fewer.push(flags[i]);
                    if takes_value {
                        fewer.push(flags[i + 1]);
                    }
                }
                i += if takes_value { 2 } else { 1 };
            }
            let out = analyze_itself(file, &fewer);
            assert_eq!(out.status.code(), Some(1), "{name} without {left_out}");
            let err = String::from_utf8_lossy(&out.stderr);
            let want = format!("error: {}:{at}", file.display());
            assert!(
                err.lines().any(|l| l.starts_with(&want)),
                "{name} without {left_out}: {err}\nwanted: {want}"
            );
        }
    }
}

/// The golden value of `column` on `date` and `clock` in
/// `test_data/golden/clock_daily_eth_iwm_1h.csv`.
fn golden(date: &str, clock: &str, column: &str) -> f64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test_data/golden/clock_daily_eth_iwm_1h.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == column).unwrap();
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == date && r[1] == clock)
        .map(|r| r[col].parse().unwrap())
        .unwrap()
}

#[test]
fn the_intraday_files_alone_compare_both_clocks() {
    let (Some(eth), Some(iwm)) = (
        shared("intraday/ETHUSDT.binance.1h.csv"),
        shared("intraday/IWM.yfinance.1h.csv"),
    ) else {
        return;
    };
    let out = lockstep()
        .args(["analyze", s(&eth), s(&iwm), "--no-rate", "--no-liquidity"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // IWM's half days (their 12:30-13:00 half hour is missing) and the last, partial
    // session have no close, counted.
    assert!(
        err.contains("IWM.yfinance.1h.csv: 7 session(s) whose bars stop before the session's close have no daily close (first 2024-07-03)"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["clocks"];
    let w30 = &c["windows"][0];
    assert_eq!(w30["window"], 30);
    for clock in ["utc", "exchange"] {
        assert_eq!(w30[clock]["date"], "2025-12-31");
        let got = w30[clock]["corr"].as_f64().unwrap();
        let want = golden("2025-12-31", clock, "corr_30");
        assert!((got - want).abs() < 1e-10, "{clock}: {got} vs {want}");
    }
    // The README's figures.
    let text = lockstep()
        .args(["analyze", s(&eth), s(&iwm), "--no-rate", "--no-liquidity"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let row = text
        .lines()
        .skip_while(|l| !l.starts_with("Clock:"))
        .find(|l| l.trim_start().starts_with("30 "))
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("+0.450") && row.contains("+0.364"),
        "{row}\n{text}"
    );
}

#[test]
fn the_reaction_in_hours_from_the_intraday_files_alone() {
    let (Some(eth), Some(eth30), Some(iwm)) = (
        shared("intraday/ETHUSDT.binance.1h.csv"),
        shared("intraday/ETHUSDT.binance.30m.csv"),
        shared("intraday/IWM.yfinance.1h.csv"),
    ) else {
        return;
    };
    // ETH's 30-minute bars end where IWM's hours (09:30, 10:30, ..) end.
    let out = lockstep()
        .args(["analyze", s(&eth30), s(&iwm), "--interval", "1h"])
        .args(["--no-rate", "--no-liquidity", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["intraday"]["returns"], 2988);
    assert_eq!(v["intraday"]["sessions"], 503);
    let w30 = &v["clocks"]["windows"][0];
    for clock in ["utc", "exchange"] {
        let got = w30[clock]["corr"].as_f64().unwrap();
        let want = golden("2025-12-31", clock, "corr_30");
        assert!((got - want).abs() < 1e-10, "{clock}: {got} vs {want}");
    }
    // ETH's hourly bars end on the hour, IWM's on the half hour: refused, naming the
    // finer bars to use.
    let out = lockstep()
        .args(["analyze", s(&eth), s(&iwm), "--interval", "1h"])
        .args(["--no-rate", "--no-liquidity"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("e.g. 30m or 5m bars"), "{err}");
    // Bars of another interval than --interval for the exchange leg given as bars.
    let out = lockstep()
        .args(["analyze", s(&eth30), s(&iwm), "--interval", "30m"])
        .args(["--no-rate", "--no-liquidity"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--interval 30m: ") && err.contains("holds 1h bars, not 30m"),
        "{err}"
    );
}
