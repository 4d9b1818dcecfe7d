//! Sign-in, sign-out and password reset.

use crate::dto::TokenOut;
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::{ClientAddress, CurrentUser};
use crate::forms::FormFields;
use crate::openapi::{ErrorEnvelope, ResetForm, ResetRequestForm, TokenForm};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::REFERER;
use axum::response::{IntoResponse, Response};
use ninepanels_domain::Error;
use ninepanels_domain::user::{Email, Password};

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
    let user_id = current.user.id;
    state
        .app
        .accounts
        .sign_out(user_id, &current.claims)
        .await?;
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
    let email = Email::parse(form.required("email")?)?;
    state.app.accounts.request_reset(&email, &address).await?;
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
    let accounts = &state.app.accounts;
    accounts.complete_reset(email, token, &new_password).await?;
    Ok(Data::new(true))
}
