//! Every event is a verb in the past tense, carrying typed fields; `Emitted` adds an id, the
//! UTC time and the request that caused it.

use chrono::{DateTime, Utc};
use ninepanels_domain::entry::EntryId;
use ninepanels_domain::panel::PanelId;
use ninepanels_domain::user::UserId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    UserCreated {
        user_id: UserId,
        email: String,
        name: String,
    },
    UserLoggedIn {
        user_id: UserId,
    },
    UserLoggedOut {
        user_id: UserId,
    },
    UserActive {
        user_id: UserId,
    },
    UserUpdated {
        user_id: UserId,
    },
    UserDeleted {
        user_id: UserId,
    },
    PasswordResetRequested {
        user_id: UserId,
        email: String,
        /// The link with the one-time token, sealed: neither `Debug` nor the stored outbox
        /// payload shows it.
        reset_link: crate::seal::Sealed,
        expires_at: DateTime<Utc>,
    },
    PasswordResetCompleted {
        user_id: UserId,
    },
    PanelCreated {
        user_id: UserId,
        panel_id: PanelId,
    },
    PanelUpdated {
        user_id: UserId,
        panel_id: PanelId,
    },
    PanelDeleted {
        user_id: UserId,
        panel_id: PanelId,
    },
    EntryRecorded {
        user_id: UserId,
        panel_id: PanelId,
        entry_id: EntryId,
        is_complete: bool,
    },
    HistoryCleared {
        user_id: UserId,
        panel_id: PanelId,
    },
    /// One request measured by the timing middleware.
    RouteTimed {
        method: String,
        path: String,
        method_path: String,
        started_at: DateTime<Utc>,
        diff_ms: f64,
    },
}

impl Event {
    /// The variant's name, for logs and the dispatch table.
    pub fn name(&self) -> &'static str {
        match self {
            Event::UserCreated { .. } => "UserCreated",
            Event::UserLoggedIn { .. } => "UserLoggedIn",
            Event::UserLoggedOut { .. } => "UserLoggedOut",
            Event::UserActive { .. } => "UserActive",
            Event::UserUpdated { .. } => "UserUpdated",
            Event::UserDeleted { .. } => "UserDeleted",
            Event::PasswordResetRequested { .. } => "PasswordResetRequested",
            Event::PasswordResetCompleted { .. } => "PasswordResetCompleted",
            Event::PanelCreated { .. } => "PanelCreated",
            Event::PanelUpdated { .. } => "PanelUpdated",
            Event::PanelDeleted { .. } => "PanelDeleted",
            Event::EntryRecorded { .. } => "EntryRecorded",
            Event::HistoryCleared { .. } => "HistoryCleared",
            Event::RouteTimed { .. } => "RouteTimed",
        }
    }

    /// Telemetry is best effort: dropped (and counted) when the channel is full, so a request
    /// never waits for it. Everything else waits for room.
    pub fn is_telemetry(&self) -> bool {
        matches!(self, Event::UserActive { .. } | Event::RouteTimed { .. })
    }

    /// Must-deliver events (mail and audit) travel through the outbox, written in the same
    /// transaction as their change, never through the channel alone.
    pub fn is_must_deliver(&self) -> bool {
        matches!(
            self,
            Event::UserCreated { .. }
                | Event::PasswordResetRequested { .. }
                | Event::PasswordResetCompleted { .. }
                | Event::UserDeleted { .. }
        )
    }
}

/// An event as it travels: with its own id, the time it happened and the request behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub request_id: Option<String>,
    pub event: Event,
}
