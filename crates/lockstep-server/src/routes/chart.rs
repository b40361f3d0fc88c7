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
use crate::http::{blocking, pair_on, path_error, query_error, typed, Result, MAX_BODY};
use crate::openapi::{clock, pair_id, responses};
use crate::state::AppState;

/// The pair page's charts beyond the report's kinds: they need the signal rules or the
/// backtest, which the page has.
const PAGE_ONLY: [ChartKind; 2] = [ChartKind::Signals, ChartKind::Equity];

/// Smallest and largest chart side accepted by the chart routes, in pixels.
pub const CHART_SIDES: (u32, u32) = (200, 3000);

/// Threads drawing PNG charts (the render pool): at most this many bitmaps exist at once.
/// A PNG of `w × h` pixels holds a `3·w·h`-byte RGB buffer while it is drawn and encoded
/// (27 MB at 3000 × 3000), so however many are asked for at once the bitmaps in flight stay
/// under about 60 MB; the others wait in the pool's queue (holding no thread and no
/// memory), and one whose request has gone (timed out, disconnected) is not drawn. Being
/// few and long-lived, the pool's threads also keep the allocator from spreading freed
/// bitmaps over one arena per thread. SVG charts are text and are drawn on the blocking
/// threads.
pub const RENDER_THREADS: usize = 2;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The queue of the render pool, whose threads start on the first PNG.
fn render_queue() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static QUEUE: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..RENDER_THREADS {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("lockstep-render-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                eprintln!("lockstep serve: cannot start a render thread: {e}");
            }
        }
        std::sync::Mutex::new(tx)
    })
}

/// Run `f` on the render pool; a panic in it is a 500.
async fn render<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The request is gone: nothing to draw for.
        if tx.is_closed() {
            return;
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .unwrap_or_else(|_| Err(ApiError::internal("internal error: the chart panicked")));
        let _ = tx.send(r);
    });
    render_queue()
        .lock()
        .map_err(|_| ApiError::internal("the render pool is gone"))?
        .send(job)
        .map_err(|_| ApiError::internal("the render pool is gone"))?;
    rx.await
        .map_err(|_| ApiError::internal("the render pool dropped the chart"))?
}

pub(super) const ROUTE: Route = Route {
    method: "GET",
    path: "/pairs/{id}/charts/{file}",
    handler: |m| on(m, chart),
    operation,
    max_body: MAX_BODY,
};

fn operation() -> Value {
    json!({
        "summary": "One chart of a pair as SVG or PNG.",
        "operationId": "chart",
        "parameters": [
            pair_id(),
            {"name": "file", "in": "path", "required": true,
             "description": "`<kind>.svg` or `<kind>.png`; kind is one of overlay, correlation, momentum, ccf, levels, signals, equity.",
             "schema": {"type": "string", "pattern": "^(overlay|correlation|momentum|ccf|levels|signals|equity)\\.(svg|png)$"}},
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
        .filter(|k| ChartKind::REPORT.contains(k) || PAGE_ONLY.contains(k))
        .ok_or_else(|| {
            let mut kinds: Vec<&str> = ChartKind::REPORT.iter().map(|k| k.name()).collect();
            kinds.extend(PAGE_ONLY.iter().map(|k| k.name()));
            ApiError::not_found(format!("no chart {name:?}: one of {}", kinds.join(", ")))
        })?;
    let (dw, dh) = kind.default_size();
    let size = (
        side("width", q.width.as_deref(), dw)?,
        side("height", q.height.as_deref(), dh)?,
    );
    let st = state.clone();
    let data = blocking(move || st.pair_data(&p)).await?;
    // The page's SVG at its default size is drawn once per data version.
    if format == Format::Svg && size == kind.default_size() {
        if let Some(c) = data.charts().iter().find(|c| c.kind == kind) {
            return Ok(typed(format.mime(), c.svg.clone().into_bytes()));
        }
    }
    let draw = move || {
        let r = match kind {
            ChartKind::Signals => match &data.signals {
                Ok(s) => lockstep_charts::signals_chart(&data.report, s, format, size),
                Err(e) => {
                    return Err(ApiError::unavailable(format!(
                        "no signals for this pair: {e}"
                    )))
                }
            },
            ChartKind::Equity => match &data.backtest {
                Ok(b) => lockstep_charts::equity_chart(b, format, size),
                Err(e) => {
                    return Err(ApiError::unavailable(format!(
                        "no backtest for this pair: {e}"
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
    };
    let bytes = match format {
        Format::Png => render(draw).await?,
        Format::Svg => blocking(draw).await?,
    };
    Ok(typed(format.mime(), bytes))
}
