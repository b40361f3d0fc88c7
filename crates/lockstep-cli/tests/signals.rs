//! End-to-end tests of `lockstep signals` and `lockstep backtest`: no look-ahead through the
//! whole pipeline (changing the data after a date changes nothing on or before it), an
//! always-true rule equals buy-and-hold minus the entry cost, rule-file errors with lines, and
//! the CSV/JSON contracts.

mod common;

use std::path::PathBuf;

use common::*;

/// A and B (every day, 400 days) with a volume column, as OHLCV CSV files.
fn pair_files(dir: &Dir, tag: &str, a: &[f64], b: &[f64]) -> (PathBuf, PathBuf) {
    let csv = |p: &[f64]| {
        let mut s = String::from("Date,Open,High,Low,Close,Volume\n");
        for (i, c) in p.iter().enumerate() {
            let v = 1000.0 + 500.0 * ((i * 7919) % 13) as f64;
            s.push_str(&format!(
                "{},{c},{},{},{c},{v}\n",
                civil(day("2023-01-01") + i as i64),
                c * 1.01,
                c * 0.99
            ));
        }
        s
    };
    (
        dir.file(&format!("a{tag}.csv"), &csv(a)),
        dir.file(&format!("b{tag}.csv"), &csv(b)),
    )
}

fn rows_until(csv: &str, date: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .filter(|l| &l[..10] <= date)
        .map(String::from)
        .collect()
}

#[test]
fn nothing_on_or_before_a_date_depends_on_later_data() {
    let dir = Dir::new();
    let (a, b) = correlated_pair(400);
    let (fa, fb) = pair_files(&dir, "1", &a.prices, &b.prices);
    // The same history up to day 299, then something else entirely.
    let cut = 299;
    let mut a2 = a.prices.clone();
    let mut b2 = b.prices.clone();
    for i in cut + 1..400 {
        a2[i] = a.prices[cut] * (1.0 + 0.3 * ((i as f64) * 0.7).sin());
        b2[i] = b.prices[cut] * (1.0 - 0.2 * ((i as f64) * 0.3).cos());
    }
    let (ga, gb) = pair_files(&dir, "2", &a2, &b2);
    let date = civil(day("2023-01-01") + cut as i64);
    for cmd in ["signals", "backtest"] {
        let run = |x: &PathBuf, y: &PathBuf| {
            ok_stdout(&[
                cmd,
                s(x),
                s(y),
                "--format",
                "csv",
                "--no-rate",
                "--no-liquidity",
            ])
        };
        let (full, changed) = (run(&fa, &fb), run(&ga, &gb));
        assert_ne!(full, changed, "{cmd}: the later data must matter somewhere");
        let (p, q) = (rows_until(&full, &date), rows_until(&changed, &date));
        assert_eq!(p.len(), cut + 1);
        assert_eq!(p, q, "{cmd}: rows on or before {date} changed");
    }
}

#[test]
fn always_true_rule_is_buy_and_hold_minus_the_entry_cost() {
    let dir = Dir::new();
    let (a, b) = correlated_pair(200);
    let (fa, fb) = pair_files(&dir, "", &a.prices, &b.prices);
    let strategy = dir.file(
        "always.toml",
        "[conditions.up]\nmeasure = \"close_a\"\nop = \">\"\nvalue = 0\n\n\
         [rules.always]\nall = [\"up\"]\n\n[strategy]\nlong = \"always\"\nfees_bps = 10\n\
         slippage_bps = 5\n",
    );
    let csv = ok_stdout(&[
        "backtest",
        s(&fa),
        s(&fb),
        "--strategy",
        s(&strategy),
        "--format",
        "csv",
        "--no-rate",
        "--no-liquidity",
    ]);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(h[..5], ["date", "position", "return", "equity", "drawdown"]);
    let (pos, eq) = (col(&h, "position"), col(&h, "equity"));
    // Signal true from day 0; with the default delay 1 the position is 1 from day 1 on.
    assert_eq!(num(&rows[0][pos]), 0.0);
    assert!(rows[1..].iter().all(|r| num(&r[pos]) == 1.0));
    let c = 15e-4;
    for (i, r) in rows.iter().enumerate().skip(1) {
        let expect = (1.0 - c) * a.prices[i] / a.prices[1];
        assert!(
            (num(&r[eq]) - expect).abs() < 1e-12 * expect,
            "day {i}: {}",
            r[eq]
        );
    }
    // --fees 0 --slippage 0: exactly the price path from day 1.
    let out = json(&ok_stdout(&[
        "backtest",
        s(&fa),
        s(&fb),
        "--strategy",
        s(&strategy),
        "--fees",
        "0",
        "--slippage",
        "0",
        "--format",
        "json",
        "--no-rate",
        "--no-liquidity",
    ]));
    let total = out["full"]["strategy"]["total_return"].as_f64().unwrap();
    assert!((total - (a.prices[199] / a.prices[1] - 1.0)).abs() < 1e-12);
    assert_eq!(out["full"]["strategy"]["trades"], 1);
    assert_eq!(out["periods_per_year"], 365.0);
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn rule_files_errors_and_contracts() {
    let dir = Dir::new();
    let (a, b) = correlated_pair(150);
    let (fa, fb) = pair_files(&dir, "", &a.prices, &b.prices);
    let base = |extra: &[&str]| {
        let mut v = vec!["signals", s(&fa), s(&fb), "--no-rate", "--no-liquidity"];
        v.extend_from_slice(extra);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    // An unknown field names its line.
    let bad = dir.file(
        "bad.toml",
        "[conditions.c]\nmeasure = \"corr_30\"\nopp = \">\"\nvalue = 0.5\n[rules.r]\nall = [\"c\"]\n",
    );
    let v = base(&["--rules", s(&bad)]);
    let err = fails(&strs(&v));
    assert!(
        err.contains("bad.toml") && err.contains("line 3") && err.contains("opp"),
        "{err}"
    );
    // An unknown measurement is reported with the closest known names.
    let unknown = dir.file(
        "unknown.toml",
        "[conditions.c]\nmeasure = \"corr_31\"\nop = \">\"\nvalue = 0.5\n[rules.r]\nall = [\"c\"]\n",
    );
    let v = base(&["--rules", s(&unknown)]);
    let err = fails(&strs(&v));
    assert!(err.contains("corr_31") && err.contains("corr_30"), "{err}");
    // CSV: first column date, one row per aligned date, rule columns.
    let v = base(&["--format", "csv"]);
    let (h, rows) = parse_csv(&ok_stdout(&strs(&v)));
    assert_eq!(h[0], "date");
    assert_eq!(rows.len(), 150);
    assert!(h.iter().any(|c| c == "rule:synchronized-breakout"), "{h:?}");
    // Without liquidity data the breakout rule is never true (unknown, not true).
    let k = col(&h, "rule:synchronized-breakout");
    assert!(rows.iter().all(|r| r[k] != "true"));
    // JSON and table.
    let v = base(&["--format", "json"]);
    let out = json(&ok_stdout(&strs(&v)));
    assert_eq!(out["current"]["date"], rows[149][0].as_str());
    let v = base(&[]);
    let table = ok_stdout(&strs(&v));
    assert!(
        table.contains("synchronized-breakout") && table.contains("unknown"),
        "{table}"
    );
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    // A strategy file with an unknown field names the file, the line and the field; one that
    // names an unknown rule is rejected too.
    let bad = dir.file(
        "bad_strategy.toml",
        "[strategy]\nlong = \"strong-b\"\nleverage = 2\n",
    );
    let err = fails(&[
        "backtest",
        s(&fa),
        s(&fb),
        "--no-rate",
        "--no-liquidity",
        "--strategy",
        s(&bad),
    ]);
    assert!(
        err.contains("bad_strategy.toml") && err.contains("line 3") && err.contains("leverage"),
        "{err}"
    );
    let unknown = dir.file("unknown_rule.toml", "[strategy]\nlong = \"no-such-rule\"\n");
    let err = fails(&[
        "backtest",
        s(&fa),
        s(&fb),
        "--no-rate",
        "--no-liquidity",
        "--strategy",
        s(&unknown),
    ]);
    assert!(err.contains("no-such-rule"), "{err}");
    let table = ok_stdout(&[
        "backtest",
        s(&fa),
        s(&fb),
        "--no-rate",
        "--no-liquidity",
        "--split",
        "2023-03-01",
    ]);
    assert!(table.contains("out-of-sample 2023-03-01"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

/// A last bar with zero volume where volume is normally positive is flagged in the report and
/// left out of the volume statistics (`rel_volume_b` undefined on that date) unless
/// `--include-partial`; the signals CSV says which Wednesday each liquidity value is from.
#[test]
fn a_partial_last_bar_is_flagged_and_left_out_of_volume() {
    let dir = Dir::new();
    let (a, b) = correlated_pair(150);
    let (fa, fb) = pair_files(&dir, "p", &a.prices, &b.prices);
    // B's last row gets zero volume.
    let text = std::fs::read_to_string(&fb).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let last = lines.pop().unwrap();
    let (head, _) = last.rsplit_once(',').unwrap();
    let date = last[..10].to_string();
    lines.push(format!("{head},0"));
    std::fs::write(&fb, lines.join("\n") + "\n").unwrap();
    let rules = dir.file(
        "vol.toml",
        "[conditions.vb]\nmeasure = \"rel_volume_b\"\nop = \">=\"\nvalue = 0\n[rules.r]\nall = [\"vb\"]\n",
    );
    let run = |cmd: &str, extra: &[&str]| {
        let mut v = vec![cmd, s(&fa), s(&fb), "--no-rate", "--no-liquidity"];
        v.extend_from_slice(extra);
        ok_stdout(&v)
    };
    let flagged = format!("last bar of bp on {date} looks partial: zero volume");
    let out = run("analyze", &[]);
    assert!(
        out.contains(&flagged) && out.contains("left out of"),
        "{out}"
    );
    let kept = run("analyze", &["--include-partial"]);
    assert!(
        kept.contains(&flagged) && kept.contains("kept in"),
        "{kept}"
    );
    // The measurement on the partial date: undefined by default, 0 with the flag.
    let value = |extra: &[&str]| {
        let mut e = vec!["--rules", s(&rules), "--format", "csv"];
        e.extend_from_slice(extra);
        let (h, rows) = parse_csv(&run("signals", &e));
        let row = rows.last().unwrap().clone();
        assert_eq!(row[0], date);
        row[col(&h, "vb")].clone()
    };
    assert_eq!(value(&[]), "");
    assert_eq!(value(&["--include-partial"]), "0");
    // A series whose last volume is positive is not flagged.
    let (fa2, fb2) = pair_files(&dir, "q", &a.prices, &b.prices);
    let out = ok_stdout(&["analyze", s(&fa2), s(&fb2), "--no-rate", "--no-liquidity"]);
    assert!(!out.contains("looks partial"), "{out}");
}

/// The real ^RUT file ends on a zero-volume row: flagged, and its relative volume is not 0.
#[test]
fn the_real_rut_file_ends_on_a_partial_bar() {
    let (Some(eth), Some(rut)) = (shared("ETH-USD.daily.csv"), shared("RUT.daily.csv")) else {
        return;
    };
    let args = |extra: &[&str]| {
        let mut v = vec!["analyze", s(&eth), s(&rut), "--no-rate", "--no-liquidity"];
        v.extend_from_slice(extra);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let out = ok_stdout(&strs(&args(&[])));
    assert!(
        out.contains("last bar of RUT on 2026-02-23 looks partial: zero volume"),
        "{out}"
    );
    let rel = |t: &str| {
        t.lines()
            .filter(|l| l.contains("rel. volume 1d/5d"))
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert!(!rel(&out).contains("0.00 /"), "{}", rel(&out));
    let kept = ok_stdout(&strs(&args(&["--include-partial"])));
    assert!(rel(&kept).contains("0.00 /"), "{}", rel(&kept));
}

/// The signals CSV's last column is the Wednesday of the carried liquidity values.
#[test]
fn signals_csv_says_which_wednesday_liquidity_is_from() {
    let Some(eth) = shared("ETH-USD.daily.csv") else {
        return;
    };
    let dir = eth.parent().unwrap();
    let home = Dir::new();
    let at_home = |args: &[&str]| {
        let out = at(home.0.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for (sym, file) in [
        ("ETH-USD", "ETH-USD.daily.csv"),
        ("^RUT", "RUT.daily.csv"),
        ("fred:WALCL", "WALCL.csv"),
        ("fred:WTREGEN", "WTREGEN.csv"),
        ("fred:RRPONTSYD", "RRPONTSYD.csv"),
    ] {
        at_home(&["import", sym, s(&dir.join(file))]);
    }
    let (h, rows) = parse_csv(&at_home(&["--offline", "signals", "--format", "csv"]));
    assert_eq!(h.last().unwrap(), "liquidity_as_of");
    let k = h.len() - 1;
    for r in &rows {
        if !r[k].is_empty() {
            assert!(r[k] < r[0], "{r:?}");
        }
    }
    let last = rows.last().unwrap();
    assert_eq!(
        (last[0].as_str(), last[k].as_str()),
        ("2026-02-23", "2025-11-19")
    );
    let table = at_home(&["--offline", "signals"]);
    assert!(
        table.contains("liquidity_change_4w") && table.contains("false *"),
        "{table}"
    );
    assert!(
        table.contains("weekly net liquidity of 2025-11-19"),
        "{table}"
    );
}
