//! Entries: one tap of a panel, stamped in UTC.

use crate::panel::PanelId;
use chrono::{DateTime, Utc};

pub type EntryId = i32;

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub is_complete: bool,
    /// A rest day (never together with `is_complete`).
    pub is_skip: bool,
    pub panel_id: PanelId,
    pub timestamp: DateTime<Utc>,
}

impl Entry {
    pub fn mark(&self) -> Mark {
        Mark::of(self.is_complete, self.is_skip)
    }
}

/// What a day's latest entry says of the day; a day without one counts as not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    Done,
    /// A rest day: it neither breaks nor extends a streak, and is not counted in consistency.
    Rest,
    #[default]
    NotDone,
}

impl Mark {
    /// `is_complete` wins over `is_skip` (the two are never stored together).
    pub fn of(is_complete: bool, is_skip: bool) -> Self {
        match (is_complete, is_skip) {
            (true, _) => Mark::Done,
            (false, true) => Mark::Rest,
            (false, false) => Mark::NotDone,
        }
    }

    /// A tap's mark, refusing a day both done and rested.
    pub fn tapped(is_complete: bool, is_skip: bool) -> crate::Result<Self> {
        if is_complete && is_skip {
            return Err(crate::Error::invalid(
                "is_skip: a rest day cannot also be complete; send is_complete false with is_skip true",
            ));
        }
        Ok(Self::of(is_complete, is_skip))
    }

    pub fn is_complete(self) -> bool {
        self == Mark::Done
    }

    pub fn is_skip(self) -> bool {
        self == Mark::Rest
    }
}

/// A place in a panel's raw history, newest first: entries strictly older than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryCursor {
    pub timestamp: DateTime<Utc>,
    pub id: EntryId,
}

/// The span of one local day of a panel: its entries from `start` up to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySpan {
    pub panel_id: PanelId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The latest entry of a span: its id and its mark.
pub type Latest = (EntryId, Mark);

impl HistoryCursor {
    pub fn after(entry: &Entry) -> Self {
        Self {
            timestamp: entry.timestamp,
            id: entry.id,
        }
    }
}
