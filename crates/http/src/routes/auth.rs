//! Sign-in, sign-out and password reset.

use crate::dto::TokenOut;
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientAddress, CurrentUser};
use crate::forms::FormFields;
use crate::openapi::{ErrorEnvelope, ResetForm, ResetRequestForm, TokenForm};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::REFERER;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use ninepanels_app::auth::rate_limit::AttemptKeys;
use ninepanels_domain::Error;

use ninepanels_domain::user::{Email, Password};
use ninepanels_events::{Event, outbox};
use sha2::{Digest, Sha256};

pub const RESET_TOKEN_REFUSED: &str = "Please request a new password reset token.";

pub fn hash_reset_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Signs in with an email and a password (the OAuth2 password flow).
#[utoipa::path(
    post,
    path = "/token",
    tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Success", body = Envelope<TokenOut>),
        (status = 401, description = "Incorrect email or password", body = ErrorEnvelope),
        (status = 422, description = "A field is missing", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: FormFields,
) -> ApiResult<Response> {
    let username = form.required("username")?;
    let password = form.required("password")?;
    let signed_in = state
        .app
        .accounts
        .sign_in(username, password, &address)
        .await?;
    let user_id = signed_in.user.id;
    state.events.emit(Event::UserLoggedIn { user_id }).await;
    let body = TokenOut {
        access_token: signed_in.access_token,
        token_type: "bearer",
    };
    let from_docs = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|r| r.contains("/docs"));
    Ok(if from_docs {
        Json(body).into_response()
    } else {
        Data::new(body).into_response()
    })
}

/// Signs out: the token presented stops working.
#[utoipa::path(
    post,
    path = "/v5/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Envelope<bool>))
)]
pub async fn logout(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Data<bool>> {
    state.app.auth.revocations.revoke(&current.claims).await?;
    state
        .events
        .emit(Event::UserLoggedOut {
            user_id: current.user.id,
        })
        .await;
    Ok(Data::new(true))
}

/// Mails a password-reset link.
///
/// The answer is always `true`, whether or not the email has an account.
#[utoipa::path(
    post,
    path = "/v5/auth/request_password_reset",
    tag = "auth",
    request_body(content = ResetRequestForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Success", body = Envelope<bool>),
        (status = 422, description = "Not an email", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    )
)]
pub async fn request_password_reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    form: FormFields,
) -> ApiResult<Data<bool>> {
    let raw = form.required("email")?;
    let email = Email::parse(raw)?;
    // Every request counts: each one may send a mail.
    let keys = AttemptKeys::new("reset", &address, email.as_str());
    state.app.accounts.check_attempts(&keys).await?;
    state
        .app
        .auth
        .limiter
        .count(&keys.both(), state.clock.now())
        .await?;
    let Some(user) = state.users.find_by_email(&email).await? else {
        return Ok(Data::new(true));
    };
    let token = {
        use rand::Rng;
        hex::encode(rand::rng().random::<[u8; 32]>())
    };
    let now = state.clock.now();
    let expires_at = now + Duration::minutes(state.config.auth.password_reset_expire_minutes);
    let link = format!(
        "{}/password_reset?email={}&password_reset_token={}",
        state.config.mail.frontend_url,
        form_urlencoded::byte_serialize(user.email.as_str().as_bytes()).collect::<String>(),
        token
    );
    let mail = outbox::draft(
        &Event::PasswordResetRequested {
            user_id: user.id,
            email: user.email.as_str().to_owned(),
            reset_link: state.sealer.seal(&link),
            expires_at,
        },
        now,
    );
    state
        .tokens
        .create_reset_token(
            user.id,
            &hash_reset_token(&token),
            now,
            expires_at,
            vec![mail],
        )
        .await?;
    state.events.nudge_outbox();
    Ok(Data::new(true))
}

/// Sets a new password with the single-use token from a reset mail.
#[utoipa::path(
    post,
    path = "/v5/auth/password_reset",
    tag = "auth",
    request_body(content = ResetForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Success", body = Envelope<bool>),
        (
            status = 401,
            description = "Please request a new password reset token.",
            body = ErrorEnvelope,
        ),
        (status = 422, description = "A field is missing or too short", body = ErrorEnvelope),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    form: FormFields,
) -> ApiResult<Data<bool>> {
    let new_password = Password::parse(form.required("new_password")?)
        .map_err(|e| Error::invalid(e.detail.replacen("password:", "new_password:", 1)))?;
    let email = form.required("email")?;
    let token = form.required("password_reset_token")?;
    let refused = || ApiError(Error::unauthorized(RESET_TOKEN_REFUSED));
    let Ok(email) = Email::parse(email) else {
        return Err(refused());
    };
    let Some(user) = state.users.find_by_email(&email).await? else {
        return Err(refused());
    };
    let new_hash = state.app.auth.passwords.hash(&new_password).await?;
    let now = state.clock.now();
    let audit = outbox::draft(&Event::PasswordResetCompleted { user_id: user.id }, now);
    let done = state
        .tokens
        .complete_password_reset(
            user.id,
            &hash_reset_token(token.trim()),
            &new_hash,
            now,
            vec![audit],
        )
        .await?;
    if !done {
        return Err(refused());
    }
    state.app.auth.users.forget(user.id);
    state.events.nudge_outbox();
    Ok(Data::new(true))
}
