//! Administration routes (API.md section 8), for users with `is_admin`.

use crate::auth::AdminUser;
use crate::dto::UserOut;
use crate::envelope::Data;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;

/// `GET /v5/admin/users`: every user.
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Data<Vec<UserOut>>> {
    let zone = state.config.default_time_zone;
    let users = state.users.list().await?;
    Ok(Data::new(
        users.iter().map(|u| UserOut::from_user(u, zone)).collect(),
    ))
}
