//! `GET /api/pairs/{id}/series?from=&to=`: a pair's aligned prices, rebased prices and
//! rolling correlation and beta per window.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::on;
use lockstep_core::Date;
use serde::Deserialize;
use serde_json::{json, Value};

use super::Route;
use crate::http::{
    data_of, date_range, json_response, pair_on, path_error, query_error, Result, MAX_BODY,
};
use crate::openapi::{
    clock, date_query, json_ok, pair_id, responses, schema, NO_DATA_CLOCK, UNKNOWN_PAIR,
};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/pairs/{id}/series",
    handler: |m| on(m, api_series),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "The aligned series of a pair (prices, rebased prices, rolling correlation and beta per window), optionally within [from, to].",
        "operationId": "pairSeries",
        "parameters": [
            pair_id(),
            date_query("from", "First date (inclusive), YYYY-MM-DD."),
            date_query("to", "Last date (inclusive), YYYY-MM-DD."),
            clock(),
        ],
        "responses": responses(json_ok("The series.", schema("Series")),
            &[("400", "Invalid pair id or clock, a malformed date (the message names it), `from` after `to`, or an unknown parameter."), UNKNOWN_PAIR, NO_DATA_CLOCK]),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesQuery {
    from: Option<String>,
    to: Option<String>,
    clock: Option<String>,
}

async fn api_series(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    query: std::result::Result<Query<SeriesQuery>, QueryRejection>,
) -> Result<Response> {
    let Path(id) = id.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let (from, to) = date_range(q.from.as_deref(), q.to.as_deref())?;
    pair_on(&state, &id, q.clock.as_deref())?;
    let (p, data) = data_of(&state, &id, q.clock.as_deref()).await?;
    let s = &data.report.series;
    let keep: Vec<usize> = (0..s.dates.len())
        .filter(|&i| from.is_none_or(|f| s.dates[i] >= f) && to.is_none_or(|t| s.dates[i] <= t))
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let pick_opt =
        |v: &lockstep_report::Values| keep.iter().map(|&i| v.at(i)).collect::<Vec<Option<f64>>>();
    let rolling: Vec<Value> = s
        .rolling
        .iter()
        .map(|w| json!({"window": w.window, "corr": pick_opt(&w.corr), "beta": pick_opt(&w.beta)}))
        .collect();
    json_response(&json!({
        "pair": p.id,
        "a": p.a,
        "b": p.b,
        "from": from,
        "to": to,
        "dates": keep.iter().map(|&i| s.dates[i]).collect::<Vec<Date>>(),
        "price_a": pick(&s.price_a),
        "price_b": pick(&s.price_b),
        "norm_a": pick(&s.norm_a),
        "norm_b": pick(&s.norm_b),
        "rolling": rolling,
    }))
}
