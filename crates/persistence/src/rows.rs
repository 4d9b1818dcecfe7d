//! Named row types of the hot reads, read by column position (as cheap as tuples: sea-orm finds
//! columns by name), each building its domain type directly. A column out of place is a field
//! out of place here, next to the statement's column list, not a silent swap in a tuple.

use crate::time::from_db_or_epoch;
use chrono::NaiveDateTime;
use ninepanels_domain::entry::Entry;
use ninepanels_domain::panel::Panel;
use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::sqlite::SqliteRow;
use sea_orm::sqlx::{self, Row};

/// `FromRow` on both engines, reading the fields in the order they are declared, by position.
macro_rules! read_by_position {
    ($row:ident { $($field:ident),+ $(,)? }) => {
        read_by_position!(@engine $row, PgRow, $($field),+);
        read_by_position!(@engine $row, SqliteRow, $($field),+);
    };
    (@engine $row:ident, $engine:ty, $($field:ident),+) => {
        impl<'r> sqlx::FromRow<'r, $engine> for $row {
            fn from_row(row: &'r $engine) -> Result<Self, sqlx::Error> {
                let mut column = 0_usize..;
                Ok(Self {
                    $($field: row.try_get(column.next().unwrap_or_default())?,)+
                })
            }
        }
    };
}

/// `SELECT id, is_complete, timestamp, panel_id FROM entries ...`
#[derive(Debug)]
pub struct EntryRow {
    id: i32,
    is_complete: Option<bool>,
    timestamp: Option<NaiveDateTime>,
    panel_id: Option<i32>,
}

read_by_position!(EntryRow {
    id,
    is_complete,
    timestamp,
    panel_id
});

impl From<EntryRow> for Entry {
    fn from(row: EntryRow) -> Self {
        Entry {
            id: row.id,
            is_complete: row.is_complete.unwrap_or(false),
            panel_id: row.panel_id.unwrap_or_default(),
            timestamp: from_db_or_epoch(row.timestamp),
        }
    }
}

/// `SELECT p.id, p.created_at, p.title, p.description, p.position, p.user_id, (...) AS latest`:
/// a panel and the state of its latest entry in a time range.
#[derive(Debug)]
pub struct ListedPanelRow {
    id: i32,
    created_at: Option<NaiveDateTime>,
    title: Option<String>,
    description: Option<String>,
    position: Option<i32>,
    user_id: Option<i32>,
    latest: Option<bool>,
}

read_by_position!(ListedPanelRow {
    id,
    created_at,
    title,
    description,
    position,
    user_id,
    latest
});

impl From<ListedPanelRow> for (Panel, Option<bool>) {
    fn from(row: ListedPanelRow) -> Self {
        let panel = Panel {
            id: row.id,
            created_at: from_db_or_epoch(row.created_at),
            title: row.title.unwrap_or_default(),
            description: row.description,
            position: row.position.unwrap_or_default(),
            user_id: row.user_id.unwrap_or_default(),
        };
        (panel, row.latest)
    }
}
