//! Use cases between the HTTP layer and the domain: what a person can do, over the repository
//! ports, the events port and the clock, with no HTTP in sight. A handler parses, calls one of these, and
//! converts the answer for the wire.

pub mod accounts;
pub mod auth;
pub mod calendar;
pub mod figures;
pub mod history;
mod marks;
pub mod panels;
pub mod summaries;
pub mod your_data;

use accounts::Accounts;
use auth::Auth;
use calendar::Calendar;
use history::History;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Config;
use ninepanels_domain::ports::{Events, Repositories};
use panels::Panels;
use std::sync::Arc;
use summaries::Summaries;
use your_data::YourData;

/// Every use case, built once over the ports.
#[derive(Debug, Clone)]
pub struct App {
    pub auth: Arc<Auth>,
    pub accounts: Accounts,
    pub calendar: Calendar,
    pub history: History,
    pub panels: Panels,
    pub summaries: Summaries,
    pub your_data: YourData,
}

impl App {
    pub fn new(
        config: &Config,
        repos: &Repositories,
        events: Arc<dyn Events>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let auth = Arc::new(Auth::new(&config.auth, repos, clock.clone()));
        let calendar = Calendar::new(clock.clone(), config.auth.default_time_zone);
        Self {
            your_data: YourData::new(repos, events.clone(), clock.clone(), calendar.clone()),
            accounts: Accounts::new(config, repos, auth.clone(), events.clone(), clock),
            auth,
            history: History::new(repos, events.clone(), calendar.clone()),
            panels: Panels::new(repos, events, calendar.clone()),
            summaries: Summaries::new(repos, calendar.clone()),
            calendar,
        }
    }
}
