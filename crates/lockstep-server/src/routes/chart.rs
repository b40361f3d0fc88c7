//! `GET /pairs/{id}/charts/{kind}.svg|png?width=&height=`: one chart of a pair.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::on;
use lockstep_charts::{ChartKind, Format};
use serde::Deserialize;
use serde_json::{json, Value};

use super::Route;
use crate::error::{chain, ApiError};
use crate::http::{blocking, pair_on, path_error, query_error, typed, Result};
use crate::openapi::{clock, pair_id, responses};
use crate::state::AppState;

/// Smallest and largest chart side accepted by the chart routes, in pixels.
pub const CHART_SIDES: (u32, u32) = (200, 3000);

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/pairs/{id}/charts/{file}",
    handler: |m| on(m, chart),
    operation,
};

fn operation() -> Value {
    json!({
        "summary": "One chart of a pair as SVG or PNG.",
        "operationId": "chart",
        "parameters": [
            pair_id(),
            {"name": "file", "in": "path", "required": true,
             "description": "`<kind>.svg` or `<kind>.png`; kind is one of overlay, correlation, momentum, ccf, levels, signals.",
             "schema": {"type": "string", "pattern": "^(overlay|correlation|momentum|ccf|levels|signals)\\.(svg|png)$"}},
            {"name": "width", "in": "query", "required": false,
             "schema": {"type": "integer", "minimum": CHART_SIDES.0, "maximum": CHART_SIDES.1}},
            {"name": "height", "in": "query", "required": false,
             "schema": {"type": "integer", "minimum": CHART_SIDES.0, "maximum": CHART_SIDES.1}},
            clock(),
        ],
        "responses": responses(
            json!({"description": "The chart.", "content": {
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            }}),
            &[("400", "Invalid pair id, size or clock."), ("404", "Unknown pair or chart."), ("503", "Nothing to draw, a leg is not stored yet, or the exchange clock lacks intraday bars.")],
        ),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartQuery {
    width: Option<String>,
    height: Option<String>,
    clock: Option<String>,
}

fn side(name: &str, v: Option<&str>, default: u32) -> Result<u32> {
    let Some(v) = v else { return Ok(default) };
    let (lo, hi) = CHART_SIDES;
    match v.parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "invalid `{name}`: {v:?} (a whole number of pixels from {lo} to {hi})"
        ))),
    }
}

async fn chart(
    State(state): State<AppState>,
    path: std::result::Result<Path<(String, String)>, PathRejection>,
    query: std::result::Result<Query<ChartQuery>, QueryRejection>,
) -> Result<Response> {
    let Path((id, file)) = path.map_err(path_error)?;
    let Query(q) = query.map_err(query_error)?;
    let p = pair_on(&state, &id, q.clock.as_deref())?;
    let (name, format) = match file.rsplit_once('.') {
        Some((n, "svg")) => (n, Format::Svg),
        Some((n, "png")) => (n, Format::Png),
        _ => {
            return Err(ApiError::not_found(format!(
                "no chart {file:?}: ask for <kind>.svg or <kind>.png"
            )))
        }
    };
    let kind = name
        .parse::<ChartKind>()
        .ok()
        .filter(|k| ChartKind::REPORT.contains(k) || *k == ChartKind::Signals)
        .ok_or_else(|| {
            let mut kinds: Vec<&str> = ChartKind::REPORT.iter().map(|k| k.name()).collect();
            kinds.push(ChartKind::Signals.name());
            ApiError::not_found(format!("no chart {name:?}: one of {}", kinds.join(", ")))
        })?;
    let (dw, dh) = kind.default_size();
    let size = (
        side("width", q.width.as_deref(), dw)?,
        side("height", q.height.as_deref(), dh)?,
    );
    let st = state.clone();
    let bytes = blocking(move || {
        let data = st.pair_data(&p)?;
        // The page's SVG at its default size is drawn once per data version.
        if format == Format::Svg && size == kind.default_size() {
            if let Some(c) = data.charts().iter().find(|c| c.kind == kind) {
                return Ok(c.svg.clone().into_bytes());
            }
        }
        let r = match kind {
            ChartKind::Signals => match &data.signals {
                Ok(s) => lockstep_charts::signals_chart(&data.report, s, format, size),
                Err(e) => {
                    return Err(ApiError::unavailable(format!(
                        "no signals for this pair: {e}"
                    )))
                }
            },
            k => lockstep_charts::report_chart(&data.report, k, format, size),
        };
        r.map_err(|e| match e {
            lockstep_charts::ChartError::Empty(m) => {
                ApiError::unavailable(format!("nothing to draw: {m}"))
            }
            e => ApiError::internal(chain(&e)),
        })
    })
    .await?;
    Ok(typed(format.mime(), bytes))
}
