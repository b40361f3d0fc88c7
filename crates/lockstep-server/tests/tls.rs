//! TLS (issue 19, "The server"): HTTPS with rustls from a certificate and key, the login
//! cookie `Secure` over it, and a non-loopback bind refused over plain HTTP unless
//! `insecure_http` says a TLS-terminating proxy is in front. The certificate is self-signed,
//! made in the test.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::{config, parse, seed, start, Raw, TOKEN};
use lockstep_server::{ServeConfig, Server, ServerError};
use tokio_rustls::rustls;

/// A self-signed certificate for localhost and 127.0.0.1: (cert PEM path, key PEM path,
/// cert DER).
fn certificate(dir: &std::path::Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key, ck.cert.der().to_vec())
}

/// Send `request` over TLS to `addr`, trusting only `der`, and read the answer to the close.
fn https(addr: SocketAddr, der: &[u8], request: &str) -> Raw {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.to_vec().into()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    match tls.read_to_end(&mut out) {
        Ok(_) => {}
        // A peer closing without close_notify still gave us the answer.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !out.is_empty() => {}
        Err(e) => panic!("TLS read: {e}"),
    }
    parse(&out)
}

fn tls_config(dir: &std::path::Path) -> (ServeConfig, Vec<u8>) {
    let (cert, key, der) = certificate(dir);
    (
        ServeConfig {
            tls_cert: Some(cert),
            tls_key: Some(key),
            ..config(Some(TOKEN))
        },
        der,
    )
}

#[test]
fn serves_https_and_the_login_cookie_is_secure() {
    let dir = tempfile::tempdir().unwrap();
    let (c, der) = tls_config(dir.path());
    let f = start(c);
    assert!(f.server.url().starts_with("https://127.0.0.1:"));
    let r = https(
        f.addr(),
        &der,
        &format!(
            "GET /api/health HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
             Connection: close\r\n\r\n"
        ),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let form = format!("token={TOKEN}");
    let r = https(
        f.addr(),
        &der,
        &format!(
            "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: \
             close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert_eq!(r.status, 303, "{r:?}");
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // Plain HTTP on the TLS port gets no HTTP answer, and the server serves on.
    let mut plain = TcpStream::connect(f.addr()).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = plain.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut out = Vec::new();
    let _ = plain.read_to_end(&mut out);
    assert!(!out.starts_with(b"HTTP/1.1 200"), "{out:?}");
    let r = https(
        f.addr(),
        &der,
        &format!(
            "GET /api/pairs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
             Connection: close\r\n\r\n"
        ),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn over_plain_http_the_login_cookie_is_not_secure() {
    let f = start(config(Some(TOKEN)));
    let form = format!("token={TOKEN}");
    let r = common::exchange(
        f.addr(),
        format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: \
             close\r\n\r\n{form}",
            form.len()
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 303);
    assert!(!r.header("set-cookie").unwrap().contains("Secure"));
}

#[test]
fn a_public_bind_needs_tls_or_insecure_http() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lockstep.db");
    seed(&db);
    let public = ServeConfig {
        bind: "0.0.0.0:0".into(),
        ..config(Some(TOKEN))
    };
    let e = Server::start(public.clone(), &db, None).unwrap_err();
    assert!(matches!(e, ServerError::Insecure(_)), "{e}");
    let m = e.to_string();
    assert!(
        m.contains("--insecure-http") && m.contains("--tls-cert") && m.contains("proxy"),
        "{m}"
    );
    // Behind a TLS-terminating proxy: said so, it starts.
    let s = Server::start(
        ServeConfig {
            insecure_http: true,
            ..public.clone()
        },
        &db,
        None,
    )
    .unwrap();
    s.stop().unwrap();
    // With TLS it starts and answers HTTPS.
    let (c, der) = tls_config(dir.path());
    let s = Server::start(
        ServeConfig {
            bind: "0.0.0.0:0".into(),
            ..c
        },
        &db,
        None,
    )
    .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", s.addr().port()).parse().unwrap();
    let r = https(
        addr,
        &der,
        &format!(
            "GET /api/health HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
             Connection: close\r\n\r\n"
        ),
    );
    assert_eq!(r.status, 200);
    s.stop().unwrap();
    // A certificate that cannot be read is named.
    let e = Server::start(
        ServeConfig {
            tls_cert: Some(dir.path().join("missing.pem")),
            tls_key: Some(dir.path().join("key.pem")),
            ..config(Some(TOKEN))
        },
        &db,
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("missing.pem"), "{e}");
}
