//! The `timing_stats` table: each route's latest statistics and alert state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timing_stats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub avg: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub last: Option<f64>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub method_path: Option<String>,
    pub alert_threshold_ms: Option<i32>,
    pub in_alert: Option<bool>,
    pub alert_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
