//! An import as the domain sees it: panels read from a file (our export or Loop Habit
//! Tracker's), each valid already, and what writing them into an account means.

use crate::entry::Mark;
use crate::panel::{PanelDescription, PanelId, PanelTitle};
use chrono::{DateTime, NaiveDate, Utc};

/// When an imported entry happened: an instant (our export) or only a day (Loop), which is
/// stamped at noon of that day in the importer's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(DateTime<Utc>),
    Day(NaiveDate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportedEntry {
    pub when: When,
    pub mark: Mark,
}

/// One panel of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPanel {
    pub title: PanelTitle,
    pub description: Option<PanelDescription>,
    /// As the file says (our export), or none (Loop).
    pub created_at: Option<DateTime<Utc>>,
    pub entries: Vec<ImportedEntry>,
}

/// How an import treats the account's panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// A panel is matched by title (case-insensitive); a day is added only where that panel has
    /// none.
    Merge,
    /// The account's panels and entries are replaced by the file's.
    Replace,
}

impl ImportMode {
    pub fn name(self) -> &'static str {
        match self {
            ImportMode::Merge => "merge",
            ImportMode::Replace => "replace",
        }
    }
}

/// A panel the import makes, with its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelToCreate {
    pub title: PanelTitle,
    pub description: Option<PanelDescription>,
    pub created_at: DateTime<Utc>,
    pub entries: Vec<(DateTime<Utc>, Mark)>,
}

/// Entries added to a panel the account has, which may start earlier because of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelToExtend {
    pub panel_id: PanelId,
    pub created_at: Option<DateTime<Utc>>,
    pub entries: Vec<(DateTime<Utc>, Mark)>,
}

/// Everything an import writes, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    pub replace: bool,
    pub create: Vec<PanelToCreate>,
    pub extend: Vec<PanelToExtend>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub panels_created: u32,
    pub panels_matched: u32,
    pub days_imported: u32,
    pub days_skipped_existing: u32,
}
