//! Your data is yours: an export of the account (recorded before a byte of it is sent), and an
//! import from our own export or from Loop Habit Tracker.

mod import;

use crate::calendar::Calendar;
use crate::marks::{DayRange, marks};
use chrono::NaiveDate;
use ninepanels_domain::Result;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::entry::Mark;
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

/// A panel with the mark of each day from `first` on.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelDays {
    pub panel: Panel,
    pub first: NaiveDate,
    pub marks: Vec<Mark>,
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

    /// Each panel with the mark of every day from its creation day through today, in position
    /// order, and today (one index read per day, for the day-by-day Loop layout).
    pub async fn panel_days(
        &self,
        user: &User,
        panels: Vec<Panel>,
    ) -> Result<(NaiveDate, Vec<PanelDays>)> {
        let today = self.calendar.today(user, None)?;
        let ranges: Vec<DayRange> = panels
            .iter()
            .map(|panel| DayRange {
                panel_id: panel.id,
                first: today.day_of(panel.created_at),
                last: today.date,
            })
            .collect();
        let marks = marks(&*self.entries, today.zone, &ranges).await?;
        let days = panels
            .into_iter()
            .zip(ranges)
            .zip(marks)
            .map(|((panel, range), marks)| PanelDays {
                panel,
                first: range.first,
                marks,
            })
            .collect();
        Ok((today.date, days))
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
