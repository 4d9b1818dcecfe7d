//! `jobs list|run` and `outbox list|retry`.

use crate::context::{Ops, OpsError};
use chrono::{DateTime, Utc};
use ninepanels_domain::clock::SystemClock;
use ninepanels_domain::jobs::JobKind;
use ninepanels_domain::ports::{JobRepository, OutboxRepository};
use ninepanels_domain::seal::Sealer;
use ninepanels_events::{HandlerContext, mailers, outbox, scheduler};
use ninepanels_persistence::{SqlJobs, SqlOutbox};
use std::sync::Arc;

fn context(ops: &Ops) -> Result<Arc<HandlerContext>, OpsError> {
    let repositories = ninepanels_persistence::repositories(&ops.db);
    let mailer = mailers::from_config(&ops.config.mail)?;
    Ok(Arc::new(HandlerContext::new(
        &repositories,
        mailer,
        Arc::new(SystemClock),
        ops.config.background.clone(),
        Sealer::new(&ops.config.auth.jwt_secret),
    )?))
}

pub async fn list_jobs(ops: &Ops) -> Result<(), OpsError> {
    let jobs = SqlJobs::new(ops.db.clone());
    println!("{:<22} {:<8} last run", "job", "period");
    for (job, period) in &ops.config.background.jobs {
        let name = job.name();
        let last = jobs.recent_runs(Some(name), 1).await?;
        let last = last.first().map_or("never".to_owned(), |r| {
            format!(
                "{} {} rows={} ({})",
                r.started_at.format("%Y-%m-%d %H:%M:%S"),
                r.outcome,
                r.rows_affected.unwrap_or(0),
                r.runner
            )
        });
        println!("{name:<22} {:<8} {last}", period.to_string());
    }
    Ok(())
}

pub async fn run_job(ops: &Ops, name: &str) -> Result<(), OpsError> {
    let job = JobKind::named(name).map(scheduler::job).ok_or_else(|| {
        OpsError::Usage(format!(
            "'{name}' is not a job; the jobs are {}",
            JobKind::names()
        ))
    })?;
    ops.require_current_schema().await?;
    let started = std::time::Instant::now();
    let rows = scheduler::run_now(&context(ops)?, job).await?;
    println!(
        "{name}: ok, {rows} rows affected, {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

pub async fn list_outbox(ops: &Ops, limit: u64) -> Result<(), OpsError> {
    let messages = SqlOutbox::new(ops.db.clone()).list(limit).await?;
    println!(
        "{:>6}  {:<24} {:<10} {:>8}  {:<20} {:<36}  last error",
        "id", "kind", "state", "attempts", "created", "request"
    );
    for m in messages {
        let state = if m.delivered_at.is_some() {
            "delivered"
        } else if m.parked_at.is_some() {
            "PARKED"
        } else {
            "pending"
        };
        println!(
            "{:>6}  {:<24} {:<10} {:>8}  {:<20} {:<36}  {}",
            m.id,
            m.kind,
            state,
            m.attempts,
            m.created_at.format("%Y-%m-%d %H:%M:%S"),
            m.request_id.as_deref().unwrap_or("-"),
            m.last_error.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

/// Delivers what is due now, as a running server would, and says what became of each message
/// written since `since`.
pub async fn deliver_now(ops: &Ops, since: DateTime<Utc>) -> Result<(), OpsError> {
    let since = since - chrono::Duration::seconds(1);
    if let Err(e) = outbox::deliver_due(&context(ops)?).await {
        println!(
            "not delivered now ({}); a running server delivers it from the outbox",
            e.detail
        );
        return Ok(());
    }
    let messages = SqlOutbox::new(ops.db.clone()).list(100).await?;
    for m in messages.iter().filter(|m| m.created_at >= since) {
        match (&m.delivered_at, &m.last_error) {
            (Some(_), _) => println!("{}: delivered", m.kind),
            (None, Some(error)) => println!(
                "{}: not delivered yet ({error}); it is retried from the outbox, see \
                 `ninepanels-ops outbox list`",
                m.kind
            ),
            (None, None) => println!("{}: waiting in the outbox", m.kind),
        }
    }
    Ok(())
}

pub async fn retry_outbox(ops: &Ops) -> Result<(), OpsError> {
    let retried = SqlOutbox::new(ops.db.clone())
        .retry_parked(Utc::now())
        .await?;
    ops.log(
        "outbox retry",
        &format!("{retried} parked messages due again"),
    )
    .await?;
    println!(
        "{retried} parked messages are due again; a running server delivers them within a second"
    );
    Ok(())
}
