//! `lockstep report`: the whole analysis of a pair as one self-contained HTML file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;

use super::common::{
    pair_params, BootstrapArgs, ClockArgs, DefaultControlArgs, InputArgs, Legs, ReportArgs,
    SourceArgs,
};
use super::{pair_signals, read_rules, Cx, Usage};

/// `lockstep report`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub legs: Legs,
    /// Output HTML file.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,
    /// Rules of the signals section (TOML; default the built-ins).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Prices (overlay) and equity on a linear scale instead of the default log scale.
    #[arg(long)]
    pub linear: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub control: DefaultControlArgs,
    #[command(flatten)]
    pub inference: BootstrapArgs,
    /// Add interactive charts (zoom, pan, range buttons, crosshair, log scale, window
    /// selector) with Plotly.js inlined from the binary: the file still opens offline, and
    /// grows by 4.7 MB (Plotly.js) plus the charts' data (about 2 MB for ten years of daily
    /// prices).
    #[arg(long)]
    pub interactive: bool,
}

/// The size of Plotly.js `--interactive` adds, in MB, as its help states it.
#[cfg(test)]
const INTERACTIVE_MB: f64 = 4.7;

impl Args {
    /// Three MACD periods, no window given twice.
    pub fn check(&self) -> Result<(), Usage> {
        self.report.check()
    }
}

/// Analyze the pair, evaluate the rules, backtest the overlay and write the page.
pub fn run(cx: &Cx, a: &Args) -> Result<()> {
    let rules = read_rules(a.rules.as_deref())?;
    let params = pair_params(
        &a.legs,
        &[
            &a.input,
            &a.source,
            &a.report,
            &a.clock,
            &a.control,
            &a.inference,
        ],
    )?;
    let (run, rep) = pair_signals(&cx.session, &params, &rules)?;
    let report = &run.report;
    let bt = run
        .backtest(&rep, &lockstep_signals::Strategy::overlay(), None)
        .context("cannot run the overlay backtest")?;
    let charts = lockstep_charts::page_charts_scaled(
        report,
        Some(&rep),
        Some(&bt),
        super::chart::scale(a.linear),
    )
    .context("cannot draw the charts")?;
    let options = lockstep_html::PageOptions {
        title: format!("{} against {}", report.a.name, report.b.name),
        nav: Vec::new(),
        // Where each leg came from is in the last section (`summary`).
        banner: Vec::new(),
        extra: vec![
            lockstep_html::signals_section(&rep),
            lockstep_html::backtest_section(&bt),
        ],
        generated: Some(chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()),
    };
    let mut html = lockstep_html::report_page(report, &charts, &options);
    if a.interactive {
        html = interactive(
            html,
            &lockstep_charts::interactive::figures(report, Some(&bt)),
        );
    }
    cx.write_file(&a.out, html.as_bytes())
}

/// `page` with an interactive section (section#interactive) first in its `<main>`: one slot
/// per figure, Plotly.js inlined, and the figures as JSON drawn once the page is parsed. Each slot first holds
/// the page's static chart of that kind (taken out of its section, so no chart is shown
/// twice), which the interactive figure replaces once drawn; with scripts off, or printed, the
/// static chart stays.
pub fn interactive(page: String, figures: &serde_json::Value) -> String {
    use std::fmt::Write as _;
    let names: Vec<&str> = lockstep_charts::interactive::FIGURES
        .into_iter()
        .filter(|n| figures.get(n).is_some())
        .collect();
    let (page, taken) = lockstep_html::take_charts(&page, &names);
    let mut section = String::from(
        "<section id=\"interactive\"><h2>Interactive charts</h2>\
         <style>#interactive .figure{width:100%;min-height:200px;margin:.75rem 0}</style>",
    );
    for name in &names {
        let fallback = taken
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, f)| f.as_str());
        let _ = write!(
            section,
            "<div class=\"figure\" id=\"fig-{name}\" data-figure=\"{name}\">{fallback}</div>"
        );
    }
    // `</` never ends the script early inside the JSON.
    let json = figures.to_string().replace("</", "<\\/");
    let _ = write!(
        section,
        "<script>{}</script>\n<script>{}</script>\n<script>document.addEventListener('DOMContentLoaded',function(){{const F={json};\
         for(const n in F){{const d=document.getElementById('fig-'+n);\
         if(d){{const f=d.querySelector('figure[id]');\
         if(f)for(const a of document.querySelectorAll('a[href=\"#'+f.id+'\"]'))\
         a.setAttribute('href','#'+d.id);d.replaceChildren();Plotly.newPlot(d,F[n].data,F[n].layout,F[n].config)\
         .then(()=>lockstepCharts.wire(d));}}}}}});</script></section>\n",
        lockstep_charts::interactive::plotly_js(),
        lockstep_charts::interactive::AUTOSCALE_JS
    );
    lockstep_html::insert_first(&page, &section)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_help_states_the_added_size() {
        let mb = lockstep_charts::interactive::plotly_js().len() as f64 / 1e6;
        assert!(
            (mb - super::INTERACTIVE_MB).abs() < 0.05,
            "Plotly.js is {mb:.2} MB: update INTERACTIVE_MB and the --interactive help"
        );
    }
}
