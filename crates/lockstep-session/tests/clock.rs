//! The pair pipeline on both clocks, on the real files in `../shared/data` (skips with a
//! printed reason when they are absent): ETH-USD daily closes against IWM, with ETH's 30m
//! bars for the synchronous clock and IWM's hourly bars for the reaction time in hours. And
//! stored symbols that have only intraday bars (constructed), whose daily series come from
//! their bars.

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

#[test]
fn stored_symbols_with_only_intraday_bars_get_daily_closes_from_them() {
    use chrono::Duration;
    use lockstep_core::{AssetClass, Calendar, Instrument, IntradayBar};
    use lockstep_store::FetchInfo;
    use lockstep_testkit::intraday::{every_hour, new_york, nyse_2024};

    let home = tempfile::tempdir().unwrap();
    let session = Session::at(home.path(), true, false);
    let bar = |start, close: f64| IntradayBar {
        start,
        open: None,
        high: None,
        low: None,
        close,
        volume: None,
    };
    let inst = |symbol: &str, calendar, asset_class| Instrument {
        symbol: symbol.into(),
        provider: "binance".into(),
        ticker: symbol.into(),
        asset_class,
        calendar,
        currency: None,
    };
    let from = new_york(lockstep_testkit::fixtures::date("2024-01-01"), 0, 0) - Duration::hours(5);
    let hours = |t: chrono::DateTime<chrono::Utc>| (t - from).num_hours() as f64;
    // ETH: hourly bars around the clock, close = 1000 + the hour its bar ends.
    let eth: Vec<IntradayBar> = every_hour(from, 366 * 24)
        .into_iter()
        .map(|t| bar(t, 1000.0 + hours(t + Duration::hours(1))))
        .collect();
    // IWM: hourly bars 10:00 to the close of each session, and one pre-market bar a day.
    let mut iwm = Vec::new();
    for d in nyse_2024() {
        iwm.push(bar(new_york(d.date, 8, 0), 1.0));
        for h in 10..d.close_hour {
            let t = new_york(d.date, h, 0);
            iwm.push(bar(t, 50.0 + (hours(t) % 5.0)));
        }
    }
    let mut db = lockstep_store::Store::open(&session.db_path().unwrap()).unwrap();
    let info = FetchInfo::now(None, None);
    let crypto = inst("ETH-USD", Calendar::EveryDay, AssetClass::Crypto);
    db.upsert_intraday(&crypto, Interval::H1, &eth, &info)
        .unwrap();
    let etf = inst("IWM", Calendar::Weekdays, AssetClass::Etf);
    db.upsert_intraday(&etf, Interval::H1, &iwm, &info).unwrap();
    drop(db);
    let mut p = PairParams::new("ETH-USD", "IWM").without_backdrop();
    p.options.windows = vec![20];
    let run = session.pair(&p).unwrap();
    assert_eq!(run.report.a.observations, 366, "every UTC day");
    assert_eq!(run.report.b.observations, 252, "every session");
    let c = run.report.clocks.as_ref().expect("both clocks");
    assert_eq!(c.missing_dates, 0);
    p.clock = Clock::Exchange;
    let run = session.pair(&p).unwrap();
    assert_eq!(run.report.a.observations, 252, "ETH on the exchange dates");
    // On the exchange clock ETH's price of 2024-07-03 (an early close) is taken at 13:00
    // New York; IWM's close is that of its 12:00 bar.
    let i = run
        .a
        .dates
        .iter()
        .position(|d| d.to_string() == "2024-07-03")
        .unwrap();
    let close = new_york(lockstep_testkit::fixtures::date("2024-07-03"), 13, 0);
    assert_eq!(run.a.price[i], 1000.0 + hours(close));
}
