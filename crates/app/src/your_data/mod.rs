//! Your data is yours: an export of the account (recorded before a byte of it is sent), and an
//! import from our own export or from Loop Habit Tracker.

mod import;

use crate::calendar::Calendar;
use ninepanels_domain::Result;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::events::{DataExported, MustDeliver};
use ninepanels_domain::panel::Panel;
use ninepanels_domain::ports::{
    EntryRepository, Events, OutboxRepository, PanelRepository, Repositories,
};
use ninepanels_domain::user::User;
use std::sync::Arc;

/// What an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Our own JSON (`ninepanels-export`, version 1).
    Json,
    /// Loop Habit Tracker's CSV files in a zip.
    Loop,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Loop => "loop",
        }
    }
}

#[derive(Debug, Clone)]
pub struct YourData {
    panels: Arc<dyn PanelRepository>,
    entries: Arc<dyn EntryRepository>,
    outbox: Arc<dyn OutboxRepository>,
    events: Arc<dyn Events>,
    clock: Arc<dyn Clock>,
    calendar: Calendar,
}

impl YourData {
    pub fn new(
        repos: &Repositories,
        events: Arc<dyn Events>,
        clock: Arc<dyn Clock>,
        calendar: Calendar,
    ) -> Self {
        Self {
            panels: repos.panels.clone(),
            entries: repos.entries.clone(),
            outbox: repos.outbox.clone(),
            events,
            clock,
            calendar,
        }
    }

    /// Records that `user` exports their data (the audit record is committed first) and
    /// answers their panels in position order; the entries are then read a page at a time.
    pub async fn begin_export(&self, user: &User, format: ExportFormat) -> Result<Vec<Panel>> {
        let exported = MustDeliver::from(DataExported {
            user_id: user.id,
            format: format.name().to_owned(),
        });
        let draft = self.events.draft(&exported, self.clock.now());
        self.outbox.write(vec![draft]).await?;
        self.events.outbox_written();
        self.panels.list(user.id).await
    }
}
