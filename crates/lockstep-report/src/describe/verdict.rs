//! The "Verdict" section: how the two markets move, in words, from the latest correlation of
//! the first window.

use super::{opt, NONE};
use crate::doc::{Block, Section, Span, Tone};
use crate::words;
use crate::Report;

pub(super) fn section(r: &Report) -> Section {
    let (na, nb) = (&r.a.name, &r.b.name);
    let blocks = match r
        .windows
        .first()
        .and_then(|w| w.latest.as_ref().map(|l| (w, l)))
    {
        Some((w, l)) => {
            // On the synchronous clock when the report has it: the UTC clock's number is
            // moved by the hours between the two closes.
            let sync = r.clocks.as_ref().and_then(|c| {
                c.windows
                    .iter()
                    .find(|x| x.window == w.window)
                    .and_then(|x| x.exchange.as_ref())
            });
            let corr = sync.map_or(l.corr, |x| x.corr);
            let linkage = words::linkage(corr, r.params.strong);
            let mut blocks = vec![
                Block::Para {
                    role: "verdict",
                    spans: vec![Span::strong(
                        format!("{na} and {nb} are {linkage}."),
                        Tone::Plain,
                    )],
                },
                Block::Para {
                    role: "",
                    spans: vec![
                        Span::plain(format!("{}-return correlation ", w.window)),
                        Span::toned(format!("{:+.2}", l.corr), Tone::Corr(l.corr)),
                        Span::plain(format!(
                            " ({}) as of {}, at the {} percentile of its own history; beta {}.",
                            w.strength.unwrap_or(NONE),
                            l.date,
                            opt(w.percentile, |v| format!("{v:.0}th")),
                            opt(l.beta, |v| format!("{v:.2}"))
                        )),
                    ],
                },
            ];
            if let Some(x) = sync {
                blocks.push(Block::para(
                    "",
                    format!(
                        "On the exchange clock ({na} at the close of {nb}'s exchange): {}-return                          correlation {:+.2} as of {}; the words above follow this clock.",
                        w.window, x.corr, x.date
                    ),
                ));
            }
            blocks
        }
        None => vec![Block::para(
            "verdict",
            "No verdict: not enough aligned returns for the first window.",
        )],
    };
    Section {
        id: "verdict",
        title: "Verdict".into(),
        blocks,
    }
}
