//! `lockstep chart`, `lockstep report` and `lockstep serve`: pictures, the HTML report and
//! the dashboard of what the pipelines compute (nothing is computed here).

use std::path::Path;

use anyhow::{Context, Result};

use crate::args::{ChartArgs, ChartKindArg, ReportArgs, ServeArgs};
use crate::source::Ctx;
use crate::{load_universe, pair_signals, read_rules, read_strategy};
use lockstep_charts::{ChartKind, Format};
use lockstep_report::signals_view;
use lockstep_report::Report;
use lockstep_signals::RuleSet;

/// Write `bytes` to `path` through a temporary file beside it, so an interrupted write never
/// leaves half a file under the final name.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn kind_of(k: ChartKindArg) -> ChartKind {
    match k {
        ChartKindArg::Overlay => ChartKind::Overlay,
        ChartKindArg::Correlation => ChartKind::Correlation,
        ChartKindArg::Momentum => ChartKind::Momentum,
        ChartKindArg::Ccf => ChartKind::Ccf,
        ChartKindArg::Levels => ChartKind::Levels,
        ChartKindArg::Signals => ChartKind::Signals,
        ChartKindArg::Equity => ChartKind::Equity,
        ChartKindArg::Heatmap => ChartKind::Heatmap,
    }
}

fn rules_of(path: Option<&Path>) -> Result<RuleSet> {
    path.map_or_else(|| Ok(RuleSet::builtin()), read_rules)
}

/// `lockstep chart KIND A B --out FILE`.
pub fn chart(ctx: &Ctx, c: &ChartArgs) -> Result<()> {
    let ext = c.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = if ext.eq_ignore_ascii_case("png") {
        Format::Png
    } else {
        Format::Svg
    };
    let kind = kind_of(c.kind);
    let height = c.height.unwrap_or(match kind {
        ChartKind::Momentum | ChartKind::Levels => 900,
        ChartKind::Heatmap => c.width,
        _ => 600,
    });
    let size = (c.width, height);
    let what = format!("cannot draw the {} chart", c.kind_name());
    let bytes = match kind {
        ChartKind::Heatmap => {
            let series = load_universe(ctx, &c.universe, &c.pair.input, &c.pair.source)?;
            let sc = lockstep_report::screen::screen(&series, c.heatmap_window as usize)
                .context("cannot screen the universe")?;
            lockstep_charts::heatmap_chart(&sc, format, size).context(what)?
        }
        ChartKind::Signals => {
            let rules = rules_of(c.rules.as_deref())?;
            let (report, rep) = pair_signals(ctx, &c.pair, &rules)?;
            lockstep_charts::signals_chart(&report, &rep, format, size).context(what)?
        }
        ChartKind::Equity => {
            let (rules, strategy) = read_strategy(&c.strategy)?;
            let (report, rep) = pair_signals(ctx, &c.pair, &rules)?;
            let bt = signals_view::run_backtest(&report, &rep.evaluation, &strategy, None)
                .context("cannot run the backtest")?;
            lockstep_charts::equity_chart(&bt, format, size).context(what)?
        }
        _ => {
            let report = crate::build(ctx, &c.pair, true)?;
            lockstep_charts::report_chart(&report, kind, format, size).context(what)?
        }
    };
    write_atomic(&c.out, &bytes)?;
    if ctx.verbose {
        eprintln!("wrote {} ({} bytes)", c.out.display(), bytes.len());
    }
    Ok(())
}

impl ChartArgs {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            ChartKindArg::Overlay => "overlay",
            ChartKindArg::Correlation => "correlation",
            ChartKindArg::Momentum => "momentum",
            ChartKindArg::Ccf => "ccf",
            ChartKindArg::Levels => "levels",
            ChartKindArg::Signals => "signals",
            ChartKindArg::Equity => "equity",
            ChartKindArg::Heatmap => "heatmap",
        }
    }
}

/// Where each leg came from, for the page's banner.
fn provenance(r: &Report) -> Vec<String> {
    [&r.a, &r.b]
        .iter()
        .map(|l| {
            format!(
                "{}: {} ({}), {} to {}, {} observations",
                l.name, l.source, l.format, l.first, l.last, l.observations
            )
        })
        .collect()
}

/// `lockstep report A B --out report.html`.
pub fn report(ctx: &Ctx, a: &ReportArgs) -> Result<()> {
    let rules = rules_of(a.rules.as_deref())?;
    let (report, rep) = pair_signals(ctx, &a.pair, &rules)?;
    let bt = signals_view::run_backtest(
        &report,
        &rep.evaluation,
        &lockstep_signals::Strategy::overlay(),
        None,
    )
    .context("cannot run the overlay backtest")?;
    let charts = lockstep_charts::page_charts(&report, Some(&rep), Some(&bt))
        .context("cannot draw the charts")?;
    let options = lockstep_html::PageOptions {
        title: format!("{} against {}", report.a.name, report.b.name),
        nav: Vec::new(),
        banner: provenance(&report),
        extra: vec![
            lockstep_html::signals_section(&rep),
            lockstep_html::backtest_section(&bt),
        ],
        generated: Some(format!(
            "generated by lockstep {} on {}",
            env!("CARGO_PKG_VERSION"),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        )),
    };
    let html = lockstep_html::report_page(&report, &charts, &options);
    write_atomic(&a.out, html.as_bytes())?;
    if ctx.verbose {
        eprintln!("wrote {} ({} bytes)", a.out.display(), html.len());
    }
    Ok(())
}

/// `lockstep serve`: the `[serve]` configuration, `--bind` and `--pair` on top, the store of
/// `$LOCKSTEP_HOME`, and the providers of its config.toml unless `--offline`.
pub fn serve(ctx: &Ctx, a: &ServeArgs) -> Result<()> {
    let path = match &a.config {
        Some(p) => p.clone(),
        None => lockstep_fetch::Config::path(ctx.home()?),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && a.config.is_none() => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut config = lockstep_server::ServeConfig::from_toml_str(&text)
        .with_context(|| format!("cannot read the [serve] table of {}", path.display()))?;
    if let Some(b) = &a.bind {
        config.bind = b.clone();
    }
    for p in &a.pairs {
        let Some((x, y)) = p.split_once('/') else {
            anyhow::bail!("--pair takes A/B (e.g. ETH-USD/^RUT), got {p:?}");
        };
        config.pairs.push(lockstep_server::PairConfig::new(x, y));
    }
    config.validate().context("invalid serve configuration")?;
    let fetcher = if ctx.offline {
        None
    } else {
        Some(lockstep_fetch::Fetcher::new(
            lockstep_fetch::Config::load(ctx.home()?).context("cannot read the configuration")?,
        ))
    };
    lockstep_server::run_with(
        config,
        ctx.db_path()?,
        fetcher,
        Some(dashboard_options(ctx)),
    )
    .context("the server failed")
}

/// The dashboard's analysis of a pair: what `lockstep --offline analyze A B --window W` uses
/// (its defaults, config.toml's regime rule, the stored rate series and net liquidity), so
/// that the page and the terminal show the same report. Never fetches: the server's
/// scheduler refreshes the pairs' legs, and the macro series come from the store.
fn dashboard_options(ctx: &Ctx) -> lockstep_server::AnalysisOptions {
    let verbose = ctx.verbose;
    std::sync::Arc::new(move |p: &lockstep_server::PairConfig| {
        let windows: Vec<String> = p.windows.iter().map(|w| w.to_string()).collect();
        let argv = [
            "lockstep",
            "--offline",
            "analyze",
            p.a.as_str(),
            p.b.as_str(),
            "--window",
            &windows.join(","),
        ];
        let ctx = Ctx::new(true, verbose);
        let made = match <crate::args::Cli as clap::Parser>::try_parse_from(argv) {
            Ok(cli) => match &cli.command {
                crate::args::Command::Analyze(pair) => {
                    crate::analysis_options(&ctx, pair, true).map_err(|e| format!("{e:#}"))
                }
                _ => Err("not an analyze command".to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        made.unwrap_or_else(|e| {
            eprintln!("lockstep serve: {}: default analysis options: {e}", p.id);
            lockstep_report::AnalyzeOptions {
                windows: p.windows.clone(),
                ..lockstep_report::AnalyzeOptions::default()
            }
        })
    })
}
