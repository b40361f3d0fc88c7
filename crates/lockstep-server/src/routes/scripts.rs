//! `GET /assets/lockstep/{version}/{name}`: the pages' own scripts (`explore.js`, the
//! interactive section of a pair page; `crosshair.js`, the crosshair and controls of its
//! server charts before Plotly.js has arrived; `charts.js`, the value axes rescaled to the visible
//! dates, shared with `report --interactive`; `home.js`, the home page's sortable table and
//! polling; `worker.js`, the service worker that keeps Plotly.js compiled in CacheStorage,
//! allowed the scope `/`), served from the binary so the pages' Content-Security-Policy can
//! allow `script-src 'self'` and no inline script. The path names the server's version:
//! cached for a year, `immutable`.

use std::sync::OnceLock;

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use axum::routing::on;
use serde_json::{json, Value};

use super::assets::CACHE_CONTROL;
use super::Route;
use crate::error::ApiError;
use crate::http::{path_error, typed, Result, MAX_BODY};
use crate::openapi::responses;

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/assets/lockstep/{version}/{name}",
    handler: |m| on(m, script),
    operation,
    max_body: MAX_BODY,
};

/// The path of the page script `name` of this server's version.
pub fn script_path(name: &str) -> String {
    format!("/assets/lockstep/{}/{name}", env!("CARGO_PKG_VERSION"))
}

fn operation() -> Value {
    json!({
        "summary": "The pages' own scripts (explore.js, crosshair.js, charts.js, home.js, and worker.js, the service worker that keeps Plotly.js in CacheStorage) of this server's version, cached for a year (`immutable`).",
        "operationId": "pageScript",
        "parameters": [
            {"name": "version", "in": "path", "required": true,
             "description": "The server's version; another is 404.",
             "schema": {"type": "string", "minLength": 1, "maxLength": 32}},
            {"name": "name", "in": "path", "required": true,
             "description": "The script.",
             "schema": {"type": "string", "enum": ["explore.js", "crosshair.js", "charts.js", "home.js", "worker.js"]}},
        ],
        "responses": responses(
            json!({"description": "The script.", "content": {"text/javascript": {"schema": {"type": "string"}}}}),
            &[("404", "Another version or an unknown script.")]),
    })
}

async fn script(
    path: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
    let Path((version, name)) = path.map_err(path_error)?;
    let body = match name.as_str() {
        "explore.js" => include_str!("../explore.js"),
        "crosshair.js" => include_str!("../crosshair.js"),
        "charts.js" => lockstep_charts::interactive::AUTOSCALE_JS,
        "home.js" => crate::pages::HOME_JS,
        "worker.js" => worker_js(),
        _ => return Err(ApiError::not_found(format!("no script {name:?}"))),
    };
    if version != env!("CARGO_PKG_VERSION") {
        return Err(ApiError::not_found(format!(
            "this server is version {}, not {version:?}",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let mut r = typed("text/javascript; charset=utf-8", body);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    if name == "worker.js" {
        r.headers_mut().insert(
            HeaderName::from_static("service-worker-allowed"),
            HeaderValue::from_static("/"),
        );
    }
    Ok(r)
}

/// The service worker, with the path of the Plotly.js this server embeds.
fn worker_js() -> &'static str {
    static JS: OnceLock<String> = OnceLock::new();
    JS.get_or_init(|| include_str!("../worker.js").replace("__PLOTLY__", &super::plotly_path()))
}
