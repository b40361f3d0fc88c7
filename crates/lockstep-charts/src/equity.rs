//! Backtest equity of the strategy against buy-and-hold A (upper panel) and the strategy's
//! drawdown (lower panel), both from the backtest rows.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{num_format, runs, value_range, DateAxis};
use crate::render::Axes;
use crate::render::{
    de, draw_line, legend, square_sample, titled, xy_chart, Backend, Meta, Paint, XyChart, COLOR_A,
    COLOR_B, GREY, RED,
};
use crate::ChartError;
use lockstep_core::Date;
use lockstep_signals::BacktestResult;

pub(crate) struct Equity<'b> {
    b: &'b BacktestResult,
    axis: DateAxis,
    dates: Vec<Date>,
}

impl<'b> Equity<'b> {
    pub(crate) fn new(b: &'b BacktestResult) -> Result<Self, ChartError> {
        let dates: Vec<Date> = b.rows.iter().map(|r| r.date).collect();
        let axis = DateAxis::of(&dates)
            .ok_or_else(|| ChartError::Empty("the backtest has no row".into()))?;
        Ok(Equity { b, axis, dates })
    }

    /// "Backtest: long <rule>, flat <rule> vs buy-and-hold A".
    pub(crate) fn title(&self) -> String {
        let s = &self.b.strategy;
        let mut parts = Vec::new();
        for (what, rule) in [("long", &s.long), ("flat", &s.flat), ("short", &s.short)] {
            if let Some(r) = rule {
                parts.push(format!("{what} on {r}"));
            }
        }
        if parts.is_empty() {
            "Backtest: strategy vs buy-and-hold A".into()
        } else {
            format!("Backtest ({}) vs buy-and-hold A", parts.join(", "))
        }
    }
}

fn split_line<DB: Backend>(
    chart: &mut XyChart<'_, DB, DateAxis>,
    split: Option<Date>,
    y: &std::ops::Range<f64>,
    label: bool,
) -> Result<(), ChartError> {
    let Some(d) = split else {
        return Ok(());
    };
    let style = GREY.stroke_width(1);
    let anno = chart
        .draw_series(DashedLineSeries::new(
            vec![(d, y.start), (d, y.end)],
            6,
            4,
            style,
        ))
        .map_err(de)?;
    if label {
        anno.label(format!("split {d}"))
            .legend(move |(x, y)| PathElement::new(vec![(x + 10, y - 6), (x + 10, y + 6)], style));
    }
    Ok(())
}

impl Paint for Equity<'_> {
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError> {
        let rows = &self.b.rows;
        let area = titled(root, &meta.title)?;
        let h = area.dim_in_pixel().1 as i32;
        let (upper, lower) = area.split_vertically(h * 62 / 100);
        // Equity, on a log scale by default.
        let sc = meta.scale;
        let y = value_range(
            rows.iter()
                .flat_map(|r| [r.equity, r.benchmark_equity])
                .filter_map(|v| sc.to_axis(v)),
            0.05,
        )
        .unwrap_or(0.9..1.1);
        let fmt = sc.format(&y);
        let y_desc = format!("equity{}", sc.suffix());
        let mut chart = xy_chart(
            &upper,
            self.axis.clone(),
            y.clone(),
            Axes {
                caption: Some("equity (1 = start)"),
                x_desc: "date",
                y_desc: &y_desc,
                y_fmt: &fmt,
                x_fmt: None,
            },
        )?;
        meta.record(&chart, &self.axis);
        split_line(&mut chart, self.b.split, &y, true)?;
        draw_line(
            &mut chart,
            &self.dates,
            rows.iter().map(|r| sc.to_axis(r.benchmark_equity)),
            GREY.stroke_width(2),
            Some("buy-and-hold A"),
        )?;
        draw_line(
            &mut chart,
            &self.dates,
            rows.iter().map(|r| sc.to_axis(r.equity)),
            COLOR_A.stroke_width(2),
            Some("strategy"),
        )?;
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        // Drawdown, in percent.
        let y = value_range(
            rows.iter()
                .flat_map(|r| [r.drawdown, r.benchmark_drawdown])
                .chain(std::iter::once(0.0)),
            0.05,
        )
        .unwrap_or(-0.1..0.01);
        let pct = num_format(&(100.0 * y.start..100.0 * y.end));
        let fmt = move |v: &f64| format!("{}%", pct(&(100.0 * v)));
        let mut chart = xy_chart(
            &lower,
            self.axis.clone(),
            y.clone(),
            Axes {
                caption: Some("drawdown: strategy (shaded) and buy-and-hold A"),
                x_desc: "date",
                y_desc: "drawdown",
                y_fmt: &fmt,
                x_fmt: None,
            },
        )?;
        meta.record(&chart, &self.axis);
        split_line(&mut chart, self.b.split, &y, false)?;
        let fill = RED.mix(0.25).filled();
        let mut labelled = false;
        for run in runs(&self.dates, rows.iter().map(|r| Some(r.drawdown))) {
            let (first, last) = (run[0].0, run[run.len() - 1].0);
            let mut pts = run;
            pts.push((last, 0.0));
            pts.push((first, 0.0));
            let anno = chart
                .draw_series(std::iter::once(Polygon::new(pts, fill)))
                .map_err(de)?;
            if !labelled {
                anno.label("drawdown").legend(square_sample(fill));
                labelled = true;
            }
        }
        draw_line(
            &mut chart,
            &self.dates,
            rows.iter().map(|r| Some(r.benchmark_drawdown)),
            COLOR_B.stroke_width(1),
            Some("buy-and-hold A drawdown"),
        )?;
        draw_line(
            &mut chart,
            &self.dates,
            rows.iter().map(|r| Some(r.drawdown)),
            RED.stroke_width(1),
            None,
        )?;
        legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        Ok(())
    }
}
