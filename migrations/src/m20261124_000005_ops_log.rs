//! The operator's log: who ran which destructive command, when, in which environment.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("ops_log")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(date_time("at"))
                    .col(string("actor"))
                    .col(string("env"))
                    .col(string("command"))
                    .col(text_null("detail"))
                    .to_owned(),
            )
            .await
    }
}
