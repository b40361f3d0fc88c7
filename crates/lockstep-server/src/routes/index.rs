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
    let html = blocking(move || {
        let c = st.config();
        let now = chrono::Utc::now();
        let mut rows = Vec::new();
        for p in &c.pairs {
            let legs = st.legs(p).map_err(ApiError::from)?;
            let data = st.pair_data(p).map_err(|e| e.message);
            let last_alert =
                st.with_store(|s| lockstep_alerts::list(s, Some(&p.label()), None, 1))?;
            let stale = legs
                .iter()
                .filter_map(|l| {
                    let kind = st.symbol_status(&l.symbol)?.kind;
                    let want = crate::schedule::expected_last_bar(now, kind, &c.refresh);
                    (l.last? < want).then(|| (l.symbol.clone(), want))
                })
                .collect();
            rows.push(pages::HomeRow {
                pair: p,
                legs,
                data,
                last_alert: last_alert.into_iter().next(),
                stale,
            });
        }
        let alerts = st.with_store(|s| lockstep_alerts::list(s, None, None, 10))?;
        Ok(pages::index(c, &rows, &alerts))
    })
    .await?;
    Ok(typed("text/html; charset=utf-8", html))
}
