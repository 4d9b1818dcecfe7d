//! An event as it travels: the typed event with its own id, the time it happened and the
//! request behind it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use ninepanels_domain::events::{Event, MustDeliver};

/// Where an event came from, as its handlers and the audit log see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub request_id: Option<String>,
}

impl Meta {
    /// A new event's: a fresh id, the time it happened and the request behind it, if any.
    pub fn new(at: DateTime<Utc>, request_id: Option<String>) -> Self {
        Self {
            id: Uuid::new_v4(),
            at,
            request_id,
        }
    }
}

/// An event with its [`Meta`].
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted<E> {
    pub meta: Meta,
    pub event: E,
}
