//! `GET /api/pairs/{id}/signals`: the builtin signal rules evaluated over a pair (the JSON of
//! `lockstep signals --format json`).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::error::ApiError;
use crate::http::{data_of, json_response, path_error, query_error, ClockQuery, Result, MAX_BODY};
use crate::openapi::{
    clock, json_ok, pair_id, responses, schema, BAD_CLOCK, NO_DATA_CLOCK, UNKNOWN_PAIR,
};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/pairs/{id}/signals",
    handler: |m| on(m, api_signals),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "The builtin signal rules evaluated over the pair (the JSON of `lockstep signals --format json`).",
        "operationId": "pairSignals",
        "parameters": [pair_id(), clock()],
        "responses": responses(json_ok("The signals report.", schema("SignalsReport")), &[BAD_CLOCK, UNKNOWN_PAIR, NO_DATA_CLOCK]),
    })
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
