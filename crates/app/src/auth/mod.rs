//! Authentication services: password hashing, access tokens, revocation, sign-in limits and
//! the short-lived cache of signed-in users.

pub mod passwords;
pub mod rate_limit;
pub mod revocation;
pub mod tokens;
pub mod user_cache;

use chrono::Duration;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::{AuthConfig, Secret};
use ninepanels_domain::ports::Repositories;
use passwords::Passwords;
use rate_limit::RateLimiter;
use revocation::RevocationList;
use std::sync::Arc;
use tokens::TokenKeys;
use user_cache::UserCache;

/// Everything sign-in and token checks need.
#[derive(Debug)]
pub struct Auth {
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub revocations: Arc<RevocationList>,
    pub limiter: RateLimiter,
    pub users: UserCache,
}

impl Auth {
    pub fn new(config: &AuthConfig, repos: &Repositories, clock: Arc<dyn Clock>) -> Self {
        let lifetime = Duration::minutes(config.access_token_expire_minutes);
        Self {
            keys: TokenKeys::new(config.jwt_secret.expose(), lifetime)
                .accepting_legacy(config.legacy_jwt_secret.as_ref().map(Secret::expose)),
            passwords: Passwords::new(config.password_hash_threads),
            revocations: Arc::new(RevocationList::new(repos.tokens.clone(), clock, lifetime)),
            limiter: RateLimiter::new(repos.attempts.clone(), config.rate_limits.window_secs),
            users: UserCache::new(std::time::Duration::from_secs(config.user_cache_secs)),
        }
    }
}
