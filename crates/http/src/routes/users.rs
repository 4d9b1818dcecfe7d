//! The caller's own account.

use crate::dto::{Success, UserOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::forms::{FormFields, JsonBody};
use crate::openapi::{ErrorEnvelope, SignUpForm};
use crate::state::AppState;
use axum::extract::State;
use ninepanels_domain::Error;
use ninepanels_domain::ports::Announce;
use ninepanels_domain::user::User;
use ninepanels_domain::user::{Email, NewUser, Password, TimeZone, UserChanges, UserName};
use ninepanels_events::{Event, outbox};
use serde::Deserialize;

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
    form: FormFields,
) -> ApiResult<Data<UserOut>> {
    let email = Email::parse(form.required("email")?)?;
    let name = UserName::parse(form.required("name")?)?;
    let password = Password::parse(form.required("password")?)?;
    let time_zone = match form.optional("time_zone").map(str::trim) {
        None | Some("") => state.config.auth.default_time_zone,
        Some(zone) => TimeZone::parse(zone)?,
    };
    let password_hash = state.app.auth.passwords.hash(&password).await?;
    let now = state.clock.now();
    let welcome: Announce<User> = Box::new(move |user: &User| {
        vec![outbox::draft(
            &Event::UserCreated {
                user_id: user.id,
                email: user.email.as_str().to_owned(),
                name: user.name.clone(),
            },
            now,
        )]
    });
    let new_user = NewUser {
        email,
        name,
        password_hash,
        time_zone,
        is_admin: false,
    };
    let user = state.users.create(new_user, welcome).await?;
    state.events.nudge_outbox();
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
    let mut changes = UserChanges {
        name: patch.name.as_deref().map(UserName::parse).transpose()?,
        time_zone: patch
            .time_zone
            .as_deref()
            .map(TimeZone::parse)
            .transpose()?,
        ..Default::default()
    };
    match (
        patch.new_password.as_deref(),
        patch.current_password.as_deref(),
    ) {
        (Some(new), Some(old)) => {
            let new = Password::parse(new)
                .map_err(|e| Error::invalid(e.detail.replacen("password:", "new_password:", 1)))?;
            let verified = state
                .app
                .auth
                .passwords
                .verify(old, &current.user.password_hash)
                .await?;
            if !verified.matches {
                return Err(Error::bad_request("Current password is incorrect.").into());
            }
            changes.password_hash = Some(state.app.auth.passwords.hash(&new).await?);
        }
        (Some(_), None) => return Err(Error::invalid("current_password: field required").into()),
        (None, Some(_)) => return Err(Error::invalid("new_password: field required").into()),
        (None, None) => {}
    }
    if changes.is_empty() {
        return Err(Error::invalid(
            "body: give at least one of name, time_zone, or new_password with current_password",
        )
        .into());
    }
    let user = state.users.update(current.user.id, changes).await?;
    state.app.auth.users.forget(user.id);
    state
        .events
        .emit(Event::UserUpdated { user_id: user.id })
        .await;
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
    let audit = outbox::draft(
        &Event::UserDeleted {
            user_id: current.user.id,
        },
        state.clock.now(),
    );
    state.users.delete(current.user.id, vec![audit]).await?;
    state.app.auth.users.forget(current.user.id);
    state.events.nudge_outbox();
    Ok(Data::new(Success { success: true }))
}
