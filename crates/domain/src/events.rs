//! Events: verbs in the past tense with typed fields. An [`Event`] travels the in-process
//! channel; a [`MustDeliver`] event (mail and audit) travels only through the outbox, written in
//! the transaction of its change, so no code path can send it where a crash would lose it.

use crate::alert::{Alert, Recipient};
use crate::background::{RouteStats, Timing};
use crate::entry::EntryId;
use crate::panel::PanelId;
use crate::seal::Sealed;
use crate::user::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Declares an enum of event structs: each variant wraps the struct of its name, converts from
/// it, and names itself for logs and the outbox's `kind`.
macro_rules! event_enum {
    ($(#[$meta:meta])* $enum:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum $enum {
            $($variant($variant)),+
        }

        impl $enum {
            /// The variant's name, for logs, the dispatch table and the outbox's `kind`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => stringify!($variant)),+
                }
            }
        }

        $(impl From<$variant> for $enum {
            fn from(event: $variant) -> Self {
                Self::$variant(event)
            }
        })+
    };
}

event_enum!(
    /// What goes to the worker. Telemetry ([`Event::is_telemetry`]) travels a lane of its own and
    /// is dropped when that lane is full; everything else waits for room in its own lane.
    Event {
        UserLoggedIn,
        UserLoggedOut,
        UserActive,
        UserUpdated,
        PanelCreated,
        PanelUpdated,
        PanelDeleted,
        EntryRecorded,
        HistoryCleared,
        RouteTimingsBatched,
        RouteTimingsPersisted,
        ErrorRaised,
    }
);

event_enum!(
    /// What must reach its handlers even across a crash: stored as an outbox row in the
    /// transaction of its change, delivered by the relay, retried, and parked for the operator.
    MustDeliver {
        UserCreated,
        UserDeleted,
        PasswordResetRequested,
        PasswordResetCompleted,
        AlertRaised,
        AlertCleared,
        DataExported,
        DataImported,
    }
);

impl Event {
    /// Best effort: a request never waits for room in the channel to report these.
    pub fn is_telemetry(&self) -> bool {
        // A storm of failing requests needs one alert, not a queue full of its errors.
        matches!(
            self,
            Event::UserActive(_) | Event::RouteTimingsBatched(_) | Event::ErrorRaised(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserCreated {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserLoggedIn {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserLoggedOut {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserActive {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserUpdated {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserDeleted {
    pub user_id: UserId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetRequested {
    pub user_id: UserId,
    pub email: String,
    /// The link with the one-time token, sealed: neither `Debug` nor the stored outbox payload
    /// shows it.
    pub reset_link: Sealed,
    pub expires_at: DateTime<Utc>,
}

/// A person downloaded their data (audit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataExported {
    pub user_id: UserId,
    /// `json` or `loop`.
    pub format: String,
}

/// A person brought data in: audited, and a one-line receipt is mailed to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataImported {
    pub user_id: UserId,
    pub email: String,
    /// `merge` or `replace`.
    pub mode: String,
    pub panels_created: u32,
    pub panels_matched: u32,
    pub days_imported: u32,
    pub days_skipped_existing: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetCompleted {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanelCreated {
    pub user_id: UserId,
    pub panel_id: PanelId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanelUpdated {
    pub user_id: UserId,
    pub panel_id: PanelId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanelDeleted {
    pub user_id: UserId,
    pub panel_id: PanelId,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EntryRecorded {
    pub user_id: UserId,
    pub panel_id: PanelId,
    pub entry_id: EntryId,
    pub is_complete: bool,
    #[serde(default)]
    pub is_skip: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistoryCleared {
    pub user_id: UserId,
    pub panel_id: PanelId,
}

/// One request measured by the timing middleware. It does not travel the channel alone: the
/// bus gathers each route's timings in-process and sends a [`RouteTimingsBatched`] per batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTimed {
    pub method: String,
    pub path: String,
    pub method_path: String,
    pub started_at: DateTime<Utc>,
    pub diff_ms: f64,
}

/// One route's timings filled a batch (`TIMING_BATCH_SIZE`), for the worker to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTimingsBatched {
    pub timings: Vec<Timing>,
}

/// A batch of one route's timings was written and its statistics recomputed; raised by the
/// timing handler and handled in place (it decides the route's alert).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTimingsPersisted {
    pub written: usize,
    /// How many timings the statistics cover.
    pub window: usize,
    pub stats: RouteStats,
    /// Whether the route was in alert before this batch.
    pub was_in_alert: bool,
}

/// An unexpected error in an event handler or a scheduled job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRaised {
    /// `handler handle_user_created`, `job prune_timings`.
    pub source: String,
    /// The technical story, for operators.
    pub reason: String,
}

/// An alert was raised: one notice to one recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRaised {
    pub alert: Alert,
    pub to: Recipient,
}

/// An alert was cleared: one notice to one recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertCleared {
    pub alert: Alert,
    pub to: Recipient,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_payloads_keep_the_shape_of_earlier_builds() {
        let stored = r#"{"UserCreated":{"user_id":3,"email":"a@b.co","name":"A"}}"#;
        let event: MustDeliver = serde_json::from_str(stored).unwrap();
        assert_eq!(
            event,
            MustDeliver::UserCreated(UserCreated {
                user_id: 3,
                email: "a@b.co".into(),
                name: "A".into(),
            })
        );
        assert_eq!(serde_json::to_string(&event).unwrap(), stored);
        assert_eq!(event.name(), "UserCreated");
    }

    #[test]
    fn only_activity_timings_and_raised_errors_are_telemetry() {
        assert!(Event::from(UserActive { user_id: 1 }).is_telemetry());
        let error = ErrorRaised {
            source: "route GET /v5/panels".to_owned(),
            reason: "a column is missing".to_owned(),
        };
        assert!(Event::from(error).is_telemetry());
        assert!(!Event::from(UserLoggedIn { user_id: 1 }).is_telemetry());
    }
}
