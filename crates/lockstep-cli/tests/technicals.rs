//! End-to-end tests of `lockstep technicals`: the CSV contract (header, warm-up cells, names
//! following the parameters) and, on the real ETH-USD history, every indicator against the
//! TA-Lib golden file `test_data/golden/talib_eth.csv`.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::*;

#[test]
fn csv_contract_follows_the_parameters() {
    let dir = Dir::new();
    let f = dir.file(
        "x.csv",
        &Series::daily("2024-01-01", &noise(80, 5), false).csv(),
    );
    let csv = ok_stdout(&[
        "technicals",
        s(&f),
        "--rsi",
        "7",
        "--macd",
        "5,10,4",
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(
        h[..7],
        [
            "date",
            "close",
            "volume",
            "rsi_7",
            "macd",
            "macd_signal",
            "macd_hist"
        ]
    );
    assert_eq!(rows.len(), 80);
    let rsi = col(&h, "rsi_7");
    // RSI(7): first value at index 7; MACD(5,10,4): at index 10 + 4 - 2 = 12.
    assert_eq!(rows[6][rsi], "");
    assert!(!rows[7][rsi].is_empty());
    let m = col(&h, "macd");
    assert_eq!(rows[11][m], "");
    assert!(!rows[12][m].is_empty());
    // No volume in a Date,Close file: empty volume, OBV and ATR cells.
    assert!(rows.iter().all(|r| r[col(&h, "volume")].is_empty()));
    let err = usage(&["technicals", s(&f), "--rsi", "0"]);
    assert!(err.contains("--rsi"), "{err}");
    let err = usage(&["technicals", s(&f), "--macd", "12,26"]);
    assert!(err.contains("three periods"), "{err}");
}

#[test]
fn real_eth_matches_talib() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.is_dir() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped real_eth_matches_talib: {} is absent",
            data.display()
        );
        return;
    }
    let csv = ok_stdout(&[
        "technicals",
        s(&data.join("ETH-USD.daily.csv")),
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&csv);
    let golden = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test_data/golden/talib_eth.csv"),
    )
    .unwrap();
    let (gh, grows) = parse_csv(&golden);
    let by_date: HashMap<&str, &Vec<String>> = rows.iter().map(|r| (r[0].as_str(), r)).collect();
    let pairs = [
        ("rsi_14", "rsi_14"),
        ("macd", "macd"),
        ("macd_signal", "macd_signal"),
        ("macd_hist", "macd_hist"),
        ("bb_upper_20", "bb_upper"),
        ("bb_middle_20", "bb_middle"),
        ("bb_lower_20", "bb_lower"),
        ("atr_14", "atr_14"),
        ("obv", "obv"),
        ("roc_10", "roc_10"),
    ];
    let mut compared = 0;
    for g in &grows {
        let r = by_date[g[0].as_str()];
        for (ours, theirs) in pairs {
            let (a, b) = (&r[col(&h, ours)], &g[col(&gh, theirs)]);
            if b.is_empty() {
                assert!(a.is_empty(), "{} {ours}: {a} during TA-Lib's warm-up", g[0]);
                continue;
            }
            let (x, y) = (num(a), num(b));
            assert!(
                (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                "{} {ours}: {x} vs TA-Lib {y}",
                g[0]
            );
            compared += 1;
        }
    }
    assert!(compared > 9_000, "{compared}");
}
