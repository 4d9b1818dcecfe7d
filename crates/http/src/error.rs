//! How the base error becomes a response: `kind` picks the status, `detail` is the only text the
//! client sees; the error itself rides along as an extension for the request's log line.

use crate::envelope::error_response;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ninepanels_domain::{Error, ErrorKind};

/// The base error as an axum response.
#[derive(Debug)]
pub struct ApiError(pub Error);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

/// The error behind a response, read by the request logger.
#[derive(Debug, Clone)]
pub struct LoggedError(pub Error);

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Conflict | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let mut response = error_response(status_of(err.kind), &err.detail);
        match err.kind {
            ErrorKind::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ErrorKind::RateLimited => {
                let retry_after = err
                    .context_data
                    .iter()
                    .find(|(k, _)| k == "retry_after_secs")
                    .and_then(|(_, v)| HeaderValue::from_str(v).ok())
                    .unwrap_or(HeaderValue::from_static("60"));
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after);
            }
            ErrorKind::Unavailable => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            _ => {}
        }
        response.extensions_mut().insert(LoggedError(err));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    #[tokio::test]
    async fn body_carries_only_the_detail() {
        let err = Error::internal("SELECT exploded").with_data("table", "users");
        let response = ApiError(err).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.extensions().get::<LoggedError>().is_some());
        let body = to_bytes(response.into_body(), 10_000).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "data": {"detail": "Something went wrong on our side."},
                "status_code": 500, "is_error": true,
                "error_message": "Something went wrong on our side.", "meta": null
            })
        );
    }

    #[test]
    fn unauthorized_says_bearer() {
        let response = ApiError(Error::of_kind(ErrorKind::Unauthorized)).into_response();
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }

    #[test]
    fn every_kind_has_its_status() {
        assert_eq!(
            status_of(ErrorKind::Invalid),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(ErrorKind::Conflict), StatusCode::BAD_REQUEST);
        assert_eq!(
            status_of(ErrorKind::Unavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status_of(ErrorKind::Forbidden), StatusCode::FORBIDDEN);
    }
}
