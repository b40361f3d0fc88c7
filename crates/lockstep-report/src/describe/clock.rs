//! The "Clock" section (the pair on the UTC and the exchange clock side by side) and the
//! "Reaction time in bars" section (intraday returns within sessions).

use super::{interval, opt, signed3, NONE};
use crate::clock::{ClockComparison, ClockLead, IntradaySection};
use crate::doc::{Block, Cell, Column, Kind, Section, Table, Tone};
use crate::words::{self, p_value as p_words};
use crate::Report;

/// Significance level of the sentences.
const ALPHA: f64 = 0.05;

fn lead_words(na: &str, nb: &str, l: &ClockLead) -> String {
    let dir = |x: &Option<(usize, f64)>, cause: &str, effect: &str| match x {
        Some((lag, p)) => format!("{cause} → {effect} p = {} (lag {lag})", p_words(*p)),
        None => format!("{cause} → {effect} not computed"),
    };
    format!(
        "best lag {}; Granger {}; {}",
        l.best_lag.map_or(NONE.to_string(), |k| k.to_string()),
        dir(&l.b_to_a, nb, na),
        dir(&l.a_to_b, na, nb)
    )
}

/// The sentence on a daily lead that the synchronous clock removes (or keeps).
fn lead_sentence(na: &str, nb: &str, c: &ClockComparison) -> Option<String> {
    let sig = |x: &Option<(usize, f64)>| x.is_some_and(|(_, p)| p < ALPHA);
    let mut out = Vec::new();
    for (cause, effect, u, e) in [
        (na, nb, &c.utc.a_to_b, &c.exchange.a_to_b),
        (nb, na, &c.utc.b_to_a, &c.exchange.b_to_a),
    ] {
        match (sig(u), sig(e)) {
            (true, false) => out.push(format!(
                "The daily lead of {cause} over {effect} on the UTC clock (p = {}) disappears \
                 on the exchange clock (p = {}): it came from the hours between the two closes.",
                p_words(u.map_or(f64::NAN, |x| x.1)),
                p_words(e.map_or(f64::NAN, |x| x.1)),
            )),
            (true, true) => out.push(format!(
                "{cause}'s past returns still help predict {effect} on the exchange clock (p = \
                 {}).",
                p_words(e.map_or(f64::NAN, |x| x.1))
            )),
            _ => {}
        }
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// `clock`: per window, the latest correlation on both clocks, and lead-lag on each.
pub(super) fn clock_section(r: &Report, c: &ClockComparison) -> Section {
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let mut t = Table::new(
        "clocks",
        vec![
            Column::new("window", Kind::Num),
            Column::new("UTC clock", Kind::Num),
            Column::new("interval", Kind::Num),
            Column::new("exchange clock", Kind::Num),
            Column::new("interval", Kind::Num),
            Column::new("as of", Kind::Date),
        ],
    )
    .caption(
        "UTC clock: each leg's own daily close (crypto 00:00 UTC, equities 16:00 New York); \
         exchange clock: the every-day leg at the exchange's close (16:00 New York, 13:00 on \
         early closes)",
    );
    for w in &c.windows {
        let cell = |x: &Option<crate::clock::ClockReading>| match x {
            Some(x) => Cell::toned(signed3(x.corr), Tone::Corr(x.corr)),
            None => Cell::new(NONE),
        };
        let iv = |x: &Option<crate::clock::ClockReading>| {
            Cell::new(
                x.as_ref()
                    .map_or(NONE.to_string(), |x| interval(x.corr_lo, x.corr_hi)),
            )
        };
        t.rows.push(vec![
            Cell::new(w.window.to_string()),
            cell(&w.utc),
            iv(&w.utc),
            cell(&w.exchange),
            iv(&w.exchange),
            Cell::new(opt(w.exchange.as_ref().map(|x| x.date), |d| d.to_string())),
        ]);
    }
    let mut blocks = vec![
        super::freshness::as_of(r.period.last),
        Block::para(
            "",
            format!(
                "synchronous prices from {}; {} exchange date(s) without one left out (never \
                 filled with the UTC close)",
                c.source, c.missing_dates
            ),
        ),
        Block::Table(t),
        Block::Facts(vec![
            format!("UTC clock: {}", lead_words(na, nb, &c.utc)),
            format!("exchange clock: {}", lead_words(na, nb, &c.exchange)),
        ]),
    ];
    if let Some(s) = lead_sentence(na, nb, c) {
        blocks.push(Block::para("", s));
    }
    Section {
        id: "clock",
        title: format!(
            "Clock: {na} against {nb} at each close and at the exchange close (main report: {} \
             clock)",
            c.main.name()
        ),
        blocks,
    }
}

/// The reaction time of an intraday section in plain words: one sentence ("ETH's hourly
/// returns move with IWM's in the same hour (r = …); the next hour adds …; no lead beyond
/// one hour is significant"), then the Granger tests within sessions.
fn reaction_words(na: &str, nb: &str, s: &IntradaySection) -> (String, Vec<String>) {
    let w = words::bar_words(s.interval);
    let span = w.span;
    // "beyond one hour", "beyond 30 minutes".
    let one = if span.starts_with(|c: char| c.is_ascii_digit()) {
        span.to_string()
    } else {
        format!("one {span}")
    };
    let at = |k: i64| s.ccf.iter().find(|c| c.lag == k);
    let sig = |r: f64| r.abs() > s.band;
    let mut parts = Vec::new();
    if let Some(c) = at(0) {
        parts.push(format!(
            "{na}'s {} returns move with {nb}'s in the same {span} (r = {}, n = {})",
            w.returns,
            opt(c.corr, signed3),
            c.n
        ));
    }
    let next: Vec<String> = [(1i64, nb), (-1, na)]
        .into_iter()
        .filter_map(|(k, leader)| {
            let r = at(k)?.corr?;
            Some(format!(
                "{} when {leader} leads ({})",
                signed3(r),
                if sig(r) {
                    format!("significant at ±{:.3}", s.band)
                } else {
                    "not significant".into()
                }
            ))
        })
        .collect();
    if !next.is_empty() {
        parts.push(format!("the next {span} adds {}", next.join(" and ")));
    }
    let beyond: Vec<i64> = s
        .ccf
        .iter()
        .filter(|c| c.lag.abs() > 1 && c.corr.is_some_and(sig))
        .map(|c| c.lag)
        .collect();
    parts.push(if beyond.is_empty() {
        format!("no lead beyond {one} is significant")
    } else {
        format!(
            "beyond {one}, significant at lags {} (pointwise, not corrected for the lags looked \
             at)",
            beyond
                .iter()
                .map(|k| format!("{k:+}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let mut sentence = parts.join("; ");
    sentence.push('.');
    let granger = [(nb, na, &s.b_to_a), (na, nb, &s.a_to_b)]
        .into_iter()
        .map(
            |(cause, effect, d)| match d.as_ref().and_then(|d| d.at_bic().map(|t| (d.bic_lag, t))) {
                Some((lag, t)) => format!(
                    "Granger {cause} → {effect} within sessions at lag {lag} (BIC): F = {:.3}, p = {}",
                    t.f,
                    p_words(t.p)
                ),
                None => format!("Granger {cause} → {effect} within sessions: not computed"),
            },
        )
        .collect();
    (sentence, granger)
}

/// `intraday`: the reaction time in bars.
pub(super) fn intraday_section(r: &Report, s: &IntradaySection) -> Section {
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let unit = s.interval.name();
    let fmt_t = |t: Option<lockstep_core::Timestamp>| {
        opt(t, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
    };
    let mut blocks = vec![Block::para(
        "",
        format!(
            "{} {unit} returns in {} sessions, {} .. {} (returns only between bars of one \
             session; {} extended-hours bars and {} bars without a synchronous price left out)",
            s.returns,
            s.sessions,
            fmt_t(s.first),
            fmt_t(s.last),
            s.outside_session,
            s.unmatched
        ),
    )];
    let (sentence, granger) = reaction_words(na, nb, s);
    blocks.push(Block::para("reaction", sentence));
    blocks.push(Block::Facts(granger));
    let mut w = Table::new(
        "intraday-windows",
        vec![
            Column::new("window", Kind::Num),
            Column::new("corr", Kind::Num),
            Column::new("interval", Kind::Num),
            Column::new("as of", Kind::Text),
        ],
    );
    for x in &s.windows {
        w.rows.push(vec![
            Cell::new(format!("{} bars", x.window)),
            match x.corr {
                Some(c) => Cell::toned(signed3(c), Tone::Corr(c)),
                None => Cell::new(NONE),
            },
            Cell::new(interval(x.corr_lo, x.corr_hi)),
            Cell::new(fmt_t(x.time)),
        ]);
    }
    blocks.push(Block::Table(w));
    let mut t = Table::new(
        "intraday-ccf",
        vec![
            Column::new("lag", Kind::Num),
            Column::new("corr", Kind::Num),
            Column::new("n", Kind::Num),
        ],
    )
    .caption(format!(
        "lag k: {na} against {nb} k {} earlier in the same session (k > 0: {nb} leads); * \
         outside the ±{:.3} band",
        words::bar_words(s.interval).lags,
        s.band
    ));
    for c in &s.ccf {
        let outside = c.corr.is_some_and(|v| v.abs() > s.band);
        t.rows.push(vec![
            Cell::new(format!("{:+}", c.lag)),
            Cell::toned(
                opt(c.corr, signed3) + if outside { "*" } else { "" },
                if outside {
                    Tone::Significant
                } else {
                    Tone::Plain
                },
            ),
            Cell::new(c.n.to_string()),
        ]);
    }
    blocks.push(Block::Table(t));
    Section {
        id: "intraday",
        title: format!(
            "Reaction time in {} ({na} against {nb}, {unit} bars within sessions)",
            words::bar_words(s.interval).lags
        ),
        blocks,
    }
}
