//! What every handler can reach: configuration, the clock, the repositories, authentication
//! and the event bus.

use crate::auth::passwords::Passwords;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::revocation::RevocationList;
use crate::auth::tokens::TokenKeys;
use crate::auth::user_cache::UserCache;
use chrono::Duration;
use ninepanels_app::App;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::{Config, Secret};
use ninepanels_domain::ports::{
    EntryRepository, Health, PanelRepository, Repositories, TimingRepository, TokenRepository,
    UserRepository,
};
use ninepanels_events::EventBus;
use ninepanels_events::seal::Sealer;
use std::sync::Arc;

/// Everything sign-in and token checks need.
#[derive(Debug)]
pub struct Auth {
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub revocations: Arc<RevocationList>,
    pub limiter: RateLimiter,
    pub users: UserCache,
}

/// Cloned for every request (each extractor and layer that takes the state), so it is one
/// shared pointer to [`Services`].
#[derive(Clone, Debug)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

#[derive(Debug)]
pub struct Services {
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub health: Arc<dyn Health>,
    pub users: Arc<dyn UserRepository>,
    pub panels: Arc<dyn PanelRepository>,
    pub entries: Arc<dyn EntryRepository>,
    pub tokens: Arc<dyn TokenRepository>,
    pub timings: Arc<dyn TimingRepository>,
    pub auth: Arc<Auth>,
    /// The use cases.
    pub app: App,
    pub events: EventBus,
    /// Seals the secrets that must-deliver events carry into the outbox.
    pub sealer: Sealer,
}

impl AppState {
    pub fn new(
        config: Config,
        repos: &Repositories,
        clock: Arc<dyn Clock>,
        events: EventBus,
    ) -> Self {
        let lifetime = Duration::minutes(config.auth.access_token_expire_minutes);
        let (clock_for_app, config_zone) = (clock.clone(), config.auth.default_time_zone);
        let tokens = repos.tokens.clone();
        let auth = Auth {
            keys: TokenKeys::new(config.auth.jwt_secret.expose(), lifetime)
                .accepting_legacy(config.auth.legacy_jwt_secret.as_ref().map(Secret::expose)),
            passwords: Passwords::new(config.auth.password_hash_threads),
            revocations: Arc::new(RevocationList::new(tokens.clone(), clock.clone(), lifetime)),
            limiter: RateLimiter::new(repos.attempts.clone(), config.auth.rate_limits.window_secs),
            users: UserCache::new(std::time::Duration::from_secs(config.auth.user_cache_secs)),
        };
        Self(Arc::new(Services {
            sealer: Sealer::new(&config.auth.jwt_secret),
            config: Arc::new(config),
            clock,
            health: repos.health.clone(),
            users: repos.users.clone(),
            panels: repos.panels.clone(),
            entries: repos.entries.clone(),
            tokens,
            timings: repos.timings.clone(),
            auth: Arc::new(auth),
            app: App::new(repos, clock_for_app, config_zone),
            events,
        }))
    }
}
