//! Chart renders are bounded (issue 19, "The server"): many concurrent requests for the
//! largest PNG must not draw all their bitmaps at once. Alone in its test binary, so that
//! the process's peak resident memory (`VmHWM`) is this test's.

mod common;

use std::time::{Duration, Instant};

use common::{config, peak_rss_kib, start, PAIR};

/// Peak resident memory allowed to the whole test process (server and clients).
const LIMIT_MIB: u64 = 300;

/// `clients` concurrent requests for `levels.png` at 3000 × (3000 − i) pixels (distinct
/// sizes, so no answer could be shared): about 27 MB of bitmap each. Before the render
/// pool, every request in a slot drew at once (64 × 33 MB, 2.2 GB in the audit); now two
/// bitmaps are drawn at a time and the peak stays under 300 MB.
#[test]
fn concurrent_large_png_renders_keep_memory_bounded() {
    let Some(before) = peak_rss_kib() else {
        eprintln!("skipped: no /proc/self/status to read the peak memory from");
        return;
    };
    // The per-client connection cap would refuse most of a larger attack from this one
    // address: lifted, so that the render pool alone bounds the memory.
    let f = start(lockstep_server::ServeConfig {
        max_connections_per_client: 1024,
        ..config(None)
    });
    let addr = f.addr();
    // The report is computed once before the attack, so that the peak is the charts'.
    let warm = ureq::get(&format!("http://{addr}/api/pairs/{PAIR}/report"))
        .call()
        .unwrap();
    assert_eq!(warm.status(), 200);
    let warmed = peak_rss_kib().unwrap_or(before);
    let clients: u32 = std::env::var("LOCKSTEP_RENDER_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let t = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            std::thread::spawn(move || {
                let url = format!(
                    "http://{addr}/pairs/{PAIR}/charts/levels.png?width=3000&height={}",
                    3000 - i
                );
                let r = ureq::get(&url)
                    .timeout(Duration::from_secs(600))
                    .call()
                    .unwrap_or_else(|e| panic!("{url}: {e}"));
                assert_eq!(r.status(), 200);
                assert_eq!(r.header("content-type"), Some("image/png"));
                let mut png = Vec::new();
                std::io::Read::read_to_end(&mut r.into_reader(), &mut png).unwrap();
                assert!(png.starts_with(b"\x89PNG"), "{url}");
                png.len()
            })
        })
        .collect();
    let bytes: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let took = t.elapsed();
    let peak = peak_rss_kib().unwrap();
    println!(
        "renders: {clients} concurrent levels.png at 3000 x ~3000 ({:.1} MB of PNG) in \
         {:.1} s; peak RSS {} MiB (before the server {} MiB, with the report {} MiB)",
        bytes as f64 / 1e6,
        took.as_secs_f64(),
        peak / 1024,
        before / 1024,
        warmed / 1024
    );
    assert!(
        peak < LIMIT_MIB * 1024,
        "peak resident memory {} MiB (limit {LIMIT_MIB} MiB)",
        peak / 1024
    );
}
