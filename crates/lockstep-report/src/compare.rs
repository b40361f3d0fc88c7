//! One series against several candidates (`lockstep compare A B1 B2 …`): each candidate's
//! correlation with A and its Fisher interval over the full period and the latest value of
//! each window, the partial correlation given the controls, and whether the first
//! candidate's correlation with A differs from each other's (Williams' t for two dependent
//! correlations sharing A), all on the dates every series has ([`compare`]).

use serde::Serialize;

use lockstep_core::{align_with, returns, Align, Date, PriceSeries, ReturnKind};
use lockstep_stats::{
    dependent_corr_test, fisher_interval, partial_corr, partial_interval, pearson,
    DependentCorrTest, StatsError,
};

use crate::ReportError;

/// Parameters of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareOptions {
    /// Windows, in returns (default 90).
    pub windows: Vec<usize>,
    /// Calendar alignment of all the series (default inner).
    pub align: Align,
    /// Return kind (default log).
    pub returns: ReturnKind,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            windows: vec![90],
            align: Align::Inner,
            returns: ReturnKind::Log,
            confidence: 0.95,
        }
    }
}

/// A correlation with its interval.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Interval {
    /// The correlation (Pearson, or partial given the controls).
    pub r: f64,
    /// Lower end of the Fisher interval (`n − 3 − k` degrees of freedom, k controls).
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
}

/// One period (the full period, or the latest window) of one candidate.
#[derive(Clone, Debug, Serialize)]
pub struct Period {
    /// The window in returns; `None` for the full period.
    pub window: Option<usize>,
    /// Returns measured.
    pub n: usize,
    /// The correlation of A and the candidate.
    pub corr: Option<Interval>,
    /// The partial correlation given the controls (`None` without controls, or where
    /// undefined: a control equal to the candidate).
    pub partial: Option<Interval>,
    /// Williams' t test of "the first candidate's correlation with A equals this one's" on
    /// the same returns (`None` for the first candidate).
    pub vs_first: Option<DependentCorrTest>,
}

/// One candidate.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    /// Its name.
    pub name: String,
    /// The full period, then the latest value of each window.
    pub periods: Vec<Period>,
}

/// The comparison of A with each candidate.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Series A.
    pub a: String,
    /// The controls, in the order given.
    pub controls: Vec<String>,
    /// The alignment.
    pub align: Align,
    /// Return kind.
    pub returns: ReturnKind,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Windows, in returns.
    pub windows: Vec<usize>,
    /// First date every series has.
    pub first: Date,
    /// Last date.
    pub last: Date,
    /// Returns (between consecutive common dates).
    pub n: usize,
    /// The candidates, in the order given.
    pub candidates: Vec<Candidate>,
    /// What could not be computed, and why.
    pub notes: Vec<String>,
}

fn interval(r: f64, n: usize, k: usize, confidence: f64) -> Result<Interval, ReportError> {
    let ci = if k == 0 {
        fisher_interval(r, n as f64, confidence)
    } else {
        partial_interval(r, n, k, confidence)
    }
    .map_err(ReportError::Stats)?;
    Ok(Interval {
        r,
        lo: ci.map(|c| c.0),
        hi: ci.map(|c| c.1),
    })
}

/// Compare `a` with each of `candidates` (one or more) given `controls`.
///
/// All the series are aligned together ([`lockstep_core::align_with`]: the dates, or weeks or
/// months, that every one of them has), so every correlation below is measured on the same
/// returns. For each candidate `B_j` and each period (the full period, then the last `w`
/// returns of each window):
///
/// * `corr` = Pearson `r(A, B_j)` with its Fisher interval `tanh(atanh r ∓ z/√(n − 3))`;
/// * `partial` = the partial correlation of A and `B_j` given the controls, with its Fisher
///   interval on `n − 3 − k` degrees of freedom (see [`lockstep_stats::partial_corr`]);
/// * `vs_first` (j > 1) = [`lockstep_stats::dependent_corr_test`]`(r(A,B₁), r(A,B_j),
///   r(B₁,B_j), n)`: Williams' t (n − 3 df, R's `psych::r.test`) and Steiger's z of
///   `H0: ρ(A,B₁) = ρ(A,B_j)`, two correlations sharing A on the same days.
///
/// Errors: no candidate, a window below 4, the alignment (too few common dates, a
/// non-positive price), and a control that explains A exactly
/// ([`ReportError::Control`]). A control equal to a candidate leaves that candidate's
/// partial correlation undefined, with a note.
pub fn compare(
    a: &PriceSeries,
    candidates: &[PriceSeries],
    controls: &[PriceSeries],
    opts: &CompareOptions,
) -> Result<Comparison, ReportError> {
    let Some(first) = candidates.first() else {
        return Err(ReportError::Screen(
            "compare needs at least one candidate to compare A with".into(),
        ));
    };
    if opts.windows.is_empty() {
        return Err(ReportError::NoWindow);
    }
    if let Some(w) = opts.windows.iter().find(|w| **w < 4) {
        return Err(ReportError::Screen(format!(
            "window {w} is too short: an interval needs at least 4 returns"
        )));
    }
    fisher_interval(0.0, 10.0, opts.confidence).map_err(ReportError::Stats)?;
    let others: Vec<&PriceSeries> = candidates[1..].iter().chain(controls).collect();
    let (al, prices) =
        align_with(a, first, &others, opts.align, opts.returns).map_err(ReportError::Align)?;
    let ret = |p: &[f64]| returns(p, opts.returns);
    let ra = al.ret_a.clone();
    let mut rb: Vec<Vec<f64>> = vec![al.ret_b.clone()];
    rb.extend(prices[..candidates.len() - 1].iter().map(|p| ret(p)));
    let rz: Vec<Vec<f64>> = prices[candidates.len() - 1..]
        .iter()
        .map(|p| ret(p))
        .collect();
    let n = ra.len();
    let k = controls.len();
    let mut notes = Vec::new();
    // The full period, then each window's last returns.
    let mut spans: Vec<(Option<usize>, usize)> = vec![(None, 0)];
    for &w in &opts.windows {
        if w <= n {
            spans.push((Some(w), n - w));
        } else {
            notes.push(format!(
                "window {w}: only {n} common returns, the window never fills"
            ));
        }
    }
    let mut out = Vec::with_capacity(candidates.len());
    for (j, c) in candidates.iter().enumerate() {
        let mut periods = Vec::with_capacity(spans.len());
        for &(window, start) in &spans {
            let (x, y) = (&ra[start..], &rb[j][start..]);
            let m = x.len();
            let r = pearson(x, y);
            let corr = r.map(|r| interval(r, m, 0, opts.confidence)).transpose()?;
            let partial = if k == 0 {
                None
            } else {
                let zs: Vec<&[f64]> = rz.iter().map(|z| &z[start..]).collect();
                match partial_corr(x, y, &zs) {
                    Ok(p) => p
                        .map(|p| interval(p.r, m, k, opts.confidence))
                        .transpose()?,
                    Err(StatsError::CollinearControl { series, .. }) if series == "x" => {
                        return Err(ReportError::Control(format!(
                            "cannot control for {}: the controls explain {} exactly (is a \
                             control {} itself?), so nothing is left to correlate",
                            controls
                                .iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            a.name,
                            a.name
                        )))
                    }
                    Err(StatsError::CollinearControl { .. }) => {
                        if window.is_none() {
                            notes.push(format!(
                                "{}: no partial correlation, the controls explain it exactly \
                                 (is it a control?)",
                                c.name
                            ));
                        }
                        None
                    }
                    Err(StatsError::TooFewObservations { .. }) => None,
                    Err(e) => return Err(ReportError::Stats(e)),
                }
            };
            let vs_first = match (j, r, pearson(x, &rb[0][start..])) {
                (1.., Some(r_aj), Some(r_a1)) => {
                    let r_1j = pearson(&rb[0][start..], y);
                    match r_1j {
                        Some(r_1j) => {
                            dependent_corr_test(r_a1, r_aj, r_1j, m).map_err(ReportError::Stats)?
                        }
                        None => None,
                    }
                }
                _ => None,
            };
            periods.push(Period {
                window,
                n: m,
                corr,
                partial,
                vs_first,
            });
        }
        out.push(Candidate {
            name: c.name.clone(),
            periods,
        });
    }
    Ok(Comparison {
        a: a.name.clone(),
        controls: controls.iter().map(|c| c.name.clone()).collect(),
        align: opts.align,
        returns: opts.returns,
        confidence: opts.confidence,
        windows: opts.windows.clone(),
        first: al.dates[0],
        last: al.dates[al.dates.len() - 1],
        n,
        candidates: out,
        notes,
    })
}

impl Comparison {
    /// The CSV of `lockstep compare`: one row per candidate and period, header
    /// `candidate,period,n,corr,corr_lo,corr_hi`, with controls `pcorr,pcorr_lo,pcorr_hi`,
    /// then `t_vs_first,p_vs_first,z_vs_first,p_z_vs_first` (Williams' t and its p, Steiger's
    /// z and its p; empty for the first candidate). `period` is `all` for the full period,
    /// else the window; empty cells where a value is undefined; full f64 precision.
    pub fn csv(&self) -> String {
        use crate::doc::text::cell;
        use std::fmt::Write as _;
        let partial = !self.controls.is_empty();
        let mut o = String::from("candidate,period,n,corr,corr_lo,corr_hi");
        if partial {
            o.push_str(",pcorr,pcorr_lo,pcorr_hi");
        }
        o.push_str(",t_vs_first,p_vs_first,z_vs_first,p_z_vs_first\n");
        for c in &self.candidates {
            for p in &c.periods {
                let period = p
                    .window
                    .map(|w| w.to_string())
                    .unwrap_or_else(|| "all".into());
                let _ = write!(
                    o,
                    "{},{period},{},{},{},{}",
                    csv_text(&c.name),
                    p.n,
                    cell(p.corr.map(|x| x.r)),
                    cell(p.corr.and_then(|x| x.lo)),
                    cell(p.corr.and_then(|x| x.hi)),
                );
                if partial {
                    let _ = write!(
                        o,
                        ",{},{},{}",
                        cell(p.partial.map(|x| x.r)),
                        cell(p.partial.and_then(|x| x.lo)),
                        cell(p.partial.and_then(|x| x.hi)),
                    );
                }
                let v = p.vs_first;
                let _ = writeln!(
                    o,
                    ",{},{},{},{}",
                    cell(v.map(|v| v.t)),
                    cell(v.map(|v| v.p)),
                    cell(v.map(|v| v.z)),
                    cell(v.map(|v| v.p_z)),
                );
            }
        }
        o
    }
}

/// A CSV text cell: quoted when it holds a comma, a quote or a line break.
fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(name: &str, steps: &[f64]) -> PriceSeries {
        let start: Date = "2024-01-01".parse().unwrap();
        let mut p = 100.0;
        let mut price = vec![p];
        for s in steps {
            p *= s.exp();
            price.push(p);
        }
        let dates = (0..price.len())
            .map(|i| start + chrono::Days::new(i as u64))
            .collect();
        PriceSeries::new(name, dates, price).unwrap()
    }

    /// Deterministic noise in [-0.5, 0.5).
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
            })
            .collect()
    }

    #[test]
    fn candidates_partial_and_dependent_test() {
        let n = 400;
        let m = noise(n, 1);
        let (e1, e2, e3) = (noise(n, 2), noise(n, 3), noise(n, 4));
        let sc = |v: &[f64], f: f64| v.iter().map(|x| 0.02 * f * x).collect::<Vec<f64>>();
        let a: Vec<f64> = (0..n).map(|i| 0.02 * (m[i] + e1[i])).collect();
        let b1: Vec<f64> = (0..n).map(|i| 0.02 * (m[i] + 0.5 * e2[i])).collect();
        let b2: Vec<f64> = (0..n).map(|i| 0.02 * (0.2 * m[i] + e3[i])).collect();
        let (a, b1, b2, mk) = (
            walk("A", &a),
            walk("B1", &b1),
            walk("B2", &b2),
            walk("M", &sc(&m, 1.0)),
        );
        let c = compare(
            &a,
            &[b1.clone(), b2.clone(), mk.clone()],
            std::slice::from_ref(&mk),
            &CompareOptions {
                windows: vec![60],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.n, n);
        assert_eq!(c.candidates.len(), 3);
        let full = |j: usize| &c.candidates[j].periods[0];
        // A and B1 share the market: large raw, small partial.
        let r1 = full(0).corr.unwrap().r;
        assert!(r1 > 0.3, "{r1}");
        assert!(full(0).partial.unwrap().r.abs() < 0.15);
        assert!(full(0).vs_first.is_none());
        // B2 is much less correlated: Williams' t rejects equality.
        let t = full(1).vs_first.unwrap();
        assert!(t.t > 0.0 && t.p < 1e-3, "{t:?}");
        // The control is a candidate: its partial is undefined, with a note.
        assert!(full(2).partial.is_none());
        assert!(
            c.notes.iter().any(|x| x.contains("M: no partial")),
            "{:?}",
            c.notes
        );
        // The window: the last 60 returns.
        let w = &c.candidates[1].periods[1];
        assert_eq!((w.window, w.n), (Some(60), 60));
        let want = pearson(&a_returns(&a)[n - 60..], &a_returns(&b2)[n - 60..]).unwrap();
        assert!((w.corr.unwrap().r - want).abs() < 1e-12);
        // A control equal to A is an error naming it.
        let err = compare(
            &a,
            &[b1],
            std::slice::from_ref(&a),
            &CompareOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("cannot control for A"), "{err}");
    }

    fn a_returns(s: &PriceSeries) -> Vec<f64> {
        returns(&s.price, ReturnKind::Log)
    }
}
