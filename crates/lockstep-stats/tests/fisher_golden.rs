//! Fisher-z confidence intervals against scipy (`test_data/golden/fisher_z.csv`, written by
//! `scripts/golden.py` from `scipy.stats.pearsonr(..).confidence_interval(0.95)`).

use lockstep_stats::fisher_interval;

#[test]
fn fisher_interval_matches_scipy() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test_data/golden/fisher_z.csv"
    );
    let text = std::fs::read_to_string(path).expect("golden file is committed");
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
        let (lo, hi) = fisher_interval(v[0], v[1], 0.95).unwrap().unwrap();
        assert!(
            (lo - v[2]).abs() <= 1e-15 && (hi - v[3]).abs() <= 1e-15,
            "{line}: {lo} {hi}"
        );
        rows += 1;
    }
    assert_eq!(rows, 45);
}
