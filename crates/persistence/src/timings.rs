//! The timing repository: batches of request timings, each route's statistics and alerts.

use crate::entities::{timing_stats as stats, timings};
use crate::error::DbResultExt;
use crate::time::{from_db_or_epoch, to_db};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::background::{RouteStats, Timing};
use ninepanels_domain::ports::TimingRepository;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

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

#[async_trait]
impl TimingRepository for SqlTimings {
    async fn insert_batch(&self, batch: &[Timing]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let rows = batch.iter().map(|t| timings::ActiveModel {
            created_at: Set(Some(to_db(t.stopped_at))),
            request_id: Set(t.request_id.clone()),
            path: Set(Some(t.path.clone())),
            method: Set(Some(t.method.clone())),
            start_ts: Set(Some(to_db(t.started_at))),
            stop_ts: Set(Some(to_db(t.stopped_at))),
            diff_ms: Set(Some(t.diff_ms)),
            method_path: Set(Some(t.method_path.clone())),
            event_id: Set(t.event_id.clone()),
            ..Default::default()
        });
        timings::Entity::insert_many(rows)
            .exec(&self.db)
            .await
            .or_db("writing timings")?;
        Ok(())
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
        model
            .save(&self.db)
            .await
            .or_db("saving route statistics")?;
        Ok(())
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
