//! `CurrentUser` turns `Authorization: Bearer <JWT>` into the signed-in user; `AdminUser`
//! additionally requires `is_admin`. Every refusal is the same 401 (or 403 for non-admins).

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use ninepanels_app::auth::tokens::Claims;
use ninepanels_domain::Error;
use ninepanels_domain::events::UserActive;
use ninepanels_domain::user::{Email, User};
use std::net::SocketAddr;

pub const BAD_CREDENTIALS: &str = "Could not validate credentials";
pub const ADMINS_ONLY: &str = "Admins only.";

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub claims: Claims,
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let refuse =
            |why: &str| ApiError(Error::unauthorized(BAD_CREDENTIALS).with_context(why.to_owned()));
        let token = bearer(parts).ok_or_else(|| refuse("no bearer token"))?;
        let now = state.clock.now();
        let claims = state
            .app
            .auth
            .keys
            .verify(token, now)
            .ok_or_else(|| refuse("token not valid, expired or not ours"))?;
        if state.app.auth.revocations.is_revoked(&claims.jti) {
            return Err(refuse("token revoked"));
        }
        let user = match claims.legacy_email() {
            Some(email) => legacy_user(state, email, &claims.jti).await?,
            None => signed_in_user(state, &claims).await?,
        }
        .ok_or_else(|| refuse("token of a deleted user"))?;
        if user
            .tokens_valid_after
            .is_some_and(|cut_off| claims.issued_at() < cut_off)
        {
            return Err(refuse("token issued before a password reset"));
        }
        state.events.emit(UserActive { user_id: user.id }).await;
        Ok(Self { user, claims })
    }
}

/// The user a token of ours names, from the short-lived cache when it is there.
async fn signed_in_user(state: &AppState, claims: &Claims) -> Result<Option<User>, ApiError> {
    let Some(user_id) = claims.user_id() else {
        return Ok(None);
    };
    if let Some(user) = state.app.auth.users.get(user_id) {
        return Ok(Some(user));
    }
    let user = state.users.find_by_id(user_id).await?;
    if let Some(user) = &user {
        state.app.auth.users.put(user.clone());
    }
    Ok(user)
}

/// The user an old server's token names by email, unless the old server (or a sign-out here)
/// revoked it: that list is read from the database, where the old server left it.
async fn legacy_user(state: &AppState, email: &str, token: &str) -> Result<Option<User>, ApiError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    if state.tokens.is_revoked(token).await? {
        return Ok(None);
    }
    Ok(state.users.find_by_email(&email).await?)
}

/// The address attempts are counted against: the peer, or behind a trusted proxy
/// (`TRUSTED_PROXIES`) the right-most `X-Forwarded-For` entry that is not a proxy.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(Self("unknown".to_owned()));
        };
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = state
            .config
            .http
            .trusted_proxies
            .client_address(peer.ip(), forwarded.into_iter());
        Ok(Self(client.to_string()))
    }
}

#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if !current.user.is_admin {
            return Err(ApiError(
                Error::forbidden(ADMINS_ONLY).with_data("user_id", current.user.id),
            ));
        }
        Ok(Self(current))
    }
}
