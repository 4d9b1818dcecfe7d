//! The use cases over a test database, with the real event bus; its inbox shows what they emit.

use ninepanels_app::App;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::{AuthConfig, Config};
use ninepanels_domain::ports::Repositories;
use ninepanels_events::{EventBus, Inbox};
use ninepanels_persistence::testing::TestDb;
use std::sync::Arc;

#[allow(dead_code, missing_debug_implementations)] // Each test file uses its own part.
pub struct TestApp {
    pub app: App,
    pub repos: Repositories,
    pub events: EventBus,
    pub inbox: Inbox,
}

/// The app with `auth` (the server's defaults otherwise) on `db`.
pub fn app(db: &TestDb, auth: AuthConfig, clock: Arc<dyn Clock>) -> TestApp {
    let repos = ninepanels_persistence::repositories(&db.db);
    let config = Config {
        auth,
        ..Config::for_tests(&db.url)
    };
    let (events, inbox) = EventBus::new(64, clock.clone(), Arc::default());
    let app = App::new(&config, &repos, Arc::new(events.clone()), clock);
    TestApp {
        app,
        repos,
        events,
        inbox,
    }
}
