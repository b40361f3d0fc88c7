//! Byte-for-byte snapshots of every command on the real data in `../shared/data`: the output
//! of each command (tables, CSV, JSON, SVG charts, the HTML report, every route of the
//! dashboard) is compared with the files in `tests/snapshots/`, so a refactor that changes
//! what a user sees fails here and names the output.
//!
//! Only the clock and the checkout are taken out before comparing: run-time timestamps (RFC
//! 3339 instants, "YYYY-MM-DD HH:MM[:SS] UTC", Unix seconds of deliveries) become `<time>`,
//! and the path of `../shared/data` becomes `<data>`.
//!
//! `LOCKSTEP_UPDATE_SNAPSHOTS=1 cargo test -p lockstep-cli --test snapshots` rewrites the
//! files (review the diff before committing). Small outputs are kept whole; an output over
//! [`WHOLE_LIMIT`] bytes is kept as its size, line count and FNV-1a hash in
//! `tests/snapshots/LARGE.tsv`, and on a mismatch the actual output is written under the
//! target directory for `diff`; `LOCKSTEP_SNAPSHOTS_DUMP=DIR` writes every output to `DIR`
//! (run it on two trees and `diff -r` the folders).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::{at, shared};

/// Outputs up to this size are stored whole; larger ones by hash.
const WHOLE_LIMIT: usize = 48 * 1024;

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// FNV-1a, 64 bits: enough to notice a changed byte (not a defence against forgery).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether `s[i..]` starts an RFC 3339 instant `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`;
/// its length if so.
fn instant_at(s: &[u8], i: usize) -> Option<usize> {
    let pat = b"dddd-dd-ddTdd:dd:dd";
    if s.len() < i + pat.len() {
        return None;
    }
    for (k, &p) in pat.iter().enumerate() {
        let c = s[i + k];
        let ok = if p == b'd' {
            c.is_ascii_digit()
        } else {
            c == p
        };
        if !ok {
            return None;
        }
    }
    let mut j = i + pat.len();
    if s.get(j) == Some(&b'.') {
        j += 1;
        while s.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
    }
    match s.get(j) {
        Some(b'Z') => Some(j + 1 - i),
        Some(b'+' | b'-') if s.len() >= j + 6 => Some(j + 6 - i),
        _ => Some(j - i),
    }
}

/// Whether `s[i..]` starts a wall-clock time `YYYY-MM-DD HH:MM[:SS] UTC`; its length if so.
fn utc_time_at(s: &[u8], i: usize) -> Option<usize> {
    let fits = |pat: &[u8], at: usize| {
        s.len() >= at + pat.len()
            && pat.iter().enumerate().all(|(k, &p)| {
                let c = s[at + k];
                if p == b'd' {
                    c.is_ascii_digit()
                } else {
                    c == p
                }
            })
    };
    if !fits(b"dddd-dd-dd dd:dd", i) {
        return None;
    }
    let mut j = i + 16;
    if fits(b":dd", j) {
        j += 3;
    }
    fits(b" UTC", j).then_some(j + 4 - i)
}

/// Take the clock and the checkout out: RFC 3339 instants, "YYYY-MM-DD HH:MM[:SS] UTC" and the
/// Unix seconds of `"delivered_at":` become `<time>`; the path of the shared data folder
/// becomes `<data>`.
fn normalize(bytes: &[u8]) -> Vec<u8> {
    let data = shared_dir();
    let data = data.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if !data.is_empty() && bytes[i..].starts_with(data) {
            out.extend_from_slice(b"<data>");
            i += data.len();
            continue;
        }
        let key = b"\"delivered_at\":";
        if bytes[i..].starts_with(key) && bytes.get(i + key.len()).is_some_and(u8::is_ascii_digit) {
            out.extend_from_slice(key);
            out.extend_from_slice(b"<time>");
            i += key.len();
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            continue;
        }
        if let Some(n) = instant_at(bytes, i) {
            out.extend_from_slice(b"<time>");
            i += n;
            continue;
        }
        if let Some(n) = utc_time_at(bytes, i) {
            out.extend_from_slice(b"<time>");
            i += n;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The shared data folder as the tests name it (`common::shared`'s path).
fn shared_dir() -> String {
    format!("{}/../../../shared/data", env!("CARGO_MANIFEST_DIR"))
}

/// The large outputs' manifest: name → (bytes, lines, hash).
fn read_manifest() -> BTreeMap<String, (usize, usize, String)> {
    let text = std::fs::read_to_string(snapshot_dir().join("LARGE.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 4, "LARGE.tsv: {l:?}");
            (
                c[0].to_string(),
                (
                    c[1].parse().expect("bytes"),
                    c[2].parse().expect("lines"),
                    c[3].to_string(),
                ),
            )
        })
        .collect()
}

/// Compares (or, when updating, records) outputs; collects every mismatch before failing.
struct Snapshots {
    update: bool,
    manifest: BTreeMap<String, (usize, usize, String)>,
    failures: Vec<String>,
    seen: Vec<String>,
}

impl Snapshots {
    fn new() -> Snapshots {
        Snapshots {
            update: std::env::var_os("LOCKSTEP_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1"),
            manifest: read_manifest(),
            failures: Vec::new(),
            seen: Vec::new(),
        }
    }

    fn check(&mut self, name: &str, raw: &[u8]) {
        let bytes = normalize(raw);
        self.seen.push(name.to_string());
        // LOCKSTEP_SNAPSHOTS_DUMP=DIR keeps every normalized output, to diff two trees.
        if let Some(dir) = std::env::var_os("LOCKSTEP_SNAPSHOTS_DUMP") {
            std::fs::create_dir_all(&dir).expect("dump dir");
            std::fs::write(Path::new(&dir).join(name), &bytes).expect("dump");
        }
        let whole = snapshot_dir().join(name);
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        let hash = format!("{:016x}", fnv1a(&bytes));
        if self.update {
            if bytes.len() <= WHOLE_LIMIT {
                std::fs::write(&whole, &bytes).expect("write snapshot");
                self.manifest.remove(name);
            } else {
                let _ = std::fs::remove_file(&whole);
                self.manifest
                    .insert(name.to_string(), (bytes.len(), lines, hash));
            }
            return;
        }
        let same = match self.manifest.get(name) {
            Some((n, l, h)) => (*n, *l, h.as_str()) == (bytes.len(), lines, hash.as_str()),
            None => std::fs::read(&whole).is_ok_and(|want| want == bytes),
        };
        if !same {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("snapshots-actual");
            std::fs::create_dir_all(&dir).expect("actual dir");
            std::fs::write(dir.join(name), &bytes).expect("write actual");
            self.failures.push(format!(
                "{name}: differs from tests/snapshots (actual in {})",
                dir.join(name).display()
            ));
        }
    }

    fn finish(self) {
        if self.update {
            let mut text = String::from(
                "# Snapshots too large to keep whole: name, bytes, lines, FNV-1a 64 of the \
                 normalized output.\n",
            );
            for (name, (n, l, h)) in &self.manifest {
                if self.seen.contains(name) {
                    text.push_str(&format!("{name}\t{n}\t{l}\t{h}\n"));
                }
            }
            std::fs::write(snapshot_dir().join("LARGE.tsv"), text).expect("write manifest");
            eprintln!("snapshots written to {}", snapshot_dir().display());
            return;
        }
        assert!(
            self.failures.is_empty(),
            "{} snapshot(s) changed:\n  {}\n(LOCKSTEP_UPDATE_SNAPSHOTS=1 rewrites them)",
            self.failures.len(),
            self.failures.join("\n  ")
        );
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The shared data files every snapshot uses, or `None` (and a printed reason).
fn data() -> Option<PathBuf> {
    let eth = shared("ETH-USD.daily.csv")?;
    Some(eth.parent().expect("data dir").to_path_buf())
}

/// A store seeded with the real daily series and the FRED series of the rate and liquidity.
fn seeded_home(data: &Path) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp home");
    for (sym, file) in [
        ("ETH-USD", "ETH-USD.daily.csv"),
        ("^RUT", "RUT.daily.csv"),
        ("IWM", "IWM.daily.csv"),
        ("SPY", "SPY.daily.csv"),
        ("QQQ", "QQQ.daily.csv"),
        ("GLD", "GLD.daily.csv"),
        ("fred:DGS2", "DGS2.csv"),
        ("fred:WALCL", "WALCL.csv"),
        ("fred:WTREGEN", "WTREGEN.csv"),
        ("fred:RRPONTSYD", "RRPONTSYD.csv"),
        ("fred:DFEDTARU", "DFEDTARU.csv"),
        ("fred:DFEDTARL", "DFEDTARL.csv"),
    ] {
        at(home.path())
            .args(["import", sym, s(&data.join(file))])
            .assert()
            .success();
    }
    home
}

fn stdout(home: &Path, args: &[&str]) -> Vec<u8> {
    let out = at(home).args(args).output().expect("run lockstep");
    assert!(
        out.status.success(),
        "lockstep {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The pair commands in each format, from the store (offline) and from files.
fn pair_commands(snap: &mut Snapshots, home: &Path, data: &Path) {
    let eth = data.join("ETH-USD.daily.csv");
    let rut = data.join("RUT.daily.csv");
    let fmts = ["table", "csv", "json"];
    for cmd in ["analyze", "corr", "overlay", "leadlag", "regimes"] {
        for f in fmts {
            let name = format!("{cmd}.store.{}", ext(f));
            let out = stdout(home, &["--offline", cmd, "--format", f]);
            snap.check(&name, &out);
        }
    }
    for f in fmts {
        let out = stdout(home, &["analyze", s(&eth), s(&rut), "--format", f]);
        snap.check(&format!("analyze.files.{}", ext(f)), &out);
    }
    let out = stdout(
        home,
        &[
            "--offline",
            "corr",
            "IWM",
            "SPY",
            "--window",
            "20,60",
            "--align",
            "weekly",
            "--returns",
            "simple",
            "--format",
            "csv",
        ],
    );
    snap.check("corr.weekly_simple.csv", &out);
    // Controlled for the S&P 500: the partial correlation's columns follow.
    for f in ["table", "csv"] {
        let out = stdout(
            home,
            &["--offline", "corr", "--control", "SPY", "--format", f],
        );
        snap.check(&format!("corr.control.{}", ext(f)), &out);
    }
    // ETH-USD against candidates, controlled for the S&P 500.
    for f in fmts {
        let out = stdout(
            home,
            &[
                "--offline",
                "compare",
                "ETH-USD",
                "^RUT",
                "SPY",
                "QQQ",
                "IWM",
                "GLD",
                "--control",
                "SPY",
                "--format",
                f,
            ],
        );
        snap.check(&format!("compare.{}", ext(f)), &out);
    }
    // The defaults: a table, as with --format table.
    for cmd in ["overlay", "corr"] {
        assert_eq!(
            stdout(home, &["--offline", cmd]),
            stdout(home, &["--offline", cmd, "--format", "table"]),
            "{cmd}"
        );
    }
    // One lag window for every command; `--window` is its former name in leadlag and regimes.
    for cmd in ["leadlag", "regimes"] {
        let out = stdout(home, &["--offline", cmd, "--lag-window", "60"]);
        snap.check(&format!("{cmd}.lag_window60.txt"), &out);
        assert_eq!(
            out,
            stdout(home, &["--offline", cmd, "--window", "60"]),
            "{cmd}"
        );
    }
    for f in fmts {
        let out = stdout(home, &["--offline", "signals", "--format", f]);
        snap.check(&format!("signals.{}", ext(f)), &out);
        let out = stdout(home, &["--offline", "backtest", "--format", f]);
        snap.check(&format!("backtest.{}", ext(f)), &out);
    }
}

fn ext(format: &str) -> &str {
    match format {
        "table" => "txt",
        other => other,
    }
}

/// The single-series, universe and macro commands.
fn other_commands(snap: &mut Snapshots, home: &Path, data: &Path) {
    let fmts = ["table", "csv", "json"];
    for f in fmts {
        let e = ext(f);
        let mut cases: Vec<(String, Vec<&str>)> = vec![
            (
                format!("technicals.{e}"),
                vec!["--offline", "technicals", "ETH-USD", "--format", f],
            ),
            (
                format!("levels.{e}"),
                vec!["--offline", "levels", "^RUT", "--format", f],
            ),
            (
                format!("levels.breakouts.{e}"),
                vec![
                    "--offline",
                    "levels",
                    "ETH-USD",
                    "--breakouts",
                    "--format",
                    f,
                ],
            ),
            (
                format!("patterns.{e}"),
                vec!["--offline", "patterns", "ETH-USD/^RUT", "--format", f],
            ),
            (
                format!("breadth.{e}"),
                vec![
                    "--offline",
                    "breadth",
                    "--small-caps",
                    "IWM/SPY",
                    "--equal-weight",
                    "none",
                    "--format",
                    f,
                ],
            ),
            (
                format!("liquidity.{e}"),
                vec!["--offline", "liquidity", "--format", f],
            ),
            (
                format!("screen.{e}"),
                vec![
                    "--offline",
                    "screen",
                    "ETH-USD",
                    "^RUT",
                    "IWM",
                    "SPY",
                    "QQQ",
                    "GLD",
                    "--format",
                    f,
                ],
            ),
        ];
        // A screen per window of a list.
        let mut windows = cases[cases.len() - 1].1.clone();
        windows.extend(["--window", "30,90"]);
        cases.push((format!("screen.windows.{e}"), windows));
        for (name, args) in cases {
            let out = stdout(home, &args);
            snap.check(&name, &out);
        }
    }
    // A universe larger than two lists of --top pairs: the most, the least, the largest moves.
    let out = stdout(
        home,
        &[
            "--offline",
            "screen",
            "ETH-USD",
            "^RUT",
            "IWM",
            "SPY",
            "QQQ",
            "GLD",
            "--top",
            "3",
        ],
    );
    snap.check("screen.top3.txt", &out);
    // FedWatch on the strip of contracts trading on 2025-10-31 (as contract,price).
    let text =
        std::fs::read_to_string(data.join("ZQ.contracts.barchart.csv")).expect("barchart file");
    let mut strip = String::from("contract,price\n");
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() > 4 && cells[0] > "2025-10-30" {
            strip.push_str(&format!("{},{}\n", cells[1], cells[3]));
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let futures = dir.path().join("strip.csv");
    std::fs::write(&futures, strip).expect("write strip");
    for f in fmts {
        let out = stdout(
            home,
            &[
                "--offline",
                "fed",
                "--futures",
                s(&futures),
                "--as-of",
                "2025-10-31",
                "--format",
                f,
            ],
        );
        snap.check(&format!("fed.{}", ext(f)), &out);
    }
}

/// Every chart kind as SVG, and the HTML report.
fn files(snap: &mut Snapshots, home: &Path) {
    let dir = tempfile::tempdir().expect("temp dir");
    for kind in [
        "overlay",
        "correlation",
        "momentum",
        "ccf",
        "levels",
        "signals",
        "equity",
    ] {
        let out = dir.path().join(format!("{kind}.svg"));
        stdout(home, &["--offline", "chart", kind, "--out", s(&out)]);
        snap.check(
            &format!("chart.{kind}.svg"),
            &std::fs::read(&out).expect("chart"),
        );
    }
    let out = dir.path().join("heatmap.svg");
    stdout(
        home,
        &[
            "--offline",
            "chart",
            "heatmap",
            "--universe",
            "ETH-USD,^RUT,IWM,SPY,QQQ,GLD",
            "--out",
            s(&out),
        ],
    );
    snap.check("chart.heatmap.svg", &std::fs::read(&out).expect("chart"));
    // The heatmap takes --window like the other charts (the longest of a list).
    stdout(
        home,
        &[
            "--offline",
            "chart",
            "heatmap",
            "--universe",
            "ETH-USD,^RUT,IWM,SPY,QQQ,GLD",
            "--window",
            "20,30",
            "--out",
            s(&out),
        ],
    );
    snap.check(
        "chart.heatmap.w30.svg",
        &std::fs::read(&out).expect("chart"),
    );
    let out = dir.path().join("compare.svg");
    stdout(
        home,
        &[
            "--offline",
            "chart",
            "compare",
            "ETH-USD",
            "^RUT",
            "QQQ",
            "IWM",
            "GLD",
            "--control",
            "SPY",
            "--out",
            s(&out),
        ],
    );
    snap.check("chart.compare.svg", &std::fs::read(&out).expect("chart"));
    let out = dir.path().join("report.html");
    stdout(home, &["--offline", "report", "--out", s(&out)]);
    snap.check("report.html", &std::fs::read(&out).expect("report"));
}

/// A running `lockstep --offline serve` of the default pair, killed when dropped.
struct Serve {
    child: Child,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(home: &Path) -> Serve {
    let config = home.join("serve.toml");
    std::fs::write(
        &config,
        "[serve]\nbind = \"127.0.0.1:0\"\n\n[[serve.pairs]]\na = \"ETH-USD\"\nb = \"^RUT\"\n\n\
         [serve.refresh]\nenabled = false\n",
    )
    .expect("config");
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["--offline", "serve", "--config", s(&config)])
        .env("LOCKSTEP_HOME", home)
        .env_remove("LOCKSTEP_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start lockstep serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the listening line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    let srv = Serve { child, url };
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&format!("{}/api/health", srv.url)).0 != 200 {
        assert!(Instant::now() < deadline, "the server did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The scheduler's first alert check runs beside the first requests: wait for its alert
    // so that the pages show it whatever the timing.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !String::from_utf8_lossy(&get(&format!("{}/api/alerts", srv.url)).1)
        .contains("\"alerts\":[{")
    {
        assert!(Instant::now() < deadline, "no alert was recorded");
        std::thread::sleep(Duration::from_millis(100));
    }
    srv
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let read = |r: ureq::Response| {
        let mut body = Vec::new();
        let _ = std::io::Read::read_to_end(&mut r.into_reader(), &mut body);
        body
    };
    match ureq::get(url).timeout(Duration::from_secs(60)).call() {
        Ok(r) => (r.status(), read(r)),
        Err(ureq::Error::Status(code, r)) => (code, read(r)),
        Err(e) => (0, e.to_string().into_bytes()),
    }
}

/// Every GET route of the dashboard for the default pair.
fn dashboard(snap: &mut Snapshots, home: &Path) {
    let srv = serve(home);
    let id = "ETH-USD~RUT";
    let pairs = get(&format!("{}/api/pairs", srv.url));
    assert_eq!(pairs.0, 200);
    let v: serde_json::Value = serde_json::from_slice(&pairs.1).expect("pairs JSON");
    let page = v["pairs"][0]["page"].as_str().expect("page").to_string();
    let id = page.rsplit('/').next().unwrap_or(id).to_string();
    // The server checks the alerts once at start, beside the requests: wait until that check
    // has recorded and delivered them, so the pages show them whatever the machine's load.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = get(&format!("{}/api/alerts", srv.url));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
        let delivered = !alerts.is_empty()
            && alerts.iter().all(|a| {
                a["deliveries"]
                    .as_array()
                    .is_some_and(|d| d.iter().all(|d| d["status"] == "delivered"))
            });
        if status == 200 && delivered {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server's first alert check did not finish: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut routes = vec![
        ("serve.index.html".to_string(), "/".to_string()),
        ("serve.pair.html".to_string(), page.clone()),
        ("serve.api.pairs.json".to_string(), "/api/pairs".to_string()),
        (
            "serve.api.openapi.json".to_string(),
            "/api/openapi.json".to_string(),
        ),
        (
            "serve.api.series.json".to_string(),
            format!("/api/pairs/{id}/series"),
        ),
        (
            "serve.api.series.range.json".to_string(),
            format!("/api/pairs/{id}/series?from=2025-01-01&to=2025-06-30"),
        ),
        (
            "serve.api.report.json".to_string(),
            format!("/api/pairs/{id}/report"),
        ),
        (
            "serve.api.signals.json".to_string(),
            format!("/api/pairs/{id}/signals"),
        ),
        (
            "serve.api.alerts.json".to_string(),
            "/api/alerts".to_string(),
        ),
        ("serve.login.html".to_string(), "/login".to_string()),
    ];
    for kind in [
        "overlay",
        "correlation",
        "momentum",
        "ccf",
        "levels",
        "signals",
        "equity",
    ] {
        routes.push((
            format!("serve.chart.{kind}.svg"),
            format!("/pairs/{id}/charts/{kind}.svg"),
        ));
    }
    for (name, path) in routes {
        let (status, body) = get(&format!("{}{path}", srv.url));
        snap.check(
            &name,
            format!("{status}\n")
                .as_bytes()
                .iter()
                .chain(&body)
                .copied()
                .collect::<Vec<u8>>()
                .as_slice(),
        );
    }
}

#[test]
fn every_command_prints_what_it_printed() {
    let Some(data) = data() else { return };
    let home = seeded_home(&data);
    let mut snap = Snapshots::new();
    pair_commands(&mut snap, home.path(), &data);
    other_commands(&mut snap, home.path(), &data);
    files(&mut snap, home.path());
    dashboard(&mut snap, home.path());
    snap.finish();
}

#[test]
fn the_clock_is_the_only_thing_taken_out() {
    assert_eq!(
        normalize(b"a 2026-12-06T02:39:20.123456Z b 2026-12-06T02:39:20+00:00 c"),
        b"a <time> b <time> c"
    );
    assert_eq!(
        normalize(b"generated by lockstep 0.1.0 on 2026-12-06 02:39 UTC."),
        b"generated by lockstep 0.1.0 on <time>."
    );
    assert_eq!(
        normalize(b"<td>2026-12-06 02:51:57 UTC</td>"),
        b"<td><time></td>"
    );
    assert_eq!(normalize(b"2026-02-23,1.5"), b"2026-02-23,1.5");
    assert_eq!(
        normalize(format!("import:{}/x.csv", shared_dir()).as_bytes()),
        b"import:<data>/x.csv"
    );
    assert_eq!(
        normalize(b"{\"delivered_at\":1796525546,\"x\":1}"),
        b"{\"delivered_at\":<time>,\"x\":1}"
    );
}
