//! The HTML pages: the index of pairs and a pair's dashboard (the report page of
//! `lockstep-html` with navigation, refresh banner, signals and recent alerts).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use lockstep_alerts::StoredAlert;
use lockstep_html::{escape, PageOptions, Section};

use crate::config::{PairConfig, ServeConfig};
use crate::state::{AppState, LegInfo, PairData};
use lockstep_core::Date;

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

/// Percent-encode a query value as `URLSearchParams` does (space as `+`).
fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'*') {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
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
th,td{border-color:#333}}.scroll{overflow-x:auto;max-width:100%}td{vertical-align:top;\
font-size:.9rem}.muted{color:#777}.stale{color:#b00;font-weight:600}.fresh{color:#070}\
.signal.on{color:#070;font-weight:600}th[role=button]{cursor:pointer}#pairs td{min-width:6rem}\
#pairs td:nth-child(2){min-width:15rem}";

/// One watchlist row of the home page: a configured pair, its legs and its computed views
/// (or why there are none), its last alert and each leg's staleness.
pub struct HomeRow<'a> {
    /// The pair.
    pub pair: &'a PairConfig,
    /// What the store knows of its legs.
    pub legs: [LegInfo; 2],
    /// Its analysis, signals and backtest, or why not.
    pub data: Result<std::sync::Arc<PairData>, String>,
    /// Its newest alert.
    pub last_alert: Option<StoredAlert>,
    /// Per leg, the date the calendar expects its last bar to have, when it is older.
    pub stale: Vec<(String, Date)>,
}

/// The latest value of `v` and its change since the last value dated at least 30 days
/// before (`None` where undefined).
fn latest_and_month(dates: &[Date], v: &[Option<f64>]) -> Option<(Date, f64, Option<f64>)> {
    let i = v.iter().rposition(Option::is_some)?;
    let now = v[i]?;
    let before = dates[i] - chrono::Duration::days(30);
    let j = dates[..=i].partition_point(|d| *d <= before);
    let then = v[..j].iter().rev().flatten().next().copied();
    Some((dates[i], now, then.map(|t| now - t)))
}

/// The sortable table and the polling of the home page (`th` click sorts by `data-sort`),
/// served as `home.js`.
pub const HOME_JS: &str = r#"(function(){
const t=document.getElementById('pairs');
if(t){t.querySelectorAll('th').forEach((th,i)=>{th.tabIndex=0;th.setAttribute('role','button');
const sort=()=>{const body=t.tBodies[0];const rows=Array.from(body.rows);
const dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';
const key=r=>{const c=r.cells[i];const v=c?(c.dataset.sort??c.textContent):'';const n=parseFloat(v);return isNaN(n)?v:n;};
rows.sort((x,y)=>{const a=key(x),b=key(y);return (a>b?1:a<b?-1:0)*dir;});rows.forEach(r=>body.appendChild(r));};
th.addEventListener('click',sort);th.addEventListener('keydown',e=>{if(e.key==='Enter')sort();});});}
let g=null;const poll=async()=>{try{const r=await fetch('/api/generation',{credentials:'same-origin'});
const n=(await r.json()).generation;if(g!==null&&n!==g)location.reload();g=n;}catch(e){}};
poll();setInterval(poll,Number(document.body.dataset.poll||15000));
})();"#;

/// The index page, answers first: the recent alerts, then per watchlist pair the latest
/// correlation per window (interval, strength, change over a month), the signal states,
/// the last alert and the legs' freshness, in a sortable table.
pub fn index(config: &ServeConfig, rows: &[HomeRow<'_>], alerts: &[StoredAlert]) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        o,
        "<title>Lockstep</title>\n<style>{INDEX_CSS}</style>\n</head>\n<body>"
    );
    o.push_str("<h1>Lockstep</h1>\n");
    o.push_str("<section id=\"recent-alerts\"><h2>Alerts</h2>");
    if alerts.is_empty() {
        o.push_str("<p class=\"muted\">No alert recorded.</p>");
    } else {
        o.push_str("<div class=\"scroll\"><table><thead><tr><th>Date</th><th>Pair</th><th>Alert</th></tr></thead><tbody>");
        for a in alerts {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.date,
                escape(&a.pair),
                escape(&a.message)
            );
        }
        o.push_str("</tbody></table></div>");
    }
    o.push_str("</section>\n");
    if config.pairs.is_empty() {
        o.push_str(
            "<p id=\"no-pairs\">No pair is configured: add <code>[[serve.pairs]]</code> \
             tables (<code>a = \"ETH-USD\"</code>, <code>b = \"^RUT\"</code>) to \
             config.toml.</p>\n",
        );
    } else {
        o.push_str(
            "<h2>Watchlist</h2>\n<div class=\"scroll\"><table id=\"pairs\">\n<thead><tr><th>Pair</th><th>Correlation (latest, interval, change over a month)</th>\
             <th>Signals</th><th>Last alert</th><th>Last bar A</th><th>Last bar B</th><th>Last refresh</th><th>Freshness</th></tr></thead>\n<tbody>\n",
        );
        for row in rows {
            let p = row.pair;
            let l = &row.legs;
            let last = |l: &LegInfo| l.last.map_or_else(|| "—".to_string(), |d| d.to_string());
            let refreshed = l
                .iter()
                .filter_map(|l| l.last_refresh.as_deref())
                .min()
                .map_or_else(|| "—".to_string(), display_time);
            let (mut corr, mut sort_corr, mut signals) =
                (String::new(), String::new(), String::new());
            match &row.data {
                Ok(d) => {
                    let s = &d.report.series;
                    for w in &s.rolling {
                        match latest_and_month(&s.dates, &w.corr.to_options()) {
                            Some((date, v, change)) => {
                                if sort_corr.is_empty() {
                                    sort_corr = format!("{v}");
                                }
                                let i = s.dates.partition_point(|x| *x < date);
                                let band = match (w.corr_lo.at(i), w.corr_hi.at(i)) {
                                    (Some(lo), Some(hi)) => format!(" [{lo:.2}, {hi:.2}]"),
                                    _ => String::new(),
                                };
                                let ch = change
                                    .map_or_else(String::new, |c| format!(", {c:+.2} in a month"));
                                let _ = write!(
                                    corr,
                                    "<div class=\"corr\" data-window=\"{}\">{}: <b>{v:.2}</b>{band} {}{ch} <span class=\"muted\">({date})</span></div>",
                                    w.window,
                                    w.window,
                                    lockstep_stats::strength_label(v)
                                );
                            }
                            None => {
                                let _ = write!(corr, "<div>{}: —</div>", w.window);
                            }
                        }
                    }
                    match &d.signals {
                        Ok(sr) => match &sr.current {
                            Some(snap) => {
                                for r in &snap.rules {
                                    let word = match r.state {
                                        lockstep_signals::Truth::True => "on",
                                        lockstep_signals::Truth::False => "off",
                                        lockstep_signals::Truth::Unknown => "unknown",
                                    };
                                    let _ = write!(
                                        signals,
                                        "<div class=\"signal {word}\">{}: {word}</div>",
                                        escape(&r.name)
                                    );
                                }
                            }
                            None => signals.push('—'),
                        },
                        Err(e) => {
                            let _ = write!(signals, "<span class=\"muted\">{}</span>", escape(e));
                        }
                    }
                }
                Err(e) => {
                    let _ = write!(corr, "<span class=\"muted\">{}</span>", escape(e));
                }
            }
            let alert = row.last_alert.as_ref().map_or_else(
                || "—".to_string(),
                |a| format!("{}: {}", a.date, escape(&a.message)),
            );
            let fresh = if row.stale.is_empty() {
                "<span class=\"fresh\">up to date</span>".to_string()
            } else {
                row.stale
                    .iter()
                    .map(|(sym, want)| {
                        format!(
                            "<span class=\"stale\">stale</span>: {} should have {want}",
                            escape(sym)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let _ = writeln!(
                o,
                "<tr data-pair=\"{id}\"><td><a href=\"/pairs/{href}\">{a} vs {b}</a></td>\
                 <td data-sort=\"{sc}\">{corr}</td><td>{signals}</td><td>{alert}</td><td>{la}</td><td>{lb}</td><td>{r}</td><td data-sort=\"{ns}\">{fresh}</td></tr>",
                id = escape(&p.id),
                href = escape(&encode_segment(&p.id)),
                a = escape(&p.a),
                b = escape(&p.b),
                sc = escape(&sort_corr),
                la = escape(&last(&l[0])),
                lb = escape(&last(&l[1])),
                r = escape(&refreshed),
                ns = row.stale.len(),
            );
        }
        o.push_str("</tbody>\n</table></div>\n");
    }
    o.push_str(
        "<p>JSON API: <a href=\"/api/pairs\">/api/pairs</a>, described by \
         <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>\n",
    );
    let _ = writeln!(
        o,
        "<script src=\"{}\" defer></script>\n</body>\n</html>",
        crate::routes::script_path("home.js")
    );
    o.replacen(
        "<body>",
        &format!("<body data-poll=\"{}\">", crate::routes::POLL_MS),
        1,
    )
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
            let status = state.symbol_status(&l.symbol);
            let mut line = leg_banner(l, status.as_ref().and_then(|s| s.next_refresh));
            if let (Some(st), Some(last)) = (&status, l.last) {
                let want = crate::schedule::expected_last_bar(Utc::now(), st.kind, &config.refresh);
                if last < want {
                    let _ = write!(line, "; stale: the calendar expects a bar of {want}");
                } else {
                    line.push_str("; up to date");
                }
            }
            line
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
    let page = lockstep_html::report_page(&data.report, data.charts(), &options);
    with_explore(page, pair, data)
}

/// The plotting areas of a chart's date axis as the page gives them to crosshair.js
/// (`data-plots`): per area `x_start x_end top bottom start end` (SVG pixels, dates), `;`
/// between areas.
fn plots_attr(plots: &[lockstep_charts::PlotArea]) -> String {
    plots
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {} {} {}",
                p.x_start, p.x_end, p.top, p.bottom, p.start, p.end
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The CSS of the interactive section.
const EXPLORE_CSS: &str = "#explore .picker{display:flex;flex-wrap:wrap;gap:.5rem;\
align-items:flex-end;margin:.5rem 0}#explore .picker label{display:flex;flex-direction:column;\
font-size:.85rem;min-width:7rem;flex:1 1 7rem}#explore select,#explore input,#explore button{\
font-size:1rem;max-width:100%}#explore .figure{width:100%;min-height:200px;margin:.75rem 0}\
#explore-status,#live-note{font-size:.85rem;color:#666}#explore .figure{position:relative}\
#explore .figure img{user-select:none;-webkit-user-select:none;-webkit-touch-callout:none}\
#explore .xh-line{position:absolute;width:0;border-left:1px dashed #444;pointer-events:none}\
#explore .xh-tip{position:absolute;pointer-events:none;background:rgba(255,255,255,.96);\
color:#222;border:1px solid #999;border-radius:3px;padding:3px 6px;font-size:12px;\
line-height:1.35;max-width:calc(100% - 2px);box-sizing:border-box;\
box-shadow:0 1px 3px rgba(0,0,0,.2);z-index:2}\
#explore .xh-date{font-weight:600}\
#explore .xh-controls{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center;\
margin:.25rem 0;font-size:12px}\
#explore .xh-group{display:inline-flex;flex-wrap:wrap;gap:2px}\
#explore .xh-controls button{font-size:12px;padding:2px 7px;border:1px solid #bbb;\
border-radius:3px;background:#f4f4f4;color:#222;cursor:pointer}\
#explore .xh-controls button[aria-pressed=true]{background:#dbe7f5;border-color:#1f77b4}\
#explore .xh-note{color:#666}\
#explore figure.chart img{display:block;\
width:100%;height:auto;max-width:100%;background:#fff;border:1px solid var(--line);\
border-radius:4px}main table{display:block;overflow-x:auto;\
max-width:100%}";

/// `page` with the interactive section (section#explore: pair picker, date range and one
/// slot per Plotly figure of `/api/figures`) first in its `<main>`. Each slot shows at once
/// the server's SVG chart of its kind (`charts`), moved there from its section below (no
/// chart is drawn twice) and as an image (`lockstep_html::chart_image`: the page's parser
/// does not build its elements before the first paint); explore.js replaces it in place by
/// the interactive figure once Plotly.js has loaded. The first render needs no script, and
/// Plotly.js (4.65 MB to parse) is requested only after the first frame (explore.js adds its
/// script then), so it never delays the first paint. `data-worker` names the service worker
/// explore.js registers once every chart is drawn (Plotly.js kept compiled for the next visit).
/// Each slot's `data-plots` says where its chart's date axes are (`lockstep_charts::PlotArea`,
/// recorded while the chart was drawn): crosshair.js maps the pointer to a date with it and
/// shows the values of the slot's figure at that date before Plotly.js has arrived.
fn with_explore(page: String, pair: &PairConfig, data: &PairData) -> String {
    let charts = data.charts();
    let (page, _) = lockstep_html::take_charts(&page, &lockstep_charts::interactive::FIGURES);
    let mut section = String::new();
    let _ = write!(
        section,
        "<section id=\"explore\" data-a=\"{a}\" data-b=\"{b}\" data-poll=\"{poll}\" \
         data-plotly=\"{plotly}\" data-worker=\"{worker}\">\
         <h2>Explore</h2>\
         <form id=\"picker\" class=\"picker\">\
         <label>Watchlist<select id=\"pick-watch\"><option value=\"\">—</option></select></label>\
         <label>A<select id=\"pick-a\"></select></label>\
         <label>B<select id=\"pick-b\"></select></label>\
         <label>From<input type=\"date\" id=\"pick-from\"></label>\
         <label>To<input type=\"date\" id=\"pick-to\"></label>\
         <button type=\"submit\" id=\"pick-go\">Show</button></form>\
         <p id=\"explore-status\" role=\"status\"></p><p id=\"live-note\"></p>",
        a = escape(&pair.a),
        b = escape(&pair.b),
        poll = crate::routes::POLL_MS,
        plotly = escape(&crate::routes::plotly_path()),
        worker = escape(&crate::routes::script_path("worker.js")),
    );
    for (i, name) in lockstep_charts::interactive::FIGURES.iter().enumerate() {
        let mut fig = charts
            .iter()
            .find(|c| lockstep_html::chart_kind_name(c.kind) == *name)
            .and_then(|c| lockstep_html::chart_image(&format!("chart-{name}"), c))
            .unwrap_or_default();
        // The first chart is drawn in the first frame; the others load once laid out.
        if i > 0 {
            fig = fig.replacen("<img ", "<img loading=\"lazy\" ", 1);
        }
        let plots = charts
            .iter()
            .find(|c| lockstep_html::chart_kind_name(c.kind) == *name)
            .map(|c| plots_attr(data.plots(c.kind)))
            .unwrap_or_default();
        let _ = write!(
            section,
            "<div class=\"figure\" id=\"fig-{name}\" data-figure=\"{name}\" \
             data-plots=\"{plots}\">{fig}</div>"
        );
    }
    section.push_str("</section>\n");
    // The figures are fetched while the page renders (explore.js's fetch of the same URL
    // takes the preloaded answer); Plotly.js only after the first frame, so that neither its
    // transfer nor its compilation competes with the first render.
    let head = format!(
        "<style>{EXPLORE_CSS}</style>\n<link rel=\"preload\" as=\"fetch\" crossorigin \
         href=\"/api/figures?a={}&amp;b={}\">\n</head>",
        escape(&encode_query(&pair.a)),
        escape(&encode_query(&pair.b)),
    );
    let script = format!(
        "<script src=\"{}\" defer></script>\n<script src=\"{}\" defer></script>\n\
         <script src=\"{}\" defer></script>\n</body>",
        crate::routes::script_path("charts.js"),
        crate::routes::script_path("crosshair.js"),
        crate::routes::script_path("explore.js")
    );
    let page = page
        .replacen("</head>", &head, 1)
        .replacen("</body>", &script, 1);
    lockstep_html::insert_first(&page, &section)
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
