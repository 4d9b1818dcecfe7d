//! Nine Panels storage: sea-orm entities and the repository implementations, on SQLite and PostgreSQL.
#![forbid(unsafe_code)]

pub mod admin;
pub mod alerts;
pub mod attempts;
pub mod connect;
pub mod entities;
pub mod entries;
pub mod error;
pub mod health;
mod imports;
pub mod jobs;
pub mod outbox;
pub mod panels;
pub mod restore;
mod rows;
mod sql;
pub mod tables;
pub mod tallies;
mod taps;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod timings;
pub mod tokens;
pub mod transfer;
mod txn;
pub mod users;

pub use alerts::SqlAlerts;
pub use attempts::SqlAttempts;
pub use connect::{
    MigrationStatus, applied_migrations, connect, connect_with, known_migrations, migrate,
    migration_status, pending_migrations,
};
pub use entries::SqlEntries;
pub use health::{SqlHealth, repositories};
pub use jobs::SqlJobs;
pub use outbox::SqlOutbox;
pub use panels::SqlPanels;
pub use sea_orm::DatabaseConnection;
pub use sql::{Checkpointer, Hot, Inline, KEEP_FOR, Kept};
pub use tallies::SqlTallies;
pub use taps::TapQueue;
pub use timings::SqlTimings;
pub use tokens::SqlTokens;
pub use users::SqlUsers;
