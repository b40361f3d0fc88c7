//! `GET /assets/plotly/{version}/plotly.min.js`: Plotly.js as the binary embeds it (plotly.rs,
//! `plotly_embed_js`), the script of the interactive charts. The path names the version, so
//! the answer is cached for a year and never revalidated (`immutable`); another version is
//! 404.

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::Route;
use crate::error::ApiError;
use crate::http::{path_error, typed, Result, MAX_BODY};
use crate::openapi::responses;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/assets/plotly/{version}/plotly.min.js",
    handler: |m| on(m, plotly_js),
    operation,
    max_body: MAX_BODY,
};

/// The `Cache-Control` of the script: a year, immutable (the path is versioned).
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The path of the script this binary serves.
pub fn plotly_path() -> String {
    format!(
        "/assets/plotly/{}/plotly.min.js",
        lockstep_charts::interactive::plotly_version()
    )
}

fn operation() -> Value {
    json!({
        "summary": "Plotly.js (minified), embedded in the binary: the script of the interactive charts. Cached for a year (`immutable`): the path names the version.",
        "operationId": "plotlyJs",
        "parameters": [{"name": "version", "in": "path", "required": true,
            "description": "The embedded Plotly.js version (the pages link it); another version is 404.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 16}}],
        "responses": responses(
            json!({"description": "The script.", "content": {"text/javascript": {"schema": {"type": "string"}}}}),
            &[("404", "Not the embedded version.")]),
    })
}

async fn plotly_js(version: std::result::Result<Path<String>, PathRejection>) -> Result<Response> {
    let Path(version) = version.map_err(path_error)?;
    let ours = lockstep_charts::interactive::plotly_version();
    if version != ours {
        return Err(ApiError::not_found(format!(
            "this server embeds Plotly.js {ours}, not {version:?}"
        )));
    }
    let mut r = typed(
        "text/javascript; charset=utf-8",
        lockstep_charts::interactive::plotly_js(),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    Ok(r)
}
