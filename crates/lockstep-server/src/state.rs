//! The shared state of the server: the configuration, the store connections, the cache of
//! computed reports, the refresh schedule; and the refresh cycle.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use lockstep_alerts::{DeliveryStats, Dispatcher, StoredAlert};
use lockstep_charts::{Chart, ChartKind, PlotArea};
use lockstep_core::IntradaySeries;
use lockstep_core::{Date, PriceSeries};
use lockstep_fetch::{refresh_symbol, Fetcher};
use lockstep_report::signals_view::SignalsReport;
use lockstep_report::{AnalyzeOptions, Backdrop, Clock, Report};
use lockstep_session::{every_day_leg, stored_intraday, PairParams, PairRun, Resolved, Session};
use lockstep_signals::{BacktestResult, RuleSet, Strategy};
use lockstep_store::{IntervalListing, Store, StoreError};
use serde::Serialize;

use crate::config::{PairConfig, ServeConfig};
use crate::error::{chain, ApiError};
use crate::schedule::{next_due, SymbolKind};
use crate::ServerError;

/// How often pending alert deliveries are retried, at most.
pub const DELIVERY_INTERVAL: StdDuration = StdDuration::from_secs(30);

/// Lock a mutex, taking the data of a poisoned one (the store's transactions keep it
/// consistent even when a holder panicked).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The state shared by every request and the scheduler (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.inner.config)
            .field("store_path", &self.inner.store_path)
            .finish_non_exhaustive()
    }
}

/// How a pair's analysis options and macro backdrop are made. Without one,
/// `AnalyzeOptions::default()` with the pair's windows and no backdrop; `lockstep serve`
/// passes [`session_analysis`], what `lockstep --offline analyze A B` uses (the stored rate
/// series and net liquidity, the regime rule of config.toml), so that the dashboard shows the
/// same report as the terminal.
pub type AnalysisOptions = Arc<dyn Fn(&PairConfig) -> (AnalyzeOptions, Backdrop) + Send + Sync>;

/// The analysis of a pair as the session layer resolves it for `lockstep --offline analyze A
/// B --window W` on the home folder `home`: the session's default pair parameters with the
/// pair's windows, config.toml's regime rule, the stored rate series and net liquidity.
/// Never fetches: the scheduler refreshes the pairs' legs, and the macro series come from
/// the store. A failure to resolve them is logged and the pair analyzed without them.
pub fn session_analysis(home: PathBuf, verbose: bool) -> AnalysisOptions {
    Arc::new(move |p: &PairConfig| {
        let session = Session::at(home.clone(), true, verbose);
        let mut params = PairParams::new(p.a.as_str(), p.b.as_str());
        params.options.windows = p.windows.clone();
        if let Some(c) = &p.controls {
            params.controls = c.clone();
            params.default_control = false;
        }
        session.analysis(&params).unwrap_or_else(|e| {
            eprintln!(
                "lockstep serve: {}: default analysis options: {}",
                p.id,
                lockstep_session::chain(&e)
            );
            (params.options.clone(), Backdrop::default())
        })
    })
}

struct Inner {
    config: ServeConfig,
    options: Option<AnalysisOptions>,
    store_path: PathBuf,
    /// The connection of the request handlers (reads only).
    store: Mutex<Store>,
    /// The connection of the refresh cycle and the alert deliveries, so that a slow fetch
    /// never holds the handlers' connection.
    worker: Mutex<Worker>,
    fetcher: Option<Arc<Fetcher>>,
    cache: RwLock<HashMap<String, Arc<PairData>>>,
    /// One refresh cycle at a time.
    refreshing: tokio::sync::Mutex<()>,
    schedule: Mutex<BTreeMap<String, SymbolStatus>>,
    started_at: DateTime<Utc>,
    /// Refreshes that replaced a pair's views ([`AppState::generation`]).
    generation: std::sync::atomic::AtomicU64,
}

struct Worker {
    store: Store,
    dispatcher: Dispatcher,
}

/// The refresh state of one configured symbol.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolStatus {
    /// The symbol.
    pub symbol: String,
    /// Its schedule kind.
    pub kind: SymbolKind,
    /// When the scheduler refreshes it next (`None`: no scheduled refresh, because the
    /// schedule is disabled or the server has no fetcher).
    pub next_refresh: Option<DateTime<Utc>>,
    /// When this server last tried to refresh it.
    pub last_attempt: Option<DateTime<Utc>>,
    /// The error of that attempt, if it failed.
    pub last_error: Option<String>,
}

/// What the store knows about one leg.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LegInfo {
    /// The symbol.
    pub symbol: String,
    /// Whether it is stored.
    pub stored: bool,
    /// The provider it was fetched from (`import` for an imported file).
    pub provider: Option<String>,
    /// First stored date.
    pub first: Option<Date>,
    /// Last stored date.
    pub last: Option<Date>,
    /// Stored bars.
    pub bars: usize,
    /// When the last successful fetch finished (RFC 3339, UTC).
    pub last_refresh: Option<String>,
    /// The newest fetch-log entry's error, when the newest entry is a failure.
    pub last_failure: Option<String>,
}

/// The computed views of one pair, cached until its stored data change.
pub struct PairData {
    /// The analysis.
    pub report: Report,
    /// The builtin rules evaluated over the pair (or why they could not be).
    pub signals: Result<SignalsReport, String>,
    /// The macro-overlay backtest on those rules (or why there is none), as `lockstep report`.
    pub backtest: Result<BacktestResult, String>,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
    legs: [LegInfo; 2],
    /// The intraday bars stored of both legs when it was computed (the clocks read them).
    intraday: Vec<IntervalListing>,
    /// The charts, and per chart the plotting areas of its date axis.
    charts: OnceLock<(Vec<Chart>, Vec<Vec<PlotArea>>)>,
    figures: OnceLock<String>,
}

impl PairData {
    /// The interactive figures ([`lockstep_charts::interactive::figures`] of the report and
    /// the backtest) as JSON text, built on first use.
    pub fn figures(&self) -> &str {
        self.figures.get_or_init(|| {
            lockstep_charts::interactive::figures(&self.report, self.backtest.as_ref().ok())
                .to_string()
        })
    }

    /// The dashboard's charts (those of `lockstep report`: the report's, the signal triggers
    /// and the backtest's equity), drawn on first use; when drawing fails the page has none
    /// (reported on stderr).
    pub fn charts(&self) -> &[Chart] {
        &self.drawn().0
    }

    /// The plotting areas of the date axis of the chart `kind` ([`Self::charts`]; none when
    /// the page has no such chart), which the page's crosshair maps the pointer with.
    pub fn plots(&self, kind: ChartKind) -> &[PlotArea] {
        let (charts, plots) = self.drawn();
        charts
            .iter()
            .position(|c| c.kind == kind)
            .map_or(&[], |i| &plots[i])
    }

    fn drawn(&self) -> &(Vec<Chart>, Vec<Vec<PlotArea>>) {
        self.charts.get_or_init(|| {
            lockstep_charts::page_charts_drawn(
                &self.report,
                self.signals.as_ref().ok(),
                self.backtest.as_ref().ok(),
                lockstep_charts::Scale::default(),
            )
            .unwrap_or_else(|e| {
                eprintln!("lockstep serve: charts of {}: {e}", self.report.a.name);
                Vec::new()
            })
            .into_iter()
            .map(|d| (d.chart, d.plots))
            .unzip()
        })
    }
}

/// The outcome of one symbol in a refresh cycle.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolOutcome {
    /// The symbol.
    pub symbol: String,
    /// `ok`, `error` or `skipped` (an imported series has no provider to refresh from).
    pub status: &'static str,
    /// The provider that answered.
    pub provider: Option<String>,
    /// New dates stored.
    pub added: usize,
    /// Stored dates whose values changed.
    pub revised: usize,
    /// Last stored date afterwards.
    pub last: Option<Date>,
    /// The error, or why it was skipped.
    pub message: Option<String>,
}

/// What one refresh cycle did.
#[derive(Clone, Debug, Serialize)]
pub struct RefreshReport {
    /// When it began (RFC 3339, UTC).
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// One entry per symbol refreshed.
    pub symbols: Vec<SymbolOutcome>,
    /// The pairs whose reports were recomputed.
    pub pairs: Vec<String>,
    /// Alerts recorded by this cycle (new transitions only).
    pub alerts: Vec<StoredAlert>,
    /// What the delivery of pending alerts did.
    pub deliveries: DeliveryStats,
}

impl AppState {
    /// Validate the configuration, open the store at `store_path` (created if missing) and
    /// set up the schedule. Without a `fetcher`, nothing is ever refreshed: the server shows
    /// what the store holds.
    pub fn new(
        config: ServeConfig,
        store_path: &Path,
        fetcher: Option<Fetcher>,
    ) -> Result<AppState, ServerError> {
        AppState::with_options(config, store_path, fetcher, None)
    }

    /// [`AppState::new`], with the pairs' analysis options made by `options`.
    pub fn with_options(
        config: ServeConfig,
        store_path: &Path,
        fetcher: Option<Fetcher>,
        options: Option<AnalysisOptions>,
    ) -> Result<AppState, ServerError> {
        let mut config = config;
        config.validate()?;
        if let Some(dir) = store_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let store = Store::open(store_path)?;
        let worker_store = Store::open(store_path)?;
        let fetcher = fetcher.map(Arc::new);
        let now = Utc::now();
        let schedule = initial_schedule(&config, &store, fetcher.as_deref(), now)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                worker: Mutex::new(Worker {
                    store: worker_store,
                    dispatcher: Dispatcher::new(&config.alerts),
                }),
                config,
                options,
                store_path: store_path.to_path_buf(),
                store: Mutex::new(store),
                fetcher,
                cache: RwLock::new(HashMap::new()),
                refreshing: tokio::sync::Mutex::new(()),
                schedule: Mutex::new(schedule),
                started_at: now,
                generation: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// The (validated) configuration.
    pub fn config(&self) -> &ServeConfig {
        &self.inner.config
    }

    /// The store file.
    pub fn store_path(&self) -> &Path {
        &self.inner.store_path
    }

    /// When the state was created.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.inner.started_at
    }

    /// Whether the server can refresh (it has a fetcher).
    pub fn can_refresh(&self) -> bool {
        self.inner.fetcher.is_some()
    }

    /// Run `f` with the handlers' store connection.
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&lock(&self.inner.store))
    }

    /// The refresh state of every configured symbol.
    pub fn schedule(&self) -> Vec<SymbolStatus> {
        lock(&self.inner.schedule).values().cloned().collect()
    }

    /// The refresh state of one symbol.
    pub fn symbol_status(&self, symbol: &str) -> Option<SymbolStatus> {
        lock(&self.inner.schedule).get(symbol).cloned()
    }

    /// What the store knows about both legs of a pair.
    pub fn legs(&self, pair: &PairConfig) -> Result<[LegInfo; 2], StoreError> {
        self.with_store(|s| legs(s, pair))
    }

    /// The computed views of a pair on its clock (`pair.clock`): cached while its stored
    /// data (daily and intraday) are unchanged, else computed now (blocking; call it off the
    /// async threads). Errors: 503 when a leg is not stored, or the exchange clock lacks the
    /// every-day leg's intraday bars; 400 when the exchange clock does not apply to the pair;
    /// 500 when the analysis fails.
    pub fn pair_data(&self, pair: &PairConfig) -> Result<Arc<PairData>, ApiError> {
        let key = cache_key(pair);
        let input = {
            let store = lock(&self.inner.store);
            let legs = legs(&store, pair)?;
            let intraday = intraday_listing(&store, pair)?;
            if let Some(d) = self.cached(&key) {
                if same_data(&d.legs, &legs) && d.intraday == intraday {
                    return Ok(d);
                }
            }
            inputs(&store, pair, legs, intraday)?
        };
        // The analysis runs without holding the store.
        let data = Arc::new(compute(pair, input, self.analysis_options(pair))?);
        self.insert(&key, data.clone());
        Ok(data)
    }

    /// The computed views of `pair` (any two stored symbols, configured or not) over the
    /// aligned returns dated within `[from, to]` ([`lockstep_session::restrict`]), on the UTC
    /// clock, computed now (blocking) and not cached; without a range, a configured pair's
    /// cached views ([`AppState::pair_data`]). Errors: 400 for a range with fewer than two
    /// aligned dates, 503 when a leg is not stored, 500 when the analysis fails.
    pub fn pair_data_in(
        &self,
        pair: &PairConfig,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Arc<PairData>, ApiError> {
        if from.is_none() && to.is_none() && self.config().pair(&pair.id).is_some() {
            return self.pair_data(pair);
        }
        let mut input = {
            let store = lock(&self.inner.store);
            let legs = legs(&store, pair)?;
            Inputs {
                a: series(&store, &pair.a)?,
                b: series(&store, &pair.b)?,
                legs,
                intraday: Vec::new(),
                bars: None,
            }
        };
        let (options, backdrop) = self.analysis_options(pair);
        if from.is_some() || to.is_some() {
            let (a, b) = lockstep_session::restrict(
                &input.a,
                &input.b,
                options.align,
                options.returns,
                from,
                to,
            )
            .map_err(ApiError::bad_request)?;
            input.a = a;
            input.b = b;
        }
        let mut utc = pair.clone();
        utc.clock = Clock::Utc;
        Ok(Arc::new(compute(&utc, input, (options, backdrop))?))
    }

    /// The symbols in the store with their first and last date and bar count.
    pub fn stored_symbols(&self) -> Result<Vec<lockstep_store::Listing>, StoreError> {
        self.with_store(|s| s.list())
    }

    /// The refresh generation: how many times a pair's cached views were replaced because
    /// its data changed (a refresh, or another process writing the store, seen at the next
    /// check); a page polls it and reloads its data when it changes.
    pub fn generation(&self) -> u64 {
        self.inner
            .generation
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The analysis options of `pair` (see [`AnalysisOptions`]).
    pub fn analysis_options(&self, pair: &PairConfig) -> (AnalyzeOptions, Backdrop) {
        match &self.inner.options {
            Some(f) => f(pair),
            None => (
                AnalyzeOptions {
                    windows: pair.windows.clone(),
                    ..AnalyzeOptions::default()
                },
                Backdrop::default(),
            ),
        }
    }

    fn cached(&self, id: &str) -> Option<Arc<PairData>> {
        self.inner
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// Cache a pair's views; replacing older ones (its data changed: a refresh, or another
    /// process wrote the store) grows the refresh generation.
    fn insert(&self, id: &str, data: Arc<PairData>) {
        let replaced = self
            .inner
            .cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string(), data)
            .is_some();
        if replaced {
            self.inner
                .generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Refresh the symbols of `pairs` (every configured pair when `None`) now, then
    /// recompute the affected reports, detect and record alerts, and deliver the pending
    /// ones: the scheduler's cycle, on demand. One cycle runs at a time (a second caller
    /// waits).
    pub async fn refresh(&self, pairs: Option<&[String]>) -> Result<RefreshReport, ServerError> {
        if self.inner.fetcher.is_none() {
            return Err(ServerError::NoFetcher);
        }
        let symbols: Vec<String> = match pairs {
            None => self.config().symbols(),
            Some(ids) => {
                let mut s: Vec<String> = self
                    .config()
                    .pairs
                    .iter()
                    .filter(|p| ids.contains(&p.id))
                    .flat_map(|p| [p.a.clone(), p.b.clone()])
                    .collect();
                s.sort();
                s.dedup();
                s
            }
        };
        self.refresh_symbols(symbols).await
    }

    pub(crate) async fn refresh_symbols(
        &self,
        symbols: Vec<String>,
    ) -> Result<RefreshReport, ServerError> {
        let _one = self.inner.refreshing.lock().await;
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.refresh_blocking(&symbols))
            .await
            .map_err(|e| ServerError::Internal(format!("the refresh task failed: {e}")))?
    }

    fn refresh_blocking(&self, symbols: &[String]) -> Result<RefreshReport, ServerError> {
        let Some(fetcher) = self.inner.fetcher.as_deref() else {
            return Err(ServerError::NoFetcher);
        };
        let started_at = Utc::now();
        let config = self.config();
        let mut worker = lock(&self.inner.worker);
        let Worker { store, dispatcher } = &mut *worker;
        let mut outcomes = Vec::new();
        for symbol in symbols {
            let outcome = refresh_one(store, fetcher, symbol);
            let kind = match store.instrument(symbol) {
                Ok(Some(i)) => Some(SymbolKind::of_instrument(&i)),
                _ => None,
            };
            let now = Utc::now();
            if let Some(st) = lock(&self.inner.schedule).get_mut(symbol.as_str()) {
                if let Some(k) = kind {
                    st.kind = k;
                }
                st.last_attempt = Some(now);
                st.last_error = outcome
                    .message
                    .clone()
                    .filter(|_| outcome.status == "error");
                if st.next_refresh.is_some() {
                    st.next_refresh = Some(next_due(now, st.kind, &config.refresh));
                }
            }
            match outcome.status {
                "ok" => eprintln!(
                    "lockstep serve: refreshed {symbol} from {}: {} added, {} revised",
                    outcome.provider.as_deref().unwrap_or("?"),
                    outcome.added,
                    outcome.revised
                ),
                _ => eprintln!(
                    "lockstep serve: {symbol}: {}: {}",
                    outcome.status,
                    outcome.message.as_deref().unwrap_or("")
                ),
            }
            outcomes.push(outcome);
        }
        let refreshed: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.status == "ok")
            .map(|o| o.symbol.as_str())
            .collect();
        let mut pairs = Vec::new();
        let mut alerts = Vec::new();
        for pair in &config.pairs {
            if !refreshed.contains(&pair.a.as_str()) && !refreshed.contains(&pair.b.as_str()) {
                continue;
            }
            let data = match legs(store, pair).map_err(ApiError::from).and_then(|l| {
                let intraday = intraday_listing(store, pair)?;
                compute(
                    pair,
                    inputs(store, pair, l, intraday)?,
                    self.analysis_options(pair),
                )
            }) {
                Ok(d) => Arc::new(d),
                Err(e) => {
                    eprintln!("lockstep serve: {}: {}", pair.id, e.message);
                    continue;
                }
            };
            alerts.extend(lockstep_alerts::check(
                store,
                &pair.label(),
                &data.report,
                data.signals.as_ref().ok(),
                &config.alerts,
            )?);
            self.insert(&cache_key(pair), data);
            pairs.push(pair.id.clone());
        }
        let deliveries = dispatcher.deliver_due(store, lockstep_alerts::unix_now())?;
        Ok(RefreshReport {
            started_at,
            finished_at: Utc::now(),
            symbols: outcomes,
            pairs,
            alerts,
            deliveries,
        })
    }

    /// Detect and record the alerts of every pair's current report since its previous check
    /// ([`lockstep_alerts::check`]), then deliver the pending deliveries that are due
    /// (blocking). Detection is a pure function of the report and an alert's key is recorded
    /// once, so running this at every start and every tick records each transition exactly
    /// once, whatever wrote the data (this server's refresh or another process such as
    /// `lockstep fetch`), including the transitions dated while the server was stopped.
    pub fn check_alerts(&self) -> Result<(Vec<StoredAlert>, DeliveryStats), ServerError> {
        let config = self.config();
        let mut computed = Vec::new();
        for pair in &config.pairs {
            match self.pair_data(pair) {
                Ok(d) => computed.push((pair, d)),
                // A leg not stored yet is shown on the page; nothing to watch.
                Err(e) if e.status == axum::http::StatusCode::SERVICE_UNAVAILABLE => {}
                Err(e) => eprintln!("lockstep serve: {}: {}", pair.id, e.message),
            }
        }
        let mut worker = lock(&self.inner.worker);
        let Worker { store, dispatcher } = &mut *worker;
        let mut alerts = Vec::new();
        for (pair, d) in computed {
            alerts.extend(lockstep_alerts::check(
                store,
                &pair.label(),
                &d.report,
                d.signals.as_ref().ok(),
                &config.alerts,
            )?);
        }
        let deliveries = dispatcher.deliver_due(store, lockstep_alerts::unix_now())?;
        Ok((alerts, deliveries))
    }

    /// When the earliest pending alert delivery is due, if any is pending.
    pub fn next_delivery(&self) -> Option<DateTime<Utc>> {
        let worker = lock(&self.inner.worker);
        let t = worker.store.next_pending_attempt().ok().flatten()?;
        DateTime::from_timestamp(t, 0)
    }

    /// Deliver the pending alert deliveries that are due (blocking).
    pub fn deliver_due(&self) -> Result<DeliveryStats, ServerError> {
        let mut worker = lock(&self.inner.worker);
        let Worker { store, dispatcher } = &mut *worker;
        Ok(dispatcher.deliver_due(store, lockstep_alerts::unix_now())?)
    }

    /// The symbols due for a scheduled refresh at `now`, and the earliest future due time.
    fn due(&self, now: DateTime<Utc>) -> (Vec<String>, Option<DateTime<Utc>>) {
        let schedule = lock(&self.inner.schedule);
        let mut due = Vec::new();
        let mut next: Option<DateTime<Utc>> = None;
        for s in schedule.values() {
            match s.next_refresh {
                Some(t) if t <= now => due.push(s.symbol.clone()),
                Some(t) => next = Some(next.map_or(t, |n| n.min(t))),
                None => {}
            }
        }
        (due, next)
    }

    /// The scheduler: refreshes each symbol when due (see [`crate::next_due`]); at start, every
    /// [`DELIVERY_INTERVAL`] and when a pending delivery's retry is due, checks the pairs for
    /// alerts and delivers them ([`AppState::check_alerts`]); until `stop` turns true.
    pub(crate) async fn run_scheduler(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut last_delivery: Option<tokio::time::Instant> = None;
        loop {
            if *stop.borrow() {
                return;
            }
            let (due, _) = self.due(Utc::now());
            if !due.is_empty() {
                // The cycle delivers the pending alerts too.
                if let Err(e) = self.refresh_symbols(due.clone()).await {
                    eprintln!("lockstep serve: refresh failed: {}", chain(&e));
                    // Whatever failed, do not retry in a loop.
                    let retry = Utc::now() + chrono::Duration::minutes(5);
                    for st in lock(&self.inner.schedule).values_mut() {
                        if due.contains(&st.symbol) && st.next_refresh.is_some_and(|t| t < retry) {
                            st.next_refresh = Some(retry);
                        }
                    }
                }
                last_delivery = Some(tokio::time::Instant::now());
            } else if last_delivery.is_none_or(|t| t.elapsed() >= DELIVERY_INTERVAL)
                || self.next_delivery().is_some_and(|t| t <= Utc::now())
            {
                let state = self.clone();
                match tokio::task::spawn_blocking(move || state.check_alerts()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => eprintln!("lockstep serve: alert delivery: {}", chain(&e)),
                    Err(e) => eprintln!("lockstep serve: alert delivery task: {e}"),
                }
                last_delivery = Some(tokio::time::Instant::now());
            }
            let (_, next) = self.due(Utc::now());
            let mut wait = DELIVERY_INTERVAL;
            for t in next.into_iter().chain(self.next_delivery()) {
                wait = wait.min((t - Utc::now()).to_std().unwrap_or_default());
            }
            // Never spin: a slot is at least a second away.
            let wait = wait.max(StdDuration::from_secs(1));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

fn initial_schedule(
    config: &ServeConfig,
    store: &Store,
    fetcher: Option<&Fetcher>,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, SymbolStatus>, ServerError> {
    let scheduled = config.refresh.enabled && fetcher.is_some();
    let mut out = BTreeMap::new();
    for symbol in config.symbols() {
        let listing = store.listing(&symbol)?;
        let kind = match &listing {
            Some(l) => SymbolKind::of_instrument(&l.instrument),
            None => fetcher
                .and_then(|f| f.config().resolve(&symbol, None).ok())
                .and_then(|r| r.first().map(|r| r.asset_class))
                .map_or(SymbolKind::Exchange, |c| {
                    if c == lockstep_core::AssetClass::Crypto {
                        SymbolKind::Crypto
                    } else {
                        SymbolKind::Exchange
                    }
                }),
        };
        let imported = listing
            .as_ref()
            .is_some_and(|l| l.instrument.provider == "import");
        let last = listing
            .as_ref()
            .and_then(|l| l.last_refresh.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        // Overdue (never fetched, or a slot passed since the last fetch): due now.
        let next = match last {
            Some(t) => next_due(t, kind, &config.refresh),
            None => now,
        };
        out.insert(
            symbol.clone(),
            SymbolStatus {
                symbol,
                kind,
                next_refresh: (scheduled && !imported).then_some(next),
                last_attempt: None,
                last_error: None,
            },
        );
    }
    Ok(out)
}

fn refresh_one(store: &mut Store, fetcher: &Fetcher, symbol: &str) -> SymbolOutcome {
    let mut out = SymbolOutcome {
        symbol: symbol.to_string(),
        status: "error",
        provider: None,
        added: 0,
        revised: 0,
        last: None,
        message: None,
    };
    match store.instrument(symbol) {
        Ok(Some(i)) if i.provider == "import" => {
            out.status = "skipped";
            out.provider = Some(i.provider);
            out.message = Some("imported from a file: no provider to refresh from".into());
            return out;
        }
        Ok(_) => {}
        Err(e) => {
            out.message = Some(chain(&e));
            return out;
        }
    }
    let today = Utc::now().date_naive();
    match refresh_symbol(store, fetcher, symbol, None, None, today, &mut |_| {}) {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("lockstep serve: warning: {symbol}: {w}");
            }
            out.status = "ok";
            out.provider = Some(r.provider);
            out.added = r.stats.added;
            out.revised = r.stats.revised;
            out.last = r.last;
        }
        Err(e) => out.message = Some(chain(&e)),
    }
    out
}

fn leg(store: &Store, symbol: &str) -> Result<LegInfo, StoreError> {
    let listing = store.listing(symbol)?;
    let last_failure = store
        .fetch_log_for(Some(symbol), Some(lockstep_core::Interval::D1), 1)?
        .into_iter()
        .find(|e| e.status == "error")
        .map(|e| e.message.unwrap_or_else(|| "failed".into()));
    Ok(match listing {
        Some(l) => LegInfo {
            symbol: symbol.to_string(),
            stored: true,
            provider: Some(l.instrument.provider),
            first: l.first,
            last: l.last,
            bars: l.bars,
            last_refresh: l.last_refresh,
            last_failure,
        },
        None => LegInfo {
            symbol: symbol.to_string(),
            stored: false,
            provider: None,
            first: None,
            last: None,
            bars: 0,
            last_refresh: None,
            last_failure,
        },
    })
}

fn legs(store: &Store, pair: &PairConfig) -> Result<[LegInfo; 2], StoreError> {
    Ok([leg(store, &pair.a)?, leg(store, &pair.b)?])
}

fn series(store: &Store, symbol: &str) -> Result<PriceSeries, ApiError> {
    store.series(symbol).map_err(|e| match e {
        StoreError::NotStored(_) => ApiError::unavailable(format!(
            "{symbol} is not in the store yet (`lockstep fetch {symbol}` or the next refresh \
             adds it)"
        )),
        e => ApiError::from(e),
    })
}

/// Whether two readings of the legs describe the same stored data (a failed fetch changes
/// nothing).
fn same_data(x: &[LegInfo; 2], y: &[LegInfo; 2]) -> bool {
    x.iter().zip(y).all(|(x, y)| {
        (&x.provider, x.first, x.last, x.bars, &x.last_refresh)
            == (&y.provider, y.first, y.last, y.bars, &y.last_refresh)
    })
}

/// The cache key of a pair on its clock.
fn cache_key(pair: &PairConfig) -> String {
    format!("{}|{}", pair.id, pair.clock.name())
}

/// The intraday intervals stored of both legs of `pair` (what the clocks read).
fn intraday_listing(store: &Store, pair: &PairConfig) -> Result<Vec<IntervalListing>, StoreError> {
    let mut out = Vec::new();
    for symbol in [&pair.a, &pair.b] {
        out.extend(
            store
                .intervals(symbol)?
                .into_iter()
                .filter(|l| l.interval.is_intraday()),
        );
    }
    Ok(out)
}

/// What a pair's analysis reads from the store.
struct Inputs {
    legs: [LegInfo; 2],
    intraday: Vec<IntervalListing>,
    a: PriceSeries,
    b: PriceSeries,
    /// The every-day leg's finest stored intraday bars, and whether that leg is A (a pair
    /// of an every-day leg and an exchange leg only).
    bars: Option<(IntradaySeries, bool)>,
}

fn inputs(
    store: &Store,
    pair: &PairConfig,
    legs: [LegInfo; 2],
    intraday: Vec<IntervalListing>,
) -> Result<Inputs, ApiError> {
    let (a, b) = (series(store, &pair.a)?, series(store, &pair.b)?);
    let bars = match every_day_leg(&a, &b) {
        Some(every_is_a) => {
            let symbol = if every_is_a { &pair.a } else { &pair.b };
            stored_intraday(store, symbol, None, Some(lockstep_core::Interval::H1))?
                .map(|s| (s, every_is_a))
        }
        None => None,
    };
    Ok(Inputs {
        legs,
        intraday,
        a,
        b,
        bars,
    })
}

fn compute(
    pair: &PairConfig,
    input: Inputs,
    (options, backdrop): (AnalyzeOptions, Backdrop),
) -> Result<PairData, ApiError> {
    let Inputs {
        legs,
        intraday,
        a,
        b,
        bars,
    } = input;
    let every = every_day_leg(&a, &b);
    let r = Resolved {
        a,
        b,
        options,
        backdrop,
    };
    let plain = |r: Resolved| {
        PairRun::compute(r).map_err(|e| {
            ApiError::internal(format!("cannot analyze {}: {}", pair.label(), chain(&e)))
        })
    };
    let run = match (pair.clock, bars) {
        // With the every-day leg's intraday bars the report compares both clocks, as
        // `lockstep analyze` does.
        (clock, Some((bars, every_is_a))) => {
            match PairRun::on_clocks(r.clone(), every_is_a, &bars, clock) {
                Ok(run) => run,
                Err(e) if clock == Clock::Exchange => {
                    return Err(ApiError::unavailable(format!(
                        "{} on the exchange clock: {}",
                        pair.label(),
                        lockstep_session::chain(&e)
                    )))
                }
                Err(e) => {
                    eprintln!(
                        "lockstep serve: {}: no clock comparison: {}",
                        pair.id,
                        lockstep_session::chain(&e)
                    );
                    plain(r)?
                }
            }
        }
        (Clock::Utc, None) => plain(r)?,
        (Clock::Exchange, None) => {
            return Err(match every {
                Some(every_is_a) => {
                    let symbol = if every_is_a { &pair.a } else { &pair.b };
                    ApiError::unavailable(format!(
                        "{} on the exchange clock needs intraday bars of {symbol} in the store \
                         (`lockstep fetch {symbol} --interval 1h`)",
                        pair.label()
                    ))
                }
                None => ApiError::bad_request(format!(
                    "the exchange clock needs one leg that trades every day and one on an \
                     exchange calendar: {} has not",
                    pair.label()
                )),
            })
        }
    };
    let signals = run.signals(&RuleSet::builtin()).map_err(|e| chain(&e));
    let backtest = match &signals {
        Ok(s) => run
            .backtest(s, &Strategy::overlay(), None)
            .map_err(|e| chain(&e)),
        Err(e) => Err(e.clone()),
    };
    Ok(PairData {
        report: run.report,
        signals,
        backtest,
        computed_at: Utc::now(),
        legs,
        intraday,
        charts: OnceLock::new(),
        figures: OnceLock::new(),
    })
}
