//! Every chart kind as SVG and PNG on synthetic reports: structure of the SVG (root, viewBox,
//! title, axis labels, legend, element counts), PNG signature and size, gaps, empty inputs,
//! degenerate and huge values, determinism and speed.

mod common;

use std::path::Path;
use std::time::Instant;

use common::*;
use lockstep_charts::{
    compare_chart, equity_chart, heatmap_chart, report_chart, report_charts, signals_chart,
    ChartError, ChartKind, Format, DEFAULT_SIZE,
};
use lockstep_core::PriceSeries;
use lockstep_report::{analyze, AnalyzeOptions};
use lockstep_testkit::fixtures::XorShift64;

const SIZE: (u32, u32) = (960, 480);

#[test]
fn kinds_and_formats_parse() {
    assert_eq!(ChartKind::ALL.len(), 9);
    for k in ChartKind::ALL {
        assert_eq!(k.name().parse::<ChartKind>().unwrap(), k);
        assert_eq!(k.to_string(), k.name());
    }
    assert_eq!("CCF".parse::<ChartKind>().unwrap(), ChartKind::Ccf);
    let e = "pie".parse::<ChartKind>().unwrap_err();
    assert!(matches!(e, ChartError::Usage(_)));
    let msg = e.to_string();
    assert!(msg.contains("pie"), "{msg}");
    for k in ChartKind::ALL {
        assert!(msg.contains(k.name()), "{msg} lists {}", k.name());
    }
    assert_eq!(
        Format::from_path(Path::new("a/b.svg")).unwrap(),
        Format::Svg
    );
    assert_eq!(Format::from_path(Path::new("b.PNG")).unwrap(), Format::Png);
    let e = Format::from_path(Path::new("chart.jpg"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(".jpg") && e.contains(".svg") && e.contains(".png"),
        "{e}"
    );
    let e = Format::from_path(Path::new("chart"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no extension"), "{e}");
}

#[test]
fn overlay_svg() {
    let r = report(900);
    let s = svg(
        report_chart(&r, ChartKind::Overlay, Format::Svg, SIZE).unwrap(),
        "overlay",
        SIZE,
    );
    assert!(s.contains("<title>AAA vs BBB: rebased to 100</title>"));
    assert!(has_text(&s, "AAA vs BBB: rebased to 100"), "caption");
    // Prices on a log scale by default, linear on request.
    assert!(has_text(&s, "date") && has_text(&s, "rebased (first aligned date = 100), log scale"));
    let linear = svg(
        lockstep_charts::report_chart_scaled(
            &r,
            ChartKind::Overlay,
            Format::Svg,
            SIZE,
            lockstep_charts::Scale::Linear,
        )
        .unwrap(),
        "overlay",
        SIZE,
    );
    assert!(has_text(&linear, "rebased (first aligned date = 100)"));
    assert_eq!(lines(&linear, "#1F77B4", 2), 2);
    // Legend names, and one line per leg (no gaps in prices) plus its legend sample.
    assert!(has_text(&s, "AAA") && has_text(&s, "BBB"));
    assert_eq!(lines(&s, "#1F77B4", 2), 2);
    assert_eq!(lines(&s, "#FF7F0E", 2), 2);
    // Date ticks are YYYY-MM over a long span; value ticks.
    assert!(has_text(&s, "2017-01"), "month ticks");
    assert!(has_text(&s, "100"), "value ticks");
}

#[test]
fn correlation_svg() {
    let r = report(900);
    let s = svg(
        report_chart(&r, ChartKind::Correlation, Format::Svg, SIZE).unwrap(),
        "correlation",
        SIZE,
    );
    assert!(has_text(&s, "AAA vs BBB: rolling correlation"));
    assert!(has_text(&s, "date") && has_text(&s, "correlation (pearson)"));
    for w in [30, 60, 90] {
        assert!(has_text(&s, &format!("{w}-return window")), "legend of {w}");
    }
    assert!(has_text(&s, "90-return 95% interval"));
    assert!(has_text(&s, "strong (0.5)"));
    // One unbroken line per window (defined from its first full window on) plus the legend
    // sample, and the band polygon.
    for c in ["#1F77B4", "#FF7F0E", "#2CA02C"] {
        assert_eq!(lines(&s, c, 2), 2, "{c}");
    }
    assert_eq!(count(&s, "<polygon"), 1);
    // The regime of 900 days (200-day MA, 252-day median) has risk-off spans.
    let off = r
        .regimes
        .regime
        .contains(&Some(lockstep_stats::Regime::RiskOff));
    if off {
        assert!(
            has_text(&s, &format!("risk-off ({})", r.regimes.leg)),
            "risk-off legend"
        );
    }
    // y range [-1, 1].
    assert!(has_text(&s, "1.0") && has_text(&s, "-1.0"), "y ticks at ±1");
}

#[test]
fn momentum_svg() {
    let r = report(900);
    let size = ChartKind::Momentum.default_size();
    let s = svg(
        report_chart(&r, ChartKind::Momentum, Format::Svg, size).unwrap(),
        "momentum",
        size,
    );
    // Each leg over its last year (lockstep_charts::momentum::view_start).
    let (sa, sb) = (
        lockstep_charts::momentum::view_start(&r.structure.a.technicals),
        lockstep_charts::momentum::view_start(&r.structure.b.technicals),
    );
    let (da, db) = (
        r.structure.a.technicals.dates[sa],
        r.structure.b.technicals.dates[sb],
    );
    let last = *r.structure.a.technicals.dates.last().unwrap();
    assert_eq!((last - da).num_days(), lockstep_charts::momentum::VIEW_DAYS);
    for cap in [
        format!("RSI(14): AAA since {da}"),
        format!("RSI(14): BBB since {db}"),
        format!("MACD(12, 26, 9): AAA since {da}"),
        format!("MACD(12, 26, 9): BBB since {db}"),
    ] {
        assert!(has_text(&s, &cap), "panel {cap}");
    }
    assert_eq!(texts(&s, "overbought (70)"), 2);
    assert_eq!(texts(&s, "oversold (30)"), 2);
    assert_eq!(texts(&s, "signal"), 2);
    assert_eq!(texts(&s, "histogram"), 2);
    assert_eq!(texts(&s, "RSI"), 4, "axis label and legend of two panels");
    assert_eq!(texts(&s, "MACD"), 4, "axis label and legend of two panels");
    assert_eq!(texts(&s, "date"), 4);
    // A: RSI and MACD lines, each one run (warm-up then defined) plus its legend sample.
    assert_eq!(lines(&s, "#1F77B4", 2), 4);
    assert_eq!(lines(&s, "#FF7F0E", 2), 4);
    // The histogram: one bar per defined value shown of both legs.
    let hist: usize = [(&r.structure.a, sa), (&r.structure.b, sb)]
        .iter()
        .map(|(l, s)| l.technicals.macd_hist[*s..].iter().flatten().count())
        .sum();
    // (366 days on ~860 pixels: bars; the legend samples are squares.)
    let bars = count(&s, "opacity=\"0.55\" stroke=\"#2CA02C\"")
        + count(&s, "opacity=\"0.55\" stroke=\"#D62728\"");
    assert_eq!(bars, hist);
    assert_eq!(count(&s, "opacity=\"0.55\" fill=\"#2CA02C\""), 2);
}

#[test]
fn ccf_svg() {
    let r = report(900);
    let s = svg(
        report_chart(&r, ChartKind::Ccf, Format::Svg, SIZE).unwrap(),
        "ccf",
        SIZE,
    );
    assert!(has_text(&s, "AAA vs BBB: cross-correlation by lag"));
    assert!(has_text(
        &s,
        "lag k in days (k > 0: BBB leads AAA; k < 0: AAA leads BBB)"
    ));
    assert!(has_text(&s, "correlation of A(t) and B(t - k)"));
    assert!(has_text(&s, &format!("±{:.3} band (95%)", r.lead_lag.band)));
    assert!(has_text(&s, "correlation"));
    let bars = r.lead_lag.ccf.iter().filter(|p| p.corr.is_some()).count();
    assert_eq!(bars, 21);
    // Background, one bar per lag, the legend's background, border and sample.
    assert_eq!(count(&s, "<rect"), 1 + bars + 3);
    assert!(
        has_text(&s, "-10") && has_text(&s, "0") && has_text(&s, "10"),
        "lag ticks"
    );
}

#[test]
fn levels_svg() {
    let r = report(900);
    let size = ChartKind::Levels.default_size();
    let s = svg(
        report_chart(&r, ChartKind::Levels, Format::Svg, size).unwrap(),
        "levels",
        size,
    );
    // Each leg shows its last two years: the levels in that price range, the breakouts and
    // cups in that span (lockstep_charts::levels::visible).
    let mut levels = 0;
    let mut kinds = 0;
    let mut breakouts = 0;
    let mut labels = 0;
    for leg in [&r.structure.a, &r.structure.b] {
        let (start, lv, br, cups) = lockstep_charts::levels::visible(leg);
        let first = leg.technicals.dates[start];
        let days = (*leg.technicals.dates.last().unwrap() - first).num_days();
        assert!(days <= lockstep_charts::levels::VIEW_DAYS);
        let cap = format!(
            "{} since {first}: {} key levels, {} breakouts of them, {} cups",
            leg.name,
            lv.len(),
            br.len(),
            cups.len()
        );
        assert!(has_text(&s, &cap), "{cap}");
        assert!(lv.len() <= leg.all_levels.len() && br.len() <= leg.all_breakouts.len());
        // Only the key levels (at most 3 per side by default), each labelled with its price;
        // only the breakouts through them.
        assert_eq!(lv.len(), leg.key_levels.len());
        assert!(lv.len() <= 2 * r.structure.params.key_levels);
        for b in &br {
            assert!(lv
                .iter()
                .any(|l| (b.level / l.price - 1.0).abs() <= lockstep_charts::levels::SAME_LEVEL));
        }
        labels += lv.len();
        levels += lv.len();
        breakouts += br.len();
        let has = |k| lv.iter().any(|x| x.kind == k);
        kinds += usize::from(has(lockstep_structure::LevelKind::Support))
            + usize::from(has(lockstep_structure::LevelKind::Resistance));
    }
    assert_eq!(
        texts(&s, "close"),
        4,
        "axis label and legend of both panels"
    );
    assert_eq!(texts(&s, "date"), 2);
    assert!(levels > 0, "synthetic data has levels");
    // Each level is a line (green support, red resistance) plus one legend sample per kind.
    let drawn = count(&s, "opacity=\"0.8\" stroke=\"#2CA02C\"")
        + count(&s, "opacity=\"0.8\" stroke=\"#D62728\"");
    assert_eq!(drawn, levels + kinds);
    // The price labels: left-anchored text in the level's colour.
    let labelled = count(&s, "text-anchor=\"start\" font-family")
        .min(count(&s, "fill=\"#2CA02C\">") + count(&s, "fill=\"#D62728\">"));
    assert!(labelled >= labels, "{labelled} labels for {labels} levels");
    // The closes: one line each plus the legend samples.
    assert_eq!(lines(&s, "#1F77B4", 2), 2);
    assert_eq!(lines(&s, "#FF7F0E", 2), 2);
    // Breakout markers (triangles) and cup spans.
    assert!(count(&s, "<polygon") >= breakouts);
    if !r.structure.a.cups.is_empty() {
        assert!(has_text(&s, "cup and handle"));
    }
}

#[test]
fn signals_svg_and_equity_svg() {
    let (r, sig, bt) = signals_and_backtest(900);
    let s = svg(
        signals_chart(&r, &sig, Format::Svg, SIZE).unwrap(),
        "signals",
        SIZE,
    );
    assert!(has_text(&s, "AAA vs BBB: signal triggers on AAA"));
    assert!(has_text(&s, "AAA price") && has_text(&s, "date"));
    assert!(!sig.triggers.is_empty());
    for (rule, dates) in &sig.triggers {
        assert!(
            has_text(&s, &format!("{rule} ({})", dates.len())),
            "legend of {rule}"
        );
    }
    // One marker per trigger and one legend marker per rule.
    let triggers: usize = sig.triggers.iter().map(|t| t.1.len()).sum();
    assert_eq!(count(&s, "<polygon"), triggers + sig.triggers.len());

    let size = ChartKind::Equity.default_size();
    let s = svg(
        equity_chart(&bt, Format::Svg, size).unwrap(),
        "equity",
        size,
    );
    assert!(s.contains("<title>Backtest (") && s.contains("vs buy-and-hold A</title>"));
    for t in [
        "strategy",
        "buy-and-hold A",
        "drawdown",
        "equity, log scale",
        "drawdown: strategy (shaded) and buy-and-hold A",
        "buy-and-hold A drawdown",
    ] {
        assert!(has_text(&s, t), "{t}");
    }
    assert_eq!(texts(&s, "date"), 2);
    let linear = svg(
        lockstep_charts::equity_chart_scaled(
            &bt,
            Format::Svg,
            size,
            lockstep_charts::Scale::Linear,
        )
        .unwrap(),
        "equity",
        size,
    );
    assert!(has_text(&linear, "equity"));
    // Strategy line + sample; buy-and-hold line + sample; the drawdown area's outline; the
    // buy-and-hold drawdown line + sample.
    assert_eq!(lines(&s, "#1F77B4", 2), 2);
    assert_eq!(lines(&s, "#6E6E6E", 2), 2);
    assert_eq!(lines(&s, "#D62728", 1), 1);
    assert_eq!(lines(&s, "#FF7F0E", 1), 2);
    assert!(has_text(&s, "0%"), "drawdown ticks in percent");
}

#[test]
fn heatmap_svg_has_n_by_n_cells() {
    for k in [2usize, 5, 13] {
        let sc = universe(k, 200);
        let s = svg(
            heatmap_chart(&sc, Format::Svg, (760, 700)).unwrap(),
            "heatmap",
            (760, 700),
        );
        assert!(has_text(
            &s,
            &format!("Correlation heatmap: latest 30-return correlation of {k} series")
        ));
        assert!(has_text(&s, "symbol (row)") && has_text(&s, "symbol (column)"));
        // Background + n² cells + 40 scale steps + the missing swatch.
        assert_eq!(count(&s, "<rect"), 1 + k * k + 40 + 1, "{k} symbols");
        for i in 0..k {
            assert_eq!(texts(&s, &format!("S{i}")), 2, "S{i} on both axes");
        }
        // Values in the cells up to 12 symbols (the diagonal reads 1.00).
        assert_eq!(texts(&s, "1.00"), if k <= 12 { k } else { 0 });
        assert!(has_text(&s, "+1.0") && has_text(&s, "-1.0") && has_text(&s, "missing"));
    }
}

#[test]
fn heatmap_missing_pairs_are_grey() {
    let mut sc = universe(3, 200);
    sc.pairs[0].corr = None;
    let s = svg(
        heatmap_chart(&sc, Format::Svg, (600, 500)).unwrap(),
        "heatmap",
        (600, 500),
    );
    // Two symmetric missing cells and the swatch.
    assert_eq!(count(&s, "fill=\"#BEBEBE\""), 3);
    assert_eq!(texts(&s, "n/a"), 2);
}

#[test]
fn report_charts_are_inlinable_svg() {
    let r = report(900);
    let charts = report_charts(&r).unwrap();
    let kinds: Vec<ChartKind> = charts.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, ChartKind::REPORT);
    for c in &charts {
        let size = c.kind.default_size();
        let s = svg(c.svg.clone().into_bytes(), c.kind.name(), size);
        assert!(s.contains(&format!("<title>{}</title>", c.title)));
        assert!(s.contains("class=\"lockstep-chart\""));
    }
    assert_eq!(ChartKind::Overlay.default_size(), DEFAULT_SIZE);
    // Deterministic.
    let again = report_charts(&r).unwrap();
    for (a, b) in charts.iter().zip(&again) {
        assert_eq!(a.svg, b.svg, "{}", a.kind);
    }
}

#[test]
fn compare_draws_every_candidate_with_its_intervals() {
    let c = comparison();
    let s = svg(
        compare_chart(&c, Format::Svg, SIZE).unwrap(),
        "compare",
        SIZE,
    );
    for name in ["B1", "B2", "B3"] {
        assert_eq!(texts(&s, name), 1, "{name} labelled once");
    }
    for label in [
        "full period: corr",
        "full period: partial",
        "latest 90: corr",
        "latest 90: partial",
        "strong (0.5)",
    ] {
        assert!(has_text(&s, label), "{label}");
    }
    assert!(s.contains("AAA against each candidate (partial given MKT)"));
    // 3 candidates × 2 periods × (corr, partial): a marker each (and one per legend entry).
    assert_eq!(count(&s, "<circle"), 12 + 4);
    // Deterministic.
    assert_eq!(
        s,
        String::from_utf8(compare_chart(&c, Format::Svg, SIZE).unwrap()).unwrap()
    );
}

#[test]
fn every_kind_as_png_has_the_requested_size_and_text() {
    let (r, sig, bt) = signals_and_backtest(700);
    let sc = universe(4, 200);
    let size = (640, 400);
    let mut pngs = Vec::new();
    for k in ChartKind::REPORT {
        pngs.push((k, report_chart(&r, k, Format::Png, size).unwrap()));
    }
    pngs.push((
        ChartKind::Signals,
        signals_chart(&r, &sig, Format::Png, size).unwrap(),
    ));
    pngs.push((
        ChartKind::Equity,
        equity_chart(&bt, Format::Png, size).unwrap(),
    ));
    pngs.push((
        ChartKind::Heatmap,
        heatmap_chart(&sc, Format::Png, size).unwrap(),
    ));
    pngs.push((
        ChartKind::Compare,
        compare_chart(&comparison(), Format::Png, size).unwrap(),
    ));
    assert_eq!(pngs.len(), ChartKind::ALL.len());
    for (k, b) in pngs {
        assert_eq!(png_size(&b), size, "{k}");
        let (w, _h, px) = png_pixels(&b);
        // The title (dark text) is drawn in the top strip: glyphs from the embedded font.
        let dark = (0..24 * w as usize)
            .filter(|i| px[3 * i] < 100 && px[3 * i + 1] < 100 && px[3 * i + 2] < 100)
            .count();
        assert!(dark > 50, "{k}: title text drawn ({dark} dark pixels)");
    }
}

#[test]
fn gaps_and_non_finite_values_never_reach_the_svg() {
    let mut r = report(700);
    let n = r.series.dates.len();
    for w in &mut r.series.rolling {
        for i in (100..160).chain(300..301) {
            w.corr.set(i, None);
            w.corr_lo.set(i, None);
        }
        w.corr.set(400, Some(f64::NAN));
        w.corr_hi.set(401, Some(f64::INFINITY));
    }
    for t in [&mut r.structure.a.technicals, &mut r.structure.b.technicals] {
        // Within the last year, which the momentum chart shows.
        let k = t.rsi.len() - 100;
        for i in k..k + 20 {
            t.rsi[i] = None;
            t.macd[i] = Some(f64::NAN);
            t.macd_hist[i] = None;
        }
    }
    r.lead_lag.ccf[3].corr = None;
    r.lead_lag.ccf[4].corr = Some(f64::NAN);
    r.lead_lag.band = f64::NAN;
    for k in ChartKind::REPORT {
        let s = svg(
            report_chart(&r, k, Format::Svg, k.default_size()).unwrap(),
            k.name(),
            k.default_size(),
        );
        if k == ChartKind::Correlation {
            // Each window's line breaks at the gaps 100..160, 300 and the NaN at 400: four
            // runs plus the legend sample.
            for c in ["#1F77B4", "#FF7F0E", "#2CA02C"] {
                assert_eq!(lines(&s, c, 2), 5, "{c}");
            }
        }
        if k == ChartKind::Momentum {
            // RSI and MACD of each leg break at the gap: two runs each, plus the samples.
            assert_eq!(lines(&s, "#1F77B4", 2), 6);
            assert_eq!(lines(&s, "#FF7F0E", 2), 6);
        }
    }
    assert!(n > 401);
}

#[test]
fn random_gaps_never_produce_nan() {
    let base = report(500);
    let mut g = XorShift64::new(0x9E37_79B9_7F4A_7C15);
    let mut next = move || g.next_u64();
    for _ in 0..12 {
        let mut r = base.clone();
        let n = r.series.dates.len();
        let poison = |v: &mut [Option<f64>], next: &mut dyn FnMut() -> u64| {
            for _ in 0..(next() % 40) {
                let i = (next() % n as u64) as usize;
                let len = (next() % 30) as usize;
                let bad = match next() % 4 {
                    0 => Some(f64::NAN),
                    1 => Some(f64::INFINITY),
                    2 => Some(f64::NEG_INFINITY),
                    _ => None,
                };
                for v in v.iter_mut().skip(i).take(len) {
                    *v = bad;
                }
            }
        };
        let poison_values = |v: &mut lockstep_report::Values, next: &mut dyn FnMut() -> u64| {
            let mut o = v.to_options();
            poison(&mut o, next);
            *v = o.into();
        };
        for w in &mut r.series.rolling {
            poison_values(&mut w.corr, &mut next);
            poison_values(&mut w.corr_lo, &mut next);
            poison_values(&mut w.corr_hi, &mut next);
        }
        for t in [&mut r.structure.a.technicals, &mut r.structure.b.technicals] {
            poison(&mut t.rsi, &mut next);
            poison(&mut t.macd, &mut next);
            poison(&mut t.macd_signal, &mut next);
            poison(&mut t.macd_hist, &mut next);
        }
        for k in [ChartKind::Correlation, ChartKind::Momentum] {
            let s = svg(
                report_chart(&r, k, Format::Svg, k.default_size()).unwrap(),
                k.name(),
                k.default_size(),
            );
            assert!(!s.contains("NaN") && !s.contains("inf"), "{k}");
            report_chart(&r, k, Format::Png, (400, 300)).unwrap();
        }
    }
}

#[test]
fn empty_inputs_are_errors_that_say_why() {
    let mut r = report(400);
    r.lead_lag.ccf.clear();
    let e = report_chart(&r, ChartKind::Ccf, Format::Svg, SIZE).unwrap_err();
    assert!(matches!(e, ChartError::Empty(_)), "{e}");
    assert!(e.to_string().contains("cross-correlation"), "{e}");
    // report_charts leaves the empty chart out.
    let kinds: Vec<ChartKind> = report_charts(&r).unwrap().iter().map(|c| c.kind).collect();
    assert!(!kinds.contains(&ChartKind::Ccf) && kinds.len() == 4);

    let mut sc = universe(3, 100);
    sc.pairs.clear();
    let e = heatmap_chart(&sc, Format::Svg, SIZE).unwrap_err();
    assert!(matches!(e, ChartError::Empty(_)), "{e}");

    let (_, _, mut bt) = signals_and_backtest(400);
    bt.rows.clear();
    let e = equity_chart(&bt, Format::Png, SIZE).unwrap_err();
    assert!(
        matches!(e, ChartError::Empty(_)) && e.to_string().contains("no row"),
        "{e}"
    );

    let r = report(400);
    for k in [ChartKind::Signals, ChartKind::Equity, ChartKind::Heatmap] {
        let e = report_chart(&r, k, Format::Svg, SIZE).unwrap_err();
        assert!(matches!(e, ChartError::Usage(_)), "{e}");
    }
    let e = report_chart(&r, ChartKind::Overlay, Format::Svg, (10, 10)).unwrap_err();
    assert!(matches!(e, ChartError::Usage(_)), "{e}");
}

#[test]
fn constant_and_huge_series_draw() {
    let (a, _) = pair(500);
    // B constant: returns are 0, every correlation undefined.
    let b = PriceSeries::new("FLAT", a.dates.clone(), vec![42.0; a.len()]).unwrap();
    let r = analyze(&a, &b, &AnalyzeOptions::default()).unwrap();
    for k in ChartKind::REPORT {
        match report_chart(&r, k, Format::Svg, k.default_size()) {
            Ok(bytes) => {
                svg(bytes, k.name(), k.default_size());
            }
            Err(ChartError::Empty(_)) => {}
            Err(e) => panic!("{k}: {e}"),
        }
        report_chart(&r, k, Format::Png, (400, 300)).ok();
    }
    // Huge prices.
    let huge = PriceSeries::new(
        "HUGE",
        a.dates.clone(),
        a.price.iter().map(|p| p * 1e290).collect(),
    )
    .unwrap();
    let r = analyze(&huge, &a, &AnalyzeOptions::default()).unwrap();
    for k in ChartKind::REPORT {
        let s = svg(
            report_chart(&r, k, Format::Svg, k.default_size()).unwrap(),
            k.name(),
            k.default_size(),
        );
        if k == ChartKind::Levels {
            assert!(s.contains("e29"), "scientific ticks for huge values");
        }
    }
}

#[test]
fn ten_years_render_fast() {
    let r = report(3653);
    let start = Instant::now();
    let charts = report_charts(&r).unwrap();
    let each = start.elapsed() / charts.len() as u32;
    assert_eq!(charts.len(), 5);
    // Well under 100 ms per chart in release; unoptimized test builds get more room.
    let limit = if cfg!(debug_assertions) { 2000 } else { 100 };
    println!("10 years: {each:?} per SVG chart");
    assert!(each.as_millis() < limit, "{each:?} per chart");
}

#[test]
fn drawn_page_charts_say_where_their_date_axes_are() {
    let (r, sig, bt) = signals_and_backtest(900);
    let plain = lockstep_charts::page_charts(&r, Some(&sig), Some(&bt)).unwrap();
    let drawn = lockstep_charts::page_charts_drawn(
        &r,
        Some(&sig),
        Some(&bt),
        lockstep_charts::Scale::default(),
    )
    .unwrap();
    assert_eq!(plain.len(), drawn.len());
    for (p, d) in plain.iter().zip(&drawn) {
        // The same charts, byte for byte.
        assert_eq!(p.svg, d.chart.svg, "{}", p.kind);
        let want = match p.kind {
            ChartKind::Overlay | ChartKind::Correlation | ChartKind::Signals => 1,
            ChartKind::Momentum => 4,
            ChartKind::Equity => 2,
            _ => 0,
        };
        assert_eq!(d.plots.len(), want, "{}: {:?}", p.kind, d.plots);
        let (w, h) = p.kind.default_size();
        for a in &d.plots {
            assert!(
                0 < a.x_start && a.x_start < a.x_end && a.x_end < w as i32,
                "{a:?}"
            );
            assert!(
                0 < a.top && a.top < a.bottom && a.bottom < h as i32,
                "{a:?}"
            );
            assert!(a.start < a.end, "{a:?}");
        }
        // Panels stack top to bottom on one date axis.
        for pair in d.plots.windows(2) {
            assert!(pair[0].bottom <= pair[1].top, "{:?}", d.plots);
            assert_eq!(
                (pair[0].x_start, pair[0].x_end),
                (pair[1].x_start, pair[1].x_end)
            );
        }
    }
    // The overlay's axis spans the aligned dates with its margin, and the first date is
    // drawn where the geometry puts it: a polyline's first point.
    let o = &drawn[0];
    assert_eq!(o.chart.kind, ChartKind::Overlay);
    let a = &o.plots[0];
    let (first, last) = (r.series.dates[0], *r.series.dates.last().unwrap());
    assert!(a.start < first && last < a.end);
    let days = (a.end - a.start).num_days() as f64;
    let x = a.x_start as f64
        + (first - a.start).num_days() as f64 / days * (a.x_end - a.x_start) as f64;
    let svg = &o.chart.svg;
    // Leg A's line (its colour, #1f77b4), the first one drawn in it.
    let line = svg
        .split("<polyline")
        .skip(1)
        .find(|t| {
            t[..t.find('>').unwrap()]
                .to_ascii_lowercase()
                .contains("#1f77b4")
        })
        .expect("leg A's line");
    let pts = &line[line.find("points=\"").unwrap() + 8..];
    let x0: f64 = pts.split(',').next().unwrap().trim().parse().unwrap();
    assert!((x0 - x).abs() <= 1.0, "drawn at {x0}, mapped to {x}");
}
