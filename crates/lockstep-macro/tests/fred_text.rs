//! FRED text with `.` and empty missing values, read by `lockstep-data` (as the CLI does) and
//! fed to `net_liquidity`: missing values are skipped by the reader, and a Wednesday whose
//! daily value is missing takes the last value of its week.

use lockstep_core::Date;
use lockstep_macro::liquidity::{FRED_RRPONTSYD_UNITS, FRED_WALCL_UNITS};
use lockstep_macro::{net_liquidity, LiquidityInput, Units};

fn parse(text: &str, name: &str) -> lockstep_core::PriceSeries {
    lockstep_data::parse_csv(text, name, &lockstep_data::CsvOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .series
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[test]
fn dot_and_empty_missing_values() {
    // Old-style FRED text (`DATE,SERIES`, `.` for missing).
    let walcl = parse(
        "DATE,WALCL\n2024-12-11,6900000\n2024-12-18,.\n2024-12-25,6885963\n",
        "WALCL.csv",
    );
    // Old WTREGEN vintage, billions.
    let tga = parse(
        "DATE,WTREGEN\n2024-12-11,800.000\n2024-12-18,790.000\n2024-12-25,764.770\n",
        "WTREGEN.csv",
    );
    // Daily RRP, billions: `.` on the Wednesday holiday 2024-12-25, empty on 12-11.
    let rrp = parse(
        "observation_date,RRPONTSYD\n2024-12-10,150.5\n2024-12-11,\n2024-12-23,170\n2024-12-24,180.989\n2024-12-25,.\n",
        "RRPONTSYD.csv",
    );
    assert_eq!(walcl.len(), 2);
    assert_eq!(rrp.len(), 3);
    let nl = net_liquidity(
        LiquidityInput::new(&walcl, FRED_WALCL_UNITS),
        LiquidityInput::new(&tga, Units::Billions),
        LiquidityInput::new(&rrp, FRED_RRPONTSYD_UNITS),
    )
    .unwrap();
    // 2024-12-18 is absent from WALCL after the reader dropped its `.` row.
    assert_eq!(nl.points.len(), 2);
    let p = nl.get(d("2024-12-11")).unwrap();
    assert_eq!(p.rrp_date, d("2024-12-10"));
    assert!((p.net - (6_900_000.0 - 800_000.0 - 150_500.0)).abs() < 1e-6);
    let p = nl.get(d("2024-12-25")).unwrap();
    assert_eq!(p.rrp_date, d("2024-12-24"));
    assert!((p.net - 5_940_204.0).abs() < 1e-6);
    // No 4-week history yet.
    assert_eq!(p.change_4w, None);
}
