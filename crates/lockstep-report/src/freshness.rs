//! Honest freshness: a last bar that looks partial (its session has not closed yet, or zero
//! volume where volume is normally positive), kept out of volume statistics unless asked, and
//! the dates each section's numbers are as of.

use chrono::NaiveTime;
use serde::Serialize;

use lockstep_core::{nyse_session, Calendar, Date, PriceSeries, Timestamp};

/// Bars before the last whose volumes say whether volume is "normally positive".
pub const VOLUME_LOOKBACK: usize = 20;

/// A last bar that looks partial.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartialBar {
    /// The leg (series name).
    pub leg: String,
    /// The date of the bar.
    pub date: Date,
    /// Why it looks partial (`zero volume`, `its session has not closed yet`).
    pub reason: String,
    /// Whether its volume was kept in the volume statistics (`--include-partial`).
    pub included: bool,
}

impl PartialBar {
    /// One sentence: `last bar of ^RUT on 2026-02-23 looks partial: zero volume; left out
    /// of volume statistics (--include-partial keeps it)`.
    pub fn sentence(&self) -> String {
        format!(
            "last bar of {} on {} looks partial: {}; {}",
            self.leg,
            self.date,
            self.reason,
            if self.included {
                "kept in volume statistics (--include-partial)"
            } else {
                "left out of volume statistics (--include-partial keeps it)"
            }
        )
    }
}

/// Whether the last bar of `s` looks partial at `now`, and why.
///
/// Rules, in order:
/// * its session has not closed yet: on an exchange calendar ([`Calendar::Weekdays`]) `now`
///   is before the NYSE close of its date (16:00 New York, 13:00 on early-close days); on an
///   every-day calendar (crypto, UTC days) `now` is before the end of its UTC day;
/// * zero volume where volume is normally positive: its volume is 0 while more than half of
///   the (up to) [`VOLUME_LOOKBACK`] bars before it have a positive volume.
pub fn partial_last_bar(s: &PriceSeries, now: Timestamp) -> Option<PartialBar> {
    let last = s.dates.len().checked_sub(1)?;
    let date = s.dates[last];
    let bar = |reason: &str| PartialBar {
        leg: s.name.clone(),
        date,
        reason: reason.to_string(),
        included: false,
    };
    let end = match s.calendar() {
        Calendar::Weekdays => nyse_session(date).map(|x| x.close),
        Calendar::EveryDay => date
            .succ_opt()
            .map(|d| d.and_time(NaiveTime::MIN).and_utc()),
    };
    if let Some(end) = end {
        if now < end {
            return Some(bar("its session has not closed yet"));
        }
    }
    let v = s.volume.as_ref()?;
    if v[last] != 0.0 {
        return None;
    }
    let before = &v[last.saturating_sub(VOLUME_LOOKBACK)..last];
    let positive = before.iter().filter(|x| x.is_finite() && **x > 0.0).count();
    (positive * 2 > before.len()).then(|| bar("zero volume"))
}

/// `s` with the volume of its last bar missing (NaN), so every volume statistic (relative
/// volume, OBV, volume at touches and breakouts) leaves it out.
pub fn drop_last_volume(s: &mut PriceSeries) {
    if let Some(v) = s.volume.as_mut().and_then(|v| v.last_mut()) {
        *v = f64::NAN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    /// 30 weekdays ending on Monday 2026-02-23, volume 1e6 except the last.
    fn weekdays(last_volume: f64) -> PriceSeries {
        let mut dates = Vec::new();
        let mut t = d("2026-01-01");
        while dates.len() < 30 {
            if t.weekday().number_from_monday() <= 5 && t <= d("2026-02-23") {
                dates.push(t);
            }
            t = t.succ_opt().unwrap();
        }
        let n = dates.len();
        let mut s = PriceSeries::new("^X", dates, vec![100.0; n]).unwrap();
        let mut v = vec![1e6; n];
        v[n - 1] = last_volume;
        s.volume = Some(v);
        s
    }

    use chrono::Datelike;

    #[test]
    fn zero_volume_last_bar_is_partial() {
        let s = weekdays(0.0);
        let last = *s.dates.last().unwrap();
        let p = partial_last_bar(&s, at("2026-12-06T00:00:00Z")).unwrap();
        assert_eq!(p.date, last);
        assert_eq!(p.reason, "zero volume");
        assert_eq!(
            p.sentence(),
            format!(
                "last bar of ^X on {last} looks partial: zero volume; left out of volume \
                 statistics (--include-partial keeps it)"
            )
        );
        assert!(partial_last_bar(&weekdays(5.0), at("2026-12-06T00:00:00Z")).is_none());
        // Volume never positive (an index without volume): zero is normal.
        let mut flat = weekdays(0.0);
        flat.volume = Some(vec![0.0; flat.dates.len()]);
        assert!(partial_last_bar(&flat, at("2026-12-06T00:00:00Z")).is_none());
        let mut none = weekdays(0.0);
        none.volume = None;
        assert!(partial_last_bar(&none, at("2026-12-06T00:00:00Z")).is_none());
    }

    #[test]
    fn an_open_session_is_partial() {
        let s = weekdays(5.0);
        let last = *s.dates.last().unwrap();
        // 16:00 New York on a February Monday is 21:00 UTC.
        let open = at(&format!("{last}T20:59:00Z"));
        let p = partial_last_bar(&s, open).unwrap();
        assert_eq!(p.reason, "its session has not closed yet");
        assert!(partial_last_bar(&s, at(&format!("{last}T21:00:00Z"))).is_none());
        // An every-day series: the UTC day.
        let dates: Vec<Date> = (0..40)
            .map(|i| d("2026-01-01") + Duration::days(i))
            .collect();
        let c = PriceSeries::new("C", dates.clone(), vec![1.0; 40]).unwrap();
        let last = *dates.last().unwrap();
        assert!(partial_last_bar(&c, at(&format!("{last}T23:59:00Z"))).is_some());
        assert!(
            partial_last_bar(&c, at(&format!("{last}T00:00:00Z")) + Duration::hours(24)).is_none()
        );
    }

    #[test]
    fn dropping_the_last_volume() {
        let mut s = weekdays(0.0);
        drop_last_volume(&mut s);
        let v = s.volume.unwrap();
        assert!(v.last().unwrap().is_nan());
        assert_eq!(v[0], 1e6);
    }
}
