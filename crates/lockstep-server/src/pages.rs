//! The HTML pages: the index of pairs and a pair's dashboard (the report page of
//! `lockstep-html` with navigation, refresh banner, signals and recent alerts).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use lockstep_alerts::StoredAlert;
use lockstep_html::{escape, PageOptions, Section};

use crate::config::{PairConfig, ServeConfig};
use crate::state::{AppState, LegInfo, PairData};

/// Percent-encode a path segment (everything but ASCII letters, digits, `-`, `.`, `_`, `~`).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `2024-05-01T12:00:03.123Z` → `2024-05-01 12:00:03 UTC` (the text itself when it does not
/// parse).
pub fn display_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| fmt_time(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The banner line of one leg: when and from where its data were last refreshed.
pub fn leg_banner(leg: &LegInfo, next: Option<DateTime<Utc>>) -> String {
    let mut s = if leg.stored {
        let when = leg
            .last_refresh
            .as_deref()
            .map_or_else(|| "never".to_string(), display_time);
        format!(
            "{}: data last refreshed {when} from {}; last bar {}",
            leg.symbol,
            leg.provider.as_deref().unwrap_or("?"),
            leg.last
                .map_or_else(|| "none".to_string(), |d| d.to_string())
        )
    } else {
        format!("{}: not in the store yet", leg.symbol)
    };
    if let Some(f) = &leg.last_failure {
        let _ = write!(s, "; the last attempt failed: {f}");
    }
    if let Some(t) = next {
        let _ = write!(s, "; next refresh {}", fmt_time(t));
    }
    s
}

const INDEX_CSS: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%}th,td{text-align:left;\
padding:.4rem .6rem;border-bottom:1px solid #ddd}th{font-weight:600}\
@media (prefers-color-scheme:dark){body{background:#111;color:#ddd}a{color:#8cf}\
th,td{border-color:#333}}";

/// The index page: every configured pair with a link to its dashboard and its legs' state.
pub fn index(config: &ServeConfig, legs: &[[LegInfo; 2]]) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        o,
        "<title>Lockstep</title>\n<style>{INDEX_CSS}</style>\n</head>\n<body>"
    );
    o.push_str("<h1>Lockstep</h1>\n");
    if config.pairs.is_empty() {
        o.push_str(
            "<p id=\"no-pairs\">No pair is configured: add <code>[[serve.pairs]]</code> \
             tables (<code>a = \"ETH-USD\"</code>, <code>b = \"^RUT\"</code>) to \
             config.toml.</p>\n",
        );
    } else {
        o.push_str(
            "<table id=\"pairs\">\n<thead><tr><th>Pair</th><th>Windows</th><th>Last bar A</th>\
             <th>Last bar B</th><th>Last refresh</th></tr></thead>\n<tbody>\n",
        );
        for (p, l) in config.pairs.iter().zip(legs) {
            let last = |l: &LegInfo| l.last.map_or_else(|| "—".to_string(), |d| d.to_string());
            let refreshed = l
                .iter()
                .filter_map(|l| l.last_refresh.as_deref())
                .min()
                .map_or_else(|| "—".to_string(), display_time);
            let windows: Vec<String> = p.windows.iter().map(|w| w.to_string()).collect();
            let _ = writeln!(
                o,
                "<tr data-pair=\"{id}\"><td><a href=\"/pairs/{href}\">{a} vs {b}</a></td>\
                 <td>{w}</td><td>{la}</td><td>{lb}</td><td>{r}</td></tr>",
                id = escape(&p.id),
                href = escape(&encode_segment(&p.id)),
                a = escape(&p.a),
                b = escape(&p.b),
                w = escape(&windows.join(", ")),
                la = escape(&last(&l[0])),
                lb = escape(&last(&l[1])),
                r = escape(&refreshed),
            );
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str(
        "<p>JSON API: <a href=\"/api/pairs\">/api/pairs</a>, described by \
         <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>\n</body>\n</html>\n",
    );
    o
}

/// The login form of a server with a token: posts `token` to `/login`, which answers with
/// an `HttpOnly; SameSite=Strict` cookie. `retry` says the last token was wrong.
pub fn login(retry: bool) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        o,
        "<title>Lockstep: log in</title>\n<style>{INDEX_CSS}</style>\n</head>\n<body>"
    );
    o.push_str("<h1>Lockstep</h1>\n");
    if retry {
        o.push_str("<p id=\"login-failed\">That is not the token.</p>\n");
    }
    o.push_str(
        "<form id=\"login\" method=\"post\" action=\"/login\">\n<label for=\"token\">Token \
         (<code>[serve] token</code> or <code>LOCKSTEP_TOKEN</code>)</label>\n\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" \
         required>\n<button type=\"submit\">Log in</button>\n</form>\n</body>\n</html>\n",
    );
    o
}

/// The recent alerts of a pair as a page section (`section#alerts`).
pub fn alerts_section(alerts: &[StoredAlert]) -> Section {
    let mut h = String::new();
    if alerts.is_empty() {
        h.push_str("<p class=\"muted\">No alert recorded for this pair.</p>");
    } else {
        h.push_str(
            "<table class=\"alerts\"><thead><tr><th>Date</th><th>Alert</th><th>Delivery</th>\
             </tr></thead><tbody>",
        );
        for a in alerts {
            let deliveries: Vec<String> = a
                .deliveries
                .iter()
                .map(|d| format!("{}: {}", d.sink, d.status))
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.date,
                escape(&a.message),
                escape(&deliveries.join(", "))
            );
        }
        h.push_str("</tbody></table>");
    }
    Section {
        id: "alerts".into(),
        title: "Recent alerts".into(),
        html: h,
    }
}

/// A pair's dashboard.
pub fn dashboard(
    state: &AppState,
    pair: &PairConfig,
    data: &PairData,
    legs: &[LegInfo; 2],
    alerts: &[StoredAlert],
) -> String {
    let config = state.config();
    let mut nav = vec![("All pairs".to_string(), "/".to_string())];
    nav.extend(config.pairs.iter().filter(|p| p.id != pair.id).map(|p| {
        (
            format!("{} vs {}", p.a, p.b),
            format!("/pairs/{}", encode_segment(&p.id)),
        )
    }));
    // With both clocks in the report, a link to the page on the other clock.
    if data.report.clocks.is_some() {
        let (other, name) = match pair.clock {
            lockstep_report::Clock::Utc => ("exchange", "exchange clock"),
            lockstep_report::Clock::Exchange => ("utc", "UTC clock"),
        };
        nav.push((
            format!("{} vs {} on the {name}", pair.a, pair.b),
            format!("/pairs/{}?clock={other}", encode_segment(&pair.id)),
        ));
    }
    let banner = legs
        .iter()
        .map(|l| {
            let next = state.symbol_status(&l.symbol).and_then(|s| s.next_refresh);
            leg_banner(l, next)
        })
        .collect();
    let signals = match &data.signals {
        Ok(s) => lockstep_html::signals_section(s),
        Err(e) => Section {
            id: "signals".into(),
            title: "Signals".into(),
            html: format!(
                "<p class=\"muted\">The signal rules cannot be evaluated: {}</p>",
                escape(e)
            ),
        },
    };
    let options = PageOptions {
        title: format!("Lockstep: {} vs {}", pair.a, pair.b),
        nav,
        banner,
        extra: match &data.backtest {
            Ok(b) => vec![
                signals,
                lockstep_html::backtest_section(b),
                alerts_section(alerts),
            ],
            Err(_) => vec![signals, alerts_section(alerts)],
        },
        generated: Some(fmt_time(data.computed_at)),
    };
    lockstep_html::report_page(&data.report, data.charts(), &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_segments() {
        assert_eq!(encode_segment("eth-usd_rut"), "eth-usd_rut");
        assert_eq!(encode_segment("^RUT"), "%5ERUT");
    }

    #[test]
    fn banner_lines() {
        let leg = LegInfo {
            symbol: "ETH-USD".into(),
            stored: true,
            provider: Some("yahoo".into()),
            first: None,
            last: chrono::NaiveDate::from_ymd_opt(2024, 3, 1),
            bars: 10,
            last_refresh: Some("2024-03-02T10:00:05.123Z".into()),
            last_failure: None,
        };
        assert_eq!(
            leg_banner(&leg, None),
            "ETH-USD: data last refreshed 2024-03-02 10:00:05 UTC from yahoo; last bar 2024-03-01"
        );
        let missing = LegInfo {
            stored: false,
            last_failure: Some("yahoo: HTTP 500".into()),
            ..leg
        };
        assert_eq!(
            leg_banner(&missing, None),
            "ETH-USD: not in the store yet; the last attempt failed: yahoo: HTTP 500"
        );
    }
}
