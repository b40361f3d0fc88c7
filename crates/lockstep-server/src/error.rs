//! The error type of the server, and the JSON error responses.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong starting or running the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The `[serve]` configuration is invalid.
    #[error("{0}")]
    Config(String),
    /// Listening on a non-loopback address without a token.
    #[error("{0}")]
    Insecure(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(#[from] lockstep_store::StoreError),
    /// The alerts could not be recorded or delivered.
    #[error(transparent)]
    Alerts(#[from] lockstep_alerts::AlertError),
    /// The runtime, the listener or the connection handling failed.
    #[error("server I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A manual refresh was asked for but the server has no fetcher.
    #[error("refreshing is disabled: the server was started without a fetcher")]
    NoFetcher,
    /// A background task panicked or was cancelled.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An error answer of the API: `{"error": {"status": 404, "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// What went wrong, in plain words.
    pub message: String,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 500 Internal Server Error.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 503 Service Unavailable.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        serde_json::json!({
            "error": {"status": self.status.as_u16(), "message": self.message}
        })
        .to_string()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl From<lockstep_store::StoreError> for ApiError {
    fn from(e: lockstep_store::StoreError) -> Self {
        ApiError::internal(format!("store: {}", chain(&e)))
    }
}

impl From<lockstep_alerts::AlertError> for ApiError {
    fn from(e: lockstep_alerts::AlertError) -> Self {
        ApiError::internal(format!("alerts: {}", chain(&e)))
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        match e {
            // The request is fine; the server's state (started offline) does not allow it.
            ServerError::NoFetcher => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            e => ApiError::internal(chain(&e)),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, self.body()).into_response();
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"lockstep\""),
            );
        }
        r
    }
}

/// An error and its sources, joined by `: `.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.ends_with(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}
