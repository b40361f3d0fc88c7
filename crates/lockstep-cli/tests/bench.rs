//! `lockstep bench`: every kernel and output mode runs and reports its timing; inputs from
//! files are checked.

mod common;

use common::{fails, ok_stdout, s, usage, Dir};

#[test]
fn bench_times_every_kernel_and_mode() {
    let out = ok_stdout(&[
        "bench",
        "--n",
        "5000",
        "--reps",
        "1",
        "--mode",
        "reused,new,fresh,mapped,option",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 5 * 5);
    for r in &rows {
        assert_eq!(r["n"], 5000);
        assert!(r["ns_per_element"].as_f64().unwrap() > 0.0, "{r}");
        assert!(r["checksum"].as_f64().unwrap().is_finite(), "{r}");
    }
    // The parallel modes of corr and beta, with the threads they used; refused for the
    // indicators.
    let out = ok_stdout(&[
        "bench",
        "corr",
        "beta",
        "--n",
        "70000",
        "--reps",
        "1",
        "--mode",
        "reused,reused-all,new,new1",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 2 * 4);
    for r in &rows {
        let t = r["threads"].as_u64().unwrap();
        match r["mode"].as_str().unwrap() {
            "reused" | "new1" => assert_eq!(t, 1, "{r}"),
            _ => assert!((1..=2).contains(&t), "{r}"),
        }
    }
    let e = fails(&["bench", "ema", "--n", "1000", "--mode", "new1"]);
    assert!(e.contains("corr and beta only"), "{e}");
    let table = ok_stdout(&[
        "bench", "corr", "--n", "2000", "--reps", "1", "--mode", "stream",
    ]);
    assert!(
        table.contains("corr w=90") && table.contains("stream"),
        "{table}"
    );
}

#[test]
fn bench_reads_little_endian_files() {
    let dir = Dir::new();
    let bytes = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let x: Vec<f64> = (0..500).map(|i| (i as f64 * 0.37).sin()).collect();
    let y: Vec<f64> = (0..500).map(|i| (i as f64 * 0.21).cos()).collect();
    let fx = dir.0.path().join("x.f64");
    let fy = dir.0.path().join("y.f64");
    std::fs::write(&fx, bytes(&x)).unwrap();
    std::fs::write(&fy, bytes(&y)).unwrap();
    let out = ok_stdout(&[
        "bench",
        "beta",
        "--x",
        s(&fx),
        "--y",
        s(&fy),
        "--reps",
        "1",
        "--format",
        "csv",
    ]);
    assert!(
        out.starts_with("kernel,mode,n,best_s,ns_per_element,threads\n"),
        "{out}"
    );
    assert!(out.contains("beta,reused,500,"), "{out}");
    assert!(out.contains("beta,new,500,"), "{out}");
    let e = fails(&["bench", "corr", "--x", s(&fx), "--reps", "1"]);
    assert!(e.contains("--y"), "{e}");
    std::fs::write(&fy, [0u8; 7]).unwrap();
    let e = fails(&["bench", "corr", "--x", s(&fx), "--y", s(&fy)]);
    assert!(e.contains("not a whole number"), "{e}");
    let e = usage(&["bench", "--n", "10"]);
    assert!(e.contains("--n"), "{e}");
}
