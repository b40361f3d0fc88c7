//! End-to-end tests of intraday bars through the store commands and the session, against a
//! replay server on 127.0.0.1 (never the internet): `fetch --interval` from Binance (paged),
//! Coinbase (the committed candles) and Yahoo (60m), Yahoo's range limits as errors, `list`,
//! `show`, `export`, `remove` and `import` with intervals, a re-fetch that counts revisions
//! without losing bars, and `analyze` on two live symbols fetching the every-day leg's hourly
//! bars for the clock comparison (and the exchange leg's with `--interval`).

mod common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use common::*;
use lockstep_core::Interval;
use lockstep_store::Store;
use lockstep_testkit::{ReplayServer, Reply, Route};
use serde_json::json;

/// A `lockstep` command using `home` and the replay server for every provider.
fn at(home: &Path, server: &ReplayServer) -> assert_cmd::Command {
    let mut c = lockstep();
    c.env("LOCKSTEP_HOME", home);
    for p in ["YAHOO", "COINBASE", "BINANCE", "STOOQ", "FRED"] {
        c.env(format!("LOCKSTEP_{p}_URL"), server.url());
    }
    c
}

/// A home folder whose config makes retries fast and requests unthrottled (the defaults are
/// for real servers).
fn home(dir: &Dir) -> PathBuf {
    let home = dir.0.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cfg = String::new();
    for p in ["yahoo", "coinbase", "binance", "stooq", "fred"] {
        cfg.push_str(&format!(
            "[providers.{p}]\nretries = 1\nbackoff_ms = 5\ntimeout_secs = 5\nmin_interval_ms = 0\n\n"
        ));
    }
    std::fs::write(home.join("config.toml"), cfg).unwrap();
    home
}

fn run(a: &assert_cmd::assert::Assert) -> (String, String) {
    let o = a.get_output();
    (
        String::from_utf8(o.stdout.clone()).unwrap(),
        String::from_utf8(o.stderr.clone()).unwrap(),
    )
}

fn store(home: &Path) -> Store {
    let s = Store::open(&home.join("lockstep.db")).unwrap();
    s.integrity_check().unwrap();
    s
}

fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn requests_with(server: &ReplayServer, path: &str, interval: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path_only() == path && r.query_param("interval") == Some(interval))
        .count()
}

// ------------------------------------------------------------------------ payloads

/// Binance klines (`[openTime ms, "open", "high", "low", "close", "volume", closeTime ms, ...]`)
/// of `step_secs`, opening at `start` and one step apart.
fn klines(start: DateTime<Utc>, step_secs: i64, closes: &[f64]) -> String {
    let rows: Vec<serde_json::Value> = closes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let open = (start.timestamp() + i as i64 * step_secs) * 1000;
            json!([
                open,
                format!("{}", c * 0.999),
                format!("{}", c * 1.002),
                format!("{}", c * 0.997),
                format!("{c}"),
                "12.5",
                open + step_secs * 1000 - 1,
                "0",
                10,
                "0",
                "0",
                "0"
            ])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// A Yahoo chart body with one point per `(open time, close)`: intraday (`granularity` set,
/// e.g. `60m`) or daily (`None`); an equity (SPY, New York) or a cryptocurrency (UTC).
fn chart(symbol: &str, bars: &[(DateTime<Utc>, f64)], granularity: Option<&str>) -> String {
    let equity = !symbol.contains("-USD");
    let t: Vec<i64> = bars.iter().map(|(t, _)| t.timestamp()).collect();
    let c: Vec<f64> = bars.iter().map(|(_, c)| *c).collect();
    let o: Vec<f64> = c.iter().map(|c| c * 0.999).collect();
    let h: Vec<f64> = c.iter().map(|c| c * 1.003).collect();
    let l: Vec<f64> = c.iter().map(|c| c * 0.996).collect();
    let v: Vec<f64> = c.iter().map(|_| 1000.0).collect();
    let mut meta = json!({
        "currency": "USD", "symbol": symbol,
        "instrumentType": if equity { "ETF" } else { "CRYPTOCURRENCY" },
        "exchangeTimezoneName": if equity { "America/New_York" } else { "UTC" },
        "gmtoffset": if equity { -18000 } else { 0 },
    });
    if let Some(g) = granularity {
        meta["dataGranularity"] = json!(g);
    }
    let mut indicators = json!({
        "quote": [{"open": o, "high": h, "low": l, "close": c, "volume": v}]
    });
    if granularity.is_none() {
        indicators["adjclose"] = json!([{ "adjclose": c }]);
    }
    json!({"chart": {"result": [{
        "meta": meta, "timestamp": t, "indicators": indicators
    }], "error": null}})
    .to_string()
}

/// The open times of the regular-session hourly bars of SPY on weekday `d` (09:30 .. 15:30
/// New York, the last one short, as Yahoo serves them), in UTC.
fn session_hours(d: NaiveDate) -> Vec<DateTime<Utc>> {
    if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        return Vec::new();
    }
    (0..7)
        .map(|k| {
            let local = d.and_hms_opt(9 + k, 30, 0).unwrap();
            chrono_tz::America::New_York
                .from_local_datetime(&local)
                .single()
                .unwrap()
                .with_timezone(&Utc)
        })
        .collect()
}

/// Bars of the last `days` days up to now, all complete: an every-day leg (ETH: 30-minute bars
/// and the hourly ones they make, on the hour) and an exchange leg (SPY, its session hours)
/// that follows it, with the daily bars each provider would give (ETH at 00:00 UTC, SPY the
/// close of its last bar).
struct Market {
    eth_30m: Vec<(DateTime<Utc>, f64)>,
    eth_hourly: Vec<(DateTime<Utc>, f64)>,
    spy_hourly: Vec<(DateTime<Utc>, f64)>,
    eth_daily: Vec<(DateTime<Utc>, f64)>,
    spy_daily: Vec<(DateTime<Utc>, f64)>,
}

fn market(days: i64) -> Market {
    let now = Utc::now();
    let first = (now - Duration::days(days))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let n = ((now - first).num_minutes() / 30) as usize;
    let eth = compound(&noise(n, 41));
    let half = Duration::minutes(30);
    let eth_30m: Vec<(DateTime<Utc>, f64)> = (0..n)
        .map(|i| (first + half * i as i32, 20.0 * eth[i]))
        .filter(|(t, _)| *t + half <= now)
        .collect();
    // An hourly bar closes where its second half-hour closes.
    let eth_hourly: Vec<(DateTime<Utc>, f64)> = eth_30m
        .chunks_exact(2)
        .map(|pair| (pair[0].0, pair[1].1))
        .collect();
    // The ETH price at a time: the close of the half-hour bar ending then.
    let eth_at = |t: DateTime<Utc>| {
        let i = (t - first).num_minutes() / 30 - 1;
        usize::try_from(i)
            .ok()
            .and_then(|i| eth_30m.get(i))
            .map(|(_, c)| *c)
    };
    let wiggle = noise(n, 42);
    let mut spy_hourly = Vec::new();
    let mut spy_daily = Vec::new();
    let mut d = first.date_naive();
    while d <= now.date_naive() {
        let mut last = None;
        for t in session_hours(d) {
            let end = t + Duration::hours(1);
            if end > now {
                break;
            }
            let Some(p) = eth_at(end) else { continue };
            let k = spy_hourly.len();
            let close = 400.0 * (p / 2000.0).powf(0.5) * (1.0 + wiggle[k % n] * 0.2);
            spy_hourly.push((t, close));
            last = Some((t, close));
        }
        if let Some((t, close)) = last {
            if t.with_timezone(&chrono_tz::America::New_York).hour() == 15 {
                spy_daily.push((session_hours(d)[0], close));
            }
        }
        d = d.succ_opt().unwrap();
    }
    // ETH's daily close at 00:00 UTC: the close of the bar opening at 23:00 the day before.
    let eth_daily = eth_hourly
        .iter()
        .filter(|(t, _)| t.hour() == 23)
        .map(|(t, c)| {
            let day = t.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
            (day, *c)
        })
        .collect();
    Market {
        eth_30m,
        eth_hourly,
        spy_hourly,
        eth_daily,
        spy_daily,
    }
}

// ------------------------------------------------------------------------ tests

#[test]
fn binance_pages_into_the_store_then_list_show_export_refetch_and_remove() {
    let dir = Dir::new();
    let home = home(&dir);
    let start = ts("2024-01-01T00:00:00Z");
    let closes = compound(&noise(1200, 7));
    let page2_start = start + Duration::hours(1000);
    let server = ReplayServer::start(vec![
        Route::exact(
            "/api/v3/klines",
            Reply::ok_json(klines(start, 3600, &closes[..1000])),
        )
        .query(&format!("startTime={}&", start.timestamp_millis())),
        Route::exact(
            "/api/v3/klines",
            Reply::ok_json(klines(page2_start, 3600, &closes[1000..])),
        )
        .query(&format!("startTime={}&", page2_start.timestamp_millis())),
    ]);
    let a = at(&home, &server)
        .args([
            "fetch",
            "ETH-USD",
            "--interval",
            "1h",
            "--provider",
            "binance",
            "--since",
            "2024-01-01",
            "--format",
            "csv",
        ])
        .assert()
        .success();
    let (csv, _) = run(&a);
    let (h, rows) = parse_csv(&csv);
    assert_eq!(
        h,
        [
            "symbol",
            "interval",
            "provider",
            "from",
            "received",
            "added",
            "revised",
            "unchanged",
            "first",
            "last",
            "bars"
        ]
    );
    let r = &rows[0];
    assert_eq!(r[col(&h, "interval")], "1h");
    assert_eq!(r[col(&h, "provider")], "binance");
    assert_eq!(r[col(&h, "from")], "2024-01-01T00:00:00Z");
    assert_eq!(r[col(&h, "added")], "1200");
    assert_eq!(r[col(&h, "first")], "2024-01-01T00:00:00Z");
    let last = start + Duration::hours(1199);
    assert_eq!(r[col(&h, "last")], rfc(last));
    assert_eq!(r[col(&h, "bars")], "1200");
    // Two pages: the second starts one hour after the first page's last kline.
    let klines_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path_only() == "/api/v3/klines")
        .collect();
    assert_eq!(klines_requests.len(), 2, "{klines_requests:?}");
    assert_eq!(klines_requests[0].query_param("interval"), Some("1h"));
    let page2_ms = page2_start.timestamp_millis().to_string();
    assert_eq!(
        klines_requests[1].query_param("startTime"),
        Some(page2_ms.as_str())
    );
    let db = store(&home);
    let bars = db
        .intraday_bars("ETH-USD", Interval::H1, None, None)
        .unwrap();
    assert_eq!(bars.len(), 1200);
    assert_eq!(bars[1199].close, closes[1199]);
    assert!(db.bars("ETH-USD", None, None).unwrap().is_empty());
    drop(db);

    // list: one row for the interval, its open times in UTC.
    let (list, _) = run(&at(&home, &server)
        .args(["list", "--format", "csv"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&list);
    assert_eq!(
        h,
        [
            "symbol",
            "provider",
            "ticker",
            "class",
            "first",
            "last",
            "bars",
            "last_refresh",
            "interval",
            "refreshes"
        ]
    );
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(
        rows[0][..7],
        [
            "ETH-USD",
            "binance",
            "ETHUSDT",
            "crypto",
            "2024-01-01T00:00:00Z",
            &rfc(last),
            "1200"
        ]
    );
    assert!(!rows[0][7].is_empty(), "last refresh: {list}");
    assert_eq!(rows[0][8], "1h");

    // show: the latest bars with their open time; the table says so once.
    let (show, _) = run(&at(&home, &server)
        .args([
            "show",
            "ETH-USD",
            "--interval",
            "1h",
            "--rows",
            "3",
            "--format",
            "csv",
        ])
        .assert()
        .success());
    let (h, rows) = parse_csv(&show);
    assert_eq!(h, ["time", "open", "high", "low", "close", "volume"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][0], rfc(last));
    assert_eq!(num(&rows[2][4]), closes[1199]);
    let (table, _) = run(&at(&home, &server)
        .args(["show", "ETH-USD", "--interval", "1h"])
        .assert()
        .success());
    assert_eq!(table.matches("open time (UTC)").count(), 1, "{table}");
    assert_eq!(table.lines().count(), 12, "{table}");
    // Daily bars asked for a symbol that has intraday ones only: say which to ask for.
    let (_, err) = run(&at(&home, &server)
        .args(["show", "ETH-USD"])
        .assert()
        .code(1));
    assert!(err.contains("--interval 1h"), "{err}");
    let (_, err) = run(&at(&home, &server)
        .args(["show", "ETH-USD", "--interval", "5m"])
        .assert()
        .code(1));
    assert!(
        err.contains("no 5m bars") && err.contains("stored: 1h"),
        "{err}"
    );

    // Re-fetch without --since: from the last stored bar minus 24 bars, from the provider the
    // bars came from; Binance revises one bar and has 5 new ones.
    let from = last - Duration::hours(24);
    let mut newer: Vec<f64> = closes[1175..].to_vec();
    newer[10] *= 1.5;
    newer.extend((1..=5).map(|k| closes[1199] * (1.0 + k as f64 / 100.0)));
    let server2 = ReplayServer::start(vec![Route::exact(
        "/api/v3/klines",
        Reply::ok_json(klines(from, 3600, &newer)),
    )
    .query(&format!("startTime={}&", from.timestamp_millis()))]);
    let (js, _) = run(&at(&home, &server2)
        .args(["fetch", "ETH-USD", "--interval", "1h", "--format", "json"])
        .assert()
        .success());
    let v = json(&js);
    assert_eq!(v[0]["interval"], "1h", "{js}");
    assert_eq!(v[0]["provider"], "binance", "{js}");
    assert_eq!(v[0]["from"], rfc(from), "{js}");
    assert_eq!(
        (&v[0]["received"], &v[0]["added"], &v[0]["revised"]),
        (&json!(30), &json!(5), &json!(1)),
        "{js}"
    );
    assert_eq!(v[0]["unchanged"], 24, "{js}");
    assert_eq!(v[0]["bars"], 1205, "{js}");
    let bars = store(&home)
        .intraday_bars("ETH-USD", Interval::H1, None, None)
        .unwrap();
    assert_eq!(bars.len(), 1205, "no bar lost");
    assert_eq!(bars[0].close, closes[0]);
    assert_eq!(bars[1185].close, closes[1185] * 1.5);

    // export: every bar, the open time first.
    let (export, _) = run(&at(&home, &server2)
        .args(["export", "ETH-USD", "--interval", "1h"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&export);
    assert_eq!(h[0], "time");
    assert_eq!(rows.len(), 1205);
    assert_eq!(rows[0][0], "2024-01-01T00:00:00Z");
    let pq = dir.0.path().join("eth.parquet");
    at(&home, &server2)
        .args([
            "export",
            "ETH-USD",
            "--interval",
            "1h",
            "--format",
            "parquet",
            "-o",
            s(&pq),
        ])
        .assert()
        .success();
    {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let r = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
        assert_eq!(r.metadata().file_metadata().num_rows(), 1205);
        let schema = r.metadata().file_metadata().schema_descr();
        assert_eq!(schema.column(0).name(), "time");
    }

    // Daily bars beside them (from Yahoo: a symbol is refreshed from the provider it was
    // stored from, Binance here, unless told): list shows both intervals, daily first.
    let daily: Vec<(DateTime<Utc>, f64)> = (0..30)
        .map(|i| (start + Duration::days(i), 2000.0 + i as f64))
        .collect();
    let server3 = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/ETH-USD",
        Reply::ok_json(chart("ETH-USD", &daily, None)),
    )
    .query("interval=1d")]);
    at(&home, &server3)
        .args([
            "fetch",
            "ETH-USD",
            "--since",
            "2024-01-01",
            "--provider",
            "yahoo",
        ])
        .assert()
        .success();
    let (list, _) = run(&at(&home, &server3)
        .args(["list", "--format", "csv"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&list);
    assert_eq!(rows.len(), 2, "{list}");
    assert_eq!(
        rows[0][..7],
        [
            "ETH-USD",
            "yahoo",
            "ETH-USD",
            "crypto",
            "2024-01-01",
            "2024-01-30",
            "30"
        ]
    );
    assert_eq!(rows[0][8], "1d");
    // The hourly bars keep their provider; its ticker is not the daily provider's.
    assert_eq!(rows[1][col(&h, "interval")], "1h");
    assert_eq!(rows[1][col(&h, "provider")], "binance");
    assert_eq!(rows[1][col(&h, "ticker")], "");
    assert_eq!(rows[1][col(&h, "bars")], "1205");
    let (js, _) = run(&at(&home, &server3)
        .args(["list", "--format", "json"])
        .assert()
        .success());
    let v = json(&js);
    assert_eq!(v[0]["bars"], 30, "the daily listing as before: {js}");
    assert_eq!(v[0]["intervals"], json!(["1h", "1d"]), "{js}");
    assert_eq!(v[0]["ranges"][1]["interval"], "1h", "{js}");
    assert_eq!(v[0]["ranges"][1]["bars"], 1205, "{js}");
    assert_eq!(
        v[0]["ranges"][1]["last"],
        rfc(last + Duration::hours(5)),
        "{js}"
    );

    // remove --interval: the hourly bars go, the daily ones stay.
    let (out, _) = run(&at(&home, &server3)
        .args(["remove", "ETH-USD", "--interval", "1h"])
        .assert()
        .success());
    assert_eq!(out, "removed the 1h bars of ETH-USD (1205 bars)\n");
    let db = store(&home);
    assert_eq!(db.bars("ETH-USD", None, None).unwrap().len(), 30);
    assert!(db
        .intraday_bars("ETH-USD", Interval::H1, None, None)
        .unwrap()
        .is_empty());
    let (_, err) = run(&at(&home, &server3)
        .args(["remove", "ETH-USD", "--interval", "1h"])
        .assert()
        .code(1));
    assert!(err.contains("no 1h bars"), "{err}");
    let err = run(&at(&home, &server3)
        .args(["remove", "ETH-USD", "--interval", "1d"])
        .assert()
        .code(2))
    .1;
    assert!(err.contains("not an intraday interval"), "{err}");
}

#[test]
fn coinbase_candles_are_stored_and_30m_is_refused() {
    let dir = Dir::new();
    let home = home(&dir);
    let candles = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../test_data/coinbase/candles.ETH-USD.3600.2024-01-05.json"),
    )
    .unwrap();
    let server = ReplayServer::start(vec![
        Route::exact("/products/ETH-USD/candles", Reply::ok_json(candles))
            .query("granularity=3600")
            .query("start=2024-01-05T00:00:00Z"),
        // Every later window of 300 hours is empty.
        Route::exact("/products/ETH-USD/candles", Reply::ok_json("[]")),
    ]);
    let (csv, _) = run(&at(&home, &server)
        .args([
            "fetch",
            "ETH-USD",
            "--interval",
            "1h",
            "--provider",
            "coinbase",
            "--since",
            "2024-01-05",
            "--format",
            "csv",
        ])
        .assert()
        .success());
    let (h, rows) = parse_csv(&csv);
    assert_eq!(rows[0][col(&h, "provider")], "coinbase", "{csv}");
    assert_eq!(rows[0][col(&h, "added")], "5", "{csv}");
    assert_eq!(rows[0][col(&h, "last")], "2024-01-05T05:00:00Z", "{csv}");
    let reqs = server.requests();
    assert!(reqs.len() >= 2, "windows of 300 hours up to now");
    assert!(reqs
        .iter()
        .all(|r| r.query_param("granularity") == Some("3600")));
    let bars = store(&home)
        .intraday_bars("ETH-USD", Interval::H1, None, None)
        .unwrap();
    let starts: Vec<String> = bars.iter().map(|b| rfc(b.start)).collect();
    assert_eq!(
        starts,
        [
            "2024-01-05T00:00:00Z",
            "2024-01-05T01:00:00Z",
            "2024-01-05T02:00:00Z",
            "2024-01-05T04:00:00Z",
            "2024-01-05T05:00:00Z"
        ]
    );
    assert_eq!(bars[4].close, 2256.12);

    let before = server.requests().len();
    let (_, err) = run(&at(&home, &server)
        .args([
            "fetch",
            "ETH-USD",
            "--interval",
            "30m",
            "--provider",
            "coinbase",
        ])
        .assert()
        .code(1));
    assert!(err.contains("30m"), "{err}");
    assert!(err.contains("coinbase"), "{err}");
    assert_eq!(
        server.requests().len(),
        before,
        "refused before any request"
    );
}

#[test]
fn yahoo_60m_within_its_range_and_clear_errors_beyond_it() {
    let dir = Dir::new();
    let home = home(&dir);
    let today = Utc::now().date_naive();
    let since = today - Duration::days(6);
    let mut bars = Vec::new();
    let mut d = since;
    while d < today {
        for (k, t) in session_hours(d).into_iter().enumerate() {
            bars.push((t, 470.0 + k as f64));
        }
        d = d.succ_opt().unwrap();
    }
    let server = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/SPY",
        Reply::ok_json(chart("SPY", &bars, Some("60m"))),
    )
    .query("interval=60m")]);
    let (js, _) = run(&at(&home, &server)
        .args([
            "fetch",
            "SPY",
            "--interval",
            "1h",
            "--since",
            &since.to_string(),
            "--format",
            "json",
        ])
        .assert()
        .success());
    let v = json(&js);
    assert_eq!(v[0]["provider"], "yahoo", "{js}");
    assert_eq!(v[0]["interval"], "1h", "{js}");
    assert_eq!(v[0]["bars"], bars.len(), "{js}");
    let req = &server.requests()[0];
    assert_eq!(req.query_param("interval"), Some("60m"));
    let midnight = since.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    assert_eq!(
        req.query_param("period1"),
        Some(midnight.to_string().as_str())
    );
    let (list, _) = run(&at(&home, &server)
        .args(["list", "--format", "csv"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&list);
    assert_eq!(rows[0][col(&h, "interval")], "1h");
    assert_eq!(rows[0][col(&h, "first")], rfc(bars[0].0));
    assert_eq!(rows[0][col(&h, "class")], "etf", "{list}");

    // Beyond what Yahoo keeps: an error naming the limit, and no request.
    let before = server.requests().len();
    for (interval, back, limit) in [
        ("5m", 100, "60 days"),
        ("1h", 800, "730 days"),
        ("1m", 40, "30 days"),
    ] {
        let since = (today - Duration::days(back)).to_string();
        for provider in [&["--provider", "yahoo"][..], &[][..]] {
            let (_, err) = run(&at(&home, &server)
                .args(["fetch", "SPY", "--interval", interval, "--since", &since])
                .args(provider)
                .assert()
                .code(1));
            assert!(
                err.contains(&format!(
                    "yahoo serves {interval} bars for the last {limit} only"
                )),
                "{interval} {provider:?}: {err}"
            );
        }
    }
    assert_eq!(server.requests().len(), before);
    // The stored hourly bars are untouched by the failures.
    assert_eq!(
        store(&home)
            .intraday_bars("SPY", Interval::H1, None, None)
            .unwrap()
            .len(),
        bars.len()
    );
}

#[test]
fn import_an_intraday_csv_and_show_it() {
    let dir = Dir::new();
    let home = dir.0.path().join("home");
    let f = dir.file(
        "eth.csv",
        "time,open,high,low,close,volume\n\
         2024-01-02 17:00:00+00:00,10,11,9,10.5,100\n\
         2024-01-02 18:00:00+00:00,10.5,12,10,11.5,110\n\
         2024-01-02 19:00:00+00:00,11.5,12,11,11.75,120\n",
    );
    let (out, _) = run(&at_home(&home)
        .args(["import", "ETH-USD", s(&f), "--interval", "auto"])
        .assert()
        .success());
    assert!(out.contains("ETH-USD: 3 1h bars"), "{out}");
    assert!(out.contains("3 added, 0 revised, 0 unchanged"), "{out}");
    let (show, _) = run(&at_home(&home)
        .args(["show", "ETH-USD", "--interval", "1h", "--format", "csv"])
        .assert()
        .success());
    let (_, rows) = parse_csv(&show);
    assert_eq!(
        rows[0],
        [
            "2024-01-02T17:00:00Z",
            "10.0",
            "11.0",
            "9.0",
            "10.5",
            "100.0"
        ]
    );
    // Again with the interval given: nothing changes.
    let (out, _) = run(&at_home(&home)
        .args(["import", "ETH-USD", s(&f), "--interval", "1h"])
        .assert()
        .success());
    assert!(out.contains("0 added, 0 revised, 3 unchanged"), "{out}");
    // Naive timestamps with --tz: New York time, DST-aware.
    let g = dir.file(
        "spy.csv",
        "Datetime,Close\n2024-07-01 09:30:00,540\n2024-07-01 10:30:00,541\n",
    );
    at_home(&home)
        .args([
            "import",
            "SPY",
            s(&g),
            "--interval",
            "1h",
            "--tz",
            "America/New_York",
        ])
        .assert()
        .success();
    let bars = store(&home)
        .intraday_bars("SPY", Interval::H1, None, None)
        .unwrap();
    assert_eq!(rfc(bars[0].start), "2024-07-01T13:30:00Z");
    // Daily-only reader options do not apply.
    let err = run(&at_home(&home)
        .args([
            "import",
            "X",
            s(&f),
            "--interval",
            "1h",
            "--price-col",
            "close",
        ])
        .assert()
        .code(2))
    .1;
    assert!(err.contains("--price-col"), "{err}");
    // A bad row names the file and line.
    let bad = dir.file(
        "bad.csv",
        "time,close\n2024-01-02 17:00:00+00:00,1\nnope,2\n",
    );
    let err = run(&at_home(&home)
        .args(["import", "BAD", s(&bad), "--interval", "1h"])
        .assert()
        .code(1))
    .1;
    assert!(err.contains(&format!("{}:3", bad.display())), "{err}");
}

/// `analyze` on two live symbols: the every-day leg's hourly bars are fetched with the daily
/// ones (once: a second run within 12 hours asks for nothing) and the report compares both
/// clocks; `--interval 1h` fetches the exchange leg's too; `--offline` reads the store.
#[test]
fn analyze_fetches_the_hourly_bars_for_the_clock_comparison() {
    let dir = Dir::new();
    let home = home(&dir);
    let m = market(150);
    let server = ReplayServer::start(vec![
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(chart("ETH-USD", &m.eth_daily, None)),
        )
        .query("interval=1d"),
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(chart("ETH-USD", &m.eth_hourly, Some("60m"))),
        )
        .query("interval=60m"),
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(chart("ETH-USD", &m.eth_30m, Some("30m"))),
        )
        .query("interval=30m"),
        Route::prefix(
            "/v8/finance/chart/SPY",
            Reply::ok_json(chart("SPY", &m.spy_daily, None)),
        )
        .query("interval=1d"),
        Route::prefix(
            "/v8/finance/chart/SPY",
            Reply::ok_json(chart("SPY", &m.spy_hourly, Some("60m"))),
        )
        .query("interval=60m"),
    ]);
    let analyze = |extra: &[&str]| {
        let mut c = at(&home, &server);
        c.args(extra).args([
            "analyze",
            "ETH-USD",
            "SPY",
            "--no-rate",
            "--no-liquidity",
            "--format",
            "json",
        ]);
        c
    };
    let (js, err) = run(&analyze(&[]).assert().success());
    let v = json(&js);
    assert!(v["clocks"].is_object(), "{err}\n{}", v["clocks"]);
    assert_eq!(v["clocks"]["main"], "utc");
    let source = v["clocks"]["source"].as_str().unwrap();
    assert!(
        source.contains("1h") && source.contains("yahoo"),
        "{source}"
    );
    assert!(
        v["clocks"]["windows"][0]["exchange"]["corr"].is_number(),
        "{}",
        v["clocks"]
    );
    assert!(v["intraday"].is_null());
    assert_eq!(
        requests_with(&server, "/v8/finance/chart/ETH-USD", "60m"),
        1
    );
    assert_eq!(requests_with(&server, "/v8/finance/chart/SPY", "60m"), 0);
    let stored = store(&home)
        .intraday_bars("ETH-USD", Interval::H1, None, None)
        .unwrap();
    assert_eq!(stored.len(), m.eth_hourly.len());

    // Within the refresh interval: nothing is asked again.
    let before = server.requests().len();
    let (js2, _) = run(&analyze(&[]).assert().success());
    assert_eq!(server.requests().len(), before);
    assert_eq!(json(&js2)["clocks"], v["clocks"]);

    // --interval 1h: the exchange leg's hourly bars are fetched too, and the every-day leg's
    // 30-minute bars (SPY's hours end at :30, where ETH's hourly bars have no price).
    let (js, err) = run(&analyze(&[]).args(["--interval", "1h"]).assert().success());
    let v = json(&js);
    assert!(v["intraday"].is_object(), "{err}");
    let source = v["clocks"]["source"].as_str().unwrap();
    assert!(source.contains("30m"), "{source}");
    assert_eq!(requests_with(&server, "/v8/finance/chart/SPY", "60m"), 1);
    assert_eq!(
        requests_with(&server, "/v8/finance/chart/ETH-USD", "30m"),
        1
    );
    assert_eq!(
        requests_with(&server, "/v8/finance/chart/ETH-USD", "60m"),
        1
    );

    // Offline: the stored bars, no request; the hourly ones (the longer history) for the
    // clock comparison, though finer ones are stored now.
    let before = server.requests().len();
    let (js, _) = run(&analyze(&["--offline"]).assert().success());
    let source = json(&js)["clocks"]["source"].as_str().unwrap().to_string();
    assert!(source.contains("1h"), "{source}");
    assert_eq!(server.requests().len(), before);
    let (list, _) = run(&at(&home, &server)
        .args(["list", "--format", "csv"])
        .assert()
        .success());
    let (h, rows) = parse_csv(&list);
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[col(&h, "interval")].clone()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("ETH-USD".into(), "1d".into()),
            ("ETH-USD".into(), "1h".into()),
            ("ETH-USD".into(), "30m".into()),
            ("SPY".into(), "1d".into()),
            ("SPY".into(), "1h".into())
        ]
    );
}

/// A failed fetch of the hourly bars: no clock comparison, with the reason printed; an error
/// when the exchange clock or an interval was asked for.
#[test]
fn a_failed_intraday_fetch_degrades_unless_the_clock_is_asked_for() {
    let dir = Dir::new();
    let home = home(&dir);
    let m = market(120);
    let server = ReplayServer::start(vec![
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(chart("ETH-USD", &m.eth_daily, None)),
        )
        .query("interval=1d"),
        Route::prefix(
            "/v8/finance/chart/SPY",
            Reply::ok_json(chart("SPY", &m.spy_daily, None)),
        )
        .query("interval=1d"),
        Route::prefix(
            "/v8/finance/chart/",
            Reply::status(500, "upstream exploded"),
        ),
        // Coinbase and Binance: no route (404).
    ]);
    let analyze = |extra: &[&str]| {
        let mut c = at(&home, &server);
        c.args([
            "analyze",
            "ETH-USD",
            "SPY",
            "--no-rate",
            "--no-liquidity",
            "--format",
            "json",
        ])
        .args(extra);
        c
    };
    let (js, err) = run(&analyze(&[]).assert().success());
    assert!(json(&js)["clocks"].is_null());
    assert!(err.contains("no clock comparison"), "{err}");
    assert!(err.contains("cannot fetch 1h bars of ETH-USD"), "{err}");
    for (asked, what) in [
        (
            &["--clock", "exchange"][..],
            "cannot fetch 1h bars of ETH-USD",
        ),
        // Hourly equity bars end at :30: the every-day leg's 30m bars are needed.
        (
            &["--interval", "1h"][..],
            "cannot fetch 30m bars of ETH-USD",
        ),
    ] {
        let (_, err) = run(&analyze(asked).assert().code(1));
        assert!(err.contains(what), "{asked:?}: {err}");
    }
    // Nothing intraday was stored; the daily bars are.
    let db = store(&home);
    assert!(db
        .intervals("ETH-USD")
        .unwrap()
        .iter()
        .all(|l| l.interval == Interval::D1));
    assert!(!db.bars("SPY", None, None).unwrap().is_empty());
}

fn at_home(home: &Path) -> assert_cmd::Command {
    common::at(home)
}
