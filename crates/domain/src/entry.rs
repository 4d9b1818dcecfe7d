//! Entries: one tap of a panel, stamped in UTC.

use crate::panel::PanelId;
use chrono::{DateTime, Utc};

pub type EntryId = i32;

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub is_complete: bool,
    pub panel_id: PanelId,
    pub timestamp: DateTime<Utc>,
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

/// The latest entry of a span: its id and whether it marked the panel done.
pub type Latest = (EntryId, bool);

impl HistoryCursor {
    pub fn after(entry: &Entry) -> Self {
        Self {
            timestamp: entry.timestamp,
            id: entry.id,
        }
    }
}
