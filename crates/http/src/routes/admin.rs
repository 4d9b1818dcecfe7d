//! Administration routes, for users with `is_admin`.

use crate::dto::{RouteStatsOut, RouteTimingsOut, UserOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::AdminUser;
use crate::openapi::ErrorEnvelope;
use crate::params::QueryFields;
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::Error;

/// Lists every user.
#[utoipa::path(
    get,
    path = "/v5/admin/users",
    tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Envelope<Vec<UserOut>>))
)]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Data<Vec<UserOut>>> {
    let zone = state.config.auth.default_time_zone;
    let users = state.users.list().await?;
    Ok(Data::new(
        users.iter().map(|u| UserOut::from_user(u, zone)).collect(),
    ))
}

/// Shows each route's latest timing statistics and alert state.
#[utoipa::path(
    get,
    path = "/v5/admin/routes",
    tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Envelope<Vec<RouteStatsOut>>))
)]
pub async fn list_routes(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Data<Vec<RouteStatsOut>>> {
    let stats = state.timings.all_stats().await?;
    Ok(Data::new(
        stats.into_iter().map(RouteStatsOut::from).collect(),
    ))
}

/// Shows a route's latest timings, newest first.
#[utoipa::path(
    get,
    path = "/v5/admin/routes/timings",
    tag = "admin",
    security(("bearer" = [])),
    params(
        (
            "method_path" = String,
            Query,
            description = "The route, as method_path of /v5/admin/routes",
            example = "GET_/v5/panels",
        ),
        (
            "window_size" = Option<u64>,
            Query,
            description = "1-10000, default 100",
            example = 100,
            minimum = 1,
            maximum = 10000,
        ),
    ),
    responses(
        (status = 200, description = "Success", body = Envelope<RouteTimingsOut>),
        (status = 422, description = "Bad parameter", body = ErrorEnvelope),
    )
)]
pub async fn list_route_timings(
    State(state): State<AppState>,
    _admin: AdminUser,
    query: QueryFields,
) -> ApiResult<Data<RouteTimingsOut>> {
    let method_path = query
        .text("method_path")
        .ok_or_else(|| Error::invalid("method_path: field required (e.g. GET_/v5/panels)"))?;
    let window = query.number("window_size", 100, 1, 10_000)?;
    let recent = state.timings.recent(method_path, window).await?;
    Ok(Data::new(RouteTimingsOut {
        readings: recent.iter().map(|(ms, _)| *ms).collect(),
        timestamps: recent.iter().map(|(_, at)| *at).collect(),
    }))
}
