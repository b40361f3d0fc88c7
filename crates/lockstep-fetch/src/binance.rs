//! Binance spot klines: `GET /api/v3/klines?symbol=ETHUSDT&interval=1d&startTime=&endTime=&limit=1000`
//! (`interval` also `1h`, `30m`, `15m`, `5m`, `1m`: the same names as [`Interval`]).
//!
//! Rows are `[openTime ms, "open", "high", "low", "close", "volume", closeTime ms,
//! "quoteVolume", trades, ...]` with prices as strings. Pages follow one another with
//! `startTime = last openTime + interval` until a page has fewer than `limit` rows or the next
//! start is past `endTime` (the close time of the last wanted kline). Daily bars are dated by
//! the UTC day of `openTime`, intraday bars labelled by `openTime`; volume is in the base
//! asset. Every row must span exactly the interval asked for (`closeTime - openTime + 1`).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use lockstep_core::{AssetClass, Calendar, DailyBar, Date, Interval, IntradayBar};
use serde::Deserialize;
use serde_json::Value;

use crate::http::{bad_json, encode, fallback_message, Call, Reject, StatusVerdict};
use crate::provider::ProviderSpec;
use crate::{Ctx, FetchError, IntradayCtx, Progress, ProviderKind, Raw, RawIntraday};

/// Binance's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Binance,
    name: "binance",
    description: "Binance spot klines",
    default_url: "https://api.binance.com",
    env_var: "LOCKSTEP_BINANCE_URL",
    default_min_interval_ms: 100,
    user_agent: None,
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

/// Rows per request (the API's maximum).
const LIMIT: usize = 1000;

/// Start of a full-history request (Binance opened in 2017).
pub(crate) fn earliest() -> Date {
    NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default()
}

#[derive(Deserialize)]
struct ApiError {
    code: i64,
    msg: String,
}

/// One kline row, decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Kline {
    pub open_time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
    pub close_time: i64,
}

impl Kline {
    fn bar(&self) -> Option<DailyBar> {
        let date = DateTime::<Utc>::from_timestamp_millis(self.open_time)?.date_naive();
        Some(DailyBar {
            date,
            open: Some(self.open),
            high: Some(self.high),
            low: Some(self.low),
            close: self.close,
            adj_close: None,
            volume: Some(self.volume),
        })
    }

    fn intraday_bar(&self) -> Option<IntradayBar> {
        Some(IntradayBar {
            start: DateTime::<Utc>::from_timestamp_millis(self.open_time)?,
            open: Some(self.open),
            high: Some(self.high),
            low: Some(self.low),
            close: self.close,
            volume: Some(self.volume),
        })
    }
}

fn ms(d: Date) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

pub(crate) fn fetch(ctx: &mut Ctx<'_>) -> Result<Raw, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let from = ctx.from.unwrap_or_else(earliest);
    let step = Interval::D1.seconds() * 1000;
    let (rows, requests) = klines(
        ctx.http,
        ctx.progress,
        ticker,
        Interval::D1,
        ms(from),
        ms(ctx.to) + step - 1,
    )?;
    Ok(Raw {
        bars: rows.iter().filter_map(Kline::bar).collect(),
        currency: quote_currency(ticker),
        asset_class: Some(AssetClass::Crypto),
        calendar: Some(Calendar::EveryDay),
        warnings: Vec::new(),
        requests,
    })
}

pub(crate) fn fetch_intraday(ctx: &mut IntradayCtx<'_>) -> Result<RawIntraday, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let step = ctx.interval.seconds() * 1000;
    let start = ctx
        .from
        .map_or_else(|| ms(earliest()), |t| t.timestamp_millis());
    // Up to the close time of the kline opening at `to` (or now).
    let end = ctx.last_start().timestamp_millis() + step - 1;
    let (rows, requests) = klines(ctx.http, ctx.progress, ticker, ctx.interval, start, end)?;
    Ok(RawIntraday {
        bars: rows.iter().filter_map(Kline::intraday_bar).collect(),
        currency: quote_currency(ticker),
        asset_class: Some(AssetClass::Crypto),
        warnings: Vec::new(),
        requests,
    })
}

/// Every kline of `interval` opening in `[start_time, end_time]` (ms), 1000 a page; also the
/// number of requests.
fn klines(
    http: &crate::http::Http,
    progress: &mut dyn FnMut(Progress),
    ticker: &str,
    interval: Interval,
    mut start_time: i64,
    end_time: i64,
) -> Result<(Vec<Kline>, usize), FetchError> {
    let step = interval.seconds() * 1000;
    let rows_expected = usize::try_from((end_time - start_time).max(0) / step + 1).unwrap_or(1);
    let pages = rows_expected.div_ceil(LIMIT);
    let path = "/api/v3/klines".to_string();
    let mut all = Vec::new();
    let mut page = 0;
    while start_time <= end_time {
        page += 1;
        let call = Call {
            provider: ProviderKind::Binance,
            ticker,
            path: path.clone(),
            query: format!(
                "symbol={}&interval={interval}&startTime={start_time}&endTime={end_time}\
                 &limit={LIMIT}",
                encode(ticker)
            ),
            page,
            pages_estimate: Some(pages.max(page)),
        };
        let rows = http.get(
            &call,
            progress,
            &mut |body| parse_klines(body).map_err(|r| r.into_reject()),
            &status_verdict,
        )?;
        if let Some(k) = rows.iter().find(|k| k.close_time - k.open_time + 1 != step) {
            return Err(FetchError::Parse {
                provider: ProviderKind::Binance,
                path,
                what: "unexpected kline interval".into(),
                message: format!(
                    "asked for {interval} klines, got a row spanning {} ms (openTime {}, \
                     closeTime {})",
                    k.close_time - k.open_time + 1,
                    k.open_time,
                    k.close_time
                ),
                attempts: 1,
            });
        }
        let last = rows.last().map(|k| k.open_time);
        let full = rows.len() >= LIMIT;
        all.extend(rows);
        match last {
            Some(last) if full && last + step > start_time => start_time = last + step,
            _ => break,
        }
    }
    Ok((all, page))
}

/// The quote asset of a Binance symbol, for the common quotes.
fn quote_currency(ticker: &str) -> Option<String> {
    [
        "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "EUR", "BTC", "ETH", "BNB",
    ]
    .into_iter()
    .find(|q| ticker.len() > q.len() && ticker.to_ascii_uppercase().ends_with(q))
    .map(str::to_string)
}

fn status_verdict(status: u16, body: &str) -> StatusVerdict {
    match serde_json::from_str::<ApiError>(body) {
        Ok(e) if e.code == -1121 => StatusVerdict::Unknown(e.msg),
        Ok(e) => StatusVerdict::Other(format!("{} (code {})", e.msg, e.code)),
        Err(_) => StatusVerdict::Other(fallback_message(status, body)),
    }
}

/// Why a klines body could not be decoded.
pub(crate) enum KlineError {
    Json(serde_json::Error, String),
    Row(String),
    Api(String),
}

impl KlineError {
    fn into_reject(self) -> Reject {
        match self {
            KlineError::Json(e, body) => bad_json(&e, &body),
            KlineError::Row(message) => Reject::Malformed {
                what: "invalid JSON",
                message,
            },
            KlineError::Api(message) => Reject::Fail(FetchError::Http {
                provider: ProviderKind::Binance,
                path: "/api/v3/klines".into(),
                status: 200,
                message,
                attempts: 1,
            }),
        }
    }
}

/// Decode a raw `/api/v3/klines` array (any interval).
pub(crate) fn parse_klines(body: &str) -> Result<Vec<Kline>, KlineError> {
    let rows: Vec<Vec<Value>> = match serde_json::from_str(body) {
        Ok(rows) => rows,
        Err(e) => {
            if let Ok(api) = serde_json::from_str::<ApiError>(body) {
                return Err(KlineError::Api(format!("{} (code {})", api.msg, api.code)));
            }
            return Err(KlineError::Json(e, body.to_string()));
        }
    };
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let int = |j: usize| row.get(j).and_then(Value::as_i64);
            let num = |j: usize| {
                match row.get(j) {
                    Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                    Some(v) => v.as_f64(),
                    None => None,
                }
                .filter(|v| v.is_finite())
            };
            let bad = |what: &str| KlineError::Row(format!("kline {i}: bad or missing {what}"));
            Ok(Kline {
                open_time: int(0).ok_or_else(|| bad("openTime"))?,
                open: num(1).ok_or_else(|| bad("open"))?,
                high: num(2).ok_or_else(|| bad("high"))?,
                low: num(3).ok_or_else(|| bad("low"))?,
                close: num(4).ok_or_else(|| bad("close"))?,
                volume: num(5).ok_or_else(|| bad("volume"))?,
                close_time: int(6).ok_or_else(|| bad("closeTime"))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The real recorded 1h klines of ETHUSDT (pretty-printed raw array) parse exactly.
    #[test]
    fn parses_real_recorded_klines() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../../shared/data/fixtures/binance_klines.ETHUSDT.1h.2021-11-08_2021-11-18.json",
        );
        let Ok(text) = std::fs::read_to_string(&path) else {
            let _ = writeln!(
                std::io::stderr(),
                "skipping parses_real_recorded_klines: {} is absent",
                path.display()
            );
            return;
        };
        let Ok(rows) = parse_klines(&text) else {
            panic!("the recorded klines do not parse");
        };
        assert_eq!(rows.len(), 240);
        let first = rows[0];
        assert_eq!(first.open_time, 1_636_394_400_000);
        assert_eq!(first.open, 4782.45);
        assert_eq!(first.high, 4791.39);
        assert_eq!(first.low, 4773.61);
        assert_eq!(first.close, 4776.51);
        assert_eq!(first.volume, 9004.483);
        assert_eq!(first.close_time, 1_636_397_999_999);
        assert!(rows
            .windows(2)
            .all(|w| w[1].open_time - w[0].open_time == 3_600_000));
        let bar = first.bar().map(|b| b.date.to_string());
        assert_eq!(bar.as_deref(), Some("2021-11-08"));
    }

    #[test]
    fn rejects_short_rows_and_reads_api_errors() {
        assert!(matches!(
            parse_klines(r#"[[1, "1", "2"]]"#),
            Err(KlineError::Row(m)) if m.contains("low")
        ));
        assert!(matches!(
            parse_klines(r#"{"code":-1003,"msg":"Too much request weight used"}"#),
            Err(KlineError::Api(m)) if m.contains("-1003")
        ));
        assert!(matches!(parse_klines("<html>"), Err(KlineError::Json(..))));
        assert_eq!(quote_currency("ETHUSDT").as_deref(), Some("USDT"));
        assert_eq!(quote_currency("ETHBTC").as_deref(), Some("BTC"));
    }
}
