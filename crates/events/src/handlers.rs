//! The handler functions, one per thing to do, named after the event they handle.

use crate::event::Meta;
use crate::timings::TimingBuffer;
use crate::webhook::Webhook;
use ninepanels_domain::Result;
use ninepanels_domain::alert::{Alert, AlertState};
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::Background;
use ninepanels_domain::events::{
    AlertCleared, AlertRaised, DataImported, ErrorRaised, PasswordResetRequested,
    RouteTimingsBatched, RouteTimingsPersisted, UserActive, UserCreated, UserLoggedIn,
};
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::ports::{
    AlertRepository, Health, JobRepository, OutboxRepository, Repositories, TimingRepository,
    UserRepository,
};
use ninepanels_domain::seal::Sealer;
use ninepanels_domain::user::Email;
use serde::Serialize;
use std::sync::Arc;

/// What handlers and jobs may use.
#[derive(Debug)]
pub struct HandlerContext {
    pub users: Arc<dyn UserRepository>,
    pub mailer: Arc<dyn Mailer>,
    pub timings: Arc<dyn TimingRepository>,
    pub alerts: Arc<dyn AlertRepository>,
    pub outbox: Arc<dyn OutboxRepository>,
    pub jobs: Arc<dyn JobRepository>,
    pub health: Arc<dyn Health>,
    /// Where alerts are posted besides the admins' mail (`ALERT_WEBHOOK_URL`).
    pub webhook: Option<Webhook>,
    pub clock: Arc<dyn Clock>,
    pub settings: Background,
    /// Who this process is, in outbox and job claims.
    pub runner: String,
    /// Requests' timings, shared with the bus that gathers them.
    pub timing_buffer: Arc<TimingBuffer>,
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
    ) -> Result<Self> {
        let webhook = settings.alerting.webhook_url.clone().map(Webhook::new);
        let timing_buffer = Arc::new(TimingBuffer::for_settings(&settings));
        Ok(Self {
            users: repos.users.clone(),
            mailer,
            timings: repos.timings.clone(),
            alerts: repos.alerts.clone(),
            outbox: repos.outbox.clone(),
            jobs: repos.jobs.clone(),
            health: repos.health.clone(),
            webhook: webhook.transpose()?,
            clock,
            settings,
            runner: format!(
                "{}-{}",
                std::process::id(),
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            timing_buffer,
            sealer,
            delivering: tokio::sync::Mutex::new(()),
        })
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

/// Mails the one-line receipt of an import.
pub async fn handle_data_imported(
    ctx: &HandlerContext,
    _meta: &Meta,
    event: &DataImported,
) -> Result<()> {
    ctx.mailer
        .send(Mail {
            to: Email::from_stored(&event.email),
            subject: "Your import into Nine Panels".to_owned(),
            body: format!(
                "Imported {} days into {} panels ({} new, {} matched by title); {} days you \
                 already had were left as they were.\n",
                event.days_imported,
                event.panels_created + event.panels_matched,
                event.panels_created,
                event.panels_matched,
                event.days_skipped_existing
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

/// What an audit line records of an event: its ids and outcome, and an email only masked.
/// Names, links and anything else the event carries stay out of the log.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AuditFields {
    pub user_id: Option<i64>,
    pub panel_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub is_complete: Option<bool>,
    pub email: Option<String>,
}

impl AuditFields {
    pub fn of(event: &impl Serialize) -> Self {
        let value = serde_json::to_value(event).unwrap_or_default();
        let number = |key: &str| value.get(key).and_then(serde_json::Value::as_i64);
        Self {
            user_id: number("user_id"),
            panel_id: number("panel_id"),
            entry_id: number("entry_id"),
            is_complete: value
                .get("is_complete")
                .and_then(serde_json::Value::as_bool),
            email: value
                .get("email")
                .and_then(serde_json::Value::as_str)
                .map(|e| Email::from_stored(e).masked()),
        }
    }
}

/// Writes the change to the log as an audit line, one field per fact.
pub async fn handle_audit(meta: &Meta, event: &'static str, details: AuditFields) -> Result<()> {
    tracing::info!(
        event,
        event_id = %meta.id,
        at = %meta.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        user_id = details.user_id,
        panel_id = details.panel_id,
        entry_id = details.entry_id,
        is_complete = details.is_complete,
        email = details.email,
        "audit"
    );
    Ok(())
}

/// Mails the admin, or posts to the webhook, that an alert was raised.
pub async fn handle_alert_raised(ctx: &HandlerContext, meta: &Meta, e: &AlertRaised) -> Result<()> {
    crate::alerts::deliver(ctx, meta, &e.alert, AlertState::Raised, &e.to).await
}

/// Mails the admin, or posts to the webhook, that an alert was cleared.
pub async fn handle_alert_cleared(
    ctx: &HandlerContext,
    meta: &Meta,
    e: &AlertCleared,
) -> Result<()> {
    crate::alerts::deliver(ctx, meta, &e.alert, AlertState::Cleared, &e.to).await
}

/// Raises the route's alert when its average passed its threshold, clears it when it fell back.
pub async fn handle_route_timings_persisted(
    ctx: &HandlerContext,
    _meta: &Meta,
    e: &RouteTimingsPersisted,
) -> Result<()> {
    let alert = Alert::route(&e.stats, e.window);
    match (e.was_in_alert, e.stats.in_alert) {
        (false, true) => crate::alerts::raise(ctx, alert).await.map(drop),
        (true, false) => crate::alerts::clear(ctx, alert).await.map(drop),
        _ => Ok(()),
    }
}

/// Counts the error, and tells the admins (once per source per quiet time). Errors of the
/// alert notices themselves are only counted: telling of them would go the same failing way.
pub async fn handle_error_raised(
    ctx: &HandlerContext,
    _meta: &Meta,
    e: &ErrorRaised,
) -> Result<()> {
    metrics::counter!("errors_raised_total", "source" => e.source.clone()).increment(1);
    if e.source.contains("handle_alert_") {
        return Ok(());
    }
    let alert = Alert {
        cause: format!("error:{}", e.source),
        summary: format!("{} failed", e.source),
        detail: e.reason.clone(),
    };
    let quiet_since = ctx.clock.now() - ctx.settings.alerting.quiet_for();
    crate::alerts::tell_moment(ctx, alert, AlertState::Raised, quiet_since)
        .await
        .map(drop)
}

/// Writes a route's full batch of timings and moves its alert; then the batch's place in the
/// buffer is free, whatever became of it.
pub async fn handle_route_timings_batched(
    ctx: &HandlerContext,
    _meta: &Meta,
    event: RouteTimingsBatched,
) -> Result<()> {
    let written = crate::timings::persist_batch(ctx, event.timings).await;
    ctx.timing_buffer.written();
    written
}
