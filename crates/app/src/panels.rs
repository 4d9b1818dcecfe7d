//! Panels: creating, listing each with today's state, changing or moving, and deleting.

use crate::calendar::Calendar;
use ninepanels_domain::Result;
use ninepanels_domain::events::{PanelCreated, PanelDeleted, PanelUpdated};
use ninepanels_domain::panel::{NewPanel, Panel, PanelChanges, PanelId};
use ninepanels_domain::ports::{Events, PanelRepository, Repositories};
use ninepanels_domain::user::{User, UserId};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Panels {
    panels: Arc<dyn PanelRepository>,
    events: Arc<dyn Events>,
    calendar: Calendar,
}

impl Panels {
    pub fn new(repos: &Repositories, events: Arc<dyn Events>, calendar: Calendar) -> Self {
        Self {
            panels: repos.panels.clone(),
            events,
            calendar,
        }
    }

    /// Adds a panel at its position (the others shift) or at the end; Conflict past nine.
    pub async fn create(&self, user_id: UserId, panel: NewPanel) -> Result<Panel> {
        let created = self
            .panels
            .create(user_id, panel, self.calendar.now())
            .await?;
        let panel_id = created.id;
        self.events
            .emit(PanelCreated { user_id, panel_id }.into())
            .await;
        Ok(created)
    }

    /// Renames, describes or moves the panel.
    pub async fn update(
        &self,
        user_id: UserId,
        panel_id: PanelId,
        changes: PanelChanges,
    ) -> Result<Panel> {
        let panel = self.panels.update(user_id, panel_id, changes).await?;
        self.events
            .emit(PanelUpdated { user_id, panel_id }.into())
            .await;
        Ok(panel)
    }

    /// Deletes the panel with its entries; later panels move up.
    pub async fn delete(&self, user_id: UserId, panel_id: PanelId) -> Result<()> {
        self.panels.delete(user_id, panel_id).await?;
        self.events
            .emit(PanelDeleted { user_id, panel_id }.into())
            .await;
        Ok(())
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
