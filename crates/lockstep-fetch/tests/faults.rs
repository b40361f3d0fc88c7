//! Fault injection through the replay server: every fault ends in a successful retry or a
//! clear error.

mod common;

use std::time::Duration;

use common::*;
use lockstep_fetch::{FetchError, Fetcher, Progress, ProviderKind};
use lockstep_testkit::{ReplayServer, Reply, Route as Serve};

const CHART: &str = "/v8/finance/chart/";

fn rut() -> Reply {
    Reply::ok_json(payload("yahoo", "chart.RUT.2024-01-02_2024-01-05.json"))
}

fn get_rut(f: &Fetcher, events: &mut Vec<Progress>) -> Result<usize, FetchError> {
    f.fetch(
        &route(ProviderKind::Yahoo, "^RUT"),
        "^RUT",
        Some(d("2024-01-02")),
        d("2024-01-05"),
        &mut |p| events.push(p),
    )
    .map(|got| got.bars.len())
}

fn retries(events: &[Progress]) -> Vec<(u32, Duration, String)> {
    events
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
        .collect()
}

/// A fetcher whose Yahoo section is changed by `tune`.
fn tuned(server: &ReplayServer, tune: impl FnOnce(&mut lockstep_fetch::ProviderConfig)) -> Fetcher {
    let mut c = config_for(server);
    tune(c.providers.get_mut(ProviderKind::Yahoo));
    Fetcher::new(c)
}

#[test]
fn status_429_waits_for_retry_after_then_succeeds() {
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        Reply::status(429, "Too Many Requests").header("Retry-After", "1"),
    )
    .then(rut())]);
    let f = fetcher_for(&server);
    let mut events = Vec::new();
    assert_eq!(get_rut(&f, &mut events).unwrap(), 3);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at - reqs[0].at;
    assert!(gap >= Duration::from_secs(1), "waited only {gap:?}");
    let r = retries(&events);
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].0, r[0].1), (1, Duration::from_secs(1)));
    assert!(r[0].2.contains("HTTP 429"), "{}", r[0].2);
}

#[test]
fn status_500_is_retried_then_succeeds() {
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::status(500, "oops")).then(rut())
    ]);
    let f = fetcher_for(&server);
    let mut events = Vec::new();
    assert_eq!(get_rut(&f, &mut events).unwrap(), 3);
    assert_eq!(server.hits(CHART), 2);
    let r = retries(&events);
    assert_eq!(r.len(), 1);
    assert!(r[0].1 <= Duration::from_millis(5), "backoff {:?}", r[0].1);
}

#[test]
fn persistent_503_is_reported_after_every_attempt() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, Reply::status(503, "busy"))]);
    let f = fetcher_for(&server); // retries = 2
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    assert_eq!(server.hits(CHART), 3);
    assert!(
        matches!(
            e,
            FetchError::Http {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "yahoo: GET /v8/finance/chart/%5ERUT: HTTP 503 after 3 attempts: busy"
    );
    assert!(e.is_transient());
}

#[test]
fn client_error_is_not_retried() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, Reply::status(403, "Forbidden"))]);
    let f = fetcher_for(&server);
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    assert_eq!(server.hits(CHART), 1);
    assert!(!e.is_unknown_symbol() && !e.is_transient());
    assert_eq!(
        e.to_string(),
        "yahoo: GET /v8/finance/chart/%5ERUT: HTTP 403: Forbidden"
    );
}

#[test]
fn truncated_body_is_retried_then_succeeds() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, rut().truncate(40)).then(rut())]);
    let f = fetcher_for(&server);
    assert_eq!(get_rut(&f, &mut Vec::new()).unwrap(), 3);
    assert_eq!(server.hits(CHART), 2);
}

#[test]
fn truncated_body_twice_is_a_clear_error() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, rut().truncate(40))]);
    let f = fetcher_for(&server);
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    // A bad body is retried once, whatever `retries` says.
    assert_eq!(server.hits(CHART), 2);
    assert!(matches!(e, FetchError::Parse { attempts: 2, .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("yahoo: GET /v8/finance/chart/%5ERUT: truncated body after 2 attempts"),
        "{e}"
    );
}

#[test]
fn cut_json_is_retried_once_then_reported() {
    let body = payload("yahoo", "chart.RUT.2024-01-02_2024-01-05.json");
    let server = ReplayServer::start(vec![Serve::prefix(CHART, Reply::ok_json(&body[..50]))]);
    let f = fetcher_for(&server);
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    assert_eq!(server.hits(CHART), 2);
    assert!(
        e.to_string().starts_with(
            "yahoo: GET /v8/finance/chart/%5ERUT: invalid JSON after 2 attempts: EOF while parsing"
        ),
        "{e}"
    );
}

#[test]
fn html_where_json_was_expected() {
    let html = payload("yahoo", "error_page.html");
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::ok_text(html.clone(), "text/html")).then(rut()),
        Serve::prefix("/products/", Reply::ok_text(html, "text/html")),
    ]);
    let f = fetcher_for(&server);
    // Once: retried and fine.
    assert_eq!(get_rut(&f, &mut Vec::new()).unwrap(), 3);
    // Every time: reported with the start of the body.
    let e = fetch(
        &f,
        ProviderKind::Coinbase,
        "ETH-USD",
        Some("2024-01-01"),
        "2024-01-05",
    )
    .unwrap_err();
    assert_eq!(server.hits("/products/"), 2);
    assert!(
        e.to_string().starts_with(
            "coinbase: GET /products/ETH-USD/candles: invalid JSON after 2 attempts: \
             expected value at line 1 column 1 (body starts \"<!DOCTYPE html>"
        ),
        "{e}"
    );
}

#[test]
fn slow_response_times_out_then_succeeds() {
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        rut().delay(Duration::from_secs(3)),
    )
    .then(rut())]);
    let f = tuned(&server, |p| {
        p.timeout_secs = Some(1);
        p.retries = Some(1);
    });
    let mut events = Vec::new();
    assert_eq!(get_rut(&f, &mut events).unwrap(), 3);
    assert_eq!(server.hits(CHART), 2);
    let r = retries(&events);
    assert_eq!(r.len(), 1);
    assert!(r[0].2.contains("timed out (limit 1 s)"), "{}", r[0].2);
}

#[test]
fn slow_response_every_time_is_a_timeout_error() {
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        rut().delay(Duration::from_secs(3)),
    )]);
    let f = tuned(&server, |p| {
        p.timeout_secs = Some(1);
        p.retries = Some(1);
    });
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    assert!(
        matches!(e, FetchError::Timeout { attempts: 2, .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "yahoo: GET /v8/finance/chart/%5ERUT: timed out (limit 1 s) after 2 attempts"
    );
    assert!(e.is_transient());
}

#[test]
fn connection_reset_is_retried_then_succeeds() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, rut().reset()).then(rut())]);
    let f = fetcher_for(&server);
    let mut events = Vec::new();
    assert_eq!(get_rut(&f, &mut events).unwrap(), 3);
    assert_eq!(server.hits(CHART), 2);
    assert_eq!(retries(&events).len(), 1);
}

#[test]
fn connection_reset_every_time_is_a_connection_error() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, rut().reset())]);
    let f = fetcher_for(&server);
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    assert_eq!(server.hits(CHART), 3);
    assert!(
        matches!(e, FetchError::Connect { attempts: 3, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.starts_with(
            "yahoo: GET /v8/finance/chart/%5ERUT: connection failed after 3 attempts: "
        ),
        "{text}"
    );
    assert!(!text.contains("127.0.0.1"), "the host is not named: {text}");
}

#[test]
fn refused_connection_is_a_connection_error() {
    // A port that was just free: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let mut c = lockstep_fetch::Config::default();
    let mut p = fast(&format!("http://127.0.0.1:{port}"));
    p.retries = Some(1);
    *c.providers.get_mut(ProviderKind::Yahoo) = p;
    let e = get_rut(&Fetcher::new(c), &mut Vec::new()).unwrap_err();
    assert!(
        matches!(e, FetchError::Connect { attempts: 2, .. }),
        "{e:?}"
    );
}

#[test]
fn rate_limit_spaces_requests_to_one_provider() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, rut())]);
    let f = tuned(&server, |p| p.min_interval_ms = Some(150));
    for _ in 0..3 {
        get_rut(&f, &mut Vec::new()).unwrap();
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for w in reqs.windows(2) {
        let gap = w[1].at - w[0].at;
        assert!(gap >= Duration::from_millis(140), "gap {gap:?}");
    }
}

#[test]
fn a_trickling_body_times_out_at_the_whole_request_deadline() {
    // 20 bytes every 200 ms: each read succeeds well within the timeout, but the body of
    // several kB would take minutes. The deadline (timeout_secs = 1) covers the whole request.
    let server = ReplayServer::start(vec![Serve::prefix(
        CHART,
        rut().throttle(20, Duration::from_millis(200)),
    )]);
    let f = tuned(&server, |p| {
        p.timeout_secs = Some(1);
        p.retries = Some(0);
    });
    let started = std::time::Instant::now();
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "took {took:?}");
    assert!(
        matches!(e, FetchError::Timeout { .. } | FetchError::Parse { .. }),
        "{e:?}"
    );
}

#[test]
fn redirects_are_not_followed() {
    let server = ReplayServer::start(vec![
        Serve::prefix(
            CHART,
            Reply::status(302, "").header("Location", "http://example.com/elsewhere"),
        ),
        Serve::prefix("/elsewhere", rut()),
    ]);
    let f = fetcher_for(&server);
    let e = get_rut(&f, &mut Vec::new()).unwrap_err();
    assert_eq!(server.hits(CHART), 1);
    assert_eq!(server.hits("/elsewhere"), 0);
    let text = e.to_string();
    assert!(text.contains("HTTP 302") || text.contains("302"), "{text}");
    assert!(
        text.contains("redirect to \"http://example.com/elsewhere\" not followed"),
        "{text}"
    );
}

#[test]
fn dot_symbols_are_refused_before_any_request() {
    let server = ReplayServer::start(vec![Serve::prefix("/", rut())]);
    let f = fetcher_for(&server);
    for sym in [".", "..", "yahoo:..", "fred:."] {
        let e = f
            .fetch_chain(
                sym,
                Some(ProviderKind::Yahoo),
                None,
                d("2024-01-05"),
                &mut |_| {},
            )
            .unwrap_err();
        assert!(e.to_string().contains("not a symbol"), "{sym}: {e}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_host_that_does_not_resolve_fails_fast_and_says_what_to_do() {
    let mut c = lockstep_fetch::Config::default();
    let mut p = fast("http://lockstep-test.invalid");
    p.retries = Some(5);
    p.backoff_ms = Some(200);
    *c.providers.get_mut(ProviderKind::Yahoo) = p;
    let started = std::time::Instant::now();
    let e = get_rut(&Fetcher::new(c), &mut Vec::new()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(e, FetchError::Connect { attempts: 2, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("use --offline"), "{e}");
}
