//! Price of A on the aligned dates with a marker at each date a rule turned true.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{num_format, value_range, DateAxis};
use crate::render::Axes;
use crate::render::{de, draw_line, legend, titled, xy_chart, Backend, Meta, Paint, GREY, PALETTE};
use crate::ChartError;
use lockstep_report::signals_view::SignalsReport;
use lockstep_report::Report;

pub(crate) struct Signals<'r> {
    r: &'r Report,
    s: &'r SignalsReport,
    axis: DateAxis,
}

impl<'r> Signals<'r> {
    pub(crate) fn new(
        r: &'r Report,
        s: &'r SignalsReport,
        _meta: &Meta,
    ) -> Result<Self, ChartError> {
        let axis = DateAxis::of(&r.series.dates)
            .ok_or_else(|| ChartError::Empty("the report has no aligned date".into()))?;
        Ok(Signals { r, s, axis })
    }
}

/// The vertices of marker `k` (diamond, triangle up, square, triangle down) of half-size `s`
/// around `p`.
pub(crate) fn marker(k: usize, p: (i32, i32), s: i32) -> Vec<(i32, i32)> {
    let (x, y) = p;
    match k % 4 {
        0 => vec![(x, y - s), (x + s, y), (x, y + s), (x - s, y)],
        1 => vec![(x - s, y + s), (x + s, y + s), (x, y - s)],
        2 => vec![
            (x - s, y - s),
            (x + s, y - s),
            (x + s, y + s),
            (x - s, y + s),
        ],
        _ => vec![(x - s, y - s), (x + s, y - s), (x, y + s)],
    }
}

impl Paint for Signals<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let series = &self.r.series;
        let y = value_range(series.price_a.iter().copied(), 0.06).unwrap_or(0.0..1.0);
        let fmt = num_format(&y);
        let area = titled(root, &meta.title)?;
        let mut chart = xy_chart(
            &area,
            self.axis.clone(),
            y,
            Axes {
                caption: None,
                x_desc: "date",
                y_desc: &format!("{} price", self.r.a.name),
                y_fmt: &fmt,
                x_fmt: None,
            },
        )?;
        meta.record(&chart, &self.axis);
        let price: Vec<Option<f64>> = series.price_a.iter().map(|v| Some(*v)).collect();
        draw_line(
            &mut chart,
            &series.dates,
            price,
            GREY.stroke_width(1),
            Some(&self.r.a.name),
        )?;
        for (k, (rule, dates)) in self.s.triggers.iter().enumerate() {
            // Rules 0..3 take the first four colours and shapes, then both cycle.
            let color = PALETTE[(k + 1) % PALETTE.len()];
            let style = color.filled();
            let points: Vec<(lockstep_core::Date, f64)> = dates
                .iter()
                .filter_map(|d| {
                    let i = series.dates.binary_search(d).ok()?;
                    let p = series.price_a[i];
                    p.is_finite().then_some((*d, p))
                })
                .collect();
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| EmptyElement::at(p) + Polygon::new(marker(k, (0, 0), 5), style)),
                )
                .map_err(de)?
                .label(format!("{rule} ({})", points.len()))
                .legend(move |(x, y)| Polygon::new(marker(k, (x + 10, y), 5), style));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}
