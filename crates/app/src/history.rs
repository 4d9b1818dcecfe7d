//! A panel's history: taps and clearing, the raw entries a page at a time, and as days (the
//! padded day list, consistency and streaks, all from the latest entry of each day in the user's
//! zone or the call's `tz`).

use crate::calendar::Calendar;
use crate::figures::Figuring;
use chrono::{Days, NaiveDate};
use ninepanels_domain::days::{Streaks, day_spans};
use ninepanels_domain::entry::{DaySpan, Entry, HistoryCursor, Latest, Mark};
use ninepanels_domain::events::{EntryRecorded, HistoryCleared};
use ninepanels_domain::panel::{PANEL_NOT_FOUND, Panel, PanelId};
use ninepanels_domain::ports::{EntryRepository, Events, PanelRepository, Repositories};
use ninepanels_domain::user::{User, UserId};
use ninepanels_domain::{Error, Result};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct History {
    panels: Arc<dyn PanelRepository>,
    entries: Arc<dyn EntryRepository>,
    figuring: Arc<Figuring>,
    events: Arc<dyn Events>,
    calendar: Calendar,
}

/// One page of raw entries, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryPage {
    pub entries: Vec<Entry>,
    pub next: Option<HistoryCursor>,
}

/// Which days of a history to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayWindow {
    pub limit: usize,
    /// Days skipped from the first end.
    pub offset: usize,
    /// Today first (the default), or the creation day first.
    pub newest_first: bool,
}

/// One local day: its latest entry (id and state), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub latest: Option<Latest>,
}

/// How consistently a panel was done: complete days over its age in days, rest days left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Consistency {
    pub panel: Panel,
    pub consistency: f64,
    pub age: usize,
    pub days_complete: usize,
    pub days_skipped: usize,
}

impl History {
    pub fn new(repos: &Repositories, events: Arc<dyn Events>, calendar: Calendar) -> Self {
        Self {
            panels: repos.panels.clone(),
            entries: repos.entries.clone(),
            figuring: Arc::new(Figuring::new(repos.entries.clone(), repos.tallies.clone())),
            events,
            calendar,
        }
    }

    /// A tap: records the panel done, undone or resting today, now.
    pub async fn record(&self, user_id: UserId, panel_id: PanelId, mark: Mark) -> Result<Entry> {
        let now = self.calendar.now();
        let entry = self.entries.record(user_id, panel_id, mark, now).await?;
        let recorded = EntryRecorded {
            user_id,
            panel_id,
            entry_id: entry.id,
            is_complete: entry.is_complete,
            is_skip: entry.is_skip,
        };
        self.events.emit(recorded.into()).await;
        Ok(entry)
    }

    /// Clears the panel's entries; the panel starts again today.
    pub async fn clear(&self, user_id: UserId, panel_id: PanelId) -> Result<()> {
        self.entries
            .clear(user_id, panel_id, self.calendar.now())
            .await?;
        self.events
            .emit(HistoryCleared { user_id, panel_id }.into())
            .await;
        Ok(())
    }

    /// Up to `limit` entries as recorded, newest first, from `after` on.
    pub async fn page(
        &self,
        user_id: UserId,
        panel_id: PanelId,
        after: Option<HistoryCursor>,
        limit: u64,
    ) -> Result<EntryPage> {
        let mut entries = self
            .entries
            .page(user_id, panel_id, after, limit + 1)
            .await?;
        let more = entries.len() as u64 > limit;
        entries.truncate(limit as usize);
        let next = entries.last().filter(|_| more).map(HistoryCursor::after);
        Ok(EntryPage { entries, next })
    }

    /// One item per local day from the panel's creation day to today, in the window; reads
    /// one entry per day shown, however many were recorded.
    pub async fn days(
        &self,
        user: &User,
        panel_id: PanelId,
        window: DayWindow,
        tz: Option<&str>,
    ) -> Result<Vec<Day>> {
        let today = self.calendar.today(user, tz)?;
        let panel = self.panels.get(user.id, panel_id).await?;
        let first_day = today.day_of(panel.created_at);
        let age = (today.date - first_day).num_days() as usize + 1;
        if window.offset >= age {
            return Ok(Vec::new());
        }
        // Day indices (0 = creation day) in the window.
        let shown: Vec<usize> = if window.newest_first {
            (0..age)
                .rev()
                .skip(window.offset)
                .take(window.limit)
                .collect()
        } else {
            (0..age).skip(window.offset).take(window.limit).collect()
        };
        let oldest = first_day + Days::new(shown.iter().copied().min().unwrap_or(0) as u64);
        let mut days: Vec<(NaiveDate, DaySpan)> = day_spans(panel_id, oldest, today.zone)
            .take(shown.len())
            .collect();
        if window.newest_first {
            days.reverse();
        }
        let (dates, spans): (Vec<NaiveDate>, Vec<DaySpan>) = days.into_iter().unzip();
        let latest = self.entries.latest_in_spans(&spans).await?;
        Ok(dates
            .into_iter()
            .zip(latest)
            .map(|(date, latest)| Day { date, latest })
            .collect())
    }

    /// Each of the user's panels in position order, reading a few days per panel.
    pub async fn consistency(&self, user: &User, tz: Option<&str>) -> Result<Vec<Consistency>> {
        let today = self.calendar.today(user, tz)?;
        let figures = self.figuring.figures(user.id, today, None).await?;
        Ok(figures
            .into_iter()
            .map(|(panel, figures)| Consistency {
                consistency: figures.consistency(),
                age: figures.age as usize,
                days_complete: figures.days_complete as usize,
                days_skipped: figures.days_skipped as usize,
                panel,
            })
            .collect())
    }

    /// The panel's current and longest streak of complete days.
    pub async fn streaks(
        &self,
        user: &User,
        panel_id: PanelId,
        tz: Option<&str>,
    ) -> Result<Streaks> {
        let today = self.calendar.today(user, tz)?;
        let figures = self
            .figuring
            .figures(user.id, today, Some(panel_id))
            .await?;
        figures
            .into_iter()
            .next()
            .map(|(_, figures)| figures.streaks)
            .ok_or_else(|| Error::not_found(PANEL_NOT_FOUND).with_data("panel_id", panel_id))
    }
}
