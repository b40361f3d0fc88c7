//! `GET /api/generation`: the refresh generation, a counter that grows each time a scheduled
//! or requested refresh replaces a pair's views. A page polls it (it is cheap: no store
//! read) and reloads its data when it changes.

use axum::extract::State;
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::http::{json_response, Result, MAX_BODY};
use crate::openapi::{json_ok, responses, schema};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/generation",
    handler: |m| on(m, generation),
    operation,
    max_body: MAX_BODY,
};

/// How often the pages poll this route, in milliseconds.
pub const POLL_MS: u64 = 15_000;

fn operation() -> Value {
    json!({
        "summary": "The refresh generation: grows each time a refresh replaces a pair's views (pages poll it to update without a reload).",
        "operationId": "generation",
        "responses": responses(json_ok("The generation.", schema("Generation")), &[]),
    })
}

async fn generation(State(state): State<AppState>) -> Result<Response> {
    json_response(&json!({"generation": state.generation()}))
}
