//! End-to-end tests of the server: started on 127.0.0.1:0 over a temporary store, queried
//! with a blocking HTTP client; refreshes go to a local replay server, never the internet.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use lockstep_core::{AssetClass, Calendar, DailyBar, Instrument, PriceField};
use lockstep_fetch::{Config, Fetcher, ProviderKind};
use lockstep_server::{route_table, PairConfig, ServeConfig, Server, ServerError};
use lockstep_store::{FetchInfo, Store};
use lockstep_testkit::{ReplayServer, Reply, Route};
use serde_json::{json, Value};

const TOKEN: &str = "test-token-0123456789abcdef";
const PAIR: &str = "eth-usd_rut";

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Deterministic closes: a random walk from `start` (xorshift noise, ±2 % a day).
fn closes(n: usize, seed: u64, start: f64) -> Vec<f64> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut p = start;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            p *= 1.0 + (u - 0.5) * 0.04;
            p
        })
        .collect()
}

/// Dates from `from` to `to` (inclusive), every day or weekdays only.
fn dates(from: NaiveDate, to: NaiveDate, every_day: bool) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        if every_day || !weekend(d) {
            out.push(d);
        }
        d = d + Days::new(1);
    }
    out
}

fn bars(dates: &[NaiveDate], closes: &[f64]) -> Vec<DailyBar> {
    dates
        .iter()
        .zip(closes)
        .map(|(d, c)| DailyBar {
            date: *d,
            open: Some(c * 0.99),
            high: Some(c * 1.01),
            low: Some(c * 0.98),
            close: *c,
            adj_close: Some(*c),
            volume: Some(1000.0),
        })
        .collect()
}

fn instrument(symbol: &str, crypto: bool) -> Instrument {
    Instrument {
        symbol: symbol.into(),
        provider: "yahoo".into(),
        ticker: symbol.into(),
        asset_class: if crypto {
            AssetClass::Crypto
        } else {
            AssetClass::Index
        },
        calendar: if crypto {
            Calendar::EveryDay
        } else {
            Calendar::Weekdays
        },
        currency: Some("USD".into()),
    }
}

/// The synthetic history of a leg from 2023-01-01 to `to`.
fn history(crypto: bool, to: &str) -> Vec<DailyBar> {
    let d = dates(date("2023-01-01"), date(to), crypto);
    let c = closes(
        d.len(),
        if crypto { 1 } else { 2 },
        if crypto { 1500.0 } else { 1800.0 },
    );
    bars(&d, &c)
}

/// Store ETH-USD (every day) and ^RUT (weekdays) from 2023-01-01 to `to`, as fetched from
/// Yahoo.
fn seed(path: &Path, to: &str) {
    let mut s = Store::open(path).unwrap();
    for (sym, crypto) in [("ETH-USD", true), ("^RUT", false)] {
        let b = history(crypto, to);
        let info = FetchInfo::now(Some(b[0].date), Some(b[b.len() - 1].date));
        s.upsert(&instrument(sym, crypto), &b, &info).unwrap();
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    server: Server,
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }
}

fn config(token: Option<&str>) -> ServeConfig {
    let mut c = ServeConfig {
        bind: "127.0.0.1:0".into(),
        token: token.map(str::to_string),
        pairs: vec![
            PairConfig::new("ETH-USD", "^RUT"),
            PairConfig {
                windows: vec![20],
                ..PairConfig::new("^RUT", "ETH-USD")
            },
        ],
        ..ServeConfig::default()
    };
    c.refresh.enabled = false;
    c
}

/// A server over a seeded store, without a fetcher.
fn start(config: ServeConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    seed(&db, "2024-05-15");
    let server = Server::start(config, &db, None).unwrap();
    Fixture {
        _dir: dir,
        db,
        server,
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP client
// ---------------------------------------------------------------------------------------------

struct Resp {
    status: u16,
    ctype: String,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Assert a JSON error answer with this status; returns its message.
    fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(self.ctype.starts_with("application/json"), "{}", self.ctype);
        let v = self.json();
        assert_eq!(v["error"]["status"], status, "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }
}

fn send(method: &str, url: &str, token: Option<&str>, body: Option<(&str, &[u8])>) -> Resp {
    let mut r = ureq::request(method, url).timeout(Duration::from_secs(120));
    if let Some(t) = token {
        r = r.set("Authorization", &format!("Bearer {t}"));
    }
    let res = match body {
        Some((ct, b)) => r.set("Content-Type", ct).send_bytes(b),
        None => r.call(),
    };
    let resp = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = resp.status();
    let ctype = resp.header("content-type").unwrap_or("").to_string();
    let mut body = Vec::new();
    resp.into_reader().read_to_end(&mut body).unwrap();
    Resp {
        status,
        ctype,
        body,
    }
}

fn get(url: &str) -> Resp {
    send("GET", url, None, None)
}

fn ok(r: &Resp, ctype: &str) {
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.ctype.starts_with(ctype), "{} is not {ctype}", r.ctype);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn every_route_answers_with_its_content_type() {
    let f = start(config(None));

    let r = get(&f.url("/"));
    ok(&r, "text/html");
    assert!(
        r.text().contains("href=\"/pairs/eth-usd_rut\""),
        "{}",
        r.text()
    );
    assert!(r.text().contains("href=\"/pairs/rut_eth-usd\""));

    let r = get(&f.url(&format!("/pairs/{PAIR}")));
    ok(&r, "text/html");
    let page = r.text();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("ETH-USD: data last refreshed "), "banner");
    assert!(page.contains("from yahoo; last bar 2024-05-15"), "banner");
    assert!(page.contains("^RUT: data last refreshed "));
    assert!(
        page.contains("href=\"/pairs/rut_eth-usd\""),
        "nav to the other pair"
    );
    assert!(page.contains("id=\"signals\""), "signals section");
    assert!(page.contains("id=\"alerts\""), "alerts section");
    assert!(page.contains("<svg"), "charts inlined");

    for kind in [
        "overlay",
        "correlation",
        "momentum",
        "ccf",
        "levels",
        "signals",
    ] {
        let r = get(&f.url(&format!("/pairs/{PAIR}/charts/{kind}.svg")));
        ok(&r, "image/svg+xml");
        assert!(r.text().contains("<svg"), "{kind}");
    }
    let r = get(&f.url(&format!(
        "/pairs/{PAIR}/charts/overlay.png?width=400&height=300"
    )));
    ok(&r, "image/png");
    assert_eq!(&r.body[..8], b"\x89PNG\r\n\x1a\n");

    let r = get(&f.url("/api/health"));
    ok(&r, "application/json");
    assert_eq!(r.json()["status"], "ok");

    let r = get(&f.url("/api/pairs"));
    ok(&r, "application/json");
    let v = r.json();
    let p = &v["pairs"][0];
    assert_eq!(p["id"], PAIR);
    assert_eq!(p["a"], "ETH-USD");
    assert_eq!(p["b"], "^RUT");
    assert_eq!(p["windows"], json!([30, 60, 90]));
    assert_eq!(p["legs"][0]["symbol"], "ETH-USD");
    assert_eq!(p["legs"][0]["provider"], "yahoo");
    assert_eq!(p["legs"][0]["last"], "2024-05-15");
    assert_eq!(p["legs"][0]["kind"], "crypto");
    assert_eq!(p["legs"][1]["kind"], "exchange");
    assert!(p["legs"][1]["last_refresh"].is_string());
    assert_eq!(v["pairs"][1]["id"], "rut_eth-usd");

    let r = get(&f.url(&format!("/api/pairs/{PAIR}/series")));
    ok(&r, "application/json");
    let v = r.json();
    let n = v["dates"].as_array().unwrap().len();
    assert!(n > 300, "{n} aligned dates");
    for k in ["price_a", "price_b", "norm_a", "norm_b"] {
        assert_eq!(v[k].as_array().unwrap().len(), n, "{k}");
    }
    assert_eq!(v["norm_a"][0], 100.0);
    assert_eq!(v["rolling"].as_array().unwrap().len(), 3);
    assert_eq!(v["rolling"][2]["window"], 90);
    assert_eq!(v["rolling"][2]["corr"].as_array().unwrap().len(), n);

    let r = get(&f.url(&format!("/api/pairs/{PAIR}/report")));
    ok(&r, "application/json");
    let v = r.json();
    assert_eq!(v["a"]["name"], "ETH-USD");
    assert_eq!(v["b"]["name"], "^RUT");
    assert_eq!(v["params"]["windows"], json!([30, 60, 90]));

    let r = get(&f.url(&format!("/api/pairs/{PAIR}/signals")));
    ok(&r, "application/json");
    let v = r.json();
    assert_eq!(v["pair"], json!(["ETH-USD", "^RUT"]));
    assert!(v["triggers"].is_array());

    let r = get(&f.url(&format!(
        "/api/alerts?pair={PAIR}&since=2024-01-01&limit=10"
    )));
    ok(&r, "application/json");
    assert!(r.json()["alerts"].is_array());

    let r = get(&f.url("/api/openapi.json"));
    ok(&r, "application/json");
    assert!(r.json()["openapi"].as_str().unwrap().starts_with("3.0"));

    // HEAD works where GET does.
    let r = send("HEAD", &f.url("/api/health"), None, None);
    assert_eq!(r.status, 200);

    // Security headers.
    let resp = ureq::get(&f.url("/")).call().unwrap();
    assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
    assert!(resp
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'none'"));
    f.server.stop().unwrap();
}

#[test]
fn series_are_filtered_by_date() {
    let f = start(config(None));
    let r = get(&f.url(&format!(
        "/api/pairs/{PAIR}/series?from=2024-03-01&to=2024-03-31"
    )));
    ok(&r, "application/json");
    let v = r.json();
    let d: Vec<&str> = v["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    // The weekdays of March 2024 (the inner alignment drops the weekends of ETH-USD).
    assert_eq!(d.len(), 21, "{d:?}");
    assert_eq!(d[0], "2024-03-01");
    assert_eq!(d[d.len() - 1], "2024-03-29");
    assert_eq!(v["price_a"].as_array().unwrap().len(), 21);
    assert_eq!(v["rolling"][0]["corr"].as_array().unwrap().len(), 21);
    assert_eq!(v["from"], "2024-03-01");

    // Only `from`: up to the end.
    let r = get(&f.url(&format!("/api/pairs/{PAIR}/series?from=2024-05-14")));
    let v = r.json();
    assert_eq!(v["dates"], json!(["2024-05-14", "2024-05-15"]));
    // A range without data is empty, not an error.
    let r = get(&f.url(&format!("/api/pairs/{PAIR}/series?from=2030-01-01")));
    ok(&r, "application/json");
    assert_eq!(r.json()["dates"], json!([]));
}

#[test]
fn errors_are_json_with_the_right_status() {
    let f = start(config(None));
    // Unknown pair.
    for path in [
        "/pairs/nope",
        "/api/pairs/nope/report",
        "/api/pairs/nope/series",
        "/api/pairs/nope/signals",
        "/pairs/nope/charts/overlay.svg",
        "/api/alerts?pair=nope",
    ] {
        let m = get(&f.url(path)).error(404);
        assert!(m.contains("nope"), "{path}: {m}");
    }
    // Invalid ids: percent-encoded slash, dot-dot, space, percent sign, too long.
    for id in ["a%2Fb", "a..b", "a%20b", "a%25b", &"x".repeat(40)] {
        get(&f.url(&format!("/api/pairs/{id}/report"))).error(400);
        get(&f.url(&format!("/pairs/{id}"))).error(400);
    }
    // Unknown chart kinds and formats.
    get(&f.url(&format!("/pairs/{PAIR}/charts/pie.svg"))).error(404);
    get(&f.url(&format!("/pairs/{PAIR}/charts/overlay.gif"))).error(404);
    get(&f.url(&format!("/pairs/{PAIR}/charts/heatmap.svg"))).error(404);
    get(&f.url(&format!("/pairs/{PAIR}/charts/overlay.svg?width=99999"))).error(400);
    // Malformed dates name the parameter and the value.
    for (q, bad) in [
        ("from=2024-13-01", "2024-13-01"),
        ("to=yesterday", "yesterday"),
        ("from=2024-1-5", "2024-1-5"),
    ] {
        let m = get(&f.url(&format!("/api/pairs/{PAIR}/series?{q}"))).error(400);
        assert!(m.contains(bad), "{m}");
    }
    let m = get(&f.url(&format!(
        "/api/pairs/{PAIR}/series?from=2024-05-01&to=2024-04-01"
    )))
    .error(400);
    assert!(m.contains("after"), "{m}");
    let m = get(&f.url("/api/alerts?since=2024-02-30")).error(400);
    assert!(m.contains("2024-02-30"), "{m}");
    // Unknown parameters, bad limits.
    let m = get(&f.url(&format!("/api/pairs/{PAIR}/series?form=2024-01-01"))).error(400);
    assert!(m.contains("form"), "{m}");
    for l in ["0", "1001", "-1", "ten"] {
        let m = get(&f.url(&format!("/api/alerts?limit={l}"))).error(400);
        assert!(m.contains("limit"), "{m}");
    }
    // Unknown routes, wrong methods.
    get(&f.url("/nope")).error(404);
    get(&f.url("/api/nope")).error(404);
    get(&f.url(&format!("/pairs/{PAIR}/"))).error(404);
    send(
        "POST",
        &f.url("/api/pairs"),
        None,
        Some(("application/json", b"{}")),
    )
    .error(405);
    send("DELETE", &f.url(&format!("/pairs/{PAIR}")), None, None).error(405);
    get(&f.url("/api/refresh")).error(405);
    // Oversized query: 414.
    let long = "x".repeat(3000);
    let m = get(&f.url(&format!("/api/pairs/{PAIR}/series?from={long}"))).error(414);
    assert!(m.contains("2048"), "{m}");
    get(&f.url(&format!("/{long}"))).error(414);
    // Oversized body: 413, whatever the route.
    let big = format!("{{\"pairs\": [\"{}\"]}}", "x".repeat(20 * 1024));
    send(
        "POST",
        &f.url("/api/refresh"),
        None,
        Some(("application/json", big.as_bytes())),
    )
    .error(413);
    send(
        "GET",
        &f.url("/api/health"),
        None,
        Some(("application/json", big.as_bytes())),
    )
    .error(413);
    // The refresh route wants JSON, known pairs, and a fetcher.
    send(
        "POST",
        &f.url("/api/refresh"),
        None,
        Some(("text/plain", b"x")),
    )
    .error(415);
    send(
        "POST",
        &f.url("/api/refresh"),
        None,
        Some(("application/json", b"{nope")),
    )
    .error(400);
    send(
        "POST",
        &f.url("/api/refresh"),
        None,
        Some(("application/json", b"{\"pairs\": [\"nope\"]}")),
    )
    .error(404);
    let m = send(
        "POST",
        &f.url("/api/refresh"),
        None,
        Some(("application/json", b"{}")),
    )
    .error(409);
    assert!(m.contains("fetcher"), "{m}");
    // A foreign Host header on a loopback server (DNS rebinding).
    let r = ureq::get(&f.url("/api/health"))
        .set("Host", "evil.example:8080")
        .call();
    match r {
        Err(ureq::Error::Status(403, _)) => {}
        other => panic!("expected 403, got {other:?}"),
    }
    // The server still answers after all that.
    ok(&get(&f.url("/api/health")), "application/json");
}

/// A refused request's body is drained before the answer: a client that sends its headers,
/// pauses, and only then writes the whole body reads the 413 (or 401), not a reset or a
/// broken pipe. (CI once saw `Broken pipe` from the 413 case above: the server had answered
/// and closed while the body was still being written.)
#[test]
fn a_refused_body_is_drained_before_the_answer() {
    use std::io::Write;
    use std::net::TcpStream;
    // (token, body length, chunked framing, expected status)
    for (token, len, chunked, status) in [
        (None, 20 * 1024, false, 413),
        (None, 20 * 1024, true, 413),
        (Some(TOKEN), 10 * 1024, false, 401),
    ] {
        let f = start(config(token));
        let addr = f.server.addr();
        for pause in [0u64, 300] {
            let case = format!("{status}, chunked {chunked}, pause {pause} ms");
            let mut sock = TcpStream::connect(addr).unwrap();
            sock.set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let framing = if chunked {
                "Transfer-Encoding: chunked".to_string()
            } else {
                format!("Content-Length: {len}")
            };
            let head = format!(
                "POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: \
                 application/json\r\nConnection: close\r\n{framing}\r\n\r\n",
                addr.port()
            );
            sock.write_all(head.as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(pause));
            // Written in pieces, as a slow client would.
            for piece in vec![b'x'; len].chunks(4096) {
                let mut out = Vec::new();
                if chunked {
                    out.extend(format!("{:x}\r\n", piece.len()).bytes());
                }
                out.extend_from_slice(piece);
                if chunked {
                    out.extend(b"\r\n");
                }
                sock.write_all(&out)
                    .unwrap_or_else(|e| panic!("{case}: body write: {e}"));
                std::thread::sleep(Duration::from_millis(5));
            }
            if chunked {
                sock.write_all(b"0\r\n\r\n")
                    .unwrap_or_else(|e| panic!("{case}: body end: {e}"));
            }
            let mut answer = Vec::new();
            sock.read_to_end(&mut answer)
                .unwrap_or_else(|e| panic!("{case}: read: {e}"));
            let answer = String::from_utf8_lossy(&answer);
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {status} ")),
                "{case}: {answer}"
            );
            assert!(answer.contains("\"error\""), "{case}: {answer}");
        }
    }
}

/// A client that opens a connection and trickles a request's headers (or sends nothing) is
/// disconnected after `header_timeout_secs`, so such clients cannot hold connections
/// (slowloris); a normal request still works.
#[test]
fn slow_headers_and_idle_connections_are_closed() {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::Instant;
    let f = start(ServeConfig {
        header_timeout_secs: 1,
        ..config(None)
    });
    let addr = f.server.addr();
    for partial in ["", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"] {
        let mut sock = TcpStream::connect(addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let t = Instant::now();
        sock.write_all(partial.as_bytes()).unwrap();
        let mut got = Vec::new();
        // EOF (or a reset) when the server gives up; a timeout error here means it never did.
        match sock.read_to_end(&mut got) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("{partial:?}: not closed: {e}"),
        }
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(900) && waited < Duration::from_secs(10),
            "{partial:?}: closed after {waited:?}"
        );
    }
    ok(&get(&f.url("/api/health")), "application/json");
}

#[test]
fn a_leg_missing_from_the_store_is_503() {
    let mut c = config(None);
    c.pairs.push(PairConfig::new("ETH-USD", "BTC-USD"));
    let f = start(c);
    let m = get(&f.url("/api/pairs/eth-usd_btc-usd/report")).error(503);
    assert!(m.contains("BTC-USD"), "{m}");
    get(&f.url("/pairs/eth-usd_btc-usd")).error(503);
    // The listing still answers, saying it is not stored.
    let v = get(&f.url("/api/pairs")).json();
    assert_eq!(v["pairs"][2]["legs"][1]["stored"], false);
}

#[test]
fn a_token_is_required_on_every_route_when_configured() {
    let f = start(config(Some(TOKEN)));
    let paths = [
        "/".to_string(),
        format!("/pairs/{PAIR}"),
        format!("/pairs/{PAIR}/charts/overlay.svg"),
        "/api/health".into(),
        "/api/openapi.json".into(),
        "/api/pairs".into(),
        format!("/api/pairs/{PAIR}/series"),
        format!("/api/pairs/{PAIR}/report"),
        format!("/api/pairs/{PAIR}/signals"),
        "/api/alerts".into(),
    ];
    for p in &paths {
        let r = get(&f.url(p));
        r.error(401);
        let wrong = send("GET", &f.url(p), Some("test-token-0123456789abcdeX"), None);
        wrong.error(401);
        let short = send("GET", &f.url(p), Some("test"), None);
        short.error(401);
        let right = send("GET", &f.url(p), Some(TOKEN), None);
        assert_eq!(right.status, 200, "{p}: {}", right.text());
    }
    // The challenge header, and unknown routes are 401 too (nothing is revealed).
    let r = ureq::get(&f.url("/api/pairs")).call();
    match r {
        Err(ureq::Error::Status(401, resp)) => {
            assert!(resp
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer"));
        }
        other => panic!("expected 401, got {other:?}"),
    }
    get(&f.url("/nope")).error(401);
    send("GET", &f.url("/nope"), Some(TOKEN), None).error(404);
    send(
        "POST",
        &f.url("/api/refresh"),
        None,
        Some(("application/json", b"{}")),
    )
    .error(401);
}

#[test]
fn a_browser_logs_in_with_a_form_and_an_http_only_cookie() {
    let f = start(config(Some(TOKEN)));
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let call = |req: ureq::Request| match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    // A browser asking for a page is sent to the form; the form itself needs no token.
    let r = call(agent.get(&f.url("/")).set("Accept", "text/html,*/*"));
    assert_eq!(r.status(), 303);
    assert_eq!(r.header("location"), Some("/login"));
    let r = call(agent.get(&f.url("/login")));
    assert_eq!(r.status(), 200);
    let form = r.into_string().unwrap();
    assert!(form.contains("<form id=\"login\" method=\"post\" action=\"/login\">"));
    // A wrong token: back to the form, which says so; no cookie.
    let post = |body: &str| match agent
        .post(&f.url("/login"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(body)
    {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let r = post("token=nope");
    assert_eq!(r.status(), 303);
    assert_eq!(r.header("location"), Some("/login?retry=1"));
    assert!(r.header("set-cookie").is_none());
    let again = call(agent.get(&f.url("/login?retry=1")));
    assert!(again.into_string().unwrap().contains("login-failed"));
    // The right token (URL-encoded by the browser) sets an HttpOnly, SameSite=Strict cookie.
    let r = post(&format!("token={}", TOKEN.replace('-', "%2D")));
    assert_eq!(r.status(), 303);
    assert_eq!(r.header("location"), Some("/"));
    let cookie = r.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(TOKEN),
        "the cookie does not hold the token as is"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    for p in [
        "/".to_string(),
        format!("/pairs/{PAIR}"),
        "/api/pairs".into(),
    ] {
        let r = call(agent.get(&f.url(&p)).set("Cookie", &pair));
        assert_eq!(r.status(), 200, "{p}");
    }
    // A forged cookie is refused like a wrong token.
    let r = call(
        agent
            .get(&f.url("/api/pairs"))
            .set("Cookie", "lockstep_token=00ff"),
    );
    assert_eq!(r.status(), 401);
}

#[test]
fn refuses_a_public_address_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    let c = ServeConfig {
        bind: "0.0.0.0:0".into(),
        ..config(None)
    };
    let e = Server::start(c.clone(), &db, None).unwrap_err();
    assert!(matches!(e, ServerError::Insecure(_)), "{e}");
    assert!(e.to_string().contains("token"), "{e}");
    // With a token (and plain HTTP said to be meant: behind a TLS proxy) it starts, and
    // still requires the token.
    let s = Server::start(
        ServeConfig {
            token: Some(TOKEN.into()),
            insecure_http: true,
            ..c
        },
        &db,
        None,
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{}/api/health", s.addr().port());
    get(&url).error(401);
    assert_eq!(send("GET", &url, Some(TOKEN), None).status, 200);
    s.stop().unwrap();
}

#[test]
fn openapi_describes_every_api_route() {
    let f = start(config(None));
    let doc = get(&f.url("/api/openapi.json")).json();
    let api: Vec<_> = route_table()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api"))
        .collect();
    assert!(api.len() >= 8, "{api:?}");
    for (method, path) in &api {
        let op = &doc["paths"][*path][method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} is missing from the OpenAPI document"
        );
        assert!(op["responses"]["200"].is_object(), "{method} {path}");
        assert!(op["responses"]["401"].is_object(), "{method} {path}");
        // Every path parameter is declared.
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            let text = op["parameters"].to_string();
            assert!(
                text.contains(&format!("\"name\":\"{name}\"")) || text.contains("PairId"),
                "{path}: parameter {name}"
            );
        }
    }
    // And nothing documented under /api is unrouted.
    for path in doc["paths"].as_object().unwrap().keys() {
        if path.starts_with("/api") {
            assert!(api.iter().any(|(_, p)| p == path), "{path} is not routed");
        }
    }
    assert!(doc["components"]["schemas"]["Error"].is_object());
}

#[test]
fn the_cache_follows_writes_to_the_store() {
    let f = start(config(None));
    let last = |f: &Fixture| {
        let v = get(&f.url(&format!("/api/pairs/{PAIR}/series?from=2024-05-01"))).json();
        v["dates"].as_array().unwrap().last().cloned().unwrap()
    };
    assert_eq!(last(&f), "2024-05-15");
    // Another process (here: another connection) writes newer bars.
    let mut s = Store::open(&f.db).unwrap();
    for (sym, crypto) in [("ETH-USD", true), ("^RUT", false)] {
        let b = history(crypto, "2024-05-24");
        let info = FetchInfo::now(None, None);
        s.upsert(&instrument(sym, crypto), &b, &info).unwrap();
    }
    assert_eq!(last(&f), "2024-05-24");
}

// ---------------------------------------------------------------------------------------------
// Refresh through a replay server
// ---------------------------------------------------------------------------------------------

/// A Yahoo v8 chart body with bars on `dates`: 14:30 UTC (09:30 New York) for an equity
/// index, 00:00 UTC for crypto.
fn yahoo_chart(symbol: &str, dates: &[NaiveDate], closes: &[f64], equity: bool) -> String {
    let ts: Vec<i64> = dates
        .iter()
        .map(|d| {
            d.and_hms_opt(if equity { 14 } else { 0 }, if equity { 30 } else { 0 }, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        })
        .collect();
    let f = |k: f64| closes.iter().map(|c| c * k).collect::<Vec<f64>>();
    json!({"chart": {"result": [{
        "meta": {
            "currency": "USD", "symbol": symbol,
            "instrumentType": if equity { "INDEX" } else { "CRYPTOCURRENCY" },
            "exchangeTimezoneName": if equity { "America/New_York" } else { "UTC" },
            "gmtoffset": if equity { -14400 } else { 0 },
        },
        "timestamp": ts,
        "indicators": {
            "quote": [{"open": f(0.99), "high": f(1.01), "low": f(0.98), "close": closes, "volume": f(0.0)}],
            "adjclose": [{"adjclose": closes}]
        }
    }], "error": null}})
    .to_string()
}

/// A replay server answering Yahoo chart requests for ETH-USD and ^RUT with the synthetic
/// history extended to `to`.
fn yahoo_replay(to: &str) -> ReplayServer {
    let body = |sym: &str, crypto: bool| {
        let b = history(crypto, to);
        let d: Vec<NaiveDate> = b.iter().map(|b| b.date).collect();
        let c: Vec<f64> = b.iter().map(|b| b.close).collect();
        yahoo_chart(sym, &d, &c, !crypto)
    };
    ReplayServer::start(vec![
        Route::prefix(
            "/v8/finance/chart/ETH-USD",
            Reply::ok_json(body("ETH-USD", true)),
        ),
        Route::prefix(
            "/v8/finance/chart/%5ERUT",
            Reply::ok_json(body("^RUT", false)),
        ),
    ])
}

fn fetcher_for(server: &ReplayServer) -> Fetcher {
    let mut cfg = Config::default();
    for k in ProviderKind::ALL {
        let p = cfg.providers.get_mut(k);
        p.url = Some(server.url());
        p.retries = Some(0);
        p.backoff_ms = Some(5);
        p.timeout_secs = Some(5);
        p.min_interval_ms = Some(0);
    }
    Fetcher::new(cfg)
}

#[test]
fn a_manual_refresh_updates_the_store_and_the_banner() {
    let replay = yahoo_replay("2024-06-14");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    seed(&db, "2024-05-15");
    let server = Server::start(config(Some(TOKEN)), &db, Some(fetcher_for(&replay))).unwrap();
    let url = |p: &str| format!("{}{p}", server.url());
    let page = send("GET", &url(&format!("/pairs/{PAIR}")), Some(TOKEN), None);
    assert!(page.text().contains("from yahoo; last bar 2024-05-15"));

    let r = send(
        "POST",
        &url("/api/refresh"),
        Some(TOKEN),
        Some(("application/json", b"{\"pairs\": [\"eth-usd_rut\"]}")),
    );
    ok(&r, "application/json");
    let v = r.json();
    let symbols = v["symbols"].as_array().unwrap();
    assert_eq!(symbols.len(), 2, "{v}");
    for s in symbols {
        assert_eq!(s["status"], "ok", "{v}");
        assert_eq!(s["provider"], "yahoo");
    }
    assert_eq!(symbols[0]["symbol"], "ETH-USD");
    assert_eq!(symbols[0]["added"], 30, "2024-05-16 .. 2024-06-14");
    assert_eq!(symbols[0]["last"], "2024-06-14");
    assert_eq!(symbols[1]["last"], "2024-06-14");
    // Both pairs use the refreshed symbols.
    assert_eq!(v["pairs"], json!(["eth-usd_rut", "rut_eth-usd"]));
    assert!(v["alerts"].is_array() && v["deliveries"].is_object(), "{v}");
    // The requests asked for the overlap before the last stored date, nothing older.
    assert!(replay.hits("/v8/finance/chart/ETH-USD") >= 1);

    // The store has the new bars.
    let s = Store::open(&db).unwrap();
    assert_eq!(s.last_date("ETH-USD").unwrap(), Some(date("2024-06-14")));
    // The page shows the new data.
    let page = send("GET", &url(&format!("/pairs/{PAIR}")), Some(TOKEN), None).text();
    assert!(page.contains("from yahoo; last bar 2024-06-14"), "banner");
    let v = send("GET", &url("/api/pairs"), Some(TOKEN), None).json();
    assert_eq!(v["pairs"][0]["legs"][0]["last"], "2024-06-14");
    assert!(v["pairs"][0]["legs"][0]["last_attempt"].is_string());
    assert!(v["pairs"][0]["legs"][0]["last_error"].is_null());
    // The same through the Rust API.
    let r = server.refresh_now().unwrap();
    assert!(r.symbols.iter().all(|s| s.status == "ok" && s.added == 0));
    server.stop().unwrap();
}

#[test]
fn a_failed_refresh_is_reported_and_keeps_the_data() {
    let replay = ReplayServer::start(vec![Route::prefix(
        "/v8/finance/chart/",
        Reply::status(500, "boom"),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    seed(&db, "2024-05-15");
    let server = Server::start(config(None), &db, Some(fetcher_for(&replay))).unwrap();
    let r = server.refresh_now().unwrap();
    assert!(r.symbols.iter().all(|s| s.status == "error"), "{r:?}");
    assert!(r.pairs.is_empty());
    let page = get(&format!("{}/pairs/{PAIR}", server.url())).text();
    assert!(
        page.contains("last bar 2024-05-15; the last attempt failed"),
        "banner"
    );
    let v = get(&format!("{}/api/pairs", server.url())).json();
    assert!(v["pairs"][0]["legs"][0]["last_error"].is_string());
}

#[test]
fn the_scheduler_fetches_configured_symbols_missing_from_the_store() {
    let replay = yahoo_replay("2024-06-14");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    let mut c = config(None);
    c.refresh.enabled = true;
    let server = Server::start(c, &db, Some(fetcher_for(&replay))).unwrap();
    let url = |p: &str| format!("{}{p}", server.url());
    // Never fetched: due at once.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = get(&url("/api/pairs")).json();
        let legs = &v["pairs"][0]["legs"];
        if legs[0]["last"] == "2024-06-14" && legs[1]["last"] == "2024-06-14" {
            // Scheduled again at the next slot, in the future.
            assert!(legs[0]["next_refresh"].is_string(), "{v}");
            assert_eq!(legs[0]["kind"], "crypto");
            assert_eq!(legs[1]["kind"], "exchange");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the scheduler did not refresh: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = get(&url(&format!("/pairs/{PAIR}")));
    ok(&page, "text/html");
    assert!(page.text().contains("ETH-USD: data last refreshed "));
    assert!(page.text().contains("from yahoo; last bar 2024-06-14"));
    // Exactly one fetch per symbol: the schedule moved on.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(replay.hits("/v8/finance/chart/ETH-USD"), 1);
    assert_eq!(replay.hits("/v8/finance/chart/%5ERUT"), 1);
    server.stop().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Real data
// ---------------------------------------------------------------------------------------------

fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    (p.join("ETH-USD.daily.csv").is_file() && p.join("RUT.daily.csv").is_file()).then_some(p)
}

fn import(store: &mut Store, symbol: &str, path: &Path, crypto: bool) {
    let read = lockstep_data::read_csv(path, &lockstep_data::CsvOptions::default()).unwrap();
    let s = read.series;
    let col = |c: &Option<Vec<f64>>, i: usize| c.as_ref().map(|v| v[i]).filter(|x| x.is_finite());
    let adjusted = s.price_field == PriceField::AdjClose;
    let bars: Vec<DailyBar> = (0..s.len())
        .map(|i| DailyBar {
            date: s.dates[i],
            open: col(&s.open, i),
            high: col(&s.high, i),
            low: col(&s.low, i),
            close: s.price[i],
            adj_close: adjusted.then_some(s.price[i]),
            volume: col(&s.volume, i),
        })
        .collect();
    let info = FetchInfo::now(None, None);
    store
        .upsert(&instrument(symbol, crypto), &bars, &info)
        .unwrap();
}

#[test]
fn serves_the_real_eth_rut_history() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data/ETH-USD.daily.csv and RUT.daily.csv are absent");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    {
        let mut s = Store::open(&db).unwrap();
        import(&mut s, "ETH-USD", &data.join("ETH-USD.daily.csv"), true);
        import(&mut s, "^RUT", &data.join("RUT.daily.csv"), false);
    }
    let server = Server::start(config(None), &db, None).unwrap();
    let url = |p: &str| format!("{}{p}", server.url());
    ok(&get(&url(&format!("/pairs/{PAIR}"))), "text/html");
    let v = get(&url(&format!("/api/pairs/{PAIR}/report"))).json();
    assert_eq!(v["a"]["name"], "ETH-USD");
    assert!(
        v["period"]["dates"].as_u64().unwrap() > 1000,
        "{}",
        v["period"]
    );
    let v = get(&url(&format!(
        "/api/pairs/{PAIR}/series?from=2024-01-01&to=2024-12-31"
    )))
    .json();
    let n = v["dates"].as_array().unwrap().len();
    assert!((240..=260).contains(&n), "{n} dates in 2024");
    ok(
        &get(&url(&format!("/api/pairs/{PAIR}/signals"))),
        "application/json",
    );
    ok(
        &get(&url(&format!("/pairs/{PAIR}/charts/correlation.png"))),
        "image/png",
    );
}

// ---------------------------------------------------------------------------------------------
// The clock
// ---------------------------------------------------------------------------------------------

/// Store hourly bars of ETH-USD from 2024-03-01 to the seed's end: every exchange date of the
/// weeks covered then has a bar ending at its 16:00 New York close.
fn seed_hourly(path: &Path) {
    use lockstep_core::{Interval, IntradayBar};
    let start = date("2024-03-01").and_hms_opt(0, 0, 0).unwrap().and_utc();
    let n = 24 * 76;
    let c = closes(n, 7, 3000.0);
    let bars: Vec<IntradayBar> = (0..n)
        .map(|i| IntradayBar {
            start: start + chrono::Duration::hours(i as i64),
            open: None,
            high: None,
            low: None,
            close: c[i],
            volume: None,
        })
        .collect();
    let info = FetchInfo::now(None, None);
    Store::open(path)
        .unwrap()
        .upsert_intraday(&instrument("ETH-USD", true), Interval::H1, &bars, &info)
        .unwrap();
}

#[test]
fn the_exchange_clock_per_request_and_per_pair() {
    let fx = start(config(None));
    let report = |q: &str| get(&fx.url(&format!("/api/pairs/{PAIR}/report{q}")));
    // Without intraday bars: the UTC clock as before, the exchange clock unavailable.
    let r = report("");
    ok(&r, "application/json");
    assert!(r.json().get("clocks").is_none());
    let r = report("?clock=exchange");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(
        r.text().contains("intraday bars of ETH-USD"),
        "{}",
        r.text()
    );
    assert_eq!(report("?clock=noon").status, 400);
    assert_eq!(report("?clock=utc&x=1").status, 400);
    // Hourly bars stored: the cache sees them, both clocks are compared.
    seed_hourly(&fx.db);
    let utc = report("?clock=utc").json();
    assert_eq!(utc["clocks"]["main"], "utc");
    assert_eq!(utc["period"]["first"], "2023-01-02");
    let r = report("?clock=exchange");
    ok(&r, "application/json");
    let ex = r.json();
    assert_eq!(ex["clocks"]["main"], "exchange");
    assert_eq!(ex["clocks"]["every_day_leg"], "ETH-USD");
    // On the exchange clock ETH's prices are its hourly closes at 16:00 New York (20:00 UTC
    // in daylight saving time), so the aligned period starts with the bars.
    assert_eq!(ex["period"]["first"], "2024-03-01");
    let series = get(&fx.url(&format!(
        "/api/pairs/{PAIR}/series?clock=exchange&from=2024-05-01"
    )))
    .json();
    let first_price = series["price_a"][0].as_f64().unwrap();
    // 2024-05-01 20:00 UTC is hour 61 * 24 + 20 of the hourly walk: the bar 19:00-20:00.
    let c = closes(24 * 76, 7, 3000.0);
    assert_eq!(first_price, c[61 * 24 + 19]);
    for path in [
        format!("/pairs/{PAIR}?clock=exchange"),
        format!("/pairs/{PAIR}/charts/correlation.svg?clock=exchange"),
        format!("/api/pairs/{PAIR}/signals?clock=exchange"),
    ] {
        let r = get(&fx.url(&path));
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    let page = get(&fx.url(&format!("/pairs/{PAIR}?clock=exchange"))).text();
    assert!(page.contains("main report: exchange clock"), "{page}");
    assert!(page.contains("?clock=utc"), "a link to the UTC clock");
    drop(fx);

    // A pair configured on the exchange clock: its routes and /api/pairs say so.
    let mut c = config(None);
    c.pairs[0].clock = lockstep_report::Clock::Exchange;
    let fx = start(c);
    seed_hourly(&fx.db);
    let pairs = get(&fx.url("/api/pairs")).json();
    assert_eq!(pairs["pairs"][0]["clock"], "exchange");
    assert_eq!(pairs["pairs"][1]["clock"], "utc");
    let ex = get(&fx.url(&format!("/api/pairs/{PAIR}/report"))).json();
    assert_eq!(ex["clocks"]["main"], "exchange");
    let utc = get(&fx.url(&format!("/api/pairs/{PAIR}/report?clock=utc"))).json();
    assert_eq!(utc["clocks"]["main"], "utc");
}

#[test]
fn plotly_js_carries_the_compile_hint_and_the_worker_keeps_it() {
    let f = start(config(None));
    let page = get(&f.url(&format!("/pairs/{PAIR}"))).text();
    let attr = |name: &str| {
        let at = page.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    };
    // Plotly.js as served: one line, V8's compile-hints magic comment, then the embedded
    // script byte for byte.
    let r = get(&f.url(&attr("data-plotly")));
    ok(&r, "text/javascript");
    let js = lockstep_charts::interactive::plotly_js();
    assert_eq!(
        r.body.len(),
        js.len() + "//# allFunctionsCalledOnLoad\n".len()
    );
    assert!(r
        .text()
        .starts_with("//# allFunctionsCalledOnLoad\n/**\n* plotly.js v"));
    assert!(r.text().ends_with(js));
    let r = get(&f.url(&format!("{}?compile=lazy", attr("data-plotly"))));
    ok(&r, "text/javascript");
    assert!(r.body == js.as_bytes(), "compile=lazy: the script alone");
    assert_eq!(
        get(&f.url(&format!("{}?compile=eager", attr("data-plotly")))).status,
        400
    );
    // The service worker: allowed the scope `/`, it caches that very path.
    let worker = attr("data-worker");
    let r = ureq::get(&f.url(&worker)).call().expect("worker.js");
    assert_eq!(r.header("service-worker-allowed"), Some("/"));
    assert!(r.content_type().starts_with("text/javascript"));
    let text = r.into_string().unwrap();
    assert!(
        text.contains(&format!("const PLOTLY = \"{}\";", attr("data-plotly"))),
        "{text}"
    );
    assert!(!text.contains("__PLOTLY__"));
}
