//! End-to-end tests of `lockstep leadlag` and `lockstep regimes`: the JSON contract, a
//! constructed pair where B leads A by 3 days, the CSV forms, the lead-lag and regimes sections
//! of `analyze`, and a run on the real ETH-USD / ^RUT files when `../shared/data` is present.

mod common;

use std::path::PathBuf;

use common::*;

/// A leads-by-3 pair: every-day series from 2020-01-01 where A's return on day t is 0.9 × B's
/// return on day t − 3 plus a little noise.
fn shifted_pair(dir: &Dir) -> (PathBuf, PathBuf) {
    let n = 600;
    let rb = noise(n, 21);
    let e = noise(n, 22);
    let ra: Vec<f64> = (0..n)
        .map(|t| {
            if t >= 3 {
                0.9 * rb[t - 3] + 0.2 * e[t]
            } else {
                e[t]
            }
        })
        .collect();
    let a = Series::daily("2020-01-01", &ra, false);
    let b = Series::daily("2020-01-01", &rb, false);
    (dir.file("a.csv", &a.csv()), dir.file("b.csv", &b.csv()))
}

#[test]
fn leadlag_json_contract_and_a_known_lead() {
    let dir = Dir::new();
    let (a, b) = shifted_pair(&dir);
    let js = ok_stdout(&["leadlag", s(&a), s(&b), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&js).expect("JSON");
    for key in [
        "n",
        "ccf",
        "band",
        "granger",
        "best_lag",
        "rolling_best_lag",
        "reaction",
        "interval",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["n"], 599);
    let ccf = v["ccf"].as_array().unwrap();
    assert_eq!(ccf.len(), 21);
    assert_eq!(ccf[0]["lag"], -10);
    assert_eq!(v["best_lag"]["lag"], 3);
    let band = v["band"].as_f64().unwrap();
    assert!((band - 1.959963984540054 / 599f64.sqrt()).abs() < 1e-15);
    let ba = v["granger"]["b_causes_a"].as_array().unwrap();
    let ab = v["granger"]["a_causes_b"].as_array().unwrap();
    assert_eq!(ba.len(), 10);
    for key in ["lag", "f", "p", "df_num", "df_den"] {
        assert!(ba[0].get(key).is_some(), "granger row lacks {key}");
    }
    assert!(ba[2]["p"].as_f64().unwrap() < 1e-50, "{}", ba[2]);
    assert!(ab[2]["p"].as_f64().unwrap() > 0.01, "{}", ab[2]);
    let rolling = v["rolling_best_lag"].as_array().unwrap();
    assert!(!rolling.is_empty());
    assert!(rolling.iter().all(|r| r["lag"] == 3));
    assert!(rolling[0].get("date").is_some());
    assert_eq!(v["interval"], "1d");
    assert_eq!(v["reaction"]["unit"], "day");
    assert_eq!(v["reaction"]["median"], 3.0);
    assert_eq!(v["reaction"]["share_zero"], 0.0);
    assert!(v.get("reaction_days").is_none());

    let table = ok_stdout(&["leadlag", s(&a), s(&b), "--color", "never"]);
    // Sentences wrap at 78 columns: compare with the white space folded.
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("best lag 3"), "{table}");
    assert!(words.contains("b's past returns help predict a"), "{table}");
    for line in table.lines() {
        assert!(line.chars().count() <= 80, "line longer than 80: {line:?}");
    }

    let csv = ok_stdout(&["leadlag", s(&a), s(&b), "--format", "csv", "--max-lag", "4"]);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(
        h,
        [
            "lag",
            "corr",
            "n",
            "granger_b_causes_a_f",
            "granger_b_causes_a_p",
            "granger_a_causes_b_f",
            "granger_a_causes_b_p"
        ]
    );
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0][3], "", "no Granger test at a negative lag");
}

#[test]
fn leadlag_rejects_a_constant_leg_clearly() {
    let dir = Dir::new();
    let flat = Series {
        dates: (0..200).map(|i| civil(day("2021-01-01") + i)).collect(),
        prices: vec![5.0; 200],
    };
    let (a, _) = shifted_pair(&dir);
    let f = dir.file("flat.csv", &flat.csv());
    let js = ok_stdout(&["leadlag", s(&a), s(&f), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert!(v["granger"].is_null());
    let notes = v["notes"].to_string();
    assert!(notes.contains("Granger"), "{notes}");
    assert!(v["ccf"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["corr"].is_null()));
}

#[test]
fn regimes_csv_and_json() {
    let dir = Dir::new();
    let (a, b) = shifted_pair(&dir);
    let csv = ok_stdout(&[
        "regimes",
        s(&a),
        s(&b),
        "--format",
        "csv",
        "--ma",
        "50",
        "--vol-lookback",
        "60",
    ]);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(h, ["date", "regime", "ret_a", "ret_b", "divergence_z"]);
    assert_eq!(rows.len(), 600);
    assert!(rows.iter().any(|r| r[1] == "risk-on"));
    assert!(rows.iter().any(|r| r[1] == "risk-off"));
    assert_eq!(rows[0][1], "", "warm-up has no regime");
    let js = ok_stdout(&["regimes", s(&a), s(&b), "--format", "json", "--ma", "50"]);
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v["rule"]["ma_window"], 50);
    let stats = v["stats"].as_array().unwrap();
    assert_eq!(stats.len(), 2);
    let n: u64 = stats.iter().map(|s| s["n"].as_u64().unwrap()).sum();
    assert!(n > 0 && n < 600);
    // CSV inputs never fetch the default rate series: a note says why it is missing.
    assert!(v["rate"].is_null());
    assert!(
        v["notes"].to_string().contains("fred:DGS2"),
        "{}",
        v["notes"]
    );
}

#[test]
fn analyze_has_lead_lag_and_regime_sections() {
    let dir = Dir::new();
    let (a, b) = shifted_pair(&dir);
    let out = ok_stdout(&["analyze", s(&a), s(&b), "--color", "never"]);
    assert!(
        out.contains("Lead-lag (lag k: a against b k days earlier)"),
        "{out}"
    );
    assert!(out.contains("Regimes (risk-on:"), "{out}");
    assert!(out.contains("reaction time: median 3 days"), "{out}");
}

#[test]
fn real_eth_against_the_russell() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.is_dir() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped real_eth_against_the_russell: {} is absent",
            data.display()
        );
        return;
    }
    let eth = data.join("ETH-USD.daily.csv");
    let rut = data.join("RUT.daily.csv");
    let js = ok_stdout(&["leadlag", s(&eth), s(&rut), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v["n"], 2080);
    assert_eq!(v["best_lag"]["lag"], 0);
    let ccf0 = v["ccf"][10]["corr"].as_f64().unwrap();
    assert!((ccf0 - 0.324).abs() < 5e-4, "{ccf0}");
    let rs = &v["reaction"];
    assert_eq!(rs["unit"], "day");
    assert_eq!(rs["median"], 0.0);
    assert!(rs["share_zero"].as_f64().unwrap() > 0.5);
}
