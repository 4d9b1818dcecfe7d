//! Wraps error responses that did not come from our handlers (axum's 404, 405, 413, timeouts,
//! extractor rejections) in the envelope, with a sentence a person can read.

use crate::envelope::{Enveloped, TIMEOUT_SENTENCE, TOO_LARGE_SENTENCE, error_response};
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Paths whose responses are not wrapped.
pub fn is_documentation(path: &str) -> bool {
    path == "/openapi.json"
        || path == "/docs"
        || path.starts_with("/docs/")
        || path == "/redoc"
        || path.starts_with("/redoc/")
}

pub async fn wrap_errors(request: Request, next: Next) -> Response {
    let documentation = is_documentation(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if documentation || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if response.extensions().get::<Enveloped>().is_some() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, 4096).await.unwrap_or_default();
    let message = sentence_for(status, &String::from_utf8_lossy(&text));
    let mut wrapped = error_response(status, &message);
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            wrapped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    wrapped
}

fn sentence_for(status: StatusCode, body: &str) -> String {
    match status {
        StatusCode::NOT_FOUND => "Not found".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "This method is not allowed on this path.".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => TOO_LARGE_SENTENCE.to_owned(),
        StatusCode::REQUEST_TIMEOUT => TIMEOUT_SENTENCE.to_owned(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "The request body has the wrong content type.".to_owned()
        }
        _ if !body.trim().is_empty() && body.len() < 300 => body.trim().to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("The request failed.")
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_paths_are_left_alone() {
        assert!(is_documentation("/docs"));
        assert!(is_documentation("/redoc/redoc.standalone.js"));
        assert!(is_documentation("/openapi.json"));
        assert!(!is_documentation("/v5/docs"));
        assert!(!is_documentation("/documents"));
    }

    #[test]
    fn sentences_never_echo_long_bodies() {
        assert_eq!(sentence_for(StatusCode::NOT_FOUND, "x"), "Not found");
        assert_eq!(
            sentence_for(StatusCode::BAD_REQUEST, &"y".repeat(400)),
            "Bad Request"
        );
    }
}
