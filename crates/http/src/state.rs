//! What every handler can reach: configuration, the clock, the repositories and the database.

use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Config;
use ninepanels_domain::ports::{EntryRepository, PanelRepository, UserRepository};
use ninepanels_persistence::{DatabaseConnection, SqlEntries, SqlPanels, SqlUsers};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub db: DatabaseConnection,
    pub users: Arc<dyn UserRepository>,
    pub panels: Arc<dyn PanelRepository>,
    pub entries: Arc<dyn EntryRepository>,
}

impl AppState {
    pub fn new(config: Config, db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Self {
            config: Arc::new(config),
            clock,
            users: Arc::new(SqlUsers::new(db.clone())),
            panels: Arc::new(SqlPanels::new(db.clone())),
            entries: Arc::new(SqlEntries::new(db.clone())),
            db,
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
