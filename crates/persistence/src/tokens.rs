//! The token repository: revoked access tokens and single-use password-reset tokens.

use crate::entities::{
    blacklisted_access_tokens as revoked, password_reset_tokens as resets, users,
};
use crate::error::DbResultExt;
use crate::outbox::write_drafts;
use crate::time::to_db;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ninepanels_domain::background::OutboxDraft;
use ninepanels_domain::ports::TokenRepository;
use ninepanels_domain::user::{PasswordHash, UserId};
use ninepanels_domain::{ErrorKind, Result};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};

#[derive(Debug, Clone)]
pub struct SqlTokens {
    db: DatabaseConnection,
}

impl SqlTokens {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

async fn invalidate_resets(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    at: DateTime<Utc>,
) -> Result<()> {
    resets::Entity::update_many()
        .col_expr(resets::Column::IsValid, Expr::value(false))
        .col_expr(resets::Column::InvalidatedAt, Expr::value(to_db(at)))
        .filter(resets::Column::UserId.eq(user_id))
        .filter(resets::Column::IsValid.eq(true))
        .exec(conn)
        .await
        .or_db("invalidating reset tokens")?;
    Ok(())
}

#[async_trait]
impl TokenRepository for SqlTokens {
    async fn revoke_access_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let inserted = revoked::ActiveModel {
            access_token: Set(Some(jti.to_owned())),
            blacklisted_at: Set(Some(to_db(at))),
            expires_at: Set(Some(to_db(expires_at))),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .or_db("revoking access token");
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::Conflict => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool> {
        let found = revoked::Entity::find()
            .select_only()
            .column(revoked::Column::Id)
            .filter(revoked::Column::AccessToken.eq(jti))
            .into_tuple::<i32>()
            .one(&self.db)
            .await
            .or_db("looking up a revoked token")?;
        Ok(found.is_some())
    }

    async fn revoked_since(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<Vec<String>> {
        let rows: Vec<Option<String>> = revoked::Entity::find()
            .select_only()
            .column(revoked::Column::AccessToken)
            .filter(revoked::Column::BlacklistedAt.gte(to_db(since)))
            .filter(revoked::Column::ExpiresAt.gt(to_db(now)))
            .into_tuple()
            .all(&self.db)
            .await
            .or_db("reading revoked tokens")?;
        Ok(rows.into_iter().flatten().collect())
    }

    async fn create_reset_token(
        &self,
        user_id: UserId,
        token_hash: &str,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        outbox: Vec<OutboxDraft>,
    ) -> Result<()> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        invalidate_resets(&txn, user_id, issued_at).await?;
        resets::ActiveModel {
            password_reset_token: Set(token_hash.to_owned()),
            issued_at: Set(to_db(issued_at)),
            expiry: Set(to_db(expires_at)),
            is_valid: Set(Some(true)),
            invalidated_at: Set(None),
            user_id: Set(Some(user_id)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .or_db("storing reset token")?;
        write_drafts(&txn, outbox).await?;
        txn.commit().await.or_db("committing reset token")
    }

    async fn invalidate_reset_tokens(&self, user_id: UserId, at: DateTime<Utc>) -> Result<()> {
        invalidate_resets(&self.db, user_id, at).await
    }

    async fn complete_password_reset(
        &self,
        user_id: UserId,
        token_hash: &str,
        new_password_hash: &PasswordHash,
        now: DateTime<Utc>,
        outbox: Vec<OutboxDraft>,
    ) -> Result<bool> {
        let txn = self.db.begin().await.or_db("starting transaction")?;
        // The conditional update is the claim: of two concurrent uses, one sees no valid row.
        let claimed = resets::Entity::update_many()
            .col_expr(resets::Column::IsValid, Expr::value(false))
            .col_expr(resets::Column::InvalidatedAt, Expr::value(to_db(now)))
            .filter(resets::Column::UserId.eq(user_id))
            .filter(resets::Column::PasswordResetToken.eq(token_hash))
            .filter(resets::Column::IsValid.eq(true))
            .filter(resets::Column::Expiry.gt(to_db(now)))
            .exec(&txn)
            .await
            .or_db("claiming reset token")?;
        if claimed.rows_affected != 1 {
            return Ok(false);
        }
        users::Entity::update_many()
            .col_expr(
                users::Column::HashedPassword,
                Expr::value(new_password_hash.as_str()),
            )
            .col_expr(users::Column::TokensValidAfter, Expr::value(to_db(now)))
            .filter(users::Column::Id.eq(user_id))
            .exec(&txn)
            .await
            .or_db("setting the new password")?;
        invalidate_resets(&txn, user_id, now).await?;
        write_drafts(&txn, outbox).await?;
        txn.commit().await.or_db("committing password reset")?;
        Ok(true)
    }
}
