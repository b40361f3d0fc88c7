//! `lockstep`: are two markets moving in lockstep right now, how strongly, and since when?
//!
//! Exit codes: 0 ok, 1 failure (the error and its causes are printed on stderr), 2 usage.
#![forbid(unsafe_code)]

mod args;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use args::{Cli, ColorChoice, Command, Format, InputArgs, PairArgs};
use lockstep_core::PriceSeries;
use lockstep_data::{read_csv, CsvOptions};
use lockstep_report::{analyze, render, Report};

fn main() -> ExitCode {
    let cli = match Cli::try_parse().and_then(Cli::validate) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; anything else is a usage error.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Analyze(pair) => {
            let report = build(cli, pair)?;
            let out = match pair.format.unwrap_or(Format::Table) {
                Format::Table => render::table(&report, use_color(cli.color)),
                Format::Json => render::json(&report)?,
                Format::Csv => render::summary_csv(&report),
            };
            emit(&out)
        }
        Command::Corr(pair) => {
            let report = build(cli, pair)?;
            let out = match pair.format.unwrap_or(Format::Table) {
                Format::Table => render::corr_table(&report, pair.rows),
                Format::Json => render::json(&report)?,
                Format::Csv => render::corr_csv(&report),
            };
            emit(&out)
        }
        Command::Overlay(pair) => {
            let report = build(cli, pair)?;
            let out = match pair.format.unwrap_or(Format::Csv) {
                Format::Json => render::overlay_json(&report)?,
                Format::Csv => render::overlay_csv(&report),
                Format::Table => render::overlay_table(&report, pair.rows),
            };
            emit(&out)
        }
    }
}

/// Print to stdout; a closed pipe (`| head`) is not an error.
fn emit(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn load(cli: &Cli, path: &std::path::Path, input: &InputArgs) -> Result<PriceSeries> {
    let opts = CsvOptions {
        price: input.price.into(),
        date_col: input.date_col.clone(),
        price_col: input.price_col.clone(),
        dedupe: input.dedupe.into(),
    };
    // The reader's errors name the file (and line, column) themselves.
    let read = read_csv(path, &opts)?;
    for w in &read.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    if cli.verbose {
        let s = &read.series;
        eprintln!(
            "{}: format {}, price from {}, {} rows{}, {} .. {}",
            path.display(),
            read.format.name(),
            s.price_field.label(),
            s.len(),
            if read.newest_first {
                " (file newest first)"
            } else {
                ""
            },
            s.dates.first().map(|d| d.to_string()).unwrap_or_default(),
            s.dates.last().map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    Ok(read.series)
}

fn build(cli: &Cli, pair: &PairArgs) -> Result<Report> {
    let a = load(cli, &pair.a, &pair.input)?;
    let b = load(cli, &pair.b, &pair.input)?;
    let opts = pair.analysis.options();
    analyze(&a, &b, &opts).with_context(|| format!("cannot analyze {} against {}", a.name, b.name))
}
