//! End to end: detect → record → deliver to a local webhook receiver, across restarts,
//! failures and backoff.

mod common;

use std::sync::{Arc, Barrier};

use common::*;
use lockstep_alerts::{
    detect, list, record, record_at, AlertConfig, AlertEvent, Dispatcher, WebhookConfig,
};
use lockstep_store::Store;

fn crossing_events() -> Vec<AlertEvent> {
    let r = report_with_corr(20, &[Some(0.3), Some(0.42), Some(0.53)]);
    let ev = detect("ETH-USD/^RUT", &r, None, &AlertConfig::default());
    assert_eq!(ev.len(), 1);
    ev
}

fn config(url: String, log: bool) -> AlertConfig {
    AlertConfig {
        webhook: Some(WebhookConfig {
            timeout_secs: 1,
            ..WebhookConfig::new(url)
        }),
        log,
        ..AlertConfig::default()
    }
}

#[test]
fn fired_alert_is_posted_once_and_not_again_after_a_restart() {
    let rx = Receiver::start(0, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lockstep.db");
    let mut cfg = config(rx.url(), true);
    cfg.webhook
        .as_mut()
        .unwrap()
        .headers
        .insert("X-Token".into(), "secret".into());
    let log = SharedLog::default();
    let t0 = 1_800_000_000;
    {
        let mut store = Store::open(&path).unwrap();
        let events = crossing_events();
        let new = record_at(&mut store, &events, &cfg, t0).unwrap();
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].deliveries.len(), 2);
        assert!(new[0].deliveries.iter().all(|d| d.status == "pending"));
        let dispatcher = Dispatcher::new(&cfg).with_log_writer(log.clone());
        let st = dispatcher.deliver_due(&mut store, t0).unwrap();
        assert_eq!((st.delivered, st.failed, st.pending), (2, 0, 0));

        let reqs = rx.requests();
        assert_eq!(reqs.len(), 1);
        let q = &reqs[0];
        assert_eq!((q.method.as_str(), q.path.as_str()), ("POST", "/hook"));
        assert_eq!(q.header("Idempotency-Key"), Some(events[0].key.as_str()));
        assert_eq!(q.header("Content-Type"), Some("application/json"));
        assert_eq!(q.header("X-Token"), Some("secret"));
        let body: serde_json::Value = serde_json::from_str(&q.body).unwrap();
        assert_eq!(body["id"], new[0].id);
        assert_eq!(body["key"], events[0].key);
        assert_eq!(body["pair"], "ETH-USD/^RUT");
        assert_eq!(body["kind"], "correlation");
        assert_eq!(body["subject"], "corr_20");
        assert_eq!(body["direction"], "up");
        assert_eq!(body["date"], events[0].date.to_string());
        assert_eq!(body["value"], 0.53);
        assert_eq!(body["threshold"], 0.5);
        assert_eq!(body["message"], events[0].message);
        assert!(body["created_at"].is_string());
        assert!(body.get("deliveries").is_none());

        assert_eq!(
            log.lines(),
            [format!(
                "lockstep alert: {} [{}]",
                events[0].message, events[0].key
            )]
        );
        // Nothing more to do.
        let st = dispatcher.deliver_due(&mut store, t0 + 10).unwrap();
        assert_eq!((st.delivered, st.failed, st.pending), (0, 0, 0));
    }
    // "Restart": a new process opens the same file and runs the same pipeline.
    {
        let mut store = Store::open(&path).unwrap();
        let events = crossing_events();
        assert!(record(&mut store, &events, &cfg).unwrap().is_empty());
        let dispatcher = Dispatcher::new(&cfg).with_log_writer(log.clone());
        let st = dispatcher.deliver_due(&mut store, t0 + 1000).unwrap();
        assert_eq!((st.delivered, st.failed, st.pending), (0, 0, 0));
        let all = list(&store, Some("ETH-USD/^RUT"), None, 10).unwrap();
        assert_eq!(all.len(), 1);
        for d in &all[0].deliveries {
            assert_eq!(
                (d.status.as_str(), d.attempts, d.delivered_at),
                ("delivered", 0, Some(t0)),
                "{d:?}"
            );
        }
        assert!(list(&store, Some("X/Y"), None, 10).unwrap().is_empty());
    }
    assert_eq!(rx.requests().len(), 1);
    assert_eq!(log.lines().len(), 1);
}

#[test]
fn receiver_down_then_failing_then_back_is_delivered_exactly_once() {
    let port = lockstep_testkit::reserved_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let cfg = config(url, false);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lockstep.db");
    let t0 = 1_800_000_000;
    let events = crossing_events();
    let key = events[0].key.clone();
    let webhook = |store: &Store| {
        let a = list(store, None, None, 10).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].deliveries.len(), 1);
        a[0].deliveries[0].clone()
    };

    let mut store = Store::open(&path).unwrap();
    record_at(&mut store, &events, &cfg, t0).unwrap();
    let dispatcher = Dispatcher::new(&cfg);

    // 1. Nothing listens: connection refused → attempt 1, retry in 2 s.
    let st = dispatcher.deliver_due(&mut store, t0).unwrap();
    assert_eq!((st.delivered, st.failed, st.pending), (0, 1, 1));
    let d = webhook(&store);
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_at, Some(t0 + 2));
    assert!(d.last_error.as_deref().is_some_and(|e| !e.is_empty()));

    // 2. The receiver is up but answers 500; before the next attempt is due nothing is sent.
    let rx = Receiver::start(port, 500);
    let st = dispatcher.deliver_due(&mut store, t0 + 1).unwrap();
    assert_eq!((st.delivered, st.failed, st.pending), (0, 0, 1));
    assert_eq!(rx.requests().len(), 0);
    let st = dispatcher.deliver_due(&mut store, t0 + 2).unwrap();
    assert_eq!((st.delivered, st.failed, st.pending), (0, 1, 1));
    assert_eq!(rx.requests().len(), 1);
    let d = webhook(&store);
    assert_eq!(d.attempts, 2);
    assert_eq!(d.next_attempt_at, Some(t0 + 2 + 4));
    assert!(d.last_error.as_deref().unwrap().contains("500"), "{d:?}");

    // 3. Restart while pending: the delivery is still there, still waiting for its time.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert!(record(&mut store, &events, &cfg).unwrap().is_empty());
    let dispatcher = Dispatcher::new(&cfg);
    let st = dispatcher.deliver_due(&mut store, t0 + 5).unwrap();
    assert_eq!((st.delivered, st.failed, st.pending), (0, 0, 1));
    assert_eq!(rx.requests().len(), 1);

    // 4. The receiver is back: delivered once.
    rx.set_status(200);
    let st = dispatcher.deliver_due(&mut store, t0 + 6).unwrap();
    assert_eq!((st.delivered, st.failed, st.pending), (1, 0, 0));
    let d = webhook(&store);
    assert_eq!((d.status.as_str(), d.attempts), ("delivered", 2));
    assert_eq!((d.delivered_at, d.next_attempt_at), (Some(t0 + 6), None));

    // 5. Never again.
    for now in [t0 + 6, t0 + 10_000] {
        let st = dispatcher.deliver_due(&mut store, now).unwrap();
        assert_eq!((st.delivered, st.failed, st.pending), (0, 0, 0));
    }
    let reqs = rx.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(rx.successes(), 1);
    // Every attempt carried the same key and the same body.
    assert!(reqs
        .iter()
        .all(|q| q.header("Idempotency-Key") == Some(key.as_str())));
    assert_eq!(reqs[0].body, reqs[1].body);
}

#[test]
fn a_receiver_that_does_not_answer_times_out_and_is_retried() {
    let rx = Receiver::start(0, 0);
    let cfg = config(rx.url(), false);
    let mut store = Store::open_in_memory().unwrap();
    let t0 = 1_800_000_000;
    record_at(&mut store, &crossing_events(), &cfg, t0).unwrap();
    let started = std::time::Instant::now();
    let st = Dispatcher::new(&cfg).deliver_due(&mut store, t0).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!((st.delivered, st.failed, st.pending), (0, 1, 1));
    let a = &list(&store, None, None, 1).unwrap()[0];
    assert_eq!(a.deliveries[0].attempts, 1);
    assert_eq!(a.deliveries[0].next_attempt_at, Some(t0 + 2));
}

#[test]
fn two_dispatchers_on_one_store_send_once() {
    let rx = Receiver::start(0, 200);
    let cfg = config(rx.url(), false);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lockstep.db");
    let t0 = 1_800_000_000;
    let mut events = crossing_events();
    // A few distinct alerts.
    for i in 1..5 {
        let mut e = events[0].clone();
        e.key = format!("{}#{i}", e.key);
        events.push(e);
    }
    record_at(&mut Store::open(&path).unwrap(), &events, &cfg, t0).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (path, cfg, barrier) = (path.clone(), cfg.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let d = Dispatcher::new(&cfg);
                barrier.wait();
                d.deliver_due(&mut store, t0).unwrap().delivered
            })
        })
        .collect();
    let delivered: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(delivered, 5);
    assert_eq!(rx.successes(), 5);
    let mut keys: Vec<String> = rx
        .requests()
        .iter()
        .map(|q| q.header("Idempotency-Key").unwrap().to_string())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 5);
}
