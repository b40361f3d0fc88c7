//! `refresh_intraday` against the replay server and an in-memory store: the first refresh
//! (default lookback), the incremental one (overlap, unchanged / revised / added), forming
//! bars left out, failures logged with their interval and leaving the stored bars, `since`,
//! the stored provider, and Yahoo's history limit.

mod common;

use chrono::{Days, Duration};
use common::*;
use lockstep_core::{Interval, IntradayBar, Timestamp};
use lockstep_fetch::{
    default_intraday_lookback_days, refresh_intraday, Fetcher, ProviderKind, RefreshError,
    RefreshedIntraday, INTRADAY_OVERLAP_BARS,
};
use lockstep_store::Store;
use lockstep_testkit::{ReplayServer, Reply, Route as Serve};

const CHART: &str = "/v8/finance/chart/";
const KLINES: &str = "/api/v3/klines";
const SYMBOL: &str = "ETH-USD";

fn millis(t: Timestamp) -> String {
    t.timestamp_millis().to_string()
}

fn secs(t: Timestamp) -> String {
    t.timestamp().to_string()
}

/// Binance klines of `step`, one per `(open time, close)`.
fn klines(step: Duration, bars: &[(Timestamp, f64)]) -> String {
    let rows: Vec<String> = bars
        .iter()
        .map(|(start, c)| {
            let open = start.timestamp_millis();
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

/// `n` bars of `step` from `first`, closes `base`, `base + 1`, ...
fn run(first: Timestamp, step: Duration, n: usize, base: f64) -> Vec<(Timestamp, f64)> {
    (0..n)
        .map(|k| (first + step * k as i32, base + k as f64))
        .collect()
}

/// A server answering every klines request with these bars; Yahoo must not be asked.
fn binance(step: Duration, bars: &[(Timestamp, f64)]) -> ReplayServer {
    ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::status(500, "yahoo must not be asked")),
        Serve::exact(KLINES, Reply::ok_json(klines(step, bars))),
    ])
}

/// A Yahoo chart body of `granularity` with one bar per `(open time, close)`.
fn chart(granularity: &str, bars: &[(Timestamp, f64)]) -> String {
    let ts: Vec<String> = bars.iter().map(|(s, _)| secs(*s)).collect();
    let close: Vec<String> = bars.iter().map(|(_, c)| c.to_string()).collect();
    let vol: Vec<String> = bars.iter().map(|_| "1000".to_string()).collect();
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":"SPY","instrumentType":"ETF","exchangeTimezoneName":"America/New_York","gmtoffset":-18000,"dataGranularity":"{granularity}"}},"timestamp":[{ts}],"indicators":{{"quote":[{{"open":[{c}],"high":[{c}],"low":[{c}],"close":[{c}],"volume":[{v}]}}]}}}}],"error":null}}}}"#,
        ts = ts.join(","),
        c = close.join(","),
        v = vol.join(",")
    )
}

fn refresh(
    store: &mut Store,
    f: &Fetcher,
    symbol: &str,
    interval: Interval,
    since: Option<Timestamp>,
    forced: Option<ProviderKind>,
    now: Timestamp,
) -> Result<RefreshedIntraday, RefreshError> {
    refresh_intraday(store, f, symbol, interval, since, forced, now, &mut |_| {})
}

fn stored(store: &Store, symbol: &str, interval: Interval) -> Vec<IntradayBar> {
    store.intraday_bars(symbol, interval, None, None).unwrap()
}

fn counts(r: &RefreshedIntraday) -> (usize, usize, usize, usize) {
    (
        r.stats.received,
        r.stats.added,
        r.stats.revised,
        r.stats.unchanged,
    )
}

#[test]
fn constants() {
    assert_eq!(INTRADAY_OVERLAP_BARS, 24);
    let days: Vec<_> = Interval::ALL
        .into_iter()
        .map(default_intraday_lookback_days)
        .collect();
    assert_eq!(
        days,
        [Some(7), Some(60), Some(60), Some(60), Some(730), None]
    );
}

/// First refresh: the default lookback from the first midnight after `now - 60 days`, every
/// complete bar stored, the forming one (12:30, ending 12:35 after 12:34) left out with a
/// warning; then the incremental refresh asks from the last bar minus 24 bars, counts
/// unchanged / revised / added, and stores the bar that was forming now that it is complete.
#[test]
fn first_then_incremental_refresh() {
    let step = Duration::minutes(5);
    let mut store = Store::open_in_memory().unwrap();

    // --- First refresh, forced to Binance.
    let now = t("2024-03-10T12:34:00Z");
    let first_bars = run(t("2024-03-10T11:35:00Z"), step, 12, 100.0);
    let server = binance(step, &first_bars);
    let f = fetcher_for(&server).with_now(now);
    let r = refresh(
        &mut store,
        &f,
        SYMBOL,
        Interval::M5,
        None,
        Some(ProviderKind::Binance),
        now,
    )
    .unwrap();
    assert_eq!(r.from, t("2024-01-11T00:00:00Z"), "60 days, from midnight");
    assert_eq!(
        (r.symbol.as_str(), r.interval, r.provider.as_str()),
        (SYMBOL, Interval::M5, "binance")
    );
    assert_eq!(counts(&r), (11, 11, 0, 0));
    assert_eq!(r.requests, 1);
    assert_eq!(
        (r.first, r.last, r.bars),
        (
            Some(t("2024-03-10T11:35:00Z")),
            Some(t("2024-03-10T12:25:00Z")),
            11
        )
    );
    assert_eq!(
        r.warnings,
        [
            "binance: 1 5m bar(s) still forming at 2024-03-10 12:34 UTC not stored (from the bar \
          opening at 2024-03-10 12:30 UTC); the next refresh fetches them again"
        ]
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].query_param("startTime"),
        Some(millis(t("2024-01-11T00:00:00Z")).as_str())
    );
    assert_eq!(
        reqs[0].query_param("interval"),
        Some("5m"),
        "{}",
        reqs[0].path
    );
    let after_first = stored(&store, SYMBOL, Interval::M5);
    assert_eq!(after_first.len(), 11);
    assert_eq!(after_first[10].close, 110.0);
    let log = store.fetch_log_for(Some(SYMBOL), None, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].status.as_str(),
            log[0].provider.as_str(),
            log[0].interval,
            log[0].added
        ),
        ("ok", "binance", Interval::M5, 11)
    );

    // --- Second refresh, not forced: the stored bars' provider is asked (not Yahoo).
    // 12:00..12:20 as before, 12:25 revised, 12:30..12:55 new (12:30 was forming), 13:00
    // forming at 13:02.
    let now = t("2024-03-10T13:02:00Z");
    let mut second_bars = run(t("2024-03-10T12:00:00Z"), step, 13, 105.0);
    second_bars[5].1 = 110.5;
    let server = binance(step, &second_bars);
    let f = fetcher_for(&server).with_now(now);
    let r = refresh(&mut store, &f, SYMBOL, Interval::M5, None, None, now).unwrap();
    let expected_from = t("2024-03-10T12:25:00Z") - step * INTRADAY_OVERLAP_BARS;
    assert_eq!(expected_from, t("2024-03-10T10:25:00Z"));
    assert_eq!(r.from, expected_from);
    assert_eq!(r.provider, "binance");
    // received, added, revised, unchanged
    assert_eq!(counts(&r), (12, 6, 1, 5));
    assert_eq!(
        (r.first, r.last, r.bars),
        (
            Some(t("2024-03-10T11:35:00Z")),
            Some(t("2024-03-10T12:55:00Z")),
            17
        )
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("opening at 2024-03-10 13:00 UTC"));
    assert_eq!(server.hits(CHART), 0);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].query_param("startTime"),
        Some(millis(expected_from).as_str())
    );
    let after = stored(&store, SYMBOL, Interval::M5);
    assert_eq!(after.len(), 17);
    assert_eq!(after[..5], after_first[..5], "bars before the overlap kept");
    let at = |s: &str| after.iter().find(|b| b.start == t(s)).unwrap().close;
    assert_eq!(at("2024-03-10T12:25:00Z"), 110.5);
    assert_eq!(at("2024-03-10T12:30:00Z"), 111.0);
    assert!(after.iter().all(|b| b.start < t("2024-03-10T13:00:00Z")));
    assert_eq!(
        store.fetch_log_for(Some(SYMBOL), None, 10).unwrap().len(),
        2
    );
}

/// A bar ending exactly at `now` is complete; the one opening at `now` is forming. A refresh
/// whose only bar is forming stores nothing and still succeeds.
#[test]
fn forming_bars_are_not_stored() {
    let step = Duration::hours(1);
    let now = t("2024-03-10T12:00:00Z");
    let mut store = Store::open_in_memory().unwrap();
    let server = binance(step, &run(t("2024-03-10T10:00:00Z"), step, 3, 50.0));
    let f = fetcher_for(&server).with_now(now);
    let since = t("2024-03-10T10:00:00Z");
    let r = refresh(
        &mut store,
        &f,
        SYMBOL,
        Interval::H1,
        Some(since),
        Some(ProviderKind::Binance),
        now,
    )
    .unwrap();
    assert_eq!(counts(&r), (2, 2, 0, 0));
    assert_eq!(
        starts(&stored(&store, SYMBOL, Interval::H1)),
        ["2024-03-10T10:00:00Z", "2024-03-10T11:00:00Z"]
    );
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].starts_with("binance: 1 1h bar(s) still forming"));

    // Ten minutes later the 12:00 bar is still forming: nothing new, nothing changed.
    let now = t("2024-03-10T12:10:00Z");
    let server = binance(step, &run(t("2024-03-10T12:00:00Z"), step, 1, 99.0));
    let f = fetcher_for(&server).with_now(now);
    let r = refresh(
        &mut store,
        &f,
        SYMBOL,
        Interval::H1,
        Some(t("2024-03-10T12:00:00Z")),
        None,
        now,
    )
    .unwrap();
    assert_eq!(counts(&r), (0, 0, 0, 0));
    assert_eq!((r.bars, r.last), (2, Some(t("2024-03-10T11:00:00Z"))));
    assert_eq!(stored(&store, SYMBOL, Interval::H1).len(), 2);
    assert_eq!(r.warnings.len(), 1);
}

/// A failing provider (HTTP 500 through every retry, or a malformed answer) leaves the stored
/// bars as they were and writes an error row with the interval to the fetch log.
#[test]
fn a_failed_fetch_is_logged_and_leaves_the_stored_bars() {
    let step = Duration::minutes(15);
    let now = t("2024-03-10T12:00:00Z");
    let mut store = Store::open_in_memory().unwrap();
    let server = binance(step, &run(t("2024-03-10T09:00:00Z"), step, 8, 10.0));
    let f = fetcher_for(&server).with_now(now);
    refresh(
        &mut store,
        &f,
        SYMBOL,
        Interval::M15,
        None,
        Some(ProviderKind::Binance),
        now,
    )
    .unwrap();
    let before = stored(&store, SYMBOL, Interval::M15);
    assert_eq!(before.len(), 8);

    let later = t("2024-03-10T14:00:00Z");
    let server = ReplayServer::start(vec![Serve::exact(
        KLINES,
        Reply::status(500, "internal error"),
    )]);
    let f = fetcher_for(&server).with_now(later);
    let e = refresh(&mut store, &f, SYMBOL, Interval::M15, None, None, later).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot fetch 15m bars of ETH-USD from binance"
    );
    match &e {
        RefreshError::FetchIntraday {
            symbol,
            interval,
            provider,
            source,
        } => {
            assert_eq!(
                (symbol.as_str(), *interval, provider.as_str()),
                (SYMBOL, Interval::M15, "binance")
            );
            assert!(source.is_transient(), "{source:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits(KLINES), 3, "one request and two retries");
    assert_eq!(stored(&store, SYMBOL, Interval::M15), before);
    let log = store.fetch_log_for(Some(SYMBOL), None, 10).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (
            log[0].status.as_str(),
            log[0].provider.as_str(),
            log[0].interval
        ),
        ("error", "binance", Interval::M15)
    );
    assert!(
        log[0].message.as_deref().unwrap_or("").contains("500"),
        "{:?}",
        log[0].message
    );
    // A failure is not a refresh.
    let listing = &store.intervals(SYMBOL).unwrap()[0];
    assert_eq!(listing.last_refresh.as_ref(), Some(&log[1].finished_at));

    // Klines of the wrong interval: a parse error, nothing written either.
    let server = binance(
        Duration::hours(1),
        &run(t("2024-03-10T10:00:00Z"), Duration::hours(1), 3, 10.0),
    );
    let f = fetcher_for(&server).with_now(later);
    let e = refresh(&mut store, &f, SYMBOL, Interval::M15, None, None, later).unwrap_err();
    assert!(matches!(e, RefreshError::FetchIntraday { .. }), "{e:?}");
    assert_eq!(stored(&store, SYMBOL, Interval::M15), before);
    let log = store
        .fetch_log_for(Some(SYMBOL), Some(Interval::M15), 10)
        .unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].status, "error");
}

/// A symbol with no stored bars whose whole chain fails: the error names every provider
/// asked; the log row says `chain`, with the interval. Nothing is stored.
#[test]
fn a_failed_chain_names_its_providers() {
    let now = t("2024-03-10T12:00:00Z");
    let mut store = Store::open_in_memory().unwrap();
    let server = ReplayServer::start(vec![]);
    let f = fetcher_for(&server).with_now(now);
    let e = refresh(&mut store, &f, SYMBOL, Interval::M30, None, None, now).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot fetch 30m bars of ETH-USD from yahoo, coinbase, binance"
    );
    let log = store.fetch_log_for(Some(SYMBOL), None, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].status.as_str(),
            log[0].provider.as_str(),
            log[0].interval
        ),
        ("error", "chain", Interval::M30)
    );
    assert!(stored(&store, SYMBOL, Interval::M30).is_empty());
    assert!(store.instrument(SYMBOL).unwrap().is_none());
}

/// `since` is the start of the request, with or without stored bars.
#[test]
fn since_is_honoured() {
    let step = Duration::minutes(1);
    let now = t("2024-03-10T12:00:00Z");
    let mut store = Store::open_in_memory().unwrap();
    let since = t("2024-03-10T11:50:00Z");
    let server = binance(step, &run(since, step, 5, 10.0));
    let f = fetcher_for(&server).with_now(now);
    let r = refresh(
        &mut store,
        &f,
        SYMBOL,
        Interval::M1,
        Some(since),
        Some(ProviderKind::Binance),
        now,
    )
    .unwrap();
    assert_eq!(r.from, since);
    assert_eq!(
        server.requests()[0].query_param("startTime"),
        Some(millis(since).as_str())
    );
    assert_eq!(counts(&r), (5, 5, 0, 0));

    // With stored bars, an earlier `since` is asked as given (not the overlap).
    let earlier = t("2024-03-09T08:00:00Z");
    let server = binance(step, &run(earlier, step, 3, 10.0));
    let f = fetcher_for(&server).with_now(now);
    let r = refresh(
        &mut store,
        &f,
        SYMBOL,
        Interval::M1,
        Some(earlier),
        None,
        now,
    )
    .unwrap();
    assert_eq!(r.from, earlier);
    assert_eq!(
        server.requests()[0].query_param("startTime"),
        Some(millis(earlier).as_str())
    );
    assert_eq!(counts(&r), (3, 3, 0, 0));
    assert_eq!(
        (r.first, r.last, r.bars),
        (Some(earlier), Some(t("2024-03-10T11:54:00Z")), 8)
    );
}

/// With no stored bars and no start, every interval asks Yahoo from within what it keeps,
/// even when the fetcher's clock runs a little ahead of `now`.
#[test]
fn the_default_lookback_is_servable_by_yahoo() {
    let now = t("2024-03-11T15:00:00Z");
    for (interval, wire) in [
        (Interval::M1, "1m"),
        (Interval::M5, "5m"),
        (Interval::M15, "15m"),
        (Interval::M30, "30m"),
        (Interval::H1, "60m"),
    ] {
        let bar = (t("2024-03-11T13:30:00Z"), 500.0);
        let server = ReplayServer::start(vec![Serve::prefix(
            CHART,
            Reply::ok_json(chart(wire, &[bar])),
        )]);
        let f = fetcher_for(&server).with_now(now + Duration::minutes(2));
        let mut store = Store::open_in_memory().unwrap();
        let r = refresh(&mut store, &f, "SPY", interval, None, None, now)
            .unwrap_or_else(|e| panic!("{interval}: {e:?}"));
        let days = default_intraday_lookback_days(interval).unwrap();
        let from = (now - Days::new(days))
            .date_naive()
            .succ_opt()
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(r.from, from, "{interval}");
        assert_eq!(r.provider, "yahoo");
        assert_eq!((r.bars, r.stats.added), (1, 1), "{interval}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 1, "{interval}");
        assert_eq!(
            reqs[0].query_param("period1"),
            Some(secs(from).as_str()),
            "{interval}"
        );
    }
}

/// Stored 1m bars from Yahoo, last refreshed 40 days ago: Yahoo keeps 30 days, so the
/// refresh (from the stored provider) asks from its first day and warns of the gap instead
/// of failing.
#[test]
fn a_yahoo_refresh_past_its_limit_starts_at_its_first_day() {
    let mut store = Store::open_in_memory().unwrap();
    let then = t("2024-01-31T21:00:00Z");
    let bars = run(t("2024-01-31T20:50:00Z"), Duration::minutes(1), 5, 480.0);
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        Reply::ok_json(chart("1m", &bars)),
    )]);
    let f = fetcher_for(&server).with_now(then);
    let r = refresh(&mut store, &f, "SPY", Interval::M1, None, None, then).unwrap();
    assert_eq!((r.provider.as_str(), r.bars), ("yahoo", 5));

    let now = t("2024-03-11T15:00:00Z");
    let recent = run(t("2024-03-11T14:30:00Z"), Duration::minutes(1), 3, 500.0);
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::ok_json(chart("1m", &recent))),
        Serve::prefix("/", Reply::status(500, "only yahoo")),
    ]);
    let f = fetcher_for(&server).with_now(now);
    let r = refresh(&mut store, &f, "SPY", Interval::M1, None, None, now).unwrap();
    // 30 days before 2024-03-11 15:00 is 2024-02-10 15:00: from 2024-02-11.
    let first_day = t("2024-02-11T00:00:00Z");
    assert_eq!(r.from, first_day);
    assert_eq!(counts(&r), (3, 3, 0, 0));
    assert_eq!(r.bars, 8);
    assert!(
        r.warnings.iter().any(|w| w
            == "yahoo keeps 1m bars for 30 days only: the bars after 2024-01-31 20:54 UTC up \
                to 2024-02-11 00:00 UTC cannot be fetched from it, and the stored bars have a \
                gap there"),
        "{:?}",
        r.warnings
    );
    let reqs = server.requests();
    assert!(reqs.iter().all(|r| r.path_only().starts_with(CHART)));
    assert_eq!(
        reqs[0].query_param("period1"),
        Some(secs(first_day).as_str())
    );
}

/// `1d` is not an intraday interval: refused before any request or log row.
#[test]
fn daily_is_refused() {
    let now = t("2024-03-11T15:00:00Z");
    let mut store = Store::open_in_memory().unwrap();
    let server = ReplayServer::start(vec![]);
    let f = fetcher_for(&server).with_now(now);
    let e = refresh(&mut store, &f, SYMBOL, Interval::D1, None, None, now).unwrap_err();
    assert!(
        matches!(
            e,
            RefreshError::FetchIntraday {
                interval: Interval::D1,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(server.requests().is_empty());
    assert!(store.fetch_log(None, 10).unwrap().is_empty());
}
