//! The health port on SQL, and every port on one database: the one place they are built.

use crate::connect::pending_migrations;
use crate::error::DbResultExt;
use crate::sql::{Hot, fetch, statements};
use crate::{
    SqlAlerts, SqlAttempts, SqlEntries, SqlJobs, SqlOutbox, SqlPanels, SqlTallies, SqlTimings,
    SqlTokens, SqlUsers,
};
use async_trait::async_trait;
use ninepanels_domain::background::{OutboxDepth, PoolStats};
use ninepanels_domain::ports::{Health, Repositories};
use ninepanels_domain::{Error, Result};
use sea_orm::sqlx;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;

/// Readiness of one database.
#[derive(Debug, Clone)]
pub struct SqlHealth {
    db: DatabaseConnection,
    hot: Hot,
}

impl SqlHealth {
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_hot(Hot::for_pool(&db), db)
    }

    /// On `db`, sharing the connections `hot` keeps with other repositories.
    pub fn with_hot(hot: Hot, db: DatabaseConnection) -> Self {
        Self { db, hot }
    }
}

#[async_trait]
impl Health for SqlHealth {
    async fn pending_migrations(&self) -> Result<usize> {
        self.db.ping().await.map_err(|e| {
            Error::unavailable(format!("readiness ping: {e}")).with_data("check", "database")
        })?;
        pending_migrations(&self.db).await
    }

    fn pool(&self) -> PoolStats {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => stats(self.db.get_postgres_connection_pool()),
            _ => stats(self.db.get_sqlite_connection_pool()),
        }
    }

    async fn outbox_depth(&self) -> Result<OutboxDepth> {
        let (waiting, parked): (i64, i64) =
            fetch!(fetch_one, &self.hot, statements::OUTBOX_DEPTH).or_db("counting the outbox")?;
        let count = |n: i64| u64::try_from(n).unwrap_or_default();
        Ok(OutboxDepth {
            waiting: count(waiting),
            parked: count(parked),
        })
    }
}

/// A pool's connections now, whichever the engine.
fn stats<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolStats {
    PoolStats {
        size: pool.size(),
        idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        max: pool.options().get_max_connections(),
    }
}

/// Every repository, and the health check, on `db`.
pub fn repositories(db: &DatabaseConnection) -> Repositories {
    let hot = Hot::for_pool(db);
    Repositories {
        users: Arc::new(SqlUsers::new(db.clone())),
        panels: Arc::new(SqlPanels::with_hot(hot.clone(), db.clone())),
        entries: Arc::new(SqlEntries::with_hot(hot.clone(), db.clone())),
        tallies: Arc::new(SqlTallies::with_hot(hot.clone(), db.clone())),
        tokens: Arc::new(SqlTokens::new(db.clone())),
        attempts: Arc::new(SqlAttempts::new(db.clone())),
        timings: Arc::new(SqlTimings::new(db.clone())),
        alerts: Arc::new(SqlAlerts::new(db.clone())),
        outbox: Arc::new(SqlOutbox::new(db.clone())),
        jobs: Arc::new(SqlJobs::new(db.clone())),
        health: Arc::new(SqlHealth::with_hot(hot.clone(), db.clone())),
    }
}
