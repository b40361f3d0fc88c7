//! The `alerts` and `alert_deliveries` tables (schema version 2), and `alert_checks` (3): the
//! date each pair's alerts were last detected through.
//!
//! The store knows nothing of what an alert means: kinds, directions and sinks are plain
//! strings chosen by `lockstep-alerts`. It guarantees the bookkeeping:
//! * an alert is stored once — its `key` is unique and inserting a known key does nothing;
//! * a new alert gets one `pending` delivery per sink, in the same transaction;
//! * a delivery is marked `delivered` once (only a pending one changes), and a failure counts
//!   an attempt and sets the next attempt time without ever dropping the delivery.
//!
//! Times of deliveries are unix seconds; `created_at` is RFC 3339 (UTC) like the rest of the
//! store.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::{now, parse_date, Result, Store};
use lockstep_core::Date;

/// An alert to insert with [`Store::insert_alerts`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewAlert {
    /// Unique, deterministic identity of the alert.
    pub key: String,
    /// The pair, e.g. `ETH-USD/^RUT`.
    pub pair: String,
    /// What the alert is about (e.g. `rule`, `correlation`).
    pub kind: String,
    /// The rule or measure (e.g. a rule name, `corr_90`).
    pub subject: String,
    /// The direction of the transition (e.g. `on`, `off`, `up`, `down`).
    pub direction: String,
    /// The date of the transition.
    pub date: Date,
    /// The measured value, if any.
    pub value: Option<f64>,
    /// The threshold crossed, if any.
    pub threshold: Option<f64>,
    /// A message in plain words.
    pub message: String,
}

/// One delivery of an alert to one sink.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryRow {
    /// The alert's row id.
    pub alert_id: i64,
    /// The sink (e.g. `log`, `webhook`).
    pub sink: String,
    /// `pending` or `delivered`.
    pub status: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (unix seconds); `None` once delivered.
    pub next_attempt_at: Option<i64>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When it was delivered (unix seconds).
    pub delivered_at: Option<i64>,
}

/// A stored alert with its deliveries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRow {
    /// Row id (increasing).
    pub id: i64,
    /// Unique identity.
    pub key: String,
    /// The pair.
    pub pair: String,
    /// Kind.
    pub kind: String,
    /// Rule or measure.
    pub subject: String,
    /// Direction.
    pub direction: String,
    /// Date of the transition.
    pub date: Date,
    /// Measured value.
    pub value: Option<f64>,
    /// Threshold crossed.
    pub threshold: Option<f64>,
    /// Message.
    pub message: String,
    /// When it was stored (RFC 3339, UTC).
    pub created_at: String,
    /// Its deliveries, by sink.
    pub deliveries: Vec<DeliveryRow>,
}

const ALERT_COLUMNS: &str =
    "id, key, pair, kind, subject, direction, date, value, threshold, message, created_at";
const DELIVERY_COLUMNS: &str =
    "alert_id, sink, status, attempts, next_attempt_at, last_error, delivered_at";

fn row_alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AlertRow, String)> {
    Ok((
        AlertRow {
            id: r.get(0)?,
            key: r.get(1)?,
            pair: r.get(2)?,
            kind: r.get(3)?,
            subject: r.get(4)?,
            direction: r.get(5)?,
            date: Date::MIN,
            value: r.get(7)?,
            threshold: r.get(8)?,
            message: r.get(9)?,
            created_at: r.get(10)?,
            deliveries: Vec::new(),
        },
        r.get(6)?,
    ))
}

fn row_delivery(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        alert_id: r.get(0)?,
        sink: r.get(1)?,
        status: r.get(2)?,
        attempts: r.get(3)?,
        next_attempt_at: r.get(4)?,
        last_error: r.get(5)?,
        delivered_at: r.get(6)?,
    })
}

impl Store {
    /// Insert `alerts` in one transaction; an alert whose key is already stored is left
    /// alone. Each newly stored alert gets one pending delivery per sink of `sinks`, due at
    /// `now` (unix seconds). Returns the row ids of the newly stored alerts, in input order.
    pub fn insert_alerts(
        &mut self,
        alerts: &[NewAlert],
        sinks: &[&str],
        now_unix: i64,
    ) -> Result<Vec<i64>> {
        let created_at = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ids = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO alerts (key, pair, kind, subject, direction, date, value, threshold,
                                     message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(key) DO NOTHING RETURNING id",
            )?;
            let mut deliver = tx.prepare_cached(
                "INSERT INTO alert_deliveries (alert_id, sink, status, attempts, next_attempt_at)
                 VALUES (?1, ?2, 'pending', 0, ?3)",
            )?;
            for a in alerts {
                let id: Option<i64> = insert
                    .query_row(
                        params![
                            a.key,
                            a.pair,
                            a.kind,
                            a.subject,
                            a.direction,
                            a.date.to_string(),
                            a.value.filter(|v| v.is_finite()),
                            a.threshold.filter(|v| v.is_finite()),
                            a.message,
                            created_at,
                        ],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = id {
                    for sink in sinks {
                        deliver.execute(params![id, sink, now_unix])?;
                    }
                    ids.push(id);
                }
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The alert with row id `id`, with its deliveries.
    pub fn alert(&self, id: i64) -> Result<Option<AlertRow>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1");
        let row = self.conn.query_row(&sql, [id], row_alert).optional()?;
        row.map(|r| self.finish_alert(r)).transpose()
    }

    /// The alert stored under `key`, with its deliveries.
    pub fn alert_by_key(&self, key: &str) -> Result<Option<AlertRow>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE key = ?1");
        let row = self.conn.query_row(&sql, [key], row_alert).optional()?;
        row.map(|r| self.finish_alert(r)).transpose()
    }

    /// Stored alerts, newest first (by date, then row id), for one pair or all, on or after
    /// `since`, at most `limit`.
    pub fn alerts(
        &self,
        pair: Option<&str>,
        since: Option<Date>,
        limit: usize,
    ) -> Result<Vec<AlertRow>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
             WHERE (?1 IS NULL OR pair = ?1) AND (?2 IS NULL OR date >= ?2)
             ORDER BY date DESC, id DESC LIMIT ?3"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(
                params![
                    pair,
                    since.map(|d| d.to_string()),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                row_alert,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|r| self.finish_alert(r)).collect()
    }

    fn finish_alert(&self, (mut a, date): (AlertRow, String)) -> Result<AlertRow> {
        a.date = parse_date(&date)?;
        a.deliveries = self.deliveries(a.id)?;
        Ok(a)
    }

    /// The deliveries of alert `alert_id`, by sink.
    pub fn deliveries(&self, alert_id: i64) -> Result<Vec<DeliveryRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE alert_id = ?1 ORDER BY sink"
        ))?;
        let rows = stmt.query_map([alert_id], row_delivery)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The pending deliveries due at `now` (next attempt at or before it), oldest due first.
    pub fn pending_deliveries(&self, now_unix: i64) -> Result<Vec<DeliveryRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries
             WHERE status = 'pending' AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, alert_id, sink"
        ))?;
        let rows = stmt.query_map([now_unix], row_delivery)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The last date `pair`'s alerts were detected through (see [`Store::set_alert_check`]).
    pub fn alert_check(&self, pair: &str) -> Result<Option<Date>> {
        let through: Option<String> = self
            .conn
            .query_row(
                "SELECT through FROM alert_checks WHERE pair = ?1",
                [pair],
                |r| r.get(0),
            )
            .optional()?;
        through.as_deref().map(parse_date).transpose()
    }

    /// Record that `pair`'s alerts have been detected (and recorded) through `through`. It
    /// never moves back: an older date leaves the stored one.
    pub fn set_alert_check(&mut self, pair: &str, through: Date) -> Result<()> {
        self.conn.execute(
            "INSERT INTO alert_checks (pair, through) VALUES (?1, ?2)
             ON CONFLICT(pair) DO UPDATE SET through = max(through, excluded.through)",
            params![pair, through.to_string()],
        )?;
        Ok(())
    }

    /// When the earliest pending delivery is due (unix seconds), if any is pending.
    pub fn next_pending_attempt(&self) -> Result<Option<i64>> {
        let t: Option<i64> = self.conn.query_row(
            "SELECT MIN(next_attempt_at) FROM alert_deliveries WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(t)
    }

    /// How many deliveries are pending (due or not).
    pub fn pending_delivery_count(&self) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM alert_deliveries WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Claim a due pending delivery for an attempt: move its next attempt to `lease_until` so
    /// that another process running deliveries at the same time skips it (and a process that
    /// dies during the attempt leaves it to be retried after the lease). Returns whether the
    /// delivery was still pending and due at `now` (and is now claimed).
    pub fn claim_delivery(
        &mut self,
        alert_id: i64,
        sink: &str,
        now_unix: i64,
        lease_until: i64,
    ) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE alert_deliveries SET next_attempt_at = ?4
             WHERE alert_id = ?1 AND sink = ?2 AND status = 'pending' AND next_attempt_at <= ?3",
            params![alert_id, sink, now_unix, lease_until],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// Mark a pending delivery delivered at `now` (unix seconds), in one transaction. Returns
    /// whether it was pending (a delivered one is never changed).
    pub fn mark_delivered(&mut self, alert_id: i64, sink: &str, now_unix: i64) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE alert_deliveries
             SET status = 'delivered', delivered_at = ?3, next_attempt_at = NULL
             WHERE alert_id = ?1 AND sink = ?2 AND status = 'pending'",
            params![alert_id, sink, now_unix],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// Record a failed attempt of a pending delivery: one more attempt, its error, and the
    /// next attempt at `next_attempt_at` (unix seconds). Returns whether it was pending.
    pub fn mark_failed(
        &mut self,
        alert_id: i64,
        sink: &str,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE alert_deliveries
             SET attempts = attempts + 1, last_error = ?3, next_attempt_at = ?4
             WHERE alert_id = ?1 AND sink = ?2 AND status = 'pending'",
            params![alert_id, sink, error, next_attempt_at],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MIGRATIONS;
    use rusqlite::Connection;

    fn alert(key: &str, date: &str) -> NewAlert {
        NewAlert {
            key: key.into(),
            pair: "A/B".into(),
            kind: "correlation".into(),
            subject: "corr_90".into(),
            direction: "up".into(),
            date: date.parse().unwrap(),
            value: Some(0.53),
            threshold: Some(0.5),
            message: "A/B: 90-day correlation crossed above 0.50 (0.53)".into(),
        }
    }

    #[test]
    fn alert_checks_only_move_forward() {
        let mut s = Store::open_in_memory().unwrap();
        let d = |x: &str| x.parse::<Date>().unwrap();
        assert_eq!(s.alert_check("A/B").unwrap(), None);
        s.set_alert_check("A/B", d("2026-05-20")).unwrap();
        s.set_alert_check("A/B", d("2026-05-18")).unwrap();
        assert_eq!(s.alert_check("A/B").unwrap(), Some(d("2026-05-20")));
        s.set_alert_check("A/B", d("2026-05-21")).unwrap();
        assert_eq!(s.alert_check("A/B").unwrap(), Some(d("2026-05-21")));
        assert_eq!(s.alert_check("C/D").unwrap(), None);
    }

    #[test]
    fn alerts_are_stored_once_with_one_delivery_per_sink() {
        let mut s = Store::open_in_memory().unwrap();
        let ids = s
            .insert_alerts(
                &[alert("k1", "2024-01-02"), alert("k2", "2024-01-03")],
                &["log", "webhook"],
                100,
            )
            .unwrap();
        assert_eq!(ids.len(), 2);
        let again = s
            .insert_alerts(
                &[alert("k1", "2024-01-02"), alert("k3", "2024-01-01")],
                &["log"],
                200,
            )
            .unwrap();
        assert_eq!(again.len(), 1, "k1 is not stored twice");
        let all = s.alerts(None, None, 10).unwrap();
        assert_eq!(
            all.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(),
            ["k2", "k1", "k3"]
        );
        let k1 = s.alert_by_key("k1").unwrap().unwrap();
        assert_eq!(k1.deliveries.len(), 2);
        assert_eq!(k1.value, Some(0.53));
        assert_eq!(s.alert(k1.id).unwrap().unwrap(), k1);
        assert_eq!(
            s.alerts(Some("A/B"), Some("2024-01-02".parse().unwrap()), 10)
                .unwrap()
                .len(),
            2
        );
        assert!(s.alerts(Some("X/Y"), None, 10).unwrap().is_empty());
        assert_eq!(s.alerts(None, None, 1).unwrap().len(), 1);
        assert_eq!(s.pending_delivery_count().unwrap(), 5);
        assert_eq!(s.pending_deliveries(99).unwrap().len(), 0);
        assert_eq!(s.pending_deliveries(100).unwrap().len(), 4);
        assert_eq!(s.pending_deliveries(200).unwrap().len(), 5);
    }

    #[test]
    fn deliveries_fail_retry_and_are_delivered_once() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .insert_alerts(&[alert("k", "2024-01-02")], &["webhook"], 10)
            .unwrap()[0];
        assert!(s.claim_delivery(id, "webhook", 10, 50).unwrap());
        assert!(!s.claim_delivery(id, "webhook", 10, 50).unwrap(), "leased");
        assert!(s.mark_failed(id, "webhook", "HTTP 500", 12).unwrap());
        let d = &s.deliveries(id).unwrap()[0];
        assert_eq!((d.attempts, d.next_attempt_at), (1, Some(12)));
        assert_eq!(d.last_error.as_deref(), Some("HTTP 500"));
        assert!(s.pending_deliveries(11).unwrap().is_empty());
        assert_eq!(s.pending_deliveries(12).unwrap().len(), 1);
        assert!(s.mark_delivered(id, "webhook", 13).unwrap());
        assert!(!s.mark_delivered(id, "webhook", 14).unwrap());
        assert!(!s.mark_failed(id, "webhook", "late", 20).unwrap());
        let d = &s.deliveries(id).unwrap()[0];
        assert_eq!(d.status, "delivered");
        assert_eq!((d.attempts, d.delivered_at), (1, Some(13)));
        assert_eq!(d.next_attempt_at, None);
        assert_eq!(s.pending_delivery_count().unwrap(), 0);
        assert!(s.pending_deliveries(i64::MAX).unwrap().is_empty());
    }

    #[test]
    fn a_version_1_database_migrates_forward() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // A database as Lockstep with schema version 1 left it, with data.
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            c.execute(
                "INSERT INTO instruments VALUES ('A', 'yahoo', 'A', 'equity', 'weekdays', NULL)",
                [],
            )
            .unwrap();
            c.execute(
                "INSERT INTO bars (symbol, date, close, provider, fetched_at)
                 VALUES ('A', '2024-01-02', 10.5, 'yahoo', '2024-01-03T00:00:00Z')",
                [],
            )
            .unwrap();
        }
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as u32);
        assert_eq!(s.bars("A", None, None).unwrap()[0].close, 10.5);
        s.insert_alerts(&[alert("k", "2024-01-02")], &["log"], 1)
            .unwrap();
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.alerts(None, None, 10).unwrap().len(), 1);
        s.integrity_check().unwrap();
    }
}
