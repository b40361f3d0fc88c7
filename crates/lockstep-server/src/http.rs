//! The routes, their handlers and the middleware (authentication, limits, JSON errors).

use std::any::Any;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use chrono::NaiveDate;
use lockstep_charts::{ChartKind, Format};
use lockstep_core::Date;
use lockstep_report::Clock;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::{valid_id, PairConfig};
use crate::error::{chain, ApiError};
use crate::state::{AppState, PairData};
use crate::{openapi, pages};

/// Largest accepted request body, in bytes (16 KiB).
pub const MAX_BODY: usize = 16 * 1024;

/// Longest accepted request target (path and query), in bytes (2 KiB).
pub const MAX_URI: usize = 2 * 1024;

/// Most alerts `GET /api/alerts` returns at once.
pub const MAX_LIMIT: usize = 1000;

/// Default of `limit` in `GET /api/alerts`.
pub const DEFAULT_LIMIT: usize = 100;

/// Smallest and largest chart side accepted by the chart routes, in pixels.
pub const CHART_SIDES: (u32, u32) = (200, 3000);

type Result<T, E = ApiError> = std::result::Result<T, E>;

/// The router and the table of its routes (method, path).
pub(crate) struct Routes {
    router: Router<AppState>,
    table: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(mut self, method: &'static str, path: &'static str, mr: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, mr);
        self.table.push((method, path));
        self
    }
}

pub(crate) fn routes() -> Routes {
    Routes {
        router: Router::new(),
        table: Vec::new(),
    }
    .add("GET", "/", get(index))
    .add("GET", "/pairs/{id}", get(dashboard))
    .add("GET", "/pairs/{id}/charts/{file}", get(chart))
    .add("GET", "/api/health", get(health))
    .add("GET", "/api/openapi.json", get(openapi_doc))
    .add("GET", "/api/pairs", get(api_pairs))
    .add("GET", "/api/pairs/{id}/series", get(api_series))
    .add("GET", "/api/pairs/{id}/report", get(api_report))
    .add("GET", "/api/pairs/{id}/signals", get(api_signals))
    .add("GET", "/api/alerts", get(api_alerts))
    .add("POST", "/api/refresh", post(api_refresh))
    .add("GET", "/login", get(login_page))
    .add("POST", "/login", post(login))
}

/// The cookie a browser gets from `/login`: the token, `HttpOnly; SameSite=Strict`.
pub const TOKEN_COOKIE: &str = "lockstep_token";

/// The bearer token of `Authorization: Bearer <token>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The value of the [`TOKEN_COOKIE`].
fn token_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
}

/// What the cookie holds for `token`: its bytes in hex (any token fits a cookie that way).
fn cookie_value(token: &str) -> String {
    token.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Whether the request carries `token`, as a bearer token or as the login cookie.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    bearer(headers).is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes()))
        || token_cookie(headers)
            .is_some_and(|c| constant_time_eq(c.as_bytes(), cookie_value(token).as_bytes()))
}

/// `GET /login`: a form for the token, so that a browser can use a dashboard served beyond
/// loopback (the form posts to `/login`, which sets an `HttpOnly; SameSite=Strict` cookie).
async fn login_page(RawQuery(q): RawQuery) -> Response {
    let retry = q.is_some_and(|q| q.split('&').any(|kv| kv == "retry=1"));
    typed("text/html; charset=utf-8", pages::login(retry))
}

/// `POST /login` (`application/x-www-form-urlencoded`, `token=…`): the right token sets the
/// cookie and redirects to `/`; a wrong one redirects to the form again (`/login?retry=1`).
async fn login(State(state): State<AppState>, body: Body) -> Result<Response> {
    let bytes = read_body(body).await?;
    let token = url_form_value(&bytes, "token").unwrap_or_default();
    let ok = state
        .config()
        .token
        .as_ref()
        .is_some_and(|t| constant_time_eq(token.as_bytes(), t.as_bytes()));
    if !ok {
        return Ok(see_other("/login?retry=1"));
    }
    let cookie = format!(
        "{TOKEN_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        cookie_value(&token)
    );
    let mut res = see_other("/");
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::bad_request("invalid token"))?,
    );
    Ok(res)
}

/// A 303 redirect to `to`.
fn see_other(to: &'static str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    res
}

/// The value of `name` in a URL-encoded form body (`+` is a space, `%XX` a byte).
fn url_form_value(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let raw = text
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?;
    let mut out = Vec::with_capacity(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Every route of the server as `(method, path)`, paths in the router's syntax
/// (`/api/pairs/{id}/report`); the OpenAPI document describes each `/api` one.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    routes().table
}

/// The application: every route with its middleware, over `state`. The scheduler is not
/// started (see [`crate::Server`]).
pub fn router(state: AppState) -> Router {
    let app = routes()
        .router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    harden(app, state)
}

/// Longest time a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Requests served at the same time; more wait for a slot.
pub const MAX_CONCURRENT_REQUESTS: usize = 64;

/// The middleware around the routes, innermost first: a panicking handler becomes a 500
/// JSON answer; a request over [`REQUEST_TIMEOUT`] a 408; at most
/// [`MAX_CONCURRENT_REQUESTS`] run at once; then the limits and authentication; then headers
/// and JSON errors.
fn harden(app: Router, state: AppState) -> Router {
    app.layer(CatchPanicLayer::custom(panic_response))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            MAX_CONCURRENT_REQUESTS,
        ))
        .layer(middleware::from_fn_with_state(state, guard))
        .layer(middleware::from_fn(finish))
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal("internal error: the request handler panicked").into_response()
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

// ---------------------------------------------------------------------------------------------
// Middleware
// ---------------------------------------------------------------------------------------------

/// Whether `a` and `b` are equal, in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a `Host` header names this machine (DNS-rebinding protection of a loopback
/// server): `localhost`, `127.0.0.1`, `[::1]` with any port.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Most of a refused request's body read and discarded before the refusal is sent (1 MiB).
///
/// A client that writes its whole body before reading (most simple clients do) would
/// otherwise find the connection closed under it and report a broken pipe or a reset
/// instead of the 413 or 401. Like Go's `net/http`, the server drains a bounded amount
/// ([`DRAIN_LIMIT`] bytes, for at most [`DRAIN_TIME`]) and then answers; a larger or slower
/// body is cut off.
pub const DRAIN_LIMIT: usize = 1024 * 1024;

/// Longest time spent draining a refused request's body.
pub const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Limits and authentication, before any handler (see [`refusal`]). A refused request's
/// body is drained (bounded) before the answer, so the client can read it.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match refusal(&state, &req) {
        None => next.run(req).await,
        Some(res) => {
            let drain = to_bytes(req.into_body(), DRAIN_LIMIT);
            // Whatever happens (end, limit, timeout, error), the answer is the refusal.
            let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
            res
        }
    }
}

/// 414 for a long request target, 403 for a foreign `Host` on a loopback server, 401
/// without the right bearer token (when one is configured), 413 for a declared body over
/// [`MAX_BODY`]; `None` lets the request through.
fn refusal(state: &AppState, req: &Request) -> Option<Response> {
    let target = req
        .uri()
        .path_and_query()
        .map_or(req.uri().path().len(), |p| p.as_str().len());
    if target > MAX_URI {
        return Some(
            ApiError::new(
                StatusCode::URI_TOO_LONG,
                format!("the request target is {target} bytes; the limit is {MAX_URI}"),
            )
            .into_response(),
        );
    }
    let loopback = state
        .config()
        .bind_addr()
        .is_ok_and(|a| a.ip().is_loopback());
    if loopback {
        if let Some(host) = req.headers().get(header::HOST) {
            let ok = host.to_str().is_ok_and(loopback_host);
            if !ok {
                return Some(
                    ApiError::new(
                        StatusCode::FORBIDDEN,
                        "this server answers only requests to localhost / 127.0.0.1 (Host \
                         header)",
                    )
                    .into_response(),
                );
            }
        }
    }
    if let Some(token) = &state.config().token {
        if !authorized(req.headers(), token) && req.uri().path() != "/login" {
            // A browser asking for a page is sent to the login form; anything else gets 401.
            let wants_html = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"));
            let page = req.uri().path() == "/" || req.uri().path().starts_with("/pairs/");
            if wants_html && page && req.method() == Method::GET {
                return Some(see_other("/login"));
            }
            let msg = if bearer(req.headers()).is_some() || token_cookie(req.headers()).is_some() {
                "invalid bearer token"
            } else {
                "authentication required: send `Authorization: Bearer <token>` (a browser: \
                 log in at /login)"
            };
            return Some(ApiError::new(StatusCode::UNAUTHORIZED, msg).into_response());
        }
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    declared
        .is_some_and(|n| n > MAX_BODY as u64)
        .then(|| too_large().into_response())
}

/// A request body of at most [`MAX_BODY`] bytes. A longer one (sent without a declared
/// length, so [`guard`] could not refuse it up front) is read on to [`DRAIN_LIMIT`] before
/// the 413, for the same reason the guard drains.
async fn read_body(body: Body) -> Result<Bytes> {
    match to_bytes(body, DRAIN_LIMIT).await {
        Ok(b) if b.len() <= MAX_BODY => Ok(b),
        _ => Err(too_large()),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {MAX_BODY} bytes"),
    )
}

/// Security headers on every answer, and every error answer as JSON (an error produced
/// outside the handlers, e.g. by the framework, gets the JSON shape too).
async fn finish(req: Request, next: Next) -> Response {
    let html =
        matches!(req.uri().path(), "/" | "/login") || req.uri().path().starts_with("/pairs/");
    let mut res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (mut parts, body) = res.into_parts();
        let text = to_bytes(body, 4096)
            .await
            .ok()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
        let err = ApiError::new(status, text);
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        res = Response::from_parts(parts, Body::from(err.body()));
    }
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
                 frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        );
    }
    res
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Run blocking work (the store, the analysis, drawing) off the async threads; a panic in it
/// is a 500.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        if e.is_panic() {
            ApiError::internal("internal error: the request panicked")
        } else {
            ApiError::internal("internal error: the request was cancelled")
        }
    })?
}

fn typed(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn json_response(v: &impl serde::Serialize) -> Result<Response> {
    let text = serde_json::to_string(v)
        .map_err(|e| ApiError::internal(format!("cannot render JSON: {e}")))?;
    Ok(typed("application/json", text))
}

fn path_error(e: PathRejection) -> ApiError {
    ApiError::bad_request(format!("invalid path: {}", e.body_text()))
}

fn query_error(e: QueryRejection) -> ApiError {
    ApiError::bad_request(format!("invalid query: {}", e.body_text()))
}

/// The configured pair of a path's id: 400 for an invalid id, 404 for an unknown one.
fn pair(state: &AppState, id: &str) -> Result<PairConfig> {
    if !valid_id(id) {
        return Err(ApiError::bad_request(format!(
            "invalid pair id {id:?}: 1 to 32 of A-Z a-z 0-9 ^ = . _ -"
        )));
    }
    state
        .config()
        .pair(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("unknown pair {id:?}")))
}

/// A `YYYY-MM-DD` query value; 400 naming the parameter and the value otherwise.
fn date_param(name: &str, v: Option<&str>) -> Result<Option<Date>> {
    let Some(v) = v else { return Ok(None) };
    let ok = v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if ok => Ok(Some(d)),
        _ => Err(ApiError::bad_request(format!(
            "invalid date in `{name}`: {v:?} (expected YYYY-MM-DD)"
        ))),
    }
}

/// A `clock=` query value: `utc` or `exchange`; 400 naming the value otherwise.
fn clock_param(v: &str) -> Result<Clock> {
    Clock::parse(v)
        .ok_or_else(|| ApiError::bad_request(format!("invalid `clock`: {v:?} (utc or exchange)")))
}

/// The configured pair of a path's id on the clock of a `clock=` value (else its
/// configured clock).
fn pair_on(state: &AppState, id: &str, clock: Option<&str>) -> Result<PairConfig> {
    let mut p = pair(state, id)?;
    if let Some(c) = clock {
        p.clock = clock_param(c)?;
    }
    Ok(p)
}

/// The `clock=` parameter of the pair routes without other parameters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockQuery {
    clock: Option<String>,
}

/// The query of a pair's page: `clock=`; other parameters are ignored (a page link may
/// carry them).
#[derive(Deserialize)]
struct PageQuery {
    clock: Option<String>,
}

async fn data_of(
    state: &AppState,
    id: &str,
    clock: Option<&str>,
) -> Result<(PairConfig, std::sync::Arc<PairData>)> {
    let p = pair_on(state, id, clock)?;
    let st = state.clone();
    let q = p.clone();
    let data = blocking(move || st.pair_data(&q)).await?;
    Ok((p, data))
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

async fn index(State(state): State<AppState>) -> Result<Response> {
    let st = state.clone();
    let legs = blocking(move || {
        let c = st.config();
        c.pairs
            .iter()
            .map(|p| st.legs(p).map_err(ApiError::from))
            .collect::<Result<Vec<_>>>()
    })
    .await?;
    Ok(typed(
        "text/html; charset=utf-8",
        pages::index(state.config(), &legs),
    ))
}

async fn dashboard(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response> {
    let Path(id) = id.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let p = pair_on(&state, &id, q.clock.as_deref())?;
    let st = state.clone();
    let html = blocking(move || {
        let data = st.pair_data(&p)?;
        let legs = st.legs(&p)?;
        let alerts = st.with_store(|s| lockstep_alerts::list(s, Some(&p.label()), None, 20))?;
        Ok(pages::dashboard(&st, &p, &data, &legs, &alerts))
    })
    .await?;
    Ok(typed("text/html; charset=utf-8", html))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartQuery {
    width: Option<String>,
    height: Option<String>,
    clock: Option<String>,
}

fn side(name: &str, v: Option<&str>, default: u32) -> Result<u32> {
    let Some(v) = v else { return Ok(default) };
    let (lo, hi) = CHART_SIDES;
    match v.parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "invalid `{name}`: {v:?} (a whole number of pixels from {lo} to {hi})"
        ))),
    }
}

async fn chart(
    State(state): State<AppState>,
    path: std::result::Result<Path<(String, String)>, PathRejection>,
    query: std::result::Result<Query<ChartQuery>, QueryRejection>,
) -> Result<Response> {
    let Path((id, file)) = path.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let p = pair_on(&state, &id, q.clock.as_deref())?;
    let (name, format) = match file.rsplit_once('.') {
        Some((n, "svg")) => (n, Format::Svg),
        Some((n, "png")) => (n, Format::Png),
        _ => {
            return Err(ApiError::not_found(format!(
                "no chart {file:?}: ask for <kind>.svg or <kind>.png"
            )))
        }
    };
    let kind = name
        .parse::<ChartKind>()
        .ok()
        .filter(|k| ChartKind::REPORT.contains(k) || *k == ChartKind::Signals)
        .ok_or_else(|| {
            let mut kinds: Vec<&str> = ChartKind::REPORT.iter().map(|k| k.name()).collect();
            kinds.push(ChartKind::Signals.name());
            ApiError::not_found(format!("no chart {name:?}: one of {}", kinds.join(", ")))
        })?;
    let (dw, dh) = kind.default_size();
    let size = (
        side("width", q.width.as_deref(), dw)?,
        side("height", q.height.as_deref(), dh)?,
    );
    let st = state.clone();
    let bytes = blocking(move || {
        let data = st.pair_data(&p)?;
        // The page's SVG at its default size is drawn once per data version.
        if format == Format::Svg && size == kind.default_size() {
            if let Some(c) = data.charts().iter().find(|c| c.kind == kind) {
                return Ok(c.svg.clone().into_bytes());
            }
        }
        let r = match kind {
            ChartKind::Signals => match &data.signals {
                Ok(s) => lockstep_charts::signals_chart(&data.report, s, format, size),
                Err(e) => {
                    return Err(ApiError::unavailable(format!(
                        "no signals for this pair: {e}"
                    )))
                }
            },
            k => lockstep_charts::report_chart(&data.report, k, format, size),
        };
        r.map_err(|e| match e {
            lockstep_charts::ChartError::Empty(m) => {
                ApiError::unavailable(format!("nothing to draw: {m}"))
            }
            e => ApiError::internal(chain(&e)),
        })
    })
    .await?;
    Ok(typed(format.mime(), bytes))
}

// ---------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------

async fn health(State(state): State<AppState>) -> Result<Response> {
    let st = state.clone();
    let schema = blocking(move || Ok(st.with_store(|s| s.schema_version())?)).await?;
    json_response(&json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "started_at": state.started_at(),
        "pairs": state.config().pairs.len(),
        "store": {"path": state.store_path().display().to_string(), "schema_version": schema},
        "refresh": {
            "scheduled": state.config().refresh.enabled && state.can_refresh(),
            "can_refresh": state.can_refresh(),
        },
    }))
}

async fn openapi_doc() -> Result<Response> {
    json_response(&openapi::document())
}

async fn api_pairs(State(state): State<AppState>) -> Result<Response> {
    let st = state.clone();
    let v = blocking(move || {
        let mut out = Vec::new();
        for p in &st.config().pairs {
            let legs = st.legs(p)?;
            let legs: Vec<Value> = legs
                .iter()
                .map(|l| {
                    let mut v = serde_json::to_value(l).unwrap_or(Value::Null);
                    if let (Some(o), Some(s)) = (v.as_object_mut(), st.symbol_status(&l.symbol)) {
                        o.insert("kind".into(), json!(s.kind));
                        o.insert("next_refresh".into(), json!(s.next_refresh));
                        o.insert("last_attempt".into(), json!(s.last_attempt));
                        o.insert("last_error".into(), json!(s.last_error));
                    }
                    v
                })
                .collect();
            out.push(json!({
                "id": p.id,
                "a": p.a,
                "b": p.b,
                "windows": p.windows,
                "clock": p.clock,
                "page": format!("/pairs/{}", pages::encode_segment(&p.id)),
                "legs": legs,
            }));
        }
        Ok(json!({ "pairs": out }))
    })
    .await?;
    json_response(&v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesQuery {
    from: Option<String>,
    to: Option<String>,
    clock: Option<String>,
}

async fn api_series(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<SeriesQuery>, QueryRejection>,
) -> Result<Response> {
    let Path(id) = id.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let from = date_param("from", q.from.as_deref())?;
    let to = date_param("to", q.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad_request(format!(
                "`from` ({f}) is after `to` ({t})"
            )));
        }
    }
    pair_on(&state, &id, q.clock.as_deref())?;
    let (p, data) = data_of(&state, &id, q.clock.as_deref()).await?;
    let s = &data.report.series;
    let keep: Vec<usize> = (0..s.dates.len())
        .filter(|&i| from.is_none_or(|f| s.dates[i] >= f) && to.is_none_or(|t| s.dates[i] <= t))
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let pick_opt = |v: &[Option<f64>]| keep.iter().map(|&i| v[i]).collect::<Vec<Option<f64>>>();
    let rolling: Vec<Value> = s
        .rolling
        .iter()
        .map(|w| json!({"window": w.window, "corr": pick_opt(&w.corr), "beta": pick_opt(&w.beta)}))
        .collect();
    json_response(&json!({
        "pair": p.id,
        "a": p.a,
        "b": p.b,
        "from": from,
        "to": to,
        "dates": keep.iter().map(|&i| s.dates[i]).collect::<Vec<Date>>(),
        "price_a": pick(&s.price_a),
        "price_b": pick(&s.price_b),
        "norm_a": pick(&s.norm_a),
        "norm_b": pick(&s.norm_b),
        "rolling": rolling,
    }))
}

async fn api_report(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<ClockQuery>, QueryRejection>,
) -> Result<Response> {
    let Path(id) = id.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let (_, data) = data_of(&state, &id, q.clock.as_deref()).await?;
    let text = blocking(move || {
        lockstep_report::render::json(&data.report)
            .map_err(|e| ApiError::internal(format!("cannot render the report: {}", chain(&e))))
    })
    .await?;
    Ok(typed("application/json", text))
}

async fn api_signals(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<ClockQuery>, QueryRejection>,
) -> Result<Response> {
    let Path(id) = id.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let (p, data) = data_of(&state, &id, q.clock.as_deref()).await?;
    match &data.signals {
        Ok(s) => json_response(s),
        Err(e) => Err(ApiError::unavailable(format!(
            "the signals of {} cannot be evaluated: {e}",
            p.label()
        ))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsQuery {
    pair: Option<String>,
    since: Option<String>,
    limit: Option<String>,
}

async fn api_alerts(
    State(state): State<AppState>,
    query: std::result::Result<Query<AlertsQuery>, QueryRejection>,
) -> Result<Response> {
    let Query(q) = query.map_err(query_error)?;
    let label = match q.pair.as_deref() {
        Some(id) => Some(pair(&state, id)?.label()),
        None => None,
    };
    let since = date_param("since", q.since.as_deref())?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "invalid `limit`: {v:?} (a whole number from 1 to {MAX_LIMIT})"
                )))
            }
        },
    };
    let st = state.clone();
    let alerts = blocking(move || {
        Ok(st.with_store(|s| lockstep_alerts::list(s, label.as_deref(), since, limit))?)
    })
    .await?;
    json_response(&json!({ "alerts": alerts }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    pairs: Option<Vec<String>>,
}

async fn api_refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this
    // server never grants: no other web page can make a browser trigger a refresh.
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json_type {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send `Content-Type: application/json` with a JSON body ({} or {\"pairs\": [\"<id>\"]})",
        ));
    }
    let bytes = read_body(body).await?;
    let req: RefreshBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        RefreshBody::default()
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
    };
    if let Some(ids) = &req.pairs {
        for id in ids {
            pair(&state, id)?;
        }
    }
    if !state.can_refresh() {
        return Err(crate::ServerError::NoFetcher.into());
    }
    let report = state.refresh(req.pairs.as_deref()).await?;
    json_response(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_tokens() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:80",
            "127.0.0.1",
        ] {
            assert!(loopback_host(h), "{h}");
        }
        for h in ["evil.example:8080", "10.0.0.1:80", "localhost.evil.com", ""] {
            assert!(!loopback_host(h), "{h}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(
            date_param("from", Some("2024-02-29")).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        for bad in [
            "2024-2-29",
            "2023-02-29",
            "20240101",
            "yesterday",
            "2024-01-01x",
        ] {
            let e = date_param("from", Some(bad)).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(e.message.contains(bad) && e.message.contains("from"), "{e}");
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_json() {
        use tower::ServiceExt;
        let app = Router::new()
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("boom");
                    }
                    StatusCode::OK
                }),
            )
            .route(
                "/boom-blocking",
                get(|| async { blocking(|| -> Result<()> { panic!("boom") }).await }),
            )
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(middleware::from_fn(finish));
        for path in ["/boom", "/boom-blocking"] {
            let req = Request::builder().uri(path).body(Body::empty()).unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
            let body = to_bytes(res.into_body(), 4096).await.unwrap();
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["status"], 500, "{v}");
        }
    }

    #[tokio::test]
    async fn framework_errors_become_json() {
        use tower::ServiceExt;
        let app = Router::new()
            .route(
                "/plain",
                get(|| async { (StatusCode::BAD_GATEWAY, "upstream gone") }),
            )
            .layer(middleware::from_fn(finish));
        let req = Request::builder()
            .uri("/plain")
            .body(Body::empty())
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
        let body = to_bytes(res.into_body(), 4096).await.unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["message"], "upstream gone");
    }

    #[test]
    fn every_api_route_is_documented() {
        let doc = openapi::document();
        for (method, path) in route_table() {
            let op = &doc["paths"][path][method.to_ascii_lowercase()];
            assert!(
                op.is_object(),
                "{method} {path} is not in the OpenAPI document"
            );
        }
    }
}
