//! What this server adds to the old tables: a time zone per user, a case-insensitive unique
//! email, and indexes for the hot queries (entries by panel and time, panels by user and position).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager.has_column("users", "time_zone").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table("users")
                        .add_column(string_null("time_zone"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_panel_id_timestamp")
                    .table("entries")
                    .col("panel_id")
                    .col("timestamp")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_panels_user_id_position")
                    .table("panels")
                    .col("user_id")
                    .col("position")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // An expression index; the same statement is valid on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS ux_users_email_lower ON users (lower(email))",
            )
            .await?;
        Ok(())
    }
}
