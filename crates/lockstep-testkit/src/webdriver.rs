//! A minimal W3C WebDriver client for browser tests: starts `chromedriver` on a free loopback
//! port, opens one headless Chromium session, navigates, runs scripts and takes screenshots.
//!
//! Chromium is started with `--headless --no-sandbox --disable-gpu
//! --disable-background-networking` (and the other flags that keep it off the network), in
//! a fresh profile directory (kept across [`Browser::restart`]). The driver and the browser
//! stop when the [`Browser`] is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Where Debian's `chromium` and `chromium-driver` packages install their binaries.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's ChromeDriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Why the browser is unavailable, or `None` when both binaries are installed.
pub fn unavailable() -> Option<String> {
    for p in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(p).exists() {
            return Some(format!(
                "{p} is missing (apt-get install chromium chromium-driver; .ci/run installs them)"
            ));
        }
    }
    None
}

/// Whether a browser test can run here: true when both binaries are installed; else, in CI
/// (`CI` set) a panic, since CI must have the browser, and elsewhere false after printing why
/// the test is skipped.
pub fn available_or_skip() -> bool {
    let Some(why) = unavailable() else {
        return true;
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the browser: {why}"
    );
    eprintln!("skipped: {why}");
    false
}

/// One headless Chromium session driven through ChromeDriver.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    profile: PathBuf,
}

fn call(method: &str, url: &str, body: Option<&Value>) -> Result<Value, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let req = agent
        .request(method, url)
        .set("Content-Type", "application/json");
    let resp = match body {
        Some(b) => req.send_string(&b.to_string()),
        None => req.call(),
    };
    let text = match resp {
        Ok(r) => r.into_string().map_err(|e| e.to_string())?,
        Err(ureq::Error::Status(code, r)) => {
            let t = r.into_string().unwrap_or_default();
            return Err(format!("{method} {url}: HTTP {code}: {t}"));
        }
        Err(e) => return Err(format!("{method} {url}: {e}")),
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{url}: {e}: {text}"))?;
    Ok(v.get("value").cloned().unwrap_or(Value::Null))
}

impl Browser {
    /// Start ChromeDriver and a headless Chromium session of `width`×`height` pixels.
    pub fn start(width: u32, height: u32) -> Result<Browser, String> {
        let profile = std::env::temp_dir().join(format!(
            "lockstep-chromium-{}-{}",
            std::process::id(),
            crate::reserved_port()
        ));
        Browser::start_in(profile, width, height)
    }

    /// Quit the browser and start it again on the same profile (its caches, service workers
    /// and cookies kept), at `width`×`height`: a visitor who comes back another day.
    pub fn restart(mut self, width: u32, height: u32) -> Result<Browser, String> {
        let profile = std::mem::take(&mut self.profile);
        self.quit();
        // Chromium lets go of its profile when its last process has exited.
        let deadline = Instant::now() + Duration::from_secs(10);
        while profile.join("SingletonLock").symlink_metadata().is_ok() && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        Browser::start_in(profile, width, height)
    }

    fn quit(&mut self) {
        if !self.session.is_empty() {
            let _ = call(
                "DELETE",
                &format!("{}/session/{}", self.base, self.session),
                None,
            );
            self.session.clear();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    fn start_in(profile: PathBuf, width: u32, height: u32) -> Result<Browser, String> {
        let port = crate::reserved_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let base = format!("http://127.0.0.1:{port}");
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match call("GET", &format!("{}/status", b.base), None) {
                Ok(v) if v["ready"] == json!(true) => break,
                _ if Instant::now() > deadline => {
                    return Err("chromedriver did not become ready in 20 s".into())
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-quic", "--no-first-run",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", b.profile.display()),
                    format!("--window-size={width},{height}"),
                ]
            }
        }}});
        let v = call("POST", &format!("{}/session", b.base), Some(&caps))?;
        b.session = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?
            .to_string();
        Ok(b)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}/{path}", self.base, self.session)
    }

    /// Navigate to `url` and wait for the page to load.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        call("POST", &self.url("url"), Some(&json!({ "url": url }))).map(|_| ())
    }

    /// Run `script` (a function body; `return` gives the value) in the page.
    pub fn execute(&self, script: &str) -> Result<Value, String> {
        call(
            "POST",
            &self.url("execute/sync"),
            Some(&json!({"script": script, "args": []})),
        )
    }

    /// Send the Chrome DevTools Protocol command `cmd` with `params` to the page (ChromeDriver's
    /// `goog/cdp/execute`), e.g. `Network.setBlockedURLs` to keep a script from loading.
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        call(
            "POST",
            &self.url("goog/cdp/execute"),
            Some(&json!({"cmd": cmd, "params": params})),
        )
    }

    /// Perform W3C input `actions` (the `actions` array of `POST /session/{id}/actions`:
    /// real pointer and key input, hit-tested by the browser), then release every input.
    pub fn actions(&self, actions: Value) -> Result<(), String> {
        call(
            "POST",
            &self.url("actions"),
            Some(&json!({ "actions": actions })),
        )?;
        call("DELETE", &self.url("actions"), None).map(|_| ())
    }

    /// The page's title.
    pub fn title(&self) -> Result<String, String> {
        Ok(call("GET", &self.url("title"), None)?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        let v = call("GET", &self.url("screenshot"), None)?;
        decode_base64(v.as_str().ok_or("the screenshot is not a string")?)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.quit();
        if !self.profile.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.profile);
        }
    }
}

/// Standard base64 (RFC 4648, with padding) to bytes.
fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    let val = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("not base64: {:?}", c as char)),
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= if c == b'=' { 0 } else { val(c)? } << (18 - 6 * i);
        }
        let take = 3 - pad.min(2);
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_round_trips_known_values() {
        assert_eq!(decode_base64("TWFu").unwrap(), b"Man");
        assert_eq!(decode_base64("TWE=").unwrap(), b"Ma");
        assert_eq!(decode_base64("TQ==").unwrap(), b"M");
        assert_eq!(decode_base64("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(decode_base64("T@==").is_err());
    }
}
