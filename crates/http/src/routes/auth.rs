//! Sign-in, sign-out and password reset.

use crate::auth::rate_limit::AttemptKeys;
use crate::auth::{ClientAddress, CurrentUser};
use crate::dto::TokenOut;
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::{ApiError, ApiResult};
use crate::forms::FormFields;
use crate::openapi::{ErrorEnvelope, ResetForm, ResetRequestForm, TokenForm};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::REFERER;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use ninepanels_domain::Error;
use ninepanels_domain::attempts::AttemptCount;
use ninepanels_domain::user::{Email, Password, UserChanges};
use ninepanels_events::{Event, outbox};
use sha2::{Digest, Sha256};

pub const WRONG_CREDENTIALS: &str = "Incorrect email or password";
pub const RESET_TOKEN_REFUSED: &str = "Please request a new password reset token.";

/// Refuses (429) when the address or the email has used up its attempts of `action`.
async fn check_attempts(state: &AppState, keys: &AttemptKeys) -> Result<Vec<AttemptCount>, Error> {
    let limits = keys.limits(state.config.auth.rate_limits);
    state.auth.limiter.check(&limits, state.clock.now()).await
}

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
    // Only failures count, and a correct password is refused too once they are used up.
    let keys = AttemptKeys::new("token", &address, username);
    let counted = check_attempts(&state, &keys).await?;
    let refused = async || {
        state
            .auth
            .limiter
            .count(&keys.both(), state.clock.now())
            .await?;
        Err(ApiError(Error::unauthorized(WRONG_CREDENTIALS)))
    };
    let user = match Email::parse(username) {
        Ok(email) => state.users.find_by_email(&email).await?,
        Err(_) => None,
    };
    let Some(user) = user else {
        state.auth.passwords.verify_decoy(password).await?;
        return refused().await;
    };
    let verified = state
        .auth
        .passwords
        .verify(password, &user.password_hash)
        .await?;
    if !verified.matches {
        return refused().await;
    }
    if counted.iter().any(|c| c.key == keys.email) {
        state.auth.limiter.clear(&keys.email).await?;
    }
    let now = state.clock.now();
    if verified.needs_rehash
        && let Ok(plain) = Password::parse(password)
    {
        let rehashed = state.auth.passwords.hash(&plain).await?;
        state
            .users
            .update(
                user.id,
                UserChanges {
                    password_hash: Some(rehashed),
                    ..Default::default()
                },
            )
            .await?;
        state.auth.users.forget(user.id);
        tracing::info!(user_id = user.id, "legacy bcrypt hash replaced by Argon2id");
    }
    state.tokens.invalidate_reset_tokens(user.id, now).await?;
    let (access_token, _) = state.auth.keys.issue(user.id, now)?;
    state
        .events
        .emit(Event::UserLoggedIn { user_id: user.id })
        .await;
    let body = TokenOut {
        access_token,
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
    state.auth.revocations.revoke(&current.claims).await?;
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
    check_attempts(&state, &keys).await?;
    state
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
    let new_hash = state.auth.passwords.hash(&new_password).await?;
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
    state.auth.users.forget(user.id);
    state.events.nudge_outbox();
    Ok(Data::new(true))
}
