//! The latest correlation of every pair of a screen as a symmetric matrix: diagonal 1, missing
//! pairs grey, a diverging blue (−1) / white (0) / red (+1) scale, symbols on both axes and the
//! values in the cells when there are at most [`VALUES_UP_TO`] symbols.

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::render::{de, text, titled, Backend, Meta, Paint, INK};
use crate::ChartError;
use lockstep_report::screen::Screen;

/// Values are written in the cells up to this many symbols.
pub(crate) const VALUES_UP_TO: usize = 12;
/// Steps of the colour scale bar.
pub(crate) const SCALE_STEPS: usize = 40;
/// Largest number of symbols drawn.
pub(crate) const MAX_SYMBOLS: usize = 200;
/// Colour of a missing correlation.
const MISSING: RGBColor = RGBColor(190, 190, 190);
const NEG: (f64, f64, f64) = (33.0, 102.0, 172.0);
const MID: (f64, f64, f64) = (247.0, 247.0, 247.0);
const POS: (f64, f64, f64) = (178.0, 24.0, 43.0);

/// The colour of a correlation: blue at −1, white at 0, red at +1 (clamped).
pub(crate) fn color(v: f64) -> RGBColor {
    let v = if v.is_finite() {
        v.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let end = if v >= 0.0 { POS } else { NEG };
    let t = v.abs();
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(MID.0, end.0), mix(MID.1, end.1), mix(MID.2, end.2))
}

pub(crate) struct Heatmap<'s> {
    s: &'s Screen,
    names: Vec<&'s str>,
    /// Row-major `n × n`, `None` where missing.
    cells: Vec<Option<f64>>,
}

impl<'s> Heatmap<'s> {
    pub(crate) fn new(s: &'s Screen) -> Result<Self, ChartError> {
        let mut names: Vec<&str> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for p in &s.pairs {
            for name in [p.a.as_str(), p.b.as_str()] {
                if !index.contains_key(name) {
                    index.insert(name, names.len());
                    names.push(name);
                }
            }
        }
        let n = names.len();
        if n == 0 {
            return Err(ChartError::Empty(
                "the screen has no pair (it needs at least two series)".into(),
            ));
        }
        if n > MAX_SYMBOLS {
            return Err(ChartError::Usage(format!(
                "the heatmap draws at most {MAX_SYMBOLS} symbols, the screen has {n}"
            )));
        }
        let mut cells = vec![None; n * n];
        for i in 0..n {
            cells[i * n + i] = Some(1.0);
        }
        for p in &s.pairs {
            let (i, j) = (index[p.a.as_str()], index[p.b.as_str()]);
            if i != j {
                let c = p.corr.filter(|c| c.is_finite());
                cells[i * n + j] = c;
                cells[j * n + i] = c;
            }
        }
        Ok(Heatmap { s, names, cells })
    }

    pub(crate) fn title(&self) -> String {
        format!(
            "Correlation heatmap: latest {}-return correlation of {} series",
            self.s.window,
            self.names.len()
        )
    }
}

/// At most `max` characters of `s` (an ellipsis marks a cut).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut o: String = s.chars().take(max.saturating_sub(1)).collect();
        o.push('…');
        o
    }
}

impl Paint for Heatmap<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let n = self.names.len();
        let area = titled(root, &meta.title)?;
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let scale_w = 110;
        // Label sizes from the longest (clipped) name.
        let label_px = if n <= 20 { 14.0 } else { 11.0 };
        let label_style = text(label_px);
        let labels: Vec<String> = self.names.iter().map(|s| clip(s, 18)).collect();
        let longest = labels
            .iter()
            .map(|l| area.estimate_text_size(l, &label_style).map(|s| s.0 as i32))
            .try_fold(0, |m, s| s.map(|s| m.max(s)))
            .map_err(de)?;
        let label_w = (longest + 10).min(w / 4);
        let desc = 24;
        let left = desc + label_w;
        // Column labels are horizontal when the longest fits in a cell, else rotated.
        let layout = |bottom: i32| {
            let side = (w - left - scale_w - 20).min(h - bottom - 10).max(n as i32);
            let cell = (side / n as i32).max(1);
            (cell, cell * n as i32)
        };
        let (mut cell, mut side) = layout(label_px as i32 + 12 + desc);
        let rotated = longest > cell - 4;
        if rotated {
            (cell, side) = layout(label_w + desc);
        }
        let col_h = if rotated {
            label_w
        } else {
            label_px as i32 + 12
        };
        let (x0, y0) = (left, 6);
        // Cells.
        let values = n <= VALUES_UP_TO;
        let value_px = (cell as f64 * 0.3).clamp(8.0, 16.0);
        for i in 0..n {
            for j in 0..n {
                let v = self.cells[i * n + j];
                let fill = v.map_or(MISSING, color);
                let (cx, cy) = (x0 + j as i32 * cell, y0 + i as i32 * cell);
                area.draw(&Rectangle::new(
                    [(cx, cy), (cx + cell, cy + cell)],
                    fill.filled(),
                ))
                .map_err(de)?;
                if values {
                    let (label, ink) = match v {
                        Some(v) => (format!("{v:.2}"), if v.abs() > 0.6 { WHITE } else { INK }),
                        None => ("n/a".to_string(), INK),
                    };
                    let style = text(value_px)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    area.draw(&Text::new(label, (cx + cell / 2, cy + cell / 2), style))
                        .map_err(de)?;
                }
            }
        }
        // Symbols: rows on the left, columns below (rotated).
        let row_style = label_style.pos(Pos::new(HPos::Right, VPos::Center));
        let col_style = if rotated {
            label_style
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center))
        } else {
            label_style.pos(Pos::new(HPos::Center, VPos::Top))
        };
        for (k, l) in labels.iter().enumerate() {
            let mid = k as i32 * cell + cell / 2;
            area.draw(&Text::new(l.clone(), (x0 - 6, y0 + mid), row_style.clone()))
                .map_err(de)?;
            area.draw(&Text::new(
                l.clone(),
                (x0 + mid, y0 + side + 6),
                col_style.clone(),
            ))
            .map_err(de)?;
        }
        // Axis descriptions.
        let desc_style = text(16.0).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(
            "symbol (column)",
            (x0 + side / 2, y0 + side + col_h + desc / 2),
            desc_style.clone(),
        ))
        .map_err(de)?;
        area.draw(&Text::new(
            "symbol (row)",
            (desc / 2, y0 + side / 2),
            desc_style.transform(FontTransform::Rotate270),
        ))
        .map_err(de)?;
        // Colour scale: +1 at the top, −1 at the bottom, then the missing swatch.
        let sx = x0 + side + 24;
        let bar_h = (side - 40).max(SCALE_STEPS as i32);
        let step = bar_h as f64 / SCALE_STEPS as f64;
        for k in 0..SCALE_STEPS {
            let v = 1.0 - 2.0 * (k as f64 + 0.5) / SCALE_STEPS as f64;
            let (top, bot) = (
                y0 + (k as f64 * step).round() as i32,
                y0 + ((k + 1) as f64 * step).round() as i32,
            );
            area.draw(&Rectangle::new(
                [(sx, top), (sx + 18, bot)],
                color(v).filled(),
            ))
            .map_err(de)?;
        }
        let tick = text(13.0).pos(Pos::new(HPos::Left, VPos::Center));
        for v in [1.0, 0.5, 0.0, -0.5, -1.0] {
            let y = y0 + ((1.0 - v) / 2.0 * bar_h as f64).round() as i32;
            area.draw(&Text::new(format!("{v:+.1}"), (sx + 24, y), tick.clone()))
                .map_err(de)?;
        }
        let my = y0 + bar_h + 14;
        area.draw(&Rectangle::new(
            [(sx, my), (sx + 18, my + 14)],
            MISSING.filled(),
        ))
        .map_err(de)?;
        area.draw(&Text::new("missing", (sx + 24, my + 7), tick))
            .map_err(de)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_scale() {
        assert_eq!(color(0.0), RGBColor(247, 247, 247));
        assert_eq!(color(1.0), RGBColor(178, 24, 43));
        assert_eq!(color(-1.0), RGBColor(33, 102, 172));
        assert_eq!(color(5.0), color(1.0));
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
