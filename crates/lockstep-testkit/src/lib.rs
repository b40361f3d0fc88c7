//! Test support for Lockstep: [`ReplayServer`], a small threaded HTTP/1.1 server on
//! `127.0.0.1` that replays canned payloads and injects faults (delays, slow bodies, resets,
//! truncated bodies), so provider code can be tested without the network.
//!
//! The server knows nothing about any provider: a test builds [`Route`]s of [`Reply`]s from the
//! recorded payloads and asserts on the [`RecordedRequest`]s afterwards.
//!
//! ```
//! use lockstep_testkit::{ReplayServer, Reply, Route};
//!
//! let server = ReplayServer::start(vec![
//!     Route::exact("/ping", Reply::status(500, "boom")).then(Reply::ok_json("{\"ok\":true}")),
//! ]);
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(server.hits("/ping"), 0);
//! ```
//!
//! Every response carries `Connection: close` and a `Content-Length`; each connection is
//! served by its own thread. The server stops when dropped (or on [`ReplayServer::stop`]).
//!
//! The other helpers the crates' test suites share:
//! * [`fixtures`]: the deterministic generators of the synthetic series ([`fixtures::Lcg`],
//!   [`fixtures::XorShift64`]) and date helpers;
//! * [`intraday`]: constructed intraday bars (New York wall times, the NYSE days of 2024,
//!   CSV writers) for the clock tests;
//! * [`shared_data`]: locating the real data of `../shared/data` and saying why a test is
//!   skipped when it is absent;
//! * [`webdriver`]: a headless Chromium session for browser tests;
//! * [`reserved_port`] for a server a test starts later, and [`header_value`].
#![forbid(unsafe_code)]

pub mod fixtures;
pub mod intraday;
pub mod shared_data;
pub mod webdriver;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A loopback TCP port for a server a test starts later on a fixed port, or stops and starts
/// again (a webhook receiver that is down, then back; chromedriver): free when chosen, and
/// **below the kernel's ephemeral port range**, so that no outgoing connection of any process
/// is handed it in the meantime. A port from binding port 0 is in that range, and under a
/// loaded parallel test run another test's client connection took one before the receiver
/// could bind it. Successive calls, and parallel test processes (by pid), try different
/// ports.
pub fn reserved_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // The first ephemeral port (Linux default 32768).
    let ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768);
    let (low, high) = (ephemeral / 2, ephemeral);
    if high <= low + 1000 || high > 65535 {
        // An unusual range: fall back to a port the kernel picks.
        return TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
    }
    let span = high - low;
    let start = std::process::id().wrapping_mul(7919) % span;
    for _ in 0..span {
        let k = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = u16::try_from(low + (start + k) % span).expect("below 65536");
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {low}..{high}");
}

/// The value of the first header named `name` (case-insensitive) in a list of `(name, value)`
/// pairs, as requests and replies carry them.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Largest request head the server accepts (request line plus headers).
const MAX_HEAD: usize = 64 * 1024;

/// How the connection ends abnormally instead of with a complete response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Close without reading the request or answering.
    Reset,
    /// Announce the full `Content-Length` but send only this many body bytes.
    Truncate(usize),
}

/// One canned response, with optional delay, slow streaming and faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Option<Duration>,
    throttle: Option<(usize, Duration)>,
    fault: Option<Fault>,
}

impl Reply {
    /// A response with this status, no headers and this body (no `Content-Type`).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: None,
            throttle: None,
            fault: None,
        }
    }

    /// `200 OK` with `Content-Type: application/json`.
    pub fn ok_json(body: impl Into<String>) -> Reply {
        Reply::ok_text(body, "application/json")
    }

    /// `200 OK` with the given `Content-Type`.
    pub fn ok_text(body: impl Into<String>, content_type: &str) -> Reply {
        Reply::new(200, body.into().into_bytes()).header("Content-Type", content_type)
    }

    /// A response with this status and a plain-text body (`Content-Type: text/plain`).
    pub fn status(code: u16, body: impl Into<String>) -> Reply {
        Reply::new(code, body.into().into_bytes()).header("Content-Type", "text/plain")
    }

    /// `200 OK` whose body is the content of a file, with the given `Content-Type`.
    pub fn from_file(path: impl AsRef<Path>, content_type: &str) -> io::Result<Reply> {
        let body = std::fs::read(path)?;
        Ok(Reply::new(200, body).header("Content-Type", content_type))
    }

    /// Add a header (`Content-Length` and `Connection` are always set by the server and must
    /// not be given here).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Wait this long after reading the request, before sending anything.
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }

    /// Stream the body slowly: `chunk_bytes` at a time with `interval` between chunks (the
    /// headers are sent at once). The server stops sending when the client goes away.
    pub fn throttle(mut self, chunk_bytes: usize, interval: Duration) -> Reply {
        self.throttle = Some((chunk_bytes.max(1), interval));
        self
    }

    /// Fault: close the connection without answering. The request is left unread in the
    /// socket, so on Linux the kernel resets the connection (TCP RST); clients see a
    /// "connection reset" or "connection closed" error. The request is still recorded.
    pub fn reset(mut self) -> Reply {
        self.fault = Some(Fault::Reset);
        self
    }

    /// Fault: send the headers with the `Content-Length` of the full body, then only the first
    /// `n` body bytes, then close the connection.
    pub fn truncate(mut self, n: usize) -> Reply {
        self.fault = Some(Fault::Truncate(n));
        self
    }

    /// The status code.
    pub fn status_code(&self) -> u16 {
        self.status
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// Matches requests by path and serves a sequence of replies in order, repeating the last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    path: String,
    prefix: bool,
    query: Vec<String>,
    replies: Vec<Reply>,
}

impl Route {
    /// A route for requests whose path (without the query) equals `path`.
    pub fn exact(path: &str, reply: Reply) -> Route {
        Route {
            path: path.to_string(),
            prefix: false,
            query: Vec::new(),
            replies: vec![reply],
        }
    }

    /// A route for requests whose path (without the query) starts with `prefix`.
    pub fn prefix(prefix: &str, reply: Reply) -> Route {
        Route {
            prefix: true,
            ..Route::exact(prefix, reply)
        }
    }

    /// Also require the raw query string (after `?`, not decoded) to contain `needle`. May be
    /// given several times; all must match.
    pub fn query(mut self, needle: &str) -> Route {
        self.query.push(needle.to_string());
        self
    }

    /// Serve `reply` after the replies given so far (the last reply repeats forever).
    pub fn then(mut self, reply: Reply) -> Route {
        self.replies.push(reply);
        self
    }

    fn matches(&self, path: &str, query: &str) -> bool {
        let path_ok = if self.prefix {
            path.starts_with(&self.path)
        } else {
            path == self.path
        };
        path_ok && self.query.iter().all(|q| query.contains(q.as_str()))
    }
}

/// A request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target: path with query, as sent (`/v8/finance/chart/QQQ?period1=...`).
    pub path: String,
    /// Header names and values, in order, as sent.
    pub headers: Vec<(String, String)>,
    /// When the request head had been read.
    pub at: Instant,
}

impl RecordedRequest {
    /// The path without the query.
    pub fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }

    /// The raw query string after `?` (empty when there is none).
    pub fn query(&self) -> &str {
        self.path.split_once('?').map_or("", |(_, q)| q)
    }

    /// The raw (not percent-decoded) value of the first query parameter with this name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query().split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == name).then_some(v)
        })
    }

    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// State shared between the server handle and its threads.
struct Shared {
    routes: Vec<Route>,
    /// Index of the next reply, per route.
    next: Mutex<Vec<usize>>,
    requests: Mutex<Vec<RecordedRequest>>,
    stop: AtomicBool,
}

/// Lock a mutex, ignoring poisoning (a panicking connection thread must not hide the state).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A local HTTP/1.1 server on `127.0.0.1:<ephemeral port>` replaying [`Route`]s.
///
/// Routes are checked in order; the first match answers. An unmatched request gets `404 Not
/// Found` with a plain-text body naming the path.
pub struct ReplayServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl ReplayServer {
    /// Bind `127.0.0.1:0` and start serving.
    ///
    /// # Panics
    /// When the listening socket cannot be created (a broken test environment).
    pub fn start(routes: Vec<Route>) -> ReplayServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("local address of the listener");
        let shared = Arc::new(Shared {
            next: Mutex::new(vec![0; routes.len()]),
            routes,
            requests: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let state = Arc::clone(&shared);
        let accept = thread::spawn(move || {
            for conn in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let state = Arc::clone(&state);
                thread::spawn(move || {
                    // Errors here are the client going away; nothing to report.
                    let _ = serve(stream, &state);
                });
            }
        });
        ReplayServer {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests had a path (without query) starting with `path_prefix`.
    pub fn hits(&self, path_prefix: &str) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.path_only().starts_with(path_prefix))
            .count()
    }

    /// Stop accepting connections and end delays and slow bodies in progress. Idempotent;
    /// also done on drop.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept.take() {
            // Wake the accept loop so it sees the flag.
            let _ = TcpStream::connect(self.addr);
            let _ = handle.join();
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for ReplayServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayServer")
            .field("addr", &self.addr)
            .field("routes", &self.shared.routes.len())
            .finish()
    }
}

/// Sleep for `d`, in small steps, returning early (false) once the server is stopping.
fn sleep_unless_stopped(d: Duration, state: &Shared) -> bool {
    let end = Instant::now() + d;
    loop {
        if state.stop.load(Ordering::SeqCst) {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        thread::sleep((end - now).min(Duration::from_millis(10)));
    }
}

/// Peek at the request head without consuming it; returns the head length (through the blank
/// line) and its text, or `None` when the client closed before sending a full head.
fn peek_head(stream: &TcpStream, state: &Shared) -> io::Result<Option<(usize, String)>> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = vec![0u8; MAX_HEAD];
    let mut last = 0;
    loop {
        let n = stream.peek(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(pos) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..pos]).into_owned();
            return Ok(Some((pos + 4, head)));
        }
        if n == buf.len() || state.stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        if n == last {
            // Nothing new since the last peek: wait for more bytes.
            thread::sleep(Duration::from_millis(2));
        }
        last = n;
    }
}

fn parse_head(head: &str) -> RecordedRequest {
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("");
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    RecordedRequest {
        method,
        path,
        headers,
        at: Instant::now(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Answer one connection.
fn serve(mut stream: TcpStream, state: &Shared) -> io::Result<()> {
    let Some((head_len, head)) = peek_head(&stream, state)? else {
        return Ok(());
    };
    if state.stop.load(Ordering::SeqCst) {
        return Ok(());
    }
    let request = parse_head(&head);
    let (path, query) = request
        .path
        .split_once('?')
        .unwrap_or((request.path.as_str(), ""));
    let reply = state
        .routes
        .iter()
        .position(|r| r.matches(path, query))
        .map(|i| {
            let mut next = lock(&state.next);
            let route = &state.routes[i];
            let k = next[i].min(route.replies.len() - 1);
            next[i] = k + 1;
            route.replies[k].clone()
        })
        .unwrap_or_else(|| Reply::status(404, format!("replay server: no route for {path}\n")));
    let content_length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    lock(&state.requests).push(request);

    if reply.fault == Some(Fault::Reset) {
        // Dropping the socket with the request still unread makes the kernel send an RST.
        drop(stream);
        return Ok(());
    }
    // Consume the request head and any body.
    let mut sink = vec![0u8; head_len + content_length];
    stream.read_exact(&mut sink)?;

    if let Some(d) = reply.delay {
        if !sleep_unless_stopped(d, state) {
            return Ok(());
        }
    }

    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    stream.write_all(out.as_bytes())?;

    let body: &[u8] = match reply.fault {
        Some(Fault::Truncate(n)) => &reply.body[..n.min(reply.body.len())],
        _ => &reply.body,
    };
    match reply.throttle {
        Some((chunk, interval)) => {
            for (i, part) in body.chunks(chunk).enumerate() {
                if i > 0 && !sleep_unless_stopped(interval, state) {
                    return Ok(());
                }
                stream.write_all(part)?;
                stream.flush()?;
            }
        }
        None => stream.write_all(body)?,
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    // Give the client a moment to read before the socket closes, without holding a thread
    // for long: read until the client closes its side or a short timeout passes.
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    let mut scratch = [0u8; 256];
    while matches!(stream.read(&mut scratch), Ok(n) if n > 0) {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal blocking client: send a GET, read everything until the server closes.
    fn get(url: &str, path: &str) -> io::Result<(u16, String, Vec<u8>)> {
        let addr = url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr)?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-Test: yes\r\n\r\n"
        )?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let pos = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no head"))?;
        let head = String::from_utf8_lossy(&raw[..pos]).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok((status, head, raw[pos + 4..].to_vec()))
    }

    #[test]
    fn serves_replies_in_order_and_records_requests() {
        let server = ReplayServer::start(vec![
            Route::exact("/a", Reply::status(500, "first"))
                .then(Reply::ok_json("{}").header("X-Extra", "1")),
            Route::prefix("/p/", Reply::ok_text("q", "text/csv")).query("x=1"),
        ]);
        let url = server.url();
        let (s1, _, b1) = get(&url, "/a?z=2").unwrap();
        assert_eq!((s1, b1.as_slice()), (500, &b"first"[..]));
        for _ in 0..2 {
            let (s, head, b) = get(&url, "/a").unwrap();
            assert_eq!((s, b.as_slice()), (200, &b"{}"[..]));
            assert!(head.contains("X-Extra: 1"));
            assert!(head.contains("Connection: close"));
            assert!(head.contains("Content-Length: 2"));
        }
        assert_eq!(get(&url, "/p/abc?y=0&x=1").unwrap().0, 200);
        let (s, _, b) = get(&url, "/p/abc?y=0").unwrap();
        assert_eq!(s, 404);
        assert!(String::from_utf8_lossy(&b).contains("/p/abc"));
        assert_eq!(server.hits("/a"), 3);
        assert_eq!(server.hits("/p/"), 2);
        let reqs = server.requests();
        assert_eq!(reqs.len(), 5);
        assert_eq!(reqs[0].method, "GET");
        assert_eq!(reqs[0].path, "/a?z=2");
        assert_eq!(reqs[0].query_param("z"), Some("2"));
        assert_eq!(reqs[0].header("x-test"), Some("yes"));
        assert_eq!(reqs[3].path_only(), "/p/abc");
    }

    #[test]
    fn truncate_sends_partial_body_and_reset_sends_nothing() {
        let server = ReplayServer::start(vec![
            Route::exact("/t", Reply::ok_json("0123456789").truncate(4)),
            Route::exact("/r", Reply::ok_json("{}").reset()),
            Route::exact(
                "/slow",
                Reply::ok_json("abcdef").throttle(2, Duration::from_millis(1)),
            ),
        ]);
        let (s, head, body) = get(&server.url(), "/t").unwrap();
        assert_eq!(s, 200);
        assert!(head.contains("Content-Length: 10"));
        assert_eq!(body, b"0123");
        // A reset gives either an error or an empty read, never a response.
        assert!(get(&server.url(), "/r").is_err());
        assert_eq!(server.hits("/r"), 1);
        assert_eq!(get(&server.url(), "/slow").unwrap().2, b"abcdef");
    }

    #[test]
    fn stop_is_idempotent_and_refuses_later_connections() {
        let mut server = ReplayServer::start(vec![]);
        let addr = server.addr();
        server.stop();
        server.stop();
        // The listener is closed once the accept thread has ended.
        assert!(TcpStream::connect(addr).is_err());
    }

    #[test]
    fn from_file_reads_the_body() {
        let dir = std::env::temp_dir().join(format!("lockstep-testkit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("body.csv");
        std::fs::write(&file, "a,b\n1,2\n").unwrap();
        let reply = Reply::from_file(&file, "text/csv").unwrap();
        assert_eq!(reply.body(), b"a,b\n1,2\n");
        assert_eq!(reply.status_code(), 200);
        assert!(Reply::from_file(dir.join("missing"), "text/csv").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
