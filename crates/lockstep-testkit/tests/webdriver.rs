//! The WebDriver client against a page served by the replay server.

use lockstep_testkit::webdriver::{unavailable, Browser};
use lockstep_testkit::{ReplayServer, Reply, Route};

#[test]
fn drives_headless_chromium() {
    if let Some(why) = unavailable() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the browser: {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    let page = "<!DOCTYPE html><html><head><title>probe</title></head><body>\
                <svg width=\"100\" height=\"50\"><text x=\"1\" y=\"20\">axis</text></svg>\
                </body></html>";
    let server = ReplayServer::start(vec![Route::exact(
        "/",
        Reply::ok_text(page, "text/html; charset=utf-8"),
    )]);
    let b = Browser::start(800, 600).expect("browser");
    b.goto(&format!("{}/", server.url())).expect("goto");
    assert_eq!(b.title().unwrap(), "probe");
    let n = b
        .execute("return document.querySelectorAll('svg text').length;")
        .unwrap();
    assert_eq!(n, serde_json::json!(1));
    let png = b.screenshot().unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}
