//! End-to-end tests of `lockstep levels`, `lockstep patterns` and the momentum and structure
//! section of `lockstep analyze`, on constructed shapes whose answers are known by hand, a
//! stored ratio symbol, and the real history in ../shared/data.

mod common;

use std::path::PathBuf;

use common::*;

/// An OHLCV CSV (high = low = close = open) from `start`, one row per calendar day.
fn ohlcv(start: &str, closes: &[f64], volumes: &[f64]) -> String {
    let mut s = String::from("Date,Open,High,Low,Close,Volume\n");
    for (i, (c, v)) in closes.iter().zip(volumes).enumerate() {
        s.push_str(&format!(
            "{},{c},{c},{c},{c},{v}\n",
            civil(day(start) + i as i64)
        ));
    }
    s
}

/// A triangle wave between 100 and 120 (2 per day, period 20 days, peaks exactly 120 on days
/// 10, 30, ..., troughs exactly 100 on days 0, 20, ...) for 200 days, then a jump to 125 and
/// a climb to 131 on three times the volume.
fn range_then_breakout() -> (Vec<f64>, Vec<f64>) {
    let mut c: Vec<f64> = (0..200)
        .map(|t| {
            let k = (t % 20) as f64;
            if k <= 10.0 {
                100.0 + 2.0 * k
            } else {
                140.0 - 2.0 * k
            }
        })
        .collect();
    let mut v = vec![1000.0; 200];
    for (i, x) in [125.0, 127.0, 129.0, 131.0].into_iter().enumerate() {
        c.push(x);
        v.push(if i == 0 { 3000.0 } else { 1000.0 });
    }
    (c, v)
}

#[test]
fn levels_of_a_range_and_its_breakout() {
    let dir = Dir::new();
    let (c, v) = range_then_breakout();
    let f = dir.file("range.csv", &ohlcv("2024-01-01", &c, &v));
    let out = json(&ok_stdout(&["levels", s(&f), "--format", "json"]));
    let levels = out["levels"].as_array().unwrap();
    // Two clusters: the 10 peaks at exactly 120 and the 10 troughs at exactly 100 (the first
    // trough, day 0, has no 5 bars before it, so 9 of them; the pivot needs full windows).
    assert_eq!(levels.len(), 2, "{levels:?}");
    assert_eq!(levels[0]["price"], 120.0);
    assert_eq!(levels[0]["kind"], "support", "below the last close 131");
    assert_eq!(levels[0]["touches"], 10);
    assert_eq!(levels[0]["first_touch"], "2024-01-11");
    assert_eq!(
        levels[0]["last_touch"],
        civil(day("2024-01-01") + 190).as_str()
    );
    assert_eq!(levels[0]["distance_pct"], (120.0 / 131.0 - 1.0) * 100.0);
    assert_eq!(levels[1]["price"], 100.0);
    assert_eq!(levels[1]["touches"], 9);
    // Ranked by score: 120 has more touches and is nearer.
    let score = |i: usize| levels[i]["score"]["score"].as_f64().unwrap();
    assert!(score(0) > score(1) && score(0) <= 1.0 && score(1) >= 0.0);
    assert_eq!(levels[0]["score"]["touches"], 1.0, "10 touches: full marks");
    assert_eq!(levels[0]["score"]["bars_since_touch"], 203 - 190);
    assert_eq!(out["levels_total"], 2);
    assert_eq!(out["per_side"], 3);
    // The breakout: 200 days of range, then day 200 closes at 125 through 120 on 3x volume,
    // day 201 at 127: the second close clearing 120 by 0.5 ATR calls it (hold 2).
    let br = out["breakouts"].as_array().unwrap();
    assert_eq!(br.len(), 1, "{br:?}");
    let up = &br[0];
    assert_eq!(up["date"], civil(day("2024-01-01") + 201).as_str());
    assert_eq!(up["since"], civil(day("2024-01-01") + 200).as_str());
    assert_eq!(up["direction"], "up");
    assert_eq!(up["level"], 120.0);
    assert_eq!(up["prev_close"], 102.0);
    assert_eq!(up["volume_ratio"], 3.0);
    assert_eq!(up["confirmed"], true);
    assert!(up["margin"].as_f64().unwrap() > 0.0);
    // --hold 1 calls it on day 200; a margin of 4 ATRs is never cleared twice in a row.
    let out = json(&ok_stdout(&[
        "levels",
        s(&f),
        "--format",
        "json",
        "--hold",
        "1",
    ]));
    assert_eq!(
        out["breakouts"][0]["date"],
        civil(day("2024-01-01") + 200).as_str()
    );
    let out = json(&ok_stdout(&[
        "levels",
        s(&f),
        "--format",
        "json",
        "--margin-atr",
        "4",
    ]));
    assert_eq!(out["breakouts"].as_array().unwrap().len(), 0);
    // --nearest 0 shows no level, --all every one.
    let out = json(&ok_stdout(&[
        "levels",
        s(&f),
        "--format",
        "json",
        "--nearest",
        "0",
    ]));
    assert_eq!(out["levels"].as_array().unwrap().len(), 0);
    let out = json(&ok_stdout(&["levels", s(&f), "--format", "json", "--all"]));
    assert_eq!(out["levels"].as_array().unwrap().len(), 2);
    assert_eq!(out["per_side"], serde_json::Value::Null);
    // A margin outside [0, 100] ATRs is a failure naming it; --hold 0 a usage error.
    for bad in ["--margin-atr=-1", "--margin-atr=nan"] {
        let e = fails(&["levels", s(&f), bad]);
        assert!(e.contains("invalid parameter margin_atr"), "{bad}: {e}");
    }
    let e = usage(&["levels", s(&f), "--hold", "0"]);
    assert!(e.contains("--hold"), "{e}");

    // CSV forms.
    let (h, rows) = parse_csv(&ok_stdout(&["levels", s(&f), "--format", "csv"]));
    assert_eq!(
        h,
        [
            "kind",
            "price",
            "distance_pct",
            "touches",
            "first_touch",
            "last_touch",
            "score",
            "score_touches",
            "score_recency",
            "score_volume",
            "score_distance",
            "bars_since_touch",
            "touch_volume",
            "distance_atr"
        ]
    );
    assert_eq!(rows[0][..2], ["support".to_string(), "120".to_string()]);
    assert_eq!(rows[0][11], "13");
    let (h, rows) = parse_csv(&ok_stdout(&[
        "levels",
        s(&f),
        "--format",
        "csv",
        "--breakouts",
    ]));
    assert_eq!(h[..4], ["date", "since", "direction", "level"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(h[8], "volume_ratio");
    assert_eq!(rows[0][8], "3");
    let table = ok_stdout(&["levels", s(&f)]);
    assert!(
        table.contains("support") && table.contains("2024-07-20"),
        "{table}"
    );
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

#[test]
fn levels_without_volume_are_unconfirmed_and_parameters_are_checked() {
    let dir = Dir::new();
    let (c, _) = range_then_breakout();
    let f = dir.file(
        "close_only.csv",
        &Series {
            dates: (0..c.len())
                .map(|i| civil(day("2024-01-01") + i as i64))
                .collect(),
            prices: c,
        }
        .csv(),
    );
    let out = json(&ok_stdout(&["levels", s(&f), "--format", "json"]));
    assert_eq!(out["has_volume"], false);
    let br = out["breakouts"].as_array().unwrap();
    assert!(!br.is_empty());
    assert!(br
        .iter()
        .all(|b| b["confirmed"] == false && b["volume_ratio"].is_null()));
    let table = ok_stdout(&["levels", s(&f)]);
    assert!(table.contains("no volume"), "{table}");
    let err = usage(&["levels", s(&f), "--pivot", "0"]);
    assert!(err.contains("--pivot"), "{err}");
    let err = fails(&["levels", s(&f), "--atr-mult=-1"]);
    assert!(err.contains("atr_mult"), "{err}");
}

/// 20 days rising to a left rim of 100, a parabolic 60-day cup 30% deep back to 100, an
/// 8-day handle dipping to 96, then a close at 103.
fn cup_series() -> Vec<f64> {
    let mut c: Vec<f64> = (0..=20).map(|i| 80.0 + i as f64).collect();
    for k in 1..=60 {
        let x = (k as f64 - 30.0) / 30.0;
        c.push(100.0 - 30.0 * (1.0 - x * x));
    }
    c.extend([99.0, 98.0, 97.0, 96.0, 96.5, 97.0, 98.0, 99.0, 103.0, 104.0]);
    c
}

#[test]
fn patterns_find_a_constructed_cup_and_handle() {
    let dir = Dir::new();
    let c = cup_series();
    let f = dir.file("cup.csv", &ohlcv("2024-01-01", &c, &vec![1000.0; c.len()]));
    let (h, rows) = parse_csv(&ok_stdout(&["patterns", s(&f), "--format", "csv"]));
    assert_eq!(h[0], "left_rim_date");
    assert_eq!(h[h.len() - 2..], ["state", "state_date"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    let at = |i: i64| civil(day("2024-01-01") + i);
    assert_eq!(r[col(&h, "left_rim_date")], at(20));
    assert_eq!(r[col(&h, "bottom_date")], at(50));
    assert_eq!(num(&r[col(&h, "bottom")]), 70.0);
    assert_eq!(r[col(&h, "right_rim_date")], at(80));
    assert!((num(&r[col(&h, "depth_pct")]) - 30.0).abs() < 1e-12);
    assert_eq!(num(&r[col(&h, "handle_low")]), 96.0);
    assert_eq!(r[col(&h, "cup_bars")], "60");
    assert_eq!(r[col(&h, "state")], "confirmed");
    assert_eq!(r[col(&h, "state_date")], at(89));
    let table = ok_stdout(&["patterns", s(&f)]);
    assert!(table.contains(&format!("broke out {}", at(89))), "{table}");
    // 91 observations: too short for the 200-day trend, which says so.
    assert!(table.contains("needs 200 observations"), "{table}");
    let out = json(&ok_stdout(&["patterns", s(&f), "--format", "json"]));
    assert_eq!(out["cups"][0]["state"]["state"], "confirmed");
    assert!(out["trend"].is_null());
}

#[test]
fn patterns_of_a_stored_ratio() {
    let dir = Dir::new();
    let home = dir.0.path().join("home");
    let (a, b) = correlated_pair(400);
    for (sym, series, name) in [("AAA", &a, "a.csv"), ("BBB", &b, "b.csv")] {
        let f = dir.file(name, &series.csv());
        at(&home).args(["import", sym, s(&f)]).assert().success();
    }
    let out = at(&home)
        .args(["--offline", "patterns", "AAA/BBB", "--format", "json"])
        .assert()
        .success();
    let out = json(&String::from_utf8(out.get_output().stdout.clone()).unwrap());
    assert_eq!(out["name"], "AAA/BBB");
    let last = a.prices[399] / b.prices[399];
    assert_eq!(out["trend"]["last"], last);
    let ma: f64 = (200..400).map(|i| a.prices[i] / b.prices[i]).sum::<f64>() / 200.0;
    let got = out["trend"]["ma"].as_f64().unwrap();
    assert!((got - ma).abs() < 1e-12 * ma, "{got} vs {ma}");
}

#[test]
fn analyze_has_the_momentum_and_structure_section() {
    let dir = Dir::new();
    let (a, b) = correlated_pair(300);
    let fa = dir.file("a.csv", &a.csv());
    let fb = dir.file("b.csv", &b.csv());
    let out = json(&ok_stdout(&["analyze", s(&fa), s(&fb), "--format", "json"]));
    let st = &out["structure"];
    // One pipeline: the leg's RSI is the last rsi_14 cell of `technicals`, to the bit.
    let (h, rows) = parse_csv(&ok_stdout(&["technicals", s(&fa), "--format", "csv"]));
    let last = &rows[rows.len() - 1];
    assert_eq!(
        st["a"]["momentum"]["rsi"].as_f64().unwrap(),
        num(&last[col(&h, "rsi_14")])
    );
    assert_eq!(
        st["a"]["momentum"]["macd"]["hist"].as_f64().unwrap(),
        num(&last[col(&h, "macd_hist")])
    );
    // The ratio section is A/B on the aligned dates.
    assert_eq!(st["ratio"]["trend"]["last"], a.prices[299] / b.prices[299]);
    for k in ["rsi_rising", "rsi_falling", "macd_crosses"] {
        assert!(st["alignment"][k].is_array(), "{k}");
    }
    // Parameters reach the section.
    let out = json(&ok_stdout(&[
        "analyze",
        s(&fa),
        s(&fb),
        "--format",
        "json",
        "--rsi",
        "7",
        "--recent",
        "300",
    ]));
    assert_eq!(out["structure"]["params"]["technicals"]["rsi"], 7);
    let totals = out["structure"]["alignment"]["totals"].as_array().unwrap();
    assert_eq!(
        out["structure"]["alignment"]["rsi_rising"]
            .as_array()
            .unwrap()
            .len() as u64,
        totals[0].as_u64().unwrap(),
        "with --recent covering all history, every run is listed"
    );
    let table = ok_stdout(&["analyze", s(&fa), s(&fb)]);
    assert!(table.contains("Momentum and structure"), "{table}");
    assert!(table.contains("Ratio a/b"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

#[test]
fn real_history_levels_patterns_and_analyze() {
    let (Some(eth), Some(rut)) = (shared("ETH-USD.daily.csv"), shared("RUT.daily.csv")) else {
        return;
    };
    let out = json(&ok_stdout(&["levels", s(&eth), "--format", "json"]));
    let close = out["close"].as_f64().unwrap();
    let levels = out["levels"].as_array().unwrap();
    assert!(levels.len() <= 6, "3 per side by default");
    for kind in ["support", "resistance"] {
        assert!(levels.iter().filter(|l| l["kind"] == kind).count() <= 3);
    }
    let out = json(&ok_stdout(&[
        "levels",
        s(&eth),
        "--format",
        "json",
        "--all",
    ]));
    let levels = out["levels"].as_array().unwrap();
    assert!(levels.len() > 10);
    assert_eq!(levels.len() as u64, out["levels_total"].as_u64().unwrap());
    for l in levels {
        let p = l["price"].as_f64().unwrap();
        assert_eq!(l["kind"], if p < close { "support" } else { "resistance" });
        assert!(l["touches"].as_u64().unwrap() >= 2);
        assert!(l["first_touch"].as_str() <= l["last_touch"].as_str());
    }
    let out = json(&ok_stdout(&["patterns", s(&rut), "--format", "json"]));
    let cups = out["cups"].as_array().unwrap();
    assert!(!cups.is_empty());
    for c in cups {
        let d = c["depth_pct"].as_f64().unwrap();
        assert!((12.0..=50.0).contains(&d), "{c}");
    }
    let table = ok_stdout(&["analyze", s(&eth), s(&rut), "--no-rate"]);
    assert!(table.contains("Momentum and structure"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

/// Three constituents over 250 days from 2024-01-01: UP rises by 1 a day, DOWN falls by 1 a
/// day, PART rises but stops after 240 days.
fn basket(dir: &Dir) -> PathBuf {
    let folder = dir.0.path().join("basket");
    std::fs::create_dir(&folder).unwrap();
    let series = |n: usize, f: &dyn Fn(usize) -> f64| Series {
        dates: (0..n)
            .map(|i| civil(day("2024-01-01") + i as i64))
            .collect(),
        prices: (0..n).map(f).collect(),
    };
    std::fs::write(
        folder.join("up.csv"),
        series(250, &|i| 100.0 + i as f64).csv(),
    )
    .unwrap();
    std::fs::write(
        folder.join("down.csv"),
        series(250, &|i| 400.0 - i as f64).csv(),
    )
    .unwrap();
    std::fs::write(
        folder.join("part.csv"),
        series(240, &|i| 50.0 + i as f64).csv(),
    )
    .unwrap();
    std::fs::write(folder.join("notes.txt"), "not a price file").unwrap();
    folder
}

#[test]
fn breadth_of_a_basket_and_relative_strength() {
    let dir = Dir::new();
    let folder = basket(&dir);
    let csv = ok_stdout(&[
        "breadth",
        "--small-caps",
        "none",
        "--equal-weight",
        "none",
        "--constituents",
        s(&folder),
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(
        h,
        [
            "date",
            "above_50",
            "above_200",
            "counted_50",
            "counted_200",
            "advances",
            "declines",
            "ad_line"
        ]
    );
    assert_eq!(rows.len(), 250);
    // Day 49: every SMA(50) is defined for the first time: UP and PART above theirs, DOWN below.
    assert_eq!(rows[48][1], "");
    assert_eq!(
        rows[49][1..4],
        ["0.6666666666666666", "", "3"].map(String::from)
    );
    // Days 1..239: UP and PART advance, DOWN declines: +1 a day; PART is absent after day 239
    // (no filling), so the line stays at 239 with one advance and one decline a day.
    let last = &rows[249];
    assert_eq!(
        last[1..].to_vec(),
        ["0.5", "0.5", "2", "2", "1", "1", "239"].map(String::from)
    );
    // Relative strength of two files.
    let (a, b) = correlated_pair(120);
    let fa = dir.file("small.csv", &a.csv());
    let fb = dir.file("large.csv", &b.csv());
    let spec = format!("{}/{}", s(&fa), s(&fb));
    let out = json(&ok_stdout(&[
        "breadth",
        "--small-caps",
        &spec,
        "--equal-weight",
        "none",
        "--ma",
        "20",
        "--format",
        "json",
    ]));
    let rs = &out["pairs"][0]["rs"];
    assert_eq!(out["pairs"][0]["name"], "small/large");
    assert_eq!(rs["last"], a.prices[119] / b.prices[119]);
    let ma: f64 = (100..120).map(|i| a.prices[i] / b.prices[i]).sum::<f64>() / 20.0;
    assert!((rs["ma"].as_f64().unwrap() - ma).abs() < 1e-12 * ma);
    assert!(out["basket"].is_null());
    let table = ok_stdout(&["breadth", "--small-caps", &spec, "--equal-weight", "none"]);
    assert!(table.contains("small/large"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    // Errors: not a ratio; a bad constituent file names the file and line.
    let err = fails(&["breadth", "--small-caps", s(&fa), "--equal-weight", "none"]);
    assert!(err.contains("--small-caps takes a ratio"), "{err}");
    std::fs::write(
        folder.join("bad.csv"),
        "Date,Close\n2024-01-01,1\n2024-01-02,oops\n",
    )
    .unwrap();
    let err = fails(&[
        "breadth",
        "--small-caps",
        "none",
        "--equal-weight",
        "none",
        "--constituents",
        s(&folder),
    ]);
    assert!(err.contains("bad.csv:3:") && err.contains("oops"), "{err}");
}
