//! Position rules: how rule states set the position in leg A.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::evaluate::Evaluation;
use crate::toml_util::{entries, parse_document, Ctx};
use crate::util::closest;
use crate::{Result, SignalsError};

/// The built-in `overlay` strategy (TOML): long A (weight 1) while rule `strong-b` is `True`
/// (B above its 200-day average and `corr_30 > 0.5`), flat when `risk-reduction` is `True`
/// (precedence over long); otherwise — including `Unknown` states — the previous position is
/// kept, starting flat. Signal at the close of `t`, trade at the close of `t + 1`; costs
/// 10 bps fees + 5 bps slippage per unit of position traded.
pub const OVERLAY_STRATEGY: &str = r#"# Built-in macro overlay on leg A.
[strategy]
long = "strong-b"
flat = "risk-reduction"
hold = true
delay = 1
fees_bps = 10.0
slippage_bps = 5.0
"#;

/// How rule states set the position in A, and the trading frictions.
///
/// # TOML grammar
///
/// ```toml
/// [strategy]
/// long = "rule"        # position +long_weight while this rule is True
/// flat = "rule"        # position 0 while True (takes precedence over long and short)
/// short = "rule"       # position −short_weight while True; needs allow_short = true
/// allow_short = false
/// long_weight = 1.0    # in (0, 1]
/// short_weight = 1.0   # in (0, 1]
/// hold = true          # when no rule is True (False or Unknown): keep the previous
///                      # position (true) or go flat (false)
/// delay = 1            # closes between signal and trade (0 ..= 1000)
/// fees_bps = 0.0       # charged on |Δposition| at each trade
/// slippage_bps = 0.0   # likewise
/// ```
///
/// At least one of `long` / `short` is required. `conditions` and `rules` tables may sit in
/// the same file (read by [`crate::RuleSet::parse`]); other keys are errors.
///
/// Target at the close of date `t` (rule states at `t`, `True` only counts):
/// `flat` → 0; `long` and `short` both → 0; `short` → `−short_weight`; `long` →
/// `long_weight`; otherwise the previous target (`hold`) or 0. The target before the first
/// date is 0. See [`Strategy::positions`] for the delay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strategy {
    /// Rule that sets the long position.
    pub long: Option<String>,
    /// Rule that sets the position flat (precedence).
    pub flat: Option<String>,
    /// Rule that sets the short position (only with `allow_short`).
    pub short: Option<String>,
    /// Whether short positions are allowed.
    pub allow_short: bool,
    /// Long position size, in (0, 1].
    pub long_weight: f64,
    /// Short position size (the position is its negative), in (0, 1].
    pub short_weight: f64,
    /// Keep the previous position when no rule is `True`.
    pub hold: bool,
    /// Closes between the signal and the trade.
    pub delay: usize,
    /// Fees in basis points of the position traded.
    pub fees_bps: f64,
    /// Slippage in basis points of the position traded.
    pub slippage_bps: f64,
    /// TOML line of each rule reference (`long`, `flat`, `short`), for error messages;
    /// empty for a strategy built in code.
    #[serde(skip)]
    pub lines: BTreeMap<String, usize>,
}

impl Default for Strategy {
    /// No rules, weights 1, `hold = true`, `delay = 1`, no costs.
    fn default() -> Self {
        Self {
            long: None,
            flat: None,
            short: None,
            allow_short: false,
            long_weight: 1.0,
            short_weight: 1.0,
            hold: true,
            delay: 1,
            fees_bps: 0.0,
            slippage_bps: 0.0,
            lines: BTreeMap::new(),
        }
    }
}

const STRATEGY_KEYS: &[&str] = &[
    "long",
    "flat",
    "short",
    "allow_short",
    "long_weight",
    "short_weight",
    "hold",
    "delay",
    "fees_bps",
    "slippage_bps",
];
const TOP_KEYS: &[&str] = &["strategy", "conditions", "rules"];

impl Strategy {
    /// The built-in `overlay` strategy ([`OVERLAY_STRATEGY`]); use with
    /// [`crate::RuleSet::builtin`].
    pub fn overlay() -> Self {
        Self::parse(OVERLAY_STRATEGY).expect("the built-in strategy parses")
    }

    /// Parse the `[strategy]` table of a TOML file (see the type documentation).
    pub fn parse(text: &str) -> Result<Self> {
        let doc = parse_document(text)?;
        let root = Ctx {
            text,
            section: "top level".into(),
        };
        let mut found = None;
        for entry in entries(doc.get_ref()) {
            match entry.name {
                "strategy" => found = Some(entry),
                "conditions" | "rules" => {}
                _ => return Err(root.unknown_field(&entry, TOP_KEYS)),
            }
        }
        let Some(entry) = found else {
            return Err(SignalsError::Invalid {
                line: 1,
                section: "top level".into(),
                message: "missing [strategy] table".into(),
            });
        };
        let ctx = Ctx {
            text,
            section: "strategy".into(),
        };
        let table = root.table(&entry)?;
        let mut s = Strategy::default();
        for f in entries(table) {
            let line = ctx.line(&f.span);
            match f.name {
                "long" | "flat" | "short" => {
                    let name = ctx.string(&f)?;
                    s.lines.insert(f.name.to_string(), line);
                    match f.name {
                        "long" => s.long = Some(name),
                        "flat" => s.flat = Some(name),
                        _ => s.short = Some(name),
                    }
                }
                "allow_short" => s.allow_short = ctx.boolean(&f)?,
                "hold" => s.hold = ctx.boolean(&f)?,
                "long_weight" | "short_weight" => {
                    let w = ctx.number(&f)?;
                    if !(w > 0.0 && w <= 1.0) {
                        return Err(ctx.invalid(&f.span, format!("`{}` must be in (0, 1]", f.name)));
                    }
                    if f.name == "long_weight" {
                        s.long_weight = w;
                    } else {
                        s.short_weight = w;
                    }
                }
                "delay" => s.delay = ctx.integer(&f, 0, 1000)? as usize,
                "fees_bps" | "slippage_bps" => {
                    let v = ctx.number(&f)?;
                    if !(0.0..10_000.0).contains(&v) {
                        return Err(
                            ctx.invalid(&f.span, format!("`{}` must be in [0, 10000)", f.name))
                        );
                    }
                    if f.name == "fees_bps" {
                        s.fees_bps = v;
                    } else {
                        s.slippage_bps = v;
                    }
                }
                _ => return Err(ctx.unknown_field(&f, STRATEGY_KEYS)),
            }
        }
        let header = ctx.line(&entry.span);
        if s.short.is_some() && !s.allow_short {
            return Err(SignalsError::Invalid {
                line: s.lines["short"],
                section: "strategy".into(),
                message: "`short` needs `allow_short = true`".into(),
            });
        }
        if s.long.is_none() && s.short.is_none() {
            return Err(SignalsError::Invalid {
                line: header,
                section: "strategy".into(),
                message: "needs `long` or `short` (a rule name)".into(),
            });
        }
        Ok(s)
    }

    /// Cost per unit of position traded, as a fraction: `(fees_bps + slippage_bps) / 10⁴`.
    pub fn cost_rate(&self) -> f64 {
        (self.fees_bps + self.slippage_bps) / 10_000.0
    }

    /// Check parameters and that every rule named exists in `evaluation`.
    pub fn validate(&self, evaluation: &Evaluation) -> Result<()> {
        let bad = |name: &'static str, value: f64, rule: &'static str| {
            Err(SignalsError::InvalidParameter {
                name,
                value: value.to_string(),
                rule,
            })
        };
        if !(self.long_weight > 0.0 && self.long_weight <= 1.0) {
            return bad("long_weight", self.long_weight, "must be in (0, 1]");
        }
        if !(self.short_weight > 0.0 && self.short_weight <= 1.0) {
            return bad("short_weight", self.short_weight, "must be in (0, 1]");
        }
        if !(self.fees_bps >= 0.0 && self.fees_bps < 10_000.0) {
            return bad("fees_bps", self.fees_bps, "must be in [0, 10000)");
        }
        if !(self.slippage_bps >= 0.0 && self.slippage_bps < 10_000.0) {
            return bad("slippage_bps", self.slippage_bps, "must be in [0, 10000)");
        }
        if self.short.is_some() && !self.allow_short {
            return Err(SignalsError::InvalidParameter {
                name: "short",
                value: self.short.clone().unwrap_or_default(),
                rule: "needs allow_short = true",
            });
        }
        if self.long.is_none() && self.short.is_none() {
            return Err(SignalsError::InvalidParameter {
                name: "long",
                value: "none".into(),
                rule: "a strategy needs a long or a short rule",
            });
        }
        for (field, rule) in [
            ("long", &self.long),
            ("flat", &self.flat),
            ("short", &self.short),
        ] {
            if let Some(name) = rule {
                if evaluation.rule(name).is_none() {
                    return Err(SignalsError::UnknownRule {
                        line: self.lines.get(field).copied(),
                        name: name.clone(),
                        suggestions: closest(
                            name,
                            evaluation.rules.iter().map(|r| r.name.as_str()),
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The target position decided at the close of each date (before the delay).
    pub fn targets(&self, evaluation: &Evaluation) -> Result<Vec<f64>> {
        self.validate(evaluation)?;
        let states = |name: &Option<String>| name.as_deref().and_then(|n| evaluation.rule(n));
        let long = states(&self.long);
        let flat = states(&self.flat);
        let short = if self.allow_short {
            states(&self.short)
        } else {
            None
        };
        let is_true = |s: Option<&[crate::Truth]>, t: usize| s.is_some_and(|s| s[t].is_true());
        let mut prev = 0.0;
        Ok((0..evaluation.dates.len())
            .map(|t| {
                let (l, f, s) = (is_true(long, t), is_true(flat, t), is_true(short, t));
                let target = if f || (l && s) {
                    0.0
                } else if s {
                    -self.short_weight
                } else if l {
                    self.long_weight
                } else if self.hold {
                    prev
                } else {
                    0.0
                };
                prev = target;
                target
            })
            .collect())
    }

    /// The position held after the close of each date: `position[i] = target[i − delay]`
    /// for `i ≥ delay`, else 0 (flat before the first signal can be acted on).
    ///
    /// With `delay = 1` (default) a signal at the close of `t` trades at the close of
    /// `t + 1` and earns the return from `t + 1` to `t + 2`; with `delay = 0` it trades at
    /// the close of `t` itself.
    pub fn positions(&self, evaluation: &Evaluation) -> Result<Vec<f64>> {
        let targets = self.targets(evaluation)?;
        Ok((0..targets.len())
            .map(|i| {
                if i >= self.delay {
                    targets[i - self.delay]
                } else {
                    0.0
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_is_documented_values() {
        let s = Strategy::overlay();
        assert_eq!(s.long.as_deref(), Some("strong-b"));
        assert_eq!(s.flat.as_deref(), Some("risk-reduction"));
        assert!(s.hold && !s.allow_short && s.short.is_none());
        assert_eq!((s.delay, s.long_weight), (1, 1.0));
        assert!((s.cost_rate() - 0.0015).abs() < 1e-15);
        assert_eq!(s.lines["long"], 3);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = Strategy::parse("[strategy]\nlong = \"a\"\nfees = 3\n").unwrap_err();
        assert!(
            matches!(&e, SignalsError::UnknownField { line: 3, field, suggestions, .. }
                if field == "fees" && suggestions[0] == "fees_bps"),
            "{e:?}"
        );
        let e = Strategy::parse("[strategy]\nlong = \"a\"\nshort = \"b\"\n").unwrap_err();
        assert!(matches!(&e, SignalsError::Invalid { line: 3, .. }), "{e:?}");
        let e = Strategy::parse("[strategy]\nflat = \"a\"\n").unwrap_err();
        assert!(e.to_string().contains("needs `long` or `short`"), "{e}");
        let e = Strategy::parse("[strategy]\nlong = \"a\"\nlong_weight = 1.5\n").unwrap_err();
        assert!(matches!(&e, SignalsError::Invalid { line: 3, .. }), "{e:?}");
        let e = Strategy::parse("[strategy]\nlong = \"a\"\ndelay = -1\n").unwrap_err();
        assert!(matches!(&e, SignalsError::Invalid { line: 3, .. }), "{e:?}");
        let e = Strategy::parse("[rules.r]\nnot = \"c\"\n").unwrap_err();
        assert!(e.to_string().contains("missing [strategy]"), "{e}");
        let e = Strategy::parse("[strategy]\nlong = \"a\"\n[extra]\n").unwrap_err();
        assert!(
            matches!(&e, SignalsError::UnknownField { line: 3, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn one_file_holds_rules_and_strategy() {
        let text = "[conditions.c]\nmeasure = \"close_a\"\nop = \">\"\nvalue = 0\n\
                    [rules.always]\nall = [\"c\"]\n\
                    [strategy]\nlong = \"always\"\nallow_short = true\nshort = \"always\"\n\
                    short_weight = 0.25\nhold = false\ndelay = 0\nfees_bps = 1\nslippage_bps = 2.5\n";
        crate::RuleSet::parse(text).unwrap();
        let s = Strategy::parse(text).unwrap();
        assert_eq!(s.short_weight, 0.25);
        assert_eq!(
            (s.fees_bps, s.slippage_bps, s.delay, s.hold),
            (1.0, 2.5, 0, false)
        );
    }
}
