//! The `users` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub email: Option<String>,
    pub name: Option<String>,
    pub hashed_password: Option<String>,
    pub is_admin: Option<bool>,
    pub last_login: Option<DateTime>,
    pub last_activity: Option<DateTime>,
    pub time_zone: Option<String>,
    pub tokens_valid_after: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::panels::Entity")]
    Panels,
}

impl Related<super::panels::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Panels.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
