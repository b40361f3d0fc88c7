//! Interactive charts: the Plotly figures (data, layout and config as JSON) of a pair's
//! report and backtest, built with plotly.rs, and the Plotly.js script that draws them,
//! embedded in the binary by plotly.rs's `plotly_embed_js` feature (nothing is fetched at
//! run time, nothing third-party is committed).
//!
//! The one place figures are built: the dashboard's `/api/pairs/{id}/figures` and
//! `lockstep report --interactive` both serialize [`figures`]. Every plotted value is a value
//! of the report (`series.norm_a/b`, `series.rolling[w].corr/corr_lo/corr_hi`,
//! `structure.{a,b}.technicals.rsi/macd/macd_signal`) or of the backtest rows
//! (`equity`, `benchmark_equity`, `drawdown`), unrounded, so a hovered value is the one
//! `lockstep corr/technicals/backtest --format json` prints for that date; undefined values
//! are `null` (a gap), never a number.
//!
//! | figure | traces | controls |
//! |---|---|---|
//! | `overlay` | A and B rebased to 100 | log/linear (log first) |
//! | `correlation` | correlation per window, each with its confidence band | window selector: every window, or one with its band |
//! | `momentum` | RSI of both legs (30/70 lines); MACD line and signal of A, of B | — |
//! | `equity` | strategy and buy-and-hold A equity; strategy drawdown | log/linear (log first) |
//!
//! Every figure: unified hover (a crosshair with the date and every series' value), zoom and
//! pan, range buttons 1M, 3M, 6M, 1Y, 5Y, All, legend entries that toggle their series, and
//! `responsive: true` (the figure follows its box's width). Text is 12 px, buttons 11 px.

use std::sync::OnceLock;

use lockstep_core::Date;
use lockstep_report::{Report, Technicals};
use lockstep_signals::BacktestResult;
use plotly::common::{Anchor, DashType, Fill, Font, Line, Mode, Orientation, Title};
use plotly::configuration::Configuration;
use plotly::layout::update_menu::{Button, ButtonMethod, UpdateMenu, UpdateMenuType};
use plotly::layout::{
    Axis, AxisType, HoverMode, Layout, Legend, Margin, RangeSelector, SelectorButton, SelectorStep,
    StepMode,
};
use plotly::{Plot, Scatter};
use serde_json::{json, Map, Value};

/// The script that rescales the value axes listed in a figure's `layout.meta.autoscale` to
/// the data in the visible date range whenever that range changes (a range button, zoom,
/// pan, or the log/linear toggle), as a trader's chart does; Plotly alone keeps the range of
/// the whole history. Defines `lockstepCharts.wire(div)`, to call after `Plotly.newPlot`.
pub const AUTOSCALE_JS: &str = r#"window.lockstepCharts = (function () {
  "use strict";
  function autoscale(gd) {
    const names = (gd.layout.meta && gd.layout.meta.autoscale) || [];
    const xr = gd.layout.xaxis && gd.layout.xaxis.range;
    if (!names.length || !xr) return;
    const x0 = Date.parse(xr[0]), x1 = Date.parse(xr[1]);
    const ext = {};
    for (const t of gd.data) {
      if (t.visible === false || t.visible === "legendonly") continue;
      const ax = "yaxis" + (t.yaxis ? t.yaxis.slice(1) : "");
      if (!names.includes(ax)) continue;
      const e = ext[ax] || (ext[ax] = [Infinity, -Infinity]);
      for (let i = 0; i < t.x.length; i++) {
        const y = t.y[i];
        if (y === null || y === undefined) continue;
        const x = Date.parse(t.x[i]);
        if (x < x0 || x > x1) continue;
        if (y < e[0]) e[0] = y;
        if (y > e[1]) e[1] = y;
      }
    }
    const upd = {};
    for (const ax in ext) {
      let [lo, hi] = ext[ax];
      if (!(lo <= hi)) continue;
      if (gd.layout[ax] && gd.layout[ax].type === "log") {
        if (lo <= 0) continue;
        lo = Math.log10(lo); hi = Math.log10(hi);
      }
      const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 0.5;
      upd[ax + ".range"] = [lo - pad, hi + pad];
    }
    if (Object.keys(upd).length) Plotly.relayout(gd, upd);
  }
  function wire(gd) {
    if (gd.lockstepWired) return autoscale(gd);
    gd.lockstepWired = true;
    gd.on("plotly_relayout", (ev) => {
      if (Object.keys(ev).some((k) => k.startsWith("xaxis") || k.endsWith(".type"))) autoscale(gd);
    });
    gd.on("plotly_restyle", () => autoscale(gd));
    autoscale(gd);
  }
  return { wire: wire, autoscale: autoscale };
})();
"#;

/// The figures of one page, in page order.
pub const FIGURES: [&str; 4] = ["overlay", "correlation", "momentum", "equity"];

const COLOR_A: &str = "#1f77b4";
const COLOR_B: &str = "#ff7f0e";
const GREY: &str = "#6e6e6e";
const RED: &str = "#d62728";
/// Colours of the correlation windows, in the order asked for.
const WINDOW_COLORS: [&str; 6] = [
    "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

/// Plotly.js (minified), as plotly.rs embeds it: the first script of
/// [`Plot::offline_js_sources`] (the second, MathJax, is not needed: no figure has TeX).
pub fn plotly_js() -> &'static str {
    static JS: OnceLock<String> = OnceLock::new();
    JS.get_or_init(|| {
        let all = Plot::offline_js_sources();
        let start = all.find('>').map_or(0, |i| i + 1);
        let end = all[start..]
            .find("</script>")
            .map_or(all.len(), |i| start + i);
        all[start..end].to_string()
    })
}

/// The version of [`plotly_js`] (`3.0.1`), read from its licence header; `unknown` when
/// the header has none.
pub fn plotly_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let head = &plotly_js()[..plotly_js().len().min(200)];
        head.split("plotly.js v")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .unwrap_or("unknown")
            .to_string()
    })
}

/// Every figure of a pair (`{"overlay": figure, …}`; `equity` only with a backtest), each a
/// Plotly figure `{"data", "layout", "config"}` for `Plotly.newPlot(div, figure)`.
pub fn figures(r: &Report, backtest: Option<&BacktestResult>) -> Value {
    let mut m = Map::new();
    m.insert("overlay".into(), overlay(r));
    m.insert("correlation".into(), correlation(r));
    m.insert("momentum".into(), momentum(r));
    if let Some(b) = backtest.filter(|b| !b.rows.is_empty()) {
        m.insert("equity".into(), equity(b));
    }
    Value::Object(m)
}

fn dates(d: &[Date]) -> Vec<String> {
    d.iter().map(|d| d.to_string()).collect()
}

/// Finite values only: anything else is `None` (a gap).
fn finite(v: impl IntoIterator<Item = Option<f64>>) -> Vec<Option<f64>> {
    v.into_iter().map(|x| x.filter(|x| x.is_finite())).collect()
}

fn line(
    x: &[String],
    y: Vec<Option<f64>>,
    name: &str,
    color: &str,
    format: &str,
) -> Box<Scatter<String, Option<f64>>> {
    Scatter::new(x.to_vec(), y)
        .name(name)
        .mode(Mode::Lines)
        .line(Line::new().color(color.to_string()).width(1.5))
        .hover_template(format!("{format}<extra>{}</extra>", escape(name)))
}

/// Hover labels are HTML in Plotly: a name with `<` or `&` is escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn font(size: usize) -> Font {
    Font::new().size(size)
}

/// The shared date axis: range buttons 1M, 3M, 6M, 1Y, 5Y, All above the plot.
fn date_axis() -> Axis {
    let b = |count: usize, step: SelectorStep, label: &str| {
        SelectorButton::new()
            .count(count)
            .step(step)
            .step_mode(StepMode::Backward)
            .label(label)
    };
    Axis::new()
        .type_(AxisType::Date)
        .show_spikes(true)
        .range_selector(
            RangeSelector::new()
                .buttons(vec![
                    b(1, SelectorStep::Month, "1M"),
                    b(3, SelectorStep::Month, "3M"),
                    b(6, SelectorStep::Month, "6M"),
                    b(1, SelectorStep::Year, "1Y"),
                    b(5, SelectorStep::Year, "5Y"),
                    SelectorButton::new().step(SelectorStep::All).label("All"),
                ])
                .x(0.0)
                .x_anchor(Anchor::Left)
                .y(1.0)
                .y_anchor(Anchor::Bottom)
                .font(font(11)),
        )
}

/// Tick labels of a log axis: Plotly draws the labels between decades (2, 3, 5, …) at 3/4
/// of this size, 11 px.
const LOG_TICKS: usize = 15;

/// Top and bottom margins of every figure, in px: the title, a row of figure buttons and
/// the range buttons above the plot; the legend below it.
const TOP: usize = 112;
const BOTTOM: usize = 40;

/// The `y` (paper units, anchored at the bottom) of the row of figure buttons of a figure
/// `height` px high: 34 px above the plot, over the range buttons.
fn menu_y(height: usize) -> f64 {
    1.0 + 34.0 / (height - TOP - BOTTOM) as f64
}

/// Buttons of a figure (one active at a time), in the row above the range buttons.
fn menu(name: &str, buttons: Vec<Button>, height: usize) -> UpdateMenu {
    UpdateMenu::new()
        .ty(UpdateMenuType::Buttons)
        .direction(plotly::layout::update_menu::UpdateMenuDirection::Right)
        .buttons(buttons)
        .active(0)
        .x(0.0)
        .x_anchor(Anchor::Left)
        .y(menu_y(height))
        .y_anchor(Anchor::Bottom)
        .font(font(11))
        .name(name)
}

/// Buttons `Log` and `Linear` (the first active) for `axes` (`yaxis`, …).
fn scale_menu(axes: &[&str], log_first: bool, height: usize) -> UpdateMenu {
    let set = |t: &str| {
        let mut m = Map::new();
        for a in axes {
            m.insert(format!("{a}.type"), json!(t));
        }
        Value::Object(m)
    };
    let log = Button::new()
        .label("Log")
        .method(ButtonMethod::Relayout)
        .args(json!([set("log")]));
    let lin = Button::new()
        .label("Linear")
        .method(ButtonMethod::Relayout)
        .args(json!([set("linear")]));
    let buttons = if log_first {
        vec![log, lin]
    } else {
        vec![lin, log]
    };
    menu("scale", buttons, height)
}

fn base_layout(title: &str, height: usize) -> Layout {
    Layout::new()
        .title(
            Title::with_text(title)
                .font(font(13))
                .x(0.0)
                .x_anchor(Anchor::Left)
                .y_ref(plotly::common::Reference::Container)
                .y(1.0)
                .y_anchor(Anchor::Top)
                .pad(plotly::common::Pad::new(8, 0, 4)),
        )
        .hover_mode(HoverMode::XUnified)
        .height(height)
        .auto_size(true)
        .font(font(12))
        .margin(Margin::new().left(50).right(12).top(TOP).bottom(BOTTOM))
        .legend(
            Legend::new()
                .orientation(Orientation::Horizontal)
                .x(0.0)
                .y(-0.12)
                .font(font(12)),
        )
        .x_axis(date_axis())
}

fn config() -> Configuration {
    Configuration::new().responsive(true).display_logo(false)
}

/// `plot` as figure JSON, with `extra` layout keys merged in (what plotly.rs has no setter
/// for) and every trace's `x` sharing one axis.
fn finish(mut plot: Plot, layout: Layout, extra: Value) -> Value {
    plot.set_layout(layout);
    plot.set_configuration(config());
    let mut v = serde_json::to_value(&plot).unwrap_or(Value::Null);
    if let (Some(Value::Object(l)), Value::Object(extra)) = (v.get_mut("layout"), extra) {
        l.extend(extra);
    }
    if let Value::Object(o) = &mut v {
        o.remove("frames");
    }
    v
}

/// Horizontal reference lines at `ys` on `yref`, dotted grey.
fn hlines(ys: &[(f64, &str)]) -> Value {
    Value::Array(
        ys.iter()
            .map(|(y, yref)| {
                json!({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": yref,
                       "y0": y, "y1": y, "line": {"color": GREY, "width": 1, "dash": "dot"}})
            })
            .collect(),
    )
}

/// Both legs rebased to 100 on the first aligned date.
pub fn overlay(r: &Report) -> Value {
    let s = &r.series;
    let x = dates(&s.dates);
    let mut plot = Plot::new();
    let f = "%{y:.2f}";
    plot.add_trace(line(
        &x,
        finite(s.norm_a.iter().map(|v| Some(*v))),
        &r.a.name,
        COLOR_A,
        f,
    ));
    plot.add_trace(line(
        &x,
        finite(s.norm_b.iter().map(|v| Some(*v))),
        &r.b.name,
        COLOR_B,
        f,
    ));
    let layout = base_layout(
        &format!("{} vs {}, rebased to 100", r.a.name, r.b.name),
        420,
    )
    .y_axis(
        Axis::new()
            .type_(AxisType::Log)
            .tick_font(font(LOG_TICKS))
            .title("rebased (100 = first date)"),
    )
    .update_menus(vec![scale_menu(&["yaxis"], true, 420)]);
    finish(plot, layout, json!({"meta": {"autoscale": ["yaxis"]}}))
}

/// The rolling correlation of every window with its confidence band; the selector shows
/// every window (lines only) or one window with its band.
pub fn correlation(r: &Report) -> Value {
    let s = &r.series;
    let x = dates(&s.dates);
    let mut plot = Plot::new();
    let n = s.rolling.len();
    for (i, w) in s.rolling.iter().enumerate() {
        let color = WINDOW_COLORS[i % WINDOW_COLORS.len()];
        let group = format!("w{}", w.window);
        plot.add_trace(
            line(
                &x,
                finite(w.corr.iter()),
                &format!("{}-return correlation", w.window),
                color,
                "%{y:.4f}",
            )
            .legend_group(&group),
        );
        let band = |y: &lockstep_report::Values, fill: bool| {
            let t = Scatter::new(x.clone(), finite(y.iter()))
                .name(format!("{} band", w.window))
                .mode(Mode::Lines)
                .line(Line::new().width(0.0).color(color.to_string()))
                .legend_group(&group)
                .show_legend(false)
                .hover_info(plotly::common::HoverInfo::Skip)
                .visible(plotly::common::Visible::False);
            if fill {
                t.fill(Fill::ToNextY).fill_color(format!("{color}33"))
            } else {
                t
            }
        };
        plot.add_trace(band(&w.corr_lo, false));
        plot.add_trace(band(&w.corr_hi, true));
    }
    // Visibility per trace: [corr, lo, hi] per window.
    let vis = |pick: Option<usize>| -> Value {
        Value::Array(
            (0..n)
                .flat_map(|i| match pick {
                    None => [json!(true), json!(false), json!(false)],
                    Some(p) if p == i => [json!(true), json!(true), json!(true)],
                    Some(_) => [json!(false), json!(false), json!(false)],
                })
                .collect(),
        )
    };
    let mut buttons = vec![Button::new()
        .label("All windows")
        .method(ButtonMethod::Restyle)
        .args(json!([{"visible": vis(None)}]))];
    for (i, w) in s.rolling.iter().enumerate() {
        buttons.push(
            Button::new()
                .label(format!("{}", w.window))
                .method(ButtonMethod::Restyle)
                .args(json!([{"visible": vis(Some(i))}])),
        );
    }
    let menu = menu("window", buttons, 420);
    let strong = r.params.strong;
    let layout = base_layout(
        &format!("Rolling correlation, {} vs {}", r.a.name, r.b.name),
        420,
    )
    .y_axis(Axis::new().title("correlation").range(vec![-1.0, 1.0]))
    .update_menus(vec![menu]);
    finish(
        plot,
        layout,
        json!({"shapes": hlines(&[(0.0, "y"), (strong, "y")])}),
    )
}

/// RSI of both legs (upper panel, 30/70 lines), MACD and signal of A (middle) and of B
/// (lower), each leg on its own dates from the later of the legs' first dates (both legs on
/// the same date range: the indicators are computed on each leg's whole history, so their
/// values are those of `lockstep technicals`, but decades of one leg alone are not sent);
/// the first view is the last year.
pub fn momentum(r: &Report) -> Value {
    let (ta, tb) = (&r.structure.a.technicals, &r.structure.b.technicals);
    let since = ta.dates.first().max(tb.dates.first()).copied();
    // The first index of a leg on or after `since`.
    let from = |t: &Technicals| since.map_or(0, |s| t.dates.partition_point(|d| *d < s));
    let mut plot = Plot::new();
    let rsi = |t: &Technicals, color: &str| {
        let k = from(t);
        line(
            &dates(&t.dates[k..]),
            finite(t.rsi[k..].iter().copied()),
            &format!("RSI({}) {}", t.params.rsi, t.name),
            color,
            "%{y:.2f}",
        )
    };
    plot.add_trace(rsi(ta, COLOR_A));
    plot.add_trace(rsi(tb, COLOR_B));
    for (t, color, axis) in [(ta, COLOR_A, "y2"), (tb, COLOR_B, "y3")] {
        let k = from(t);
        let x = dates(&t.dates[k..]);
        plot.add_trace(
            line(
                &x,
                finite(t.macd[k..].iter().copied()),
                &format!("MACD {}", t.name),
                color,
                "%{y:.4f}",
            )
            .y_axis(axis),
        );
        plot.add_trace(
            line(
                &x,
                finite(t.macd_signal[k..].iter().copied()),
                &format!("signal {}", t.name),
                GREY,
                "%{y:.4f}",
            )
            .line(Line::new().color(GREY).width(1.0).dash(DashType::Dot))
            .y_axis(axis),
        );
    }
    let last = ta.dates.last().max(tb.dates.last()).copied();
    // Date ticks under the lowest panel.
    let mut x_axis = date_axis().anchor("y3");
    if let Some(last) = last {
        let from = last - chrono::Duration::days(crate::momentum::VIEW_DAYS);
        x_axis = x_axis.range(vec![from.to_string(), last.to_string()]);
    }
    let (ma, mb) = (ta.params.macd, tb.params.macd);
    let layout = base_layout(&format!("Momentum, {} and {}", ta.name, tb.name), 560)
        .x_axis(x_axis)
        .y_axis(
            Axis::new()
                .domain(&[0.68, 1.0])
                .range(vec![0.0, 100.0])
                .title("RSI"),
        )
        .y_axis2(
            Axis::new()
                .domain(&[0.35, 0.63])
                .title(format!("MACD({},{},{})", ma.0, ma.1, ma.2)),
        )
        .y_axis3(
            Axis::new()
                .domain(&[0.0, 0.30])
                .title(format!("MACD({},{},{})", mb.0, mb.1, mb.2)),
        );
    finish(
        plot,
        layout,
        json!({"shapes": hlines(&[(30.0, "y"), (70.0, "y")]), "hoversubplots": "axis",
               "meta": {"autoscale": ["yaxis2", "yaxis3"]}}),
    )
}

/// The strategy's equity against buy-and-hold A (upper panel, log first) and the strategy's
/// drawdown (lower panel).
pub fn equity(b: &BacktestResult) -> Value {
    let x: Vec<String> = b.rows.iter().map(|r| r.date.to_string()).collect();
    let mut plot = Plot::new();
    plot.add_trace(line(
        &x,
        finite(b.rows.iter().map(|r| Some(r.equity))),
        "strategy",
        COLOR_A,
        "%{y:.4f}",
    ));
    plot.add_trace(line(
        &x,
        finite(b.rows.iter().map(|r| Some(r.benchmark_equity))),
        "buy-and-hold A",
        COLOR_B,
        "%{y:.4f}",
    ));
    plot.add_trace(
        line(
            &x,
            finite(b.rows.iter().map(|r| Some(r.drawdown))),
            "strategy drawdown",
            RED,
            "%{y:.2%}",
        )
        .y_axis("y2")
        .fill(Fill::ToZeroY),
    );
    let mut shapes = Vec::new();
    if let Some(split) = b.split {
        shapes.push(json!({"type": "line", "xref": "x", "x0": split.to_string(),
            "x1": split.to_string(), "yref": "paper", "y0": 0, "y1": 1,
            "line": {"color": GREY, "width": 1, "dash": "dash"}}));
    }
    let layout = base_layout("Backtest: strategy vs buy-and-hold A", 480)
        .x_axis(date_axis().anchor("y2"))
        .y_axis(
            Axis::new()
                .type_(AxisType::Log)
                .tick_font(font(LOG_TICKS))
                .domain(&[0.35, 1.0])
                .title("equity (1 = start)"),
        )
        .y_axis2(
            Axis::new()
                .domain(&[0.0, 0.28])
                .title("drawdown")
                .tick_format(".0%"),
        )
        .update_menus(vec![scale_menu(&["yaxis"], true, 480)]);
    finish(
        plot,
        layout,
        json!({"shapes": shapes, "hoversubplots": "axis",
               "meta": {"autoscale": ["yaxis", "yaxis2"]}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_script_is_plotly_alone() {
        let js = plotly_js();
        assert!(js.len() > 1_000_000, "{}", js.len());
        assert!(js.contains("plotly.js v"));
        assert!(!js.contains("</script"));
        assert!(!js.contains("MathJax = "), "MathJax is left out");
        let v = plotly_version();
        assert!(v.chars().next().is_some_and(|c| c.is_ascii_digit()), "{v}");
    }
}
