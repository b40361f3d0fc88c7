//! Concurrency and crash safety of intraday writes, as for daily bars: two threads and two
//! processes upserting overlapping intraday bars into one store at once (both succeed,
//! nothing is lost), a process killed (SIGKILL) in the middle of large intraday writes (the
//! store holds one complete set or the other, never a part), and idempotent re-upserts.
//!
//! The processes are this test binary run again with `LOCKSTEP_STORE_CHILD` set: the
//! `child_process` test does the child's work then, and nothing otherwise.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lockstep_core::{AssetClass, Calendar, DailyBar, Date, Instrument, Interval, IntradayBar};
use lockstep_store::{FetchInfo, Store, MIGRATIONS};

const CHILD: &str = "LOCKSTEP_STORE_CHILD";
const DB: &str = "LOCKSTEP_STORE_CHILD_DB";

/// 2024-01-02T00:00:00Z.
const T0: i64 = 1_704_153_600;

fn inst(symbol: &str) -> Instrument {
    Instrument {
        symbol: symbol.into(),
        provider: "binance".into(),
        ticker: symbol.into(),
        asset_class: AssetClass::Crypto,
        calendar: Calendar::EveryDay,
        currency: Some("USD".into()),
    }
}

/// `n` bars of `interval` from bar number `from` (counted from [`T0`]), closes depending on
/// `seed` so that two writers' versions of one bar differ.
fn bars(interval: Interval, from: i64, n: i64, seed: f64) -> Vec<IntradayBar> {
    (from..from + n)
        .map(|k| {
            let close = 100.0 + seed + (k as f64 * 0.1).sin();
            IntradayBar {
                start: lockstep_core::Timestamp::from_timestamp(T0 + k * interval.seconds(), 0)
                    .unwrap(),
                open: Some(close - 0.25),
                high: Some(close + 0.5),
                low: Some(close - 0.5),
                close,
                volume: Some(1000.0 + k as f64),
            }
        })
        .collect()
}

fn daily(n: u64, seed: f64) -> Vec<DailyBar> {
    let d0: Date = "2023-01-01".parse().unwrap();
    (0..n)
        .map(|k| DailyBar::close_only(d0 + chrono::Days::new(k), 50.0 + seed + k as f64))
        .collect()
}

/// The writes of writer `w` (0 or 1) in one round: 5m bars 0..2000 (writer 0) or
/// 1000..3000 (writer 1), overlapping on 1000..2000 with different values; 1m bars of a
/// second symbol; daily bars of the first symbol.
fn write_round(s: &mut Store, w: usize) {
    let seed = w as f64 * 10.0;
    let from = w as i64 * 1000;
    let info = FetchInfo::now(None, None);
    s.upsert_intraday(
        &inst("ETH-USD"),
        Interval::M5,
        &bars(Interval::M5, from, 2000, seed),
        &info,
    )
    .unwrap();
    s.upsert_intraday(
        &inst("BTC-USD"),
        Interval::M1,
        &bars(Interval::M1, 0, 1500, seed),
        &info,
    )
    .unwrap();
    s.upsert(&inst("ETH-USD"), &daily(400, seed), &info)
        .unwrap();
}

/// After both writers: every bar is there, each one writer's complete version, and a
/// re-upsert of what is stored changes nothing.
fn check_after_writers(path: &Path, rounds: usize) {
    let mut s = Store::open(path).unwrap();
    s.integrity_check().unwrap();
    let eth = s
        .intraday_bars("ETH-USD", Interval::M5, None, None)
        .unwrap();
    assert_eq!(eth.len(), 3000);
    let v0 = bars(Interval::M5, 0, 2000, 0.0);
    let v1 = bars(Interval::M5, 1000, 2000, 10.0);
    for (k, b) in eth.iter().enumerate() {
        let ok = (k < 2000 && *b == v0[k]) || (k >= 1000 && *b == v1[k - 1000]);
        assert!(ok, "bar {k} is neither writer's: {b:?}");
    }
    let btc = s
        .intraday_bars("BTC-USD", Interval::M1, None, None)
        .unwrap();
    assert!(
        btc == bars(Interval::M1, 0, 1500, 0.0) || btc == bars(Interval::M1, 0, 1500, 10.0),
        "BTC-USD holds a mix of two writes"
    );
    let d = s.bars("ETH-USD", None, None).unwrap();
    assert!(d == daily(400, 0.0) || d == daily(400, 10.0));
    let log: Vec<_> = s
        .fetch_log(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.symbol != "OLD")
        .collect();
    assert_eq!(log.len(), rounds * 2 * 3);
    assert!(log.iter().all(|e| e.status == "ok"));
    assert_eq!(
        log.iter().filter(|e| e.interval == Interval::M5).count(),
        rounds * 2
    );
    let listing = s.listing("ETH-USD").unwrap().unwrap();
    assert_eq!(listing.intervals, vec![Interval::M5, Interval::D1]);
    let i = s.instrument("ETH-USD").unwrap().unwrap();
    let st = s
        .upsert_intraday(&i, Interval::M5, &eth, &FetchInfo::now(None, None))
        .unwrap();
    assert_eq!((st.added, st.revised, st.unchanged), (0, 0, 3000));
}

/// Two threads, each with its own connection, write overlapping intraday bars (and daily
/// bars) into one store at once: both succeed, the store is sound and complete.
#[test]
fn concurrent_threads_upsert_overlapping_intraday_bars() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lockstep.db");
    let rounds = 4;
    let threads: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Both open a new store at once: one creates the schema, the other waits.
                let mut s = Store::open(&path).unwrap();
                for _ in 0..rounds {
                    write_round(&mut s, w);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    check_after_writers(&path, rounds);
}

fn spawn_child(role: &str, path: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, role)
        .env(DB, path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Two processes write overlapping intraday bars (and daily bars) into one store at once,
/// starting on a store at the previous schema version with daily bars, which both open (and
/// one migrates) at the same moment: both succeed, the old bars are kept.
#[test]
fn concurrent_processes_upsert_overlapping_intraday_bars() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lockstep.db");
    let old = store_at_version_3(&path);
    for round in 0..2 {
        let children = [
            spawn_child("writer-0", &path),
            spawn_child("writer-1", &path),
        ];
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    check_after_writers(&path, 2 * CHILD_ROUNDS);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as u32);
    assert_eq!(s.bars("OLD", None, None).unwrap(), old);
    let log = s.fetch_log(Some("OLD"), 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].interval, Interval::D1);
}

/// A store as Lockstep with schema version 3 (before intraday bars) left it, with daily bars
/// of `OLD` and their fetch-log row. Returns the bars.
fn store_at_version_3(path: &Path) -> Vec<DailyBar> {
    let mut c = rusqlite::Connection::open(path).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    let tx = c.transaction().unwrap();
    for m in &MIGRATIONS[..3] {
        tx.execute_batch(m).unwrap();
    }
    tx.pragma_update(None, "user_version", 3).unwrap();
    tx.execute_batch(
        "INSERT INTO instruments VALUES ('OLD', 'yahoo', 'OLD', 'etf', 'weekdays', 'USD');
         INSERT INTO fetch_log (symbol, provider, started_at, finished_at, status, received,
                                added)
         VALUES ('OLD', 'yahoo', '2024-01-03T00:00:00Z', '2024-01-03T00:00:05Z', 'ok', 500,
                 500);",
    )
    .unwrap();
    let old = daily(500, 3.0);
    for b in &old {
        tx.execute(
            "INSERT INTO bars (symbol, date, close, provider, fetched_at)
             VALUES ('OLD', ?1, ?2, 'yahoo', '2024-01-03T00:00:05Z')",
            rusqlite::params![b.date.to_string(), b.close],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    old
}

const CHILD_ROUNDS: usize = 3;

/// Kill a process with SIGKILL at many points while it rewrites 20,000 intraday bars over
/// and over (each write revises every bar): every time the store passes
/// `integrity_check` and holds one complete set, never a part; afterwards it takes writes.
#[cfg(unix)]
#[test]
fn sigkill_mid_intraday_write_leaves_a_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lockstep.db");
    let a = big_set(1.0);
    let b = big_set(2.0);
    {
        let mut s = Store::open(&path).unwrap();
        s.upsert_intraday(
            &inst("ETH-USD"),
            Interval::M1,
            &a,
            &FetchInfo::now(None, None),
        )
        .unwrap();
    }
    let mut seen_b = 0;
    for delay_ms in [0u64, 20, 50, 80, 120, 170, 250, 350, 500, 700, 1000] {
        let mut child = spawn_child("looper", &path);
        std::thread::sleep(Duration::from_millis(delay_ms));
        if let Some(status) = child.try_wait().unwrap() {
            let o = child.wait_with_output().unwrap();
            panic!(
                "the looping writer ended by itself ({status}): {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let s = Store::open(&path).unwrap();
        s.integrity_check().unwrap();
        let now = s
            .intraday_bars("ETH-USD", Interval::M1, None, None)
            .unwrap();
        assert!(
            now == a || now == b,
            "after a kill at {delay_ms} ms: {} bars, neither complete set",
            now.len()
        );
        seen_b += usize::from(now == b);
    }
    // The store is writable afterwards, and re-upserting what it holds changes nothing.
    let mut s = Store::open(&path).unwrap();
    let now = s
        .intraday_bars("ETH-USD", Interval::M1, None, None)
        .unwrap();
    let st = s
        .upsert_intraday(
            &inst("ETH-USD"),
            Interval::M1,
            &now,
            &FetchInfo::now(None, None),
        )
        .unwrap();
    assert_eq!((st.added, st.revised, st.unchanged), (0, 0, 20_000));
    s.integrity_check().unwrap();
    eprintln!("kills leaving the second set: {seen_b} of 11");
}

fn big_set(seed: f64) -> Vec<IntradayBar> {
    bars(Interval::M1, 0, 20_000, seed)
}

/// The child processes' work (only when run with `LOCKSTEP_STORE_CHILD`).
#[test]
fn child_process() {
    let Ok(role) = std::env::var(CHILD) else {
        return;
    };
    let path = PathBuf::from(std::env::var_os(DB).expect("the store path"));
    let mut s = Store::open(&path).unwrap();
    match role.as_str() {
        "writer-0" | "writer-1" => {
            let w = usize::from(role == "writer-1");
            for _ in 0..CHILD_ROUNDS {
                write_round(&mut s, w);
            }
        }
        "looper" => {
            let sets = [big_set(2.0), big_set(1.0)];
            for k in 0.. {
                let st = s
                    .upsert_intraday(
                        &inst("ETH-USD"),
                        Interval::M1,
                        &sets[k % 2],
                        &FetchInfo::now(None, None),
                    )
                    .unwrap();
                assert_eq!(st.added, 0);
            }
        }
        other => panic!("unknown child role {other}"),
    }
}
