//! The panel repository: every position change happens in one transaction that first locks
//! the owner's row, so concurrent moves of one user's panels queue up and positions stay dense.

use crate::entities::{entries, panels, users};
use crate::error::DbResultExt;
use crate::rows::ListedPanelRow;
use crate::sql::{Hot, fetch, statements};
use crate::time::{from_db_or_epoch, to_db, to_sqlite_text};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::import::ImportPlan;
use ninepanels_domain::panel::{
    MAX_PANELS, NewPanel, PANEL_NOT_FOUND, Panel, PanelChanges, PanelId, TOO_MANY_PANELS,
    clamp_position,
};
use ninepanels_domain::ports::PanelRepository;
use ninepanels_domain::user::UserId;
use ninepanels_domain::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

#[derive(Debug, Clone)]
pub struct SqlPanels {
    db: DatabaseConnection,
    hot: Hot,
}

impl SqlPanels {
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_hot(Hot::for_pool(&db), db)
    }

    /// On `db`, sharing the connections `hot` keeps with other repositories.
    pub fn with_hot(hot: Hot, db: DatabaseConnection) -> Self {
        Self { db, hot }
    }

    /// Starts a transaction holding the owner's lock, with their panels in order and the
    /// index of panel `id` among them (NotFound when it is not theirs).
    async fn begin_reordering(
        &self,
        user_id: UserId,
        id: PanelId,
    ) -> Result<(DatabaseTransaction, Vec<panels::Model>, usize)> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        lock_owner(&txn, user_id).await?;
        let ordered = load_ordered(&txn, user_id).await?;
        let index = ordered
            .iter()
            .position(|p| p.id == id)
            .ok_or_else(|| panel_not_found(id))?;
        Ok((txn, ordered, index))
    }
}

pub(crate) fn to_panel(m: panels::Model) -> Panel {
    Panel {
        id: m.id,
        created_at: from_db_or_epoch(m.created_at),
        title: m.title.unwrap_or_default(),
        description: m.description,
        position: m.position.unwrap_or_default(),
        user_id: m.user_id.unwrap_or_default(),
    }
}

pub(crate) fn panel_not_found(id: PanelId) -> Error {
    Error::not_found(PANEL_NOT_FOUND).with_data("panel_id", id)
}

/// Takes the write lock on the owner's row (a row lock on PostgreSQL, the database write lock
/// on SQLite) for the rest of the transaction. NotFound when the user does not exist.
pub(crate) async fn lock_owner(txn: &DatabaseTransaction, user_id: UserId) -> Result<()> {
    let locked = txn
        .execute(
            &Query::update()
                .table(users::Entity)
                .value(users::Column::Id, Expr::col(users::Column::Id))
                .and_where(Expr::col(users::Column::Id).eq(user_id))
                .to_owned(),
        )
        .await
        .or_db("locking the panel owner")?;
    if locked.rows_affected() == 0 {
        return Err(Error::not_found("User not found").with_data("user_id", user_id));
    }
    Ok(())
}

/// The owner's panels in their current order (old rows without a position sort last).
async fn load_ordered(txn: &DatabaseTransaction, user_id: UserId) -> Result<Vec<panels::Model>> {
    let mut rows = panels::Entity::find()
        .filter(panels::Column::UserId.eq(user_id))
        .all(txn)
        .await
        .or_db("loading panels")?;
    rows.sort_by_key(|p| (p.position.unwrap_or(i32::MAX), p.id));
    Ok(rows)
}

/// Writes positions 0..n-1 in the given order, touching only the rows whose position changes.
async fn write_positions(txn: &DatabaseTransaction, ordered: &mut [panels::Model]) -> Result<()> {
    for (index, panel) in ordered.iter_mut().enumerate() {
        let position = index as i32;
        if panel.position != Some(position) {
            panels::Entity::update_many()
                .col_expr(panels::Column::Position, Expr::value(position))
                .filter(panels::Column::Id.eq(panel.id))
                .exec(txn)
                .await
                .or_db("renumbering panels")?;
            panel.position = Some(position);
        }
    }
    Ok(())
}

#[async_trait]
impl PanelRepository for SqlPanels {
    async fn create(&self, user_id: UserId, panel: NewPanel, now: DateTime<Utc>) -> Result<Panel> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        lock_owner(&txn, user_id).await?;
        let mut ordered = load_ordered(&txn, user_id).await?;
        if ordered.len() >= MAX_PANELS {
            return Err(Error::conflict(TOO_MANY_PANELS).with_data("user_id", user_id));
        }
        let position = clamp_position(panel.position, ordered.len() + 1);
        let created = panels::ActiveModel {
            created_at: Set(Some(to_db(now))),
            title: Set(Some(panel.title.as_str().to_owned())),
            description: Set(panel.description.map(|d| d.as_str().to_owned())),
            position: Set(Some(position)),
            user_id: Set(Some(user_id)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .or_db("inserting panel")?;
        ordered.insert(position as usize, created.clone());
        write_positions(&txn, &mut ordered).await?;
        txn.commit().await.or_db("committing panel")?;
        Ok(to_panel(created))
    }

    async fn import(
        &self,
        user_id: UserId,
        plan: ImportPlan,
        outbox: Vec<OutboxDraft>,
    ) -> Result<()> {
        crate::imports::import(&self.db, user_id, plan, outbox).await
    }

    async fn list(&self, user_id: UserId) -> Result<Vec<Panel>> {
        Ok(panels::Entity::find()
            .filter(panels::Column::UserId.eq(user_id))
            .order_by_asc(panels::Column::Position)
            .order_by_asc(panels::Column::Id)
            .all(&self.db)
            .await
            .or_db("listing panels")?
            .into_iter()
            .map(to_panel)
            .collect())
    }

    async fn list_with_latest(
        &self,
        user_id: UserId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<(Panel, Option<bool>)>> {
        let inline = self.hot.read_inline(
            &statements::PANELS_WITH_LATEST,
            || (user_id, to_sqlite_text(from), to_sqlite_text(until)),
            ListedPanelRow::read_inline,
        );
        if let Some(rows) = inline {
            return Ok(rows.into_iter().map(Into::into).collect());
        }
        let rows: Vec<ListedPanelRow> = fetch!(
            fetch_all,
            &self.hot,
            statements::PANELS_WITH_LATEST,
            user_id,
            to_db(from),
            to_db(until)
        )
        .or_db("listing panels with their latest entries")?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn find(&self, user_id: UserId, id: PanelId) -> Result<Option<Panel>> {
        Ok(panels::Entity::find_by_id(id)
            .filter(panels::Column::UserId.eq(user_id))
            .one(&self.db)
            .await
            .or_db("loading panel")?
            .map(to_panel))
    }

    async fn get(&self, user_id: UserId, id: PanelId) -> Result<Panel> {
        self.find(user_id, id)
            .await?
            .ok_or_else(|| panel_not_found(id))
    }

    async fn update(&self, user_id: UserId, id: PanelId, changes: PanelChanges) -> Result<Panel> {
        let (txn, mut ordered, index) = self.begin_reordering(user_id, id).await?;
        let mut panel = ordered[index].clone();
        if changes.title.is_some() || changes.description.is_some() {
            let mut model: panels::ActiveModel = panel.clone().into();
            if let Some(title) = changes.title {
                model.title = Set(Some(title.as_str().to_owned()));
            }
            if let Some(description) = changes.description {
                model.description = Set(description.map(|d| d.as_str().to_owned()));
            }
            panel = model.update(&txn).await.or_db("updating panel")?;
            ordered[index] = panel.clone();
        }
        if let Some(requested) = changes.position {
            let moved = ordered.remove(index);
            let target = clamp_position(Some(requested), ordered.len() + 1) as usize;
            ordered.insert(target, moved);
        }
        write_positions(&txn, &mut ordered).await?;
        txn.commit().await.or_db("committing panel update")?;
        let updated = ordered.into_iter().find(|p| p.id == id).unwrap_or(panel);
        Ok(to_panel(updated))
    }

    async fn delete(&self, user_id: UserId, id: PanelId) -> Result<()> {
        let (txn, mut ordered, index) = self.begin_reordering(user_id, id).await?;
        entries::Entity::delete_many()
            .filter(entries::Column::PanelId.eq(id))
            .exec(&txn)
            .await
            .or_db("deleting the panel's entries")?;
        panels::Entity::delete_by_id(id)
            .exec(&txn)
            .await
            .or_db("deleting panel")?;
        ordered.remove(index);
        write_positions(&txn, &mut ordered).await?;
        txn.commit().await.or_db("committing panel deletion")
    }
}
