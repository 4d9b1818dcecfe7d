//! `CurrentUser` turns `Authorization: Bearer <JWT>` into the signed-in user; `AdminUser`
//! additionally requires `is_admin`. Every refusal is the same 401 (or 403 for non-admins).

use super::tokens::Claims;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use ninepanels_domain::Error;
use ninepanels_domain::user::User;
use ninepanels_events::Event;
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
            .auth
            .keys
            .verify(token, now)
            .ok_or_else(|| refuse("token not valid, expired or not ours"))?;
        if state.auth.revocations.is_revoked(&claims.jti) {
            return Err(refuse("token revoked"));
        }
        let user_id = claims
            .user_id()
            .ok_or_else(|| refuse("token names no user"))?;
        let user = match state.auth.users.get(user_id) {
            Some(user) => user,
            None => {
                let user = state
                    .users
                    .find_by_id(user_id)
                    .await?
                    .ok_or_else(|| refuse("token of a deleted user"))?;
                state.auth.users.put(user.clone());
                user
            }
        };
        if user
            .tokens_valid_after
            .is_some_and(|cut_off| claims.issued_at() < cut_off)
        {
            return Err(refuse("token issued before a password reset"));
        }
        state.events.emit(Event::UserActive { user_id }).await;
        Ok(Self { user, claims })
    }
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
