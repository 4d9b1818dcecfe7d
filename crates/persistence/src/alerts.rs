//! The alert repository: each cause's state in `alerts`, moved by compare-and-set updates so
//! that two server processes raising one cause announce it once.

use crate::error::DbResultExt;
use crate::outbox::write_drafts;
use crate::time::to_db;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::ports::AlertRepository;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SimpleExpr, UpdateStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

const TABLE: &str = "alerts";

#[derive(Debug, Clone)]
pub struct SqlAlerts {
    db: DatabaseConnection,
}

impl SqlAlerts {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// `UPDATE alerts SET .. WHERE cause = .. AND <when>`.
fn update(
    cause: &str,
    values: Vec<(&'static str, SimpleExpr)>,
    when: SimpleExpr,
) -> UpdateStatement {
    Query::update()
        .table(TABLE)
        .values(values)
        .and_where(Expr::col("cause").eq(cause))
        .and_where(when)
        .to_owned()
}

/// Runs `statement`; answers whether it changed the row.
async fn changed(conn: &impl ConnectionTrait, statement: UpdateStatement) -> Result<bool> {
    let done = conn.execute(&statement).await.or_db("moving an alert")?;
    Ok(done.rows_affected() > 0)
}

#[async_trait]
impl AlertRepository for SqlAlerts {
    async fn raise(
        &self,
        cause: &str,
        now: DateTime<Utc>,
        quiet_since: DateTime<Utc>,
        notices: Vec<OutboxDraft>,
    ) -> Result<bool> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        let insert = Query::insert()
            .into_table(TABLE)
            .columns(["cause"])
            .values_panic([cause.into()])
            .on_conflict(OnConflict::column("cause").do_nothing().to_owned())
            .to_owned();
        txn.execute(&insert).await.or_db("noting an alert")?;
        let now_db = Expr::val(to_db(now));
        let raised = update(
            cause,
            vec![("raised_at", now_db.clone())],
            Expr::col("raised_at").is_null(),
        );
        if !changed(&txn, raised).await? {
            txn.commit().await.or_db("committing an alert")?;
            return Ok(false);
        }
        let quiet = Expr::col("notified_at")
            .is_null()
            .or(Expr::col("notified_at").lt(to_db(quiet_since)));
        let announced = changed(&txn, update(cause, vec![("notified_at", now_db)], quiet)).await?;
        if announced {
            write_drafts(&txn, notices).await?;
        }
        txn.commit().await.or_db("committing an alert")?;
        Ok(announced)
    }

    async fn clear(
        &self,
        cause: &str,
        now: DateTime<Utc>,
        notices: Vec<OutboxDraft>,
    ) -> Result<bool> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        let values = || {
            vec![
                ("raised_at", Expr::val(None::<chrono::NaiveDateTime>)),
                ("cleared_at", Expr::val(to_db(now))),
            ]
        };
        let was_announced = Expr::col("raised_at")
            .is_not_null()
            .and(Expr::col("notified_at").gte(Expr::col("raised_at")));
        let announced = changed(&txn, update(cause, values(), was_announced)).await?;
        if announced {
            write_drafts(&txn, notices).await?;
        } else {
            changed(
                &txn,
                update(cause, values(), Expr::col("raised_at").is_not_null()),
            )
            .await?;
        }
        txn.commit().await.or_db("committing an alert")?;
        Ok(announced)
    }
}
