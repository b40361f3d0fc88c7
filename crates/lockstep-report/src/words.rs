//! The plain words of a report, shared by every front end (the terminal renderer, the HTML
//! page, the dashboard): one wording of each verdict, state and number format.
//!
//! Functions whose value can be missing return `Option`; each front end shows a missing value
//! its own way (`-` on the terminal, `—` in HTML).

use lockstep_core::{Calendar, Interval};
use lockstep_stats::{Method, Regime};
use lockstep_structure::{
    Bottoming, CrossDirection, CupHandle, CupState, Direction, Level, LevelKind, RatioTrend,
};

use crate::linkage::GrangerRow;
use crate::structure::{LegStructure, PairStructure};
use lockstep_signals::{Metrics, Strategy, Truth};

/// A calendar: "every day" or "weekdays".
pub fn calendar(c: Calendar) -> &'static str {
    match c {
        Calendar::EveryDay => "every day",
        Calendar::Weekdays => "weekdays",
    }
}

/// How returns over one bar interval read in sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarWords {
    /// The returns' adjective: "hourly", "30-minute", "daily".
    pub returns: &'static str,
    /// One bar as a span of time: "hour", "30 minutes", "day" ("the same hour", "the next 30
    /// minutes").
    pub span: &'static str,
    /// Lags counted in bars, plural: "hours", "30-minute bars", "days".
    pub lags: &'static str,
}

/// The words of a bar interval (see [`BarWords`]).
pub fn bar_words(i: Interval) -> BarWords {
    let (returns, span, lags) = match i {
        Interval::M1 => ("1-minute", "minute", "minutes"),
        Interval::M5 => ("5-minute", "5 minutes", "5-minute bars"),
        Interval::M15 => ("15-minute", "15 minutes", "15-minute bars"),
        Interval::M30 => ("30-minute", "30 minutes", "30-minute bars"),
        Interval::H1 => ("hourly", "hour", "hours"),
        Interval::D1 => ("daily", "day", "days"),
    };
    BarWords {
        returns,
        span,
        lags,
    }
}

/// An ordinal of a rounded number: `1st`, `2nd`, `3rd`, `11th`, `62nd` (percentile ranks).
pub fn ordinal(v: f64) -> String {
    let n = v.round() as i64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A correlation method, with λ for EWMA.
pub fn method(m: Method) -> String {
    match m {
        Method::Ewma { lambda } => format!("EWMA λ={lambda}"),
        m => m.name().to_string(),
    }
}

/// A regime: "risk-on" or "risk-off".
pub fn regime(r: Regime) -> &'static str {
    match r {
        Regime::RiskOn => "risk-on",
        Regime::RiskOff => "risk-off",
    }
}

/// A p-value: 4 decimals, scientific below 1e-4.
pub fn p_value(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// A price or ratio: 2 decimals from 100, 4 from 1, else 6.
pub fn num(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.2}")
    } else if v.abs() >= 1.0 {
        format!("{v:.4}")
    } else {
        format!("{v:.6}")
    }
}

/// A signed value with 2 decimals, or 4 below 1 in magnitude.
pub fn small(v: f64) -> String {
    if v.abs() >= 1.0 {
        format!("{v:+.2}")
    } else {
        format!("{v:+.4}")
    }
}

/// How two markets move, from the latest correlation `corr` and the strong threshold:
/// above `strong` "moving in lockstep", above 0.3 "loosely linked", below −0.3 "moving
/// against each other", else "not moving together".
pub fn linkage(corr: f64, strong: f64) -> &'static str {
    if corr > strong {
        "moving in lockstep"
    } else if corr > 0.3 {
        "loosely linked"
    } else if corr < -0.3 {
        "moving against each other"
    } else {
        "not moving together"
    }
}

/// A correlation with 2 decimals, a minus sign only when negative (`0.52`, `-0.15`).
pub fn corr2(v: f64) -> String {
    let s = format!("{v:.2}");
    if s == "-0.00" {
        "0.00".into()
    } else {
        s
    }
}

/// How two markets move, calibrated to the evidence: the correlation `r` and the plausible
/// range `(lo, hi)` (a confidence interval: the bootstrap's when there is one), with the
/// strong threshold:
///
/// * `lo > strong`: "moving in lockstep";
/// * `lo > 0`: "positively correlated";
/// * `hi < −strong`: "moving against each other";
/// * `hi < 0`: "negatively correlated";
/// * otherwise (the range holds 0): "not measurably correlated";
///
/// each followed by `(r = 0.52, plausible range 0.20 to 0.74)`. So the words never state more
/// than the interval supports: a correlation of 0.62 whose range reaches down to 0.35 is
/// "positively correlated", not "in lockstep". Without a range, [`linkage`]'s words and r.
pub fn calibrated_linkage(r: f64, range: Option<(f64, f64)>, strong: f64) -> String {
    let Some((lo, hi)) = range else {
        return format!("{} (r = {})", linkage(r, strong), corr2(r));
    };
    let words = if lo > strong {
        "moving in lockstep"
    } else if lo > 0.0 {
        "positively correlated"
    } else if hi < -strong {
        "moving against each other"
    } else if hi < 0.0 {
        "negatively correlated"
    } else {
        "not measurably correlated"
    };
    format!("{words} ({})", with_range(r, lo, hi))
}

/// `r = 0.52, plausible range 0.20 to 0.74`.
pub fn with_range(r: f64, lo: f64, hi: f64) -> String {
    format!(
        "r = {}, plausible range {} to {}",
        corr2(r),
        corr2(lo),
        corr2(hi)
    )
}

/// The plain name of a control series: the market a well-known ticker stands for, with the
/// ticker (`the S&P 500 (SPY)`), else the name itself.
pub fn market_name(name: &str) -> String {
    let market = match name.to_ascii_uppercase().as_str() {
        "SPY" | "^GSPC" | "^SPX" | "VOO" | "IVV" | "ES=F" => "the S&P 500",
        "QQQ" | "^NDX" | "NQ=F" => "the Nasdaq-100",
        "^IXIC" => "the Nasdaq Composite",
        "IWM" | "^RUT" | "RTY=F" => "the Russell 2000",
        "DIA" | "^DJI" => "the Dow Jones Industrial Average",
        "VTI" => "the US stock market",
        "BTC-USD" => "Bitcoin",
        "GLD" | "GC=F" => "gold",
        "TLT" => "long Treasuries",
        _ => return name.to_string(),
    };
    format!("{market} ({name})")
}

/// The names of controls in a sentence: `the S&P 500 (SPY)`, `the S&P 500 (SPY) and gold
/// (GLD)`, `A, B and C`.
pub fn markets(names: &[String]) -> String {
    let words: Vec<String> = names.iter().map(|n| market_name(n)).collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        k => format!("{} and {}", words[..k - 1].join(", "), words[k - 1]),
    }
}

/// What is left of a correlation once the controls are removed: `0.54 raw; 0.19 beyond what
/// both share with the S&P 500 (SPY)`.
pub fn beyond(raw: f64, partial: f64, controls: &[String]) -> String {
    format!(
        "{} raw; {} beyond what both share with {}",
        corr2(raw),
        corr2(partial),
        markets(controls)
    )
}

/// How much of the link the controls explain, from the raw correlation and the partial
/// correlation's interval: nothing measurable left (the interval holds 0), mostly the shared
/// market (a partial below half the raw), or mostly the pair's own.
pub fn beyond_verdict(raw: f64, partial: f64, lo: f64, hi: f64) -> &'static str {
    if lo <= 0.0 && hi >= 0.0 {
        "no link of their own is measurable once the shared market is removed"
    } else if partial.abs() < 0.5 * raw.abs() {
        "most of the link is the market both follow; a smaller link of their own remains"
    } else {
        "most of the link is their own, not the market both follow"
    }
}

/// A hypothesis test's verdict at the 5% level: "different (p = 0.013)" or "no evidence of
/// a difference (p = 0.74)".
pub fn difference(p: f64) -> String {
    if p < 0.05 {
        format!("different (p = {})", p_value(p))
    } else {
        format!("no evidence of a difference (p = {})", p_value(p))
    }
}

/// What a Granger test at the 5% level says: `cause`'s past returns help predict `effect`, or
/// there is no evidence that `cause` leads `effect`.
pub fn granger_verdict(cause: &str, effect: &str, t: &GrangerRow) -> String {
    if t.p < 0.05 {
        format!("{cause}'s past returns help predict {effect}")
    } else {
        format!("no evidence that {cause} leads {effect}")
    }
}

/// A MACD cross: "bullish" or "bearish".
pub fn cross(d: CrossDirection) -> &'static str {
    match d {
        CrossDirection::Bullish => "bullish",
        CrossDirection::Bearish => "bearish",
    }
}

/// A breakout direction: "up" or "down".
pub fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "up",
        Direction::Down => "down",
    }
}

/// A level kind: "support" or "resistance".
pub fn level_kind(k: LevelKind) -> &'static str {
    match k {
        LevelKind::Support => "support",
        LevelKind::Resistance => "resistance",
    }
}

/// A cup's state: "forming", "broke out DATE" or "failed DATE".
pub fn cup_state(s: CupState) -> String {
    match s {
        CupState::Forming => "forming".into(),
        CupState::Confirmed { breakout } => format!("broke out {breakout}"),
        CupState::Failed { date } => format!("failed {date}"),
    }
}

/// The state, with the rim to watch while the handle is forming.
pub fn cup(c: &CupHandle) -> String {
    match c.state {
        CupState::Forming => format!("forming, rim {}", num(c.rim_level)),
        s => cup_state(s),
    }
}

/// RSI now, rising/falling/flat against `rsi_k` observations before.
pub fn rsi(l: &LegStructure) -> Option<String> {
    let m = &l.momentum;
    match (m.rsi, m.rsi_before) {
        (Some(r), Some(b)) => {
            let arrow = if r > b {
                "rising"
            } else if r < b {
                "falling"
            } else {
                "flat"
            };
            Some(format!("{r:.1} {arrow} (from {b:.1})"))
        }
        (Some(r), None) => Some(format!("{r:.1}")),
        _ => None,
    }
}

/// MACD against its signal line, with the histogram.
pub fn macd(l: &LegStructure) -> Option<String> {
    l.momentum.macd.as_ref().map(|m| {
        let side = if m.hist > 0.0 { "above" } else { "below" };
        format!("{side} signal, hist {}", small(m.hist))
    })
}

/// A level: price, distance from the last close and touches; "none" without one.
pub fn level(l: Option<&Level>) -> String {
    l.map(|l| format!("{} ({:+.1}%, {}x)", num(l.price), l.distance_pct, l.touches))
        .unwrap_or_else(|| "none".into())
}

/// The recent breakouts: how many, and the last one's direction and date.
pub fn recent_breakouts(l: &LegStructure) -> String {
    match l.recent_breakouts.last() {
        Some(b) => format!(
            "{}, last {} {}",
            l.recent_breakouts.len(),
            direction(b.direction),
            b.date
        ),
        None => "none".into(),
    }
}

/// The ratio's trend: last value, slope, distance from its average.
pub fn trend(t: &RatioTrend) -> String {
    format!(
        "{}: {:+.3}%/day over {} days, {:+.1}% vs its {}-day average",
        num(t.last),
        t.slope_pct_per_day,
        t.slope_window,
        t.distance_from_ma_pct,
        t.ma_period
    )
}

/// The bottoming test in words.
pub fn bottoming(b: Option<&Bottoming>) -> String {
    match b {
        Some(b) => format!(
            "bottoming: higher low {} on {} after new low {} on {} (RSI {:.1} → {:.1}){}",
            num(b.low2.1),
            b.low2.0,
            num(b.low1.1),
            b.low1.0,
            b.rsi1,
            b.rsi2,
            if b.confirmed {
                ", confirmed above the neckline"
            } else {
                ", not yet above the neckline"
            }
        ),
        None => "bottoming: no higher low after a new low with RSI divergence".into(),
    }
}

/// A three-valued state: "true", "false" or "unknown".
pub fn truth(t: Truth) -> &'static str {
    match t {
        Truth::True => "true",
        Truth::False => "false",
        Truth::Unknown => "unknown",
    }
}

/// The rows of the momentum and structure table: a label and the words of leg A and leg B
/// (close, RSI, MACD, relative volume, support, resistance, recent breakouts, latest cup).
/// `none` stands for an undefined value. With `history` (the HTML page, which has the room)
/// the MACD row adds the last cross and the breakout and cup rows their counts over all
/// history.
pub fn momentum_rows(s: &PairStructure, none: &str, history: bool) -> Vec<[String; 3]> {
    let p = &s.params;
    let macd_words = |l: &LegStructure| -> String {
        let Some(w) = macd(l) else {
            return none.into();
        };
        match l.momentum.macd.as_ref().and_then(|m| m.last_cross) {
            Some((d, c)) if history => format!("{w}; last cross {} {d}", cross(c)),
            _ => w,
        }
    };
    let cup_words = |l: &LegStructure| match &l.latest_cup {
        Some(c) if history => format!("{} ({} in all history)", cup(c), l.cups_total),
        Some(c) => cup(c),
        None => "none found".into(),
    };
    let breakout_words = |l: &LegStructure| {
        let w = recent_breakouts(l);
        if history {
            format!("{w} ({} in all history)", l.breakouts_total)
        } else {
            w
        }
    };
    let rel_volume = |l: &LegStructure| match (l.momentum.rel_volume, l.momentum.rel_volume_5) {
        (Some(a), Some(b)) => format!("{a:.2} / {b:.2}"),
        (Some(a), None) => format!("{a:.2}"),
        _ => "no volume".into(),
    };
    let (m, t) = (p.technicals.macd, p.technicals.rsi);
    type Cell<'a> = &'a dyn Fn(&LegStructure) -> String;
    let rows: [(String, Cell); 8] = [
        ("close".into(), &|l| {
            format!("{} ({})", num(l.momentum.close), l.momentum.date)
        }),
        (format!("RSI({t}) vs {}d ago", p.rsi_k), &|l| {
            rsi(l).unwrap_or_else(|| none.into())
        }),
        (format!("MACD({},{},{})", m.0, m.1, m.2), &macd_words),
        ("rel. volume 1d/5d".into(), &rel_volume),
        ("support".into(), &|l| level(l.support.as_ref())),
        ("resistance".into(), &|l| level(l.resistance.as_ref())),
        (format!("breakouts, {}d", p.recent), &breakout_words),
        ("cup-and-handle".into(), &cup_words),
    ];
    rows.into_iter()
        .map(|(label, f)| [label, f(&s.a), f(&s.b)])
        .collect()
}

/// A backtest's strategy: its rules, the delay and the costs; `none` stands for a rule not
/// given.
pub fn strategy(s: &Strategy, none: &str) -> String {
    format!(
        "long on {}, flat on {}{}; trade {} close(s) after the signal; costs {} + {} bps",
        s.long.as_deref().unwrap_or(none),
        s.flat.as_deref().unwrap_or(none),
        s.short
            .as_deref()
            .map(|x| format!(", short on {x}"))
            .unwrap_or_default(),
        s.delay,
        s.fees_bps,
        s.slippage_bps
    )
}

/// The footnote of every backtest metrics table.
pub const METRICS_NOTE: &str = "Sharpe/Sortino with a zero risk-free rate; returns net of costs";

/// A backtest segment: `START .. END, N periods (P a year)`.
pub fn segment(m: &Metrics) -> String {
    format!(
        "{} .. {}, {} periods ({} a year)",
        m.start, m.end, m.periods, m.periods_per_year
    )
}

/// The deepest drawdown of the strategy: its peak, trough and recovery, when it has one.
pub fn drawdown_span(m: &Metrics) -> Option<String> {
    let (p, t) = (m.drawdown_peak?, m.drawdown_trough?);
    Some(format!(
        "strategy drawdown: peak {p}, trough {t}, {}",
        m.drawdown_recovery
            .map(|d| format!("recovered {d}"))
            .unwrap_or_else(|| "not recovered".into())
    ))
}

/// How a backtest metric is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricFormat {
    /// A signed percentage, 1 decimal (returns, drawdown).
    SignedPercent,
    /// A percentage, 1 decimal (volatility, exposure, hit rate).
    Percent,
    /// A ratio, 2 decimals (Sharpe, Sortino, Calmar, turnover).
    Ratio,
    /// A whole number (trades).
    Count,
}

impl MetricFormat {
    /// `v` in this format.
    pub fn show(self, v: f64) -> String {
        match self {
            MetricFormat::SignedPercent => format!("{:+.1}%", 100.0 * v),
            MetricFormat::Percent => format!("{:.1}%", 100.0 * v),
            MetricFormat::Ratio => format!("{v:.2}"),
            MetricFormat::Count => format!("{v:.0}"),
        }
    }
}

/// The metrics table of a backtest segment, in order: name, format, the strategy's value and
/// buy-and-hold's.
pub fn metric_rows(
    m: &Metrics,
    bh: &Metrics,
) -> [(&'static str, MetricFormat, Option<f64>, Option<f64>); 11] {
    use MetricFormat::{Count, Percent, Ratio, SignedPercent};
    let trades = |m: &Metrics| Some(m.trades as f64);
    [
        (
            "total return",
            SignedPercent,
            m.total_return,
            bh.total_return,
        ),
        ("CAGR", SignedPercent, m.cagr, bh.cagr),
        ("volatility", Percent, m.volatility, bh.volatility),
        ("Sharpe", Ratio, m.sharpe, bh.sharpe),
        ("Sortino", Ratio, m.sortino, bh.sortino),
        (
            "max drawdown",
            SignedPercent,
            m.max_drawdown,
            bh.max_drawdown,
        ),
        ("Calmar", Ratio, m.calmar, bh.calmar),
        ("exposure", Percent, m.exposure, bh.exposure),
        ("trades", Count, trades(m), trades(bh)),
        ("turnover / year", Ratio, m.turnover, bh.turnover),
        ("hit rate", Percent, m.hit_rate, bh.hit_rate),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<String> = [
            1.0, 2.0, 3.0, 4.0, 11.0, 12.4, 13.0, 21.0, 62.0, 79.0, 100.0,
        ]
        .iter()
        .map(|v| ordinal(*v))
        .collect();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "62nd", "79th", "100th"]
        );
    }

    #[test]
    fn linkage_words_follow_the_thresholds() {
        assert_eq!(linkage(0.51, 0.5), "moving in lockstep");
        assert_eq!(linkage(0.5, 0.5), "loosely linked");
        assert_eq!(linkage(0.3, 0.5), "not moving together");
        assert_eq!(linkage(-0.31, 0.5), "moving against each other");
    }

    #[test]
    fn calibrated_words_never_outrun_the_interval() {
        let w = |r, lo, hi| calibrated_linkage(r, Some((lo, hi)), 0.5);
        assert_eq!(
            w(0.52, 0.20, 0.74),
            "positively correlated (r = 0.52, plausible range 0.20 to 0.74)"
        );
        // Above the strong threshold, but the range reaches below it: not lockstep.
        assert!(w(0.62, 0.35, 0.80).starts_with("positively correlated"));
        assert!(w(0.72, 0.55, 0.85).starts_with("moving in lockstep"));
        assert!(w(0.05, -0.15, 0.25).starts_with("not measurably correlated"));
        assert!(w(-0.3, -0.45, -0.1).starts_with("negatively correlated"));
        assert!(w(-0.7, -0.85, -0.55).starts_with("moving against each other"));
        assert_eq!(
            calibrated_linkage(0.6, None, 0.5),
            "moving in lockstep (r = 0.60)"
        );
        assert_eq!(corr2(-0.001), "0.00");
        assert_eq!(
            beyond(0.54, 0.19, &["SPY".to_string()]),
            "0.54 raw; 0.19 beyond what both share with the S&P 500 (SPY)"
        );
        assert_eq!(
            markets(&["SPY".into(), "GLD".into(), "X".into()]),
            "the S&P 500 (SPY), gold (GLD) and X"
        );
        assert_eq!(difference(0.0134), "different (p = 0.0134)");
    }

    #[test]
    fn numbers_keep_their_precision_by_magnitude() {
        assert_eq!(num(2130.914), "2130.91");
        assert_eq!(num(1.23456), "1.2346");
        assert_eq!(num(0.0123456), "0.012346");
        assert_eq!(small(-0.01234), "-0.0123");
        assert_eq!(small(12.345), "+12.35");
        assert_eq!(p_value(0.00001234), "1.2e-5");
        assert_eq!(p_value(0.04321), "0.0432");
    }
}
