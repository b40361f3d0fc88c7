//! `GET /`: the index of the configured pairs (HTML).

use axum::extract::State;
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::error::ApiError;
use crate::http::{blocking, typed, Result, MAX_BODY};
use crate::openapi::{html_ok, responses};
use crate::pages;
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/",
    handler: |m| on(m, index),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "Index of the configured pairs (HTML).",
        "operationId": "index",
        "responses": responses(html_ok("The page."), &[]),
    })
}

async fn index(State(state): State<AppState>) -> Result<Response> {
    let st = state.clone();
    let legs = blocking(move || {
        let c = st.config();
        c.pairs
            .iter()
            .map(|p| st.legs(p).map_err(ApiError::from))
            .collect::<Result<Vec<_>>>()
    })
    .await?;
    Ok(typed(
        "text/html; charset=utf-8",
        pages::index(state.config(), &legs),
    ))
}
