//! The `[serve]` table of `config.toml`.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use chrono::NaiveTime;
use lockstep_alerts::AlertConfig;
use lockstep_report::Clock;
use serde::Deserialize;

use crate::ServerError;

/// The environment variable read for the token when the configuration sets none.
pub const TOKEN_ENV: &str = "LOCKSTEP_TOKEN";

/// Shortest accepted token, in characters.
pub const MIN_TOKEN_LEN: usize = 16;

/// Longest accepted token, in characters: URL-encoded, any token fits the login form's
/// 1 KiB.
pub const MAX_TOKEN_LEN: usize = 256;

/// The server's configuration: the `[serve]` table of `$LOCKSTEP_HOME/config.toml`.
///
/// ```toml
/// [serve]
/// bind = "127.0.0.1:8080"     # default; a non-loopback address requires a token
/// token = "…"                 # or LOCKSTEP_TOKEN; when set, every request needs
///                             # `Authorization: Bearer <token>`
/// header_timeout_secs = 10    # default; slower headers, or a longer idle, close the
///                             # connection
/// body_timeout_secs = 10      # default; a request body not received this long after its
///                             # headers is answered 408
/// max_connections_per_client = 32  # default; open connections from one IP address
/// tls_cert = "cert.pem"       # with tls_key: serve HTTPS (PEM certificate chain and key)
/// tls_key = "key.pem"
/// insecure_http = false       # allow a non-loopback bind without TLS (behind a
///                             # TLS-terminating proxy)
///
/// [[serve.pairs]]
/// a = "ETH-USD"
/// b = "^RUT"
/// windows = [30, 60, 90]      # default
/// id = "eth-usd_rut"          # default: the slug of a and b
/// clock = "utc"               # default; "exchange": the every-day leg at the exchange's
///                             # close, from its stored intraday bars (`?clock=` per request)
/// controls = ["SPY"]          # default: the pair's default control (SPY for ETH-USD
///                             # against ^RUT); [] for none
///
/// [serve.refresh]
/// enabled = true              # default
/// equities_after = "16:30"    # New York time, NYSE trading days (default)
/// crypto_every_hours = 4      # default
///
/// [serve.alerts]              # lockstep_alerts::AlertConfig
/// corr_thresholds = [0.5]
/// ```
///
/// Unknown keys are errors naming the key. Build one with [`ServeConfig::from_toml_str`] (or
/// [`ServeConfig::from_table`]), or in code followed by [`ServeConfig::validate`].
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Address to listen on, `IP:port` or `localhost:port` (default `127.0.0.1:8080`).
    #[serde(default = "default_bind")]
    pub bind: String,
    /// The bearer token ([`MIN_TOKEN_LEN`] to [`MAX_TOKEN_LEN`] characters). Required for a non-loopback
    /// `bind`; when set, required by every route.
    #[serde(default)]
    pub token: Option<String>,
    /// The pairs served.
    #[serde(default)]
    pub pairs: Vec<PairConfig>,
    /// When the configured symbols are refreshed.
    #[serde(default)]
    pub refresh: RefreshConfig,
    /// Alert detection and delivery after each refresh.
    #[serde(default)]
    pub alerts: AlertConfig,
    /// Seconds a connection may take to send a request's headers, and an idle keep-alive
    /// connection may wait for its next request, before it is closed (default 10, at most
    /// 3600): a client that opens connections and trickles bytes cannot hold them.
    #[serde(default = "default_header_timeout")]
    pub header_timeout_secs: u64,
    /// Seconds a request's body may take to arrive once its headers have (default 10, at
    /// most 3600); a slower body is answered 408 and the connection closed. Bodies are read
    /// before the request takes one of the concurrent-request slots.
    #[serde(default = "default_body_timeout")]
    pub body_timeout_secs: u64,
    /// Connections one client IP address may hold open at once (default 32, 1 to 65536);
    /// another is answered 503 and closed. Behind a reverse proxy every client is the
    /// proxy's address: raise it there.
    #[serde(default = "default_max_connections_per_client")]
    pub max_connections_per_client: usize,
    /// The TLS certificate chain (PEM); with [`ServeConfig::tls_key`], the server speaks
    /// HTTPS only, and the login cookie is `Secure`.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Allow a non-loopback `bind` without TLS (default false): for a server behind a
    /// TLS-terminating reverse proxy, which alone must be reachable from the network.
    #[serde(default)]
    pub insecure_http: bool,
}

fn default_header_timeout() -> u64 {
    10
}

fn default_body_timeout() -> u64 {
    10
}

fn default_max_connections_per_client() -> usize {
    32
}

impl fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeConfig")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("pairs", &self.pairs)
            .field("refresh", &self.refresh)
            .field("alerts", &self.alerts)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("body_timeout_secs", &self.body_timeout_secs)
            .field(
                "max_connections_per_client",
                &self.max_connections_per_client,
            )
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("insecure_http", &self.insecure_http)
            .finish()
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: default_bind(),
            token: None,
            pairs: Vec::new(),
            refresh: RefreshConfig::default(),
            alerts: AlertConfig::default(),
            header_timeout_secs: default_header_timeout(),
            body_timeout_secs: default_body_timeout(),
            max_connections_per_client: default_max_connections_per_client(),
            tls_cert: None,
            tls_key: None,
            insecure_http: false,
        }
    }
}

/// `[[serve.pairs]]`: one pair of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairConfig {
    /// Symbol of leg A (as stored, e.g. `ETH-USD`).
    pub a: String,
    /// Symbol of leg B (e.g. `^RUT`).
    pub b: String,
    /// Rolling windows, in returns (default `[30, 60, 90]`).
    #[serde(default = "default_windows")]
    pub windows: Vec<usize>,
    /// The id in URLs (default: [`pair_slug`] of `a` and `b`, e.g. `eth-usd_rut`); filled
    /// in by [`ServeConfig::validate`] when empty.
    #[serde(default)]
    pub id: String,
    /// The daily clock of the pair's report (default `utc`, each leg's own close;
    /// `exchange`: the every-day leg's price at the exchange's close, from its stored
    /// intraday bars, and the signals, backtest and charts on those prices). A request's
    /// `clock=` query parameter overrides it. With stored intraday bars of the every-day leg
    /// the report compares both clocks either way.
    #[serde(default)]
    pub clock: Clock,
    /// The stored symbols the pair's correlation is controlled for (the report's partial
    /// correlation given them). Absent: the pair's default control, as `lockstep analyze`
    /// (SPY for ETH-USD against ^RUT, or `[controls]` of config.toml); `[]`: none.
    #[serde(default)]
    pub controls: Option<Vec<String>>,
}

impl PairConfig {
    /// A pair with the default windows and id.
    pub fn new(a: impl Into<String>, b: impl Into<String>) -> PairConfig {
        let (a, b) = (a.into(), b.into());
        PairConfig {
            id: pair_slug(&a, &b),
            a,
            b,
            windows: default_windows(),
            clock: Clock::Utc,
            controls: None,
        }
    }

    /// `A/B`: the pair as alerts name it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.a, self.b)
    }
}

/// `[serve.refresh]`: the refresh schedule.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RefreshConfig {
    /// Refresh on the schedule at all (default true). A manual refresh (`POST /api/refresh`)
    /// works either way.
    pub enabled: bool,
    /// Exchange-day symbols are refreshed on NYSE trading days at this New York time, `HH:MM`
    /// (default `16:30`).
    pub equities_after: String,
    /// Symbols that trade every day (crypto) are refreshed every this many hours, on the
    /// multiples of it since 00:00 UTC 1970-01-01 (default 4; 1 to 168).
    pub crypto_every_hours: u32,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        RefreshConfig {
            enabled: true,
            equities_after: "16:30".into(),
            crypto_every_hours: 4,
        }
    }
}

impl RefreshConfig {
    /// [`RefreshConfig::equities_after`] as a time (16:30 when it does not parse; a validated
    /// configuration always parses).
    pub fn equities_time(&self) -> NaiveTime {
        parse_hhmm(&self.equities_after)
            .unwrap_or_else(|| NaiveTime::from_hms_opt(16, 30, 0).unwrap_or(NaiveTime::MIN))
    }
}

fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

fn default_bind() -> String {
    "127.0.0.1:8080".into()
}

fn default_windows() -> Vec<usize> {
    vec![30, 60, 90]
}

/// The default id of a pair: each symbol lower-cased, keeping ASCII letters, digits, `-` and
/// `.` (so `^RUT` is `rut`), joined by `_`: `ETH-USD`, `^RUT` → `eth-usd_rut`.
pub fn pair_slug(a: &str, b: &str) -> String {
    let slug = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    format!("{}_{}", slug(a), slug(b))
}

/// Whether `s` is a valid pair id: 1 to 32 of ASCII letters, digits and `^ = . _ -`, not
/// `.`/`..` and not containing `..`.
pub fn valid_id(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'^' | b'=' | b'.' | b'_' | b'-'))
        && !s.contains("..")
        && s != "."
}

/// Whether `s` is a valid symbol: like [`valid_id`], plus `:` (for `fred:DGS2`).
pub fn valid_symbol(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'^' | b'=' | b'.' | b'_' | b'-' | b':')
        })
        && !s.contains("..")
}

/// Largest rolling window accepted in a pair.
pub const MAX_WINDOW: usize = 2000;

impl ServeConfig {
    /// Read the `[serve]` table of a whole `config.toml` (other tables are left to their own
    /// parsers; no `[serve]` table is the default configuration) and validate it
    /// ([`ServeConfig::validate`]). Errors name the key and line.
    pub fn from_toml_str(text: &str) -> Result<ServeConfig, ServerError> {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default)]
            serve: Option<ServeConfig>,
        }
        let doc: Doc = toml::from_str(text).map_err(|e| {
            ServerError::Config(format!(
                "invalid [serve] table: {}",
                e.to_string().trim_end()
            ))
        })?;
        let mut c = doc.serve.unwrap_or_default();
        c.validate()?;
        Ok(c)
    }

    /// Read the contents of the `[serve]` table (e.g. `lockstep_fetch::Config::serve`) and
    /// [validate](ServeConfig::validate) it.
    pub fn from_table(table: toml::Table) -> Result<ServeConfig, ServerError> {
        let mut c: ServeConfig =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    ServerError::Config(format!(
                        "invalid [serve] table: {}",
                        e.to_string().trim_end()
                    ))
                })?;
        c.validate()?;
        Ok(c)
    }

    /// Use the token of the environment variable [`TOKEN_ENV`] (`LOCKSTEP_TOKEN`, looked up
    /// with `env`) when the configuration sets none.
    pub fn with_env_token(mut self, env: impl Fn(&str) -> Option<String>) -> ServeConfig {
        if self.token.is_none() {
            self.token = env(TOKEN_ENV).filter(|t| !t.trim().is_empty());
        }
        self
    }

    /// Check every value and fill in the defaults that depend on others (pair ids): a
    /// parseable `bind`, a token of at least [`MIN_TOKEN_LEN`] visible ASCII characters,
    /// valid and distinct pair ids, valid symbols, 1 to 8 windows of 2 to [`MAX_WINDOW`],
    /// `equities_after` as `HH:MM`, `crypto_every_hours` in 1..=168, and the alert
    /// configuration's own checks.
    pub fn validate(&mut self) -> Result<(), ServerError> {
        let bad = |m: String| Err(ServerError::Config(m));
        self.bind_addr()?;
        if let Some(t) = &self.token {
            if t.chars().count() < MIN_TOKEN_LEN {
                return bad(format!(
                    "serve.token is too short: use at least {MIN_TOKEN_LEN} characters"
                ));
            }
            if t.chars().count() > MAX_TOKEN_LEN {
                return bad(format!(
                    "serve.token is too long: use at most {MAX_TOKEN_LEN} characters"
                ));
            }
            if !t.bytes().all(|c| c.is_ascii_graphic()) {
                return bad("serve.token must be visible ASCII characters (no spaces)".into());
            }
        }
        if !(1..=3600).contains(&self.header_timeout_secs) {
            return bad(format!(
                "serve.header_timeout_secs must be 1 to 3600, not {}",
                self.header_timeout_secs
            ));
        }
        if !(1..=3600).contains(&self.body_timeout_secs) {
            return bad(format!(
                "serve.body_timeout_secs must be 1 to 3600, not {}",
                self.body_timeout_secs
            ));
        }
        if !(1..=65536).contains(&self.max_connections_per_client) {
            return bad(format!(
                "serve.max_connections_per_client must be 1 to 65536, not {}",
                self.max_connections_per_client
            ));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return bad(
                "serve.tls_cert and serve.tls_key go together: give both or neither".into(),
            );
        }
        let mut ids = BTreeSet::new();
        for (i, p) in self.pairs.iter_mut().enumerate() {
            for s in [&p.a, &p.b].into_iter().chain(p.controls.iter().flatten()) {
                if !valid_symbol(s) {
                    return bad(format!(
                        "serve.pairs[{i}]: invalid symbol {s:?} (1 to 32 of A-Z a-z 0-9 ^ = . _ - :)"
                    ));
                }
            }
            if p.id.is_empty() {
                p.id = pair_slug(&p.a, &p.b);
            }
            if !valid_id(&p.id) {
                return bad(format!(
                    "serve.pairs[{i}]: invalid id {:?} (1 to 32 of A-Z a-z 0-9 ^ = . _ -)",
                    p.id
                ));
            }
            if !ids.insert(p.id.clone()) {
                return bad(format!(
                    "serve.pairs[{i}]: the id {:?} is used twice; set `id` on one of them",
                    p.id
                ));
            }
            if p.windows.is_empty() || p.windows.len() > 8 {
                return bad(format!("serve.pairs[{i}]: give 1 to 8 windows"));
            }
            if let Some(w) = p.windows.iter().find(|w| !(2..=MAX_WINDOW).contains(*w)) {
                return bad(format!(
                    "serve.pairs[{i}]: window {w} is out of range (2 to {MAX_WINDOW})"
                ));
            }
        }
        if parse_hhmm(&self.refresh.equities_after).is_none() {
            return bad(format!(
                "serve.refresh.equities_after = {:?} is not a time HH:MM",
                self.refresh.equities_after
            ));
        }
        if !(1..=168).contains(&self.refresh.crypto_every_hours) {
            return bad(format!(
                "serve.refresh.crypto_every_hours = {} is out of range (1 to 168)",
                self.refresh.crypto_every_hours
            ));
        }
        self.alerts
            .validate()
            .map_err(|e| ServerError::Config(format!("serve.alerts: {e}")))?;
        Ok(())
    }

    /// The socket address of [`ServeConfig::bind`] (`localhost` is 127.0.0.1).
    pub fn bind_addr(&self) -> Result<SocketAddr, ServerError> {
        let s = self.bind.trim();
        if let Some(port) = s.strip_prefix("localhost:") {
            if let Ok(port) = port.parse::<u16>() {
                return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
            }
        }
        s.parse::<SocketAddr>().map_err(|_| {
            ServerError::Config(format!(
                "serve.bind = {:?} is not an address IP:port (e.g. \"127.0.0.1:8080\")",
                self.bind
            ))
        })
    }

    /// Whether the server speaks HTTPS ([`ServeConfig::tls_cert`] and
    /// [`ServeConfig::tls_key`] are set).
    pub fn tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// Refuse to listen on a non-loopback address without a token, or without TLS unless
    /// [`ServeConfig::insecure_http`] (the token and the login cookie would travel in clear).
    pub fn check_security(&self) -> Result<SocketAddr, ServerError> {
        let addr = self.bind_addr()?;
        if !addr.ip().is_loopback() && self.token.is_none() {
            return Err(ServerError::Insecure(format!(
                "refusing to listen on {addr} without a token: anyone on the network could \
                 read the dashboard. Set serve.token in config.toml (or {TOKEN_ENV}), or bind \
                 127.0.0.1"
            )));
        }
        if !addr.ip().is_loopback() && !self.tls() && !self.insecure_http {
            return Err(ServerError::Insecure(format!(
                "refusing to listen on {addr} over plain HTTP: the token and the login cookie \
                 would cross the network in clear. Serve TLS (--tls-cert/--tls-key, or \
                 serve.tls_cert and serve.tls_key), or, behind a TLS-terminating reverse \
                 proxy, pass --insecure-http (serve.insecure_http = true)"
            )));
        }
        Ok(addr)
    }

    /// The pair with this id.
    pub fn pair(&self, id: &str) -> Option<&PairConfig> {
        self.pairs.iter().find(|p| p.id == id)
    }

    /// Every symbol of the configured pairs, once, sorted.
    pub fn symbols(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .pairs
            .iter()
            .flat_map(|p| [&p.a, &p.b].into_iter().chain(p.controls.iter().flatten()))
            .collect();
        set.into_iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_serve_table_of_a_whole_file() {
        let c = ServeConfig::from_toml_str(
            r#"
            [providers.yahoo]
            retries = 1

            [serve]
            bind = "127.0.0.1:9000"

            [[serve.pairs]]
            a = "ETH-USD"
            b = "^RUT"

            [[serve.pairs]]
            a = "BTC-USD"
            b = "GC=F"
            windows = [20]
            id = "btc-gold"

            [serve.refresh]
            equities_after = "17:05"
            crypto_every_hours = 6

            [serve.alerts]
            corr_thresholds = [0.3]
            "#,
        )
        .unwrap();
        assert_eq!(c.bind_addr().unwrap().port(), 9000);
        assert_eq!(c.pairs[0].id, "eth-usd_rut");
        assert_eq!(c.pairs[0].windows, vec![30, 60, 90]);
        assert_eq!(c.pairs[1].id, "btc-gold");
        assert_eq!(
            c.refresh.equities_time(),
            NaiveTime::from_hms_opt(17, 5, 0).unwrap()
        );
        assert_eq!(c.alerts.corr_thresholds, vec![0.3]);
        assert_eq!(c.symbols(), vec!["BTC-USD", "ETH-USD", "GC=F", "^RUT"]);
        assert!(c.refresh.enabled);
    }

    #[test]
    fn a_pair_names_its_controls() {
        let c = ServeConfig::from_toml_str(
            "[[serve.pairs]]\na = \"ETH-USD\"\nb = \"^RUT\"\ncontrols = [\"SPY\", \"QQQ\"]\n\
             [[serve.pairs]]\na = \"BTC-USD\"\nb = \"GLD\"\ncontrols = []\n\
             [[serve.pairs]]\na = \"ETH-USD\"\nb = \"IWM\"\n",
        )
        .unwrap();
        assert_eq!(
            c.pairs[0].controls,
            Some(vec!["SPY".to_string(), "QQQ".to_string()])
        );
        assert_eq!(c.pairs[1].controls, Some(vec![]));
        assert_eq!(c.pairs[2].controls, None);
        // The controls are refreshed with the legs.
        assert_eq!(
            c.symbols(),
            vec!["BTC-USD", "ETH-USD", "GLD", "IWM", "QQQ", "SPY", "^RUT"]
        );
        let bad = ServeConfig::from_toml_str(
            "[[serve.pairs]]\na = \"ETH-USD\"\nb = \"^RUT\"\ncontrols = [\"../x\"]\n",
        );
        assert!(bad.unwrap_err().to_string().contains("../x"));
    }

    #[test]
    fn the_fetch_configuration_accepts_the_serve_table() {
        let text = "[providers.yahoo]\nretries = 1\n\n[serve]\nbind = \"127.0.0.1:9000\"\n\
                    [[serve.pairs]]\na = \"ETH-USD\"\nb = \"^RUT\"\n";
        let fetch = lockstep_fetch::Config::parse(text, "config.toml").unwrap();
        let table = fetch.serve.expect("the [serve] table is kept").0;
        assert_eq!(
            ServeConfig::from_table(table).unwrap(),
            ServeConfig::from_toml_str(text).unwrap()
        );
    }

    #[test]
    fn no_serve_table_is_the_default() {
        let c = ServeConfig::from_toml_str("[regimes]\nma_window = 100\n").unwrap();
        assert_eq!(c, ServeConfig::default());
        assert_eq!(c.bind, "127.0.0.1:8080");
    }

    #[test]
    fn rejects_bad_values_naming_them() {
        let err = |t: &str| ServeConfig::from_toml_str(t).unwrap_err().to_string();
        assert!(err("[serve]\nbnd = \"x\"\n").contains("bnd"));
        assert!(err("[serve]\nbind = \"nowhere\"\n").contains("nowhere"));
        assert!(err("[serve]\ntoken = \"short\"\n").contains("too short"));
        assert!(err(&format!("[serve]\ntoken = \"{}\"\n", "x".repeat(257))).contains("too long"));
        assert!(err("[[serve.pairs]]\na = \"../x\"\nb = \"y\"\n").contains("../x"));
        assert!(err("[[serve.pairs]]\na = \"A\"\nb = \"B\"\nid = \"a b\"\n").contains("a b"));
        assert!(err(
            "[[serve.pairs]]\na = \"A\"\nb = \"B\"\n[[serve.pairs]]\na = \"A\"\nb = \"B\"\n"
        )
        .contains("twice"));
        assert!(err("[[serve.pairs]]\na = \"A\"\nb = \"B\"\nwindows = [1]\n").contains("window 1"));
        assert!(err("[serve.refresh]\nequities_after = \"25:00\"\n").contains("25:00"));
        assert!(err("[serve.refresh]\ncrypto_every_hours = 0\n").contains("crypto_every_hours"));
        assert!(err("[serve.alerts]\nnope = 1\n").contains("nope"));
        for t in ["0", "3601"] {
            let e = err(&format!("[serve]\nheader_timeout_secs = {t}\n"));
            assert!(e.contains("header_timeout_secs") && e.contains(t), "{e}");
            let e = err(&format!("[serve]\nbody_timeout_secs = {t}\n"));
            assert!(e.contains("body_timeout_secs") && e.contains(t), "{e}");
        }
        let e = err("[serve]\nmax_connections_per_client = 0\n");
        assert!(e.contains("max_connections_per_client"), "{e}");
        let e = err("[serve]\ntls_cert = \"c.pem\"\n");
        assert!(e.contains("tls_key"), "{e}");
    }

    #[test]
    fn insecure_bind_is_refused() {
        let mut c = ServeConfig {
            bind: "0.0.0.0:8080".into(),
            ..ServeConfig::default()
        };
        c.validate().unwrap();
        let e = c.check_security().unwrap_err();
        assert!(matches!(e, ServerError::Insecure(_)), "{e}");
        let c = c.with_env_token(|k| (k == TOKEN_ENV).then(|| "x".repeat(20)));
        // A token, but plain HTTP beyond loopback: refused unless said so.
        let e = c.check_security().unwrap_err().to_string();
        assert!(
            e.contains("--insecure-http") && e.contains("--tls-cert"),
            "{e}"
        );
        let proxied = ServeConfig {
            insecure_http: true,
            ..c.clone()
        };
        assert!(proxied.check_security().is_ok());
        let tls = ServeConfig {
            tls_cert: Some("cert.pem".into()),
            tls_key: Some("key.pem".into()),
            ..c
        };
        assert!(tls.check_security().is_ok());
        let local = ServeConfig {
            bind: "localhost:1234".into(),
            ..ServeConfig::default()
        };
        assert!(local.check_security().unwrap().ip().is_loopback());
    }

    #[test]
    fn ids_and_symbols() {
        assert_eq!(pair_slug("ETH-USD", "^RUT"), "eth-usd_rut");
        assert_eq!(pair_slug("GC=F", "fred:DGS2"), "gcf_freddgs2");
        for ok in ["eth-usd_rut", "a", "GC=F", "^RUT"] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "..", ".", "a/b", "a%2f", "a b", "a..b", &"x".repeat(33)] {
            assert!(!valid_id(bad), "{bad}");
        }
        assert!(valid_symbol("fred:DGS2"));
        assert!(!valid_id("fred:DGS2"));
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = ServeConfig {
            token: Some("super-secret-token-123".into()),
            ..ServeConfig::default()
        };
        assert!(!format!("{c:?}").contains("super-secret"));
    }
}
