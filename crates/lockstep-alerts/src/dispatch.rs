//! Delivery of recorded alerts to their sinks, with retries.

use std::fmt;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use crate::{
    to_stored, AlertConfig, AlertError, StoredAlert, WebhookConfig, LOG_SINK, WEBHOOK_SINK,
};
use lockstep_store::Store;

/// Backoff of the log sink (it only fails when its writer does).
const LOG_BACKOFF: (u64, u64) = (2, 300);
/// Extra seconds a claimed delivery stays leased beyond the request timeout.
const LEASE_MARGIN_SECS: i64 = 60;

/// The delay before the next attempt after `attempts` failed ones (`attempts >= 1`):
/// `min(base * 2^(attempts - 1), max)` seconds, saturating (so 2, 4, 8, … up to `max` with
/// the defaults). `attempts = 0` gives `min(base, max)`.
pub fn backoff_secs(attempts: u32, base: u64, max: u64) -> u64 {
    let exp = attempts.saturating_sub(1);
    let factor = 1u64.checked_shl(exp).unwrap_or(u64::MAX);
    base.saturating_mul(factor).min(max)
}

/// What one [`Dispatcher::deliver_due`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryStats {
    /// Deliveries that succeeded in this call.
    pub delivered: usize,
    /// Attempts that failed in this call (each is retried later).
    pub failed: usize,
    /// Deliveries still pending after this call (due later or just failed).
    pub pending: usize,
}

/// Delivers pending deliveries to their sinks.
///
/// * **log**: one line `lockstep alert: <message> [<key>]` to stderr (or the writer given to
///   [`Dispatcher::with_log_writer`]), then marked delivered.
/// * **webhook**: a JSON `POST` of the [`StoredAlert`] (without its `deliveries`, so that the
///   body is the same on every attempt) with `Content-Type: application/json`,
///   `Idempotency-Key: <alert key>` and the configured extra headers. A `2xx` answer is
///   delivered; anything else (connection refused, timeout, a redirect, `4xx`, `5xx`) is a
///   failed attempt.
///
/// A failed attempt counts one more attempt, records its error and is retried no earlier than
/// `now + backoff_secs(attempts, base, max)`; a delivery is never dropped. A delivery is
/// marked delivered in its own transaction after the sink accepted it, so a restarted process
/// never sends it again.
///
/// **Exactly once, and its limit**: alerts are stored once (unique key) and each sink's
/// delivery is marked delivered once. A process that crashes (or loses the store) between a
/// successful POST and that commit sends the alert again after restarting: delivery is
/// at-least-once across such a crash. The `Idempotency-Key` header (the alert's stable key)
/// lets a receiver drop the duplicate. Before an attempt the delivery is *claimed* (its next
/// attempt moved past the request timeout), so two processes delivering from one store at the
/// same time do not both send it.
pub struct Dispatcher {
    webhook: Option<WebhookConfig>,
    agent: ureq::Agent,
    log: Mutex<Box<dyn Write + Send>>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("webhook", &self.webhook)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher for `config`'s webhook (if any), logging to stderr. Log deliveries
    /// already recorded are delivered even when `config.log` is now off; webhook deliveries
    /// recorded while a webhook was configured keep failing (and waiting) until one is.
    pub fn new(config: &AlertConfig) -> Dispatcher {
        let timeout = config
            .webhook
            .as_ref()
            .map_or(10, |w| w.timeout_secs.max(1));
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(timeout))
            .redirects(0)
            .build();
        Dispatcher {
            webhook: config.webhook.clone(),
            agent,
            log: Mutex::new(Box::new(std::io::stderr())),
        }
    }

    /// Write log-sink lines to `w` instead of stderr.
    pub fn with_log_writer(mut self, w: impl Write + Send + 'static) -> Dispatcher {
        self.log = Mutex::new(Box::new(w));
        self
    }

    /// Deliver every pending delivery whose next attempt is due at `now` (unix seconds); see
    /// the type documentation. Errors only for the store; sink failures are recorded and
    /// counted in [`DeliveryStats::failed`].
    pub fn deliver_due(&self, store: &mut Store, now: i64) -> Result<DeliveryStats, AlertError> {
        let mut stats = DeliveryStats::default();
        for d in store.pending_deliveries(now)? {
            // From the later of `now` and the clock: this loop may have run for a while.
            let lease = now
                .max(crate::unix_now())
                .saturating_add(self.timeout_secs())
                .saturating_add(LEASE_MARGIN_SECS);
            if !store.claim_delivery(d.alert_id, &d.sink, now, lease)? {
                continue; // delivered or claimed by another process meanwhile
            }
            let Some(row) = store.alert(d.alert_id)? else {
                continue;
            };
            let alert = to_stored(row)?;
            let (result, (base, max)) = match d.sink.as_str() {
                LOG_SINK => (self.log_line(&alert), LOG_BACKOFF),
                WEBHOOK_SINK => match &self.webhook {
                    Some(w) => (
                        self.post(w, &alert).map_err(|e| e.to_string()),
                        (w.backoff_base_secs, w.backoff_max_secs),
                    ),
                    None => (Err("no webhook is configured".to_string()), LOG_BACKOFF),
                },
                other => (Err(format!("unknown sink {other:?}")), LOG_BACKOFF),
            };
            match result {
                Ok(()) => {
                    store.mark_delivered(d.alert_id, &d.sink, now)?;
                    stats.delivered += 1;
                }
                Err(e) => {
                    let delay = backoff_secs(d.attempts.saturating_add(1), base, max);
                    let next = now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
                    store.mark_failed(d.alert_id, &d.sink, &e, next)?;
                    stats.failed += 1;
                }
            }
        }
        stats.pending = store.pending_delivery_count()?;
        Ok(stats)
    }

    fn timeout_secs(&self) -> i64 {
        self.webhook
            .as_ref()
            .map_or(10, |w| i64::try_from(w.timeout_secs).unwrap_or(i64::MAX))
    }

    fn log_line(&self, a: &StoredAlert) -> Result<(), String> {
        let mut w = self.log.lock().unwrap_or_else(|e| e.into_inner());
        writeln!(w, "lockstep alert: {} [{}]", a.message, a.key)
            .and_then(|()| w.flush())
            .map_err(|e| format!("log: {e}"))
    }

    fn post(&self, w: &WebhookConfig, a: &StoredAlert) -> Result<(), AlertError> {
        let body = webhook_body(a).map_err(|e| AlertError::Http(e.to_string()))?;
        let mut req = self.agent.post(&w.url);
        for (k, v) in &w.headers {
            req = req.set(k, v);
        }
        let req = req
            .set("Content-Type", "application/json")
            .set("Idempotency-Key", &a.key);
        let err = match req.send_string(&body) {
            Ok(r) if (200..300).contains(&r.status()) => return Ok(()),
            Ok(r) => format!("HTTP {} {}", r.status(), r.status_text()),
            Err(ureq::Error::Status(code, r)) => {
                let text = r.status_text().to_string();
                let body = r.into_string().unwrap_or_default();
                let body: String = body.trim().chars().take(200).collect();
                if body.is_empty() {
                    format!("HTTP {code} {text}")
                } else {
                    format!("HTTP {code} {text}: {body}")
                }
            }
            Err(ureq::Error::Transport(t)) => t.to_string(),
        };
        Err(AlertError::Http(err))
    }
}

/// The JSON body of a webhook POST: the [`StoredAlert`] without `deliveries`.
pub fn webhook_body(a: &StoredAlert) -> Result<String, serde_json::Error> {
    let mut v = serde_json::to_value(a)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("deliveries");
    }
    serde_json::to_string(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatcher_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Dispatcher>();
    }

    #[test]
    fn backoff_schedule() {
        let s: Vec<u64> = (1..=10).map(|n| backoff_secs(n, 2, 300)).collect();
        assert_eq!(s, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff_secs(0, 2, 300), 2);
        assert_eq!(backoff_secs(1, 5, 3), 3);
        assert_eq!(backoff_secs(64, 2, 300), 300);
        assert_eq!(backoff_secs(u32::MAX, 2, u64::MAX), u64::MAX);
        assert_eq!(backoff_secs(3, 0, 300), 0);
    }
}
