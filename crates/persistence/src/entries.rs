//! The entry repository: taps, the latest entry of each day, the keyset-paged raw history,
//! clearing.

use crate::entities::{entries, panels};
use crate::error::DbResultExt;
use crate::panels::{lock_owner, panel_not_found};
use crate::sql::{Hot, fetch, statements};
use crate::taps::{Tap, TapQueue, Taps};
use crate::time::{from_db, from_db_or_epoch, to_db, to_sqlite_text};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::entry::{DaySpan, Entry, HistoryCursor, Latest, Mark};
use ninepanels_domain::panel::PanelId;
use ninepanels_domain::ports::EntryRepository;
use ninepanels_domain::user::UserId;
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct SqlEntries {
    db: DatabaseConnection,
    hot: Hot,
    taps: Arc<Taps>,
}

impl SqlEntries {
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_hot(Hot::for_pool(&db), db)
    }

    /// On `db`, sharing the connections `hot` keeps with other repositories.
    pub fn with_hot(hot: Hot, db: DatabaseConnection) -> Self {
        let taps = Arc::new(Taps::new(hot.clone()));
        Self { db, hot, taps }
    }

    /// How this repository's taps are going: waiting, being written, statements so far.
    pub fn tap_queue(&self) -> TapQueue {
        self.taps.queue()
    }

    async fn ensure_owned(
        &self,
        conn: &impl ConnectionTrait,
        user_id: UserId,
        panel_id: PanelId,
    ) -> Result<()> {
        panels::Entity::find_by_id(panel_id)
            .filter(panels::Column::UserId.eq(user_id))
            .one(conn)
            .await
            .or_db("checking panel ownership")?
            .map(|_| ())
            .ok_or_else(|| panel_not_found(panel_id))
    }
}

/// Spans per statement: each piece's arrays (or JSON) stay small, however many days are asked.
/// On PostgreSQL a statement of 512 spans (about 16 KB of parameters) waited about 40 ms on
/// loopback TCP (sqlx sets no TCP_NODELAY, and the message goes in two writes), where 256 did
/// not: a first count of ten years took 2.5 s against 0.24 s.
const SPANS_PER_STATEMENT: usize = 256;

impl SqlEntries {
    /// [`EntryRepository::latest_in_spans`] of at most [`SPANS_PER_STATEMENT`] spans.
    async fn latest_in_piece(&self, spans: &[DaySpan]) -> Result<Vec<Option<Latest>>> {
        let mut latest = vec![None; spans.len()];
        if spans.is_empty() {
            return Ok(latest);
        }
        let found: Vec<(i64, Latest)> = match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let (panels, starts, ends) = spans
                    .iter()
                    .map(|s| (s.panel_id, to_db(s.start), to_db(s.end)))
                    .collect::<(Vec<_>, Vec<_>, Vec<_>)>();
                let sql = statements::LATEST_IN_SPANS_POSTGRES.sql(DatabaseBackend::Postgres);
                let pool = self.db.get_postgres_connection_pool();
                let rows: Vec<(i64, i32, bool, bool)> = async {
                    let mut connection = pool.acquire().await?;
                    sqlx::query_as(AssertSqlSafe(sql))
                        .bind(panels)
                        .bind(starts)
                        .bind(ends)
                        .fetch_all(&mut *connection)
                        .await
                }
                .await
                .or_db("reading the latest entry of each day")?;
                rows.into_iter()
                    .map(|(index, id, done, rest)| (index, (id, Mark::of(done, rest))))
                    .collect()
            }
            _ => {
                let spans: Vec<(i32, String, String)> = spans
                    .iter()
                    .map(|s| (s.panel_id, to_sqlite_text(s.start), to_sqlite_text(s.end)))
                    .collect();
                let json = serde_json::to_string(&spans).unwrap_or_default();
                let inline = self.hot.read_inline(
                    &statements::LATEST_IN_SPANS_SQLITE,
                    || [&json],
                    |row| Ok((row.get::<_, Option<String>>(0)?,)),
                );
                let rows: Vec<(Option<String>,)> = match inline {
                    Some(rows) => rows,
                    None => fetch!(
                        fetch_all,
                        &self.hot,
                        statements::LATEST_IN_SPANS_SQLITE,
                        json
                    )
                    .or_db("reading the latest entry of each day")?,
                };
                rows.into_iter()
                    .filter_map(|(packed,)| packed)
                    .flat_map(|text| unpack(&text))
                    .collect()
            }
        };
        for (index, found) in found {
            if let Some(slot) = usize::try_from(index).ok().and_then(|i| latest.get_mut(i)) {
                *slot = Some(found);
            }
        }
        Ok(latest)
    }
}

/// `place:packed,...` from [`statements::LATEST_IN_SPANS_SQLITE`] as (place, latest).
fn unpack(text: &str) -> Vec<(i64, Latest)> {
    text.split(',')
        .filter_map(|pair| {
            let (place, packed) = pair.split_once(':')?;
            let packed: i64 = packed.parse().ok()?;
            let id = i32::try_from(packed >> 2).ok()?;
            let mark = Mark::of(packed & 1 == 1, packed & 2 == 2);
            Some((place.parse().ok()?, (id, mark)))
        })
        .collect()
}

fn to_entry(m: entries::Model) -> Entry {
    Entry {
        id: m.id,
        is_complete: m.is_complete.unwrap_or(false),
        is_skip: m.is_skip,
        panel_id: m.panel_id.unwrap_or_default(),
        timestamp: from_db_or_epoch(m.timestamp),
    }
}

#[async_trait]
impl EntryRepository for SqlEntries {
    async fn record(
        &self,
        user_id: UserId,
        panel_id: PanelId,
        mark: Mark,
        at: DateTime<Utc>,
    ) -> Result<Entry> {
        let timestamp = to_db(at);
        let (is_complete, is_skip) = (mark.is_complete(), mark.is_skip());
        let tap = Tap {
            user_id,
            panel_id,
            is_complete,
            is_skip,
            timestamp,
        };
        let Some(id) = self.taps.commit(tap).await? else {
            return Err(panel_not_found(panel_id));
        };
        Ok(Entry {
            id,
            is_complete,
            is_skip,
            panel_id,
            timestamp: from_db(timestamp),
        })
    }

    async fn latest_in_spans(&self, spans: &[DaySpan]) -> Result<Vec<Option<Latest>>> {
        let mut latest = Vec::with_capacity(spans.len());
        for (n, piece) in spans.chunks(SPANS_PER_STATEMENT).enumerate() {
            if n > 0 {
                // A read on the calling thread never waits: let other requests run between pieces.
                tokio::task::yield_now().await;
            }
            latest.extend(self.latest_in_piece(piece).await?);
        }
        Ok(latest)
    }

    async fn page(
        &self,
        user_id: UserId,
        panel_id: PanelId,
        cursor: Option<HistoryCursor>,
        limit: u64,
    ) -> Result<Vec<Entry>> {
        self.ensure_owned(&self.db, user_id, panel_id).await?;
        let mut query = entries::Entity::find().filter(entries::Column::PanelId.eq(panel_id));
        if let Some(c) = cursor {
            let at = to_db(c.timestamp);
            query = query.filter(
                Condition::any().add(entries::Column::Timestamp.lt(at)).add(
                    Condition::all()
                        .add(entries::Column::Timestamp.eq(at))
                        .add(entries::Column::Id.lt(c.id)),
                ),
            );
        }
        Ok(query
            .order_by_desc(entries::Column::Timestamp)
            .order_by_desc(entries::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .or_db("paging entries")?
            .into_iter()
            .map(to_entry)
            .collect())
    }

    async fn clear(&self, user_id: UserId, panel_id: PanelId, now: DateTime<Utc>) -> Result<()> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        lock_owner(&txn, user_id).await?;
        self.ensure_owned(&txn, user_id, panel_id).await?;
        entries::Entity::delete_many()
            .filter(entries::Column::PanelId.eq(panel_id))
            .exec(&txn)
            .await
            .or_db("clearing entries")?;
        panels::Entity::update_many()
            .col_expr(panels::Column::CreatedAt, Expr::value(to_db(now)))
            .filter(panels::Column::Id.eq(panel_id))
            .exec(&txn)
            .await
            .or_db("resetting panel creation time")?;
        txn.commit().await.or_db("committing history clear")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_entries_unpack_to_their_places() {
        assert_eq!(
            unpack("0:49,7:8,3:14"),
            [
                (0, (12, Mark::Done)),
                (7, (2, Mark::NotDone)),
                (3, (3, Mark::Rest))
            ]
        );
        assert!(unpack("").is_empty());
    }
}
