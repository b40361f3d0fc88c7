//! `lockstep screen`: the rolling correlation of every pair of a universe, on every core, for
//! each window of `--window`.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use lockstep_report::screen::Screen;
use lockstep_report::view::{self, Look};

use super::common::{Format, InputArgs, SourceArgs, WindowsArgs};
use super::{Cx, Usage};

/// What the screen shows, in `screen --help`.
pub const LONG_HELP: &str = "\
Each pair is aligned on its own common dates (log returns); its latest rolling correlation
is compared with the one a month (30 days) earlier. The table lists the --top most and
least correlated pairs and the largest changes over the month; a universe of at most
2 × --top pairs is one list of every pair, most to least correlated.
Several windows (--window 30,90) give one screen per window, in the order given: the table
repeats for each, the CSV gains a leading window column, the JSON is an array of screens.";

/// `lockstep screen`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Symbols or CSV files, or one folder of CSV files.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Pairs in each list of the table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Output format (CSV: one row per pair, a,b,common_dates,date,corr,corr_1m,change).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub windows: WindowsArgs,
}

impl Args {
    /// No window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.windows.check()
    }
}

/// The windows of the screen: the shared list (`--window 30,60,90`), one window of 90 by
/// default.
pub fn window_arg(a: clap::Arg) -> clap::Arg {
    a.default_value("90")
        .help("Rolling windows in returns, comma-separated: a screen per window")
}

/// Load the universe, screen it with each window and print the screens.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let started = std::time::Instant::now();
    // The screen reads dates and prices only: the other columns are checked, not kept.
    let csv = lockstep_data::CsvOptions {
        prices_only: true,
        ..a.input.csv()
    };
    let series = cx
        .session
        .load_universe(&a.inputs, &csv, a.source.provider()?)?;
    let loaded = started.elapsed();
    let screens = a
        .windows
        .window
        .iter()
        .map(|&w| lockstep_report::screen::screen(&series, w as usize))
        .collect::<Result<Vec<Screen>, _>>()
        .context("cannot screen the universe")?;
    if cx.session.verbose {
        // Read by bench/screen_compare.py: the computation alone, without the files.
        let windows = match screens.len() {
            1 => String::new(),
            k => format!(", {k} windows"),
        };
        // One write to stderr (unbuffered), not one per piece.
        let line = format!(
            "screen: {} series, {} pairs{windows}: read in {:.1} ms, computed in {:.1} ms\n",
            series.len(),
            screens.first().map_or(0, |s| s.pairs.len()),
            loaded.as_secs_f64() * 1e3,
            (started.elapsed() - loaded).as_secs_f64() * 1e3
        );
        eprint!("{line}");
    }
    crate::output::show(
        &view::Screens(&screens),
        a.format,
        Look::new(a.top, cx.color),
    )
}
