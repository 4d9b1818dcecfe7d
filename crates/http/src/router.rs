//! The router: every route, then the layers every request passes through.

use crate::envelope::error_response;
use crate::middleware::envelope::wrap_errors;
use crate::middleware::request_id::{X_REQUEST_ID, trace_request};
use crate::middleware::timing::time_request;
use crate::openapi::{ApiDoc, add_shared_responses};
use crate::routes::{
    admin, auth, docs, entries, export, import, meta, metrics, panels, scrape, summaries, users,
};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// Largest request body accepted; a panel with a 2,000-character description is far below it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every API route with its documentation, from one source.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::get_root))
        .routes(routes!(meta::get_healthz))
        .routes(routes!(meta::get_readyz))
        .routes(routes!(auth::create_token))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::request_password_reset))
        .routes(routes!(auth::reset_password))
        .routes(routes!(
            users::create_user,
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(panels::create_panel, panels::list_panels))
        .routes(routes!(panels::update_panel, panels::delete_panel))
        .routes(routes!(
            entries::create_entry,
            entries::list_entries,
            entries::clear_entries
        ))
        .routes(routes!(entries::list_history))
        .routes(routes!(metrics::get_consistency))
        .routes(routes!(metrics::get_streaks))
        .routes(routes!(summaries::get_summary))
        .routes(routes!(export::export_data))
        .routes(routes!(summaries::get_calendar))
        .routes(routes!(admin::list_users))
        .routes(routes!(admin::list_routes))
        .routes(routes!(admin::list_route_timings))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(uploads())
}

/// Routes that take files, with their own body limit.
fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import::import_data))
        .layer(DefaultBodyLimit::max(import::MAX_IMPORT_BYTES))
        .layer(RequestBodyLimitLayer::new(import::MAX_IMPORT_BYTES))
}

/// The OpenAPI document of [`api_routes`].
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_parts().1
}

/// The API's router and its finished document.
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut document) = api_routes().split_for_parts();
    add_shared_responses(&mut document);
    (api, document)
}

pub fn router(state: AppState) -> Router {
    let cors = cors_layer(&state.config.http.cors_origins);
    let timeout_secs = state.config.http.request_timeout_secs;
    let (api, document) = api_parts();
    let swagger = SwaggerUi::new("/docs")
        .url("/openapi.json", document)
        .config(Config::default().persist_authorization(true));
    let documentation = Router::new()
        .merge(swagger)
        .route("/redoc", get(docs::get_redoc))
        .route("/redoc/redoc.standalone.js", get(docs::get_redoc_script))
        .layer(CompressionLayer::new());
    api.route_layer(crate::middleware::panics::layer())
        .route_layer(from_fn_with_state(state.clone(), time_request))
        .merge(documentation)
        .route("/metrics", get(scrape::get_metrics))
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "Not found") })
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(timeout_secs),
        ))
        .layer(from_fn(wrap_errors))
        .layer(cors)
        .layer(from_fn(trace_request))
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            X_REQUEST_ID.clone(),
        ])
        .expose_headers([X_REQUEST_ID.clone()])
        .max_age(Duration::from_secs(600))
}
