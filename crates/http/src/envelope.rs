//! The response envelope every wrapped answer shares: `{data, status_code, is_error, error_message, meta}`.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use ninepanels_domain::Error;
use serde::Serialize;

/// What a request that runs past the timeout is told (408).
pub const TIMEOUT_SENTENCE: &str = "The request took too long; try again.";
/// What a request whose body is over the limit is told (413).
pub const TOO_LARGE_SENTENCE: &str = "The request body is too large.";

/// Marks a response whose body is already an envelope, so the fallback wrapper leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Enveloped;

/// Every wrapped answer; a success has `is_error: false` and no `error_message`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    pub data: T,
    #[schema(example = 200)]
    pub status_code: u16,
    #[schema(example = false)]
    pub is_error: bool,
    #[schema(examples(json!(null)))]
    pub error_message: Option<String>,
    /// Paging details on paged lists, otherwise null.
    #[schema(value_type = Option<PageMeta>)]
    pub meta: Option<serde_json::Value>,
}

/// `meta` of a paged list (`GET /v5/panels/{id}/history`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageMeta {
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(example = "MjAyNi0wNi0xNVQxMjowMDowMFp8NDI")]
    pub next_cursor: Option<String>,
    /// Items on this page.
    #[schema(example = 100)]
    pub count: usize,
}

/// The body of every error: `data` is `{"detail": <same sentence>}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    pub detail: &'a str,
}

/// A successful answer: status 200 with `data`, and `meta` when paging.
#[derive(Debug)]
pub struct Data<T> {
    data: T,
    meta: Option<serde_json::Value>,
}

impl<T> Data<T> {
    pub fn new(data: T) -> Self {
        Self { data, meta: None }
    }

    pub fn with_meta(data: T, meta: serde_json::Value) -> Self {
        Self {
            data,
            meta: Some(meta),
        }
    }
}

impl<T: Serialize> IntoResponse for Data<T> {
    fn into_response(self) -> Response {
        let body = Envelope {
            data: self.data,
            status_code: StatusCode::OK.as_u16(),
            is_error: false,
            error_message: None,
            meta: self.meta,
        };
        // Sized for a typical answer (nine panels are 1.3 KB) so it is not grown step by step.
        let mut bytes = Vec::with_capacity(2048);
        let mut response = match serde_json::to_writer(&mut bytes, &body) {
            Ok(()) => ([(CONTENT_TYPE, "application/json")], bytes).into_response(),
            Err(e) => crate::error::ApiError(Error::internal(format!("writing the response: {e}")))
                .into_response(),
        };
        response.extensions_mut().insert(Enveloped);
        response
    }
}

/// An error envelope with the given status and sentence.
pub fn error_response(status: StatusCode, message: &str) -> Response {
    let body = Envelope {
        data: ErrorDetail { detail: message },
        status_code: status.as_u16(),
        is_error: true,
        error_message: Some(message.to_owned()),
        meta: None,
    };
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(Enveloped);
    response
}
