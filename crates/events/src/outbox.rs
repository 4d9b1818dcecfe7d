//! The outbox relay: must-deliver events are written as outbox rows in the transaction of
//! their change; the relay claims due rows (a lease, so a crashed process's claims expire),
//! runs their handlers, and marks them delivered, or retries with backoff, or parks them after
//! `OUTBOX_MAX_ATTEMPTS` for the operator.

use crate::dispatcher::dispatch_must_deliver;
use crate::event::{Emitted, Meta, MustDeliver};
use crate::handlers::HandlerContext;
use chrono::Duration;
use ninepanels_domain::background::{OutboxDraft, OutboxMessage};
use ninepanels_domain::{Error, Result};
use std::sync::Arc;
use tokio::sync::Notify;

/// How long a claim holds before another process may take the message over.
pub const CLAIM_LEASE: Duration = Duration::seconds(60);
/// Messages claimed per pass.
const BATCH: u64 = 32;

/// The outbox row for a must-deliver event. (Our events always serialise; were one not to,
/// its row would fail to read back and be parked for the operator, never lost silently.)
pub fn draft(event: &MustDeliver, meta: Meta) -> OutboxDraft {
    let payload = serde_json::to_string(event).unwrap_or_default();
    OutboxDraft {
        event_id: meta.id.to_string(),
        kind: event.name().to_owned(),
        payload,
        request_id: meta.request_id,
        created_at: meta.at,
    }
}

/// Seconds to wait after the `attempt`-th failure: 2, 4, 8, ... up to an hour.
pub fn backoff(attempt: i32) -> Duration {
    Duration::seconds(2i64.saturating_pow(attempt.clamp(1, 12) as u32).min(3600))
}

fn to_emitted(message: &OutboxMessage) -> Result<Emitted<MustDeliver>> {
    let payload = message.payload.as_deref().unwrap_or("");
    let event: MustDeliver = serde_json::from_str(payload).map_err(|e| {
        Error::internal(format!(
            "outbox message {} ({}) cannot be read: {e}",
            message.id, message.kind
        ))
    })?;
    Ok(Emitted {
        meta: Meta {
            id: uuid::Uuid::parse_str(&message.event_id).unwrap_or_else(|_| uuid::Uuid::new_v4()),
            at: message.created_at,
            request_id: message.request_id.clone(),
        },
        event,
    })
}

/// Delivers what is due now; answers how many were delivered. The one path by which outbox
/// messages are delivered and retried (by the relay, the `retry_outbox` job, a shutdown and a
/// test's drain); passes within one process take turns, so a pass that returns has seen every
/// message that was due when it started, or left it to a pass of another process.
pub async fn deliver_due(ctx: &Arc<HandlerContext>) -> Result<u64> {
    let _turn = ctx.delivering.lock().await;
    let mut delivered = 0;
    loop {
        let now = ctx.clock.now();
        let claimed = ctx
            .outbox
            .claim_due(&ctx.runner, now, CLAIM_LEASE, BATCH)
            .await?;
        if claimed.is_empty() {
            return Ok(delivered);
        }
        for message in claimed {
            let outcome = match to_emitted(&message) {
                Ok(emitted) => dispatch_must_deliver(ctx, &emitted).await,
                Err(e) => Err(e.context_msg),
            };
            let now = ctx.clock.now();
            match outcome {
                Ok(()) => {
                    ctx.outbox.mark_delivered(message.id, now).await?;
                    delivered += 1;
                }
                Err(why) => {
                    let give_up = message.attempts >= ctx.settings.outbox_max_attempts as i32;
                    let retry_at = (!give_up).then(|| now + backoff(message.attempts));
                    if give_up {
                        tracing::error!(
                            outbox_id = message.id,
                            kind = %message.kind,
                            attempts = message.attempts,
                            "outbox message parked: the operator can retry it with `ninepanels-ops outbox retry`"
                        );
                    }
                    ctx.outbox
                        .mark_failed(message.id, now, &why, retry_at)
                        .await?;
                }
            }
        }
    }
}

/// Delivers when nudged (after a local write) and otherwise every `poll`, until aborted.
pub fn spawn_relay(
    ctx: Arc<HandlerContext>,
    nudge: Arc<Notify>,
    poll: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&ctx).await {
                tracing::warn!(kind = ?e.kind, context = %e.context_msg, "outbox pass failed; retrying");
            }
            tokio::select! {
                () = nudge.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(40), Duration::seconds(3600));
    }

    #[test]
    fn drafts_round_trip_the_event() {
        let event = MustDeliver::from(ninepanels_domain::events::UserCreated {
            user_id: 3,
            email: "a@b.co".into(),
            name: "A".into(),
        });
        let meta = Meta {
            id: uuid::Uuid::new_v4(),
            at: Utc::now(),
            request_id: Some("req-1".into()),
        };
        let d = draft(&event, meta.clone());
        assert_eq!(d.kind, "UserCreated");
        assert_eq!(
            (d.event_id.as_str(), d.request_id.as_deref()),
            (meta.id.to_string().as_str(), Some("req-1"))
        );
        let back: MustDeliver = serde_json::from_str(&d.payload).unwrap();
        assert_eq!(back, event);
    }
}
