//! The router: every route, then the layers every request passes through.

use crate::envelope::error_response;
use crate::middleware::envelope::wrap_errors;
use crate::middleware::request_id::{X_REQUEST_ID, trace_request};
use crate::middleware::timing::time_request;
use crate::routes::{admin, auth, entries, meta, metrics, panels, users};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, patch, post};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// Largest request body accepted; a panel with a 2,000-character description is far below it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let cors = cors_layer(&state.config.cors_origins);
    Router::new()
        .route("/", get(meta::get_root))
        .route("/healthz", get(meta::get_healthz))
        .route("/readyz", get(meta::get_readyz))
        .route("/token", post(auth::create_token))
        .route("/v5/auth/logout", post(auth::logout))
        .route(
            "/v5/auth/request_password_reset",
            post(auth::request_password_reset),
        )
        .route("/v5/auth/password_reset", post(auth::reset_password))
        .route(
            "/v5/users",
            post(users::create_user)
                .get(users::get_user)
                .patch(users::update_user)
                .delete(users::delete_user),
        )
        .route(
            "/v5/panels",
            post(panels::create_panel).get(panels::list_panels),
        )
        .route(
            "/v5/panels/{panel_id}",
            patch(panels::update_panel).delete(panels::delete_panel),
        )
        .route(
            "/v5/panels/{panel_id}/entries",
            post(entries::create_entry)
                .get(entries::list_entries)
                .delete(entries::clear_entries),
        )
        .route("/v5/panels/{panel_id}/history", get(entries::list_history))
        .route(
            "/v5/metrics/panels/consistency",
            get(metrics::get_consistency),
        )
        .route(
            "/v5/metrics/panels/{panel_id}/streaks",
            get(metrics::get_streaks),
        )
        .route("/v5/admin/users", get(admin::list_users))
        .route("/v5/admin/routes", get(admin::list_routes))
        .route("/v5/admin/routes/timings", get(admin::list_route_timings))
        .route_layer(from_fn_with_state(state.clone(), time_request))
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "Not found") })
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(from_fn(wrap_errors))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
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
