//! Rolling correlation per window with the longest window's confidence band, reference lines
//! at 0 and the strong threshold, and the risk-off spans of the regime shaded.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{num_format, DateAxis};
use crate::render::Axes;
use crate::render::{
    de, draw_line, hline, legend, legend_only, square_sample, titled, xy_chart, Backend, Meta,
    Paint, GREY, PALETTE,
};
use crate::ChartError;
use lockstep_core::Date;
use lockstep_report::Report;
use lockstep_stats::Regime;

/// Shading of risk-off spans.
const RISK_OFF: RGBColor = RGBColor(240, 200, 200);

pub(crate) struct Correlation<'r> {
    r: &'r Report,
    axis: DateAxis,
}

impl<'r> Correlation<'r> {
    pub(crate) fn new(r: &'r Report, _meta: &Meta) -> Result<Self, ChartError> {
        let axis = DateAxis::of(&r.series.dates)
            .ok_or_else(|| ChartError::Empty("the report has no aligned date".into()))?;
        if r.series.rolling.is_empty() {
            return Err(ChartError::Empty("the report has no rolling window".into()));
        }
        Ok(Correlation { r, axis })
    }
}

/// The spans `[first, last]` of consecutive indices where `pred` holds.
pub(crate) fn spans<T>(v: &[T], pred: impl Fn(&T) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, x) in v.iter().enumerate() {
        match (pred(x), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, v.len() - 1));
    }
    out
}

impl Paint for Correlation<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let r = self.r;
        let s = &r.series;
        let dates: &[Date] = &s.dates;
        let y = -1.05..1.05;
        let fmt = num_format(&(-1.0..1.0));
        let area = titled(root, &meta.title)?;
        let mut chart = xy_chart(
            &area,
            self.axis.clone(),
            y,
            Axes {
                caption: None,
                x_desc: "date",
                y_desc: &format!("correlation ({})", r.params.method.name()),
                y_fmt: &fmt,
                x_fmt: None,
            },
        )?;
        meta.record(&chart, &self.axis);
        // Risk-off spans: from the first date of a span to the date after its last one.
        let n = dates.len().min(r.regimes.regime.len());
        let off = spans(&r.regimes.regime[..n], |g| *g == Some(Regime::RiskOff));
        if !off.is_empty() {
            let fill = RISK_OFF.mix(0.6).filled();
            chart
                .draw_series(off.iter().map(|&(i, j)| {
                    let end = dates.get(j + 1).copied().unwrap_or(dates[j]);
                    Rectangle::new([(dates[i], -1.05), (end, 1.05)], fill)
                }))
                .map_err(de)?
                .label(format!("risk-off ({})", r.regimes.leg))
                .legend(square_sample(fill));
        }
        // The band of the longest window.
        if let Some(w) = s.rolling.iter().max_by_key(|w| w.window) {
            let k = s
                .rolling
                .iter()
                .position(|x| x.window == w.window)
                .unwrap_or(0);
            let color = PALETTE[k % PALETTE.len()];
            let fill = color.mix(0.18).filled();
            let both: Vec<Option<(f64, f64)>> = w
                .corr_lo
                .iter()
                .zip(w.corr_hi.iter())
                .map(|(lo, hi)| match (lo, hi) {
                    (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((a, b)),
                    _ => None,
                })
                .collect();
            let mut drawn = false;
            for (i, j) in spans(&both, Option::is_some) {
                let pts: Vec<(Date, f64)> = (i..=j)
                    .map(|t| (dates[t], both[t].map_or(0.0, |b| b.1)))
                    .chain(
                        (i..=j)
                            .rev()
                            .map(|t| (dates[t], both[t].map_or(0.0, |b| b.0))),
                    )
                    .collect();
                let anno = chart
                    .draw_series(std::iter::once(Polygon::new(pts, fill)))
                    .map_err(de)?;
                if !drawn {
                    anno.label(format!(
                        "{}-return {:.0}% interval",
                        w.window,
                        100.0 * r.params.confidence
                    ))
                    .legend(square_sample(fill));
                    drawn = true;
                }
            }
            if !drawn {
                legend_only(
                    &mut chart,
                    &format!("{}-return interval (undefined)", w.window),
                    square_sample(fill),
                )?;
            }
        }
        let x = self.axis.range();
        hline(&mut chart, x.clone(), 0.0, GREY.stroke_width(1), None)?;
        hline(
            &mut chart,
            x,
            r.params.strong,
            RGBColor(90, 90, 90).stroke_width(1),
            Some(&format!("strong ({})", r.params.strong)),
        )?;
        for (k, w) in s.rolling.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            draw_line(
                &mut chart,
                dates,
                w.corr.iter(),
                color.stroke_width(2),
                Some(&format!("{}-return window", w.window)),
            )?;
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::spans;

    #[test]
    fn spans_of_runs() {
        let v = [false, true, true, false, true];
        assert_eq!(spans(&v, |x| *x), vec![(1, 2), (4, 4)]);
        assert!(spans(&[false; 3], |x| *x).is_empty());
    }
}
