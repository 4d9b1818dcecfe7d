//! The caller's own account.

use crate::dto::{Success, UserOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::forms::{Form, JsonBody};
use crate::openapi::ErrorEnvelope;
use crate::state::AppState;
use axum::extract::State;
use ninepanels_app::accounts::{ProfilePatch, SignUp};
use ninepanels_domain::user::{Email, Password, TimeZone, UserName};
use serde::Deserialize;

/// `POST /v5/users` form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignUpForm {
    #[schema(example = "ada@example.org", format = "email", max_length = 254)]
    pub email: String,
    #[schema(example = "Ada", min_length = 1, max_length = 100)]
    pub name: String,
    /// At least 8 characters.
    #[schema(example = "correct horse battery", format = Password, min_length = 8)]
    pub password: String,
    /// IANA name; the server's default when omitted.
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
}

/// Creates an account (signs up).
///
/// Any `Authorization` header is ignored.
#[utoipa::path(
    post,
    path = "/v5/users",
    tag = "users",
    request_body(content = SignUpForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Success", body = Envelope<UserOut>),
        (status = 400, description = "Do you have an account already?", body = ErrorEnvelope),
        (status = 422, description = "A field is invalid", body = ErrorEnvelope),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    Form(form): Form<SignUpForm>,
) -> ApiResult<Data<UserOut>> {
    let sign_up = SignUp {
        email: Email::parse(&form.email)?,
        name: UserName::parse(&form.name)?,
        password: Password::parse(&form.password)?,
        time_zone: match form.time_zone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(zone) => Some(TimeZone::parse(zone)?),
        },
    };
    let user = state.app.accounts.sign_up(sign_up).await?;
    Ok(Data::new(UserOut::from_user(
        &user,
        state.config.auth.default_time_zone,
    )))
}

/// Shows the signed-in user.
#[utoipa::path(
    get,
    path = "/v5/users",
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Envelope<UserOut>))
)]
pub async fn get_user(State(state): State<AppState>, current: CurrentUser) -> Data<UserOut> {
    Data::new(UserOut::from_user(
        &current.user,
        state.config.auth.default_time_zone,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(example = "Ada L.", min_length = 1, max_length = 100)]
    name: Option<String>,
    #[schema(example = "America/Los_Angeles")]
    time_zone: Option<String>,
    /// With `current_password`.
    #[schema(example = "a new horse battery", format = Password, min_length = 8)]
    new_password: Option<String>,
    #[schema(example = "correct horse battery", format = Password)]
    current_password: Option<String>,
}

/// Changes the caller's name, time zone or password.
///
/// A new password needs the current one.
#[utoipa::path(
    patch,
    path = "/v5/users",
    tag = "users",
    security(("bearer" = [])),
    request_body(content = UserPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Success", body = Envelope<UserOut>),
        (status = 400, description = "Current password is incorrect.", body = ErrorEnvelope),
        (status = 422, description = "Unknown field or bad value", body = ErrorEnvelope),
    )
)]
pub async fn update_user(
    State(state): State<AppState>,
    current: CurrentUser,
    JsonBody(patch): JsonBody<UserPatch>,
) -> ApiResult<Data<UserOut>> {
    let patch = ProfilePatch {
        name: patch.name,
        time_zone: patch.time_zone,
        new_password: patch.new_password,
        current_password: patch.current_password,
    };
    let user = state.app.accounts.update_me(&current.user, patch).await?;
    Ok(Data::new(UserOut::from_user(
        &user,
        state.config.auth.default_time_zone,
    )))
}

/// Deletes the caller's account with their panels, entries and tokens.
#[utoipa::path(
    delete,
    path = "/v5/users",
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Envelope<Success>))
)]
pub async fn delete_user(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Data<Success>> {
    state.app.accounts.delete_me(current.user.id).await?;
    Ok(Data::new(Success { success: true }))
}
