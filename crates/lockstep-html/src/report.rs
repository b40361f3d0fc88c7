//! The sections of one [`Report`], in the order and with the words of the terminal renderer
//! (`lockstep_report::render::table`). Every number is a field of the report; nothing is
//! computed here beyond picking what to show.

use std::fmt::Write as _;

use lockstep_report::linkage::{GrangerDirection, GrangerRow};
use lockstep_report::words::{
    self, bottoming as bottoming_words, calendar as calendar_words, cross as cross_name,
    cup_state as state_words, direction as direction_name, method as method_words,
    regime as regime_name, trend as trend_words,
};
use lockstep_report::Report;

use crate::escape;
use crate::fmt::{
    corr_class, facts, h3, interval, num, opt, p_words, para, pct, section, share0, share1,
    sign_class, signed3, table, td, td_class, td_date, td_num, td_num_class, Th, NONE,
};

/// Divergence events listed in the regimes section (latest first).
const DIVERGENCES_SHOWN: usize = 10;

/// `section#summary`: the legs, the aligned period and the parameters.
pub(crate) fn summary(r: &Report) -> String {
    let mut b = String::new();
    let rows: Vec<Vec<String>> = [("A", &r.a), ("B", &r.b)]
        .into_iter()
        .map(|(tag, l)| {
            vec![
                td(tag),
                td(&l.name),
                td(&l.source),
                td(&l.format),
                td(l.price_field.label()),
                td(calendar_words(l.calendar)),
                td_date(l.first),
                td_date(l.last),
                td_num(&l.observations.to_string()),
            ]
        })
        .collect();
    b.push_str(&table(
        "legs",
        &[
            Th("leg", false),
            Th("name", false),
            Th("source", false),
            Th("read as", false),
            Th("price", false),
            Th("calendar", false),
            Th("first", false),
            Th("last", false),
            Th("observations", true),
        ],
        &rows,
        "",
    ));
    let p = &r.params;
    b.push_str(&para(
        "aligned",
        &format!(
            "Aligned ({}): {} .. {}, {} dates, {} {} returns",
            p.align.name(),
            r.period.first,
            r.period.last,
            r.period.dates,
            r.period.returns,
            p.returns.name()
        ),
    ));
    let windows: Vec<String> = p.windows.iter().map(|w| w.to_string()).collect();
    let params: [(&str, String); 7] = [
        ("alignment", p.align.name().to_string()),
        ("returns", p.returns.name().to_string()),
        ("method", method_words(p.method)),
        ("windows", windows.join(", ")),
        ("confidence", format!("{}%", 100.0 * p.confidence)),
        ("strong correlation", format!("> {}", p.strong)),
        ("periods per year", p.periods_per_year.to_string()),
    ];
    b.push_str("<dl class=\"params\">");
    for (k, v) in params {
        let _ = write!(b, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    }
    b.push_str("</dl>\n");
    section("summary", "Series and parameters", &b)
}

/// `section#correlation`: the per-window table, the volatility line, and `figures`.
pub(crate) fn correlation(r: &Report, figures: &str) -> String {
    let p = &r.params;
    let (na, nb) = (&r.a.name, &r.b.name);
    let mut b = String::new();
    let rows: Vec<Vec<String>> = r
        .windows
        .iter()
        .map(|w| {
            let ext = |e: &Option<lockstep_report::Extreme>| {
                opt(e.as_ref(), |e| format!("{:+.3} ({})", e.value, e.date))
            };
            match &w.latest {
                Some(l) => {
                    let cls = corr_class(l.corr);
                    vec![
                        td_num(&w.window.to_string()),
                        td_num_class(&signed3(l.corr), cls),
                        td_num(&interval(l.corr_lo, l.corr_hi)),
                        td_num(&opt(w.percentile, |v| format!("{v:.0}%"))),
                        td_num(&opt(w.share_strong, share0)),
                        td_num(&opt(l.beta, |v| format!("{v:.3}"))),
                        td_num(&opt(l.vol_a, share1)),
                        td_num(&opt(l.vol_b, share1)),
                        td_class(w.strength.unwrap_or(NONE), cls),
                        td_num(&ext(&w.min)),
                        td_num(&ext(&w.max)),
                        td_date(l.date),
                    ]
                }
                None => vec![
                    td_num(&w.window.to_string()),
                    td_num(NONE),
                    format!(
                        "<td colspan=\"10\">{}</td>",
                        escape("not enough aligned returns for this window")
                    ),
                ],
            }
        })
        .collect();
    let strong = format!(">{}", p.strong);
    let (vol_a, vol_b) = (format!("vol {na}"), format!("vol {nb}"));
    b.push_str(&table(
        "windows",
        &[
            Th("window", true),
            Th("corr", true),
            Th("interval", true),
            Th("pctile", true),
            Th(&strong, true),
            Th("beta", true),
            Th(&vol_a, true),
            Th(&vol_b, true),
            Th("strength", false),
            Th("min (date)", true),
            Th("max (date)", true),
            Th("as of", false),
        ],
        &rows,
        &format!(
            "pctile: percentile of the latest correlation in its window's history; {strong}: \
             share of that history above {}; beta of {na} on {nb}; volatility annualized ×√{}",
            p.strong, p.periods_per_year
        ),
    ));
    if let Some(w) = r.windows.first() {
        if let Some(l) = &w.latest {
            b.push_str(&h3(&format!(
                "Annualized volatility, last {} returns (×√{})",
                w.window, p.periods_per_year
            )));
            b.push_str(&table(
                "volatility",
                &[Th("", false), Th("volatility", true)],
                &[
                    vec![td(na), td_num(&opt(l.vol_a, share1))],
                    vec![td(nb), td_num(&opt(l.vol_b, share1))],
                ],
                "",
            ));
        }
    }
    b.push_str(figures);
    section(
        "correlation",
        &format!(
            "Rolling correlation ({}, {:.0}% Fisher-z interval)",
            method_words(p.method),
            100.0 * p.confidence
        ),
        &b,
    )
}

/// `section#performance`.
pub(crate) fn performance(r: &Report) -> String {
    let pf = &r.performance;
    let rows: Vec<Vec<String>> = [(&r.a.name, &pf.a), (&r.b.name, &pf.b)]
        .into_iter()
        .map(|(name, lp)| {
            vec![
                td(name),
                td_num(&format!("{:.2}", lp.start)),
                td_num(&format!("{:.2}", lp.end)),
                td_num_class(&pct(lp.total_return), sign_class(lp.total_return)),
                td_num_class(&pct(lp.ytd_return), sign_class(lp.ytd_return)),
                td_date(lp.ytd_base_date),
            ]
        })
        .collect();
    let body = table(
        "performance",
        &[
            Th("", false),
            Th("start", true),
            Th("end", true),
            Th("total", true),
            Th("year to date", true),
            Th("since", false),
        ],
        &rows,
        "",
    );
    section(
        "performance",
        &format!("Performance (overlay rebased to 100 on {})", r.period.first),
        &body,
    )
}

/// The Granger sentence of one direction at its BIC lag, and its verdict.
fn granger_words(cause: &str, effect: &str, d: &GrangerDirection) -> String {
    match d.at_bic() {
        Some(t) => {
            let verdict = words::granger_verdict(cause, effect, t);
            format!(
                "Granger {cause} → {effect} at lag {} (BIC): F = {:.3}, p = {} → {verdict}",
                d.bic_lag,
                t.f,
                p_words(t.p)
            )
        }
        None => format!("Granger {cause} → {effect}: not computed"),
    }
}

/// `section#lead-lag`.
pub(crate) fn lead_lag(r: &Report, figures: &str) -> String {
    let ll = &r.lead_lag;
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let unit = ll.unit;
    let mut items = Vec::new();
    let conf = (r.params.confidence * 100.0).round();
    if let Some(b) = &ll.best_lag {
        items.push(format!(
            "best lag {} ({}); significance band ±{:.3} ({conf}%, n = {})",
            b.lag,
            opt(b.corr, signed3),
            ll.band,
            ll.n
        ));
    }
    if let (Some(rs), Some(first), Some(last)) = (
        &ll.reaction_days,
        ll.rolling_best_lag.first(),
        ll.rolling_best_lag.last(),
    ) {
        items.push(format!(
            "{}-return windows {}..{}: best lag 0 in {:.0}%, {nb} led {na} in {:.0}%, \
             {na} led {nb} in {:.0}%",
            ll.window,
            first.date,
            last.date,
            100.0 * rs.share_zero,
            100.0 * rs.share_b_leads,
            100.0 * rs.share_a_leads,
        ));
        items.push(format!(
            "reaction time: median {} {unit}, quartiles [{}, {}]; latest window {} ({:+.3}) \
             on {}",
            rs.median, rs.q1, rs.q3, last.lag, last.corr, last.date
        ));
    }
    if let Some(g) = &ll.granger {
        items.push(granger_words(nb, na, &g.b_to_a));
        items.push(granger_words(na, nb, &g.a_to_b));
    }
    let mut b = facts(&items);
    if let Some(g) = &ll.granger {
        b.push_str(&h3("Granger causality"));
        let row = |cause: &str, effect: &str, d: &GrangerDirection| {
            let t = d.at_bic();
            vec![
                td(&format!("{cause} → {effect}")),
                td_num(&d.bic_lag.to_string()),
                td_num(&d.aic_lag.to_string()),
                td_num(&opt(t, |t| format!("{:.3}", t.f))),
                td_num_class(
                    &opt(t, |t| p_words(t.p)),
                    if t.is_some_and(|t| t.p < 0.05) {
                        "sig"
                    } else {
                        ""
                    },
                ),
            ]
        };
        b.push_str(&table(
            "granger",
            &[
                Th("direction", false),
                Th("BIC lag", true),
                Th("AIC lag", true),
                Th("F (BIC lag)", true),
                Th("p (BIC lag)", true),
            ],
            &[row(nb, na, &g.b_to_a), row(na, nb, &g.a_to_b)],
            "F-test of the lags of the cause in the regression of the effect; p < 0.05 in bold",
        ));
    }
    if !ll.ccf.is_empty() {
        b.push_str(&h3(&format!("Cross-correlation by lag ({unit})")));
        let g = |rows: Option<&Vec<GrangerRow>>, lag: i64| {
            rows.and_then(|v| v.iter().find(|t| t.lag as i64 == lag))
                .map(|t| (format!("{:.3}", t.f), p_words(t.p)))
                .unwrap_or_else(|| (NONE.into(), NONE.into()))
        };
        let rows: Vec<Vec<String>> = ll
            .ccf
            .iter()
            .map(|c| {
                let (fba, pba) = g(ll.granger.as_ref().map(|g| &g.b_causes_a), c.lag);
                let (fab, pab) = g(ll.granger.as_ref().map(|g| &g.a_causes_b), c.lag);
                let outside = matches!(c.corr, Some(v) if v.abs() > ll.band);
                let corr = opt(c.corr, signed3) + if outside { "*" } else { "" };
                vec![
                    td_num(&format!("{:+}", c.lag)),
                    td_num_class(&corr, if outside { "sig" } else { "" }),
                    td_num(&c.n.to_string()),
                    td_num(&fba),
                    td_num(&pba),
                    td_num(&fab),
                    td_num(&pab),
                ]
            })
            .collect();
        let heads = [
            format!("F {nb}→{na}"),
            format!("p {nb}→{na}"),
            format!("F {na}→{nb}"),
            format!("p {na}→{nb}"),
        ];
        b.push_str(&table(
            "ccf",
            &[
                Th("lag", true),
                Th("corr", true),
                Th("n", true),
                Th(&heads[0], true),
                Th(&heads[1], true),
                Th(&heads[2], true),
                Th(&heads[3], true),
            ],
            &rows,
            &format!(
                "lag k: {na} against {nb} k {unit} earlier (k > 0: {nb} leads); \
                 * outside the ±{:.3} band",
                ll.band
            ),
        ));
    }
    for n in &ll.notes {
        b.push_str(&para("note", &format!("note: {n}")));
    }
    b.push_str(figures);
    section(
        "lead-lag",
        &format!("Lead-lag (lag k: {na} against {nb} k {unit} earlier)"),
        &b,
    )
}

/// `section#regimes`.
pub(crate) fn regimes(r: &Report) -> String {
    let rg = &r.regimes;
    let (na, nb) = (r.a.name.as_str(), r.b.name.as_str());
    let rule = &rg.rule;
    let mut b = para(
        "rule",
        &format!(
            "risk-on: {} above its {}-period average and its {}-period volatility below the \
             median of its last {} values",
            rg.leg, rule.ma_window, rule.vol_window, rule.vol_lookback
        ),
    );
    match rg.current {
        Some((reg, since)) => {
            let _ = writeln!(
                b,
                "<p class=\"current\">now <strong class=\"regime-{0}\">{0}</strong> since {1}</p>",
                regime_name(reg),
                since
            );
        }
        None => b.push_str(&para(
            "current",
            "not enough history to classify the latest date",
        )),
    }
    let rows: Vec<Vec<String>> = rg
        .stats
        .iter()
        .map(|s| {
            vec![
                td(regime_name(s.regime)),
                td_num_class(&opt(s.corr, signed3), s.corr.map(corr_class).unwrap_or("")),
                td_num(&interval(s.corr_lo, s.corr_hi)),
                td_num(&opt(s.beta, |v| format!("{v:.3}"))),
                td_num(&s.n.to_string()),
            ]
        })
        .collect();
    if !rows.is_empty() {
        b.push_str(&table(
            "regime-stats",
            &[
                Th("regime", false),
                Th("corr", true),
                Th("interval", true),
                Th("beta", true),
                Th("n", true),
            ],
            &rows,
            "",
        ));
    }
    b.push_str(&h3("Divergences"));
    b.push_str(&para(
        "",
        &format!(
            "divergences (|z| > {}, {}-return regression of {na} on {nb}): {}",
            rg.divergence_k,
            rg.divergence_window,
            rg.divergences.len()
        ),
    ));
    if !rg.divergences.is_empty() {
        let rows: Vec<Vec<String>> = rg
            .divergences
            .iter()
            .rev()
            .take(DIVERGENCES_SHOWN)
            .map(|d| {
                vec![
                    td_date(d.date),
                    td_num_class(&pct(d.ret_a), sign_class(d.ret_a)),
                    td_num_class(&pct(d.ret_b), sign_class(d.ret_b)),
                    td_num(&pct(d.predicted)),
                    td_num(&format!("{:+.1}", d.z)),
                ]
            })
            .collect();
        let shown = rows.len();
        b.push_str(&table(
            "divergences",
            &[
                Th("date", false),
                Th(na, true),
                Th(nb, true),
                Th("expected", true),
                Th("z", true),
            ],
            &rows,
            &if shown < rg.divergences.len() {
                format!(
                    "latest {shown} of {}, latest first (`lockstep regimes` lists all)",
                    rg.divergences.len()
                )
            } else {
                "latest first".to_string()
            },
        ));
    }
    if let Some(rate) = &rg.rate {
        b.push_str(&h3("Rate sensitivity"));
        b.push_str(&para(
            "",
            &format!(
                "rate beta ({} changes) to {}: log return per +1 percentage point",
                rate.window, rate.rate
            ),
        ));
        let rows: Vec<Vec<String>> = [&rate.a, &rate.b]
            .into_iter()
            .flatten()
            .map(|x| {
                vec![
                    td(&x.leg),
                    td_num(&signed3(x.beta)),
                    td_num(&interval(x.lo, x.hi)),
                    td_num(&opt(x.corr, signed3)),
                    td_date(x.date),
                ]
            })
            .collect();
        if !rows.is_empty() {
            b.push_str(&table(
                "rate",
                &[
                    Th("leg", false),
                    Th("rate beta", true),
                    Th("interval", true),
                    Th("corr", true),
                    Th("as of", false),
                ],
                &rows,
                "",
            ));
        }
    }
    for n in &rg.notes {
        b.push_str(&para("note", &format!("note: {n}")));
    }
    section(
        "regimes",
        &format!(
            "Regimes (risk-on: {} above its {}-period average)",
            rg.leg, rule.ma_window
        ),
        &b,
    )
}

/// `section#structure`.
pub(crate) fn structure(r: &Report, figures: &str) -> String {
    let s = &r.structure;
    let p = &s.params;
    let mut b = String::new();
    let body: Vec<Vec<String>> = words::momentum_rows(s, NONE, true)
        .iter()
        .map(|[label, a, b]| {
            vec![
                format!("<th scope=\"row\">{}</th>", escape(label)),
                td(a),
                td(b),
            ]
        })
        .collect();
    b.push_str(&table(
        "momentum",
        &[Th("", false), Th(&s.a.name, false), Th(&s.b.name, false)],
        &body,
        "each leg on its own series (own calendar, full history)",
    ));
    let al = &s.alignment;
    b.push_str(&h3(&format!(
        "Alignment on the aligned dates (events ending in the last {})",
        p.recent
    )));
    let now = if al.rsi_rising_now {
        "RSI rising on both legs now"
    } else if al.rsi_falling_now {
        "RSI falling on both legs now"
    } else {
        "RSI not moving the same way on both legs now"
    };
    let mut items = vec![format!(
        "{now}; runs of RSI rising together: {} recently ({} in all history), falling \
         together: {} ({}).",
        al.rsi_rising.len(),
        al.totals.0,
        al.rsi_falling.len(),
        al.totals.1
    )];
    items.push(match al.macd_crosses.last() {
        Some(c) => format!(
            "MACD crossed its signal on both legs within {} days: {} recently, the last {} on \
             {} and {} ({} in all history).",
            p.macd_days,
            al.macd_crosses.len(),
            cross_name(c.direction),
            c.date_a,
            c.date_b,
            al.totals.2
        ),
        None => format!(
            "MACD crossed its signal on both legs within {} days: not recently ({} in all \
             history).",
            p.macd_days, al.totals.2
        ),
    });
    b.push_str(&facts(&items));
    b.push_str(&h3(&format!("Recent breakouts (last {} days)", p.recent)));
    let rows: Vec<Vec<String>> = [&s.a, &s.b]
        .into_iter()
        .flat_map(|l| l.recent_breakouts.iter().rev().map(move |x| (l, x)))
        .map(|(l, x)| {
            vec![
                td(&l.name),
                td_date(x.date),
                td_class(direction_name(x.direction), direction_name(x.direction)),
                td_num(&num(x.level)),
                td_num(&num(x.close)),
                td_num(&x.touches.to_string()),
                td_num(&opt(x.volume_ratio, |v| format!("{v:.2}x"))),
            ]
        })
        .collect();
    if rows.is_empty() {
        b.push_str(&para("", "none"));
    } else {
        b.push_str(&table(
            "breakouts",
            &[
                Th("leg", false),
                Th("date", false),
                Th("dir", false),
                Th("level", true),
                Th("close", true),
                Th("touches", true),
                Th("volume", true),
            ],
            &rows,
            "closes through a level, latest first; volume over its average",
        ));
    }
    let cups: Vec<Vec<String>> = [&s.a, &s.b]
        .into_iter()
        .filter_map(|l| l.latest_cup.as_ref().map(|c| (l, c)))
        .map(|(l, c)| {
            vec![
                td(&l.name),
                td_date(c.left_rim.0),
                td_date(c.bottom.0),
                td_date(c.right_rim.0),
                td_num(&format!("{:.1}%", c.depth_pct)),
                td_num(&num(c.rim_level)),
                td_num(&c.cup_bars.to_string()),
                td(&state_words(c.state)),
            ]
        })
        .collect();
    if !cups.is_empty() {
        b.push_str(&h3("Latest cup-and-handle"));
        b.push_str(&table(
            "cups",
            &[
                Th("leg", false),
                Th("left rim", false),
                Th("bottom", false),
                Th("right rim", false),
                Th("depth", true),
                Th("rim level", true),
                Th("bars", true),
                Th("state", false),
            ],
            &cups,
            "",
        ));
    }
    let ratio = &s.ratio;
    b.push_str(&h3(&format!("Ratio {} on the aligned dates", ratio.name)));
    let mut items = Vec::new();
    if let Some(t) = &ratio.trend {
        items.push(trend_words(t));
    }
    items.push(bottoming_words(ratio.bottoming.as_ref()));
    b.push_str(&facts(&items));
    for n in &ratio.notes {
        b.push_str(&para("note", &format!("note: {n}")));
    }
    b.push_str(figures);
    section("structure", "Momentum and structure", &b)
}

/// `section#liquidity`.
pub(crate) fn liquidity(r: &Report) -> String {
    let l = &r.liquidity;
    let mut b = String::new();
    if let Some(reason) = &l.reason {
        b.push_str(&para("note reason", reason));
    }
    if let Some(p) = &l.latest {
        let bn = |v: f64| format!("{:.1}", v / 1000.0);
        let opt_bn = |v: Option<f64>| opt(v, |v| format!("{:+.1}", v / 1000.0));
        b.push_str(&para(
            "",
            &format!(
                "net ${} bn on {}; change 4w {} bn, 13w {} bn; z {}",
                bn(p.net),
                p.date,
                opt_bn(p.change_4w),
                opt_bn(p.change_13w),
                opt(p.z_13w, |z| format!("{z:+.2}"))
            ),
        ));
    }
    if let Some(c) = &l.correlation {
        let mut rows = Vec::new();
        for a in [&c.a, &c.b] {
            for (label, s) in [("all", &a.full), ("52w", &a.last_52w)] {
                rows.push(vec![
                    td(&a.asset),
                    td(label),
                    td_num_class(&opt(s.r, signed3), s.r.map(corr_class).unwrap_or("")),
                    td_num(&interval(s.ci95.map(|c| c[0]), s.ci95.map(|c| c[1]))),
                    td_num(&s.n.to_string()),
                    td_date(opt(s.from, |d| d.to_string())),
                    td_date(opt(s.to, |d| d.to_string())),
                ]);
            }
        }
        b.push_str(&table(
            "liquidity",
            &[
                Th("asset", false),
                Th("weeks", false),
                Th("r", true),
                Th("95% interval", true),
                Th("n", true),
                Th("from", false),
                Th("to", false),
            ],
            &rows,
            "weekly log return vs weekly change in net liquidity (95% interval)",
        ));
    }
    section(
        "liquidity",
        "Liquidity (net = WALCL − TGA − RRP, weekly, Wednesdays)",
        &b,
    )
}

/// `section#verdict`: the closing lines of the terminal report.
pub(crate) fn verdict(r: &Report) -> String {
    let (na, nb) = (&r.a.name, &r.b.name);
    let mut b = String::new();
    match r
        .windows
        .first()
        .and_then(|w| w.latest.as_ref().map(|l| (w, l)))
    {
        Some((w, l)) => {
            // The terminal's words for the latest correlation of the first window.
            let linkage = words::linkage(l.corr, r.params.strong);
            let _ = writeln!(
                b,
                "<p class=\"verdict\"><strong>{} and {} are {}.</strong></p>",
                escape(na),
                escape(nb),
                escape(linkage)
            );
            let _ = writeln!(
                b,
                "<p>{}-return correlation <span class=\"{}\">{}</span> ({}) as of {}, at the \
                 {} percentile of its own history; beta {}.</p>",
                w.window,
                corr_class(l.corr),
                escape(&format!("{:+.2}", l.corr)),
                escape(w.strength.unwrap_or(NONE)),
                l.date,
                escape(&opt(w.percentile, |v| format!("{v:.0}th"))),
                escape(&opt(l.beta, |v| format!("{v:.2}")))
            );
        }
        None => b.push_str(&para(
            "verdict",
            "No verdict: not enough aligned returns for the first window.",
        )),
    }
    section("verdict", "Verdict", &b)
}
