//! Named row types of the hot reads, read by column position (as cheap as tuples: sea-orm finds
//! columns by name), each building its domain type directly. A column out of place is a field
//! out of place here, next to the statement's column list, not a silent swap in a tuple.

use crate::time::{from_db_or_epoch, from_sqlite_text};
use chrono::{NaiveDate, NaiveDateTime};
use ninepanels_domain::Result;
use ninepanels_domain::panel::Panel;
use ninepanels_domain::tally::{PanelTally, SavedTally, Tally};
use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::sqlite::SqliteRow;
use sea_orm::sqlx::{self, Row};

/// `FromRow` on both engines, and `read_inline` for SQLite's reads on the calling thread
/// ([`crate::sql::Inline`]), reading the fields in the order they are declared, by position.
macro_rules! read_by_position {
    ($row:ident { $($field:ident),+ $(,)? }) => {
        read_by_position!(@engine $row, PgRow, $($field),+);
        read_by_position!(@engine $row, SqliteRow, $($field),+);
        impl $row {
            /// The row as SQLite hands it over on the calling thread.
            #[allow(dead_code)]
            pub fn read_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                let mut column = 0_usize..;
                Ok(Self {
                    $($field: InlineColumn::read(row, column.next().unwrap_or_default())?,)+
                })
            }
        }
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

/// A column of a row read on the calling thread: as rusqlite reads its type, except a time,
/// read by [`from_sqlite_text`] (which takes the forms an older tool wrote too).
trait InlineColumn: Sized {
    fn read(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self>;
}

macro_rules! inline_as_rusqlite_reads {
    ($($column:ty),+) => {
        $(impl InlineColumn for $column {
            fn read(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
                row.get(index)
            }
        })+
    };
}

inline_as_rusqlite_reads!(
    i32,
    i64,
    Option<i32>,
    Option<i64>,
    Option<bool>,
    Option<String>,
    Option<NaiveDate>
);

impl InlineColumn for Option<NaiveDateTime> {
    fn read(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        let Some(text) = row.get_ref(index)?.as_str_or_null()? else {
            return Ok(None);
        };
        from_sqlite_text(text).map(Some).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                format!("a time reads {text:?}").into(),
            )
        })
    }
}

/// A panel from the six columns every panel read starts with.
fn panel(
    id: i32,
    created_at: Option<NaiveDateTime>,
    title: Option<String>,
    description: Option<String>,
    position: Option<i32>,
    user_id: Option<i32>,
) -> Panel {
    Panel {
        id,
        created_at: from_db_or_epoch(created_at),
        title: title.unwrap_or_default(),
        description,
        position: position.unwrap_or_default(),
        user_id: user_id.unwrap_or_default(),
    }
}

impl From<ListedPanelRow> for (Panel, Option<bool>) {
    fn from(row: ListedPanelRow) -> Self {
        let latest = row.latest;
        let panel = panel(
            row.id,
            row.created_at,
            row.title,
            row.description,
            row.position,
            row.user_id,
        );
        (panel, latest)
    }
}

/// The panel columns, its revision, then the `panel_tallies` columns from `created_at` on (all
/// null when it has no tally in the zone).
#[derive(Debug)]
pub struct TalliedPanelRow {
    id: i32,
    created_at: Option<NaiveDateTime>,
    title: Option<String>,
    description: Option<String>,
    position: Option<i32>,
    user_id: Option<i32>,
    revision: i64,
    tally_created_at: Option<NaiveDateTime>,
    tally_revision: Option<i64>,
    first_day: Option<NaiveDate>,
    through_day: Option<NaiveDate>,
    days_complete: Option<i32>,
    run: Option<i32>,
    longest: Option<i32>,
    longest_end: Option<NaiveDate>,
    days_skipped: Option<i32>,
    run_start: Option<NaiveDate>,
    longest_start: Option<NaiveDate>,
}

read_by_position!(TalliedPanelRow {
    id,
    created_at,
    title,
    description,
    position,
    user_id,
    revision,
    tally_created_at,
    tally_revision,
    first_day,
    through_day,
    days_complete,
    run,
    longest,
    longest_end,
    days_skipped,
    run_start,
    longest_start
});

impl From<TalliedPanelRow> for PanelTally {
    fn from(row: TalliedPanelRow) -> Self {
        let count = |n: i32| u32::try_from(n).unwrap_or_default();
        let saved = match (
            row.tally_created_at,
            row.tally_revision,
            row.first_day,
            row.through_day,
        ) {
            (Some(created_at), Some(revision), Some(first_day), Some(through)) => {
                Some(SavedTally {
                    panel_id: row.id,
                    created_at: from_db_or_epoch(Some(created_at)),
                    revision,
                    tally: Tally {
                        first_day,
                        through,
                        days_complete: count(row.days_complete.unwrap_or_default()),
                        days_skipped: count(row.days_skipped.unwrap_or_default()),
                        run: count(row.run.unwrap_or_default()),
                        run_start: row.run_start,
                        longest: count(row.longest.unwrap_or_default()),
                        longest_start: row.longest_start,
                        longest_end: row.longest_end,
                    },
                })
            }
            _ => None,
        };
        PanelTally {
            panel: panel(
                row.id,
                row.created_at,
                row.title,
                row.description,
                row.position,
                row.user_id,
            ),
            revision: row.revision,
            saved,
        }
    }
}
