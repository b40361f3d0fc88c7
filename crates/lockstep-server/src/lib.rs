//! The local web dashboard and JSON API of Lockstep, served with axum.
//!
//! * **Data**: each configured pair's legs are read from the store
//!   ([`lockstep_store::Store::series`]), analyzed with [`lockstep_report::analyze`] (default
//!   options with the pair's windows) and evaluated with the builtin signal rules; the
//!   results are cached in memory until the legs' stored data change.
//! * **Refresh**: a scheduler task refreshes the configured symbols (and only those) with
//!   [`lockstep_fetch::refresh_symbol`] when due ([`next_due`]), recomputes the affected
//!   reports, detects and records alerts ([`lockstep_alerts`]) and delivers the pending ones
//!   (also every 30 s, so failed webhooks are retried with their backoff).
//!   `POST /api/refresh` runs the same cycle on demand.
//! * **Security**: loopback by default; a non-loopback address requires a token, and with a
//!   token every route requires `Authorization: Bearer <token>` (or, for a browser, the
//!   cookie `/login` sets; a page asked for without it redirects there). Path ids, dates and limits
//!   are validated; the request target is limited to 2 KiB (414) and bodies to 16 KiB, 1 KiB
//!   for the login form (413); a connection that does not send a request's headers within
//!   `header_timeout_secs` (default 10 s), or idles that long between requests, is closed; a
//!   body is read before the request takes a slot, within `body_timeout_secs` (408); one
//!   client address holds at most `max_connections_per_client` connections (503); PNG charts
//!   are drawn two at a time; every error is JSON `{"error": {"status", "message"}}`, those
//!   hyper makes for a request it cannot parse included; a panicking handler answers 500.
//!   A non-loopback address also requires TLS (`tls_cert`/`tls_key`, rustls; the login
//!   cookie is then `Secure`) unless `insecure_http` (behind a TLS-terminating proxy).
//!
//! # Routes
//!
//! Each route is one file under `routes/` (its handler and its OpenAPI operation), listed
//! once in the table of `routes/mod.rs`.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | index of the pairs (HTML) |
//! | `GET /pairs/{id}` | a pair's dashboard (HTML) |
//! | `GET /pairs/{id}/charts/{kind}.svg` / `.png` | one chart (`?width=&height=`) |
//! | `GET /api/health` | liveness and store version |
//! | `GET /api/openapi.json` | the OpenAPI 3.0 document of every route |
//! | `GET /api/pairs` | the pairs, their legs' stored range, last refresh and schedule |
//! | `GET /api/pairs/{id}/series?from=&to=` | aligned prices, rebased prices, rolling correlation |
//! | `GET /api/pairs/{id}/report` | the report JSON |
//! | `GET /api/pairs/{id}/signals` | the signals report JSON |
//! | `GET /api/alerts?pair=&since=&limit=` | stored alerts |
//! | `POST /api/refresh` | refresh now (`{"pairs": [..]}` optional) |
//! | `GET /login`, `POST /login` | with a token: the form a browser logs in with (an `HttpOnly; SameSite=Strict` cookie) |
//!
//! # Running
//!
//! ```no_run
//! # fn main() -> Result<(), lockstep_server::ServerError> {
//! let text = std::fs::read_to_string("config.toml").unwrap_or_default();
//! let config = lockstep_server::ServeConfig::from_toml_str(&text)?;
//! let fetcher = lockstep_fetch::Fetcher::new(lockstep_fetch::Config::default());
//! lockstep_server::run(config, "lockstep.db".into(), Some(fetcher))
//! # }
//! ```
#![forbid(unsafe_code)]
#![recursion_limit = "512"]

mod config;
mod conn;
mod error;
mod http;
mod openapi;
mod pages;
mod routes;
mod schedule;
mod state;

use std::future::Future;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lockstep_fetch::Fetcher;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tower::ServiceExt as _;

pub use config::{
    pair_slug, valid_id, valid_symbol, PairConfig, RefreshConfig, ServeConfig, MAX_TOKEN_LEN,
    MAX_WINDOW, MIN_TOKEN_LEN, TOKEN_ENV,
};
pub use error::{ApiError, ServerError};
pub use http::{constant_time_eq, route_table, router, MAX_BODY, MAX_FORM_BODY, MAX_URI};
pub use openapi::document as openapi_document;
pub use routes::{CHART_SIDES, DEFAULT_LIMIT, MAX_LIMIT, MAX_REFRESH_PAIRS, RENDER_THREADS};
pub use schedule::{next_due, SymbolKind};
pub use state::{
    session_analysis, AnalysisOptions, AppState, LegInfo, PairData, RefreshReport, SymbolOutcome,
    SymbolStatus, DELIVERY_INTERVAL,
};

/// How long a graceful shutdown waits for open connections and running work.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serve `state` on `listener` with the scheduler until `shutdown` completes, then stop
/// accepting, let open requests finish (at most [`SHUTDOWN_GRACE`]) and stop the scheduler.
///
/// The accept loop is this crate's, not `axum::serve`, for what axum does not expose:
/// hyper's header read timeout (`[serve] header_timeout_secs`), which closes a connection
/// that has not sent a request's headers in time, or sits idle between requests that long,
/// so that slowly trickling clients cannot hold connections (slowloris); the per-client
/// connection cap (`max_connections_per_client`); TLS; and the JSON shape of the errors
/// hyper answers by itself ([`conn::JsonErrors`]).
async fn serve(
    listener: TcpListener,
    state: AppState,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let header_timeout = Duration::from_secs(state.config().header_timeout_secs);
    let cap = state.config().max_connections_per_client;
    let clients = conn::Clients::new(cap);
    let (stop_tx, stop_rx) = watch::channel(false);
    let scheduler = tokio::spawn(state.clone().run_scheduler(stop_rx.clone()));
    let app = router(state);
    // Every connection task holds a receiver: `closed()` on the sender completes when the
    // last one has finished.
    let (conn_tx, conn_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    eprintln!("lockstep serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (app, tls, stop, done) = (app.clone(), tls.clone(), stop_rx.clone(), conn_rx.clone());
        let slot = clients.enter(peer.ip());
        tokio::spawn(async move {
            match (slot, tls) {
                (None, None) => conn::refuse(stream, cap).await,
                (None, Some(tls)) => {
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(header_timeout, tls.accept(stream)).await
                    {
                        conn::refuse(s, cap).await;
                    }
                }
                (Some(_slot), None) => connection(stream, app, header_timeout, stop).await,
                (Some(_slot), Some(tls)) => {
                    // A handshake slower than the headers may be is given up like them.
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(header_timeout, tls.accept(stream)).await
                    {
                        connection(s, app, header_timeout, stop).await;
                    }
                }
            }
            drop(done);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(conn_rx);
    if tokio::time::timeout(SHUTDOWN_GRACE, conn_tx.closed())
        .await
        .is_err()
    {
        eprintln!(
            "lockstep serve: connections still open after {} s; closing them",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    scheduler.abort();
    let _ = scheduler.await;
    Ok(())
}

/// Serve HTTP/1.1 on one connection until it closes, or gracefully once `stop` turns true.
async fn connection<S>(
    stream: S,
    app: axum::Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service =
        hyper_util::service::TowerToHyperService::new(app.map_request(
            |r: axum::http::Request<hyper::body::Incoming>| r.map(axum::body::Body::new),
        ));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(
            hyper_util::rt::TokioIo::new(conn::JsonErrors::new(stream)),
            service,
        );
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = async { drop(stop.wait_for(|s| *s).await) } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Validate `config`, open the store, build the runtime and bind.
fn prepare(
    config: ServeConfig,
    store_path: &Path,
    fetcher: Option<Fetcher>,
    options: Option<AnalysisOptions>,
) -> Result<Prepared, ServerError> {
    let mut config = config;
    config.validate()?;
    let addr = config.check_security()?;
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(c), Some(k)) => Some(conn::tls_acceptor(c, k)?),
        _ => None,
    };
    let state = AppState::with_options(config, store_path, fetcher, options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("lockstep-serve")
        .build()?;
    let listener = runtime
        .block_on(TcpListener::bind(addr))
        .map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    Ok((runtime, listener, state, tls))
}

/// What [`prepare`] makes: the runtime, the bound listener, the state, and the TLS acceptor
/// when the configuration has a certificate.
type Prepared = (
    tokio::runtime::Runtime,
    TcpListener,
    AppState,
    Option<tokio_rustls::TlsAcceptor>,
);

/// A running server on its own threads (for tests and embedding): started by
/// [`Server::start`], stopped by [`Server::stop`] or when dropped.
pub struct Server {
    addr: SocketAddr,
    state: AppState,
    handle: tokio::runtime::Handle,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServerError>>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Validate `config` (refusing a non-loopback address without a token), open the store
    /// at `store_path`, bind `config.bind` (port 0 picks a free port) and serve in the
    /// background with the scheduler. The token is the configuration's only (unlike
    /// [`run`], the environment is not read).
    pub fn start(
        config: ServeConfig,
        store_path: &Path,
        fetcher: Option<Fetcher>,
    ) -> Result<Server, ServerError> {
        let (runtime, listener, state, tls) = prepare(config, store_path, fetcher, None)?;
        let addr = listener.local_addr()?;
        let handle = runtime.handle().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::Builder::new()
            .name("lockstep-serve".into())
            .spawn(move || {
                let r = runtime.block_on(serve(listener, st, tls, async {
                    let _ = rx.await;
                }));
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
                r
            })?;
        Ok(Server {
            addr,
            state,
            handle,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (`https://` with TLS), without a trailing slash.
    pub fn url(&self) -> String {
        let scheme = if self.state.config().tls() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Run a refresh cycle now over every configured pair and wait for it (the scheduler's
    /// cycle; see [`AppState::refresh`]). Must not be called from inside a tokio runtime.
    pub fn refresh_now(&self) -> Result<RefreshReport, ServerError> {
        self.handle.block_on(self.state.refresh(None))
    }

    /// Stop gracefully and wait for the server's threads.
    pub fn stop(mut self) -> Result<(), ServerError> {
        self.shutdown_and_join()
    }

    fn shutdown_and_join(&mut self) -> Result<(), ServerError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| ServerError::Internal("the server thread panicked".into()))?,
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown_and_join();
    }
}

/// Completes on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Serve the dashboard and API until Ctrl-C or SIGTERM (`lockstep serve`); blocking.
///
/// Takes the token from `LOCKSTEP_TOKEN` when `config` sets none, validates `config`
/// (refusing a non-loopback address without a token), opens (or creates) the store at
/// `store_path`, binds, prints `lockstep serve: listening on http://…/` to stdout, serves
/// with the scheduler, and on the signal shuts down gracefully. Without a `fetcher` nothing
/// is refreshed: the server shows what the store holds.
pub fn run(
    config: ServeConfig,
    store_path: PathBuf,
    fetcher: Option<Fetcher>,
) -> Result<(), ServerError> {
    run_with(config, store_path, fetcher, None)
}

/// [`run`], with the pairs' analysis options made by `options` (see [`AnalysisOptions`]).
pub fn run_with(
    config: ServeConfig,
    store_path: PathBuf,
    fetcher: Option<Fetcher>,
    options: Option<AnalysisOptions>,
) -> Result<(), ServerError> {
    let config = config.with_env_token(|k| std::env::var(k).ok());
    let (runtime, listener, state, tls) = prepare(config, &store_path, fetcher, options)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let addr = listener.local_addr()?;
    let pairs = state.config().pairs.len();
    let auth = if state.config().token.is_some() {
        "; bearer token required"
    } else {
        ""
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "lockstep serve: listening on {scheme}://{addr}/ ({pairs} pair{}{auth}; Ctrl-C stops)",
            if pairs == 1 { "" } else { "s" }
        );
        let _ = out.flush();
    }
    let r = runtime.block_on(serve(listener, state, tls, shutdown_signal()));
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    eprintln!("lockstep serve: stopped");
    r
}
