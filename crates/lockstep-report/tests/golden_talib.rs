//! The indicators of `lockstep-stats` against TA-Lib (`scripts/golden_talib.py`, file
//! `test_data/golden/talib_eth.csv`) on the real ETH-USD history in `../shared/data`: every
//! value within 1e-9 from the first defined one, and the same warm-up (None where TA-Lib has
//! NaN).

mod common;

use std::collections::HashMap;

use common::{date_index, golden, shared, skip};

use lockstep_stats::{Atr, Bar, Bollinger, Ema, Indicator, Macd, Obv, Roc, Rsi, Sma};

#[test]
fn indicators_match_talib() {
    let Some(s) = shared("ETH-USD.daily.csv") else {
        skip("skipping: ../shared/data not found (the TA-Lib golden test needs ETH-USD.daily.csv)");
        return;
    };
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
    let index = date_index(&s.dates);
    let mut checked = 0;
    let mut worst = (0.0f64, String::new());
    for (date, cols) in &golden("talib_eth.csv").rows {
        let i = index[date];
        for (col, want) in cols {
            let (got, want) = (ours[col.as_str()][i], *want);
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => {
                    // OBV sums volumes near 1e10: compare relatively there.
                    let diff = (g - w).abs()
                        / w.abs()
                            .max(1.0)
                            .min(if *col == "obv" { f64::MAX } else { 1.0 });
                    assert!(diff <= 1e-9, "{date} {col}: ours {g}, TA-Lib {w}");
                    // RSI does TA-Lib's arithmetic (·fl(1/n)): the same bits.
                    if *col == "rsi_14" {
                        assert_eq!(g.to_bits(), w.to_bits(), "{date} RSI: ours {g}, TA-Lib {w}");
                    }
                    if diff > worst.0 {
                        worst = (diff, format!("{date} {col}"));
                    }
                }
                _ => panic!("{date} {col}: ours {got:?}, TA-Lib {want:?}"),
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
