//! Backends (SVG text, PNG bytes), the SVG root decoration, and the drawing helpers shared by
//! the charts (styles, lines through runs of defined values, dashed reference lines, legends).

use std::cell::RefCell;
use std::ops::Range;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{runs, DateAxis, Scale};
use crate::{font, ChartError, ChartKind, Format, PlotArea, Size, MAX_SIDE, MIN_SIDE};

/// What identifies a chart in its SVG.
pub(crate) struct Meta {
    /// Kind.
    pub kind: ChartKind,
    /// Title.
    pub title: String,
    /// The scale of a price or equity axis (log by default).
    pub scale: Scale,
    /// The plotting areas with a date axis drawn so far ([`Meta::record`]), in drawing order.
    plots: RefCell<Vec<PlotArea>>,
}

impl Meta {
    pub(crate) fn new(kind: ChartKind, title: String) -> Meta {
        Meta {
            kind,
            title,
            scale: Scale::default(),
            plots: RefCell::new(Vec::new()),
        }
    }

    /// Record where `chart`, drawn on the date axis `axis`, is: the pixels of the axis' first
    /// and last dates (as the chart maps them) and of the plotting area's top and bottom.
    pub(crate) fn record<DB: Backend>(&self, chart: &XyChart<'_, DB, DateAxis>, axis: &DateAxis) {
        let dates = axis.range();
        let y = chart.plotting_area().get_pixel_range().1;
        self.plots.borrow_mut().push(PlotArea {
            x_start: chart.backend_coord(&(dates.start, 0.0)).0,
            x_end: chart.backend_coord(&(dates.end, 0.0)).0,
            top: y.start,
            bottom: y.end,
            start: dates.start,
            end: dates.end,
        });
    }

    /// With the price or equity axis on `scale`.
    pub(crate) fn scaled(mut self, scale: Scale) -> Meta {
        self.scale = scale;
        self
    }
}

/// The backends charts are drawn on, and whether they rasterize.
pub(crate) trait Backend: DrawingBackend {
    /// True for pixel backends, whose thick polylines need care (see [`draw_line`]).
    const RASTER: bool;
}

impl Backend for SVGBackend<'_> {
    const RASTER: bool = false;
}

impl Backend for BitMapBackend<'_> {
    const RASTER: bool = true;
}

/// A chart that can paint itself on any plotters backend.
pub(crate) trait Paint {
    /// Draw the whole chart (title included) on `root`.
    fn paint<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        meta: &Meta,
    ) -> Result<(), ChartError>;
}

/// Map a plotters error.
pub(crate) fn de<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn check_size(size: Size) -> Result<(), ChartError> {
    let ok = |v: u32| (MIN_SIDE..=MAX_SIDE).contains(&v);
    if ok(size.0) && ok(size.1) {
        Ok(())
    } else {
        Err(ChartError::Usage(format!(
            "chart size {}x{} is out of range: width and height must be {MIN_SIDE}..={MAX_SIDE} \
             pixels",
            size.0, size.1
        )))
    }
}

/// Render `p` in `format` at `size`.
pub(crate) fn render(
    p: &impl Paint,
    meta: &Meta,
    format: Format,
    size: Size,
) -> Result<Vec<u8>, ChartError> {
    render_plots(p, meta, format, size).map(|d| d.0)
}

/// [`render`], with the plotting areas on a date axis the chart recorded ([`Meta::record`]).
pub(crate) fn render_plots(
    p: &impl Paint,
    meta: &Meta,
    format: Format,
    size: Size,
) -> Result<(Vec<u8>, Vec<PlotArea>), ChartError> {
    meta.plots.borrow_mut().clear();
    let bytes = render_bytes(p, meta, format, size)?;
    Ok((bytes, meta.plots.take()))
}

fn render_bytes(
    p: &impl Paint,
    meta: &Meta,
    format: Format,
    size: Size,
) -> Result<Vec<u8>, ChartError> {
    check_size(size)?;
    font::ensure()?;
    match format {
        Format::Svg => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
                p.paint(&root, meta)?;
                root.present().map_err(de)?;
            }
            Ok(decorate_svg(&s, meta, size).into_bytes())
        }
        Format::Png => {
            let (w, h) = (size.0 as usize, size.1 as usize);
            let mut buf = vec![0u8; w * h * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
                p.paint(&root, meta)?;
                root.present().map_err(de)?;
            }
            encode_png(&buf, size)
        }
    }
}

fn encode_png(rgb: &[u8], size: Size) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, size.0, size.1);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc
        .write_header()
        .map_err(|e| ChartError::Draw(format!("PNG: {e}")))?;
    w.write_image_data(rgb)
        .map_err(|e| ChartError::Draw(format!("PNG: {e}")))?;
    w.finish()
        .map_err(|e| ChartError::Draw(format!("PNG: {e}")))?;
    Ok(out)
}

/// Escape text for XML.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

/// Identify the root `<svg>` (class, `data-chart`, `role`, `aria-label`), make sure it has a
/// `viewBox`, and add a `<title>` as its first child.
fn decorate_svg(svg: &str, meta: &Meta, size: Size) -> String {
    let title = xml_escape(&meta.title);
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_string();
    };
    let tag = &svg[start..end];
    let mut attrs = String::new();
    if !tag.contains("viewBox") {
        attrs.push_str(&format!(" viewBox=\"0 0 {} {}\"", size.0, size.1));
    }
    attrs.push_str(&format!(
        " class=\"lockstep-chart\" data-chart=\"{}\" role=\"img\" aria-label=\"{title}\"",
        meta.kind.name()
    ));
    let self_closing = tag.ends_with('/');
    let mut out = String::with_capacity(svg.len() + 256);
    out.push_str(&svg[..start]);
    if self_closing {
        out.push_str(tag.trim_end_matches('/'));
        out.push_str(&attrs);
        out.push_str(&format!("><title>{title}</title></svg>"));
        out.push_str(&svg[end + 1..]);
    } else {
        out.push_str(tag);
        out.push_str(&attrs);
        out.push_str(">\n");
        out.push_str(&format!("<title>{title}</title>"));
        out.push_str(&svg[end + 1..]);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Styles
// ---------------------------------------------------------------------------------------------

/// Leg A.
pub(crate) const COLOR_A: RGBColor = RGBColor(31, 119, 180);
/// Leg B.
pub(crate) const COLOR_B: RGBColor = RGBColor(255, 127, 14);
/// Up / support / positive.
pub(crate) const GREEN: RGBColor = RGBColor(44, 160, 44);
/// Down / resistance / negative.
pub(crate) const RED: RGBColor = RGBColor(214, 39, 40);
/// Reference lines.
pub(crate) const GREY: RGBColor = RGBColor(110, 110, 110);
/// Text.
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);

/// Colours of a list of series (rolling windows, rules).
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
];

/// The text style of `size` pixels in the embedded family.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((font::FAMILY, size)).color(&INK)
}

/// Bold text.
pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((font::FAMILY, size, FontStyle::Bold)).color(&INK)
}

/// Fill the background and draw the chart's title; returns the area below the title.
pub(crate) fn titled<DB: Backend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    root.fill(&WHITE).map_err(de)?;
    root.titled(title, bold(22.0)).map_err(de)
}

/// A chart with a date (or any) x axis and an f64 y axis.
pub(crate) type XyChart<'a, DB, X> = ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>;

/// Caption, axis descriptions and tick formatters of an [`xy_chart`].
pub(crate) struct Axes<'f, V> {
    /// Caption above the plotting area.
    pub caption: Option<&'f str>,
    /// Description of the x axis.
    pub x_desc: &'f str,
    /// Description of the y axis.
    pub y_desc: &'f str,
    /// Formatter of the y ticks.
    pub y_fmt: &'f dyn Fn(&f64) -> String,
    /// Formatter of the x ticks (the axis' own when `None`).
    pub x_fmt: Option<&'f dyn Fn(&V) -> String>,
}

/// Build a chart on `area` with axis descriptions and tick labels.
pub(crate) fn xy_chart<'a, DB, X>(
    area: &DrawingArea<DB, Shift>,
    x: X,
    y: Range<f64>,
    axes: Axes<'_, X::ValueType>,
) -> Result<XyChart<'a, DB, X>, ChartError>
where
    DB: Backend + 'a,
    X: Ranged + ValueFormatter<X::ValueType>,
{
    let mut b = ChartBuilder::on(area);
    b.margin(8)
        .margin_right(18)
        .x_label_area_size(44)
        .y_label_area_size(72);
    if let Some(c) = axes.caption {
        b.caption(c, bold(15.0));
    }
    let mut chart = b.build_cartesian_2d(x, y).map_err(de)?;
    let mut mesh = chart.configure_mesh();
    if let Some(f) = axes.x_fmt {
        mesh.x_label_formatter(f);
    }
    mesh.x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .axis_desc_style(text(15.0))
        .label_style(text(13.0))
        .x_labels(9)
        .y_labels(7)
        .y_label_formatter(axes.y_fmt)
        .bold_line_style(RGBColor(225, 225, 225))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY)
        .draw()
        .map_err(de)?;
    Ok(chart)
}

/// Draw `ys` against `xs` as lines through the runs of defined values (gaps break the line; a
/// lone defined value is a dot), with a legend entry when `label` is given. Lines of more than
/// three points per pixel are drawn 1 pixel wide whatever `style` says.
pub(crate) fn draw_line<'a, DB, X>(
    chart: &mut XyChart<'a, DB, X>,
    xs: &[X::ValueType],
    ys: impl IntoIterator<Item = Option<f64>>,
    style: ShapeStyle,
    label: Option<&str>,
) -> Result<(), ChartError>
where
    DB: Backend + 'a,
    X: Ranged,
    X::ValueType: Clone + 'static,
{
    // More than 3 points a pixel: a thick line would be a blob.
    let width = chart.plotting_area().dim_in_pixel().0.max(1) as usize;
    let style = if xs.len() > 3 * width {
        style.stroke_width(1)
    } else {
        style
    };
    let sample = move |(x, y): (i32, i32)| PathElement::new(vec![(x, y), (x + 20, y)], style);
    let mut labelled = label.is_none();
    for run in runs(xs, ys) {
        let anno = if run.len() == 1 {
            chart
                .draw_series(run.into_iter().map(|p| Circle::new(p, 2, style.filled())))
                .map_err(de)?
        } else if DB::RASTER && style.stroke_width > 1 {
            // plotters rasterizes a thick polyline as one polygon, which breaks up on dense
            // zigzags and on segments shorter than a pixel: draw it as separate segments
            // between distinct pixels instead.
            let mut pts: Vec<(X::ValueType, f64)> = Vec::with_capacity(run.len());
            let mut last_px = None;
            for p in run {
                let px = chart.backend_coord(&(p.0.clone(), p.1));
                if last_px != Some(px) {
                    last_px = Some(px);
                    pts.push(p);
                }
            }
            if pts.len() == 1 {
                chart
                    .draw_series(pts.into_iter().map(|p| Circle::new(p, 1, style.filled())))
                    .map_err(de)?
            } else {
                chart
                    .draw_series(
                        pts.windows(2)
                            .map(|w| PathElement::new(vec![w[0].clone(), w[1].clone()], style)),
                    )
                    .map_err(de)?
            }
        } else {
            chart.draw_series(LineSeries::new(run, style)).map_err(de)?
        };
        if !labelled {
            anno.label(label.unwrap_or_default()).legend(sample);
            labelled = true;
        }
    }
    if !labelled {
        legend_only(chart, label.unwrap_or_default(), sample)?;
    }
    Ok(())
}

/// A legend entry with nothing drawn.
pub(crate) fn legend_only<'a, DB, X, E, F>(
    chart: &mut XyChart<'a, DB, X>,
    label: &str,
    sample: F,
) -> Result<(), ChartError>
where
    DB: Backend + 'a,
    X: Ranged,
    X::ValueType: 'static,
    E: IntoDynElement<'a, DB, (i32, i32)>,
    F: Fn((i32, i32)) -> E + 'a,
{
    chart
        .draw_series(std::iter::empty::<Circle<(X::ValueType, f64), i32>>())
        .map_err(de)?
        .label(label)
        .legend(sample);
    Ok(())
}

/// A filled square legend sample.
pub(crate) fn square_sample(style: ShapeStyle) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x + 2, y - 6), (x + 18, y + 6)], style.filled())
}

/// A dashed horizontal line at `y` across `x`, with a legend entry when `label` is given.
pub(crate) fn hline<'a, DB, X>(
    chart: &mut XyChart<'a, DB, X>,
    x: Range<X::ValueType>,
    y: f64,
    style: ShapeStyle,
    label: Option<&str>,
) -> Result<(), ChartError>
where
    DB: Backend + 'a,
    X: Ranged,
    X::ValueType: Clone + 'static,
{
    if !y.is_finite() {
        return Ok(());
    }
    let anno = chart
        .draw_series(DashedLineSeries::new(
            vec![(x.start, y), (x.end, y)],
            6,
            4,
            style,
        ))
        .map_err(de)?;
    if let Some(l) = label {
        anno.label(l).legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (8, 0)], style)
                + PathElement::new(vec![(12, 0), (20, 0)], style)
        });
    }
    Ok(())
}

/// Draw the legend in a corner.
pub(crate) fn legend<'a, DB, X>(
    chart: &mut XyChart<'a, DB, X>,
    pos: SeriesLabelPosition,
) -> Result<(), ChartError>
where
    DB: Backend + 'a,
    X: Ranged,
{
    chart
        .configure_series_labels()
        .position(pos)
        .label_font(text(13.0))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(190, 190, 190))
        .draw()
        .map_err(de)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_root_is_decorated() {
        let meta = Meta::new(ChartKind::Ccf, "A & B <x>".into());
        let s = decorate_svg(
            "<svg width=\"10\" height=\"20\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>",
            &meta,
            (10, 20),
        );
        assert!(s.starts_with("<svg width=\"10\" height=\"20\""));
        assert!(s.contains("viewBox=\"0 0 10 20\""));
        assert!(s.contains("data-chart=\"ccf\""));
        assert!(s.contains("<title>A &amp; B &lt;x&gt;</title>"));
    }

    #[test]
    fn sizes_are_checked() {
        assert!(check_size((960, 480)).is_ok());
        assert!(matches!(check_size((0, 480)), Err(ChartError::Usage(_))));
        assert!(matches!(
            check_size((960, 90_000)),
            Err(ChartError::Usage(_))
        ));
    }
}
