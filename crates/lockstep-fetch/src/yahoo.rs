//! Yahoo Finance chart API: `GET /v8/finance/chart/{ticker}?period1=..&period2=..&interval=1d`.
//!
//! Each daily bar is dated by its timestamp converted to the exchange's time zone
//! (`meta.exchangeTimezoneName`, or the fixed `meta.gmtoffset` when the zone is unknown).
//!
//! Intraday: `interval=60m|30m|15m|5m|1m&includePrePost=false` (regular session only). The
//! timestamps are bar open times (Unix seconds, UTC); hourly bars open at :30 and the last of a
//! session (15:30) covers 30 minutes. Yahoo keeps 1m bars for 30 days and serves at most 7 days
//! of them a request (so 1m is paged by 7 days), 5m to 30m for 60 days, 60m for 730 days; asking
//! further back is refused here, naming the limit, before any request. A point that falls
//! inside the previous bar (the live price Yahoo may append while a session runs) is merged
//! into that bar, as yfinance does: its close, the higher high, the lower low, the volumes
//! added.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use lockstep_core::{AssetClass, Calendar, DailyBar, Date, Interval, IntradayBar, Timestamp};
use serde::Deserialize;

use crate::http::{bad_json, encode, fallback_message, Call, Reject, StatusVerdict};
use crate::provider::{ProviderSpec, BROWSER_UA};
use crate::{Ctx, FetchError, IntradayCtx, ProviderKind, Raw, RawIntraday};

/// Yahoo's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Yahoo,
    name: "yahoo",
    description: "Yahoo Finance chart API (/v8/finance/chart)",
    default_url: "https://query2.finance.yahoo.com",
    env_var: "LOCKSTEP_YAHOO_URL",
    default_min_interval_ms: 300,
    user_agent: Some(BROWSER_UA),
    intervals: &[
        Interval::M1,
        Interval::M5,
        Interval::M15,
        Interval::M30,
        Interval::H1,
        Interval::D1,
    ],
    fetch,
    fetch_intraday: Some(fetch_intraday),
};

/// How Yahoo serves an intraday interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IntradayLimit {
    /// The `interval` query value.
    pub wire: &'static str,
    /// Days back from now that Yahoo keeps bars of the interval.
    pub days_back: i64,
    /// Longest span of one request, in days (`None`: the whole range in one request).
    pub days_per_request: Option<i64>,
}

/// Yahoo's limits for an intraday interval (`None` for daily).
pub(crate) fn intraday_limit(interval: Interval) -> Option<IntradayLimit> {
    let (wire, days_back, days_per_request) = match interval {
        Interval::M1 => ("1m", 30, Some(7)),
        Interval::M5 => ("5m", 60, None),
        Interval::M15 => ("15m", 60, None),
        Interval::M30 => ("30m", 60, None),
        Interval::H1 => ("60m", 730, None),
        Interval::D1 => return None,
    };
    Some(IntradayLimit {
        wire,
        days_back,
        days_per_request,
    })
}

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
    data_granularity: Option<String>,
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

/// The first result of a chart body, or the error it carries.
fn parse_result(body: &str, ticker: &str, path: &str) -> Result<ChartResult, Reject> {
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
    Ok(result)
}

/// A finite value of a column at `i`.
fn at(col: &Option<Vec<Option<f64>>>, i: usize) -> Option<f64> {
    col.as_ref()
        .and_then(|c| c.get(i).copied().flatten())
        .filter(|v| v.is_finite())
}

fn null_close_warning(n: usize) -> Vec<String> {
    if n > 0 {
        vec![format!("yahoo: skipped {n} bar(s) with a null close")]
    } else {
        Vec::new()
    }
}

fn parse(body: &str, ticker: &str, path: &str) -> Result<Raw, Reject> {
    let result = parse_result(body, ticker, path)?;
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
    let asset_class = meta.instrument_type.as_deref().and_then(asset_class);
    Ok(Raw {
        bars,
        currency: meta.currency.clone(),
        asset_class,
        calendar: (asset_class == Some(AssetClass::Crypto)).then_some(Calendar::EveryDay),
        warnings: null_close_warning(null_close),
        requests: 1,
    })
}

/// The first UTC midnight at or after `t`.
fn next_midnight(t: Timestamp) -> Timestamp {
    let day = t.date_naive().and_time(NaiveTime::MIN).and_utc();
    if day == t {
        day
    } else {
        day + Duration::days(1)
    }
}

pub(crate) fn fetch_intraday(ctx: &mut IntradayCtx<'_>) -> Result<RawIntraday, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let interval = ctx.interval;
    let Some(limit) = intraday_limit(interval) else {
        return Err(FetchError::config(format!(
            "yahoo: {interval} is not an intraday interval"
        )));
    };
    let earliest = ctx.now - Duration::days(limit.days_back);
    let first_day = next_midnight(earliest);
    if ctx.from.unwrap_or(ctx.to) < earliest {
        return Err(FetchError::Unsupported {
            provider: ProviderKind::Yahoo,
            interval,
            message: format!(
                "yahoo serves {interval} bars for the last {} days only; ask from {} or use a \
                 coarser --interval",
                limit.days_back,
                first_day.format("%Y-%m-%d")
            ),
        });
    }
    let last_start = ctx.last_start();
    let from = ctx.from.unwrap_or_else(|| first_day.min(last_start));
    // `period2` is exclusive: one interval past `to` takes the bar opening at `to`.
    let end = last_start + interval.duration();
    let span = limit
        .days_per_request
        .map_or(end - from, Duration::days)
        .max(Duration::seconds(1));
    let pages = usize::try_from(
        (end - from)
            .num_seconds()
            .max(1)
            .unsigned_abs()
            .div_ceil(span.num_seconds().unsigned_abs()),
    )
    .unwrap_or(1);
    let path = format!("/v8/finance/chart/{}", encode(ticker));
    let mut raw = RawIntraday {
        bars: Vec::new(),
        currency: None,
        asset_class: None,
        warnings: Vec::new(),
        requests: 0,
    };
    let mut null_close = 0;
    let mut start = from;
    while start < end {
        let stop = (start + span).min(end);
        let call = Call {
            provider: ProviderKind::Yahoo,
            ticker,
            path: path.clone(),
            query: format!(
                "period1={}&period2={}&interval={}&includePrePost=false",
                start.timestamp(),
                stop.timestamp(),
                limit.wire
            ),
            page: raw.requests + 1,
            pages_estimate: Some(pages.max(raw.requests + 1)),
        };
        let page = ctx.http.get(
            &call,
            ctx.progress,
            &mut |body| parse_intraday(body, ticker, &path, interval),
            &status_verdict,
        )?;
        raw.requests += 1;
        raw.bars.extend(page.bars);
        null_close += page.null_close;
        raw.currency = raw.currency.or(page.currency);
        raw.asset_class = raw.asset_class.or(page.asset_class);
        start = stop;
    }
    raw.warnings = null_close_warning(null_close);
    Ok(raw)
}

/// One intraday chart body, decoded.
struct IntradayPage {
    bars: Vec<IntradayBar>,
    null_close: usize,
    currency: Option<String>,
    asset_class: Option<AssetClass>,
}

fn parse_intraday(
    body: &str,
    ticker: &str,
    path: &str,
    interval: Interval,
) -> Result<IntradayPage, Reject> {
    let result = parse_result(body, ticker, path)?;
    let meta = result.meta;
    if let Some(g) = meta.data_granularity.as_deref() {
        if g.parse::<Interval>().ok() != Some(interval) {
            return Err(Reject::Fail(FetchError::Parse {
                provider: ProviderKind::Yahoo,
                path: path.to_string(),
                what: "unexpected granularity".into(),
                message: format!("asked for {interval} bars, got dataGranularity {g:?}"),
                attempts: 1,
            }));
        }
    }
    let timestamps = result.timestamp.unwrap_or_default();
    let quote = result
        .indicators
        .quote
        .and_then(|q| q.into_iter().next())
        .unwrap_or_default();
    let step = interval.duration();
    let mut bars: Vec<IntradayBar> = Vec::with_capacity(timestamps.len());
    let mut null_close = 0;
    for (i, ts) in timestamps.iter().enumerate() {
        let Some(ts) = ts else { continue };
        let Some(close) = at(&quote.close, i) else {
            null_close += 1;
            continue;
        };
        let Some(start) = DateTime::<Utc>::from_timestamp(*ts, 0) else {
            return Err(Reject::Malformed {
                what: "invalid JSON",
                message: format!("timestamp {ts} out of range"),
            });
        };
        let bar = IntradayBar {
            start,
            open: at(&quote.open, i),
            high: at(&quote.high, i),
            low: at(&quote.low, i),
            close,
            volume: at(&quote.volume, i),
        };
        match bars.last_mut() {
            // A live point inside the previous bar: part of that bar.
            Some(prev) if start > prev.start && start < prev.start + step => merge(prev, &bar),
            _ => bars.push(bar),
        }
    }
    Ok(IntradayPage {
        bars,
        null_close,
        currency: meta.currency.clone(),
        asset_class: meta.instrument_type.as_deref().and_then(asset_class),
    })
}

/// Fold a later point of the same bar into `bar`.
fn merge(bar: &mut IntradayBar, later: &IntradayBar) {
    let pick = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    };
    bar.open = bar.open.or(later.open);
    bar.high = pick(bar.high, later.high, f64::max);
    bar.low = pick(bar.low, later.low, f64::min);
    bar.volume = pick(bar.volume, later.volume, |a, b| a + b);
    bar.close = later.close;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_wire_names() {
        let l = |i| intraday_limit(i).map(|l| (l.wire, l.days_back, l.days_per_request));
        assert_eq!(l(Interval::M1), Some(("1m", 30, Some(7))));
        assert_eq!(l(Interval::M5), Some(("5m", 60, None)));
        assert_eq!(l(Interval::M15), Some(("15m", 60, None)));
        assert_eq!(l(Interval::M30), Some(("30m", 60, None)));
        assert_eq!(l(Interval::H1), Some(("60m", 730, None)));
        assert_eq!(l(Interval::D1), None);
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            next_midnight(t("2026-10-07T12:00:00Z")),
            t("2026-10-08T00:00:00Z")
        );
        assert_eq!(
            next_midnight(t("2026-10-07T00:00:00Z")),
            t("2026-10-07T00:00:00Z")
        );
    }

    #[test]
    fn a_live_point_is_merged_into_its_bar() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let mut bar = IntradayBar {
            start: t("2024-01-05T20:45:00Z"),
            open: None,
            high: Some(10.0),
            low: Some(9.0),
            close: 9.5,
            volume: Some(100.0),
        };
        merge(
            &mut bar,
            &IntradayBar {
                start: t("2024-01-05T20:48:12Z"),
                open: Some(9.6),
                high: Some(10.5),
                low: None,
                close: 10.2,
                volume: Some(7.0),
            },
        );
        assert_eq!(
            (bar.open, bar.high, bar.low, bar.close, bar.volume),
            (Some(9.6), Some(10.5), Some(9.0), 10.2, Some(107.0))
        );
        assert_eq!(bar.start, t("2024-01-05T20:45:00Z"));
    }
}
