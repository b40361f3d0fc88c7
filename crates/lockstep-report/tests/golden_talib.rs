//! The indicators of `lockstep-stats` against TA-Lib (`scripts/golden_talib.py`, file
//! `test_data/golden/talib_eth.csv`) on the real ETH-USD history in `../shared/data`: every
//! value within 1e-9 from the first defined one, and the same warm-up (None where TA-Lib has
//! NaN).

use std::collections::HashMap;
use std::path::PathBuf;

use lockstep_data::{read_csv, CsvOptions};
use lockstep_stats::{Atr, Bar, Bollinger, Ema, Indicator, Macd, Obv, Roc, Rsi, Sma};

#[test]
fn indicators_match_talib() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = root.join("../shared/data/ETH-USD.daily.csv");
    if !data.is_file() {
        skip("skipping: ../shared/data not found (the TA-Lib golden test needs ETH-USD.daily.csv)");
        return;
    }
    let s = read_csv(&data, &CsvOptions::default()).unwrap().series;
    let c = &s.price;
    let (h, l, v) = (
        s.high.as_ref().unwrap(),
        s.low.as_ref().unwrap(),
        s.volume.as_ref().unwrap(),
    );
    let bars: Vec<Bar> = (0..c.len())
        .map(|i| Bar {
            high: h[i],
            low: l[i],
            close: c[i],
            volume: v[i],
        })
        .collect();
    let macd = Macd::new(12, 26, 9).unwrap().over(c);
    let bb = Bollinger::new(20, 2.0, 2.0).unwrap().over(c);
    let ours: HashMap<&str, Vec<Option<f64>>> = HashMap::from([
        ("close", c.iter().map(|x| Some(*x)).collect()),
        ("sma_20", Sma::new(20).unwrap().over(c)),
        ("ema_20", Ema::new(20).unwrap().over(c)),
        ("rsi_14", Rsi::new(14).unwrap().over(c)),
        ("macd", macd.iter().map(|m| m.map(|m| m.macd)).collect()),
        (
            "macd_signal",
            macd.iter().map(|m| m.map(|m| m.signal)).collect(),
        ),
        (
            "macd_hist",
            macd.iter().map(|m| m.map(|m| m.hist)).collect(),
        ),
        ("bb_upper", bb.iter().map(|b| b.map(|b| b.upper)).collect()),
        (
            "bb_middle",
            bb.iter().map(|b| b.map(|b| b.middle)).collect(),
        ),
        ("bb_lower", bb.iter().map(|b| b.map(|b| b.lower)).collect()),
        ("atr_14", Atr::new(14).unwrap().over(&bars)),
        ("obv", Obv::new().over(&bars)),
        ("roc_10", Roc::new(10).unwrap().over(c)),
    ]);
    let index: HashMap<String, usize> = s
        .dates
        .iter()
        .enumerate()
        .map(|(i, d)| (d.to_string(), i))
        .collect();
    let text = std::fs::read_to_string(root.join("test_data/golden/talib_eth.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut checked = 0;
    let mut worst = (0.0f64, String::new());
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let i = index[cells[0]];
        for (col, cell) in header[1..].iter().zip(&cells[1..]) {
            let got = ours[col][i];
            let want = (!cell.is_empty()).then(|| cell.parse::<f64>().unwrap());
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    // OBV sums volumes near 1e10: compare relatively there.
                    let diff = (g - w).abs()
                        / w.abs()
                            .max(1.0)
                            .min(if *col == "obv" { f64::MAX } else { 1.0 });
                    assert!(diff <= 1e-9, "{} {col}: ours {g}, TA-Lib {w}", cells[0]);
                    if diff > worst.0 {
                        worst = (diff, format!("{} {col}", cells[0]));
                    }
                }
                _ => panic!("{} {col}: ours {got:?}, TA-Lib {want:?}", cells[0]),
            }
            checked += 1;
        }
    }
    eprintln!(
        "{checked} values checked against TA-Lib; largest difference {:e} at {}",
        worst.0, worst.1
    );
    assert!(checked > 10_000);
}

/// Say why a test is skipped on the real stderr: libtest captures `eprintln!`, but not a
/// direct write, so the reason shows in every run (CI logs included).
fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{reason}");
}
