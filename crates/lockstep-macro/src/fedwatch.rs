//! Rate-move probabilities from fed funds futures, by the CME FedWatch method.
//!
//! # Method
//!
//! 1. **Monthly averages.** Each quoted contract month has an implied average rate
//!    `avg = 100 − price` (percent).
//! 2. **Start and end rates of each month.** A month with one FOMC decision on day `d` of its
//!    `N` days satisfies
//!
//!    ```text
//!    avg = ((d − 1) · start + (N − d + 1) · end) / N
//!    ```
//!
//!    (the decision day itself counts at the new rate, CME's convention). A month without a
//!    decision has `start = end = avg`. Consecutive months chain: `end(k) = start(k + 1)`. The
//!    unknown boundary rates are filled in this order:
//!    * **anchors**: the boundary next to a month without a decision takes that month's average
//!      (the later month's when both neighbours are decision-free; the value then serves no
//!      decision month anyway). A decision-free month with **no quote** carries the rate
//!      through unchanged (`start = end`).
//!    * the optional **effective rate** anchors the rate in effect on `as_of` (or, without
//!      `as_of`, at the start of the first month) where no anchor did;
//!    * **forward**: `end = (N · avg − (d − 1) · start) / (N − d + 1)` from a known start;
//!    * **backward** where forward cannot reach: `start = (N · avg − (N − d + 1) · end) /
//!      (d − 1)` from a known end (impossible for `d = 1`, where the month's average *is* the
//!      end rate and says nothing about the start).
//!
//!    Forward and backward sweeps repeat until nothing changes. A month with **two**
//!    decisions (2008-01, 2008-10, 2020-03) has an extra unknown, the rate between them,
//!    solved from its average once its start and end are known (or solved for start/end from
//!    the other two). A decision month **without a quote** gives no equation, but its start
//!    and end can still come from its neighbours. A decision whose before- or after-rate
//!    stays unknown is **unresolved**: the tree stops there and it and every later decision
//!    are listed in [`FedWatch::unresolved`].
//! 3. **Single-meeting move.** For decision `k`, `m = (end − start) / 0.25` is the implied
//!    move in 25 bp steps; with `lo = ⌊m⌋` the two nearest outcomes are `lo` steps with
//!    probability `1 − (m − lo)` and `lo + 1` steps with probability `m − lo` (CME's
//!    "probability of a hike" when `0 < m < 1`).
//! 4. **Tree.** Outcomes of successive decisions are treated as independent: probabilities
//!    multiply and moves add, giving after each decision a distribution over target ranges
//!    `[lower + 0.25·s, upper + 0.25·s]` (`s` = cumulative steps from the **current** range).
//!    With [`FedWatchOptions::floor_at_zero`] (default) a range never goes below a lower bound
//!    of 0: the mass of such outcomes stays at the zero range.
//! 5. **Summary per decision** (cumulative, relative to the current range, the one in force
//!    before the first future decision): `p_cut = P(s < 0)`, `p_hold = P(s = 0)`,
//!    `p_hike = P(s > 0)`, and `expected_rate = Σ p · (midpoint of the range)`.
//!
//! Rates are in percent; probabilities are fractions in [0, 1]. Decisions dated on or before
//! `as_of` are past: they take part in the chaining (their month's average mixes the two
//! rates) but not in the tree.
//!
//! # Current target range
//!
//! Given ([`FedWatchOptions::current_range`], e.g. FRED `DFEDTARL`/`DFEDTARU` on `as_of`);
//! else the 25 bp range containing the effective rate if given (what CME does); else the
//! range containing the futures-implied rate before the first future decision (or the first
//! month's average when there is no future decision): `lower = ⌊r / 0.25⌋ · 0.25`,
//! `upper = lower + 0.25`. [`FedWatch::range_source`] says which.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Serialize;

use crate::fomc::{Calendar, Meeting, MeetingKind};
use crate::futures::{ContractMonth, FuturesStrip};
use crate::{Date, MacroError, Result};

/// Size of one policy step: 25 bp, in percent.
pub const STEP: f64 = 0.25;

/// Fractional parts within this of 0 or 1 count as exact (no second outcome).
const FRAC_EPS: f64 = 1e-9;

/// A fed funds target range, percent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TargetRange {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl TargetRange {
    /// A range; both finite and `lower < upper`.
    pub fn new(lower: f64, upper: f64) -> Result<TargetRange> {
        if !(lower.is_finite() && upper.is_finite() && lower < upper) {
            return Err(MacroError::InvalidParameter {
                name: "current_range",
                value: format!("[{lower}, {upper}]"),
                rule: "bounds must be finite with lower < upper",
            });
        }
        Ok(TargetRange { lower, upper })
    }

    /// The 25 bp range of the grid containing `rate`: `lower = ⌊rate / 0.25⌋ · 0.25`
    /// (a rate exactly on a grid line belongs to the range above it).
    pub fn containing(rate: f64) -> TargetRange {
        let k = (rate / STEP + 1e-9).floor();
        TargetRange {
            lower: k * STEP,
            upper: (k + 1.0) * STEP,
        }
    }

    /// Midpoint `(lower + upper) / 2`.
    pub fn midpoint(&self) -> f64 {
        (self.lower + self.upper) / 2.0
    }
}

/// Options of [`fedwatch`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FedWatchOptions {
    /// The settlement date of the strip: decisions on or before it are past. `None`: every
    /// decision in the strip's months is in the future.
    pub as_of: Option<Date>,
    /// The target range in force (before the first future decision), e.g. from FRED
    /// `DFEDTARL`/`DFEDTARU`. `None`: inferred (see the module documentation).
    pub current_range: Option<TargetRange>,
    /// The current effective fed funds rate (percent), e.g. FRED `DFF` on `as_of`.
    pub effective_rate: Option<f64>,
    /// Keep target ranges at or above a lower bound of 0 (default `true`).
    pub floor_at_zero: bool,
}

impl Default for FedWatchOptions {
    fn default() -> Self {
        FedWatchOptions {
            as_of: None,
            current_range: None,
            effective_rate: None,
            floor_at_zero: true,
        }
    }
}

/// Where the current target range came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RangeSource {
    /// [`FedWatchOptions::current_range`].
    Given,
    /// The range containing [`FedWatchOptions::effective_rate`].
    EffectiveRate,
    /// The range containing the futures-implied rate before the first future decision.
    Futures,
}

/// How a month's start or end rate was obtained (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Derivation {
    /// The month's own average (a month without decision).
    Average,
    /// The average of the neighbouring month without decision (`end(k) = start(k+1)`).
    Neighbour,
    /// Carried unchanged through a decision-free month without a quote.
    Carried,
    /// The effective rate given in the options.
    EffectiveRate,
    /// Solved forward from the month's start rate.
    Forward,
    /// Solved backward from the month's end rate.
    Backward,
}

/// The rates of one contract month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthRates {
    /// The month.
    pub month: ContractMonth,
    /// Days `N` of the month.
    pub days: u32,
    /// Settlement price, if quoted.
    pub price: Option<f64>,
    /// Implied average rate `100 − price`, if quoted.
    pub average: Option<f64>,
    /// Decision dates in the month.
    pub meetings: Vec<Date>,
    /// Rate at the start of the month, if determined.
    pub start: Option<f64>,
    /// How `start` was obtained.
    pub start_from: Option<Derivation>,
    /// Rate at the end of the month, if determined.
    pub end: Option<f64>,
    /// How `end` was obtained.
    pub end_from: Option<Derivation>,
}

/// Probability of one single-meeting move.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MoveProbability {
    /// The move, basis points (a multiple of 25).
    pub move_bp: i32,
    /// Its probability.
    pub p: f64,
}

/// Probability of one target range after a decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RangeProbability {
    /// Lower bound, percent.
    pub lower: f64,
    /// Upper bound, percent.
    pub upper: f64,
    /// Probability.
    pub p: f64,
}

/// The outcome distribution after one future decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeetingProbabilities {
    /// Decision date.
    pub date: Date,
    /// Scheduled or unscheduled.
    pub kind: MeetingKind,
    /// Implied rate before the decision (percent).
    pub rate_before: f64,
    /// Implied rate after the decision (percent).
    pub rate_after: f64,
    /// Single-meeting implied move `(rate_after − rate_before) · 100`, basis points.
    pub implied_move_bp: f64,
    /// The two nearest 25 bp outcomes of this decision alone (one when the move is exact).
    pub move_probabilities: Vec<MoveProbability>,
    /// Cumulative probability that the range after this decision is below the current one.
    pub p_cut: f64,
    /// Cumulative probability that it equals the current one.
    pub p_hold: f64,
    /// Cumulative probability that it is above the current one.
    pub p_hike: f64,
    /// Expected rate: `Σ p · midpoint` over `ranges` (percent).
    pub expected_rate: f64,
    /// Probability of each target range after this decision, ascending, zero-probability
    /// ranges left out; the `p` sum to 1.
    pub ranges: Vec<RangeProbability>,
}

/// The result of [`fedwatch`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FedWatch {
    /// The settlement date, if given.
    pub as_of: Option<Date>,
    /// The target range before the first future decision.
    pub current_range: TargetRange,
    /// Where `current_range` came from.
    pub range_source: RangeSource,
    /// Every month from the first to the last quoted one (within the calendar's years).
    pub months: Vec<MonthRates>,
    /// Future decisions, ascending, up to the first unresolved one.
    pub meetings: Vec<MeetingProbabilities>,
    /// Future decisions in the strip's months whose move could not be determined (the first
    /// unresolved one and all later).
    pub unresolved: Vec<Date>,
    /// Conventions applied and anything the caller should show.
    pub notes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    /// Boundary `j`: end of month `j − 1` = start of month `j`.
    B(usize),
    /// The rate between the two decisions of month `i`.
    Mid(usize),
}

struct Slot {
    month: ContractMonth,
    n: u32,
    avg: Option<f64>,
    meetings: Vec<Meeting>,
}

impl Slot {
    /// The month's segment variables and their day weights (zero-weight segments kept), for
    /// a month with one or two decisions.
    fn segments(&self, i: usize) -> Option<Vec<(Var, f64)>> {
        let n = f64::from(self.n);
        let days: Vec<f64> = self
            .meetings
            .iter()
            .map(|m| f64::from(m.date.day()))
            .collect();
        match days.as_slice() {
            [d] => Some(vec![(Var::B(i), d - 1.0), (Var::B(i + 1), n - d + 1.0)]),
            [d1, d2] => Some(vec![
                (Var::B(i), d1 - 1.0),
                (Var::Mid(i), d2 - d1),
                (Var::B(i + 1), n - d2 + 1.0),
            ]),
            _ => None,
        }
    }
}

struct Solver {
    slots: Vec<Slot>,
    b: Vec<Option<(f64, Derivation)>>,
    mid: Vec<Option<(f64, Derivation)>>,
}

impl Solver {
    fn get(&self, v: Var) -> Option<f64> {
        match v {
            Var::B(j) => self.b[j].map(|x| x.0),
            Var::Mid(i) => self.mid[i].map(|x| x.0),
        }
    }

    fn set(&mut self, v: Var, value: f64, how: Derivation) -> bool {
        let slot = match v {
            Var::B(j) => &mut self.b[j],
            Var::Mid(i) => &mut self.mid[i],
        };
        if slot.is_none() && value.is_finite() {
            *slot = Some((value, how));
            true
        } else {
            false
        }
    }

    /// Solve month `i`'s equation for its single unknown segment, if it has exactly one
    /// (with positive weight) and `allow(unknown)` holds.
    fn solve_month(&mut self, i: usize, how: Derivation, allow: impl Fn(Var) -> bool) -> bool {
        let slot = &self.slots[i];
        let Some(avg) = slot.avg else { return false };
        let Some(segs) = slot.segments(i) else {
            return false;
        };
        let n = f64::from(slot.n);
        let mut unknown: Option<(Var, f64)> = None;
        let mut known_sum = 0.0;
        for &(v, w) in &segs {
            if w <= 0.0 {
                continue;
            }
            match self.get(v) {
                Some(x) => known_sum += w * x,
                None if unknown.is_none() => unknown = Some((v, w)),
                None => return false,
            }
        }
        match unknown {
            Some((v, w)) if allow(v) => self.set(v, (n * avg - known_sum) / w, how),
            _ => false,
        }
    }

    /// Carry a rate through a decision-free month without a quote.
    fn carry(&mut self, i: usize, forward: bool) -> bool {
        let slot = &self.slots[i];
        if !slot.meetings.is_empty() || slot.avg.is_some() {
            return false;
        }
        let (from, to) = if forward { (i, i + 1) } else { (i + 1, i) };
        match self.get(Var::B(from)) {
            Some(x) => self.set(Var::B(to), x, Derivation::Carried),
            None => false,
        }
    }
}

/// FedWatch probabilities of the future FOMC decisions in the months of `strip` (see the
/// module documentation for the method and conventions).
///
/// Months outside the years covered by `calendar` are left out (their schedule is unknown),
/// with a note. Errors when no quoted month remains, or on an invalid option.
pub fn fedwatch(
    strip: &FuturesStrip,
    calendar: &Calendar,
    opts: &FedWatchOptions,
) -> Result<FedWatch> {
    let mut notes: Vec<String> = vec![
        "implied average rate = 100 - price; a decision day counts at the new rate".into(),
        "successive decisions treated as independent (probabilities multiply, moves add)".into(),
    ];
    if let Some(r) = opts.effective_rate {
        if !r.is_finite() {
            return Err(MacroError::InvalidParameter {
                name: "effective_rate",
                value: r.to_string(),
                rule: "must be finite",
            });
        }
    }
    if let Some(r) = opts.current_range {
        TargetRange::new(r.lower, r.upper)?;
    }

    // Quoted months within the calendar's years.
    let quotes: Vec<_> = strip
        .quotes()
        .iter()
        .filter(|q| calendar.covers_year(q.month.year()))
        .collect();
    let dropped = strip.len() - quotes.len();
    if dropped > 0 {
        let span = calendar
            .year_span()
            .map(|(a, b)| format!("{a}-{b}"))
            .unwrap_or_else(|| "none".into());
        notes.push(format!(
            "{dropped} contract month(s) outside the FOMC calendar's years ({span}) left out"
        ));
    }
    let (Some(first), Some(last)) = (quotes.first(), quotes.last()) else {
        return Err(MacroError::InsufficientData {
            what: "FedWatch (quoted months within the FOMC calendar's years)",
            needed: 1,
            got: 0,
        });
    };

    // Every month from the first to the last quote.
    let mut slots: Vec<Slot> = Vec::new();
    let mut m = first.month;
    loop {
        let meetings = calendar.in_month(m.year(), m.month());
        slots.push(Slot {
            month: m,
            n: m.days(),
            avg: strip.implied_rate(m),
            meetings,
        });
        if m == last.month {
            break;
        }
        m = m.next();
    }
    let count = slots.len();
    for s in &slots {
        if s.meetings.len() > 2 {
            notes.push(format!(
                "{}: {} decisions in one month cannot be separated; they are unresolved",
                s.month,
                s.meetings.len()
            ));
        }
        if s.avg.is_none() {
            notes.push(format!(
                "{}: no quote; its rates come from the neighbouring months",
                s.month
            ));
        }
    }

    let mut sv = Solver {
        b: vec![None; count + 1],
        mid: vec![None; count],
        slots,
    };

    // 1. Anchors from decision-free quoted months.
    for j in 0..=count {
        let after = (j < count).then(|| &sv.slots[j]);
        let before = (j > 0).then(|| &sv.slots[j - 1]);
        let anchor = |s: Option<&Slot>| s.filter(|s| s.meetings.is_empty()).and_then(|s| s.avg);
        if let Some(a) = anchor(after).or_else(|| anchor(before)) {
            sv.b[j] = Some((a, Derivation::Neighbour));
        }
    }
    // 2. The effective rate anchors the segment in force on `as_of`.
    if let Some(r) = opts.effective_rate {
        let var = match opts.as_of {
            None => Some(Var::B(0)),
            Some(d) if d < sv.slots[0].month.first_day() => Some(Var::B(0)),
            Some(d) => sv
                .slots
                .iter()
                .position(|s| s.month == ContractMonth::of(d))
                .map(|i| {
                    let k = sv.slots[i].meetings.len();
                    let past = sv.slots[i].meetings.iter().filter(|m| m.date <= d).count();
                    if past == 0 {
                        Var::B(i)
                    } else if past == k {
                        Var::B(i + 1)
                    } else {
                        Var::Mid(i)
                    }
                }),
        };
        match var {
            Some(v) => {
                sv.set(v, r, Derivation::EffectiveRate);
            }
            None => {
                notes.push("as_of is after the last contract month: effective rate unused".into())
            }
        }
    }
    // 3. Forward and backward sweeps until nothing changes.
    loop {
        let mut changed = false;
        for i in 0..count {
            changed |= sv.carry(i, true);
            changed |= sv.solve_month(i, Derivation::Forward, |v| v != Var::B(i));
        }
        for i in (0..count).rev() {
            changed |= sv.carry(i, false);
            changed |= sv.solve_month(i, Derivation::Backward, |_| true);
        }
        if !changed {
            break;
        }
    }

    // Month table.
    let months: Vec<MonthRates> = sv
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let own = s.meetings.is_empty() && s.avg.is_some();
            let (start, end) = if own {
                let a = s.avg.map(|a| (a, Derivation::Average));
                (a, a)
            } else {
                (sv.b[i], sv.b[i + 1])
            };
            MonthRates {
                month: s.month,
                days: s.n,
                price: strip.price(s.month),
                average: s.avg,
                meetings: s.meetings.iter().map(|m| m.date).collect(),
                start: start.map(|x| x.0),
                start_from: start.map(|x| x.1),
                end: end.map(|x| x.0),
                end_from: end.map(|x| x.1),
            }
        })
        .collect();

    // Future decisions with their before / after rates.
    let mut future: Vec<(Meeting, Option<(f64, f64)>)> = Vec::new();
    for (i, s) in sv.slots.iter().enumerate() {
        let segs = s.segments(i);
        for (j, mt) in s.meetings.iter().enumerate() {
            if opts.as_of.is_some_and(|d| mt.date <= d) {
                continue;
            }
            let rates = segs.as_ref().and_then(|segs| {
                let before = sv.get(segs[j].0)?;
                let after = sv.get(segs[j + 1].0)?;
                Some((before, after))
            });
            future.push((*mt, rates));
        }
    }

    // Current range.
    let (current_range, range_source) = match (opts.current_range, opts.effective_rate) {
        (Some(r), _) => (r, RangeSource::Given),
        (None, Some(e)) => (
            floor_range(TargetRange::containing(e), opts),
            RangeSource::EffectiveRate,
        ),
        (None, None) => {
            let r = match future.first() {
                Some((_, Some((before, _)))) => Some(*before),
                Some((_, None)) => None,
                None => sv.slots.iter().find_map(|s| s.avg),
            };
            let Some(r) = r else {
                return Err(MacroError::InsufficientData {
                    what: "FedWatch current range (a rate before the first future decision)",
                    needed: 1,
                    got: 0,
                });
            };
            notes.push(format!(
                "current target range inferred from the futures-implied rate {r:.4}% (the 25 bp range containing it)"
            ));
            (
                floor_range(TargetRange::containing(r), opts),
                RangeSource::Futures,
            )
        }
    };

    // The tree.
    let min_steps: Option<i64> = (opts.floor_at_zero && current_range.lower >= 0.0)
        .then(|| -((current_range.lower / STEP).round() as i64));
    let mut dist: BTreeMap<i64, f64> = BTreeMap::from([(0, 1.0)]);
    let mut meetings = Vec::new();
    let mut unresolved = Vec::new();
    for (mt, rates) in future {
        let Some((before, after)) = rates else {
            unresolved.push(mt.date);
            continue;
        };
        if !unresolved.is_empty() {
            unresolved.push(mt.date);
            continue;
        }
        let moves = step_probabilities((after - before) / STEP);
        let mut next: BTreeMap<i64, f64> = BTreeMap::new();
        for (&s, &p) in &dist {
            for &(mv, q) in &moves {
                let mut t = s + mv;
                if let Some(min) = min_steps {
                    t = t.max(min);
                }
                *next.entry(t).or_insert(0.0) += p * q;
            }
        }
        dist = next;
        let ranges: Vec<RangeProbability> = dist
            .iter()
            .map(|(&s, &p)| RangeProbability {
                lower: current_range.lower + STEP * s as f64,
                upper: current_range.upper + STEP * s as f64,
                p,
            })
            .collect();
        // Folds from +0.0: `Sum` of an empty f64 iterator is -0.0.
        let p_cut = dist.range(..0).fold(0.0, |a, (_, p)| a + p);
        let p_hold = dist.get(&0).copied().unwrap_or(0.0);
        let p_hike = dist.range(1..).fold(0.0, |a, (_, p)| a + p);
        let expected_rate = ranges
            .iter()
            .fold(0.0, |a, r| a + r.p * (r.lower + r.upper) / 2.0);
        meetings.push(MeetingProbabilities {
            date: mt.date,
            kind: mt.kind,
            rate_before: before,
            rate_after: after,
            implied_move_bp: (after - before) * 100.0,
            move_probabilities: moves
                .iter()
                .map(|&(mv, p)| MoveProbability {
                    move_bp: (mv * 25) as i32,
                    p,
                })
                .collect(),
            p_cut,
            p_hold,
            p_hike,
            expected_rate,
            ranges,
        });
    }
    if !unresolved.is_empty() {
        notes.push(format!(
            "{} decision(s) from {} on unresolved (a before- or after-rate is not determined by the quotes)",
            unresolved.len(),
            unresolved[0]
        ));
    }

    Ok(FedWatch {
        as_of: opts.as_of,
        current_range,
        range_source,
        months,
        meetings,
        unresolved,
        notes,
    })
}

fn floor_range(r: TargetRange, opts: &FedWatchOptions) -> TargetRange {
    if opts.floor_at_zero && r.lower < 0.0 {
        TargetRange {
            lower: 0.0,
            upper: STEP,
        }
    } else {
        r
    }
}

/// The two nearest whole-step outcomes of an implied move of `m` steps and their
/// probabilities (one outcome when `m` is within 1e-9 of a whole number).
pub fn step_probabilities(m: f64) -> Vec<(i64, f64)> {
    let lo = m.floor();
    let frac = m - lo;
    let lo = lo as i64;
    if frac < FRAC_EPS {
        vec![(lo, 1.0)]
    } else if frac > 1.0 - FRAC_EPS {
        vec![(lo + 1, 1.0)]
    } else {
        vec![(lo, 1.0 - frac), (lo + 1, frac)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fomc::MeetingKind;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn cal(dates: &[&str]) -> Calendar {
        let mut c = Calendar::from_meetings(dates.iter().map(|s| Meeting {
            date: d(s),
            kind: MeetingKind::Scheduled,
        }));
        // Cover 2030-2031 so that months of a synthetic strip are "known" even without dates.
        c.extend(&Calendar::from_meetings([
            Meeting {
                date: d("2030-01-01"),
                kind: MeetingKind::Unscheduled,
            },
            Meeting {
                date: d("2031-12-31"),
                kind: MeetingKind::Unscheduled,
            },
        ]));
        c
    }

    /// Strip of average rates (percent) for consecutive months from 2030-02 (None = missing).
    fn strip(avgs: &[Option<f64>]) -> FuturesStrip {
        let mut m = ContractMonth::new(2030, 2).unwrap();
        let mut quotes = Vec::new();
        for a in avgs {
            if let Some(a) = a {
                quotes.push(crate::futures::FuturesQuote {
                    month: m,
                    price: 100.0 - a,
                });
            }
            m = m.next();
        }
        FuturesStrip::new(quotes).unwrap()
    }

    /// Average of a month with rate `start` before day `d` and `end` from day `d`.
    fn avg(start: f64, end: f64, d: u32, n: u32) -> f64 {
        (f64::from(d - 1) * start + f64::from(n - d + 1) * end) / f64::from(n)
    }

    fn opts(lower: f64) -> FedWatchOptions {
        FedWatchOptions {
            current_range: Some(TargetRange::new(lower, lower + 0.25).unwrap()),
            ..Default::default()
        }
    }

    fn check_sums(fw: &FedWatch) {
        for m in &fw.meetings {
            let total: f64 = m.ranges.iter().map(|r| r.p).sum();
            assert!((total - 1.0).abs() < 1e-12, "{}: {total}", m.date);
            assert!((m.p_cut + m.p_hold + m.p_hike - 1.0).abs() < 1e-12);
            for r in &m.ranges {
                assert!(r.p > 0.0 && r.p <= 1.0 + 1e-12);
            }
            let mp: f64 = m.move_probabilities.iter().map(|x| x.p).sum();
            assert!((mp - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn cme_september_2015_example() {
        // CME FedWatch methodology: FFQ5 99.8675 (Aug 2015, no meeting) and FFU5 99.805
        // (Sep 2015, meeting on the 17th of 30 days). start = 0.1325,
        // end = (30·0.195 − 16·0.1325) / 14 = 0.266428..., move 0.133928... = 0.5357 steps.
        let s =
            FuturesStrip::parse_with_reference("contract,price\nFFQ5,99.8675\nFFU5,99.805\n", 2015)
                .unwrap();
        let fw = fedwatch(&s, &Calendar::builtin(), &opts(0.0)).unwrap();
        assert_eq!(fw.meetings.len(), 1);
        let m = &fw.meetings[0];
        assert_eq!(m.date, d("2015-09-17"));
        assert!((m.rate_before - 0.1325).abs() < 1e-12);
        assert!((m.rate_after - 3.73 / 14.0).abs() < 1e-12);
        assert!((m.p_hike - 0.536).abs() < 0.001, "{}", m.p_hike);
        assert!((m.p_hike - (3.73 / 14.0 - 0.1325) / 0.25).abs() < 1e-12);
        assert!((m.p_hold - (1.0 - m.p_hike)).abs() < 1e-12);
        assert_eq!(m.p_cut.to_bits(), 0.0f64.to_bits()); // +0.0, not -0.0
        assert_eq!(m.ranges.len(), 2);
        assert_eq!((m.ranges[1].lower, m.ranges[1].upper), (0.25, 0.5));
        assert!((m.implied_move_bp - 13.392857142857).abs() < 1e-9);
        assert!((m.expected_rate - (0.125 + 0.25 * m.p_hike)).abs() < 1e-12);
        let json = serde_json::to_value(&fw).unwrap();
        let jm = &json["meetings"][0];
        for k in [
            "date",
            "p_cut",
            "p_hold",
            "p_hike",
            "expected_rate",
            "ranges",
        ] {
            assert!(!jm[k].is_null(), "{k}");
        }
        assert_eq!(jm["date"], "2015-09-17");
        assert_eq!(jm["ranges"][1]["lower"], 0.25);
        check_sums(&fw);
    }

    #[test]
    fn forward_from_a_no_meeting_month_through_consecutive_meeting_months() {
        // Feb: no meeting (anchor 4.00). Mar 20, Apr 17, May 15: meetings in consecutive
        // months, each solved forward from the previous month's end. Jun: no quote.
        let c = cal(&["2030-03-20", "2030-04-17", "2030-05-15"]);
        let (r0, r1, r2, r3) = (4.0, 3.75, 3.6, 3.5);
        let s = strip(&[
            Some(r0),
            Some(avg(r0, r1, 20, 31)),
            Some(avg(r1, r2, 17, 30)),
            Some(avg(r2, r3, 15, 31)),
        ]);
        let fw = fedwatch(&s, &c, &opts(3.75)).unwrap();
        let mv: Vec<f64> = fw.meetings.iter().map(|m| m.implied_move_bp).collect();
        assert_eq!(mv.len(), 3);
        for (got, want) in mv.iter().zip([-25.0, -15.0, -10.0]) {
            assert!((got - want).abs() < 1e-9, "{mv:?}");
        }
        assert_eq!(fw.months[1].start_from, Some(Derivation::Neighbour));
        assert_eq!(fw.months[1].end_from, Some(Derivation::Forward));
        assert_eq!(fw.months[2].end_from, Some(Derivation::Forward));
        assert_eq!(fw.months[3].end_from, Some(Derivation::Forward));
        // Tree: -1 step for sure, then -0.6, then -0.4 (independent).
        let m2 = &fw.meetings[1];
        assert_eq!(m2.ranges.len(), 2);
        assert!((m2.ranges[0].p - 0.6).abs() < 1e-12);
        let m3 = &fw.meetings[2];
        // Steps after three: -1 + {-1 w.p. .6, 0} + {-1 w.p. .4, 0}.
        let p: Vec<f64> = m3.ranges.iter().map(|r| r.p).collect();
        assert_eq!(m3.ranges[0].lower, 3.75 - 0.75);
        assert!((p[0] - 0.24).abs() < 1e-12 && (p[1] - 0.52).abs() < 1e-12);
        assert!((p[2] - 0.24).abs() < 1e-12);
        assert!((m3.p_cut - 1.0).abs() < 1e-12);
        assert!((m3.expected_rate - (3.875 - 0.5)).abs() < 1e-12);
        check_sums(&fw);
    }

    #[test]
    fn backward_where_no_anchor_precedes() {
        // First month Feb has a meeting on the 20th; no month before it; Mar has a meeting on
        // the 10th, Apr none (anchor). Mar's start is solved backward from its end, and Feb's
        // start backward from Mar's start.
        let c = cal(&["2030-02-20", "2030-03-10"]);
        let (r0, r1, r2) = (2.0, 2.25, 2.6);
        let s = strip(&[
            Some(avg(r0, r1, 20, 28)),
            Some(avg(r1, r2, 10, 31)),
            Some(r2),
        ]);
        let fw = fedwatch(&s, &c, &opts(2.0)).unwrap();
        assert_eq!(fw.months[1].end_from, Some(Derivation::Neighbour));
        assert_eq!(fw.months[1].start_from, Some(Derivation::Backward));
        assert_eq!(fw.months[0].start_from, Some(Derivation::Backward));
        assert!((fw.meetings[0].rate_before - r0).abs() < 1e-12);
        assert!((fw.meetings[0].implied_move_bp - 25.0).abs() < 1e-9);
        assert!((fw.meetings[1].implied_move_bp - 35.0).abs() < 1e-9);
        // 1 step for sure, then 1 + {1 w.p. .6, 2 w.p. .4}.
        let m = &fw.meetings[1];
        assert!((m.p_hike - 1.0).abs() < 1e-12);
        assert_eq!(m.ranges.len(), 2);
        assert_eq!(m.ranges[0].lower, 2.5);
        assert!((m.ranges[0].p - 0.6).abs() < 1e-12);
        assert_eq!(m.ranges[1].lower, 2.75);
        assert!((m.ranges[1].p - 0.4).abs() < 1e-12);
        check_sums(&fw);
    }

    #[test]
    fn backward_when_the_next_month_also_has_a_meeting() {
        // Feb meeting (2nd), Mar meeting (18th), Apr no meeting: Mar's end = Apr average,
        // Mar's start backward; Feb's end = Mar's start, Feb's start backward.
        let c = cal(&["2030-02-02", "2030-03-18"]);
        let (r0, r1, r2) = (1.0, 1.125, 1.0);
        let s = strip(&[
            Some(avg(r0, r1, 2, 28)),
            Some(avg(r1, r2, 18, 31)),
            Some(r2),
        ]);
        let fw = fedwatch(&s, &c, &opts(1.0)).unwrap();
        assert!((fw.meetings[0].implied_move_bp - 12.5).abs() < 1e-9);
        assert!((fw.meetings[1].implied_move_bp + 12.5).abs() < 1e-9);
        let m = &fw.meetings[1];
        // {0 w.p. .5, +1 w.p. .5} then {-1 w.p. .5, 0 w.p. .5} → -1: .25, 0: .5, +1: .25.
        let p: Vec<f64> = m.ranges.iter().map(|r| r.p).collect();
        assert_eq!(p.len(), 3);
        assert!((p[0] - 0.25).abs() < 1e-12 && (p[1] - 0.5).abs() < 1e-12);
        assert!((m.p_cut - 0.25).abs() < 1e-12 && (m.p_hike - 0.25).abs() < 1e-12);
        assert!((m.expected_rate - 1.125).abs() < 1e-12);
        check_sums(&fw);
    }

    #[test]
    fn meeting_on_the_first_day() {
        // A meeting on day 1: the month's average is the new rate; the start comes from the
        // previous month (no meeting).
        let c = cal(&["2030-03-01"]);
        let s = strip(&[Some(3.0), Some(2.8), Some(2.8)]);
        let fw = fedwatch(&s, &c, &opts(3.0)).unwrap();
        let m = &fw.meetings[0];
        assert!((m.rate_before - 3.0).abs() < 1e-12);
        assert!((m.rate_after - 2.8).abs() < 1e-12);
        assert!((m.p_cut - 0.8).abs() < 1e-9);
        // Without the following month the day-1 month alone gives the end (forward from
        // nothing: the start does not enter).
        let s = strip(&[Some(3.0), Some(2.8)]);
        let fw = fedwatch(&s, &c, &opts(3.0)).unwrap();
        assert_eq!(fw.months[1].end_from, Some(Derivation::Forward));
        assert!((fw.meetings[0].rate_after - 2.8).abs() < 1e-12);
        // ... and with no preceding month the start is unresolved (d = 1 cannot go backward).
        let s = FuturesStrip::parse("2030-03,97.2\n").unwrap();
        let fw = fedwatch(&s, &c, &opts(3.0)).unwrap();
        assert!(fw.meetings.is_empty());
        assert_eq!(fw.unresolved, vec![d("2030-03-01")]);
    }

    #[test]
    fn meeting_on_the_last_day() {
        // Apr 30 of 30 days: one day at the new rate. Forward from March (no meeting).
        let c = cal(&["2030-04-30"]);
        let (r0, r1) = (5.0, 5.5);
        let s = strip(&[None, Some(r0), Some(avg(r0, r1, 30, 30))]);
        let fw = fedwatch(&s, &c, &opts(5.0)).unwrap();
        let m = &fw.meetings[0];
        assert_eq!(fw.months[0].month.to_string(), "2030-03");
        assert!((m.implied_move_bp - 50.0).abs() < 1e-6);
        assert_eq!(m.move_probabilities.len(), 1);
        assert_eq!(m.move_probabilities[0].move_bp, 50);
        assert!((m.ranges[0].lower - 5.5).abs() < 1e-12);
        // With May quoted (no meeting), the end is May's average instead.
        let s = strip(&[None, Some(r0), Some(avg(r0, r1, 30, 30)), Some(5.4)]);
        let fw = fedwatch(&s, &c, &opts(5.0)).unwrap();
        assert!((fw.meetings[0].rate_after - 5.4).abs() < 1e-12);
        assert_eq!(fw.months[1].month.to_string(), "2030-04");
        assert_eq!(fw.months[1].end_from, Some(Derivation::Neighbour));
        assert_eq!(fw.months[2].start_from, Some(Derivation::Average));
    }

    #[test]
    fn month_with_missing_contract() {
        // Mar (meeting) has no quote: start from Feb (no meeting), end from Apr (no meeting).
        let c = cal(&["2030-03-20", "2030-05-15", "2030-06-12"]);
        let s = strip(&[Some(4.0), None, Some(3.9), Some(avg(3.9, 3.8, 15, 31))]);
        let fw = fedwatch(&s, &c, &opts(4.0)).unwrap();
        assert!((fw.meetings[0].implied_move_bp + 10.0).abs() < 1e-9);
        assert!((fw.meetings[1].implied_move_bp + 10.0).abs() < 1e-9);
        assert_eq!(fw.months[1].price, None);
        assert!(fw.notes.iter().any(|n| n.contains("2030-03: no quote")));
        // June is beyond the last quote: not in the horizon at all.
        assert_eq!(fw.meetings.len(), 2);
        // A missing month WITHOUT a meeting carries the rate between two meeting months.
        let c = cal(&["2030-02-14", "2030-04-16"]);
        let (r0, r1, r2) = (2.0, 1.9, 1.8);
        let s = strip(&[
            Some(avg(r0, r1, 14, 28)),
            None,
            Some(avg(r1, r2, 16, 30)),
            Some(r2),
        ]);
        let o = FedWatchOptions {
            effective_rate: Some(r0),
            ..opts(1.75)
        };
        let fw = fedwatch(&s, &c, &o).unwrap();
        assert_eq!(fw.months[0].start_from, Some(Derivation::EffectiveRate));
        assert_eq!(fw.months[1].start_from, Some(Derivation::Forward));
        assert_eq!(fw.months[1].end_from, Some(Derivation::Carried));
        assert!((fw.meetings[0].implied_move_bp + 10.0).abs() < 1e-9);
        assert!((fw.meetings[1].implied_move_bp + 10.0).abs() < 1e-9);
        check_sums(&fw);
    }

    #[test]
    fn unresolved_meetings_stop_the_tree() {
        // Two consecutive meeting months, nothing anchors either side.
        let c = cal(&["2030-02-14", "2030-03-18"]);
        let s = strip(&[Some(2.0), Some(2.1)]);
        let fw = fedwatch(&s, &c, &opts(2.0)).unwrap();
        assert!(fw.meetings.is_empty());
        assert_eq!(fw.unresolved.len(), 2);
        // With the effective rate both are resolved (forward, forward).
        let o = FedWatchOptions {
            effective_rate: Some(2.0),
            ..opts(2.0)
        };
        let fw = fedwatch(&s, &c, &o).unwrap();
        assert_eq!(fw.meetings.len(), 2);
        assert!(fw.unresolved.is_empty());
    }

    #[test]
    fn two_meetings_in_one_month() {
        // 2020-03: Mar 3 and Mar 15 (builtin). Feb 2020 has no meeting; Apr 2020 has one on
        // the 29th (no move); May 2020 has none and anchors the end of April.
        let (r0, r1, r2) = (1.6, 1.1, 0.1);
        let mar = (2.0 * r0 + 12.0 * r1 + 17.0 * r2) / 31.0;
        let text = format!(
            "ZQG20,{}\nZQH20,{}\nZQJ20,{}\nZQK20,{}\n",
            100.0 - r0,
            100.0 - mar,
            100.0 - r2,
            100.0 - r2
        );
        let s = FuturesStrip::parse(&text).unwrap();
        let fw = fedwatch(&s, &Calendar::builtin(), &opts(1.5)).unwrap();
        assert_eq!(fw.meetings.len(), 3, "{:?}", fw.unresolved);
        assert!((fw.meetings[0].implied_move_bp + 50.0).abs() < 1e-6);
        assert!((fw.meetings[1].implied_move_bp + 100.0).abs() < 1e-6);
        assert!(fw.meetings[2].implied_move_bp.abs() < 1e-6);
        assert_eq!(fw.meetings[1].kind, MeetingKind::Unscheduled);
        for m in &fw.meetings[1..] {
            assert_eq!(m.ranges.len(), 1);
            assert_eq!((m.ranges[0].lower, m.ranges[0].upper), (0.0, 0.25));
        }
        check_sums(&fw);
    }

    #[test]
    fn as_of_excludes_past_meetings_and_anchors_effective_rate() {
        // as_of after the Mar 20 meeting: it is past; the effective rate is the post-meeting
        // rate (end of March); the May meeting is solved forward from April.
        let c = cal(&["2030-03-20", "2030-05-15"]);
        let s = strip(&[
            None,
            Some(avg(4.0, 3.75, 20, 31)),
            None,
            Some(avg(3.75, 3.5, 15, 31)),
        ]);
        let o = FedWatchOptions {
            as_of: Some(d("2030-03-25")),
            effective_rate: Some(3.75),
            ..opts(3.75)
        };
        let fw = fedwatch(&s, &c, &o).unwrap();
        assert_eq!(fw.months[0].month.to_string(), "2030-03");
        assert_eq!(fw.meetings.len(), 1);
        assert_eq!(fw.meetings[0].date, d("2030-05-15"));
        assert!((fw.meetings[0].implied_move_bp + 25.0).abs() < 1e-9);
        assert_eq!(fw.months[0].end_from, Some(Derivation::EffectiveRate));
        assert_eq!(fw.months[0].start_from, Some(Derivation::Backward));
        assert!((fw.months[0].start.unwrap() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn range_inference_and_zero_floor() {
        let c = cal(&["2030-03-20"]);
        let s = strip(&[Some(0.08), Some(avg(0.08, 0.0, 20, 31)), Some(0.0)]);
        let fw = fedwatch(&s, &c, &FedWatchOptions::default()).unwrap();
        assert_eq!(fw.range_source, RangeSource::Futures);
        assert_eq!(
            fw.current_range,
            TargetRange {
                lower: 0.0,
                upper: 0.25
            }
        );
        // A 32% implied "cut" below zero stays at the zero range.
        let m = &fw.meetings[0];
        assert_eq!(m.ranges.len(), 1);
        assert!((m.p_hold - 1.0).abs() < 1e-12);
        assert!((m.implied_move_bp + 8.0).abs() < 1e-9);
        let no_floor = FedWatchOptions {
            floor_at_zero: false,
            ..Default::default()
        };
        let fw = fedwatch(&s, &c, &no_floor).unwrap();
        assert!((fw.meetings[0].p_cut - 0.32).abs() < 1e-9);
        assert_eq!(fw.meetings[0].ranges[0].lower, -0.25);
        // From the effective rate.
        let o = FedWatchOptions {
            effective_rate: Some(4.33),
            ..Default::default()
        };
        let fw = fedwatch(&strip(&[Some(4.33)]), &c, &o).unwrap();
        assert_eq!(fw.range_source, RangeSource::EffectiveRate);
        assert_eq!(
            fw.current_range,
            TargetRange {
                lower: 4.25,
                upper: 4.5
            }
        );
        assert_eq!(TargetRange::containing(0.25).lower, 0.25);
        assert_eq!(TargetRange::containing(5.33).lower, 5.25);
        assert!(TargetRange::new(1.0, 1.0).is_err());
    }

    #[test]
    fn months_outside_the_calendar_are_left_out() {
        let s = FuturesStrip::parse("ZQZ27,97\nZQF28,97\n").unwrap();
        let fw = fedwatch(&s, &Calendar::builtin(), &opts(2.75)).unwrap();
        assert_eq!(fw.months.len(), 1);
        assert!(fw.notes.iter().any(|n| n.contains("outside")));
        let s = FuturesStrip::parse("ZQF28,97\n").unwrap();
        assert!(matches!(
            fedwatch(&s, &Calendar::builtin(), &opts(2.75)),
            Err(MacroError::InsufficientData { .. })
        ));
    }

    #[test]
    fn step_probabilities_cover_large_and_negative_moves() {
        assert_eq!(step_probabilities(0.0), vec![(0, 1.0)]);
        assert_eq!(step_probabilities(2.0), vec![(2, 1.0)]);
        let p = step_probabilities(-1.3);
        assert_eq!(p[0].0, -2);
        assert!((p[0].1 - 0.3).abs() < 1e-12 && (p[1].1 - 0.7).abs() < 1e-12);
        assert_eq!(step_probabilities(0.999_999_999_9), vec![(1, 1.0)]);
    }
}
