//! The signals and backtest sections of a page, as `lockstep_report::describe` says them.

use lockstep_report::describe::{backtest_section, signals_section};
use lockstep_report::signals_view::SignalsReport;
use lockstep_signals::BacktestResult;

use crate::layout::body;
use crate::Section;

fn extra(s: lockstep_report::doc::Section) -> Section {
    Section {
        id: s.id.into(),
        title: s.title.clone(),
        html: body(&s, ""),
    }
}

pub(crate) fn signals(s: &SignalsReport) -> Section {
    extra(signals_section(s))
}

pub(crate) fn backtest(b: &BacktestResult) -> Section {
    extra(backtest_section(b))
}
