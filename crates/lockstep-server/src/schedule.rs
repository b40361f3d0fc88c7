//! When each symbol is refreshed: [`next_due`], a pure function of the clock, the kind of
//! symbol and the `[serve.refresh]` table.

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use lockstep_core::{is_nyse_trading_day, AssetClass, Calendar, Instrument};
use serde::Serialize;

use crate::config::RefreshConfig;

/// How a symbol trades, which decides its refresh schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    /// Exchange days (equities, indices, ETFs, futures, FRED): refreshed on NYSE trading days
    /// at [`RefreshConfig::equities_after`] New York time.
    Exchange,
    /// Every day (crypto): refreshed every [`RefreshConfig::crypto_every_hours`].
    Crypto,
}

impl SymbolKind {
    /// The kind of a stored instrument: crypto when it trades every day, is of the crypto
    /// asset class or comes from a crypto exchange (Coinbase, Binance).
    pub fn of_instrument(i: &Instrument) -> SymbolKind {
        if i.calendar == Calendar::EveryDay
            || i.asset_class == AssetClass::Crypto
            || matches!(i.provider.as_str(), "coinbase" | "binance")
        {
            SymbolKind::Crypto
        } else {
            SymbolKind::Exchange
        }
    }
}

/// The date of the newest daily bar a symbol of `kind` should have at `now`:
///
/// * [`SymbolKind::Crypto`]: the previous UTC day (today's bar is not closed).
/// * [`SymbolKind::Exchange`]: the latest NYSE trading day whose `equities_after` time in New
///   York (when the scheduled refresh fetches it) is at or before `now`.
///
/// A stored last bar older than this is stale.
pub fn expected_last_bar(
    now: DateTime<Utc>,
    kind: SymbolKind,
    config: &RefreshConfig,
) -> NaiveDate {
    match kind {
        SymbolKind::Crypto => now.date_naive() - Days::new(1),
        SymbolKind::Exchange => {
            let local = now.with_timezone(&New_York);
            let mut day = local.date_naive();
            if local.time() < config.equities_time() {
                day = day - Days::new(1);
            }
            for _ in 0..16 {
                if is_nyse_trading_day(day) {
                    return day;
                }
                day = day - Days::new(1);
            }
            day
        }
    }
}

/// The first refresh time strictly after `now`:
///
/// * [`SymbolKind::Exchange`]: the next NYSE trading day (Monday–Friday, not an exchange
///   holiday or special closure: [`lockstep_core::nyse_holiday`]) at `equities_after` in New
///   York (EST or EDT as in force on that date; a time that does not exist that day, in the
///   spring-forward gap, moves one hour later).
/// * [`SymbolKind::Crypto`]: the next multiple of `crypto_every_hours` hours since
///   1970-01-01 00:00 UTC (every 4 hours: 00:00, 04:00, …, 20:00 UTC).
pub fn next_due(now: DateTime<Utc>, kind: SymbolKind, config: &RefreshConfig) -> DateTime<Utc> {
    match kind {
        SymbolKind::Crypto => {
            let step = i64::from(config.crypto_every_hours.max(1)) * 3600;
            let t = now.timestamp();
            let next = (t.div_euclid(step) + 1) * step;
            DateTime::from_timestamp(next, 0).unwrap_or(now + Duration::hours(1))
        }
        SymbolKind::Exchange => {
            let at = config.equities_time();
            let mut day: NaiveDate = now.with_timezone(&New_York).date_naive();
            // At most 5 days to the next trading-day slot after now (the longest run of
            // closures, 2001-09-11..14, came with a weekend: 6); 16 is a safe bound.
            for _ in 0..16 {
                if is_nyse_trading_day(day) {
                    let local = day.and_time(at);
                    let t = New_York
                        .from_local_datetime(&local)
                        .earliest()
                        .or_else(|| {
                            New_York
                                .from_local_datetime(&(local + Duration::hours(1)))
                                .earliest()
                        })
                        .map(|t| t.with_timezone(&Utc));
                    if let Some(t) = t {
                        if t > now {
                            return t;
                        }
                    }
                }
                match day.checked_add_days(Days::new(1)) {
                    Some(d) => day = d,
                    None => break,
                }
            }
            now + Duration::days(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cfg() -> RefreshConfig {
        RefreshConfig::default()
    }

    #[test]
    fn expected_last_bars() {
        let c = RefreshConfig::default();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Saturday: the exchange's Friday, crypto's Friday.
        let sat = at("2024-03-09T12:00:00Z");
        assert_eq!(
            expected_last_bar(sat, SymbolKind::Exchange, &c),
            d("2024-03-08")
        );
        assert_eq!(
            expected_last_bar(sat, SymbolKind::Crypto, &c),
            d("2024-03-08")
        );
        // Monday morning in New York: still Friday's bar.
        let mon = at("2024-03-11T14:00:00Z");
        assert_eq!(
            expected_last_bar(mon, SymbolKind::Exchange, &c),
            d("2024-03-08")
        );
    }

    #[test]
    fn exchange_same_day_before_the_close() {
        // Tuesday 2024-01-09 10:00 EST → 16:30 EST = 21:30 UTC.
        let n = next_due(utc("2024-01-09T15:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-01-09T21:30:00Z"));
    }

    #[test]
    fn exchange_after_the_close_is_the_next_weekday() {
        let n = next_due(utc("2024-01-09T21:30:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-01-10T21:30:00Z"));
        // 23:00 UTC Tuesday is still Tuesday in New York, after 16:30.
        let n = next_due(utc("2024-01-09T23:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-01-10T21:30:00Z"));
        // 03:00 UTC Wednesday is Tuesday 22:00 in New York.
        let n = next_due(utc("2024-01-10T03:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-01-10T21:30:00Z"));
    }

    #[test]
    fn exchange_skips_holidays() {
        // Wednesday 2024-11-27 after the close → Thanksgiving is skipped → Friday 16:30 EST.
        let n = next_due(utc("2024-11-27T22:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-11-29T21:30:00Z"));
        // Thursday before Good Friday 2024-03-29 → Monday 2024-04-01 16:30 EDT.
        let n = next_due(utc("2024-03-28T21:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-04-01T20:30:00Z"));
        // Christmas 2022 on a Sunday is observed Monday the 26th.
        let n = next_due(utc("2022-12-23T22:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2022-12-27T21:30:00Z"));
        // Crypto does not care.
        let n = next_due(utc("2024-11-27T22:00:00Z"), SymbolKind::Crypto, &cfg());
        assert_eq!(n, utc("2024-11-28T00:00:00Z"));
    }

    #[test]
    fn exchange_skips_the_weekend() {
        // Friday 2024-01-19 17:00 EST → Monday 2024-01-22 16:30 EST. (The weekend before,
        // Monday the 15th, is Martin Luther King Jr. Day: see `exchange_skips_holidays`.)
        let monday = utc("2024-01-22T21:30:00Z");
        for now in [
            "2024-01-19T22:00:00Z", // Friday evening
            "2024-01-20T12:00:00Z", // Saturday
            "2024-01-21T23:59:00Z", // Sunday
            "2024-01-22T04:00:00Z", // Monday 00:00 UTC is Sunday night in New York
        ] {
            assert_eq!(
                next_due(utc(now), SymbolKind::Exchange, &cfg()),
                monday,
                "{now}"
            );
        }
        let n = next_due(utc("2024-01-12T22:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-01-16T21:30:00Z"), "over MLK Day");
    }

    #[test]
    fn exchange_follows_daylight_saving_time() {
        // DST starts Sunday 2024-03-10: Friday 16:30 EST is 21:30 UTC, Monday 16:30 EDT 20:30 UTC.
        let n = next_due(utc("2024-03-08T22:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-03-11T20:30:00Z"));
        // DST ends Sunday 2024-11-03: Friday 16:30 EDT = 20:30 UTC, Monday 16:30 EST 21:30 UTC.
        let n = next_due(utc("2024-11-01T19:00:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-11-01T20:30:00Z"));
        let n = next_due(utc("2024-11-01T20:30:00Z"), SymbolKind::Exchange, &cfg());
        assert_eq!(n, utc("2024-11-04T21:30:00Z"));
    }

    #[test]
    fn exchange_time_in_the_spring_gap_moves_an_hour_later() {
        let c = RefreshConfig {
            equities_after: "02:30".into(),
            ..cfg()
        };
        // 2024-03-11 is Monday; the gap is on Sunday 03-10, which is skipped anyway, so check a
        // weekday gap does not panic by asking on Saturday: next is Monday 02:30 EDT.
        let n = next_due(utc("2024-03-09T12:00:00Z"), SymbolKind::Exchange, &c);
        assert_eq!(n, utc("2024-03-11T06:30:00Z"));
    }

    #[test]
    fn crypto_every_n_hours_on_the_utc_grid() {
        let c = cfg();
        let n = next_due(utc("2024-01-13T05:10:00Z"), SymbolKind::Crypto, &c);
        assert_eq!(n, utc("2024-01-13T08:00:00Z"));
        // Exactly on a slot: the next one.
        let n = next_due(utc("2024-01-13T08:00:00Z"), SymbolKind::Crypto, &c);
        assert_eq!(n, utc("2024-01-13T12:00:00Z"));
        // Weekends and DST changes do not matter.
        let n = next_due(utc("2024-03-10T06:59:59Z"), SymbolKind::Crypto, &c);
        assert_eq!(n, utc("2024-03-10T08:00:00Z"));
        let n = next_due(
            utc("2024-01-13T23:30:00Z"),
            SymbolKind::Crypto,
            &RefreshConfig {
                crypto_every_hours: 24,
                ..c
            },
        );
        assert_eq!(n, utc("2024-01-14T00:00:00Z"));
    }

    #[test]
    fn kinds_of_instruments() {
        let mut i = Instrument {
            symbol: "ETH-USD".into(),
            provider: "yahoo".into(),
            ticker: "ETH-USD".into(),
            asset_class: AssetClass::Crypto,
            calendar: Calendar::EveryDay,
            currency: None,
        };
        assert_eq!(SymbolKind::of_instrument(&i), SymbolKind::Crypto);
        i.asset_class = AssetClass::Index;
        i.calendar = Calendar::Weekdays;
        assert_eq!(SymbolKind::of_instrument(&i), SymbolKind::Exchange);
        i.provider = "binance".into();
        assert_eq!(SymbolKind::of_instrument(&i), SymbolKind::Crypto);
    }
}
