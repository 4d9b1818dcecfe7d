//! Reading every row out, table by table in id order, from one consistent snapshot.

use super::{Counts, Record, Writer};
use crate::entities::{blacklisted_access_tokens, entries, panels, password_reset_tokens, users};
use crate::error::DbResultExt;
use futures::{Stream, TryStreamExt};
use ninepanels_domain::Result;
use sea_orm::{
    AccessMode, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    IsolationLevel, QueryOrder, TransactionTrait,
};
use std::io::Write;

/// A read-only transaction that sees one moment of the database across every table.
async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    let txn = if db.get_database_backend() == DatabaseBackend::Postgres {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await
    } else {
        // A SQLite transaction reads one snapshot from its first read to its end.
        db.begin().await
    };
    txn.or_db("starting the export")
}

/// Hands every row, parents before children and each table by id, to `each`, all read from one
/// snapshot.
async fn each_row(db: &DatabaseConnection, each: impl FnMut(Record) -> Result<()>) -> Result<()> {
    let txn = snapshot(db).await?;
    let read = rows_of(&txn, each).await;
    txn.rollback().await.or_db("ending the export")?;
    read
}

async fn rows_of(
    txn: &DatabaseTransaction,
    mut each: impl FnMut(Record) -> Result<()>,
) -> Result<()> {
    async fn table<S, M>(
        rows: std::result::Result<S, DbErr>,
        wrap: fn(M) -> Record,
        each: &mut impl FnMut(Record) -> Result<()>,
    ) -> Result<()>
    where
        S: Stream<Item = std::result::Result<M, DbErr>>,
    {
        let rows = rows.or_db("exporting a table")?;
        futures::pin_mut!(rows);
        while let Some(row) = rows.try_next().await.or_db("exporting a row")? {
            each(wrap(row))?;
        }
        Ok(())
    }
    let users = users::Entity::find().order_by_asc(users::Column::Id);
    table(users.stream(txn).await, Record::Users, &mut each).await?;
    let panels = panels::Entity::find().order_by_asc(panels::Column::Id);
    table(panels.stream(txn).await, Record::Panels, &mut each).await?;
    let entries = entries::Entity::find().order_by_asc(entries::Column::Id);
    table(entries.stream(txn).await, Record::Entries, &mut each).await?;
    let resets =
        password_reset_tokens::Entity::find().order_by_asc(password_reset_tokens::Column::Id);
    table(
        resets.stream(txn).await,
        Record::PasswordResetTokens,
        &mut each,
    )
    .await?;
    let revoked = blacklisted_access_tokens::Entity::find()
        .order_by_asc(blacklisted_access_tokens::Column::Id);
    table(
        revoked.stream(txn).await,
        Record::BlacklistedAccessTokens,
        &mut each,
    )
    .await
}

/// Writes the export a row at a time (memory stays flat whatever the size): the header, one
/// record per line, and the end line. `progress` is called once per row written.
pub async fn export(
    db: &DatabaseConnection,
    out: impl Write,
    progress: &mut dyn FnMut(),
) -> Result<Counts> {
    let mut writer = Writer::new(out)?;
    each_row(db, |record| {
        writer.record(&record)?;
        progress();
        Ok(())
    })
    .await?;
    writer.finish()
}

/// Every row of the exported tables in memory, in the export's order (for tests that compare
/// databases).
pub async fn read_all(db: &DatabaseConnection) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    each_row(db, |record| {
        out.push(record);
        Ok(())
    })
    .await?;
    Ok(out)
}
