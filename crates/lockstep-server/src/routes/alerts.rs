//! `GET /api/alerts?pair=&since=&limit=`: stored alerts with their delivery states, newest
//! first.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::on;
use serde::Deserialize;
use serde_json::{json, Value};

use super::Route;
use crate::error::ApiError;
use crate::http::{blocking, date_param, json_response, pair, query_error, Result, MAX_BODY};
use crate::openapi::{date_query, json_ok, responses, schema};
use crate::state::AppState;

/// Most alerts `GET /api/alerts` returns at once.
pub const MAX_LIMIT: usize = 1000;

/// Default of `limit` in `GET /api/alerts`.
pub const DEFAULT_LIMIT: usize = 100;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/alerts",
    handler: |m| on(m, api_alerts),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "Stored alerts with their delivery states, newest first.",
        "operationId": "listAlerts",
        "parameters": [
            {"name": "pair", "in": "query", "required": false, "description": "A pair id.",
             "schema": {"$ref": "#/components/schemas/PairId"}},
            date_query("since", "Only alerts dated on or after this date."),
            {"name": "limit", "in": "query", "required": false,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
        ],
        "responses": responses(json_ok("The alerts.", json!({
            "type": "object", "required": ["alerts"],
            "properties": {"alerts": {"type": "array", "items": schema("Alert")}}
        })), &[("400", "Invalid pair id, date or limit, or an unknown parameter."), ("404", "Unknown pair.")]),
    })
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
