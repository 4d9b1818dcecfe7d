//! The `password_reset_tokens` table; `password_reset_token` holds a SHA-256 hash, never the token.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "password_reset_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub password_reset_token: String,
    pub issued_at: DateTime,
    pub expiry: DateTime,
    pub is_valid: Option<bool>,
    pub invalidated_at: Option<DateTime>,
    pub user_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
