//! `lockstep`: are two markets moving in lockstep right now, how strongly, and since when?
//!
//! Exit codes: 0 ok, 1 failure (the error and its causes are printed on stderr), 2 usage.
#![forbid(unsafe_code)]

mod args;
mod bench_cmd;
mod store_cmds;
mod view_cmds;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use args::{Cli, ColorChoice, Command, Format, LinkArgs, PairArgs};
use lockstep_core::PriceSeries;
use lockstep_fetch::ProviderKind;
use lockstep_report::signals_view;
use lockstep_report::{macro_view, render, structure, technicals, Report, TechnicalsOptions};
use lockstep_session::{PairRun, Session};
use lockstep_signals::{RuleSet, Strategy};

fn main() -> ExitCode {
    let cli = match Cli::try_parse().and_then(Cli::validate) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; anything else is a usage error.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: &Cli) -> Result<()> {
    let ctx = Session::new(cli.offline, cli.verbose);
    match &cli.command {
        Command::Fetch(a) => emit(&store_cmds::fetch(&ctx, a)?),
        Command::Technicals(t) => {
            let forced = provider(t.source.provider.as_deref())?;
            let series = ctx.load(&t.symbol, &t.input.csv(), forced)?;
            let &[fast, slow, signal] = t.macd.as_slice() else {
                anyhow::bail!("--macd takes three periods: fast,slow,signal");
            };
            let opts = TechnicalsOptions {
                rsi: t.rsi as usize,
                macd: (fast as usize, slow as usize, signal as usize),
                ..TechnicalsOptions::default()
            };
            let tech = technicals(&series, &opts)
                .with_context(|| format!("cannot compute the indicators of {}", series.name))?;
            emit(&match t.format {
                Format::Table => tech.table(t.rows),
                Format::Csv => tech.csv(),
                Format::Json => tech.json()? + "\n",
            })
        }
        Command::Levels(l) => {
            let forced = provider(l.source.provider.as_deref())?;
            let series = ctx.load(&l.symbol, &l.input.csv(), forced)?;
            let rep = structure::levels_report(&series, &l.structure.options().levels)
                .with_context(|| format!("cannot find the levels of {}", series.name))?;
            emit(&match (l.format, l.breakouts) {
                (Format::Table, false) => render::levels_table(&rep, l.rows, use_color(cli.color)),
                (Format::Table, true) => {
                    render::breakouts_table(&rep, l.rows, use_color(cli.color))
                }
                (Format::Csv, false) => render::levels_csv(&rep),
                (Format::Csv, true) => render::breakouts_csv(&rep),
                (Format::Json, _) => render::levels_json(&rep)? + "\n",
            })
        }
        Command::Patterns(p) => {
            let forced = provider(p.source.provider.as_deref())?;
            let series = ctx.load(&p.symbol, &p.input.csv(), forced)?;
            let rep = structure::patterns_report(&series, &p.structure.options())
                .with_context(|| format!("cannot find the patterns of {}", series.name))?;
            emit(&match p.format {
                Format::Table => render::patterns_table(&rep, use_color(cli.color)),
                Format::Csv => render::patterns_csv(&rep),
                Format::Json => render::patterns_json(&rep)? + "\n",
            })
        }
        Command::Breadth(b) => {
            let rep = breadth(&ctx, b)?;
            emit(&match b.format {
                Format::Table => rep.table(b.rows, use_color(cli.color)),
                Format::Csv => rep.csv(),
                Format::Json => rep.json()? + "\n",
            })
        }
        Command::Fed(f) => {
            let (fw, source) = ctx.fed(&f.params())?;
            emit(&match f.format {
                Format::Table => {
                    macro_view::fed_table(&fw, source.as_deref(), use_color(cli.color))
                }
                Format::Csv => macro_view::fed_csv(&fw),
                Format::Json => macro_view::fed_json(&fw)? + "\n",
            })
        }
        Command::Liquidity(l) => {
            let net = ctx.liquidity(&l.series.spec(), true)?;
            emit(&match l.format {
                Format::Table => macro_view::liquidity_table(&net, l.rows, use_color(cli.color)),
                Format::Csv => macro_view::liquidity_csv(&net),
                Format::Json => macro_view::liquidity_json(&net)? + "\n",
            })
        }
        Command::Screen(a) => {
            let started = std::time::Instant::now();
            let series = load_universe(&ctx, &a.inputs, &a.input, &a.source)?;
            let loaded = started.elapsed();
            let sc = lockstep_report::screen::screen(&series, a.window as usize)
                .context("cannot screen the universe")?;
            if cli.verbose {
                // Read by bench/screen_compare.py: the computation alone, without the files.
                eprintln!(
                    "screen: {} series, {} pairs: read in {:.1} ms, computed in {:.1} ms",
                    sc.series,
                    sc.pairs.len(),
                    loaded.as_secs_f64() * 1e3,
                    (started.elapsed() - loaded).as_secs_f64() * 1e3
                );
            }
            emit(&match a.format {
                Format::Table => sc.table(a.top, use_color(cli.color)),
                Format::Csv => sc.csv(),
                Format::Json => sc.json()? + "\n",
            })
        }
        Command::Signals(sa) => {
            let rules = match &sa.rules {
                Some(path) => read_rules(path)?,
                None => RuleSet::builtin(),
            };
            let (_, rep) = pair_signals(&ctx, &sa.pair, &rules)?;
            emit(&match sa.pair.format.unwrap_or(Format::Table) {
                Format::Table => rep.table(use_color(cli.color)),
                Format::Csv => rep.csv(),
                Format::Json => rep.json()? + "\n",
            })
        }
        Command::Backtest(ba) => {
            let (rules, mut strategy) = read_strategy(&ba.strategy)?;
            if let Some(f) = ba.fees {
                strategy.fees_bps = f;
            }
            if let Some(s) = ba.slippage {
                strategy.slippage_bps = s;
            }
            if let Some(d) = ba.delay {
                strategy.delay = d;
            }
            let (run, rep) = pair_signals(&ctx, &ba.pair, &rules)?;
            let report = &run.report;
            let bt = run
                .backtest(&rep, &strategy, ba.split)
                .context("cannot run the backtest")?;
            emit(&match ba.pair.format.unwrap_or(Format::Table) {
                Format::Table => signals_view::backtest_table(report, &bt, use_color(cli.color)),
                Format::Csv => signals_view::backtest_csv(&bt),
                Format::Json => signals_view::backtest_json(&bt)? + "\n",
            })
        }
        Command::Chart(c) => view_cmds::chart(&ctx, c),
        Command::Report(r) => view_cmds::report(&ctx, r),
        Command::Serve(s) => view_cmds::serve(&ctx, s),
        Command::Bench(b) => emit(&bench_cmd::bench(b)?),
        Command::List(a) => emit(&store_cmds::list(&ctx, a)?),
        Command::Show(a) => emit(&store_cmds::show(&ctx, a)?),
        Command::Import(a) => emit(&store_cmds::import(&ctx, a)?),
        Command::Export(a) => store_cmds::export(&ctx, a),
        Command::Log(a) => emit(&store_cmds::log(&ctx, a)?),
        Command::Remove(a) => emit(&store_cmds::remove(&ctx, a)?),
        Command::Leadlag(l) => {
            let report = build_link(&ctx, l, false)?;
            let out = match l.format {
                Format::Table => render::leadlag_table(&report, use_color(cli.color)),
                Format::Json => render::leadlag_json(&report)? + "\n",
                Format::Csv => render::leadlag_csv(&report),
            };
            emit(&out)
        }
        Command::Regimes(l) => {
            let report = build_link(&ctx, l, true)?;
            let out = match l.format {
                Format::Table => render::regimes_table(&report, use_color(cli.color)),
                Format::Json => render::regimes_json(&report)? + "\n",
                Format::Csv => render::regimes_csv(&report),
            };
            emit(&out)
        }
        Command::Analyze(pair) => {
            let report = build(&ctx, pair, true)?;
            let out = match pair.format.unwrap_or(Format::Table) {
                Format::Table => render::table(&report, use_color(cli.color)),
                Format::Json => render::json(&report)?,
                Format::Csv => render::summary_csv(&report),
            };
            emit(&out)
        }
        Command::Corr(pair) => {
            let report = build(&ctx, pair, false)?;
            let out = match pair.format.unwrap_or(Format::Table) {
                Format::Table => render::corr_table(&report, pair.rows),
                Format::Json => render::json(&report)?,
                Format::Csv => render::corr_csv(&report),
            };
            emit(&out)
        }
        Command::Overlay(pair) => {
            let report = build(&ctx, pair, false)?;
            let out = match pair.format.unwrap_or(Format::Csv) {
                Format::Json => render::overlay_json(&report)?,
                Format::Csv => render::overlay_csv(&report),
                Format::Table => render::overlay_table(&report, pair.rows),
            };
            emit(&out)
        }
    }
}

/// The pair pipeline of `pair` (with the macro backdrop) and `rules` evaluated over its
/// measurement table.
pub(crate) fn pair_signals(
    ctx: &Session,
    pair: &PairArgs,
    rules: &RuleSet,
) -> Result<(PairRun, signals_view::SignalsReport)> {
    let run = ctx.pair(&pair.params(true)?)?;
    let rep = run.signals(rules)?;
    Ok((run, rep))
}

/// Parse `--provider`.
pub(crate) fn provider(name: Option<&str>) -> Result<Option<ProviderKind>> {
    name.map(|p| {
        p.parse::<ProviderKind>()
            .map_err(|e| anyhow::anyhow!("--provider {p}: {e}"))
    })
    .transpose()
}

/// Symbols or CSV files, or one folder of CSV files (`screen`, the heatmap).
pub(crate) fn load_universe(
    ctx: &Session,
    inputs: &[String],
    input: &args::InputArgs,
    source: &args::SourceArgs,
) -> Result<Vec<PriceSeries>> {
    let forced = provider(source.provider.as_deref())?;
    Ok(ctx.load_universe(inputs, &input.csv(), forced)?)
}

/// `overlay` (the built-in rules and the macro overlay) or a TOML strategy file, with its
/// own rules when it has any.
pub(crate) fn read_strategy(spec: &str) -> Result<(RuleSet, Strategy)> {
    if spec == "overlay" {
        return Ok((RuleSet::builtin(), Strategy::overlay()));
    }
    let path = std::path::Path::new(spec);
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rules = if text.contains("[rules.") {
        read_rules(path)?
    } else {
        RuleSet::builtin()
    };
    let strategy = Strategy::parse(&text)
        .with_context(|| format!("cannot read the strategy in {}", path.display()))?;
    Ok((rules, strategy))
}

/// A rule file: parse errors name the file and line.
pub(crate) fn read_rules(path: &std::path::Path) -> Result<RuleSet> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    RuleSet::parse(&text).with_context(|| format!("cannot read the rules in {}", path.display()))
}

/// Print to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn emit(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// `lockstep breadth`: load each relative-strength pair and the constituents' folder.
fn breadth(ctx: &Session, b: &args::BreadthArgs) -> Result<lockstep_report::BreadthReport> {
    let forced = provider(b.source.provider.as_deref())?;
    let mut pairs = Vec::new();
    for (label, spec, flag) in [
        ("small vs large caps", &b.small_caps, "--small-caps"),
        ("equal vs cap weight", &b.equal_weight, "--equal-weight"),
    ] {
        if spec.eq_ignore_ascii_case("none") {
            continue;
        }
        let Some((a, bb)) = ctx.load_ratio_legs(spec, &b.input.csv(), forced)? else {
            anyhow::bail!("{flag} takes a ratio A/B (e.g. IWM/SPY) or none, got {spec:?}");
        };
        pairs.push((label.to_string(), a, bb));
    }
    let basket = match &b.constituents {
        Some(dir) => Some((
            dir.display().to_string(),
            ctx.load_folder(dir, &b.input.csv())?,
        )),
        None => None,
    };
    lockstep_report::breadth_report(
        &pairs,
        basket.as_ref().map(|(s, v)| (s.clone(), v.as_slice())),
        b.ma as usize,
    )
    .context("cannot compute breadth")
}

/// The report of a pair (`with_backdrop`: with the rate series and net liquidity).
pub(crate) fn build(ctx: &Session, pair: &PairArgs, with_backdrop: bool) -> Result<Report> {
    Ok(ctx.pair(&pair.params(with_backdrop)?)?.report)
}

fn build_link(ctx: &Session, l: &LinkArgs, with_rate: bool) -> Result<Report> {
    Ok(ctx.pair(&l.params(with_rate)?)?.report)
}
