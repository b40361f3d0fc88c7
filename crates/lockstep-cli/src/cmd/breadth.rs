//! `lockstep breadth`: equity breadth: small-cap and equal-weight relative strength, and the
//! breadth of a basket of constituents.

use lockstep_report::view::Look;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;

use super::common::{Format, InputArgs, SourceArgs};
use super::Cx;

/// The rules of `breadth --help`.
pub const LONG_HELP: &str = "\
Relative strength A/B: the ratio on the common dates of A and B, its --ma-day simple average
(MA), the distance (last / MA - 1) and the MA's slope over --ma/5 observations; outperforming
when the ratio is above a rising MA, underperforming below a falling one, mixed otherwise.
Constituents: every *.csv file of the folder is one series (any format `analyze` reads). On
each date of the union of their dates, a constituent counts only if it has a close on that
date (no filling): share above its own 50- and 200-observation simple averages, advances and
declines against its previous close on the grid, and their running sum (the A/D line).";

/// `lockstep breadth`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Small caps against large caps: a ratio A/B of symbols or CSV files ("none" to skip).
    #[arg(long, default_value = "IWM/SPY")]
    pub small_caps: String,
    /// Equal weight against cap weight: a ratio A/B ("none" to skip).
    #[arg(long, default_value = "RSP/SPY")]
    pub equal_weight: String,
    /// A folder of constituent price files (*.csv) for the share above the 50/200-day
    /// averages and the advance-decline line.
    #[arg(long, value_name = "DIR")]
    pub constituents: Option<PathBuf>,
    /// Moving average of the relative-strength ratios, in observations.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub ma: u32,
    /// Output format (CSV: one row per date).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table rows of the constituents' breadth (the latest N dates; 0 = all).
    #[arg(long, default_value_t = 10)]
    pub rows: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Load each relative-strength pair and the constituents' folder, and print their breadth.
pub fn run(cx: &Cx, b: &Args) -> Result<()> {
    let ctx = &cx.session;
    let forced = b.source.provider()?;
    let mut pairs = Vec::new();
    for (label, spec, flag) in [
        ("small vs large caps", &b.small_caps, "--small-caps"),
        ("equal vs cap weight", &b.equal_weight, "--equal-weight"),
    ] {
        if spec.eq_ignore_ascii_case("none") {
            continue;
        }
        let Some((a, bb)) = ctx.load_ratio_legs(spec, &b.input.csv(), forced)? else {
            anyhow::bail!("{flag} takes a ratio A/B (e.g. IWM/SPY) or none, got {spec:?}");
        };
        pairs.push((label.to_string(), a, bb));
    }
    let basket = match &b.constituents {
        Some(dir) => Some((
            dir.display().to_string(),
            ctx.load_folder(dir, &b.input.csv())?,
        )),
        None => None,
    };
    let rep = lockstep_report::breadth_report(
        &pairs,
        basket.as_ref().map(|(s, v)| (s.clone(), v.as_slice())),
        b.ma as usize,
    )
    .context("cannot compute breadth")?;
    crate::output::show(&rep, b.format, Look::new(b.rows, cx.color))
}
