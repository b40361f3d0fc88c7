//! `GET /api/pairs`: the configured pairs with what the store holds for each leg and its
//! refresh schedule.

use axum::extract::State;
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::http::{blocking, json_response, Result, MAX_BODY};
use crate::openapi::{json_ok, responses, schema};
use crate::pages;
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/pairs",
    handler: |m| on(m, api_pairs),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "The configured pairs with what the store holds for each leg and its refresh schedule.",
        "operationId": "listPairs",
        "responses": responses(json_ok("The pairs.", json!({
            "type": "object", "required": ["pairs"],
            "properties": {"pairs": {"type": "array", "items": schema("Pair")}}
        })), &[]),
    })
}

async fn api_pairs(State(state): State<AppState>) -> Result<Response> {
    let st = state.clone();
    let v = blocking(move || {
        let mut out = Vec::new();
        for p in &st.config().pairs {
            let legs = st.legs(p)?;
            let legs: Vec<Value> = legs
                .iter()
                .map(|l| {
                    let mut v = serde_json::to_value(l).unwrap_or(Value::Null);
                    if let (Some(o), Some(s)) = (v.as_object_mut(), st.symbol_status(&l.symbol)) {
                        o.insert("kind".into(), json!(s.kind));
                        o.insert("next_refresh".into(), json!(s.next_refresh));
                        o.insert("last_attempt".into(), json!(s.last_attempt));
                        o.insert("last_error".into(), json!(s.last_error));
                    }
                    v
                })
                .collect();
            out.push(json!({
                "id": p.id,
                "a": p.a,
                "b": p.b,
                "windows": p.windows,
                "clock": p.clock,
                "page": format!("/pairs/{}", pages::encode_segment(&p.id)),
                "legs": legs,
            }));
        }
        Ok(json!({ "pairs": out }))
    })
    .await?;
    json_response(&v)
}
