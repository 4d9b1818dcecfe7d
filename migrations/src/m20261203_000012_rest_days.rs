//! Rest days: an entry may mark its day a rest day (`is_skip`), which the entries index carries
//! so a day's latest state is still read from the index alone; saved tallies count rest days and
//! where each run starts (a run may span rest days), so the ones counted before are dropped and
//! counted again on the next read (they are derived data).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add_column(
    manager: &SchemaManager<'_>,
    table: &str,
    name: &str,
    column: ColumnDef,
) -> Result<(), DbErr> {
    if manager.has_column(table, name).await? {
        return Ok(());
    }
    manager
        .alter_table(
            Table::alter()
                .table(table.to_owned())
                .add_column(column)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "entries",
            "is_skip",
            boolean("is_skip").default(false).to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_panel_id_timestamp_id_state")
                    .table("entries")
                    .col("panel_id")
                    .col("timestamp")
                    .col("id")
                    .col("is_complete")
                    .col("is_skip")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_entries_panel_id_timestamp_id")
            .await?;
        db.execute_unprepared("DELETE FROM panel_tallies").await?;
        add_column(
            manager,
            "panel_tallies",
            "days_skipped",
            integer("days_skipped").default(0).to_owned(),
        )
        .await?;
        add_column(
            manager,
            "panel_tallies",
            "run_start",
            date_null("run_start"),
        )
        .await?;
        add_column(
            manager,
            "panel_tallies",
            "longest_start",
            date_null("longest_start"),
        )
        .await
    }
}
