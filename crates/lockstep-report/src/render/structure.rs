//! Renderers of `lockstep levels` / `lockstep patterns` (table, CSV, JSON).

use std::fmt::Write as _;

use crate::doc::text::{cell, short, wrap, Style};
use crate::structure::{LevelsReport, PatternsReport};
use crate::words::{
    bottoming as bottoming_words, cup_state as state_words, direction as direction_name,
    level_kind as kind_name, num, trend as trend_words,
};
use crate::ReportError;
use lockstep_structure::CupState;

/// The table of `lockstep levels`: the levels shown (the best-scored few on each side of the
/// last close, or all), highest price first, then the latest `rows` breakouts (0 = all).
pub fn levels_table(l: &LevelsReport, rows: usize, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Support and resistance: {} (close {} on {})",
            short(&l.name, 30),
            num(l.close),
            l.date
        ))
    );
    let p = &l.params;
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  pivots {}/{} bars, clustered within {}×ATR({}), at least {} touches",
            p.left, p.right, p.atr_mult, p.atr_period, p.min_touches
        ))
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:<10} {:>12} {:>9} {:>7}  {:<10}  {:>5}",
            "kind", "price", "distance", "touches", "last", "score"
        ))
    );
    let mut by_price: Vec<_> = l.levels.iter().collect();
    by_price.sort_by(|a, b| b.price.total_cmp(&a.price));
    let mut close_shown = false;
    for v in by_price {
        if !close_shown && v.price < l.close {
            let _ = writeln!(
                o,
                "{}",
                st.dim(&format!("  {:<10} {:>12}", "close", num(l.close)))
            );
            close_shown = true;
        }
        let _ = writeln!(
            o,
            "  {:<10} {:>12} {:>8.1}% {:>7}  {}  {:>5.2}",
            kind_name(v.kind),
            num(v.price),
            v.distance_pct,
            v.touches,
            v.last_touch,
            v.score.score
        );
    }
    if !close_shown && !l.levels.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!("  {:<10} {:>12}", "close", num(l.close)))
        );
    }
    if l.levels.is_empty() {
        let _ = writeln!(o, "  no level: too few swing pivots");
    } else if l.levels.len() < l.levels_total {
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  the {} best-scored of {} levels on each side (--all for every one)",
                l.per_side.unwrap_or(0),
                l.levels_total
            ))
        );
    }
    let _ = writeln!(o);
    breakouts_part(&mut o, l, rows, &st);
    o
}

/// The breakouts of `lockstep levels --breakouts`: the latest `rows` (0 = all).
pub fn breakouts_table(l: &LevelsReport, rows: usize, color: bool) -> String {
    let mut o = String::new();
    breakouts_part(&mut o, l, rows, &Style { color });
    o
}

fn breakouts_part(o: &mut String, l: &LevelsReport, rows: usize, st: &Style) {
    let p = &l.params;
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Breakouts: {} closes in a row clearing a level by {}×ATR({})",
            p.hold, p.margin_atr, p.atr_period
        ))
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  volume: over its {}-day average on the first of them",
            p.volume_period
        ))
    );
    if !l.has_volume {
        let _ = writeln!(
            o,
            "  the series has no volume: no breakout is volume-confirmed"
        );
    }
    let nb = l.breakouts.len();
    let from = if rows == 0 {
        0
    } else {
        nb.saturating_sub(rows)
    };
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:<10}  {:<4} {:>12} {:>12} {:>7} {:>8}",
            "date", "dir", "level", "close", "touches", "volume"
        ))
    );
    for b in &l.breakouts[from..] {
        let _ = writeln!(
            o,
            "  {}  {:<4} {:>12} {:>12} {:>7} {:>8}",
            b.date,
            direction_name(b.direction),
            num(b.level),
            num(b.close),
            b.touches,
            b.volume_ratio
                .map(|v| format!("{v:.2}x"))
                .unwrap_or_else(|| "-".into())
        );
    }
    if nb == 0 {
        let _ = writeln!(o, "  none");
    } else if from > 0 {
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!("  {from} earlier breakouts (--rows 0 for all)"))
        );
    }
}

/// The columns of [`levels_csv`].
pub const LEVELS_CSV_HEADER: &str = "kind,price,distance_pct,touches,first_touch,last_touch,\
score,score_touches,score_recency,score_volume,score_distance,bars_since_touch,touch_volume,\
distance_atr";

/// CSV of the levels shown, highest score first: [`LEVELS_CSV_HEADER`] (the score and its
/// four components, then their inputs; `touch_volume` empty without volume).
pub fn levels_csv(l: &LevelsReport) -> String {
    let mut o = format!("{LEVELS_CSV_HEADER}\n");
    for v in &l.levels {
        let kind = kind_name(v.kind);
        let c = &v.score;
        let _ = writeln!(
            o,
            "{kind},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            cell(Some(v.price)),
            cell(Some(v.distance_pct)),
            v.touches,
            v.first_touch,
            v.last_touch,
            cell(Some(c.score)),
            cell(Some(c.touches)),
            cell(Some(c.recency)),
            cell(Some(c.volume)),
            cell(Some(c.distance)),
            c.bars_since_touch,
            cell(c.touch_volume),
            cell(Some(c.distance_atr))
        );
    }
    o
}

/// CSV of the breakouts:
/// `date,since,direction,level,touches,prev_close,close,margin,volume_ratio,confirmed`.
pub fn breakouts_csv(l: &LevelsReport) -> String {
    let mut o = String::from(
        "date,since,direction,level,touches,prev_close,close,margin,volume_ratio,confirmed\n",
    );
    for b in &l.breakouts {
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{}",
            b.date,
            b.since,
            direction_name(b.direction),
            cell(Some(b.level)),
            b.touches,
            cell(Some(b.prev_close)),
            cell(Some(b.close)),
            cell(Some(b.margin)),
            cell(b.volume_ratio),
            b.confirmed
        );
    }
    o
}

/// JSON of `lockstep levels`.
pub fn levels_json(l: &LevelsReport) -> Result<String, ReportError> {
    serde_json::to_string_pretty(l).map_err(ReportError::Json)
}

/// The table of `lockstep patterns`: every cup-and-handle, the trend and the bottoming test.
pub fn patterns_table(p: &PatternsReport, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        st.bold(&format!(
            "Patterns: {} (as of {})",
            short(&p.name, 40),
            p.date
        ))
    );
    let c = &p.cup_params;
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  cups: depth {}-{}%, {}-{} bars, rims within {}%, handle ≤ {:.0}% of depth",
            c.min_depth_pct,
            c.max_depth_pct,
            c.min_cup_bars,
            c.max_cup_bars,
            c.rim_tolerance_pct,
            100.0 * c.max_handle_retrace
        ))
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {:<10}  {:<10}  {:<10} {:>6} {:>12} {:>5}  {}",
            "left rim", "bottom", "right rim", "depth", "rim level", "bars", "state"
        ))
    );
    for cup in &p.cups {
        let state = state_words(cup.state);
        let _ = writeln!(
            o,
            "  {}  {}  {} {:>5.1}% {:>12} {:>5}  {}",
            cup.left_rim.0,
            cup.bottom.0,
            cup.right_rim.0,
            cup.depth_pct,
            num(cup.rim_level),
            cup.cup_bars,
            state
        );
    }
    if p.cups.is_empty() {
        let _ = writeln!(o, "  no cup-and-handle in the history");
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", st.bold("Trend and bottoming"));
    if let Some(t) = &p.trend {
        wrap(&mut o, &trend_words(t));
    }
    for n in &p.notes {
        wrap(&mut o, n);
    }
    wrap(&mut o, &bottoming_words(p.bottoming.as_ref()));
    o
}

/// CSV of the cup-and-handle detections: `left_rim_date,left_rim,bottom_date,bottom,
/// right_rim_date,right_rim,handle_low_date,handle_low,depth_pct,rim_level,cup_bars,
/// handle_bars,state,state_date`.
pub fn patterns_csv(p: &PatternsReport) -> String {
    let mut o = String::from(
        "left_rim_date,left_rim,bottom_date,bottom,right_rim_date,right_rim,handle_low_date,\
         handle_low,depth_pct,rim_level,cup_bars,handle_bars,state,state_date\n",
    );
    for c in &p.cups {
        let (state, date) = match c.state {
            CupState::Forming => ("forming", String::new()),
            CupState::Confirmed { breakout } => ("confirmed", breakout.to_string()),
            CupState::Failed { date } => ("failed", date.to_string()),
        };
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{},{},{state},{date}",
            c.left_rim.0,
            cell(Some(c.left_rim.1)),
            c.bottom.0,
            cell(Some(c.bottom.1)),
            c.right_rim.0,
            cell(Some(c.right_rim.1)),
            c.handle_low.map(|h| h.0.to_string()).unwrap_or_default(),
            cell(c.handle_low.map(|h| h.1)),
            cell(Some(c.depth_pct)),
            cell(Some(c.rim_level)),
            c.cup_bars,
            c.handle_bars
        );
    }
    o
}

/// JSON of `lockstep patterns`.
pub fn patterns_json(p: &PatternsReport) -> Result<String, ReportError> {
    serde_json::to_string_pretty(p).map_err(ReportError::Json)
}
