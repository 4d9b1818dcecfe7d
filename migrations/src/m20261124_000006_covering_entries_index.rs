//! The day-series queries read only an entry's panel, time, state and id: one index holding all
//! four lets them be answered from the index alone (entries of a panel lie scattered across
//! the table, one page each, since they arrive a day apart). It replaces the narrower index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_panel_id_timestamp_covering")
                    .table("entries")
                    .col("panel_id")
                    .col("timestamp")
                    .col("is_complete")
                    .col("id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ix_entries_panel_id_timestamp")
            .await?;
        Ok(())
    }
}
