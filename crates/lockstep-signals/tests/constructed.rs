//! Backtests on constructed series where the right answer is known.

use lockstep_core::Date;
use lockstep_signals::{backtest, BacktestOptions, Measurements, RuleSet, Strategy, Truth};

fn days(n: usize) -> Vec<Date> {
    let d0 = Date::from_ymd_opt(2021, 1, 1).unwrap();
    (0..n).map(|i| d0 + chrono::Days::new(i as u64)).collect()
}

/// A wiggly positive price path.
fn prices(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 100.0 * (1.0 + 0.3 * (i as f64 * 0.7).sin()) * (1.0 + 0.01 * i as f64))
        .collect()
}

const ALWAYS: &str = "[conditions.t]\nmeasure = \"close_a\"\nop = \">\"\nvalue = 0\n\
                      [rules.always]\nall = [\"t\"]\n";

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
}

#[test]
fn always_true_rule_is_buy_and_hold_minus_fees() {
    let n = 40;
    let p = prices(n);
    let mut m = Measurements::new(days(n)).unwrap();
    m.insert("close_a", &p).unwrap();
    let ev = RuleSet::parse(ALWAYS).unwrap().evaluate(&m).unwrap();
    assert!(ev.rule("always").unwrap().iter().all(|s| *s == Truth::True));
    let opts = BacktestOptions {
        periods_per_year: 365.0,
        split: None,
    };
    // 10 bps fees + 5 bps slippage on the single entry trade of size 1: c = 0.0015.
    let c = 0.0015;
    for delay in [0, 1] {
        let s = Strategy {
            long: Some("always".into()),
            delay,
            fees_bps: 10.0,
            slippage_bps: 5.0,
            ..Strategy::default()
        };
        let res = backtest(&p, &ev, &s, &opts).unwrap();
        let st = &res.full.strategy;
        assert_eq!(st.trades, 1, "delay {delay}");
        assert_eq!(st.periods, n - 1);
        for (i, row) in res.rows.iter().enumerate() {
            if delay == 0 {
                // Bought at the first close: every later equity is B&H times (1 − c).
                assert_eq!(row.position, 1.0);
                let want = if i == 0 { 1.0 } else { (1.0 - c) * p[i] / p[0] };
                close(row.equity, want);
            } else {
                // Signal at the first close, bought at the second: B&H from there, times (1 − c).
                assert_eq!(row.position, if i == 0 { 0.0 } else { 1.0 });
                let want = if i == 0 { 1.0 } else { (1.0 - c) * p[i] / p[1] };
                close(row.equity, want);
            }
            close(row.benchmark_equity, p[i] / p[0]);
            let peak = p[..=i].iter().copied().fold(f64::MIN, f64::max);
            close(row.benchmark_drawdown, p[i] / peak - 1.0);
        }
        if delay == 1 {
            // The entry day earns nothing and pays the fee: exactly −15 bps.
            close(res.rows[1].ret.unwrap(), -0.0015);
        } else {
            close(res.rows[1].ret.unwrap(), (1.0 - c) * p[1] / p[0] - 1.0);
        }
        // From the third date on, the daily returns are A's returns exactly.
        for i in 2..n {
            close(res.rows[i].ret.unwrap(), p[i] / p[i - 1] - 1.0);
        }
        // Without costs and delay 0 the strategy is buy-and-hold.
        let free = Strategy {
            fees_bps: 0.0,
            slippage_bps: 0.0,
            ..s.clone()
        };
        let res0 = backtest(&p, &ev, &free, &opts).unwrap();
        if delay == 0 {
            let (a, b) = (&res0.full.strategy, &res0.full.buy_and_hold);
            close(a.total_return.unwrap(), b.total_return.unwrap());
            close(a.sharpe.unwrap(), b.sharpe.unwrap());
            close(a.max_drawdown.unwrap(), b.max_drawdown.unwrap());
            assert_eq!(
                (a.exposure, a.trades, a.hit_rate),
                (b.exposure, b.trades, b.hit_rate)
            );
        }
    }
}

#[test]
fn never_true_rule_stays_flat() {
    let n = 10;
    let p = prices(n);
    let mut m = Measurements::new(days(n)).unwrap();
    m.insert("close_a", &p).unwrap();
    let set = RuleSet::parse(
        "[conditions.t]\nmeasure = \"close_a\"\nop = \"<\"\nvalue = 0\n[rules.never]\nall = [\"t\"]\n",
    )
    .unwrap();
    let ev = set.evaluate(&m).unwrap();
    let s = Strategy {
        long: Some("never".into()),
        fees_bps: 10.0,
        ..Strategy::default()
    };
    let res = backtest(
        &p,
        &ev,
        &s,
        &BacktestOptions {
            periods_per_year: 252.0,
            split: None,
        },
    )
    .unwrap();
    assert!(res
        .rows
        .iter()
        .all(|r| r.position == 0.0 && r.equity == 1.0));
    let st = &res.full.strategy;
    assert_eq!((st.trades, st.exposure, st.hit_rate), (0, Some(0.0), None));
    assert_eq!(st.total_return, Some(0.0));
    assert_eq!(st.sharpe, None);
}

#[test]
fn overlay_follows_strong_b_and_risk_reduction() {
    // 12 days. corr_30 0.8 throughout except a collapse to 0.1 on day 8;
    // close_b above sma200_b on days 0–4, below on day 5, above again from day 6.
    let n = 12;
    let mut m = Measurements::new(days(n)).unwrap();
    let corr: Vec<f64> = (0..n).map(|i| if i == 8 { 0.1 } else { 0.8 }).collect();
    let close_b: Vec<f64> = (0..n).map(|i| if i == 5 { 90.0 } else { 110.0 }).collect();
    m.insert("corr_30", &corr).unwrap();
    m.insert("close_b", &close_b).unwrap();
    m.insert("sma200_b", &[100.0; 12]).unwrap();
    for name in [
        "close_a",
        "rsi_a",
        "rsi_b",
        "rel_volume_a",
        "liquidity_change_4w",
        "breakout_up_a",
    ] {
        m.insert(name, &[1.0; 12]).unwrap();
    }
    let ev = RuleSet::builtin().evaluate(&m).unwrap();
    let rr = ev.rule("risk-reduction").unwrap();
    // Day 0: below_ma_b False, the correlation crossing needs day −1 → Unknown.
    // Day 8: corr 0.8 → 0.1 after being above 0.5 → True.
    let expect_rr: Vec<Truth> = (0..n)
        .map(|i| match i {
            0 => Truth::Unknown,
            5 | 8 => Truth::True,
            _ => Truth::False,
        })
        .collect();
    assert_eq!(rr, expect_rr.as_slice());
    let overlay = Strategy::overlay();
    // Targets: long while strong-b (all days but 5 and 8), flat on 5 and 8.
    let targets = overlay.targets(&ev).unwrap();
    let want: Vec<f64> = (0..n)
        .map(|i| if i == 5 || i == 8 { 0.0 } else { 1.0 })
        .collect();
    assert_eq!(targets, want);
    // Delay 1: positions are the targets shifted by one close, flat at the first.
    let pos = overlay.positions(&ev).unwrap();
    assert_eq!(pos[0], 0.0);
    assert_eq!(&pos[1..], &want[..n - 1]);
}
