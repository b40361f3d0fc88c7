//! Test helpers: synthetic pairs and reports, and a local webhook receiver.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lockstep_core::PriceSeries;
use lockstep_report::{analyze, AnalyzeOptions, Report};
pub use lockstep_testkit::fixtures::date as d;
use lockstep_testkit::fixtures::{consecutive_days, Lcg};

/// A deterministic pseudo-random stream in [-1, 1): [`Lcg`] from `seed` stepped once.
pub fn noise(seed: u64, n: usize) -> Vec<f64> {
    let mut g = Lcg::new(seed);
    g.next_u64();
    (0..n).map(|_| g.uniform() * 2.0 - 1.0).collect()
}

/// A series of `prices` on consecutive days from 2024-01-01.
pub fn series(name: &str, prices: Vec<f64>) -> PriceSeries {
    let dates = consecutive_days(d("2024-01-01"), prices.len());
    PriceSeries::new(name, dates, prices).unwrap()
}

/// Two correlated random walks of `n` days.
pub fn pair(n: usize) -> (PriceSeries, PriceSeries) {
    let common = noise(1, n);
    let own = noise(2, n);
    let (mut pa, mut pb) = (100.0, 50.0);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..n {
        pa *= 1.0 + 0.02 * (common[i] + 0.5 * own[i]);
        pb *= 1.0 + 0.015 * common[i] + 0.0005;
        a.push(pa);
        b.push(pb);
    }
    (series("A", a), series("B", b))
}

/// The report of `a` against `b` with rolling windows `windows`.
pub fn report(a: &PriceSeries, b: &PriceSeries, windows: &[usize]) -> Report {
    analyze(
        a,
        b,
        &AnalyzeOptions {
            windows: windows.to_vec(),
            ..Default::default()
        },
    )
    .unwrap()
}

/// A report of 60 days whose `window`-day correlation is replaced by `values` at its end
/// (the dates before them undefined).
pub fn report_with_corr(window: usize, values: &[Option<f64>]) -> Report {
    let (a, b) = pair(60);
    let mut r = report(&a, &b, &[10, window]);
    let w = r
        .series
        .rolling
        .iter_mut()
        .find(|w| w.window == window)
        .unwrap();
    let n = w.corr.len();
    w.corr = std::iter::repeat_n(None, n - values.len())
        .chain(values.iter().copied())
        .collect();
    r
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The status answered.
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        lockstep_testkit::header_value(&self.headers, name)
    }
}

/// A webhook receiver on 127.0.0.1: records every request and answers `status` (0 = accept
/// and never answer, to provoke a timeout).
pub struct Receiver {
    pub addr: SocketAddr,
    status: Arc<AtomicU16>,
    got: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Listen on `port` (0 = any free port), retrying the bind for a while.
    pub fn start(port: u16, status: u16) -> Receiver {
        let start = Instant::now();
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => break l,
                Err(e) if start.elapsed() < Duration::from_secs(5) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("cannot bind 127.0.0.1:{port}: {e}"),
            }
        };
        let addr = listener.local_addr().unwrap();
        let status = Arc::new(AtomicU16::new(status));
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (status, got, stop) = (status.clone(), got.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let status = status.load(Ordering::SeqCst);
                    serve(conn, status, &got);
                }
            })
        };
        Receiver {
            addr,
            status,
            got,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Requests answered with a 2xx.
    pub fn successes(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .count()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Read one request, record it, then answer `status` (0: never answer). The request is
/// recorded before the answer is sent, so a client that has its answer always finds its
/// request among the recorded ones.
fn serve(conn: TcpStream, status: u16, got: &Mutex<Vec<Received>>) -> Option<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut r = BufReader::new(conn.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    let req = Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        status,
    };
    got.lock().ok()?.push(req);
    let mut conn = conn;
    if status == 0 {
        // Never answer: hold the connection until the client gives up.
        std::thread::sleep(Duration::from_secs(3));
    } else {
        let text = if status < 300 { "OK" } else { "Error" };
        let body = if status < 300 { "" } else { "try later" };
        let _ = write!(
            conn,
            "HTTP/1.1 {status} {text}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = conn.flush();
    }
    Some(())
}

/// A `Write` into a shared buffer (the log sink's lines).
#[derive(Clone, Default)]
pub struct SharedLog(pub Arc<Mutex<Vec<u8>>>);

impl Write for SharedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedLog {
    pub fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }
}
