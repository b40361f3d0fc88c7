//! HTTP GET with timeouts, retries, exponential backoff with jitter, `Retry-After` and a
//! per-provider rate limit.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use crate::config::ProviderSettings;
use crate::error::is_retryable_status;
use crate::{FetchError, Progress, ProviderKind};

/// Longest wait a `Retry-After` header can impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// Longest exponential backoff step.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Largest body accepted (Yahoo's full daily history of an old index is a few MB).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// Why a body handed to the parser was rejected.
pub(crate) enum Reject {
    /// Malformed (HTML where JSON was expected, cut short): retried once, then reported as
    /// [`FetchError::Parse`] with `what` and `message`.
    Malformed {
        /// Short label: `invalid JSON`, `invalid CSV`, ...
        what: &'static str,
        /// Details.
        message: String,
    },
    /// A definitive answer (unknown symbol, provider error in a 200 body): not retried.
    Fail(FetchError),
}

/// What a provider makes of a non-success status.
pub(crate) enum StatusVerdict {
    /// The provider does not know the symbol; its message.
    Unknown(String),
    /// Any other error; the provider's message.
    Other(String),
}

/// One GET to make.
pub(crate) struct Call<'a> {
    pub provider: ProviderKind,
    /// The provider ticker (for [`FetchError::UnknownSymbol`]).
    pub ticker: &'a str,
    /// URL path, already percent-encoded, starting with `/`.
    pub path: String,
    /// Query string without `?`, already encoded (may be empty).
    pub query: String,
    /// Page number (1-based) for progress events.
    pub page: usize,
    /// Estimated number of pages, if known.
    pub pages_estimate: Option<usize>,
}

/// The shared HTTP machinery of a [`crate::Fetcher`].
pub(crate) struct Http {
    agents: Vec<(ProviderKind, ureq::Agent, ProviderSettings)>,
    /// Time of the last request, per provider (rate limit).
    last: Vec<Mutex<Option<Instant>>>,
    rng: AtomicU64,
}

impl Http {
    pub fn new(settings: Vec<(ProviderKind, ProviderSettings)>) -> Http {
        let agents = settings
            .into_iter()
            .map(|(kind, s)| {
                // `timeout` bounds the whole request (DNS, connect, headers and the body), so a
                // body trickling in one byte at a time cannot hold a fetch past it. Redirects
                // are not followed: a provider's API answers where it is asked.
                let agent = ureq::AgentBuilder::new()
                    .timeout(s.timeout)
                    .timeout_connect(s.timeout)
                    .timeout_read(s.timeout)
                    .timeout_write(s.timeout)
                    .redirects(0)
                    .user_agent(&s.user_agent)
                    .build();
                (kind, agent, s)
            })
            .collect::<Vec<_>>();
        let last = agents.iter().map(|_| Mutex::new(None)).collect();
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            | 1;
        Http {
            agents,
            last,
            rng: AtomicU64::new(seed),
        }
    }

    fn slot(&self, kind: ProviderKind) -> usize {
        self.agents
            .iter()
            .position(|(k, _, _)| *k == kind)
            .unwrap_or_default()
    }

    pub fn settings(&self, kind: ProviderKind) -> &ProviderSettings {
        &self.agents[self.slot(kind)].2
    }

    /// A number in `[0, 1)` from an xorshift generator seeded by the clock.
    fn random(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Backoff before retry number `attempt` (0-based): `base × 2^attempt`, capped, with
    /// "equal jitter" (a uniformly random point in the upper half).
    fn backoff(&self, base: Duration, attempt: u32) -> Duration {
        let full = base
            .saturating_mul(1u32 << attempt.min(20))
            .min(MAX_BACKOFF);
        full.mul_f64(0.5 + 0.5 * self.random())
    }

    /// Wait until the provider's minimum interval since its previous request has passed.
    fn rate_limit(&self, kind: ProviderKind) {
        let slot = self.slot(kind);
        let min = self.agents[slot].2.min_interval;
        let mut last = self.last[slot].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(prev) = *last {
            let next = prev + min;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        *last = Some(Instant::now());
    }

    /// GET `call`, retrying transient failures, and hand the body of a success to `parse`.
    /// A final error status goes to `on_status`.
    pub fn get<T>(
        &self,
        call: &Call<'_>,
        progress: &mut dyn FnMut(Progress),
        parse: &mut dyn FnMut(&str) -> Result<T, Reject>,
        on_status: &dyn Fn(u16, &str) -> StatusVerdict,
    ) -> Result<T, FetchError> {
        let slot = self.slot(call.provider);
        let (_, agent, settings) = &self.agents[slot];
        let url = if call.query.is_empty() {
            format!("{}{}", settings.base_url, call.path)
        } else {
            format!("{}{}?{}", settings.base_url, call.path, call.query)
        };
        let provider = call.provider;
        let path = call.path.clone();
        let mut attempt: u32 = 0;
        let mut malformed = 0;
        loop {
            attempt += 1;
            let retries_left = attempt <= settings.retries;
            self.rate_limit(provider);
            progress(Progress::Request {
                provider,
                page: call.page,
                pages_estimate: call.pages_estimate,
            });
            // What went wrong on this attempt, if it is worth retrying, and a forced wait.
            let failure: (FetchError, Option<Duration>) = match agent.get(&url).call() {
                Ok(resp) if (300..400).contains(&resp.status()) => {
                    return Err(FetchError::Http {
                        provider,
                        path,
                        status: resp.status(),
                        message: format!(
                            "redirect to {:?} not followed (a provider's API answers where it \
                             is asked; check base_url in config.toml)",
                            resp.header("Location").unwrap_or("")
                        ),
                        attempts: attempt,
                    });
                }
                Ok(resp) => match read_body(resp) {
                    Ok(body) => match parse(&body) {
                        Ok(v) => return Ok(v),
                        Err(Reject::Fail(e)) => return Err(e),
                        Err(Reject::Malformed { what, message }) => {
                            malformed += 1;
                            let e = FetchError::Parse {
                                provider,
                                path: path.clone(),
                                what: what.to_string(),
                                message,
                                attempts: attempt,
                            };
                            if malformed >= 2 || settings.retries == 0 {
                                return Err(e);
                            }
                            (e, None)
                        }
                    },
                    Err(e) if is_timeout(&e) => (self.timeout(call, attempt), None),
                    Err(e) => {
                        malformed += 1;
                        let e = FetchError::Parse {
                            provider,
                            path: path.clone(),
                            what: "truncated body".to_string(),
                            message: e.to_string(),
                            attempts: attempt,
                        };
                        if malformed >= 2 || settings.retries == 0 {
                            return Err(e);
                        }
                        (e, None)
                    }
                },
                Err(ureq::Error::Status(status, resp)) => {
                    let retry_after = resp
                        .header("Retry-After")
                        .and_then(parse_retry_after)
                        .map(|d| d.min(MAX_RETRY_AFTER));
                    let body = read_body(resp).unwrap_or_default();
                    if is_retryable_status(status) && retries_left {
                        let message = match on_status(status, &body) {
                            StatusVerdict::Unknown(m) | StatusVerdict::Other(m) => m,
                        };
                        (
                            FetchError::Http {
                                provider,
                                path: path.clone(),
                                status,
                                message,
                                attempts: attempt,
                            },
                            retry_after,
                        )
                    } else {
                        return Err(match on_status(status, &body) {
                            StatusVerdict::Unknown(message) => FetchError::UnknownSymbol {
                                provider,
                                symbol: call.ticker.to_string(),
                                path,
                                status,
                                message,
                            },
                            StatusVerdict::Other(message) => FetchError::Http {
                                provider,
                                path,
                                status,
                                message,
                                attempts: attempt,
                            },
                        });
                    }
                }
                Err(ureq::Error::Transport(t)) => {
                    if transport_is_timeout(&t) {
                        (self.timeout(call, attempt), None)
                    } else if matches!(
                        t.kind(),
                        ureq::ErrorKind::InvalidUrl
                            | ureq::ErrorKind::UnknownScheme
                            | ureq::ErrorKind::InsecureRequestHttpsOnly
                            | ureq::ErrorKind::InvalidProxyUrl
                    ) {
                        return Err(FetchError::config(format!(
                            "{provider}: invalid URL {url:?}: {}",
                            transport_message(&t)
                        )));
                    } else {
                        // A name that does not resolve or a connection refused is not a
                        // passing fault: one retry at most, and say what to do.
                        let unreachable = matches!(
                            t.kind(),
                            ureq::ErrorKind::Dns | ureq::ErrorKind::ConnectionFailed
                        );
                        let message = match t.kind() {
                            ureq::ErrorKind::Dns => format!(
                                "{}; no network? use --offline with stored symbols, or CSV files",
                                transport_message(&t)
                            ),
                            _ => transport_message(&t),
                        };
                        let e = FetchError::Connect {
                            provider,
                            path: path.clone(),
                            message,
                            attempts: attempt,
                        };
                        if unreachable && attempt >= 2 {
                            return Err(e);
                        }
                        (e, None)
                    }
                }
            };
            let (error, forced_wait) = failure;
            if !retries_left {
                return Err(error);
            }
            let delay = forced_wait.unwrap_or_else(|| self.backoff(settings.backoff, attempt - 1));
            progress(Progress::Retry {
                provider,
                attempt,
                delay,
                reason: error.to_string(),
            });
            std::thread::sleep(delay);
        }
    }

    fn timeout(&self, call: &Call<'_>, attempt: u32) -> FetchError {
        FetchError::Timeout {
            provider: call.provider,
            path: call.path.clone(),
            timeout_secs: self.settings(call.provider).timeout.as_secs(),
            attempts: attempt,
        }
    }
}

/// Read a whole body as UTF-8 (lossy), up to [`MAX_BODY`] bytes.
fn read_body(resp: ureq::Response) -> std::io::Result<String> {
    let mut buf = Vec::new();
    resp.into_reader().take(MAX_BODY).read_to_end(&mut buf)?;
    Ok(String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

fn transport_is_timeout(t: &ureq::Transport) -> bool {
    let mut source = std::error::Error::source(t);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if is_timeout(io) {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// The transport error without the URL (which names the host), without repeated parts.
fn transport_message(t: &ureq::Transport) -> String {
    let mut parts: Vec<String> = vec![t.kind().to_string()];
    if let Some(msg) = t.message() {
        parts.push(msg.to_string());
    }
    if let Some(s) = std::error::Error::source(t) {
        parts.push(s.to_string());
    }
    let mut m = String::new();
    for (i, part) in parts.iter().enumerate() {
        // Skip a part that a later one already contains ("Network Error" in "Network Error: ...").
        if parts[i + 1..].iter().any(|p| p.contains(part.as_str())) || m.contains(part.as_str()) {
            continue;
        }
        if !m.is_empty() {
            m.push_str(": ");
        }
        m.push_str(part);
    }
    m
}

/// `Retry-After`: delta seconds or an HTTP date (a date in the past means now).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The first characters of a body, on one line, for error messages.
pub(crate) fn body_start(body: &str) -> String {
    let flat: String = body
        .trim_start()
        .chars()
        .take(60)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if body.trim_start().chars().count() > 60 {
        format!("{flat}...")
    } else {
        flat
    }
}

/// True when a body looks like an HTML page.
pub(crate) fn looks_like_html(body: &str) -> bool {
    let start = body.trim_start();
    let lower: String = start
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    lower.starts_with("<!doctype") || lower.starts_with("<html") || lower.starts_with('<')
}

/// A malformed-JSON rejection quoting the start of the body.
pub(crate) fn bad_json(e: &serde_json::Error, body: &str) -> Reject {
    let message = if body.trim().is_empty() {
        format!("{e} (empty body)")
    } else {
        format!("{e} (body starts {:?})", body_start(body))
    };
    Reject::Malformed {
        what: "invalid JSON",
        message,
    }
}

/// A provider message for an error status when the provider-specific decoding found none:
/// the start of the body, or the status's reason.
pub(crate) fn fallback_message(status: u16, body: &str) -> String {
    if body.trim().is_empty() {
        match status {
            429 => "too many requests".into(),
            500..=599 => "server error".into(),
            _ => "no message".into(),
        }
    } else if looks_like_html(body) {
        format!("HTML page (body starts {:?})", body_start(body))
    } else {
        body_start(body)
    }
}

/// Percent-encode one path segment or query value (RFC 3986 unreserved characters kept).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let d = parse_retry_after(&future).unwrap();
        assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let http = Http::new(vec![]);
        let base = Duration::from_millis(500);
        for attempt in 0..4 {
            let d = http.backoff(base, attempt);
            let full = base * (1 << attempt);
            assert!(d >= full / 2 && d <= full, "{d:?} vs {full:?}");
        }
        assert!(http.backoff(base, 12) <= MAX_BACKOFF);
        assert!(http.backoff(base, 40) <= MAX_BACKOFF);
    }

    #[test]
    fn encodes() {
        assert_eq!(encode("^RUT"), "%5ERUT");
        assert_eq!(encode("ETH-USD"), "ETH-USD");
        assert_eq!(encode("GC=F"), "GC%3DF");
        assert_eq!(encode("div,split"), "div%2Csplit");
    }
}
