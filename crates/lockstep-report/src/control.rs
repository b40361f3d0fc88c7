//! Controlling for a third series: the partial correlation of A and B given the controls
//! (the market both legs share), over the full period and rolling per window, from the same
//! aligned returns as the rest of the report ([`ControlSection`]).

use serde::Serialize;

use lockstep_core::{Aligned, Date, PriceSeries};
use lockstep_stats::{
    partial_corr, partial_interval, pearson, PartialCorr, RollingPartialCorrelation, StatsError,
};

use crate::ReportError;

/// The series to control for, loaded: what the session resolves from `--control` (or the
/// pair's default control) and hands to the analysis in the [`crate::Backdrop`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Controls {
    /// The controls, in the order given (empty: no control).
    pub series: Vec<PriceSeries>,
    /// Whether they are the pair's default control (`lockstep analyze` with no `--control`:
    /// SPY for ETH-USD against ^RUT, or `[controls]` of config.toml), not named by the user.
    pub default: bool,
    /// Why the default control is not used (it could not be loaded): the section says so.
    pub note: Option<String>,
}

/// The control series' returns on the report's aligned dates: `returns[c][t]` is control
/// `c`'s return over the span of the pair's return `t`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ControlReturns {
    pub names: Vec<String>,
    pub returns: Vec<Vec<f64>>,
}

impl ControlReturns {
    /// The controls as slices, for the partial correlation.
    pub fn slices(&self) -> Vec<&[f64]> {
        self.returns.iter().map(|v| v.as_slice()).collect()
    }

    /// The controls restricted to the positions `keep` (a regime's returns).
    pub fn picked(&self, keep: &[usize]) -> Vec<Vec<f64>> {
        self.returns
            .iter()
            .map(|c| keep.iter().map(|&i| c[i]).collect())
            .collect()
    }
}

/// One control's own correlations with the legs over the full period.
#[derive(Clone, Debug, Serialize)]
pub struct ControlLeg {
    /// The control.
    pub name: String,
    /// Its correlation with A.
    pub corr_a: Option<f64>,
    /// Its correlation with B.
    pub corr_b: Option<f64>,
}

/// The latest raw and partial correlation of one window.
#[derive(Clone, Debug, Serialize)]
pub struct ControlWindow {
    /// Window, in returns.
    pub window: usize,
    /// The date of the latest partial correlation (`None` when the window never filled or
    /// the partial correlation is undefined on every window).
    pub date: Option<Date>,
    /// The raw (Pearson) correlation of A and B on that window.
    pub raw: Option<f64>,
    /// The partial correlation given the controls.
    pub partial: Option<f64>,
    /// Lower end of its Fisher interval (`n − 3 − k` degrees of freedom).
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
}

/// The correlation of A and B once what both share with the controls is removed.
///
/// The partial correlation of A and B given controls `z₁ … z_k` is the correlation of what is
/// left of A's and of B's returns after a least-squares regression of each on a constant and
/// the controls' returns (`lockstep_stats::partial_corr`); with one control
/// `r_ab·z = (r_ab − r_az r_bz)/√((1 − r_az²)(1 − r_bz²))`. Its Fisher interval is
/// `tanh(atanh(r) ∓ z_{(1+c)/2}/√(n − 3 − k))`, its p-value Student's t with `n − 2 − k`
/// degrees of freedom. Every series is aligned with the pair (the dates all of them have),
/// so the report's returns and the controls' run over the same spans.
#[derive(Clone, Debug, Serialize)]
pub struct ControlSection {
    /// The controls' names, in the order given.
    pub controls: Vec<String>,
    /// Whether they are the pair's default control.
    pub default: bool,
    /// Why there is no control (the default could not be loaded); everything else is then
    /// empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Returns measured (the full period).
    pub n: usize,
    /// The raw correlation of A and B over the full period.
    pub raw: Option<f64>,
    /// Each control's correlation with A and B.
    pub legs: Vec<ControlLeg>,
    /// The partial correlation over the full period (`None` when a leg is constant).
    pub partial: Option<f64>,
    /// Lower end of its Fisher interval.
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
    /// Two-sided p-value of "no partial correlation".
    pub p: Option<f64>,
    /// The latest value of each window, in the order asked for.
    pub windows: Vec<ControlWindow>,
}

impl ControlSection {
    /// The section saying why there is no control.
    pub(crate) fn absent(note: String) -> ControlSection {
        ControlSection {
            controls: Vec::new(),
            default: true,
            note: Some(note),
            n: 0,
            raw: None,
            legs: Vec::new(),
            partial: None,
            lo: None,
            hi: None,
            p: None,
            windows: Vec::new(),
        }
    }
}

/// The error of a control the partial correlation cannot use, naming it.
fn collinear(e: StatsError, al_names: (&str, &str), c: &ControlReturns) -> ReportError {
    let StatsError::CollinearControl { series, .. } = &e else {
        return ReportError::Stats(e);
    };
    let list = c.names.join(", ");
    let msg = match series.as_str() {
        "x" | "y" => {
            let (tag, leg) = if series == "x" {
                ("A", al_names.0)
            } else {
                ("B", al_names.1)
            };
            if c.names.len() == 1 {
                format!(
                    "cannot control for {list}: it explains leg {tag} ({leg}) exactly (the same \
                     series, or a multiple of it), so nothing is left to correlate; control for \
                     a third series"
                )
            } else {
                format!(
                    "cannot control for {list}: together they explain leg {tag} ({leg}) exactly \
                     (is one of them the leg itself?), so nothing is left to correlate"
                )
            }
        }
        other => {
            let name = other
                .strip_prefix("control ")
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| c.names.get(i - 1))
                .cloned()
                .unwrap_or_else(|| other.to_string());
            format!(
                "cannot control for {name}: its returns are constant or repeat the controls \
                 before it ({list})"
            )
        }
    };
    ReportError::Control(msg)
}

/// The full-period partial correlation of the aligned pair given the controls.
pub(crate) fn full_partial(
    al: &Aligned,
    names: (&str, &str),
    c: &ControlReturns,
) -> Result<Option<PartialCorr>, ReportError> {
    partial_corr(&al.ret_a, &al.ret_b, &c.slices()).map_err(|e| match e {
        e @ StatsError::CollinearControl { .. } => collinear(e, names, c),
        e => ReportError::Stats(e),
    })
}

/// The rolling partial correlation of one window with its Fisher interval, one value per
/// aligned date (`None` on the first date, during the warm-up and where undefined).
pub(crate) type RollingPartial = (Vec<Option<f64>>, Vec<Option<f64>>, Vec<Option<f64>>);

/// [`RollingPartial`] of window `w`.
pub(crate) fn rolling_partial(
    al: &Aligned,
    c: &ControlReturns,
    w: usize,
    confidence: f64,
) -> Result<RollingPartial, ReportError> {
    let n = al.len();
    let k = c.returns.len();
    let (mut r, mut lo, mut hi) = (vec![None; n], vec![None; n], vec![None; n]);
    let Ok(mut roll) = RollingPartialCorrelation::new(w, k) else {
        // A window too short for k controls: undefined everywhere.
        return Ok((r, lo, hi));
    };
    let values = roll
        .over(&al.ret_a, &al.ret_b, &c.slices())
        .map_err(ReportError::Stats)?;
    for (t, v) in values.into_iter().enumerate() {
        let Some(v) = v else { continue };
        r[t + 1] = Some(v);
        if let Some((l, h)) = partial_interval(v, w, k, confidence).map_err(ReportError::Stats)? {
            lo[t + 1] = Some(l);
            hi[t + 1] = Some(h);
        }
    }
    Ok((r, lo, hi))
}

/// The control section from the full-period partial correlation and each window's rolling
/// values (`rolling[i]` of `windows[i]`, with the raw correlations `raw[i]`).
pub(crate) fn section(
    al: &Aligned,
    c: &ControlReturns,
    default: bool,
    full: Option<PartialCorr>,
    windows: &[(usize, &[Option<f64>], &RollingPartial)],
    confidence: f64,
) -> Result<ControlSection, ReportError> {
    let interval = match full {
        Some(p) => p.interval(confidence).map_err(ReportError::Stats)?,
        None => None,
    };
    let legs = c
        .names
        .iter()
        .zip(&c.returns)
        .map(|(name, z)| ControlLeg {
            name: name.clone(),
            corr_a: pearson(&al.ret_a, z),
            corr_b: pearson(&al.ret_b, z),
        })
        .collect();
    let windows = windows
        .iter()
        .map(|(w, raw, (r, lo, hi))| {
            let last = r.iter().rposition(Option::is_some);
            ControlWindow {
                window: *w,
                date: last.map(|i| al.dates[i]),
                raw: last.and_then(|i| raw[i]),
                partial: last.and_then(|i| r[i]),
                lo: last.and_then(|i| lo[i]),
                hi: last.and_then(|i| hi[i]),
            }
        })
        .collect();
    Ok(ControlSection {
        controls: c.names.clone(),
        default,
        note: None,
        n: al.ret_a.len(),
        raw: pearson(&al.ret_a, &al.ret_b),
        legs,
        partial: full.map(|p| p.r),
        lo: interval.map(|i| i.0),
        hi: interval.map(|i| i.1),
        p: full.and_then(|p| p.p_value()),
        windows,
    })
}
