//! Yahoo Finance chart API: `GET /v8/finance/chart/{ticker}?period1=..&period2=..&interval=1d`.
//!
//! Each bar is dated by its timestamp converted to the exchange's time zone
//! (`meta.exchangeTimezoneName`, or the fixed `meta.gmtoffset` when the zone is unknown).

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone, Utc};
use lockstep_core::{AssetClass, Calendar, DailyBar, Date};
use serde::Deserialize;

use crate::http::{bad_json, encode, fallback_message, Call, Reject, StatusVerdict};
use crate::provider::{ProviderSpec, BROWSER_UA};
use crate::{Ctx, FetchError, ProviderKind, Raw};

/// Yahoo's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Yahoo,
    name: "yahoo",
    description: "Yahoo Finance chart API (/v8/finance/chart)",
    default_url: "https://query2.finance.yahoo.com",
    env_var: "LOCKSTEP_YAHOO_URL",
    default_min_interval_ms: 300,
    user_agent: Some(BROWSER_UA),
    intervals: &["1d"],
    fetch,
};

/// Seconds subtracted from `period2` for a full-history request (about 99 years, as yfinance
/// does; Yahoo accepts a negative `period1`).
const FULL_HISTORY_SECS: i64 = 3_122_064_000;

#[derive(Deserialize)]
struct Envelope {
    chart: Chart,
}

#[derive(Deserialize)]
struct Chart {
    result: Option<Vec<ChartResult>>,
    error: Option<ChartError>,
}

#[derive(Deserialize)]
struct ChartError {
    code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct ChartResult {
    #[serde(default)]
    meta: Meta,
    timestamp: Option<Vec<Option<i64>>>,
    #[serde(default)]
    indicators: Indicators,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    currency: Option<String>,
    instrument_type: Option<String>,
    exchange_timezone_name: Option<String>,
    gmtoffset: Option<i64>,
}

#[derive(Default, Deserialize)]
struct Indicators {
    quote: Option<Vec<Quote>>,
    adjclose: Option<Vec<AdjClose>>,
}

#[derive(Default, Deserialize)]
struct Quote {
    open: Option<Vec<Option<f64>>>,
    high: Option<Vec<Option<f64>>>,
    low: Option<Vec<Option<f64>>>,
    close: Option<Vec<Option<f64>>>,
    volume: Option<Vec<Option<f64>>>,
}

#[derive(Deserialize)]
struct AdjClose {
    adjclose: Option<Vec<Option<f64>>>,
}

fn midnight_utc(d: Date) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp()
}

pub(crate) fn fetch(ctx: &mut Ctx<'_>) -> Result<Raw, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    // One day of slack on each side: the exchange date of a bar can differ from its UTC date.
    let period2 = midnight_utc(ctx.to + chrono::Days::new(2));
    let period1 = match ctx.from {
        Some(from) => midnight_utc(from - chrono::Days::new(1)),
        None => period2 - FULL_HISTORY_SECS,
    };
    let call = Call {
        provider: ProviderKind::Yahoo,
        ticker,
        path: format!("/v8/finance/chart/{}", encode(ticker)),
        query: format!(
            "period1={period1}&period2={period2}&interval=1d&events=div%2Csplit&includeAdjustedClose=true"
        ),
        page: 1,
        pages_estimate: Some(1),
    };
    let path = call.path.clone();
    let mut raw = ctx.http.get(
        &call,
        ctx.progress,
        &mut |body| parse(body, ticker, &path),
        &status_verdict,
    )?;
    raw.requests = 1;
    Ok(raw)
}

fn status_verdict(status: u16, body: &str) -> StatusVerdict {
    if let Ok(env) = serde_json::from_str::<Envelope>(body) {
        if let Some(err) = env.chart.error {
            let unknown = err.code.as_deref() == Some("Not Found") || status == 404;
            let message = err
                .description
                .or(err.code)
                .unwrap_or_else(|| fallback_message(status, body));
            return if unknown {
                StatusVerdict::Unknown(message)
            } else {
                StatusVerdict::Other(message)
            };
        }
    }
    let message = fallback_message(status, body);
    if status == 404 {
        StatusVerdict::Unknown(message)
    } else {
        StatusVerdict::Other(message)
    }
}

/// The asset class of a Yahoo `instrumentType`.
fn asset_class(instrument_type: &str) -> Option<AssetClass> {
    Some(match instrument_type {
        "CRYPTOCURRENCY" => AssetClass::Crypto,
        "ETF" => AssetClass::Etf,
        "INDEX" => AssetClass::Index,
        "EQUITY" => AssetClass::Equity,
        "FUTURE" => AssetClass::Future,
        "" => return None,
        _ => AssetClass::Other,
    })
}

/// The exchange-local date of a UNIX timestamp.
fn local_date(ts: i64, meta: &Meta) -> Option<Date> {
    let utc = DateTime::<Utc>::from_timestamp(ts, 0)?;
    if let Some(tz) = meta
        .exchange_timezone_name
        .as_deref()
        .and_then(|n| n.parse::<chrono_tz::Tz>().ok())
    {
        return Some(utc.with_timezone(&tz).date_naive());
    }
    let offset = meta
        .gmtoffset
        .and_then(|s| i32::try_from(s).ok())
        .and_then(FixedOffset::east_opt)
        .unwrap_or(FixedOffset::east_opt(0)?);
    Some(offset.from_utc_datetime(&utc.naive_utc()).date_naive())
}

fn parse(body: &str, ticker: &str, path: &str) -> Result<Raw, Reject> {
    let env: Envelope = serde_json::from_str(body).map_err(|e| bad_json(&e, body))?;
    let result = env.chart.result.and_then(|r| r.into_iter().next());
    let Some(result) = result else {
        let (unknown, message) = match env.chart.error {
            Some(err) => (
                err.code.as_deref() == Some("Not Found"),
                err.description
                    .or(err.code)
                    .unwrap_or_else(|| "no result and no error".into()),
            ),
            None => (false, "no result and no error".into()),
        };
        return Err(Reject::Fail(if unknown {
            FetchError::UnknownSymbol {
                provider: ProviderKind::Yahoo,
                symbol: ticker.to_string(),
                path: path.to_string(),
                status: 200,
                message,
            }
        } else {
            FetchError::Http {
                provider: ProviderKind::Yahoo,
                path: path.to_string(),
                status: 200,
                message,
                attempts: 1,
            }
        }));
    };
    let meta = result.meta;
    let timestamps = result.timestamp.unwrap_or_default();
    let quote = result
        .indicators
        .quote
        .and_then(|q| q.into_iter().next())
        .unwrap_or_default();
    let adj = result
        .indicators
        .adjclose
        .and_then(|a| a.into_iter().next())
        .and_then(|a| a.adjclose);
    let at = |col: &Option<Vec<Option<f64>>>, i: usize| -> Option<f64> {
        col.as_ref()
            .and_then(|c| c.get(i).copied().flatten())
            .filter(|v| v.is_finite())
    };
    let mut bars = Vec::with_capacity(timestamps.len());
    let mut null_close = 0;
    for (i, ts) in timestamps.iter().enumerate() {
        let Some(ts) = ts else { continue };
        let Some(close) = at(&quote.close, i) else {
            null_close += 1;
            continue;
        };
        let Some(date) = local_date(*ts, &meta) else {
            return Err(Reject::Malformed {
                what: "invalid JSON",
                message: format!("timestamp {ts} out of range"),
            });
        };
        bars.push(DailyBar {
            date,
            open: at(&quote.open, i),
            high: at(&quote.high, i),
            low: at(&quote.low, i),
            close,
            adj_close: at(&adj, i),
            volume: at(&quote.volume, i),
        });
    }
    let mut warnings = Vec::new();
    if null_close > 0 {
        warnings.push(format!(
            "yahoo: skipped {null_close} bar(s) with a null close"
        ));
    }
    let asset_class = meta.instrument_type.as_deref().and_then(asset_class);
    Ok(Raw {
        bars,
        currency: meta.currency.clone(),
        asset_class,
        calendar: (asset_class == Some(AssetClass::Crypto)).then_some(Calendar::EveryDay),
        warnings,
        requests: 1,
    })
}
