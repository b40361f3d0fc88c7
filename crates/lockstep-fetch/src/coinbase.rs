//! Coinbase Exchange public candles: `GET /products/{id}/candles?granularity=86400&start=&end=`
//! (`granularity` also `3600`, `900`, `300`, `60` for intraday bars; Coinbase has no 30-minute
//! candles).
//!
//! Rows are `[time, low, high, open, close, volume]` (numbers, newest first; `time` is the
//! candle's open time in Unix seconds); at most 300 candles per request, so the range is
//! walked in windows of 300 candles (`start` and `end` inclusive, RFC 3339 UTC). Daily bars
//! are dated by their UTC day, intraday bars labelled by `time`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use lockstep_core::{AssetClass, Calendar, DailyBar, Date, Interval, IntradayBar, Timestamp};
use serde::Deserialize;

use crate::http::{bad_json, encode, fallback_message, Call, Reject, StatusVerdict};
use crate::provider::ProviderSpec;
use crate::{Ctx, FetchError, IntradayCtx, ProviderKind, Raw, RawIntraday};

/// Coinbase's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Coinbase,
    name: "coinbase",
    description: "Coinbase Exchange public candles",
    default_url: "https://api.exchange.coinbase.com",
    env_var: "LOCKSTEP_COINBASE_URL",
    default_min_interval_ms: 150,
    user_agent: None,
    // Granularities 60, 300, 900, 3600, (21600,) 86400 s: no 30m.
    intervals: &[
        Interval::M1,
        Interval::M5,
        Interval::M15,
        Interval::H1,
        Interval::D1,
    ],
    fetch,
    fetch_intraday: Some(fetch_intraday),
};

/// Candles per request (the API's maximum).
const WINDOW: u32 = 300;

/// Start of a full-history request (Coinbase opened in 2015).
pub(crate) fn earliest() -> Date {
    NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default()
}

#[derive(Deserialize)]
struct Message {
    message: String,
}

/// One candle row, decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Candle {
    start: Timestamp,
    low: f64,
    high: f64,
    open: f64,
    close: f64,
    volume: f64,
}

pub(crate) fn fetch(ctx: &mut Ctx<'_>) -> Result<Raw, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let from = ctx.from.unwrap_or_else(earliest);
    let days = (ctx.to - from).num_days().max(0) as u64 + 1;
    let pages = days.div_ceil(u64::from(WINDOW)) as usize;
    let path = format!("/products/{}/candles", encode(ticker));
    let mut bars = Vec::new();
    let mut start = from;
    let mut page = 0;
    while start <= ctx.to {
        page += 1;
        let end = (start + Days::new(u64::from(WINDOW) - 1)).min(ctx.to);
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
        bars.extend(rows.iter().map(|c| DailyBar {
            date: c.start.date_naive(),
            open: Some(c.open),
            high: Some(c.high),
            low: Some(c.low),
            close: c.close,
            adj_close: None,
            volume: Some(c.volume),
        }));
        start = start + Days::new(u64::from(WINDOW));
    }
    Ok(Raw {
        bars,
        currency: currency(ticker),
        asset_class: Some(AssetClass::Crypto),
        calendar: Some(Calendar::EveryDay),
        warnings: Vec::new(),
        requests: page,
    })
}

pub(crate) fn fetch_intraday(ctx: &mut IntradayCtx<'_>) -> Result<RawIntraday, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let step = ctx.interval.duration();
    let from = ctx
        .from
        .unwrap_or_else(|| earliest().and_time(chrono::NaiveTime::MIN).and_utc());
    let last_start = ctx.last_start();
    let granularity = ctx.interval.seconds();
    let candles =
        (last_start - from).num_seconds().max(0).unsigned_abs() / granularity.unsigned_abs() + 1;
    let pages = usize::try_from(candles.div_ceil(u64::from(WINDOW))).unwrap_or(1);
    let path = format!("/products/{}/candles", encode(ticker));
    let rfc3339 = |t: Timestamp| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut bars = Vec::new();
    let mut start = from;
    let mut page = 0;
    while start <= last_start {
        page += 1;
        let end = (start + step * (WINDOW as i32 - 1)).min(last_start);
        let call = Call {
            provider: ProviderKind::Coinbase,
            ticker,
            path: path.clone(),
            query: format!(
                "granularity={granularity}&start={}&end={}",
                rfc3339(start),
                rfc3339(end)
            ),
            page,
            pages_estimate: Some(pages.max(page)),
        };
        let rows = ctx.http.get(
            &call,
            ctx.progress,
            &mut |body| parse(body, &path),
            &|s, b| status_verdict(s, b),
        )?;
        bars.extend(rows.iter().map(|c| IntradayBar {
            start: c.start,
            open: Some(c.open),
            high: Some(c.high),
            low: Some(c.low),
            close: c.close,
            volume: Some(c.volume),
        }));
        start += step * WINDOW as i32;
    }
    Ok(RawIntraday {
        bars,
        currency: currency(ticker),
        asset_class: Some(AssetClass::Crypto),
        warnings: Vec::new(),
        requests: page,
    })
}

/// The quote currency of a product id (`ETH-USD` → `USD`).
fn currency(ticker: &str) -> Option<String> {
    ticker.split_once('-').map(|(_, q)| q.to_ascii_uppercase())
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

fn parse(body: &str, path: &str) -> Result<Vec<Candle>, Reject> {
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
    let mut candles = Vec::with_capacity(rows.len());
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
        let Some(start) = DateTime::<Utc>::from_timestamp(time as i64, 0) else {
            return Err(Reject::Malformed {
                what: "invalid JSON",
                message: format!("candle {i}: time {time} out of range"),
            });
        };
        candles.push(Candle {
            start,
            low,
            high,
            open,
            close,
            volume,
        });
    }
    Ok(candles)
}
