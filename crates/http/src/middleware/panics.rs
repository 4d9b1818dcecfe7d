//! A handler that panics answers 500 in the envelope, like any unexpected error, instead of a
//! dropped connection: the request is logged as failed and raises `ErrorRaised` (the timing
//! layer outside this one sees the error), and the server goes on.

use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use ninepanels_domain::Error;
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;

fn answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError(Error::internal(format!("the handler panicked: {what}"))).into_response()
}

/// The layer, for the API's routes.
pub fn layer() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::LoggedError;
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("the sky fell")
    }

    #[tokio::test]
    async fn a_panic_is_a_500_in_the_envelope_with_its_story_kept_for_the_logs() {
        let app: Router = Router::new().route("/boom", get(boom)).layer(layer());
        let request = Request::get("/boom").body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let LoggedError(error) = response.extensions().get::<LoggedError>().unwrap().clone();
        assert_eq!(error.context_msg, "the handler panicked: the sky fell");
        let body = to_bytes(response.into_body(), 4096).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(
            !body.contains("sky"),
            "the story stays out of the answer: {body}"
        );
    }
}
