//! `GET /api/health`: liveness, the server's version and the store's schema version.

use axum::extract::State;
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::http::{blocking, json_response, Result, MAX_BODY};
use crate::openapi::{json_ok, responses, schema};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/health",
    handler: |m| on(m, health),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "Liveness: the server answers and the store can be read.",
        "operationId": "health",
        "responses": responses(json_ok("Healthy.", schema("Health")), &[]),
    })
}

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
