//! The attempt repository: per-key windows of sign-in failures and reset requests, kept in
//! `sign_in_attempts` so that every server process counts the same attempts.

use crate::error::DbResultExt;
use crate::sql::statements;
use crate::time::{from_db, to_db};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::attempts::AttemptCount;
use ninepanels_domain::ports::AttemptRepository;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const TABLE: &str = "sign_in_attempts";

#[derive(Debug, Clone)]
pub struct SqlAttempts {
    db: DatabaseConnection,
}

impl SqlAttempts {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AttemptRepository for SqlAttempts {
    async fn counts(&self, keys: &[&str], since: DateTime<Utc>) -> Result<Vec<AttemptCount>> {
        let query = Query::select()
            .columns(["attempt_key", "window_start", "attempts"])
            .from(TABLE)
            .and_where(Expr::col("attempt_key").is_in(keys.iter().copied()))
            .and_where(Expr::col("window_start").gte(to_db(since)))
            .to_owned();
        let rows = self
            .db
            .query_all(&query)
            .await
            .or_db("reading sign-in attempts")?;
        rows.into_iter()
            .map(|row| {
                let key: String = row.try_get_by_index(0)?;
                let window_start: NaiveDateTime = row.try_get_by_index(1)?;
                let attempts: i32 = row.try_get_by_index(2)?;
                Ok(AttemptCount {
                    key,
                    window_start: from_db(window_start),
                    attempts: u32::try_from(attempts).unwrap_or_default(),
                })
            })
            .collect::<std::result::Result<_, sea_orm::DbErr>>()
            .or_db("reading sign-in attempts")
    }

    async fn add(&self, keys: &[&str], now: DateTime<Utc>, since: DateTime<Utc>) -> Result<()> {
        let backend = self.db.get_database_backend();
        for key in keys {
            let values = vec![(*key).into(), to_db(now).into(), to_db(since).into()];
            self.db
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    statements::ADD_ATTEMPT.sql(backend),
                    values,
                ))
                .await
                .or_db("counting a sign-in attempt")?;
        }
        Ok(())
    }

    async fn clear(&self, key: &str) -> Result<()> {
        delete(&self.db, Expr::col("attempt_key").eq(key)).await?;
        Ok(())
    }
}

/// Deletes the windows that match `which`; answers how many.
async fn delete(db: &DatabaseConnection, which: SimpleExpr) -> Result<u64> {
    let delete = Query::delete()
        .from_table(TABLE)
        .and_where(which)
        .to_owned();
    let done = db
        .execute(&delete)
        .await
        .or_db("deleting sign-in attempts")?;
    Ok(done.rows_affected())
}

/// Deletes the windows that began before `before` (the `prune_attempts` job).
pub(crate) async fn prune(db: &DatabaseConnection, before: DateTime<Utc>) -> Result<u64> {
    delete(db, Expr::col("window_start").lt(to_db(before))).await
}
