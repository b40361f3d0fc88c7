//! Detection of rule and correlation transitions.

mod common;

use common::*;
use lockstep_alerts::{check, detect, detect_since, AlertConfig, AlertKind, Direction};
use lockstep_report::signals_view::{measurements, signals, SignalsReport};
use lockstep_report::{Report, StructureOptions};
use lockstep_signals::{RuleSet, Truth};

#[test]
fn correlation_crossing_up_on_the_last_date_is_one_event() {
    let r = report_with_corr(20, &[Some(0.3), Some(0.42), Some(0.53)]);
    let last = *r.series.dates.last().unwrap();
    let ev = detect("ETH-USD/^RUT", &r, None, &AlertConfig::default());
    assert_eq!(ev.len(), 1, "{ev:?}");
    let e = &ev[0];
    assert_eq!(e.kind, AlertKind::Correlation);
    assert_eq!(e.direction, Direction::Up);
    assert_eq!(e.subject, "corr_20");
    assert_eq!(e.date, last);
    assert_eq!((e.value, e.threshold), (Some(0.53), Some(0.5)));
    assert_eq!(
        e.key,
        format!("ETH-USD/^RUT|correlation|corr_20|up|{last}|0.5")
    );
    assert_eq!(
        e.message,
        format!("ETH-USD/^RUT: 20-day correlation crossed above 0.50 (0.53) on {last}")
    );
    // Pure: the same report gives the same events.
    assert_eq!(
        detect("ETH-USD/^RUT", &r, None, &AlertConfig::default()),
        ev
    );
}

#[test]
fn no_crossing_no_event() {
    let cfg = AlertConfig::default();
    for values in [
        vec![Some(0.3), Some(0.42), Some(0.48)], // below, stays below
        vec![Some(0.6), Some(0.55), Some(0.51)], // above, stays above
        vec![Some(0.3), Some(0.6), Some(0.7)],   // crossed earlier, not on the last date
        vec![Some(0.53)],                        // nothing to compare with
        vec![Some(0.3), Some(0.6), None, None],  // undefined at the end: last two defined
    ] {
        let r = report_with_corr(20, &values);
        let ev = detect("A/B", &r, None, &cfg);
        if values.len() == 4 {
            // The latest defined value (0.6) crossed from 0.3: one event on its own date.
            assert_eq!(ev.len(), 1, "{values:?}");
            let n = r.series.dates.len();
            assert_eq!(ev[0].date, r.series.dates[n - 3]);
        } else {
            assert!(ev.is_empty(), "{values:?}: {ev:?}");
        }
    }
}

#[test]
fn crossing_down_several_thresholds_and_window_choice() {
    let r = report_with_corr(20, &[Some(0.7), Some(0.25)]);
    let cfg = AlertConfig {
        corr_thresholds: vec![0.5, 0.3, 0.5, 0.1],
        ..AlertConfig::default()
    };
    let ev = detect("A/B", &r, None, &cfg);
    let got: Vec<_> = ev.iter().map(|e| (e.direction, e.threshold)).collect();
    assert_eq!(
        got,
        [(Direction::Down, Some(0.3)), (Direction::Down, Some(0.5))]
    );
    assert!(
        ev[0].message.contains("crossed below 0.30 (0.25)"),
        "{}",
        ev[0].message
    );
    // The 10-day window has its own (real) values; a window the report lacks gives nothing.
    let w99 = AlertConfig {
        corr_window: Some(99),
        ..cfg.clone()
    };
    assert!(detect("A/B", &r, None, &w99).is_empty());
    let none = AlertConfig {
        corr_thresholds: vec![],
        ..cfg
    };
    assert!(detect("A/B", &r, None, &none).is_empty());
}

const RULES: &str = r#"
[conditions.a_high]
measure = "close_a"
op = ">"
value = 105.0

[conditions.liquid]
measure = "net_liquidity"
op = ">"
value = 0.0

[rules.a-high]
all = ["a_high"]

[rules.a-high-and-liquid]
all = ["a_high", "liquid"]
"#;

/// The report and signals of a pair whose leg A closes at `last_two` on its last two dates.
fn signals_with_last(last_two: [f64; 2]) -> (Report, SignalsReport) {
    let (a, b) = pair(80);
    let mut p = a.price.clone();
    let n = p.len();
    p[n - 2] = last_two[0];
    p[n - 1] = last_two[1];
    let a = series("A", p);
    let r = report(&a, &b, &[10, 20]);
    let m = measurements(&r, &a, &b, None, &StructureOptions::default()).unwrap();
    let s = signals(&r, &m, &RuleSet::parse(RULES).unwrap()).unwrap();
    (r, s)
}

fn no_corr() -> AlertConfig {
    AlertConfig {
        corr_thresholds: vec![],
        ..AlertConfig::default()
    }
}

#[test]
fn rule_turning_on_and_off() {
    let (r, s) = signals_with_last([100.0, 110.0]);
    let last = *r.series.dates.last().unwrap();
    let ev = detect("A/B", &r, Some(&s), &no_corr());
    // `a-high-and-liquid` is Unknown (no liquidity series): no transition.
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(
        (
            ev[0].kind,
            ev[0].subject.as_str(),
            ev[0].direction,
            ev[0].date
        ),
        (AlertKind::Rule, "a-high", Direction::On, last)
    );
    assert_eq!(ev[0].key, format!("A/B|rule|a-high|on|{last}|-"));
    assert_eq!(
        ev[0].message,
        format!("A/B: signal rule a-high turned on on {last}")
    );

    let (r, s) = signals_with_last([110.0, 100.0]);
    let ev = detect("A/B", &r, Some(&s), &no_corr());
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].direction, Direction::Off);

    for last_two in [[110.0, 111.0], [100.0, 101.0]] {
        let (r, s) = signals_with_last(last_two);
        assert!(detect("A/B", &r, Some(&s), &no_corr()).is_empty());
    }
    // Rules off in the config: nothing.
    let (r, s) = signals_with_last([100.0, 110.0]);
    let off = AlertConfig {
        rules: false,
        ..no_corr()
    };
    assert!(detect("A/B", &r, Some(&s), &off).is_empty());
}

/// The built-in rule set on a long synthetic pair: detection agrees with the evaluation's own
/// states, and cutting the history at a date where a rule turned on yields that event (the
/// evaluation has no look-ahead, so the cut report is the report "as of" that date).
#[test]
fn builtin_rules_transitions_match_the_evaluation() {
    let (a, b) = pair(420);
    let rules = RuleSet::builtin();
    let build = |n: usize| {
        let cut = |s: &lockstep_core::PriceSeries| series(&s.name, s.price[..n].to_vec());
        let (a, b) = (cut(&a), cut(&b));
        let r = report(&a, &b, &[30, 60, 90]);
        let m = measurements(&r, &a, &b, None, &StructureOptions::default()).unwrap();
        let s = signals(&r, &m, &rules).unwrap();
        (r, s)
    };
    let (_, full) = build(420);
    let ev = &full.evaluation;
    let mut found = 0;
    for rule in &ev.rules {
        // The latest False → True / True → False of this rule, at index t.
        let t = (1..ev.dates.len()).rev().find(|&t| {
            matches!(
                (rule.states[t - 1], rule.states[t]),
                (Truth::False, Truth::True) | (Truth::True, Truth::False)
            )
        });
        let Some(t) = t else { continue };
        let want = if rule.states[t] == Truth::True {
            Direction::On
        } else {
            Direction::Off
        };
        // Aligned dates are the input dates here (same calendar), so cut at index t.
        let (r, s) = build(t + 1 + (a.price.len() - ev.dates.len()));
        assert_eq!(*r.series.dates.last().unwrap(), ev.dates[t]);
        let got = detect("A/B", &r, Some(&s), &no_corr());
        assert!(
            got.iter()
                .any(|e| e.subject == rule.name && e.direction == want && e.date == ev.dates[t]),
            "{}: want {want:?} on {}, got {got:?}",
            rule.name,
            ev.dates[t]
        );
        found += 1;
    }
    assert!(
        found > 0,
        "no built-in rule ever changed state on the synthetic pair"
    );
}

/// Every transition after `since` is found, oldest first; without `since`, the latest only.
#[test]
fn transitions_since_a_date() {
    let r = report_with_corr(20, &[Some(0.3), Some(0.6), Some(0.4), Some(0.55)]);
    let n = r.series.dates.len();
    let dates = &r.series.dates;
    let cfg = AlertConfig::default();
    let got = |since| {
        detect_since("A/B", &r, None, &cfg, since)
            .into_iter()
            .map(|e| (e.date, e.direction))
            .collect::<Vec<_>>()
    };
    let all = vec![
        (dates[n - 3], Direction::Up),
        (dates[n - 2], Direction::Down),
        (dates[n - 1], Direction::Up),
    ];
    assert_eq!(got(Some(dates[0])), all);
    assert_eq!(
        got(Some(dates[n - 4])),
        all,
        "the first value has nothing before it"
    );
    assert_eq!(got(Some(dates[n - 3])), all[1..]);
    assert_eq!(got(Some(dates[n - 1])), []);
    assert_eq!(got(None), all[2..]);
}

/// `check` keeps where it stopped: the first check of a pair records the latest transition
/// only; transitions dated while nothing checked are recorded at the next check; checking the
/// same data again records nothing.
#[test]
fn check_catches_up_on_missed_transitions() {
    let full = report_with_corr(20, &[Some(0.3), Some(0.6), Some(0.4), Some(0.55)]);
    let n = full.series.dates.len();
    let mut early = full.clone();
    early.series.dates.truncate(n - 2);
    for w in &mut early.series.rolling {
        w.corr.truncate(n - 2);
    }
    let mut store = lockstep_store::Store::open_in_memory().unwrap();
    let cfg = AlertConfig::default();
    let dates =
        |v: Vec<lockstep_alerts::StoredAlert>| v.into_iter().map(|a| a.date).collect::<Vec<_>>();
    let first = check(&mut store, "A/B", &early, None, &cfg).unwrap();
    assert_eq!(dates(first), [full.series.dates[n - 3]]);
    assert_eq!(
        store.alert_check("A/B").unwrap(),
        Some(full.series.dates[n - 3])
    );
    // Two more dates arrive (the server was down): both transitions are recorded.
    let later = check(&mut store, "A/B", &full, None, &cfg).unwrap();
    assert_eq!(
        dates(later),
        [full.series.dates[n - 2], full.series.dates[n - 1]]
    );
    assert!(check(&mut store, "A/B", &full, None, &cfg)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.alert_check("A/B").unwrap(),
        Some(full.series.dates[n - 1])
    );
}
