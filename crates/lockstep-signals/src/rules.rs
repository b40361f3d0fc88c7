//! Rule sets: named conditions over measurements, combined by named rules with
//! `all` / `any` / `not`, read from TOML.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::measurements::Measurements;
use crate::toml_util::{entries, parse_document, valid_name, Ctx, Entry};
use crate::util::closest;
use crate::{Result, SignalsError};

/// The built-in rule set (TOML). Leg A is the traded leg and B the equity leg (default pair
/// ETH-USD / ^RUT); the integrator may map the legs the other way round.
///
/// * `synchronized-breakout`: `corr_30 > 0.5`; RSI rising over 5 days on both legs
///   (`rsi_x[t] > rsi_x[t−5]`); volume of A above its 20-day average (`rel_volume_a > 1`);
///   net liquidity rising over 4 weeks (`liquidity_change_4w > 0`); an upward breakout of A
///   since the previous row (`breakout_up_a > 0`: the levels' breakout rule, closes clearing a
///   level by a margin of ATRs for a number of days).
/// * `risk-reduction`: the equity leg below its 200-day average (`close_b < sma200_b`), or
///   the 30-day correlation crossing below 0.2 after having been above 0.5 within the last
///   60 observations.
/// * `strong-b` (used by the built-in `overlay` strategy): `close_b > sma200_b` and
///   `corr_30 > 0.5`.
pub const BUILTIN_RULES: &str = r#"# Built-in Lockstep rule set. Leg A is traded, leg B is the equity leg.

[conditions.corr_strong]
description = "30-day correlation above 0.5"
measure = "corr_30"
op = ">"
value = 0.5

[conditions.rsi_up_a]
description = "RSI of A rising over 5 days"
measure = "rsi_a"
rising = 5

[conditions.rsi_up_b]
description = "RSI of B rising over 5 days"
measure = "rsi_b"
rising = 5

[conditions.vol_a]
description = "volume of A above its 20-day average"
measure = "rel_volume_a"
op = ">"
value = 1.0

[conditions.liq_up]
description = "net liquidity rising over 4 weeks"
measure = "liquidity_change_4w"
op = ">"
value = 0.0

[conditions.breakout_a]
description = "upward breakout of A through a level since the previous row"
measure = "breakout_up_a"
op = ">"
value = 0.0

[conditions.below_ma_b]
description = "equity leg below its 200-day average"
measure = "close_b"
op = "<"
than = "sma200_b"

[conditions.above_ma_b]
description = "equity leg above its 200-day average"
measure = "close_b"
op = ">"
than = "sma200_b"

[conditions.corr_collapse]
description = "30-day correlation crossing below 0.2 after being above 0.5 within 60 days"
measure = "corr_30"
crosses_below = 0.2
after_above = 0.5
lookback = 60

[rules.synchronized-breakout]
description = "correlated legs breaking out together with volume and liquidity"
all = ["corr_strong", "rsi_up_a", "rsi_up_b", "vol_a", "liq_up", "breakout_a"]

[rules.risk-reduction]
description = "equity leg below its 200-day average, or correlation collapsing"
any = ["below_ma_b", "corr_collapse"]

[rules.strong-b]
description = "equity leg strong and correlated with A"
all = ["above_ma_b", "corr_strong"]
"#;

/// Default `lookback` of `crosses_below` / `crosses_above` with `after_above` / `after_below`.
pub const DEFAULT_LOOKBACK: usize = 60;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CompareOp {
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
}

impl CompareOp {
    /// The operator as written in TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
        }
    }

    /// `a op b`.
    pub fn apply(self, a: f64, b: f64) -> bool {
        match self {
            CompareOp::Gt => a > b,
            CompareOp::Ge => a >= b,
            CompareOp::Lt => a < b,
            CompareOp::Le => a <= b,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            _ => return None,
        })
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operand {
    /// A constant (`value = 0.5`).
    Value(f64),
    /// Another measurement at the same date (`than = "resistance_a"`).
    Measure(String),
}

/// What a condition tests on its measurement `x` at date index `t` (indices count
/// observations, i.e. rows of the table, not calendar days).
///
/// A condition is `Unknown` whenever a value it needs is missing or lies before the first
/// date; it never looks at dates after `t`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// `x[t] op rhs[t]` (TOML `op` with `value` or `than`).
    Compare {
        /// The operator.
        op: CompareOp,
        /// Constant or other measurement.
        rhs: Operand,
    },
    /// `x[t] > x[t−lag]` (TOML `rising = lag`).
    Rising {
        /// Observations back.
        lag: usize,
    },
    /// `x[t] < x[t−lag]` (TOML `falling = lag`).
    Falling {
        /// Observations back.
        lag: usize,
    },
    /// `x[t−1] ≥ level` and `x[t] < level`, and when `after_above = a` is given, also
    /// `x[s] > a` for some `s` in `t−lookback ..= t−1` (TOML `crosses_below`).
    ///
    /// The window part is `True` as soon as one value in it exceeds `a`; otherwise it is
    /// `Unknown` when a value in the window is missing or the window starts before the first
    /// date, else `False`.
    CrossesBelow {
        /// The level crossed.
        level: f64,
        /// The level that must have been exceeded before.
        after_above: Option<f64>,
        /// Observations searched for `after_above`.
        lookback: usize,
    },
    /// `x[t−1] ≤ level` and `x[t] > level`, and when `after_below = b` is given, also
    /// `x[s] < b` for some `s` in `t−lookback ..= t−1` (TOML `crosses_above`); the mirror of
    /// [`ConditionKind::CrossesBelow`].
    CrossesAbove {
        /// The level crossed.
        level: f64,
        /// The level that must have been undercut before.
        after_below: Option<f64>,
        /// Observations searched for `after_below`.
        lookback: usize,
    },
}

/// A named condition on one measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// Name (the key of `[conditions.<name>]`).
    pub name: String,
    /// The measurement tested.
    pub measure: String,
    /// The test.
    pub kind: ConditionKind,
    /// Free text from `description`.
    pub description: Option<String>,
    /// Line of the table header.
    pub line: usize,
    #[serde(skip)]
    measure_line: usize,
    #[serde(skip)]
    than_line: usize,
}

impl Condition {
    /// Every measurement the condition reads (its own and `than`).
    pub fn inputs(&self) -> Vec<&str> {
        let mut v = vec![self.measure.as_str()];
        if let ConditionKind::Compare {
            rhs: Operand::Measure(m),
            ..
        } = &self.kind
        {
            v.push(m);
        }
        v
    }
}

/// How a rule combines conditions and other rules (by name).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleExpr {
    /// Kleene conjunction of the named conditions/rules.
    All(Vec<String>),
    /// Kleene disjunction.
    Any(Vec<String>),
    /// Negation (keeps `Unknown`).
    Not(String),
}

/// A named rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Name (the key of `[rules.<name>]`).
    pub name: String,
    /// The combination.
    pub expr: RuleExpr,
    /// Free text from `description`.
    pub description: Option<String>,
    /// Line of the table header.
    pub line: usize,
    #[serde(skip)]
    pub(crate) refs: Vec<Ref>,
    #[serde(skip)]
    ref_lines: Vec<usize>,
}

/// A resolved reference of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ref {
    Cond(usize),
    Rule(usize),
}

/// A parsed and resolved set of conditions and rules.
///
/// # TOML grammar
///
/// ```toml
/// [conditions.<name>]          # name: ASCII letters, digits, '_' and '-'
/// measure = "corr_30"          # required: a measurement name
/// description = "..."          # optional
/// # exactly one of:
/// op = ">"                     # > >= < <=, with exactly one of
/// value = 0.5                  #   a constant
/// than = "resistance_a"        #   or another measurement at the same date
/// rising = 5                   # x[t] > x[t-5]   (observations)
/// falling = 5                  # x[t] < x[t-5]
/// crosses_below = 0.2          # x[t-1] >= 0.2 and x[t] < 0.2
/// after_above = 0.5            #   optional: and x > 0.5 within the last `lookback`
/// lookback = 60                #   observations before t (default 60)
/// crosses_above = 0.8          # mirror, with optional after_below / lookback
///
/// [rules.<name>]
/// description = "..."          # optional
/// # exactly one of:
/// all = ["cond_or_rule", ...]  # Kleene AND
/// any = ["cond_or_rule", ...]  # Kleene OR
/// not = "cond_or_rule"         # Kleene NOT
/// ```
///
/// Rules may reference conditions and other rules; a name may not be both a condition and a
/// rule, and reference cycles are errors. A `[strategy]` table may sit in the same file (read
/// by [`crate::Strategy::parse`]; ignored here). Any other key is an error naming its line.
/// A user file replaces the built-in set entirely (it does not extend it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSet {
    conditions: Vec<Condition>,
    rules: Vec<Rule>,
    /// Rule indices, each after every rule it references.
    #[serde(skip)]
    order: Vec<usize>,
}

const TOP_KEYS: &[&str] = &["conditions", "rules", "strategy"];
const CONDITION_KEYS: &[&str] = &[
    "measure",
    "description",
    "op",
    "value",
    "than",
    "rising",
    "falling",
    "crosses_below",
    "crosses_above",
    "after_above",
    "after_below",
    "lookback",
];
const RULE_KEYS: &[&str] = &["description", "all", "any", "not"];
const MAX_LAG: i64 = 1_000_000;

impl RuleSet {
    /// The built-in rule set ([`BUILTIN_RULES`]).
    pub fn builtin() -> Self {
        Self::parse(BUILTIN_RULES).expect("the built-in rule set parses")
    }

    /// Parse a rule file. Errors name the line and the unknown field, reference or bad
    /// value; see the type documentation for the grammar.
    pub fn parse(text: &str) -> Result<Self> {
        let doc = parse_document(text)?;
        let root = Ctx {
            text,
            section: "top level".into(),
        };
        let mut conditions = Vec::new();
        let mut rules = Vec::new();
        for entry in entries(doc.get_ref()) {
            match entry.name {
                "conditions" => {
                    for c in entries(root.table(&entry)?) {
                        conditions.push(parse_condition(text, &c)?);
                    }
                }
                "rules" => {
                    for r in entries(root.table(&entry)?) {
                        rules.push(parse_rule(text, &r)?);
                    }
                }
                "strategy" => {}
                _ => return Err(root.unknown_field(&entry, TOP_KEYS)),
            }
        }
        let mut set = RuleSet {
            conditions,
            rules,
            order: Vec::new(),
        };
        set.resolve()?;
        Ok(set)
    }

    /// Resolve rule references and compute the evaluation order (detecting cycles).
    fn resolve(&mut self) -> Result<()> {
        let cond_index: BTreeMap<&str, usize> = self
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let rule_index: BTreeMap<&str, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect();
        if let Some(r) = self
            .rules
            .iter()
            .find(|r| cond_index.contains_key(r.name.as_str()))
        {
            return Err(SignalsError::Invalid {
                line: r.line,
                section: format!("rules.{}", r.name),
                message: format!("`{}` is already the name of a condition", r.name),
            });
        }
        let mut resolved = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            let mut refs = Vec::new();
            for (name, line) in r.ref_names_lines() {
                let rf = if let Some(&i) = cond_index.get(name) {
                    Ref::Cond(i)
                } else if let Some(&i) = rule_index.get(name) {
                    Ref::Rule(i)
                } else {
                    return Err(SignalsError::UnknownReference {
                        line,
                        rule: r.name.clone(),
                        name: name.to_string(),
                        suggestions: closest(
                            name,
                            cond_index.keys().chain(rule_index.keys()).copied(),
                        ),
                    });
                };
                refs.push(rf);
            }
            resolved.push(refs);
        }
        for (r, refs) in self.rules.iter_mut().zip(resolved) {
            r.refs = refs;
        }
        // Depth-first topological order; a back edge is a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        fn visit(
            i: usize,
            rules: &[Rule],
            marks: &mut [Mark],
            stack: &mut Vec<usize>,
            order: &mut Vec<usize>,
        ) -> Result<()> {
            match marks[i] {
                Mark::Done => return Ok(()),
                Mark::Active => {
                    let start = stack.iter().position(|&s| s == i).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[start..]
                        .iter()
                        .map(|&s| rules[s].name.clone())
                        .collect();
                    cycle.push(rules[i].name.clone());
                    return Err(SignalsError::Cycle {
                        line: rules[i].line,
                        rule: rules[i].name.clone(),
                        cycle,
                    });
                }
                Mark::New => {}
            }
            marks[i] = Mark::Active;
            stack.push(i);
            for rf in &rules[i].refs {
                if let Ref::Rule(j) = *rf {
                    visit(j, rules, marks, stack, order)?;
                }
            }
            stack.pop();
            marks[i] = Mark::Done;
            order.push(i);
            Ok(())
        }
        let mut marks = vec![Mark::New; self.rules.len()];
        let mut order = Vec::with_capacity(self.rules.len());
        for i in 0..self.rules.len() {
            visit(i, &self.rules, &mut marks, &mut Vec::new(), &mut order)?;
        }
        self.order = order;
        Ok(())
    }

    /// The conditions, in file order.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The condition `name`.
    pub fn condition(&self, name: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.name == name)
    }

    /// The rule `name`.
    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// Every measurement name the conditions read.
    pub fn measures_used(&self) -> BTreeSet<&str> {
        self.conditions.iter().flat_map(|c| c.inputs()).collect()
    }

    /// Check that every measurement a condition uses is a column of `m`; the error names the
    /// condition, the TOML line and the closest known measurement names.
    pub fn check(&self, m: &Measurements) -> Result<()> {
        for c in &self.conditions {
            let mut inputs = vec![(c.measure.as_str(), c.measure_line)];
            if let ConditionKind::Compare {
                rhs: Operand::Measure(other),
                ..
            } = &c.kind
            {
                inputs.push((other.as_str(), c.than_line));
            }
            for (name, line) in inputs {
                if m.get(name).is_none() {
                    return Err(SignalsError::UnknownMeasurement {
                        line,
                        condition: c.name.clone(),
                        measure: name.to_string(),
                        suggestions: closest(name, m.names()),
                    });
                }
            }
        }
        Ok(())
    }

    pub(crate) fn order(&self) -> &[usize] {
        &self.order
    }
}

impl Rule {
    /// The names the rule references, in order.
    pub fn references(&self) -> Vec<&str> {
        match &self.expr {
            RuleExpr::All(v) | RuleExpr::Any(v) => v.iter().map(String::as_str).collect(),
            RuleExpr::Not(n) => vec![n.as_str()],
        }
    }

    fn ref_names_lines(&self) -> Vec<(&str, usize)> {
        self.references()
            .into_iter()
            .zip(self.ref_lines.iter().copied())
            .collect()
    }
}

fn parse_condition(text: &str, entry: &Entry<'_, '_>) -> Result<Condition> {
    let ctx = Ctx {
        text,
        section: format!("conditions.{}", entry.name),
    };
    if !valid_name(entry.name) {
        return Err(ctx.invalid(
            &entry.span,
            format!(
                "condition name `{}` must use only ASCII letters, digits, '_' and '-'",
                entry.name
            ),
        ));
    }
    let header_line = ctx.line(&entry.span);
    let table = ctx.table(entry)?;
    let mut measure = None;
    let mut description = None;
    let mut op = None;
    let mut value = None;
    let mut than = None;
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    let mut rising = None;
    let mut falling = None;
    let mut crosses_below = None;
    let mut crosses_above = None;
    let mut after_above = None;
    let mut after_below = None;
    let mut lookback = None;
    for f in entries(table) {
        let line = ctx.line(&f.span);
        match f.name {
            "measure" => measure = Some((ctx.string(&f)?, line)),
            "description" => description = Some(ctx.string(&f)?),
            "op" => {
                let s = ctx.string(&f)?;
                let parsed = CompareOp::parse(&s).ok_or_else(|| {
                    ctx.invalid(
                        &f.span,
                        format!("unknown op `{s}`; expected one of >, >=, <, <="),
                    )
                })?;
                op = Some((parsed, line));
                kinds.push(("op", line));
            }
            "value" => value = Some((ctx.number(&f)?, line)),
            "than" => than = Some((ctx.string(&f)?, line)),
            "rising" => {
                rising = Some(ctx.integer(&f, 1, MAX_LAG)? as usize);
                kinds.push(("rising", line));
            }
            "falling" => {
                falling = Some(ctx.integer(&f, 1, MAX_LAG)? as usize);
                kinds.push(("falling", line));
            }
            "crosses_below" => {
                crosses_below = Some(ctx.number(&f)?);
                kinds.push(("crosses_below", line));
            }
            "crosses_above" => {
                crosses_above = Some(ctx.number(&f)?);
                kinds.push(("crosses_above", line));
            }
            "after_above" => after_above = Some((ctx.number(&f)?, line)),
            "after_below" => after_below = Some((ctx.number(&f)?, line)),
            "lookback" => lookback = Some((ctx.integer(&f, 1, MAX_LAG)? as usize, line)),
            _ => return Err(ctx.unknown_field(&f, CONDITION_KEYS)),
        }
    }
    let err = |line: usize, message: String| SignalsError::Invalid {
        line,
        section: ctx.section.clone(),
        message,
    };
    let (measure, measure_line) = measure.ok_or_else(|| {
        err(
            header_line,
            "missing `measure` (the measurement the condition tests)".into(),
        )
    })?;
    match kinds.as_slice() {
        [] => {
            return Err(err(
                header_line,
                "needs one of `op` (with `value` or `than`), `rising`, `falling`, \
                 `crosses_below`, `crosses_above`"
                    .into(),
            ))
        }
        [_] => {}
        [(a, _), (b, line), ..] => {
            return Err(err(
                *line,
                format!("`{a}` and `{b}` exclude each other (one test per condition)"),
            ))
        }
    }
    // Keys that only make sense with a given kind.
    let only_with = |present: Option<usize>, key: &str, with: &str, ok: bool| -> Result<()> {
        match present {
            Some(line) if !ok => Err(err(line, format!("`{key}` is only allowed with {with}"))),
            _ => Ok(()),
        }
    };
    only_with(value.map(|v| v.1), "value", "`op`", op.is_some())?;
    only_with(than.as_ref().map(|v| v.1), "than", "`op`", op.is_some())?;
    only_with(
        after_above.map(|v| v.1),
        "after_above",
        "`crosses_below`",
        crosses_below.is_some(),
    )?;
    only_with(
        after_below.map(|v| v.1),
        "after_below",
        "`crosses_above`",
        crosses_above.is_some(),
    )?;
    only_with(
        lookback.map(|v| v.1),
        "lookback",
        "`after_above` or `after_below`",
        after_above.is_some() || after_below.is_some(),
    )?;
    let lookback = lookback.map_or(DEFAULT_LOOKBACK, |v| v.0);
    let mut than_line = 0;
    let kind = if let Some((op, op_line)) = op {
        let rhs = match (value, than) {
            (Some((v, _)), None) => Operand::Value(v),
            (None, Some((m, line))) => {
                than_line = line;
                Operand::Measure(m)
            }
            (Some(_), Some((_, line))) => {
                return Err(err(line, "`value` and `than` exclude each other".into()))
            }
            (None, None) => {
                return Err(err(
                    op_line,
                    "`op` needs `value` (a constant) or `than` (a measurement)".into(),
                ))
            }
        };
        ConditionKind::Compare { op, rhs }
    } else if let Some(lag) = rising {
        ConditionKind::Rising { lag }
    } else if let Some(lag) = falling {
        ConditionKind::Falling { lag }
    } else if let Some(level) = crosses_below {
        ConditionKind::CrossesBelow {
            level,
            after_above: after_above.map(|v| v.0),
            lookback,
        }
    } else if let Some(level) = crosses_above {
        ConditionKind::CrossesAbove {
            level,
            after_below: after_below.map(|v| v.0),
            lookback,
        }
    } else {
        unreachable!("one kind is present")
    };
    Ok(Condition {
        name: entry.name.to_string(),
        measure,
        kind,
        description,
        line: header_line,
        measure_line,
        than_line,
    })
}

fn parse_rule(text: &str, entry: &Entry<'_, '_>) -> Result<Rule> {
    let ctx = Ctx {
        text,
        section: format!("rules.{}", entry.name),
    };
    if !valid_name(entry.name) {
        return Err(ctx.invalid(
            &entry.span,
            format!(
                "rule name `{}` must use only ASCII letters, digits, '_' and '-'",
                entry.name
            ),
        ));
    }
    let header_line = ctx.line(&entry.span);
    let table = ctx.table(entry)?;
    let mut description = None;
    let mut expr: Option<(RuleExpr, Vec<usize>, &str)> = None;
    for f in entries(table) {
        let parsed = match f.name {
            "description" => {
                description = Some(ctx.string(&f)?);
                continue;
            }
            "all" | "any" => {
                let items = ctx.string_array(&f)?;
                let lines = items.iter().map(|i| i.1).collect();
                let names = items.into_iter().map(|i| i.0).collect();
                let e = if f.name == "all" {
                    RuleExpr::All(names)
                } else {
                    RuleExpr::Any(names)
                };
                (e, lines, f.name)
            }
            "not" => {
                let name = ctx.string(&f)?;
                (RuleExpr::Not(name), vec![ctx.line(&f.span)], f.name)
            }
            _ => return Err(ctx.unknown_field(&f, RULE_KEYS)),
        };
        if let Some((_, _, first)) = &expr {
            return Err(ctx.invalid(
                &f.span,
                format!(
                    "`{first}` and `{}` exclude each other (one per rule)",
                    f.name
                ),
            ));
        }
        expr = Some(parsed);
    }
    let (expr, ref_lines, _) = expr.ok_or_else(|| {
        ctx.invalid(
            &entry.span,
            "needs one of `all`, `any` or `not`".to_string(),
        )
    })?;
    Ok(Rule {
        name: entry.name.to_string(),
        expr,
        description,
        line: header_line,
        refs: Vec::new(),
        ref_lines,
    })
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::test_util::days;

    /// Every measurement name documented on [`Measurements`], each constant: closes 2,
    /// averages, levels 1, RSI rising by 1 a day, correlations 0.8, liquidity change +1.
    pub(crate) fn documented(n: usize) -> Measurements {
        let mut m = Measurements::new(days(n)).unwrap();
        for name in [
            "corr_30",
            "corr_60",
            "corr_90",
            "beta_30",
            "beta_60",
            "beta_90",
            "close_a",
            "close_b",
            "sma200_a",
            "sma200_b",
            "rsi_a",
            "rsi_b",
            "macd_hist_a",
            "macd_hist_b",
            "rel_volume_a",
            "rel_volume_b",
            "resistance_a",
            "resistance_b",
            "support_a",
            "support_b",
            "breakout_up_a",
            "breakout_up_b",
            "risk_on",
            "net_liquidity",
            "liquidity_change_4w",
            "best_lag",
        ] {
            let v: Vec<f64> = match name {
                "close_a" | "close_b" | "rel_volume_a" | "rel_volume_b" => vec![2.0; n],
                "rsi_a" | "rsi_b" => (0..n).map(|i| 40.0 + i as f64).collect(),
                n2 if n2.starts_with("corr_") => vec![0.8; n],
                _ => vec![1.0; n],
            };
            m.insert(name, &v).unwrap();
        }
        m
    }

    /// `m` with column `name` replaced.
    pub(crate) fn with_column(m: &Measurements, name: &str, v: Vec<Option<f64>>) -> Measurements {
        let mut out = Measurements::new(m.dates.clone()).unwrap();
        for n in m.names() {
            if n != name {
                out.insert_opt(n, m.get(n).unwrap().to_vec()).unwrap();
            }
        }
        out.insert_opt(name, v).unwrap();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::documented as documented_measurements;
    use super::*;

    #[test]
    fn builtin_parses_and_checks() {
        let set = RuleSet::builtin();
        let names: Vec<&str> = set.rules().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["synchronized-breakout", "risk-reduction", "strong-b"]
        );
        set.check(&documented_measurements(3)).unwrap();
        let sb = set.rule("synchronized-breakout").unwrap();
        assert_eq!(
            sb.expr,
            RuleExpr::All(
                [
                    "corr_strong",
                    "rsi_up_a",
                    "rsi_up_b",
                    "vol_a",
                    "liq_up",
                    "breakout_a"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        assert_eq!(
            set.condition("corr_collapse").unwrap().kind,
            ConditionKind::CrossesBelow {
                level: 0.2,
                after_above: Some(0.5),
                lookback: 60
            }
        );
        assert_eq!(
            set.condition("breakout_a").unwrap().kind,
            ConditionKind::Compare {
                op: CompareOp::Gt,
                rhs: Operand::Value(0.0)
            }
        );
        assert!(set.measures_used().contains("liquidity_change_4w"));
    }

    fn err(text: &str) -> SignalsError {
        RuleSet::parse(text).unwrap_err()
    }

    #[test]
    fn unknown_field_names_line_and_field() {
        let e = err("[conditions.c]\nmeasure = \"corr_30\"\nop = \">\"\nvalu = 0.5\n");
        match &e {
            SignalsError::UnknownField {
                line,
                field,
                section,
                suggestions,
                ..
            } => {
                assert_eq!((*line, field.as_str()), (4, "valu"));
                assert_eq!(section, "conditions.c");
                assert_eq!(suggestions[0], "value");
            }
            other => panic!("{other:?}"),
        }
        let msg = e.to_string();
        assert!(msg.starts_with("line 4: unknown field `valu`"), "{msg}");
        assert!(msg.contains("value"), "{msg}");
        // In a rule, and at the top level.
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 2\n\n[rules.r]\nal = [\"c\"]\n");
        assert!(
            matches!(&e, SignalsError::UnknownField { line: 6, field, .. } if field == "al"),
            "{e:?}"
        );
        let e = err("[condition.c]\nmeasure = \"x\"\n");
        assert!(
            matches!(&e, SignalsError::UnknownField { line: 1, field, .. } if field == "condition"),
            "{e:?}"
        );
    }

    #[test]
    fn bad_values_name_the_line() {
        let e = err("[conditions.c]\nmeasure = \"x\"\nop = \"==\"\nvalue = 1\n");
        assert!(matches!(&e, SignalsError::Invalid { line: 3, .. }), "{e:?}");
        assert!(e.to_string().contains("unknown op `==`"), "{e}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nop = \">\"\n");
        assert!(e.to_string().contains("`op` needs `value`"), "{e}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nop = \">\"\nvalue = 1\nthan = \"y\"\n");
        assert!(matches!(&e, SignalsError::Invalid { line: 5, .. }), "{e:?}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 2\nfalling = 3\n");
        assert!(matches!(&e, SignalsError::Invalid { line: 4, .. }), "{e:?}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 0\n");
        assert!(matches!(&e, SignalsError::Invalid { line: 3, .. }), "{e:?}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 2\nlookback = 3\n");
        assert!(e.to_string().contains("`lookback` is only allowed"), "{e}");
        let e = err("\n[conditions.c]\nrising = 2\n");
        assert!(matches!(&e, SignalsError::Invalid { line: 2, .. }), "{e:?}");
        assert!(e.to_string().contains("missing `measure`"), "{e}");
        let e = err("[conditions.c]\nmeasure = 3\nrising = 2\n");
        assert!(e.to_string().contains("must be a string"), "{e}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 2\n[rules.r]\nall = []\n");
        assert!(matches!(&e, SignalsError::Invalid { line: 5, .. }), "{e:?}");
        let e = err(
            "[conditions.c]\nmeasure = \"x\"\nrising = 2\n[rules.r]\nall = [\"c\"]\nnot = \"c\"\n",
        );
        assert!(e.to_string().contains("exclude each other"), "{e}");
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 2\n[rules.c]\nnot = \"c\"\n");
        assert!(
            e.to_string().contains("already the name of a condition"),
            "{e}"
        );
        let e = err("[conditions.c]\nmeasure = \"x\"\nop = \">\"\nvalue = 1\nvalue = 2\n");
        assert!(matches!(&e, SignalsError::Toml { line: 5, .. }), "{e:?}");
    }

    #[test]
    fn unknown_reference_names_line_and_closest() {
        let text = "[conditions.corr_strong]\nmeasure = \"corr_30\"\nop = \">\"\nvalue = 0.5\n\
                    [rules.r]\nany = [\n  \"corr_strong\",\n  \"corr_strnog\",\n]\n";
        match err(text) {
            SignalsError::UnknownReference {
                line,
                rule,
                name,
                suggestions,
            } => {
                assert_eq!(
                    (line, rule.as_str(), name.as_str()),
                    (8, "r", "corr_strnog")
                );
                assert_eq!(suggestions[0], "corr_strong");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cycles_are_detected() {
        let text = "[conditions.c]\nmeasure = \"x\"\nrising = 1\n\
                    [rules.a]\nall = [\"c\", \"b\"]\n\
                    [rules.b]\nany = [\"c\", \"d\"]\n\
                    [rules.d]\nnot = \"a\"\n";
        match err(text) {
            SignalsError::Cycle { cycle, line, .. } => {
                assert_eq!(cycle, ["a", "b", "d", "a"]);
                assert_eq!(line, 4);
            }
            other => panic!("{other:?}"),
        }
        let e = err("[conditions.c]\nmeasure = \"x\"\nrising = 1\n[rules.s]\nnot = \"s\"\n");
        assert!(e.to_string().contains("s -> s"), "{e}");
        // A diamond is not a cycle; rules evaluate after the rules they use.
        let ok = RuleSet::parse(
            "[conditions.c]\nmeasure = \"x\"\nrising = 1\n\
             [rules.top]\nall = [\"l\", \"r\"]\n[rules.l]\nnot = \"base\"\n\
             [rules.r]\nany = [\"base\"]\n[rules.base]\nall = [\"c\"]\n",
        )
        .unwrap();
        let pos = |name: &str| {
            let i = ok.rules().iter().position(|r| r.name == name).unwrap();
            ok.order().iter().position(|&o| o == i).unwrap()
        };
        assert!(pos("base") < pos("l") && pos("l") < pos("top") && pos("r") < pos("top"));
    }

    #[test]
    fn check_reports_unknown_measurements() {
        let set = RuleSet::parse(
            "[conditions.c]\nmeasure = \"close_a\"\nop = \">\"\nthan = \"resistence_a\"\n",
        )
        .unwrap();
        let m = documented_measurements(2);
        match set.check(&m).unwrap_err() {
            SignalsError::UnknownMeasurement {
                line,
                condition,
                measure,
                suggestions,
            } => {
                assert_eq!((line, condition.as_str()), (4, "c"));
                assert_eq!(measure, "resistence_a");
                assert_eq!(suggestions[0], "resistance_a");
            }
            other => panic!("{other:?}"),
        }
        let set = RuleSet::parse("[conditions.c]\n\nmeasure = \"corr_45\"\nrising = 1\n").unwrap();
        let e = set.check(&m).unwrap_err();
        assert!(matches!(
            &e,
            SignalsError::UnknownMeasurement { line: 3, .. }
        ));
        assert!(e.to_string().contains("corr_30"), "{e}");
    }

    #[test]
    fn numbers_and_strategy_table_are_accepted() {
        let set = RuleSet::parse(
            "[strategy]\nlong = \"r\"\n[conditions.c]\nmeasure = \"x\"\nop = \">=\"\nvalue = 1_000\n\
             [rules.r]\nall = [\"c\"]\n",
        )
        .unwrap();
        assert_eq!(
            set.conditions()[0].kind,
            ConditionKind::Compare {
                op: CompareOp::Ge,
                rhs: Operand::Value(1000.0)
            }
        );
        let e = err("[conditions.c]\nmeasure = \"x\"\nop = \">\"\nvalue = nan\n");
        assert!(e.to_string().contains("finite"), "{e}");
    }
}
