//! `GET /pairs/{id}`: a pair's dashboard (HTML): the report, charts, refresh banner, signals
//! and recent alerts.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::on;
use serde::Deserialize;
use serde_json::{json, Value};

use super::Route;
use crate::http::{blocking, pair_on, path_error, query_error, typed, Result, MAX_BODY};
use crate::openapi::{clock, html_ok, pair_id, responses, BAD_CLOCK, NO_DATA_CLOCK, UNKNOWN_PAIR};
use crate::pages;
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/pairs/{id}",
    handler: |m| on(m, dashboard),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "Dashboard of a pair (HTML): the report, charts, refresh banner, signals and recent alerts.",
        "operationId": "dashboard",
        "parameters": [pair_id(), clock()],
        "responses": responses(html_ok("The page."), &[BAD_CLOCK, UNKNOWN_PAIR, NO_DATA_CLOCK]),
    })
}

/// The query of a pair's page: `clock=`; other parameters are ignored (a page link may
/// carry them).
#[derive(Deserialize)]
struct PageQuery {
    clock: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response> {
    let Path(id) = id.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let p = pair_on(&state, &id, q.clock.as_deref())?;
    let st = state.clone();
    let html = blocking(move || {
        let data = st.pair_data(&p)?;
        let legs = st.legs(&p)?;
        let alerts = st.with_store(|s| lockstep_alerts::list(s, Some(&p.label()), None, 20))?;
        Ok(pages::dashboard(&st, &p, &data, &legs, &alerts))
    })
    .await?;
    Ok(typed("text/html; charset=utf-8", html))
}
