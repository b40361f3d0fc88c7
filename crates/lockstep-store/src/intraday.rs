//! Intraday bars: the `intraday_bars` table (migration 4), written and read like the daily
//! bars but keyed by interval and open time (Unix seconds, UTC).

use std::collections::HashMap;

use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;

use lockstep_core::{Instrument, Interval, IntradayBar, IntradaySeries, Timestamp};

use crate::{
    calendar_name, log_ok, now, parse_date, same_value, FetchInfo, Result, Store, StoreError,
    UpsertStats,
};

/// What the store holds of one symbol in one interval: a row of [`Store::intervals`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntervalListing {
    /// The interval (`1d` = the daily bars).
    pub interval: Interval,
    /// Open time of the first stored bar (UTC). For `1d`, daily bars are dated, not timed:
    /// 00:00 UTC of the first bar's date.
    pub first: Timestamp,
    /// Open time of the last stored bar (UTC); for `1d`, 00:00 UTC of the last bar's date.
    pub last: Timestamp,
    /// Number of stored bars.
    pub bars: usize,
    /// When the last successful fetch of this interval finished (RFC 3339, UTC).
    pub last_refresh: Option<String>,
    /// The provider of the last stored bar (`import` for imported bars); for `1d`, the
    /// instrument's provider (the one its daily bars are refreshed from).
    pub provider: String,
}

impl Store {
    /// Write intraday `bars` of `instrument` in `interval` (and a fetch-log row naming the
    /// interval) in one `BEGIN IMMEDIATE` transaction, as [`Store::upsert`] does for daily
    /// bars: a bar whose open time is already stored is updated when any value differs
    /// (counted as revised); identical bars are left alone. Open times must strictly increase
    /// and be whole seconds; closes must be finite. `1d` is refused: daily bars go through
    /// [`Store::upsert`].
    ///
    /// The instrument row is created when the symbol is new. When the symbol already has
    /// daily bars, its instrument row is left as it is: it names the provider the daily bars
    /// are refreshed from, and each intraday bar keeps its own provider.
    pub fn upsert_intraday(
        &mut self,
        instrument: &Instrument,
        interval: Interval,
        bars: &[IntradayBar],
        info: &FetchInfo,
    ) -> Result<UpsertStats> {
        check_intraday(&instrument.symbol, interval, bars)?;
        let fetched_at = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO instruments (symbol, provider, ticker, asset_class, calendar, currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(symbol) DO UPDATE SET provider = excluded.provider,
               ticker = excluded.ticker, asset_class = excluded.asset_class,
               calendar = excluded.calendar, currency = excluded.currency
             WHERE NOT EXISTS (SELECT 1 FROM bars b WHERE b.symbol = excluded.symbol)",
            params![
                instrument.symbol,
                instrument.provider,
                instrument.ticker,
                instrument.asset_class.name(),
                calendar_name(instrument.calendar),
                instrument.currency,
            ],
        )?;
        let mut stats = UpsertStats {
            received: bars.len(),
            ..UpsertStats::default()
        };
        if let (Some(first), Some(last)) = (bars.first(), bars.last()) {
            let existing = read_intraday(
                &tx,
                &instrument.symbol,
                interval,
                Some(first.start),
                Some(last.start),
            )?;
            let existing: HashMap<i64, IntradayBar> = existing
                .into_iter()
                .map(|b| (b.start.timestamp(), b))
                .collect();
            let mut stmt = tx.prepare_cached(
                "INSERT INTO intraday_bars (symbol, interval, start, open, high, low, close,
                                            volume, provider, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(symbol, interval, start) DO UPDATE SET open = excluded.open,
                   high = excluded.high, low = excluded.low, close = excluded.close,
                   volume = excluded.volume, provider = excluded.provider,
                   fetched_at = excluded.fetched_at",
            )?;
            for b in bars {
                let start = b.start.timestamp();
                match existing.get(&start) {
                    Some(old) if same_intraday(old, b) => {
                        stats.unchanged += 1;
                        continue;
                    }
                    Some(_) => stats.revised += 1,
                    None => stats.added += 1,
                }
                stmt.execute(params![
                    instrument.symbol,
                    interval.name(),
                    start,
                    b.open,
                    b.high,
                    b.low,
                    b.close,
                    b.volume,
                    instrument.provider,
                    fetched_at,
                ])?;
            }
        }
        log_ok(&tx, instrument, interval, info, &stats)?;
        tx.commit()?;
        Ok(stats)
    }

    /// The stored `interval` bars of `symbol` whose open time is within `[from, to]` (either
    /// bound optional), by open time. `1d` is refused (daily bars: [`Store::bars`]).
    pub fn intraday_bars(
        &self,
        symbol: &str,
        interval: Interval,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Vec<IntradayBar>> {
        intraday_only(interval)?;
        read_intraday(&self.conn, symbol, interval, from, to)
    }

    /// The open time of the last stored `interval` bar of `symbol`. `1d` is refused (daily
    /// bars: [`Store::last_date`]).
    pub fn last_intraday_time(
        &self,
        symbol: &str,
        interval: Interval,
    ) -> Result<Option<Timestamp>> {
        intraday_only(interval)?;
        let last: Option<i64> = self.conn.query_row(
            "SELECT MAX(start) FROM intraday_bars WHERE symbol = ?1 AND interval = ?2",
            params![symbol, interval.name()],
            |r| r.get(0),
        )?;
        last.map(from_unix).transpose()
    }

    /// The stored `interval` bars of `symbol` as an [`IntradaySeries`] (source
    /// `provider:ticker` of the provider of the last bar). Errors with
    /// [`StoreError::IntervalNotStored`] when there are none ([`StoreError::NotStored`] when
    /// the symbol is not stored at all); `1d` is refused (daily bars: [`Store::series`]).
    pub fn intraday_series(&self, symbol: &str, interval: Interval) -> Result<IntradaySeries> {
        intraday_only(interval)?;
        let instrument = self
            .instrument(symbol)?
            .ok_or_else(|| StoreError::NotStored(symbol.to_string()))?;
        let bars = self.intraday_bars(symbol, interval, None, None)?;
        let Some(last) = bars.last() else {
            return Err(StoreError::IntervalNotStored {
                symbol: symbol.to_string(),
                interval,
            });
        };
        let provider: String = self.conn.query_row(
            "SELECT provider FROM intraday_bars WHERE symbol = ?1 AND interval = ?2 AND start = ?3",
            params![symbol, interval.name(), last.start.timestamp()],
            |r| r.get(0),
        )?;
        // The instrument's ticker is its daily provider's; another provider's is not known.
        let ticker = if provider == instrument.provider {
            instrument.ticker.as_str()
        } else {
            symbol
        };
        let mut series =
            IntradaySeries::from_bars(symbol, format!("{provider}:{ticker}"), interval, &bars)?;
        series.format = "store".into();
        Ok(series)
    }

    /// Every interval `symbol` has bars in, finest first, with its range, bar count and last
    /// successful refresh; `1d` (the daily bars) last when there are any. Empty when the
    /// symbol is not stored.
    pub fn intervals(&self, symbol: &str) -> Result<Vec<IntervalListing>> {
        let mut out = Vec::new();
        for interval in Interval::INTRADAY {
            let (first, last, bars): (Option<i64>, Option<i64>, i64) = self.conn.query_row(
                "SELECT MIN(start), MAX(start), COUNT(*) FROM intraday_bars
                 WHERE symbol = ?1 AND interval = ?2",
                params![symbol, interval.name()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if let (Some(first), Some(last)) = (first, last) {
                let provider: String = self.conn.query_row(
                    "SELECT provider FROM intraday_bars
                     WHERE symbol = ?1 AND interval = ?2 AND start = ?3",
                    params![symbol, interval.name(), last],
                    |r| r.get(0),
                )?;
                out.push(IntervalListing {
                    interval,
                    first: from_unix(first)?,
                    last: from_unix(last)?,
                    bars: bars as usize,
                    last_refresh: self.last_refresh(symbol, interval)?,
                    provider,
                });
            }
        }
        let (first, last, bars): (Option<String>, Option<String>, i64) = self.conn.query_row(
            "SELECT MIN(date), MAX(date), COUNT(*) FROM bars WHERE symbol = ?1",
            [symbol],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if let (Some(first), Some(last)) = (first, last) {
            let midnight = |s: &str| -> Result<Timestamp> {
                Ok(parse_date(s)?.and_time(chrono::NaiveTime::MIN).and_utc())
            };
            out.push(IntervalListing {
                interval: Interval::D1,
                first: midnight(&first)?,
                last: midnight(&last)?,
                bars: bars as usize,
                last_refresh: self.last_refresh(symbol, Interval::D1)?,
                provider: self
                    .instrument(symbol)?
                    .map(|i| i.provider)
                    .unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Delete the `interval` bars of `symbol` and the fetch-log rows of that interval, in one
    /// transaction; its daily bars and other intervals are not touched. When the symbol has no
    /// bar left at all, its instrument row (and log) goes too. `None` when the symbol is not
    /// stored, else the number of bars deleted. `1d` is refused ([`Store::remove`] deletes a
    /// symbol with its daily bars).
    pub fn remove_interval(&mut self, symbol: &str, interval: Interval) -> Result<Option<usize>> {
        intraday_only(interval)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM instruments WHERE symbol = ?1)",
            [symbol],
            |r| r.get(0),
        )?;
        if !stored {
            return Ok(None);
        }
        let n = tx.execute(
            "DELETE FROM intraday_bars WHERE symbol = ?1 AND interval = ?2",
            params![symbol, interval.name()],
        )?;
        tx.execute(
            "DELETE FROM fetch_log WHERE symbol = ?1 AND interval = ?2",
            params![symbol, interval.name()],
        )?;
        let left: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM bars WHERE symbol = ?1)
                 OR EXISTS (SELECT 1 FROM intraday_bars WHERE symbol = ?1)",
            [symbol],
            |r| r.get(0),
        )?;
        if !left {
            tx.execute("DELETE FROM fetch_log WHERE symbol = ?1", [symbol])?;
            tx.execute("DELETE FROM instruments WHERE symbol = ?1", [symbol])?;
        }
        tx.commit()?;
        Ok(Some(n))
    }

    fn last_refresh(&self, symbol: &str, interval: Interval) -> Result<Option<String>> {
        Ok(self.conn.query_row(
            "SELECT MAX(finished_at) FROM fetch_log
             WHERE symbol = ?1 AND interval = ?2 AND status = 'ok'",
            params![symbol, interval.name()],
            |r| r.get(0),
        )?)
    }
}

/// The intraday intervals `symbol` has bars in, finest first (one index probe each).
pub(crate) fn stored_intervals(conn: &Connection, symbol: &str) -> Result<Vec<Interval>> {
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM intraday_bars WHERE symbol = ?1 AND interval = ?2)",
    )?;
    let mut out = Vec::new();
    for interval in Interval::INTRADAY {
        if stmt.query_row(params![symbol, interval.name()], |r| r.get::<_, bool>(0))? {
            out.push(interval);
        }
    }
    Ok(out)
}

fn intraday_only(interval: Interval) -> Result<()> {
    if interval.is_intraday() {
        Ok(())
    } else {
        Err(StoreError::DailyInterval)
    }
}

fn check_intraday(symbol: &str, interval: Interval, bars: &[IntradayBar]) -> Result<()> {
    intraday_only(interval)?;
    for w in bars.windows(2) {
        if w[1].start <= w[0].start {
            return Err(StoreError::UnsortedTimes {
                symbol: symbol.to_string(),
                interval,
                time: w[1].start,
                previous: w[0].start,
            });
        }
    }
    let bad = |b: &IntradayBar, problem| StoreError::BadIntradayBar {
        symbol: symbol.to_string(),
        interval,
        time: b.start,
        problem,
    };
    if let Some(b) = bars.iter().find(|b| b.start.timestamp_subsec_nanos() != 0) {
        return Err(bad(b, "the open time is not a whole second"));
    }
    if let Some(b) = bars.iter().find(|b| !b.close.is_finite()) {
        return Err(bad(b, "the close is not finite"));
    }
    Ok(())
}

/// Values equal, treating two missing values as equal (and NaN as missing).
fn same_intraday(a: &IntradayBar, b: &IntradayBar) -> bool {
    a.close == b.close
        && same_value(a.open, b.open)
        && same_value(a.high, b.high)
        && same_value(a.low, b.low)
        && same_value(a.volume, b.volume)
}

fn from_unix(secs: i64) -> Result<Timestamp> {
    Timestamp::from_timestamp(secs, 0)
        .ok_or_else(|| StoreError::Schema(format!("stored open time {secs} is out of range")))
}

fn read_intraday(
    conn: &Connection,
    symbol: &str,
    interval: Interval,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<Vec<IntradayBar>> {
    // Stored times are whole seconds: a bound with a fraction rounds inwards.
    let from = from.map(|t| t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0));
    let to = to.map(|t| t.timestamp());
    let mut stmt = conn.prepare_cached(
        "SELECT start, open, high, low, close, volume FROM intraday_bars
         WHERE symbol = ?1 AND interval = ?2 AND (?3 IS NULL OR start >= ?3)
           AND (?4 IS NULL OR start <= ?4)
         ORDER BY start",
    )?;
    let rows = stmt.query_map(params![symbol, interval.name(), from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            IntradayBar {
                start: Timestamp::UNIX_EPOCH,
                open: r.get(1)?,
                high: r.get(2)?,
                low: r.get(3)?,
                close: r.get(4)?,
                volume: r.get(5)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (start, mut bar) = row?;
        bar.start = from_unix(start)?;
        out.push(bar);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use lockstep_core::{AssetClass, Calendar, DailyBar, Date};

    use super::*;
    use crate::MIGRATIONS;

    fn inst(symbol: &str, provider: &str) -> Instrument {
        Instrument {
            symbol: symbol.into(),
            provider: provider.into(),
            ticker: symbol.into(),
            asset_class: AssetClass::Crypto,
            calendar: Calendar::EveryDay,
            currency: Some("USD".into()),
        }
    }

    fn t(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ibar(start: &str, close: f64) -> IntradayBar {
        IntradayBar {
            start: t(start),
            open: Some(close - 0.5),
            high: Some(close + 1.0),
            low: Some(close - 1.0),
            close,
            volume: Some(42.0),
        }
    }

    /// `n` 5-minute bars from `start`, closes `base + k`.
    fn run(start: &str, n: usize, base: f64) -> Vec<IntradayBar> {
        let t0 = t(start);
        (0..n)
            .map(|k| IntradayBar {
                start: t0 + chrono::Duration::minutes(5 * k as i64),
                open: None,
                high: None,
                low: None,
                close: base + k as f64,
                volume: Some(k as f64),
            })
            .collect()
    }

    fn info() -> FetchInfo {
        FetchInfo::now(None, None)
    }

    #[test]
    fn upsert_intraday_is_idempotent_and_counts_revisions() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("ETH-USD", "binance");
        let m5 = Interval::M5;
        let bars = vec![
            ibar("2024-01-02T14:30:00Z", 10.0),
            ibar("2024-01-02T14:35:00Z", 11.0),
        ];
        let st = s.upsert_intraday(&i, m5, &bars, &info()).unwrap();
        assert_eq!(
            (st.received, st.added, st.revised, st.unchanged),
            (2, 2, 0, 0)
        );
        let st = s.upsert_intraday(&i, m5, &bars, &info()).unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (0, 0, 2));
        let newer = vec![
            ibar("2024-01-02T14:35:00Z", 11.5),
            ibar("2024-01-02T14:40:00Z", 12.0),
        ];
        let st = s.upsert_intraday(&i, m5, &newer, &info()).unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (1, 1, 0));

        let all = s.intraday_bars("ETH-USD", m5, None, None).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0], bars[0]);
        assert_eq!(all[1], newer[0]);
        assert_eq!(
            s.intraday_bars(
                "ETH-USD",
                m5,
                Some(t("2024-01-02T14:35:00Z")),
                Some(t("2024-01-02T14:35:00Z"))
            )
            .unwrap(),
            vec![newer[0]]
        );
        // A bound with a fraction of a second rounds inwards.
        let from = t("2024-01-02T14:30:00Z") + chrono::Duration::milliseconds(1);
        assert_eq!(
            s.intraday_bars("ETH-USD", m5, Some(from), None)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            s.last_intraday_time("ETH-USD", m5).unwrap(),
            Some(t("2024-01-02T14:40:00Z"))
        );
        // Intervals are separate: the same open times in another interval are new bars.
        assert_eq!(s.last_intraday_time("ETH-USD", Interval::M1).unwrap(), None);
        assert!(s
            .intraday_bars("ETH-USD", Interval::H1, None, None)
            .unwrap()
            .is_empty());
        let st = s.upsert_intraday(&i, Interval::M1, &bars, &info()).unwrap();
        assert_eq!(st.added, 2);
        assert_eq!(s.intraday_bars("ETH-USD", m5, None, None).unwrap(), all);

        let series = s.intraday_series("ETH-USD", m5).unwrap();
        assert_eq!(series.interval, m5);
        assert_eq!(series.close, vec![10.0, 11.5, 12.0]);
        assert_eq!(series.start[0], t("2024-01-02T14:30:00Z"));
        assert_eq!(series.source, "binance:ETH-USD");
        assert_eq!(series.format, "store");
        assert_eq!(series.bar(1), newer[0]);

        // Nothing daily: no daily series, `1d` not listed, the daily refresh time unset.
        assert!(matches!(s.series("ETH-USD"), Err(StoreError::NotStored(_))));
        let l = s.listing("ETH-USD").unwrap().unwrap();
        assert_eq!(l.intervals, vec![Interval::M1, Interval::M5]);
        assert_eq!((l.bars, l.first, l.last), (0, None, None));
        assert_eq!(l.last_refresh, None, "intraday fetches do not refresh 1d");

        let log = s.fetch_log(Some("ETH-USD"), 10).unwrap();
        assert_eq!(log.len(), 4);
        assert_eq!(log[0].interval, Interval::M1);
        assert!(log[1..]
            .iter()
            .all(|e| e.interval == m5 && e.status == "ok"));
        assert_eq!((log[1].added, log[1].revised), (1, 1));
        assert_eq!(s.fetch_log_for(None, Some(m5), 10).unwrap().len(), 3);
        assert!(s
            .fetch_log_for(None, Some(Interval::D1), 10)
            .unwrap()
            .is_empty());
        s.integrity_check().unwrap();
    }

    #[test]
    fn intervals_list_daily_and_intraday() {
        let mut s = Store::open_in_memory().unwrap();
        assert!(s.intervals("X").unwrap().is_empty());
        let i = inst("X", "yahoo");
        let daily = [
            DailyBar::close_only(d("2024-01-01"), 1.0),
            DailyBar::close_only(d("2024-01-02"), 2.0),
        ];
        s.upsert(&i, &daily, &info()).unwrap();
        s.upsert_intraday(
            &i,
            Interval::H1,
            &run("2024-01-02T00:00:00Z", 3, 5.0),
            &info(),
        )
        .unwrap();
        let five = run("2024-01-02T00:00:00Z", 12, 5.0);
        s.upsert_intraday(&i, Interval::M5, &five, &info()).unwrap();
        let l = s.intervals("X").unwrap();
        let names: Vec<_> = l.iter().map(|x| x.interval).collect();
        assert_eq!(names, vec![Interval::M5, Interval::H1, Interval::D1]);
        assert_eq!(l[0].first, t("2024-01-02T00:00:00Z"));
        assert_eq!(l[0].last, t("2024-01-02T00:55:00Z"));
        assert_eq!(l[0].bars, 12);
        assert_eq!(l[1].bars, 3);
        assert_eq!(
            (l[2].first, l[2].last, l[2].bars),
            (t("2024-01-01T00:00:00Z"), t("2024-01-02T00:00:00Z"), 2)
        );
        assert!(l.iter().all(|x| x.last_refresh.is_some()));
        assert!(l.iter().all(|x| x.provider == "yahoo"));
        // Each interval names the provider of its last bar; 1d the instrument's.
        let binance = inst("X", "binance");
        let mut revised = five[11];
        revised.close += 1.0;
        s.upsert_intraday(&binance, Interval::M5, &[revised], &info())
            .unwrap();
        let providers: Vec<_> = s
            .intervals("X")
            .unwrap()
            .into_iter()
            .map(|x| x.provider)
            .collect();
        assert_eq!(providers, ["binance", "yahoo", "yahoo"]);
        let listing = s.listing("X").unwrap().unwrap();
        assert_eq!(listing.intervals, names);
        assert_eq!(listing.bars, 2);
        assert_eq!(listing.last_refresh, l[2].last_refresh);
    }

    #[test]
    fn remove_interval_keeps_daily_bars_and_other_intervals() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.remove_interval("X", Interval::H1).unwrap(), None);
        let i = inst("X", "yahoo");
        let daily = [
            DailyBar::close_only(d("2024-01-01"), 1.0),
            DailyBar::close_only(d("2024-01-02"), 2.0),
        ];
        s.upsert(&i, &daily, &info()).unwrap();
        s.upsert_intraday(
            &i,
            Interval::M5,
            &run("2024-01-02T00:00:00Z", 12, 5.0),
            &info(),
        )
        .unwrap();
        s.upsert_intraday(
            &i,
            Interval::M1,
            &run("2024-01-02T00:00:00Z", 3, 5.0),
            &info(),
        )
        .unwrap();
        assert_eq!(s.remove_interval("X", Interval::M5).unwrap(), Some(12));
        assert_eq!(s.bars("X", None, None).unwrap(), daily);
        let left: Vec<_> = s
            .intervals("X")
            .unwrap()
            .iter()
            .map(|l| l.interval)
            .collect();
        assert_eq!(left, [Interval::M1, Interval::D1]);
        assert!(s
            .fetch_log_for(Some("X"), Some(Interval::M5), 10)
            .unwrap()
            .is_empty());
        assert_eq!(s.fetch_log_for(Some("X"), None, 10).unwrap().len(), 2);
        // Nothing of the interval left: 0, and the symbol stays.
        assert_eq!(s.remove_interval("X", Interval::M5).unwrap(), Some(0));
        assert!(matches!(
            s.remove_interval("X", Interval::D1),
            Err(StoreError::DailyInterval)
        ));

        // A symbol with intraday bars only goes with its last interval.
        let y = inst("Y", "binance");
        s.upsert_intraday(
            &y,
            Interval::H1,
            &run("2024-01-02T00:00:00Z", 2, 5.0),
            &info(),
        )
        .unwrap();
        assert_eq!(s.remove_interval("Y", Interval::H1).unwrap(), Some(2));
        assert_eq!(s.instrument("Y").unwrap(), None);
        assert!(s.fetch_log(Some("Y"), 10).unwrap().is_empty());
        s.integrity_check().unwrap();
    }

    #[test]
    fn daily_1d_is_not_an_intraday_interval() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X", "yahoo");
        let e = s
            .upsert_intraday(
                &i,
                Interval::D1,
                &run("2024-01-02T00:00:00Z", 2, 1.0),
                &info(),
            )
            .unwrap_err();
        assert!(matches!(e, StoreError::DailyInterval), "{e}");
        assert!(s.instrument("X").unwrap().is_none());
        assert!(s.intraday_bars("X", Interval::D1, None, None).is_err());
        assert!(s.last_intraday_time("X", Interval::D1).is_err());
        assert!(s.intraday_series("X", Interval::D1).is_err());
        // The table refuses `1d` rows too.
        assert!(s
            .conn
            .execute_batch(
                "INSERT INTO instruments VALUES ('Y', 'p', 'Y', 'crypto', 'every-day', NULL);
                 INSERT INTO intraday_bars (symbol, interval, start, close, provider, fetched_at)
                 VALUES ('Y', '1d', 0, 1.0, 'p', 'now')"
            )
            .is_err());
    }

    #[test]
    fn rejects_bad_batches_and_changes_nothing() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X", "binance");
        let before = run("2024-01-02T00:00:00Z", 3, 1.0);
        s.upsert_intraday(&i, Interval::M5, &before, &info())
            .unwrap();
        let mut unsorted = run("2024-01-02T00:00:00Z", 3, 9.0);
        unsorted.swap(1, 2);
        let e = s
            .upsert_intraday(&i, Interval::M5, &unsorted, &info())
            .unwrap_err();
        assert!(matches!(e, StoreError::UnsortedTimes { .. }), "{e}");
        assert!(e.to_string().contains("00:05:00"), "{e}");
        let mut dup = run("2024-01-02T00:00:00Z", 2, 9.0);
        dup[1].start = dup[0].start;
        assert!(s.upsert_intraday(&i, Interval::M5, &dup, &info()).is_err());
        let mut nan = run("2024-01-02T00:00:00Z", 2, 9.0);
        nan[1].close = f64::NAN;
        let e = s
            .upsert_intraday(&i, Interval::M5, &nan, &info())
            .unwrap_err();
        assert!(e.to_string().contains("not finite"), "{e}");
        let mut frac = run("2024-01-02T00:00:00Z", 2, 9.0);
        frac[1].start += chrono::Duration::milliseconds(500);
        let e = s
            .upsert_intraday(&i, Interval::M5, &frac, &info())
            .unwrap_err();
        assert!(e.to_string().contains("whole second"), "{e}");
        assert_eq!(
            s.intraday_bars("X", Interval::M5, None, None).unwrap(),
            before
        );
        assert_eq!(s.fetch_log(None, 10).unwrap().len(), 1);

        let e = s.intraday_series("NOPE", Interval::M5).unwrap_err();
        assert!(matches!(e, StoreError::NotStored(_)) && e.is_not_stored());
        let e = s.intraday_series("X", Interval::M1).unwrap_err();
        assert!(
            matches!(e, StoreError::IntervalNotStored { .. }) && e.is_not_stored(),
            "{e}"
        );
        assert_eq!(e.to_string(), "X has no 1m bars in the store");
    }

    #[test]
    fn missing_values_round_trip_and_compare_equal() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X", "coinbase");
        let mut b = run("2024-01-02T00:00:00Z", 1, 3.0);
        b[0].volume = Some(f64::NAN); // stored as NULL, equal to a missing value
        s.upsert_intraday(&i, Interval::M5, &b, &info()).unwrap();
        let stored = s.intraday_bars("X", Interval::M5, None, None).unwrap();
        assert_eq!(stored[0].volume, None);
        assert_eq!(stored[0].open, None);
        let st = s.upsert_intraday(&i, Interval::M5, &b, &info()).unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (0, 0, 1));
        let st = s
            .upsert_intraday(&i, Interval::M5, &stored, &info())
            .unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (0, 0, 1));
        // Empty batches are logged and change nothing.
        let st = s.upsert_intraday(&i, Interval::M5, &[], &info()).unwrap();
        assert_eq!(st, UpsertStats::default());
    }

    #[test]
    fn intraday_writes_keep_the_daily_instrument() {
        let mut s = Store::open_in_memory().unwrap();
        let yahoo = inst("ETH-USD", "yahoo");
        s.upsert(
            &yahoo,
            &[DailyBar::close_only(d("2024-01-01"), 1.0)],
            &info(),
        )
        .unwrap();
        let mut binance = inst("ETH-USD", "binance");
        binance.ticker = "ETHUSDT".into();
        s.upsert_intraday(
            &binance,
            Interval::M5,
            &run("2024-01-02T00:00:00Z", 2, 1.0),
            &info(),
        )
        .unwrap();
        assert_eq!(s.instrument("ETH-USD").unwrap().unwrap(), yahoo);
        let series = s.intraday_series("ETH-USD", Interval::M5).unwrap();
        assert_eq!(series.source, "binance:ETH-USD");
        let log = s.fetch_log(None, 1).unwrap();
        assert_eq!(
            (log[0].provider.as_str(), log[0].interval),
            ("binance", Interval::M5)
        );

        // Without daily bars the instrument row follows the intraday writes.
        let a = inst("SOL-USD", "yahoo");
        s.upsert_intraday(
            &a,
            Interval::M5,
            &run("2024-01-02T00:00:00Z", 1, 1.0),
            &info(),
        )
        .unwrap();
        s.upsert_intraday(
            &binance_of("SOL-USD"),
            Interval::M5,
            &run("2024-01-02T00:00:00Z", 1, 1.0),
            &info(),
        )
        .unwrap();
        assert_eq!(
            s.instrument("SOL-USD").unwrap().unwrap().provider,
            "binance"
        );
    }

    fn binance_of(symbol: &str) -> Instrument {
        inst(symbol, "binance")
    }

    #[test]
    fn failures_are_logged_with_their_interval() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X", "binance");
        s.upsert_intraday(
            &i,
            Interval::M1,
            &run("2024-01-02T00:00:00Z", 2, 1.0),
            &info(),
        )
        .unwrap();
        s.log_interval_failure("X", "binance", Interval::M1, &info(), "HTTP 429")
            .unwrap();
        s.log_failure("X", "yahoo", &info(), "HTTP 500").unwrap();
        let log = s.fetch_log(Some("X"), 10).unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(
            (
                log[0].interval,
                log[0].status.as_str(),
                log[0].message.as_deref()
            ),
            (Interval::D1, "error", Some("HTTP 500"))
        );
        assert_eq!(
            (
                log[1].interval,
                log[1].status.as_str(),
                log[1].message.as_deref()
            ),
            (Interval::M1, "error", Some("HTTP 429"))
        );
        assert_eq!(
            s.intraday_bars("X", Interval::M1, None, None)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            s.intervals("X").unwrap()[0].last_refresh,
            Some(log[2].finished_at.clone()),
            "a failure is not a refresh"
        );
    }

    #[test]
    fn remove_takes_the_intraday_bars_in_one_transaction() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X", "yahoo");
        s.upsert(&i, &[DailyBar::close_only(d("2024-01-01"), 1.0)], &info())
            .unwrap();
        s.upsert_intraday(
            &i,
            Interval::M5,
            &run("2024-01-02T00:00:00Z", 5, 1.0),
            &info(),
        )
        .unwrap();
        let j = inst("Y", "binance");
        s.upsert_intraday(
            &j,
            Interval::M1,
            &run("2024-01-02T00:00:00Z", 5, 1.0),
            &info(),
        )
        .unwrap();
        assert!(s.remove("X").unwrap());
        let left: i64 = s
            .conn
            .query_row("SELECT COUNT(*) FROM intraday_bars", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 5, "only Y's bars are left");
        assert!(s.intervals("X").unwrap().is_empty());
        assert!(s.intraday_series("X", Interval::M5).is_err());
        // An intraday-only symbol is removed the same way.
        assert!(s.remove("Y").unwrap());
        assert!(s.list().unwrap().is_empty());
        assert!(!s.remove("Y").unwrap());
        s.integrity_check().unwrap();

        // A remove that fails in the middle removes nothing.
        s.upsert(&i, &[DailyBar::close_only(d("2024-01-01"), 1.0)], &info())
            .unwrap();
        s.upsert_intraday(
            &i,
            Interval::M5,
            &run("2024-01-02T00:00:00Z", 5, 1.0),
            &info(),
        )
        .unwrap();
        s.conn
            .execute_batch(
                "CREATE TEMP TRIGGER no_delete BEFORE DELETE ON main.bars
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            )
            .unwrap();
        assert!(s.remove("X").is_err());
        s.conn.execute_batch("DROP TRIGGER no_delete").unwrap();
        assert_eq!(
            s.intraday_bars("X", Interval::M5, None, None)
                .unwrap()
                .len(),
            5
        );
        assert_eq!(s.fetch_log(Some("X"), 10).unwrap().len(), 2);
        assert!(s.instrument("X").unwrap().is_some());
    }

    /// A write that fails in the middle of its transaction (after some bars were written)
    /// leaves the previous bars, instrument and log exactly as they were.
    #[test]
    fn a_failed_transaction_leaves_the_previous_bars() {
        let mut s = Store::open_in_memory().unwrap();
        let i = inst("X", "binance");
        let old = run("2024-01-02T00:00:00Z", 100, 1.0);
        s.upsert_intraday(&i, Interval::M5, &old, &info()).unwrap();
        // Fail on the 60th bar of a batch that revises every bar and adds 100.
        let fail_at = old[0].start.timestamp() + 60 * 300;
        s.conn
            .execute_batch(&format!(
                "CREATE TEMP TRIGGER fail_write BEFORE UPDATE ON main.intraday_bars
                 WHEN NEW.start = {fail_at}
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
            ))
            .unwrap();
        let mut other = inst("X", "coinbase");
        other.currency = Some("EUR".into());
        let new = run("2024-01-02T00:00:00Z", 200, 50.0);
        let e = s
            .upsert_intraday(&other, Interval::M5, &new, &info())
            .unwrap_err();
        assert!(e.to_string().contains("injected"), "{e:?}");
        assert_eq!(s.intraday_bars("X", Interval::M5, None, None).unwrap(), old);
        assert_eq!(s.instrument("X").unwrap().unwrap(), i);
        assert_eq!(s.fetch_log(None, 10).unwrap().len(), 1);
        // Once the cause is gone, the same write goes through in full.
        s.conn.execute_batch("DROP TRIGGER fail_write").unwrap();
        let st = s
            .upsert_intraday(&other, Interval::M5, &new, &info())
            .unwrap();
        assert_eq!((st.added, st.revised, st.unchanged), (100, 100, 0));
        assert_eq!(s.intraday_bars("X", Interval::M5, None, None).unwrap(), new);
        s.integrity_check().unwrap();
    }

    /// Another connection holding the write lock: a writer waits for it (busy timeout) and
    /// then succeeds; a writer whose wait runs out fails with a busy error and leaves the
    /// bars as they were.
    #[test]
    fn busy_writers_wait_or_fail_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lockstep.db");
        let i = inst("X", "binance");
        let old = run("2024-01-02T00:00:00Z", 10, 1.0);
        let mut s = Store::open(&path).unwrap();
        s.upsert_intraday(&i, Interval::M5, &old, &info()).unwrap();

        let locker = Connection::open(&path).unwrap();
        locker.execute_batch("BEGIN IMMEDIATE").unwrap();
        s.conn.busy_timeout(Duration::from_millis(50)).unwrap();
        let new = run("2024-01-02T00:00:00Z", 20, 7.0);
        let e = s
            .upsert_intraday(&i, Interval::M5, &new, &info())
            .unwrap_err();
        assert!(e.is_busy(), "{e:?}");
        // Readers are not blocked (WAL) and see the previous bars.
        assert_eq!(s.intraday_bars("X", Interval::M5, None, None).unwrap(), old);

        s.conn.busy_timeout(crate::BUSY_TIMEOUT).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            locker.execute_batch("COMMIT").unwrap();
        });
        let started = std::time::Instant::now();
        let st = s.upsert_intraday(&i, Interval::M5, &new, &info()).unwrap();
        release.join().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(250));
        assert_eq!((st.added, st.revised), (10, 10));
        assert_eq!(s.intraday_bars("X", Interval::M5, None, None).unwrap(), new);
        s.integrity_check().unwrap();
    }

    /// A store at the previous schema version, with daily bars and fetch-log rows, opened by
    /// this code: every bar is kept, old log rows are `1d`, intraday bars can be added.
    #[test]
    fn a_version_3_store_with_daily_bars_migrates_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let n = 3000;
        {
            let mut c = Connection::open(&path).unwrap();
            let mode: String = c
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
            for m in &MIGRATIONS[..3] {
                c.execute_batch(m).unwrap();
            }
            c.pragma_update(None, "user_version", 3).unwrap();
            c.execute_batch(
                "INSERT INTO instruments VALUES ('A', 'yahoo', 'A', 'equity', 'weekdays', 'USD');
                 INSERT INTO instruments VALUES ('B', 'fred', 'DGS2', 'rate', 'weekdays', NULL);
                 INSERT INTO fetch_log (symbol, provider, started_at, finished_at, status,
                                        from_date, to_date, requests, received, added)
                 VALUES ('A', 'yahoo', '2024-01-03T00:00:00Z', '2024-01-03T00:00:05Z', 'ok',
                         NULL, '2024-01-03', 1, 3000, 3000);
                 INSERT INTO fetch_log (symbol, provider, started_at, finished_at, status,
                                        message)
                 VALUES ('B', 'fred', '2024-01-03T00:00:00Z', '2024-01-03T00:00:01Z', 'error',
                         'HTTP 500');",
            )
            .unwrap();
            let tx = c.transaction().unwrap();
            let mut stmt = tx
                .prepare(
                    "INSERT INTO bars VALUES ('A', ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'yahoo',
                                              '2024-01-03T00:00:05Z')",
                )
                .unwrap();
            let d0 = d("2010-01-01");
            for k in 0..n {
                let x = 100.0 + (k as f64 * 0.37).sin() * 10.0 + k as f64 * 1e-3;
                let vol = (k % 7 != 0).then_some(1e6 + k as f64);
                stmt.execute(params![
                    (d0 + chrono::Days::new(k)).to_string(),
                    x - 1.0,
                    x + 1.0,
                    x - 2.0,
                    x,
                    x * 0.99,
                    vol
                ])
                .unwrap();
            }
            drop(stmt);
            tx.execute(
                "INSERT INTO bars (symbol, date, close, provider, fetched_at)
                 VALUES ('B', '2024-01-02', 4.25, 'fred', '2024-01-03T00:00:00Z')",
                [],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let read_raw = |path: &std::path::Path| -> Vec<(String, String, Option<f64>, f64)> {
            let c = Connection::open(path).unwrap();
            let mut stmt = c
                .prepare("SELECT symbol, date, volume, close FROM bars ORDER BY symbol, date")
                .unwrap();
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .collect::<std::result::Result<Vec<_>, _>>()
                .unwrap();
            rows
        };
        let raw_before = read_raw(&path);
        assert_eq!(raw_before.len(), n as usize + 1);

        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as u32);
        s.integrity_check().unwrap();
        let bars = s.bars("A", None, None).unwrap();
        assert_eq!(bars.len(), n as usize);
        assert_eq!(bars[0].adj_close, Some(bars[0].close * 0.99));
        assert_eq!(bars[0].volume, None);
        assert_eq!(s.series("B").unwrap().price, vec![4.25]);
        let log = s.fetch_log(None, 10).unwrap();
        assert_eq!(log.len(), 2);
        assert!(log.iter().all(|e| e.interval == Interval::D1));
        assert_eq!(log[0].message.as_deref(), Some("HTTP 500"));
        let listing = s.listing("A").unwrap().unwrap();
        assert_eq!(listing.intervals, vec![Interval::D1]);
        assert_eq!(
            listing.last_refresh.as_deref(),
            Some("2024-01-03T00:00:05Z")
        );
        assert_eq!(listing.bars, n as usize);
        let iv = s.intervals("A").unwrap();
        assert_eq!(iv.len(), 1);
        assert_eq!(iv[0].last_refresh.as_deref(), Some("2024-01-03T00:00:05Z"));

        // Intraday bars beside them; the daily ones are untouched.
        let a = s.instrument("A").unwrap().unwrap();
        s.upsert_intraday(
            &a,
            Interval::M5,
            &run("2024-01-02T14:30:00Z", 10, 1.0),
            &info(),
        )
        .unwrap();
        drop(s);
        assert_eq!(read_raw(&path), raw_before);
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.listing("A").unwrap().unwrap().intervals,
            vec![Interval::M5, Interval::D1]
        );
        s.integrity_check().unwrap();
    }

    /// A store written by a newer Lockstep (a schema version past the intraday one) is
    /// refused without touching its intraday bars.
    #[test]
    fn refuses_a_newer_schema_and_keeps_the_intraday_bars() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lockstep.db");
        let bars = run("2024-01-02T00:00:00Z", 50, 1.0);
        {
            let mut s = Store::open(&path).unwrap();
            s.upsert_intraday(&inst("X", "binance"), Interval::M1, &bars, &info())
                .unwrap();
        }
        let newer = MIGRATIONS.len() as u32 + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        let e = Store::open(&path).unwrap_err();
        assert!(e.to_string().contains("newer"), "{e}");
        let c = Connection::open(&path).unwrap();
        let v: u32 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, newer);
        c.pragma_update(None, "user_version", MIGRATIONS.len() as u32)
            .unwrap();
        drop(c);
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.intraday_bars("X", Interval::M1, None, None).unwrap(),
            bars
        );
        s.integrity_check().unwrap();
    }
}
