//! A against several candidates: per candidate, the correlation of each period (the full
//! period, then each window's latest value) with its Fisher interval as a whisker, and with
//! controls the partial correlation beside it (hollow).

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::render::{de, hline, legend, legend_only, titled, xy_chart, Axes, Backend, Meta, Paint};
use crate::render::{GREY, PALETTE, RED};
use crate::ChartError;
use lockstep_report::compare::{Comparison, Interval};

pub(crate) struct Compare<'c> {
    c: &'c Comparison,
}

impl<'c> Compare<'c> {
    pub(crate) fn new(c: &'c Comparison) -> Result<Self, ChartError> {
        let any = c
            .candidates
            .iter()
            .flat_map(|x| &x.periods)
            .any(|p| p.corr.is_some());
        if !any {
            return Err(ChartError::Empty(
                "no candidate has a defined correlation with A".into(),
            ));
        }
        Ok(Compare { c })
    }

    pub(crate) fn title(&self) -> String {
        let c = self.c;
        let ctl = if c.controls.is_empty() {
            String::new()
        } else {
            format!(" (partial given {})", c.controls.join(", "))
        };
        format!("{} against each candidate{ctl}", c.a)
    }
}

/// The label of a period.
fn period_label(w: Option<usize>) -> String {
    match w {
        None => "full period".into(),
        Some(w) => format!("latest {w}"),
    }
}

impl Paint for Compare<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let c = self.c;
        let m = c.candidates.len();
        let periods: Vec<Option<usize>> =
            c.candidates[0].periods.iter().map(|p| p.window).collect();
        let partial = !c.controls.is_empty();
        // One marker per period and kind (corr, then partial), side by side.
        let kinds = periods.len() * if partial { 2 } else { 1 };
        let step = 0.7 / kinds.max(1) as f64;
        let offset = |k: usize| (k as f64 - (kinds as f64 - 1.0) / 2.0) * step;
        let values = c.candidates.iter().flat_map(|x| {
            x.periods.iter().flat_map(|p| {
                [p.corr, p.partial]
                    .into_iter()
                    .flatten()
                    .flat_map(|i| [Some(i.r), i.lo, i.hi])
                    .flatten()
            })
        });
        let (lo, hi) = values.fold((0.0f64, 0.5f64), |(l, h), v| (l.min(v), h.max(v)));
        let pad = 0.08 * (hi - lo).max(0.1);
        let y = (lo - pad).max(-1.05)..(hi + pad).min(1.05);
        let fmt = crate::axis::num_format(&y);
        let x = -0.6..(m as f64 - 0.4);
        let names: Vec<String> = c.candidates.iter().map(|x| x.name.clone()).collect();
        let x_fmt = move |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        };
        let area = titled(root, &meta.title)?;
        let mut chart = xy_chart(
            &area,
            RangedCoordf64::from(x.clone()),
            y,
            Axes {
                caption: None,
                x_desc: &format!(
                    "candidate ({} returns on the dates all series have, {} .. {})",
                    c.n, c.first, c.last
                ),
                y_desc: &format!(
                    "correlation with {} ({:.0}% interval)",
                    c.a,
                    100.0 * c.confidence
                ),
                y_fmt: &fmt,
                x_fmt: Some(&x_fmt),
            },
        )?;
        hline(&mut chart, x.clone(), 0.0, GREY.stroke_width(1), None)?;
        hline(
            &mut chart,
            x,
            0.5,
            RED.stroke_width(1),
            Some("strong (0.5)"),
        )?;
        let mut k = 0;
        for (pi, w) in periods.iter().enumerate() {
            let color = PALETTE[pi % PALETTE.len()];
            let kinds_here: Vec<(bool, String)> = if partial {
                vec![
                    (false, format!("{}: corr", period_label(*w))),
                    (true, format!("{}: partial", period_label(*w))),
                ]
            } else {
                vec![(false, period_label(*w))]
            };
            for (is_partial, label) in kinds_here {
                let dx = offset(k);
                k += 1;
                let points: Vec<(f64, Interval)> = c
                    .candidates
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| {
                        let p = &x.periods[pi];
                        let v = if is_partial { p.partial } else { p.corr };
                        v.map(|v| (i as f64 + dx, v))
                    })
                    .collect();
                let style = color.stroke_width(2);
                chart
                    .draw_series(points.iter().filter_map(|(x, v)| {
                        let (l, h) = (v.lo?, v.hi?);
                        Some(PathElement::new(vec![(*x, l), (*x, h)], style))
                    }))
                    .map_err(de)?;
                let marker = if is_partial {
                    color.stroke_width(2)
                } else {
                    color.filled()
                };
                chart
                    .draw_series(
                        points
                            .iter()
                            .map(|(x, v)| Circle::new((*x, v.r), 5, marker)),
                    )
                    .map_err(de)?;
                legend_only(&mut chart, &label, move |(x, y)| {
                    Circle::new((x + 10, y), 5, marker)
                })?;
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
