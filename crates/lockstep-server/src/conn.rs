//! The connection layer below the routes: the per-client connection cap, TLS (rustls), and
//! the JSON shape of the errors hyper answers by itself (a request it cannot parse).

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_rustls::rustls;

use crate::error::ApiError;
use crate::ServerError;

// ---------------------------------------------------------------------------------------------
// Per-client connection cap
// ---------------------------------------------------------------------------------------------

/// The open connections of each client address, at most `cap` each.
#[derive(Clone)]
pub(crate) struct Clients {
    cap: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open connection of a client, counted until dropped.
pub(crate) struct ClientSlot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Clients {
    pub(crate) fn new(cap: usize) -> Clients {
        Clients {
            cap,
            open: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A slot for a new connection from `ip`, or `None` when it has `cap` open already.
    pub(crate) fn enter(&self, ip: IpAddr) -> Option<ClientSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(ClientSlot {
            ip,
            open: self.open.clone(),
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Answer a connection over its client's cap with a JSON 503 and close it: the answer is
/// written without reading the request, then what the client sends is read and dropped for
/// a moment, so that closing does not reset the connection before the client reads it.
pub(crate) async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, cap: usize) {
    let e = ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        format!("too many connections from your address (at most {cap} at once)"),
    );
    let answer = raw_error(&e, "");
    let work = async {
        stream.write_all(&answer).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut read = 0usize;
        while read < 64 * 1024 {
            let n = tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await?;
            if n == 0 {
                break;
            }
            read += n;
        }
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), work).await;
}

/// A whole HTTP/1.1 answer carrying `e` as JSON, closing the connection; `extra` is more
/// header lines (each ending with CRLF).
fn raw_error(e: &ApiError, extra: &str) -> Vec<u8> {
    let body = e.body();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\n\
         {extra}\r\n{body}",
        e.status.as_u16(),
        e.status.canonical_reason().unwrap_or("Error"),
        body.len(),
    )
    .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

/// The TLS acceptor of a PEM certificate chain and private key (HTTP/1.1 by ALPN).
pub(crate) fn tls_acceptor(
    cert: &Path,
    key: &Path,
) -> Result<tokio_rustls::TlsAcceptor, ServerError> {
    let bad = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        ServerError::Config(format!(
            "cannot read the TLS {what} {}: {e}",
            path.display()
        ))
    };
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("certificate", cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("certificate", cert, &e))?;
    if certs.is_empty() {
        return Err(bad("certificate", cert, &"no CERTIFICATE in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("key", key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| ServerError::Config(format!("invalid TLS certificate or key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

// ---------------------------------------------------------------------------------------------
// hyper's own error answers as JSON
// ---------------------------------------------------------------------------------------------

/// A connection whose writes pass through unchanged, except the answers hyper makes by
/// itself for a request it cannot parse (400 for a malformed request line or header, e.g. a
/// negative `Content-Length`; 414 for a request target over 64 KiB; 431 for more than 100
/// headers or a head over its buffer), which have no body: those are replaced by the same
/// JSON error every other answer has. Application answers never match: every error the
/// routes and middleware give has a JSON body.
pub(crate) struct JsonErrors<S> {
    inner: S,
    /// A replacement being written, and the length of the write it stands for.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<S> JsonErrors<S> {
    pub(crate) fn new(inner: S) -> JsonErrors<S> {
        JsonErrors {
            inner,
            pending: None,
        }
    }
}

/// The JSON answer standing for `buf` when it starts with one of hyper's bodiless error
/// answers.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    let status = match buf.get(..13)? {
        b"HTTP/1.1 400 " => axum::http::StatusCode::BAD_REQUEST,
        b"HTTP/1.1 414 " => axum::http::StatusCode::URI_TOO_LONG,
        b"HTTP/1.1 431 " => axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let text = std::str::from_utf8(&buf[..end]).ok()?;
    let head = text.to_ascii_lowercase();
    if !head.contains("\r\ncontent-length: 0\r\n") || head.contains("\r\ncontent-type:") {
        return None;
    }
    let message = match status.as_u16() {
        400 => "malformed request: the request line or a header could not be parsed \
                (e.g. an invalid method, target, version or Content-Length)"
            .to_string(),
        414 => format!(
            "the request target is longer than the server reads (64 KiB); the limit is {} \
             bytes",
            crate::http::MAX_URI
        ),
        _ => "the request headers are too many (more than 100) or too large".to_string(),
    };
    let date = text
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with("date:"))
        .map(|l| format!("{l}\r\n"))
        .unwrap_or_default();
    let mut out = raw_error(&ApiError::new(status, message), &date);
    out.extend_from_slice(&buf[end..]);
    Some(out)
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match replacement(buf) {
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
                Some(r) => this.pending = Some((r, 0, buf.len())),
            }
        }
        // Write the whole replacement, then report the original write as done (the caller
        // retries with the same buffer after `Pending`).
        loop {
            let Some((r, done, len)) = this.pending.as_mut() else {
                return Poll::Ready(Ok(0));
            };
            if *done == r.len() {
                let len = *len;
                this.pending = None;
                return Poll::Ready(Ok(len));
            }
            match Pin::new(&mut this.inner).poll_write(cx, &r[*done..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => *done += n,
                other => return other,
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        // hyper then writes each answer's head from the start of one buffer (see
        // `replacement`).
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_bodiless_parse_errors() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: \
                      Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n";
        let r = String::from_utf8(replacement(hyper).unwrap()).unwrap();
        assert!(r.starts_with("HTTP/1.1 431 "), "{r}");
        assert!(r.contains("content-type: application/json\r\n"), "{r}");
        assert!(r.contains("date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"), "{r}");
        let body = r.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"]["status"], 431);
        assert!(r.contains(&format!("content-length: {}\r\n", body.len())));
        for keep in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n",
        ] {
            assert!(replacement(keep).is_none());
        }
    }

    #[test]
    fn caps_connections_per_client() {
        let c = Clients::new(2);
        let ip: IpAddr = "127.0.0.2".parse().unwrap();
        let a = c.enter(ip).unwrap();
        let _b = c.enter(ip).unwrap();
        assert!(c.enter(ip).is_none());
        assert!(c.enter("127.0.0.3".parse().unwrap()).is_some());
        drop(a);
        assert!(c.enter(ip).is_some());
    }
}
