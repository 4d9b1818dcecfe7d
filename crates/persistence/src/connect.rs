//! Opening the pool (with SQLite pragmas and fail-fast timeouts) and running migrations.

use crate::error::DbResultExt;
use ninepanels_domain::config::{Config, Engine};
use ninepanels_domain::{Error, Result};
use ninepanels_migrations::Migrator;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Connects to the configured database; fails within the configured timeout when it is unreachable.
pub async fn connect(config: &Config) -> Result<DatabaseConnection> {
    let timeout = Duration::from_secs(config.database_timeout_secs);
    let mut options = ConnectOptions::new(config.database_url.expose().to_owned());
    options
        .max_connections(config.database_max_connections)
        .min_connections(0)
        .connect_timeout(timeout)
        .acquire_timeout(timeout)
        .idle_timeout(Duration::from_secs(300))
        // sqlx already pings each connection as it goes back to the pool; pinging it again on
        // the way out cost every request a second round trip. One broken since its release
        // fails one request with 503 and is then dropped.
        .test_before_acquire(false)
        .sqlx_logging(false);
    if config.database_url.engine() == Engine::Sqlite {
        options.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
        });
    }
    Database::connect(options).await.map_err(|e| {
        Error::unavailable(format!(
            "cannot connect to {}: {e}",
            config.database_url.redacted()
        ))
    })
}

/// Applies every pending migration; applied ones are skipped, so running twice is a no-op.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    Migrator::up(db, None).await.or_db("running migrations")
}

/// How many migrations this binary knows.
pub fn known_migrations() -> usize {
    Migrator::migrations().len()
}

/// How many migrations this binary knows that the database has not applied yet.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize> {
    Ok(Migrator::get_pending_migrations(db)
        .await
        .or_db("reading migration status")?
        .len())
}
