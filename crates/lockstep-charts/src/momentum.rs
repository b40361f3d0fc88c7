//! RSI and MACD of both legs, each over the last [`VIEW_DAYS`] of its own history: four
//! stacked panels (RSI A, RSI B with the 30/70 lines; MACD A, MACD B with line, signal and
//! histogram), every panel on the same date axis (both legs' shown dates) so the legs read
//! on the same dates. Momentum is read over weeks and months; decades of daily RSI are a smear (and
//! megabytes of SVG).

use chrono::Days;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{num_format, value_range, DateAxis};
use crate::render::Axes;
use crate::render::{
    de, draw_line, hline, legend, square_sample, titled, xy_chart, Backend, Meta, Paint, COLOR_A,
    COLOR_B, GREEN, GREY, RED,
};
use crate::ChartError;
use lockstep_core::Date;
use lockstep_report::{Report, Technicals};

/// Calendar days shown: the last year of each leg.
pub const VIEW_DAYS: i64 = 365;

/// The index of the first date shown: the first within [`VIEW_DAYS`] of the last date.
pub fn view_start(t: &Technicals) -> usize {
    match t.dates.last() {
        Some(&last) => {
            let from = last - chrono::Duration::days(VIEW_DAYS);
            t.dates.partition_point(|d| *d < from)
        }
        None => 0,
    }
}

pub(crate) struct Momentum<'r> {
    r: &'r Report,
}

impl<'r> Momentum<'r> {
    pub(crate) fn new(r: &'r Report, _meta: &Meta) -> Result<Self, ChartError> {
        for t in [&r.structure.a.technicals, &r.structure.b.technicals] {
            if t.dates.is_empty() {
                return Err(ChartError::Empty(format!(
                    "{} has no indicator values",
                    t.name
                )));
            }
        }
        Ok(Momentum { r })
    }
}

/// The date axis every panel shares: from the earlier of the legs' first shown dates to the
/// later of their last dates, so both legs read on the same dates.
pub(crate) fn shared_axis(ts: [&Technicals; 2]) -> Option<DateAxis> {
    let mut first: Option<Date> = None;
    let mut last: Option<Date> = None;
    for t in ts {
        let (f, l) = (*t.dates.get(view_start(t))?, *t.dates.last()?);
        first = Some(first.map_or(f, |x| x.min(f)));
        last = Some(last.map_or(l, |x| x.max(l)));
    }
    Some(DateAxis::new(first?, last?))
}

fn rsi_panel<DB: Backend>(
    meta: &Meta,
    area: &DrawingArea<DB, Shift>,
    t: &Technicals,
    color: RGBColor,
    axis: &DateAxis,
) -> Result<(), ChartError> {
    let start = view_start(t);
    let dates = &t.dates[start..];
    let y = 0.0..100.0;
    let fmt = num_format(&y);
    let mut chart = xy_chart(
        area,
        axis.clone(),
        y,
        Axes {
            caption: Some(&format!(
                "RSI({}): {} since {}",
                t.params.rsi, t.name, dates[0]
            )),
            x_desc: "date",
            y_desc: "RSI",
            y_fmt: &fmt,
            x_fmt: None,
        },
    )?;
    meta.record(&chart, axis);
    hline(
        &mut chart,
        axis.range(),
        70.0,
        RED.stroke_width(1),
        Some("overbought (70)"),
    )?;
    hline(
        &mut chart,
        axis.range(),
        30.0,
        GREEN.stroke_width(1),
        Some("oversold (30)"),
    )?;
    draw_line(
        &mut chart,
        dates,
        t.rsi[start..].iter().copied(),
        color.stroke_width(2),
        Some("RSI"),
    )?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

fn macd_panel<DB: Backend>(
    meta: &Meta,
    area: &DrawingArea<DB, Shift>,
    t: &Technicals,
    color: RGBColor,
    axis: &DateAxis,
) -> Result<(), ChartError> {
    let start = view_start(t);
    let dates = &t.dates[start..];
    let (macd, signal, hist) = (
        &t.macd[start..],
        &t.macd_signal[start..],
        &t.macd_hist[start..],
    );
    let y = value_range(
        macd.iter()
            .chain(signal)
            .chain(hist)
            .flatten()
            .copied()
            .chain(std::iter::once(0.0)),
        0.08,
    )
    .unwrap_or(-1.0..1.0);
    let fmt = num_format(&y);
    let (f, s, g) = t.params.macd;
    let mut chart = xy_chart(
        area,
        axis.clone(),
        y,
        Axes {
            caption: Some(&format!(
                "MACD({f}, {s}, {g}): {} since {}",
                t.name, dates[0]
            )),
            x_desc: "date",
            y_desc: "MACD",
            y_fmt: &fmt,
            x_fmt: None,
        },
    )?;
    meta.record(&chart, axis);
    hline(&mut chart, axis.range(), 0.0, GREY.stroke_width(1), None)?;
    // Histogram: bars one day wide when they are wide enough to see, else 1-pixel lines.
    let width = chart.plotting_area().dim_in_pixel().0.max(1) as f64;
    let days = (axis.range().end - axis.range().start).num_days().max(1) as f64;
    let bars: Vec<(Date, f64)> = dates
        .iter()
        .zip(hist)
        .filter_map(|(d, h)| h.filter(|h| h.is_finite()).map(|h| (*d, h)))
        .collect();
    let up = GREEN.mix(0.55).filled();
    let down = RED.mix(0.55).filled();
    let style = |h: f64| if h >= 0.0 { up } else { down };
    if width / days >= 3.0 {
        chart
            .draw_series(bars.iter().map(|&(d, h)| {
                let next = d.checked_add_days(Days::new(1)).unwrap_or(d);
                let mut r = Rectangle::new([(d, 0.0), (next, h)], style(h));
                r.set_margin(0, 0, 1, 1);
                r
            }))
            .map_err(de)?
            .label("histogram")
            .legend(square_sample(up));
    } else {
        chart
            .draw_series(
                bars.iter()
                    .map(|&(d, h)| PathElement::new(vec![(d, 0.0), (d, h)], style(h))),
            )
            .map_err(de)?
            .label("histogram")
            .legend(square_sample(up));
    }
    draw_line(
        &mut chart,
        dates,
        macd.iter().copied(),
        color.stroke_width(2),
        Some("MACD"),
    )?;
    draw_line(
        &mut chart,
        dates,
        signal.iter().copied(),
        RGBColor(90, 90, 90).stroke_width(1),
        Some("signal"),
    )?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

impl Paint for Momentum<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let area = titled(root, &meta.title)?;
        let panels = area.split_evenly((4, 1));
        let (a, b) = (
            &self.r.structure.a.technicals,
            &self.r.structure.b.technicals,
        );
        let axis =
            shared_axis([a, b]).ok_or_else(|| ChartError::Empty("no indicator values".into()))?;
        rsi_panel(meta, &panels[0], a, COLOR_A, &axis)?;
        rsi_panel(meta, &panels[1], b, COLOR_B, &axis)?;
        macd_panel(meta, &panels[2], a, COLOR_A, &axis)?;
        macd_panel(meta, &panels[3], b, COLOR_B, &axis)?;
        Ok(())
    }
}
