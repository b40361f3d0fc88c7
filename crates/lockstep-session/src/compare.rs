//! The comparison of one series with several candidates (`lockstep compare`, `lockstep chart
//! compare`): every input resolved like a pair's legs, then
//! [`lockstep_report::compare::compare`].

use lockstep_data::CsvOptions;
use lockstep_fetch::ProviderKind;
use lockstep_report::compare::{compare, CompareOptions, Comparison};

use crate::error::{Context, Result};
use crate::session::Session;

/// What to compare: plain values, like [`crate::PairParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct CompareParams {
    /// Series A: a symbol, a ratio or a CSV path.
    pub a: String,
    /// The candidates B1, B2, …: symbols, ratios or CSV paths.
    pub candidates: Vec<String>,
    /// The controls (none by default).
    pub controls: Vec<String>,
    /// How CSV files are read.
    pub csv: CsvOptions,
    /// Fetch A and the candidates only from this provider.
    pub provider: Option<ProviderKind>,
    /// Windows, alignment, returns, confidence.
    pub options: CompareOptions,
}

impl CompareParams {
    /// `a` against `candidates` with the default options and no control.
    pub fn new(a: impl Into<String>, candidates: Vec<String>) -> CompareParams {
        CompareParams {
            a: a.into(),
            candidates,
            controls: Vec::new(),
            csv: CsvOptions::default(),
            provider: None,
            options: CompareOptions::default(),
        }
    }
}

impl Session {
    /// Load every input of `p` (fetching symbols as the pair commands do) and compare.
    pub fn compare(&self, p: &CompareParams) -> Result<Comparison> {
        let a = self.load(&p.a, &p.csv, p.provider)?;
        let candidates = p
            .candidates
            .iter()
            .map(|c| self.load(c, &p.csv, p.provider))
            .collect::<Result<Vec<_>>>()?;
        let controls = p
            .controls
            .iter()
            .map(|c| {
                self.load(c, &p.csv, None)
                    .with_context(|| format!("cannot load the control {c}"))
            })
            .collect::<Result<Vec<_>>>()?;
        compare(&a, &candidates, &controls, &p.options).with_context(|| {
            format!(
                "cannot compare {} with {}",
                a.name,
                candidates
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}
