//! Look-ahead: changing or removing any data after date `t` changes no condition or rule
//! state, position, return or equity on or before `t`.
//!
//! (`lockstep_signals::Strategy` is imported as `Positions`: proptest's prelude has a
//! `Strategy` trait.)

use lockstep_core::Date;
use lockstep_signals::Strategy as Positions;
use lockstep_signals::{
    backtest, BacktestOptions, BacktestResult, Evaluation, Measurements, RuleSet,
};
use proptest::prelude::*;

const RULES: &str = r#"
[conditions.x_pos]
measure = "x"
op = ">"
value = 0.0
[conditions.x_over_y]
measure = "x"
op = ">="
than = "y"
[conditions.y_up]
measure = "y"
rising = 3
[conditions.z_down]
measure = "z"
falling = 2
[conditions.x_collapse]
measure = "x"
crosses_below = 0.2
after_above = 0.5
lookback = 5
[conditions.z_recover]
measure = "z"
crosses_above = -0.3
after_below = -0.6
lookback = 4
[rules.core]
all = ["x_pos", "x_over_y"]
[rules.long]
any = ["core", "y_up", "z_recover"]
[rules.calm]
not = "z_down"
[rules.flat]
any = ["x_collapse", "danger"]
[rules.danger]
all = ["calm", "x_over_y", "z_down"]
[rules.short]
all = ["z_down", "x_collapse"]
"#;

const COLUMNS: [&str; 3] = ["x", "y", "z"];

fn days(n: usize) -> Vec<Date> {
    let d0 = Date::from_ymd_opt(2022, 3, 1).unwrap();
    (0..n).map(|i| d0 + chrono::Days::new(i as u64)).collect()
}

fn table(cols: &[Vec<Option<f64>>]) -> Measurements {
    let mut m = Measurements::new(days(cols[0].len())).unwrap();
    for (name, v) in COLUMNS.iter().zip(cols) {
        m.insert_opt(*name, v.clone()).unwrap();
    }
    m
}

fn prices(steps: &[f64]) -> Vec<f64> {
    let mut p = 100.0;
    steps
        .iter()
        .map(|s| {
            p *= s;
            p
        })
        .collect()
}

fn run(m: &Measurements, p: &[f64], s: &Positions) -> (Evaluation, BacktestResult) {
    let ev = RuleSet::parse(RULES).unwrap().evaluate(m).unwrap();
    let opts = BacktestOptions {
        periods_per_year: 365.0,
        split: None,
    };
    let res = backtest(p, &ev, s, &opts).unwrap();
    (ev, res)
}

fn assert_prefix_equal(
    a: &(Evaluation, BacktestResult),
    b: &(Evaluation, BacktestResult),
    t: usize,
) {
    for (ca, cb) in a.0.conditions.iter().zip(&b.0.conditions) {
        assert_eq!(ca.states[..=t], cb.states[..=t], "condition {}", ca.name);
        assert_eq!(ca.values[..=t], cb.values[..=t], "condition {}", ca.name);
    }
    for (ra, rb) in a.0.rules.iter().zip(&b.0.rules) {
        assert_eq!(ra.states[..=t], rb.states[..=t], "rule {}", ra.name);
    }
    // Exact equality: the same arithmetic on the same inputs.
    assert_eq!(a.1.rows[..=t], b.1.rows[..=t]);
}

fn value() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![1 => Just(None), 6 => (-1.0..1.0f64).prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn nothing_after_t_matters(
        (n, a, b, steps_a, steps_b, t) in (4usize..60).prop_flat_map(|n| (
            Just(n),
            proptest::collection::vec(proptest::collection::vec(value(), n), 3),
            proptest::collection::vec(proptest::collection::vec(value(), n), 3),
            proptest::collection::vec(0.8..1.25f64, n),
            proptest::collection::vec(0.8..1.25f64, n),
            0..n,
        )),
        delay in 0usize..4,
        hold in any::<bool>(),
        allow_short in any::<bool>(),
        fees in 0.0..30.0f64,
    ) {
        let s = Positions {
            long: Some("long".into()),
            flat: Some("flat".into()),
            short: allow_short.then(|| "short".to_string()),
            allow_short,
            short_weight: 0.5,
            hold,
            delay,
            fees_bps: fees,
            slippage_bps: 2.0,
            ..Positions::default()
        };
        let p = prices(&steps_a);
        let full = run(&table(&a), &p, &s);
        // Truncated at the close of t.
        let cut = run(&table(&a).truncated(t + 1), &p[..=t], &s);
        assert_prefix_equal(&full, &cut, t);
        prop_assert_eq!(cut.1.rows.len(), t + 1);
        // Everything after t replaced by other data.
        let spliced: Vec<Vec<Option<f64>>> = a.iter().zip(&b)
            .map(|(ca, cb)| ca[..=t].iter().chain(&cb[t + 1..]).copied().collect())
            .collect();
        let mixed_steps: Vec<f64> = steps_a[..=t].iter().chain(&steps_b[t + 1..]).copied().collect();
        let other = run(&table(&spliced), &prices(&mixed_steps), &s);
        assert_prefix_equal(&full, &other, t);
        prop_assert_eq!(other.1.rows.len(), n);
    }
}
