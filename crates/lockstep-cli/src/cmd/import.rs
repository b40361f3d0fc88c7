//! `lockstep import`: store a CSV file's series under a symbol (provider `import`).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_core::{AssetClass, Calendar, DailyBar, Instrument, PriceField};
use lockstep_store::FetchInfo;

use super::common::InputArgs;
use super::store::opt;
use super::Cx;

/// `lockstep import`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The symbol to store the series under.
    pub symbol: String,
    /// A CSV file in any format `analyze` reads.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
}

/// The file's series (the price column the reader chooses, see `--price`) becomes the close;
/// open/high/low/volume are kept when the file has them.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
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
    let instrument = Instrument {
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
    };
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
