//! Self-contained HTML pages of Lockstep's reports.
//!
//! [`report_page`] renders one [`Report`] as a whole HTML page: inline CSS, the charts' SVG
//! inlined, and the sections of the report as `lockstep_report::describe` says them (the
//! same document the terminal lays out), in its order. The page needs nothing else: no script, no style
//! sheet, font or image to fetch. Nothing here computes a statistic; it formats the fields
//! of the report.
//!
//! Stable hooks for tests and style: `section#summary`, `#correlation`, `#performance`,
//! `#lead-lag`, `#regimes`, `#structure`, `#liquidity`, `#verdict`, `#charts`, then the
//! [`PageOptions::extra`] sections by their ids; every chart is a
//! `figure.chart[data-kind=…]` (`overlay`, `correlation`, `ccf`, `momentum`, `levels`, …)
//! with a `<figcaption>`.
#![forbid(unsafe_code)]

use std::fmt::Write as _;

use lockstep_charts::{Chart, ChartKind};
use lockstep_report::signals_view::SignalsReport;
use lockstep_report::Report;
use lockstep_signals::BacktestResult;

mod extra;
mod fmt;
mod layout;

/// The page's style sheet (inlined in `<style>`).
const CSS: &str = include_str!("style.css");

/// Options of a page.
#[derive(Clone, Debug, Default)]
pub struct PageOptions {
    /// `<title>` and `<h1>` (empty: "Lockstep: A vs B").
    pub title: String,
    /// `(label, href)` links shown in a top bar (the dashboard: the other pairs); empty for
    /// the standalone report.
    pub nav: Vec<(String, String)>,
    /// Lines shown under the title (e.g. "data refreshed … from yahoo").
    pub banner: Vec<String>,
    /// Extra sections appended after the report's (signals, backtest, alerts).
    pub extra: Vec<Section>,
    /// "Generated at" text of the footer; `None` leaves it out (deterministic snapshots).
    pub generated: Option<String>,
}

/// One section of a page: rendered as `<section id="{id}"><h2>{title}</h2>{html}</section>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    /// The `id` of the `<section>` (escaped when rendered).
    pub id: String,
    /// Its `<h2>` text (escaped when rendered).
    pub title: String,
    /// Its body: HTML, already escaped, inserted as is.
    pub html: String,
}

/// The `data-kind` of a chart: its kind in lower case (`overlay`, `correlation`, `ccf`, …).
pub fn chart_kind_name(kind: ChartKind) -> String {
    format!("{kind:?}").to_lowercase()
}

/// Where a chart goes: next to the section it illustrates, or in `section#charts`.
fn home(kind: ChartKind) -> &'static str {
    match chart_kind_name(kind).as_str() {
        "overlay" | "correlation" => "correlation",
        "ccf" => "lead-lag",
        "momentum" | "levels" => "structure",
        _ => "charts",
    }
}

/// The chart's SVG document ready to inline: no XML declaration, doctype or comment before
/// the root `<svg>`, a `viewBox` (from `width`/`height` when it has none) so that CSS can
/// scale it, and an accessible name.
fn inline_svg(svg: &str, title: &str) -> Option<String> {
    let start = svg.find("<svg")?;
    let body = svg[start..].trim_end();
    let tag_end = body.find('>')?;
    let tag = &body[..tag_end];
    let mut extra = String::new();
    if !tag.contains("viewBox") {
        let attr = |name: &str| -> Option<f64> {
            let key = format!(" {name}=\"");
            let i = tag.find(&key)? + key.len();
            let j = tag[i..].find('"')? + i;
            tag[i..j].trim_end_matches("px").parse().ok()
        };
        if let (Some(w), Some(h)) = (attr("width"), attr("height")) {
            let _ = write!(extra, " viewBox=\"0 0 {w} {h}\"");
        }
    }
    if !tag.contains(" role=") {
        let _ = write!(extra, " role=\"img\" aria-label=\"{}\"", escape(title));
    }
    let (head, rest) = body.split_at(4);
    Some(format!("{head}{extra}{rest}"))
}

/// The figures of `charts` whose home is `home_id`, with their ids.
fn figures(charts: &[(String, &Chart)], home_id: &str) -> String {
    let mut o = String::new();
    for (id, c) in charts.iter().filter(|(_, c)| home(c.kind) == home_id) {
        let kind = chart_kind_name(c.kind);
        let _ = write!(
            o,
            "<figure class=\"chart\" id=\"{}\" data-kind=\"{}\">",
            escape(id),
            escape(&kind)
        );
        match inline_svg(&c.svg, &c.title) {
            Some(svg) => o.push_str(&svg),
            None => o.push_str("<p class=\"note\">chart unavailable</p>"),
        }
        let _ = writeln!(o, "<figcaption>{}</figcaption></figure>", escape(&c.title));
    }
    if o.is_empty() {
        o
    } else {
        format!("<div class=\"charts-grid\">\n{o}</div>\n")
    }
}

/// `section#charts`: links to every chart, and the charts without a section of their own.
fn charts_section(charts: &[(String, &Chart)]) -> String {
    let mut b = String::new();
    if charts.is_empty() {
        b.push_str("<p class=\"note\">No charts.</p>\n");
    } else {
        b.push_str("<ul class=\"facts chart-index\">");
        for (id, c) in charts {
            let _ = write!(
                b,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(id),
                escape(&c.title)
            );
        }
        b.push_str("</ul>\n");
        b.push_str(&figures(charts, "charts"));
    }
    fmt::section("charts", "Charts", &b)
}

/// The whole page: `<!DOCTYPE html>` … with inline CSS, the charts' SVG inlined, every
/// section of the report.
///
/// Sections, in the terminal's order: `summary` (legs, aligned period, parameters),
/// `correlation` (per window; overlay and correlation charts), `performance`, `lead-lag`
/// (ccf chart), `regimes`, `structure` (momentum and levels charts), `liquidity`, `verdict`,
/// then `charts` (an index of every chart and those of other kinds), then `options.extra`.
/// All text is escaped; `Section::html` of the extras is inserted as is.
pub fn report_page(report: &Report, charts: &[Chart], options: &PageOptions) -> String {
    let title = if options.title.is_empty() {
        format!("Lockstep: {} vs {}", report.a.name, report.b.name)
    } else {
        options.title.clone()
    };
    let mut seen: Vec<String> = Vec::new();
    let charts: Vec<(String, &Chart)> = charts
        .iter()
        .map(|c| {
            let base = format!("chart-{}", chart_kind_name(c.kind));
            let n = seen.iter().filter(|s| **s == base).count();
            seen.push(base.clone());
            let id = if n == 0 {
                base
            } else {
                format!("{base}-{}", n + 1)
            };
            (id, c)
        })
        .collect();
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    let _ = writeln!(o, "<title>{}</title>", escape(&title));
    let _ = writeln!(o, "<style>\n{CSS}</style>\n</head>\n<body>");
    if !options.nav.is_empty() {
        o.push_str("<nav class=\"topbar\" aria-label=\"Pairs\"><ul>");
        for (label, href) in &options.nav {
            let _ = write!(
                o,
                "<li><a href=\"{}\">{}</a></li>",
                escape(href),
                escape(label)
            );
        }
        o.push_str("</ul></nav>\n");
    }
    let _ = writeln!(
        o,
        "<header class=\"page-header\">\n<h1>{}</h1>",
        escape(&title)
    );
    for line in &options.banner {
        let _ = writeln!(o, "<p class=\"banner\">{}</p>", escape(line));
    }
    o.push_str("</header>\n<main class=\"container\">\n");
    for s in lockstep_report::describe::sections(report) {
        o.push_str(&layout::section(&s, &figures(&charts, s.id)));
    }
    o.push_str(&charts_section(&charts));
    for s in &options.extra {
        let _ = writeln!(
            o,
            "<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>",
            escape(&s.id),
            escape(&s.title),
            s.html
        );
    }
    o.push_str("</main>\n<footer class=\"page-footer\">\n");
    let _ = writeln!(
        o,
        "<p>Lockstep {}: {} vs {}, aligned {} .. {}</p>",
        env!("CARGO_PKG_VERSION"),
        escape(&report.a.name),
        escape(&report.b.name),
        report.period.first,
        report.period.last
    );
    if let Some(g) = &options.generated {
        let _ = writeln!(o, "<p class=\"generated\">generated {}</p>", escape(g));
    }
    o.push_str("</footer>\n</body>\n</html>\n");
    o
}

/// The section of a signals report (`section#signals`), for [`PageOptions::extra`]: each
/// rule's state and latest triggers, each condition's value and state on the latest date.
pub fn signals_section(s: &SignalsReport) -> Section {
    extra::signals(s)
}

/// The section of a backtest (`section#backtest`), for [`PageOptions::extra`]: the strategy,
/// its metrics against buy-and-hold A over the whole period and each side of the split.
pub fn backtest_section(b: &BacktestResult) -> Section {
    extra::backtest(b)
}

/// HTML-escape text (`&`, `<`, `>`, `"`, `'`): safe in element content and in quoted
/// attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn svg_gets_a_view_box_and_loses_its_prolog() {
        let s = inline_svg(
            "<?xml version=\"1.0\"?>\n<svg width=\"800\" height=\"400\" xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n",
            "t<",
        )
        .unwrap();
        assert!(s.starts_with("<svg viewBox=\"0 0 800 400\" role=\"img\" aria-label=\"t&lt;\""));
        assert!(s.ends_with("</svg>"));
        let kept = inline_svg("<svg viewBox=\"0 0 1 1\" role=\"img\"></svg>", "t").unwrap();
        assert_eq!(kept, "<svg viewBox=\"0 0 1 1\" role=\"img\"></svg>");
        assert!(inline_svg("not svg", "t").is_none());
    }

    #[test]
    fn kind_names() {
        assert_eq!(chart_kind_name(ChartKind::Ccf), "ccf");
        assert_eq!(home(ChartKind::Overlay), "correlation");
        assert_eq!(home(ChartKind::Equity), "charts");
    }
}
