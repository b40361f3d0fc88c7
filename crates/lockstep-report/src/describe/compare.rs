//! How a comparison of one series with several candidates reads (`lockstep compare`): per
//! period (the full period, then each window's latest value) a table of the candidates'
//! correlations with A, their intervals, the partial correlation given the controls and the
//! test against the first candidate, and one sentence per candidate.

use super::{interval, opt, signed3, NONE};
use crate::compare::{Comparison, Period};
use crate::doc::{Block, Cell, Column, Document, Kind, Section, Table, Tone};
use crate::words;

fn period_title(p: &Period, c: &Comparison) -> String {
    match p.window {
        None => format!("Full period ({} .. {}, {} returns)", c.first, c.last, c.n),
        Some(w) => format!("Latest {w} returns (to {})", c.last),
    }
}

pub(super) fn document(c: &Comparison) -> Document {
    let first = c.candidates.first().map(|x| x.name.as_str()).unwrap_or("");
    let partial = !c.controls.is_empty();
    let conf = 100.0 * c.confidence;
    let mut sections = Vec::new();
    let periods = c.candidates.first().map_or(0, |x| x.periods.len());
    for i in 0..periods {
        let p0 = &c.candidates[0].periods[i];
        let mut columns = vec![
            Column::new("candidate", Kind::Text),
            Column::new("corr", Kind::Num),
            Column::new(format!("{conf:.0}% interval"), Kind::Num),
        ];
        if partial {
            columns.push(Column::new("partial", Kind::Num));
            columns.push(Column::detail("interval", Kind::Num));
        }
        columns.push(Column::detail(format!("t vs {first}"), Kind::Num));
        columns.push(Column::new(format!("p vs {first}"), Kind::Num));
        let mut t = Table::new("compare", columns).caption(format!(
            "corr: Pearson correlation with {} on the dates every series has, Fisher interval{}; \
             p vs {first}: Williams' t test (n − 3 df) of equal correlations with {} \
             (dependent, sharing {}); p < 0.05 in bold",
            c.a,
            if partial {
                format!(
                    "; partial: given {}, interval on n − 3 − k df",
                    c.controls.join(", ")
                )
            } else {
                String::new()
            },
            c.a,
            c.a
        ));
        let mut facts = Vec::new();
        for cand in &c.candidates {
            let p = &cand.periods[i];
            let corr = p.corr;
            let mut row = vec![
                Cell::new(&cand.name),
                Cell::toned(
                    opt(corr.map(|x| x.r), signed3),
                    corr.map(|x| Tone::Corr(x.r)).unwrap_or(Tone::Plain),
                ),
                Cell::new(interval(corr.and_then(|x| x.lo), corr.and_then(|x| x.hi))),
            ];
            if partial {
                let q = p.partial;
                row.push(Cell::toned(
                    opt(q.map(|x| x.r), signed3),
                    q.map(|x| Tone::Corr(x.r)).unwrap_or(Tone::Plain),
                ));
                row.push(Cell::new(interval(
                    q.and_then(|x| x.lo),
                    q.and_then(|x| x.hi),
                )));
            }
            row.push(Cell::new(opt(p.vs_first.map(|v| v.t), |t| {
                format!("{t:+.2}")
            })));
            row.push(match p.vs_first {
                Some(v) if v.p < 0.05 => Cell::toned(words::p_value(v.p), Tone::Significant),
                Some(v) => Cell::new(words::p_value(v.p)),
                None => Cell::new(NONE),
            });
            t.rows.push(row);
            let mut s = match corr {
                Some(x) => format!(
                    "{} and {}: {}",
                    c.a,
                    cand.name,
                    words::calibrated_linkage(x.r, x.lo.zip(x.hi), 0.5)
                ),
                None => format!(
                    "{} and {}: no correlation (a constant series)",
                    c.a, cand.name
                ),
            };
            if let Some(q) = p.partial {
                s.push_str(&format!(
                    "; {} beyond what both share with {}",
                    words::corr2(q.r),
                    words::markets(&c.controls)
                ));
            }
            if let Some(v) = p.vs_first {
                s.push_str(&format!("; against {first}: {}", words::difference(v.p)));
            }
            facts.push(s);
        }
        sections.push(Section {
            id: "compare",
            title: period_title(p0, c),
            blocks: vec![Block::Table(t), Block::Facts(facts)],
        });
    }
    if !c.notes.is_empty() {
        sections.push(Section {
            id: "notes",
            title: "Notes".into(),
            blocks: c.notes.iter().map(|n| Block::note(n)).collect(),
        });
    }
    Document {
        title: format!(
            "Lockstep: {} against {}",
            c.a,
            c.candidates
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        sections,
    }
}
