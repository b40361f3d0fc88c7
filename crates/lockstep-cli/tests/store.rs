//! End-to-end tests of the local store without the network: `import`, `list`, `show`,
//! `export`, `log`, `remove`, stored symbols and ratio symbols in the analysis commands, and
//! `--offline` errors.

mod common;

use common::*;

fn stdout(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).expect("utf-8")
}

fn stderr(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).expect("utf-8")
}

/// A store with `A` (every day) and `B` (every day) imported from synthetic CSVs.
fn store_with_pair(dir: &Dir) -> (std::path::PathBuf, Series, Series) {
    let home = dir.0.path().join("home");
    let (a, b) = correlated_pair(200);
    let fa = dir.file("a.csv", &a.csv());
    let fb = dir.file("b.csv", &b.csv());
    let out = stdout(at(&home).args(["import", "AAA", s(&fa)]).assert().success());
    assert!(out.contains("AAA: 200 bars"), "{out}");
    assert!(out.contains("200 added, 0 revised, 0 unchanged"), "{out}");
    at(&home).args(["import", "BBB", s(&fb)]).assert().success();
    (home, a, b)
}

#[test]
fn import_list_show_export_round_trip() {
    let dir = Dir::new();
    let (home, a, _) = store_with_pair(&dir);

    // Importing the same file again changes nothing, and says so.
    let fa = dir.0.path().join("a.csv");
    let out = stdout(at(&home).args(["import", "AAA", s(&fa)]).assert().success());
    assert!(out.contains("0 added, 0 revised, 200 unchanged"), "{out}");

    let list = stdout(
        at(&home)
            .args(["list", "--format", "csv"])
            .assert()
            .success(),
    );
    let (header, rows) = parse_csv(&list);
    assert_eq!(
        header,
        [
            "symbol",
            "provider",
            "ticker",
            "class",
            "first",
            "last",
            "bars",
            "last_refresh",
            "interval",
            "refreshes"
        ]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][9], "no");
    assert_eq!(rows[0][8], "1d");
    assert_eq!(rows[0][0], "AAA");
    assert_eq!(rows[0][1], "import");
    assert_eq!(rows[0][4], a.dates[0]);
    assert_eq!(rows[0][5], *a.dates.last().unwrap());
    assert_eq!(rows[0][6], "200");

    let show = stdout(
        at(&home)
            .args(["show", "AAA", "--tail", "3", "--format", "csv"])
            .assert()
            .success(),
    );
    let (header, rows) = parse_csv(&show);
    assert_eq!(
        header,
        [
            "date",
            "open",
            "high",
            "low",
            "close",
            "adj_close",
            "volume"
        ]
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][0], *a.dates.last().unwrap());
    // Full precision: the stored close is the file's value, bit for bit.
    assert_eq!(num(&rows[2][4]), *a.prices.last().unwrap());

    let export = stdout(at(&home).args(["export", "AAA"]).assert().success());
    let (header, rows) = parse_csv(&export);
    assert_eq!(header[0], "date");
    assert_eq!(rows.len(), 200);
    for (row, (d, p)) in rows.iter().zip(a.dates.iter().zip(&a.prices)) {
        assert_eq!(&row[0], d);
        assert_eq!(num(&row[4]), *p);
        assert_eq!(row[1], "", "no open in a Date,Close file");
    }

    // Export to a file, then import it under another name: identical bars.
    let out_file = dir.0.path().join("aaa.csv");
    at(&home)
        .args(["export", "AAA", "-o", s(&out_file)])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), export);

    let log = stdout(
        at(&home)
            .args(["log", "--format", "csv"])
            .assert()
            .success(),
    );
    let (header, rows) = parse_csv(&log);
    assert_eq!(header[4], "status");
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r[4] == "ok"));

    let out = stdout(at(&home).args(["remove", "BBB"]).assert().success());
    assert_eq!(out, "removed BBB\n");
    let list = stdout(
        at(&home)
            .args(["list", "--format", "json"])
            .assert()
            .success(),
    );
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn stored_symbols_analyze_like_their_files() {
    let dir = Dir::new();
    let (home, _, _) = store_with_pair(&dir);
    let fa = dir.0.path().join("a.csv");
    let fb = dir.0.path().join("b.csv");
    let from_files = stdout(
        at(&home)
            .args(["corr", s(&fa), s(&fb), "--format", "csv"])
            .assert()
            .success(),
    );
    let from_store = stdout(
        at(&home)
            .args(["--offline", "corr", "AAA", "BBB", "--format", "csv"])
            .assert()
            .success(),
    );
    assert_eq!(from_files, from_store);
}

#[test]
fn ratio_symbol_divides_on_common_dates() {
    let dir = Dir::new();
    let (home, a, b) = store_with_pair(&dir);
    let csv = stdout(
        at(&home)
            .args(["--offline", "overlay", "AAA/BBB", "BBB", "--format", "csv"])
            .assert()
            .success(),
    );
    let (header, rows) = parse_csv(&csv);
    assert_eq!(header, ["date", "a", "b"]);
    // Rebased to 100 on the first date: ratio_t / ratio_0 * 100.
    let r0 = a.prices[0] / b.prices[0];
    let last = rows.len() - 1;
    let expect = a.prices[last] / b.prices[last] / r0 * 100.0;
    assert!(
        (num(&rows[last][1]) - expect).abs() < 1e-9,
        "{}",
        rows[last][1]
    );
}

#[test]
fn offline_missing_symbol_says_how_to_fetch() {
    let dir = Dir::new();
    let home = dir.0.path().join("home");
    let err = stderr(
        at(&home)
            .args(["--offline", "analyze", "ETH-USD", "^RUT"])
            .assert()
            .code(1),
    );
    assert!(err.contains("ETH-USD is not in the store"), "{err}");
    assert!(err.contains("lockstep fetch ETH-USD"), "{err}");
    let err = stderr(at(&home).args(["show", "NOPE"]).assert().code(1));
    assert!(err.contains("NOPE is not in the store"), "{err}");
    let err = stderr(at(&home).args(["--offline", "fetch", "X"]).assert().code(1));
    assert!(err.contains("--offline"), "{err}");
}

#[test]
fn import_reports_bad_rows_with_file_and_line() {
    let dir = Dir::new();
    let home = dir.0.path().join("home");
    let f = dir.file("bad.csv", "Date,Close\n2024-01-01,1\n2024-01-02,x\n");
    let err = stderr(at(&home).args(["import", "BAD", s(&f)]).assert().code(1));
    assert!(err.contains(&format!("{}:3:", f.display())), "{err}");
    // Nothing was stored.
    let list = stdout(
        at(&home)
            .args(["list", "--format", "csv"])
            .assert()
            .success(),
    );
    assert_eq!(list.lines().count(), 1, "{list}");
}
