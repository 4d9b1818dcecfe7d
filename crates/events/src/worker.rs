//! The worker task: takes events off the channel and runs each one's handlers concurrently. A
//! failing or panicking handler is logged and never stops the worker or the other handlers.

use crate::dispatcher::handlers_for;
use crate::event::Emitted;
use crate::handlers::HandlerContext;
use futures::FutureExt;
use futures::future::join_all;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
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

/// Runs one event's handlers concurrently within this task and waits for all of them; true
/// when every one succeeded. No task is spawned per event: a panic is caught where it happens.
pub async fn dispatch(ctx: &Arc<HandlerContext>, emitted: Emitted) -> bool {
    let span = tracing::info_span!(
        "event",
        request_id = emitted.request_id.as_deref().unwrap_or("-"),
        event = emitted.event.name(),
        event_id = %emitted.id,
    );
    let handlers = handlers_for(&emitted.event);
    let outcomes = if let [(name, handler)] = handlers {
        // Most events have one handler (every request's timing among them): no join, no copy.
        let run = AssertUnwindSafe(handler(ctx.clone(), emitted)).catch_unwind();
        vec![(*name, run.instrument(span.clone()).await)]
    } else {
        let runs = handlers.iter().map(|(name, handler)| {
            let run = AssertUnwindSafe(handler(ctx.clone(), emitted.clone())).catch_unwind();
            async move { (*name, run.await) }
        });
        join_all(runs).instrument(span.clone()).await
    };
    let _entered = span.enter();
    let mut all_ok = true;
    for (handler, outcome) in outcomes {
        match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(err)) => tracing::error!(
                handler,
                kind = ?err.kind,
                context = %err.context_msg,
                data = ?err.context_data,
                "event handler failed"
            ),
            Err(_) => tracing::error!(handler, panicked = true, "event handler did not finish"),
        }
        all_ok = false;
    }
    all_ok
}
