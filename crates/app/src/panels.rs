//! Panels as a person sees them: each with today's state.

use crate::calendar::Calendar;
use ninepanels_domain::Result;
use ninepanels_domain::panel::Panel;
use ninepanels_domain::ports::{PanelRepository, Repositories};
use ninepanels_domain::user::User;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Panels {
    panels: Arc<dyn PanelRepository>,
    calendar: Calendar,
}

impl Panels {
    pub fn new(repos: &Repositories, calendar: Calendar) -> Self {
        Self {
            panels: repos.panels.clone(),
            calendar,
        }
    }

    /// The user's panels in position order, each with whether its latest entry of today (in the
    /// user's zone, or `tz`) is complete; one query.
    pub async fn list_with_today(
        &self,
        user: &User,
        tz: Option<&str>,
    ) -> Result<Vec<(Panel, bool)>> {
        let today = self.calendar.today(user, tz)?;
        let listed = self
            .panels
            .list_with_latest(user.id, today.start(), today.end())
            .await?;
        Ok(listed
            .into_iter()
            .map(|(panel, latest)| (panel, latest.unwrap_or(false)))
            .collect())
    }
}
