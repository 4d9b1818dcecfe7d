//! Opening the pool (with SQLite pragmas and fail-fast timeouts) and running migrations.

use crate::error::DbResultExt;
use crate::sql::{LOG_BYTES_KEPT, LOG_PAGES_BEFORE_A_COMMIT_CHECKPOINTS};
use chrono::{DateTime, Utc};
use ninepanels_domain::config::{DatabaseConfig, Engine};
use ninepanels_domain::{Error, Result};
use ninepanels_migrations::Migrator;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Connects to the configured database; fails within the configured timeout when it is unreachable.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection> {
    connect_with(config, |o| o).await
}

/// [`connect`], with a last change to the options of every SQLite connection the pool opens
/// (the disk-full tests cap the file's size with `PRAGMA max_page_count` this way).
pub async fn connect_with(
    config: &DatabaseConfig,
    sqlite: impl Fn(SqliteConnectOptions) -> SqliteConnectOptions + Send + Sync + 'static,
) -> Result<DatabaseConnection> {
    let timeout = Duration::from_secs(config.timeout_secs);
    let mut options = ConnectOptions::new(config.url.expose().to_owned());
    options
        .max_connections(config.max_connections)
        .min_connections(0)
        .connect_timeout(timeout)
        .acquire_timeout(timeout)
        .idle_timeout(Duration::from_secs(300))
        // sqlx already pings each connection as it goes back to the pool; pinging it again on
        // the way out cost every request a second round trip. One broken since its release
        // fails one request with 503 and is then dropped.
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_postgres_pool_opts(|o| o.after_release(|conn, _| Box::pin(settled(conn))))
        .map_sqlx_sqlite_pool_opts(|o| o.after_release(|conn, _| Box::pin(settled(conn))));
    // PostgreSQL sends no notices ("relation already exists, skipping", ...): sqlx asks
    // tracing's `enabled!` for each, and a per-layer log filter that answers no swallows the
    // next event (tokio-rs/tracing#2519), which was the start-up line naming the database.
    // (Filtering the chatty crates subscriber-wide fixes it too, but cost 28k instructions a
    // request, measured with scripts/instructions.sh.)
    options.map_sqlx_postgres_opts(|o| o.options([("client_min_messages", "warning")]));
    if config.url.engine() == Engine::Sqlite {
        options.map_sqlx_sqlite_opts(move |o| {
            sqlite(
                o.create_if_missing(true)
                    .foreign_keys(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    // The log is checkpointed by a thread of its own (sql/checkpoint.rs).
                    .pragma(
                        "wal_autocheckpoint",
                        LOG_PAGES_BEFORE_A_COMMIT_CHECKPOINTS.to_string(),
                    )
                    .pragma("journal_size_limit", LOG_BYTES_KEPT.to_string()),
            )
        });
    }
    Database::connect(options).await.map_err(|e| {
        Error::unavailable(format!("cannot connect to {}: {e}", config.url.redacted()))
    })
}

/// Whether a connection coming back to the pool may be reused: only outside any transaction.
/// A commit that failed (SQLITE_FULL, say) leaves sqlx counting a transaction that SQLite has
/// already rolled back, so the rollback fails too; reused, such a connection would run later
/// transactions as savepoints that never commit. It is closed instead and the pool opens another.
async fn settled<C: Connection>(conn: &mut C) -> std::result::Result<bool, sqlx::Error> {
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // The rollback of a transaction dropped on an error path may still be queued: let it run.
    conn.ping().await?;
    let settled = !conn.is_in_transaction();
    if !settled {
        tracing::warn!("closing a database connection whose transaction state is unknown");
    }
    Ok(settled)
}

/// Any number chosen once: the PostgreSQL advisory lock migrations take.
const MIGRATION_LOCK: i64 = 0x6e69_6e65_7061_6e6c;

/// Applies every pending migration; applied ones are skipped, so running twice is a no-op.
/// Processes starting together take turns and a failed migration leaves nothing half-applied:
/// the migrations run in one transaction that first takes the database's migration lock (an
/// advisory lock on PostgreSQL; on SQLite, the file's write lock, taken by a header write).
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    let lock = match db.get_database_backend() {
        DatabaseBackend::Postgres => format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"),
        _ => "PRAGMA user_version = 0".to_owned(),
    };
    let txn = db.begin().await.or_db("starting the migrations")?;
    txn.execute_unprepared(&lock)
        .await
        .or_db("taking the migration lock")?;
    Migrator::up(&txn, None).await.or_db("running migrations")?;
    txn.commit().await.or_db("committing the migrations")
}

/// Reads, and writes nothing (not even sea-orm's migration table): how many migrations the
/// database has applied, and whether it holds anything (an applied migration, or the users of
/// an old server's database).
pub async fn applied_migrations(db: &DatabaseConnection) -> (usize, bool) {
    let backend = db.get_database_backend();
    let scalar = async |sql: &str| {
        db.query_one_raw(sea_orm::Statement::from_string(backend, sql))
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get_by_index::<i64>(0).ok())
    };
    let applied = scalar("SELECT COUNT(*) FROM seaql_migrations")
        .await
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let users = scalar("SELECT COUNT(*) FROM users").await.unwrap_or(0);
    (applied, applied > 0 || users > 0)
}

/// Where the database stands against the migrations this binary knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Each known migration, oldest first, with when it was applied (`None`: pending).
    pub known: Vec<(String, Option<DateTime<Utc>>)>,
    /// Migrations the database applied that this binary does not know (a newer server's).
    pub unknown: Vec<String>,
}

impl MigrationStatus {
    /// How many known migrations are not applied.
    pub fn pending(&self) -> usize {
        self.known.iter().filter(|(_, at)| at.is_none()).count()
    }
}

/// Reads, and writes nothing (a database without the migration table has applied none):
/// every migration with its state. Unavailable when the database does not answer.
pub async fn migration_status(db: &DatabaseConnection) -> Result<MigrationStatus> {
    db.ping().await.or_db("reaching the database")?;
    let applied: Vec<(String, i64)> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT version, applied_at FROM seaql_migrations",
        ))
        .await
        .map(|rows| {
            rows.iter()
                .filter_map(|r| Some((r.try_get_by_index(0).ok()?, r.try_get_by_index(1).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let known: Vec<(String, Option<DateTime<Utc>>)> = Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_owned();
            let at = applied
                .iter()
                .find(|(version, _)| *version == name)
                .and_then(|(_, at)| DateTime::from_timestamp(*at, 0));
            (name, at)
        })
        .collect();
    let unknown = applied
        .into_iter()
        .map(|(version, _)| version)
        .filter(|version| !known.iter().any(|(name, _)| name == version))
        .collect();
    Ok(MigrationStatus { known, unknown })
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

#[cfg(test)]
mod tests {
    use sea_orm::sqlx::{self, Connection};

    /// `.cargo/config.toml` builds SQLite without allocation statistics (a global mutex per
    /// allocation otherwise).
    #[tokio::test]
    async fn sqlite_is_built_without_allocation_statistics() {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let options: Vec<(String,)> = sqlx::query_as("PRAGMA compile_options")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert!(
            options.iter().any(|(o,)| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }
}
