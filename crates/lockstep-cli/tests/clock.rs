//! `analyze` on both clocks and in hours, end to end on the real files in `../shared/data`
//! (skips with a printed reason when they are absent): ETH-USD's daily closes against IWM's,
//! ETH's 30-minute bars for the exchange clock, IWM's hourly bars for the reaction time.

mod common;

use std::path::PathBuf;

use common::{lockstep, s};

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
