//! Detection: which transitions happened at the latest date of a report.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::AlertConfig;
use lockstep_core::Date;
use lockstep_report::signals_view::SignalsReport;
use lockstep_report::Report;
use lockstep_signals::{Evaluation, Truth};

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A signal rule turned on or off.
    Rule,
    /// A rolling correlation crossed a threshold.
    Correlation,
}

impl AlertKind {
    /// `rule` or `correlation` (as stored and serialized).
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::Rule => "rule",
            AlertKind::Correlation => "correlation",
        }
    }

    /// The kind named `name` (see [`AlertKind::name`]).
    pub fn from_name(name: &str) -> Option<AlertKind> {
        [AlertKind::Rule, AlertKind::Correlation]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The direction of a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A rule turned true (from false).
    On,
    /// A rule turned false (from true).
    Off,
    /// A correlation crossed a threshold upward (from below it to at or above it).
    Up,
    /// A correlation crossed a threshold downward (from at or above it to below it).
    Down,
}

impl Direction {
    /// `on`, `off`, `up` or `down` (as stored and serialized).
    pub fn name(self) -> &'static str {
        match self {
            Direction::On => "on",
            Direction::Off => "off",
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    /// The direction named `name` (see [`Direction::name`]).
    pub fn from_name(name: &str) -> Option<Direction> {
        [
            Direction::On,
            Direction::Off,
            Direction::Up,
            Direction::Down,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A detected transition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// Deterministic identity: `{pair}|{kind}|{subject}|{direction}|{date}|{threshold}`
    /// (threshold in shortest round-trip decimal, `-` for rules); see [`alert_key`].
    pub key: String,
    /// The pair as given to [`detect`], e.g. `ETH-USD/^RUT`.
    pub pair: String,
    /// Rule or correlation.
    pub kind: AlertKind,
    /// The rule name, or `corr_<window>` (e.g. `corr_90`).
    pub subject: String,
    /// On/Off (rules), Up/Down (correlation).
    pub direction: Direction,
    /// The date of the transition (the latest date).
    pub date: Date,
    /// The correlation at that date (`None` for rules).
    pub value: Option<f64>,
    /// The threshold crossed (`None` for rules).
    pub threshold: Option<f64>,
    /// The transition in plain words.
    pub message: String,
}

/// The deterministic key of an alert (see [`AlertEvent::key`]).
pub fn alert_key(
    pair: &str,
    kind: AlertKind,
    subject: &str,
    direction: Direction,
    date: Date,
    threshold: Option<f64>,
) -> String {
    let t = threshold.map_or_else(|| "-".to_string(), |t| t.to_string());
    format!("{pair}|{kind}|{subject}|{direction}|{date}|{t}")
}

/// Transitions at the latest date of the report: [`detect_since`] with no `since`.
pub fn detect(
    pair: &str,
    report: &Report,
    signals: Option<&SignalsReport>,
    config: &AlertConfig,
) -> Vec<AlertEvent> {
    detect_since(pair, report, signals, config, None)
}

/// Transitions dated after `since` (every one, oldest first within each kind), or at the
/// latest date when `since` is `None`; rules first (in rule-file order) then correlation
/// crossings (by date, then threshold ascending).
///
/// * **Rules** (when `config.rules` and `signals` is given): each rule's state on a date
///   against the date before: `False → True` is [`Direction::On`], `True → False` is
///   [`Direction::Off`]. `Unknown` on either date (a missing input) is no transition.
/// * **Correlation**: the rolling correlation of `config.corr_window` (default the longest
///   window of the report; a window the report does not have gives no events): each defined
///   value against the previous defined value. For each threshold `t`, `prev < t <= value` is
///   [`Direction::Up`] and `value < t <= prev` is [`Direction::Down`], dated on the value's
///   date.
///
/// `since` is where the previous check stopped ([`crate::check`] keeps it in the store), so a
/// transition that happened while nothing was checking (the server down for days) is still
/// found. Detection is a pure function of its inputs: run again on the same data (e.g. after a
/// restart) it gives the same events with the same keys, which [`crate::record`] stores only
/// once.
pub fn detect_since(
    pair: &str,
    report: &Report,
    signals: Option<&SignalsReport>,
    config: &AlertConfig,
    since: Option<Date>,
) -> Vec<AlertEvent> {
    let mut out = Vec::new();
    if config.rules {
        if let Some(s) = signals {
            out.extend(rule_events(pair, &s.evaluation, since));
        }
    }
    out.extend(corr_events(pair, report, config, since));
    out
}

/// The indices `i ≥ 1` of `dates` whose transitions (from `i − 1`) to report: those dated
/// after `since`, or the last one.
fn transition_indices(dates: &[Date], since: Option<Date>) -> std::ops::Range<usize> {
    let n = dates.len();
    if n < 2 {
        return 0..0;
    }
    match since {
        None => n - 1..n,
        Some(s) => dates.partition_point(|d| *d <= s).max(1)..n,
    }
}

fn rule_events(pair: &str, ev: &Evaluation, since: Option<Date>) -> Vec<AlertEvent> {
    let mut out = Vec::new();
    for r in &ev.rules {
        for i in transition_indices(&ev.dates, since) {
            let direction = match (r.states.get(i - 1), r.states.get(i)) {
                (Some(Truth::False), Some(Truth::True)) => Direction::On,
                (Some(Truth::True), Some(Truth::False)) => Direction::Off,
                _ => continue,
            };
            let date = ev.dates[i];
            out.push(AlertEvent {
                key: alert_key(pair, AlertKind::Rule, &r.name, direction, date, None),
                pair: pair.to_string(),
                kind: AlertKind::Rule,
                subject: r.name.clone(),
                direction,
                date,
                value: None,
                threshold: None,
                message: format!(
                    "{pair}: signal rule {} turned {} on {date}",
                    r.name,
                    direction.name()
                ),
            });
        }
    }
    out
}

/// A threshold in plain words: two decimals unless it needs more.
fn fmt_threshold(t: f64) -> String {
    let short = format!("{t:.2}");
    if short.parse::<f64>() == Ok(t) {
        short
    } else {
        t.to_string()
    }
}

fn corr_events(
    pair: &str,
    report: &Report,
    config: &AlertConfig,
    since: Option<Date>,
) -> Vec<AlertEvent> {
    let rolling = &report.series.rolling;
    let window = match config
        .corr_window
        .or_else(|| rolling.iter().map(|w| w.window).max())
    {
        Some(w) => w,
        None => return Vec::new(),
    };
    let Some(series) = rolling.iter().find(|w| w.window == window) else {
        return Vec::new();
    };
    // The defined values with their dates, in order.
    let (dates, values): (Vec<Date>, Vec<f64>) = series
        .corr
        .iter()
        .zip(&report.series.dates)
        .filter_map(|(v, d)| v.filter(|v| v.is_finite()).map(|v| (*d, v)))
        .unzip();
    let mut thresholds: Vec<f64> = config
        .corr_thresholds
        .iter()
        .copied()
        .filter(|t| t.is_finite())
        .collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    let subject = format!("corr_{window}");
    let mut out = Vec::new();
    for i in transition_indices(&dates, since) {
        let (prev, value, date) = (values[i - 1], values[i], dates[i]);
        for &t in &thresholds {
            let (direction, words) = if prev < t && value >= t {
                (Direction::Up, "above")
            } else if prev >= t && value < t {
                (Direction::Down, "below")
            } else {
                continue;
            };
            out.push(AlertEvent {
                key: alert_key(
                    pair,
                    AlertKind::Correlation,
                    &subject,
                    direction,
                    date,
                    Some(t),
                ),
                pair: pair.to_string(),
                kind: AlertKind::Correlation,
                subject: subject.clone(),
                direction,
                date,
                value: Some(value),
                threshold: Some(t),
                message: format!(
                    "{pair}: {window}-day correlation crossed {words} {} ({value:.2}) on {date}",
                    fmt_threshold(t)
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_thresholds_in_words() {
        let d: Date = "2026-05-20".parse().unwrap();
        assert_eq!(
            alert_key(
                "A/B",
                AlertKind::Correlation,
                "corr_90",
                Direction::Up,
                d,
                Some(0.5)
            ),
            "A/B|correlation|corr_90|up|2026-05-20|0.5"
        );
        assert_eq!(
            alert_key("A/B", AlertKind::Rule, "r", Direction::Off, d, None),
            "A/B|rule|r|off|2026-05-20|-"
        );
        assert_eq!(fmt_threshold(0.5), "0.50");
        assert_eq!(fmt_threshold(0.555), "0.555");
        assert_eq!(fmt_threshold(-0.25), "-0.25");
        for k in [AlertKind::Rule, AlertKind::Correlation] {
            assert_eq!(AlertKind::from_name(k.name()), Some(k));
        }
        for d in [
            Direction::On,
            Direction::Off,
            Direction::Up,
            Direction::Down,
        ] {
            assert_eq!(Direction::from_name(d.name()), Some(d));
        }
    }
}
