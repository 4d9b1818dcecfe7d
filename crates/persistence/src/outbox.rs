//! The outbox repository: must-deliver events, claimed by lease with compare-and-set updates
//! (portable to SQLite and PostgreSQL; two workers never hold one message at once).

use crate::entities::event_outbox as outbox;
use crate::error::DbResultExt;
use crate::time::{from_db, to_db};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::background::{OutboxDraft, OutboxMessage};
use ninepanels_domain::ports::OutboxRepository;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

#[derive(Debug, Clone)]
pub struct SqlOutbox {
    db: DatabaseConnection,
}

impl SqlOutbox {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Writes drafts on `conn`, typically inside the transaction of the change they announce.
pub(crate) async fn write_drafts(
    conn: &impl ConnectionTrait,
    drafts: Vec<OutboxDraft>,
) -> Result<()> {
    if drafts.is_empty() {
        return Ok(());
    }
    let rows = drafts.into_iter().map(|d| outbox::ActiveModel {
        event_id: Set(d.event_id),
        kind: Set(d.kind),
        payload: Set(Some(d.payload)),
        request_id: Set(d.request_id),
        created_at: Set(to_db(d.created_at)),
        available_at: Set(to_db(d.created_at)),
        attempts: Set(0),
        ..Default::default()
    });
    outbox::Entity::insert_many(rows)
        .exec(conn)
        .await
        .or_db("writing outbox messages")?;
    Ok(())
}

fn to_message(m: outbox::Model) -> OutboxMessage {
    OutboxMessage {
        id: m.id,
        event_id: m.event_id,
        kind: m.kind,
        payload: m.payload,
        request_id: m.request_id,
        created_at: from_db(m.created_at),
        available_at: from_db(m.available_at),
        attempts: m.attempts,
        last_error: m.last_error,
        delivered_at: m.delivered_at.map(from_db),
        parked_at: m.parked_at.map(from_db),
    }
}

fn pending() -> Condition {
    Condition::all()
        .add(outbox::Column::DeliveredAt.is_null())
        .add(outbox::Column::ParkedAt.is_null())
}

#[async_trait]
impl OutboxRepository for SqlOutbox {
    async fn write(&self, drafts: Vec<OutboxDraft>) -> Result<()> {
        write_drafts(&self.db, drafts).await
    }

    async fn claim_due(
        &self,
        runner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<OutboxMessage>> {
        let at = to_db(now);
        let free = Condition::any()
            .add(outbox::Column::ClaimedUntil.is_null())
            .add(outbox::Column::ClaimedUntil.lt(at));
        let candidates: Vec<i64> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Id)
            .filter(pending())
            .filter(outbox::Column::AvailableAt.lte(at))
            .filter(free.clone())
            .order_by_asc(outbox::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await
            .or_db("finding due outbox messages")?;
        let mut claimed = Vec::new();
        for id in candidates {
            // The claim: only one runner's update finds the row still free.
            let taken = outbox::Entity::update_many()
                .col_expr(outbox::Column::ClaimedBy, Expr::value(runner))
                .col_expr(
                    outbox::Column::ClaimedUntil,
                    Expr::value(to_db(now + lease)),
                )
                .col_expr(
                    outbox::Column::Attempts,
                    Expr::col(outbox::Column::Attempts).add(1),
                )
                .filter(outbox::Column::Id.eq(id))
                .filter(pending())
                .filter(free.clone())
                .exec(&self.db)
                .await
                .or_db("claiming an outbox message")?;
            if taken.rows_affected == 1
                && let Some(row) = outbox::Entity::find_by_id(id)
                    .one(&self.db)
                    .await
                    .or_db("reading a claimed outbox message")?
            {
                claimed.push(to_message(row));
            }
        }
        Ok(claimed)
    }

    async fn mark_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        // The payload may hold a reset link or an address: it goes once it has served.
        outbox::Entity::update_many()
            .col_expr(outbox::Column::DeliveredAt, Expr::value(to_db(now)))
            .col_expr(outbox::Column::Payload, Expr::value(Option::<String>::None))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<sea_orm::prelude::DateTime>::None),
            )
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .or_db("marking an outbox message delivered")?;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: i64,
        now: DateTime<Utc>,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut update = outbox::Entity::update_many()
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<sea_orm::prelude::DateTime>::None),
            );
        update = match retry_at {
            Some(at) => update.col_expr(outbox::Column::AvailableAt, Expr::value(to_db(at))),
            None => update.col_expr(outbox::Column::ParkedAt, Expr::value(to_db(now))),
        };
        update
            .filter(outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .or_db("recording an outbox failure")?;
        Ok(())
    }

    async fn list(&self, limit: u64) -> Result<Vec<OutboxMessage>> {
        let mut waiting: Vec<OutboxMessage> = outbox::Entity::find()
            .filter(outbox::Column::DeliveredAt.is_null())
            .order_by_asc(outbox::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .or_db("listing pending outbox messages")?
            .into_iter()
            .map(to_message)
            .collect();
        let room = limit.saturating_sub(waiting.len() as u64);
        if room > 0 {
            let delivered = outbox::Entity::find()
                .filter(outbox::Column::DeliveredAt.is_not_null())
                .order_by_desc(outbox::Column::Id)
                .limit(room)
                .all(&self.db)
                .await
                .or_db("listing delivered outbox messages")?;
            waiting.extend(delivered.into_iter().map(to_message));
        }
        Ok(waiting)
    }

    async fn retry_parked(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::ParkedAt,
                Expr::value(Option::<sea_orm::prelude::DateTime>::None),
            )
            .col_expr(outbox::Column::AvailableAt, Expr::value(to_db(now)))
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .filter(outbox::Column::ParkedAt.is_not_null())
            .filter(outbox::Column::DeliveredAt.is_null())
            .exec(&self.db)
            .await
            .or_db("un-parking outbox messages")?;
        Ok(done.rows_affected)
    }
}
