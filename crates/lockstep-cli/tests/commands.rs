//! The commands agree with each other: each command's help lists only the options it uses,
//! one name for one idea (with the former spellings still accepted), the same list syntax
//! for windows, the same output defaults, a confirmation for every file written, and one
//! rule for the end of what is printed.

mod common;

use common::*;

/// `lockstep CMD --help`.
fn help(cmd: &str) -> String {
    ok_stdout(&[cmd, "--help"])
}

/// Whether the help offers the option `--name` (not only a longer name ending in it).
fn offers(help: &str, name: &str) -> bool {
    help.lines().any(|l| {
        l.trim_start()
            .split([',', ' '])
            .any(|w| w == format!("--{name}"))
    })
}

#[test]
fn each_help_lists_only_the_options_the_command_uses() {
    let structure = [
        "rsi",
        "macd",
        "pivot",
        "atr-mult",
        "min-touches",
        "recent",
        "include-partial",
    ];
    let linkage = [
        "max-lag",
        "lag-window",
        "regime-leg",
        "ma",
        "vol-window",
        "vol-lookback",
        "divergence-k",
        "rate",
        "no-rate",
    ];
    let liquidity = ["fed-assets", "tga", "rrp", "no-liquidity"];
    let correlation = ["window", "returns", "method", "lambda", "confidence"];

    let corr = help("corr");
    for o in structure.iter().chain(&linkage).chain(&liquidity) {
        assert!(!offers(&corr, o), "corr --help offers --{o}:\n{corr}");
    }
    for o in correlation
        .iter()
        .chain(&["align", "rows", "format", "price"])
    {
        assert!(offers(&corr, o), "corr --help lacks --{o}:\n{corr}");
    }

    let overlay = help("overlay");
    for o in structure
        .iter()
        .chain(&linkage)
        .chain(&liquidity)
        .chain(&correlation)
    {
        assert!(
            !offers(&overlay, o),
            "overlay --help offers --{o}:\n{overlay}"
        );
    }
    for o in ["align", "rows", "format"] {
        assert!(offers(&overlay, o), "overlay --help lacks --{o}");
    }

    // Files are written, nothing is printed: no format, no rows.
    for cmd in ["chart", "report"] {
        let h = help(cmd);
        for o in ["format", "rows"] {
            assert!(!offers(&h, o), "{cmd} --help offers --{o}:\n{h}");
        }
        assert!(offers(&h, "out"), "{cmd}");
    }

    let analyze = help("analyze");
    assert!(!offers(&analyze, "rows"), "{analyze}");
    for o in structure.iter().chain(&linkage).chain(&liquidity) {
        assert!(offers(&analyze, o), "analyze --help lacks --{o}");
    }

    // leadlag: no regime rule, rate or liquidity; regimes: no lag search.
    let leadlag = help("leadlag");
    for o in ["regime-leg", "divergence-k", "rate", "fed-assets", "pivot"] {
        assert!(!offers(&leadlag, o), "leadlag --help offers --{o}");
    }
    let regimes = help("regimes");
    for o in ["max-lag", "fed-assets", "pivot"] {
        assert!(!offers(&regimes, o), "regimes --help offers --{o}");
    }
    // The daily measurements use no interval, divergence, rate or recent events (`--no-rate`
    // is still accepted, unlisted: no rate series is loaded).
    for cmd in ["signals", "backtest"] {
        let h = help(cmd);
        for o in [
            "confidence",
            "divergence-k",
            "rate",
            "no-rate",
            "recent",
            "rows",
        ] {
            assert!(!offers(&h, o), "{cmd} --help offers --{o}");
        }
    }
    // A partial last bar is kept in the volume statistics on request wherever they are read;
    // prices and equity are drawn on a log scale unless --linear.
    for cmd in ["analyze", "report", "signals", "backtest", "chart"] {
        assert!(offers(&help(cmd), "include-partial"), "{cmd}");
    }
    for cmd in ["report", "chart"] {
        assert!(offers(&help(cmd), "linear"), "{cmd}");
    }
    // levels: levels only; patterns: the pivot of the cups only.
    let levels = help("levels");
    for o in ["rsi", "macd", "recent"] {
        assert!(!offers(&levels, o), "levels --help offers --{o}");
    }
    let patterns = help("patterns");
    assert!(offers(&patterns, "pivot"));
    for o in ["rsi", "macd", "atr-mult", "min-touches", "recent"] {
        assert!(!offers(&patterns, o), "patterns --help offers --{o}");
    }
    // Options a command does not take are usage errors, not silently ignored.
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let (a, b) = (d.file("a.csv", &sa.csv()), d.file("b.csv", &sb.csv()));
    let err = usage(&["corr", s(&a), s(&b), "--pivot", "3"]);
    assert!(err.contains("--pivot"), "{err}");
    let err = usage(&[
        "chart",
        "overlay",
        s(&a),
        s(&b),
        "--out",
        "x.svg",
        "--rows",
        "3",
    ]);
    assert!(err.contains("--rows"), "{err}");
}

#[test]
fn the_lag_window_has_one_name_and_the_former_ones_still_work() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(200);
    let (a, b) = (d.file("a.csv", &sa.csv()), d.file("b.csv", &sb.csv()));
    for cmd in [
        "leadlag", "regimes", "analyze", "signals", "chart", "report",
    ] {
        assert!(
            offers(&help(cmd), "lag-window"),
            "{cmd} --help lacks --lag-window"
        );
    }
    for cmd in ["leadlag", "regimes"] {
        let h = help(cmd);
        assert!(
            !offers(&h, "window"),
            "{cmd} --help still offers --window:\n{h}"
        );
        let new = ok_stdout(&[cmd, s(&a), s(&b), "--lag-window", "40", "--format", "json"]);
        let old = ok_stdout(&[cmd, s(&a), s(&b), "--window", "40", "--format", "json"]);
        let default = ok_stdout(&[cmd, s(&a), s(&b), "--format", "json"]);
        assert_eq!(new, old, "{cmd}");
        assert_ne!(new, default, "{cmd}: --lag-window 40 changed nothing");
    }
    // analyze's --window stays the list of correlation windows.
    let json = |args: &[&str]| json(&ok_stdout(args));
    let r = json(&[
        "analyze",
        s(&a),
        s(&b),
        "--window",
        "20,30",
        "--lag-window",
        "40",
        "--no-rate",
        "--no-liquidity",
        "--format",
        "json",
    ]);
    assert_eq!(r["windows"].as_array().map(Vec::len), Some(2));
    assert_eq!(r["params"]["windows"], serde_json::json!([20, 30]));
}

/// A universe of `n` every-day series in a folder.
fn universe(d: &Dir, n: usize) -> Vec<String> {
    let base = noise(300, 7);
    (0..n)
        .map(|i| {
            let rets: Vec<f64> = base
                .iter()
                .zip(noise(300, 20 + i as u64))
                .map(|(b, e)| 0.3 * b + e)
                .collect();
            let p = Series::daily("2024-01-01", &rets, false);
            s(&d.file(&format!("S{i}.csv"), &p.csv())).to_string()
        })
        .collect()
}

#[test]
fn screen_takes_a_list_of_windows_and_a_small_universe_is_one_list() {
    let d = Dir::new();
    let files = universe(&d, 5);
    let mut args: Vec<&str> = vec!["screen"];
    args.extend(files.iter().map(String::as_str));

    // 5 series, 10 pairs, --top 20: each pair once.
    let table = ok_stdout(&args);
    assert!(
        table.contains("All 10 pairs, most to least correlated"),
        "{table}"
    );
    for i in 0..5 {
        for j in i + 1..5 {
            let row = format!("S{i}{}S{j} ", " ".repeat(17));
            assert_eq!(table.matches(&row).count(), 1, "S{i}/S{j}:\n{table}");
        }
    }
    assert!(!table.contains("Least correlated"), "{table}");
    // More pairs than two lists: the most, the least and the largest changes.
    let top = [args.clone(), vec!["--top", "3"]].concat();
    let table = ok_stdout(&top);
    for list in [
        "Most correlated (3)",
        "Least correlated (3)",
        "Largest changes over the month (3)",
    ] {
        assert!(table.contains(list), "{list}:\n{table}");
    }

    // --window 30,60: a screen per window, each the same as alone.
    let with = |extra: &[&str]| ok_stdout(&[args.as_slice(), extra].concat());
    let both = with(&["--window", "30,60", "--format", "csv"]);
    let (h, rows) = parse_csv(&both);
    assert_eq!(h[0], "window");
    assert_eq!(rows.len(), 20);
    for (k, w) in ["30", "60"].iter().enumerate() {
        let (h1, alone) = parse_csv(&with(&["--window", w, "--format", "csv"]));
        assert_eq!(h[1..], h1[..]);
        for (r, want) in rows[10 * k..10 * (k + 1)].iter().zip(&alone) {
            assert_eq!(r[0], *w);
            assert_eq!(r[1..], want[..]);
        }
    }
    let table = with(&["-w", "30,60"]);
    assert!(table.contains("30-return window") && table.contains("60-return window"));
    let v = json(&with(&["--window", "30,60", "--format", "json"]));
    assert_eq!(v[1]["window"], 60);
    let err = usage(&[args.as_slice(), &["--window", "30,30"]].concat());
    assert!(err.contains("window 30 is given twice"), "{err}");
}

#[test]
fn the_heatmap_takes_window_like_the_other_charts() {
    let d = Dir::new();
    let files = universe(&d, 4).join(",");
    let draw = |name: &str, extra: &[&str]| {
        let out = d.0.path().join(name);
        let mut args = vec!["chart", "heatmap", "--universe", &files, "--out", s(&out)];
        args.extend_from_slice(extra);
        ok_stdout(&args);
        std::fs::read(&out).expect("heatmap")
    };
    let w60 = draw("a.svg", &["--window", "60"]);
    assert_eq!(draw("b.svg", &["--heatmap-window", "60"]), w60);
    // A list: the longest window (the default 30,60,90 draws 90).
    assert_eq!(draw("c.svg", &["--window", "30,60"]), w60);
    assert_eq!(draw("d.svg", &[]), draw("e.svg", &["--window", "90"]));
    assert_ne!(draw("f.svg", &[]), w60);
    let h = help("chart");
    assert!(!h.contains("heatmap-window"), "{h}");
}

#[test]
fn chart_and_report_confirm_the_file_unless_quiet() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(300);
    let (a, b) = (d.file("a.csv", &sa.csv()), d.file("b.csv", &sb.csv()));
    let svg = d.0.path().join("o.svg");
    let html = d.0.path().join("r.html");
    let chart = ["chart", "overlay", s(&a), s(&b), "--out", s(&svg)];
    let report = ["report", s(&a), s(&b), "--out", s(&html)];
    for (args, path) in [(&chart[..], &svg), (&report[..], &html)] {
        let (out, err) = ok_both(args);
        assert_eq!(out, "", "{args:?}");
        let len = std::fs::metadata(path).expect("written").len();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with(&format!("wrote {} (", path.display())),
            "{err}"
        );
        let size = if len < 10_000 {
            format!("({len} bytes)")
        } else {
            format!("({:.1} kB)", len as f64 / 1e3)
        };
        assert!(lines[0].ends_with(&size), "{err} vs {len} bytes");
        for quiet in ["--quiet", "-q"] {
            let (out, err) = ok_both(&[&[quiet], args].concat());
            assert_eq!((out.as_str(), err.as_str()), ("", ""), "{quiet} {args:?}");
        }
    }
}

#[test]
fn every_result_ends_with_one_newline() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(120);
    let (a, b) = (d.file("a.csv", &sa.csv()), d.file("b.csv", &sb.csv()));
    for cmd in [
        "analyze", "corr", "overlay", "leadlag", "regimes", "signals",
    ] {
        for f in ["table", "csv", "json"] {
            let out = ok_stdout(&[cmd, s(&a), s(&b), "--format", f]);
            assert!(
                out.ends_with('\n') && !out.ends_with("\n\n"),
                "{cmd} --format {f} ends with {:?}",
                &out[out.len().saturating_sub(5)..]
            );
        }
    }
}

#[test]
fn from_and_to_cut_the_aligned_returns_of_every_pair_command() {
    let dir = Dir::new();
    let (a, b) = correlated_pair(400);
    let (a, b) = (
        s(&dir.file("aaa.csv", &a.csv())).to_string(),
        s(&dir.file("bbb.csv", &b.csv())).to_string(),
    );
    let all = ok_stdout(&["corr", &a, &b, "--format", "csv"]);
    let (h, rows) = parse_csv(&all);
    let date = col(&h, "date");
    let (from, to) = (rows[100][date].clone(), rows[250][date].clone());
    let cut = ok_stdout(&[
        "corr", &a, &b, "--format", "csv", "--from", &from, "--to", &to,
    ]);
    let (h2, cut) = parse_csv(&cut);
    // The first return kept is the one dated `from` (its previous price comes along).
    assert_eq!(cut[0][col(&h2, "date")], rows[99][date]);
    assert_eq!(cut[1][col(&h2, "date")], from);
    assert_eq!(cut.last().unwrap()[col(&h2, "date")], to);
    let r = col(&h2, "ret_a");
    assert_eq!(cut[1][r], rows[100][col(&h, "ret_a")]);
    for cmd in [
        "corr", "overlay", "leadlag", "regimes", "analyze", "signals", "backtest",
    ] {
        let e = usage(&[cmd, &a, &b, "--from", &to, "--to", &from]);
        assert!(e.contains("is after --to"), "{cmd}: {e}");
    }
    let e = fails(&["corr", &a, &b, "--from", "2100-01-01"]);
    assert!(e.contains("fewer than two aligned dates"), "{e}");
}
