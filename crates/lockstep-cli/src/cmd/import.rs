//! `lockstep import`: store a CSV file's series under a symbol (provider `import`): daily bars,
//! or intraday bars with `--interval`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_core::{AssetClass, Calendar, DailyBar, Instrument, Interval, PriceField};
use lockstep_data::{read_intraday_csv, IntradayCsvOptions};
use lockstep_store::FetchInfo;

use super::common::InputArgs;
use super::store::{opt, rfc3339};
use super::Cx;

/// `lockstep import`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The symbol to store the series under.
    pub symbol: String,
    /// A CSV file in any format `analyze` reads (with --interval: any intraday export
    /// `--intraday-a` reads).
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Store the file as intraday bars of this interval (1h, 30m, 15m, 5m, 1m), or `auto`
    /// (the interval inferred from the spacing of its bars); `1d` or none: daily bars.
    #[arg(
        long,
        value_name = "INTERVAL",
        value_parser = import_interval,
        conflicts_with_all = ["price", "date_col", "price_col"]
    )]
    pub interval: Option<ImportInterval>,
    /// Time zone of intraday timestamps written without an offset (e.g. America/New_York,
    /// DST-aware; UTC).
    #[arg(long, value_name = "ZONE", requires = "interval", value_parser = time_zone)]
    pub tz: Option<chrono_tz::Tz>,
    /// Drop intraday rows whose timestamp is a date without a time of day (counted in a
    /// warning) instead of refusing the file.
    #[arg(long, requires = "interval")]
    pub skip_bad_rows: bool,
}

/// The `--interval` of `import`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportInterval {
    /// Daily bars (`1d`).
    Daily,
    /// Intraday bars of this interval, or of the file's inferred interval (`None`, `auto`).
    Intraday(Option<Interval>),
}

fn import_interval(s: &str) -> Result<ImportInterval, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(ImportInterval::Intraday(None));
    }
    match super::store::any_interval(s) {
        Ok(Interval::D1) => Ok(ImportInterval::Daily),
        Ok(i) => Ok(ImportInterval::Intraday(Some(i))),
        Err(_) => Err(format!(
            "{s} is not an interval: use 1m, 5m, 15m, 30m, 1h, auto or 1d"
        )),
    }
}

fn time_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse()
        .map_err(|_| format!("{s} is not an IANA time zone (e.g. America/New_York, UTC)"))
}

/// The file's series (the price column the reader chooses, see `--price`) becomes the close;
/// open/high/low/volume are kept when the file has them.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    if let Some(ImportInterval::Intraday(interval)) = args.interval {
        return run_intraday(cx, args, interval);
    }
    let ctx = &cx.session;
    let series = ctx.load_file(&args.file, &args.input.csv())?;
    let col = |c: &Option<Vec<f64>>, i: usize| c.as_ref().map(|v| v[i]).filter(|x| x.is_finite());
    let adjusted = series.price_field == PriceField::AdjClose;
    let bars: Vec<DailyBar> = (0..series.len())
        .map(|i| DailyBar {
            date: series.dates[i],
            open: col(&series.open, i),
            high: col(&series.high, i),
            low: col(&series.low, i),
            close: series.price[i],
            adj_close: adjusted.then_some(series.price[i]),
            volume: col(&series.volume, i),
        })
        .collect();
    let calendar = Calendar::infer(&series.dates);
    let instrument = imported(args, calendar);
    let first = bars.first().map(|b| b.date);
    let last = bars.last().map(|b| b.date);
    let stats = ctx.with_store(|s| {
        if let Some(old) = s.instrument(&args.symbol)? {
            if old.provider != "import" {
                eprintln!(
                    "warning: {} was fetched from {}; the imported bars replace it on their dates",
                    args.symbol, old.provider
                );
            }
        }
        Ok::<_, anyhow::Error>(s.upsert(&instrument, &bars, &FetchInfo::now(first, last))?)
    })?;
    crate::output::print(&format!(
        "{}: {} bars from {} ({} .. {}): {} added, {} revised, {} unchanged",
        args.symbol,
        stats.received,
        args.file.display(),
        opt(first),
        opt(last),
        stats.added,
        stats.revised,
        stats.unchanged
    ))
}

/// The instrument row of an imported symbol: provider `import`, the file as its ticker.
fn imported(args: &Args, calendar: Calendar) -> Instrument {
    Instrument {
        symbol: args.symbol.clone(),
        provider: "import".into(),
        ticker: args.file.display().to_string(),
        asset_class: if args.symbol.starts_with("fred:") {
            AssetClass::Macro
        } else if calendar == Calendar::EveryDay {
            AssetClass::Crypto
        } else {
            AssetClass::Other
        },
        calendar,
        currency: None,
    }
}

/// `import --interval`: the file read by the intraday reader ([`read_intraday_csv`]), its bars
/// written with [`lockstep_store::Store::upsert_intraday`] (labelled by their open time, as
/// the reader gives them). A symbol already stored keeps its instrument row; each bar is
/// marked `import`.
fn run_intraday(cx: &Cx, args: &Args, interval: Option<Interval>) -> Result<()> {
    let ctx = &cx.session;
    let opts = IntradayCsvOptions {
        tz: args.tz,
        interval,
        dedupe: args.input.dedupe,
        skip_undated: args.skip_bad_rows,
    };
    // The reader's errors name the file, line and column themselves.
    let read = read_intraday_csv(&args.file, &opts)?;
    for w in &read.warnings {
        eprintln!("warning: {}: {w}", args.file.display());
    }
    if ctx.verbose {
        eprintln!(
            "{}: format {}, {} bars of {}{}",
            args.file.display(),
            read.format,
            read.series.len(),
            read.interval,
            if read.newest_first {
                " (file newest first)"
            } else {
                ""
            }
        );
    }
    let series = &read.series;
    let interval = read.interval;
    let bars: Vec<_> = (0..series.len()).map(|i| series.bar(i)).collect();
    let mut dates: Vec<_> = series.start.iter().map(|t| t.date_naive()).collect();
    dates.dedup();
    let instrument = imported(args, Calendar::infer(&dates));
    let first = bars.first().map(|b| b.start);
    let last = bars.last().map(|b| b.start);
    let stats = ctx.with_store(|s| {
        let before = s
            .intervals(&args.symbol)?
            .into_iter()
            .find(|l| l.interval == interval);
        if let Some(old) = before.filter(|l| l.provider != "import") {
            eprintln!(
                "warning: the {interval} bars of {} were fetched from {}; the imported bars \
                 replace them at their times",
                args.symbol, old.provider
            );
        }
        let info = FetchInfo::now(first.map(|t| t.date_naive()), last.map(|t| t.date_naive()));
        Ok::<_, anyhow::Error>(s.upsert_intraday(&instrument, interval, &bars, &info)?)
    })?;
    crate::output::print(&format!(
        "{}: {} {interval} bars from {} ({} .. {}, open times in UTC): {} added, {} revised, {} \
         unchanged",
        args.symbol,
        stats.received,
        args.file.display(),
        opt(first.map(rfc3339)),
        opt(last.map(rfc3339)),
        stats.added,
        stats.revised,
        stats.unchanged
    ))
}
