//! Reads every real intraday export in `../shared/data/intraday` (next to the workspace), when
//! that folder exists, and checks the figures of its `PROVENANCE.md`: bars, first and last
//! open time in UTC, interval, format and warnings; the files that need options fail without
//! them with the documented error. The daily reader refuses each of them with the suggestion
//! to read it as intraday.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lockstep_core::{new_york_date, nyse_session, Interval, Timestamp};
use lockstep_data::{
    read_csv, read_intraday_csv, CsvOptions, Dedupe, IntradayCsvOptions, IntradayFormat,
    IntradayRead,
};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/intraday"
    ));
    if dir.is_dir() {
        Some(dir)
    } else {
        skip("skipping: ../shared/data/intraday not found");
        None
    }
}

/// Say why a test is skipped on the real stderr: libtest captures `eprintln!`, but not a
/// direct write, so the reason shows in every run (CI logs included).
fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{reason}");
}

fn utc(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn ny() -> IntradayCsvOptions {
    IntradayCsvOptions {
        tz: Some(chrono_tz::America::New_York),
        ..IntradayCsvOptions::default()
    }
}

/// What a file must give with the options of the case.
struct Case {
    file: &'static str,
    opts: IntradayCsvOptions,
    format: IntradayFormat,
    name: &'static str,
    bars: usize,
    first: &'static str,
    last: &'static str,
    interval: Interval,
    newest_first: bool,
    warnings: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    let plain = IntradayCsvOptions::default;
    let binance_1h = |file, name| Case {
        file,
        opts: plain(),
        format: IntradayFormat::Generic,
        name,
        bars: 19_704,
        first: "2024-01-01T00:00:00Z",
        last: "2026-03-31T23:00:00Z",
        interval: Interval::H1,
        newest_first: false,
        warnings: &[],
    };
    let yfinance_1h = |file, name, warnings| Case {
        file,
        opts: plain(),
        format: IntradayFormat::Generic,
        name,
        bars: 3_491,
        first: "2024-01-02T17:30:00Z",
        last: "2026-01-02T17:30:00Z",
        interval: Interval::H1,
        newest_first: false,
        warnings,
    };
    let binance_5m = |file, name| Case {
        file,
        opts: plain(),
        format: IntradayFormat::Binance,
        name,
        bars: 8_641,
        first: "2025-08-19T15:10:00Z",
        last: "2025-09-18T15:10:00Z",
        interval: Interval::M5,
        newest_first: false,
        warnings: &[],
    };
    vec![
        binance_1h("ETHUSDT.binance.1h.csv", "ETHUSDT"),
        binance_1h("BTCUSDT.binance.1h.csv", "BTCUSDT"),
        Case {
            bars: 39_408,
            last: "2026-03-31T23:30:00Z",
            interval: Interval::M30,
            ..binance_1h("ETHUSDT.binance.30m.csv", "ETHUSDT")
        },
        yfinance_1h(
            "IWM.yfinance.1h.csv",
            "IWM",
            &["3 bars have zero volume, kept (first on line 2)"],
        ),
        yfinance_1h(
            "SPY.yfinance.1h.csv",
            "SPY",
            &["3 bars have zero volume, kept (first on line 2)"],
        ),
        yfinance_1h(
            "QQQ.yfinance.1h.csv",
            "QQQ",
            &["12 bars have zero volume, kept (first on line 2)"],
        ),
        Case {
            file: "IWM.yfinance.1h.2025Q3.csv",
            opts: plain(),
            format: IntradayFormat::YFinance,
            name: "IWM",
            bars: 1_084,
            first: "2025-06-26T17:30:00Z",
            last: "2025-09-26T17:30:00Z",
            interval: Interval::H1,
            newest_first: false,
            warnings: &[
                // The 30-minute 09:00 and 15:30 bars before 09:30 and 16:00.
                "127 bars start less than 1h after the bar before (first on line 5); they are shorter than 1h or overlap it",
                "640 bars have zero volume, kept (first on line 2)",
            ],
        },
        Case {
            file: "IWM.yfinance.5m.2025Q3.csv",
            opts: plain(),
            format: IntradayFormat::YFinance,
            name: "IWM",
            bars: 11_210,
            first: "2025-07-03T08:00:00Z",
            last: "2025-09-26T18:05:00Z",
            interval: Interval::M5,
            newest_first: false,
            warnings: &["6592 bars have zero volume, kept (first on line 2)"],
        },
        binance_5m("ETHUSDT.binance.5m.2025-08-19_09-18.csv", "ETHUSDT"),
        binance_5m("BTCUSDT.binance.5m.2025-08-19_09-18.csv", "BTCUSDT"),
        Case {
            file: "IWM.1m.2019-10_2020-06.csv",
            opts: IntradayCsvOptions {
                skip_undated: true,
                ..ny()
            },
            format: IntradayFormat::Generic,
            name: "IWM",
            // 68,411 data rows less the 22 whose time Excel dropped (one per trading day
            // from 2019-10-21 to 2019-11-19).
            bars: 68_389,
            first: "2019-10-21T13:30:00Z",
            last: "2020-06-08T19:33:00Z",
            interval: Interval::M1,
            newest_first: false,
            warnings: &[
                "skipped 1 blank lines (first on line 52119)",
                "dropped 22 rows whose timestamp is a date without a time of day (--skip-bad-rows; first on line 152: \"10/21/2019\")",
                "7257 bars have zero volume, kept (first on line 392)",
            ],
        },
        Case {
            file: "ETHUSDT.binance.cdd.1h.2017-2020.csv",
            opts: IntradayCsvOptions {
                dedupe: Dedupe::Last,
                ..plain()
            },
            format: IntradayFormat::CryptoDataDownload,
            name: "ETHUSDT",
            // 27,100 rows less 4 duplicated hours.
            bars: 27_096,
            first: "2017-08-17T04:00:00Z",
            last: "2020-09-19T07:00:00Z",
            interval: Interval::H1,
            newest_first: true,
            warnings: &[
                "the file lists its bars newest first; they were reversed",
                "dropped 4 rows with a duplicate timestamp (kept the last occurrence in the file)",
                "95 rows have a Date that disagrees with Unix Timestamp (first on line 26124: Date \"2017-09-26 06-PM\" but Unix Timestamp 2017-09-26T22:00:00Z); Unix Timestamp was used",
                "1 rows have an empty Volume USDT cell, kept as missing (first on line 7615)",
                "117 bars have zero volume, kept (first on line 1998)",
            ],
        },
    ]
}

fn read(dir: &Path, file: &str, opts: &IntradayCsvOptions) -> IntradayRead {
    read_intraday_csv(&dir.join(file), opts).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn error(dir: &Path, file: &str, opts: &IntradayCsvOptions) -> String {
    let path = dir.join(file);
    match read_intraday_csv(&path, opts) {
        Ok(_) => panic!("{file}: read without error"),
        Err(e) => e
            .to_string()
            .strip_prefix(&path.display().to_string())
            .expect("the message starts with the path")
            .to_string(),
    }
}

/// Every CSV file of the folder has a case, and reads as its case says.
#[test]
fn every_file_reads_as_documented() {
    let Some(dir) = data_dir() else { return };
    let cases = cases();
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.file.to_string()).collect();
    assert_eq!(
        on_disk, covered,
        "a CSV file without a case, or a case without its file"
    );
    for c in &cases {
        let r = read(&dir, c.file, &c.opts);
        let s = &r.series;
        assert_eq!(r.format, c.format, "{}", c.file);
        assert_eq!(s.format, c.format.name(), "{}", c.file);
        assert_eq!(s.name, c.name, "{}", c.file);
        assert_eq!(s.len(), c.bars, "{}", c.file);
        assert_eq!(s.start[0], utc(c.first), "{}", c.file);
        assert_eq!(s.start[s.len() - 1], utc(c.last), "{}", c.file);
        assert_eq!(r.interval, c.interval, "{}", c.file);
        assert_eq!(s.interval, c.interval, "{}", c.file);
        assert_eq!(r.newest_first, c.newest_first, "{}", c.file);
        assert_eq!(r.warnings, c.warnings, "{}", c.file);
        assert!(s.open.is_some() && s.high.is_some() && s.low.is_some() && s.volume.is_some());
        s.validate().unwrap();
    }
}

/// The two files that need options fail without them, naming file, line and column and the
/// fix.
#[test]
fn files_needing_options_fail_with_the_fix() {
    let Some(dir) = data_dir() else { return };
    let plain = IntradayCsvOptions::default();
    let iwm = "IWM.1m.2019-10_2020-06.csv";
    assert_eq!(
        error(&dir, iwm, &plain),
        ":2: column 1 (Date): \"10/21/2019 9:30\" has no UTC offset and the format does not say which clock it is; pass --tz with the time zone of the file's times (e.g. --tz America/New_York or --tz UTC)"
    );
    assert_eq!(
        error(&dir, iwm, &ny()),
        ":152: column 1 (Date): \"10/21/2019\" is a date without a time of day (a spreadsheet dropped it?), so the bar's time cannot be known; fix the row, or pass --skip-bad-rows to drop such rows with a warning"
    );
    assert_eq!(
        error(&dir, "ETHUSDT.binance.cdd.1h.2017-2020.csv", &plain),
        ":26125: duplicate timestamp 2017-09-26T22:00:00Z (also on line 26124); choose dedupe `last` to keep the row that comes last in the file"
    );
    // Binance klines prove their zone: a wrong interval breaks the close-time check.
    let m1 = IntradayCsvOptions {
        interval: Some(Interval::M1),
        ..plain
    };
    assert!(
        error(&dir, "ETHUSDT.binance.5m.2025-08-19_09-18.csv", &m1).starts_with(
            ":2: column 7 (Close time): close time 1755616499999 is 2025-08-19T15:14:59.999Z"
        )
    );
}

/// Cross-checks between files, from PROVENANCE.md: the yfinance hourly files hold regular
/// sessions only (503 of them) on the same timestamps, and pairs of 30-minute Binance bars
/// close where the hourly bars close.
#[test]
fn files_agree_with_each_other_and_the_calendar() {
    let Some(dir) = data_dir() else { return };
    let plain = IntradayCsvOptions::default();
    let iwm = read(&dir, "IWM.yfinance.1h.csv", &plain).series;
    for other in ["SPY.yfinance.1h.csv", "QQQ.yfinance.1h.csv"] {
        assert_eq!(read(&dir, other, &plain).series.start, iwm.start, "{other}");
    }
    let mut sessions = BTreeSet::new();
    for &t in &iwm.start {
        let day = new_york_date(t);
        let s = nyse_session(day).unwrap_or_else(|| panic!("{t}: no session on {day}"));
        assert!(s.contains(t), "{t} is outside the regular session");
        sessions.insert(day);
    }
    assert_eq!(sessions.len(), 503);
    assert_eq!(iwm.close[0], 200.27000427246094);

    let h1 = read(&dir, "ETHUSDT.binance.1h.csv", &plain).series;
    let m30 = read(&dir, "ETHUSDT.binance.30m.csv", &plain).series;
    assert_eq!(m30.len(), 2 * h1.len());
    for i in 0..h1.len() {
        assert_eq!(m30.start[2 * i], h1.start[i]);
        assert_eq!(m30.close[2 * i + 1], h1.close[i], "{}", h1.start[i]);
    }

    // The 5m Binance bars: 30-minute buckets (complete ones) close as the 30m archive does.
    let m5 = read(&dir, "ETHUSDT.binance.5m.2025-08-19_09-18.csv", &plain).series;
    let mut checked = 0;
    for (i, &t) in m5.start.iter().enumerate() {
        let end = t + Interval::M5.duration();
        if end.timestamp() % 1800 == 0
            && i >= 5
            && m5.start[i - 5] == end - Interval::M30.duration()
        {
            let k = m30.start.binary_search(&m5.start[i - 5]).unwrap();
            assert_eq!(m5.close[i], m30.close[k], "{t}");
            checked += 1;
        }
    }
    assert!(checked > 1400, "{checked}");
}

/// The daily reader refuses each intraday file, and its error suggests the intraday reader
/// with the interval (and `--tz` for naive New York times).
#[test]
fn the_daily_reader_points_to_the_intraday_reader() {
    let Some(dir) = data_dir() else { return };
    for c in cases() {
        let e = read_csv(&dir.join(c.file), &CsvOptions::default())
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("this looks like an intraday file"),
            "{}: {e}",
            c.file
        );
        let tz = if c.file.starts_with("IWM.1m") {
            " --tz <the time zone of its clock>"
        } else {
            ""
        };
        assert!(
            e.ends_with(&format!(
                "read it as intraday (--interval {}{tz})",
                c.interval
            )),
            "{}: {e}",
            c.file
        );
    }
}
