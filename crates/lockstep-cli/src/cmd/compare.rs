//! `lockstep compare A B1 B2 …`: A against several candidates on the dates every series has:
//! each one's correlation and interval (full period and latest window), the partial
//! correlation given the controls, and whether B1's correlation with A differs from the
//! others' (Williams' t).

use anyhow::Result;
use clap::Args as ClapArgs;
use lockstep_report::view::Look;
use lockstep_session::CompareParams;

use super::common::{
    check_windows, AlignArgs, FormatArgs, InputArgs, IntervalArgs, ReturnsArgs, SourceArgs,
};
use super::{Cx, Usage};

/// What `compare` computes (`compare --help`).
pub const LONG_HELP: &str = "\
Every series is aligned with the others: the rows are the dates all of them have (inner;
weekly/monthly: the periods all have), so every correlation is measured on the same returns.
For each candidate B and each period (the full period, then the last W returns of each
--window):
  corr     Pearson r(A, B), Fisher interval tanh(atanh r ∓ z/√(n − 3)).
  partial  with --control: the partial correlation of A and B given the controls (what is left
           of each once regressed on the controls' returns), interval on n − 3 − k df.
  vs B1    Williams' t test (Steiger 1980's T2, R psych::r.test) of equal correlations with A
           for B1 and B, two dependent correlations sharing A on the same days:
           t = (r_AB1 − r_AB)·√((n−1)(1+r_B1B) / (2|R|(n−1)/(n−3) + r̄²(1−r_B1B)³)),
           |R| = 1 − r_AB1² − r_AB² − r_B1B² + 2 r_AB1 r_AB r_B1B, r̄ = (r_AB1 + r_AB)/2,
           n − 3 df; CSV and JSON add Steiger's z.
CSV: candidate,period,n,corr,corr_lo,corr_hi[,pcorr,pcorr_lo,pcorr_hi],t_vs_first,p_vs_first,
z_vs_first,p_z_vs_first (period: all, or the window).
Example: lockstep compare ETH-USD ^RUT ^GSPC ^NDX BTC-USD GLD --control SPY --window 90
`lockstep chart compare A B1 B2 … --out compare.svg` draws it.";

/// `lockstep compare`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Series A: a symbol, a ratio or a CSV file.
    pub a: String,
    /// The candidates B1 B2 …: symbols, ratios or CSV files; the others are tested against
    /// B1.
    #[arg(required = true, num_args = 1..)]
    pub candidates: Vec<String>,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Windows in returns, comma-separated.
    #[arg(long, short, value_delimiter = ',', default_value = "90", value_parser = clap::value_parser!(u32).range(4..))]
    pub window: Vec<u32>,
    /// Control for this series (a symbol or CSV file; repeatable): adds each candidate's
    /// partial correlation with A given the controls.
    #[arg(long = "control", value_name = "SYMBOL|FILE", help_heading = "Control")]
    pub control: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub returns: ReturnsArgs,
    #[command(flatten)]
    pub interval: IntervalArgs,
}

impl Args {
    /// No window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        check_windows(&self.window)
    }

    /// The comparison's parameters.
    pub fn params(&self) -> Result<CompareParams> {
        let mut p = CompareParams::new(&self.a, self.candidates.clone());
        p.controls = self.control.clone();
        p.csv = self.input.csv();
        p.provider = self.source.provider()?;
        p.options.windows = self.window.iter().map(|w| *w as usize).collect();
        p.options.align = self.align.align;
        p.options.returns = self.returns.returns;
        p.options.confidence = self.interval.confidence;
        Ok(p)
    }
}

/// Compare and print.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let c = cx.session.compare(&a.params()?)?;
    crate::output::show(&c, a.format.format, Look::new(0, cx.color))
}
