//! Each provider against hand-written payloads in its wire format (`test_data/<provider>/`),
//! served by the replay server: parsing, dates, nulls, request URLs and pagination.

mod common;

use chrono::{Days, NaiveTime};
use common::*;
use lockstep_core::{AssetClass, Calendar, Date};
use lockstep_fetch::{Config, FetchError, Progress, ProviderKind};
use lockstep_testkit::{ReplayServer, Reply, Route as Serve};

// ---------------------------------------------------------------- Yahoo

fn yahoo_server(file: &str) -> ReplayServer {
    ReplayServer::start(vec![Serve::prefix(
        "/v8/finance/chart/",
        Reply::ok_json(payload("yahoo", file)),
    )])
}

#[test]
fn yahoo_dates_bars_in_the_exchange_zone_skips_null_closes_and_keeps_the_live_bar() {
    let server = yahoo_server("chart.RUT.2024-01-02_2024-01-05.json");
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Yahoo,
        "^RUT",
        Some("2024-01-02"),
        "2024-01-05",
    )
    .unwrap();
    // 2024-01-03 has a null close; the live bar at 2024-01-06 00:30 UTC is 2024-01-05 in New
    // York and replaces the 14:30 UTC bar of that day.
    assert_eq!(dates(&got.bars), ["2024-01-02", "2024-01-04", "2024-01-05"]);
    let b = got.bars[0];
    assert_eq!(
        (b.open, b.high, b.low, b.close, b.adj_close, b.volume),
        (None, Some(2036.5), Some(2008.16), 2022.21, None, Some(0.0))
    );
    assert_eq!(got.bars[1].volume, None);
    assert_eq!(
        (got.bars[2].close, got.bars[2].high),
        (1986.5, Some(2001.1))
    );
    let i = &got.instrument;
    assert_eq!((i.provider.as_str(), i.ticker.as_str()), ("yahoo", "^RUT"));
    assert_eq!(i.asset_class, AssetClass::Index);
    assert_eq!(i.calendar, Calendar::Weekdays);
    assert_eq!(i.currency.as_deref(), Some("USD"));
    assert!(got.warnings.iter().any(|w| w.contains("null close")));
    assert_eq!(got.requests, 1);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path_only(), "/v8/finance/chart/%5ERUT");
    // One day of slack on each side of the range.
    assert_eq!(r.query_param("period1"), Some("1704067200")); // 2024-01-01 00:00 UTC
    assert_eq!(r.query_param("period2"), Some("1704585600")); // 2024-01-07 00:00 UTC
    assert_eq!(r.query_param("interval"), Some("1d"));
    assert_eq!(r.query_param("events"), Some("div%2Csplit"));
    assert_eq!(r.query_param("includeAdjustedClose"), Some("true"));
    assert!(r
        .header("user-agent")
        .unwrap_or("")
        .starts_with("Mozilla/5.0"));
}

#[test]
fn yahoo_range_filter_and_full_history_request() {
    let server = yahoo_server("chart.RUT.2024-01-02_2024-01-05.json");
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Yahoo,
        "^RUT",
        Some("2024-01-03"),
        "2024-01-04",
    )
    .unwrap();
    assert_eq!(dates(&got.bars), ["2024-01-04"]);
    let got = fetch(&f, ProviderKind::Yahoo, "^RUT", None, "2024-01-05").unwrap();
    assert_eq!(got.bars.len(), 3);
    let reqs = server.requests();
    let p1: i64 = reqs[1].query_param("period1").unwrap().parse().unwrap();
    let p2: i64 = reqs[1].query_param("period2").unwrap().parse().unwrap();
    assert_eq!(p2 - p1, 3_122_064_000, "about 99 years of history");
}

#[test]
fn yahoo_falls_back_to_gmtoffset_for_an_unknown_zone() {
    let server = yahoo_server("chart.gmtoffset_fallback.json");
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Yahoo,
        "7203.T",
        Some("2024-01-01"),
        "2024-01-31",
    )
    .unwrap();
    // 2024-01-04 15:30 UTC is 2024-01-05 00:30 at +09:00.
    assert_eq!(dates(&got.bars), ["2024-01-04", "2024-01-05"]);
    assert_eq!(got.bars[0].adj_close, Some(2515.0));
    assert_eq!(got.bars[1].adj_close, None);
    assert_eq!(got.instrument.currency.as_deref(), Some("JPY"));
    assert_eq!(got.instrument.asset_class, AssetClass::Equity);
}

#[test]
fn yahoo_unknown_symbol_is_reported_with_yahoos_message_and_not_retried() {
    let server = ReplayServer::start(vec![Serve::prefix(
        "/v8/finance/chart/",
        Reply::new(404, payload("yahoo", "chart.not_found.json"))
            .header("Content-Type", "application/json"),
    )]);
    let f = fetcher_for(&server);
    let e = fetch(&f, ProviderKind::Yahoo, "NOPE", None, "2024-01-05").unwrap_err();
    assert!(e.is_unknown_symbol(), "{e:?}");
    assert!(
        e.to_string().starts_with(
            "yahoo: GET /v8/finance/chart/NOPE: HTTP 404: No data found, symbol may be delisted"
        ),
        "{e}"
    );
    assert_eq!(server.hits("/v8/finance/chart/NOPE"), 1);
}

#[test]
fn yahoo_empty_result_is_no_bars_and_no_data_for_the_chain() {
    let server = yahoo_server("chart.empty.json");
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Yahoo,
        "IWM",
        Some("2024-01-06"),
        "2024-01-07",
    )
    .unwrap();
    assert!(got.bars.is_empty());
    assert_eq!(got.instrument.asset_class, AssetClass::Etf);
    let e = f
        .fetch_chain(
            "IWM",
            Some(ProviderKind::Yahoo),
            Some(d("2024-01-06")),
            d("2024-01-07"),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(e.is_no_data(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "IWM: no data for 2024-01-06..2024-01-07 from yahoo"
    );
}

// ---------------------------------------------------------------- Coinbase

#[test]
fn coinbase_parses_newest_first_candles_by_utc_day() {
    let server = ReplayServer::start(vec![Serve::exact(
        "/products/ETH-USD/candles",
        Reply::ok_json(payload(
            "coinbase",
            "candles.ETH-USD.2024-01-01_2024-01-05.json",
        )),
    )]);
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Coinbase,
        "ETH-USD",
        Some("2024-01-01"),
        "2024-01-05",
    )
    .unwrap();
    assert_eq!(
        dates(&got.bars),
        [
            "2024-01-01",
            "2024-01-02",
            "2024-01-03",
            "2024-01-04",
            "2024-01-05"
        ]
    );
    let b = got.bars[0];
    assert_eq!(
        (b.open, b.high, b.low, b.close, b.volume, b.adj_close),
        (
            Some(2282.25),
            Some(2356.34),
            Some(2265.19),
            2352.15,
            Some(7711.23),
            None
        )
    );
    assert_eq!(got.bars[4].close, 2210.05);
    let i = &got.instrument;
    assert_eq!(
        (i.asset_class, i.calendar),
        (AssetClass::Crypto, Calendar::EveryDay)
    );
    assert_eq!(i.currency.as_deref(), Some("USD"));
    let r = &server.requests()[0];
    assert_eq!(
        r.query(),
        "granularity=86400&start=2024-01-01T00:00:00Z&end=2024-01-05T00:00:00Z"
    );
    assert!(r
        .header("user-agent")
        .unwrap_or("")
        .starts_with("lockstep/"));
}

fn midnight(d: Date) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp()
}

/// Generated Coinbase candles for `[from, to]`, newest first; close = days since 2000 + 100.
fn candles(from: Date, to: Date) -> String {
    let base = d("2000-01-01");
    let mut rows = Vec::new();
    let mut day = to;
    while day >= from {
        let c = (day - base).num_days() as f64 + 100.0;
        rows.push(format!(
            "[{},{},{},{},{},{}]",
            midnight(day),
            c - 2.0,
            c + 2.0,
            c - 1.0,
            c,
            10.5
        ));
        day = day - Days::new(1);
    }
    format!("[{}]", rows.join(","))
}

#[test]
fn coinbase_paginates_in_300_day_windows() {
    let (from, to) = (d("2023-01-01"), d("2024-12-31"));
    let windows = [
        (d("2023-01-01"), d("2023-10-27")),
        (d("2023-10-28"), d("2024-08-22")),
        (d("2024-08-23"), d("2024-12-31")),
    ];
    let routes = windows
        .iter()
        .map(|(s, e)| {
            Serve::exact("/products/BTC-USD/candles", Reply::ok_json(candles(*s, *e)))
                .query(&format!("start={s}T00:00:00Z"))
        })
        .collect();
    let server = ReplayServer::start(routes);
    let f = fetcher_for(&server);
    let mut events = Vec::new();
    let got = f
        .fetch(
            &route(ProviderKind::Coinbase, "BTC-USD"),
            "BTC-USD",
            Some(from),
            to,
            &mut |p| events.push(p),
        )
        .unwrap();
    assert_eq!(got.bars.len(), 731);
    assert_eq!(got.requests, 3);
    assert!(got
        .bars
        .windows(2)
        .all(|w| (w[1].date - w[0].date).num_days() == 1));
    assert_eq!((got.bars[0].date, got.bars[730].date), (from, to));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for (r, (s, e)) in reqs.iter().zip(windows) {
        assert_eq!(
            r.query_param("start"),
            Some(format!("{s}T00:00:00Z").as_str())
        );
        assert_eq!(
            r.query_param("end"),
            Some(format!("{e}T00:00:00Z").as_str())
        );
        assert_eq!(r.query_param("granularity"), Some("86400"));
    }
    let pages: Vec<_> = events
        .iter()
        .filter_map(|p| match p {
            Progress::Request {
                page,
                pages_estimate,
                ..
            } => Some((*page, *pages_estimate)),
            _ => None,
        })
        .collect();
    assert_eq!(pages, [(1, Some(3)), (2, Some(3)), (3, Some(3))]);
    assert!(events.contains(&Progress::Bars { total: 731 }));
}

#[test]
fn coinbase_unknown_product() {
    let server = ReplayServer::start(vec![Serve::prefix(
        "/products/",
        Reply::new(404, payload("coinbase", "not_found.json")),
    )]);
    let f = fetcher_for(&server);
    let e = fetch(
        &f,
        ProviderKind::Coinbase,
        "NOPE-USD",
        Some("2024-01-01"),
        "2024-01-05",
    )
    .unwrap_err();
    assert!(e.is_unknown_symbol());
    assert!(
        e.to_string()
            .starts_with("coinbase: GET /products/NOPE-USD/candles: HTTP 404: NotFound"),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------- Binance

fn ms(d: Date) -> i64 {
    midnight(d) * 1000
}

#[test]
fn binance_parses_string_prices_exactly() {
    let server = ReplayServer::start(vec![Serve::exact(
        "/api/v3/klines",
        Reply::ok_json(payload(
            "binance",
            "klines.ETHUSDT.1d.2024-01-01_2024-01-05.json",
        )),
    )]);
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Binance,
        "ETHUSDT",
        Some("2024-01-01"),
        "2024-01-05",
    )
    .unwrap();
    assert_eq!(got.bars.len(), 5);
    assert_eq!(got.bars[0].date, d("2024-01-01"));
    let b = got.bars[0];
    assert_eq!(
        (b.open, b.high, b.low, b.close, b.volume),
        (
            Some(2281.87),
            Some(2352.37),
            Some(2265.24),
            2352.04,
            Some(216702.6723)
        )
    );
    assert_eq!(got.instrument.currency.as_deref(), Some("USDT"));
    assert_eq!(got.instrument.calendar, Calendar::EveryDay);
    let r = &server.requests()[0];
    assert_eq!(
        r.query(),
        "symbol=ETHUSDT&interval=1d&startTime=1704067200000&endTime=1704499199999&limit=1000"
    );
}

/// Generated 1d klines for `[from, to]`, oldest first.
fn klines(from: Date, to: Date) -> String {
    let mut rows = Vec::new();
    let mut day = from;
    while day <= to {
        let t = ms(day);
        let c = (day - d("2000-01-01")).num_days() as f64 / 4.0;
        rows.push(format!(
            r#"[{t},"{o:.8}","{h:.8}","{l:.8}","{c:.8}","1.5",{ct},"2.5",7,"0.5","1.0","0"]"#,
            o = c - 0.25,
            h = c + 1.0,
            l = c - 1.0,
            ct = t + 86_399_999
        ));
        day = day + Days::new(1);
    }
    format!("[{}]", rows.join(","))
}

#[test]
fn binance_paginates_until_a_short_page() {
    let (from, to) = (d("2020-01-01"), d("2023-12-31"));
    let second = from + Days::new(1000);
    let server = ReplayServer::start(vec![
        Serve::exact(
            "/api/v3/klines",
            Reply::ok_json(klines(from, second - Days::new(1))),
        )
        .query(&format!("startTime={}&", ms(from))),
        Serve::exact("/api/v3/klines", Reply::ok_json(klines(second, to)))
            .query(&format!("startTime={}&", ms(second))),
    ]);
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Binance,
        "BTCUSDT",
        Some("2020-01-01"),
        "2023-12-31",
    )
    .unwrap();
    assert_eq!(got.bars.len(), 1461);
    assert_eq!(got.requests, 2);
    assert!(got
        .bars
        .windows(2)
        .all(|w| (w[1].date - w[0].date).num_days() == 1));
    assert_eq!(
        got.bars[1460].close,
        (to - d("2000-01-01")).num_days() as f64 / 4.0
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let end = (ms(to) + 86_400_000 - 1).to_string();
    for r in &reqs {
        assert_eq!(r.query_param("endTime"), Some(end.as_str()));
        assert_eq!(r.query_param("limit"), Some("1000"));
        assert_eq!(r.query_param("interval"), Some("1d"));
    }
}

#[test]
fn binance_invalid_symbol() {
    let server = ReplayServer::start(vec![Serve::exact(
        "/api/v3/klines",
        Reply::new(400, payload("binance", "invalid_symbol.json")),
    )]);
    let f = fetcher_for(&server);
    let e = fetch(&f, ProviderKind::Binance, "NOPEUSDT", None, "2024-01-05").unwrap_err();
    assert!(e.is_unknown_symbol());
    assert!(
        e.to_string()
            .starts_with("binance: GET /api/v3/klines: HTTP 400: Invalid symbol."),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);
    let start = ms(d("2017-01-01")).to_string();
    assert_eq!(
        server.requests()[0].query_param("startTime"),
        Some(start.as_str())
    );
}

// ---------------------------------------------------------------- Stooq

#[test]
fn stooq_reads_the_csv_and_sends_the_range() {
    let server = ReplayServer::start(vec![Serve::exact(
        "/q/d/l/",
        Reply::ok_text(
            payload("stooq", "iwm.us.2024-01-02_2024-01-08.csv"),
            "text/csv",
        ),
    )]);
    let f = fetcher_for(&server);
    let routes = Config::default()
        .resolve("IWM", Some(ProviderKind::Stooq))
        .unwrap();
    let got = f
        .fetch(
            &routes[0],
            "IWM",
            Some(d("2024-01-02")),
            d("2024-01-08"),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(got.bars.len(), 5);
    let b = got.bars[0];
    assert_eq!(
        (b.date, b.open, b.high, b.low, b.close, b.volume),
        (
            d("2024-01-02"),
            Some(197.01),
            Some(198.38),
            Some(195.64),
            197.19,
            Some(37441500.0)
        )
    );
    let i = &got.instrument;
    assert_eq!(
        (i.ticker.as_str(), i.asset_class),
        ("iwm.us", AssetClass::Etf)
    );
    assert_eq!(
        (i.calendar, i.currency.as_deref()),
        (Calendar::Weekdays, Some("USD"))
    );
    assert_eq!(
        server.requests()[0].query(),
        "s=iwm.us&i=d&d1=20240102&d2=20240108"
    );
}

#[test]
fn stooq_index_without_volume_and_full_history() {
    let server = ReplayServer::start(vec![Serve::exact(
        "/q/d/l/",
        Reply::ok_text(
            payload("stooq", "rut.2024-01-02_2024-01-04.csv"),
            "text/csv",
        ),
    )]);
    let f = fetcher_for(&server);
    let got = f
        .fetch_chain(
            "^RUT",
            Some(ProviderKind::Stooq),
            None,
            d("2024-01-31"),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(dates(&got.bars), ["2024-01-02", "2024-01-03", "2024-01-04"]);
    assert!(got
        .bars
        .iter()
        .all(|b| b.volume.is_none() && b.open.is_some()));
    assert_eq!(got.instrument.asset_class, AssetClass::Index);
    assert_eq!(server.requests()[0].query(), "s=%5Erut&i=d");
}

#[test]
fn stooq_no_data_is_an_unknown_symbol() {
    let server = ReplayServer::start(vec![Serve::exact(
        "/q/d/l/",
        Reply::ok_text(payload("stooq", "no_data.txt"), "text/plain"),
    )]);
    let f = fetcher_for(&server);
    let e = fetch(&f, ProviderKind::Stooq, "nope.us", None, "2024-01-05").unwrap_err();
    assert!(e.is_unknown_symbol(), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("stooq: GET /q/d/l/: HTTP 200: No data"),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------- FRED

fn fred_server(reply: Reply) -> ReplayServer {
    ReplayServer::start(vec![Serve::exact("/graph/fredgraph.csv", reply)])
}

#[test]
fn fred_skips_missing_values_and_keeps_negative_ones() {
    let server = fred_server(Reply::ok_text(
        payload("fred", "DGS2.2024-01-01_2024-01-09.csv"),
        "text/csv",
    ));
    let f = fetcher_for(&server);
    let got = f
        .fetch_chain(
            "fred:DGS2",
            None,
            Some(d("2024-01-01")),
            d("2024-01-09"),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        dates(&got.bars),
        [
            "2024-01-02",
            "2024-01-03",
            "2024-01-04",
            "2024-01-08",
            "2024-01-09"
        ]
    );
    assert_eq!(got.bars[0].close, 4.33);
    assert_eq!(got.bars[4].close, -0.05);
    assert!(got
        .bars
        .iter()
        .all(|b| b.open.is_none() && b.adj_close.is_none()));
    assert!(
        got.warnings.iter().any(|w| w.contains("skipped 2 missing")),
        "{:?}",
        got.warnings
    );
    let i = &got.instrument;
    assert_eq!(
        (i.symbol.as_str(), i.provider.as_str(), i.ticker.as_str()),
        ("fred:DGS2", "fred", "DGS2")
    );
    assert_eq!(
        (i.asset_class, i.calendar, i.currency.clone()),
        (AssetClass::Macro, Calendar::Weekdays, None)
    );
    assert_eq!(server.requests()[0].query(), "id=DGS2&cosd=2024-01-01");
}

#[test]
fn fred_old_header_and_only_missing_values() {
    let server = fred_server(Reply::ok_text(
        payload("fred", "DGS2.old_header.csv"),
        "text/csv",
    ));
    let f = fetcher_for(&server);
    let got = fetch(&f, ProviderKind::Fred, "DGS2", None, "2009-12-31").unwrap();
    assert_eq!(dates(&got.bars), ["2008-12-30", "2009-01-02"]);
    assert_eq!(server.requests()[0].query(), "id=DGS2");

    let server = fred_server(Reply::ok_text(
        payload("fred", "DGS2.only_missing.csv"),
        "text/csv",
    ));
    let f = fetcher_for(&server);
    let got = fetch(
        &f,
        ProviderKind::Fred,
        "DGS2",
        Some("2024-01-01"),
        "2024-01-01",
    )
    .unwrap();
    assert!(got.bars.is_empty());
}

#[test]
fn fred_unknown_series() {
    let server = fred_server(
        Reply::new(404, payload("fred", "not_found.html")).header("Content-Type", "text/html"),
    );
    let f = fetcher_for(&server);
    let e = f
        .fetch_chain("fred:NOPE", None, None, d("2024-01-01"), &mut |_| {})
        .unwrap_err();
    assert!(e.is_unknown_symbol(), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("fred: GET /graph/fredgraph.csv: HTTP 404: FRED has no series \"NOPE\""),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1);
    assert!(matches!(e, FetchError::UnknownSymbol { ref symbol, .. } if symbol == "NOPE"));
}
