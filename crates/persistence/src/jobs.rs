//! The job repository: the schedule (claimed by compare-and-set so one process runs each due
//! run), run records, and the work of the jobs that purge and prune.

use crate::entities::{
    blacklisted_access_tokens as revoked, event_outbox as outbox, job_runs,
    password_reset_tokens as resets, scheduled_jobs,
};
use crate::error::DbResultExt;
use crate::time::{from_db, to_db};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::background::JobRun;
use ninepanels_domain::ports::JobRepository;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

#[derive(Debug, Clone)]
pub struct SqlJobs {
    db: DatabaseConnection,
}

impl SqlJobs {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_run(m: job_runs::Model) -> JobRun {
    JobRun {
        id: m.id,
        job: m.job,
        runner: m.runner,
        started_at: from_db(m.started_at),
        finished_at: m.finished_at.map(from_db),
        outcome: m.outcome,
        rows_affected: m.rows_affected,
        detail: m.detail,
    }
}

#[async_trait]
impl JobRepository for SqlJobs {
    async fn ensure(&self, job: &str, first_run_at: DateTime<Utc>) -> Result<()> {
        scheduled_jobs::Entity::insert(scheduled_jobs::ActiveModel {
            job: Set(job.to_owned()),
            next_run_at: Set(to_db(first_run_at)),
            claimed_by: Set(None),
        })
        .on_conflict_do_nothing_on([scheduled_jobs::Column::Job])
        .exec(&self.db)
        .await
        .or_db("adding a job to the schedule")?;
        Ok(())
    }

    async fn claim(
        &self,
        job: &str,
        runner: &str,
        now: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
    ) -> Result<bool> {
        let taken = scheduled_jobs::Entity::update_many()
            .col_expr(
                scheduled_jobs::Column::NextRunAt,
                Expr::value(to_db(next_run_at)),
            )
            .col_expr(scheduled_jobs::Column::ClaimedBy, Expr::value(runner))
            .filter(scheduled_jobs::Column::Job.eq(job))
            .filter(scheduled_jobs::Column::NextRunAt.lte(to_db(now)))
            .exec(&self.db)
            .await
            .or_db("claiming a job run")?;
        Ok(taken.rows_affected == 1)
    }

    async fn start_run(&self, job: &str, runner: &str, now: DateTime<Utc>) -> Result<i64> {
        let run = job_runs::ActiveModel {
            job: Set(job.to_owned()),
            runner: Set(runner.to_owned()),
            started_at: Set(to_db(now)),
            outcome: Set("running".to_owned()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .or_db("recording a job start")?;
        Ok(run.id)
    }

    async fn finish_run(
        &self,
        run_id: i64,
        now: DateTime<Utc>,
        ok: bool,
        rows_affected: Option<u64>,
        detail: Option<String>,
    ) -> Result<()> {
        job_runs::Entity::update_many()
            .col_expr(job_runs::Column::FinishedAt, Expr::value(to_db(now)))
            .col_expr(
                job_runs::Column::Outcome,
                Expr::value(if ok { "ok" } else { "failed" }),
            )
            .col_expr(
                job_runs::Column::RowsAffected,
                Expr::value(rows_affected.map(|r| r as i64)),
            )
            .col_expr(job_runs::Column::Detail, Expr::value(detail))
            .filter(job_runs::Column::Id.eq(run_id))
            .exec(&self.db)
            .await
            .or_db("recording a job end")?;
        Ok(())
    }

    async fn recent_runs(&self, job: Option<&str>, limit: u64) -> Result<Vec<JobRun>> {
        let mut query = job_runs::Entity::find();
        if let Some(job) = job {
            query = query.filter(job_runs::Column::Job.eq(job));
        }
        Ok(query
            .order_by_desc(job_runs::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .or_db("listing job runs")?
            .into_iter()
            .map(to_run)
            .collect())
    }

    async fn purge_expired_tokens(&self, now: DateTime<Utc>) -> Result<u64> {
        let at = to_db(now);
        let purged = revoked::Entity::delete_many()
            .filter(revoked::Column::ExpiresAt.lt(at))
            .exec(&self.db)
            .await
            .or_db("purging expired revocations")?;
        let expired = resets::Entity::update_many()
            .col_expr(resets::Column::IsValid, Expr::value(false))
            .col_expr(resets::Column::InvalidatedAt, Expr::value(at))
            .filter(resets::Column::IsValid.eq(true))
            .filter(resets::Column::Expiry.lt(at))
            .exec(&self.db)
            .await
            .or_db("invalidating expired reset tokens")?;
        Ok(purged.rows_affected + expired.rows_affected)
    }

    async fn prune_attempts(&self, before: DateTime<Utc>) -> Result<u64> {
        crate::attempts::prune(&self.db, before).await
    }

    async fn prune_history(&self, before: DateTime<Utc>) -> Result<u64> {
        let at = to_db(before);
        let delivered = outbox::Entity::delete_many()
            .filter(outbox::Column::DeliveredAt.lt(at))
            .exec(&self.db)
            .await
            .or_db("pruning delivered outbox messages")?;
        let runs = job_runs::Entity::delete_many()
            .filter(job_runs::Column::FinishedAt.lt(at))
            .exec(&self.db)
            .await
            .or_db("pruning finished job runs")?;
        let resets = resets::Entity::delete_many()
            .filter(resets::Column::Expiry.lt(at))
            .exec(&self.db)
            .await
            .or_db("pruning expired reset tokens")?;
        Ok(delivered.rows_affected + runs.rows_affected + resets.rows_affected)
    }
}
