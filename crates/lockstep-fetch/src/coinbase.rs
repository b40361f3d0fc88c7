//! Coinbase Exchange public candles: `GET /products/{id}/candles?granularity=86400&start=&end=`.
//!
//! Rows are `[time, low, high, open, close, volume]` (numbers, newest first); at most 300
//! candles per request, so the range is walked in 300-day windows. Dates are UTC days.

use chrono::{DateTime, Days, NaiveDate, Utc};
use lockstep_core::{AssetClass, Calendar, DailyBar, Date};
use serde::Deserialize;

use crate::http::{bad_json, encode, fallback_message, Call, Reject, StatusVerdict};
use crate::provider::ProviderSpec;
use crate::{Ctx, FetchError, ProviderKind, Raw};

/// Coinbase's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Coinbase,
    name: "coinbase",
    description: "Coinbase Exchange public candles",
    default_url: "https://api.exchange.coinbase.com",
    env_var: "LOCKSTEP_COINBASE_URL",
    default_min_interval_ms: 150,
    user_agent: None,
    intervals: &["1d"],
    fetch,
};

/// Candles per request (the API's maximum).
const WINDOW_DAYS: u64 = 300;

/// Start of a full-history request (Coinbase opened in 2015).
pub(crate) fn earliest() -> Date {
    NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default()
}

#[derive(Deserialize)]
struct Message {
    message: String,
}

pub(crate) fn fetch(ctx: &mut Ctx<'_>) -> Result<Raw, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let from = ctx.from.unwrap_or_else(earliest);
    let days = (ctx.to - from).num_days().max(0) as u64 + 1;
    let pages = days.div_ceil(WINDOW_DAYS) as usize;
    let path = format!("/products/{}/candles", encode(ticker));
    let mut bars = Vec::new();
    let mut start = from;
    let mut page = 0;
    while start <= ctx.to {
        page += 1;
        let end = (start + Days::new(WINDOW_DAYS - 1)).min(ctx.to);
        let call = Call {
            provider: ProviderKind::Coinbase,
            ticker,
            path: path.clone(),
            query: format!(
                "granularity=86400&start={}T00:00:00Z&end={}T00:00:00Z",
                start.format("%Y-%m-%d"),
                end.format("%Y-%m-%d")
            ),
            page,
            pages_estimate: Some(pages),
        };
        let rows = ctx.http.get(
            &call,
            ctx.progress,
            &mut |body| parse(body, &path),
            &|s, b| status_verdict(s, b),
        )?;
        bars.extend(rows);
        start = start + Days::new(WINDOW_DAYS);
    }
    let currency = ticker.split_once('-').map(|(_, q)| q.to_ascii_uppercase());
    Ok(Raw {
        bars,
        currency,
        asset_class: Some(AssetClass::Crypto),
        calendar: Some(Calendar::EveryDay),
        warnings: Vec::new(),
        requests: page,
    })
}

fn status_verdict(status: u16, body: &str) -> StatusVerdict {
    let message = serde_json::from_str::<Message>(body)
        .map(|m| m.message)
        .unwrap_or_else(|_| fallback_message(status, body));
    if status == 404 || message == "NotFound" {
        StatusVerdict::Unknown(message)
    } else {
        StatusVerdict::Other(message)
    }
}

fn parse(body: &str, path: &str) -> Result<Vec<DailyBar>, Reject> {
    let rows: Vec<Vec<f64>> = match serde_json::from_str(body) {
        Ok(rows) => rows,
        Err(e) => {
            // An error object with a success status is an answer, not a glitch.
            if let Ok(m) = serde_json::from_str::<Message>(body) {
                return Err(Reject::Fail(FetchError::Http {
                    provider: ProviderKind::Coinbase,
                    path: path.to_string(),
                    status: 200,
                    message: m.message,
                    attempts: 1,
                }));
            }
            return Err(bad_json(&e, body));
        }
    };
    let mut bars = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let &[time, low, high, open, close, volume, ..] = row.as_slice() else {
            return Err(Reject::Malformed {
                what: "invalid JSON",
                message: format!(
                    "candle {i} has {} values, expected [time, low, high, open, close, volume]",
                    row.len()
                ),
            });
        };
        let Some(date) = DateTime::<Utc>::from_timestamp(time as i64, 0).map(|t| t.date_naive())
        else {
            return Err(Reject::Malformed {
                what: "invalid JSON",
                message: format!("candle {i}: time {time} out of range"),
            });
        };
        bars.push(DailyBar {
            date,
            open: Some(open),
            high: Some(high),
            low: Some(low),
            close,
            adj_close: None,
            volume: Some(volume),
        });
    }
    Ok(bars)
}
