//! The worker task: takes events off the channel and runs each one's handlers.

use crate::bus::Inbox;
use crate::dispatcher::dispatch_event;
use crate::handlers::HandlerContext;
use std::sync::Arc;

/// Runs until the bus is closed and every queued event is handled, then writes the timings
/// still buffered.
pub async fn run(inbox: Inbox, ctx: Arc<HandlerContext>) {
    while let Some(emitted) = inbox.recv().await {
        // Failures are logged where they happen; telemetry is not retried.
        let _ = dispatch_event(&ctx, emitted).await;
        inbox.handled();
    }
    if let Err(e) = crate::timings::flush(&ctx).await {
        tracing::warn!(kind = ?e.kind, context = %e.context_msg, "could not write the last timings");
    }
    tracing::debug!("event worker drained and stopped");
}
