//! The watch: every few seconds each server process asks its database how the outbox stands. A
//! database that does not answer for `ALERT_AFTER_SECS` is told to the admins and the webhook
//! straight away (the outbox lives in that database) and its end through the outbox once it
//! answers; parked outbox messages raise the `outbox` alert, cleared once none is left.

use crate::alerts;
use crate::handlers::HandlerContext;
use chrono::{DateTime, Utc};
use ninepanels_domain::ErrorKind;
use ninepanels_domain::alert::{Alert, AlertState};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// An outage as this process sees it.
#[derive(Debug, Clone, Copy)]
struct Outage {
    since: DateTime<Utc>,
    /// Measured on the monotonic clock, whatever the app's clock says.
    began: Instant,
    told: bool,
}

/// What the watch remembers between ticks.
#[derive(Debug, Default)]
pub struct Watch {
    outage: Option<Outage>,
    /// Who to mail while the database is away, as it last answered.
    admins: Vec<String>,
    /// Whether this process last saw parked messages (`None` before its first look).
    parked: Option<bool>,
}

impl Watch {
    /// One look at the database and the outbox.
    pub async fn tick(&mut self, ctx: &HandlerContext) {
        match ctx.health.outbox_depth().await {
            Ok(depth) => {
                self.answered(ctx).await;
                let parked = depth.parked > 0;
                if self.parked != Some(parked) {
                    let alert = Alert::outbox(depth);
                    let moved = if parked {
                        alerts::raise(ctx, alert).await
                    } else {
                        alerts::clear(ctx, alert).await
                    };
                    match moved {
                        Ok(_) => self.parked = Some(parked),
                        Err(e) => {
                            tracing::warn!(reason = %e.reason(), "could not move the outbox alert")
                        }
                    }
                }
            }
            Err(e) if e.kind == ErrorKind::Unavailable => self.unanswered(ctx).await,
            Err(e) => tracing::warn!(reason = %e.reason(), "the watch could not read the outbox"),
        }
    }

    async fn answered(&mut self, ctx: &HandlerContext) {
        if let Some(outage) = self.outage {
            if outage.told {
                let alert = Alert::database_back(outage.since, ctx.clock.now());
                if let Err(e) =
                    alerts::tell_moment(ctx, alert, AlertState::Cleared, outage.since).await
                {
                    tracing::warn!(reason = %e.reason(), "could not tell that the database is back");
                    return;
                }
            }
            self.outage = None;
        }
        if let Ok(admins) = ctx.users.admin_emails().await {
            self.admins = admins;
        }
    }

    async fn unanswered(&mut self, ctx: &HandlerContext) {
        let outage = self.outage.get_or_insert_with(|| Outage {
            since: ctx.clock.now(),
            began: Instant::now(),
            told: false,
        });
        let after = Duration::from_secs(u64::from(ctx.settings.alerting.after_secs));
        if !outage.told && outage.began.elapsed() >= after {
            let alert = Alert::database_down(outage.since, ctx.clock.now());
            outage.told = alerts::tell_now(ctx, &alert, &self.admins).await;
        }
    }
}

/// Looks every quarter of `ALERT_AFTER_SECS` (from 1 to 15 seconds), until aborted.
pub fn spawn(ctx: Arc<HandlerContext>) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(u64::from(ctx.settings.alerting.after_secs / 4).clamp(1, 15));
    tokio::spawn(async move {
        let mut watch = Watch::default();
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            watch.tick(&ctx).await;
        }
    })
}
