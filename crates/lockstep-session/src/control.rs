//! The series a pair is controlled for: those named (`--control`, resolved like the legs),
//! else the pair's default control (`[controls]` of config.toml by asset class, or the
//! built-in S&P 500 for the default pair ETH-USD against ^RUT).

use lockstep_core::AssetClass;
use lockstep_data::CsvOptions;
use lockstep_report::Controls;

use crate::error::{chain, Context, Result};
use crate::input::{is_symbol, Input};
use crate::pair::PairParams;
use crate::session::Session;

/// The built-in default control: `(A, B, control)`. `lockstep analyze` with no argument
/// compares ETH-USD with the Russell 2000 (^RUT), and much of what links them is the equity
/// market both follow: the S&P 500 (SPY) is removed from both by default.
pub const BUILTIN_CONTROL: (&str, &str, &str) = ("ETH-USD", "^RUT", "SPY");

impl Session {
    /// The default controls of the pair `(a, b)` (arguments as given): config.toml's
    /// `[controls]` entry for B's asset class, else A's, else `default` (a file or ratio has
    /// no class); else, for ETH-USD against ^RUT, SPY ([`BUILTIN_CONTROL`]). A control that
    /// is one of the legs is left out.
    pub fn default_controls(&self, a: &str, b: &str) -> Result<Vec<String>> {
        let class = |cfg: &lockstep_fetch::Config, s: &str| -> Option<AssetClass> {
            matches!(Input::parse(s), Input::Symbol(_)).then(|| cfg.asset_class(s))
        };
        let configured = match self.home() {
            Ok(_) => {
                let cfg = self.config()?;
                cfg.default_controls(class(&cfg, a), class(&cfg, b))
            }
            Err(_) => None,
        };
        let (ba, bb, bc) = BUILTIN_CONTROL;
        let list = configured.unwrap_or_else(|| {
            if a.eq_ignore_ascii_case(ba) && b.eq_ignore_ascii_case(bb) {
                vec![bc.to_string()]
            } else {
                Vec::new()
            }
        });
        Ok(list
            .into_iter()
            .filter(|c| !c.eq_ignore_ascii_case(a) && !c.eq_ignore_ascii_case(b))
            .collect())
    }

    /// The controls of `p`, loaded: those named must load (an error names the control);
    /// the default ones are fetched like the rate series (when both legs are symbols and the
    /// session is online, else used only when stored) and their absence is a note of the
    /// report, not an error.
    pub fn controls(&self, p: &PairParams) -> Result<Controls> {
        if !p.controls.is_empty() {
            let series = p
                .controls
                .iter()
                .map(|c| {
                    self.load(c, &p.csv, None)
                        .with_context(|| format!("cannot load the control {c}"))
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(Controls {
                series,
                default: false,
                note: None,
            });
        }
        if !p.default_control {
            return Ok(Controls::default());
        }
        let names = self.default_controls(&p.a, &p.b)?;
        if names.is_empty() {
            return Ok(Controls::default());
        }
        let live = p.live();
        let mut series = Vec::with_capacity(names.len());
        for c in &names {
            let loaded = if is_symbol(c) {
                self.load_levels(c, live && !self.offline)
            } else {
                self.load(c, &CsvOptions::default(), None)
            };
            match loaded {
                Ok(s) => series.push(s),
                Err(e) => {
                    return Ok(Controls {
                        series: Vec::new(),
                        default: true,
                        note: Some(format!(
                            "no control: the default control {c} is not available: {} \
                             (--control names a series, --no-control leaves this out)",
                            chain(&e)
                        )),
                    })
                }
            }
        }
        Ok(Controls {
            series,
            default: true,
            note: None,
        })
    }
}
