//! Records of background work: outbox messages, job runs, route timings and their statistics.

use chrono::{DateTime, Utc};

/// A must-deliver event about to be written in the same transaction as its change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxDraft {
    pub event_id: String,
    pub kind: String,
    /// The event, serialised by the events crate.
    pub payload: String,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The database connection pool as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Connections open, busy or idle.
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Outbox messages not delivered yet: still being tried, and parked after too many failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxDepth {
    pub waiting: u64,
    pub parked: u64,
}

/// A stored outbox message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub event_id: String,
    pub kind: String,
    /// Cleared once delivered.
    pub payload: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub available_at: DateTime<Utc>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub parked_at: Option<DateTime<Utc>>,
}

/// One run of a scheduled job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub runner: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok` or `failed`.
    pub outcome: String,
    pub rows_affected: Option<i64>,
    pub detail: Option<String>,
}

/// One measured request.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timing {
    pub method: String,
    pub path: String,
    pub method_path: String,
    pub request_id: Option<String>,
    pub event_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub stopped_at: DateTime<Utc>,
    pub diff_ms: f64,
}

/// A route's statistics over its last timings, and its alert state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouteStats {
    pub method_path: String,
    pub method: String,
    pub path: String,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    pub last: f64,
    pub alert_threshold_ms: i32,
    pub in_alert: bool,
    pub alert_id: Option<String>,
}
