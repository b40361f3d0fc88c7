//! `--from/--to` cut the intraday bars as they cut the daily series, on the real intraday
//! exports of `../shared/data/intraday` (skips with a printed reason when absent): the
//! reaction time in bars of `analyze/corr/leadlag --interval 1h` over a range is what the
//! bars of that range alone give (a bar belongs to the range by its New York date: its
//! session), and the clock comparison reads the range only.

mod common;

use std::path::{Path, PathBuf};

use common::{lockstep, s, shared};
use serde_json::Value;

const FROM: &str = "2024-11-04";
const TO: &str = "2025-06-30";

/// The ETH 30-minute and IWM hourly exports, or why not.
fn files() -> Option<(PathBuf, PathBuf)> {
    match (
        shared("intraday/ETHUSDT.binance.30m.csv"),
        shared("intraday/IWM.yfinance.1h.csv"),
    ) {
        (Some(eth), Some(iwm)) => Some((eth, iwm)),
        _ => {
            eprintln!("skipped: ../shared/data/intraday/ETHUSDT.binance.30m.csv or IWM.yfinance.1h.csv is absent");
            None
        }
    }
}

/// `file`'s header and the rows whose timestamp (the first column, `YYYY-MM-DD hh:mm…`
/// UTC) is dated within `[from, to]`, written under the same name in `dir`.
fn cut(file: &Path, dir: &Path, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let mut out = String::from(lines.next().unwrap());
    out.push('\n');
    for l in lines {
        let day = &l[..10];
        if day >= from && day <= to {
            out.push_str(l);
            out.push('\n');
        }
    }
    let p = dir.join(file.file_name().unwrap());
    std::fs::write(&p, out).unwrap();
    p
}

/// The JSON `lockstep ARGS` prints (`analyze` without the macro backdrop).
fn run(args: &[&str]) -> Value {
    let backdrop: &[&str] = if args[0] == "analyze" {
        &["--no-rate", "--no-liquidity"]
    } else {
        &[]
    };
    let out = lockstep()
        .args(args)
        .args(backdrop)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn from_and_to_cut_the_bars_of_the_reaction_time() {
    let Some((eth, iwm)) = files() else { return };
    let dir = tempfile::tempdir().unwrap();
    // IWM's bars are regular-session hours (13:30 to 21:00 UTC): their UTC date is their New
    // York date. ETH's are kept a day wider on each side: only those ending at IWM's bar ends
    // are read.
    let (eth_cut, iwm_cut) = (
        cut(&eth, dir.path(), "2024-11-03", "2025-07-01"),
        cut(&iwm, dir.path(), FROM, TO),
    );
    let range = ["--from", FROM, "--to", TO];
    let whole = run(&["analyze", s(&eth), s(&iwm), "--interval", "1h"]);
    let ranged = run(&[
        "analyze",
        s(&eth),
        s(&iwm),
        "--interval",
        "1h",
        "--from",
        FROM,
        "--to",
        TO,
    ]);
    let alone = run(&["analyze", s(&eth_cut), s(&iwm_cut), "--interval", "1h"]);
    let (w, r) = (&whole["intraday"], &ranged["intraday"]);
    assert_eq!(w["sessions"], 503, "{w}");
    // The sessions of IWM's file dated 2024-11-04 to 2025-06-30.
    assert_eq!(r["sessions"], 162, "{r}");
    assert!(r["first"].as_str().unwrap() >= FROM, "{r}");
    assert!(r["last"].as_str().unwrap() < "2025-07-01", "{r}");
    // The same section as the bars of the range alone give.
    assert_eq!(r, &alone["intraday"]);
    // corr and leadlag in bars likewise.
    for cmd in ["corr", "leadlag"] {
        let args = [cmd, s(&eth), s(&iwm), "--interval", "1h"];
        let ranged = run(&[&args[..], &range[..]].concat());
        let alone = run(&[cmd, s(&eth_cut), s(&iwm_cut), "--interval", "1h"]);
        assert_eq!(ranged, alone, "{cmd}");
        assert_ne!(ranged, run(&args), "{cmd}: the range changes nothing");
    }
}

#[test]
fn from_and_to_cut_the_clock_comparison() {
    let Some((eth, iwm)) = files() else { return };
    let range = ["--from", FROM, "--to", TO];
    let utc = run(&[&["analyze", s(&eth), s(&iwm)][..], &range[..]].concat());
    let exch = run(&[
        &["analyze", s(&eth), s(&iwm), "--clock", "exchange"][..],
        &range[..],
    ]
    .concat());
    // The exchange clock's report covers the range (its first price is the last close
    // before it, as on the UTC clock), and so does the comparison read on either clock.
    assert_eq!(exch["period"]["first"], utc["period"]["first"]);
    assert_eq!(exch["period"]["last"], utc["period"]["last"]);
    assert!(exch["period"]["first"].as_str().unwrap() < FROM);
    assert!(exch["period"]["last"].as_str().unwrap() <= TO);
    assert_eq!(utc["clocks"]["windows"], exch["clocks"]["windows"]);
    assert_eq!(
        utc["clocks"]["missing_dates"],
        exch["clocks"]["missing_dates"]
    );
    let whole = run(&["analyze", s(&eth), s(&iwm)]);
    assert_ne!(whole["clocks"]["windows"], utc["clocks"]["windows"]);
}
