//! Sign-in, sign-out and password reset.

use crate::dto::{OAuthTokenOut, TokenAnswer, TokenOut};
use crate::envelope::Data;
use crate::envelope::Envelope;
use crate::error::ApiResult;
use crate::extract::{ClientAddress, CurrentUser};
use crate::forms::Form;
use crate::openapi::ErrorEnvelope;
use crate::params::QueryFields;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, PRAGMA, REFERER};
use axum::response::{IntoResponse, Response};
use ninepanels_domain::Error;
use ninepanels_domain::user::{Email, Password};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /token` form (the OAuth2 password grant; its other fields are ignored).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenForm {
    /// The email.
    #[schema(example = "ada@example.org", format = "email")]
    pub username: String,
    #[schema(example = "correct horse battery", format = Password)]
    pub password: String,
}

/// `POST /v5/auth/request_password_reset` form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequestForm {
    #[schema(example = "ada@example.org", format = "email", max_length = 254)]
    pub email: String,
}

/// `POST /v5/auth/password_reset` form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetForm {
    #[schema(example = "a new horse battery", format = Password, min_length = 8)]
    pub new_password: String,
    #[schema(example = "ada@example.org", format = "email", max_length = 254)]
    pub email: String,
    /// From the link in the reset mail.
    #[schema(example = "q3V0b2tlbi1mcm9tLXRoZS1tYWlsLWxpbmstMzJieXRlcw")]
    pub password_reset_token: String,
}

/// Signs in with an email and a password (the OAuth2 password flow).
///
/// The answer is enveloped, as the web client reads it. A standard OAuth2 client asks for the
/// plain RFC 6749 body instead with `?response=oauth2` (configure its token URL as
/// `/token?response=oauth2`): `{"access_token": "...", "token_type": "bearer",
/// "expires_in": 2592000}`, with `Cache-Control: no-store`.
#[utoipa::path(
    post,
    path = "/token",
    tag = "auth",
    params(
        (
            "response" = Option<String>,
            Query,
            description = "oauth2: answer with the plain RFC 6749 body (`OAuthTokenOut`)",
            example = "oauth2",
            pattern = "^oauth2$",
        ),
    ),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Success: enveloped, or with `?response=oauth2` an `OAuthTokenOut`", body = TokenAnswer),
        (status = 401, description = "Incorrect email or password", body = ErrorEnvelope),
        (status = 422, description = "A field is missing", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    query: QueryFields,
    Form(form): Form<TokenForm>,
) -> ApiResult<Response> {
    let oauth2 = match query.text("response") {
        None => false,
        Some("oauth2") => true,
        Some(other) => {
            return Err(Error::invalid(format!(
                "response: '{other}' is not oauth2 (leave it out for the enveloped answer)"
            ))
            .into());
        }
    };
    let accounts = &state.app.accounts;
    let signed_in = accounts
        .sign_in(&form.username, &form.password, &address)
        .await?;
    if oauth2 {
        let body = OAuthTokenOut {
            access_token: signed_in.access_token,
            token_type: "bearer",
            expires_in: state.config.auth.access_token_expire_minutes * 60,
        };
        return Ok((
            [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")],
            Json(body),
        )
            .into_response());
    }
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
    Form(form): Form<ResetRequestForm>,
) -> ApiResult<Data<bool>> {
    let email = Email::parse(&form.email)?;
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
    Form(form): Form<ResetForm>,
) -> ApiResult<Data<bool>> {
    let new_password = Password::parse(&form.new_password)
        .map_err(|e| Error::invalid(e.detail.replacen("password:", "new_password:", 1)))?;
    let token = &form.password_reset_token;
    let accounts = &state.app.accounts;
    accounts
        .complete_reset(&form.email, token, &new_password)
        .await?;
    Ok(Data::new(true))
}
