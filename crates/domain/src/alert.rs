//! Alerts a person must hear of: each has a cause (one alert at a time per cause), a one-line
//! summary and a detail written for an operator, and reaches every admin and the webhook.

use crate::background::{OutboxDepth, RouteStats};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What went wrong, as the notices tell it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// One alert at a time per cause: `route:GET_/v5/panels`, `database`, `outbox`.
    pub cause: String,
    pub summary: String,
    pub detail: String,
}

/// Where one notice of an alert goes; each is its own outbox message, so a webhook that fails
/// is retried without mailing the admins again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipient {
    Admin { email: String },
    Webhook,
}

/// Which way an alert moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Raised,
    Cleared,
}

impl Alert {
    /// A route's average over its window passed its threshold (raised) or fell back under it.
    pub fn route(stats: &RouteStats, window: usize) -> Self {
        let route = format!("{} {}", stats.method, stats.path);
        let (summary, relation) = if stats.in_alert {
            (format!("{route} is slow"), "above")
        } else {
            (format!("{route} is fast again"), "back under")
        };
        Self {
            cause: format!("route:{}", stats.method_path),
            summary,
            detail: format!(
                "The average of its last {window} requests is {:.1} ms, {relation} its threshold \
                 of {} ms (slowest {:.1} ms, latest {:.1} ms).",
                stats.avg, stats.alert_threshold_ms, stats.max, stats.last
            ),
        }
    }

    /// Messages parked in the outbox after their last attempt (raised), or none left (cleared).
    pub fn outbox(depth: OutboxDepth) -> Self {
        let (summary, detail) = if depth.parked > 0 {
            (
                format!("{} outbox messages are parked", depth.parked),
                "They failed every attempt (OUTBOX_MAX_ATTEMPTS) and will not be sent again by \
                 themselves: `ninepanels-ops outbox list` shows each one's last error, and \
                 `ninepanels-ops outbox retry` sends them again once the cause is mended."
                    .to_owned(),
            )
        } else {
            (
                "No outbox message is parked any more".to_owned(),
                "Every parked message was sent again or dropped.".to_owned(),
            )
        };
        Self {
            cause: "outbox".to_owned(),
            summary,
            detail,
        }
    }

    /// The database did not answer this server since `since`, and still does not at `now`.
    pub fn database_down(since: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        Self {
            cause: "database".to_owned(),
            summary: "The database is unreachable".to_owned(),
            detail: format!(
                "This server has had no answer from its database since {} UTC ({} s); it answers \
                 503 to every request that needs it until the database is back.",
                since.format("%Y-%m-%d %H:%M:%S"),
                (now - since).num_seconds()
            ),
        }
    }

    /// The database answers again after not answering from `since` to `until`.
    pub fn database_back(since: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        Self {
            cause: "database".to_owned(),
            summary: "The database is reachable again".to_owned(),
            detail: format!(
                "This server had no answer from its database from {} to {} UTC ({} s).",
                since.format("%Y-%m-%d %H:%M:%S"),
                until.format("%H:%M:%S"),
                (until - since).num_seconds()
            ),
        }
    }

    /// The notice's subject line, in mail and in the webhook's `text`.
    pub fn headline(&self, state: AlertState) -> String {
        match state {
            AlertState::Raised => format!("Nine Panels alert: {}", self.summary),
            AlertState::Cleared => format!("Nine Panels alert cleared: {}", self.summary),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn stats(in_alert: bool) -> RouteStats {
        RouteStats {
            method_path: "GET_/v5/panels".into(),
            method: "GET".into(),
            path: "/v5/panels".into(),
            avg: 812.25,
            min: 10.0,
            max: 2000.0,
            last: 30.0,
            alert_threshold_ms: 500,
            in_alert,
            alert_id: None,
        }
    }

    #[test]
    fn a_route_alert_names_the_route_its_average_and_its_threshold() {
        let raised = Alert::route(&stats(true), 100);
        assert_eq!(raised.cause, "route:GET_/v5/panels");
        assert_eq!(
            raised.headline(AlertState::Raised),
            "Nine Panels alert: GET /v5/panels is slow"
        );
        assert!(
            raised
                .detail
                .contains("last 100 requests is 812.2 ms, above its threshold of 500 ms"),
            "{}",
            raised.detail
        );
        let cleared = Alert::route(&stats(false), 100);
        assert_eq!(cleared.cause, raised.cause, "one cause while it lasts");
        assert!(cleared.detail.contains("back under"));
    }

    #[test]
    fn a_database_outage_tells_how_long() {
        let since = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
        let until = since + chrono::Duration::seconds(95);
        let back = Alert::database_back(since, until);
        assert_eq!(
            back.detail,
            "This server had no answer from its database from 2026-12-03 10:00:00 to 10:01:35 UTC (95 s)."
        );
        assert_eq!(Alert::database_down(since, until).cause, back.cause);
    }
}
