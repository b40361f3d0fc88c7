//! End-to-end tests of `lockstep fed` (CME's worked example, the CSV and JSON contracts, the
//! calendar file, errors, the real futures strip) and `lockstep liquidity` and the liquidity
//! section of `analyze` on the real FRED series.

mod common;

use std::path::Path;

use common::*;

/// CME's FedWatch methodology example: August 2015 (no meeting) 99.8675, September 2015
/// (decision on the 17th of 30 days) 99.805. start = 0.1325; end solves
/// 0.195 = (16·0.1325 + 14·end)/30, end = 0.266428...; the move 0.133928... is 0.5357 of a
/// 25 bp step: P(hike) = 53.6%.
#[test]
fn fed_reproduces_the_cme_example() {
    let dir = Dir::new();
    let f = dir.file("ff.csv", "contract,price\nZQQ2015,99.8675\nZQU15,99.805\n");
    let out = json(&ok_stdout(&[
        "--offline",
        "fed",
        "--futures",
        s(&f),
        "--as-of",
        "2015-08-03",
        "--range",
        "0,0.25",
        "--format",
        "json",
    ]));
    let m = &out["meetings"][0];
    assert_eq!(m["date"], "2015-09-17");
    let p_hike = m["p_hike"].as_f64().unwrap();
    let expect = (30.0 * 0.195 - 16.0 * 0.1325) / 14.0 - 0.1325;
    assert!((p_hike - expect / 0.25).abs() < 1e-9, "{p_hike}");
    assert!((p_hike - 0.536).abs() < 0.001);
    assert!((m["p_hold"].as_f64().unwrap() - (1.0 - p_hike)).abs() < 1e-12);
    assert_eq!(m["p_cut"], 0.0);
    let ranges = m["ranges"].as_array().unwrap();
    assert_eq!(ranges.len(), 2);
    assert_eq!(
        (&ranges[1]["lower"], &ranges[1]["upper"]),
        (&0.25.into(), &0.5.into())
    );
    let total: f64 = ranges.iter().map(|r| r["p"].as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-12);
    let expected_rate = m["expected_rate"].as_f64().unwrap();
    assert!((expected_rate - (0.125 + 0.25 * p_hike)).abs() < 1e-12);

    // CSV: one row per decision, a column per range.
    let (h, rows) = parse_csv(&ok_stdout(&[
        "--offline",
        "fed",
        "--futures",
        s(&f),
        "--as-of",
        "2015-08-03",
        "--range",
        "0,0.25",
        "--format",
        "csv",
    ]));
    assert_eq!(
        h,
        [
            "date",
            "kind",
            "implied_move_bp",
            "p_cut",
            "p_hold",
            "p_hike",
            "expected_rate",
            "p_0.00_0.25",
            "p_0.25_0.50"
        ]
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(num(&rows[0][col(&h, "p_0.25_0.50")]), p_hike);
    // The table says where the range came from.
    let table = ok_stdout(&[
        "--offline",
        "fed",
        "--futures",
        s(&f),
        "--as-of",
        "2015-08-03",
        "--range",
        "0,0.25",
    ]);
    assert!(table.contains("0.00-0.25 (--range)"), "{table}");
    assert!(table.contains("2015-09-17"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

#[test]
fn fed_calendar_file_and_errors() {
    let dir = Dir::new();
    let f = dir.file(
        "ff.csv",
        "month,price\n2015-08,99.8675\n2015-09,99.805\n2015-10,99.80\n2015-11,99.79\n",
    );
    // An extra unscheduled decision on 2015-10-07 is added to the built-in calendar.
    let cal = dir.file("cal.txt", "# an imagined call\n2015-10-07,unscheduled\n");
    let base = [
        "--offline",
        "fed",
        "--futures",
        s(&f),
        "--as-of",
        "2015-08-03",
        "--range",
        "0,0.25",
        "--format",
        "json",
    ];
    let plain = json(&ok_stdout(&base));
    let mut args = base.to_vec();
    args.extend(["--calendar", s(&cal)]);
    let extended = json(&ok_stdout(&args));
    let dates = |v: &serde_json::Value| -> Vec<String> {
        v["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["date"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!dates(&plain).contains(&"2015-10-07".to_string()));
    assert!(
        dates(&extended).contains(&"2015-10-07".to_string()),
        "{extended}"
    );
    // A malformed contract names the line; a reversed range and a bad calendar line too.
    let bad = dir.file("bad.csv", "contract,price\nZQQ2015,99.8675\nZQB15,99.8\n");
    let err = fails(&[
        "--offline",
        "fed",
        "--futures",
        s(&bad),
        "--range",
        "0,0.25",
    ]);
    assert!(err.contains("line 3") && err.contains("ZQB15"), "{err}");
    let err = fails(&[
        "--offline",
        "fed",
        "--futures",
        s(&f),
        "--as-of",
        "2015-08-03",
        "--range",
        "0.25,0",
    ]);
    assert!(err.contains("lower < upper"), "{err}");
    let err = fails(&["--offline", "fed", "--futures", s(&f), "--range", "0.25"]);
    assert!(err.contains("--range takes two numbers"), "{err}");
    let err = fails(&[
        "--offline",
        "fed",
        "--futures",
        s(&dir.0.path().join("none.csv")),
    ]);
    assert!(
        err.contains("cannot read") && err.contains("none.csv"),
        "{err}"
    );
    let badcal = dir.file("badcal.txt", "2015-13-01\n");
    let err = fails(&[
        "--offline",
        "fed",
        "--futures",
        s(&f),
        "--range",
        "0,0.25",
        "--calendar",
        s(&badcal),
    ]);
    assert!(err.contains("badcal.txt"), "{err}");
    let err = usage(&["fed", "--futures", s(&f), "--replace-years"]);
    assert!(err.contains("--calendar"), "{err}");
}

fn stdout_of(c: &mut assert_cmd::Command, args: &[&str]) -> String {
    let a = c.args(args).assert().success();
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn fed_on_the_real_strip_with_fred_ranges_from_the_store() {
    let (Some(zq), Some(tar_u), Some(tar_l)) = (
        shared("ZQ.contracts.barchart.csv"),
        shared("DFEDTARU.csv"),
        shared("DFEDTARL.csv"),
    ) else {
        return;
    };
    // The contracts still trading on 2025-10-31 (the file's last settlement), as contract,price.
    let text = std::fs::read_to_string(&zq).unwrap();
    let mut strip = String::from("contract,price\n");
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() > 4 && cells[0] > "2025-10-30" {
            strip.push_str(&format!("{},{}\n", cells[1], cells[3]));
        }
    }
    let dir = Dir::new();
    let f = dir.file("strip.csv", &strip);
    let home = dir.0.path().join("home");
    for (sym, file) in [("fred:DFEDTARU", &tar_u), ("fred:DFEDTARL", &tar_l)] {
        at(&home).args(["import", sym, s(file)]).assert().success();
    }
    let out = json(&stdout_of(
        &mut at(&home),
        &[
            "--offline",
            "fed",
            "--futures",
            s(&f),
            "--as-of",
            "2025-10-31",
            "--format",
            "json",
        ],
    ));
    // FRED's range on 2025-10-31: upper 4.00; DFEDTARL ends in 2024, so lower = 4.00 - 0.25.
    assert_eq!(out["current_range"]["lower"], 3.75);
    assert_eq!(out["current_range"]["upper"], 4.0);
    let notes = out["notes"].to_string();
    assert!(notes.contains("DFEDTARU − 0.25"), "{notes}");
    let meetings = out["meetings"].as_array().unwrap();
    assert_eq!(meetings[0]["date"], "2025-12-10");
    for m in meetings {
        let (c, h, k) = (
            m["p_cut"].as_f64().unwrap(),
            m["p_hold"].as_f64().unwrap(),
            m["p_hike"].as_f64().unwrap(),
        );
        assert!((c + h + k - 1.0).abs() < 1e-9, "{m}");
        for p in [c, h, k] {
            assert!((0.0..=1.0).contains(&p), "{m}");
        }
    }
    // December 2025: a cut more likely than not (the market priced ~63% on this strip).
    let p = meetings[0]["p_cut"].as_f64().unwrap();
    assert!((0.5..0.8).contains(&p), "{p}");
}

/// The files people have, read as they are: Barchart's contract table (no hand conversion;
/// the contracts with a time of day as Time are priced on the footer's date) and Investing.com
/// exports of one contract each, named after their distance from the current month.
#[test]
fn fed_reads_barchart_and_investing_files_as_downloaded() {
    let (Some(zq), Some(m0), Some(m3), Some(m4)) = (
        shared("ZQ.contracts.barchart.csv"),
        shared("ZQ0M.investing.csv"),
        shared("ZQ3M.investing.csv"),
        shared("ZQ4M.investing.csv"),
    ) else {
        return;
    };
    let run = |args: &[&str]| {
        let (out, err) = ok_both(args);
        (json(&out), err)
    };
    let (out, err) = run(&[
        "--offline",
        "fed",
        "--futures",
        s(&zq),
        "--range",
        "3.75,4.00",
        "--format",
        "json",
    ]);
    assert_eq!(out["as_of"], "2025-11-02", "{out}");
    assert!(err.is_empty(), "{err}");
    let notes = out["notes"].to_string();
    assert!(
        notes.contains("15 contract(s) priced on 2025-11-02"),
        "{notes}"
    );
    assert!(
        notes.contains("490 contract(s) that stopped trading"),
        "{notes}"
    );
    let p = out["meetings"][0]["p_cut"].as_f64().unwrap();
    assert!((p - 0.634).abs() < 0.001, "{p}");
    // An as-of date after the prices: a warning, and a note in the result.
    let (out, err) = run(&[
        "--offline",
        "fed",
        "--futures",
        s(&zq),
        "--range",
        "3.75,4.00",
        "--as-of",
        "2025-12-06",
        "--format",
        "json",
    ]);
    assert!(
        err.contains(
            "warning: the futures prices are of 2025-11-02, older than the as-of date 2025-12-06"
        ),
        "{err}"
    );
    assert!(out["notes"]
        .to_string()
        .contains("older than the as-of date"));
    // Investing.com: ZQ0M = January 2024's contract on 2024-01-25, ZQ3M April, ZQ4M May.
    let (out, _) = run(&[
        "--offline",
        "fed",
        "--futures",
        s(&m0),
        "--futures",
        s(&m3),
        "--futures",
        s(&m4),
        "--range",
        "5.25,5.50",
        "--format",
        "json",
    ]);
    assert_eq!(out["as_of"], "2024-01-25");
    let notes = out["notes"].to_string();
    for want in [
        "contract 2024-01 at 94.67 on 2024-01-25",
        "contract 2024-04 at 94.79 on 2024-01-26",
        "contract 2024-05 at 94.99 on 2024-01-26",
    ] {
        assert!(notes.contains(want), "{want}: {notes}");
    }
    // The same contract month from two files is an error naming both.
    let e = fails(&[
        "--offline",
        "fed",
        "--futures",
        s(&m0),
        "--futures",
        s(&m0),
        "--range",
        "5.25,5.50",
    ]);
    assert!(e.contains("cannot combine the futures files"), "{e}");
}

#[test]
fn liquidity_on_the_real_fred_series() {
    let (Some(walcl), Some(tga), Some(tga_bn), Some(rrp)) = (
        shared("WALCL.csv"),
        shared("WTREGEN.csv"),
        shared("WTREGEN.fredgraph.2013-2024.csv"),
        shared("RRPONTSYD.csv"),
    ) else {
        return;
    };
    let run = |tga: &Path, units: &str| {
        parse_csv(&ok_stdout(&[
            "liquidity",
            "--fed-assets",
            s(&walcl),
            "--tga",
            s(tga),
            "--tga-units",
            units,
            "--rrp",
            s(&rrp),
            "--format",
            "csv",
        ]))
    };
    let (h, rows) = run(&tga, "millions");
    assert_eq!(
        h[..5],
        ["date", "walcl_musd", "tga_musd", "rrp_musd", "net_musd"]
    );
    // By hand from the files: WALCL 7,231,163 − WTREGEN 765,417 − RRPONTSYD 490.156 bn × 1000.
    let row = rows.iter().find(|r| r[0] == "2024-06-26").unwrap();
    assert_eq!(
        num(&row[col(&h, "net_musd")]),
        7_231_163.0 - 765_417.0 - 490_156.0
    );
    // The older TGA file is in billions: the same net liquidity on every common week.
    let (_, rows_bn) = run(&tga_bn, "billions");
    let same = rows_bn
        .iter()
        .filter_map(|r| rows.iter().find(|x| x[0] == r[0]).map(|x| (x, r)))
        .inspect(|(x, r)| {
            let (a, b) = (num(&x[4]), num(&r[4]));
            assert!((a - b).abs() < 1e-6 * a.abs(), "{} {a} {b}", x[0]);
        })
        .count();
    assert!(same > 500, "{same}");
    // Before the reverse repo facility (2013-09-23) a week without an RRP value takes 0; the
    // weeks from 2002-12-18 on are all there but the TGA's latest missing ones.
    let early = rows.iter().find(|r| r[0] == "2010-06-30").unwrap();
    assert_eq!(num(&early[col(&h, "rrp_musd")]), 0.0);
    assert!(rows.len() > 1190, "{}", rows.len());
    let table = ok_stdout(&[
        "liquidity",
        "--fed-assets",
        s(&walcl),
        "--tga",
        s(&tga),
        "--rrp",
        s(&rrp),
    ]);
    assert!(table.contains("$ billions"), "{table}");
    assert!(table.contains("2025-11-19"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

#[test]
fn analyze_shows_liquidity_when_stored_and_a_reason_otherwise() {
    let dir = Dir::new();
    let home = dir.0.path().join("home");
    let (a, b) = correlated_pair(120);
    let fa = dir.file("a.csv", &a.csv());
    let fb = dir.file("b.csv", &b.csv());
    let out = json(&stdout_of(
        &mut at(&home),
        &["analyze", s(&fa), s(&fb), "--format", "json", "--no-rate"],
    ));
    let reason = out["liquidity"]["reason"].as_str().unwrap();
    assert!(reason.contains("lockstep fetch fred:WALCL"), "{reason}");
    let table = stdout_of(&mut at(&home), &["analyze", s(&fa), s(&fb), "--no-rate"]);
    assert!(table.contains("Liquidity"), "{table}");
    let out = json(&stdout_of(
        &mut at(&home),
        &[
            "analyze",
            s(&fa),
            s(&fb),
            "--format",
            "json",
            "--no-liquidity",
        ],
    ));
    assert_eq!(out["liquidity"]["reason"], "skipped (--no-liquidity)");

    let (Some(walcl), Some(tga), Some(rrp), Some(eth), Some(rut)) = (
        shared("WALCL.csv"),
        shared("WTREGEN.csv"),
        shared("RRPONTSYD.csv"),
        shared("ETH-USD.daily.csv"),
        shared("RUT.daily.csv"),
    ) else {
        return;
    };
    for (sym, file) in [
        ("fred:WALCL", &walcl),
        ("fred:WTREGEN", &tga),
        ("fred:RRPONTSYD", &rrp),
    ] {
        at(&home).args(["import", sym, s(file)]).assert().success();
    }
    let out = json(&stdout_of(
        &mut at(&home),
        &[
            "--offline",
            "analyze",
            s(&eth),
            s(&rut),
            "--format",
            "json",
            "--no-rate",
        ],
    ));
    let l = &out["liquidity"];
    assert!(l["reason"].is_null(), "{l}");
    assert_eq!(l["latest"]["date"], "2025-11-19");
    let c = &l["correlation"]["a"];
    assert_eq!(c["asset"], "ETH-USD");
    let r = c["full"]["r"].as_f64().unwrap();
    assert!(r.abs() <= 1.0);
    assert_eq!(c["last_52w"]["n"], 52);
}
