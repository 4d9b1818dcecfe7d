//! The tables of the old server, as it named them, created only where missing so that an
//! existing database is adopted as it stands. Foreign keys cascade deletes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn foreign_key(from_table: &str, column: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{column}"))
        .from(from_table.to_owned(), column.to_owned())
        .to(to_table.to_owned(), "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Table::create()
                .table("users")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(string_null("email").unique_key())
                .col(string_null("name"))
                .col(string_null("hashed_password"))
                .col(boolean("is_admin").default(false))
                .col(date_time_null("last_login"))
                .col(date_time_null("last_activity"))
                .to_owned(),
            Table::create()
                .table("panels")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(date_time_null("created_at"))
                .col(string_null("title"))
                .col(string_null("description"))
                .col(integer_null("position"))
                .col(integer_null("user_id"))
                .foreign_key(&mut foreign_key("panels", "user_id", "users"))
                .to_owned(),
            Table::create()
                .table("entries")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(boolean_null("is_complete"))
                .col(date_time_null("timestamp"))
                .col(integer_null("panel_id"))
                .foreign_key(&mut foreign_key("entries", "panel_id", "panels"))
                .to_owned(),
            Table::create()
                .table("password_reset_tokens")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(string("password_reset_token").unique_key())
                .col(date_time("issued_at"))
                .col(date_time("expiry"))
                .col(boolean_null("is_valid").default(true))
                .col(date_time_null("invalidated_at"))
                .col(integer_null("user_id"))
                .foreign_key(&mut foreign_key(
                    "password_reset_tokens",
                    "user_id",
                    "users",
                ))
                .to_owned(),
            Table::create()
                .table("blacklisted_access_tokens")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(string_null("access_token").unique_key())
                .col(date_time_null("blacklisted_at"))
                .to_owned(),
            Table::create()
                .table("timings")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(date_time_null("created_at"))
                .col(string_null("request_id"))
                .col(string_null("path"))
                .col(string_null("method"))
                .col(date_time_null("start_ts"))
                .col(date_time_null("stop_ts"))
                .col(double_null("diff_ms"))
                .col(string_null("method_path"))
                .col(string_null("event_id"))
                .to_owned(),
            Table::create()
                .table("timing_stats")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(double_null("avg"))
                .col(double_null("min"))
                .col(double_null("max"))
                .col(double_null("last"))
                .col(string_null("method"))
                .col(string_null("path"))
                .col(string_null("method_path"))
                .col(integer_null("alert_threshold_ms"))
                .col(boolean_null("in_alert"))
                .col(string_null("alert_id"))
                .to_owned(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        Ok(())
    }
}
