//! The dispatch table: which typed handlers run for which event. Each event's handlers run
//! concurrently within the calling task; a failing or panicking one is logged and never stops
//! the others.

use crate::event::{Emitted, Event, Meta, MustDeliver};
use crate::handlers::{
    HandlerContext, handle_audit, handle_password_reset_requested, handle_route_timed,
    handle_user_active, handle_user_created, handle_user_logged_in,
};
use futures::FutureExt;
use futures::future::{BoxFuture, join_all};
use ninepanels_domain::Result;
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
        // Every request's timing: it hands its strings on instead of copying them.
        Event::RouteTimed(timed) => {
            let run = handle_route_timed(ctx, m, timed).boxed();
            run_all(m, name, [("handle_route_timed", run)]).await
        }
        Event::UserLoggedIn(e) => {
            let run = handle_user_logged_in(ctx, m, &e).boxed();
            run_all(m, name, [("handle_user_logged_in", run)]).await
        }
        Event::UserActive(e) => {
            let run = handle_user_active(ctx, m, &e).boxed();
            run_all(m, name, [("handle_user_active", run)]).await
        }
        Event::UserLoggedOut(e) => run_all(m, name, [audit(m, name, &e)]).await,
        Event::UserUpdated(e) => run_all(m, name, [audit(m, name, &e)]).await,
        Event::PanelCreated(e) => run_all(m, name, [audit(m, name, &e)]).await,
        Event::PanelUpdated(e) => run_all(m, name, [audit(m, name, &e)]).await,
        Event::PanelDeleted(e) => run_all(m, name, [audit(m, name, &e)]).await,
        Event::EntryRecorded(e) => run_all(m, name, [audit(m, name, &e)]).await,
        Event::HistoryCleared(e) => run_all(m, name, [audit(m, name, &e)]).await,
    }
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
            run_all(
                m,
                name,
                [("handle_user_created", welcome), audit(m, name, e)],
            )
            .await
        }
        MustDeliver::PasswordResetRequested(e) => {
            let mail = handle_password_reset_requested(ctx, m, e).boxed();
            let runs = [("handle_password_reset_requested", mail), audit(m, name, e)];
            run_all(m, name, runs).await
        }
        MustDeliver::UserDeleted(e) => run_all(m, name, [audit(m, name, e)]).await,
        MustDeliver::PasswordResetCompleted(e) => run_all(m, name, [audit(m, name, e)]).await,
    }
}

fn audit<'a>(
    meta: &'a Meta,
    name: &'static str,
    details: &'a (dyn std::fmt::Debug + Sync),
) -> Run<'a> {
    ("handle_audit", handle_audit(meta, name, details).boxed())
}

/// Runs the handlers together and logs each failure; the failures, one `handler: reason` each.
async fn run_all<const N: usize>(
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
                failures.push(format!("{handler}: {}", err.reason()));
            }
            Err(_) => {
                tracing::error!(handler, panicked = true, "event handler did not finish");
                failures.push(format!("{handler}: it panicked"));
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
