//! Intraday bars against the replay server: every request form (Yahoo 60m / 5m / 1m paged by
//! 7 days, Binance klines pages, Coinbase candle windows), the refusals made before any
//! request (Yahoo's history limits, Coinbase 30m, daily-only providers), the fallback chain and
//! a retried fault.

mod common;

use std::time::Duration as StdDuration;

use chrono::Duration;
use common::*;
use lockstep_core::{AssetClass, Calendar, Interval, Timestamp};
use lockstep_fetch::{FetchError, FetchedIntraday, Fetcher, Progress, ProviderKind};
use lockstep_testkit::{ReplayServer, Reply, Route as Serve};

const CHART: &str = "/v8/finance/chart/";
const CANDLES: &str = "/products/ETH-USD/candles";
const KLINES: &str = "/api/v3/klines";

/// Fetch one route's intraday bars, collecting the progress events.
fn one(
    f: &Fetcher,
    provider: ProviderKind,
    ticker: &str,
    interval: Interval,
    from: Option<Timestamp>,
    to: Timestamp,
    events: &mut Vec<Progress>,
) -> Result<FetchedIntraday, FetchError> {
    f.fetch_intraday_route(
        &route(provider, ticker),
        ticker,
        interval,
        from,
        to,
        &mut |p| events.push(p),
    )
}

/// `(page, pages_estimate)` of each request event.
fn pages(events: &[Progress]) -> Vec<(usize, Option<usize>)> {
    events
        .iter()
        .filter_map(|p| match p {
            Progress::Request {
                page,
                pages_estimate,
                ..
            } => Some((*page, *pages_estimate)),
            _ => None,
        })
        .collect()
}

fn secs(t: Timestamp) -> String {
    t.timestamp().to_string()
}

fn millis(t: Timestamp) -> String {
    t.timestamp_millis().to_string()
}

// ---------------------------------------------------------------- Yahoo

fn yahoo_file(file: &str) -> ReplayServer {
    ReplayServer::start(vec![Serve::prefix(
        CHART,
        Reply::ok_json(payload("yahoo", file)),
    )])
}

/// A chart body of `granularity` with one bar per `(open time, close)`.
fn chart(granularity: &str, bars: &[(&str, f64)]) -> String {
    let ts: Vec<String> = bars.iter().map(|(s, _)| secs(t(s))).collect();
    let close: Vec<String> = bars.iter().map(|(_, c)| c.to_string()).collect();
    let vol: Vec<String> = bars.iter().map(|_| "1000".to_string()).collect();
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":"SPY","instrumentType":"ETF","exchangeTimezoneName":"America/New_York","gmtoffset":-18000,"dataGranularity":"{granularity}"}},"timestamp":[{ts}],"indicators":{{"quote":[{{"open":[{c}],"high":[{c}],"low":[{c}],"close":[{c}],"volume":[{v}]}}]}}}}],"error":null}}}}"#,
        ts = ts.join(","),
        c = close.join(","),
        v = vol.join(",")
    )
}

#[test]
fn yahoo_60m_bars_are_labelled_by_open_time_and_keep_the_short_last_hour() {
    let server = yahoo_file("chart.SPY.60m.2024-01-04_2024-01-05.json");
    let f = fetcher_for(&server).with_now(t("2024-01-08T12:00:00Z"));
    let (from, to) = (t("2024-01-04T00:00:00Z"), t("2024-01-05T23:59:00Z"));
    let mut events = Vec::new();
    let got = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::H1,
        Some(from),
        to,
        &mut events,
    )
    .unwrap();
    // 09:30..15:30 New York = 14:30..20:30 UTC in January; 12:30 on the 4th has a null close.
    assert_eq!(
        starts(&got.bars),
        [
            "2024-01-04T14:30:00Z",
            "2024-01-04T15:30:00Z",
            "2024-01-04T16:30:00Z",
            "2024-01-04T18:30:00Z",
            "2024-01-04T19:30:00Z",
            "2024-01-04T20:30:00Z",
            "2024-01-05T14:30:00Z",
            "2024-01-05T15:30:00Z",
            "2024-01-05T16:30:00Z",
            "2024-01-05T17:30:00Z",
            "2024-01-05T18:30:00Z",
            "2024-01-05T19:30:00Z",
            "2024-01-05T20:30:00Z",
        ]
    );
    let first = got.bars[0];
    assert_eq!(
        (first.open, first.high, first.low, first.close, first.volume),
        (
            Some(468.30),
            Some(468.94),
            Some(467.36),
            467.72,
            Some(9821436.0)
        )
    );
    // The 15:30 bar (30 minutes long) is kept, labelled by its start; its close is the day's.
    let last = got.bars[12];
    assert_eq!((last.close, last.volume), (467.92, Some(12461029.0)));
    assert_eq!(got.interval, Interval::H1);
    assert_eq!(got.requests, 1);
    assert!(
        got.warnings
            .iter()
            .any(|w| w == "yahoo: skipped 1 bar(s) with a null close"),
        "{:?}",
        got.warnings
    );
    let i = &got.instrument;
    assert_eq!(
        (i.symbol.as_str(), i.provider.as_str(), i.ticker.as_str()),
        ("SPY", "yahoo", "SPY")
    );
    assert_eq!(
        (i.asset_class, i.calendar, i.currency.as_deref()),
        (AssetClass::Etf, Calendar::Weekdays, Some("USD"))
    );
    let series = got.series().unwrap();
    assert_eq!((series.len(), series.source.as_str()), (13, "yahoo:SPY"));
    assert_eq!(pages(&events), [(1, Some(1))]);
    assert_eq!(events.last(), Some(&Progress::Bars { total: 13 }));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.path_only(), "/v8/finance/chart/SPY");
    assert_eq!(
        r.query(),
        format!(
            "period1={}&period2={}&interval=60m&includePrePost=false",
            secs(from),
            secs(to + Duration::hours(1))
        )
    );
    assert!(r
        .header("user-agent")
        .unwrap_or("")
        .starts_with("Mozilla/5.0"));
}

#[test]
fn yahoo_5m_merges_the_live_point_into_the_forming_bar() {
    let server = yahoo_file("chart.SPY.5m.2024-01-05_live.json");
    let now = t("2024-01-05T20:48:30Z");
    let f = fetcher_for(&server).with_now(now);
    let from = t("2024-01-05T20:00:00Z");
    let got = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M5,
        Some(from),
        now,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(got.bars.len(), 10);
    assert_eq!(got.bars[0].start, from);
    assert!(got
        .bars
        .windows(2)
        .all(|w| w[1].start - w[0].start == Duration::minutes(5)));
    // The point at 20:48:12 is inside the 20:45 bar: its close, the higher high, the lower low,
    // the volumes added.
    let b = got.bars[9];
    assert_eq!(b.start, t("2024-01-05T20:45:00Z"));
    assert_eq!(
        (b.open, b.high, b.low, b.close, b.volume),
        (
            Some(467.97),
            Some(468.11),
            Some(467.94),
            468.09,
            Some(355532.0)
        )
    );
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    let r = &server.requests()[0];
    assert_eq!(r.query_param("period1"), Some(secs(from).as_str()));
    assert_eq!(
        r.query_param("period2"),
        Some(secs(now + Duration::minutes(5)).as_str())
    );
    assert_eq!(r.query_param("interval"), Some("5m"));
    assert_eq!(r.query_param("includePrePost"), Some("false"));
}

#[test]
fn yahoo_1m_is_paged_by_7_days() {
    let now = t("2024-01-05T22:00:00Z");
    let (from, to) = (t("2023-12-18T00:00:00Z"), t("2024-01-05T21:00:00Z"));
    let p2 = from + Duration::days(7);
    let p3 = from + Duration::days(14);
    let page = |start: Timestamp, body: String| {
        Serve::prefix(CHART, Reply::ok_json(body)).query(&format!("period1={}&", secs(start)))
    };
    let server = ReplayServer::start(vec![
        page(
            from,
            chart(
                "1m",
                &[
                    ("2023-12-18T14:30:00Z", 470.0),
                    ("2023-12-18T14:31:00Z", 470.5),
                    ("2023-12-22T20:59:00Z", 473.0),
                ],
            ),
        ),
        // The second page repeats the last bar of the first (revised): the later one wins.
        page(
            p2,
            chart(
                "1m",
                &[
                    ("2023-12-22T20:59:00Z", 473.25),
                    ("2023-12-26T14:30:00Z", 474.0),
                    ("2023-12-29T20:59:00Z", 475.0),
                ],
            ),
        ),
        page(
            p3,
            chart(
                "1m",
                &[
                    ("2024-01-02T14:30:00Z", 472.0),
                    ("2024-01-05T20:59:00Z", 467.9),
                ],
            ),
        ),
    ]);
    let f = fetcher_for(&server).with_now(now);
    let mut events = Vec::new();
    let got = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M1,
        Some(from),
        to,
        &mut events,
    )
    .unwrap();
    assert_eq!(
        starts(&got.bars),
        [
            "2023-12-18T14:30:00Z",
            "2023-12-18T14:31:00Z",
            "2023-12-22T20:59:00Z",
            "2023-12-26T14:30:00Z",
            "2023-12-29T20:59:00Z",
            "2024-01-02T14:30:00Z",
            "2024-01-05T20:59:00Z",
        ]
    );
    assert_eq!(got.bars[2].close, 473.25);
    assert_eq!(got.requests, 3);
    assert_eq!(pages(&events), [(1, Some(3)), (2, Some(3)), (3, Some(3))]);
    let reqs = server.requests();
    let periods: Vec<(String, String)> = reqs
        .iter()
        .map(|r| {
            assert_eq!(r.query_param("interval"), Some("1m"));
            assert_eq!(r.query_param("includePrePost"), Some("false"));
            (
                r.query_param("period1").unwrap_or("").to_string(),
                r.query_param("period2").unwrap_or("").to_string(),
            )
        })
        .collect();
    // [from, +7d), [+7d, +14d), [+14d, to + 1 minute): 2023-12-18, 12-25, 2024-01-01, and the
    // end of the bar opening at `to`.
    assert_eq!(
        periods,
        [
            ("1702857600".into(), "1703462400".into()),
            ("1703462400".into(), "1704067200".into()),
            ("1704067200".into(), "1704488460".into()),
        ]
    );
    assert_eq!(secs(to + Duration::minutes(1)), "1704488460");
}

#[test]
fn yahoo_refuses_bars_older_than_it_keeps_before_any_request() {
    let server = yahoo_file("chart.SPY.5m.2024-01-05_live.json");
    let now = t("2026-12-06T00:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    for (interval, back, message) in [
        (
            Interval::M5,
            61,
            "yahoo serves 5m bars for the last 60 days only; ask from 2026-10-07 or use a \
             coarser --interval",
        ),
        (
            Interval::M30,
            61,
            "yahoo serves 30m bars for the last 60 days only; ask from 2026-10-07 or use a \
             coarser --interval",
        ),
        (
            Interval::M1,
            31,
            "yahoo serves 1m bars for the last 30 days only; ask from 2026-11-06 or use a \
             coarser --interval",
        ),
        (
            Interval::H1,
            731,
            "yahoo serves 1h bars for the last 730 days only; ask from 2024-12-06 or use a \
             coarser --interval",
        ),
    ] {
        let e = one(
            &f,
            ProviderKind::Yahoo,
            "SPY",
            interval,
            Some(now - Duration::days(back)),
            now,
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(e.is_unsupported(), "{e:?}");
        assert_eq!(e.provider(), Some(ProviderKind::Yahoo));
        assert_eq!(e.to_string(), message);
    }
    // A range ending before the limit, asked without a start, is refused the same way.
    let e = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M5,
        None,
        now - Duration::days(90),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(e.is_unsupported(), "{e:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn yahoo_without_a_start_asks_from_the_first_midnight_inside_its_limit() {
    let server = yahoo_file("chart.SPY.60m.2024-01-04_2024-01-05.json");
    let now = t("2024-01-08T12:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    let got = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::H1,
        None,
        now,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(got.bars.len(), 13);
    // 730 days before 2024-01-08 12:00 is 2022-01-08 12:00; the next midnight is 2022-01-09.
    let r = &server.requests()[0];
    assert_eq!(
        r.query_param("period1"),
        Some(secs(t("2022-01-09T00:00:00Z")).as_str())
    );
}

#[test]
fn yahoos_own_refusal_is_reported_with_its_message_and_not_retried() {
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        Reply::new(422, payload("yahoo", "chart.range_limit.json"))
            .header("Content-Type", "application/json"),
    )]);
    // Inside the limit by this clock; Yahoo's clock disagrees.
    let now = t("2024-01-05T22:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    let e = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M5,
        Some(now - Duration::days(59)),
        now,
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "yahoo: GET /v8/finance/chart/SPY: HTTP 422: 5m data not available for \
         startTime=1699228800. The requested range must be within the last 60 days."
    );
    assert_eq!(server.hits(CHART), 1);
}

#[test]
fn yahoo_bars_of_another_granularity_are_rejected() {
    let server = yahoo_file("chart.SPY.60m.2024-01-04_2024-01-05.json");
    let now = t("2024-01-05T22:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    let e = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M5,
        Some(t("2024-01-04T00:00:00Z")),
        now,
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(matches!(e, FetchError::Parse { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "yahoo: GET /v8/finance/chart/SPY: unexpected granularity: asked for 5m bars, got \
         dataGranularity \"60m\""
    );
    assert_eq!(server.hits(CHART), 1);
}

// ---------------------------------------------------------------- Binance

/// Generated klines of `step` opening at `first`, `first + step`, ... (`n` rows); close = the
/// row's index + 100.
fn klines(first: Timestamp, step: Duration, from_index: usize, n: usize) -> String {
    let rows: Vec<String> = (from_index..from_index + n)
        .map(|k| {
            let open = (first + step * k as i32).timestamp_millis();
            let c = k as f64 + 100.0;
            format!(
                r#"[{open},"{o:.8}","{h:.8}","{l:.8}","{c:.8}","2.5",{ct},"250.0",9,"1.0","100.0","0"]"#,
                o = c - 0.5,
                h = c + 1.0,
                l = c - 1.0,
                ct = open + step.num_milliseconds() - 1
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}

#[test]
fn binance_5m_paginates_by_1000_klines() {
    let step = Duration::minutes(5);
    let from = t("2024-03-01T00:00:00Z");
    let to = from + step * 2499;
    let server = ReplayServer::start(vec![
        Serve::exact(KLINES, Reply::ok_json(klines(from, step, 0, 1000)))
            .query(&format!("startTime={}&", millis(from))),
        Serve::exact(KLINES, Reply::ok_json(klines(from, step, 1000, 1000)))
            .query(&format!("startTime={}&", millis(from + step * 1000))),
        Serve::exact(KLINES, Reply::ok_json(klines(from, step, 2000, 500)))
            .query(&format!("startTime={}&", millis(from + step * 2000))),
    ]);
    let f = fetcher_for(&server);
    let mut events = Vec::new();
    let got = one(
        &f,
        ProviderKind::Binance,
        "ETHUSDT",
        Interval::M5,
        Some(from),
        to,
        &mut events,
    )
    .unwrap();
    assert_eq!(got.bars.len(), 2500);
    assert_eq!(got.requests, 3);
    assert_eq!((got.bars[0].start, got.bars[2499].start), (from, to));
    assert!(got.bars.windows(2).all(|w| w[1].start - w[0].start == step));
    let b = got.bars[1234];
    assert_eq!(
        (b.open, b.high, b.low, b.close, b.volume),
        (Some(1333.5), Some(1335.0), Some(1333.0), 1334.0, Some(2.5))
    );
    assert_eq!(
        (got.instrument.asset_class, got.instrument.calendar),
        (AssetClass::Crypto, Calendar::EveryDay)
    );
    assert_eq!(got.instrument.currency.as_deref(), Some("USDT"));
    assert_eq!(pages(&events), [(1, Some(3)), (2, Some(3)), (3, Some(3))]);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    // Up to the close time of the kline opening at `to`.
    let end = (to.timestamp_millis() + 300_000 - 1).to_string();
    for (k, r) in reqs.iter().enumerate() {
        assert_eq!(
            r.query(),
            format!(
                "symbol=ETHUSDT&interval=5m&startTime={}&endTime={end}&limit=1000",
                millis(from + step * (1000 * k as i32))
            )
        );
    }
}

#[test]
fn binance_rows_of_another_interval_are_rejected() {
    let from = t("2024-03-01T00:00:00Z");
    let server = ReplayServer::start(vec![Serve::exact(
        KLINES,
        Reply::ok_json(klines(from, Duration::hours(1), 0, 3)),
    )]);
    let e = one(
        &fetcher_for(&server),
        ProviderKind::Binance,
        "ETHUSDT",
        Interval::M15,
        Some(from),
        from + Duration::hours(2),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with(
            "binance: GET /api/v3/klines: unexpected kline interval: asked for 15m klines, got \
             a row spanning 3600000 ms"
        ),
        "{e}"
    );
}

// ---------------------------------------------------------------- Coinbase

/// Generated candles of `step` for `[from, to]`, newest first; close = hours since `base`.
fn candles(from: Timestamp, to: Timestamp, step: Duration) -> String {
    let base = t("2024-01-01T00:00:00Z");
    let mut rows = Vec::new();
    let mut at = to;
    while at >= from {
        let c = (at - base).num_minutes() as f64 / 60.0 + 2000.0;
        rows.push(format!(
            "[{},{},{},{},{},{}]",
            at.timestamp(),
            c - 2.0,
            c + 2.0,
            c - 1.0,
            c,
            3.25
        ));
        at -= step;
    }
    format!("[{}]", rows.join(","))
}

#[test]
fn coinbase_3600_parses_newest_first_candles_with_a_gap() {
    let server = ReplayServer::start(vec![Serve::exact(
        CANDLES,
        Reply::ok_json(payload("coinbase", "candles.ETH-USD.3600.2024-01-05.json")),
    )]);
    let (from, to) = (t("2024-01-05T00:00:00Z"), t("2024-01-05T05:00:00Z"));
    let got = one(
        &fetcher_for(&server),
        ProviderKind::Coinbase,
        "ETH-USD",
        Interval::H1,
        Some(from),
        to,
        &mut Vec::new(),
    )
    .unwrap();
    // No candle is published for an hour without trades (03:00).
    assert_eq!(
        starts(&got.bars),
        [
            "2024-01-05T00:00:00Z",
            "2024-01-05T01:00:00Z",
            "2024-01-05T02:00:00Z",
            "2024-01-05T04:00:00Z",
            "2024-01-05T05:00:00Z",
        ]
    );
    let b = got.bars[0];
    assert_eq!(
        (b.open, b.high, b.low, b.close, b.volume),
        (
            Some(2269.57),
            Some(2281.4),
            Some(2268.11),
            2275.02,
            Some(1523.41)
        )
    );
    assert_eq!(got.bars[4].close, 2256.12);
    assert_eq!(got.instrument.currency.as_deref(), Some("USD"));
    assert_eq!(
        server.requests()[0].query(),
        "granularity=3600&start=2024-01-05T00:00:00Z&end=2024-01-05T05:00:00Z"
    );
}

#[test]
fn coinbase_3600_paginates_by_300_candles() {
    let step = Duration::hours(1);
    let (from, to) = (t("2024-01-01T00:00:00Z"), t("2024-01-30T23:00:00Z"));
    let windows = [
        (from, t("2024-01-13T11:00:00Z")),
        (t("2024-01-13T12:00:00Z"), t("2024-01-25T23:00:00Z")),
        (t("2024-01-26T00:00:00Z"), to),
    ];
    let rfc = |t: Timestamp| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let server = ReplayServer::start(
        windows
            .iter()
            .map(|(s, e)| {
                Serve::exact(CANDLES, Reply::ok_json(candles(*s, *e, step)))
                    .query(&format!("start={}&", rfc(*s)))
            })
            .collect(),
    );
    let mut events = Vec::new();
    let got = one(
        &fetcher_for(&server),
        ProviderKind::Coinbase,
        "ETH-USD",
        Interval::H1,
        Some(from),
        to,
        &mut events,
    )
    .unwrap();
    assert_eq!(got.bars.len(), 720);
    assert_eq!(got.requests, 3);
    assert!(got.bars.windows(2).all(|w| w[1].start - w[0].start == step));
    assert_eq!((got.bars[0].start, got.bars[719].start), (from, to));
    assert_eq!(got.bars[719].close, 719.0 + 2000.0);
    assert_eq!(pages(&events), [(1, Some(3)), (2, Some(3)), (3, Some(3))]);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for (r, (s, e)) in reqs.iter().zip(windows) {
        assert_eq!(
            r.query(),
            format!("granularity=3600&start={}&end={}", rfc(s), rfc(e))
        );
    }
}

#[test]
fn coinbase_refuses_30m_and_daily_only_providers_refuse_intraday() {
    let server = ReplayServer::start(vec![]);
    let f = fetcher_for(&server);
    let now = t("2024-01-05T22:00:00Z");
    let from = Some(now - Duration::days(1));
    let e = one(
        &f,
        ProviderKind::Coinbase,
        "ETH-USD",
        Interval::M30,
        from,
        now,
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(e.is_unsupported(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "coinbase does not serve 30m bars (it serves 1m, 5m, 15m, 1h, 1d)"
    );
    let e = one(
        &f,
        ProviderKind::Stooq,
        "spy.us",
        Interval::H1,
        from,
        now,
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "stooq serves daily bars only, not 1h");
    let e = f
        .fetch_intraday("fred:DGS2", Interval::M5, from, now, &mut |_| {})
        .unwrap_err();
    assert!(e.is_unsupported(), "{e:?}");
    assert_eq!(e.provider(), Some(ProviderKind::Fred));
    assert_eq!(e.to_string(), "fred serves daily bars only, not 5m");
    assert!(server.requests().is_empty());
}

#[test]
fn daily_and_reversed_ranges_are_configuration_errors() {
    let server = ReplayServer::start(vec![]);
    let f = fetcher_for(&server);
    let now = t("2024-01-05T22:00:00Z");
    let e = f
        .fetch_intraday("ETH-USD", Interval::D1, None, now, &mut |_| {})
        .unwrap_err();
    assert!(matches!(e, FetchError::Config { .. }), "{e:?}");
    assert!(
        e.to_string().contains("1d is not an intraday interval"),
        "{e}"
    );
    let e = f
        .fetch_intraday(
            "ETH-USD",
            Interval::H1,
            Some(now),
            now - Duration::hours(1),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(e, FetchError::Config { .. }), "{e:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_range_ending_in_the_future_is_asked_up_to_now() {
    let now = t("2024-01-05T05:30:00Z");
    let next_year = now + Duration::days(365);
    let server = ReplayServer::start(vec![
        Serve::exact(
            CANDLES,
            Reply::ok_json(payload("coinbase", "candles.ETH-USD.3600.2024-01-05.json")),
        ),
        Serve::prefix(
            CHART,
            Reply::ok_json(chart("1m", &[("2024-01-04T14:30:00Z", 470.0)])),
        ),
    ]);
    let f = fetcher_for(&server).with_now(now);
    let from = t("2024-01-05T00:00:00Z");
    let got = one(
        &f,
        ProviderKind::Coinbase,
        "ETH-USD",
        Interval::H1,
        Some(from),
        next_year,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!((got.bars.len(), got.requests), (5, 1));
    assert_eq!(
        server.requests()[0].query(),
        "granularity=3600&start=2024-01-05T00:00:00Z&end=2024-01-05T05:30:00Z"
    );
    // Yahoo 1m: one 7-day page up to now, not 53 pages up to next year.
    let got = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M1,
        Some(t("2024-01-04T00:00:00Z")),
        next_year,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!((got.bars.len(), got.requests), (1, 1));
    let r = &server.requests()[1];
    assert_eq!(
        r.query_param("period2"),
        Some(secs(now + Duration::minutes(1)).as_str())
    );
}

// ---------------------------------------------------------------- The chain

fn tried(events: &[Progress]) -> Vec<ProviderKind> {
    events
        .iter()
        .filter_map(|p| match p {
            Progress::Provider { provider, .. } => Some(*provider),
            _ => None,
        })
        .collect()
}

fn failed(events: &[Progress]) -> Vec<(ProviderKind, String)> {
    events
        .iter()
        .filter_map(|p| match p {
            Progress::Failed { provider, message } => Some((*provider, message.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_30m_chain_passes_over_coinbase_to_binance() {
    let from = t("2024-01-05T00:00:00Z");
    let step = Duration::minutes(30);
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::status(502, "bad gateway")),
        Serve::exact(CANDLES, Reply::ok_json("[]")),
        Serve::exact(KLINES, Reply::ok_json(klines(from, step, 0, 4))),
    ]);
    let f = fetcher_for(&server).with_now(t("2024-01-05T22:00:00Z"));
    let mut events = Vec::new();
    let got = f
        .fetch_intraday(
            "ETH-USD",
            Interval::M30,
            Some(from),
            from + step * 3,
            &mut |p| events.push(p),
        )
        .unwrap();
    assert_eq!(got.instrument.provider, "binance");
    assert_eq!(got.instrument.ticker, "ETHUSDT");
    assert_eq!(got.instrument.symbol, "ETH-USD");
    assert_eq!(got.bars.len(), 4);
    assert_eq!(
        (
            server.hits(CHART),
            server.hits(CANDLES),
            server.hits(KLINES)
        ),
        (3, 0, 1)
    );
    assert_eq!(server.requests()[3].query_param("interval"), Some("30m"));
    // Coinbase is passed over without being tried.
    assert_eq!(tried(&events), [ProviderKind::Yahoo, ProviderKind::Binance]);
    let failed = failed(&events);
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].0, ProviderKind::Yahoo);
    assert!(failed[0].1.contains("HTTP 502"), "{}", failed[0].1);
    assert_eq!(
        failed[1],
        (
            ProviderKind::Coinbase,
            "coinbase does not serve 30m bars (it serves 1m, 5m, 15m, 1h, 1d)".to_string()
        )
    );
}

#[test]
fn older_than_yahoo_keeps_passes_to_coinbase() {
    let now = t("2024-04-05T12:00:00Z");
    let from = now - Duration::days(90);
    let to = from + Duration::minutes(25);
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::status(500, "must not be asked")),
        Serve::exact(
            CANDLES,
            Reply::ok_json(candles(from, to, Duration::minutes(5))),
        ),
    ]);
    let f = fetcher_for(&server).with_now(now);
    let mut events = Vec::new();
    let got = f
        .fetch_intraday("eth-usd", Interval::M5, Some(from), to, &mut |p| {
            events.push(p)
        })
        .unwrap();
    assert_eq!(got.instrument.provider, "coinbase");
    assert_eq!(got.bars.len(), 6);
    assert_eq!((server.hits(CHART), server.hits(CANDLES)), (0, 1));
    assert_eq!(server.requests()[0].query_param("granularity"), Some("300"));
    assert!(failed(&events)
        .iter()
        .any(|(p, m)| *p == ProviderKind::Yahoo
            && m.starts_with("yahoo serves 5m bars for the last 60 days only")));
}

#[test]
fn every_provider_refusing_lists_each_reason() {
    let server = ReplayServer::start(vec![]);
    let now = t("2024-04-05T12:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    let e = f
        .fetch_intraday(
            "^RUT",
            Interval::M5,
            Some(now - Duration::days(61)),
            now,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(&e, FetchError::AllFailed { errors, .. } if errors.len() == 2));
    assert!(!e.is_unknown_symbol() && !e.is_transient());
    assert_eq!(
        e.to_string(),
        "^RUT: every provider failed:\n  yahoo serves 5m bars for the last 60 days only; ask \
         from 2024-02-06 or use a coarser --interval\n  stooq serves daily bars only, not 5m"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn unknown_everywhere_asked_is_still_an_unknown_symbol() {
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        Reply::new(404, payload("yahoo", "chart.not_found.json")),
    )]);
    let now = t("2024-01-05T22:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    // Yahoo does not know it; Stooq is passed over (daily only).
    let e = f
        .fetch_intraday(
            "NOPE",
            Interval::M15,
            Some(now - Duration::days(1)),
            now,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(e.is_unknown_symbol(), "{e:?}");
    assert_eq!(server.hits(CHART), 1);
}

#[test]
fn every_provider_empty_is_no_data() {
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::ok_json(chart("60m", &[]))),
        Serve::exact(CANDLES, Reply::ok_json("[]")),
        Serve::exact(KLINES, Reply::ok_json("[]")),
    ]);
    let now = t("2024-01-06T12:00:00Z");
    let f = fetcher_for(&server).with_now(now);
    let e = f
        .fetch_intraday(
            "ETH-USD",
            Interval::H1,
            Some(t("2024-01-06T00:00:00Z")),
            t("2024-01-06T06:00:00Z"),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(e.is_no_data(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "ETH-USD: no data for 1h bars 2024-01-06 00:00 UTC..2024-01-06 06:00 UTC from yahoo, \
         coinbase, binance"
    );
}

#[test]
fn a_forced_provider_is_the_only_one_asked() {
    let from = t("2024-01-05T00:00:00Z");
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::status(500, "must not be asked")),
        Serve::exact(
            KLINES,
            Reply::ok_json(klines(from, Duration::hours(1), 0, 2)),
        ),
    ]);
    let f = fetcher_for(&server).with_now(t("2024-01-05T22:00:00Z"));
    let got = f
        .fetch_intraday_chain(
            "ETH-USD",
            Some(ProviderKind::Binance),
            Interval::H1,
            Some(from),
            from + Duration::hours(1),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(got.instrument.provider, "binance");
    assert_eq!(got.bars.len(), 2);
    assert_eq!(server.hits(CHART), 0);
    // Forcing a provider that does not serve the interval: its own refusal.
    let e = f
        .fetch_intraday_chain(
            "ETH-USD",
            Some(ProviderKind::Coinbase),
            Interval::M30,
            Some(from),
            from + Duration::hours(1),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(e.is_unsupported(), "{e:?}");
}

// ---------------------------------------------------------------- Faults

#[test]
fn status_429_on_a_1m_page_waits_then_the_paging_goes_on() {
    let now = t("2024-01-05T22:00:00Z");
    let (from, to) = (t("2023-12-26T00:00:00Z"), t("2024-01-05T21:00:00Z"));
    let p2 = from + Duration::days(7);
    let server = ReplayServer::start(vec![
        Serve::prefix(
            CHART,
            Reply::ok_json(chart("1m", &[("2023-12-26T14:30:00Z", 474.0)])),
        )
        .query(&format!("period1={}&", secs(from))),
        Serve::prefix(
            CHART,
            Reply::status(429, "Too Many Requests").header("Retry-After", "1"),
        )
        .query(&format!("period1={}&", secs(p2)))
        .then(Reply::ok_json(chart(
            "1m",
            &[("2024-01-02T14:30:00Z", 472.0)],
        ))),
    ]);
    let f = fetcher_for(&server).with_now(now);
    let mut events = Vec::new();
    let got = one(
        &f,
        ProviderKind::Yahoo,
        "SPY",
        Interval::M1,
        Some(from),
        to,
        &mut events,
    )
    .unwrap();
    assert_eq!(
        starts(&got.bars),
        ["2023-12-26T14:30:00Z", "2024-01-02T14:30:00Z"]
    );
    assert_eq!(got.requests, 2, "retries are not counted");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[1].query_param("period1"),
        reqs[2].query_param("period1")
    );
    let gap = reqs[2].at - reqs[1].at;
    assert!(gap >= StdDuration::from_secs(1), "waited only {gap:?}");
    let retries: Vec<_> = events
        .iter()
        .filter_map(|p| match p {
            Progress::Retry {
                attempt,
                delay,
                reason,
                ..
            } => Some((*attempt, *delay, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 1);
    assert_eq!((retries[0].0, retries[0].1), (1, StdDuration::from_secs(1)));
    assert!(retries[0].2.contains("HTTP 429"), "{}", retries[0].2);
    assert_eq!(pages(&events), [(1, Some(2)), (2, Some(2)), (2, Some(2))]);
}
