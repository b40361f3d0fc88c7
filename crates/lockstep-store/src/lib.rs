//! The local store of Lockstep: an embedded SQLite database (rusqlite, bundled SQLite) with
//! the instruments a user fetched, their daily and intraday bars and a log of every fetch.
//!
//! * **Schema** (see [`MIGRATIONS`]): `instruments` (symbol, provider, provider ticker, asset
//!   class, calendar, currency), `bars` (symbol, date, OHLC, adjusted close, volume, provider,
//!   fetched_at; primary key symbol + date) and `fetch_log`. Versioned by `PRAGMA user_version`;
//!   each migration runs in its own transaction, and a database written by a newer Lockstep is
//!   refused rather than misread. Migration 2 adds `alerts` (one row per detected alert,
//!   unique by its key) and `alert_deliveries` (one row per alert and sink: pending or
//!   delivered, attempts, next attempt, last error) — see [`Store::insert_alerts`].
//!   Migration 4 adds `intraday_bars` and the `interval` of each fetch-log row (below).
//! * **Intervals**: bars are kept per [`Interval`]. The daily `bars` table *is* the `1d`
//!   interval (dated by trading day, as before). Intraday bars (`1m` … `1h`) live in
//!   `intraday_bars`, keyed by symbol, interval and the bar's **open time in UTC as Unix
//!   seconds** — the providers' convention (Yahoo, Binance, Coinbase label a bar by its
//!   start; it covers `[start, start + interval)` and its close is the price at the end), with
//!   OHLC, volume, provider and fetched_at. Every fetch-log row names its interval (`1d` for
//!   rows written before migration 4). See [`Store::upsert_intraday`], [`Store::intervals`].
//! * **Durability**: WAL journal, `synchronous = NORMAL`, `busy_timeout` so that two processes
//!   writing at once wait for each other instead of failing. One symbol's write — the instrument,
//!   every bar and the fetch-log row — is one `BEGIN IMMEDIATE` transaction, for daily and
//!   intraday bars alike: a process killed in the middle leaves the previous complete data.
//! * **Idempotent upserts**: writing the same bars twice changes nothing; a bar whose stored
//!   values differ is updated and counted as *revised* (providers revise recent bars), never
//!   silently. Daily bars are keyed by date, intraday bars by interval and open time.
#![forbid(unsafe_code)]

mod alerts;
mod error;
mod intraday;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

pub use alerts::{AlertRow, DeliveryRow, NewAlert};
pub use error::StoreError;
pub use intraday::IntervalListing;
use lockstep_core::{
    AssetClass, Calendar, DailyBar, Date, Instrument, Interval, PriceField, PriceSeries,
};

/// Result type of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The most of a store file read through a memory map (`PRAGMA mmap_size`), in bytes.
pub const MMAP_SIZE: i64 = 256 << 20;

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema migrations, in order; migration `i` brings `user_version` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: instruments, bars, fetch log.
    "CREATE TABLE instruments (
        symbol      TEXT PRIMARY KEY NOT NULL,
        provider    TEXT NOT NULL,
        ticker      TEXT NOT NULL,
        asset_class TEXT NOT NULL,
        calendar    TEXT NOT NULL,
        currency    TEXT
     ) STRICT;
     CREATE TABLE bars (
        symbol     TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        date       TEXT NOT NULL,
        open       REAL,
        high       REAL,
        low        REAL,
        close      REAL NOT NULL,
        adj_close  REAL,
        volume     REAL,
        provider   TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (symbol, date)
     ) STRICT, WITHOUT ROWID;
     CREATE TABLE fetch_log (
        id          INTEGER PRIMARY KEY,
        symbol      TEXT NOT NULL,
        provider    TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('ok', 'error')),
        from_date   TEXT,
        to_date     TEXT,
        requests    INTEGER NOT NULL DEFAULT 0,
        received    INTEGER NOT NULL DEFAULT 0,
        added       INTEGER NOT NULL DEFAULT 0,
        revised     INTEGER NOT NULL DEFAULT 0,
        message     TEXT
     ) STRICT;
     CREATE INDEX fetch_log_symbol ON fetch_log(symbol, id);",
    // 2: alerts and their deliveries (one per sink).
    "CREATE TABLE alerts (
        id         INTEGER PRIMARY KEY,
        key        TEXT UNIQUE NOT NULL,
        pair       TEXT NOT NULL,
        kind       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        direction  TEXT NOT NULL,
        date       TEXT NOT NULL,
        value      REAL,
        threshold  REAL,
        message    TEXT NOT NULL,
        created_at TEXT NOT NULL
     ) STRICT;
     CREATE INDEX alerts_pair_date ON alerts(pair, date);
     CREATE TABLE alert_deliveries (
        alert_id        INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        sink            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error      TEXT,
        delivered_at    INTEGER,
        PRIMARY KEY (alert_id, sink)
     ) STRICT;
     CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);",
    // 3: the last date each pair's alerts were detected through.
    "CREATE TABLE alert_checks (
        pair    TEXT PRIMARY KEY NOT NULL,
        through TEXT NOT NULL
     ) STRICT;",
    // 4: intraday bars, keyed by interval and open time (Unix seconds, UTC); the interval of
    // each fetch (the daily `bars` table is `1d`, as is every fetch logged before).
    "CREATE TABLE intraday_bars (
        symbol     TEXT NOT NULL REFERENCES instruments(symbol) ON DELETE CASCADE,
        interval   TEXT NOT NULL CHECK (interval <> '1d'),
        start      INTEGER NOT NULL,
        open       REAL,
        high       REAL,
        low        REAL,
        close      REAL NOT NULL,
        volume     REAL,
        provider   TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (symbol, interval, start)
     ) STRICT, WITHOUT ROWID;
     ALTER TABLE fetch_log ADD COLUMN interval TEXT NOT NULL DEFAULT '1d';
     CREATE INDEX fetch_log_symbol_interval ON fetch_log(symbol, interval, id);",
];

/// The open store.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: Option<PathBuf>,
}

/// What one write did to the bars of a symbol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UpsertStats {
    /// Bars received from the provider.
    pub received: usize,
    /// Dates that were not stored before.
    pub added: usize,
    /// Dates stored before whose values changed (a provider revision).
    pub revised: usize,
    /// Dates stored before with identical values.
    pub unchanged: usize,
}

/// Facts about one fetch, written to the fetch log with the bars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchInfo {
    /// When the fetch began (RFC 3339, UTC).
    pub started_at: String,
    /// First date requested (`None` = full history).
    pub from: Option<Date>,
    /// Last date requested.
    pub to: Option<Date>,
    /// HTTP requests made.
    pub requests: usize,
    /// A note for the log of a successful write (such as the provider bars refused).
    pub message: Option<String>,
}

impl FetchInfo {
    /// A fetch starting now.
    pub fn now(from: Option<Date>, to: Option<Date>) -> FetchInfo {
        FetchInfo {
            started_at: now(),
            from,
            to,
            requests: 0,
            message: None,
        }
    }
}

/// One row of [`Store::list`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Listing {
    /// The instrument.
    pub instrument: Instrument,
    /// First stored date.
    pub first: Option<Date>,
    /// Last stored date.
    pub last: Option<Date>,
    /// Number of stored bars.
    pub bars: usize,
    /// When the last successful fetch of daily bars finished (RFC 3339, UTC). Intraday
    /// fetches do not count: this decides when the daily bars are stale.
    pub last_refresh: Option<String>,
    /// The intervals with stored bars, finest first (`1d` when there are daily bars); see
    /// [`Store::intervals`] for their ranges.
    pub intervals: Vec<Interval>,
}

/// One row of the fetch log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FetchLogEntry {
    /// Row id (increasing).
    pub id: i64,
    /// Symbol fetched.
    pub symbol: String,
    /// Provider asked.
    pub provider: String,
    /// The interval fetched (`1d` = daily bars, and every row logged before intervals were).
    pub interval: Interval,
    /// Start time (RFC 3339, UTC).
    pub started_at: String,
    /// End time (RFC 3339, UTC).
    pub finished_at: String,
    /// `ok` or `error`.
    pub status: String,
    /// Bars received.
    pub received: usize,
    /// Bars added.
    pub added: usize,
    /// Bars revised.
    pub revised: usize,
    /// The error, for a failed fetch.
    pub message: Option<String>,
}

/// The current time as stored (RFC 3339, UTC, seconds).
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Store {
    /// Open (creating if needed) the store at `path`, creating its folder, and bring the schema
    /// up to date.
    ///
    /// Two processes opening a new store at the same moment race to create the schema and
    /// switch it to WAL; SQLite answers the loser `SQLITE_BUSY` without waiting in some of
    /// those steps, so opening retries for up to [`BUSY_TIMEOUT`].
    pub fn open(path: &Path) -> Result<Store> {
        let start = std::time::Instant::now();
        loop {
            match Store::open_once(path) {
                Err(e) if e.is_busy() && start.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.configure(true)?;
        Ok(store)
    }

    /// A private in-memory store (tests, one-off analyses).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: PathBuf::from(":memory:"),
            source,
        })?;
        let mut store = Store { conn, path: None };
        store.configure(false)?;
        Ok(store)
    }

    /// The database file, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn configure(&mut self, file: bool) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        if file {
            // Switching to WAL needs a moment of exclusive access: only when not yet in WAL.
            let mut mode: String = self
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                mode = self
                    .conn
                    .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            }
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Schema(format!(
                    "cannot switch the journal to WAL (got {mode})"
                )));
            }
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
            // Read the file through a memory map (up to MMAP_SIZE; beyond, as before):
            // no `pread` copy of each page into a freshly allocated page cache. About 3 ms
            // of the 30 ms of `analyze` from the store (issue 20, BENCHMARKS.md).
            self.conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        }
        self.conn.pragma_update(None, "foreign_keys", true)?;
        self.migrate()
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let known = MIGRATIONS.len() as u32;
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version > known {
                return Err(StoreError::Schema(format!(
                    "the database has schema version {version}, newer than this lockstep \
                     understands ({known}); upgrade lockstep"
                )));
            }
            if version == known {
                return Ok(());
            }
            tx.execute_batch(MIGRATIONS[version as usize])?;
            tx.pragma_update(None, "user_version", version + 1)?;
            tx.commit()?;
        }
    }

    /// Write `bars` of `instrument` (and a fetch-log row) in one transaction. Bars on dates
    /// already stored are updated when any value differs (counted as revised); identical bars
    /// are left alone. Dates must be strictly increasing.
    pub fn upsert(
        &mut self,
        instrument: &Instrument,
        bars: &[DailyBar],
        info: &FetchInfo,
    ) -> Result<UpsertStats> {
        check_bars(&instrument.symbol, bars)?;
        let fetched_at = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO instruments (symbol, provider, ticker, asset_class, calendar, currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(symbol) DO UPDATE SET provider = excluded.provider,
               ticker = excluded.ticker, asset_class = excluded.asset_class,
               calendar = excluded.calendar, currency = excluded.currency",
            params![
                instrument.symbol,
                instrument.provider,
                instrument.ticker,
                instrument.asset_class.name(),
                calendar_name(instrument.calendar),
                instrument.currency,
            ],
        )?;
        let mut stats = UpsertStats {
            received: bars.len(),
            ..UpsertStats::default()
        };
        if let (Some(first), Some(last)) = (bars.first(), bars.last()) {
            let existing = read_bars(&tx, &instrument.symbol, Some(first.date), Some(last.date))?;
            let existing: HashMap<Date, DailyBar> =
                existing.into_iter().map(|b| (b.date, b)).collect();
            let mut stmt = tx.prepare_cached(
                "INSERT INTO bars (symbol, date, open, high, low, close, adj_close, volume,
                                   provider, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(symbol, date) DO UPDATE SET open = excluded.open,
                   high = excluded.high, low = excluded.low, close = excluded.close,
                   adj_close = excluded.adj_close, volume = excluded.volume,
                   provider = excluded.provider, fetched_at = excluded.fetched_at",
            )?;
            for b in bars {
                match existing.get(&b.date) {
                    Some(old) if same_bar(old, b) => {
                        stats.unchanged += 1;
                        continue;
                    }
                    Some(_) => stats.revised += 1,
                    None => stats.added += 1,
                }
                stmt.execute(params![
                    instrument.symbol,
                    b.date.to_string(),
                    b.open,
                    b.high,
                    b.low,
                    b.close,
                    b.adj_close,
                    b.volume,
                    instrument.provider,
                    fetched_at,
                ])?;
            }
        }
        log_ok(&tx, instrument, Interval::D1, info, &stats)?;
        tx.commit()?;
        Ok(stats)
    }

    /// Record a failed fetch of daily bars in the log. Bars are not touched.
    pub fn log_failure(
        &mut self,
        symbol: &str,
        provider: &str,
        info: &FetchInfo,
        message: &str,
    ) -> Result<()> {
        self.log_interval_failure(symbol, provider, Interval::D1, info, message)
    }

    /// Record a failed fetch of `interval` bars (`1d` = daily, as [`Store::log_failure`]) in
    /// the log. Bars are not touched.
    pub fn log_interval_failure(
        &mut self,
        symbol: &str,
        provider: &str,
        interval: Interval,
        info: &FetchInfo,
        message: &str,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO fetch_log (symbol, provider, interval, started_at, finished_at, status,
                                    from_date, to_date, requests, message)
             VALUES (?1, ?2, ?3, ?4, ?5, 'error', ?6, ?7, ?8, ?9)",
            params![
                symbol,
                provider,
                interval.name(),
                info.started_at,
                now(),
                info.from.map(|d| d.to_string()),
                info.to.map(|d| d.to_string()),
                info.requests as i64,
                message,
            ],
        )?;
        Ok(())
    }

    /// The instrument stored under `symbol`, if any.
    pub fn instrument(&self, symbol: &str) -> Result<Option<Instrument>> {
        Ok(self
            .conn
            .query_row(
                "SELECT symbol, provider, ticker, asset_class, calendar, currency
                 FROM instruments WHERE symbol = ?1",
                [symbol],
                row_instrument,
            )
            .optional()?)
    }

    /// Every stored instrument with its daily date range, bar count and last successful daily
    /// refresh, and the intervals it has, sorted by symbol.
    pub fn list(&self) -> Result<Vec<Listing>> {
        self.listings(None)
    }

    /// The [`Listing`] of one stored symbol.
    pub fn listing(&self, symbol: &str) -> Result<Option<Listing>> {
        Ok(self.listings(Some(symbol))?.pop())
    }

    fn listings(&self, symbol: Option<&str>) -> Result<Vec<Listing>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.symbol, i.provider, i.ticker, i.asset_class, i.calendar, i.currency,
                    (SELECT MIN(date) FROM bars b WHERE b.symbol = i.symbol),
                    (SELECT MAX(date) FROM bars b WHERE b.symbol = i.symbol),
                    (SELECT COUNT(*) FROM bars b WHERE b.symbol = i.symbol),
                    (SELECT MAX(finished_at) FROM fetch_log f
                       WHERE f.symbol = i.symbol AND f.interval = '1d' AND f.status = 'ok')
             FROM instruments i WHERE ?1 IS NULL OR i.symbol = ?1 ORDER BY i.symbol",
        )?;
        let rows = stmt.query_map([symbol], |r| {
            Ok((
                row_instrument(r)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (instrument, first, last, bars, last_refresh) = row?;
            let mut intervals = intraday::stored_intervals(&self.conn, &instrument.symbol)?;
            if bars > 0 {
                intervals.push(Interval::D1);
            }
            out.push(Listing {
                first: first.as_deref().map(parse_date).transpose()?,
                last: last.as_deref().map(parse_date).transpose()?,
                bars: bars as usize,
                last_refresh,
                intervals,
                instrument,
            });
        }
        Ok(out)
    }

    /// The stored bars of `symbol` within `[from, to]` (either bound optional), by date.
    pub fn bars(
        &self,
        symbol: &str,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<DailyBar>> {
        read_bars(&self.conn, symbol, from, to)
    }

    /// The last stored date of `symbol`.
    pub fn last_date(&self, symbol: &str) -> Result<Option<Date>> {
        let last: Option<String> = self.conn.query_row(
            "SELECT MAX(date) FROM bars WHERE symbol = ?1",
            [symbol],
            |r| r.get(0),
        )?;
        last.as_deref().map(parse_date).transpose()
    }

    /// The stored history of `symbol` as a [`PriceSeries`] (price = adjusted close when every
    /// bar has one, else close). Errors when the symbol is not stored.
    pub fn series(&self, symbol: &str) -> Result<PriceSeries> {
        self.series_of(symbol, true)
    }

    /// [`Store::series`] without the opens, highs, lows and volumes (all `None`): a series
    /// of levels (a rate, a FRED series, a control), of which only the prices are read.
    pub fn levels(&self, symbol: &str) -> Result<PriceSeries> {
        self.series_of(symbol, false)
    }

    fn series_of(&self, symbol: &str, ohlv: bool) -> Result<PriceSeries> {
        let instrument = self
            .instrument(symbol)?
            .ok_or_else(|| StoreError::NotStored(symbol.to_string()))?;
        let source = format!("{}:{}", instrument.provider, instrument.ticker);
        let series = read_series(&self.conn, symbol, source, ohlv)?;
        if series.dates.is_empty() {
            return Err(StoreError::NotStored(symbol.to_string()));
        }
        series.validate()?;
        Ok(series)
    }

    /// The most recent fetch-log rows (newest first) of every interval, for one symbol or all.
    pub fn fetch_log(&self, symbol: Option<&str>, limit: usize) -> Result<Vec<FetchLogEntry>> {
        self.fetch_log_for(symbol, None, limit)
    }

    /// The most recent fetch-log rows (newest first), for one symbol or all, of one interval
    /// or all.
    pub fn fetch_log_for(
        &self,
        symbol: Option<&str>,
        interval: Option<Interval>,
        limit: usize,
    ) -> Result<Vec<FetchLogEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, symbol, provider, interval, started_at, finished_at, status, received,
                    added, revised, message
             FROM fetch_log WHERE (?1 IS NULL OR symbol = ?1) AND (?2 IS NULL OR interval = ?2)
             ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(
            params![symbol, interval.map(Interval::name), limit as i64],
            |r| {
                Ok((
                    r.get::<_, String>(3)?,
                    FetchLogEntry {
                        id: r.get(0)?,
                        symbol: r.get(1)?,
                        provider: r.get(2)?,
                        interval: Interval::D1,
                        started_at: r.get(4)?,
                        finished_at: r.get(5)?,
                        status: r.get(6)?,
                        received: r.get::<_, i64>(7)? as usize,
                        added: r.get::<_, i64>(8)? as usize,
                        revised: r.get::<_, i64>(9)? as usize,
                        message: r.get(10)?,
                    },
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (interval, mut entry) = row?;
            entry.interval = parse_interval(&interval)?;
            out.push(entry);
        }
        Ok(out)
    }

    /// Delete a symbol, its daily and intraday bars and its log, in one transaction. Returns
    /// whether it was stored.
    pub fn remove(&mut self, symbol: &str) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM fetch_log WHERE symbol = ?1", [symbol])?;
        // Also removed by the cascade from `instruments`; explicit so that it does not depend
        // on `foreign_keys` being on.
        tx.execute("DELETE FROM intraday_bars WHERE symbol = ?1", [symbol])?;
        tx.execute("DELETE FROM bars WHERE symbol = ?1", [symbol])?;
        let n = tx.execute("DELETE FROM instruments WHERE symbol = ?1", [symbol])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite reports `ok`.
    pub fn integrity_check(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        if rows.len() == 1 && rows[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(rows.join("; ")))
        }
    }
}

fn check_bars(symbol: &str, bars: &[DailyBar]) -> Result<()> {
    for w in bars.windows(2) {
        if w[1].date <= w[0].date {
            return Err(StoreError::Unsorted {
                symbol: symbol.to_string(),
                date: w[1].date,
                previous: w[0].date,
            });
        }
    }
    if let Some(b) = bars.iter().find(|b| !b.close.is_finite()) {
        return Err(StoreError::NonFinite {
            symbol: symbol.to_string(),
            date: b.date,
        });
    }
    Ok(())
}

/// Write the fetch-log row of a successful write of `interval` bars (inside its transaction).
fn log_ok(
    tx: &Connection,
    instrument: &Instrument,
    interval: Interval,
    info: &FetchInfo,
    stats: &UpsertStats,
) -> Result<()> {
    tx.execute(
        "INSERT INTO fetch_log (symbol, provider, interval, started_at, finished_at, status,
                                from_date, to_date, requests, received, added, revised, message)
         VALUES (?1, ?2, ?3, ?4, ?5, 'ok', ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            instrument.symbol,
            instrument.provider,
            interval.name(),
            info.started_at,
            now(),
            info.from.map(|d| d.to_string()),
            info.to.map(|d| d.to_string()),
            info.requests as i64,
            stats.received as i64,
            stats.added as i64,
            stats.revised as i64,
            info.message,
        ],
    )?;
    Ok(())
}

/// Optional values equal, treating two missing values as equal (and NaN as missing: SQLite
/// stores NaN as NULL).
fn same_value(x: Option<f64>, y: Option<f64>) -> bool {
    x.filter(|v| !v.is_nan()) == y.filter(|v| !v.is_nan())
}

/// Values equal, treating two missing values as equal (and NaN as missing).
fn same_bar(a: &DailyBar, b: &DailyBar) -> bool {
    let eq = same_value;
    a.close == b.close
        && eq(a.open, b.open)
        && eq(a.high, b.high)
        && eq(a.low, b.low)
        && eq(a.adj_close, b.adj_close)
        && eq(a.volume, b.volume)
}

fn read_bars(
    conn: &Connection,
    symbol: &str,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<DailyBar>> {
    let mut stmt = conn.prepare_cached(
        "SELECT date, open, high, low, close, adj_close, volume FROM bars
         WHERE symbol = ?1 AND (?2 IS NULL OR date >= ?2) AND (?3 IS NULL OR date <= ?3)
         ORDER BY date",
    )?;
    let mut rows = stmt.query(params![
        symbol,
        from.map(|d| d.to_string()),
        to.map(|d| d.to_string())
    ])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(DailyBar {
            date: stored_date(r, symbol)?,
            open: r.get(1)?,
            high: r.get(2)?,
            low: r.get(3)?,
            close: r.get(4)?,
            adj_close: r.get(5)?,
            volume: r.get(6)?,
        });
    }
    Ok(out)
}

/// The date in the first column of a stored bar of `symbol`: read in place (no `String` per
/// row) and parsed by `parse_date`'s fast path.
fn stored_date(r: &rusqlite::Row<'_>, symbol: &str) -> Result<Date> {
    let date = r
        .get_ref(0)?
        .as_str()
        .map_err(|e| StoreError::Schema(format!("stored date of {symbol} is not text: {e}")))?;
    parse_date(date)
}

/// Every stored bar of `symbol` as the [`PriceSeries`] that [`PriceSeries::from_bars`] makes
/// of them (format `store`; not validated), read column by column into its vectors: no
/// [`DailyBar`] per row, no bound checked per row.
fn read_series(conn: &Connection, symbol: &str, source: String, ohlv: bool) -> Result<PriceSeries> {
    // The columns in the order `read_bars` reads them (so the same first error).
    let (sql, close_at, adj_at) = if ohlv {
        (
            "SELECT date, open, high, low, close, adj_close, volume FROM bars
             WHERE symbol = ?1 ORDER BY date",
            4,
            5,
        )
    } else {
        (
            "SELECT date, close, adj_close FROM bars WHERE symbol = ?1 ORDER BY date",
            1,
            2,
        )
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([symbol])?;
    let mut dates = Vec::new();
    let (mut close, mut adj) = (Vec::new(), Vec::new());
    // open, high, low, volume: NaN where missing; whether any is present.
    let mut columns: [(Vec<f64>, bool); 4] = Default::default();
    let mut adjusted = true;
    while let Some(r) = rows.next()? {
        dates.push(stored_date(r, symbol)?);
        let mut other = |col: usize, at: usize| -> Result<()> {
            let (values, any) = &mut columns[at];
            let v: Option<f64> = r.get(col)?;
            *any |= v.is_some();
            values.push(v.unwrap_or(f64::NAN));
            Ok(())
        };
        if ohlv {
            (1..4).try_for_each(|col| other(col, col - 1))?;
        }
        let c: f64 = r.get(close_at)?;
        let a: Option<f64> = r.get(adj_at)?;
        if ohlv {
            other(6, 3)?;
        }
        adjusted &= a.is_some();
        close.push(c);
        adj.push(a.unwrap_or(c));
    }
    let adjusted = adjusted && !dates.is_empty();
    let [open, high, low, volume] = columns.map(|(values, any)| any.then_some(values));
    Ok(PriceSeries {
        name: symbol.to_string(),
        source,
        format: "store".into(),
        price_field: if adjusted {
            PriceField::AdjClose
        } else {
            PriceField::Close
        },
        dates,
        price: if adjusted { adj } else { close },
        open,
        high,
        low,
        volume,
    })
}

fn row_instrument(r: &rusqlite::Row<'_>) -> rusqlite::Result<Instrument> {
    Ok(Instrument {
        symbol: r.get(0)?,
        provider: r.get(1)?,
        ticker: r.get(2)?,
        asset_class: AssetClass::from_name(&r.get::<_, String>(3)?),
        calendar: match r.get::<_, String>(4)?.as_str() {
            "every-day" => Calendar::EveryDay,
            _ => Calendar::Weekdays,
        },
        currency: r.get(5)?,
    })
}

fn calendar_name(c: Calendar) -> &'static str {
    match c {
        Calendar::EveryDay => "every-day",
        Calendar::Weekdays => "weekdays",
    }
}

/// A stored date, `YYYY-MM-DD` (as the store writes it): ten bytes read directly, anything
/// else through chrono's parser (the same dates either way).
fn parse_date(s: &str) -> Result<Date> {
    if let Some(d) = ymd(s.as_bytes()) {
        return Ok(d);
    }
    s.parse()
        .map_err(|_| StoreError::Schema(format!("stored date {s:?} is not YYYY-MM-DD")))
}

/// `YYYY-MM-DD` of exactly ten bytes with ASCII digits, or `None` (then the slow path).
fn ymd(b: &[u8]) -> Option<Date> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = b else {
        return None;
    };
    let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = |c: u8| u32::from(c - b'0');
    let year = v(y0) * 1000 + v(y1) * 100 + v(y2) * 10 + v(y3);
    Date::from_ymd_opt(year as i32, v(m0) * 10 + v(m1), v(d0) * 10 + v(d1))
}

fn parse_interval(s: &str) -> Result<Interval> {
    s.parse()
        .map_err(|_| StoreError::Schema(format!("stored interval {s:?} is unknown")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast date reader gives chrono's dates, and leaves anything else to chrono.
    #[test]
    fn stored_dates_read_as_chrono_reads_them() {
        let mut day = d("1899-12-25");
        while day < d("2031-01-10") {
            let s = day.to_string();
            assert_eq!(ymd(s.as_bytes()), Some(day));
            assert_eq!(parse_date(&s).unwrap(), day);
            day = day.succ_opt().unwrap();
        }
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "0000-01-01",
        ] {
            assert_eq!(ymd(bad.as_bytes()), bad.parse::<Date>().ok(), "{bad}");
        }
        for other in ["2024-1-05", "+2024-01-05", "2024-01-0x", "2024/01/05", ""] {
            assert_eq!(ymd(other.as_bytes()), None, "{other}");
            assert_eq!(
                parse_date(other).ok(),
                other.parse::<Date>().ok(),
                "{other}"
            );
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn inst(symbol: &str) -> Instrument {
        Instrument {
            symbol: symbol.into(),
            provider: "yahoo".into(),
            ticker: symbol.into(),
            asset_class: AssetClass::Crypto,
            calendar: Calendar::EveryDay,
            currency: Some("USD".into()),
        }
    }

    fn bar(date: &str, close: f64) -> DailyBar {
        DailyBar {
            date: d(date),
            open: Some(close - 1.0),
            high: Some(close + 1.0),
            low: Some(close - 2.0),
            close,
            adj_close: None,
            volume: Some(1e6),
        }
    }

    #[test]
    fn upsert_is_idempotent_and_counts_revisions() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as u32);
        let i = inst("ETH-USD");
        let bars = vec![bar("2024-01-01", 10.0), bar("2024-01-02", 11.0)];
        let st = s.upsert(&i, &bars, &FetchInfo::now(None, None)).unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (2, 0, 0));
        let st = s.upsert(&i, &bars, &FetchInfo::now(None, None)).unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (0, 0, 2));
        let newer = vec![bar("2024-01-02", 11.5), bar("2024-01-03", 12.0)];
        let st = s.upsert(&i, &newer, &FetchInfo::now(None, None)).unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (1, 1, 0));
        let all = s.bars("ETH-USD", None, None).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].close, 11.5);
        assert_eq!(s.last_date("ETH-USD").unwrap(), Some(d("2024-01-03")));
        let l = s.list().unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(s.listing("ETH-USD").unwrap().as_ref(), l.first());
        assert_eq!(s.listing("NOPE").unwrap(), None);
        assert_eq!(l[0].bars, 3);
        assert_eq!(l[0].first, Some(d("2024-01-01")));
        assert!(l[0].last_refresh.is_some());
        assert_eq!(s.fetch_log(Some("ETH-USD"), 10).unwrap().len(), 3);
        let series = s.series("ETH-USD").unwrap();
        assert_eq!(series.price, vec![10.0, 11.5, 12.0]);
        assert_eq!(series.source, "yahoo:ETH-USD");
        s.integrity_check().unwrap();
    }

    /// `series` reads the columns into the series `from_bars` makes of the bars (missing
    /// values, partial and complete adjusted closes), and `levels` the same without the
    /// opens, highs, lows and volumes.
    #[test]
    fn series_and_levels_read_as_from_bars_makes_them() {
        let mut s = Store::open_in_memory().unwrap();
        let mut gappy = vec![bar("2024-01-01", 10.0), bar("2024-01-02", 11.0)];
        gappy.push(DailyBar::close_only(d("2024-01-03"), 12.0));
        gappy[1].adj_close = Some(10.5);
        gappy[0].high = None;
        let mut adjusted = gappy.clone();
        for (b, a) in adjusted.iter_mut().zip([9.0, 9.5, 10.0]) {
            b.adj_close = Some(a);
        }
        let bare = vec![DailyBar::close_only(d("2024-01-01"), 4.25)];
        for (symbol, bars) in [("GAPPY", gappy), ("ADJ", adjusted), ("BARE", bare)] {
            s.upsert(&inst(symbol), &bars, &FetchInfo::now(None, None))
                .unwrap();
            let want =
                PriceSeries::from_bars(symbol, format!("yahoo:{symbol}"), "store", &bars).unwrap();
            let got = s.series(symbol).unwrap();
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{symbol}");
            let levels = PriceSeries {
                open: None,
                high: None,
                low: None,
                volume: None,
                ..want
            };
            let got = s.levels(symbol).unwrap();
            assert_eq!(format!("{got:?}"), format!("{levels:?}"), "{symbol}");
        }
        assert!(matches!(s.levels("NOPE"), Err(StoreError::NotStored(_))));
    }

    #[test]
    fn missing_values_round_trip_and_compare_equal() {
        let mut s = Store::open_in_memory().unwrap();
        let b = DailyBar::close_only(d("2024-01-01"), 4.25);
        let i = inst("fred:DGS2");
        s.upsert(&i, &[b], &FetchInfo::now(None, None)).unwrap();
        assert_eq!(s.bars("fred:DGS2", None, None).unwrap(), vec![b]);
        let st = s.upsert(&i, &[b], &FetchInfo::now(None, None)).unwrap();
        assert_eq!(st.unchanged, 1);
    }

    #[test]
    fn rejects_unsorted_bars_and_changes_nothing() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X");
        let e = s
            .upsert(
                &i,
                &[bar("2024-01-02", 1.0), bar("2024-01-01", 2.0)],
                &FetchInfo::now(None, None),
            )
            .unwrap_err();
        assert!(e.to_string().contains("2024-01-01"), "{e}");
        assert!(s.instrument("X").unwrap().is_none());
        assert!(matches!(s.series("X"), Err(StoreError::NotStored(_))));
    }

    #[test]
    fn failure_is_logged_without_touching_bars() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X");
        s.upsert(&i, &[bar("2024-01-01", 1.0)], &FetchInfo::now(None, None))
            .unwrap();
        s.log_failure("X", "yahoo", &FetchInfo::now(None, None), "HTTP 500")
            .unwrap();
        let log = s.fetch_log(None, 10).unwrap();
        assert_eq!(log[0].status, "error");
        assert_eq!(log[0].message.as_deref(), Some("HTTP 500"));
        assert_eq!(s.bars("X", None, None).unwrap().len(), 1);
        assert!(s.remove("X").unwrap());
        assert!(s.list().unwrap().is_empty());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/lockstep.db");
        drop(Store::open(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let e = Store::open(&path).unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");
    }

    #[test]
    fn file_store_uses_wal_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lockstep.db");
        {
            let mut s = Store::open(&path).unwrap();
            s.upsert(
                &inst("A"),
                &[bar("2024-01-01", 1.0)],
                &FetchInfo::now(None, None),
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(s.bars("A", None, None).unwrap().len(), 1);
    }
}
