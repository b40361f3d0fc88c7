//! The pair pipeline on both clocks, on the real files in `../shared/data` (skips with a
//! printed reason when they are absent): ETH-USD daily closes against IWM, with ETH's 30m
//! bars for the synchronous clock and IWM's hourly bars for the reaction time in hours.

use std::path::PathBuf;

use lockstep_core::Interval;
use lockstep_report::Clock;
use lockstep_session::{PairParams, Session};

fn data() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if d.join("intraday").is_dir() {
        Some(d)
    } else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: {} is absent", d.display());
        None
    }
}

fn params(d: &std::path::Path) -> PairParams {
    let s = |p: PathBuf| p.to_str().unwrap().to_string();
    let mut p = PairParams::new(s(d.join("ETH-USD.daily.csv")), s(d.join("IWM.daily.csv")))
        .without_backdrop();
    p.intraday_a = Some(d.join("intraday/ETHUSDT.binance.30m.csv"));
    p.intraday_b = Some(d.join("intraday/IWM.yfinance.1h.csv"));
    p
}

#[test]
fn both_clocks_and_the_reaction_in_hours() {
    let Some(d) = data() else { return };
    let home = tempfile::tempdir().unwrap();
    let session = Session::at(home.path(), true, false);
    let mut p = params(&d);
    p.interval = Some(Interval::H1);
    let run = session.pair(&p).unwrap();
    let c = run.report.clocks.as_ref().expect("clock comparison");
    assert_eq!(c.main, Clock::Utc);
    let w30 = &c.windows[0];
    let (u, e) = (w30.utc.as_ref().unwrap(), w30.exchange.as_ref().unwrap());
    // The UTC report is the ordinary one (to the last common date of the daily files); the
    // exchange clock ends where the intraday bars end.
    assert_eq!(u.corr, run.report.windows[0].latest.as_ref().unwrap().corr);
    assert!(e.date <= lockstep_core::Date::from_ymd_opt(2026, 3, 31).unwrap());
    let s = run.report.intraday.as_ref().expect("intraday section");
    assert_eq!(s.interval, Interval::H1);
    assert_eq!(s.returns, 2988);
    assert_eq!(s.sessions, 503);
    let text = lockstep_report::render::table(&run.report, false);
    assert!(text.contains("Clock: "), "{text}");
    assert!(
        text.contains("Reaction time in hours (ETH-USD against IWM, 1h bars within sessions)"),
        "{text}"
    );
    eprintln!("{text}");
    // On the exchange clock the every-day leg is sampled on the exchange's dates.
    p.clock = Clock::Exchange;
    p.interval = None;
    let run = session.pair(&p).unwrap();
    assert_eq!(run.report.clocks.as_ref().unwrap().main, Clock::Exchange);
    assert!(run
        .a
        .dates
        .iter()
        .all(|d| lockstep_core::is_nyse_trading_day(*d)));
}

#[test]
fn the_exchange_clock_needs_intraday_bars() {
    let Some(d) = data() else { return };
    let home = tempfile::tempdir().unwrap();
    let session = Session::at(home.path(), true, false);
    let mut p = params(&d);
    p.intraday_a = None;
    p.clock = Clock::Exchange;
    let e = session.pair(&p).unwrap_err();
    assert!(e.to_string().contains("--clock exchange"), "{e}");
}
