//! `GET /api/figures?a=&b=&from=&to=`: the interactive figures of any two stored symbols
//! (a configured pair keeps its windows), over the aligned returns dated within
//! `[from, to]` when given (the analysis reruns on that range), as Plotly figures built by
//! `lockstep_charts::interactive` (the same as `lockstep report --interactive`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::on;
use serde::Deserialize;
use serde_json::{json, Value};

use super::Route;
use crate::config::{valid_symbol, PairConfig};
use crate::error::ApiError;
use crate::http::{blocking, date_range, query_error, typed, Result, MAX_BODY};
use crate::openapi::{date_query, json_ok, responses, schema};
use crate::state::AppState;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/api/figures",
    handler: |m| on(m, api_figures),
    operation,
    max_body: MAX_BODY,
};

fn symbol_query(name: &str, description: &str) -> Value {
    json!({
        "name": name, "in": "query", "required": true, "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": 32,
            "pattern": "^(?:[A-Za-z0-9^=_:-]+(?:\\.[A-Za-z0-9^=_:-]+)*\\.?|(?:\\.[A-Za-z0-9^=_:-]+)+\\.?)$"}
    })
}

fn operation() -> Value {
    json!({
        "summary": "Interactive figures (Plotly JSON: overlay, correlation, momentum, equity) of two stored symbols, optionally with the analysis rerun on the aligned returns dated within [from, to].",
        "operationId": "figures",
        "parameters": [
            symbol_query("a", "Leg A: a stored symbol (see /api/symbols)."),
            symbol_query("b", "Leg B: a stored symbol."),
            date_query("from", "First date (inclusive) of the aligned returns, YYYY-MM-DD."),
            date_query("to", "Last date (inclusive) of the aligned returns, YYYY-MM-DD."),
        ],
        "responses": responses(json_ok("The figures.", schema("Figures")),
            &[("400", "A missing or invalid symbol, a malformed date, `from` after `to`, a range with fewer than two aligned dates, or an unknown parameter."),
              ("404", "A symbol that is not in the store."),
              ("503", "The signal rules or the analysis cannot run on the stored data.")]),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiguresQuery {
    a: Option<String>,
    b: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn symbol(name: &str, v: Option<String>) -> Result<String> {
    match v {
        Some(s) if valid_symbol(&s) => Ok(s),
        Some(s) => Err(ApiError::bad_request(format!(
            "invalid symbol in `{name}`: {s:?} (1 to 32 of A-Z a-z 0-9 ^ = . _ - :)"
        ))),
        None => Err(ApiError::bad_request(format!("`{name}` is required"))),
    }
}

async fn api_figures(
    State(state): State<AppState>,
    query: std::result::Result<Query<FiguresQuery>, QueryRejection>,
) -> Result<Response> {
    let Query(q) = query.map_err(query_error)?;
    let a = symbol("a", q.a)?;
    let b = symbol("b", q.b)?;
    let (from, to) = date_range(q.from.as_deref(), q.to.as_deref())?;
    let config = state.config();
    let configured = config.pairs.iter().find(|p| p.a == a && p.b == b).cloned();
    let pair = configured
        .clone()
        .unwrap_or_else(|| PairConfig::new(&a, &b));
    let st = state.clone();
    let data = blocking(move || {
        let stored = st.stored_symbols()?;
        for s in [&pair.a, &pair.b] {
            if !stored
                .iter()
                .any(|l| &l.instrument.symbol == s && l.bars > 0)
            {
                return Err(ApiError::not_found(format!("{s} is not in the store")));
            }
        }
        st.pair_data_in(&pair, from, to)
    })
    .await?;
    let s = &data.report.series;
    let meta = json!({
        "a": a,
        "b": b,
        "pair": configured.map(|p| p.id),
        "from": from,
        "to": to,
        "first": s.dates.first(),
        "last": s.dates.last(),
        "windows": s.rolling.iter().map(|w| w.window).collect::<Vec<usize>>(),
        "computed_at": data.computed_at,
    })
    .to_string();
    // The figures' JSON text is cached with the pair's views: spliced in, not re-serialized.
    let body = format!(
        "{},\"figures\":{}}}",
        meta.strip_suffix('}').unwrap_or(&meta),
        data.figures()
    );
    Ok(typed("application/json", body))
}
