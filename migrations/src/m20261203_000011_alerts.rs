//! Each cause's alert state, shared by every server process: raised since when, last announced
//! when (the throttle), and cleared when.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("alerts")
                    .if_not_exists()
                    .col(string("cause").primary_key())
                    .col(date_time_null("raised_at"))
                    .col(date_time_null("notified_at"))
                    .col(date_time_null("cleared_at"))
                    .to_owned(),
            )
            .await
    }
}
