//! The middleware (authentication, limits, JSON errors) around the routes of
//! [`crate::routes`], and the helpers their handlers share.

use std::any::Any;

use axum::body::HttpBody as _;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::NaiveDate;
use lockstep_core::Date;
use lockstep_report::Clock;
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::{valid_id, PairConfig};
use crate::error::ApiError;
use crate::routes;
use crate::state::{AppState, PairData};

/// Largest accepted request body, in bytes (16 KiB): the limit of every route but those
/// taking a form.
pub const MAX_BODY: usize = 16 * 1024;

/// Largest accepted body of a route taking a form (`POST /login`), in bytes (1 KiB).
pub const MAX_FORM_BODY: usize = 1024;

/// Longest accepted request target (path and query), in bytes (2 KiB).
pub const MAX_URI: usize = 2 * 1024;

/// A handler's result: an error is a JSON error answer.
pub(crate) type Result<T, E = ApiError> = std::result::Result<T, E>;

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
pub(crate) fn cookie_value(token: &str) -> String {
    token.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Whether the request carries `token`, as a bearer token or as the login cookie.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    bearer(headers).is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes()))
        || token_cookie(headers)
            .is_some_and(|c| constant_time_eq(c.as_bytes(), cookie_value(token).as_bytes()))
}

/// A 303 redirect to `to`.
pub(crate) fn see_other(to: &'static str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    res
}

/// Every route of the server as `(method, path)`, paths in the router's syntax
/// (`/api/pairs/{id}/report`); the OpenAPI document describes each `/api` one.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    routes::table()
}

/// The application: every route with its middleware, over `state`. The scheduler is not
/// started (see [`crate::Server`]).
pub fn router(state: AppState) -> Router {
    let app = routes::router()
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

/// Limits and authentication, before any handler (see [`refusal`]), then the body: read
/// whole (at most the route's [`crate::routes::Route::max_body`] bytes) within
/// `body_timeout_secs` of the headers, *before* the request may take one of the
/// [`MAX_CONCURRENT_REQUESTS`] slots, so that slow or unauthenticated bodies hold none (a
/// slower body is answered 408 and the connection closed). A refused request's body is
/// drained (bounded, without keeping it) before the answer, so the client can read it.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = routes::max_body(
        req.method(),
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    if let Some(res) = refusal(&state, &req, limit) {
        // Whatever happens (end, limit, timeout, error), the answer is the refusal.
        let _ = tokio::time::timeout(DRAIN_TIME, drain(req.into_body(), DRAIN_LIMIT)).await;
        return res;
    }
    let deadline = std::time::Duration::from_secs(state.config().body_timeout_secs);
    let (parts, mut body) = req.into_parts();
    let bytes = match tokio::time::timeout(deadline, collect(&mut body, limit)).await {
        Err(_) => {
            return closing(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s of its headers",
                    deadline.as_secs()
                ),
            ))
        }
        Ok(Err(BodyError::Broken)) => {
            return closing(ApiError::bad_request("the request body could not be read"))
        }
        Ok(Err(BodyError::TooLarge)) => {
            let _ = tokio::time::timeout(DRAIN_TIME, drain(body, DRAIN_LIMIT)).await;
            return too_large(limit).into_response();
        }
        Ok(Ok(b)) => b,
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// An error answer after which the connection is closed (its request was not read whole).
fn closing(e: ApiError) -> Response {
    let mut res = e.into_response();
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

enum BodyError {
    TooLarge,
    Broken,
}

/// The next data frame of `body` (trailers are skipped); `None` at its end.
async fn next_data(body: &mut Body) -> Option<std::result::Result<Bytes, BodyError>> {
    loop {
        let frame =
            std::future::poll_fn(|cx| std::pin::Pin::new(&mut *body).poll_frame(cx)).await?;
        match frame {
            Err(_) => return Some(Err(BodyError::Broken)),
            Ok(f) => {
                if let Ok(data) = f.into_data() {
                    return Some(Ok(data));
                }
            }
        }
    }
}

/// The whole of `body` if it has at most `limit` bytes.
async fn collect(body: &mut Body, limit: usize) -> std::result::Result<Bytes, BodyError> {
    let mut out = Vec::new();
    while let Some(data) = next_data(body).await {
        let data = data?;
        if out.len() + data.len() > limit {
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&data);
    }
    Ok(Bytes::from(out))
}

/// Read and discard at most `limit` more bytes of `body`.
async fn drain(mut body: Body, limit: usize) {
    let mut seen = 0;
    while let Some(Ok(data)) = next_data(&mut body).await {
        seen += data.len();
        if seen > limit {
            return;
        }
    }
}

/// 414 for a long request target, 403 for a foreign `Host` on a loopback server, 401
/// without the right bearer token (when one is configured), 413 for a declared body over
/// `limit`; `None` lets the request through.
fn refusal(state: &AppState, req: &Request, limit: usize) -> Option<Response> {
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
        .is_some_and(|n| n > limit as u64)
        .then(|| too_large(limit).into_response())
}

/// The request body, which [`guard`] has read whole already (within the route's limit).
pub(crate) async fn read_body(body: Body) -> Result<Bytes> {
    to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| too_large(MAX_BODY))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {limit} bytes"),
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
    // A versioned asset sets its own (long) lifetime; everything else is never cached.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
                 script-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
                 base-uri 'none'; form-action 'none'",
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
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        if e.is_panic() {
            ApiError::internal("internal error: the request panicked")
        } else {
            ApiError::internal("internal error: the request was cancelled")
        }
    })?
}

pub(crate) fn typed(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub(crate) fn json_response(v: &impl serde::Serialize) -> Result<Response> {
    let text = serde_json::to_string(v)
        .map_err(|e| ApiError::internal(format!("cannot render JSON: {e}")))?;
    Ok(typed("application/json", text))
}

pub(crate) fn path_error(e: PathRejection) -> ApiError {
    ApiError::bad_request(format!("invalid path: {}", e.body_text()))
}

pub(crate) fn query_error(e: QueryRejection) -> ApiError {
    ApiError::bad_request(format!("invalid query: {}", e.body_text()))
}

/// The configured pair of a path's id: 400 for an invalid id, 404 for an unknown one.
pub(crate) fn pair(state: &AppState, id: &str) -> Result<PairConfig> {
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
pub(crate) fn date_param(name: &str, v: Option<&str>) -> Result<Option<Date>> {
    let Some(v) = v else { return Ok(None) };
    let ok = v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if ok => Ok(Some(d)),
        _ => Err(ApiError::bad_request(format!(
            "invalid date in `{name}`: {v:?} (expected YYYY-MM-DD)"
        ))),
    }
}

/// The `from=`/`to=` query values of a date range: each [`date_param`], and 400 when `from`
/// is after `to`.
pub(crate) fn date_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<Date>, Option<Date>)> {
    let from = date_param("from", from)?;
    let to = date_param("to", to)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad_request(format!(
                "`from` ({f}) is after `to` ({t})"
            )));
        }
    }
    Ok((from, to))
}

/// A `clock=` query value: `utc` or `exchange`; 400 naming the value otherwise.
pub(crate) fn clock_param(v: &str) -> Result<Clock> {
    Clock::parse(v)
        .ok_or_else(|| ApiError::bad_request(format!("invalid `clock`: {v:?} (utc or exchange)")))
}

/// The configured pair of a path's id on the clock of a `clock=` value (else its
/// configured clock).
pub(crate) fn pair_on(state: &AppState, id: &str, clock: Option<&str>) -> Result<PairConfig> {
    let mut p = pair(state, id)?;
    if let Some(c) = clock {
        p.clock = clock_param(c)?;
    }
    Ok(p)
}

/// The `clock=` parameter of the pair routes without other parameters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClockQuery {
    pub clock: Option<String>,
}

pub(crate) async fn data_of(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi;
    use axum::body::Body;
    use axum::routing::get;
    use serde_json::Value;

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
