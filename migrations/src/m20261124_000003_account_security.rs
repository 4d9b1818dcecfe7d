//! Account security: a per-user cut-off before which access tokens are dead (set by a password
//! reset), an expiry on revoked tokens so they can be purged, and indexes for both lookups.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("users", "tokens_valid_after"),
            ("blacklisted_access_tokens", "expires_at"),
        ] {
            if !manager.has_column(table, column).await? {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table)
                            .add_column(date_time_null(column))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        for (name, table, column) in [
            (
                "ix_blacklisted_access_tokens_blacklisted_at",
                "blacklisted_access_tokens",
                "blacklisted_at",
            ),
            (
                "ix_password_reset_tokens_user_id",
                "password_reset_tokens",
                "user_id",
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
