//! The worker task: takes events off the channel and runs each one's handlers concurrently. A
//! failing or panicking handler is logged and never stops the worker or the other handlers.

use crate::dispatcher::handlers_for;
use crate::event::Emitted;
use crate::handlers::HandlerContext;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;
use tracing::Instrument;

/// Runs until the bus is closed and every queued event is handled, then writes the timings
/// still buffered.
pub async fn run(receiver: async_channel::Receiver<Emitted>, ctx: Arc<HandlerContext>) {
    while let Ok(emitted) = receiver.recv().await {
        dispatch(&ctx, emitted).await;
    }
    if let Err(e) = crate::timings::flush(&ctx).await {
        tracing::warn!(kind = ?e.kind, context = %e.context_msg, "could not write the last timings");
    }
    tracing::debug!("event worker drained and stopped");
}

/// Runs one event's handlers and waits for all of them; true when every one succeeded.
pub async fn dispatch(ctx: &Arc<HandlerContext>, emitted: Emitted) -> bool {
    let span = tracing::info_span!(
        "event",
        request_id = emitted.request_id.as_deref().unwrap_or("-"),
        event = emitted.event.name(),
        event_id = %emitted.id,
    );
    let mut running = JoinSet::new();
    let mut names = HashMap::new();
    for (name, handler) in handlers_for(&emitted.event) {
        let task = running.spawn(handler(ctx.clone(), emitted.clone()).instrument(span.clone()));
        names.insert(task.id(), *name);
    }
    let mut all_ok = true;
    while let Some(outcome) = running.join_next_with_id().await {
        let _entered = span.enter();
        all_ok &= matches!(outcome, Ok((_, Ok(()))));
        match outcome {
            Ok((_, Ok(()))) => {}
            Ok((id, Err(err))) => tracing::error!(
                handler = names.get(&id).copied().unwrap_or("?"),
                kind = ?err.kind,
                context = %err.context_msg,
                data = ?err.context_data,
                "event handler failed"
            ),
            Err(join_error) => tracing::error!(
                handler = names.get(&join_error.id()).copied().unwrap_or("?"),
                panicked = join_error.is_panic(),
                "event handler did not finish"
            ),
        }
    }
    all_ok
}
