//! Configuration (file, overrides, typos), symbol resolution and the fallback chain.

mod common;

use common::*;
use lockstep_core::AssetClass;
use lockstep_fetch::{Config, FetchError, Fetcher, Progress, ProviderKind};
use lockstep_testkit::{ReplayServer, Reply, Route as Serve};

const CHART: &str = "/v8/finance/chart/";
const CANDLES: &str = "/products/ETH-USD/candles";
const KLINES: &str = "/api/v3/klines";

fn candles() -> Reply {
    Reply::ok_json(payload(
        "coinbase",
        "candles.ETH-USD.2024-01-01_2024-01-05.json",
    ))
}

fn chain(f: &Fetcher, events: &mut Vec<Progress>) -> Result<lockstep_fetch::Fetched, FetchError> {
    f.fetch_chain(
        "ETH-USD",
        None,
        Some(d("2024-01-01")),
        d("2024-01-05"),
        &mut |p| events.push(p),
    )
}

#[test]
fn yahoo_failing_falls_back_to_coinbase() {
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::status(502, "bad gateway")),
        Serve::exact(CANDLES, candles()),
    ]);
    let f = fetcher_for(&server);
    let mut events = Vec::new();
    let got = chain(&f, &mut events).unwrap();
    assert_eq!(got.instrument.provider, "coinbase");
    assert_eq!(got.instrument.symbol, "ETH-USD");
    assert_eq!(got.bars.len(), 5);
    assert_eq!(
        (
            server.hits(CHART),
            server.hits(CANDLES),
            server.hits(KLINES)
        ),
        (3, 1, 0)
    );
    assert!(events.iter().any(|p| matches!(
        p,
        Progress::Failed { provider: ProviderKind::Yahoo, message } if message.contains("HTTP 502")
    )));
    let tried: Vec<_> = events
        .iter()
        .filter_map(|p| match p {
            Progress::Provider { provider, ticker } => Some((*provider, ticker.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        tried,
        [
            (ProviderKind::Yahoo, "ETH-USD".to_string()),
            (ProviderKind::Coinbase, "ETH-USD".to_string())
        ]
    );
}

#[test]
fn empty_result_passes_to_the_next_provider() {
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::ok_json(payload("yahoo", "chart.empty.json"))),
        Serve::exact(CANDLES, candles()),
    ]);
    let got = chain(&fetcher_for(&server), &mut Vec::new()).unwrap();
    assert_eq!(got.instrument.provider, "coinbase");
}

#[test]
fn every_provider_empty_is_no_data() {
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, Reply::ok_json(payload("yahoo", "chart.empty.json"))),
        Serve::exact(CANDLES, Reply::ok_json("[]")),
        Serve::exact(KLINES, Reply::ok_json("[]")),
    ]);
    let e = chain(&fetcher_for(&server), &mut Vec::new()).unwrap_err();
    assert!(e.is_no_data(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "ETH-USD: no data for 2024-01-01..2024-01-05 from yahoo, coinbase, binance"
    );
}

#[test]
fn every_provider_failing_lists_each_failure() {
    let server = ReplayServer::start(vec![
        Serve::prefix(
            CHART,
            Reply::new(404, payload("yahoo", "chart.not_found.json")),
        ),
        Serve::exact(
            CANDLES,
            Reply::new(404, payload("coinbase", "not_found.json")),
        ),
        Serve::exact(
            KLINES,
            Reply::new(400, payload("binance", "invalid_symbol.json")),
        ),
    ]);
    let e = chain(&fetcher_for(&server), &mut Vec::new()).unwrap_err();
    assert!(matches!(&e, FetchError::AllFailed { errors, .. } if errors.len() == 3));
    assert!(e.is_unknown_symbol());
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "ETH-USD: every provider failed:");
    assert!(
        lines[1].starts_with("  yahoo: GET /v8/finance/chart/ETH-USD: HTTP 404: No data found"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("  coinbase: GET /products/ETH-USD/candles: HTTP 404: NotFound"),
        "{text}"
    );
    assert!(
        lines[3].starts_with("  binance: GET /api/v3/klines: HTTP 400: Invalid symbol."),
        "{text}"
    );
}

#[test]
fn a_forced_provider_is_the_only_one_tried() {
    let server = ReplayServer::start(vec![
        Serve::prefix(CHART, rut_reply()),
        Serve::exact(
            KLINES,
            Reply::ok_json(payload(
                "binance",
                "klines.ETHUSDT.1d.2024-01-01_2024-01-05.json",
            )),
        ),
    ]);
    let f = fetcher_for(&server);
    let got = f
        .fetch_chain(
            "eth-usd",
            Some(ProviderKind::Binance),
            Some(d("2024-01-01")),
            d("2024-01-05"),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        (
            got.instrument.provider.as_str(),
            got.instrument.ticker.as_str()
        ),
        ("binance", "ETHUSDT")
    );
    assert_eq!(server.hits(CHART), 0);
    // One provider: its own error, not a list.
    let e = f
        .fetch_chain(
            "IWM",
            Some(ProviderKind::Coinbase),
            None,
            d("2024-01-05"),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(e, FetchError::Config { .. }), "{e:?}");
    assert!(e.to_string().contains("no coinbase ticker"), "{e}");
}

fn rut_reply() -> Reply {
    Reply::ok_json(payload("yahoo", "chart.RUT.2024-01-02_2024-01-05.json"))
}

#[test]
fn environment_url_wins_over_the_file_and_a_trailing_slash_is_tolerated() {
    let server = ReplayServer::start(vec![Serve::prefix(CHART, rut_reply())]);
    let toml = r#"
        [providers.yahoo]
        url = "http://127.0.0.1:9/unused"
        retries = 0
        [providers.coinbase]
        url = "http://127.0.0.1:9/from-file"
    "#;
    let env_url = format!("{}/", server.url());
    let env = |k: &str| match k {
        "LOCKSTEP_YAHOO_URL" => Some(env_url.clone()),
        "LOCKSTEP_BINANCE_URL" => Some(String::new()), // empty: ignored
        _ => None,
    };
    let c = Config::from_parts(Some(toml), env).unwrap();
    assert_eq!(c.settings(ProviderKind::Yahoo).base_url, server.url());
    assert_eq!(
        c.settings(ProviderKind::Yahoo).retries,
        0,
        "the rest of the file still applies"
    );
    assert_eq!(
        c.settings(ProviderKind::Coinbase).base_url,
        "http://127.0.0.1:9/from-file"
    );
    assert_eq!(
        c.settings(ProviderKind::Binance).base_url,
        "https://api.binance.com"
    );
    let f = Fetcher::new(c);
    let routes = f
        .config()
        .resolve("ETH-USD", Some(ProviderKind::Yahoo))
        .unwrap();
    f.fetch(
        &routes[0],
        "ETH-USD",
        Some(d("2024-01-02")),
        d("2024-01-05"),
        &mut |_| {},
    )
    .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path_only(), "/v8/finance/chart/ETH-USD");
    assert!(
        r.path.starts_with("/v8/finance/chart/ETH-USD?period1="),
        "{}",
        r.path
    );
}

#[test]
fn defaults_apply_without_file_or_environment() {
    let c = Config::from_parts(None, |_| None).unwrap();
    let s = c.settings(ProviderKind::Yahoo);
    assert_eq!(s.base_url, "https://query2.finance.yahoo.com");
    assert_eq!(
        (s.timeout.as_secs(), s.retries, s.backoff.as_millis()),
        (30, 4, 500)
    );
    assert_eq!(
        c.settings(ProviderKind::Coinbase).base_url,
        "https://api.exchange.coinbase.com"
    );
    assert_eq!(
        c.settings(ProviderKind::Stooq).base_url,
        "https://stooq.com"
    );
    assert_eq!(
        c.settings(ProviderKind::Fred).base_url,
        "https://fred.stlouisfed.org"
    );
}

#[test]
fn load_reads_the_file_in_lockstep_home() {
    let home = tempfile::tempdir().unwrap();
    // No file: the defaults.
    let c = Config::load(home.path()).unwrap();
    assert_eq!(c.symbols.len(), 0);
    std::fs::write(
        home.path().join("config.toml"),
        "[providers.fred]\ntimeout_secs = 7\n[symbols.\"ETH-USD\"]\nproviders = [\"coinbase\"]\n",
    )
    .unwrap();
    let c = Config::load(home.path()).unwrap();
    assert_eq!(c.settings(ProviderKind::Fred).timeout.as_secs(), 7);
    let r = c.resolve("ETH-USD", None).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].provider, ProviderKind::Coinbase);
}

#[test]
fn a_config_typo_is_an_error_naming_the_file_and_the_key() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config.toml");
    std::fs::write(&file, "[providers.yahoo]\ntimeout = 3\n").unwrap();
    let e = Config::load(home.path()).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, FetchError::Config { .. }));
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert!(text.contains("unknown field `timeout`"), "{text}");

    for (toml, key) in [
        ("[providers.yahooo]\nurl = \"http://x\"\n", "yahooo"),
        (
            "[symbols.\"ETH-USD\"]\nprovider = [\"yahoo\"]\n",
            "provider",
        ),
        (
            "[symbols.\"ETH-USD\"]\nproviders = [\"coinbas\"]\n",
            "coinbas",
        ),
        (
            "[symbols.\"ETH-USD\"]\ntickers = { binanse = \"ETHUSDT\" }\n",
            "binanse",
        ),
        (
            "[symbols.\"ETH-USD\"]\nasset_class = \"crpyto\"\n",
            "crpyto",
        ),
        ("[symbol.\"ETH-USD\"]\n", "symbol"),
        (
            "[providers.yahoo]\nurl = \"query2.finance.yahoo.com\"\n",
            "providers.yahoo.url",
        ),
    ] {
        let e = Config::from_parts(Some(toml), |_| None).unwrap_err();
        assert!(e.to_string().contains(key), "{key}: {e}");
    }
    let e = Config::from_parts(None, |k| {
        (k == "LOCKSTEP_FRED_URL").then(|| "ftp://x".into())
    })
    .unwrap_err();
    assert!(e.to_string().contains("LOCKSTEP_FRED_URL"), "{e}");
}

#[test]
fn symbol_entries_override_the_built_in_rules() {
    let toml = r#"
        [symbols."ETH-USD"]
        providers = ["binance", "coinbase"]
        tickers = { binance = "ETHUSDC" }

        [symbols.RTY]
        providers = ["yahoo"]
        tickers = { yahoo = "RTY=F" }
        asset_class = "future"
    "#;
    let c = Config::from_parts(Some(toml), |_| None).unwrap();
    let r = c.resolve("ETH-USD", None).unwrap();
    let got: Vec<_> = r.iter().map(|r| (r.provider, r.ticker.as_str())).collect();
    assert_eq!(
        got,
        [
            (ProviderKind::Binance, "ETHUSDC"),
            (ProviderKind::Coinbase, "ETH-USD")
        ]
    );
    let r = c.resolve("RTY", None).unwrap();
    assert_eq!(
        (r[0].ticker.as_str(), r[0].asset_class),
        ("RTY=F", AssetClass::Future)
    );
    // The built-in rules for symbols without an entry.
    let r = c.resolve("^RUT", None).unwrap();
    let got: Vec<_> = r.iter().map(|r| (r.provider, r.ticker.as_str())).collect();
    assert_eq!(
        got,
        [(ProviderKind::Yahoo, "^RUT"), (ProviderKind::Stooq, "^rut")]
    );
    let r = c.resolve("SPY", None).unwrap();
    assert_eq!(r[1].ticker, "spy.us");
    assert_eq!(c.resolve("^NDX", None).unwrap()[1].ticker, "^ndx");
    assert_eq!(
        c.resolve("fred:DGS2", None).unwrap()[0].provider,
        ProviderKind::Fred
    );
    assert_eq!(
        "Coinbase".parse::<ProviderKind>().unwrap(),
        ProviderKind::Coinbase
    );
    assert!("yahooo".parse::<ProviderKind>().is_err());
}

#[test]
fn a_fetcher_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Fetcher>();
    shareable::<FetchError>();
}
