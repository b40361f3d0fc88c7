//! Both legs rebased to 100 on the aligned dates, on a log scale by default (a doubling is
//! the same height wherever it happens; [`crate::Scale::Linear`] draws the values).

use plotters::coord::ranged1d::Ranged;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{value_range, DateAxis};
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
        let sc = meta.scale;
        let y = value_range(
            s.norm_a
                .iter()
                .chain(&s.norm_b)
                .copied()
                .chain(std::iter::once(100.0))
                .filter_map(|v| sc.to_axis(v)),
            0.05,
        )
        .unwrap_or(90.0..110.0);
        let fmt = sc.format(&y);
        let y_desc = format!("rebased (first aligned date = 100){}", sc.suffix());
        let area = titled(root, &meta.title)?;
        let mut chart = xy_chart(
            &area,
            self.axis.clone(),
            y,
            Axes {
                caption: None,
                x_desc: "date",
                y_desc: &y_desc,
                y_fmt: &fmt,
                x_fmt: None,
            },
        )?;
        meta.record(&chart, &self.axis);
        hline(
            &mut chart,
            self.axis.range(),
            sc.to_axis(100.0).unwrap_or(100.0),
            GREY.stroke_width(1),
            None,
        )?;
        let some = |v: &[f64]| v.iter().map(|x| sc.to_axis(*x)).collect::<Vec<_>>();
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
