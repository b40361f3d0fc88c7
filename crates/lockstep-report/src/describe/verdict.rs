//! The "Verdict" section: how the two markets move, in words, from the latest correlation of
//! the first window: on the exchange clock whenever the report compares both clocks (the UTC
//! clock's number is then given beside it).

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
            // On the synchronous clock whenever the report has it: the UTC clock's number is
            // moved by the hours between the two closes.
            let clocks = r.clocks.as_ref().and_then(|c| {
                c.windows
                    .iter()
                    .find(|x| x.window == w.window)
                    .and_then(|x| x.exchange.as_ref().map(|e| (c, e, x.utc.as_ref())))
            });
            match clocks {
                Some((c, e, utc)) => {
                    let mut blocks = vec![
                        Block::Para {
                            role: "verdict",
                            spans: vec![Span::strong(
                                format!(
                                    "{na} and {nb} are {}.",
                                    words::linkage(e.corr, r.params.strong)
                                ),
                                Tone::Plain,
                            )],
                        },
                        Block::Para {
                            role: "",
                            spans: vec![
                                Span::plain(format!(
                                    "On the exchange clock ({} at the close of {}'s exchange), \
                                     {}-return correlation ",
                                    c.every_day_leg, c.exchange_leg, w.window
                                )),
                                Span::toned(format!("{:+.2}", e.corr), Tone::Corr(e.corr)),
                                Span::plain(format!(
                                    " ({}) as of {}, at the {} percentile of its own history; \
                                     beta {}.",
                                    e.strength.unwrap_or(NONE),
                                    e.date,
                                    opt(e.percentile, words::ordinal),
                                    opt(e.beta, |v| format!("{v:.2}"))
                                )),
                            ],
                        },
                    ];
                    if let Some(u) = utc {
                        blocks.push(Block::para(
                            "",
                            format!(
                                "On the UTC clock (each leg's own close): {:+.2} as of {}.",
                                u.corr, u.date
                            ),
                        ));
                    }
                    blocks
                }
                None => vec![
                    Block::Para {
                        role: "verdict",
                        spans: vec![Span::strong(
                            format!(
                                "{na} and {nb} are {}.",
                                words::linkage(l.corr, r.params.strong)
                            ),
                            Tone::Plain,
                        )],
                    },
                    Block::Para {
                        role: "",
                        spans: vec![
                            Span::plain(format!("{}-return correlation ", w.window)),
                            Span::toned(format!("{:+.2}", l.corr), Tone::Corr(l.corr)),
                            Span::plain(format!(
                                " ({}) as of {}, at the {} percentile of its own history; beta \
                                 {}.",
                                w.strength.unwrap_or(NONE),
                                l.date,
                                opt(w.percentile, words::ordinal),
                                opt(l.beta, |v| format!("{v:.2}"))
                            )),
                        ],
                    },
                ],
            }
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
