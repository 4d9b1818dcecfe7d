//! The timing repository: batches of request timings, each route's statistics and alerts.

use crate::entities::{timing_stats as stats, timings};
use crate::error::DbResultExt;
use crate::sql::{POSTGRES_STATEMENT_BYTES, pieces};
use crate::time::{from_db_or_epoch, to_db, to_sqlite_text};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::background::{RouteStats, Timing};
use ninepanels_domain::ports::TimingRepository;
use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::sync::LazyLock;

#[derive(Debug, Clone)]
pub struct SqlTimings {
    db: DatabaseConnection,
}

impl SqlTimings {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_stats(m: stats::Model) -> RouteStats {
    RouteStats {
        method_path: m.method_path.unwrap_or_default(),
        method: m.method.unwrap_or_default(),
        path: m.path.unwrap_or_default(),
        avg: m.avg.unwrap_or_default(),
        min: m.min.unwrap_or_default(),
        max: m.max.unwrap_or_default(),
        last: m.last.unwrap_or_default(),
        alert_threshold_ms: m.alert_threshold_ms.unwrap_or_default(),
        in_alert: m.in_alert.unwrap_or(false),
        alert_id: m.alert_id,
    }
}

const INSERT_COLUMNS: &str = "INSERT INTO timings \
    (created_at, request_id, path, method, start_ts, stop_ts, diff_ms, method_path, event_id) ";

/// Parameter bytes of one timing on PostgreSQL: four 8-byte values and five texts, each with a
/// 4-byte length.
fn postgres_bytes(t: &Timing) -> usize {
    let texts = [
        t.request_id.as_deref().unwrap_or_default(),
        &t.path,
        &t.method,
        &t.method_path,
        t.event_id.as_deref().unwrap_or_default(),
    ];
    4 * 12 + texts.iter().map(|text| 4 + text.len()).sum::<usize>()
}

/// In one transaction, statements of [`POSTGRES_STATEMENT_BYTES`] at most, each with the columns
/// as arrays, unnested into rows.
async fn insert_postgres(pool: &sqlx::PgPool, batch: &[Timing]) -> sqlx::Result<()> {
    let mut txn = pool.begin().await?;
    for piece in pieces(batch, POSTGRES_STATEMENT_BYTES, postgres_bytes) {
        insert_postgres_piece(&mut txn, piece).await?;
    }
    txn.commit().await
}

async fn insert_postgres_piece(
    txn: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    batch: &[Timing],
) -> sqlx::Result<()> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{INSERT_COLUMNS}SELECT * FROM UNNEST($1::timestamp[], $2::varchar[], $3::varchar[], \
             $4::varchar[], $5::timestamp[], $6::timestamp[], $7::float8[], $8::varchar[], \
             $9::varchar[])"
        )
    });
    let column = |f: fn(&Timing) -> Option<&str>| batch.iter().map(f).collect::<Vec<_>>();
    let stopped: Vec<_> = batch.iter().map(|t| to_db(t.stopped_at)).collect();
    sqlx::query(AssertSqlSafe(SQL.as_str()))
        .bind(&stopped)
        .bind(column(|t| t.request_id.as_deref()))
        .bind(column(|t| Some(&t.path)))
        .bind(column(|t| Some(&t.method)))
        .bind(
            batch
                .iter()
                .map(|t| to_db(t.started_at))
                .collect::<Vec<_>>(),
        )
        .bind(&stopped)
        .bind(batch.iter().map(|t| t.diff_ms).collect::<Vec<_>>())
        .bind(column(|t| Some(&t.method_path)))
        .bind(column(|t| t.event_id.as_deref()))
        .execute(&mut **txn)
        .await?;
    Ok(())
}

/// Multi-row inserts, in chunks that stay under SQLite's limit on bound values; times bound as
/// the text SQLite holds (sqlx's encoder interprets a format string for each).
async fn insert_sqlite(pool: &sqlx::SqlitePool, batch: &[Timing]) -> sqlx::Result<()> {
    let mut txn = pool.begin().await?;
    for chunk in batch.chunks(1000) {
        let mut insert = sqlx::QueryBuilder::new(INSERT_COLUMNS);
        insert.push_values(chunk, |mut row, t| {
            let stopped = to_sqlite_text(t.stopped_at);
            row.push_bind(stopped.clone())
                .push_bind(t.request_id.as_deref())
                .push_bind(t.path.as_str())
                .push_bind(t.method.as_str())
                .push_bind(to_sqlite_text(t.started_at))
                .push_bind(stopped)
                .push_bind(t.diff_ms)
                .push_bind(t.method_path.as_str())
                .push_bind(t.event_id.as_deref());
        });
        insert.build().execute(&mut *txn).await?;
    }
    txn.commit().await
}

#[async_trait]
impl TimingRepository for SqlTimings {
    async fn insert_batch(&self, batch: &[Timing]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                insert_postgres(self.db.get_postgres_connection_pool(), batch).await
            }
            _ => insert_sqlite(self.db.get_sqlite_connection_pool(), batch).await,
        }
        .or_db("writing timings")
    }

    async fn recent(&self, method_path: &str, limit: u64) -> Result<Vec<(f64, DateTime<Utc>)>> {
        let rows: Vec<(Option<f64>, Option<sea_orm::prelude::DateTime>)> = timings::Entity::find()
            .select_only()
            .column(timings::Column::DiffMs)
            .column(timings::Column::CreatedAt)
            .filter(timings::Column::MethodPath.eq(method_path))
            .order_by_desc(timings::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await
            .or_db("reading timings")?;
        Ok(rows
            .into_iter()
            .map(|(ms, at)| (ms.unwrap_or_default(), from_db_or_epoch(at)))
            .collect())
    }

    async fn stats(&self, method_path: &str) -> Result<Option<RouteStats>> {
        Ok(stats::Entity::find()
            .filter(stats::Column::MethodPath.eq(method_path))
            .one(&self.db)
            .await
            .or_db("reading route statistics")?
            .map(to_stats))
    }

    async fn save_stats(&self, s: &RouteStats) -> Result<()> {
        let existing = stats::Entity::find()
            .filter(stats::Column::MethodPath.eq(s.method_path.as_str()))
            .one(&self.db)
            .await
            .or_db("reading route statistics")?;
        let mut model: stats::ActiveModel = match existing {
            Some(row) => row.into(),
            None => <stats::ActiveModel as Default>::default(),
        };
        model.avg = Set(Some(s.avg));
        model.min = Set(Some(s.min));
        model.max = Set(Some(s.max));
        model.last = Set(Some(s.last));
        model.method = Set(Some(s.method.clone()));
        model.path = Set(Some(s.path.clone()));
        model.method_path = Set(Some(s.method_path.clone()));
        model.alert_threshold_ms = Set(Some(s.alert_threshold_ms));
        model.in_alert = Set(Some(s.in_alert));
        model.alert_id = Set(s.alert_id.clone());
        // In a transaction: sea-orm's save reads `... RETURNING` for its first row only.
        let txn = self.db.begin().await.or_db("starting transaction")?;
        model.save(&txn).await.or_db("saving route statistics")?;
        txn.commit().await.or_db("committing route statistics")
    }

    async fn all_stats(&self) -> Result<Vec<RouteStats>> {
        Ok(stats::Entity::find()
            .order_by_asc(stats::Column::MethodPath)
            .all(&self.db)
            .await
            .or_db("listing route statistics")?
            .into_iter()
            .map(to_stats)
            .collect())
    }

    async fn prune(&self, keep_per_route: u64) -> Result<u64> {
        let routes: Vec<Option<String>> = timings::Entity::find()
            .select_only()
            .column(timings::Column::MethodPath)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await
            .or_db("listing timed routes")?;
        let mut deleted = 0;
        for route in routes.into_iter().flatten() {
            let oldest_kept: Option<i32> = timings::Entity::find()
                .select_only()
                .column(timings::Column::Id)
                .filter(timings::Column::MethodPath.eq(route.as_str()))
                .order_by_desc(timings::Column::Id)
                .offset(keep_per_route.saturating_sub(1))
                .limit(1)
                .into_tuple()
                .one(&self.db)
                .await
                .or_db("finding old timings")?;
            if let Some(cut) = oldest_kept {
                let done = timings::Entity::delete_many()
                    .filter(timings::Column::MethodPath.eq(route.as_str()))
                    .filter(timings::Column::Id.lt(cut))
                    .exec(&self.db)
                    .await
                    .or_db("pruning timings")?;
                deleted += done.rows_affected;
            }
        }
        Ok(deleted)
    }
}
