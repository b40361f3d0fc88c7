//! The commands, one file each (its arguments, its long help and its `run`), the argument
//! groups they share ([`common`]), and the few steps several commands take.

pub mod analyze;
pub mod backtest;
pub mod bench;
pub mod breadth;
pub mod chart;
pub mod common;
pub mod compare;
pub mod corr;
pub mod export;
pub mod fed;
pub mod fetch;
pub mod import;
pub mod leadlag;
pub mod levels;
pub mod liquidity;
pub mod list;
pub mod log;
pub mod overlay;
pub mod patterns;
pub mod regimes;
pub mod remove;
pub mod report;
pub mod screen;
pub mod serve;
pub mod show;
pub mod signals;
pub mod store;
pub mod technicals;

use anyhow::{Context, Result};
use lockstep_fetch::ProviderKind;
use lockstep_report::signals_view::SignalsReport;
use lockstep_session::{PairParams, PairRun, Session};
use lockstep_signals::{RuleSet, Strategy};

/// What every command is given: the session (the store, the providers, `--offline`,
/// `--verbose`) and the global output options.
pub struct Cx {
    /// The session of this run.
    pub session: Session,
    /// Whether tables are coloured (`--color`, `NO_COLOR`, a terminal).
    pub color: bool,
    /// `--quiet`: no confirmation of the files written.
    pub quiet: bool,
}

impl Cx {
    /// Write a result file (`chart`, `report`) and confirm it on stderr with its path and
    /// size, unless `--quiet`.
    pub fn write_file(&self, path: &std::path::Path, bytes: &[u8]) -> Result<()> {
        crate::output::write_atomic(path, bytes)?;
        if !self.quiet {
            eprintln!(
                "wrote {} ({})",
                path.display(),
                crate::output::size(bytes.len())
            );
        }
        Ok(())
    }
}

/// A check clap cannot express, failed after parsing: reported as a usage error (exit 2).
pub struct Usage {
    /// The kind of usage error.
    pub kind: clap::error::ErrorKind,
    /// What is wrong.
    pub message: String,
}

impl Usage {
    /// An invalid value.
    pub fn invalid(message: impl Into<String>) -> Usage {
        Usage {
            kind: clap::error::ErrorKind::ValueValidation,
            message: message.into(),
        }
    }
}

/// Parse `--provider`.
pub fn provider(name: Option<&str>) -> Result<Option<ProviderKind>> {
    name.map(|p| {
        p.parse::<ProviderKind>()
            .map_err(|e| anyhow::anyhow!("--provider {p}: {e}"))
    })
    .transpose()
}

/// The pair pipeline of `params` and `rules` evaluated over its measurement table.
pub fn pair_signals(
    session: &Session,
    params: &PairParams,
    rules: &RuleSet,
) -> Result<(PairRun, SignalsReport)> {
    let run = session.pair(params)?;
    let rep = run.signals(rules)?;
    Ok((run, rep))
}

/// A rule file (`--rules FILE`), or the built-in rules without one: parse errors name the
/// file and line.
pub fn read_rules(path: Option<&std::path::Path>) -> Result<RuleSet> {
    let Some(path) = path else {
        return Ok(RuleSet::builtin());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    RuleSet::parse(&text).with_context(|| format!("cannot read the rules in {}", path.display()))
}

/// `overlay` (the built-in rules and the macro overlay) or a TOML strategy file, with its
/// own rules when it has any.
pub fn read_strategy(spec: &str) -> Result<(RuleSet, Strategy)> {
    if spec == "overlay" {
        return Ok((RuleSet::builtin(), Strategy::overlay()));
    }
    let path = std::path::Path::new(spec);
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rules = if text.contains("[rules.") {
        read_rules(Some(path))?
    } else {
        RuleSet::builtin()
    };
    let strategy = Strategy::parse(&text)
        .with_context(|| format!("cannot read the strategy in {}", path.display()))?;
    Ok((rules, strategy))
}
