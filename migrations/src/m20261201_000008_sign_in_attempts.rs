//! Sign-in failures and reset requests counted per key (an email or a client address) in fixed
//! windows, so that every server process on the database counts the same attempts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sign_in_attempts")
                    .if_not_exists()
                    .col(string("attempt_key").primary_key())
                    .col(date_time("window_start"))
                    .col(integer("attempts"))
                    .to_owned(),
            )
            .await
    }
}
