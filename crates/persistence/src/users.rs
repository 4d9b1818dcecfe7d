//! The user repository on sea-orm.

use crate::entities::{entries, panels, users};
use crate::error::DbResultExt;
use crate::outbox::write_drafts;
use crate::time::{from_db, to_db};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::ports::{Announce, UserRepository};
use ninepanels_domain::user::{
    EMAIL_TAKEN, Email, NewUser, PasswordHash, TimeZone, User, UserChanges, UserId,
    created_here_cut_off,
};
use ninepanels_domain::{Error, ErrorKind, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

#[derive(Debug, Clone)]
pub struct SqlUsers {
    db: DatabaseConnection,
}

impl SqlUsers {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_user(m: users::Model) -> User {
    User {
        id: m.id,
        email: Email::from_stored(m.email.as_deref().unwrap_or_default()),
        name: m.name.unwrap_or_default(),
        password_hash: PasswordHash::new(m.hashed_password.unwrap_or_default()),
        is_admin: m.is_admin.unwrap_or(false),
        last_login: m.last_login.map(from_db),
        last_activity: m.last_activity.map(from_db),
        time_zone: m.time_zone.as_deref().and_then(|z| TimeZone::parse(z).ok()),
        tokens_valid_after: m.tokens_valid_after.map(from_db),
    }
}

fn not_found(id: UserId) -> Error {
    Error::not_found("User not found").with_data("user_id", id)
}

#[async_trait]
impl UserRepository for SqlUsers {
    async fn create(&self, user: NewUser, announce: Announce<User>) -> Result<User> {
        let model = users::ActiveModel {
            email: Set(Some(user.email.as_str().to_owned())),
            name: Set(Some(user.name.as_str().to_owned())),
            hashed_password: Set(Some(user.password_hash.as_str().to_owned())),
            is_admin: Set(Some(user.is_admin)),
            time_zone: Set(Some(user.time_zone.name().to_owned())),
            tokens_valid_after: Set(Some(to_db(created_here_cut_off()))),
            ..Default::default()
        };
        let txn = self.db.begin().await.or_db("starting transaction")?;
        let created = match model.insert(&txn).await.or_db("inserting user") {
            Ok(m) => to_user(m),
            Err(e) if e.kind == ErrorKind::Conflict => {
                return Err(Error::conflict(EMAIL_TAKEN)
                    .with_context(e.context_msg)
                    .with_data("email", user.email));
            }
            Err(e) => return Err(e),
        };
        write_drafts(&txn, announce(&created)).await?;
        txn.commit().await.or_db("committing user")?;
        Ok(created)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>> {
        Ok(users::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .or_db("loading user")?
            .map(to_user))
    }

    async fn get_by_id(&self, id: UserId) -> Result<User> {
        self.find_by_id(id).await?.ok_or_else(|| not_found(id))
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>> {
        Ok(users::Entity::find()
            .filter(
                Expr::expr(Func::lower(Expr::col((
                    users::Entity,
                    users::Column::Email,
                ))))
                .eq(email.as_str()),
            )
            .one(&self.db)
            .await
            .or_db("loading user by email")?
            .map(to_user))
    }

    async fn list(&self) -> Result<Vec<User>> {
        Ok(users::Entity::find()
            .order_by_asc(users::Column::Id)
            .all(&self.db)
            .await
            .or_db("listing users")?
            .into_iter()
            .map(to_user)
            .collect())
    }

    async fn admin_emails(&self) -> Result<Vec<String>> {
        let emails: Vec<Option<String>> = users::Entity::find()
            .select_only()
            .column(users::Column::Email)
            .filter(users::Column::IsAdmin.eq(true))
            .order_by_asc(users::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await
            .or_db("listing admins")?;
        Ok(emails.into_iter().flatten().collect())
    }

    async fn update(&self, id: UserId, changes: UserChanges) -> Result<User> {
        let existing = users::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .or_db("loading user")?
            .ok_or_else(|| not_found(id))?;
        if changes.is_empty() {
            return Ok(to_user(existing));
        }
        let mut model: users::ActiveModel = existing.into();
        if let Some(name) = changes.name {
            model.name = Set(Some(name.as_str().to_owned()));
        }
        if let Some(zone) = changes.time_zone {
            model.time_zone = Set(Some(zone.name().to_owned()));
        }
        if let Some(hash) = changes.password_hash {
            model.hashed_password = Set(Some(hash.as_str().to_owned()));
        }
        if let Some(is_admin) = changes.is_admin {
            model.is_admin = Set(Some(is_admin));
        }
        if let Some(cut_off) = changes.tokens_valid_after {
            model.tokens_valid_after = Set(Some(to_db(cut_off)));
        }
        // In a transaction of its own: sea-orm reads `UPDATE ... RETURNING` for its first row
        // only, which outside a transaction would drop the error of a failed commit.
        let txn = self.db.begin().await.or_db("starting transaction")?;
        let updated = model.update(&txn).await.or_db("updating user")?;
        txn.commit().await.or_db("committing user update")?;
        Ok(to_user(updated))
    }

    async fn delete(&self, id: UserId, outbox: Vec<OutboxDraft>) -> Result<()> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        let user_panels = Query::select()
            .column(panels::Column::Id)
            .from(panels::Entity)
            .and_where(Expr::col(panels::Column::UserId).eq(id))
            .to_owned();
        entries::Entity::delete_many()
            .filter(entries::Column::PanelId.in_subquery(user_panels))
            .exec(&txn)
            .await
            .or_db("deleting the user's entries")?;
        panels::Entity::delete_many()
            .filter(panels::Column::UserId.eq(id))
            .exec(&txn)
            .await
            .or_db("deleting the user's panels")?;
        txn.execute(
            &Query::delete()
                .from_table("password_reset_tokens")
                .and_where(Expr::col("user_id").eq(id))
                .to_owned(),
        )
        .await
        .or_db("deleting the user's reset tokens")?;
        let deleted = users::Entity::delete_by_id(id)
            .exec(&txn)
            .await
            .or_db("deleting user")?;
        if deleted.rows_affected == 0 {
            return Err(not_found(id));
        }
        write_drafts(&txn, outbox).await?;
        txn.commit().await.or_db("committing user deletion")
    }

    async fn record_login(&self, id: UserId, at: DateTime<Utc>) -> Result<()> {
        users::Entity::update_many()
            .col_expr(users::Column::LastLogin, Expr::value(to_db(at)))
            .filter(users::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .or_db("recording login")?;
        Ok(())
    }

    async fn record_activity(&self, id: UserId, at: DateTime<Utc>) -> Result<()> {
        users::Entity::update_many()
            .col_expr(users::Column::LastActivity, Expr::value(to_db(at)))
            .filter(users::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .or_db("recording activity")?;
        Ok(())
    }
}
