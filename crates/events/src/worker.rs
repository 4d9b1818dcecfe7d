//! The worker task: takes events off their lanes (events, telemetry) and runs each one's handlers.

use crate::dispatcher::dispatch_event;
use crate::handlers::HandlerContext;
use crate::inbox::{Inbox, Lane};
use std::sync::Arc;

/// Runs until the bus is closed and every queued event is handled, then writes the timings
/// still buffered. Ordinary events and telemetry are taken off their lanes by two loops, so a
/// slow telemetry write holds back neither an emitter nor another event's handlers.
pub async fn run(inbox: Inbox, ctx: Arc<HandlerContext>) {
    tokio::join!(
        drain(&inbox, &ctx, Lane::Events),
        drain(&inbox, &ctx, Lane::Telemetry)
    );
    if let Err(e) = crate::timings::flush(&ctx).await {
        tracing::warn!(kind = ?e.kind, context = %e.context_msg, "could not write the last timings");
    }
    tracing::debug!("event worker drained and stopped");
}

/// Handles the events of one lane until it is closed and drained.
async fn drain(inbox: &Inbox, ctx: &HandlerContext, lane: Lane) {
    while let Some(emitted) = inbox.recv_lane(lane).await {
        // Failures are logged where they happen; telemetry is not retried.
        let _ = dispatch_event(ctx, emitted).await;
        inbox.handled();
    }
}
