//! `lockstep serve`: the dashboard and JSON API of the watchlist, with scheduled refreshes
//! and alerts.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;

use super::Cx;

/// The configuration and routes of `serve --help`.
pub const LONG_HELP: &str = "\
Configuration: the [serve] table of $LOCKSTEP_HOME/config.toml (or --config FILE):
  [serve]
  bind = \"127.0.0.1:8080\"        # another address than loopback requires a token
                                   # and TLS (or insecure_http)
  token = \"...\"                  # or LOCKSTEP_TOKEN; then every route needs
                                   # Authorization: Bearer <token> (a browser
                                   # logs in at /login)
  header_timeout_secs = 10         # a connection slower to send its headers (or
                                   # idle longer between requests) is closed
  body_timeout_secs = 10           # a body slower than this after its headers: 408
  max_connections_per_client = 32  # open connections per client address (behind a
                                   # reverse proxy every client is the proxy: raise it)
  tls_cert = \"cert.pem\"          # with tls_key: HTTPS only (rustls; PEM files), the
  tls_key = \"key.pem\"            # login cookie Secure
  insecure_http = false            # a non-loopback bind needs TLS unless this is true
                                   # (behind a TLS-terminating reverse proxy)
  [[serve.pairs]]
  a = \"ETH-USD\"
  b = \"^RUT\"                     # optional: windows = [30, 60, 90], id = \"eth-usd_rut\"
  clock = \"utc\"                  # or \"exchange\": ETH at the exchange's close, from
                                 # its stored intraday bars (?clock= per request)
  [serve.refresh]
  equities_after = \"16:30\"       # New York time, NYSE trading days (exchange-day symbols)
  crypto_every_hours = 4           # symbols that trade every day
  [serve.alerts]
  rules = true                     # a signal rule turning on or off
  corr_thresholds = [0.5]          # the longest window's correlation crossing these
  [serve.alerts.webhook]
  url = \"http://127.0.0.1:9000/hook\"   # JSON POST, Idempotency-Key header, retried
                                         # with backoff until delivered
Pages: / (the pairs), /pairs/ID (dashboard), /pairs/ID/charts/KIND.svg|png.
API: /api/pairs, /api/pairs/ID/series?from=&to=, /api/pairs/ID/report,
/api/pairs/ID/signals, /api/alerts?pair=&since=&limit=, POST /api/refresh, /api/health,
described by /api/openapi.json. The pair routes take clock=utc|exchange. Errors are JSON {\"error\": {\"status\", \"message\"}}.
With --offline nothing is fetched: the dashboard shows what the store holds.";

/// `lockstep serve`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Address to listen on (overrides [serve] bind).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// The configuration file [default: $LOCKSTEP_HOME/config.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Pairs to serve besides the configured ones, e.g. ETH-USD/^RUT (repeatable).
    #[arg(long = "pair", value_name = "A/B")]
    pub pairs: Vec<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key; overrides [serve]
    /// tls_cert).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Allow plain HTTP on a non-loopback address: only behind a TLS-terminating reverse
    /// proxy, the only way in from the network.
    #[arg(long)]
    pub insecure_http: bool,
}

/// The `[serve]` configuration, `--bind` and `--pair` on top, the store of `$LOCKSTEP_HOME`,
/// and the providers of its config.toml unless `--offline`: serve until stopped.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let ctx = &cx.session;
    let path = match &a.config {
        Some(p) => p.clone(),
        None => lockstep_fetch::Config::path(ctx.home()?),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && a.config.is_none() => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut config = lockstep_server::ServeConfig::from_toml_str(&text)
        .with_context(|| format!("cannot read the [serve] table of {}", path.display()))?;
    if let Some(b) = &a.bind {
        config.bind = b.clone();
    }
    if let (Some(cert), Some(key)) = (&a.tls_cert, &a.tls_key) {
        config.tls_cert = Some(cert.clone());
        config.tls_key = Some(key.clone());
    }
    config.insecure_http |= a.insecure_http;
    for p in &a.pairs {
        let Some((x, y)) = p.split_once('/') else {
            anyhow::bail!("--pair takes A/B (e.g. ETH-USD/^RUT), got {p:?}");
        };
        config.pairs.push(lockstep_server::PairConfig::new(x, y));
    }
    config.validate().context("invalid serve configuration")?;
    let fetcher = if ctx.offline {
        None
    } else {
        Some(lockstep_fetch::Fetcher::new(
            lockstep_fetch::Config::load(ctx.home()?).context("cannot read the configuration")?,
        ))
    };
    lockstep_server::run_with(
        config,
        ctx.db_path()?,
        fetcher,
        Some(lockstep_server::session_analysis(
            ctx.home()?.to_path_buf(),
            ctx.verbose,
        )),
    )
    .context("the server failed")
}
