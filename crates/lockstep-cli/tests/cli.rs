//! End-to-end tests of the `lockstep` command line: usage errors (exit 2), CSV and analysis
//! errors (exit 1, `file:line:` messages), the CSV / JSON / table output contracts, calendar
//! alignment, format detection, and one check against the shared real data set.
//!
//! Every test writes small synthetic CSV files to a temporary directory and runs the built
//! binary through `assert_cmd`.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lockstep_testkit::shared_data::skip;
use predicates::prelude::*;

// ---------------------------------------------------------------------------------------------
// 1. Usage (exit 2) and help (exit 0)
// ---------------------------------------------------------------------------------------------

#[test]
fn usage_unknown_subcommand() {
    let err = usage(&["frobnicate"]);
    assert!(
        err.contains("unrecognized subcommand 'frobnicate'"),
        "{err}"
    );
    assert!(err.contains("Usage: lockstep"), "{err}");
}

#[test]
fn usage_no_subcommand() {
    let err = usage(&[]);
    assert!(err.contains("Usage: lockstep"), "{err}");
}

#[test]
fn usage_missing_argument() {
    // `analyze` defaults to ETH-USD against ^RUT; `import` needs both of its arguments.
    let err = usage(&["import", "ETH-USD"]);
    assert!(
        err.contains("required arguments were not provided"),
        "{err}"
    );
    assert!(err.contains("<FILE>"), "{err}");
    assert!(err.contains("Usage: lockstep import"), "{err}");
    let err = usage(&["fetch"]);
    assert!(err.contains("<SYMBOLS>..."), "{err}");
}

#[test]
fn usage_window_below_minimum() {
    let d = Dir::new();
    let b = bench_file(&d, 40);
    for w in ["1", "0", "30,1"] {
        let err = usage(&["analyze", s(&b), s(&b), "--window", w]);
        assert!(err.contains("--window"), "--window {w}: {err}");
        assert!(
            err.contains("a window needs at least 2 returns"),
            "--window {w}: {err}"
        );
    }
}

#[test]
fn usage_window_not_a_number() {
    let d = Dir::new();
    let b = bench_file(&d, 40);
    for w in ["abc", "-3", "30,x", "", "2.5"] {
        let arg = format!("--window={w}");
        let err = usage(&["corr", s(&b), s(&b), &arg]);
        assert!(err.contains("invalid value"), "--window {w:?}: {err}");
        assert!(err.contains("--window"), "--window {w:?}: {err}");
    }
}

#[test]
fn usage_bad_align() {
    let d = Dir::new();
    let b = bench_file(&d, 40);
    let err = usage(&["analyze", s(&b), s(&b), "--align", "daily"]);
    assert!(err.contains("invalid value 'daily' for '--align"), "{err}");
    assert!(err.contains("inner, weekly, monthly"), "{err}");
}

#[test]
fn usage_bad_format() {
    let d = Dir::new();
    let b = bench_file(&d, 40);
    let err = usage(&["overlay", s(&b), s(&b), "--format", "xml"]);
    assert!(err.contains("invalid value 'xml' for '--format"), "{err}");
    assert!(err.contains("table, csv, json"), "{err}");
}

#[test]
fn usage_bad_enum_values_of_other_options() {
    let d = Dir::new();
    let b = bench_file(&d, 40);
    for (opt, v) in [
        ("--returns", "pct"),
        ("--method", "kendall"),
        ("--price", "open"),
        ("--dedupe", "first"),
        ("--color", "sometimes"),
        ("--lambda", "x"),
    ] {
        let err = usage(&["analyze", s(&b), s(&b), opt, v]);
        assert!(
            err.contains(&format!("invalid value '{v}' for '{opt}")),
            "{opt} {v}: {err}"
        );
    }
}

#[test]
fn help_and_version_exit_zero() {
    lockstep()
        .arg("--help")
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("Usage: lockstep"))
        .stdout(predicate::str::contains("analyze"))
        .stdout(predicate::str::contains("corr"))
        .stdout(predicate::str::contains("overlay"));
    lockstep()
        .arg("-h")
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: lockstep"));
    lockstep()
        .arg("--version")
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::starts_with("lockstep "));
    lockstep()
        .args(["help", "corr"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: lockstep corr"));
}

#[test]
fn analyze_help_mentions_the_statistics() {
    let out = ok_stdout(&["analyze", "--help"]);
    for needle in [
        "Usage: lockstep analyze",
        "Fisher",
        "beta",
        "adjusted close",
        "Pearson",
        "spearman",
        "ewma",
        "--window",
        "--align",
        "--dedupe",
    ] {
        assert!(
            out.contains(needle),
            "analyze --help lacks {needle:?}:\n{out}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. CSV and input errors (exit 1)
// ---------------------------------------------------------------------------------------------

#[test]
fn error_unparseable_number() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,12x.5\n",
        &[],
        3,
        &["column 2 (Close)", "cannot parse \"12x.5\" as a number"],
    );
}

#[test]
fn error_unparseable_number_in_optional_column() {
    csv_error(
        &Dir::new(),
        "Date,Open,Close\n2024-01-01,99,100\n2024-01-02,99,101\n2024-01-03,abc,102\n",
        &[],
        4,
        &["column 2 (Open)", "cannot parse \"abc\" as a number"],
    );
}

#[test]
fn error_unparseable_date() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n2024-13-02,102\n",
        &[],
        4,
        &[
            "column 1 (Date)",
            "cannot parse \"2024-13-02\" as a date",
            "accepted: YYYY-MM-DD",
        ],
    );
}

#[test]
fn error_non_finite_price() {
    let d = Dir::new();
    csv_error(
        &d,
        "Date,Close\n2024-01-01,100\n2024-01-02,nan\n",
        &[],
        3,
        &["column 2 (Close)", "price \"nan\" is not a finite number"],
    );
    csv_error(
        &d,
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n2024-01-03,inf\n",
        &[],
        4,
        &["column 2 (Close)", "price \"inf\" is not a finite number"],
    );
}

#[test]
fn error_zero_price() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,0\n",
        &[],
        3,
        &[
            "column 2 (Close)",
            "price 0 is not positive",
            "prices must be > 0",
        ],
    );
}

#[test]
fn error_negative_price() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n2024-01-03,-3.5\n",
        &[],
        4,
        &["column 2 (Close)", "price -3.5 is not positive"],
    );
}

#[test]
fn error_mixed_ordering() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n2024-01-04,102\n2024-01-03,103\n",
        &[],
        5,
        &[
            "dates must be sorted",
            "found 2024-01-03 after 2024-01-04 on line 4",
            "ascending",
        ],
    );
}

#[test]
fn error_mixed_ordering_in_newest_first_file() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-05,100\n2024-01-04,101\n2024-01-06,102\n",
        &[],
        4,
        &[
            "dates must be sorted",
            "found 2024-01-06 after 2024-01-04 on line 3",
            "newest first",
        ],
    );
}

#[test]
fn error_duplicate_date_and_dedupe_last_keeps_last_row() {
    let d = Dir::new();
    let text = "Date,Close\n2024-01-01,100\n2024-01-02,101\n2024-01-02,110\n2024-01-03,121\n";
    csv_error(
        &d,
        text,
        &[],
        4,
        &[
            "duplicate date 2024-01-02 (also on line 3)",
            "dedupe `last`",
        ],
    );

    let a = d.file("dup.csv", text);
    let b = d.file(
        "flat.csv",
        "Date,Close\n2024-01-01,50\n2024-01-02,50\n2024-01-03,50\n",
    );
    let (out, err) = ok_both(&[
        "overlay",
        s(&a),
        s(&b),
        "--dedupe",
        "last",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out,
        "date,a,b\n2024-01-01,100,100\n2024-01-02,110,100\n2024-01-03,121,100\n"
    );
    assert!(
        err.contains(&format!(
            "warning: {}: dropped 1 rows with a duplicate date",
            a.display()
        )),
        "{err}"
    );

    // The returns agree: 100 -> 110 -> 121 is +10% twice.
    let out = ok_stdout(&[
        "corr",
        s(&a),
        s(&b),
        "--dedupe",
        "last",
        "--format",
        "csv",
        "--returns",
        "simple",
        "--window",
        "2",
    ]);
    let (h, rows) = parse_csv(&out);
    let ra = col(&h, "ret_a");
    assert_eq!(rows.len(), 3);
    assert!((num(&rows[1][ra]) - 0.1).abs() < 1e-12, "{out}");
    assert!((num(&rows[2][ra]) - 0.1).abs() < 1e-12, "{out}");
}

#[test]
fn error_missing_price_column() {
    csv_error(
        &Dir::new(),
        "Date,Open,Volume\n2024-01-01,100,5\n",
        &[],
        1,
        &[
            "a price column",
            "not found; the header has: Date, Open, Volume",
        ],
    );
}

#[test]
fn error_missing_date_column() {
    csv_error(
        &Dir::new(),
        "Day,Close\n2024-01-01,100\n",
        &[],
        1,
        &["a date column", "not found; the header has: Day, Close"],
    );
}

#[test]
fn error_empty_file() {
    let d = Dir::new();
    for (name, text) in [("empty.csv", ""), ("blank.csv", "\n\n  \n")] {
        let a = d.file(name, text);
        let b = bench_file(&d, 10);
        let err = fails(&["corr", s(&a), s(&b)]);
        assert!(
            err.contains(&format!(
                "error: {}: the file is empty (no header line)",
                a.display()
            )),
            "{name}: {err}"
        );
    }
}

#[test]
fn error_header_without_data() {
    let d = Dir::new();
    let a = d.file("header.csv", "Date,Close\n");
    let b = bench_file(&d, 10);
    let err = fails(&["corr", s(&a), s(&b)]);
    assert!(
        err.contains(&format!(
            "{}: no data rows after the header on line 1",
            a.display()
        )),
        "{err}"
    );
}

#[test]
fn error_too_few_fields() {
    csv_error(
        &Dir::new(),
        "Date,Open,Close\n2024-01-01,99,100\n2024-01-02,100\n",
        &[],
        3,
        &[
            "the row has 2 fields but the header on line 1 has 3",
            "column 3 (Close) is missing",
        ],
    );
}

#[test]
fn error_too_many_fields() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,1,234.5\n",
        &[],
        3,
        &[
            "the row has 3 fields but the header on line 1 has 2",
            "thousands separator",
        ],
    );
}

#[test]
fn error_adj_close_requested_but_absent() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n",
        &["--price", "adj-close"],
        1,
        &[
            "an adjusted close column",
            "adj-close",
            "not found; the header has: Date, Close",
        ],
    );
}

#[test]
fn error_price_col_names_missing_column() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n",
        &["--price-col", "Last"],
        1,
        &[
            "the price column \"Last\"",
            "not found; the header has: Date, Close",
        ],
    );
}

#[test]
fn error_date_col_names_missing_column() {
    csv_error(
        &Dir::new(),
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n",
        &["--date-col", "When"],
        1,
        &["the date column \"When\"", "not found"],
    );
}

#[test]
fn date_col_and_price_col_pick_columns() {
    let d = Dir::new();
    let a = d.file(
        "custom.csv",
        "When,Bid,Ask\n2024-01-01,10,20\n2024-01-02,11,22\n2024-01-03,12,24\n",
    );
    // The options apply to both files.
    let b = d.file(
        "quotes.csv",
        "When,Bid,Ask\n2024-01-01,1,2\n2024-01-02,1,2\n2024-01-03,1,2\n",
    );
    let out = ok_stdout(&[
        "overlay",
        s(&a),
        s(&b),
        "--date-col",
        "when",
        "--price-col",
        "ASK",
        "--format",
        "csv",
    ]);
    let (_, rows) = parse_csv(&out);
    let a_vals: Vec<f64> = rows.iter().map(|r| num(&r[1])).collect();
    assert_eq!(a_vals, vec![100.0, 110.0, 120.0]);
}

#[test]
fn error_nonexistent_file() {
    let d = Dir::new();
    let b = bench_file(&d, 10);
    let missing = d.0.path().join("no-such-dir").join("nothing.csv");
    let err = fails(&["analyze", s(&missing), s(&b)]);
    assert!(
        err.contains(&format!("error: cannot read {}", missing.display())),
        "{err}"
    );
    assert!(
        err.contains("No such file or directory") || err.contains("cannot find"),
        "{err}"
    );
    // B missing too: the message names B's path.
    let err = fails(&["overlay", s(&b), s(&missing)]);
    assert!(
        err.contains(&format!("cannot read {}", missing.display())),
        "{err}"
    );
}

#[test]
fn error_too_few_common_dates() {
    let d = Dir::new();
    let a = d.file(
        "early.csv",
        "Date,Close\n2024-01-01,100\n2024-01-02,101\n2024-01-03,102\n",
    );
    let b = d.file(
        "late.csv",
        "Date,Close\n2024-01-03,100\n2024-01-04,101\n2024-01-05,102\n",
    );
    let err = fails(&["analyze", s(&a), s(&b)]);
    assert!(err.contains("cannot analyze early against late"), "{err}");
    assert!(err.contains("cannot align the two series"), "{err}");
    assert!(
        err.contains("early and late have 1 aligned date(s) in common with --align inner; at least 2 are needed"),
        "{err}"
    );
    let c = d.file("never.csv", "Date,Close\n2025-01-01,100\n2025-01-02,101\n");
    let err = fails(&["corr", s(&a), s(&c)]);
    assert!(err.contains("have 0 aligned date(s) in common"), "{err}");
}

#[test]
fn yahoo_null_rows_are_skipped_with_a_counting_warning() {
    let d = Dir::new();
    let a = d.file(
        "^RUT.csv",
        "Date,Open,High,Low,Close,Adj Close,Volume\n\
         2024-01-01,1,1,1,100,100,5\n\
         2024-01-02,null,null,null,null,null,null\n\
         2024-01-03,1,1,1,101,101,5\n\
         2024-01-04,null,null,null,null,null,null\n\
         2024-01-05,null,null,null,null,null,null\n\
         2024-01-06,1,1,1,102,102,5\n",
    );
    let b = bench_file(&d, 6);
    let (out, err) = ok_both(&["overlay", s(&a), s(&b), "--format", "csv"]);
    assert!(
        err.contains(&format!(
            "warning: {}: skipped 3 rows whose values are all null or empty",
            a.display()
        )),
        "{err}"
    );
    let dates: Vec<&str> = out.lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(dates, ["2024-01-01", "2024-01-03", "2024-01-06"]);
}

#[test]
fn invalid_analysis_parameters_are_usage_errors() {
    let d = Dir::new();
    let b = bench_file(&d, 40);
    let err = usage(&[
        "analyze",
        s(&b),
        s(&b),
        "--method",
        "ewma",
        "--lambda",
        "1.5",
    ]);
    assert!(
        err.contains("1.5 must lie strictly between 0 and 1"),
        "{err}"
    );
    let err = usage(&["analyze", s(&b), s(&b), "--confidence", "1.5"]);
    assert!(err.contains("--confidence"), "{err}");
    // Checked before any file is read.
    let err = usage(&["corr", "nope.csv", s(&b), "--confidence", "7"]);
    assert!(!err.contains("nope.csv: "), "{err}");
    let err = usage(&["corr", s(&b), s(&b), "--window", "3,3"]);
    assert!(err.contains("window 3 is given twice"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 3. The CSV contract of `corr --format csv`
// ---------------------------------------------------------------------------------------------

#[test]
fn corr_csv_header_single_window() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&["corr", s(&a), s(&b), "--window", "30", "--format", "csv"]);
    assert_eq!(
        out.lines().next(),
        Some("date,ret_a,ret_b,corr_30,corr_30_lo,corr_30_hi,beta_30")
    );
    let (h, rows) = parse_csv(&out);
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|r| r.len() == h.len()));
    // 30 returns are first available on the 31st row (index 30).
    assert_eq!(rows[29][3], "");
    assert_ne!(rows[30][3], "");
}

#[test]
fn corr_csv_contract_two_windows() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(25);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&["corr", s(&a), s(&b), "--window", "5,3", "--format", "csv"]);
    let (h, rows) = parse_csv(&out);
    assert_eq!(
        h.join(","),
        "date,ret_a,ret_b,corr_5,corr_5_lo,corr_5_hi,beta_5,corr_3,corr_3_lo,corr_3_hi,beta_3"
    );
    // One row per aligned date, in date order, every row with every column.
    assert_eq!(rows.len(), 25);
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        dates,
        sa.dates.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(rows.iter().all(|r| r.len() == h.len()), "{out}");
    // The first row has no return.
    assert_eq!(rows[0][1], "");
    assert_eq!(rows[0][2], "");
    for (w, first) in [(5usize, 5usize), (3, 3)] {
        let c = col(&h, &format!("corr_{w}"));
        let (lo, hi, beta) = (
            col(&h, &format!("corr_{w}_lo")),
            col(&h, &format!("corr_{w}_hi")),
            col(&h, &format!("beta_{w}")),
        );
        for (i, r) in rows.iter().enumerate() {
            if i < first {
                for k in [c, lo, hi, beta] {
                    assert_eq!(r[k], "", "window {w} row {i} column {}: {out}", h[k]);
                }
                continue;
            }
            let rc = num(&r[c]);
            num(&r[beta]);
            assert!(rc.abs() <= 1.0, "window {w} row {i}: corr {rc}");
            if w <= 3 {
                // The Fisher-z interval needs n > 3 (its width is z/sqrt(n-3)).
                assert_eq!(
                    (r[lo].as_str(), r[hi].as_str()),
                    ("", ""),
                    "window {w} row {i}"
                );
                continue;
            }
            let (rlo, rhi) = (num(&r[lo]), num(&r[hi]));
            assert!(
                rlo <= rc && rc <= rhi,
                "window {w} row {i}: {rlo} {rc} {rhi}"
            );
            assert!((-1.0..=1.0).contains(&rlo) && (-1.0..=1.0).contains(&rhi));
        }
    }
    // Returns from row 1 on, equal to ln(p1/p0) of the input prices.
    let ra = col(&h, "ret_a");
    for (i, row) in rows.iter().enumerate().skip(1) {
        let want = (sa.prices[i] / sa.prices[i - 1]).ln();
        let got = num(&row[ra]);
        assert!((got - want).abs() <= 1e-14, "row {i}: {got} vs {want}");
    }
}

#[test]
fn corr_csv_values_have_full_precision() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(25);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let csv = ok_stdout(&["corr", s(&a), s(&b), "--window", "5,3", "--format", "csv"]);
    let json = ok_stdout(&["corr", s(&a), s(&b), "--window", "5,3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["params"]["windows"], serde_json::json!([5, 3]));
    assert_eq!(v["series"]["rolling"][0]["window"], 5);

    let (h, rows) = parse_csv(&csv);
    let raw_corr5 = raw_json_array(&json, "\"rolling\": [", "corr");
    let raw_ret_a = raw_json_array(&json, "\"series\": {", "ret_a");
    let raw_beta5 = raw_json_array(&json, "\"rolling\": [", "beta");
    assert_eq!(raw_corr5.len(), rows.len());
    assert_eq!(raw_ret_a.len(), rows.len());
    let (c5, ra, b5) = (col(&h, "corr_5"), col(&h, "ret_a"), col(&h, "beta_5"));
    let mut long = 0;
    for (i, r) in rows.iter().enumerate() {
        for (cell, raw) in [
            (&r[c5], &raw_corr5[i]),
            (&r[ra], &raw_ret_a[i]),
            (&r[b5], &raw_beta5[i]),
        ] {
            match raw {
                None => assert_eq!(cell, "", "row {i}"),
                Some(t) => {
                    let from_csv = num(cell);
                    let from_json: f64 = t.parse().expect("JSON number");
                    assert_eq!(
                        from_csv.to_bits(),
                        from_json.to_bits(),
                        "row {i}: {cell} vs {t}"
                    );
                    // Shortest round-trip form: re-printing gives the same text.
                    assert_eq!(from_csv.to_string(), *cell, "row {i}");
                    if cell.trim_start_matches('-').len() >= 17 {
                        long += 1;
                    }
                }
            }
        }
    }
    // Not rounded to a few decimals.
    assert!(long > 10, "expected many 15+ digit values:\n{csv}");
    // serde_json agrees to within one ULP as well.
    let j = v["series"]["rolling"][0]["corr"][10]
        .as_f64()
        .expect("corr_5 on row 10");
    assert!((j - num(&rows[10][c5])).abs() <= 1e-15);
}

#[test]
fn corr_table_is_the_default_and_shows_latest_rows() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&["corr", s(&a), s(&b), "--window", "5", "--rows", "7"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("date"), "{out}");
    assert!(
        lines[0].contains("corr_5") && lines[0].contains("beta_5"),
        "{out}"
    );
    assert_eq!(lines.len(), 1 + 7 + 1, "{out}");
    assert!(lines[7].starts_with(&sa.dates[39]), "{out}");
    assert!(lines[8].contains("33 earlier rows not shown"), "{out}");
    let all = ok_stdout(&["corr", s(&a), s(&b), "--window", "5", "--rows", "0"]);
    assert_eq!(all.lines().count(), 41, "{all}");
}

// ---------------------------------------------------------------------------------------------
// 4. Alignment and return kinds
// ---------------------------------------------------------------------------------------------

/// A crypto file (every day) and an equity file (weekdays) over 5 weeks from Mon 2024-01-01.
fn crypto_and_equity(d: &Dir) -> (Series, Series, PathBuf, PathBuf) {
    let crypto = Series::daily("2024-01-01", &noise(35, 21), false);
    let equity = Series::daily("2024-01-01", &noise(35, 22), true);
    let a = d.file("crypto.csv", &crypto.csv());
    let b = d.file("equity.csv", &equity.csv());
    (crypto, equity, a, b)
}

#[test]
fn inner_alignment_puts_the_weekend_move_into_monday() {
    let d = Dir::new();
    let (crypto, equity, a, b) = crypto_and_equity(&d);
    assert_eq!(crypto.dates.len(), 35);
    assert_eq!(equity.dates.len(), 25);
    let out = ok_stdout(&["corr", s(&a), s(&b), "--window", "5", "--format", "csv"]);
    let (h, rows) = parse_csv(&out);
    // One row per common date = the equity's weekdays.
    assert_eq!(rows.len(), 25);
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        dates,
        equity.dates.iter().map(String::as_str).collect::<Vec<_>>()
    );
    // Monday 2024-01-08: the crypto return spans Friday 2024-01-05 .. Monday.
    let (ra, rb) = (col(&h, "ret_a"), col(&h, "ret_b"));
    let mon = rows
        .iter()
        .position(|r| r[0] == "2024-01-08")
        .expect("Monday row");
    assert_eq!(rows[mon - 1][0], "2024-01-05");
    let want = (crypto.price_on("2024-01-08") / crypto.price_on("2024-01-05")).ln();
    let got = num(&rows[mon][ra]);
    assert!((got - want).abs() <= 1e-14, "{got} vs {want}");
    // It is not just Sunday -> Monday.
    let sun_mon = (crypto.price_on("2024-01-08") / crypto.price_on("2024-01-07")).ln();
    assert!((got - sun_mon).abs() > 1e-6);
    let want_b = (equity.price_on("2024-01-08") / equity.price_on("2024-01-05")).ln();
    assert!((num(&rows[mon][rb]) - want_b).abs() <= 1e-14);
}

#[test]
fn inner_alignment_annualizes_with_252_for_an_exchange_leg() {
    let d = Dir::new();
    let (_, _, a, b) = crypto_and_equity(&d);
    let json = ok_stdout(&["analyze", s(&a), s(&b), "--window", "5", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["params"]["periods_per_year"], 252.0);
    assert_eq!(v["a"]["calendar"], "every-day");
    assert_eq!(v["b"]["calendar"], "weekdays");
    assert_eq!(v["period"]["dates"], 25);
    assert_eq!(v["period"]["returns"], 24);
}

#[test]
fn weekly_alignment_yields_fridays() {
    let d = Dir::new();
    let (crypto, _, a, b) = crypto_and_equity(&d);
    let out = ok_stdout(&[
        "corr",
        s(&a),
        s(&b),
        "--window",
        "2",
        "--align",
        "weekly",
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&out);
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2024-01-05",
            "2024-01-12",
            "2024-01-19",
            "2024-01-26",
            "2024-02-02"
        ]
    );
    assert!(dates.iter().all(|x| weekday(day(x)) == 4), "{dates:?}");
    // The crypto leg contributes its Friday close, not Sunday's.
    let ra = col(&h, "ret_a");
    let want = (crypto.price_on("2024-01-12") / crypto.price_on("2024-01-05")).ln();
    assert!((num(&rows[1][ra]) - want).abs() <= 1e-14);
}

#[test]
fn monthly_alignment_yields_month_ends() {
    let d = Dir::new();
    let s75 = Series::daily("2024-01-01", &noise(75, 5), false);
    let a = d.file("a.csv", &s75.csv());
    let out = ok_stdout(&[
        "overlay",
        s(&a),
        s(&a),
        "--align",
        "monthly",
        "--format",
        "csv",
    ]);
    let (_, rows) = parse_csv(&out);
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    // The label is the month's last calendar day, even for the partial last month.
    assert_eq!(dates, ["2024-01-31", "2024-02-29", "2024-03-31"]);
    // The value is the last observation of the month (March 15 for the partial month).
    let want = 100.0 * s75.price_on("2024-03-15") / s75.price_on("2024-01-31");
    assert!((num(&rows[2][1]) - want).abs() < 1e-9, "{out}");
}

#[test]
fn simple_returns_are_p1_over_p0_minus_1() {
    let d = Dir::new();
    let (crypto, equity, a, b) = crypto_and_equity(&d);
    let out = ok_stdout(&[
        "corr",
        s(&a),
        s(&b),
        "--window",
        "5",
        "--returns",
        "simple",
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&out);
    let (ra, rb) = (col(&h, "ret_a"), col(&h, "ret_b"));
    assert_eq!(rows[0][ra], "");
    for (i, pair) in rows.windows(2).enumerate() {
        let i = i + 1;
        let (d0, d1) = (&pair[0][0], &pair[1][0]);
        let wa = crypto.price_on(d1) / crypto.price_on(d0) - 1.0;
        let wb = equity.price_on(d1) / equity.price_on(d0) - 1.0;
        assert!((num(&pair[1][ra]) - wa).abs() <= 1e-15, "row {i}");
        assert!((num(&pair[1][rb]) - wb).abs() <= 1e-15, "row {i}");
    }
    // Simple and log returns differ.
    let log = ok_stdout(&["corr", s(&a), s(&b), "--window", "5", "--format", "csv"]);
    let (_, lrows) = parse_csv(&log);
    assert_ne!(lrows[3][ra], rows[3][ra]);
}

#[test]
fn spearman_and_ewma_methods_stay_in_range() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    for method in [
        &["--method", "spearman"][..],
        &["--method", "ewma", "--lambda", "0.9"],
    ] {
        let mut args = vec!["corr", s(&a), s(&b), "--window", "10", "--format", "csv"];
        args.extend_from_slice(method);
        let out = ok_stdout(&args);
        let (h, rows) = parse_csv(&out);
        let (c, lo, hi) = (
            col(&h, "corr_10"),
            col(&h, "corr_10_lo"),
            col(&h, "corr_10_hi"),
        );
        let defined: Vec<&Vec<String>> = rows.iter().filter(|r| !r[c].is_empty()).collect();
        assert!(defined.len() >= 20, "{method:?}: {out}");
        for r in defined {
            let v = num(&r[c]);
            assert!(v.abs() <= 1.0, "{method:?}: {v}");
            assert!(num(&r[lo]) <= v && v <= num(&r[hi]), "{method:?}: {r:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. overlay
// ---------------------------------------------------------------------------------------------

#[test]
fn overlay_csv_rebases_both_legs_to_100() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(20);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&["overlay", s(&a), s(&b), "--format", "csv"]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("date,a,b"));
    assert_eq!(lines.next(), Some("2024-01-01,100,100"));
    let (h, rows) = parse_csv(&out);
    assert_eq!(h, ["date", "a", "b"]);
    assert_eq!(rows.len(), 20);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], sa.dates[i]);
        let wa = 100.0 * sa.prices[i] / sa.prices[0];
        let wb = 100.0 * sb.prices[i] / sb.prices[0];
        assert!(
            (num(&r[1]) - wa).abs() < 1e-9 && (num(&r[2]) - wb).abs() < 1e-9,
            "row {i}"
        );
    }
    // The default is a table of the latest --rows dates, as `corr`'s; CSV has every date.
    let table = ok_stdout(&["overlay", s(&a), s(&b), "--rows", "5"]);
    assert_eq!(
        table,
        ok_stdout(&["overlay", s(&a), s(&b), "--rows", "5", "--format", "table"])
    );
    assert!(!table.contains(','), "{table}");
    assert!(
        table.contains(&sa.dates[19]) && table.contains(&sa.dates[15]),
        "{table}"
    );
    assert!(!table.contains(&sa.dates[14]), "{table}");
}

#[test]
fn overlay_json() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(10);
    let a = d.file("ETH.csv", &sa.csv());
    let b = d.file("SPX.csv", &sb.csv());
    let out = ok_stdout(&["overlay", s(&a), s(&b), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["a"], "ETH");
    assert_eq!(v["b"], "SPX");
    assert_eq!(v["dates"][0], "2024-01-01");
    assert_eq!(v["dates"].as_array().map(Vec::len), Some(10));
    assert_eq!(v["a_norm"][0], 100.0);
    assert_eq!(v["b_norm"][0], 100.0);
}

// ---------------------------------------------------------------------------------------------
// 6. analyze
// ---------------------------------------------------------------------------------------------

const LABELS: [&str; 7] = [
    "strong positive",
    "moderate positive",
    "weak positive",
    "no meaningful link",
    "weak negative",
    "moderate negative",
    "strong negative",
];

/// The correlation rows of the table (`  <window> <corr>  [lo, hi] ...`).
fn table_rows<'a>(table: &'a str, window: &str) -> Vec<&'a str> {
    table
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(window) && l.contains('['))
        .collect()
}

#[test]
fn analyze_table_report() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(60);
    let a = d.file("ETH-USD.daily.csv", &sa.csv());
    let b = d.file("RUT.csv", &sb.csv());
    let out = ok_stdout(&["analyze", s(&a), s(&b), "--window", "5,10,20"]);
    assert!(out.contains("Lockstep: ETH-USD vs RUT"), "{out}");
    assert!(out.contains("Fisher-z interval"), "{out}");
    assert!(
        out.contains("Aligned (inner): 2024-01-01 .. 2024-02-29, 60 dates, 59 log returns"),
        "{out}"
    );
    for w in ["5", "10", "20"] {
        let rows = table_rows(&out, w);
        assert_eq!(rows.len(), 1, "window {w}:\n{out}");
        assert!(
            LABELS.iter().any(|l| rows[0].ends_with(l)),
            "window {w}: {}",
            rows[0]
        );
    }
    // A = 0.8 B + noise: the correlation is strong.
    assert!(out.contains("strong positive"), "{out}");
    // The answer first: the verdict opens the report, with its date.
    assert!(
        out.contains("\n\nVerdict\n  as of 2024-02-29\n  ETH-USD and RUT are"),
        "{out}"
    );
    assert!(
        out.find("\nVerdict") < out.find("\nSeries and parameters"),
        "{out}"
    );
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "line longer than 80: {line:?}");
    }
    assert!(!out.contains('\x1b'), "ANSI escape on a pipe:\n{out}");
}

#[test]
fn analyze_table_fits_80_columns_with_long_names_and_windows() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(300);
    let a = d.file("A-VERY-LONG-ASSET-NAME-INDEED.csv", &sa.csv());
    let b = d.file("ANOTHER-EXCEEDINGLY-LONG-BENCHMARK.csv", &sb.csv());
    for color in ["never", "always"] {
        let out = ok_stdout(&[
            "analyze",
            s(&a),
            s(&b),
            "--window",
            "2,250,299,1000",
            "--color",
            color,
        ]);
        let plain = strip_ansi(&out);
        for line in plain.lines() {
            assert!(
                line.chars().count() <= 80,
                "--color {color}: line longer than 80: {line:?}"
            );
        }
        // Long names are shown whole where they fit and cut with an ellipsis where not.
        assert!(plain.contains("A-VERY-LONG-ASSET-NAME-INDEED"), "{plain}");
        assert!(
            plain.contains("ANOTHER-EXCEEDINGLY-LONG-BENCHMARK"),
            "{plain}"
        );
        assert!(
            plain.contains("not enough aligned returns for this window"),
            "{plain}"
        );
    }
}

#[test]
fn analyze_color_only_when_asked_or_on_a_terminal() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let args = ["analyze", s(&a), s(&b), "--window", "10"];
    let auto = ok_stdout(&args);
    assert!(!auto.contains('\x1b'), "{auto}");
    let never = ok_stdout(&[&args[..], &["--color", "never"]].concat());
    assert_eq!(never, auto);
    let always = ok_stdout(&[&args[..], &["--color", "always"]].concat());
    assert!(always.contains("\x1b["), "{always}");
    // Same words (the layout is checked by `colour_does_not_change_the_layout`).
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(words(&strip_ansi(&always)), words(&auto));
    // --color always wins over NO_COLOR, which only affects auto.
    let forced = lockstep()
        .args([&args[..], &["--color", "always"]].concat())
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(forced).expect("utf-8"), always);
    // The global flag may also come before the subcommand.
    let before = ok_stdout(&[&["--color", "always"][..], &args[..]].concat());
    assert_eq!(before, always);
}

/// Known bug: in the Performance section the `total` cell is painted before it is padded with
/// `{:>10}`, so the escape codes count towards the width and the column loses its alignment
/// (`90.20 -10.2%` instead of `90.20     -10.2%`).
#[test]
fn colour_does_not_change_the_layout() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let args = ["analyze", s(&a), s(&b), "--window", "10"];
    let plain = ok_stdout(&[&args[..], &["--color", "never"]].concat());
    let always = ok_stdout(&[&args[..], &["--color", "always"]].concat());
    assert_eq!(strip_ansi(&always), plain);
}

#[test]
fn analyze_json_has_the_report_keys() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&[
        "analyze",
        s(&a),
        s(&b),
        "--window",
        "10,20",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("analyze JSON parses");
    let obj = v.as_object().expect("an object");
    for k in [
        "a",
        "b",
        "params",
        "period",
        "performance",
        "windows",
        "series",
    ] {
        assert!(obj.contains_key(k), "missing key {k}");
    }
    assert_eq!(v["a"]["name"], "a");
    assert_eq!(v["b"]["name"], "b");
    assert_eq!(v["params"]["windows"], serde_json::json!([10, 20]));
    assert_eq!(v["period"]["dates"], 40);
    let windows = v["windows"].as_array().expect("windows array");
    assert_eq!(windows.len(), 2);
    for w in windows {
        let l = &w["latest"];
        assert_eq!(l["date"], "2024-02-09");
        let (c, lo, hi) = (
            l["corr"].as_f64(),
            l["corr_lo"].as_f64(),
            l["corr_hi"].as_f64(),
        );
        let (c, lo, hi) = (c.expect("corr"), lo.expect("lo"), hi.expect("hi"));
        assert!(lo <= c && c <= hi);
        assert!(LABELS.contains(&w["strength"].as_str().expect("strength")));
    }
    assert_eq!(v["series"]["dates"].as_array().map(Vec::len), Some(40));
    assert_eq!(v["series"]["ret_a"][0], serde_json::Value::Null);
    // (serde_json's default float parser may be one ULP off, hence the tolerance.)
    let start = v["performance"]["a"]["start"].as_f64().expect("start");
    assert!((start - sa.prices[0]).abs() <= 1e-12, "{start}");
}

#[test]
fn analyze_csv_has_one_row_per_window() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(40);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&[
        "analyze",
        s(&a),
        s(&b),
        "--window",
        "20,5,10",
        "--format",
        "csv",
    ]);
    let (h, rows) = parse_csv(&out);
    assert_eq!(
        &h[..6],
        ["window", "date", "corr", "corr_lo", "corr_hi", "beta"]
    );
    assert_eq!(rows.len(), 3, "{out}");
    let windows: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(windows, ["20", "5", "10"]);
    let strength = col(&h, "strength");
    for r in &rows {
        assert_eq!(r.len(), h.len(), "{out}");
        assert_eq!(r[1], "2024-02-09");
        assert!(LABELS.contains(&r[strength].as_str()), "{out}");
    }
}

#[test]
fn analyze_window_longer_than_history() {
    let d = Dir::new();
    let (sa, sb) = correlated_pair(20);
    let a = d.file("a.csv", &sa.csv());
    let b = d.file("b.csv", &sb.csv());
    let out = ok_stdout(&[
        "analyze",
        s(&a),
        s(&b),
        "--window",
        "30",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["windows"][0]["latest"], serde_json::Value::Null);
    assert_eq!(v["windows"][0]["defined"], 0);
    let csv = ok_stdout(&["analyze", s(&a), s(&b), "--window", "30", "--format", "csv"]);
    assert!(
        csv.lines().nth(1).is_some_and(|l| l.starts_with("30,,,")),
        "{csv}"
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Format detection (-v)
// ---------------------------------------------------------------------------------------------

#[test]
fn detects_yahoo_and_uses_adjusted_close() {
    let d = Dir::new();
    let a = d.file(
        "SPY.csv",
        "Date,Open,High,Low,Close,Adj Close,Volume\n\
         2024-01-01,1,1,1,200,100,5\n\
         2024-01-02,1,1,1,200,110,5\n\
         2024-01-03,1,1,1,300,121,5\n",
    );
    let b = bench_file(&d, 3);
    let (out, err) = ok_both(&["-v", "overlay", s(&a), s(&b), "--format", "csv"]);
    assert!(
        err.contains(&format!(
            "{}: format yahoo, price from adjusted close, 3 rows, 2024-01-01 .. 2024-01-03",
            a.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: format generic, price from close",
            b.display()
        )),
        "{err}"
    );
    let a_vals: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(a_vals, ["100", "110", "121"]);
    // --price close switches to the close.
    let (out, err) = ok_both(&[
        "overlay",
        s(&a),
        s(&b),
        "--price",
        "close",
        "--verbose",
        "--format",
        "csv",
    ]);
    assert!(err.contains("format yahoo, price from close"), "{err}");
    let a_vals: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(a_vals, ["100", "100", "150"]);
}

#[test]
fn detects_investing_with_bom_thousands_and_newest_first() {
    let d = Dir::new();
    let a = d.file(
        "ZQ.investing.csv",
        "\u{feff}\"Date\",\"Price\",\"Open\",\"High\",\"Low\",\"Vol.\",\"Change %\"\r\n\
         \"01/05/2024\",\"1,358.10\",\"1,240.00\",\"1,360.00\",\"1,235.00\",\"13.28K\",\"9.10%\"\r\n\
         \"01/04/2024\",\"1,244.80\",\"1,230.00\",\"1,250.00\",\"1,220.00\",\"1.2M\",\"0.84%\"\r\n\
         \"01/03/2024\",\"1,234.40\",\"1,230.00\",\"1,240.00\",\"1,220.00\",\"-\",\"-0.01%\"\r\n\
         \"01/02/2024\",\"1,234.50\",\"1,230.00\",\"1,240.00\",\"1,220.00\",\"900\",\"0.00%\"\r\n",
    );
    let b = d.file(
        "b.csv",
        "Date,Close\n2024-01-02,10\n2024-01-03,10\n2024-01-04,10\n2024-01-05,10\n",
    );
    let (out, err) = ok_both(&["-v", "overlay", s(&a), s(&b), "--format", "csv"]);
    assert!(
        err.contains(&format!(
            "{}: format investing, price from price, 4 rows (file newest first), 2024-01-02 .. 2024-01-05",
            a.display()
        )),
        "{err}"
    );
    let (_, rows) = parse_csv(&out);
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        dates,
        ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
    );
    let a_vals: Vec<f64> = rows.iter().map(|r| num(&r[1])).collect();
    let want = [1234.5, 1234.4, 1244.8, 1358.1].map(|p| 100.0 * p / 1234.5);
    for (g, w) in a_vals.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{a_vals:?} vs {want:?}");
    }
}

#[test]
fn detects_cryptodatadownload_banner_and_unix_ms() {
    let d = Dir::new();
    let ms = |date: &str| day(date) * 86_400_000;
    let mut text = String::from(
        "https://www.CryptoDataDownload.com\n\
         Unix,Date,Symbol,Open,High,Low,Close,Volume ETH,Volume USDT,tradecount\n",
    );
    for (date, close) in [
        ("2024-01-04", "2300.5"),
        ("2024-01-03", "2200"),
        ("2024-01-02", "2000"),
    ] {
        text.push_str(&format!(
            "{},{date} 00:00:00,ETHUSDT,1,1,1,{close},10,20000,7\n",
            ms(date)
        ));
    }
    let a = d.file("Binance_ETHUSDT_d.csv", &text);
    let b = bench_file(&d, 5);
    let (out, err) = ok_both(&["-v", "overlay", s(&a), s(&b), "--format", "json"]);
    assert!(
        err.contains(&format!(
            "{}: format cryptodatadownload, price from close, 3 rows (file newest first), 2024-01-02 .. 2024-01-04",
            a.display()
        )),
        "{err}"
    );
    assert!(
        !err.contains("warning"),
        "the CDD banner is ignored silently: {err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["a"], "ETHUSDT");
    assert_eq!(
        v["dates"],
        serde_json::json!(["2024-01-02", "2024-01-03", "2024-01-04"])
    );
    assert_eq!(v["a_norm"], serde_json::json!([100.0, 110.0, 115.025]));
}

#[test]
fn detects_coingecko_and_dates_midnight_snapshots_the_previous_day() {
    let d = Dir::new();
    let a = d.file(
        "eth-usd-max.csv",
        "snapped_at,price,market_cap,total_volume\n\
         2024-01-02 00:00:00 UTC,100,1000000,5000\n\
         2024-01-03 00:00:00 UTC,110,1100000,5000\n\
         2024-01-04 00:00:00 UTC,99,990000,5000\n\
         2024-01-05 00:00:00 UTC,121,1210000,5000\n",
    );
    let b = bench_file(&d, 10);
    let (out, err) = ok_both(&["-v", "overlay", s(&a), s(&b), "--format", "csv"]);
    assert!(
        err.contains(&format!(
            "{}: format coingecko, price from price, 4 rows, 2024-01-01 .. 2024-01-04",
            a.display()
        )),
        "{err}"
    );
    let (_, rows) = parse_csv(&out);
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        dates,
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    );
    assert_eq!(rows[0][1], "100");
    assert_eq!(rows[3][1], "121");
}

#[test]
fn coingecko_intraday_snapshot_keeps_its_own_date_with_a_warning() {
    let d = Dir::new();
    let a = d.file(
        "cg.csv",
        "snapped_at,price,market_cap,total_volume\n\
         2024-01-02 00:00:00 UTC,100,1,1\n\
         2024-01-03 00:00:00 UTC,110,1,1\n\
         2024-01-03 15:30:00 UTC,120,1,1\n",
    );
    let b = bench_file(&d, 10);
    let (out, err) = ok_both(&["overlay", s(&a), s(&b), "--format", "csv"]);
    assert!(
        err.contains("1 snapshot(s) not taken at 00:00:00 UTC (first on line 4)"),
        "{err}"
    );
    let dates: Vec<&str> = out.lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(dates, ["2024-01-01", "2024-01-02", "2024-01-03"]);
}

#[test]
fn detects_fred_and_skips_missing_values() {
    let d = Dir::new();
    let a = d.file(
        "fredgraph.csv",
        "observation_date,DGS2\n2024-01-01,4.1\n2024-01-02,.\n2024-01-03,4.3\n2024-01-04,4.51\n",
    );
    let b = bench_file(&d, 10);
    let (out, err) = ok_both(&["-v", "overlay", s(&a), s(&b), "--format", "json"]);
    assert!(
        err.contains(&format!(
            "{}: format fred, price from value, 3 rows, 2024-01-01 .. 2024-01-04",
            a.display()
        )),
        "{err}"
    );
    assert!(err.contains("skipped 1 rows"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["a"], "DGS2");
    assert_eq!(
        v["dates"],
        serde_json::json!(["2024-01-01", "2024-01-03", "2024-01-04"])
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Real data
// ---------------------------------------------------------------------------------------------

#[test]
fn real_data_eth_vs_rut_matches_pandas() {
    let data = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !data.is_dir() {
        skip("skipping: ../shared/data not found");
        return;
    }
    let eth = data.join("ETH-USD.daily.csv");
    let rut = data.join("RUT.daily.csv");
    let out = ok_stdout(&["analyze", s(&eth), s(&rut), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["a"]["name"], "ETH-USD");
    assert_eq!(v["b"]["name"], "RUT");
    let w30 = &v["windows"][0];
    assert_eq!(w30["window"], 30);
    assert_eq!(w30["latest"]["date"], "2026-02-23");
    let corr = w30["latest"]["corr"].as_f64().expect("latest 30-day corr");
    let pandas = 0.5192910613168061;
    assert!((corr - pandas).abs() < 1e-10, "{corr} vs pandas {pandas}");
}
