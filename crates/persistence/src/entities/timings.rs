//! The `timings` table: one row per measured request.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub created_at: Option<DateTime>,
    pub request_id: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    pub start_ts: Option<DateTime>,
    pub stop_ts: Option<DateTime>,
    pub diff_ms: Option<f64>,
    pub method_path: Option<String>,
    pub event_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
