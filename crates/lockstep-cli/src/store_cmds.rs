//! `fetch`, `list`, `show`, `import`, `export`, `log`, `remove`: the store's commands.

use std::fmt::Write as _;

use anyhow::{bail, Context, Result};
use lockstep_core::{AssetClass, Calendar, DailyBar, Instrument, PriceField};
use lockstep_store::FetchInfo;

use crate::args::{
    ExportArgs, ExportFormat, FetchArgs, Format, ImportArgs, ListArgs, LogArgs, RemoveArgs,
    ShowArgs,
};
use lockstep_session::{spinner, FetchSummary, Session as Ctx};

/// Left-aligned first column, right-aligned others, two spaces apart.
pub fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut first = true;
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if !first {
                s.push_str("  ");
            }
            if i == 0 {
                let _ = write!(s, "{c:<w$}", w = width[i]);
            } else {
                let _ = write!(s, "{c:>w$}", w = width[i]);
            }
            first = false;
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut out, &mut header.iter().copied());
    for r in rows {
        line(&mut out, &mut r.iter().map(String::as_str));
    }
    out
}

fn csv_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let quote = |c: &str| {
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_string()
        }
    };
    let mut out = header.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// `{:?}` of an f64 is its shortest round-trip text: full precision, no trailing noise.
fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:?}"),
        _ => String::new(),
    }
}

/// `lockstep fetch`: every symbol is tried; the command fails (exit 1) if any failed.
pub fn fetch(ctx: &Ctx, args: &FetchArgs) -> Result<String> {
    let forced = crate::provider(args.source.provider.as_deref())?;
    if ctx.offline {
        bail!("lockstep fetch needs the network; drop --offline");
    }
    let multi = indicatif::MultiProgress::new();
    let mut done: Vec<FetchSummary> = Vec::new();
    let mut failed: Vec<(String, anyhow::Error)> = Vec::new();
    for symbol in &args.symbols {
        let bar = multi.add(spinner());
        match ctx.fetch_symbol(symbol, args.since, forced, &bar) {
            Ok(s) => {
                bar.finish_and_clear();
                done.push(s);
            }
            Err(e) => {
                bar.finish_and_clear();
                failed.push((symbol.clone(), e.into()));
            }
        }
    }
    let header = [
        "symbol",
        "provider",
        "from",
        "received",
        "added",
        "revised",
        "unchanged",
        "first",
        "last",
        "bars",
    ];
    let rows: Vec<Vec<String>> = done
        .iter()
        .map(|s| {
            vec![
                s.symbol.clone(),
                s.provider.clone(),
                s.from
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "start".into()),
                s.stats.received.to_string(),
                s.stats.added.to_string(),
                s.stats.revised.to_string(),
                s.stats.unchanged.to_string(),
                opt(s.first),
                opt(s.last),
                s.bars.to_string(),
            ]
        })
        .collect();
    let out = match args.format {
        Format::Table => text_table(&header, &rows),
        Format::Csv => csv_table(&header, &rows),
        Format::Json => serde_json::to_string_pretty(&done)? + "\n",
    };
    if failed.is_empty() {
        return Ok(out);
    }
    // Print what succeeded, then fail with every error.
    crate::emit(&out)?;
    let mut msg = format!(
        "{} of {} symbol(s) failed",
        failed.len(),
        args.symbols.len()
    );
    for (symbol, e) in &failed {
        let _ = write!(msg, "\n  {symbol}: {e:#}");
    }
    bail!(msg)
}

/// `lockstep list`.
pub fn list(ctx: &Ctx, args: &ListArgs) -> Result<String> {
    let listing = ctx.with_store(|s| Ok::<_, anyhow::Error>(s.list()?))?;
    let header = [
        "symbol",
        "provider",
        "ticker",
        "class",
        "first",
        "last",
        "bars",
        "last_refresh",
    ];
    let rows: Vec<Vec<String>> = listing
        .iter()
        .map(|l| {
            vec![
                l.instrument.symbol.clone(),
                l.instrument.provider.clone(),
                l.instrument.ticker.clone(),
                l.instrument.asset_class.name().to_string(),
                opt(l.first),
                opt(l.last),
                l.bars.to_string(),
                l.last_refresh.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(match args.format {
        Format::Table if rows.is_empty() => format!(
            "the store {} is empty: `lockstep fetch ETH-USD ^RUT` fills it\n",
            ctx.db_path()?.display()
        ),
        Format::Table => text_table(&header, &rows),
        Format::Csv => csv_table(&header, &rows),
        Format::Json => serde_json::to_string_pretty(&listing)? + "\n",
    })
}

const BAR_HEADER: [&str; 7] = [
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
];

fn bar_row(b: &DailyBar) -> Vec<String> {
    vec![
        b.date.to_string(),
        num(b.open),
        num(b.high),
        num(b.low),
        num(Some(b.close)),
        num(b.adj_close),
        num(b.volume),
    ]
}

fn stored_bars(ctx: &Ctx, symbol: &str) -> Result<Vec<DailyBar>> {
    ctx.with_store(|s| {
        if s.instrument(symbol)?.is_none() {
            bail!(
                "{symbol} is not in the store; `lockstep fetch {symbol}` or `lockstep import \
                 {symbol} FILE.csv` adds it"
            );
        }
        Ok(s.bars(symbol, None, None)?)
    })
}

/// `lockstep show`.
pub fn show(ctx: &Ctx, args: &ShowArgs) -> Result<String> {
    let bars = stored_bars(ctx, &args.symbol)?;
    let start = if args.tail == 0 {
        0
    } else {
        bars.len().saturating_sub(args.tail)
    };
    let bars = &bars[start..];
    let rows: Vec<Vec<String>> = bars.iter().map(bar_row).collect();
    Ok(match args.format {
        Format::Table => text_table(&BAR_HEADER, &rows),
        Format::Csv => csv_table(&BAR_HEADER, &rows),
        Format::Json => serde_json::to_string_pretty(bars)? + "\n",
    })
}

/// `lockstep export`.
pub fn export(ctx: &Ctx, args: &ExportArgs) -> Result<()> {
    let bars = stored_bars(ctx, &args.symbol)?;
    if let ExportFormat::Parquet = args.format {
        let Some(path) = &args.output else {
            bail!("--format parquet writes a binary file: give it with -o FILE.parquet");
        };
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        return write_parquet(&bars, file)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let text = match args.format {
        ExportFormat::Csv => {
            let rows: Vec<Vec<String>> = bars.iter().map(bar_row).collect();
            csv_table(&BAR_HEADER, &rows)
        }
        ExportFormat::Json => serde_json::to_string_pretty(&bars)? + "\n",
        ExportFormat::Parquet => unreachable!("written above"),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => crate::emit(&text),
    }
}

/// `lockstep import`: the file's series (the price column the reader chooses, see
/// `--price`) becomes the close; open/high/low/volume are kept when the file has them.
pub fn import(ctx: &Ctx, args: &ImportArgs) -> Result<String> {
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
    Ok(format!(
        "{}: {} bars from {} ({} .. {}): {} added, {} revised, {} unchanged\n",
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

/// `lockstep log`.
pub fn log(ctx: &Ctx, args: &LogArgs) -> Result<String> {
    let entries = ctx
        .with_store(|s| Ok::<_, anyhow::Error>(s.fetch_log(args.symbol.as_deref(), args.tail)?))?;
    let header = [
        "id",
        "symbol",
        "provider",
        "finished_at",
        "status",
        "received",
        "added",
        "revised",
        "message",
    ];
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.symbol.clone(),
                e.provider.clone(),
                e.finished_at.clone(),
                e.status.clone(),
                e.received.to_string(),
                e.added.to_string(),
                e.revised.to_string(),
                e.message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(match args.format {
        Format::Table => text_table(&header, &rows),
        Format::Csv => csv_table(&header, &rows),
        Format::Json => serde_json::to_string_pretty(&entries)? + "\n",
    })
}

/// `lockstep remove`.
pub fn remove(ctx: &Ctx, args: &RemoveArgs) -> Result<String> {
    let mut out = String::new();
    for symbol in &args.symbols {
        if !ctx.with_store(|s| Ok::<_, anyhow::Error>(s.remove(symbol)?))? {
            bail!("{symbol} is not in the store");
        }
        let _ = writeln!(out, "removed {symbol}");
    }
    Ok(out)
}

/// The Parquet schema of `export --format parquet`: one row per bar, `date` as a Parquet
/// `DATE` (days since 1970-01-01), prices and volume as doubles, missing values null.
const PARQUET_SCHEMA: &str = "message bars {
    REQUIRED INT32 date (DATE);
    OPTIONAL DOUBLE open;
    OPTIONAL DOUBLE high;
    OPTIONAL DOUBLE low;
    REQUIRED DOUBLE close;
    OPTIONAL DOUBLE adj_close;
    OPTIONAL DOUBLE volume;
}";

/// Write bars as a Parquet file (one row group, Snappy compression).
pub fn write_parquet<W: std::io::Write + Send>(bars: &[DailyBar], out: W) -> Result<()> {
    use parquet::basic::Compression;
    use parquet::data_type::{DoubleType, Int32Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    let schema = Arc::new(parquet::schema::parser::parse_message_type(PARQUET_SCHEMA)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("lockstep {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let mut writer = SerializedFileWriter::new(out, schema, props)?;
    let mut group = writer.next_row_group()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let optional = |f: fn(&DailyBar) -> Option<f64>| {
        let mut values = Vec::with_capacity(bars.len());
        let mut levels = Vec::with_capacity(bars.len());
        for b in bars {
            match f(b).filter(|v| v.is_finite()) {
                Some(v) => {
                    values.push(v);
                    levels.push(1i16);
                }
                None => levels.push(0),
            }
        }
        (values, levels)
    };
    let mut index = 0;
    while let Some(mut col) = group.next_column()? {
        match index {
            0 => {
                let days: Vec<i32> = bars
                    .iter()
                    .map(|b| (b.date - epoch).num_days() as i32)
                    .collect();
                col.typed::<Int32Type>().write_batch(&days, None, None)?;
            }
            4 => {
                let close: Vec<f64> = bars.iter().map(|b| b.close).collect();
                col.typed::<DoubleType>().write_batch(&close, None, None)?;
            }
            i => {
                let f: fn(&DailyBar) -> Option<f64> = match i {
                    1 => |b| b.open,
                    2 => |b| b.high,
                    3 => |b| b.low,
                    5 => |b| b.adj_close,
                    _ => |b| b.volume,
                };
                let (values, levels) = optional(f);
                col.typed::<DoubleType>()
                    .write_batch(&values, Some(&levels), None)?;
            }
        }
        col.close()?;
        index += 1;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}
