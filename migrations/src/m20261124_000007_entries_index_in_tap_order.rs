//! Entries are read newest first with `id` breaking ties of equal times (today's latest tap, the
//! history pages): an index in exactly that order, still holding the state, answers them
//! without a sort step. It replaces the covering index, whose state column sat before `id`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_panel_id_timestamp_id")
                    .table("entries")
                    .col("panel_id")
                    .col("timestamp")
                    .col("id")
                    .col("is_complete")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ix_entries_panel_id_timestamp_covering")
            .await?;
        Ok(())
    }
}
