//! Scheduled jobs on ISO-8601 periods. Each due run is claimed in the database by one process
//! only; each job runs in its own task (a slow or failing job never delays another) and every
//! run is recorded with its start, end, outcome and rows affected.

use crate::dispatcher::raise_error;
use crate::handlers::HandlerContext;
use ninepanels_domain::Result;
use ninepanels_domain::config::MAX_RATE_LIMIT_WINDOW_SECS;
use ninepanels_domain::jobs::JobKind;
use ninepanels_domain::period::Period;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

pub type JobFuture = Pin<Box<dyn Future<Output = Result<u64>> + Send>>;
pub type JobFn = fn(Arc<HandlerContext>) -> JobFuture;

/// A named job and what it does; it answers the rows it affected. Tests schedule their own.
#[derive(Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub run: JobFn,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn purge_expired_tokens(ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move { ctx.jobs.purge_expired_tokens(ctx.clock.now()).await })
}

fn prune_attempts(ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move {
        let longest = chrono::Duration::seconds(MAX_RATE_LIMIT_WINDOW_SECS as i64);
        ctx.jobs.prune_attempts(ctx.clock.now() - longest).await
    })
}

fn prune_timings(ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move {
        let keep = u64::from(ctx.settings.timing_window_size).max(1) * 10;
        ctx.timings.prune(keep).await
    })
}

fn retry_outbox(ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move { crate::outbox::deliver_due(&ctx).await })
}

/// How long delivered outbox messages, finished job runs and expired reset tokens are kept.
pub const HISTORY_KEPT_DAYS: i64 = 30;

fn prune_history(ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move {
        let kept = chrono::Duration::days(HISTORY_KEPT_DAYS);
        ctx.jobs.prune_history(ctx.clock.now() - kept).await
    })
}

fn flush_timings(ctx: Arc<HandlerContext>) -> JobFuture {
    Box::pin(async move { crate::timings::flush(&ctx).await })
}

/// What each job this server knows does; `JOBS` sets their periods.
pub fn job(kind: JobKind) -> Job {
    let run: JobFn = match kind {
        JobKind::PurgeExpiredTokens => purge_expired_tokens,
        JobKind::PruneAttempts => prune_attempts,
        JobKind::PruneTimings => prune_timings,
        JobKind::RetryOutbox => retry_outbox,
        JobKind::FlushTimings => flush_timings,
        JobKind::PruneHistory => prune_history,
    };
    Job {
        name: kind.name(),
        run,
    }
}

/// Runs the job now, recording the run; answers the rows it affected.
pub async fn run_now(ctx: &Arc<HandlerContext>, job: Job) -> Result<u64> {
    let run_id = ctx
        .jobs
        .start_run(job.name, &ctx.runner, ctx.clock.now())
        .await?;
    let outcome = tokio::spawn((job.run)(ctx.clone())).await;
    let now = ctx.clock.now();
    match outcome {
        Ok(Ok(rows)) => {
            ctx.jobs
                .finish_run(run_id, now, true, Some(rows), None)
                .await?;
            metrics::counter!("job_runs_total", "job" => job.name, "outcome" => "ok").increment(1);
            if rows == 0 {
                tracing::debug!(job = job.name, rows, "job finished");
            } else {
                tracing::info!(job = job.name, rows, "job finished");
            }
            Ok(rows)
        }
        Ok(Err(e)) => {
            ctx.jobs
                .finish_run(
                    run_id,
                    now,
                    false,
                    None,
                    Some(format!("{}: {}", e.detail, e.context_msg)),
                )
                .await?;
            metrics::counter!("job_runs_total", "job" => job.name, "outcome" => "failed")
                .increment(1);
            tracing::error!(job = job.name, kind = ?e.kind, context = %e.context_msg, "job failed");
            raise_error(
                ctx,
                None,
                format!("job {}", job.name),
                e.reason().to_owned(),
            )
            .await;
            Err(e)
        }
        Err(join) => {
            let detail = if join.is_panic() {
                "the job panicked"
            } else {
                "the job was cancelled"
            };
            ctx.jobs
                .finish_run(run_id, now, false, None, Some(detail.to_owned()))
                .await?;
            metrics::counter!("job_runs_total", "job" => job.name, "outcome" => "failed")
                .increment(1);
            tracing::error!(job = job.name, detail, "job failed");
            raise_error(ctx, None, format!("job {}", job.name), detail.to_owned()).await;
            Err(ninepanels_domain::Error::internal(format!(
                "{}: {detail}",
                job.name
            )))
        }
    }
}

/// Starts the schedule: every second, each due job not already running here is claimed and,
/// when this process wins the claim, run in its own task.
pub fn spawn(
    ctx: Arc<HandlerContext>,
    schedule: Vec<(Job, Period)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for (job, _) in &schedule {
            if let Err(e) = ctx.jobs.ensure(job.name, ctx.clock.now()).await {
                tracing::warn!(job = job.name, context = %e.context_msg, "could not add the job to the schedule");
            }
        }
        let running: Arc<Mutex<HashSet<&'static str>>> = Arc::default();
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            for (job, period) in &schedule {
                if running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains(job.name)
                {
                    continue;
                }
                let now = ctx.clock.now();
                let next = now
                    + chrono::Duration::from_std(period.duration())
                        .unwrap_or(chrono::Duration::days(1));
                match ctx.jobs.claim(job.name, &ctx.runner, now, next).await {
                    Ok(true) => {
                        running
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(job.name);
                        let (ctx, running, job) = (ctx.clone(), running.clone(), *job);
                        tokio::spawn(async move {
                            let _ = run_now(&ctx, job).await;
                            running
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .remove(job.name);
                        });
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(job = job.name, context = %e.context_msg, "could not claim the job")
                    }
                }
            }
        }
    })
}

/// The configured schedule: each job with its period.
pub fn schedule_from(settings: &ninepanels_domain::config::Background) -> Vec<(Job, Period)> {
    settings
        .jobs
        .iter()
        .map(|(kind, period)| (job(*kind), *period))
        .collect()
}
