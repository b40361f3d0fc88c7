//! Close of each leg over its last [`VIEW_DAYS`] calendar days (two panels) with its key
//! support and resistance levels (the best-scored few on each side of the last close,
//! labelled with their price), markers of the breakouts through those levels, and the
//! cup-and-handle spans shaded. A whole history of levels and breakouts is unreadable on one
//! chart; `lockstep levels --all` lists all of them.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axis::{num_format, value_range, DateAxis};
use crate::render::Axes;
use crate::render::{
    de, draw_line, legend, square_sample, text, titled, xy_chart, Backend, Meta, Paint, COLOR_A,
    COLOR_B, GREEN, RED,
};
use crate::ChartError;
use lockstep_report::structure::LegStructure;
use lockstep_report::Report;
use lockstep_structure::{CupState, Direction, LevelKind};

/// Calendar days shown: the last two years of each leg.
pub const VIEW_DAYS: i64 = 730;

/// A breakout is drawn when its level (as known on its day) lies within this fraction of a
/// key level's price: the breakouts of the levels shown.
pub const SAME_LEVEL: f64 = 0.01;

/// What the levels chart shows of one leg: the dates from `VIEW_DAYS` before its last date,
/// the key levels ([`LegStructure::key_levels`]), the breakouts in that span through one of
/// them (level within [`SAME_LEVEL`] of its price), and the cups in that span (a cup shows
/// when any part of it is in the span). Returns (first shown index, levels, breakouts, cups).
pub fn visible(
    leg: &LegStructure,
) -> (
    usize,
    Vec<&lockstep_structure::Level>,
    Vec<&lockstep_structure::Breakout>,
    Vec<&lockstep_structure::CupHandle>,
) {
    let t = &leg.technicals;
    let Some(&last) = t.dates.last() else {
        return (0, Vec::new(), Vec::new(), Vec::new());
    };
    let from = last - chrono::Duration::days(VIEW_DAYS);
    let start = t.dates.partition_point(|d| *d < from);
    let levels: Vec<&lockstep_structure::Level> = leg.key_levels.iter().collect();
    let breakouts = leg
        .all_breakouts
        .iter()
        .filter(|b| {
            b.date >= from
                && levels
                    .iter()
                    .any(|l| (b.level - l.price).abs() <= SAME_LEVEL * l.price.abs())
        })
        .collect();
    let cups = leg
        .cups
        .iter()
        .filter(|c| {
            let end = match c.state {
                CupState::Confirmed { breakout } => breakout,
                CupState::Failed { date } => date.max(c.right_rim.0),
                CupState::Forming => last,
            };
            end >= from
        })
        .collect();
    (start, levels, breakouts, cups)
}

/// Shading of cup-and-handle spans.
const CUP: RGBColor = RGBColor(148, 103, 189);

pub(crate) struct Levels<'r> {
    r: &'r Report,
}

impl<'r> Levels<'r> {
    pub(crate) fn new(r: &'r Report, _meta: &Meta) -> Result<Self, ChartError> {
        for leg in [&r.structure.a, &r.structure.b] {
            if leg.technicals.dates.is_empty() {
                return Err(ChartError::Empty(format!("{} has no close", leg.name)));
            }
        }
        Ok(Levels { r })
    }
}

fn panel<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    leg: &LegStructure,
    color: RGBColor,
    axis: &DateAxis,
) -> Result<(), ChartError> {
    let t = &leg.technicals;
    let (start, levels, breakouts, cups) = visible(leg);
    let dates = &t.dates[start..];
    let closes = &t.close[start..];
    let first = *dates
        .first()
        .ok_or_else(|| ChartError::Empty(leg.name.clone()))?;
    let last = *dates.last().unwrap_or(&axis.end());
    let y = value_range(
        closes.iter().copied().chain(levels.iter().map(|l| l.price)),
        0.05,
    )
    .unwrap_or(0.0..1.0);
    let fmt = num_format(&y);
    let (y_lo, y_hi) = (y.start, y.end);
    let mut chart = xy_chart(
        area,
        axis.clone(),
        y,
        Axes {
            caption: Some(&format!(
                "{} since {first}: {} key levels, {} breakouts of them, {} cups",
                leg.name,
                levels.len(),
                breakouts.len(),
                cups.len()
            )),
            x_desc: "date",
            y_desc: "close",
            y_fmt: &fmt,
            x_fmt: None,
        },
    )?;
    // Cups: from the left rim to the breakout (confirmed) or the right rim.
    if !cups.is_empty() {
        let fill = CUP.mix(0.15).filled();
        chart
            .draw_series(cups.iter().map(|c| {
                let end = match c.state {
                    CupState::Confirmed { breakout } => breakout,
                    _ => c.right_rim.0,
                };
                Rectangle::new([(c.left_rim.0.max(first), y_lo), (end, y_hi)], fill)
            }))
            .map_err(de)?
            .label("cup and handle")
            .legend(square_sample(fill));
    }
    // Levels: from their first touch to the last date.
    for (kind, col, name) in [
        (LevelKind::Support, GREEN, "support"),
        (LevelKind::Resistance, RED, "resistance"),
    ] {
        let style = col.mix(0.8).stroke_width(1);
        let lines: Vec<PathElement<_>> = levels
            .iter()
            .filter(|l| l.kind == kind && l.price.is_finite())
            .map(|l| {
                PathElement::new(
                    vec![(l.first_touch.max(first), l.price), (last, l.price)],
                    style,
                )
            })
            .collect();
        if !lines.is_empty() {
            chart
                .draw_series(lines)
                .map_err(de)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        // Each line labelled with its price where it starts (the close and the latest
        // breakouts crowd its right end), above the line.
        let label = text(13.0)
            .color(&col)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        chart
            .draw_series(
                levels
                    .iter()
                    .filter(|l| l.kind == kind && l.price.is_finite())
                    .map(|l| {
                        Text::new(
                            fmt(&l.price),
                            (l.first_touch.max(first), l.price),
                            label.clone(),
                        )
                    }),
            )
            .map_err(de)?;
    }
    let close: Vec<Option<f64>> = closes.iter().map(|v| Some(*v)).collect();
    draw_line(
        &mut chart,
        dates,
        close,
        color.stroke_width(2),
        Some("close"),
    )?;
    // Breakouts: a triangle pointing the way of the break (larger when volume confirmed it;
    // smaller when there are many, so the close stays visible).
    let (small, big) = match breakouts.len() {
        0..=60 => (4, 6),
        61..=300 => (3, 4),
        _ => (2, 3),
    };
    for (dir, col, name) in [
        (Direction::Up, GREEN, "breakout up"),
        (Direction::Down, RED, "breakout down"),
    ] {
        let style = col.filled();
        let sign = if dir == Direction::Up { 1 } else { -1 };
        let marker = move |p: (i32, i32), s: i32| {
            Polygon::new(
                vec![
                    (p.0 - s, p.1 + sign * s),
                    (p.0 + s, p.1 + sign * s),
                    (p.0, p.1 - sign * s),
                ],
                style,
            )
        };
        let marks: Vec<_> = breakouts
            .iter()
            .filter(|b| b.direction == dir && b.close.is_finite())
            .map(|b| {
                let size = if b.confirmed { big } else { small };
                EmptyElement::at((b.date, b.close)) + marker((0, 0), size)
            })
            .collect();
        if !marks.is_empty() {
            chart
                .draw_series(marks)
                .map_err(de)?
                .label(name)
                .legend(move |(x, y)| marker((x + 10, y), 5));
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

impl Paint for Levels<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let area = titled(root, &meta.title)?;
        let panels = area.split_evenly((2, 1));
        // Both panels on the same dates: the earlier first shown date to the later last one.
        let (a, b) = (&self.r.structure.a, &self.r.structure.b);
        let span = |l: &LegStructure| {
            let t = &l.technicals;
            Some((*t.dates.get(visible(l).0)?, *t.dates.last()?))
        };
        let (Some((fa, la)), Some((fb, lb))) = (span(a), span(b)) else {
            return Err(ChartError::Empty("no close".into()));
        };
        let axis = DateAxis::new(fa.min(fb), la.max(lb));
        panel(&panels[0], a, COLOR_A, &axis)?;
        panel(&panels[1], b, COLOR_B, &axis)?;
        Ok(())
    }
}
