//! What every handler can reach: configuration, the clock, the repositories, the use cases,
//! authentication and the event bus.

use ninepanels_app::App;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Config;
use ninepanels_domain::ports::{
    Health, Repositories, TimingRepository, TokenRepository, UserRepository,
};
use ninepanels_events::EventBus;
use std::sync::Arc;

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
    pub tokens: Arc<dyn TokenRepository>,
    pub timings: Arc<dyn TimingRepository>,
    /// The use cases, and the authentication services (`app.auth`).
    pub app: App,
    pub events: EventBus,
}

impl AppState {
    pub fn new(
        config: Config,
        repos: &Repositories,
        clock: Arc<dyn Clock>,
        events: EventBus,
        app: App,
    ) -> Self {
        crate::prometheus::install();
        Self(Arc::new(Services {
            config: Arc::new(config),
            clock,
            health: repos.health.clone(),
            users: repos.users.clone(),
            tokens: repos.tokens.clone(),
            timings: repos.timings.clone(),
            app,
            events,
        }))
    }
}
