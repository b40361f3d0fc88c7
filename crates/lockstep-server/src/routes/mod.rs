//! The one table of the server's routes: each route's method, path, handler and OpenAPI
//! operation, from which both the router and the OpenAPI document's `paths` are built.
//!
//! A route lives in its own file (`routes/<name>.rs`) with its handler and the JSON of its
//! operation; adding one is that file and a line in [`ROUTES`].

use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;
use serde_json::{Map, Value};

use crate::state::AppState;

mod alerts;
mod assets;
mod chart;
mod dashboard;
mod figures;
mod generation;
mod health;
mod index;
mod login;
mod openapi_json;
mod pairs;
mod refresh;
mod report;
mod scripts;
mod series;
mod signals;
mod symbols;

pub use alerts::{DEFAULT_LIMIT, MAX_LIMIT};
pub use assets::plotly_path;
pub use chart::{CHART_SIDES, RENDER_THREADS};
pub use generation::POLL_MS;
pub use refresh::MAX_REFRESH_PAIRS;
pub use scripts::script_path;

/// One route: `method` and `path` (in the router's syntax, `/api/pairs/{id}/report`), the
/// handler on that method, and its OpenAPI operation object.
pub(crate) struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{param}` segments.
    pub path: &'static str,
    /// The handler under this method filter (e.g. `|m| on(m, health)`).
    pub handler: fn(MethodFilter) -> MethodRouter<AppState>,
    /// The operation object of the OpenAPI document's `paths[path][method]`.
    pub operation: fn() -> Value,
    /// The largest body accepted, in bytes ([`crate::http::MAX_BODY`], or
    /// [`crate::http::MAX_FORM_BODY`] for a form): a larger one is 413, read no further.
    pub max_body: usize,
}

/// Every route of the server.
pub(crate) const ROUTES: &[Route] = &[
    index::ROUTE,
    dashboard::ROUTE,
    chart::ROUTE,
    health::ROUTE,
    openapi_json::ROUTE,
    pairs::ROUTE,
    series::ROUTE,
    report::ROUTE,
    signals::ROUTE,
    alerts::ROUTE,
    refresh::ROUTE,
    symbols::ROUTE,
    figures::ROUTE,
    generation::ROUTE,
    assets::ROUTE,
    scripts::ROUTE,
    login::FORM,
    login::SUBMIT,
];

fn filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "DELETE" => MethodFilter::DELETE,
        "PATCH" => MethodFilter::PATCH,
        m => panic!("route method {m:?} is not one of GET, POST, PUT, DELETE, PATCH"),
    }
}

/// The router of every route in [`ROUTES`] (two methods on one path share it).
pub(crate) fn router() -> Router<AppState> {
    ROUTES.iter().fold(Router::new(), |r, route| {
        r.route(route.path, (route.handler)(filter(route.method)))
    })
}

/// The OpenAPI document's `paths` object: each route's operation under its path and method.
pub(crate) fn paths() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let item = paths
            .entry(r.path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(o) = item {
            o.insert(r.method.to_ascii_lowercase(), (r.operation)());
        }
    }
    Value::Object(paths)
}

/// The body limit of the route matched as `path` (none matched: [`crate::http::MAX_BODY`]).
pub(crate) fn max_body(method: &axum::http::Method, path: Option<&str>) -> usize {
    ROUTES
        .iter()
        .find(|r| Some(r.path) == path && r.method == method.as_str())
        .map_or(crate::http::MAX_BODY, |r| r.max_body)
}

/// Every route as `(method, path)`.
pub(crate) fn table() -> Vec<(&'static str, &'static str)> {
    ROUTES.iter().map(|r| (r.method, r.path)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_once_in_the_table_with_a_known_method() {
        let mut seen = std::collections::BTreeSet::new();
        for r in ROUTES {
            filter(r.method);
            assert!(
                seen.insert((r.method, r.path)),
                "{} {} twice",
                r.method,
                r.path
            );
            assert!((r.operation)()["operationId"].is_string(), "{}", r.path);
        }
    }
}
