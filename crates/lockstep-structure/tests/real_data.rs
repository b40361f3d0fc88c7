//! Smoke tests on the real exports in `../shared/data` (next to the workspace), when that
//! folder exists: structural invariants of every result, and the counts printed (uncaptured)
//! for the record.

use std::io::Write;
use std::path::PathBuf;

use lockstep_core::{align, Align, PriceSeries, ReturnKind};
use lockstep_structure::{
    bottoming, breadth, breakouts, cup_handle, key_levels, levels, macd_cross_together,
    ratio_trend, relative_strength, rsi_rising_together, CupParams, CupState, Direction, LevelKind,
    LevelParams, DEFAULT_PER_SIDE,
};

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        say("skipping: ../shared/data not found");
        None
    }
}

fn read(dir: &std::path::Path, name: &str) -> Option<PriceSeries> {
    let path = dir.join(name);
    if !path.is_file() {
        say(&format!("skipping {name}: not in ../shared/data"));
        return None;
    }
    let r = lockstep_data::read_csv(&path, &lockstep_data::CsvOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(r.series)
}

fn check_levels_and_breakouts(s: &PriceSeries) {
    let p = LevelParams::default();
    let lv = levels(s, &p).unwrap();
    let last = *s.price.last().unwrap();
    assert!(!lv.is_empty(), "{}: no level", s.name);
    for l in &lv {
        assert!(l.touches >= p.min_touches);
        assert!(l.first_touch <= l.last_touch);
        assert!(l.price.is_finite() && l.price > 0.0);
        assert_eq!(l.kind == LevelKind::Support, l.price < last);
        assert!(((l.price / last - 1.0) * 100.0 - l.distance_pct).abs() < 1e-9);
    }
    assert!(lv.windows(2).all(|w| w[0].score.score >= w[1].score.score));
    let b = breakouts(s, &p).unwrap();
    assert!(b.windows(2).all(|w| w[0].date <= w[1].date));
    for e in &b {
        assert_eq!(e.confirmed, e.volume_ratio.is_some_and(|r| r > 1.0));
        assert!(e.margin > 0.0);
        match e.direction {
            Direction::Up => assert!(e.close > e.level + e.margin),
            Direction::Down => assert!(e.close < e.level - e.margin),
        }
    }
    let near: Vec<String> = key_levels(&lv, DEFAULT_PER_SIDE)
        .iter()
        .map(|l| {
            format!(
                "{:.2} ({:?}, {} touches, {:+.1}%, score {:.3})",
                l.price, l.kind, l.touches, l.distance_pct, l.score.score
            )
        })
        .collect();
    say(&format!(
        "{}: {} bars, {} levels (key: {}), {} breakouts ({} volume-confirmed, {} unconfirmed), last {:?}",
        s.name,
        s.len(),
        lv.len(),
        near.join("; "),
        b.len(),
        b.iter().filter(|e| e.confirmed).count(),
        b.iter().filter(|e| !e.confirmed).count(),
        b.last().map(|e| (e.date, e.direction, e.level)),
    ));
}

fn check_cups(s: &PriceSeries) {
    let p = CupParams::default();
    let cups = cup_handle(s, &p).unwrap();
    for c in &cups {
        assert!(
            c.left_rim.0 < c.bottom.0 && c.bottom.0 < c.right_rim.0,
            "{c:?}"
        );
        assert!(c.depth_pct >= p.min_depth_pct && c.depth_pct <= p.max_depth_pct);
        assert!((c.right_rim.1 / c.left_rim.1 - 1.0).abs() * 100.0 <= p.rim_tolerance_pct + 1e-9);
        assert!(c.cup_bars >= p.min_cup_bars && c.cup_bars <= p.max_cup_bars);
        assert_eq!(c.rim_level, c.left_rim.1.max(c.right_rim.1));
        if let Some((d, v)) = c.handle_low {
            assert!(d > c.right_rim.0 && v <= c.right_rim.1);
        }
        match c.state {
            CupState::Confirmed { breakout } => {
                assert!(breakout > c.right_rim.0);
                assert!(c.handle_bars >= p.min_handle_bars);
                assert!(s.price_on(breakout).unwrap() > c.rim_level);
            }
            CupState::Failed { date } => assert!(date > c.right_rim.0),
            CupState::Forming => {}
        }
    }
    for w in cups.windows(2) {
        let end = match w[0].state {
            CupState::Confirmed { breakout } => breakout,
            CupState::Failed { date } => date,
            CupState::Forming => panic!("only the last pattern can be forming"),
        };
        assert!(end < w[1].left_rim.0, "overlap: {w:?}");
    }
    let count = |f: fn(&CupState) -> bool| cups.iter().filter(|c| f(&c.state)).count();
    say(&format!(
        "{}: {} cup-and-handles ({} confirmed, {} failed, {} forming); {:?}",
        s.name,
        cups.len(),
        count(|s| matches!(s, CupState::Confirmed { .. })),
        count(|s| matches!(s, CupState::Failed { .. })),
        count(|s| matches!(s, CupState::Forming)),
        cups.iter()
            .map(|c| (
                c.left_rim.0,
                c.right_rim.0,
                (c.depth_pct * 10.0).round() / 10.0,
                c.state
            ))
            .collect::<Vec<_>>(),
    ));
}

#[test]
fn eth_usd_structure() {
    let Some(dir) = data_dir() else { return };
    let Some(s) = read(&dir, "ETH-USD.daily.csv") else {
        return;
    };
    check_levels_and_breakouts(&s);
    check_cups(&s);
}

#[test]
fn rut_structure() {
    let Some(dir) = data_dir() else { return };
    let Some(s) = read(&dir, "RUT.daily.csv") else {
        return;
    };
    check_levels_and_breakouts(&s);
    check_cups(&s);
}

#[test]
fn pair_momentum_ratio_and_breadth() {
    let Some(dir) = data_dir() else { return };
    let (Some(iwm), Some(qqq), Some(rut), Some(gld)) = (
        read(&dir, "IWM.daily.csv"),
        read(&dir, "QQQ.daily.csv"),
        read(&dir, "RUT.daily.csv"),
        read(&dir, "GLD.daily.csv"),
    ) else {
        return;
    };
    let al = align(&iwm, &qqq, Align::Inner, ReturnKind::Log).unwrap();
    let rsi = rsi_rising_together(&al.a, &al.b, &al.dates, 14, 5).unwrap();
    assert!(rsi.windows(2).all(|w| w[0].end < w[1].start));
    let macd = macd_cross_together(&al.a, &al.b, &al.dates, (12, 26, 9), 3).unwrap();
    assert!(macd.iter().all(|e| e.lag.unsigned_abs() <= 3));
    let ratio: Vec<f64> = al.a.iter().zip(&al.b).map(|(a, b)| a / b).collect();
    let tr = ratio_trend(&al.dates, &ratio, 200, 30).unwrap();
    let bt = bottoming(&al.dates, &ratio, 365, 14).unwrap();
    let rs = relative_strength(&al.dates, &al.a, &al.b, 50).unwrap();
    assert_eq!(rs.points.len(), al.dates.len());
    let grid = rut.dates[rut.len().saturating_sub(1000)..].to_vec();
    let br = breadth(&[&iwm, &qqq, &rut, &gld], &grid).unwrap();
    for p in &br {
        for share in [p.above_50, p.above_200].into_iter().flatten() {
            assert!((0.0..=1.0).contains(&share));
        }
        assert!(p.advances + p.declines <= 4);
    }
    say(&format!(
        "IWM/QQQ ({} days): {} RSI-rising runs, {} joint MACD crosses; ratio {:.4}, slope {:+.3}%/day, {:+.1}% vs MA200; bottoming {:?}; RS trend {:?}; breadth last {:?}",
        al.dates.len(),
        rsi.len(),
        macd.len(),
        tr.last,
        tr.slope_pct_per_day,
        tr.distance_from_ma_pct,
        bt.map(|b| (b.low1, b.low2, b.confirmed)),
        rs.trend,
        br.last().map(|p| (p.date, p.above_50, p.above_200, p.ad_line)),
    ));
}
