//! Gives each request an id (the client's `X-Request-ID` when sane, else a new UUID), runs it
//! inside a span carrying that id (and events emitted while serving it carry it too), echoes
//! the id, and writes one log line when it finishes.

use crate::error::LoggedError;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ninepanels_domain::ErrorKind;
use ninepanels_events::REQUEST_ID;
use std::time::Instant;
use tracing::Instrument;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, as an extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn trace_request(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();

    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;

    // To the tenth of a millisecond: what an aggregator charts, without float noise.
    let elapsed_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let status = response.status().as_u16();
    span.in_scope(|| match response.extensions().get::<LoggedError>() {
        Some(LoggedError(err)) if matches!(err.kind, ErrorKind::Internal | ErrorKind::Unavailable) => {
            tracing::error!(status, elapsed_ms, kind = ?err.kind, context = %err.context_msg, data = ?err.context_data, "request failed");
        }
        Some(LoggedError(err)) => {
            tracing::info!(status, elapsed_ms, kind = ?err.kind, detail = %err.detail, context = %err.context_msg, data = ?err.context_data, "request refused");
        }
        None => tracing::info!(status, elapsed_ms, "request finished"),
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_sane_ids_are_echoed() {
        assert!(acceptable("6f1c1a52-7a53-4b8e-9f57-0d1c2a1b3c4d"));
        assert!(!acceptable(""));
        assert!(!acceptable("a b"));
        assert!(!acceptable(&"x".repeat(129)));
        assert!(!acceptable("<script>"));
    }
}
