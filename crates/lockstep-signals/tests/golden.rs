//! `return_stats` against values computed in Python (numpy reference formulas, empyrical,
//! quantstats) by `scripts/golden_metrics.py`, to 1e-12.

use lockstep_signals::return_stats;
use serde_json::Value;

const GOLDEN: &str = include_str!("../test_data/metrics_golden.json");

fn check(source: &str, expected: &Value, got: &lockstep_signals::ReturnStats, ppy: f64) -> usize {
    let Some(map) = expected.as_object() else {
        return 0; // library not installed when the file was generated
    };
    let mut checked = 0;
    for (key, want) in map {
        let want = want.as_f64().unwrap();
        let have = match key.as_str() {
            "total_return" => got.total_return,
            "cagr" => got.cagr,
            "volatility" => got.volatility,
            "sharpe" => got.sharpe,
            "sortino" => got.sortino,
            "max_drawdown" => got.max_drawdown,
            "calmar" => got.calmar,
            other => panic!("unexpected key {other}"),
        }
        .unwrap_or_else(|| panic!("{source} {key} undefined"));
        assert!(
            (have - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{source} {key} (ppy {ppy}): {have} vs {want}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn metrics_match_python_golden_values() {
    let doc: Value = serde_json::from_str(GOLDEN).unwrap();
    let returns: Vec<f64> = doc["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(returns.len(), 500);
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let ppy = case["periods_per_year"].as_f64().unwrap();
        let got = return_stats(&returns, ppy);
        assert_eq!(got.periods, 500);
        for source in ["reference", "empyrical", "quantstats"] {
            checked += check(source, &case[source], &got, ppy);
        }
    }
    // Reference formulas always; empyrical and quantstats were available when generated.
    assert!(checked >= 14, "only {checked} values checked");
}
