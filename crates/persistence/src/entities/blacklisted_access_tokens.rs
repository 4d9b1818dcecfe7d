//! The `blacklisted_access_tokens` table: revoked tokens, by their `jti`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "blacklisted_access_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub access_token: Option<String>,
    pub blacklisted_at: Option<DateTime>,
    pub expires_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
