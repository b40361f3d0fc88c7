//! Alerts of Lockstep: notice when a pair's signal rules turn on or off, or its rolling
//! correlation crosses a threshold, record each alert once in the local store, and deliver it
//! to every configured sink (log, webhook) once, retrying failures with backoff.
//!
//! The pieces, in the order a caller runs them:
//! 1. [`detect_since`] — a pure function of a [`lockstep_report::Report`] (and its
//!    [`SignalsReport`](lockstep_report::signals_view::SignalsReport)): the transitions after a
//!    date (or at the latest date), each with a deterministic key.
//! 2. [`record`] — store the events (`INSERT … ON CONFLICT(key) DO NOTHING`) and enqueue one
//!    pending delivery per sink, in one transaction; returns only the newly stored ones, so
//!    running detection again (another refresh, a restart) stores and sends nothing new.
//! 3. [`Dispatcher::deliver_due`] — send every due pending delivery; see [`Dispatcher`] for
//!    the exactly-once guarantee and its one limit (a crash between a successful POST and its
//!    commit re-sends; receivers dedupe with the `Idempotency-Key` header).
//! 4. [`list`] — the stored alerts with their delivery states, for an API or a CLI.
//!
//! [`check`] runs 1 and 2 for one pair from where its previous check stopped (kept in the
//! store), so transitions that happen while nothing is checking are found at the next check.
#![forbid(unsafe_code)]

mod config;
mod detect;
mod dispatch;

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use config::{AlertConfig, WebhookConfig, LOG_SINK, WEBHOOK_SINK};
pub use detect::{alert_key, detect, detect_since, AlertEvent, AlertKind, Direction};
pub use dispatch::{backoff_secs, webhook_body, DeliveryStats, Dispatcher};
use lockstep_core::Date;
use lockstep_report::signals_view::SignalsReport;
use lockstep_report::Report;
use lockstep_store::{AlertRow, DeliveryRow, NewAlert, Store};

/// Errors of alerts.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] lockstep_store::StoreError),
    /// A webhook attempt failed (connection, timeout or a non-2xx answer). The dispatcher
    /// records it as the delivery's `last_error` and retries; it is not returned.
    #[error("webhook: {0}")]
    Http(String),
    /// The configuration is invalid.
    #[error("alert config: {0}")]
    Config(String),
    /// A stored alert has a kind or direction this version does not know.
    #[error("stored alert {id}: {message}")]
    Stored {
        /// The alert's row id.
        id: i64,
        /// What is wrong.
        message: String,
    },
}

/// The delivery of an alert to one sink, as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryStatus {
    /// `log` or `webhook`.
    pub sink: String,
    /// `pending` or `delivered`.
    pub status: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When it was delivered (unix seconds).
    pub delivered_at: Option<i64>,
    /// When the next attempt is due (unix seconds); `None` once delivered.
    pub next_attempt_at: Option<i64>,
}

/// A stored alert, as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredAlert {
    /// Row id (increasing).
    pub id: i64,
    /// Deterministic identity (see [`AlertEvent::key`]); the webhook's `Idempotency-Key`.
    pub key: String,
    /// The pair.
    pub pair: String,
    /// Rule or correlation.
    pub kind: AlertKind,
    /// Rule name or `corr_<window>`.
    pub subject: String,
    /// On/Off/Up/Down.
    pub direction: Direction,
    /// The date of the transition.
    pub date: Date,
    /// The correlation (correlation alerts).
    pub value: Option<f64>,
    /// The threshold crossed (correlation alerts).
    pub threshold: Option<f64>,
    /// The transition in plain words.
    pub message: String,
    /// When it was recorded (RFC 3339, UTC).
    pub created_at: String,
    /// One delivery per sink.
    pub deliveries: Vec<DeliveryStatus>,
}

/// The current time in unix seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Record `events` in the store, idempotent by key (an event whose key is stored is ignored),
/// and enqueue one pending delivery per sink of `config` ([`AlertConfig::sinks`]), due now;
/// all in one transaction. Returns the newly recorded alerts.
pub fn record(
    store: &mut Store,
    events: &[AlertEvent],
    config: &AlertConfig,
) -> Result<Vec<StoredAlert>, AlertError> {
    record_at(store, events, config, unix_now())
}

/// [`record`] with deliveries first due at `now` (unix seconds) instead of the clock.
pub fn record_at(
    store: &mut Store,
    events: &[AlertEvent],
    config: &AlertConfig,
    now: i64,
) -> Result<Vec<StoredAlert>, AlertError> {
    let rows: Vec<NewAlert> = events
        .iter()
        .map(|e| NewAlert {
            key: e.key.clone(),
            pair: e.pair.clone(),
            kind: e.kind.name().to_string(),
            subject: e.subject.clone(),
            direction: e.direction.name().to_string(),
            date: e.date,
            value: e.value,
            threshold: e.threshold,
            message: e.message.clone(),
        })
        .collect();
    let ids = store.insert_alerts(&rows, &config.sinks(), now)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = store.alert(id)? {
            out.push(to_stored(row)?);
        }
    }
    Ok(out)
}

/// Detect `pair`'s transitions dated after its previous check (only those of the latest date
/// on its first check, so a new watchlist entry does not replay its history), record them
/// ([`record`]), then move the check to the report's latest date. A transition that happened
/// while nothing was checking (the server stopped for days) is therefore found at the next
/// check; one already recorded is not recorded again (the key), and a crash between the two
/// steps only makes the next check look at the same dates again.
pub fn check(
    store: &mut Store,
    pair: &str,
    report: &Report,
    signals: Option<&SignalsReport>,
    config: &AlertConfig,
) -> Result<Vec<StoredAlert>, AlertError> {
    let since = store.alert_check(pair)?;
    let events = detect_since(pair, report, signals, config, since);
    let stored = record(store, &events, config)?;
    let through = report
        .series
        .dates
        .last()
        .into_iter()
        .chain(signals.and_then(|s| s.evaluation.dates.last()))
        .max();
    if let Some(&t) = through {
        store.set_alert_check(pair, t)?;
    }
    Ok(stored)
}

/// Stored alerts, newest first (by date, then id): of one pair or all, dated on or after
/// `since`, at most `limit`.
pub fn list(
    store: &Store,
    pair: Option<&str>,
    since: Option<Date>,
    limit: usize,
) -> Result<Vec<StoredAlert>, AlertError> {
    store
        .alerts(pair, since, limit)?
        .into_iter()
        .map(to_stored)
        .collect()
}

/// The stored alert under `key`, if any.
pub fn get(store: &Store, key: &str) -> Result<Option<StoredAlert>, AlertError> {
    store.alert_by_key(key)?.map(to_stored).transpose()
}

fn to_status(d: DeliveryRow) -> DeliveryStatus {
    DeliveryStatus {
        sink: d.sink,
        status: d.status,
        attempts: d.attempts,
        last_error: d.last_error,
        delivered_at: d.delivered_at,
        next_attempt_at: d.next_attempt_at,
    }
}

pub(crate) fn to_stored(r: AlertRow) -> Result<StoredAlert, AlertError> {
    let bad = |what: &str, v: &str| AlertError::Stored {
        id: r.id,
        message: format!("unknown {what} {v:?}"),
    };
    let kind = AlertKind::from_name(&r.kind).ok_or_else(|| bad("kind", &r.kind))?;
    let direction =
        Direction::from_name(&r.direction).ok_or_else(|| bad("direction", &r.direction))?;
    Ok(StoredAlert {
        id: r.id,
        key: r.key,
        pair: r.pair,
        kind,
        subject: r.subject,
        direction,
        date: r.date,
        value: r.value,
        threshold: r.threshold,
        message: r.message,
        created_at: r.created_at,
        deliveries: r.deliveries.into_iter().map(to_status).collect(),
    })
}
