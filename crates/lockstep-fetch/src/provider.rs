//! The provider table: each provider module holds its facts in one [`ProviderSpec`] (name,
//! base URL, environment override, rate limit, User-Agent, intervals, fetch functions);
//! [`PROVIDERS`] lists them, and [`ProviderKind`] reads every fact from there.
//!
//! Adding a provider: write its module (with its `SPEC`), declare the module in `lib.rs`, add a
//! [`ProviderKind`] variant and one line to [`PROVIDERS`] (in the variants' order, which is
//! checked at compile time).

use std::fmt;
use std::str::FromStr;

use lockstep_core::Interval;
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, Unexpected, VariantAccess};
use serde::{Deserialize, Serialize, Serializer};

use crate::{
    binance, coinbase, fred, stooq, yahoo, Ctx, FetchError, IntradayCtx, Raw, RawIntraday,
};

/// A market-data provider. Its facts are in its [`ProviderSpec`] ([`ProviderKind::spec`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderKind {
    /// Yahoo Finance chart API (`/v8/finance/chart`).
    Yahoo,
    /// Coinbase Exchange public candles.
    Coinbase,
    /// Binance spot klines.
    Binance,
    /// Stooq daily CSV download.
    Stooq,
    /// FRED graph CSV (St. Louis Fed).
    Fred,
}

/// Every provider, one line each, in the order of [`ProviderKind`]'s variants (which is also
/// the order of the default chains and of `[providers]` when written out).
pub(crate) const PROVIDERS: &[&ProviderSpec] = &[
    &yahoo::SPEC,
    &coinbase::SPEC,
    &binance::SPEC,
    &stooq::SPEC,
    &fred::SPEC,
];

/// Number of providers.
const COUNT: usize = PROVIDERS.len();

// `ProviderKind::spec` indexes the table by variant: the i-th line must be the i-th variant.
const _: () = {
    let mut i = 0;
    while i < COUNT {
        assert!(
            PROVIDERS[i].kind as usize == i,
            "PROVIDERS must list the ProviderKind variants in their order"
        );
        i += 1;
    }
};

/// The providers' names, in table order (the "expected one of" list of messages).
static NAMES: [&str; COUNT] = {
    let mut names = [""; COUNT];
    let mut i = 0;
    while i < COUNT {
        names[i] = PROVIDERS[i].name;
        i += 1;
    }
    names
};

/// The providers' names, in table order, for serde's "expected one of" lists.
pub(crate) fn provider_names() -> &'static [&'static str] {
    &NAMES
}

/// A desktop browser User-Agent: Yahoo answers 429 to obvious bots.
pub(crate) const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

/// The User-Agent of a provider whose spec has none.
pub(crate) const LOCKSTEP_UA: &str = concat!("lockstep/", env!("CARGO_PKG_VERSION"));

/// How a provider fetches the daily bars of one route.
pub(crate) type FetchFn = fn(&mut Ctx<'_>) -> Result<Raw, FetchError>;

/// How a provider fetches the intraday bars of one route (for an interval of its
/// [`ProviderSpec::intervals`]).
pub(crate) type IntradayFetchFn = fn(&mut IntradayCtx<'_>) -> Result<RawIntraday, FetchError>;

/// The facts of one provider, kept in the provider's own module (`yahoo::SPEC`, ...).
pub struct ProviderSpec {
    /// The provider.
    pub kind: ProviderKind,
    /// Lower-case name, as written in `config.toml`, `--provider` and the store (`yahoo`).
    pub name: &'static str,
    /// One line saying what the provider serves.
    pub description: &'static str,
    /// The public base URL used when neither the config nor the environment sets one.
    pub default_url: &'static str,
    /// The environment variable overriding the base URL (`LOCKSTEP_YAHOO_URL`).
    pub env_var: &'static str,
    /// Default minimum gap between two requests, in milliseconds (a polite default well inside
    /// the provider's published or observed limits).
    pub default_min_interval_ms: u64,
    /// Default User-Agent header; `None`: `lockstep/<version>`.
    pub user_agent: Option<&'static str>,
    /// The bar intervals the provider serves, finest first (`1d` for every provider; the
    /// intraday ones only where `fetch_intraday` is set).
    pub intervals: &'static [Interval],
    /// Fetches the daily bars of one route.
    pub(crate) fetch: FetchFn,
    /// Fetches the intraday bars of one route; `None` for a daily-only provider.
    pub(crate) fetch_intraday: Option<IntradayFetchFn>,
}

impl ProviderSpec {
    /// Whether the provider serves bars of `interval`.
    pub fn serves(&self, interval: Interval) -> bool {
        self.intervals.contains(&interval)
    }

    /// Why the provider cannot serve `interval`, as the error [`crate::Fetcher`] returns; `None`
    /// when it can.
    pub(crate) fn refusal(&self, interval: Interval) -> Option<FetchError> {
        if self.serves(interval) && (!interval.is_intraday() || self.fetch_intraday.is_some()) {
            return None;
        }
        let message = if self.intervals == [Interval::D1] {
            format!("{} serves daily bars only, not {interval}", self.name)
        } else {
            let list: Vec<&str> = self.intervals.iter().map(|i| i.name()).collect();
            format!(
                "{} does not serve {interval} bars (it serves {})",
                self.name,
                list.join(", ")
            )
        };
        Some(FetchError::Unsupported {
            provider: self.kind,
            interval,
            message,
        })
    }
}

impl fmt::Debug for ProviderSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSpec")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("description", &self.description)
            .field("default_url", &self.default_url)
            .field("env_var", &self.env_var)
            .field("default_min_interval_ms", &self.default_min_interval_ms)
            .field("user_agent", &self.user_agent)
            .field("intervals", &self.intervals)
            .field("intraday", &self.fetch_intraday.is_some())
            .finish_non_exhaustive()
    }
}

impl ProviderKind {
    /// All providers, in the order of the default chains.
    pub const ALL: [ProviderKind; COUNT] = {
        let mut all = [PROVIDERS[0].kind; COUNT];
        let mut i = 0;
        while i < COUNT {
            all[i] = PROVIDERS[i].kind;
            i += 1;
        }
        all
    };

    /// The provider's facts.
    pub fn spec(self) -> &'static ProviderSpec {
        PROVIDERS[self as usize]
    }

    /// Lower-case name: `yahoo`, `coinbase`, `binance`, `stooq`, `fred`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The public base URL used when neither the config nor the environment sets one.
    pub fn default_url(self) -> &'static str {
        self.spec().default_url
    }

    /// The environment variable overriding the base URL (`LOCKSTEP_YAHOO_URL`, ...).
    pub fn env_var(self) -> &'static str {
        self.spec().env_var
    }

    /// Default minimum gap between two requests to the provider, in milliseconds (polite
    /// defaults well inside each provider's published or observed limits).
    pub fn default_min_interval_ms(self) -> u64 {
        self.spec().default_min_interval_ms
    }

    /// The bar intervals the provider serves, finest first.
    pub fn intervals(self) -> &'static [Interval] {
        self.spec().intervals
    }

    /// Whether the provider serves bars of `interval`.
    pub fn serves(self, interval: Interval) -> bool {
        self.spec().serves(interval)
    }

    /// The default User-Agent header: the spec's, else `lockstep/<version>`.
    pub(crate) fn default_user_agent(self) -> &'static str {
        self.spec().user_agent.unwrap_or(LOCKSTEP_UA)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProviderKind {
    type Err = FetchError;

    /// Parse a provider name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProviderKind::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                FetchError::config(format!(
                    "unknown provider {s:?}; expected one of {}",
                    NAMES.join(", ")
                ))
            })
    }
}

// Serde: the same calls, names and messages as `#[derive(Serialize, Deserialize)]` with
// `#[serde(rename_all = "lowercase")]`, with the names taken from the table.

impl Serialize for ProviderKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("ProviderKind", *self as u32, self.name())
    }
}

impl<'de> Deserialize<'de> for ProviderKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KindVisitor;

        impl<'de> de::Visitor<'de> for KindVisitor {
            type Value = ProviderKind;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("enum ProviderKind")
            }

            fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<ProviderKind, A::Error> {
                let (kind, variant) = data.variant_seed(NameSeed::Variant)?;
                variant.unit_variant()?;
                Ok(kind)
            }
        }

        deserializer.deserialize_enum("ProviderKind", &NAMES, KindVisitor)
    }
}

/// Reads a provider name as a serde identifier: an enum variant (`providers = ["yahoo"]`,
/// `tickers` keys) or a struct field (`[providers.yahoo]`); only the error messages differ.
#[derive(Clone, Copy)]
pub(crate) enum NameSeed {
    /// A variant of `enum ProviderKind`.
    Variant,
    /// A field of `struct ProvidersConfig`.
    Field,
}

impl NameSeed {
    fn unknown<E: de::Error>(self, name: &str) -> E {
        match self {
            NameSeed::Variant => E::unknown_variant(name, &NAMES),
            NameSeed::Field => E::unknown_field(name, &NAMES),
        }
    }

    fn word(self) -> &'static str {
        match self {
            NameSeed::Variant => "variant",
            NameSeed::Field => "field",
        }
    }
}

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = ProviderKind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ProviderKind, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> de::Visitor<'de> for NameSeed {
    type Value = ProviderKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} identifier", self.word())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ProviderKind, E> {
        usize::try_from(v)
            .ok()
            .and_then(|i| ProviderKind::ALL.get(i).copied())
            .ok_or_else(|| {
                let expected = format!("{} index 0 <= i < {COUNT}", self.word());
                E::invalid_value(Unexpected::Unsigned(v), &expected.as_str())
            })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ProviderKind, E> {
        ProviderKind::ALL
            .into_iter()
            .find(|k| k.name() == v)
            .ok_or_else(|| self.unknown(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ProviderKind, E> {
        ProviderKind::ALL
            .into_iter()
            .find(|k| k.name().as_bytes() == v)
            .ok_or_else(|| self.unknown(&String::from_utf8_lossy(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_is_consistent() {
        for (i, spec) in PROVIDERS.iter().enumerate() {
            assert_eq!(ProviderKind::ALL[i], spec.kind);
            assert_eq!(spec.kind.spec().name, spec.name);
            assert_eq!(spec.name, spec.name.to_ascii_lowercase());
            assert_eq!(
                spec.env_var,
                format!("LOCKSTEP_{}_URL", spec.name.to_ascii_uppercase())
            );
            assert!(spec.default_url.starts_with("https://"), "{spec:?}");
            assert!(spec.serves(Interval::D1), "{spec:?}");
            let intraday = spec.intervals.iter().any(|i| i.is_intraday());
            assert_eq!(intraday, spec.fetch_intraday.is_some(), "{spec:?}");
            assert!(spec.intervals.windows(2).all(|w| w[0] < w[1]), "{spec:?}");
            assert_eq!(spec.name.parse::<ProviderKind>().unwrap(), spec.kind);
        }
    }

    #[test]
    fn intervals_served() {
        use Interval::*;
        let served = |k: ProviderKind| k.intervals().to_vec();
        assert_eq!(served(ProviderKind::Yahoo), [M1, M5, M15, M30, H1, D1]);
        assert_eq!(served(ProviderKind::Binance), [M1, M5, M15, M30, H1, D1]);
        assert_eq!(served(ProviderKind::Coinbase), [M1, M5, M15, H1, D1]);
        assert_eq!(served(ProviderKind::Stooq), [D1]);
        assert_eq!(served(ProviderKind::Fred), [D1]);
        let refusal = |k: ProviderKind, i| k.spec().refusal(i).map(|e| e.to_string());
        assert_eq!(refusal(ProviderKind::Yahoo, M1), None);
        assert_eq!(
            refusal(ProviderKind::Coinbase, M30).as_deref(),
            Some("coinbase does not serve 30m bars (it serves 1m, 5m, 15m, 1h, 1d)")
        );
        assert_eq!(
            refusal(ProviderKind::Stooq, H1).as_deref(),
            Some("stooq serves daily bars only, not 1h")
        );
        assert_eq!(
            refusal(ProviderKind::Fred, M5).as_deref(),
            Some("fred serves daily bars only, not 5m")
        );
    }

    #[test]
    fn messages_list_the_providers_as_before() {
        assert_eq!(
            "x".parse::<ProviderKind>().unwrap_err().to_string(),
            "unknown provider \"x\"; expected one of yahoo, coinbase, binance, stooq, fred"
        );
        let e = serde_json::from_str::<ProviderKind>("\"x\"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown variant `x`, expected one of `yahoo`, `coinbase`, `binance`, `stooq`, \
             `fred` at line 1 column 3"
        );
        assert_eq!(
            serde_json::to_string(&ProviderKind::ALL).unwrap(),
            r#"["yahoo","coinbase","binance","stooq","fred"]"#
        );
    }
}
