//! The "Verdict" section: how the two markets move, in words, from the latest correlation of
//! the first window: on the exchange clock whenever the report compares both clocks (the UTC
//! clock's number is then given beside it). The words are calibrated to the interval (the
//! bootstrap's when there is one, see [`words::calibrated_linkage`]): "moving in lockstep"
//! only when the whole plausible range is above the strong threshold. With controls, what is
//! left beyond them follows.

use super::{opt, NONE};
use crate::doc::{Block, Section, Span, Tone};
use crate::words;
use crate::Report;

/// The bootstrap interval of window `w`'s latest correlation, when the report has one.
fn range(r: &Report, w: usize) -> Option<(f64, f64)> {
    let e = &r.inference.as_ref()?.window(w)?.estimate;
    e.boot_lo.zip(e.boot_hi)
}

/// What is left beyond the controls over the first window, in words.
fn beyond(r: &Report) -> Option<Block> {
    let c = r.control.as_ref()?;
    let w = c.windows.first()?;
    let (raw, p) = (w.raw?, w.partial?);
    let range = match (w.lo, w.hi) {
        (Some(lo), Some(hi)) => format!(
            " (plausible range {} to {}): {}",
            words::corr2(lo),
            words::corr2(hi),
            words::beyond_verdict(raw, p, lo, hi)
        ),
        _ => String::new(),
    };
    Some(Block::para(
        "",
        format!(
            "Over the same {} returns: {}{range}.",
            w.window,
            words::beyond(raw, p, &c.controls)
        ),
    ))
}

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
                                    words::calibrated_linkage(
                                        e.corr,
                                        e.boot_lo.zip(e.boot_hi).or(e.corr_lo.zip(e.corr_hi)),
                                        r.params.strong
                                    )
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
                                words::calibrated_linkage(
                                    l.corr,
                                    range(r, w.window).or(l.corr_lo.zip(l.corr_hi)),
                                    r.params.strong
                                )
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
    let as_of = r
        .windows
        .first()
        .and_then(|w| w.latest.as_ref().map(|l| l.date))
        .unwrap_or(r.period.last);
    let mut top = vec![super::freshness::as_of(as_of)];
    top.extend(super::freshness::disagreement(r));
    top.extend(super::freshness::partial(r));
    let mut blocks = [top, blocks].concat();
    if let Some(b) = beyond(r) {
        blocks.push(b);
    }
    // The main chart (the overlay) under the answer.
    blocks.push(Block::Figures);
    Section {
        id: "verdict",
        title: "Verdict".into(),
        blocks,
    }
}
