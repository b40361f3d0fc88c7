//! The HTML page of a report: structure snapshots, well-formedness, self-containment,
//! escaping, fidelity to the terminal report, chart placement, and a run on real data.

mod common;

use common::{
    assert_snapshot, check_well_formed, legs, parse, report_of, sample_charts, skeleton, skip, Node,
};
use lockstep_html::{backtest_section, escape, report_page, signals_section, PageOptions, Section};
use lockstep_report::signals_view::{measurements, run_backtest, signals};
use lockstep_report::structure::StructureOptions;
use lockstep_report::{analyze, AnalyzeOptions, Report};
use lockstep_signals::{RuleSet, Strategy};

/// The report's sections, in the terminal's order (the answer first, parameters last).
const SECTIONS: [&str; 10] = [
    "verdict",
    "correlation",
    "inference",
    "performance",
    "lead-lag",
    "regimes",
    "structure",
    "liquidity",
    "charts",
    "summary",
];

fn standalone(title: &str) -> PageOptions {
    PageOptions {
        title: title.into(),
        ..PageOptions::default()
    }
}

/// The dashboard form: nav bar, banner, signals and backtest sections, an extra section.
fn dashboard(
    r: &Report,
    a: &lockstep_core::PriceSeries,
    b: &lockstep_core::PriceSeries,
) -> PageOptions {
    let m = measurements(r, a, b, None, &StructureOptions::default()).expect("measurements");
    let s = signals(r, &m, &RuleSet::builtin()).expect("signals");
    let bt = run_backtest(r, &s.evaluation, &Strategy::overlay(), None).expect("backtest");
    PageOptions {
        title: "ALPHA vs BETA".into(),
        nav: vec![
            ("ALPHA / BETA".into(), "/pair/ALPHA/BETA".into()),
            ("ALPHA / GAMMA".into(), "/pair/ALPHA/GAMMA".into()),
        ],
        banner: vec!["data refreshed 2026-05-20 21:05 UTC from synthetic".into()],
        extra: vec![
            signals_section(&s),
            backtest_section(&bt),
            Section {
                id: "alerts".into(),
                title: "Alerts".into(),
                html: "<p>no alert</p>".into(),
            },
        ],
        generated: None,
    }
}

fn sections_of(doc: &Node) -> Vec<String> {
    let main = doc.find_all(&|n| n.name == "main")[0];
    main.children_named("section")
        .iter()
        .map(|s| s.attr("id").unwrap_or_default().to_string())
        .collect()
}

/// The page needs nothing from the network: no external URL, no script, no style sheet.
fn assert_self_contained(page: &str) {
    let lower = page.to_ascii_lowercase();
    for bad in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "@import",
        "<link",
        "<script",
        "url(",
        "<iframe",
        "<img",
        "<object",
        "<embed",
    ] {
        assert!(!lower.contains(bad), "the page contains {bad:?}");
    }
    for (i, _) in lower.match_indices("http") {
        let before = &lower[i.saturating_sub(7)..i];
        assert!(
            before.ends_with("xmlns=\"")
                || before.ends_with("xlink=\"")
                || before.ends_with(":xlink=\""),
            "an URL outside an XML namespace: {:?}",
            &page[i.saturating_sub(20)..(i + 40).min(page.len())]
        );
    }
    assert!(
        page.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(page.contains("svg{display:block;width:100%;height:auto"));
    assert!(page.contains(".table-wrap{overflow-x:auto"));
    assert!(page.contains("max-width:1100px"));
}

#[test]
fn snapshot_of_the_dashboard_page() {
    let (r, a, b) = report_of("ALPHA", "BETA");
    let page = report_page(&r, &sample_charts(), &dashboard(&r, &a, &b));
    assert_snapshot("dashboard_page.txt", &skeleton(&page));
}

#[test]
fn snapshot_of_the_standalone_page() {
    let (r, _, _) = report_of("ALPHA", "BETA");
    let page = report_page(&r, &[], &standalone("Lockstep: ALPHA vs BETA"));
    assert_snapshot("standalone_page.txt", &skeleton(&page));
}

#[test]
fn pages_are_well_formed_and_deterministic() {
    let (r, a, b) = report_of("ALPHA", "BETA");
    let opts = dashboard(&r, &a, &b);
    let page = report_page(&r, &sample_charts(), &opts);
    check_well_formed(&page).unwrap();
    assert_eq!(page, report_page(&r, &sample_charts(), &opts));
    check_well_formed(&report_page(&r, &[], &PageOptions::default())).unwrap();
    // The checker does catch mistakes.
    assert!(check_well_formed("<!DOCTYPE html><html><body><p></body></html>").is_err());
    assert!(check_well_formed("<!DOCTYPE html><html><body>a & b</body></html>").is_err());
    assert!(check_well_formed("<!DOCTYPE html><html><body>1 < 2</body></html>").is_err());
    assert!(check_well_formed("<!DOCTYPE html><html><b id=x></b><i id=x></i></html>").is_err());
}

#[test]
fn pages_are_self_contained() {
    let (r, a, b) = report_of("ALPHA", "BETA");
    let page = report_page(&r, &sample_charts(), &dashboard(&r, &a, &b));
    assert_self_contained(&page);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
}

#[test]
fn every_section_in_the_terminal_order_with_its_words() {
    let (r, _, _) = report_of("ALPHA", "BETA");
    let page = report_page(&r, &[], &PageOptions::default());
    let doc = parse(&page);
    assert_eq!(sections_of(&doc), SECTIONS);
    let terminal = lockstep_report::render::table(&r, false);
    for id in SECTIONS {
        let s = doc.by_id(id).unwrap();
        assert_eq!(s.name, "section");
        let h2 = s.children_named("h2");
        assert_eq!(h2.len(), 1, "one <h2> in #{id}");
        let heading = h2[0].text.replace("&amp;", "&");
        // The terminal's heading (the regimes one is split over two lines there).
        let first = heading.split(" (risk-on").next().unwrap();
        match id {
            "summary" | "verdict" | "charts" => {}
            _ => assert!(
                terminal.contains(&heading) || terminal.contains(first),
                "#{id} heading {heading:?} not in the terminal report"
            ),
        }
    }
    // The terminal's numbers are there, with its precisions.
    for w in &r.windows {
        let l = w.latest.as_ref().unwrap();
        assert!(page.contains(&format!("{:+.3}", l.corr)));
        assert!(page.contains(&format!("{:.3}", l.beta.unwrap())));
        let (lo, hi) = (l.corr_lo.unwrap(), l.corr_hi.unwrap());
        assert!(page.contains(&format!("[{lo:+.3}, {hi:+.3}]")));
        let min = w.min.as_ref().unwrap();
        assert!(page.contains(&format!("{:+.3} ({})", min.value, min.date)));
    }
    let pf = &r.performance.a;
    assert!(page.contains(&format!("{:+.1}%", 100.0 * pf.total_return)));
    assert!(page.contains(&format!("{:+.1}%", 100.0 * pf.ytd_return)));
    for line in [
        "Momentum and structure",
        "RSI(14) vs 5d ago",
        "MACD(12,26,9)",
        "rel. volume 1d/5d",
        "cup-and-handle",
    ] {
        assert!(terminal.contains(line) && page.contains(line), "{line}");
    }
    let best = r.lead_lag.best_lag.as_ref().unwrap();
    assert!(page.contains(&format!(
        "best lag {} ({:+.3})",
        best.lag,
        best.corr.unwrap()
    )));
    // Both Granger directions, with their AIC and BIC lags.
    let granger = doc.find_all(&|n| n.name == "table" && n.has_class("granger"));
    assert_eq!(granger.len(), 1);
    assert!(page.contains("ALPHA → BETA") && page.contains("BETA → ALPHA"));
    // The liquidity section says why it is absent.
    let liq = doc.by_id("liquidity").unwrap();
    assert!(liq.text.contains("no net-liquidity series given"));
    // The verdict's words: the line after the terminal's "Verdict" heading and its date.
    let verdict = doc.by_id("verdict").unwrap();
    let mut lines = terminal.lines().skip_while(|l| *l != "Verdict");
    assert_eq!(lines.next(), Some("Verdict"), "{terminal}");
    let as_of = lines.next().unwrap().trim();
    assert!(as_of.starts_with("as of "), "{as_of}");
    assert!(verdict.text.contains(as_of), "{as_of}");
    let words = lines.next().unwrap().trim();
    assert!(words.contains(" are "), "{words}");
    assert!(verdict.text.contains(words), "{words}");
}

#[test]
fn undefined_values_show_a_dash() {
    let (a, b) = legs("ALPHA", "BETA", 260);
    let opts = AnalyzeOptions {
        windows: vec![30, 5000],
        ..AnalyzeOptions::default()
    };
    let r = analyze(&a, &b, &opts).unwrap();
    assert!(r.windows[1].latest.is_none());
    let page = report_page(&r, &[], &PageOptions::default());
    check_well_formed(&page).unwrap();
    let doc = parse(&page);
    let rows = doc.find_all(&|n| n.name == "tr" && n.text.contains("not enough aligned returns"));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text.contains('—'));
    // Too short for the 200-period regime rule and ratio trend: their words show instead.
    assert!(r.regimes.current.is_none());
    assert!(doc
        .by_id("regimes")
        .unwrap()
        .text
        .contains("not enough history"));
    assert!(r.structure.ratio.trend.is_none());
    assert!(doc
        .by_id("structure")
        .unwrap()
        .text
        .contains("note: trend: needs"));
}

#[test]
fn user_text_is_escaped() {
    let evil = "<script>alert(1)</script>";
    let (r, _, _) = report_of(evil, "B&\"'<b>");
    let opts = PageOptions {
        title: "<img src=x onerror=alert(1)>".into(),
        nav: vec![("<i>x</i>".into(), "\"><script>alert(2)</script>".into())],
        banner: vec!["<b>bold</b> & co".into()],
        extra: vec![Section {
            id: "x\"><script>".into(),
            title: "<h1>".into(),
            html: "<p>trusted</p>".into(),
        }],
        generated: Some("<now>".into()),
    };
    let page = report_page(&r, &[], &opts);
    check_well_formed(&page).unwrap();
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("<img"));
    assert!(!lower.contains("<b>"));
    assert!(!lower.contains("<i>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("B&amp;&quot;&#39;&lt;b&gt;"));
    assert!(page.contains("<p>trusted</p>"));
    assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

#[test]
fn charts_are_inlined_next_to_their_sections() {
    let (r, _, _) = report_of("ALPHA", "BETA");
    let charts = sample_charts();
    let page = report_page(&r, &charts, &PageOptions::default());
    assert!(!page.contains("<?xml"), "the XML prolog is dropped");
    let doc = parse(&page);
    for (kind, home) in [
        ("overlay", "verdict"),
        ("correlation", "correlation"),
        ("ccf", "lead-lag"),
        ("momentum", "structure"),
        ("levels", "structure"),
        ("equity", "charts"),
    ] {
        let section = doc.by_id(home).unwrap();
        let figs = section.find_all(&|n| {
            n.name == "figure" && n.has_class("chart") && n.attr("data-kind") == Some(kind)
        });
        assert_eq!(figs.len(), 1, "{kind} in #{home}");
        let f = figs[0];
        assert_eq!(f.attr("id"), Some(format!("chart-{kind}").as_str()));
        let svg = f.children_named("svg");
        assert_eq!(svg.len(), 1, "{kind}: one inline <svg>");
        assert!(svg[0].attr("viewbox").is_some(), "{kind}: the SVG scales");
        assert!(svg[0].attr("width").is_none(), "{kind}: no pixel width");
        // The chart draws its title: no caption repeats it.
        assert!(f.children_named("figcaption").is_empty());
    }
    // #charts links to every chart.
    let index = doc.by_id("charts").unwrap().find_all(&|n| n.name == "a");
    assert_eq!(index.len(), charts.len());
    assert_eq!(index[0].attr("href"), Some("#chart-overlay"));
    // Without charts the section says so.
    let none = parse(&report_page(&r, &[], &PageOptions::default()));
    assert!(none.by_id("charts").unwrap().text.contains("No charts."));
}

#[test]
fn the_charts_of_lockstep_charts_are_inlined() {
    let (r, _, _) = report_of("ALPHA", "BETA");
    let charts = match lockstep_charts::report_charts(&r) {
        Ok(c) => c,
        Err(e) => panic!("report_charts: {e}"),
    };
    let page = report_page(&r, &charts, &PageOptions::default());
    check_well_formed(&page).unwrap();
    assert_self_contained(&page);
    let doc = parse(&page);
    let figs = doc.find_all(&|n| n.name == "figure" && n.has_class("chart"));
    assert_eq!(figs.len(), charts.len());
    for c in &charts {
        let kind = lockstep_html::chart_kind_name(c.kind);
        let of_kind = figs
            .iter()
            .filter(|f| f.attr("data-kind") == Some(kind.as_str()))
            .count();
        let expected = charts.iter().filter(|x| x.kind == c.kind).count();
        assert_eq!(of_kind, expected, "figures of kind {kind}");
    }
    for f in &figs {
        assert_eq!(f.children_named("svg").len(), 1);
        assert!(f.children_named("figcaption").is_empty());
    }
}

#[test]
fn signals_and_backtest_sections() {
    let (r, a, b) = report_of("ALPHA", "BETA");
    let opts = dashboard(&r, &a, &b);
    let page = report_page(&r, &[], &opts);
    let doc = parse(&page);
    let ids = sections_of(&doc);
    // The signals with the answer, the backtest after the charts, the page's own sections
    // before the parameters.
    assert_eq!(
        ids,
        [
            "verdict",
            "correlation",
            "inference",
            "signals",
            "performance",
            "lead-lag",
            "regimes",
            "structure",
            "liquidity",
            "charts",
            "backtest",
            "alerts",
            "summary"
        ]
    );
    let sig = doc.by_id("signals").unwrap();
    assert_eq!(sig.find_all(&|n| n.has_class("rules")).len(), 1);
    assert_eq!(sig.find_all(&|n| n.has_class("conditions")).len(), 1);
    let bt = doc.by_id("backtest").unwrap();
    assert!(bt.text.contains("whole period") && bt.text.contains("buy &amp; hold A"));
    assert!(bt.text.contains("long on strong-b, flat on risk-reduction"));
    // The nav bar and the banner.
    let nav = doc.find_all(&|n| n.name == "nav")[0];
    assert_eq!(nav.find_all(&|n| n.name == "a").len(), 2);
    assert!(
        page.contains("<p class=\"banner\">data refreshed 2026-05-20 21:05 UTC from synthetic</p>")
    );
    // The footer reads once.
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(page.matches("generated by lockstep").count(), 1);
    assert!(page.contains(&format!(
        "<p class=\"generated\">generated by lockstep {version}</p>"
    )));
    let with_time = PageOptions {
        generated: Some("2026-05-20 21:06 UTC".into()),
        ..opts
    };
    let timed = report_page(&r, &[], &with_time);
    assert!(timed.contains(&format!(
        "generated by lockstep {version} on 2026-05-20 21:06 UTC"
    )));
    assert_eq!(timed.matches("generated by").count(), 1);
}

#[test]
fn real_data_page() {
    let dir = lockstep_testkit::shared_data::dir(env!("CARGO_MANIFEST_DIR"));
    let (pa, pb) = (dir.join("ETH-USD.daily.csv"), dir.join("RUT.daily.csv"));
    if !pa.is_file() || !pb.is_file() {
        skip(&format!(
            "skipping real_data_page: {} or {} is absent",
            pa.display(),
            pb.display()
        ));
        return;
    }
    let read = |p: &std::path::Path| {
        lockstep_data::read_csv(p, &lockstep_data::CsvOptions::default())
            .expect("read the CSV")
            .series
    };
    let (a, b) = (read(&pa), read(&pb));
    let r = analyze(&a, &b, &AnalyzeOptions::default()).expect("analyze");
    let charts = lockstep_charts::report_charts(&r).expect("report charts");
    let page = report_page(
        &r,
        &charts,
        &PageOptions {
            title: "ETH-USD vs RUT".into(),
            generated: Some("test".into()),
            ..PageOptions::default()
        },
    );
    check_well_formed(&page).unwrap();
    assert_self_contained(&page);
    let doc = parse(&page);
    assert_eq!(sections_of(&doc), SECTIONS);
    for id in SECTIONS {
        let s = doc.by_id(id).unwrap();
        assert!(s.text.trim().len() > 10, "#{id} has content");
    }
    assert_eq!(
        doc.find_all(&|n| n.name == "figure" && n.has_class("chart"))
            .len(),
        charts.len()
    );
    assert!(page.contains("ETH-USD") && page.contains("RUT"));
    // For a look in a browser.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("eth-usd-rut.html");
    std::fs::write(&out, &page).unwrap();
    skip(&format!("real_data_page: wrote {}", out.display()));
}
