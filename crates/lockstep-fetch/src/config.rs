//! Configuration (`$LOCKSTEP_HOME/config.toml` plus `LOCKSTEP_*_URL` overrides) and symbol
//! resolution into a provider fallback chain.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use lockstep_core::AssetClass;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::provider::{provider_names, NameSeed};
use crate::{FetchError, ProviderKind};

/// `[providers.<name>]`: connection settings of one provider. Every key is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Base URL (scheme, host, optional port and path prefix); a trailing slash is ignored.
    pub url: Option<String>,
    /// Connect and read timeout in seconds (default 30).
    pub timeout_secs: Option<u64>,
    /// Retries after the first attempt for transient failures (default 4).
    pub retries: Option<u32>,
    /// Base of the exponential backoff in milliseconds (default 500).
    pub backoff_ms: Option<u64>,
    /// Minimum gap between two requests to this provider, in milliseconds.
    pub min_interval_ms: Option<u64>,
    /// User-Agent header (default: the provider's [`ProviderSpec::user_agent`], a desktop
    /// browser's for Yahoo, Stooq and FRED; `lockstep/<version>` else).
    ///
    /// [`ProviderSpec::user_agent`]: crate::ProviderSpec::user_agent
    pub user_agent: Option<String>,
}

/// `[providers]`: one optional table per provider, keyed by provider (a missing table is an
/// empty one). Read and written like a struct with one field per provider name, so unknown
/// providers are errors naming the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ProvidersConfig {
    /// Every provider's table (always all of [`ProviderKind::ALL`]).
    tables: BTreeMap<ProviderKind, ProviderConfig>,
}

impl Default for ProvidersConfig {
    fn default() -> Self {
        ProvidersConfig {
            tables: ProviderKind::ALL
                .into_iter()
                .map(|k| (k, ProviderConfig::default()))
                .collect(),
        }
    }
}

impl ProvidersConfig {
    /// The table of one provider.
    pub fn get(&self, kind: ProviderKind) -> &ProviderConfig {
        static UNSET: ProviderConfig = ProviderConfig {
            url: None,
            timeout_secs: None,
            retries: None,
            backoff_ms: None,
            min_interval_ms: None,
            user_agent: None,
        };
        self.tables.get(&kind).unwrap_or(&UNSET)
    }

    /// The table of one provider, mutably.
    pub fn get_mut(&mut self, kind: ProviderKind) -> &mut ProviderConfig {
        self.tables.entry(kind).or_default()
    }
}

// Debug and serde as `#[derive]`d for a struct with one field per provider (`yahoo: ...`,
// `#[serde(default, deny_unknown_fields)]`): the same output and messages, names from the table.

impl fmt::Debug for ProvidersConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ProvidersConfig");
        for kind in ProviderKind::ALL {
            s.field(kind.name(), self.get(kind));
        }
        s.finish()
    }
}

impl Serialize for ProvidersConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ProvidersConfig", ProviderKind::ALL.len())?;
        for kind in ProviderKind::ALL {
            s.serialize_field(kind.name(), self.get(kind))?;
        }
        s.end()
    }
}

impl<'de> Deserialize<'de> for ProvidersConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ProvidersVisitor;

        impl<'de> Visitor<'de> for ProvidersVisitor {
            type Value = ProvidersConfig;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct ProvidersConfig")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut tables = BTreeMap::new();
                for kind in ProviderKind::ALL {
                    let table = seq.next_element::<ProviderConfig>()?.unwrap_or_default();
                    tables.insert(kind, table);
                }
                Ok(ProvidersConfig { tables })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut config = ProvidersConfig {
                    tables: BTreeMap::new(),
                };
                while let Some(kind) = map.next_key_seed(NameSeed::Field)? {
                    if config.tables.contains_key(&kind) {
                        return Err(de::Error::duplicate_field(kind.name()));
                    }
                    let table = map.next_value::<ProviderConfig>()?;
                    config.tables.insert(kind, table);
                }
                for kind in ProviderKind::ALL {
                    config.get_mut(kind);
                }
                Ok(config)
            }
        }

        deserializer.deserialize_struct("ProvidersConfig", provider_names(), ProvidersVisitor)
    }
}

/// `[symbols."<SYMBOL>"]`: how one symbol is fetched. Every key is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymbolConfig {
    /// The fallback chain, in order (replaces the built-in chain).
    pub providers: Option<Vec<ProviderKind>>,
    /// The provider's own ticker, per provider (`{ coinbase = "ETH-USD", binance = "ETHUSDT" }`).
    #[serde(default)]
    pub tickers: BTreeMap<ProviderKind, String>,
    /// Instrument kind (`crypto`, `index`, `etf`, `equity`, `future`, `macro`, `other`).
    pub asset_class: Option<AssetClass>,
}

/// The configuration of the fetchers: provider settings and per-symbol routing.
///
/// ```toml
/// [providers.yahoo]
/// url = "https://query2.finance.yahoo.com"
/// timeout_secs = 30
/// retries = 4
/// backoff_ms = 500
/// min_interval_ms = 300
///
/// [symbols."ETH-USD"]
/// providers = ["yahoo", "coinbase"]
/// tickers = { coinbase = "ETH-USD", binance = "ETHUSDT" }
/// asset_class = "crypto"
/// ```
///
/// Unknown keys are errors naming the key, so a typo is never silently ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[providers.*]`.
    #[serde(default)]
    pub providers: ProvidersConfig,
    /// `[symbols."*"]`, keyed by the symbol as the user types it.
    #[serde(default)]
    pub symbols: BTreeMap<String, SymbolConfig>,
    /// `[regimes]`: overrides of the risk-on / risk-off rule (read by the analysis, kept here
    /// so that one file is parsed, and checked, in one place).
    #[serde(default)]
    pub regimes: Option<RegimesConfig>,
    /// `[controls]`: the default control of a pair by asset class (read by the analysis).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub controls: BTreeMap<String, ControlList>,
    /// `[serve]`: the dashboard server's table, kept as read (its keys are checked by
    /// `lockstep-server`'s own parser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve: Option<RawTable>,
}

/// A TOML table kept as read, for a table another crate parses (`[serve]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawTable(pub toml::Table);

// Compared only in tests of the whole configuration; TOML values are never NaN there.
impl Eq for RawTable {}

/// `[controls]`: the series a pair's correlation is controlled for when none is named
/// (`--control`), keyed by asset class (`crypto`, `index`, `etf`, `equity`, `future`,
/// `macro`, `other`) or `default` (any pair); a value is one symbol or CSV path, or a list
/// (`[]`: no control for that class).
///
/// ```toml
/// [controls]
/// index = "SPY"           # a pair whose benchmark (B) is an index: control for the S&P 500
/// equity = ["SPY"]
/// crypto = "BTC-USD"
/// ```
///
/// B's class is looked up first, then A's, then `default`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ControlList {
    /// One series.
    One(String),
    /// Several (or none).
    Many(Vec<String>),
}

impl ControlList {
    /// The series, in order.
    pub fn series(&self) -> Vec<String> {
        match self {
            ControlList::One(s) => vec![s.clone()],
            ControlList::Many(v) => v.clone(),
        }
    }
}

/// The keys `[controls]` accepts: the asset classes and `default`.
pub const CONTROL_KEYS: [&str; 8] = [
    "crypto", "index", "etf", "equity", "future", "macro", "other", "default",
];

/// `[regimes]`: the risk-on / risk-off rule's parameters; every key optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimesConfig {
    /// Moving-average window of the price (default 200).
    pub ma_window: Option<usize>,
    /// Realized-volatility window (default 20).
    pub vol_window: Option<usize>,
    /// Number of volatility values whose median is the threshold (default 252).
    pub vol_lookback: Option<usize>,
}

/// Provider settings with every default applied (see [`Config::settings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSettings {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Backoff base: the n-th retry waits about `backoff × 2^n` (capped at 30 s).
    pub backoff: Duration,
    /// Minimum gap between two requests.
    pub min_interval: Duration,
    /// User-Agent header.
    pub user_agent: String,
}

impl Config {
    /// The file [`Config::load`] reads: `<home>/config.toml`.
    pub fn path(home: &Path) -> std::path::PathBuf {
        home.join("config.toml")
    }

    /// Read `<home>/config.toml` if it exists (a missing file is an empty configuration), then
    /// apply the `LOCKSTEP_*_URL` environment variables, which win over the file.
    pub fn load(home: &Path) -> Result<Config, FetchError> {
        let path = Config::path(home);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(FetchError::config(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )))
            }
        };
        Config::from_parts_named(text.as_deref(), &path.display().to_string(), |k| {
            std::env::var(k).ok()
        })
    }

    /// Build a configuration from TOML text (if any) and an environment lookup: the injectable
    /// core of [`Config::load`]. Empty environment values are ignored.
    pub fn from_parts(
        toml_text: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, FetchError> {
        Config::from_parts_named(toml_text, "config.toml", env)
    }

    fn from_parts_named(
        toml_text: Option<&str>,
        file: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, FetchError> {
        let mut config = match toml_text {
            Some(text) => Config::parse(text, file)?,
            None => Config::default(),
        };
        for kind in ProviderKind::ALL {
            if let Some(url) = env(kind.env_var()).filter(|v| !v.trim().is_empty()) {
                config.providers.get_mut(kind).url = Some(url.trim().to_string());
            }
        }
        config.validate(file)?;
        Ok(config)
    }

    /// Parse TOML text; errors name `file`, the line and the offending key.
    pub fn parse(text: &str, file: &str) -> Result<Config, FetchError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            FetchError::config(format!(
                "invalid config file {file}: {}",
                e.to_string().trim_end()
            ))
        })?;
        config.validate(file)?;
        Ok(config)
    }

    fn validate(&self, file: &str) -> Result<(), FetchError> {
        for kind in ProviderKind::ALL {
            let p = self.providers.get(kind);
            if let Some(url) = &p.url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(FetchError::config(format!(
                        "{file}: providers.{kind}.url = {url:?} is not an http:// or https:// URL \
                         (set in the file or by {})",
                        kind.env_var()
                    )));
                }
            }
            if p.timeout_secs == Some(0) {
                return Err(FetchError::config(format!(
                    "{file}: providers.{kind}.timeout_secs must be at least 1"
                )));
            }
        }
        for (key, list) in &self.controls {
            if !CONTROL_KEYS.contains(&key.as_str()) {
                return Err(FetchError::config(format!(
                    "{file}: controls.{key} is not an asset class: use one of {}",
                    CONTROL_KEYS.join(", ")
                )));
            }
            if list.series().iter().any(|s| s.trim().is_empty()) {
                return Err(FetchError::config(format!(
                    "{file}: controls.{key} names an empty series"
                )));
            }
        }
        for (symbol, s) in &self.symbols {
            if s.providers.as_ref().is_some_and(Vec::is_empty) {
                return Err(FetchError::config(format!(
                    "{file}: symbols.{symbol:?}.providers is empty"
                )));
            }
        }
        Ok(())
    }

    /// The settings of one provider with defaults applied: the public URL, 30 s timeout, 4
    /// retries, 500 ms backoff, [`ProviderKind::default_min_interval_ms`].
    pub fn settings(&self, kind: ProviderKind) -> ProviderSettings {
        let p = self.providers.get(kind);
        let base = p.url.as_deref().unwrap_or(kind.default_url());
        ProviderSettings {
            base_url: base.trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(p.timeout_secs.unwrap_or(30)),
            retries: p.retries.unwrap_or(4),
            backoff: Duration::from_millis(p.backoff_ms.unwrap_or(500)),
            min_interval: Duration::from_millis(
                p.min_interval_ms.unwrap_or(kind.default_min_interval_ms()),
            ),
            user_agent: p
                .user_agent
                .clone()
                .unwrap_or_else(|| kind.default_user_agent().to_string()),
        }
    }

    /// The asset class of a symbol: its `[symbols]` entry's, else the built-in rules' (`^X`
    /// an index, a known ETF, `BASE-USD` crypto, `fred:` macro, another ticker an equity).
    pub fn asset_class(&self, symbol: &str) -> AssetClass {
        let symbol = symbol.trim();
        self.symbol_entry(symbol)
            .and_then(|e| e.asset_class)
            .unwrap_or_else(|| SymbolKind::classify(symbol).asset_class())
    }

    /// The default controls of the pair (A, B) from `[controls]`: B's class's, else A's, else
    /// `default`; `None` when none of them is set (`Some(vec![])` when one is set to `[]`).
    /// `a_class`/`b_class` are `None` for a file or ratio.
    pub fn default_controls(
        &self,
        a_class: Option<AssetClass>,
        b_class: Option<AssetClass>,
    ) -> Option<Vec<String>> {
        [b_class.map(AssetClass::name), a_class.map(AssetClass::name)]
            .into_iter()
            .flatten()
            .chain(std::iter::once("default"))
            .find_map(|k| self.controls.get(k))
            .map(ControlList::series)
    }

    /// The `[symbols]` entry of a symbol: exact key first, then case-insensitively.
    fn symbol_entry(&self, symbol: &str) -> Option<&SymbolConfig> {
        self.symbols.get(symbol).or_else(|| {
            self.symbols
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(symbol))
                .map(|(_, v)| v)
        })
    }

    /// The fallback chain for a symbol (see the crate documentation for the built-in rules);
    /// with `forced`, only that provider. `[symbols]` entries override the built-in chain,
    /// tickers and asset class.
    pub fn resolve(
        &self,
        symbol: &str,
        forced: Option<ProviderKind>,
    ) -> Result<Vec<Route>, FetchError> {
        let symbol = symbol.trim();
        if symbol.is_empty() {
            return Err(FetchError::config("empty symbol"));
        }
        // `.` and `..` would reach the URL as path segments and be collapsed by it.
        if symbol
            .rsplit(':')
            .next()
            .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b == b'.'))
        {
            return Err(FetchError::config(format!(
                "{symbol:?} is not a symbol (a ticker cannot be only dots)"
            )));
        }
        let kind = SymbolKind::classify(symbol);
        let entry = self.symbol_entry(symbol);
        let asset_class = entry
            .and_then(|e| e.asset_class)
            .unwrap_or_else(|| kind.asset_class());
        let chain: Vec<ProviderKind> = match forced {
            Some(p) => vec![p],
            None => entry
                .and_then(|e| e.providers.clone())
                .unwrap_or_else(|| kind.default_chain()),
        };
        let mut routes = Vec::new();
        for provider in chain {
            let ticker = entry
                .and_then(|e| e.tickers.get(&provider).cloned())
                .or_else(|| kind.ticker(provider));
            match ticker {
                Some(ticker) if ticker.bytes().all(|b| b == b'.') => {
                    return Err(FetchError::config(format!(
                        "{symbol}: the {provider} ticker {ticker:?} is not a ticker (only dots)"
                    )))
                }
                Some(ticker) => routes.push(Route {
                    provider,
                    ticker,
                    asset_class,
                }),
                None => {
                    return Err(FetchError::config(format!(
                        "{symbol}: no {provider} ticker is known for this symbol; \
                         add one with [symbols.{symbol:?}] tickers = {{ {provider} = \"...\" }} \
                         in config.toml"
                    )))
                }
            }
        }
        Ok(routes)
    }
}

/// One step of a fallback chain: which provider, under which ticker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The provider.
    pub provider: ProviderKind,
    /// The provider's own ticker (`ETH-USD`, `ETHUSDT`, `^rut`, `DGS2`).
    pub ticker: String,
    /// The instrument kind assumed for the symbol (a provider that reports one, like Yahoo's
    /// `instrumentType`, wins in the fetched [`lockstep_core::Instrument`]).
    pub asset_class: AssetClass,
}

/// Crypto bases the built-in rules recognise in `BASE-USD` symbols.
pub const KNOWN_CRYPTO: &[&str] = &[
    "BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "DOT", "LTC", "BCH", "LINK", "AVAX", "MATIC", "POL",
    "UNI", "ATOM", "XLM", "ETC", "TRX", "SHIB", "NEAR", "APT", "ARB", "OP", "FIL", "AAVE", "ALGO",
    "XTZ", "EOS", "SUI", "PEPE", "BNB", "TON", "HBAR", "ICP", "MKR", "COMP", "CRV", "SNX",
];

/// ETFs the built-in rules recognise (others are assumed to be equities until a provider says
/// otherwise).
const KNOWN_ETF: &[&str] = &[
    "IWM", "SPY", "QQQ", "GLD", "SLV", "DIA", "TLT", "IEF", "SHY", "HYG", "LQD", "EEM", "EFA",
    "VTI", "VOO", "IVV", "XLF", "XLE", "XLK", "ARKK", "USO", "UNG", "IBIT", "ETHA", "GBTC",
];

/// What the built-in rules make of a symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SymbolKind {
    /// `fred:SERIES`.
    Fred(String),
    /// `BASE-QUOTE` with a known crypto base.
    Crypto { base: String, quote: String },
    /// `BASE-QUOTE` with an unknown base (Yahoo only by default).
    Pair { base: String, quote: String },
    /// `^INDEX`.
    Index(String),
    /// `XX=F`.
    Future(String),
    /// Anything else: a stock or ETF ticker.
    Plain(String),
}

impl SymbolKind {
    fn classify(symbol: &str) -> SymbolKind {
        if let Some((prefix, id)) = symbol.split_once(':') {
            if prefix.eq_ignore_ascii_case("fred") {
                return SymbolKind::Fred(id.trim().to_ascii_uppercase());
            }
        }
        let upper = symbol.to_ascii_uppercase();
        if upper.starts_with('^') {
            return SymbolKind::Index(upper);
        }
        if let Some(root) = upper.strip_suffix("=F") {
            return SymbolKind::Future(root.to_string());
        }
        if let Some((base, quote)) = upper.split_once('-') {
            if matches!(
                quote,
                "USD" | "USDT" | "USDC" | "EUR" | "GBP" | "BTC" | "ETH"
            ) {
                let (base, quote) = (base.to_string(), quote.to_string());
                return if KNOWN_CRYPTO.contains(&base.as_str()) {
                    SymbolKind::Crypto { base, quote }
                } else {
                    SymbolKind::Pair { base, quote }
                };
            }
        }
        SymbolKind::Plain(upper)
    }

    fn asset_class(&self) -> AssetClass {
        match self {
            SymbolKind::Fred(_) => AssetClass::Macro,
            SymbolKind::Crypto { .. } => AssetClass::Crypto,
            SymbolKind::Pair { .. } => AssetClass::Other,
            SymbolKind::Index(_) => AssetClass::Index,
            SymbolKind::Future(_) => AssetClass::Future,
            SymbolKind::Plain(t) if KNOWN_ETF.contains(&t.as_str()) => AssetClass::Etf,
            SymbolKind::Plain(_) => AssetClass::Equity,
        }
    }

    fn default_chain(&self) -> Vec<ProviderKind> {
        use ProviderKind::*;
        match self {
            SymbolKind::Fred(_) => vec![Fred],
            SymbolKind::Crypto { .. } => vec![Yahoo, Coinbase, Binance],
            SymbolKind::Pair { .. } => vec![Yahoo],
            SymbolKind::Index(_) | SymbolKind::Future(_) | SymbolKind::Plain(_) => {
                vec![Yahoo, Stooq]
            }
        }
    }

    /// The provider's ticker for the symbol, when the built-in rules can make one.
    fn ticker(&self, provider: ProviderKind) -> Option<String> {
        use ProviderKind::*;
        match (self, provider) {
            (SymbolKind::Fred(id), Fred) => Some(id.clone()),
            (SymbolKind::Fred(_), _) => None,
            (SymbolKind::Crypto { base, quote } | SymbolKind::Pair { base, quote }, p) => match p {
                Yahoo | Coinbase => Some(format!("{base}-{quote}")),
                // Binance has no USD spot market; USDT is the closest quote.
                Binance if quote == "USD" => Some(format!("{base}USDT")),
                Binance => Some(format!("{base}{quote}")),
                // Other providers: no built-in ticker (set one in `[symbols]`).
                _ => None,
            },
            (SymbolKind::Index(t), Yahoo) => Some(t.clone()),
            (SymbolKind::Index(t), Stooq) => Some(stooq_index(t)),
            (SymbolKind::Future(root), Yahoo) => Some(format!("{root}=F")),
            (SymbolKind::Future(root), Stooq) => Some(format!("{}.f", root.to_ascii_lowercase())),
            (SymbolKind::Plain(t), Yahoo) => Some(t.clone()),
            (SymbolKind::Plain(t), Stooq) => Some(stooq_plain(t)),
            // `--provider fred DGS2`: a plain ticker taken as a FRED series id.
            (SymbolKind::Plain(t), Fred) => Some(t.clone()),
            (SymbolKind::Index(_) | SymbolKind::Future(_) | SymbolKind::Plain(_), _) => None,
        }
    }
}

/// Stooq's name of a Yahoo index ticker (best effort: a few renames, otherwise lower case).
fn stooq_index(yahoo: &str) -> String {
    match yahoo {
        "^GSPC" => "^spx".into(),
        "^IXIC" => "^ndq".into(),
        "^NDX" => "^ndx".into(),
        "^DJI" => "^dji".into(),
        "^RUT" => "^rut".into(),
        "^N225" => "^nkx".into(),
        "^GDAXI" => "^dax".into(),
        "^FTSE" => "^ukx".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// Stooq's name of a plain ticker: US listings get `.us` (`IWM` → `iwm.us`); a ticker that
/// already has an exchange suffix (`VOD.L`) is only lower-cased (best effort).
fn stooq_plain(ticker: &str) -> String {
    let lower = ticker.to_ascii_lowercase();
    if lower.contains('.') {
        lower
    } else {
        format!("{lower}.us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> String {
        Config::parse(text, "f.toml").unwrap_err().to_string()
    }

    #[test]
    fn default_controls_by_asset_class() {
        let c = Config::parse(
            "[controls]\nindex = \"SPY\"\ncrypto = [\"BTC-USD\", \"QQQ\"]\nequity = []\n",
            "config.toml",
        )
        .unwrap();
        let class = |s: &str| Some(c.asset_class(s));
        assert_eq!(c.asset_class("^RUT"), AssetClass::Index);
        assert_eq!(c.asset_class("SPY"), AssetClass::Etf);
        // B's class first, then A's.
        assert_eq!(
            c.default_controls(class("ETH-USD"), class("^RUT")),
            Some(vec!["SPY".to_string()])
        );
        assert_eq!(
            c.default_controls(class("ETH-USD"), None),
            Some(vec!["BTC-USD".to_string(), "QQQ".to_string()])
        );
        assert_eq!(
            c.default_controls(class("ETH-USD"), class("AAPL")),
            Some(vec![])
        );
        assert_eq!(c.default_controls(None, class("GLD")), None);
        let d = Config::parse("[controls]\ndefault = \"SPY\"\n", "config.toml").unwrap();
        assert_eq!(
            d.default_controls(None, None),
            Some(vec!["SPY".to_string()])
        );
        let err = Config::parse("[controls]\nstocks = \"SPY\"\n", "config.toml").unwrap_err();
        assert!(err.to_string().contains("controls.stocks"), "{err}");
        assert!(Config::parse("[controls]\nindex = \"\"\n", "c").is_err());
        assert!(Config::parse("[controls]\nindex = 3\n", "c").is_err());
    }

    #[test]
    fn providers_are_read_and_written_as_before_the_table() {
        let names = "expected one of `yahoo`, `coinbase`, `binance`, `stooq`, `fred`";
        assert_eq!(
            parse_error("[providers.yahooo]\nurl = \"http://x\"\n"),
            format!(
                "invalid config file f.toml: TOML parse error at line 1, column 12\n  |\n\
                 1 | [providers.yahooo]\n  |            ^^^^^^\nunknown field `yahooo`, {names}"
            )
        );
        assert!(parse_error("[symbols.X]\nproviders = [\"coinbas\"]\n")
            .ends_with(&format!("unknown variant `coinbas`, {names}")));
        assert!(parse_error("[symbols.X]\ntickers = { binanse = \"X\" }\n")
            .ends_with(&format!("unknown variant `binanse`, {names}")));
        assert!(parse_error("providers = 3\n")
            .ends_with("invalid type: integer `3`, expected struct ProvidersConfig"));

        let c = Config::parse(
            "[providers]\nfred = { retries = 1 }\n[providers.stooq]\nurl = \"https://s/\"\n",
            "f.toml",
        )
        .unwrap();
        assert_eq!(c.providers.get(ProviderKind::Fred).retries, Some(1));
        assert_eq!(c.settings(ProviderKind::Stooq).base_url, "https://s");
        let mut expected = Config::default();
        expected.providers.get_mut(ProviderKind::Fred).retries = Some(1);
        expected.providers.get_mut(ProviderKind::Stooq).url = Some("https://s/".into());
        assert_eq!(c, expected);
        assert_eq!(
            toml::to_string(&c.providers).unwrap(),
            "[yahoo]\n\n[coinbase]\n\n[binance]\n\n[stooq]\nurl = \"https://s/\"\n\n\
             [fred]\nretries = 1\n"
        );
        let debug = format!("{:?}", ProvidersConfig::default());
        assert!(
            debug.starts_with("ProvidersConfig { yahoo: ProviderConfig { url: None,"),
            "{debug}"
        );
        assert!(debug.contains(", fred: ProviderConfig {"), "{debug}");
    }

    #[test]
    fn default_user_agents_come_from_the_specs() {
        let c = Config::default();
        for kind in ProviderKind::ALL {
            let ua = c.settings(kind).user_agent;
            match kind {
                ProviderKind::Coinbase | ProviderKind::Binance => {
                    assert_eq!(ua, concat!("lockstep/", env!("CARGO_PKG_VERSION")))
                }
                _ => assert!(ua.starts_with("Mozilla/5.0 "), "{kind}: {ua}"),
            }
        }
    }

    #[test]
    fn classifies_symbols() {
        let c = Config::default();
        let r = c.resolve("eth-usd", None).unwrap();
        let got: Vec<_> = r.iter().map(|r| (r.provider, r.ticker.as_str())).collect();
        assert_eq!(
            got,
            [
                (ProviderKind::Yahoo, "ETH-USD"),
                (ProviderKind::Coinbase, "ETH-USD"),
                (ProviderKind::Binance, "ETHUSDT")
            ]
        );
        assert_eq!(r[0].asset_class, AssetClass::Crypto);
        let r = c.resolve("^RUT", None).unwrap();
        assert_eq!(r[1].ticker, "^rut");
        assert_eq!(r[0].asset_class, AssetClass::Index);
        assert_eq!(c.resolve("^GSPC", None).unwrap()[1].ticker, "^spx");
        assert_eq!(c.resolve("iwm", None).unwrap()[1].ticker, "iwm.us");
        assert_eq!(
            c.resolve("IWM", None).unwrap()[0].asset_class,
            AssetClass::Etf
        );
        assert_eq!(c.resolve("GC=F", None).unwrap()[1].ticker, "gc.f");
        let r = c.resolve("fred:dgs2", None).unwrap();
        assert_eq!((r.len(), r[0].ticker.as_str()), (1, "DGS2"));
        assert!(c.resolve("fred:DGS2", Some(ProviderKind::Yahoo)).is_err());
        assert!(c.resolve("IWM", Some(ProviderKind::Coinbase)).is_err());
        assert_eq!(c.resolve("FOO-USD", None).unwrap().len(), 1);
        let r = c.resolve("FOO-USD", Some(ProviderKind::Binance)).unwrap();
        assert_eq!(r[0].ticker, "FOOUSDT");
        assert!(c.resolve("  ", None).is_err());
    }
}
