//! Administration routes, for users with `is_admin`.

use crate::auth::AdminUser;
use crate::dto::{RouteStatsOut, RouteTimingsOut, UserOut};
use crate::envelope::Data;
use crate::error::ApiResult;
use crate::params::QueryFields;
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::Error;

/// `GET /v5/admin/users`: every user.
#[utoipa::path(get, path = "/v5/admin/users", tag = "admin", security(("bearer" = [])), responses((status = 200, description = "Success", body = crate::envelope::Envelope<Vec<crate::dto::UserOut>>), (status = 401, description = "Could not validate credentials", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 403, description = "Admins only.", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 503, description = "The database is unreachable, or its storage is full or failing; nothing was changed, try again shortly", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>)))]
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

/// `GET /v5/admin/routes`: each route's latest statistics.
#[utoipa::path(get, path = "/v5/admin/routes", tag = "admin", security(("bearer" = [])), responses((status = 200, description = "Success", body = crate::envelope::Envelope<Vec<crate::dto::RouteStatsOut>>), (status = 401, description = "Could not validate credentials", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 403, description = "Admins only.", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 503, description = "The database is unreachable, or its storage is full or failing; nothing was changed, try again shortly", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>)))]
pub async fn list_routes(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Data<Vec<RouteStatsOut>>> {
    let stats = state.timings.all_stats().await?;
    Ok(Data::new(
        stats.into_iter().map(RouteStatsOut::from).collect(),
    ))
}

/// `GET /v5/admin/routes/timings?method_path=..&window_size=..`: readings newest first.
#[utoipa::path(get, path = "/v5/admin/routes/timings", tag = "admin", security(("bearer" = [])), params(("method_path" = String, Query, description = "The route, as method_path of /v5/admin/routes", example = "GET_/v5/panels"), ("window_size" = Option<u64>, Query, description = "1-10000, default 100", example = 100, minimum = 1, maximum = 10000)), responses((status = 200, description = "Success", body = crate::envelope::Envelope<crate::dto::RouteTimingsOut>), (status = 401, description = "Could not validate credentials", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 403, description = "Admins only.", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 422, description = "Bad parameter", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>), (status = 503, description = "The database is unreachable, or its storage is full or failing; nothing was changed, try again shortly", body = crate::envelope::Envelope<crate::openapi::ErrorDoc>)))]
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
