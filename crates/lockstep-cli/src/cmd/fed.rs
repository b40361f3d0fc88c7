//! `lockstep fed`: Fed rate-move probabilities implied by 30-day fed funds futures (the CME
//! FedWatch method).

use lockstep_report::view::{self, Look};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args as ClapArgs;

use super::common::Format;
use super::Cx;

/// The method of `fed --help`.
pub const LONG_HELP: &str = "\
Input, detected from the header: a CSV of settlement prices, `contract,price` (ZQV25 or
ZQV2025; FF also accepted; CME month letters F G H J K M N Q U V X Z) or `month,price`
(YYYY-MM); Barchart's contract table (`Symbol`, `Last`, `Time`: the contracts whose Time is
the latest in the file, priced that day; expired ones left out); an Investing.com export of
one contract (`Date,Price,...`: the price on the as-of date or the last before it; the file
name says the contract: ZQF25.csv, or ZQ<k>M.csv for the contract k months after the price's
month). A warning says when the prices are older than the as-of date.
Method (CME FedWatch): a month's implied average rate is 100 - price. In a month with a
decision on day d of N, average = ((d-1)·start + (N-d+1)·end)/N: the decision day counts at the
new rate. A month without a decision anchors start = end = average; months chain
end(k) = start(k+1), forward from an anchor and backward where needed. Each decision's move
(end - start) is split between the two nearest 25 bp steps; successive decisions multiply
(the tree), giving the probability of every target range. P(cut/hold/hike) compare the range
after a decision with the current range; expected = Σ p · midpoint of the range.
Current range: --range, else FRED DFEDTARL/DFEDTARU on the as-of date (from the store, fetched
unless --offline), else the 25 bp range containing the effective rate (--effective-rate or
FRED DFF), else the one containing the futures-implied rate before the first decision.
Calendar: FOMC decision dates 2008-2027 built in (2027 tentative; unscheduled moves included);
--calendar FILE adds dates (`YYYY-MM-DD[,unscheduled]` per line, # comments), or with
--replace-years replaces every year the file has.";

/// `lockstep fed`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Fed funds futures prices: a strip CSV (`contract,price` or `month,price`), Barchart's
    /// contract table, or an Investing.com export of one contract (named after it: ZQF25.csv,
    /// or ZQ0M.csv for the current month's); repeat to combine files.
    #[arg(long, value_name = "FILE", required = true)]
    pub futures: Vec<PathBuf>,
    /// Settlement date of the prices: decisions on or before it are past [default: the date
    /// the files' prices are of, else today].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Current target range lower,upper in percent (e.g. 3.75,4.00).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub range: Option<Vec<f64>>,
    /// Current effective fed funds rate in percent.
    #[arg(long)]
    pub effective_rate: Option<f64>,
    /// Do not read FRED's target range or effective rate.
    #[arg(long)]
    pub no_fred: bool,
    /// A file of FOMC decision dates added to the built-in calendar.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// Let --calendar replace the built-in dates of every year it has, instead of adding.
    #[arg(long, requires = "calendar")]
    pub replace_years: bool,
    /// Output format (CSV: one row per decision, a column per target range).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

impl Args {
    /// The inputs of FedWatch.
    pub fn params(&self) -> lockstep_session::FedParams {
        lockstep_session::FedParams {
            futures: self.futures.clone(),
            as_of: self.as_of,
            range: self.range.clone(),
            effective_rate: self.effective_rate,
            no_fred: self.no_fred,
            calendar: self.calendar.clone(),
            replace_years: self.replace_years,
        }
    }
}

/// Read the strip and print the probabilities.
pub fn run(cx: &Cx, f: &Args) -> Result<()> {
    let (fw, source) = cx.session.fed(&f.params())?;
    crate::output::show(
        &view::Fed {
            fedwatch: &fw,
            source: source.as_deref(),
        },
        f.format,
        Look::new(0, cx.color),
    )
}
