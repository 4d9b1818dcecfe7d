//! Use cases between the HTTP layer and the domain: what a person can do, over the repository
//! ports and the clock, with no HTTP in sight. A handler parses, calls one of these, and
//! converts the answer for the wire.

pub mod calendar;
pub mod history;
pub mod panels;

use calendar::Calendar;
use history::History;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::ports::Repositories;
use ninepanels_domain::user::TimeZone;
use panels::Panels;
use std::sync::Arc;

/// Every use case, built once over the ports.
#[derive(Debug, Clone)]
pub struct App {
    pub calendar: Calendar,
    pub history: History,
    pub panels: Panels,
}

impl App {
    /// `default_zone` counts the days of users who name no zone.
    pub fn new(repos: &Repositories, clock: Arc<dyn Clock>, default_zone: TimeZone) -> Self {
        let calendar = Calendar::new(clock, default_zone);
        Self {
            history: History::new(repos, calendar.clone()),
            panels: Panels::new(repos, calendar.clone()),
            calendar,
        }
    }
}
