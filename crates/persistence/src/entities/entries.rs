//! The `entries` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub is_complete: Option<bool>,
    pub timestamp: Option<DateTime>,
    pub panel_id: Option<i32>,
    /// A rest day; exports made before rest days existed have none.
    #[serde(default)]
    pub is_skip: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::panels::Entity",
        from = "Column::PanelId",
        to = "super::panels::Column::Id",
        on_delete = "Cascade"
    )]
    Panel,
}

impl Related<super::panels::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Panel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
