//! Background work: the event outbox (must-deliver events, written with the change that caused
//! them), the job schedule (one row per job, claimed by compare-and-set) and job runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("event_outbox")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("event_id").unique_key())
                    .col(string("kind"))
                    .col(text_null("payload"))
                    .col(string_null("request_id"))
                    .col(date_time("created_at"))
                    .col(date_time("available_at"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(string_null("claimed_by"))
                    .col(date_time_null("claimed_until"))
                    .col(date_time_null("delivered_at"))
                    .col(date_time_null("parked_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_event_outbox_pending")
                    .table("event_outbox")
                    .col("delivered_at")
                    .col("parked_at")
                    .col("available_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("scheduled_jobs")
                    .if_not_exists()
                    .col(string("job").primary_key())
                    .col(date_time("next_run_at"))
                    .col(string_null("claimed_by"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("job_runs")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("job"))
                    .col(string("runner"))
                    .col(date_time("started_at"))
                    .col(date_time_null("finished_at"))
                    .col(string("outcome"))
                    .col(big_integer_null("rows_affected"))
                    .col(text_null("detail"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_job_runs_job_started_at")
                    .table("job_runs")
                    .col("job")
                    .col("started_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_timings_method_path_id")
                    .table("timings")
                    .col("method_path")
                    .col("id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
