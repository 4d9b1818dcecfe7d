//! Writing an export back: a first pass checks every row and writes nothing, a second writes
//! them all in one transaction. Both take the rows as they come (a file read twice), so only
//! the ids are held in memory, never the rows.

use super::{Counts, ImportMode, Record, TABLES};
use crate::entities::users;
use crate::error::DbResultExt;
use crate::txn::settle;
use ninepanels_domain::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, Statement, TransactionTrait,
};
use std::collections::HashSet;

/// Rows written per statement.
const CHUNK: usize = 500;

/// Ids already stored in a table, for append checks.
async fn stored_ids(db: &impl ConnectionTrait, table: &str) -> Result<HashSet<i64>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM {table}"),
        ))
        .await
        .or_db("reading stored ids")?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            r.try_get::<i64>("", "id")
                .ok()
                .or_else(|| r.try_get::<i32>("", "id").ok().map(i64::from))
        })
        .collect())
}

fn id_of(id: Option<i32>) -> String {
    id.map_or_else(|| "(none)".to_owned(), |id| id.to_string())
}

/// The first pass: ids unique (and free, when appending), emails unique, and every reference
/// pointing at a row that exists or came earlier (rows come parents first, as [`super::Reader`]
/// and [`super::read_all`] give them). Writes nothing; answers the rows per table.
pub async fn check(
    db: &DatabaseConnection,
    records: impl Iterator<Item = Result<Record>>,
    mode: ImportMode,
) -> Result<Counts> {
    let mut ids: [HashSet<i64>; 5] = Default::default();
    let mut emails = HashSet::new();
    if mode == ImportMode::Append {
        for (slot, table) in TABLES.iter().enumerate() {
            ids[slot] = stored_ids(db, table).await?;
        }
        for u in users::Entity::find()
            .all(db)
            .await
            .or_db("reading stored emails")?
        {
            emails.extend(u.email.map(|e| e.to_lowercase()));
        }
    }
    let mut counts = Counts::default();
    // The file's own damage (a cut, an edit) explains a missing parent best, so the reading
    // goes on to the end line before a problem of the rows is told.
    let mut problem = None;
    for record in records {
        let record = record?;
        if problem.is_none() {
            problem = unfit(&record, &mut ids, &mut emails);
        }
        counts.add(&record);
    }
    match problem {
        Some(problem) => Err(Error::invalid(format!("{problem}; nothing was imported"))),
        None => Ok(counts),
    }
}

/// What makes a row unfit to be written after the rows before it, if anything.
fn unfit(
    record: &Record,
    ids: &mut [HashSet<i64>; 5],
    emails: &mut HashSet<String>,
) -> Option<String> {
    let (slot, id) = record.key();
    if !ids[slot].insert(id) {
        return Some(format!(
            "{} id {id} appears twice or is already stored",
            TABLES[slot]
        ));
    }
    if let Record::Users(u) = record
        && let Some(email) = &u.email
        && !emails.insert(email.to_lowercase())
    {
        return Some(format!("users: the email {email} appears twice"));
    }
    let exists =
        |slot: usize, id: Option<i32>| id.is_none_or(|id| ids[slot].contains(&i64::from(id)));
    let dangling = match record {
        Record::Panels(p) if !exists(0, p.user_id) => Some(format!(
            "panel {} belongs to user {}",
            p.id,
            id_of(p.user_id)
        )),
        Record::Entries(e) if !exists(1, e.panel_id) => Some(format!(
            "entry {} belongs to panel {}",
            e.id,
            id_of(e.panel_id)
        )),
        Record::PasswordResetTokens(t) if !exists(0, t.user_id) => Some(format!(
            "reset token {} belongs to user {}",
            t.id,
            id_of(t.user_id)
        )),
        _ => None,
    };
    dangling.map(|what| format!("{what}, which is neither in the file nor stored"))
}

/// Rows waiting to be written, one batch per table.
#[derive(Default)]
struct Batches {
    rows: [Vec<Record>; 5],
}

impl Batches {
    async fn flush(&mut self, txn: &DatabaseTransaction, slot: usize) -> Result<()> {
        let rows = std::mem::take(&mut self.rows[slot]);
        if rows.is_empty() {
            return Ok(());
        }
        macro_rules! insert {
            ($variant:ident) => {{
                let models = rows.into_iter().filter_map(|r| match r {
                    Record::$variant(m) => Some(m.into_active_model().reset_all()),
                    _ => None,
                });
                EntityTrait::insert_many(models)
                    .exec(txn)
                    .await
                    .or_db(concat!("importing ", stringify!($variant)))
                    .map(drop)
            }};
        }
        match slot {
            0 => insert!(Users),
            1 => insert!(Panels),
            2 => insert!(Entries),
            3 => insert!(PasswordResetTokens),
            _ => insert!(BlacklistedAccessTokens),
        }
    }

    /// Writes every batch up to `slot`, parents first.
    async fn flush_through(&mut self, txn: &DatabaseTransaction, slot: usize) -> Result<()> {
        for earlier in 0..=slot {
            self.flush(txn, earlier).await?;
        }
        Ok(())
    }
}

async fn write_rows(
    txn: &DatabaseTransaction,
    records: impl Iterator<Item = Result<Record>>,
    mode: ImportMode,
    checked: Counts,
    progress: &mut dyn FnMut(),
) -> Result<Counts> {
    if mode == ImportMode::Replace {
        for table in TABLES.iter().rev() {
            txn.execute_unprepared(&format!("DELETE FROM {table}"))
                .await
                .or_db("emptying a table")?;
        }
    }
    let mut batches = Batches::default();
    let mut counts = Counts::default();
    let mut table = 0;
    for record in records {
        let record = record?;
        let (slot, _) = record.key();
        counts.add(&record);
        if slot != table {
            batches.flush_through(txn, table).await?;
            table = slot;
        }
        batches.rows[slot].push(record);
        if batches.rows[slot].len() >= CHUNK {
            batches.flush(txn, slot).await?;
        }
        progress();
    }
    batches.flush_through(txn, TABLES.len() - 1).await?;
    if counts != checked {
        return Err(Error::invalid(format!(
            "the rows written ({counts}) are not the rows checked ({checked}): the file changed \
             in between; nothing was imported"
        )));
    }
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        for table in TABLES {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .await
            .or_db("moving id sequences past the imported rows")?;
        }
    }
    Ok(counts)
}

/// The second pass: writes every row in one transaction, committed only when the last row
/// (and the source's own end check) went well and the rows are as many as [`check`] counted
/// (`checked`) on the same source.
pub async fn write(
    db: &DatabaseConnection,
    records: impl Iterator<Item = Result<Record>>,
    mode: ImportMode,
    checked: Counts,
    progress: &mut dyn FnMut(),
) -> Result<Counts> {
    let txn = db.begin().await.or_db("starting the import")?;
    let written = write_rows(&txn, records, mode, checked, progress).await;
    settle(txn, written, "the import").await
}

/// Checks, then writes rows held in memory.
pub async fn import(
    db: &DatabaseConnection,
    records: Vec<Record>,
    mode: ImportMode,
) -> Result<Counts> {
    let checked = check(db, records.iter().cloned().map(Ok), mode).await?;
    write(db, records.into_iter().map(Ok), mode, checked, &mut || {}).await
}
