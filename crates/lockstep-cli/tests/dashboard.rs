//! `lockstep serve` end to end: the dashboard in headless Chromium, and the alert path
//! (a rule fires, a local webhook receiver gets exactly one POST, restarts re-send nothing,
//! a receiver that was down gets the alert once it is back).
//!
//! The store is seeded from `../shared/data` (ETH-USD and the Russell 2000); without it the
//! tests skip with a printed reason. Without Chromium the browser test skips locally and
//! fails under CI (`.ci/run` installs it).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{at, col, num, parse_csv, shared};
use serde_json::Value;

/// A store with ETH-USD and ^RUT imported from the shared data, or why not.
fn seeded_home() -> Option<tempfile::TempDir> {
    let (Some(eth), Some(rut)) = (shared("ETH-USD.daily.csv"), shared("RUT.daily.csv")) else {
        eprintln!("skipped: ../shared/data/ETH-USD.daily.csv or RUT.daily.csv is absent");
        return None;
    };
    let home = tempfile::tempdir().expect("temp home");
    for (sym, file) in [("ETH-USD", &eth), ("^RUT", &rut)] {
        at(home.path())
            .args(["import", sym, file.to_str().expect("utf-8 path")])
            .assert()
            .success();
    }
    Some(home)
}

/// A running `lockstep --offline serve`, stopped (killed) when dropped.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    /// Start the test's `lockstep` binary, or the one `LOCKSTEP_SERVE_BIN` names (a release
    /// build, for the timings of BENCHMARKS.md).
    fn start(home: &Path, config: &Path) -> Serve {
        let bin = std::env::var_os("LOCKSTEP_SERVE_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_lockstep").into());
        let mut child = StdCommand::new(bin)
            .args(["--offline", "serve", "--config"])
            .arg(config)
            .env("LOCKSTEP_HOME", home)
            .env_remove("LOCKSTEP_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start lockstep serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        let s = Serve { child, url };
        wait_for("the server to answer", Duration::from_secs(20), || {
            get(&format!("{}/api/health", s.url)).0 == 200
        });
        s
    }

    /// Kill the process without a graceful shutdown (a crash).
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(url: &str) -> (u16, String) {
    match ureq::get(url).timeout(Duration::from_secs(30)).call() {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    }
}

fn get_json(url: &str) -> Value {
    let (status, body) = get(url);
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).expect("JSON")
}

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn write_config(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("serve.toml");
    std::fs::write(&p, body).expect("write config");
    p
}

const PAIR: &str =
    "[serve]\nbind = \"127.0.0.1:0\"\n\n[[serve.pairs]]\na = \"ETH-USD\"\nb = \"^RUT\"\n\n\
                    [serve.refresh]\nenabled = false\n";

/// Per chart kind with an interactive figure: how many server (SVG) charts and how many
/// drawn Plotly charts the page shows.
const ONCE: &str = "const out = {};
  for (const k of ['overlay', 'correlation', 'momentum', 'equity'])
    out[k] = [document.querySelectorAll('figure.chart[data-kind=' + k + ']').length,
              document.querySelectorAll('#fig-' + k + ' .main-svg').length > 0 ? 1 : 0];
  return out;";

/// `chartSvg(figure)`: the SVG of a `figure.chart` and the element that shows it: the inline
/// `<svg>` itself, or the SVG document of an `<img>` with a `data:` URL and the image.
const CHART_SVG: &str = "function chartSvg(f) {
    const img = f.querySelector('img');
    if (!img) { const s = f.querySelector('svg'); return [s, s]; }
    const text = decodeURIComponent(img.src.slice(img.src.indexOf(',') + 1));
    return [new DOMParser().parseFromString(text, 'image/svg+xml').documentElement, img];
  }
  ";

/// Whether every image of a chart has loaded.
const IMAGES_LOADED: &str =
    "return Array.from(document.querySelectorAll('figure.chart img')).every(i => i.complete);";

/// Replace the page's body by the body the server sent, without its scripts: the page as
/// it renders before (or without) any script.
const WITHOUT_SCRIPTS: &str = "const x = new XMLHttpRequest();
  x.open('GET', location.href, false); x.send();
  const doc = new DOMParser().parseFromString(x.responseText, 'text/html');
  doc.querySelectorAll('script').forEach(s => s.remove());
  document.body.replaceWith(document.adoptNode(doc.body));
  return true;";

#[test]
fn dashboard_renders_every_chart_in_headless_chromium() {
    if !lockstep_testkit::webdriver::available_or_skip() {
        return;
    }
    let Some(home) = seeded_home() else { return };
    let config = write_config(home.path(), PAIR);
    let server = Serve::start(home.path(), &config);
    let pairs = get_json(&format!("{}/api/pairs", server.url));
    let page = pairs["pairs"][0]["page"]
        .as_str()
        .expect("page")
        .to_string();

    let browser = lockstep_testkit::webdriver::Browser::start(1280, 2000).expect("chromium");
    browser
        .goto(&format!("{}{page}", server.url))
        .expect("load");
    assert!(browser.title().unwrap().contains("ETH-USD"));
    // Once the interactive charts are drawn, each has replaced the server's chart of its
    // slot: no chart is drawn twice.
    wait_in(
        &browser,
        "the interactive charts",
        "const s = document.getElementById('explore'); return !!s && !!s.dataset.loaded;",
    );
    let drawn = browser.execute(ONCE).expect("script");
    for (kind, n) in drawn.as_object().expect("object") {
        assert_eq!(n, &serde_json::json!([0, 1]), "{kind}: {drawn}");
    }
    // The charts index links to the slots.
    let linked = browser
        .execute(
            "return ['overlay', 'correlation', 'momentum', 'equity'].every(k =>
               !!document.querySelector('.chart-index a[href=\"#fig-' + k + '\"]'));",
        )
        .unwrap();
    assert_eq!(linked, Value::Bool(true));
    // The first render, what the page shows without any script: the server's charts, the
    // interactive kinds in their slots.
    assert_eq!(
        browser.execute(WITHOUT_SCRIPTS).expect("script"),
        Value::Bool(true)
    );
    let drawn = browser.execute(ONCE).expect("script");
    for (kind, n) in drawn.as_object().expect("object") {
        assert_eq!(n, &serde_json::json!([1, 0]), "{kind}: {drawn}");
    }
    wait_in(&browser, "the chart images", IMAGES_LOADED);
    let slotted = browser
        .execute(
            "return Array.from(document.querySelectorAll('#explore .figure > figure.chart'))
               .map(f => f.parentElement.dataset.figure + '=' + f.dataset.kind);",
        )
        .unwrap();
    assert_eq!(
        slotted,
        serde_json::json!([
            "overlay=overlay",
            "correlation=correlation",
            "momentum=momentum",
            "equity=equity"
        ])
    );
    let found = browser
        .execute(
            &[
                CHART_SVG,
                "return Array.from(document.querySelectorAll('figure.chart')).map(f => {
               const [svg, shown] = chartSvg(f);
               const box = shown ? shown.getBoundingClientRect() : {width: 0, height: 0};
               return {kind: f.dataset.kind, svg: !!svg && svg.tagName === 'svg',
                       drawn: !!shown && (shown.tagName !== 'IMG' || shown.naturalWidth > 0),
                       width: box.width, height: box.height,
                       texts: svg ? svg.querySelectorAll('text').length : 0,
                       lines: svg ? svg.querySelectorAll('polyline, path, line').length : 0,
                       labels: svg ? Array.from(svg.querySelectorAll('text'))
                                        .map(t => t.textContent.trim()) : []};
             });",
            ]
            .concat(),
        )
        .expect("script");
    let charts = found.as_array().expect("array");
    let kinds: Vec<&str> = charts.iter().filter_map(|c| c["kind"].as_str()).collect();
    for kind in [
        "overlay",
        "correlation",
        "momentum",
        "ccf",
        "levels",
        "signals",
        "equity",
    ] {
        assert!(kinds.contains(&kind), "no {kind} chart among {kinds:?}");
    }
    for c in charts {
        let kind = c["kind"].as_str().unwrap_or("?");
        assert_eq!(c["svg"], Value::Bool(true), "{kind}: no SVG");
        assert_eq!(c["drawn"], Value::Bool(true), "{kind}: not drawn");
        assert!(c["width"].as_f64().unwrap_or(0.0) > 100.0, "{kind}: {c}");
        assert!(c["height"].as_f64().unwrap_or(0.0) > 100.0, "{kind}: {c}");
        // Axes: tick labels and axis descriptions are text; the data are drawn lines.
        assert!(
            c["texts"].as_u64().unwrap_or(0) >= 5,
            "{kind}: no axes: {c}"
        );
        assert!(
            c["lines"].as_u64().unwrap_or(0) >= 1,
            "{kind}: nothing drawn"
        );
        let labels: Vec<&str> = c["labels"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // Time charts have date ticks; the cross-correlation has lag ticks.
        let tick = |l: &&str| match kind {
            "ccf" => l.parse::<i64>().is_ok(),
            _ => l.starts_with("20"),
        };
        assert!(
            labels.iter().any(tick),
            "{kind}: no axis tick among {labels:?}"
        );
    }
    let sections = browser
        .execute("return Array.from(document.querySelectorAll('section[id]')).map(s => s.id);")
        .unwrap();
    for id in [
        "summary",
        "correlation",
        "lead-lag",
        "regimes",
        "structure",
        "signals",
        "backtest",
        "alerts",
    ] {
        assert!(
            sections.as_array().unwrap().iter().any(|s| s == id),
            "no section #{id} in {sections}"
        );
    }
    let png = browser.screenshot().expect("screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("dashboard.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    drop(browser);

    // On a phone: the page does not scroll sideways (wide tables and charts scroll in their
    // own box), and a static chart never shrinks so far that its text falls under 11 CSS px.
    let phone = lockstep_testkit::webdriver::Browser::start(390, 844).expect("chromium");
    phone.goto(&format!("{}{page}", server.url)).expect("load");
    wait_in(
        &phone,
        "the interactive charts",
        "const s = document.getElementById('explore'); return !!s && !!s.dataset.loaded;",
    );
    assert_eq!(phone.execute(WITHOUT_SCRIPTS).unwrap(), Value::Bool(true));
    let fit = phone
        .execute(
            &[
                CHART_SVG,
                "const w = document.documentElement.clientWidth;
             const svgs = Array.from(document.querySelectorAll('figure.chart')).map(chartSvg);
             return {page: document.documentElement.scrollWidth, width: w,
                     widest: Math.max(...Array.from(document.querySelectorAll('figure.chart'))
                                      .map(f => f.getBoundingClientRect().width)),
                     smallest: Math.min(...svgs.map(([s, shown]) => {
                       const k = shown.getBoundingClientRect().width / s.viewBox.baseVal.width;
                       const fs = Array.from(s.querySelectorAll('text'))
                         .map(t => parseFloat(t.getAttribute('font-size'))).filter(x => x > 0);
                       return fs.length ? k * Math.min(...fs) : 1e9; })),
                     charts: svgs.length};",
            ]
            .concat(),
        )
        .expect("script");
    let width = fit["width"].as_f64().unwrap();
    assert!(fit["page"].as_f64().unwrap() <= width + 1.0, "{fit}");
    assert!(fit["widest"].as_f64().unwrap() <= width, "{fit}");
    assert!(fit["charts"].as_u64().unwrap() > 0, "{fit}");
    assert!(fit["smallest"].as_f64().unwrap() >= 10.99, "{fit}");
    std::fs::write(
        artifacts.join("dashboard-phone.png"),
        phone.screenshot().unwrap(),
    )
    .unwrap();
}

#[test]
fn the_dashboard_serves_the_report_analyze_prints() {
    let Some(home) = seeded_home() else { return };
    let config = write_config(home.path(), PAIR);
    let server = Serve::start(home.path(), &config);
    let served = get_json(&format!("{}/api/pairs/eth-usd_rut/report", server.url));
    let out = at(home.path())
        .args([
            "--offline",
            "analyze",
            "ETH-USD",
            "^RUT",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The same pipeline with the same options: the same report, to the last digit.
    assert_eq!(served, printed);
}

/// Store ETH's 30-minute Binance bars of the shared data in `home`'s store, or why not.
fn store_eth_30m(home: &Path) -> bool {
    let Some(file) = shared("intraday/ETHUSDT.binance.30m.csv") else {
        return false;
    };
    let read = lockstep_data::read_intraday_csv(&file, &Default::default()).expect("ETH 30m");
    let s = &read.series;
    let bars: Vec<lockstep_core::IntradayBar> = (0..s.len()).map(|i| s.bar(i)).collect();
    let mut store = lockstep_store::Store::open(&home.join("lockstep.db")).expect("store");
    let eth = store
        .instrument("ETH-USD")
        .unwrap()
        .expect("ETH-USD imported");
    store
        .upsert_intraday(
            &eth,
            s.interval,
            &bars,
            &lockstep_store::FetchInfo::now(None, None),
        )
        .expect("store the bars");
    true
}

#[test]
fn the_dashboard_serves_a_pair_on_the_exchange_clock() {
    let Some(home) = seeded_home() else { return };
    if !store_eth_30m(home.path()) {
        return;
    }
    let config = write_config(home.path(), PAIR);
    let server = Serve::start(home.path(), &config);
    let url = |path: &str| format!("{}{path}", server.url);
    let served = get_json(&url("/api/pairs/eth-usd_rut/report?clock=exchange"));
    assert_eq!(served["clocks"]["main"], "exchange");
    // On the exchange clock the pair starts with ETH's intraday bars.
    assert_eq!(served["period"]["first"], "2024-01-02");
    // What `lockstep --offline analyze ETH-USD ^RUT --clock exchange` prints, to the digit.
    let out = at(home.path())
        .args([
            "--offline",
            "analyze",
            "ETH-USD",
            "^RUT",
            "--clock",
            "exchange",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(served, printed);
    // The UTC clock (the configured one) compares both clocks too.
    let utc = get_json(&url("/api/pairs/eth-usd_rut/report"));
    assert_eq!(utc["clocks"]["main"], "utc");
    assert_eq!(utc["period"]["first"], "2017-11-09");
    let (status, page) = get(&url("/pairs/eth-usd_rut?clock=exchange"));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("main report: exchange clock"));
    let (status, svg) = get(&url(
        "/pairs/eth-usd_rut/charts/correlation.svg?clock=exchange",
    ));
    assert_eq!(status, 200, "{svg}");
    let (status, body) = get(&url("/api/pairs/eth-usd_rut/report?clock=noon"));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn serve_names_a_bad_pair_or_a_missing_config() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = at(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let e = run(&["--offline", "serve", "--pair", "ETH-USD"]);
    assert!(e.contains("--pair takes A/B"), "{e}");
    let e = run(&["--offline", "serve", "--config", "no-such.toml"]);
    assert!(e.contains("cannot read no-such.toml"), "{e}");
    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "[serve]\nbnid = \"127.0.0.1:0\"\n").unwrap();
    let e = run(&["--offline", "serve", "--config", bad.to_str().unwrap()]);
    assert!(e.contains("[serve]") && e.contains("bnid"), "{e}");
    std::fs::write(&bad, "[serve]\nheader_timeout_secs = 0\n").unwrap();
    let e = run(&["--offline", "serve", "--config", bad.to_str().unwrap()]);
    assert!(e.contains("header_timeout_secs must be 1 to 3600"), "{e}");
}

#[test]
fn serving_beyond_loopback_needs_a_token() {
    let home = tempfile::tempdir().unwrap();
    let out = at(home.path())
        .env_remove("LOCKSTEP_TOKEN")
        .args(["--offline", "serve", "--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("token"), "{err}");
    // With a token, plain HTTP beyond loopback still needs TLS or --insecure-http.
    let out = at(home.path())
        .env("LOCKSTEP_TOKEN", "a-token-of-twenty-chars")
        .args(["--offline", "serve", "--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--insecure-http") && err.contains("--tls-cert"),
        "{err}"
    );
    // --tls-cert goes with --tls-key (a usage error), and a missing file is named.
    let out = at(home.path())
        .args(["--offline", "serve", "--tls-cert", "cert.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = at(home.path())
        .env_remove("LOCKSTEP_TOKEN")
        .args(["--offline", "serve", "--bind", "127.0.0.1:0"])
        .args(["--tls-cert", "no-cert.pem", "--tls-key", "no-key.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-cert.pem"), "{err}");
}

/// A webhook receiver on a fixed loopback port that records the POSTs and answers 200.
struct Receiver {
    posts: Arc<Mutex<Vec<(String, String)>>>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(port: u16) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the receiver");
        let posts = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, st) = (posts.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut conn) = conn else { continue };
                if let Some(req) = read_request(&mut conn) {
                    p.lock().unwrap().push(req);
                    let _ = conn.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    );
                }
            }
        });
        Receiver {
            posts,
            stop,
            port,
            thread: Some(thread),
        }
    }

    fn posts(&self) -> Vec<(String, String)> {
        self.posts.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// (Idempotency-Key, body) of one POST.
fn read_request(conn: &mut TcpStream) -> Option<(String, String)> {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    head.starts_with("POST ").then(|| {
        (
            header("idempotency-key"),
            String::from_utf8_lossy(&buf[head_end..]).to_string(),
        )
    })
}

/// A threshold the 90-return correlation crosses on the last aligned date: the midpoint of
/// its last two values, read from `lockstep corr`.
fn crossing_threshold(home: &Path) -> f64 {
    let out = at(home)
        .args(["--offline", "corr", "ETH-USD", "^RUT", "--format", "csv"])
        .output()
        .expect("lockstep corr");
    assert!(out.status.success());
    let (h, rows) = parse_csv(&String::from_utf8(out.stdout).unwrap());
    let c = col(&h, "corr_90");
    let last: Vec<f64> = rows.iter().rev().take(2).map(|r| num(&r[c])).collect();
    assert!(
        last[0] != last[1],
        "the correlation did not move on the last date"
    );
    (last[0] + last[1]) / 2.0
}

fn alert_config(port: u16, threshold: f64) -> String {
    format!(
        "{PAIR}\n[serve.alerts]\nrules = false\ncorr_window = 90\ncorr_thresholds = [{threshold}]\n\n\
         [serve.alerts.webhook]\nurl = \"http://127.0.0.1:{port}/hook\"\ntimeout_secs = 2\n\
         backoff_base_secs = 1\nbackoff_max_secs = 1\n"
    )
}

/// The webhook delivery of the one alert (`Null` while none is recorded yet).
fn webhook_delivery(server: &Serve) -> Value {
    let alerts = get_json(&format!("{}/api/alerts", server.url));
    let list = alerts["alerts"].as_array().expect("alerts").clone();
    assert!(list.len() <= 1, "at most one alert: {alerts}");
    let Some(first) = list.first() else {
        return Value::Null;
    };
    first["deliveries"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["sink"] == "webhook").cloned())
        .unwrap_or_else(|| panic!("no webhook delivery in {alerts}"))
}

#[test]
fn an_alert_reaches_the_webhook_once_across_restarts() {
    let Some(home) = seeded_home() else { return };
    let threshold = crossing_threshold(home.path());
    let port = lockstep_testkit::reserved_port();
    let receiver = Receiver::start(port);
    let config = write_config(home.path(), &alert_config(port, threshold));

    let server = Serve::start(home.path(), &config);
    wait_for("the webhook POST", Duration::from_secs(30), || {
        !receiver.posts().is_empty()
    });
    let posts = receiver.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    let (key, body) = &posts[0];
    assert!(
        key.starts_with("ETH-USD/^RUT|correlation|corr_90|"),
        "{key}"
    );
    let body: Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(body["key"], Value::String(key.clone()));
    assert_eq!(body["threshold"].as_f64(), Some(threshold));
    wait_for(
        "the delivery to be recorded",
        Duration::from_secs(10),
        || webhook_delivery(&server)["status"] == "delivered",
    );
    server.kill();

    // A restart (after a crash) detects the same crossing and sends nothing again.
    let server = Serve::start(home.path(), &config);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(receiver.posts().len(), 1, "re-sent after a restart");
    assert_eq!(webhook_delivery(&server)["status"], "delivered");
}

#[test]
fn an_alert_waits_for_a_webhook_that_is_down() {
    let Some(home) = seeded_home() else { return };
    let threshold = crossing_threshold(home.path());
    let port = lockstep_testkit::reserved_port();
    let config = write_config(home.path(), &alert_config(port, threshold));

    // Nobody listens on the port: the delivery fails and stays pending.
    let server = Serve::start(home.path(), &config);
    wait_for("a failed attempt", Duration::from_secs(30), || {
        webhook_delivery(&server)["attempts"].as_u64().unwrap_or(0) >= 1
    });
    let d = webhook_delivery(&server);
    assert_eq!(d["status"], "pending", "{d}");
    assert!(d["last_error"].is_string(), "{d}");
    // Down across a restart too.
    server.kill();
    let server = Serve::start(home.path(), &config);
    assert_eq!(webhook_delivery(&server)["status"], "pending");

    // The receiver comes back: the alert arrives, once.
    let receiver = Receiver::start(port);
    wait_for("the retried POST", Duration::from_secs(30), || {
        !receiver.posts().is_empty()
    });
    wait_for(
        "the delivery to be recorded",
        Duration::from_secs(10),
        || webhook_delivery(&server)["status"] == "delivered",
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(receiver.posts().len(), 1, "{:?}", receiver.posts());
    server.kill();
    let _server = Serve::start(home.path(), &config);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(receiver.posts().len(), 1, "re-sent after a restart");
}

/// Poll `script` (returning a boolean) in the browser until it is true.
fn wait_in(browser: &lockstep_testkit::webdriver::Browser, what: &str, script: &str) {
    wait_for(what, Duration::from_secs(60), || {
        browser.execute(script).ok() == Some(Value::Bool(true))
    });
}

/// Whether nothing overflows the viewport sideways, and the smallest chart text (CSS px).
const FIT: &str = "const w = document.documentElement.clientWidth;
  const over = Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    let p = e.parentElement, clipped = false;
    while (p) { const s = getComputedStyle(p);
      if (s.overflowX === 'auto' || s.overflowX === 'hidden' || s.overflowX === 'scroll') { clipped = true; break; }
      p = p.parentElement; }
    return !clipped && r.right > w + 1;
  }).map(e => e.tagName + '#' + e.id + '.' + e.className);
  const sizes = Array.from(document.querySelectorAll('#explore svg text'))
    .filter(t => t.textContent.trim() !== '' && t.getBoundingClientRect().width > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize));
  return {page: document.documentElement.scrollWidth, width: w, over: over.slice(0, 10),
          texts: sizes.length, smallest: Math.min(...sizes),
          small: Array.from(document.querySelectorAll('#explore svg text'))
            .filter(t => parseFloat(getComputedStyle(t).fontSize) < 11 && t.textContent.trim() !== '')
            .slice(0, 5).map(t => t.getAttribute('class') + ':' + t.textContent)};";

#[test]
fn the_interactive_charts_answer_hover_range_window_pair_and_scale() {
    if !lockstep_testkit::webdriver::available_or_skip() {
        return;
    }
    let Some(home) = seeded_home() else { return };
    let Some(spy) = shared("SPY.daily.csv") else {
        eprintln!("skipped: ../shared/data/SPY.daily.csv is absent");
        return;
    };
    at(home.path())
        .args(["import", "SPY", spy.to_str().unwrap()])
        .assert()
        .success();
    let config = write_config(home.path(), PAIR);
    let server = Serve::start(home.path(), &config);
    let page = format!("{}/pairs/eth-usd_rut", server.url);
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let loaded = |want: &str| {
        format!("const s = document.getElementById('explore'); return !!s && s.dataset.loaded === '{want}';")
    };

    // The server computes a pair's views once (cached until its data change): the timing
    // below is the page's, in the browser.
    get_json(&format!("{}/api/figures?a=ETH-USD&b=%5ERUT", server.url));
    let browser = lockstep_testkit::webdriver::Browser::start(1400, 1000).expect("chromium");
    // First render: the page's first paint (FCP), when each server chart was first painted
    // in its slot (element timing of its image; the first slot's is "the first chart
    // visible"), the first frame after the whole page is parsed; then the first and every
    // interactive chart drawn in place of the server's.
    // Printed, not asserted: a benchmark (BENCHMARKS.md, dashboard).
    let render = |browser: &lockstep_testkit::webdriver::Browser, what: &str| {
        wait_in(browser, "the figures", &loaded("ETH-USD|^RUT||"));
        browser
            .execute(
                "window.lockstepLcp = null; window.lockstepShown = {};
                 new PerformanceObserver(l => { const e = l.getEntries().pop();
                   window.lockstepLcp = {ms: Math.round(e.startTime), size: e.size,
                     element: e.element ? e.element.tagName : 'removed since'}; })
                   .observe({type: 'largest-contentful-paint', buffered: true});
                 new PerformanceObserver(l => { for (const e of l.getEntries())
                     window.lockstepShown[e.identifier] = Math.round(e.renderTime || e.loadTime); })
                   .observe({type: 'element', buffered: true});
                 window.lockstepScripts = [];
                 new PerformanceObserver(l => { for (const f of l.getEntries())
                     for (const s of f.scripts) if (s.duration >= 30)
                       window.lockstepScripts.push([(s.sourceURL || s.invoker).split('/').slice(-1)[0]
                         .slice(0, 20), Math.round(s.startTime),
                         Math.round(s.executionStart - s.startTime), Math.round(s.duration)]); })
                   .observe({type: 'long-animation-frame', buffered: true});
                 return true;",
            )
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let t = browser
            .execute(
                "const n = performance.getEntriesByType('navigation')[0];
                 const p = Object.fromEntries(performance.getEntriesByType('paint')
                   .map(e => [e.name, Math.round(e.startTime)]));
                 const r = (x) => x === undefined ? null : Math.round(x);
                 return {worker_controls_page: !!(navigator.serviceWorker
                           && navigator.serviceWorker.controller),
                         html_received: r(n.responseEnd), first_paint: p['first-paint'],
                         first_contentful_paint: p['first-contentful-paint'],
                         largest_contentful_paint: window.lockstepLcp,
                         server_chart_painted: window.lockstepShown,
                         server_charts_frame: r(window.lockstepStaticFrameMs),
                         dom_content_loaded: r(n.domContentLoadedEventEnd),
                         first_chart_answers_pointer: r(window.lockstepPointerReadyMs),
                         first_interactive_chart: r(window.lockstepFirstChartMs),
                         every_interactive_chart_in_viewport: r(window.lockstepViewportRenderMs),
                         every_interactive_chart: r(window.lockstepFirstRenderMs),
                         long_scripts_start_compile_duration: window.lockstepScripts,
                         resources: performance.getEntriesByType('resource').map(e =>
                           [e.name.split('/').slice(-1)[0].slice(0, 30), Math.round(e.startTime),
                            Math.round(e.responseEnd), e.transferSize])};",
            )
            .unwrap();
        eprintln!("pair page ({what}), ms after navigation start: {t}");
    };
    browser.goto(&page).expect("load");
    render(
        &browser,
        "first visit, browser just started: Plotly.js fetched",
    );
    // A returning visitor comes back after the service worker (registered once every chart
    // is drawn) has put Plotly.js, compiled, in CacheStorage: another day (the browser
    // restarted, its in-memory compiled scripts gone), then again in the same browser.
    wait_in(
        &browser,
        "the service worker",
        "return navigator.serviceWorker.getRegistration()
           .then(r => !!(r && r.active && r.active.state === 'activated'));",
    );
    let browser = browser.restart(1400, 1000).expect("chromium again");
    browser.goto(&page).expect("load");
    render(
        &browser,
        "returning visit, browser restarted: Plotly.js compiled, from the service worker",
    );
    assert_eq!(
        browser
            .execute("return !!navigator.serviceWorker.controller;")
            .unwrap(),
        Value::Bool(true),
        "the service worker controls a returning visit"
    );
    browser.goto(&page).expect("reload");
    render(
        &browser,
        "returning visit, same browser: Plotly.js compiled",
    );
    {
        // A first visit in a browser already running: from the home page.
        let other = lockstep_testkit::webdriver::Browser::start(1400, 1000).expect("chromium");
        other.goto(&format!("{}/", server.url)).expect("home");
        other.goto(&page).expect("load");
        render(&other, "first visit from the home page: Plotly.js fetched");
    }
    let kinds = browser
        .execute(
            "return Array.from(document.querySelectorAll('#explore .figure .main-svg')).length;",
        )
        .unwrap();
    assert!(kinds.as_u64().unwrap_or(0) >= 4, "{kinds}");

    // Hover: the unified label of a date shows the API's correlation of that date.
    let series = get_json(&format!("{}/api/pairs/eth-usd_rut/series", server.url));
    let dates = series["dates"].as_array().unwrap();
    let i = dates.len() - 40;
    let date = dates[i].as_str().unwrap().to_string();
    let w0 = &series["rolling"][0];
    let want = w0["corr"][i].as_f64().expect("a correlation 40 dates back");
    let hovered = browser
        .execute(&format!(
            "const gd = document.getElementById('fig-correlation');
             Plotly.Fx.hover(gd, {{xval: new Date('{date}T00:00:00Z').getTime()}}, 'xy');
             const p = (gd._hoverdata || []).find(p => p.curveNumber === 0);
             const label = document.querySelector('#fig-correlation .hoverlayer');
             return {{y: p ? p.y : null, x: p ? p.x : null,
                      text: label ? label.textContent : ''}};"
        ))
        .unwrap();
    assert_eq!(hovered["y"].as_f64(), Some(want), "{hovered}");
    let text = hovered["text"].as_str().unwrap_or("");
    assert!(
        text.contains(&format!("{want:.4}")),
        "{want} not in {text:?}"
    );

    // A range preset narrows the visible dates to about a month.
    let span = "const r = document.getElementById('fig-overlay').layout.xaxis.range;
                return (new Date(r[1]) - new Date(r[0])) / 86400000;";
    let all = browser.execute(span).unwrap().as_f64().unwrap();
    let y_span = "const r = document.getElementById('fig-overlay').layout.yaxis.range;
                  return r[1] - r[0];";
    let y_all = browser.execute(y_span).unwrap().as_f64().unwrap();
    browser
        .execute(
            "const b = Array.from(document.querySelectorAll('#fig-overlay .rangeselector .button'))
               .find(b => b.textContent === '1M');
             b.dispatchEvent(new MouseEvent('click', {bubbles: true})); return true;",
        )
        .unwrap();
    let month = browser.execute(span).unwrap().as_f64().unwrap();
    assert!(
        all > 3000.0 && (27.0..=32.0).contains(&month),
        "{all} → {month}"
    );
    // The value axis follows the visible dates (as a trader's chart does).
    let y_month = browser.execute(y_span).unwrap().as_f64().unwrap();
    assert!(y_month < y_all * 0.6, "{y_all} → {y_month}");

    // The window selector shows one window (with its band), then every window.
    let click_menu = |fig: &str, label: &str| {
        browser
            .execute(&format!(
                "const b = Array.from(document.querySelectorAll('#{fig} .updatemenu-button'))
                   .find(b => b.textContent === '{label}');
                 b.dispatchEvent(new MouseEvent('click', {{bubbles: true}})); return true;"
            ))
            .unwrap();
    };
    let visible = "return document.getElementById('fig-correlation').data.map(t => t.visible);";
    let w1 = series["rolling"][1]["window"].as_u64().unwrap();
    click_menu("fig-correlation", &w1.to_string());
    let v = browser.execute(visible).unwrap();
    assert_eq!(v[0], Value::Bool(false), "{v}");
    assert_eq!(v[3], Value::Bool(true), "{v}");
    assert_eq!(v[4], Value::Bool(true), "the band of the window: {v}");
    click_menu("fig-correlation", "All windows");
    let v = browser.execute(visible).unwrap();
    assert_eq!(
        (v[0].clone(), v[3].clone()),
        (Value::Bool(true), Value::Bool(true))
    );

    // Log scale toggles.
    let scale = "return document.getElementById('fig-overlay').layout.yaxis.type;";
    assert_eq!(browser.execute(scale).unwrap(), "log");
    click_menu("fig-overlay", "Linear");
    assert_eq!(browser.execute(scale).unwrap(), "linear");
    click_menu("fig-overlay", "Log");
    assert_eq!(browser.execute(scale).unwrap(), "log");

    let fit = browser.execute(FIT).unwrap();
    assert!(
        fit["page"].as_f64().unwrap() <= fit["width"].as_f64().unwrap() + 1.0,
        "{fit}"
    );
    assert_eq!(fit["over"], Value::Array(vec![]), "{fit}");
    assert!(fit["texts"].as_u64().unwrap() > 20, "{fit}");
    assert!(fit["smallest"].as_f64().unwrap() >= 11.0, "{fit}");
    let shot = artifacts.join("interactive-1400.png");
    std::fs::write(&shot, browser.screenshot().unwrap()).unwrap();
    eprintln!("screenshot: {}", shot.display());

    // The pair picker loads another pair, and the date range reruns the analysis.
    wait_in(
        &browser,
        "the picker's symbols",
        "return document.querySelectorAll('#pick-a option').length >= 3;",
    );
    browser
        .execute(
            "document.getElementById('pick-a').value = 'SPY';
             document.getElementById('pick-from').value = '2023-01-03';
             document.getElementById('pick-to').value = '2024-12-31';
             document.getElementById('pick-go').click(); return true;",
        )
        .unwrap();
    wait_in(
        &browser,
        "SPY vs ^RUT",
        &loaded("SPY|^RUT|2023-01-03|2024-12-31"),
    );
    let f = browser
        .execute("const f = window.lockstepFigures; return [f.first, f.last, location.search];")
        .unwrap();
    assert!(f[0].as_str().unwrap() >= "2022-12-30", "{f}");
    assert!(f[1].as_str().unwrap() <= "2024-12-31", "{f}");
    assert!(f[2].as_str().unwrap().contains("a=SPY"), "{f}");
    drop(browser);

    // On a phone.
    let phone = lockstep_testkit::webdriver::Browser::start(375, 812).expect("chromium");
    phone.goto(&page).expect("load");
    wait_in(&phone, "the figures", &loaded("ETH-USD|^RUT||"));
    let fit = phone.execute(FIT).unwrap();
    assert!(
        fit["page"].as_f64().unwrap() <= fit["width"].as_f64().unwrap() + 1.0,
        "{fit}"
    );
    assert_eq!(fit["over"], Value::Array(vec![]), "{fit}");
    assert!(fit["smallest"].as_f64().unwrap() >= 11.0, "{fit}");
    let widest = phone
        .execute("return Math.max(...Array.from(document.querySelectorAll('#explore .main-svg')).map(s => s.getBoundingClientRect().right));")
        .unwrap();
    assert!(
        widest.as_f64().unwrap() <= fit["width"].as_f64().unwrap() + 1.0,
        "{widest} {fit}"
    );
    let shot = artifacts.join("interactive-375.png");
    std::fs::write(&shot, phone.screenshot().unwrap()).unwrap();
    eprintln!("screenshot: {}", shot.display());
    // The home page answers first, on a phone too.
    phone.goto(&format!("{}/", server.url)).expect("home");
    let home_fit = phone.execute(FIT).unwrap();
    assert!(
        home_fit["page"].as_f64().unwrap() <= home_fit["width"].as_f64().unwrap() + 1.0,
        "{home_fit}"
    );
    std::fs::write(artifacts.join("home-375.png"), phone.screenshot().unwrap()).unwrap();
    // Answers first: the alerts above the watchlist; per window the latest correlation with
    // its interval and strength; the signal states; staleness (the shared data end in 2026).
    let (_, html) = get(&format!("{}/", server.url));
    let (alerts, table) = (
        html.find("id=\"recent-alerts\"").unwrap(),
        html.find("id=\"pairs\"").unwrap(),
    );
    assert!(alerts < table);
    let latest = num_at(&series["rolling"][0]["corr"], dates.len() - 1);
    assert!(
        html.contains(&format!("<b>{latest:.2}</b> [")),
        "{latest:.2}"
    );
    for needle in [
        "strong positive",
        "class=\"signal",
        ": on</div>",
        "in a month",
        "class=\"stale\">stale<",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let sort = phone
        .execute("const th = document.querySelectorAll('#pairs th')[1]; th.click(); return th.dataset.dir;")
        .unwrap();
    assert_eq!(sort, "asc");
}

/// `hoverAt(name, date, panel)`: the viewport point over `date` on plotting area `panel` of
/// the server chart of slot `name`, from the slot's `data-plots` (the chart's own geometry)
/// and the image's box, the image scrolled into view first.
const HOVER_AT: &str = "function hoverAt(name, date, panel) {
    const div = document.getElementById('fig-' + name);
    const img = div.querySelector('figure.chart img');
    img.scrollIntoView({block: 'center', inline: 'nearest'});
    const p = div.dataset.plots.split(';')[panel].split(' ');
    const [x0, x1, top, bottom] = p.slice(0, 4).map(Number);
    const d0 = Date.parse(p[4]), d1 = Date.parse(p[5]), d = Date.parse(date);
    const k = img.getBoundingClientRect().width / Number(img.getAttribute('width'));
    const x = (x0 + (d - d0) / (d1 - d0) * (x1 - x0)) * k;
    // A chart wider than its figure (a phone) scrolls inside it: the date brought into view.
    const fig = img.closest('figure');
    fig.scrollLeft = x - fig.clientWidth / 2;
    const r = img.getBoundingClientRect();
    return [Math.round(r.left + x), Math.round(r.top + (top + bottom) / 2 * k)];
  }
  ";

/// What the crosshair of slot `name` shows: the hovered date and its label's rows
/// `[series, value]`.
fn crosshair(browser: &lockstep_testkit::webdriver::Browser, name: &str) -> Value {
    browser
        .execute(&format!(
            "const div = document.getElementById('fig-{name}');
             const tip = div.querySelector('.xh-tip');
             const layer = div.querySelector('.xh');
             const line = div.querySelector('.xh-line').getBoundingClientRect();
             const t = tip.getBoundingClientRect();
             return {{date: div.dataset.hovered || null, shown: !!layer && !layer.hidden,
                      rows: Array.from(tip.querySelectorAll('.xh-row'))
                        .map(r => [r.dataset.series, r.querySelector('b').textContent]),
                      line_x: line.left, tip: [t.left, t.right],
                      width: document.documentElement.clientWidth}};"
        ))
        .expect("script")
}

/// Move a real pointer (`mouse` or `touch`; a finger touches down, is held, moves, and lifts) over
/// `date` on plotting area `panel` of slot `name`'s server chart.
fn point(
    browser: &lockstep_testkit::webdriver::Browser,
    kind: &str,
    name: &str,
    date: &str,
    panel: usize,
) {
    let at = browser
        .execute(&format!(
            "{HOVER_AT} return hoverAt('{name}', '{date}', {panel});"
        ))
        .expect("script");
    let (x, y) = (at[0].as_i64().unwrap(), at[1].as_i64().unwrap());
    let mv = |x: i64| serde_json::json!({"type": "pointerMove", "x": x, "y": y, "origin": "viewport", "duration": 0});
    // A finger touches down beside the date, is held still, then drags the crosshair there.
    let steps = if kind == "touch" {
        vec![
            mv(x - 30),
            serde_json::json!({"type": "pointerDown", "button": 0}),
            serde_json::json!({"type": "pause", "duration": 400}),
            mv(x - 15),
            mv(x),
            serde_json::json!({"type": "pointerUp", "button": 0}),
        ]
    } else {
        vec![mv(x)]
    };
    browser
        .actions(serde_json::json!([{"type": "pointer", "id": kind,
            "parameters": {"pointerType": kind}, "actions": steps}]))
        .expect("pointer actions");
}

#[test]
fn the_server_charts_answer_the_pointer_before_plotly_js() {
    if !lockstep_testkit::webdriver::available_or_skip() {
        return;
    }
    let Some(home) = seeded_home() else { return };
    let config = write_config(home.path(), PAIR);
    let server = Serve::start(home.path(), &config);
    let page = format!("{}/pairs/eth-usd_rut", server.url);
    // The pair's views computed (cached until its data change), as in the timing test.
    get_json(&format!("{}/api/figures?a=ETH-USD&b=%5ERUT", server.url));
    let series = get_json(&format!("{}/api/pairs/eth-usd_rut/series", server.url));
    let dates = series["dates"].as_array().unwrap();
    let i = dates.len() - 40;
    let date = dates[i].as_str().unwrap().to_string();
    let block = |b: &lockstep_testkit::webdriver::Browser, urls: Value| {
        b.cdp("Network.enable", serde_json::json!({})).expect("cdp");
        b.cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": urls }),
        )
        .expect("cdp");
    };

    // Plotly.js never arrives (blocked): the server's charts answer the pointer anyway.
    let browser = lockstep_testkit::webdriver::Browser::start(1400, 1000).expect("chromium");
    block(&browser, serde_json::json!(["*/assets/plotly/*"]));
    browser.goto(&page).expect("load");
    wait_in(
        &browser,
        "the crosshair",
        "return window.lockstepPointerReadyMs !== undefined;",
    );
    let t = browser
        .execute(
            "const n = performance.getEntriesByType('navigation')[0];
             const p = Object.fromEntries(performance.getEntriesByType('paint')
               .map(e => [e.name, Math.round(e.startTime)]));
             const f = performance.getEntriesByType('resource')
               .find(e => e.name.includes('/api/figures'));
             return {html_received: Math.round(n.responseEnd),
                     first_contentful_paint: p['first-contentful-paint'],
                     figures_requested_received: f ? [Math.round(f.startTime),
                       Math.round(f.responseStart), Math.round(f.responseEnd)] : null,
                     figures_requests: performance.getEntriesByType('resource')
                       .filter(e => e.name.includes('/api/figures')).length,
                     scripts_received: performance.getEntriesByType('resource')
                       .filter(e => e.initiatorType === 'script')
                       .map(e => [e.name.split('/').pop(), Math.round(e.responseEnd)]),
                     dom_content_loaded: Math.round(n.domContentLoadedEventEnd),
                     first_chart_answers_pointer: Math.round(window.lockstepPointerReadyMs)};",
        )
        .unwrap();
    eprintln!("pair page, Plotly.js blocked, ms after navigation start: {t}");
    wait_in(
        &browser,
        "Plotly.js to fail",
        "return !!document.getElementById('explore-retry');",
    );
    wait_in(
        &browser,
        "every crosshair",
        "return document.querySelectorAll('#explore .xh').length === 4;",
    );
    // Every slot still shows its server chart, with a crosshair and its controls.
    let slots = browser
        .execute(
            "return ['overlay', 'correlation', 'momentum', 'equity'].map(k => {
               const d = document.getElementById('fig-' + k);
               return [!!d.querySelector('figure.chart img'), !!d.querySelector('.xh'),
                       d.querySelectorAll('.xh-controls button').length,
                       d.dataset.plots.split(';').length]; });",
        )
        .unwrap();
    assert_eq!(
        slots,
        serde_json::json!([
            [true, true, 8, 1],
            [
                true,
                true,
                6 + 1 + series["rolling"].as_array().unwrap().len(),
                1
            ],
            [true, true, 6, 4],
            [true, true, 8, 2]
        ]),
        "{slots}"
    );

    // The date under the pointer: the hovered one's index among the aligned dates, within a
    // pixel's worth of days of the date aimed at (ten years on about 1,300 CSS px: 2-3 days).
    let hovered = |seen: &Value, aimed: usize| -> usize {
        let d = seen["date"]
            .as_str()
            .unwrap_or_else(|| panic!("no date: {seen}"));
        let j = dates.iter().position(|x| x == d).expect("an aligned date");
        assert!(j.abs_diff(aimed) <= 3, "aimed at {}, got {d}", dates[aimed]);
        j
    };
    // A mouse over the correlation chart at a known date: a date beside it, and per window
    // the API's correlation of that date as Plotly formats it (4 decimals).
    point(&browser, "mouse", "correlation", &date, 0);
    let seen = crosshair(&browser, "correlation");
    let j = hovered(&seen, i);
    let windows = series["rolling"].as_array().unwrap();
    let rows = seen["rows"].as_array().unwrap();
    assert_eq!(rows.len(), windows.len(), "{seen}");
    for (w, row) in windows.iter().zip(rows) {
        let want = format!("{:.4}", num_at(&w["corr"], j));
        assert_eq!(
            row,
            &serde_json::json!([format!("{}-return correlation", w["window"]), want]),
            "{seen}"
        );
    }
    // The overlay: both legs rebased, two decimals.
    point(&browser, "mouse", "overlay", &date, 0);
    let seen = crosshair(&browser, "overlay");
    let j = hovered(&seen, i);
    assert_eq!(
        seen["rows"],
        serde_json::json!([
            ["ETH-USD", format!("{:.2}", num_at(&series["norm_a"], j))],
            ["^RUT", format!("{:.2}", num_at(&series["norm_b"], j))]
        ]),
        "{seen}"
    );
    // Momentum (four panels, the last year) and equity (two): the date and every series.
    let last = dates.last().unwrap().as_str().unwrap();
    let recent = dates[dates.len() - 10].as_str().unwrap().to_string();
    for (name, panel, n) in [("momentum", 3, 6), ("equity", 1, 3)] {
        point(&browser, "mouse", name, &recent, panel);
        let seen = crosshair(&browser, name);
        hovered(&seen, dates.len() - 10);
        let rows = seen["rows"].as_array().unwrap();
        assert_eq!(rows.len(), n, "{name}: {seen}");
        assert!(
            rows.iter().any(|r| r[1].as_str() != Some("\u{2014}")),
            "{name}: {seen}"
        );
    }
    assert!(last > recent.as_str());
    // A finger: touched down a month or two before the date, held, dragged to the date,
    // lifted: the crosshair followed it there, and stays.
    point(&browser, "touch", "correlation", &date, 0);
    let seen = crosshair(&browser, "correlation");
    hovered(&seen, i);
    assert_eq!(seen["shown"], Value::Bool(true), "{seen}");

    // Controls touched on the pictures: kept, the window choice shown in the label at once.
    let w1 = windows[1]["window"].as_u64().unwrap();
    let press = |name: &str, label: &str| {
        browser
            .execute(&format!(
                "const b = Array.from(document.querySelectorAll('#fig-{name} .xh-controls button'))
                   .find(b => b.textContent === '{label}');
                 b.click(); return b.getAttribute('aria-pressed');"
            ))
            .unwrap()
    };
    assert_eq!(press("overlay", "1Y"), "true");
    assert_eq!(press("overlay", "Linear"), "true");
    assert_eq!(press("correlation", &w1.to_string()), "true");
    point(&browser, "mouse", "correlation", &date, 0);
    let seen = crosshair(&browser, "correlation");
    let j = hovered(&seen, i);
    assert_eq!(
        seen["rows"],
        serde_json::json!([[
            format!("{w1}-return correlation"),
            format!("{:.4}", num_at(&windows[1]["corr"], j))
        ]]),
        "{seen}"
    );
    // Plotly.js arrives (the network is back, "Try again"): each chart replaces its picture
    // with the choices applied.
    block(&browser, serde_json::json!([]));
    browser
        .execute("document.getElementById('explore-retry').click(); return true;")
        .unwrap();
    wait_in(
        &browser,
        "the interactive charts",
        "const s = document.getElementById('explore'); return s.dataset.loaded === 'ETH-USD|^RUT||';",
    );
    let after = browser
        .execute(
            "const o = document.getElementById('fig-overlay'), c = document.getElementById('fig-correlation');
             const r = o.layout.xaxis.range;
             return {days: (Date.parse(String(r[1]).slice(0, 10)) - Date.parse(String(r[0]).slice(0, 10))) / 86400000,
                     scale: o.layout.yaxis.type, active: o.layout.updatemenus[0].active,
                     windows: c.data.filter(t => t.visible === true).map(t => t.name),
                     window_active: c.layout.updatemenus[0].active,
                     pictures: document.querySelectorAll('#explore figure.chart, #explore .xh, #explore .xh-controls').length};",
        )
        .unwrap();
    assert!(
        (364.0..=367.0).contains(&after["days"].as_f64().unwrap()),
        "{after}"
    );
    assert_eq!(after["scale"], "linear", "{after}");
    assert_eq!(after["active"], 1, "{after}");
    assert_eq!(after["window_active"], 2, "{after}");
    assert_eq!(
        after["windows"],
        serde_json::json!([
            format!("{w1}-return correlation"),
            format!("{w1} band"),
            format!("{w1} band")
        ]),
        "{after}"
    );
    assert_eq!(after["pictures"], 0, "{after}");
    drop(browser);

    // On a phone: a finger on the overlay; the label stays on the screen, nothing overflows.
    let phone = lockstep_testkit::webdriver::Browser::start(375, 812).expect("chromium");
    block(&phone, serde_json::json!(["*/assets/plotly/*"]));
    phone.goto(&page).expect("load");
    wait_in(
        &phone,
        "the crosshair",
        "return window.lockstepPointerReadyMs !== undefined;",
    );
    for k in [0, i, dates.len() - 1] {
        point(&phone, "touch", "overlay", dates[k].as_str().unwrap(), 0);
        let seen = crosshair(&phone, "overlay");
        hovered(&seen, k);
        let w = seen["width"].as_f64().unwrap();
        let tip = seen["tip"].as_array().unwrap();
        assert!(
            tip[0].as_f64().unwrap() >= 0.0 && tip[1].as_f64().unwrap() <= w,
            "phone: {seen}"
        );
        let fit = phone.execute(FIT).unwrap();
        assert!(
            fit["page"].as_f64().unwrap() <= fit["width"].as_f64().unwrap() + 1.0,
            "{fit}"
        );
        assert_eq!(fit["over"], Value::Array(vec![]), "{fit}");
    }
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(
        artifacts.join("crosshair-375.png"),
        phone.screenshot().unwrap(),
    )
    .unwrap();
}

fn num_at(v: &Value, i: usize) -> f64 {
    v[i].as_f64().expect("a number")
}

#[test]
fn the_pair_page_updates_after_the_data_change_without_a_reload() {
    if !lockstep_testkit::webdriver::available_or_skip() {
        return;
    }
    let Some(home) = seeded_home() else { return };
    let rut = shared("RUT.daily.csv").unwrap();
    // ^RUT without its last 20 rows first; the whole file arrives while the page is open.
    let text = std::fs::read_to_string(&rut).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let short = home.path().join("RUT.short.csv");
    std::fs::write(&short, lines[..lines.len() - 20].join("\n") + "\n").unwrap();
    let fresh = tempfile::tempdir().unwrap();
    for (sym, file) in [
        ("ETH-USD", shared("ETH-USD.daily.csv").unwrap()),
        ("^RUT", short.clone()),
    ] {
        at(fresh.path())
            .args(["import", sym, file.to_str().unwrap()])
            .assert()
            .success();
    }
    let config = write_config(fresh.path(), PAIR);
    let server = Serve::start(fresh.path(), &config);
    let browser = lockstep_testkit::webdriver::Browser::start(1000, 800).expect("chromium");
    browser
        .goto(&format!("{}/pairs/eth-usd_rut", server.url))
        .expect("load");
    let last = || {
        browser
            .execute("return window.lockstepFigures ? window.lockstepFigures.last : null;")
            .unwrap()
    };
    wait_for("the figures", Duration::from_secs(60), || {
        last().is_string()
    });
    let before = last();
    // Another process writes the store (as `lockstep fetch` would): the server sees it at
    // its next check, the page at its next poll.
    at(fresh.path())
        .args(["import", "^RUT", rut.to_str().unwrap()])
        .assert()
        .success();
    wait_for("the page to update", Duration::from_secs(90), || {
        last() != before
    });
    let note = browser
        .execute("return document.getElementById('live-note').textContent;")
        .unwrap();
    assert!(note.as_str().unwrap_or("").contains("updated"), "{note}");
    drop(home);
}
