//! `lockstep export`: a stored symbol's daily or intraday (`--interval`) bars as CSV, JSON
//! or Parquet, on standard output or into a file.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use lockstep_core::{DailyBar, Interval, IntradayBar};

use super::store::{
    any_interval, bar_row, intraday, intraday_bar_row, stored_bars, stored_intraday, BAR_HEADER,
    INTRADAY_BAR_HEADER,
};
use super::Cx;
use lockstep_report::view::csv_table;

/// `lockstep export`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A stored symbol.
    pub symbol: String,
    /// File format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Bars of this interval: 1d (the daily bars, the default), or 1h, 30m, 15m, 5m, 1m
    /// (CSV: time,open,high,low,close,volume, `time` = the open time, RFC 3339 in UTC).
    #[arg(long, value_name = "INTERVAL", value_parser = any_interval)]
    pub interval: Option<Interval>,
}

/// Export file format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// CSV: date,open,high,low,close,adj_close,volume (empty cell = missing).
    Csv,
    /// JSON array of bars.
    Json,
    /// Apache Parquet (needs -o FILE): date as DATE (intraday: time as a UTC TIMESTAMP in
    /// milliseconds), prices and volume as nullable doubles.
    Parquet,
}

/// Write the bars in the format asked, to `-o FILE` or standard output.
pub fn run(cx: &Cx, args: &Args) -> Result<()> {
    if let ExportFormat::Parquet = args.format {
        let Some(path) = &args.output else {
            bail!("--format parquet writes a binary file: give it with -o FILE.parquet");
        };
        // Read first: a symbol not stored creates no file.
        let intraday_bars = match intraday(args.interval) {
            Some(i) => Some(stored_intraday(&cx.session, &args.symbol, i)?),
            None => None,
        };
        let daily_bars = match intraday_bars {
            Some(_) => Vec::new(),
            None => stored_bars(&cx.session, &args.symbol)?,
        };
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let written = match &intraday_bars {
            Some(bars) => write_intraday_parquet(bars, file),
            None => write_parquet(&daily_bars, file),
        };
        return written.with_context(|| format!("cannot write {}", path.display()));
    }
    let text = match intraday(args.interval) {
        Some(interval) => {
            let bars = stored_intraday(&cx.session, &args.symbol, interval)?;
            match args.format {
                ExportFormat::Csv => {
                    let rows: Vec<Vec<String>> = bars.iter().map(intraday_bar_row).collect();
                    csv_table(&INTRADAY_BAR_HEADER, &rows)
                }
                _ => serde_json::to_string_pretty(&bars)? + "\n",
            }
        }
        None => {
            let bars = stored_bars(&cx.session, &args.symbol)?;
            match args.format {
                ExportFormat::Csv => {
                    let rows: Vec<Vec<String>> = bars.iter().map(bar_row).collect();
                    csv_table(&BAR_HEADER, &rows)
                }
                _ => serde_json::to_string_pretty(&bars)? + "\n",
            }
        }
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => crate::output::print(&text),
    }
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
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let opt = |f: fn(&DailyBar) -> Option<f64>| Column::Optional(optional_column(bars, f));
    write_columns(
        PARQUET_SCHEMA,
        vec![
            Column::Int32(
                bars.iter()
                    .map(|b| (b.date - epoch).num_days() as i32)
                    .collect(),
            ),
            opt(|b| b.open),
            opt(|b| b.high),
            opt(|b| b.low),
            Column::Required(bars.iter().map(|b| b.close).collect()),
            opt(|b| b.adj_close),
            opt(|b| b.volume),
        ],
        out,
    )
}

/// One Parquet column's values: required integers or doubles, or optional doubles with their
/// definition levels.
enum Column {
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Required(Vec<f64>),
    Optional((Vec<f64>, Vec<i16>)),
}

/// Write `columns`, in the order of `schema`, as a Parquet file (one row group, Snappy
/// compression).
fn write_columns<W: std::io::Write + Send>(
    schema: &str,
    columns: Vec<Column>,
    out: W,
) -> Result<()> {
    use parquet::basic::Compression;
    use parquet::data_type::{DoubleType, Int32Type, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    let schema = Arc::new(parquet::schema::parser::parse_message_type(schema)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("lockstep {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let mut writer = SerializedFileWriter::new(out, schema, props)?;
    let mut group = writer.next_row_group()?;
    let mut columns = columns.into_iter();
    while let Some(mut col) = group.next_column()? {
        match columns.next() {
            Some(Column::Int32(v)) => {
                col.typed::<Int32Type>().write_batch(&v, None, None)?;
            }
            Some(Column::Int64(v)) => {
                col.typed::<Int64Type>().write_batch(&v, None, None)?;
            }
            Some(Column::Required(v)) => {
                col.typed::<DoubleType>().write_batch(&v, None, None)?;
            }
            Some(Column::Optional((values, levels))) => {
                col.typed::<DoubleType>()
                    .write_batch(&values, Some(&levels), None)?;
            }
            None => anyhow::bail!("the Parquet schema has more columns than were given"),
        }
        col.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}

/// The Parquet schema of `export --interval ... --format parquet`: one row per bar, `time`
/// (the open time) as a UTC timestamp in milliseconds, prices and volume as doubles, missing
/// values null.
const INTRADAY_PARQUET_SCHEMA: &str = "message bars {
    REQUIRED INT64 time (TIMESTAMP(MILLIS,true));
    OPTIONAL DOUBLE open;
    OPTIONAL DOUBLE high;
    OPTIONAL DOUBLE low;
    REQUIRED DOUBLE close;
    OPTIONAL DOUBLE volume;
}";

/// Write intraday bars as a Parquet file (one row group, Snappy compression).
pub fn write_intraday_parquet<W: std::io::Write + Send>(
    bars: &[IntradayBar],
    out: W,
) -> Result<()> {
    let opt = |f: fn(&IntradayBar) -> Option<f64>| Column::Optional(optional_column(bars, f));
    write_columns(
        INTRADAY_PARQUET_SCHEMA,
        vec![
            Column::Int64(bars.iter().map(|b| b.start.timestamp_millis()).collect()),
            opt(|b| b.open),
            opt(|b| b.high),
            opt(|b| b.low),
            Column::Required(bars.iter().map(|b| b.close).collect()),
            opt(|b| b.volume),
        ],
        out,
    )
}

/// The present values of an optional column and the definition levels (1 present, 0 null;
/// a non-finite value is null).
fn optional_column<B>(bars: &[B], f: fn(&B) -> Option<f64>) -> (Vec<f64>, Vec<i16>) {
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
}
