//! `GET /api/symbols`: the symbols in the store (any two make a pair for `/api/figures`)
//! and the watchlist (the configured pairs), for the pair picker.

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
    path: "/api/symbols",
    handler: |m| on(m, symbols),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "The stored symbols (with their first and last date) and the watchlist, for the pair picker.",
        "operationId": "symbols",
        "responses": responses(json_ok("The symbols and the watchlist.", schema("Symbols")), &[]),
    })
}

async fn symbols(State(state): State<AppState>) -> Result<Response> {
    let st = state.clone();
    let list = blocking(move || Ok(st.stored_symbols()?)).await?;
    let symbols: Vec<Value> = list
        .iter()
        .filter(|l| l.bars > 0)
        .map(|l| {
            json!({"symbol": l.instrument.symbol, "first": l.first, "last": l.last,
                   "bars": l.bars})
        })
        .collect();
    let watchlist: Vec<Value> = state
        .config()
        .pairs
        .iter()
        .map(|p| json!({"id": p.id, "a": p.a, "b": p.b}))
        .collect();
    json_response(&json!({"symbols": symbols, "watchlist": watchlist}))
}
