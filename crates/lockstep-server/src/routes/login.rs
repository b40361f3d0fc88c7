//! `GET /login` and `POST /login`: the form a browser logs in with on a server with a token
//! (an `HttpOnly; SameSite=Strict` cookie instead of `Authorization`).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::error::ApiError;
use crate::http::{
    constant_time_eq, cookie_value, read_body, see_other, typed, Result, TOKEN_COOKIE,
};
use crate::openapi::{html_ok, responses};
use crate::pages;
use crate::state::AppState;

pub(super) const FORM: Route = Route {
    method: "GET",
    path: "/login",
    handler: |m| on(m, login_page),
    operation: form_operation,
};

pub(super) const SUBMIT: Route = Route {
    method: "POST",
    path: "/login",
    handler: |m| on(m, login),
    operation: submit_operation,
};

fn form_operation() -> Value {
    json!({
        "summary": "The login form of a server with a token (HTML): a browser logs in here instead of sending `Authorization`.",
        "operationId": "loginForm",
        "parameters": [{"name": "retry", "in": "query", "required": false,
                        "description": "1 after a wrong token.", "schema": {"type": "string"}}],
        "security": [],
        "responses": responses(html_ok("The form."), &[]),
    })
}

fn submit_operation() -> Value {
    json!({
        "summary": "Log in: the right token sets an HttpOnly, SameSite=Strict cookie and redirects to `/`; a wrong one redirects to `/login?retry=1`.",
        "operationId": "login",
        "security": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}}}},
        "responses": {"303": {"description": "Redirect to `/` (with the cookie) or back to the form."},
                      "413": {"description": "Body over 16 KiB.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    })
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
