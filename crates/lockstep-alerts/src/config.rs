//! Alert configuration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::AlertError;

/// Alert configuration, read from TOML (every field optional; unknown fields are refused):
///
/// ```toml
/// rules = true                 # alert when a signal rule turns on or off
/// corr_window = 90             # the rolling window to watch (default: the longest)
/// corr_thresholds = [0.3, 0.5] # alert when its correlation crosses these, up or down
/// log = true                   # deliver to the log sink (stderr)
///
/// [webhook]
/// url = "https://example.invalid/hook"
/// timeout_secs = 10
/// backoff_base_secs = 2
/// backoff_max_secs = 300
/// headers = { Authorization = "Bearer …" }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// Alert when a signal rule turns on or off (default true).
    pub rules: bool,
    /// Which rolling window's correlation to watch (default: the longest in the report).
    pub corr_window: Option<usize>,
    /// Alert when that correlation crosses any of these, up or down (default `[0.5]`; empty =
    /// no correlation alerts).
    pub corr_thresholds: Vec<f64>,
    /// Deliver to a webhook (JSON POST).
    pub webhook: Option<WebhookConfig>,
    /// Deliver to the log sink too (default true).
    pub log: bool,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            rules: true,
            corr_window: None,
            corr_thresholds: vec![0.5],
            webhook: None,
            log: true,
        }
    }
}

/// A webhook sink: each alert is POSTed as JSON to `url`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The URL to POST to (`http://` or `https://`).
    pub url: String,
    /// Timeout of one request (connect and read), seconds (default 10).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Delay after the first failed attempt, seconds; it doubles after each further failure
    /// (default 2).
    #[serde(default = "default_base")]
    pub backoff_base_secs: u64,
    /// Longest delay between attempts, seconds (default 300).
    #[serde(default = "default_max")]
    pub backoff_max_secs: u64,
    /// Extra request headers (e.g. `Authorization`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl WebhookConfig {
    /// A webhook to `url` with the default timeout, backoff and no extra headers.
    pub fn new(url: impl Into<String>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            timeout_secs: default_timeout(),
            backoff_base_secs: default_base(),
            backoff_max_secs: default_max(),
            headers: BTreeMap::new(),
        }
    }
}

fn default_timeout() -> u64 {
    10
}
fn default_base() -> u64 {
    2
}
fn default_max() -> u64 {
    300
}

/// The name of the log sink in the store.
pub const LOG_SINK: &str = "log";
/// The name of the webhook sink in the store.
pub const WEBHOOK_SINK: &str = "webhook";

impl AlertConfig {
    /// Parse and [validate](AlertConfig::validate) a TOML configuration.
    pub fn from_toml(text: &str) -> Result<AlertConfig, AlertError> {
        let c: AlertConfig = toml::from_str(text).map_err(|e| AlertError::Config(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Check the values: finite thresholds, a positive window, an `http(s)://` URL, a
    /// positive timeout and `backoff_base_secs <= backoff_max_secs`.
    pub fn validate(&self) -> Result<(), AlertError> {
        let bad = |m: String| Err(AlertError::Config(m));
        if let Some(t) = self.corr_thresholds.iter().find(|t| !t.is_finite()) {
            return bad(format!("corr_thresholds: {t} is not a number"));
        }
        if self.corr_window == Some(0) {
            return bad("corr_window must be positive".into());
        }
        if let Some(w) = &self.webhook {
            if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
                return bad(format!("webhook.url {:?} is not an http(s) URL", w.url));
            }
            if w.timeout_secs == 0 {
                return bad("webhook.timeout_secs must be positive".into());
            }
            if w.backoff_base_secs > w.backoff_max_secs {
                return bad("webhook.backoff_base_secs exceeds backoff_max_secs".into());
            }
        }
        Ok(())
    }

    /// The sinks a newly recorded alert is delivered to: `log` when [`AlertConfig::log`],
    /// `webhook` when a webhook is configured.
    pub fn sinks(&self) -> Vec<&'static str> {
        let mut s = Vec::new();
        if self.log {
            s.push(LOG_SINK);
        }
        if self.webhook.is_some() {
            s.push(WEBHOOK_SINK);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_toml() {
        let c = AlertConfig::from_toml("").unwrap();
        assert_eq!(c, AlertConfig::default());
        assert_eq!(c.sinks(), ["log"]);
        let c = AlertConfig::from_toml(
            "corr_window = 90\ncorr_thresholds = [0.3, 0.7]\nlog = false\n\
             [webhook]\nurl = \"http://127.0.0.1:9/x\"\nheaders = { X-Token = \"t\" }\n",
        )
        .unwrap();
        let w = c.webhook.as_ref().unwrap();
        assert_eq!(
            (w.timeout_secs, w.backoff_base_secs, w.backoff_max_secs),
            (10, 2, 300)
        );
        assert_eq!(w.headers["X-Token"], "t");
        assert_eq!(c.corr_window, Some(90));
        assert_eq!(c.sinks(), ["webhook"]);
        assert!(AlertConfig::from_toml("rulez = true").is_err());
        assert!(AlertConfig::from_toml("[webhook]\nurl = \"x\"\nretries = 3").is_err());
        assert!(AlertConfig::from_toml("[webhook]\nurl = \"ftp://x\"").is_err());
        assert!(AlertConfig::from_toml("corr_window = 0").is_err());
    }
}
