//! Slow and greedy clients (issue 19, "The server"): bodies trickled a byte a second,
//! connections held open, must neither stall an authorised client nor hold the server's
//! request slots. Each test starts its own server on 127.0.0.1 and attacks it from other
//! loopback addresses (127.0.0.2 and up), as several clients would.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{config, connect_from, parse, start, timed_get, TOKEN};
use lockstep_server::ServeConfig;

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// The audit's attack, scaled to a few seconds: `clients` addresses × `per_client`
/// connections each send `POST /login` (exempt from the token) headers declaring a body of
/// `declared` bytes, then one byte a second. Meanwhile an authorised `GET /api/health` is
/// asked every 100 ms and must answer 200 within 1 s every time. 4 × 20 connections are
/// more than the 64 request slots, from addresses each under the per-client cap: before
/// the fix their bodies were read inside a slot and health waited 30 s and more.
#[test]
fn slow_login_bodies_do_not_stall_an_authorised_client() {
    let f = start(config(Some(TOKEN)));
    let addr = f.addr();
    let stop = Arc::new(AtomicBool::new(false));
    let (clients, per_client) = (4u8, 20usize);
    let mut attackers = Vec::new();
    for c in 0..clients {
        for i in 0..per_client {
            let stop = stop.clone();
            // Half declare the audit's 16,000 bytes, half a body under the form limit.
            let declared = if i % 2 == 0 { 16_000 } else { 1_000 };
            attackers.push(std::thread::spawn(move || {
                let mut s = connect_from(loopback(2 + c), addr);
                let head = format!(
                    "POST /login HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: \
                     application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\n\r\n",
                    addr.port()
                );
                if s.write_all(head.as_bytes()).is_err() {
                    return;
                }
                while !stop.load(Ordering::Relaxed) {
                    if s.write_all(b"t").is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            }));
        }
    }
    // Let every attacker connect and start trickling.
    std::thread::sleep(Duration::from_millis(1500));
    let t = Instant::now();
    let mut worst = Duration::ZERO;
    let mut asked = 0;
    while t.elapsed() < Duration::from_secs(4) {
        let (status, took) = timed_get(addr, "/api/health", TOKEN, Duration::from_secs(5));
        asked += 1;
        worst = worst.max(took);
        assert_eq!(status, 200, "health during the attack (after {took:?})");
        assert!(
            took < Duration::from_secs(1),
            "health took {took:?} during the attack"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        a.join().unwrap();
    }
    println!(
        "slow bodies: {} connections from {clients} addresses, POST /login at 1 byte/s; \
         authorised GET /api/health asked {asked} times, slowest {:.1} ms",
        usize::from(clients) * per_client,
        worst.as_secs_f64() * 1e3
    );
}

/// A body that does not arrive within `body_timeout_secs` of its headers is answered 408
/// (JSON) and the connection closed; one declared over a form's 1 KiB is refused at once.
#[test]
fn a_slow_body_is_answered_408_and_a_large_form_413() {
    let f = start(ServeConfig {
        body_timeout_secs: 1,
        ..config(Some(TOKEN))
    });
    let addr = f.addr();
    for (path, auth, ctype) in [
        ("/login", "", "application/x-www-form-urlencoded"),
        (
            "/api/refresh",
            "Authorization: Bearer test-token-0123456789abcdef\r\n",
            "application/json",
        ),
    ] {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: {ctype}\r\n\
             Content-Length: 100\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        let t = Instant::now();
        let writer = {
            let mut s = s.try_clone().unwrap();
            std::thread::spawn(move || {
                for _ in 0..30 {
                    if s.write_all(b"x").is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(300));
                }
            })
        };
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let took = t.elapsed();
        let m = parse(&out).error(408);
        assert!(m.contains("1 s"), "{m}");
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(5),
            "{path}: answered after {took:?}"
        );
        writer.join().unwrap();
    }
    // The form's own limit: a declared 16,000 bytes is refused without reading on.
    let r = common::exchange(
        addr,
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \
          application/x-www-form-urlencoded\r\nContent-Length: 16000\r\nConnection: close\r\n\r\n",
    );
    let m = r.error(413);
    assert!(m.contains("1024"), "{m}");
}

/// A client address holding `max_connections_per_client` connections gets a JSON 503 on
/// the next one; other addresses are served as usual, and the address is served again once
/// its connections close.
#[test]
fn connections_over_the_per_client_cap_are_refused() {
    let f = start(ServeConfig {
        max_connections_per_client: 8,
        ..config(Some(TOKEN))
    });
    let addr = f.addr();
    let from = loopback(9);
    let held: Vec<TcpStream> = (0..8).map(|_| connect_from(from, addr)).collect();
    // The server counts a connection when it accepts it: give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    let mut extra = connect_from(from, addr);
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = extra.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let mut out = Vec::new();
    let _ = extra.read_to_end(&mut out);
    let m = parse(&out).error(503);
    assert!(m.contains("at most 8"), "{m}");
    let (status, took) = timed_get(addr, "/api/health", TOKEN, Duration::from_secs(5));
    assert_eq!(status, 200, "another address after {took:?}");
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    let mut again = connect_from(from, addr);
    again
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    again
        .write_all(
            format!(
                "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\
                 Connection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let mut out = Vec::new();
    let _ = again.read_to_end(&mut out);
    assert_eq!(parse(&out).status, 200);
}
