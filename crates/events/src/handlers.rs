//! The handler functions, one per thing to do, named after the event they handle.

use crate::event::Meta;
use crate::timings::TimingBuffer;
use ninepanels_domain::Result;
use ninepanels_domain::background::Timing;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Background;
use ninepanels_domain::events::{
    PasswordResetRequested, RouteTimed, UserActive, UserCreated, UserLoggedIn,
};
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::ports::{
    JobRepository, OutboxRepository, Repositories, TimingRepository, UserRepository,
};
use ninepanels_domain::seal::Sealer;
use ninepanels_domain::user::Email;
use std::sync::Arc;

/// What handlers and jobs may use.
#[derive(Debug)]
pub struct HandlerContext {
    pub users: Arc<dyn UserRepository>,
    pub mailer: Arc<dyn Mailer>,
    pub timings: Arc<dyn TimingRepository>,
    pub outbox: Arc<dyn OutboxRepository>,
    pub jobs: Arc<dyn JobRepository>,
    pub clock: Arc<dyn Clock>,
    pub settings: Background,
    /// Who this process is, in outbox and job claims.
    pub runner: String,
    pub timing_buffer: TimingBuffer,
    /// Opens the secrets sealed into stored events.
    pub sealer: Sealer,
    /// Held by each outbox pass of this process, so passes take turns.
    pub delivering: tokio::sync::Mutex<()>,
}

impl HandlerContext {
    pub fn new(
        repos: &Repositories,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        settings: Background,
        sealer: Sealer,
    ) -> Self {
        Self {
            users: repos.users.clone(),
            mailer,
            timings: repos.timings.clone(),
            outbox: repos.outbox.clone(),
            jobs: repos.jobs.clone(),
            clock,
            settings,
            runner: format!(
                "{}-{}",
                std::process::id(),
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            timing_buffer: TimingBuffer::default(),
            sealer,
            delivering: tokio::sync::Mutex::new(()),
        }
    }
}

/// Mails the welcome.
pub async fn handle_user_created(
    ctx: &HandlerContext,
    _meta: &Meta,
    event: &UserCreated,
) -> Result<()> {
    ctx.mailer
        .send(Mail {
            to: Email::from_stored(&event.email),
            subject: "Welcome to Nine Panels".to_owned(),
            body: format!(
                "Hello {},\n\nWelcome to Nine Panels. Make up to nine panels for the parts of life \
                 you want to show up for, and tap one each day you do.\n\nThe Nine Panels team\n",
                event.name
            ),
        })
        .await
}

/// Mails the reset link, opened from its seal only here.
pub async fn handle_password_reset_requested(
    ctx: &HandlerContext,
    _meta: &Meta,
    event: &PasswordResetRequested,
) -> Result<()> {
    let reset_link = ctx.sealer.open(&event.reset_link)?;
    ctx.mailer
        .send(Mail {
            to: Email::from_stored(&event.email),
            subject: "Reset your Nine Panels password".to_owned(),
            body: format!(
                "Someone asked to reset the password of your Nine Panels account.\n\n\
                 To choose a new password, open this link before {} UTC:\n\n{}\n\n\
                 If it was not you, ignore this message; your password stays as it is.\n",
                event.expires_at.format("%Y-%m-%d %H:%M"),
                reset_link.expose()
            ),
        })
        .await
}

pub async fn handle_user_logged_in(
    ctx: &HandlerContext,
    meta: &Meta,
    event: &UserLoggedIn,
) -> Result<()> {
    ctx.users.record_login(event.user_id, meta.at).await
}

pub async fn handle_user_active(
    ctx: &HandlerContext,
    meta: &Meta,
    event: &UserActive,
) -> Result<()> {
    ctx.users.record_activity(event.user_id, meta.at).await
}

/// Writes the change to the log as an audit line.
pub async fn handle_audit(
    meta: &Meta,
    event: &'static str,
    details: &(dyn std::fmt::Debug + Sync),
) -> Result<()> {
    tracing::info!(event, event_id = %meta.id, at = %meta.at, ?details, "audit");
    Ok(())
}

/// Buffers the timing, and writes its route's batch once full.
pub async fn handle_route_timed(
    ctx: &HandlerContext,
    meta: &Meta,
    event: RouteTimed,
) -> Result<()> {
    let timing = Timing {
        method: event.method,
        path: event.path,
        method_path: event.method_path,
        request_id: meta.request_id.clone(),
        event_id: Some(meta.id.to_string()),
        started_at: event.started_at,
        stopped_at: meta.at,
        diff_ms: event.diff_ms,
    };
    if let Some(batch) = ctx
        .timing_buffer
        .push(timing, ctx.settings.timing_batch_size as usize)
    {
        crate::timings::persist_batch(ctx, batch).await?;
    }
    Ok(())
}
