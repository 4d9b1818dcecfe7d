//! Moving an installation's data: an engine-neutral JSON-lines export, and an import that is
//! validated in full before anything is written (`append` keeps what is there, `replace` swaps
//! everything in one transaction: all or nothing).

use crate::entities::{blacklisted_access_tokens, entries, panels, password_reset_tokens, users};
use crate::error::DbResultExt;
use ninepanels_domain::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryOrder, Statement, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;

pub mod file;

pub use file::{EndLineRule, HEADER, parse};

/// One row of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "table", content = "row", rename_all = "snake_case")]
pub enum Record {
    Users(users::Model),
    Panels(panels::Model),
    Entries(entries::Model),
    PasswordResetTokens(password_reset_tokens::Model),
    BlacklistedAccessTokens(blacklisted_access_tokens::Model),
}

/// How an import treats what is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Adds the rows; refused when an id is already taken.
    Append,
    /// Deletes every row of these tables first, in the same transaction.
    Replace,
}

/// Rows per table, in the order they are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub users: usize,
    pub panels: usize,
    pub entries: usize,
    pub password_reset_tokens: usize,
    pub blacklisted_access_tokens: usize,
}

impl Counts {
    pub fn of(records: &[Record]) -> Self {
        let mut c = Counts::default();
        for r in records {
            match r {
                Record::Users(_) => c.users += 1,
                Record::Panels(_) => c.panels += 1,
                Record::Entries(_) => c.entries += 1,
                Record::PasswordResetTokens(_) => c.password_reset_tokens += 1,
                Record::BlacklistedAccessTokens(_) => c.blacklisted_access_tokens += 1,
            }
        }
        c
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "users {}, panels {}, entries {}, password_reset_tokens {}, blacklisted_access_tokens {}",
            self.users,
            self.panels,
            self.entries,
            self.password_reset_tokens,
            self.blacklisted_access_tokens
        )
    }
}

/// Every row of the exported tables, parents before children, by id.
pub async fn read_all(db: &DatabaseConnection) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    out.extend(
        users::Entity::find()
            .order_by_asc(users::Column::Id)
            .all(db)
            .await
            .or_db("exporting users")?
            .into_iter()
            .map(Record::Users),
    );
    out.extend(
        panels::Entity::find()
            .order_by_asc(panels::Column::Id)
            .all(db)
            .await
            .or_db("exporting panels")?
            .into_iter()
            .map(Record::Panels),
    );
    out.extend(
        entries::Entity::find()
            .order_by_asc(entries::Column::Id)
            .all(db)
            .await
            .or_db("exporting entries")?
            .into_iter()
            .map(Record::Entries),
    );
    out.extend(
        password_reset_tokens::Entity::find()
            .order_by_asc(password_reset_tokens::Column::Id)
            .all(db)
            .await
            .or_db("exporting reset tokens")?
            .into_iter()
            .map(Record::PasswordResetTokens),
    );
    out.extend(
        blacklisted_access_tokens::Entity::find()
            .order_by_asc(blacklisted_access_tokens::Column::Id)
            .all(db)
            .await
            .or_db("exporting revoked tokens")?
            .into_iter()
            .map(Record::BlacklistedAccessTokens),
    );
    Ok(out)
}

/// Writes the export: the header line, one record per line, and the end line.
pub async fn export(db: &DatabaseConnection, out: &mut impl Write) -> Result<Counts> {
    file::write(&read_all(db).await?, out)
}

/// The exported tables, in the order of [`Record`]'s variants.
const TABLES: [&str; 5] = crate::tables::ACCOUNT_TABLES;

impl Record {
    /// The record's table (an index into `TABLES`) and id.
    fn key(&self) -> (usize, i64) {
        match self {
            Record::Users(m) => (0, m.id.into()),
            Record::Panels(m) => (1, m.id.into()),
            Record::Entries(m) => (2, m.id.into()),
            Record::PasswordResetTokens(m) => (3, m.id.into()),
            Record::BlacklistedAccessTokens(m) => (4, m.id.into()),
        }
    }
}

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

/// Checks ids are unique (and free, when appending), emails unique and every reference points
/// at a row that will exist.
pub async fn validate(db: &DatabaseConnection, records: &[Record], mode: ImportMode) -> Result<()> {
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
    for record in records {
        let (slot, id) = record.key();
        if !ids[slot].insert(id) {
            return Err(Error::invalid(format!(
                "{} id {id} appears twice or is already stored; nothing was imported",
                TABLES[slot]
            )));
        }
        if let Record::Users(u) = record
            && let Some(email) = &u.email
            && !emails.insert(email.to_lowercase())
        {
            return Err(Error::invalid(format!(
                "users: the email {email} appears twice; nothing was imported"
            )));
        }
    }
    let exists =
        |slot: usize, id: Option<i32>| id.is_none_or(|id| ids[slot].contains(&i64::from(id)));
    for record in records {
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
        if let Some(what) = dangling {
            return Err(Error::invalid(format!(
                "{what}, which is neither in the file nor stored; nothing was imported"
            )));
        }
    }
    Ok(())
}

async fn insert_chunks<A>(txn: &impl ConnectionTrait, rows: Vec<A>, what: &str) -> Result<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(500).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec(txn)
            .await
            .or_db(what)?;
    }
    Ok(())
}

/// Validates, then writes every record in one transaction; answers what was written.
pub async fn import(
    db: &DatabaseConnection,
    records: Vec<Record>,
    mode: ImportMode,
) -> Result<Counts> {
    validate(db, &records, mode).await?;
    let counts = Counts::of(&records);
    let txn = db.begin().await.or_db("starting the import")?;
    if mode == ImportMode::Replace {
        for table in TABLES.iter().rev() {
            txn.execute_unprepared(&format!("DELETE FROM {table}"))
                .await
                .or_db("emptying a table")?;
        }
    }
    let (mut u, mut p, mut e, mut r, mut b) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for record in records {
        match record {
            Record::Users(m) => u.push(m.into_active_model().reset_all()),
            Record::Panels(m) => p.push(m.into_active_model().reset_all()),
            Record::Entries(m) => e.push(m.into_active_model().reset_all()),
            Record::PasswordResetTokens(m) => r.push(m.into_active_model().reset_all()),
            Record::BlacklistedAccessTokens(m) => b.push(m.into_active_model().reset_all()),
        }
    }
    insert_chunks(&txn, u, "importing users").await?;
    insert_chunks(&txn, p, "importing panels").await?;
    insert_chunks(&txn, e, "importing entries").await?;
    insert_chunks(&txn, r, "importing reset tokens").await?;
    insert_chunks(&txn, b, "importing revoked tokens").await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        for table in TABLES {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .await
            .or_db("moving id sequences past the imported rows")?;
        }
    }
    txn.commit().await.or_db("committing the import")?;
    Ok(counts)
}
