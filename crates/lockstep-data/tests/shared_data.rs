//! Reads the real exports in `../shared/data` (next to the workspace), when that folder exists.

use std::path::PathBuf;

use lockstep_core::{is_nyse_trading_day, nyse_holiday, Date, PriceField};
use lockstep_data::{read_csv, CsvOptions, CsvRead, Format};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        skip("skipping: ../shared/data not found");
        None
    }
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn read(dir: &std::path::Path, name: &str) -> CsvRead {
    read_csv(&dir.join(name), &CsvOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn eth_usd_yfinance_generic() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "ETH-USD.daily.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::Generic);
    assert_eq!(s.name, "ETH-USD");
    assert_eq!(s.price_field, PriceField::Close);
    assert_eq!(s.len(), 3115);
    assert!(!r.newest_first);
    assert_eq!(r.skipped_null_rows, 0);
    assert_eq!(s.range(), Some((d("2017-11-09"), d("2026-05-20"))));
    assert_eq!(s.price[0], 320.8840026855469);
    assert_eq!(s.open.as_ref().unwrap()[0], 308.6449890136719);
    assert_eq!(s.volume.as_ref().unwrap()[0], 893249984.0);
    assert_eq!(s.price_on(d("2026-05-20")), Some(2130.909912109375));
}

#[test]
fn ethusdt_cryptodatadownload() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "ETHUSDT.binance.daily.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::CryptoDataDownload);
    assert_eq!(s.format, "cryptodatadownload");
    assert_eq!(s.name, "ETHUSDT");
    assert!(r.newest_first);
    assert_eq!(s.len(), 3142);
    assert_eq!(s.range(), Some((d("2017-08-17"), d("2026-03-30"))));
    assert_eq!(s.price[0], 302.0);
    assert_eq!(s.volume.as_ref().unwrap()[0], 2154655.3003566);
    assert_eq!(s.price_on(d("2026-03-30")), Some(2026.48));
    assert_eq!(s.price_on(d("2026-01-08")), None); // one of the 6 missing days
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn rut_crlf() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "RUT.daily.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::Generic);
    assert_eq!(s.name, "RUT");
    assert_eq!(s.len(), 9686);
    assert_eq!(s.range(), Some((d("1987-09-10"), d("2026-02-23"))));
    assert_eq!(s.price[0], 168.97000122070312);
    assert_eq!(s.price_on(d("2026-02-20")), Some(2663.780029296875));
    assert_eq!(*s.volume.as_ref().unwrap().last().unwrap(), 0.0);
}

#[test]
fn zq0m_investing() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "ZQ0M.investing.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::Investing);
    assert_eq!(s.name, "ZQ0M");
    assert_eq!(s.price_field, PriceField::Price);
    assert!(r.newest_first);
    assert_eq!(s.len(), 6092);
    assert_eq!(s.range(), Some((d("2000-01-03"), d("2024-01-25"))));
    assert_eq!(s.price[0], 94.55);
    let v = s.volume.as_ref().unwrap();
    assert_eq!(v[0], 2350.0);
    assert_eq!(*v.last().unwrap(), 13280.0);
    let i = s.dates.binary_search(&d("2024-01-01")).unwrap();
    assert!(v[i].is_nan()); // empty `Vol.`
    assert_eq!(s.price[i], 94.6725);
}

#[test]
fn dgs2_date_value_with_gaps() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "DGS2.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::Fred);
    assert_eq!(s.name, "DGS2");
    assert_eq!(s.price_field, PriceField::Value);
    assert_eq!(r.skipped_null_rows, 502);
    assert_eq!(s.len(), 12001 - 502);
    assert_eq!(s.range(), Some((d("1980-01-02"), d("2025-12-30"))));
    assert_eq!(s.price[0], 11.39);
    assert_eq!(s.price_on(d("2025-12-30")), Some(3.45));
    assert!(r.warnings.iter().any(|w| w.contains("skipped 502 rows")));
}

#[test]
fn dff_observation_date() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "DFF.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::Fred);
    assert_eq!(s.name, "DFF");
    assert_eq!(s.len(), 25832);
    assert_eq!(r.skipped_null_rows, 0);
    assert_eq!(s.range(), Some((d("1954-07-01"), d("2025-03-21"))));
    assert_eq!(s.price[0], 1.13);
    assert_eq!(s.price_on(d("1954-07-02")), Some(1.25));
    assert_eq!(s.price_on(d("2025-03-21")), Some(4.33));
}

#[test]
fn wtregen_old_fredgraph() {
    let Some(dir) = data_dir() else { return };
    let r = read(&dir, "WTREGEN.fredgraph.2013-2024.csv");
    let s = &r.series;
    assert_eq!(r.format, Format::Fred);
    assert_eq!(s.name, "WTREGEN");
    assert_eq!(s.len(), 578);
    assert_eq!(s.range(), Some((d("2013-06-05"), d("2024-06-26"))));
    assert_eq!(s.price[0], 30.23);
    assert_eq!(*s.price.last().unwrap(), 765.417);
}

/// Every other price or FRED file reads without error.
#[test]
fn all_other_files_read() {
    let Some(dir) = data_dir() else { return };
    let cases: &[(&str, Format, usize)] = &[
        ("IWM.daily.csv", Format::Generic, 6473),
        ("QQQ.daily.csv", Format::Generic, 6781),
        ("GLD.daily.csv", Format::Generic, 5348),
        ("GC_F.daily.csv", Format::Generic, 6395),
        ("RTY_F.daily.csv", Format::Generic, 2173),
        ("ZQ3M.investing.csv", Format::Investing, 6084),
        ("ZQ4M.investing.csv", Format::Investing, 6085),
        ("DFF.2021-2026.csv", Format::Fred, 1827),
        ("DGS2.fredgraph.2021-2026.csv", Format::Fred, 1305),
        ("DFEDTARU.csv", Format::Fred, 6176),
        ("DFEDTARL.csv", Format::Fred, 5525),
        ("WALCL.csv", Format::Fred, 1202),
        ("RRPONTSYD.csv", Format::Fred, 5974),
        ("RRPONTSYD.fredgraph.2021-2026.csv", Format::Fred, 1305),
        ("WTREGEN.csv", Format::Fred, 2081),
        ("SOFR.fredgraph.csv", Format::Fred, 1305),
        ("IORB.fredgraph.csv", Format::Fred, 1791),
    ];
    for &(name, format, rows) in cases {
        let r = read(&dir, name);
        assert_eq!(r.format, format, "{name}");
        assert_eq!(r.series.len() + r.skipped_null_rows, rows, "{name}");
    }
    let r = read(&dir, "RRPONTSYD.csv");
    assert_eq!(r.skipped_null_rows, 2824);
    let r = read(&dir, "WTREGEN.csv");
    assert_eq!(r.skipped_null_rows, 884);
}

/// The Barchart contract table, read with explicit columns; its footer line is ignored.
#[test]
fn barchart_with_column_overrides() {
    let Some(dir) = data_dir() else { return };
    let opts = CsvOptions {
        date_col: Some("Exp Date".into()),
        price_col: Some("Last".into()),
        ..CsvOptions::default()
    };
    let r = read_csv(&dir.join("ZQ.contracts.barchart.csv"), &opts).unwrap();
    assert_eq!(r.format, Format::Generic);
    assert_eq!(r.series.price_field, PriceField::Column);
    assert_eq!(r.series.len(), 505);
    assert_eq!(r.series.price[0], 91.71);
    assert!(r.warnings.iter().any(|w| w.contains("footer")));
}

/// Say why a test is skipped on the real stderr: libtest captures `eprintln!`, but not a
/// direct write, so the reason shows in every run (CI logs included).
fn skip(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{reason}");
}

/// The NYSE calendar of `lockstep_core` against the days the Russell 2000 and IWM have bars:
/// from 1990 (IWM from its first day) to the last bar, a weekday has a bar exactly when the
/// exchange trades by the rules.
#[test]
fn nyse_calendar_matches_the_real_index_and_etf_days() {
    let Some(dir) = data_dir() else { return };
    for (file, from) in [
        ("RUT.daily.csv", d("1990-01-01")),
        ("IWM.daily.csv", d("2000-05-26")),
    ] {
        let s = read(&dir, file).series;
        let have: std::collections::BTreeSet<Date> = s.dates.iter().copied().collect();
        let last = *s.dates.last().unwrap();
        let (mut day, mut wrong) = (from, Vec::new());
        let mut closures = 0;
        while day <= last {
            let trades = is_nyse_trading_day(day);
            closures += usize::from(nyse_holiday(day).is_some());
            if trades != have.contains(&day) {
                wrong.push(format!(
                    "{day} ({:?}, bar: {})",
                    nyse_holiday(day),
                    have.contains(&day)
                ));
            }
            day = day.succ_opt().unwrap();
        }
        assert!(
            wrong.is_empty(),
            "{file}: {} days disagree: {wrong:?}",
            wrong.len()
        );
        assert!(closures > 200, "{file}: {closures} closures");
    }
}
