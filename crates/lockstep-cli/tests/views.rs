//! `lockstep chart` and `lockstep report` end to end: every chart kind as SVG and PNG, the
//! self-contained HTML report, and their usage errors.

mod common;

use common::{correlated_pair, json, noise, ok_stdout, s, usage, Dir, Series};

fn pair(dir: &Dir, n: usize) -> (String, String) {
    let (a, b) = correlated_pair(n);
    (
        s(&dir.file("aaa.csv", &a.csv())).to_string(),
        s(&dir.file("bbb.csv", &b.csv())).to_string(),
    )
}

/// Width and height of a PNG from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[test]
fn every_chart_kind_is_written_as_svg_and_png() {
    let dir = Dir::new();
    let (a, b) = pair(&dir, 700);
    for kind in [
        "overlay",
        "correlation",
        "momentum",
        "ccf",
        "levels",
        "signals",
        "equity",
    ] {
        let svg = dir.0.path().join(format!("{kind}.svg"));
        ok_stdout(&["chart", kind, &a, &b, "--out", s(&svg)]);
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg"), "{kind}");
        assert!(text.contains(&format!("data-chart=\"{kind}\"")), "{kind}");
        assert!(text.contains("viewBox"), "{kind}");
        assert!(!text.contains("NaN"), "{kind}");
        assert!(text.matches("<text").count() >= 5, "{kind}: no axes");

        let png = dir.0.path().join(format!("{kind}.png"));
        ok_stdout(&[
            "chart",
            kind,
            &a,
            &b,
            "--out",
            s(&png),
            "--width",
            "800",
            "--height",
            "500",
        ]);
        assert_eq!(
            png_size(&std::fs::read(&png).unwrap()),
            (800, 500),
            "{kind}"
        );
    }
    // No temporary file is left beside the outputs.
    let names: Vec<String> = std::fs::read_dir(dir.0.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn the_heatmap_draws_every_pair_of_a_universe() {
    let dir = Dir::new();
    let mut files = Vec::new();
    for (i, name) in ["WWW", "XXX", "YYY", "ZZZ"].iter().enumerate() {
        let p = Series::daily("2024-01-01", &noise(400, 20 + i as u64), false);
        files.push(s(&dir.file(&format!("{name}.csv"), &p.csv())).to_string());
    }
    let out = dir.0.path().join("heat.svg");
    ok_stdout(&[
        "chart",
        "heatmap",
        "--universe",
        &files.join(","),
        "--out",
        s(&out),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("data-chart=\"heatmap\""));
    // Each symbol labels a row and a column.
    for name in ["WWW", "XXX", "YYY", "ZZZ"] {
        assert!(text.matches(name).count() >= 2, "{name}");
    }
}

#[test]
fn chart_usage_errors_exit_2() {
    let dir = Dir::new();
    let (a, b) = pair(&dir, 200);
    let e = usage(&["chart", "overlay", &a, &b, "--out", "x.gif"]);
    assert!(e.contains("--out must end in .svg or .png"), "{e}");
    let e = usage(&["chart", "pie", &a, &b, "--out", "x.svg"]);
    assert!(e.contains("invalid value 'pie'"), "{e}");
    let e = usage(&["chart", "heatmap", "--out", "x.svg"]);
    assert!(e.contains("--universe"), "{e}");
    let e = usage(&[
        "chart", "overlay", &a, &b, "--out", "x.svg", "--width", "10",
    ]);
    assert!(e.contains("--width"), "{e}");
}

#[test]
fn the_report_is_one_self_contained_html_file_with_every_section() {
    let dir = Dir::new();
    let (a, b) = pair(&dir, 700);
    let out = dir.0.path().join("report.html");
    ok_stdout(&["report", &a, &b, "--out", s(&out)]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("name=\"viewport\""));
    for id in [
        "summary",
        "correlation",
        "performance",
        "lead-lag",
        "regimes",
        "structure",
        "liquidity",
        "charts",
        "signals",
        "backtest",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "no #{id}");
    }
    for kind in [
        "overlay",
        "correlation",
        "momentum",
        "ccf",
        "levels",
        "signals",
        "equity",
    ] {
        assert!(html.contains(&format!("data-kind=\"{kind}\"")), "no {kind}");
    }
    // Nothing to fetch: no scripts, stylesheets, images or remote URLs (the SVG namespace
    // is not a request).
    for needle in ["<script", "<link", "<img", "@import", "url("] {
        assert!(!html.contains(needle), "{needle}");
    }
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));

    // The page shows the numbers of the one report `analyze` computes.
    let report = json(&ok_stdout(&["analyze", &a, &b, "--format", "json"]));
    let corr = report["windows"][0]["latest"]["corr"].as_f64().unwrap();
    assert!(
        html.contains(&format!("{corr:+.3}")),
        "corr {corr:+.3} not shown"
    );
}

#[test]
fn the_interactive_report_is_still_self_contained() {
    let dir = Dir::new();
    let (a, b) = pair(&dir, 700);
    let out = dir.0.path().join("report.html");
    ok_stdout(&["report", &a, &b, "--out", s(&out), "--interactive"]);
    let html = std::fs::read_to_string(&out).unwrap();
    // Plotly.js is inlined byte for byte from the dependency (its own text names map-tile
    // and documentation URLs that only map traces would use; the figures have none).
    let js = lockstep_charts::interactive::plotly_js();
    let inlined = format!("<script>{js}</script>");
    assert_eq!(html.matches(&inlined).count(), 1, "Plotly.js inlined once");
    let rest = html.replacen(&inlined, "", 1);
    // One chart per kind: the static one waits in its interactive slot (what shows with
    // scripts off), not in its section as well.
    for name in ["overlay", "correlation", "momentum", "equity"] {
        let slot = rest
            .find(&format!("id=\"fig-{name}\""))
            .unwrap_or_else(|| panic!("no {name} figure"));
        let kind = format!("data-kind=\"{name}\"");
        assert_eq!(rest.matches(&kind).count(), 1, "{name} drawn once");
        assert!(
            rest.find(&kind).unwrap() > slot,
            "{name}'s static chart is in its slot"
        );
    }
    // The rest passes the check of the plain report: no reference to fetch.
    for needle in ["<script src", "<link", "<img", "@import", "url("] {
        assert!(!rest.contains(needle), "{needle}");
    }
    let without_ns = rest.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    let plain = dir.0.path().join("plain.html");
    ok_stdout(&["report", &a, &b, "--out", s(&plain)]);
    let added = html.len() as f64 - std::fs::metadata(&plain).unwrap().len() as f64;
    eprintln!("--interactive adds {:.2} MB", added / 1e6);
    opens_offline_and_draws_every_figure(&out);
}

/// Opened from disk in headless Chromium (no server, no network), the interactive report
/// draws every figure and the page asks for no resource at all: the proof that it opens
/// offline, beyond the text check (Plotly.js names URLs it would only use for map traces).
fn opens_offline_and_draws_every_figure(file: &std::path::Path) {
    if !lockstep_testkit::webdriver::available_or_skip() {
        return;
    }
    let browser = lockstep_testkit::webdriver::Browser::start(1400, 1000).expect("chromium");
    browser
        .goto(&format!("file://{}", file.display()))
        .expect("open the report");
    let drawn = "return document.querySelectorAll('[id^=\"fig-\"] .main-svg').length > 0 && \
        Array.from(document.querySelectorAll('[id^=\"fig-\"]')).every(f => f.querySelector('.main-svg'));";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while browser.execute(drawn).ok() != Some(serde_json::Value::Bool(true)) {
        assert!(
            std::time::Instant::now() < deadline,
            "the figures were not drawn in 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let figures = browser
        .execute("return document.querySelectorAll('[id^=\"fig-\"]').length;")
        .expect("count figures");
    assert!(figures.as_u64().unwrap_or(0) >= 4, "figures: {figures}");
    // Drawn, each interactive figure has replaced its static chart, and the charts index
    // links to the slot.
    let left = browser
        .execute(
            "return Array.from(document.querySelectorAll('[id^=\"fig-\"] figure')).map(f => f.id)\
             .concat(Array.from(document.querySelectorAll('a[href^=\"#chart-\"]'))\
             .map(a => a.getAttribute('href')).filter(h => !document.querySelector(h)));",
        )
        .expect("static charts left");
    assert_eq!(left, serde_json::json!([]), "left over: {left}");
    let fetched = browser
        .execute("return performance.getEntriesByType('resource').map(e => e.name);")
        .expect("resource entries");
    assert_eq!(
        fetched,
        serde_json::json!([]),
        "the report fetched {fetched}"
    );
}

#[test]
fn report_and_chart_failures_name_the_cause() {
    let dir = Dir::new();
    let (a, _) = pair(&dir, 200);
    let out = dir.0.path().join("no/such/dir/report.html");
    let e = common::fails(&["report", &a, &a, "--out", s(&out)]);
    assert!(e.contains("cannot write"), "{e}");
    let e = common::fails(&["chart", "overlay", &a, "missing.csv", "--out", "x.svg"]);
    assert!(e.contains("missing.csv"), "{e}");
}
