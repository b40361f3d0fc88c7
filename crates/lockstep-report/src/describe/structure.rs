//! The "Momentum and structure" section: each leg's momentum and levels, the alignment of
//! the two legs, recent breakouts, the latest cups, and the trend of the ratio.

use super::{opt, NONE};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::words::{
    self, bottoming as bottoming_words, cross as cross_name, cup_state as state_words,
    direction as direction_name, num, trend as trend_words,
};
use crate::Report;

pub(super) fn section(r: &Report) -> Section {
    let s = &r.structure;
    let p = &s.params;
    let mut momentum = Table::new(
        "momentum",
        vec![
            Column::new("", Kind::RowLabel),
            Column::new(&s.a.name, Kind::Text),
            Column::new(&s.b.name, Kind::Text),
        ],
    )
    .caption("each leg on its own series (own calendar, full history)");
    for [label, a, b] in words::momentum_rows(s, NONE, true) {
        momentum
            .rows
            .push(vec![Cell::new(label), Cell::new(a), Cell::new(b)]);
    }
    let mut blocks = vec![
        Block::para(
            "as-of",
            format!("as of {}", super::freshness::momentum_dates(r)),
        ),
        Block::Table(momentum),
    ];
    let al = &s.alignment;
    blocks.push(Block::Heading(format!(
        "Alignment on the aligned dates (events ending in the last {})",
        p.recent
    )));
    let now = if al.rsi_rising_now {
        "RSI rising on both legs now"
    } else if al.rsi_falling_now {
        "RSI falling on both legs now"
    } else {
        "RSI not moving the same way on both legs now"
    };
    let mut items = vec![format!(
        "{now}; runs of RSI rising together: {} recently ({} in all history), falling \
         together: {} ({}).",
        al.rsi_rising.len(),
        al.totals.0,
        al.rsi_falling.len(),
        al.totals.1
    )];
    items.push(match al.macd_crosses.last() {
        Some(c) => format!(
            "MACD crossed its signal on both legs within {} days: {} recently, the last {} on \
             {} and {} ({} in all history).",
            p.macd_days,
            al.macd_crosses.len(),
            cross_name(c.direction),
            c.date_a,
            c.date_b,
            al.totals.2
        ),
        None => format!(
            "MACD crossed its signal on both legs within {} days: not recently ({} in all \
             history).",
            p.macd_days, al.totals.2
        ),
    });
    blocks.push(Block::Facts(items));
    blocks.push(Block::Heading(format!(
        "Recent breakouts (last {} days)",
        p.recent
    )));
    let mut breakouts = Table::new(
        "breakouts",
        vec![
            Column::new("leg", Kind::Text),
            Column::new("date", Kind::Date),
            Column::new("dir", Kind::Text),
            Column::new("level", Kind::Num),
            Column::new("close", Kind::Num),
            Column::new("touches", Kind::Num),
            Column::new("volume", Kind::Num),
        ],
    )
    .caption(format!(
        "closes clearing a level by {}×ATR({}) for {} days, latest first; volume over its \
         average",
        p.levels.margin_atr, p.levels.atr_period, p.levels.hold
    ));
    for (l, x) in [&s.a, &s.b]
        .into_iter()
        .flat_map(|l| l.recent_breakouts.iter().rev().map(move |x| (l, x)))
    {
        let dir = direction_name(x.direction);
        breakouts.rows.push(vec![
            Cell::new(&l.name),
            Cell::new(x.date.to_string()),
            Cell::toned(dir, Tone::Class(dir.to_string())),
            Cell::new(num(x.level)),
            Cell::new(num(x.close)),
            Cell::new(x.touches.to_string()),
            Cell::new(opt(x.volume_ratio, |v| format!("{v:.2}x"))),
        ]);
    }
    if breakouts.rows.is_empty() {
        blocks.push(Block::para("", "none"));
    } else {
        blocks.push(Block::Table(breakouts));
    }
    let mut cups = Table::new(
        "cups",
        vec![
            Column::new("leg", Kind::Text),
            Column::detail("left rim", Kind::Date),
            Column::new("bottom", Kind::Date),
            Column::new("right rim", Kind::Date),
            Column::new("depth", Kind::Num),
            Column::new("rim level", Kind::Num),
            Column::detail("bars", Kind::Num),
            Column::new("state", Kind::Text),
        ],
    );
    for (l, c) in [&s.a, &s.b]
        .into_iter()
        .filter_map(|l| l.latest_cup.as_ref().map(|c| (l, c)))
    {
        cups.rows.push(vec![
            Cell::new(&l.name),
            Cell::new(c.left_rim.0.to_string()),
            Cell::new(c.bottom.0.to_string()),
            Cell::new(c.right_rim.0.to_string()),
            Cell::new(format!("{:.1}%", c.depth_pct)),
            Cell::new(num(c.rim_level)),
            Cell::new(c.cup_bars.to_string()),
            Cell::new(state_words(c.state)),
        ]);
    }
    if !cups.rows.is_empty() {
        blocks.push(Block::Heading("Latest cup-and-handle".into()));
        blocks.push(Block::Table(cups));
    }
    let ratio = &s.ratio;
    blocks.push(Block::Heading(format!(
        "Ratio {} on the aligned dates",
        ratio.name
    )));
    let mut items = Vec::new();
    if let Some(t) = &ratio.trend {
        items.push(trend_words(t));
    }
    items.push(bottoming_words(ratio.bottoming.as_ref()));
    blocks.push(Block::Facts(items));
    for n in &ratio.notes {
        blocks.push(Block::note(n));
    }
    blocks.push(Block::Figures);
    Section {
        id: "structure",
        title: "Momentum and structure".into(),
        blocks,
    }
}
