//! `GET /api/openapi.json`: the OpenAPI 3.0 document of every route.

use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::http::{json_response, Result, MAX_BODY};
use crate::openapi::{json_ok, responses};

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/openapi.json",
    handler: |m| on(m, openapi_doc),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "This document.",
        "operationId": "openapi",
        "responses": responses(json_ok("The OpenAPI 3.0 document.", json!({"type": "object"})), &[]),
    })
}

async fn openapi_doc() -> Result<Response> {
    json_response(&crate::openapi::document())
}
