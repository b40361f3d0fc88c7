//! `GET /login` and `POST /login`: the form a browser logs in with on a server with a token
//! (an `HttpOnly; SameSite=Strict` cookie instead of `Authorization`).

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::config::MAX_TOKEN_LEN;
use crate::error::ApiError;
use crate::http::{
    constant_time_eq, cookie_value, read_body, see_other, typed, Result, MAX_BODY, MAX_FORM_BODY,
    TOKEN_COOKIE,
};
use crate::openapi::{answers, html_ok, responses};
use crate::pages;
use crate::state::AppState;

pub(super) const FORM: Route = Route {
    method: "GET",
    path: "/login",
    handler: |m| on(m, login_page),
    operation: form_operation,
    max_body: MAX_BODY,
};

pub(super) const SUBMIT: Route = Route {
    method: "POST",
    path: "/login",
    handler: |m| on(m, login),
    operation: submit_operation,
    max_body: MAX_FORM_BODY,
};

/// `answers` without the 401: the form and the login need no token.
fn without_401(mut answers: Value) -> Value {
    if let Some(o) = answers.as_object_mut() {
        o.remove("401");
    }
    answers
}

fn form_operation() -> Value {
    json!({
        "summary": "The login form of a server with a token (HTML): a browser logs in here instead of sending `Authorization`.",
        "operationId": "loginForm",
        "parameters": [{"name": "retry", "in": "query", "required": false,
                        "description": "1 after a wrong token.", "schema": {"type": "string", "enum": ["1"]}}],
        "security": [],
        "responses": without_401(responses(html_ok("The form."), &[("400", "Another query than `retry=1`.")])),
    })
}

fn submit_operation() -> Value {
    json!({
        "summary": "Log in: the right token sets an HttpOnly, SameSite=Strict cookie (Secure over TLS) and redirects to `/`; a wrong one redirects to `/login?retry=1`.",
        "operationId": "login",
        "security": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["token"], "additionalProperties": false, "properties": {"token": {"type": "string", "minLength": 1, "maxLength": MAX_TOKEN_LEN}}}}}},
        "responses": without_401(answers(
            "303",
            json!({"description": "Redirect to `/` (with the cookie) or back to the form."}),
            &[
                ("400", "No `token` field in the form, an empty one, one longer than any token, another field, or a body that is not a URL-encoded form."),
                ("413", "Body over 1 KiB."),
                ("415", "The body is not declared as application/x-www-form-urlencoded."),
            ],
        )),
    })
}

/// `GET /login`: a form for the token, so that a browser can use a dashboard served beyond
/// loopback (the form posts to `/login`, which sets an `HttpOnly; SameSite=Strict` cookie).
async fn login_page(RawQuery(q): RawQuery) -> Result<Response> {
    let retry = match q.as_deref() {
        None | Some("") => false,
        Some("retry=1") => true,
        Some(q) => {
            return Err(ApiError::bad_request(format!(
                "invalid query {q:?}: the login form takes only retry=1"
            )))
        }
    };
    Ok(typed("text/html; charset=utf-8", pages::login(retry)))
}

/// `POST /login` (`application/x-www-form-urlencoded`, `token=…`): the right token sets the
/// cookie and redirects to `/`; a wrong one redirects to the form again (`/login?retry=1`).
/// A body without the form's `token` field is 400, another content type than a form 415.
async fn login(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the login form as `application/x-www-form-urlencoded` (token=...)",
        ));
    }
    let bytes = read_body(body).await?;
    let fields = form_fields(&bytes).ok_or_else(|| {
        ApiError::bad_request("the body is not a URL-encoded form (UTF-8, %XX escapes)")
    })?;
    if let Some((name, _)) = fields.iter().find(|(k, _)| k != "token") {
        return Err(ApiError::bad_request(format!(
            "unknown field {name:?} in the login form (it has only `token`)"
        )));
    }
    let token = match fields.as_slice() {
        [(_, t)] if !t.is_empty() => t.clone(),
        [] | [_] => {
            return Err(ApiError::bad_request(
                "the login form has no `token` field (send token=...)",
            ))
        }
        _ => return Err(ApiError::bad_request("`token` is given more than once")),
    };
    if token.chars().count() > MAX_TOKEN_LEN {
        return Err(ApiError::bad_request(format!(
            "the token is longer than any token ({MAX_TOKEN_LEN} characters)"
        )));
    }
    let ok = state
        .config()
        .token
        .as_ref()
        .is_some_and(|t| constant_time_eq(token.as_bytes(), t.as_bytes()));
    if !ok {
        return Ok(see_other("/login?retry=1"));
    }
    // Over TLS the browser must never send the cookie in clear.
    let secure = if state.config().tls() { "; Secure" } else { "" };
    let cookie = format!(
        "{TOKEN_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{secure}",
        cookie_value(&token)
    );
    let mut res = see_other("/");
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::bad_request("invalid token"))?,
    );
    Ok(res)
}

/// The fields of a URL-encoded form body, names and values decoded (`+` is a space, `%XX`
/// a byte); `None` when it is not one (not UTF-8, a bad escape).
fn form_fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// A URL-encoded form name or value, decoded.
fn decode(raw: &str) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_url_encoded_forms() {
        let f = |b: &str| form_fields(b.as_bytes());
        assert_eq!(
            f("token=a%2Db+c&x=").unwrap(),
            vec![
                ("token".into(), "a-b c".into()),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(f("").unwrap(), vec![]);
        assert_eq!(f("token").unwrap(), vec![("token".into(), String::new())]);
        for bad in ["token=%zz", "token=%4", "token=%ff"] {
            assert!(f(bad).is_none(), "{bad}");
        }
    }
}
