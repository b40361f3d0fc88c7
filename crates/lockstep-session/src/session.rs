//! One session of a front end: the home folder, `--offline`, `-v`, and the store and
//! fetcher, opened on first use.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use lockstep_fetch::{Config, Fetcher};
use lockstep_store::Store;

use crate::error::{Result, SessionError};

/// The folder of the store and config: `$LOCKSTEP_HOME`, else the platform data directory
/// + `lockstep`.
pub fn home() -> Result<PathBuf> {
    if let Some(h) = std::env::var_os("LOCKSTEP_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    dirs::data_dir()
        .map(|d| d.join("lockstep"))
        .ok_or_else(|| SessionError::msg("no data directory on this platform: set LOCKSTEP_HOME"))
}

/// The shared state of one command (or one request of the server): where the store is,
/// whether the network may be used, how much to say. The store and the fetcher are opened
/// on first use, so a command that reads only CSV files never touches them.
pub struct Session {
    /// `$LOCKSTEP_HOME` (or why there is none); only work that uses the store needs it.
    home: std::result::Result<PathBuf, String>,
    /// Nothing is fetched: stored symbols are used as they are (`--offline`).
    pub offline: bool,
    /// Say which file format was detected, what was fetched or refreshed (`-v`).
    pub verbose: bool,
    /// Keep provider bars whose close moves more than `lockstep_fetch::validate::MAX_JUMP`
    /// times from the previous one (`--accept-outliers`); refused by default.
    pub accept_outliers: bool,
    store: RefCell<Option<Store>>,
    fetcher: RefCell<Option<Fetcher>>,
}

impl Session {
    /// A session on `$LOCKSTEP_HOME` (see [`home`]).
    pub fn new(offline: bool, verbose: bool) -> Session {
        Session {
            home: home().map_err(|e| e.to_string()),
            offline,
            verbose,
            accept_outliers: false,
            store: RefCell::new(None),
            fetcher: RefCell::new(None),
        }
    }

    /// The same session keeping provider outliers (`--accept-outliers`).
    pub fn accept_outliers(mut self, accept: bool) -> Session {
        self.accept_outliers = accept;
        self
    }

    /// A session on the home folder `home`.
    pub fn at(home: impl Into<PathBuf>, offline: bool, verbose: bool) -> Session {
        Session {
            home: Ok(home.into()),
            offline,
            verbose,
            accept_outliers: false,
            store: RefCell::new(None),
            fetcher: RefCell::new(None),
        }
    }

    /// A session with the same home folder and flags and a store connection of its own
    /// (opened on first use): for reading the store on another thread.
    pub fn sibling(&self) -> Session {
        Session {
            home: self.home.clone(),
            offline: self.offline,
            verbose: self.verbose,
            accept_outliers: self.accept_outliers,
            store: RefCell::new(None),
            fetcher: RefCell::new(None),
        }
    }

    /// The home folder.
    pub fn home(&self) -> Result<&Path> {
        self.home
            .as_deref()
            .map_err(|e| SessionError::msg(e.clone()))
    }

    /// The database file.
    pub fn db_path(&self) -> Result<PathBuf> {
        Ok(self.home()?.join("lockstep.db"))
    }

    /// The configuration of the home folder (`config.toml`; defaults when absent).
    pub fn config(&self) -> Result<Config> {
        Ok(Config::load(self.home()?)?)
    }

    /// Run `f` with the open store.
    pub fn with_store<T, E: From<SessionError>>(
        &self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut slot = self.store.borrow_mut();
        if slot.is_none() {
            let path = self.db_path()?;
            *slot = Some(Store::open(&path).map_err(SessionError::from)?);
        }
        f(slot.as_mut().expect("opened above"))
    }

    /// Run `f` with the fetcher of the configuration.
    pub(crate) fn with_fetcher<T>(&self, f: impl FnOnce(&Fetcher) -> Result<T>) -> Result<T> {
        let mut slot = self.fetcher.borrow_mut();
        if slot.is_none() {
            *slot = Some(Fetcher::new(self.config()?).accept_outliers(self.accept_outliers));
        }
        f(slot.as_ref().expect("created above"))
    }

    /// The regime rule: the defaults, overridden by `[regimes]` of `config.toml`
    /// (`ma_window`, `vol_window`, `vol_lookback`).
    pub fn regime_rule(&self) -> Result<lockstep_stats::RegimeRule> {
        let mut rule = lockstep_stats::RegimeRule::default();
        let Ok(home) = self.home() else {
            return Ok(rule);
        };
        if let Some(r) = Config::load(home)?.regimes {
            if let Some(v) = r.ma_window {
                rule.ma_window = v;
            }
            if let Some(v) = r.vol_window {
                rule.vol_window = v;
            }
            if let Some(v) = r.vol_lookback {
                rule.vol_lookback = v;
            }
        }
        Ok(rule)
    }
}
