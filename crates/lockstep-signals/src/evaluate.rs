//! Evaluating a rule set on a measurement table: per date, per condition and per rule.

use lockstep_core::Date;
use serde::Serialize;

use crate::logic::Truth;
use crate::measurements::Measurements;
use crate::rules::{ConditionKind, Operand, Ref, RuleExpr, RuleSet};
use crate::util::fmt_opt;
use crate::Result;

/// One condition over all dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionSeries {
    /// Condition name.
    pub name: String,
    /// The measurement it tests.
    pub measure: String,
    /// The measured value at each date (`None` when missing).
    pub values: Vec<Option<f64>>,
    /// The state at each date.
    pub states: Vec<Truth>,
}

/// One rule over all dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSeries {
    /// Rule name.
    pub name: String,
    /// The state at each date.
    pub states: Vec<Truth>,
}

/// The state of one condition at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionState {
    /// Condition name.
    pub name: String,
    /// The measured value.
    pub value: Option<f64>,
    /// Its state.
    pub state: Truth,
}

/// The state of one rule at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleState {
    /// Rule name.
    pub name: String,
    /// Its state (`triggered` only when `True`).
    pub state: Truth,
    /// Whether the rule is `True`.
    pub triggered: bool,
}

/// Every condition and rule at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The date.
    pub date: Date,
    /// Conditions in file order.
    pub conditions: Vec<ConditionState>,
    /// Rules in file order.
    pub rules: Vec<RuleState>,
}

/// The result of [`RuleSet::evaluate`]: the state of every condition and rule at every date
/// of the measurement table. The state at date `t` depends only on measurements at dates
/// `≤ t`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The dates of the measurement table.
    pub dates: Vec<Date>,
    /// Conditions in file order.
    pub conditions: Vec<ConditionSeries>,
    /// Rules in file order.
    pub rules: Vec<RuleSeries>,
}

impl RuleSet {
    /// Evaluate every condition and rule at every date of `m` (after [`RuleSet::check`] and
    /// [`Measurements::validate`]).
    ///
    /// Conditions follow [`ConditionKind`]; rules combine with Kleene logic ([`Truth`]), so a
    /// rule with an `Unknown` input is `Unknown` (never triggered) unless the other inputs
    /// decide it (`all` with a `False`, `any` with a `True`).
    pub fn evaluate(&self, m: &Measurements) -> Result<Evaluation> {
        m.validate()?;
        self.check(m)?;
        let n = m.len();
        let conditions: Vec<ConditionSeries> = self
            .conditions()
            .iter()
            .map(|c| {
                let x = m.get(&c.measure).expect("checked");
                let states = (0..n)
                    .map(|t| match &c.kind {
                        ConditionKind::Compare { op, rhs } => {
                            let b = match rhs {
                                Operand::Value(v) => Some(*v),
                                Operand::Measure(name) => m.get(name).expect("checked")[t],
                            };
                            match (x[t], b) {
                                (Some(a), Some(b)) => Truth::from_bool(op.apply(a, b)),
                                _ => Truth::Unknown,
                            }
                        }
                        ConditionKind::Rising { lag } => lagged(x, t, *lag, |a, b| a > b),
                        ConditionKind::Falling { lag } => lagged(x, t, *lag, |a, b| a < b),
                        ConditionKind::CrossesBelow {
                            level,
                            after_above,
                            lookback,
                        } => crossing(
                            x,
                            t,
                            |prev, cur| prev >= *level && cur < *level,
                            after_above.map(|a| move |v: f64| v > a),
                            *lookback,
                        ),
                        ConditionKind::CrossesAbove {
                            level,
                            after_below,
                            lookback,
                        } => crossing(
                            x,
                            t,
                            |prev, cur| prev <= *level && cur > *level,
                            after_below.map(|b| move |v: f64| v < b),
                            *lookback,
                        ),
                    })
                    .collect();
                ConditionSeries {
                    name: c.name.clone(),
                    measure: c.measure.clone(),
                    values: x.to_vec(),
                    states,
                }
            })
            .collect();
        let rules = self.rules();
        let mut rule_states: Vec<Vec<Truth>> = vec![Vec::new(); rules.len()];
        for &i in self.order() {
            let input = |rf: &Ref, t: usize| match *rf {
                Ref::Cond(c) => conditions[c].states[t],
                Ref::Rule(r) => rule_states[r][t],
            };
            let states: Vec<Truth> = (0..n)
                .map(|t| {
                    let refs = &rules[i].refs;
                    match rules[i].expr {
                        RuleExpr::All(_) => Truth::all(refs.iter().map(|r| input(r, t))),
                        RuleExpr::Any(_) => Truth::any(refs.iter().map(|r| input(r, t))),
                        RuleExpr::Not(_) => !input(&refs[0], t),
                    }
                })
                .collect();
            rule_states[i] = states;
        }
        Ok(Evaluation {
            dates: m.dates.clone(),
            conditions,
            rules: rules
                .iter()
                .zip(rule_states)
                .map(|(r, states)| RuleSeries {
                    name: r.name.clone(),
                    states,
                })
                .collect(),
        })
    }
}

/// `test(x[t], x[t−lag])`, `Unknown` when either is missing or `t < lag`.
fn lagged(x: &[Option<f64>], t: usize, lag: usize, test: impl Fn(f64, f64) -> bool) -> Truth {
    if t < lag {
        return Truth::Unknown;
    }
    match (x[t], x[t - lag]) {
        (Some(a), Some(b)) => Truth::from_bool(test(a, b)),
        _ => Truth::Unknown,
    }
}

/// `cross(x[t−1], x[t])` AND (if `before` is given) OR over `s ∈ t−lookback ..= t−1` of
/// `before(x[s])`, in Kleene logic (positions before the first date count as missing).
fn crossing(
    x: &[Option<f64>],
    t: usize,
    cross: impl Fn(f64, f64) -> bool,
    before: Option<impl Fn(f64) -> bool>,
    lookback: usize,
) -> Truth {
    let crossed = if t == 0 {
        Truth::Unknown
    } else {
        match (x[t - 1], x[t]) {
            (Some(p), Some(c)) => Truth::from_bool(cross(p, c)),
            _ => Truth::Unknown,
        }
    };
    let Some(before) = before else {
        return crossed;
    };
    if crossed == Truth::False {
        return Truth::False;
    }
    let start = t.saturating_sub(lookback);
    let mut window = if t < lookback {
        Truth::Unknown
    } else {
        Truth::False
    };
    for v in &x[start..t] {
        window = window.or(match v {
            Some(v) => Truth::from_bool(before(*v)),
            None => Truth::Unknown,
        });
    }
    crossed.and(window)
}

impl Evaluation {
    /// The states of rule `name`.
    pub fn rule(&self, name: &str) -> Option<&[Truth]> {
        self.rules
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.states.as_slice())
    }

    /// The series of condition `name`.
    pub fn condition(&self, name: &str) -> Option<&ConditionSeries> {
        self.conditions.iter().find(|c| c.name == name)
    }

    /// The dates at which rule `name` turned `True` from not `True` (`False` or `Unknown`);
    /// the first date counts when the rule is `True` there. `None` for an unknown rule.
    pub fn triggers(&self, name: &str) -> Option<Vec<Date>> {
        let states = self.rule(name)?;
        Some(
            states
                .iter()
                .enumerate()
                .filter(|&(t, s)| s.is_true() && (t == 0 || !states[t - 1].is_true()))
                .map(|(t, _)| self.dates[t])
                .collect(),
        )
    }

    /// Every condition and rule at date index `t`.
    pub fn at(&self, t: usize) -> Option<Snapshot> {
        let date = *self.dates.get(t)?;
        Some(Snapshot {
            date,
            conditions: self
                .conditions
                .iter()
                .map(|c| ConditionState {
                    name: c.name.clone(),
                    value: c.values[t],
                    state: c.states[t],
                })
                .collect(),
            rules: self
                .rules
                .iter()
                .map(|r| RuleState {
                    name: r.name.clone(),
                    state: r.states[t],
                    triggered: r.states[t].is_true(),
                })
                .collect(),
        })
    }

    /// Every condition and rule at the last date (`None` when there are no dates).
    pub fn current(&self) -> Option<Snapshot> {
        self.at(self.dates.len().checked_sub(1)?)
    }

    /// CSV, one row per date: `date`, then for each condition `<name>` (the measured value,
    /// shortest round-trip decimal, empty when missing) and `<name>_state`
    /// (`true`/`false`/`unknown`), then for each rule `rule:<name>` (its state).
    pub fn csv(&self) -> String {
        let mut out = String::from("date");
        for c in &self.conditions {
            out.push_str(&format!(",{0},{0}_state", c.name));
        }
        for r in &self.rules {
            out.push_str(&format!(",rule:{}", r.name));
        }
        out.push('\n');
        for (t, d) in self.dates.iter().enumerate() {
            out.push_str(&d.to_string());
            for c in &self.conditions {
                out.push(',');
                out.push_str(&fmt_opt(c.values[t]));
                out.push(',');
                out.push_str(c.states[t].as_str());
            }
            for r in &self.rules {
                out.push(',');
                out.push_str(r.states[t].as_str());
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::days;
    use crate::Truth::{False as F, True as T, Unknown as U};

    fn table(cols: &[(&str, Vec<Option<f64>>)]) -> Measurements {
        let mut m = Measurements::new(days(cols[0].1.len())).unwrap();
        for (name, v) in cols {
            m.insert_opt(*name, v.clone()).unwrap();
        }
        m
    }

    #[test]
    fn comparisons_and_lags() {
        let x = vec![Some(1.0), Some(2.0), None, Some(1.5), Some(3.0)];
        let y = vec![Some(0.0), Some(3.0), Some(1.0), None, Some(3.0)];
        let m = table(&[("x", x), ("y", y)]);
        let set = RuleSet::parse(
            "[conditions.gt]\nmeasure = \"x\"\nop = \">\"\nvalue = 1.5\n\
             [conditions.ge_y]\nmeasure = \"x\"\nop = \">=\"\nthan = \"y\"\n\
             [conditions.up]\nmeasure = \"x\"\nrising = 1\n\
             [conditions.down2]\nmeasure = \"x\"\nfalling = 2\n",
        )
        .unwrap();
        let ev = set.evaluate(&m).unwrap();
        let st = |n: &str| ev.condition(n).unwrap().states.clone();
        assert_eq!(st("gt"), [F, T, U, F, T]);
        assert_eq!(st("ge_y"), [T, F, U, U, T]);
        assert_eq!(st("up"), [U, T, U, U, T]);
        // t=2: x[2] missing; t=3: x[1]=2 > 1.5 → falling; t=4: x[2] missing.
        assert_eq!(st("down2"), [U, U, U, T, U]);
        assert_eq!(ev.condition("gt").unwrap().values[2], None);
    }

    #[test]
    fn crossing_after_a_level() {
        // corr: 0.6 0.4 0.3 0.1 0.3 0.1
        let c = [0.6, 0.4, 0.3, 0.1, 0.3, 0.1].map(Some).to_vec();
        let m = table(&[("corr", c)]);
        let set = RuleSet::parse(
            "[conditions.collapse]\nmeasure = \"corr\"\ncrosses_below = 0.2\nafter_above = 0.5\nlookback = 3\n\
             [conditions.plain]\nmeasure = \"corr\"\ncrosses_below = 0.2\n\
             [conditions.up]\nmeasure = \"corr\"\ncrosses_above = 0.2\n",
        )
        .unwrap();
        let ev = set.evaluate(&m).unwrap();
        let st = |n: &str| ev.condition(n).unwrap().states.clone();
        assert_eq!(st("plain"), [U, F, F, T, F, T]);
        assert_eq!(st("up"), [U, F, F, F, T, F]);
        // t=3: window t−3..=t−1 = [0.6, 0.4, 0.3] has 0.6 > 0.5 → True.
        // t=5: window [0.3, 0.1, 0.3] → False.
        assert_eq!(st("collapse"), [U, F, F, T, F, F]);
        // A window reaching before the first date without a hit is Unknown.
        let m = table(&[("corr", [0.3, 0.1].map(Some).to_vec())]);
        let ev = set.evaluate(&m).unwrap();
        assert_eq!(ev.condition("collapse").unwrap().states, [U, U]);
        // A missing value in the window without a hit is Unknown too.
        let m = table(&[(
            "corr",
            vec![Some(0.3), None, Some(0.3), Some(0.3), Some(0.1)],
        )]);
        let ev = set.evaluate(&m).unwrap();
        assert_eq!(ev.condition("collapse").unwrap().states[4], U);
    }

    #[test]
    fn rules_use_kleene_logic_and_unknown_never_triggers() {
        // a: T F U, b: U U U (all missing)
        let m = table(&[
            ("a", vec![Some(1.0), Some(-1.0), None]),
            ("b", vec![None, None, None]),
        ]);
        let set = RuleSet::parse(
            "[conditions.a]\nmeasure = \"a\"\nop = \">\"\nvalue = 0\n\
             [conditions.b]\nmeasure = \"b\"\nop = \">\"\nvalue = 0\n\
             [rules.all]\nall = [\"a\", \"b\"]\n\
             [rules.any]\nany = [\"a\", \"b\"]\n\
             [rules.not_a]\nnot = \"a\"\n\
             [rules.nested]\nany = [\"not_a\", \"all\"]\n",
        )
        .unwrap();
        let ev = set.evaluate(&m).unwrap();
        assert_eq!(ev.rule("all").unwrap(), [U, F, U]);
        assert_eq!(ev.rule("any").unwrap(), [T, U, U]);
        assert_eq!(ev.rule("not_a").unwrap(), [F, T, U]);
        assert_eq!(ev.rule("nested").unwrap(), [U, T, U]);
        assert_eq!(ev.triggers("all").unwrap(), Vec::<Date>::new());
        assert_eq!(ev.triggers("any").unwrap(), vec![m.dates[0]]);
        assert_eq!(ev.triggers("nested").unwrap(), vec![m.dates[1]]);
        assert!(ev.triggers("nope").is_none());
        let now = ev.current().unwrap();
        assert_eq!(now.date, m.dates[2]);
        assert!(now.rules.iter().all(|r| r.state == U && !r.triggered));
    }

    #[test]
    fn builtin_set_on_missing_liquidity_is_not_triggered() {
        let mut m = crate::rules::tests_support::documented(8);
        // Everything favourable, but no liquidity data.
        m = crate::rules::tests_support::with_column(&m, "liquidity_change_4w", vec![None; 8]);
        let ev = RuleSet::builtin().evaluate(&m).unwrap();
        let sb = ev.rule("synchronized-breakout").unwrap();
        assert!(sb.iter().all(|s| !s.is_true()));
        assert_eq!(sb[7], U);
        // With liquidity data the same table triggers once RSI has 5 days of history.
        let m = crate::rules::tests_support::documented(8);
        let ev = RuleSet::builtin().evaluate(&m).unwrap();
        assert_eq!(
            ev.rule("synchronized-breakout").unwrap(),
            [U, U, U, U, U, T, T, T]
        );
        assert_eq!(
            ev.triggers("synchronized-breakout").unwrap(),
            vec![m.dates[5]]
        );
        // close_b 2 > sma200_b 1, correlation flat at 0.8: no risk reduction after day 0
        // (day 0: the correlation crossing needs the previous day → Unknown).
        assert_eq!(ev.rule("risk-reduction").unwrap()[..3], [U, F, F]);
        assert_eq!(ev.rule("strong-b").unwrap()[0], T);
    }

    #[test]
    fn csv_and_json() {
        let m = table(&[("x", vec![Some(0.5), None])]);
        let set = RuleSet::parse(
            "[conditions.pos]\nmeasure = \"x\"\nop = \">\"\nvalue = 0\n[rules.r]\nnot = \"pos\"\n",
        )
        .unwrap();
        let ev = set.evaluate(&m).unwrap();
        assert_eq!(
            ev.csv(),
            "date,pos,pos_state,rule:r\n2020-01-01,0.5,true,false\n2020-01-02,,unknown,unknown\n"
        );
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["rules"][0]["states"][1], "unknown");
        assert_eq!(json["conditions"][0]["values"][1], serde_json::Value::Null);
        assert_eq!(json["dates"][0], "2020-01-01");
    }

    #[test]
    fn evaluate_checks_measurements() {
        let m = table(&[("x", vec![Some(1.0)])]);
        let set = RuleSet::parse("[conditions.c]\nmeasure = \"y\"\nrising = 1\n").unwrap();
        assert!(matches!(
            set.evaluate(&m),
            Err(crate::SignalsError::UnknownMeasurement { .. })
        ));
    }
}
