//! The handler functions, one per thing to do, named after the event they handle.

use crate::dispatcher::HandlerFuture;
use crate::event::{Emitted, Event};
use crate::seal::Sealer;
use crate::timings::TimingBuffer;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Background;
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::ports::{
    JobRepository, OutboxRepository, Repositories, TimingRepository, UserRepository,
};
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
        }
    }
}

pub fn handle_user_created(ctx: Arc<HandlerContext>, emitted: Emitted) -> HandlerFuture {
    Box::pin(async move {
        let Event::UserCreated { email, name, .. } = emitted.event else {
            return Ok(());
        };
        ctx.mailer
            .send(Mail {
                to: Email::from_stored(&email),
                subject: "Welcome to Nine Panels".to_owned(),
                body: format!(
                    "Hello {name},\n\nWelcome to Nine Panels. Make up to nine panels for the parts of life \
                     you want to show up for, and tap one each day you do.\n\nThe Nine Panels team\n"
                ),
            })
            .await
    })
}

pub fn handle_password_reset_requested(
    ctx: Arc<HandlerContext>,
    emitted: Emitted,
) -> HandlerFuture {
    Box::pin(async move {
        let Event::PasswordResetRequested {
            email,
            reset_link,
            expires_at,
            ..
        } = emitted.event
        else {
            return Ok(());
        };
        let reset_link = ctx.sealer.open(&reset_link)?;
        ctx.mailer
            .send(Mail {
                to: Email::from_stored(&email),
                subject: "Reset your Nine Panels password".to_owned(),
                body: format!(
                    "Someone asked to reset the password of your Nine Panels account.\n\n\
                     To choose a new password, open this link before {} UTC:\n\n{}\n\n\
                     If it was not you, ignore this message; your password stays as it is.\n",
                    expires_at.format("%Y-%m-%d %H:%M"),
                    reset_link.expose()
                ),
            })
            .await
    })
}

pub fn handle_user_logged_in(ctx: Arc<HandlerContext>, emitted: Emitted) -> HandlerFuture {
    Box::pin(async move {
        let Event::UserLoggedIn { user_id } = emitted.event else {
            return Ok(());
        };
        ctx.users.record_login(user_id, emitted.at).await
    })
}

pub fn handle_user_active(ctx: Arc<HandlerContext>, emitted: Emitted) -> HandlerFuture {
    Box::pin(async move {
        let Event::UserActive { user_id } = emitted.event else {
            return Ok(());
        };
        ctx.users.record_activity(user_id, emitted.at).await
    })
}

/// Writes the change to the log as an audit line.
pub fn handle_audit(_ctx: Arc<HandlerContext>, emitted: Emitted) -> HandlerFuture {
    Box::pin(async move {
        tracing::info!(event = emitted.event.name(), event_id = %emitted.id, at = %emitted.at, details = ?emitted.event, "audit");
        Ok(())
    })
}

pub fn handle_route_timed(ctx: Arc<HandlerContext>, emitted: Emitted) -> HandlerFuture {
    Box::pin(async move {
        let Event::RouteTimed {
            method,
            path,
            method_path,
            started_at,
            diff_ms,
        } = emitted.event
        else {
            return Ok(());
        };
        let timing = ninepanels_domain::background::Timing {
            method,
            path,
            method_path,
            request_id: emitted.request_id,
            event_id: Some(emitted.id.to_string()),
            started_at,
            stopped_at: emitted.at,
            diff_ms,
        };
        if let Some(batch) = ctx
            .timing_buffer
            .push(timing, ctx.settings.timing_batch_size as usize)
        {
            crate::timings::persist_batch(&ctx, batch).await?;
        }
        Ok(())
    })
}
