//! Raising and clearing alerts. Each move is recorded per cause in the database, so every server
//! process announces it once, at most once per `ALERT_REPEAT_MINUTES`, and its notices (one per
//! admin, one for the webhook) are outbox messages written in the same transaction.

use crate::event::{Meta, MustDeliver};
use crate::handlers::HandlerContext;
use crate::webhook::WebhookBody;
use ninepanels_domain::Result;
use ninepanels_domain::alert::{Alert, AlertState, Recipient};
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::events::{AlertCleared, AlertRaised};
use ninepanels_domain::mail::Mail;
use ninepanels_domain::user::Email;

/// Raises `alert` unless its cause is raised already; answers whether notices went out.
pub async fn raise(ctx: &HandlerContext, alert: Alert) -> Result<bool> {
    let now = ctx.clock.now();
    let quiet_since = now - ctx.settings.alerting.quiet_for();
    let notices = notices(ctx, &alert, AlertState::Raised).await?;
    let announced = ctx
        .alerts
        .raise(&alert.cause, now, quiet_since, notices)
        .await?;
    tracing::warn!(cause = %alert.cause, announced, "alert raised: {}", alert.summary);
    Ok(announced)
}

/// Clears `alert`'s cause if it is raised; answers whether notices went out.
pub async fn clear(ctx: &HandlerContext, alert: Alert) -> Result<bool> {
    let notices = notices(ctx, &alert, AlertState::Cleared).await?;
    let announced = ctx
        .alerts
        .clear(&alert.cause, ctx.clock.now(), notices)
        .await?;
    if announced {
        tracing::info!(cause = %alert.cause, "alert cleared: {}", alert.summary);
    }
    Ok(announced)
}

/// Tells, through the outbox, something that happened rather than a state that lasts (an
/// error; the end of an outage that could not be recorded as it began): its cause is raised and
/// cleared at once, so it is told unless a notice of the cause went out after `quiet_since`,
/// once across server processes. Answers whether it was told.
pub async fn tell_moment(
    ctx: &HandlerContext,
    alert: Alert,
    state: AlertState,
    quiet_since: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let now = ctx.clock.now();
    let notices = notices(ctx, &alert, state).await?;
    let announced = ctx
        .alerts
        .raise(&alert.cause, now, quiet_since, notices)
        .await?;
    ctx.alerts.clear(&alert.cause, now, Vec::new()).await?;
    match state {
        AlertState::Raised => {
            tracing::warn!(cause = %alert.cause, announced, "alert raised: {}", alert.summary)
        }
        AlertState::Cleared => tracing::info!(cause = %alert.cause, announced, "{}", alert.summary),
    }
    Ok(announced)
}

/// One outbox notice for each admin and one for the webhook when there is one.
async fn notices(
    ctx: &HandlerContext,
    alert: &Alert,
    state: AlertState,
) -> Result<Vec<OutboxDraft>> {
    let admins = ctx.users.admin_emails().await?;
    let at = ctx.clock.now();
    Ok(recipients(ctx, &admins)
        .into_iter()
        .map(|to| {
            let alert = alert.clone();
            let event = match state {
                AlertState::Raised => MustDeliver::from(AlertRaised { alert, to }),
                AlertState::Cleared => MustDeliver::from(AlertCleared { alert, to }),
            };
            crate::outbox::draft(&event, Meta::new(at, None))
        })
        .collect())
}

/// Who hears of an alert: each admin, and the webhook when there is one.
fn recipients(ctx: &HandlerContext, admins: &[String]) -> Vec<Recipient> {
    let mut recipients: Vec<Recipient> = admins
        .iter()
        .map(|email| Recipient::Admin {
            email: email.clone(),
        })
        .collect();
    if ctx.webhook.is_some() {
        recipients.push(Recipient::Webhook);
    }
    recipients
}

/// The mail of a notice.
pub fn mail(ctx: &HandlerContext, meta: &Meta, alert: &Alert, state: AlertState, to: &str) -> Mail {
    Mail {
        to: Email::from_stored(to),
        subject: alert.headline(state),
        body: format!(
            "{}\n\nCause: {}\nAt: {} UTC\nNotice: {}\n\nYou get this mail because you are an admin \
             of this Nine Panels server. Alerts of one cause come at most once every {} minutes.\n",
            alert.detail,
            alert.cause,
            meta.at.format("%Y-%m-%d %H:%M:%S"),
            meta.id,
            ctx.settings.alerting.repeat_minutes,
        ),
    }
}

/// Delivers one notice to its recipient.
pub async fn deliver(
    ctx: &HandlerContext,
    meta: &Meta,
    alert: &Alert,
    state: AlertState,
    to: &Recipient,
) -> Result<()> {
    match to {
        Recipient::Admin { email } => ctx.mailer.send(mail(ctx, meta, alert, state, email)).await,
        Recipient::Webhook => match &ctx.webhook {
            Some(webhook) => {
                let body = WebhookBody::new(alert, state, meta.id.to_string(), meta.at);
                webhook.post(&body).await
            }
            None => {
                tracing::warn!(cause = %alert.cause, "ALERT_WEBHOOK_URL is no longer set: the notice for the webhook is dropped");
                Ok(())
            }
        },
    }
}

/// Tells the admins in `admins` and the webhook straight away, without the outbox: for when the
/// database, where the outbox lives, does not answer. Answers whether anyone was told.
pub async fn tell_now(ctx: &HandlerContext, alert: &Alert, admins: &[String]) -> bool {
    let meta = Meta::new(ctx.clock.now(), None);
    let mut told = false;
    for to in &recipients(ctx, admins) {
        match deliver(ctx, &meta, alert, AlertState::Raised, to).await {
            Ok(()) => told = true,
            Err(e) => {
                tracing::warn!(cause = %alert.cause, reason = %e.reason(), "could not pass on an alert")
            }
        }
    }
    told
}
