//! FRED graph CSV: `GET /graph/fredgraph.csv?id={SERIES}[&cosd=YYYY-MM-DD]`.
//!
//! The body is `observation_date,SERIES` (older: `DATE,SERIES`); a missing observation is `.`
//! or empty and is skipped. Read with [`lockstep_data::parse_csv`], like an imported FRED file.

use lockstep_core::{AssetClass, DailyBar, Interval};
use lockstep_data::{parse_csv, CsvOptions, DataError};

use crate::http::{
    body_start, encode, fallback_message, looks_like_html, Call, Reject, StatusVerdict,
};
use crate::provider::{ProviderSpec, BROWSER_UA};
use crate::{Ctx, FetchError, ProviderKind, Raw};

/// Fred's facts (see [`ProviderSpec`]).
pub(crate) const SPEC: ProviderSpec = ProviderSpec {
    kind: ProviderKind::Fred,
    name: "fred",
    description: "FRED graph CSV (St. Louis Fed)",
    default_url: "https://fred.stlouisfed.org",
    env_var: "LOCKSTEP_FRED_URL",
    default_min_interval_ms: 500,
    user_agent: Some(BROWSER_UA),
    intervals: &[Interval::D1],
    fetch,
    fetch_intraday: None,
};

pub(crate) fn fetch(ctx: &mut Ctx<'_>) -> Result<Raw, FetchError> {
    let ticker = ctx.route.ticker.as_str();
    let mut query = format!("id={}", encode(ticker));
    if let Some(from) = ctx.from {
        query.push_str(&format!("&cosd={}", from.format("%Y-%m-%d")));
    }
    let call = Call {
        provider: ProviderKind::Fred,
        ticker,
        path: "/graph/fredgraph.csv".into(),
        query,
        page: 1,
        pages_estimate: Some(1),
    };
    let (bars, skipped) = ctx.http.get(
        &call,
        ctx.progress,
        &mut |body| parse(body, ticker),
        &|status, body| {
            let message = fallback_message(status, body);
            if matches!(status, 400 | 404) {
                StatusVerdict::Unknown(format!("FRED has no series {ticker:?} ({message})"))
            } else {
                StatusVerdict::Other(message)
            }
        },
    )?;
    let mut warnings = Vec::new();
    if skipped > 0 {
        warnings.push(format!(
            "fred: skipped {skipped} missing observation(s) ('.' or empty)"
        ));
    }
    Ok(Raw {
        bars,
        currency: None,
        asset_class: Some(AssetClass::Macro),
        calendar: None,
        warnings,
        requests: 1,
    })
}

fn parse(body: &str, ticker: &str) -> Result<(Vec<DailyBar>, usize), Reject> {
    if looks_like_html(body) {
        return Err(Reject::Malformed {
            what: "invalid CSV",
            message: format!(
                "expected observation_date,{ticker}, got an HTML page (body starts {:?})",
                body_start(body)
            ),
        });
    }
    let file = format!("fred:{ticker}");
    match parse_csv(body, &file, &CsvOptions::default()) {
        Ok(read) => {
            let s = read.series;
            let bars = s
                .dates
                .iter()
                .zip(&s.price)
                .map(|(d, v)| DailyBar::close_only(*d, *v))
                .collect();
            Ok((bars, read.skipped_null_rows))
        }
        // A header and only missing values (or none): nothing in the range.
        Err(DataError::NoData { skipped, .. }) => Ok((Vec::new(), skipped)),
        Err(e) => Err(Reject::Malformed {
            what: "invalid CSV",
            message: e.to_string(),
        }),
    }
}
