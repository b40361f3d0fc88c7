//! End-to-end tests of fetching into the store, against a replay server on 127.0.0.1 (never
//! the internet): full fetch, refresh of only what is new (with revisions counted), symbols
//! fetched on demand by `analyze`, the provider fallback chain, failures that leave the store
//! unchanged, a process killed mid-fetch (SIGKILL), and two processes fetching at once.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use lockstep_store::Store;
use lockstep_testkit::{ReplayServer, Reply, Route};
use serde_json::json;

/// Seconds of 00:00 UTC of a `YYYY-MM-DD` day.
fn midnight(date: &str) -> i64 {
    day(date) * 86_400
}

/// A Yahoo v8 chart body for bars on consecutive days from `start` with closes `closes`;
/// `equity` puts bars at 09:30 New York on weekdays only, else 00:00 UTC every day (crypto).
fn yahoo_chart(symbol: &str, start: &str, closes: &[f64], equity: bool) -> String {
    let z0 = day(start);
    let (mut ts, mut cl) = (Vec::new(), Vec::new());
    let mut z = z0;
    for &c in closes {
        if equity {
            while weekday(z) >= 5 {
                z += 1;
            }
        }
        // 14:30 UTC is 09:30 or 10:30 in New York: the same trading date either way.
        ts.push(z * 86_400 + if equity { 14 * 3600 + 1800 } else { 0 });
        cl.push(c);
        z += 1;
    }
    let open: Vec<f64> = cl.iter().map(|c| c * 0.99).collect();
    let high: Vec<f64> = cl.iter().map(|c| c * 1.01).collect();
    let low: Vec<f64> = cl.iter().map(|c| c * 0.98).collect();
    let volume: Vec<f64> = cl.iter().map(|_| 1000.0).collect();
    json!({"chart": {"result": [{
        "meta": {
            "currency": "USD", "symbol": symbol,
            "instrumentType": if equity { "INDEX" } else { "CRYPTOCURRENCY" },
            "exchangeTimezoneName": if equity { "America/New_York" } else { "UTC" },
            "gmtoffset": if equity { -18000 } else { 0 },
        },
        "timestamp": ts,
        "indicators": {
            "quote": [{"open": open, "high": high, "low": low, "close": cl, "volume": volume}],
            "adjclose": [{"adjclose": cl}]
        }
    }], "error": null}})
    .to_string()
}

/// A FRED graph CSV of DGS2 on the weekdays of 2024 (a few holidays missing as `.`).
fn dgs2_csv() -> String {
    let mut s = String::from("observation_date,DGS2\n");
    let mut level = 4.3;
    for (i, x) in noise(366, 12).iter().enumerate() {
        let z = day("2024-01-01") + i as i64;
        if weekday(z) >= 5 {
            continue;
        }
        level += x;
        if i % 50 == 7 {
            s.push_str(&format!("{},.\n", civil(z)));
        } else {
            s.push_str(&format!("{},{level:.2}\n", civil(z)));
        }
    }
    s
}

/// A FRED graph CSV of `id` on the Wednesdays (weekly) or weekdays of 2024: `base` plus noise.
fn fred_csv(id: &str, weekly: bool, base: f64, seed: u64) -> String {
    let mut s = format!("observation_date,{id}\n");
    for (i, x) in noise(366, seed).iter().enumerate() {
        let z = day("2024-01-01") + i as i64;
        if (weekly && weekday(z) != 2) || weekday(z) >= 5 {
            continue;
        }
        s.push_str(&format!("{},{:.1}\n", civil(z), base * (1.0 + x)));
    }
    s
}

/// `n` closes of a random walk from 100 (deterministic per seed).
fn walk(n: usize, seed: u64) -> Vec<f64> {
    compound(&noise(n, seed))
}

/// A `lockstep` command using `home` and the replay server for every provider.
fn at(home: &Path, server: &ReplayServer) -> assert_cmd::Command {
    let mut c = lockstep();
    c.env("LOCKSTEP_HOME", home);
    for p in ["YAHOO", "COINBASE", "BINANCE", "STOOQ", "FRED"] {
        c.env(format!("LOCKSTEP_{p}_URL"), server.url());
    }
    c
}

/// A home folder whose config makes retries fast (the default backoff is for real servers).
fn home(dir: &Dir) -> PathBuf {
    let home = dir.0.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cfg = String::new();
    for p in ["yahoo", "coinbase", "binance", "stooq", "fred"] {
        cfg.push_str(&format!(
            "[providers.{p}]\nretries = 2\nbackoff_ms = 5\ntimeout_secs = 5\n\n"
        ));
    }
    std::fs::write(home.join("config.toml"), cfg).unwrap();
    home
}

fn out(a: &assert_cmd::assert::Assert) -> (String, String) {
    let o = a.get_output();
    (
        String::from_utf8(o.stdout.clone()).unwrap(),
        String::from_utf8(o.stderr.clone()).unwrap(),
    )
}

fn stored(home: &Path, symbol: &str) -> Vec<lockstep_core::DailyBar> {
    let s = Store::open(&home.join("lockstep.db")).unwrap();
    s.integrity_check().unwrap();
    s.bars(symbol, None, None).unwrap()
}

#[test]
fn fetch_then_refresh_asks_only_for_new_dates_and_counts_revisions() {
    let dir = Dir::new();
    let home = home(&dir);
    let closes = walk(60, 1);
    let server = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/ETH-USD",
        Reply::ok_json(yahoo_chart("ETH-USD", "2024-01-01", &closes, false)),
    )]);
    let a = at(&home, &server)
        .args(["fetch", "ETH-USD", "--format", "csv"])
        .assert()
        .success();
    let (csv, _) = out(&a);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!(rows[0][col(&h, "provider")], "yahoo");
    assert_eq!(rows[0][col(&h, "added")], "60");
    assert_eq!(rows[0][col(&h, "first")], "2024-01-01");
    assert_eq!(rows[0][col(&h, "last")], "2024-02-29");
    let bars = stored(&home, "ETH-USD");
    assert_eq!(bars.len(), 60);
    assert_eq!(bars[59].close, closes[59]);
    assert_eq!(bars[59].adj_close, Some(closes[59]));
    let req = &server.requests()[0];
    assert_eq!(req.query_param("interval"), Some("1d"));

    // The provider revises the last bar and adds two days.
    let mut newer = closes[52..].to_vec();
    *newer.last_mut().unwrap() *= 1.5;
    newer.extend([closes[59] * 1.01, closes[59] * 1.02]);
    let server2 = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/ETH-USD",
        Reply::ok_json(yahoo_chart("ETH-USD", "2024-02-22", &newer, false)),
    )]);
    let a = at(&home, &server2)
        .args(["fetch", "ETH-USD", "--format", "json"])
        .assert()
        .success();
    let (js, _) = out(&a);
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v[0]["added"], 2, "{js}");
    assert_eq!(v[0]["revised"], 1, "{js}");
    assert_eq!(v[0]["unchanged"], 7, "{js}");
    assert_eq!(v[0]["bars"], 62, "{js}");
    // Only from the last stored date minus the 7-day overlap.
    let req = &server2.requests()[0];
    let p1: i64 = req.query_param("period1").unwrap().parse().unwrap();
    // (The provider pads its request by a day for time zones; bars are cut to the range.)
    assert!(
        (midnight("2024-02-21")..=midnight("2024-02-22")).contains(&p1),
        "{req:?}"
    );
    assert_eq!(stored(&home, "ETH-USD")[59].close, closes[59] * 1.5);
}

#[test]
fn analyze_without_arguments_fetches_eth_and_the_russell() {
    let dir = Dir::new();
    let home = home(&dir);
    let server = ReplayServer::start(vec![
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(yahoo_chart("ETH-USD", "2024-01-01", &walk(300, 2), false)),
        ),
        Route::prefix(
            "/v8/finance/chart/%5ERUT",
            Reply::ok_json(yahoo_chart("^RUT", "2024-01-01", &walk(220, 3), true)),
        ),
        // The default control of the default pair: the S&P 500.
        Route::prefix(
            "/v8/finance/chart/SPY",
            Reply::ok_json(yahoo_chart("SPY", "2024-01-01", &walk(220, 5), true)),
        ),
        Route::exact(
            "/graph/fredgraph.csv",
            Reply::ok_text(dgs2_csv(), "text/csv"),
        )
        .query("id=DGS2"),
        Route::exact(
            "/graph/fredgraph.csv",
            Reply::ok_text(fred_csv("WALCL", true, 7.0e6, 21), "text/csv"),
        )
        .query("id=WALCL"),
        Route::exact(
            "/graph/fredgraph.csv",
            Reply::ok_text(fred_csv("WTREGEN", true, 7.5e5, 22), "text/csv"),
        )
        .query("id=WTREGEN"),
        Route::exact(
            "/graph/fredgraph.csv",
            Reply::ok_text(fred_csv("RRPONTSYD", false, 400.0, 23), "text/csv"),
        )
        .query("id=RRPONTSYD"),
    ]);
    let a = at(&home, &server)
        .args(["analyze", "--format", "json"])
        .assert()
        .success();
    let (js, _) = out(&a);
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v["a"]["name"], "ETH-USD", "{js}");
    assert_eq!(v["b"]["name"], "^RUT", "{js}");
    assert_eq!(stored(&home, "^RUT").len(), 220);
    // The default control was fetched: the partial correlation given SPY.
    assert_eq!(stored(&home, "SPY").len(), 220);
    assert_eq!(v["control"]["controls"][0], "SPY", "{js}");
    assert_eq!(v["control"]["default"], true, "{js}");
    assert!(v["control"]["partial"].is_number(), "{js}");
    // The default rate series was fetched too: rate sensitivity of both legs.
    assert_eq!(v["regimes"]["rate"]["rate"], "fred:DGS2", "{js}");
    assert!(v["regimes"]["rate"]["a"]["beta"].is_number(), "{js}");
    // And the three series of net liquidity: the section is there.
    assert!(v["liquidity"]["reason"].is_null(), "{}", v["liquidity"]);
    assert!(
        v["liquidity"]["correlation"]["b"]["full"]["n"]
            .as_u64()
            .unwrap()
            > 20
    );
    // ETH-USD's hourly bars for the clock comparison were asked for too; the server has none
    // (its chart is daily and from 2024), so the report has one clock and says why.
    let (_, err) = out(&a);
    assert!(err.contains("no clock comparison"), "{err}");
    assert!(v["clocks"].is_null(), "{js}");
    // A second run within the refresh interval uses the stored daily bars, without a request
    // for them (the hourly ones, never fetched, are asked for again).
    let daily = |server: &ReplayServer| {
        server
            .requests()
            .iter()
            .filter(|r| r.query_param("interval") != Some("60m") && !r.path.contains("kline"))
            .filter(|r| !r.path.starts_with("/products/"))
            .count()
    };
    let before = daily(&server);
    at(&home, &server).args(["analyze"]).assert().success();
    assert_eq!(daily(&server), before);
    // And --offline never asks.
    let before = server.requests().len();
    at(&home, &server)
        .args(["--offline", "analyze"])
        .assert()
        .success();
    assert_eq!(server.requests().len(), before);
}

#[test]
fn failure_is_reported_and_leaves_the_store_unchanged() {
    let dir = Dir::new();
    let home = home(&dir);
    let closes = walk(30, 4);
    let good = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/ETH-USD",
        Reply::ok_json(yahoo_chart("ETH-USD", "2024-01-01", &closes, false)),
    )]);
    at(&home, &good)
        .args(["fetch", "ETH-USD"])
        .assert()
        .success();
    let before = stored(&home, "ETH-USD");

    // 500 on every attempt, garbage, and a truncated body: each a clear error, store intact.
    for reply in [
        Reply::status(500, "upstream exploded"),
        Reply::ok_json("<html><body>Service Unavailable</body></html>"),
        Reply::ok_json(yahoo_chart("ETH-USD", "2024-01-25", &walk(40, 5), false)).truncate(50),
    ] {
        let bad = ReplayServer::start(vec![Route::prefix("/v8/finance/chart/ETH-USD", reply)]);
        let a = at(&home, &bad).args(["fetch", "ETH-USD"]).assert().code(1);
        let (_, err) = out(&a);
        assert!(err.contains("cannot fetch ETH-USD"), "{err}");
        assert!(err.contains("yahoo"), "{err}");
        assert!(err.contains("/v8/finance/chart/ETH-USD"), "{err}");
        assert!(bad.requests().len() >= 2, "retried: {:?}", bad.requests());
        assert_eq!(stored(&home, "ETH-USD"), before);
    }
    let log = out(&at(&home, &good)
        .args(["log", "ETH-USD", "--format", "csv"])
        .assert()
        .success())
    .0;
    let (h, rows) = parse_csv(&log);
    assert_eq!(rows[0][col(&h, "status")], "error");
}

#[test]
fn unknown_symbol_names_the_provider_and_its_message() {
    let dir = Dir::new();
    let home = home(&dir);
    let server = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/NOPE",
        Reply::status(
            404,
            r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#,
        ),
    )]);
    let a = at(&home, &server)
        .args(["fetch", "NOPE", "--provider", "yahoo"])
        .assert()
        .code(1);
    let (_, err) = out(&a);
    assert!(
        err.contains("No data found, symbol may be delisted"),
        "{err}"
    );
    let a = at(&home, &server)
        .args(["fetch", "ETH-USD", "--provider", "nosuch"])
        .assert()
        .code(1);
    assert!(out(&a).1.contains("nosuch"));
}

#[test]
fn crypto_falls_back_to_coinbase_when_yahoo_fails() {
    let dir = Dir::new();
    let home = home(&dir);
    // Coinbase candles: [time, low, high, open, close, volume], newest first.
    let mut candles = Vec::new();
    for i in (0..10).rev() {
        let t = midnight("2024-03-01") + i * 86_400;
        let c = 100.0 + i as f64;
        candles.push(json!([t, c - 2.0, c + 2.0, c - 1.0, c, 10.0]));
    }
    let server = ReplayServer::start(vec![
        Route::prefix("/v8/finance/chart/", Reply::status(503, "busy")),
        Route::prefix(
            "/products/ETH-USD/candles",
            Reply::ok_json(serde_json::Value::Array(candles).to_string()),
        ),
    ]);
    let a = at(&home, &server)
        .args([
            "fetch",
            "ETH-USD",
            "--since",
            "2024-03-01",
            "--format",
            "csv",
        ])
        .assert()
        .success();
    let (csv, _) = out(&a);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(rows[0][col(&h, "provider")], "coinbase", "{csv}");
    let bars = stored(&home, "ETH-USD");
    assert_eq!(bars.len(), 10);
    assert_eq!(bars[9].close, 109.0);
}

/// Kill `lockstep fetch` with SIGKILL at many points of a large refresh: every time the store
/// passes `PRAGMA integrity_check` and holds either the old bars or the complete new set,
/// never a part.
#[cfg(unix)]
#[test]
fn sigkill_mid_fetch_leaves_the_previous_complete_data() {
    let dir = Dir::new();
    let home = home(&dir);
    let old = walk(100, 6);
    let server = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/ETH-USD",
        Reply::ok_json(yahoo_chart("ETH-USD", "1971-01-01", &old, false)),
    )]);
    at(&home, &server)
        .args(["fetch", "ETH-USD"])
        .assert()
        .success();
    let old_bars = stored(&home, "ETH-USD");

    // 20,000 new bars, every stored one revised: a long write transaction.
    let n = 20_000;
    let mut big = walk(n, 7);
    for x in big.iter_mut() {
        *x *= 3.0;
    }
    let body = yahoo_chart("ETH-USD", "1971-01-01", &big, false);
    let mut finished = 0;
    let mut killed = 0;
    for delay_ms in [0u64, 30, 60, 100, 150, 200, 300, 400, 600, 900] {
        let server = ReplayServer::start(vec![Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(body.clone()).throttle(64 * 1024, Duration::from_millis(5)),
        )]);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockstep"))
            .args(["fetch", "ETH-USD", "--since", "1971-01-01"])
            .env("LOCKSTEP_HOME", &home)
            .env("LOCKSTEP_YAHOO_URL", server.url())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        match child.try_wait().unwrap() {
            Some(_) => finished += 1,
            None => {
                child.kill().unwrap(); // SIGKILL on Unix
                child.wait().unwrap();
                killed += 1;
            }
        }
        let now = stored(&home, "ETH-USD");
        assert!(
            now == old_bars || now.len() == n,
            "after a kill at {delay_ms} ms: {} bars (old {}, new {n})",
            now.len(),
            old_bars.len()
        );
        if now.len() == n {
            assert_eq!(now[n - 1].close, big[n - 1]);
        }
    }
    assert!(killed > 0, "no run was killed ({finished} finished)");
}

/// Two processes fetch into one store at once (different symbols, and the same symbol): both
/// succeed, nothing is lost, the database stays sound.
#[test]
fn concurrent_fetches_do_not_corrupt_or_lose_anything() {
    let dir = Dir::new();
    let home = home(&dir);
    let a = walk(3000, 8);
    let b = walk(3000, 9);
    let server = ReplayServer::start(vec![
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(yahoo_chart("ETH-USD", "2010-01-01", &a, false)),
        ),
        Route::prefix(
            "/v8/finance/chart/BTC-USD",
            Reply::ok_json(yahoo_chart("BTC-USD", "2010-01-01", &b, false)),
        ),
    ]);
    let spawn = |symbols: &[&str]| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockstep"));
        c.arg("fetch")
            .args(symbols)
            .env("LOCKSTEP_HOME", &home)
            .env("LOCKSTEP_YAHOO_URL", server.url())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c.spawn().unwrap()
    };
    for round in 0..3 {
        let p1 = spawn(&["ETH-USD", "BTC-USD"]);
        let p2 = spawn(&["BTC-USD", "ETH-USD"]);
        for p in [p1, p2] {
            let o = p.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        assert_eq!(stored(&home, "ETH-USD").len(), 3000);
        assert_eq!(stored(&home, "BTC-USD").len(), 3000);
    }
    let s = Store::open(&home.join("lockstep.db")).unwrap();
    let log = s.fetch_log(None, 100).unwrap();
    assert_eq!(log.iter().filter(|e| e.status == "ok").count(), 12);
}

/// An imported symbol is not refreshed (`list` says so) until `fetch --provider` attaches a
/// provider: the fetch continues its history from the last imported date minus the overlap,
/// checks the overlapping dates (revisions counted) and from then on the symbol refreshes.
#[test]
fn fetch_with_a_provider_continues_an_imported_history() {
    let dir = Dir::new();
    let home = home(&dir);
    let closes = walk(60, 3);
    // The same fields as the provider's bars (see `yahoo_chart`), so that only a changed
    // value counts as a revision.
    let mut csv = String::from("Date,Open,High,Low,Close,Adj Close,Volume\n");
    for (i, c) in closes.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{},{},{c},{c},1000\n",
            civil(day("2024-01-01") + i as i64),
            c * 0.99,
            c * 1.01,
            c * 0.98
        ));
    }
    let file = dir.file("eth.csv", &csv);
    let server = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/ETH-USD",
        Reply::ok_json(yahoo_chart(
            "ETH-USD",
            "2024-02-22",
            &{
                let mut c = closes[52..].to_vec();
                c[7] *= 1.1; // the provider's last overlapping close differs: a revision
                c.extend([closes[59] * 1.01, closes[59] * 1.02]);
                c
            },
            false,
        )),
    )]);
    at(&home, &server)
        .args(["import", "ETH-USD", s(&file)])
        .assert()
        .success();
    let (listed, _) = out(&at(&home, &server)
        .args(["list", "--format", "csv"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&listed);
    assert_eq!(rows[0][col(&h, "provider")], "import");
    assert_eq!(rows[0][col(&h, "refreshes")], "no");
    let (table, _) = out(&at(&home, &server).args(["list"]).assert().success());
    assert!(
        table.starts_with("refreshes: no = imported from a file"),
        "{table}"
    );

    let (js, _) = out(&at(&home, &server)
        .args([
            "fetch",
            "ETH-USD",
            "--provider",
            "yahoo",
            "--format",
            "json",
        ])
        .assert()
        .success());
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v[0]["provider"], "yahoo", "{js}");
    assert_eq!(
        (v[0]["added"].as_u64(), v[0]["revised"].as_u64()),
        (Some(2), Some(1)),
        "{js}"
    );
    assert_eq!(v[0]["bars"], 62, "{js}");
    let req = &server.requests()[0];
    let p1: i64 = req.query_param("period1").unwrap().parse().unwrap();
    assert!(
        (midnight("2024-02-21")..=midnight("2024-02-22")).contains(&p1),
        "{req:?}"
    );
    let (listed, _) = out(&at(&home, &server)
        .args(["list", "--format", "csv"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&listed);
    assert_eq!(
        (
            rows[0][col(&h, "provider")].as_str(),
            rows[0][col(&h, "refreshes")].as_str()
        ),
        ("yahoo", "yes")
    );
}
