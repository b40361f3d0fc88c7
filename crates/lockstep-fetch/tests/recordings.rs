//! Real recorded provider responses from `../shared/data/fixtures` (skipped, with the reason
//! printed, when that folder is absent).
//!
//! The Yahoo files are node-yahoo-finance2 recording envelopes
//! `{"request":{"url"},"response":{...,"bodyJson":{"chart":...}}}`: the test serves
//! `response.bodyJson`, re-serialized, as the HTTP body.

mod common;

use std::path::PathBuf;

use common::*;
use lockstep_core::{AssetClass, Calendar, Interval};
use lockstep_fetch::{FetchError, Fetched, Progress, ProviderKind};
use lockstep_testkit::{ReplayServer, Reply, Route as Serve};

fn fixture(name: &str) -> Option<PathBuf> {
    let Some(dir) = shared_data() else {
        skip(&format!(
            "skipping: ../shared/data is absent (needed for the recorded fixture {name})"
        ));
        return None;
    };
    Some(dir.join("fixtures").join(name))
}

/// The HTTP body inside a node-yahoo-finance2 recording envelope.
fn envelope_body(path: &PathBuf) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let body = &v["response"]["bodyJson"];
    assert!(body.is_object(), "{}: no response.bodyJson", path.display());
    serde_json::to_string(body).unwrap()
}

fn yahoo_recording(name: &str, ticker: &str, from: &str, to: &str) -> Option<Fetched> {
    let path = fixture(name)?;
    let server = ReplayServer::start(vec![Serve::prefix(
        "/v8/finance/chart/",
        Reply::ok_json(envelope_body(&path)),
    )]);
    let got = fetch(
        &fetcher_for(&server),
        ProviderKind::Yahoo,
        ticker,
        Some(from),
        to,
    )
    .unwrap();
    assert_eq!(
        server.requests()[0].path_only(),
        format!("/v8/finance/chart/{ticker}")
    );
    Some(got)
}

#[test]
fn yahoo_qqq_one_bar_dated_in_new_york() {
    let Some(got) = yahoo_recording(
        "yahoo_v8_chart.QQQ.2020-01-01_2020-01-03.json",
        "QQQ",
        "2020-01-01",
        "2020-01-03",
    ) else {
        return;
    };
    // Timestamp 1577975400 is 2020-01-02 14:30 UTC, 09:30 in New York.
    assert_eq!(dates(&got.bars), ["2020-01-02"]);
    let b = got.bars[0];
    assert_eq!(b.close, 216.16000366210938);
    assert_eq!(b.adj_close, Some(214.17898559570312));
    assert_eq!(b.open, Some(214.39999389648438));
    assert_eq!(b.volume, Some(30969400.0));
    assert_eq!(got.instrument.asset_class, AssetClass::Etf);
    assert_eq!(got.instrument.currency.as_deref(), Some("USD"));
}

#[test]
fn yahoo_btc_three_utc_days() {
    let Some(got) = yahoo_recording(
        "yahoo_v8_chart.BTC-USD.2020-01-01_2020-01-03.json",
        "BTC-USD",
        "2020-01-01",
        "2020-01-03",
    ) else {
        return;
    };
    assert_eq!(dates(&got.bars), ["2020-01-01", "2020-01-02", "2020-01-03"]);
    let closes: Vec<f64> = got.bars.iter().map(|b| b.close).collect();
    assert_eq!(
        closes,
        [7200.17431640625, 6985.47021484375, 7344.88427734375]
    );
    assert_eq!(got.instrument.asset_class, AssetClass::Crypto);
    assert_eq!(got.instrument.calendar, Calendar::EveryDay);
}

#[test]
fn yahoo_aapl_with_split_and_dividend_events() {
    let Some(got) = yahoo_recording(
        "yahoo_v8_chart.AAPL.2020-08-31_2020-11-07.json",
        "AAPL",
        "2020-08-31",
        "2020-11-07",
    ) else {
        return;
    };
    assert_eq!(got.bars.len(), 49);
    let (first, last) = (got.bars[0], got.bars[48]);
    assert_eq!(first.date, d("2020-08-31"));
    assert_eq!(
        (first.close, first.adj_close),
        (129.0399932861328, Some(128.02847290039062))
    );
    assert_eq!(last.date, d("2020-11-06"));
    assert_eq!(
        (last.close, last.adj_close),
        (118.69000244140625, Some(117.9627914428711))
    );
    assert!(got
        .bars
        .iter()
        .all(|b| b.adj_close.is_some() && b.open.is_some()));
    assert_eq!(got.instrument.asset_class, AssetClass::Equity);
    assert_eq!(got.instrument.calendar, Calendar::Weekdays);
}

/// The real 1h klines parse (exact values are checked by the unit test in `src/binance.rs`);
/// served for a 1d request, they are rejected with a clear error instead of being taken for
/// daily bars.
#[test]
fn binance_recorded_hourly_klines_are_not_taken_for_daily_bars() {
    let Some(path) = fixture("binance_klines.ETHUSDT.1h.2021-11-08_2021-11-18.json") else {
        return;
    };
    let reply = Reply::from_file(&path, "application/json").unwrap();
    let server = ReplayServer::start(vec![Serve::exact("/api/v3/klines", reply)]);
    let e = fetch(
        &fetcher_for(&server),
        ProviderKind::Binance,
        "ETHUSDT",
        Some("2021-11-08"),
        "2021-11-18",
    )
    .unwrap_err();
    assert!(matches!(e, FetchError::Parse { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "binance: GET /api/v3/klines: unexpected kline interval: asked for 1d klines, got a row \
         spanning 3600000 ms (openTime 1636394400000, closeTime 1636397999999)"
    );
    assert_eq!(server.requests().len(), 1);
}

/// The real 1h klines of ETHUSDT, served for a 1h intraday request, are the 240 hourly bars
/// labelled by their open time.
#[test]
fn binance_recorded_hourly_klines_are_hourly_bars() {
    let name = "binance_klines.ETHUSDT.1h.2021-11-08_2021-11-18.json";
    let Some(path) = fixture(name).filter(|p| {
        let present = p.is_file();
        if !present {
            skip(&format!("skipping: {} is absent", p.display()));
        }
        present
    }) else {
        return;
    };
    let reply = Reply::from_file(&path, "application/json").unwrap();
    let server = ReplayServer::start(vec![Serve::exact("/api/v3/klines", reply)]);
    let (from, to) = (t("2021-11-08T18:00:00Z"), t("2021-11-18T17:00:00Z"));
    let mut events = Vec::new();
    let got = fetcher_for(&server)
        .fetch_intraday_chain(
            "ETH-USD",
            Some(ProviderKind::Binance),
            Interval::H1,
            Some(from),
            to,
            &mut |p| events.push(p),
        )
        .unwrap();
    assert_eq!(got.bars.len(), 240);
    assert_eq!(got.interval, Interval::H1);
    let (first, last) = (got.bars[0], got.bars[239]);
    assert_eq!(first.start, from);
    assert_eq!(first.start.timestamp_millis(), 1_636_394_400_000);
    assert_eq!(
        (first.open, first.high, first.low, first.close, first.volume),
        (
            Some(4782.45),
            Some(4791.39),
            Some(4773.61),
            4776.51,
            Some(9004.483)
        )
    );
    assert_eq!(last.start, to);
    assert_eq!(last.start.timestamp_millis(), 1_637_254_800_000);
    assert_eq!(
        (last.open, last.high, last.low, last.close, last.volume),
        (
            Some(4000.02),
            Some(4033.67),
            Some(3960.0),
            3976.29,
            Some(20572.6641)
        )
    );
    assert!(got
        .bars
        .windows(2)
        .all(|w| w[1].start - w[0].start == chrono::Duration::hours(1)));
    let i = &got.instrument;
    assert_eq!(
        (i.symbol.as_str(), i.provider.as_str(), i.ticker.as_str()),
        ("ETH-USD", "binance", "ETHUSDT")
    );
    assert_eq!(
        (i.asset_class, i.calendar, i.currency.as_deref()),
        (AssetClass::Crypto, Calendar::EveryDay, Some("USDT"))
    );
    assert_eq!(got.requests, 1);
    assert!(events.contains(&Progress::Bars { total: 240 }));
    let r = &server.requests()[0];
    assert_eq!(
        r.query(),
        "symbol=ETHUSDT&interval=1h&startTime=1636394400000&endTime=1637258399999&limit=1000"
    );
}
