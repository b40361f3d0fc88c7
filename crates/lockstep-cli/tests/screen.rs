//! End-to-end tests of `lockstep screen`: every pair's latest correlation equals the `corr`
//! command's on the same files, the month-ago value is the one dated 30 days earlier, a
//! folder works as a universe, and errors.

mod common;

use common::*;

#[test]
fn screen_agrees_with_corr_pair_by_pair() {
    let dir = Dir::new();
    let folder = dir.0.path().join("universe");
    std::fs::create_dir(&folder).unwrap();
    // Three every-day series and one on weekdays: pairs align on their own common dates.
    let b = noise(400, 7);
    let specs: [(&str, Vec<f64>, bool); 4] = [
        (
            "aaa",
            b.iter()
                .zip(noise(400, 1))
                .map(|(b, e)| 0.8 * b + 0.6 * e)
                .collect(),
            false,
        ),
        ("bbb", b.clone(), false),
        ("ccc", noise(400, 3), false),
        (
            "ddd",
            b.iter()
                .zip(noise(400, 4))
                .map(|(b, e)| 0.5 * b + e)
                .collect(),
            true,
        ),
    ];
    for (name, rets, weekdays) in &specs {
        let s = Series::daily("2024-01-01", rets, *weekdays);
        std::fs::write(folder.join(format!("{name}.csv")), s.csv()).unwrap();
    }
    let (h, rows) = parse_csv(&ok_stdout(&[
        "screen",
        s(&folder),
        "--window",
        "30",
        "--format",
        "csv",
    ]));
    assert_eq!(
        h,
        [
            "a",
            "b",
            "common_dates",
            "date",
            "corr",
            "corr_1m",
            "change"
        ]
    );
    assert_eq!(rows.len(), 6);
    for r in &rows {
        let fa = folder.join(format!("{}.csv", r[0]));
        let fb = folder.join(format!("{}.csv", r[1]));
        let (ch, crows) = parse_csv(&ok_stdout(&[
            "corr",
            s(&fa),
            s(&fb),
            "--window",
            "30",
            "--format",
            "csv",
        ]));
        assert_eq!(r[2], crows.len().to_string(), "common dates of {r:?}");
        let last = &crows[crows.len() - 1];
        assert_eq!(r[3], last[0]);
        let c = col(&ch, "corr_30");
        assert!(
            (num(&r[4]) - num(&last[c])).abs() < 1e-12,
            "{r:?} vs {last:?}"
        );
        // One month earlier: the latest value dated on or before date - 30 days.
        let cutoff = civil(day(&r[3]) - 30);
        let then = crows.iter().rev().find(|x| x[0] <= cutoff).unwrap();
        assert!(
            (num(&r[5]) - num(&then[c])).abs() < 1e-12,
            "{r:?} vs {then:?}"
        );
        assert!((num(&r[6]) - (num(&r[4]) - num(&r[5]))).abs() < 1e-15);
    }
    let table = ok_stdout(&["screen", s(&folder), "--window", "30", "--top", "2"]);
    assert!(table.contains("Most correlated (2)"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    // Files given one by one give the same screen.
    let files: Vec<String> = ["aaa", "bbb"]
        .iter()
        .map(|n| {
            folder
                .join(format!("{n}.csv"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let (_, two) = parse_csv(&ok_stdout(&[
        "screen", &files[0], &files[1], "--window", "30", "--format", "csv",
    ]));
    assert_eq!(two, rows[..1]);
    let err = fails(&["screen", &files[0]]);
    assert!(err.contains("at least two series"), "{err}");
    let err = usage(&["screen", &files[0], &files[1], "--window", "1"]);
    assert!(err.contains("--window"), "{err}");
}
