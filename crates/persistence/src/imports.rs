//! Writing an import into one account, all in one transaction that first locks the owner's row:
//! the panels it makes (after the ones kept, in the file's order), the entries it adds, the
//! creation days it moves back, and its receipt in the outbox. Nine panels at most still holds.

use crate::entities::{entries, panels};
use crate::error::DbResultExt;
use crate::outbox::write_drafts;
use crate::panels::{lock_owner, panel_not_found};
use crate::time::to_db;
use crate::txn::settle;
use chrono::{DateTime, Utc};
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::import::ImportPlan;
use ninepanels_domain::panel::{MAX_PANELS, PanelId};
use ninepanels_domain::user::UserId;
use ninepanels_domain::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};

/// Rows per insert statement.
const CHUNK: usize = 500;

async fn insert_entries(
    txn: &DatabaseTransaction,
    panel_id: PanelId,
    rows: &[(DateTime<Utc>, Mark)],
) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk.iter().map(|(at, mark)| entries::ActiveModel {
            is_complete: Set(Some(mark.is_complete())),
            is_skip: Set(mark.is_skip()),
            timestamp: Set(Some(to_db(*at))),
            panel_id: Set(Some(panel_id)),
            ..Default::default()
        });
        entries::Entity::insert_many(models)
            .exec(txn)
            .await
            .or_db("importing entries")?;
    }
    Ok(())
}

async fn write(
    txn: &DatabaseTransaction,
    user_id: UserId,
    plan: ImportPlan,
    outbox: Vec<OutboxDraft>,
) -> Result<()> {
    lock_owner(txn, user_id).await?;
    let owned = Query::select()
        .column(panels::Column::Id)
        .from(panels::Entity)
        .and_where(Expr::col(panels::Column::UserId).eq(user_id))
        .to_owned();
    if plan.replace {
        entries::Entity::delete_many()
            .filter(entries::Column::PanelId.in_subquery(owned))
            .exec(txn)
            .await
            .or_db("removing the replaced entries")?;
        panels::Entity::delete_many()
            .filter(panels::Column::UserId.eq(user_id))
            .exec(txn)
            .await
            .or_db("removing the replaced panels")?;
    }
    let kept = panels::Entity::find()
        .filter(panels::Column::UserId.eq(user_id))
        .count(txn)
        .await
        .or_db("counting panels")? as usize;
    if kept + plan.create.len() > MAX_PANELS {
        return Err(Error::invalid(format!(
            "the import would leave you {} panels, and nine is the most; nothing was imported",
            kept + plan.create.len()
        )));
    }
    for (offset, panel) in plan.create.iter().enumerate() {
        let created = panels::ActiveModel {
            created_at: Set(Some(to_db(panel.created_at))),
            title: Set(Some(panel.title.as_str().to_owned())),
            description: Set(panel.description.as_ref().map(|d| d.as_str().to_owned())),
            position: Set(Some((kept + offset) as i32)),
            user_id: Set(Some(user_id)),
            ..Default::default()
        }
        .insert(txn)
        .await
        .or_db("importing a panel")?;
        insert_entries(txn, created.id, &panel.entries).await?;
    }
    for panel in &plan.extend {
        let mut update = panels::Entity::update_many()
            .col_expr(panels::Column::Id, Expr::col(panels::Column::Id))
            .filter(panels::Column::Id.eq(panel.panel_id))
            .filter(panels::Column::UserId.eq(user_id));
        if let Some(at) = panel.created_at {
            update = update.col_expr(panels::Column::CreatedAt, Expr::value(to_db(at)));
        }
        let changed = update.exec(txn).await.or_db("moving a panel's start")?;
        if changed.rows_affected == 0 {
            return Err(panel_not_found(panel.panel_id));
        }
        insert_entries(txn, panel.panel_id, &panel.entries).await?;
    }
    write_drafts(txn, outbox).await
}

/// Writes `plan` into the account of `user_id` with `outbox`, all or nothing.
pub(crate) async fn import(
    db: &DatabaseConnection,
    user_id: UserId,
    plan: ImportPlan,
    outbox: Vec<OutboxDraft>,
) -> Result<()> {
    let txn = db.begin().await.or_db("starting the import")?;
    let written = write(&txn, user_id, plan, outbox).await;
    settle(txn, written, "the import").await
}
