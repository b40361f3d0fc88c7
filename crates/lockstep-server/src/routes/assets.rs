//! `GET /assets/plotly/{version}/plotly.min.js`: Plotly.js as the binary embeds it (plotly.rs,
//! `plotly_embed_js`), the script of the interactive charts. The path names the version, so
//! the answer is cached for a year and never revalidated (`immutable`); another version is
//! 404. The server prepends one line, V8's compile-hints magic comment
//! (`//# allFunctionsCalledOnLoad`), Plotly's own bytes following unchanged: Chromium then
//! compiles every function of the script eagerly while it streams in, off the main thread,
//! instead of pre-parsing each one and compiling it again on the main thread at its first call
//! (the factory of Plotly's UMD wrapper is not a parenthesized function, so V8 would compile
//! it lazily). Other engines read the line as a comment. `?compile=lazy` serves the script
//! without that line, for a page that cannot have the service worker (not a secure context):
//! there a returning visit compiles Plotly.js again, and lazily that is faster (an eager
//! compilation is not cut short by Chromium's in-memory cache of compiled scripts).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery};
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

/// The line the server puts before Plotly.js: V8's compile-hints magic comment.
pub const COMPILE_HINT: &str = "//# allFunctionsCalledOnLoad\n";

/// The script as served: [`COMPILE_HINT`], then Plotly.js as the binary embeds it.
pub fn served_plotly_js() -> &'static str {
    static JS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JS.get_or_init(|| {
        format!(
            "{COMPILE_HINT}{}",
            lockstep_charts::interactive::plotly_js()
        )
    })
}

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
            "schema": {"type": "string", "minLength": 1, "maxLength": 16}},
            {"name": "compile", "in": "query", "required": false,
             "description": "`lazy`: without the first line, V8's compile-hints magic comment (for a page without the service worker).",
             "schema": {"type": "string", "enum": ["lazy"]}}],
        "responses": responses(
            json!({"description": "The script.", "content": {"text/javascript": {"schema": {"type": "string"}}}}),
            &[("400", "Another query than `compile=lazy`."), ("404", "Not the embedded version.")]),
    })
}

async fn plotly_js(
    version: std::result::Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let Path(version) = version.map_err(path_error)?;
    let body = match q.as_deref() {
        None | Some("") => served_plotly_js(),
        Some("compile=lazy") => lockstep_charts::interactive::plotly_js(),
        Some(q) => {
            return Err(ApiError::bad_request(format!(
                "invalid query {q:?}: Plotly.js takes only compile=lazy"
            )))
        }
    };
    let ours = lockstep_charts::interactive::plotly_version();
    if version != ours {
        return Err(ApiError::not_found(format!(
            "this server embeds Plotly.js {ours}, not {version:?}"
        )));
    }
    let mut r = typed("text/javascript; charset=utf-8", body);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    Ok(r)
}
