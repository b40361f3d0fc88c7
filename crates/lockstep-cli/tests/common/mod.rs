//! Helpers shared by the CLI end-to-end tests: running the binary, temporary files,
//! synthetic dated series and small parsers of its output.
// Each test binary uses a different subset.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use lockstep_testkit::fixtures::XorShift64;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The `lockstep` binary, with colour-related environment neutralized.
pub fn lockstep() -> Command {
    let mut c = Command::cargo_bin("lockstep").expect("the lockstep binary is built");
    c.env_remove("NO_COLOR");
    // Never the user's store: a per-build scratch home (tests that use the store set their own).
    c.env(
        "LOCKSTEP_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("lockstep-home"),
    );
    for p in ["YAHOO", "COINBASE", "BINANCE", "STOOQ", "FRED"] {
        // Unroutable: a test that reaches for the network by mistake fails at once.
        c.env(format!("LOCKSTEP_{p}_URL"), "http://127.0.0.1:9");
    }
    c
}

/// A temporary directory holding the CSV files of one test.
pub struct Dir(pub TempDir);

impl Dir {
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temp dir"))
    }

    /// Write `text` to `name` in the directory and return its full path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).expect("write fixture");
        p
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `YYYY-MM-DD` of a day number since 1970-01-01.
pub fn civil(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Day number of a `YYYY-MM-DD` string.
pub fn day(s: &str) -> i64 {
    let p: Vec<i64> = s
        .split('-')
        .map(|x| x.parse().expect("date part"))
        .collect();
    days_from_civil(p[0], p[1], p[2])
}

/// Weekday of a day number, Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday(z: i64) -> i64 {
    (z + 3).rem_euclid(7)
}

/// Deterministic pseudo-random returns in [-0.02, 0.02) ([`XorShift64`] draws).
pub fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut g = XorShift64::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..n).map(|_| (g.uniform() - 0.5) * 0.04).collect()
}

/// Prices starting at 100 compounding `rets`.
pub fn compound(rets: &[f64]) -> Vec<f64> {
    let mut p = 100.0;
    rets.iter()
        .map(|r| {
            p *= 1.0 + r;
            p
        })
        .collect()
}

/// A dated price series.
#[derive(Clone, Debug)]
pub struct Series {
    /// Dates, `YYYY-MM-DD`.
    pub dates: Vec<String>,
    /// Prices.
    pub prices: Vec<f64>,
}

impl Series {
    /// `days` calendar days from `start`, weekends dropped when `weekdays_only`; prices follow
    /// `rets` (one per calendar day, so two series built from the same `rets` agree on every
    /// common date).
    pub fn daily(start: &str, rets: &[f64], weekdays_only: bool) -> Series {
        let z0 = day(start);
        let prices = compound(rets);
        let (mut dates, mut kept) = (Vec::new(), Vec::new());
        for (i, p) in prices.iter().enumerate() {
            let z = z0 + i as i64;
            if weekdays_only && weekday(z) >= 5 {
                continue;
            }
            dates.push(civil(z));
            kept.push(*p);
        }
        Series {
            dates,
            prices: kept,
        }
    }

    /// The generic `Date,Close` CSV, prices at full precision.
    pub fn csv(&self) -> String {
        let mut s = String::from("Date,Close\n");
        for (d, p) in self.dates.iter().zip(&self.prices) {
            s.push_str(&format!("{d},{p}\n"));
        }
        s
    }

    pub fn price_on(&self, date: &str) -> f64 {
        let i = self
            .dates
            .iter()
            .position(|d| d == date)
            .expect("date in series");
        self.prices[i]
    }
}

/// Two correlated every-day series of `n` days from 2024-01-01 (A = 0.8·B + noise).
pub fn correlated_pair(n: usize) -> (Series, Series) {
    let b = noise(n, 7);
    let e = noise(n, 11);
    let a: Vec<f64> = b.iter().zip(&e).map(|(b, e)| 0.8 * b + 0.6 * e).collect();
    (
        Series::daily("2024-01-01", &a, false),
        Series::daily("2024-01-01", &b, false),
    )
}

/// A simple valid B file with `n` every-day prices from 2024-01-01.
pub fn bench_file(dir: &Dir, n: usize) -> PathBuf {
    dir.file(
        "bench.csv",
        &Series::daily("2024-01-01", &noise(n, 3), false).csv(),
    )
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Run and require success; return stdout.
pub fn ok_stdout(args: &[&str]) -> String {
    let out = lockstep()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8 stdout")
}

/// Run and require success; return (stdout, stderr).
pub fn ok_both(args: &[&str]) -> (String, String) {
    let a = lockstep().args(args).assert().success();
    let o = a.get_output();
    (
        String::from_utf8(o.stdout.clone()).expect("utf-8 stdout"),
        String::from_utf8(o.stderr.clone()).expect("utf-8 stderr"),
    )
}

/// Run and require exit code 1 with an `error: ...` message; return stderr.
pub fn fails(args: &[&str]) -> String {
    let a = lockstep().args(args).assert().code(1).stdout("");
    let err = String::from_utf8(a.get_output().stderr.clone()).expect("utf-8 stderr");
    assert!(err.starts_with("error: "), "stderr: {err}");
    err
}

/// Run and require the usage exit code 2; return stderr.
pub fn usage(args: &[&str]) -> String {
    let a = lockstep().args(args).assert().code(2).stdout("");
    String::from_utf8(a.get_output().stderr.clone()).expect("utf-8 stderr")
}

/// Read `A` with the tool (against a valid benchmark) and require a CSV error message
/// `{path}:{line}: ...` containing every string of `needles`.
pub fn csv_error(dir: &Dir, a_text: &str, extra: &[&str], line: u64, needles: &[&str]) -> String {
    let a = dir.file("asset.csv", a_text);
    let b = bench_file(dir, 10);
    let mut args = vec!["corr", s(&a), s(&b)];
    args.extend_from_slice(extra);
    let err = fails(&args);
    assert!(
        err.starts_with(&format!("error: {}:{line}: ", a.display())),
        "expected {}:{line}: in stderr: {err}",
        a.display()
    );
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in stderr: {err}");
    }
    err
}

/// A parsed CSV: header cells and rows of cells.
pub fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("a header line")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} in {header:?}"))
}

pub fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("{cell:?} parses as f64"))
}

/// The raw number tokens (None for `null`) of the array `"key": [` that comes first after
/// `after` in serde_json's pretty output, where every array element is on its own line. Used to
/// compare numbers bit for bit with Rust's exact float parser (serde_json's default parser may
/// be one ULP off on 17-digit values).
pub fn raw_json_array(json: &str, after: &str, key: &str) -> Vec<Option<String>> {
    let start = json
        .find(after)
        .unwrap_or_else(|| panic!("{after} in JSON"));
    let open = format!("\"{key}\": [");
    let at = start
        + json[start..]
            .find(&open)
            .unwrap_or_else(|| panic!("{open} in JSON"));
    let mut out = Vec::new();
    for line in json[at + open.len()..].lines().skip(1) {
        let t = line.trim().trim_end_matches(',');
        if t.starts_with(']') {
            break;
        }
        out.push(if t == "null" {
            None
        } else {
            Some(t.to_string())
        });
    }
    out
}

/// Strip ANSI SGR escape sequences.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parse JSON output.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// A file of `../shared/data`, or `None` (with the skip reason written to stderr, which
/// libtest does not capture) when the folder is absent.
pub fn shared(name: &str) -> Option<PathBuf> {
    lockstep_testkit::shared_data::file_or_skip(env!("CARGO_MANIFEST_DIR"), name)
}

/// A `lockstep` command whose store and config live in `home`.
pub fn at(home: &Path) -> Command {
    let mut c = lockstep();
    c.env("LOCKSTEP_HOME", home);
    c
}
