//! The dispatch table: which typed handlers run for which event. Each event's handlers run
//! concurrently within the calling task; a failing or panicking one is logged, raises
//! `ErrorRaised`, and never stops the others.

use crate::event::{Emitted, Event, Meta, MustDeliver};
use crate::handlers::{
    AuditFields, HandlerContext, handle_alert_cleared, handle_alert_raised, handle_audit,
    handle_data_imported, handle_error_raised, handle_password_reset_requested,
    handle_route_timings_batched, handle_route_timings_persisted, handle_user_active,
    handle_user_created, handle_user_logged_in,
};
use futures::FutureExt;
use futures::future::{BoxFuture, join_all};
use ninepanels_domain::Result;
use ninepanels_domain::events::ErrorRaised;
use std::panic::AssertUnwindSafe;
use tracing::Instrument;

/// A handler's name and its run.
type Run<'a> = (&'static str, BoxFuture<'a, Result<()>>);

/// Runs a channel event's handlers; what went wrong when one failed (already logged).
pub async fn dispatch_event(ctx: &HandlerContext, emitted: Emitted<Event>) -> Result<(), String> {
    let Emitted { meta, event } = emitted;
    let m = &meta;
    let name = event.name();
    match event {
        // A batch of timings: handed on, not copied.
        Event::RouteTimingsBatched(batch) => {
            let run = handle_route_timings_batched(ctx, m, batch).boxed();
            run_all(ctx, m, name, [("handle_route_timings_batched", run)]).await
        }
        Event::RouteTimingsPersisted(e) => {
            let run = handle_route_timings_persisted(ctx, m, &e).boxed();
            run_all(ctx, m, name, [("handle_route_timings_persisted", run)]).await
        }
        Event::ErrorRaised(e) => {
            let run = handle_error_raised(ctx, m, &e).boxed();
            run_all(ctx, m, name, [("handle_error_raised", run)]).await
        }
        Event::UserLoggedIn(e) => {
            let run = handle_user_logged_in(ctx, m, &e).boxed();
            run_all(ctx, m, name, [("handle_user_logged_in", run)]).await
        }
        Event::UserActive(e) => {
            let run = handle_user_active(ctx, m, &e).boxed();
            run_all(ctx, m, name, [("handle_user_active", run)]).await
        }
        Event::UserLoggedOut(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
        Event::UserUpdated(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
        Event::PanelCreated(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
        Event::PanelUpdated(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
        Event::PanelDeleted(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
        Event::EntryRecorded(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
        Event::HistoryCleared(e) => run_all(ctx, m, name, [audit(m, name, &e)]).await,
    }
}

/// Runs an event that a handler or a job raised, in the task that raised it: it waits for no
/// room in the channel (the worker may be the one raising) and cannot be dropped.
pub fn dispatch_in_place(
    ctx: &HandlerContext,
    emitted: Emitted<Event>,
) -> BoxFuture<'_, Result<(), String>> {
    Box::pin(dispatch_event(ctx, emitted))
}

/// Runs a must-deliver event's handlers (for the outbox relay); what went wrong when one failed.
pub async fn dispatch_must_deliver(
    ctx: &HandlerContext,
    emitted: &Emitted<MustDeliver>,
) -> Result<(), String> {
    let m = &emitted.meta;
    let name = emitted.event.name();
    match &emitted.event {
        MustDeliver::UserCreated(e) => {
            let welcome = handle_user_created(ctx, m, e).boxed();
            let runs = [("handle_user_created", welcome), audit(m, name, e)];
            run_all(ctx, m, name, runs).await
        }
        MustDeliver::PasswordResetRequested(e) => {
            let mail = handle_password_reset_requested(ctx, m, e).boxed();
            let runs = [("handle_password_reset_requested", mail), audit(m, name, e)];
            run_all(ctx, m, name, runs).await
        }
        MustDeliver::UserDeleted(e) => run_all(ctx, m, name, [audit(m, name, e)]).await,
        MustDeliver::PasswordResetCompleted(e) => run_all(ctx, m, name, [audit(m, name, e)]).await,
        MustDeliver::DataExported(e) => run_all(ctx, m, name, [audit(m, name, e)]).await,
        MustDeliver::DataImported(e) => {
            let receipt = handle_data_imported(ctx, m, e).boxed();
            let runs = [("handle_data_imported", receipt), audit(m, name, e)];
            run_all(ctx, m, name, runs).await
        }
        MustDeliver::AlertRaised(e) => {
            let run = handle_alert_raised(ctx, m, e).boxed();
            run_all(ctx, m, name, [("handle_alert_raised", run)]).await
        }
        MustDeliver::AlertCleared(e) => {
            let run = handle_alert_cleared(ctx, m, e).boxed();
            run_all(ctx, m, name, [("handle_alert_cleared", run)]).await
        }
    }
}

fn audit<'a>(meta: &'a Meta, name: &'static str, event: &impl serde::Serialize) -> Run<'a> {
    let details = AuditFields::of(event);
    ("handle_audit", handle_audit(meta, name, details).boxed())
}

/// Raises `ErrorRaised` in place for an unexpected error of `source` (a handler, a job).
pub async fn raise_error(
    ctx: &HandlerContext,
    request_id: Option<String>,
    source: String,
    reason: String,
) {
    let emitted = Emitted {
        meta: Meta::new(ctx.clock.now(), request_id),
        event: ErrorRaised { source, reason }.into(),
    };
    // Its handler's own failure is logged in there, and raises nothing further.
    let _ = dispatch_in_place(ctx, emitted).await;
}

/// Runs the handlers together and logs each failure, raising `ErrorRaised` for it (in place);
/// the failures, one `handler: reason` each.
async fn run_all<const N: usize>(
    ctx: &HandlerContext,
    meta: &Meta,
    event: &'static str,
    runs: [Run<'_>; N],
) -> Result<(), String> {
    let span = tracing::info_span!(
        "event",
        request_id = meta.request_id.as_deref().unwrap_or("-"),
        event,
        event_id = %meta.id,
    );
    let outcomes = join_all(runs.map(|(handler, run)| async move {
        (handler, AssertUnwindSafe(run).catch_unwind().await)
    }))
    .instrument(span.clone())
    .await;
    let _entered = span.enter();
    let mut failures = Vec::new();
    for (handler, outcome) in outcomes {
        match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(err)) => {
                tracing::error!(
                    handler,
                    kind = ?err.kind,
                    context = %err.context_msg,
                    data = ?err.context_data,
                    "event handler failed"
                );
                failures.push((handler, err.reason().to_owned()));
            }
            Err(_) => {
                tracing::error!(handler, panicked = true, "event handler did not finish");
                failures.push((handler, "it panicked".to_owned()));
            }
        }
    }
    drop(_entered);
    if failures.is_empty() {
        return Ok(());
    }
    if event != "ErrorRaised" {
        for (handler, reason) in &failures {
            let source = format!("handler {handler}");
            raise_error(ctx, meta.request_id.clone(), source, reason.clone()).await;
        }
    }
    let failures: Vec<String> = failures
        .iter()
        .map(|(handler, reason)| format!("{handler}: {reason}"))
        .collect();
    Err(failures.join("; "))
}
