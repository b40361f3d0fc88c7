//! Both legs rebased to 100 on the aligned dates.

use plotters::coord::ranged1d::Ranged;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{num_format, value_range, DateAxis};
use crate::render::Axes;
use crate::render::{
    draw_line, hline, legend, titled, xy_chart, Backend, Meta, Paint, COLOR_A, COLOR_B, GREY,
};
use crate::ChartError;
use lockstep_report::Report;

pub(crate) struct Overlay<'r> {
    r: &'r Report,
    axis: DateAxis,
}

impl<'r> Overlay<'r> {
    pub(crate) fn new(r: &'r Report, _meta: &Meta) -> Result<Self, ChartError> {
        let axis = DateAxis::of(&r.series.dates)
            .ok_or_else(|| ChartError::Empty("the report has no aligned date".into()))?;
        Ok(Overlay { r, axis })
    }
}

impl Paint for Overlay<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let s = &self.r.series;
        let y = value_range(
            s.norm_a
                .iter()
                .chain(&s.norm_b)
                .copied()
                .chain(std::iter::once(100.0)),
            0.05,
        )
        .unwrap_or(90.0..110.0);
        let fmt = num_format(&y);
        let area = titled(root, &meta.title)?;
        let mut chart = xy_chart(
            &area,
            self.axis.clone(),
            y,
            Axes {
                caption: None,
                x_desc: "date",
                y_desc: "rebased (first aligned date = 100)",
                y_fmt: &fmt,
                x_fmt: None,
            },
        )?;
        hline(
            &mut chart,
            self.axis.range(),
            100.0,
            GREY.stroke_width(1),
            None,
        )?;
        let some = |v: &[f64]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
        draw_line(
            &mut chart,
            &s.dates,
            some(&s.norm_a),
            COLOR_A.stroke_width(2),
            Some(&self.r.a.name),
        )?;
        draw_line(
            &mut chart,
            &s.dates,
            some(&s.norm_b),
            COLOR_B.stroke_width(2),
            Some(&self.r.b.name),
        )?;
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}
