//! Shared fixtures of the server's hardening tests: a seeded store, a server over it, raw
//! HTTP/1.1 over TCP (the tests send what an ordinary client would not).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use lockstep_core::{AssetClass, Calendar, DailyBar, Instrument};
use lockstep_server::{PairConfig, ServeConfig, Server};
use lockstep_store::{FetchInfo, Store};
use lockstep_testkit::fixtures::XorShift64;

/// The token of the tests' servers.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// The id of the tests' pair.
pub const PAIR: &str = "eth-usd_rut";

/// Store ETH-USD (every day) and ^RUT (weekdays) from 2023-01-01 to 2024-05-15: random
/// walks, ±2 % a day.
pub fn seed(path: &Path) {
    let mut s = Store::open(path).unwrap();
    for (sym, crypto, seed, start) in [("ETH-USD", true, 1u64, 1500.0), ("^RUT", false, 2, 1800.0)]
    {
        let mut rng = XorShift64::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2024, 5, 15).unwrap();
        let mut p: f64 = start;
        let mut bars = Vec::new();
        while d <= last {
            if crypto || !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                p *= 1.0 + (rng.uniform() - 0.5) * 0.04;
                bars.push(DailyBar {
                    date: d,
                    open: Some(p * 0.99),
                    high: Some(p * 1.01),
                    low: Some(p * 0.98),
                    close: p,
                    adj_close: Some(p),
                    volume: Some(1000.0),
                });
            }
            d = d + Days::new(1);
        }
        let instrument = Instrument {
            symbol: sym.into(),
            provider: "yahoo".into(),
            ticker: sym.into(),
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
        };
        let info = FetchInfo::now(Some(bars[0].date), Some(bars[bars.len() - 1].date));
        s.upsert(&instrument, &bars, &info).unwrap();
    }
}

/// A loopback server of the ETH-USD/^RUT pair, scheduler off, `token` when given.
pub fn config(token: Option<&str>) -> ServeConfig {
    let mut c = ServeConfig {
        bind: "127.0.0.1:0".into(),
        token: token.map(str::to_string),
        pairs: vec![PairConfig::new("ETH-USD", "^RUT")],
        ..ServeConfig::default()
    };
    c.refresh.enabled = false;
    c
}

/// A running server over a seeded temporary store.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub server: Server,
}

impl Fixture {
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

/// Start `config` over a freshly seeded store.
pub fn start(config: ServeConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    seed(&db);
    let server = Server::start(config, &db, None).unwrap();
    Fixture { dir, db, server }
}

/// A TCP connection to `addr` from the local address `from` (any of 127.0.0.0/8 on Linux),
/// so that one test can be several clients.
pub fn connect_from(from: IpAddr, addr: SocketAddr) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = rt
        .block_on(async {
            let sock = tokio::net::TcpSocket::new_v4()?;
            sock.bind(SocketAddr::new(from, 0))?;
            sock.connect(addr).await
        })
        .unwrap_or_else(|e| panic!("connect from {from}: {e}"));
    let s = s.into_std().unwrap();
    s.set_nonblocking(false).unwrap();
    s
}

/// An answer read off a raw connection.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Raw {
    /// The JSON error body, asserting the status and the shape.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(
            self.status,
            status,
            "{}\n{}",
            self.head,
            String::from_utf8_lossy(&self.body)
        );
        assert!(
            self.head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{}",
            self.head
        );
        let v: serde_json::Value = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body))
        });
        assert_eq!(v["error"]["status"], status, "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }

    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.split("\r\n").find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// Parse one answer from the start of `bytes` (its body by `Content-Length`, else to the
/// end).
pub fn parse(bytes: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(bytes);
    let end = text
        .find("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head in {text:?}"));
    let head = text[..end].to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let mut raw = Raw {
        status,
        head,
        body: Vec::new(),
    };
    let rest = &bytes[end + 4..];
    let n = raw
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(rest.len())
        .min(rest.len());
    raw.body = rest[..n].to_vec();
    raw
}

/// Send `request` whole on a new connection to `addr` and read the answer to the close.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // The server may answer (and close) before it has read everything: ignore write errors.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) if !out.is_empty() => break,
            Err(e) => panic!("no answer: {e}"),
        }
    }
    parse(&out)
}

/// `GET path` with the bearer token, over a new connection: (status, time taken).
pub fn timed_get(addr: SocketAddr, path: &str, token: &str, timeout: Duration) -> (u16, Duration) {
    let t = std::time::Instant::now();
    let r = ureq::get(&format!("http://{addr}{path}"))
        .set("Authorization", &format!("Bearer {token}"))
        .timeout(timeout)
        .call();
    let status = match r {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(c, _)) => c,
        Err(_) => 0,
    };
    (status, t.elapsed())
}

/// The peak resident memory of this process so far (`VmHWM` of /proc/self/status), in KiB;
/// `None` where there is no such file.
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Store hourly bars of ETH-USD from 2024-03-01 to 2024-05-15: the exchange clock of the
/// pair (ETH-USD at the 16:00 New York close) has a price on every exchange date of those
/// weeks.
pub fn seed_hourly(path: &Path) {
    use lockstep_core::{Interval, IntradayBar};
    let start = NaiveDate::from_ymd_opt(2024, 3, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let mut rng = XorShift64::new(7u64.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut p = 3000.0;
    let bars: Vec<IntradayBar> = (0..24 * 76)
        .map(|i| {
            p *= 1.0 + (rng.uniform() - 0.5) * 0.01;
            IntradayBar {
                start: start + chrono::Duration::hours(i),
                open: None,
                high: None,
                low: None,
                close: p,
                volume: None,
            }
        })
        .collect();
    let instrument = Instrument {
        symbol: "ETH-USD".into(),
        provider: "yahoo".into(),
        ticker: "ETH-USD".into(),
        asset_class: AssetClass::Crypto,
        calendar: Calendar::EveryDay,
        currency: Some("USD".into()),
    };
    Store::open(path)
        .unwrap()
        .upsert_intraday(
            &instrument,
            Interval::H1,
            &bars,
            &FetchInfo::now(None, None),
        )
        .unwrap();
}
