//! `POST /api/refresh`: the scheduler's cycle on demand (refresh the configured symbols of
//! every pair or of the listed ones, recompute, record and deliver alerts).

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::on;
use serde::Deserialize;
use serde_json::{json, Value};

use super::Route;
use crate::error::ApiError;
use crate::http::{json_response, pair, read_body, Result, MAX_BODY};
use crate::openapi::{json_ok, responses, schema};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "POST",
    path: "/api/refresh",
    handler: |m| on(m, api_refresh),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "Refresh the configured symbols now (all pairs, or the listed ones), recompute their reports, record and deliver alerts: the scheduler's cycle, on demand. Only configured symbols are ever fetched.",
        "operationId": "refresh",
        "description": "The body is JSON, declared `Content-Type: application/json` even when empty (`{}` or nothing refreshes every pair): no other web page can make a browser send that without a CORS preflight, which this server never grants, so none can trigger a refresh.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema("RefreshRequest")}}},
        "responses": responses(json_ok("What the cycle did.", schema("RefreshReport")), &[
            ("400", "Invalid JSON body or pair id, or more than 100 pairs (`maxItems`)."),
            ("404", "Unknown pair."),
            ("415", "The request is not declared `Content-Type: application/json` (with or without a body)."),
            ("409", "The server has no fetcher (started offline): refreshing is disabled."),
        ]),
    })
}

/// Most pair ids one refresh may list.
pub const MAX_REFRESH_PAIRS: usize = 100;

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
        if ids.len() > MAX_REFRESH_PAIRS {
            return Err(ApiError::bad_request(format!(
                "{} pairs listed; at most {MAX_REFRESH_PAIRS}",
                ids.len()
            )));
        }
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
