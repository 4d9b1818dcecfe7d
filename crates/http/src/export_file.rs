//! Our export file (`ninepanels-export`, version 1), read and written with serde: the account
//! without any secret (no password hash, token or reset data), each panel with its entries.

use chrono::{DateTime, Utc};
use ninepanels_domain::entry::Entry;
use ninepanels_domain::panel::Panel;
use ninepanels_domain::user::User;
use serde::{Deserialize, Serialize};

/// The `format` of every export.
pub const FORMAT: &str = "ninepanels-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExportFile {
    #[schema(example = "ninepanels-export")]
    pub format: String,
    #[schema(example = 1)]
    pub version: u32,
    #[schema(example = "2026-12-03T10:00:00Z")]
    pub exported_at: DateTime<Utc>,
    pub user: ExportUser,
    /// Last, so that a writer can stream them.
    pub panels: Vec<ExportPanel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExportUser {
    #[schema(example = 7)]
    pub id: i32,
    #[schema(example = "ada@example.org")]
    pub email: String,
    #[schema(example = "Ada")]
    pub name: String,
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExportPanel {
    #[schema(example = 42)]
    pub id: i32,
    #[schema(example = "2026-01-01T09:00:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "Read")]
    pub title: String,
    #[schema(example = "A chapter a day")]
    pub description: Option<String>,
    #[schema(example = 0)]
    pub position: i32,
    /// The exporting user's id (absent in a file written by hand).
    #[serde(default)]
    #[schema(example = 7)]
    pub user_id: i32,
    /// Last, so that a writer can stream them; newest first.
    pub entries: Vec<ExportEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExportEntry {
    #[schema(example = 9001)]
    pub id: i32,
    #[schema(example = true)]
    pub is_complete: bool,
    #[serde(default)]
    #[schema(example = false)]
    pub is_skip: bool,
    #[schema(example = "2026-11-24T07:16:40.112Z")]
    pub timestamp: DateTime<Utc>,
}

impl ExportFile {
    /// The file's start, without its panels.
    pub fn head(user: &User, at: DateTime<Utc>) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at: at,
            user: ExportUser {
                id: user.id,
                email: user.email.as_str().to_owned(),
                name: user.name.clone(),
                time_zone: user.time_zone.map(|z| z.name().to_owned()),
            },
            panels: Vec::new(),
        }
    }
}

impl ExportPanel {
    /// A panel without its entries.
    pub fn head(panel: &Panel) -> Self {
        Self {
            id: panel.id,
            created_at: panel.created_at,
            title: panel.title.clone(),
            description: panel.description.clone(),
            position: panel.position,
            user_id: panel.user_id,
            entries: Vec::new(),
        }
    }
}

impl From<&Entry> for ExportEntry {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id,
            is_complete: e.is_complete,
            is_skip: e.is_skip,
            timestamp: e.timestamp,
        }
    }
}

/// `value` as JSON with its last field's empty list left open (`..."panels":[`), for a writer
/// that streams that list's items after it.
pub fn open_list<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_default();
    if text.ends_with("[]}") {
        text.truncate(text.len() - 2);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_file_reads_back_as_one() {
        let panel = ExportPanel {
            id: 1,
            created_at: DateTime::UNIX_EPOCH,
            title: "Read".to_owned(),
            description: None,
            position: 0,
            user_id: 7,
            entries: Vec::new(),
        };
        let entry = ExportEntry {
            id: 5,
            is_complete: false,
            is_skip: true,
            timestamp: DateTime::UNIX_EPOCH,
        };
        let file = ExportFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at: DateTime::UNIX_EPOCH,
            user: ExportUser {
                id: 7,
                email: "ada@example.org".to_owned(),
                name: "Ada".to_owned(),
                time_zone: None,
            },
            panels: Vec::new(),
        };
        let streamed = format!(
            "{}{}{}]}}]}}",
            open_list(&file),
            open_list(&panel),
            serde_json::to_string(&entry).unwrap()
        );
        let read: ExportFile = serde_json::from_str(&streamed).unwrap();
        assert_eq!(read.panels[0].entries, [entry]);
        assert_eq!(read.panels[0].title, "Read");
    }
}
