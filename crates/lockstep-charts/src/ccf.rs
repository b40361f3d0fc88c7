//! Cross-correlation of the aligned returns by lag, with the ± significance band.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::render::Axes;
use crate::render::{
    de, hline, legend, square_sample, titled, xy_chart, Backend, Meta, Paint, COLOR_A, GREY, RED,
};
use crate::ChartError;
use lockstep_report::Report;

pub(crate) struct Ccf<'r> {
    r: &'r Report,
}

impl<'r> Ccf<'r> {
    pub(crate) fn new(r: &'r Report, _meta: &Meta) -> Result<Self, ChartError> {
        let ll = &r.lead_lag;
        if !ll.ccf.iter().any(|p| p.corr.is_some_and(f64::is_finite)) {
            let why = if ll.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", ll.notes.join("; "))
            };
            return Err(ChartError::Empty(format!(
                "no cross-correlation is defined{why}"
            )));
        }
        Ok(Ccf { r })
    }
}

impl Paint for Ccf<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let r = self.r;
        let ll = &r.lead_lag;
        let points: Vec<(f64, f64)> = ll
            .ccf
            .iter()
            .filter_map(|p| p.corr.filter(|c| c.is_finite()).map(|c| (p.lag as f64, c)))
            .collect();
        let max_lag = ll
            .ccf
            .iter()
            .map(|p| p.lag.unsigned_abs() as f64)
            .fold(1.0, f64::max);
        let band = ll.band.is_finite().then_some(ll.band.abs());
        let top = points
            .iter()
            .map(|p| p.1.abs())
            .chain(band)
            .fold(0.05, f64::max);
        let top = (top * 1.2).min(1.05);
        let y = -top..top;
        let fmt = crate::axis::num_format(&y);
        let x = -(max_lag + 0.8)..(max_lag + 0.8);
        let area = titled(root, &meta.title)?;
        let mut chart = xy_chart(
            &area,
            RangedCoordf64::from(x.clone()),
            y,
            Axes {
                caption: None,
                x_desc: &format!(
                    "lag k in {} (k > 0: {} leads {}; k < 0: {} leads {})",
                    ll.unit, r.b.name, r.a.name, r.a.name, r.b.name
                ),
                y_desc: "correlation of A(t) and B(t - k)",
                y_fmt: &fmt,
                x_fmt: Some(&|k: &f64| format!("{k:.0}")),
            },
        )?;
        hline(&mut chart, x.clone(), 0.0, GREY.stroke_width(1), None)?;
        let fill = COLOR_A.mix(0.8).filled();
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(k, c)| Rectangle::new([(k - 0.35, 0.0), (k + 0.35, c)], fill)),
            )
            .map_err(de)?
            .label("correlation")
            .legend(square_sample(fill));
        if let Some(b) = band {
            let label = format!("±{b:.3} band ({:.0}%)", 100.0 * r.params.confidence);
            hline(&mut chart, x.clone(), b, RED.stroke_width(1), Some(&label))?;
            hline(&mut chart, x, -b, RED.stroke_width(1), None)?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
