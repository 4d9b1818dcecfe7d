//! The alert webhook: each notice posted as JSON to `ALERT_WEBHOOK_URL`, in a body that a Slack
//! incoming webhook shows (`text`) and any other receiver can read (`alert`).

use chrono::{DateTime, Utc};
use ninepanels_domain::alert::{Alert, AlertState};
use ninepanels_domain::config::Secret;
use ninepanels_domain::{Error, Result};
use serde::Serialize;
use std::time::Duration;

/// How long a post may take before it counts as failed (and the outbox tries again).
const TIMEOUT: Duration = Duration::from_secs(10);

/// The body of one post.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    /// One line for people: the headline, then the detail.
    pub text: String,
    pub alert: WebhookAlert<'a>,
}

/// The alert, field by field, for receivers that are programs.
#[derive(Debug, Serialize)]
pub struct WebhookAlert<'a> {
    /// The notice's event id: the same on a retry, so a receiver can drop a repeat.
    pub id: String,
    pub state: AlertState,
    pub cause: &'a str,
    pub summary: &'a str,
    pub detail: &'a str,
    pub at: DateTime<Utc>,
}

impl<'a> WebhookBody<'a> {
    pub fn new(alert: &'a Alert, state: AlertState, id: String, at: DateTime<Utc>) -> Self {
        Self {
            text: format!("{}\n{}", alert.headline(state), alert.detail),
            alert: WebhookAlert {
                id,
                state,
                cause: &alert.cause,
                summary: &alert.summary,
                detail: &alert.detail,
                at,
            },
        }
    }
}

type Client = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Full<hyper::body::Bytes>,
>;

/// Posts to one address over HTTP or HTTPS (rustls with the Mozilla roots).
#[derive(Clone)]
pub struct Webhook {
    client: Client,
    url: Secret,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook").field("url", &self.url).finish()
    }
}

impl Webhook {
    pub fn new(url: Secret) -> Result<Self> {
        url.expose()
            .parse::<hyper::Uri>()
            .map_err(|e| Error::internal(format!("ALERT_WEBHOOK_URL is not an address: {e}")))?;
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| Error::internal(format!("webhook TLS: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        Ok(Self { client, url })
    }

    /// Posts `body`; any answer but a 2xx, or none within ten seconds, is a failure. (The
    /// address is never named in an error: it carries the webhook's token.)
    pub async fn post(&self, body: &WebhookBody<'_>) -> Result<()> {
        let json = serde_json::to_vec(body).unwrap_or_default();
        let request = hyper::Request::post(self.url.expose())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::USER_AGENT,
                concat!("ninepanels/", env!("CARGO_PKG_VERSION")),
            )
            .body(http_body_util::Full::new(hyper::body::Bytes::from(json)))
            .map_err(|e| Error::internal(format!("webhook request: {e}")))?;
        let answer = tokio::time::timeout(TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| Error::unavailable("the alert webhook did not answer within 10 s"))?
            .map_err(|e| Error::unavailable(format!("the alert webhook cannot be reached: {e}")))?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(Error::unavailable(format!(
                "the alert webhook answered {status}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_a_line_for_people_and_fields_for_programs() {
        let alert = Alert {
            cause: "outbox".into(),
            summary: "2 outbox messages are parked".into(),
            detail: "They failed.".into(),
        };
        let at = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .unwrap()
            .to_utc();
        let body = WebhookBody::new(&alert, AlertState::Raised, "e-1".into(), at);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "text": "Nine Panels alert: 2 outbox messages are parked\nThey failed.",
                "alert": {"id": "e-1", "state": "raised", "cause": "outbox",
                          "summary": "2 outbox messages are parked", "detail": "They failed.",
                          "at": "2026-12-03T10:00:00Z"}
            })
        );
    }
}
