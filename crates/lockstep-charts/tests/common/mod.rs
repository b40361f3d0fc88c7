//! Synthetic inputs and small SVG / PNG inspectors shared by the chart tests.
// Each test binary uses a different subset.
#![allow(dead_code)]

use lockstep_core::{Date, PriceSeries};
use lockstep_report::screen::{screen, Screen};
use lockstep_report::signals_view::{measurements, run_backtest, signals, SignalsReport};
use lockstep_report::{analyze, AnalyzeOptions, Report, StructureOptions};
use lockstep_signals::{BacktestResult, RuleSet, Strategy};
use lockstep_testkit::fixtures::{consecutive_days, XorShift64};

/// A deterministic pseudo-random walk of `n` daily closes from `start` ([`XorShift64`] noise, a
/// slow cycle so pivots, levels and cups appear), the shared factor `common` mixed in with
/// weight `beta`.
pub fn walk(
    name: &str,
    start: &str,
    n: usize,
    seed: u64,
    common: &[f64],
    beta: f64,
) -> PriceSeries {
    let first: Date = start.parse().unwrap();
    let mut g = XorShift64::new(seed.max(1));
    let mut p = 100.0_f64;
    let mut price = Vec::with_capacity(n);
    for i in 0..n {
        let u = (g.next_u64() % 10_000) as f64 / 10_000.0 - 0.5;
        let c = common.get(i).copied().unwrap_or(0.0);
        let cycle = 0.004 * ((i as f64) / 40.0).sin();
        p *= (0.03 * u + beta * c + cycle).exp();
        price.push(p);
    }
    PriceSeries::new(name, consecutive_days(first, n), price).unwrap()
}

/// A shared factor of `n` returns.
pub fn factor(n: usize, seed: u64) -> Vec<f64> {
    let mut g = XorShift64::new(seed.max(1));
    (0..n)
        .map(|_| 0.02 * ((g.next_u64() % 10_000) as f64 / 10_000.0 - 0.5))
        .collect()
}

/// Two correlated legs of `n` days.
pub fn pair(n: usize) -> (PriceSeries, PriceSeries) {
    let f = factor(n, 99);
    (
        walk("AAA", "2016-01-01", n, 7, &f, 1.0),
        walk("BBB", "2016-01-01", n, 11, &f, 0.8),
    )
}

/// The report of [`pair`] with the default options.
pub fn report(n: usize) -> Report {
    let (a, b) = pair(n);
    analyze(&a, &b, &AnalyzeOptions::default()).unwrap()
}

/// The built-in rules evaluated on the pair, and the overlay strategy's backtest.
pub fn signals_and_backtest(n: usize) -> (Report, SignalsReport, BacktestResult) {
    let (a, b) = pair(n);
    let r = analyze(&a, &b, &AnalyzeOptions::default()).unwrap();
    let m = measurements(&r, &a, &b, None, &StructureOptions::default()).unwrap();
    let s = signals(&r, &m, &RuleSet::builtin()).unwrap();
    let bt = run_backtest(&r, &s.evaluation, &Strategy::overlay(), None).unwrap();
    (r, s, bt)
}

/// A comparison of one walk with three candidates sharing its factor to different degrees,
/// controlled for the factor itself.
pub fn comparison() -> lockstep_report::compare::Comparison {
    use lockstep_report::compare::{compare, CompareOptions};
    let n = 400;
    let f = factor(n, 17);
    let a = walk("AAA", "2020-01-01", n, 3, &f, 1.0);
    let cands: Vec<PriceSeries> = [1.0, 0.5, 0.0]
        .iter()
        .enumerate()
        .map(|(i, beta)| {
            walk(
                &format!("B{}", i + 1),
                "2020-01-01",
                n,
                41 + i as u64,
                &f,
                *beta,
            )
        })
        .collect();
    let market = walk("MKT", "2020-01-01", n, 77, &f, 1.0);
    compare(
        &a,
        &cands,
        &[market],
        &CompareOptions {
            windows: vec![90],
            ..CompareOptions::default()
        },
    )
    .unwrap()
}

/// A screen of `k` series.
pub fn universe(k: usize, n: usize) -> Screen {
    let f = factor(n, 5);
    let series: Vec<PriceSeries> = (0..k)
        .map(|i| {
            walk(
                &format!("S{i}"),
                "2020-01-01",
                n,
                31 + i as u64,
                &f,
                i as f64 / k as f64,
            )
        })
        .collect();
    screen(&series, 30).unwrap()
}

/// Occurrences of `needle` in `hay`.
pub fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Number of `<text>` elements whose text is exactly `label` (XML-escaped).
pub fn texts(svg: &str, label: &str) -> usize {
    let esc = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    count(svg, &format!(">\n{esc}\n</text>"))
}

/// Whether some `<text>` reads exactly `label`.
pub fn has_text(svg: &str, label: &str) -> bool {
    texts(svg, label) > 0
}

/// Number of polylines (lines and legend samples) drawn with `color` (`#RRGGBB`) at `width`.
pub fn lines(svg: &str, color: &str, width: u32) -> usize {
    count(
        svg,
        &format!(
            "<polyline fill=\"none\" opacity=\"1\" stroke=\"{color}\" stroke-width=\"{width}\""
        ),
    )
}

/// The SVG of a chart's bytes, after the checks every SVG must pass: UTF-8, a root `<svg>`
/// with width/height and a viewBox, the kind and the title, balanced, no NaN.
pub fn svg(bytes: Vec<u8>, kind: &str, size: (u32, u32)) -> String {
    let s = String::from_utf8(bytes).expect("SVG is UTF-8");
    assert!(
        s.starts_with("<svg"),
        "{kind}: starts with <svg: {}",
        &s[..60.min(s.len())]
    );
    let root = &s[..s.find('>').unwrap()];
    assert!(
        root.contains(&format!("width=\"{}\"", size.0)),
        "{kind}: {root}"
    );
    assert!(
        root.contains(&format!("height=\"{}\"", size.1)),
        "{kind}: {root}"
    );
    assert!(
        root.contains(&format!("viewBox=\"0 0 {} {}\"", size.0, size.1)),
        "{kind}: {root}"
    );
    assert!(
        root.contains(&format!("data-chart=\"{kind}\"")),
        "{kind}: {root}"
    );
    assert!(s.contains("<title>"), "{kind}: has a <title>");
    assert!(s.trim_end().ends_with("</svg>"), "{kind}: closed");
    assert_eq!(count(&s, "<svg"), 1);
    assert_eq!(
        count(&s, "<text"),
        count(&s, "</text>"),
        "{kind}: balanced text"
    );
    assert!(!s.contains("<text>"), "{kind}: attributes on every text");
    assert!(!s.contains("NaN"), "{kind}: no NaN");
    assert!(!s.contains("inf\""), "{kind}: no infinity");
    s
}

/// Width and height of a PNG from its IHDR chunk, after checking the signature.
pub fn png_size(b: &[u8]) -> (u32, u32) {
    assert!(b.len() > 33, "PNG too short");
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&b[12..16], b"IHDR");
    let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
    let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
    (w, h)
}

/// The decoded RGB pixels of a PNG.
pub fn png_pixels(b: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::Cursor::new(b));
    let mut r = dec.read_info().expect("PNG header");
    let mut buf = vec![0; r.output_buffer_size().expect("buffer size")];
    let info = r.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width, info.height, buf)
}
