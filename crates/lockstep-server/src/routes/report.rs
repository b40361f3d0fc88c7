//! `GET /api/pairs/{id}/report`: a pair's full analysis report (the JSON of
//! `lockstep analyze --format json`).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::error::{chain, ApiError};
use crate::http::{
    blocking, data_of, path_error, query_error, typed, ClockQuery, Result, MAX_BODY,
};
use crate::openapi::{
    clock, json_ok, pair_id, responses, schema, BAD_CLOCK, NO_DATA_CLOCK, UNKNOWN_PAIR,
};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/pairs/{id}/report",
    handler: |m| on(m, api_report),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "The full analysis report of a pair (the JSON of `lockstep analyze --format json`).",
        "operationId": "pairReport",
        "parameters": [pair_id(), clock()],
        "responses": responses(json_ok("The report.", schema("Report")), &[BAD_CLOCK, UNKNOWN_PAIR, NO_DATA_CLOCK]),
    })
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
