//! Stooq daily CSV: `GET /q/d/l/?s={ticker}&i=d[&d1=YYYYMMDD&d2=YYYYMMDD]`.
//!
//! The body is `Date,Open,High,Low,Close,Volume` (no `Volume` for indices), oldest first; the
//! body `No data` (with status 200) means Stooq does not know the ticker.

use lockstep_core::{DailyBar, Interval};

use crate::http::{
    body_start, encode, fallback_message, looks_like_html, Call, Reject, StatusVerdict,
};
use crate::provider::{ProviderSpec, BROWSER_UA};
use crate::{Ctx, FetchError, ProviderKind, Raw};

/// Stooq's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Stooq,
    name: "stooq",
    description: "Stooq daily CSV download",
    default_url: "https://stooq.com",
    env_var: "LOCKSTEP_STOOQ_URL",
    default_min_interval_ms: 1000,
    user_agent: Some(BROWSER_UA),
    intervals: &[Interval::D1],
    fetch,
    fetch_intraday: None,
};

pub(crate) fn fetch(ctx: &mut Ctx<'_>) -> Result<Raw, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let mut query = format!("s={}&i=d", encode(ticker));
    if let Some(from) = ctx.from {
        query.push_str(&format!(
            "&d1={}&d2={}",
            from.format("%Y%m%d"),
            ctx.to.format("%Y%m%d")
        ));
    }
    let call = Call {
        provider: ProviderKind::Stooq,
        ticker,
        path: "/q/d/l/".into(),
        query,
        page: 1,
        pages_estimate: Some(1),
    };
    let path = call.path.clone();
    let bars = ctx.http.get(
        &call,
        ctx.progress,
        &mut |body| parse(body, ticker, &path),
        &|status, body| StatusVerdict::Other(fallback_message(status, body)),
    )?;
    let currency = ticker
        .to_ascii_lowercase()
        .ends_with(".us")
        .then(|| "USD".to_string());
    Ok(Raw {
        bars,
        currency,
        asset_class: None,
        calendar: None,
        warnings: Vec::new(),
        requests: 1,
    })
}

fn malformed(message: String) -> Reject {
    Reject::Malformed {
        what: "invalid CSV",
        message,
    }
}

fn parse(body: &str, ticker: &str, path: &str) -> Result<Vec<DailyBar>, Reject> {
    let text = body.trim_start_matches('\u{feff}').trim();
    if text.eq_ignore_ascii_case("no data") || text.is_empty() {
        return Err(Reject::Fail(FetchError::UnknownSymbol {
            provider: ProviderKind::Stooq,
            symbol: ticker.to_string(),
            path: path.to_string(),
            status: 200,
            message: if text.is_empty() {
                "empty body".into()
            } else {
                "No data".into()
            },
        }));
    }
    if looks_like_html(text) {
        return Err(malformed(format!(
            "expected Date,Open,High,Low,Close,Volume, got an HTML page (body starts {:?})",
            body_start(text)
        )));
    }
    let mut lines = text.lines().enumerate();
    let header: Vec<String> = lines
        .next()
        .map(|(_, l)| {
            l.split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(date_col), Some(close_col)) = (col("date"), col("close")) else {
        // Not a CSV at all: a one-line notice like "Exceeded the daily hits limit".
        if !text.contains(',') {
            return Err(Reject::Fail(FetchError::Http {
                provider: ProviderKind::Stooq,
                path: path.to_string(),
                status: 200,
                message: body_start(text),
                attempts: 1,
            }));
        }
        return Err(malformed(format!(
            "expected a header Date,Open,High,Low,Close,Volume, got {:?}",
            body_start(text)
        )));
    };
    let (open_col, high_col, low_col, vol_col) =
        (col("open"), col("high"), col("low"), col("volume"));
    let mut bars = Vec::new();
    for (i, line) in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).copied().unwrap_or("");
        let num = |c: Option<usize>| cell(c).parse::<f64>().ok().filter(|v| v.is_finite());
        let date = cell(Some(date_col));
        let Ok(date) = date.parse() else {
            return Err(malformed(format!("line {}: bad date {date:?}", i + 1)));
        };
        let Some(close) = num(Some(close_col)) else {
            return Err(malformed(format!(
                "line {}: bad close {:?}",
                i + 1,
                cell(Some(close_col))
            )));
        };
        bars.push(DailyBar {
            date,
            open: num(open_col),
            high: num(high_col),
            low: num(low_col),
            close,
            adj_close: None,
            volume: num(vol_col),
        });
    }
    Ok(bars)
}
