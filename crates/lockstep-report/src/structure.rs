//! Momentum and market structure of one series and of a pair: the snapshot `analyze` shows
//! per leg (RSI, MACD, volume, nearest support and resistance, recent breakouts, the latest
//! cup-and-handle), the momentum-alignment events of the two legs, and the trend and bottoming
//! test of their ratio. `lockstep levels` and `lockstep patterns` render the same structs.
//!
//! Every number comes from `lockstep-structure` and the TA-Lib compatible indicators of
//! `lockstep-stats` (through [`crate::technicals`]); nothing here computes a statistic of its
//! own beyond picking the latest values.

use serde::Serialize;

use crate::{technicals, ReportError, Technicals, TechnicalsOptions};
use lockstep_core::{Date, PriceSeries};
use lockstep_structure::{
    bottoming_with, breakouts, cup_handle, key_levels, levels, macd_cross_together, macd_crosses,
    ratio_trend, rsi_falling_together, rsi_rising_together, AlignmentEvent, Bottoming,
    BottomingParams, Breakout, CrossDirection, CupHandle, CupParams, Level, LevelKind, LevelParams,
    MacdCrossEvent, RatioTrend, StructureError, DEFAULT_PER_SIDE,
};

/// Parameters of the momentum and structure section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StructureOptions {
    /// RSI period and MACD periods (the rest of [`TechnicalsOptions`] is used for relative
    /// volume).
    pub technicals: TechnicalsOptions,
    /// Pivots, clustering and breakout rule (margin, hold) of support/resistance.
    pub levels: LevelParams,
    /// Key levels per side of the last close (best-scored, [`key_levels`]) drawn on the
    /// levels chart (default 3).
    pub key_levels: usize,
    /// Cup-and-handle rules.
    pub cup: CupParams,
    /// RSI "rising together": `RSI_t > RSI_{t−k}` on both legs (default k = 5).
    pub rsi_k: usize,
    /// MACD crosses "together": within this many days of each other (default 3).
    pub macd_days: usize,
    /// Events (breakouts, alignment runs, MACD crosses) are listed when they end within the
    /// last `recent` observations (default 60); the counts cover all history.
    pub recent: usize,
    /// Moving average of the ratio trend (default 200).
    pub ratio_ma: usize,
    /// OLS slope window of the ratio trend (default 30).
    pub ratio_slope: usize,
    /// The ratio's bottoming test.
    pub bottoming: BottomingParams,
}

impl Default for StructureOptions {
    fn default() -> Self {
        StructureOptions {
            technicals: TechnicalsOptions::default(),
            levels: LevelParams::default(),
            key_levels: DEFAULT_PER_SIDE,
            cup: CupParams::default(),
            rsi_k: 5,
            macd_days: 3,
            recent: 60,
            ratio_ma: 200,
            ratio_slope: 30,
            bottoming: BottomingParams::default(),
        }
    }
}

/// The latest MACD reading of a series.
#[derive(Clone, Debug, Serialize)]
pub struct MacdReading {
    /// MACD line.
    pub macd: f64,
    /// Signal line.
    pub signal: f64,
    /// Histogram (`macd − signal`).
    pub hist: f64,
    /// Date and direction of the latest cross of the MACD line through its signal line.
    pub last_cross: Option<(Date, CrossDirection)>,
}

/// Momentum of one series at its last date.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Momentum {
    /// Last date.
    pub date: Date,
    /// Last close.
    pub close: f64,
    /// RSI at the last date.
    pub rsi: Option<f64>,
    /// RSI `k` observations earlier (`k` = [`StructureOptions::rsi_k`]).
    pub rsi_before: Option<f64>,
    /// MACD at the last date.
    pub macd: Option<MacdReading>,
    /// Volume over its average of the previous 20 days, at the last date (at the date before
    /// when the last bar has no volume, e.g. a partial bar left out).
    pub rel_volume: Option<f64>,
    /// Mean relative volume of the last 5 observations (volume rising when > 1).
    pub rel_volume_5: Option<f64>,
}

/// Support, resistance and breakouts of one series.
#[derive(Clone, Debug, Serialize)]
pub struct LevelsReport {
    /// Series name.
    pub name: String,
    /// Last date and close the levels are placed against.
    pub date: Date,
    /// Last close.
    pub close: f64,
    /// Parameters.
    pub params: LevelParams,
    /// The levels shown, highest score first: the `per_side` best-scored on each side of the
    /// last close ([`key_levels`]), or every level.
    pub levels: Vec<Level>,
    /// Levels found in all.
    pub levels_total: usize,
    /// Levels shown per side (`None`: every level).
    pub per_side: Option<usize>,
    /// Every breakout (closes clearing a level known the day before by the margin for `hold`
    /// days, see [`lockstep_structure::breakouts`]), oldest first.
    pub breakouts: Vec<Breakout>,
    /// Whether the series has a volume column (without one no breakout is confirmed).
    pub has_volume: bool,
}

impl LevelsReport {
    /// The nearest support shown (below the last close).
    pub fn support(&self) -> Option<&Level> {
        nearest(&self.levels, LevelKind::Support)
    }

    /// The nearest resistance shown (at or above the last close).
    pub fn resistance(&self) -> Option<&Level> {
        nearest(&self.levels, LevelKind::Resistance)
    }
}

/// The level of `kind` nearest the last close.
fn nearest(levels: &[Level], kind: LevelKind) -> Option<&Level> {
    levels
        .iter()
        .filter(|l| l.kind == kind)
        .min_by(|a, b| a.distance_pct.abs().total_cmp(&b.distance_pct.abs()))
}

/// Support and resistance of `s` ([`lockstep_structure::levels`], ranked by score, and
/// [`lockstep_structure::breakouts`] with the same parameters): the `per_side` best-scored
/// levels on each side of the last close, or every level when `per_side` is `None`.
pub fn levels_report(
    s: &PriceSeries,
    p: &LevelParams,
    per_side: Option<usize>,
) -> Result<LevelsReport, ReportError> {
    let last = s.len().checked_sub(1).ok_or(ReportError::Empty)?;
    // The levels and the breakouts are independent scans of the series: one per core (the
    // errors in the same order as one after the other).
    let (all, found) = rayon::join(|| levels(s, p), || breakouts(s, p));
    let all = all.map_err(ReportError::Structure)?;
    let found = found.map_err(ReportError::Structure)?;
    Ok(LevelsReport {
        name: s.name.clone(),
        date: s.dates[last],
        close: s.price[last],
        params: p.clone(),
        levels_total: all.len(),
        levels: match per_side {
            Some(n) => key_levels(&all, n),
            None => all,
        },
        per_side,
        breakouts: found,
        has_volume: s.volume.is_some(),
    })
}

/// Patterns of one series: cup-and-handle detections, its trend against its moving average,
/// and the bottoming test.
#[derive(Clone, Debug, Serialize)]
pub struct PatternsReport {
    /// Series name.
    pub name: String,
    /// Last date.
    pub date: Date,
    /// Cup-and-handle parameters.
    pub cup_params: CupParams,
    /// Every cup-and-handle, oldest first (non-overlapping).
    pub cups: Vec<CupHandle>,
    /// Trend (slope of the log price, distance from its moving average); `None` with the
    /// reason in `notes` when the series is too short.
    pub trend: Option<RatioTrend>,
    /// The bottoming test (a higher low after a new low with a bullish RSI divergence).
    pub bottoming: Option<Bottoming>,
    /// Bottoming parameters.
    pub bottoming_params: BottomingParams,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

/// Cup-and-handle, trend and bottoming of one series (a price or a ratio such as
/// ETH-USD/BTC-USD). The trend is [`lockstep_structure::ratio_trend`] (`ma`-day SMA,
/// `slope`-day OLS slope of the log), the bottoming test
/// [`lockstep_structure::bottoming_with`].
pub fn patterns_report(
    s: &PriceSeries,
    o: &StructureOptions,
) -> Result<PatternsReport, ReportError> {
    let last = s.len().checked_sub(1).ok_or(ReportError::Empty)?;
    let mut notes = Vec::new();
    let (trend, bottoming) = trend_and_bottom(&s.dates, &s.price, o, &mut notes)?;
    Ok(PatternsReport {
        name: s.name.clone(),
        date: s.dates[last],
        cup_params: o.cup.clone(),
        cups: cup_handle(s, &o.cup).map_err(ReportError::Structure)?,
        trend,
        bottoming,
        bottoming_params: o.bottoming.clone(),
        notes,
    })
}

fn trend_and_bottom(
    dates: &[Date],
    values: &[f64],
    o: &StructureOptions,
    notes: &mut Vec<String>,
) -> Result<(Option<RatioTrend>, Option<Bottoming>), ReportError> {
    let trend = match ratio_trend(dates, values, o.ratio_ma, o.ratio_slope) {
        Ok(t) => Some(t),
        Err(StructureError::InsufficientData { needed, got, .. }) => {
            notes.push(format!(
                "trend: needs {needed} observations for its {}-day average, has {got}",
                o.ratio_ma
            ));
            None
        }
        Err(e) => return Err(ReportError::Structure(e)),
    };
    let bottoming = bottoming_with(dates, values, &o.bottoming).map_err(ReportError::Structure)?;
    Ok((trend, bottoming))
}

/// Momentum and structure of one leg, as `analyze` shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LegStructure {
    /// Series name.
    pub name: String,
    /// Momentum at the last date of the leg's own series.
    pub momentum: Momentum,
    /// Nearest support below the last close.
    pub support: Option<Level>,
    /// Nearest resistance at or above the last close.
    pub resistance: Option<Level>,
    /// Number of support/resistance levels.
    pub levels: usize,
    /// Breakouts in the last `recent` observations (all of them are in `lockstep levels`).
    pub recent_breakouts: Vec<Breakout>,
    /// Breakouts over the whole history.
    pub breakouts_total: usize,
    /// The latest cup-and-handle, if any was ever detected.
    pub latest_cup: Option<CupHandle>,
    /// Cup-and-handle detections over the whole history.
    pub cups_total: usize,
    /// Every support/resistance level, highest score first.
    pub all_levels: Vec<Level>,
    /// The key levels: the [`StructureOptions::key_levels`] best-scored on each side of the
    /// last close (what the levels chart draws).
    pub key_levels: Vec<Level>,
    /// Every breakout over the whole history.
    pub all_breakouts: Vec<Breakout>,
    /// Every cup-and-handle detection over the whole history.
    pub cups: Vec<CupHandle>,
    /// The indicator table of the leg's own series (RSI, MACD, Bollinger, ...), one row per
    /// observation: what the momentum panels draw. Not in the JSON (decades of daily rows of
    /// both legs would be most of it): `lockstep technicals` writes it.
    #[serde(skip)]
    pub technicals: Technicals,
}

/// The trend and bottoming test of the ratio A/B on the aligned dates.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RatioSection {
    /// `A/B`.
    pub name: String,
    /// Trend of the ratio.
    pub trend: Option<RatioTrend>,
    /// Bottoming test of the ratio.
    pub bottoming: Option<Bottoming>,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

/// Momentum alignment of the two legs on the aligned dates.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Alignment {
    /// Runs of RSI rising on both legs ending within the last `recent` aligned dates.
    pub rsi_rising: Vec<AlignmentEvent>,
    /// Runs of RSI falling on both legs ending within the last `recent` aligned dates.
    pub rsi_falling: Vec<AlignmentEvent>,
    /// MACD crosses in the same direction within `macd_days`, the later one within the last
    /// `recent` aligned dates.
    pub macd_crosses: Vec<MacdCrossEvent>,
    /// Over all history: runs of RSI rising together, falling together, paired MACD crosses.
    pub totals: (usize, usize, usize),
    /// RSI is rising on both legs on the last aligned date.
    pub rsi_rising_now: bool,
    /// RSI is falling on both legs on the last aligned date.
    pub rsi_falling_now: bool,
}

/// The momentum and structure section of the report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PairStructure {
    /// Parameters.
    pub params: StructureOptions,
    /// Leg A, on its own series (own calendar, full history).
    pub a: LegStructure,
    /// Leg B.
    pub b: LegStructure,
    /// Alignment events on the aligned calendar.
    pub alignment: Alignment,
    /// The ratio A/B.
    pub ratio: RatioSection,
}

/// Momentum of `s` at its last date (indicators of [`crate::technicals`]).
pub fn momentum(s: &PriceSeries, o: &StructureOptions) -> Result<Momentum, ReportError> {
    momentum_of(&technicals(s, &o.technicals)?, o)
}

/// Momentum at the last row of an indicator table.
fn momentum_of(t: &Technicals, o: &StructureOptions) -> Result<Momentum, ReportError> {
    let last = t.dates.len().checked_sub(1).ok_or(ReportError::Empty)?;
    let macd = match (t.macd[last], t.macd_signal[last], t.macd_hist[last]) {
        (Some(macd), Some(signal), Some(hist)) => Some(MacdReading {
            macd,
            signal,
            hist,
            last_cross: macd_crosses(&t.macd_hist)
                .last()
                .map(|&(i, d)| (t.dates[i], d)),
        }),
        _ => None,
    };
    // A last bar without volume (a partial bar left out) leaves the volume readings on the
    // bar before it.
    let v = match last.checked_sub(1) {
        Some(prev) if t.volume[last].is_none() && t.volume[prev].is_some() => prev,
        _ => last,
    };
    let tail = &t.rel_volume[v.saturating_sub(4)..=v];
    let rel_volume_5 = (tail.len() == 5 && tail.iter().all(Option::is_some))
        .then(|| tail.iter().flatten().sum::<f64>() / 5.0);
    Ok(Momentum {
        date: t.dates[last],
        close: t.close[last],
        rsi: t.rsi[last],
        rsi_before: last.checked_sub(o.rsi_k).and_then(|i| t.rsi[i]),
        macd,
        rel_volume: t.rel_volume[v],
        rel_volume_5,
    })
}

fn leg_structure(s: &PriceSeries, o: &StructureOptions) -> Result<LegStructure, ReportError> {
    // Levels, cups and indicators are independent passes over the series: run side by side
    // (the errors in the order of the passes one after the other).
    let (lv, (cups, t)) = rayon::join(
        || levels_report(s, &o.levels, None),
        || rayon::join(|| cup_handle(s, &o.cup), || technicals(s, &o.technicals)),
    );
    let lv = lv?;
    let cups = cups.map_err(ReportError::Structure)?;
    let since = s.dates[s.len().saturating_sub(o.recent)];
    let t = t?;
    Ok(LegStructure {
        name: s.name.clone(),
        momentum: momentum_of(&t, o)?,
        support: lv.support().cloned(),
        resistance: lv.resistance().cloned(),
        levels: lv.levels.len(),
        recent_breakouts: lv
            .breakouts
            .iter()
            .filter(|b| b.date >= since)
            .cloned()
            .collect(),
        breakouts_total: lv.breakouts.len(),
        cups_total: cups.len(),
        latest_cup: cups.last().cloned(),
        key_levels: key_levels(&lv.levels, o.key_levels),
        all_levels: lv.levels,
        all_breakouts: lv.breakouts,
        cups,
        technicals: t,
    })
}

/// The momentum and structure section of a pair: each leg on its own series, the alignment
/// events on the aligned `dates` / closes `pa`, `pb`, and the ratio `pa / pb`.
pub(crate) fn pair_structure(
    a: &PriceSeries,
    b: &PriceSeries,
    dates: &[Date],
    pa: &[f64],
    pb: &[f64],
    o: &StructureOptions,
) -> Result<PairStructure, ReportError> {
    // Each leg's structure and the alignment events are independent: one per core (the
    // errors in the order of the computations one after the other).
    let ((leg_a, leg_b), aligned) = rayon::join(
        || rayon::join(|| leg_structure(a, o), || leg_structure(b, o)),
        || alignment_and_ratio(dates, pa, pb, o),
    );
    let (alignment, ratio_parts) = aligned?;
    let (trend, bottoming, notes) = ratio_parts;
    Ok(PairStructure {
        params: o.clone(),
        a: leg_a?,
        b: leg_b?,
        alignment,
        ratio: RatioSection {
            name: format!("{}/{}", a.name, b.name),
            trend,
            bottoming,
            notes,
        },
    })
}

/// The parts of the ratio section: trend, bottoming and notes.
type RatioParts = (Option<RatioTrend>, Option<Bottoming>, Vec<String>);

/// The alignment events of the aligned closes `pa`, `pb` and the ratio's trend and bottoming
/// (the part of [`pair_structure`] on the aligned dates).
fn alignment_and_ratio(
    dates: &[Date],
    pa: &[f64],
    pb: &[f64],
    o: &StructureOptions,
) -> Result<(Alignment, RatioParts), ReportError> {
    let st = ReportError::Structure;
    let (rsi, macd) = (o.technicals.rsi, o.technicals.macd);
    let rising = rsi_rising_together(pa, pb, dates, rsi, o.rsi_k).map_err(st)?;
    let falling = rsi_falling_together(pa, pb, dates, rsi, o.rsi_k).map_err(st)?;
    let crosses = macd_cross_together(pa, pb, dates, macd, o.macd_days).map_err(st)?;
    let last = dates[dates.len() - 1];
    let since = dates[dates.len().saturating_sub(o.recent)];
    let recent = |v: &[AlignmentEvent]| -> Vec<AlignmentEvent> {
        v.iter().filter(|e| e.end >= since).cloned().collect()
    };
    let alignment = Alignment {
        rsi_rising_now: rising.last().is_some_and(|e| e.end == last),
        rsi_falling_now: falling.last().is_some_and(|e| e.end == last),
        totals: (rising.len(), falling.len(), crosses.len()),
        rsi_rising: recent(&rising),
        rsi_falling: recent(&falling),
        macd_crosses: crosses
            .iter()
            .filter(|c| c.date_a.max(c.date_b) >= since)
            .cloned()
            .collect(),
    };
    let ratio: Vec<f64> = pa.iter().zip(pb).map(|(x, y)| x / y).collect();
    let mut notes = Vec::new();
    let (trend, bottoming) = trend_and_bottom(dates, &ratio, o, &mut notes)?;
    Ok((alignment, (trend, bottoming, notes)))
}
