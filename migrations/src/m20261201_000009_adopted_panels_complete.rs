//! Adoption repairs of panels from the old server: a panel without `created_at` (2023-era rows)
//! counted from 1970, so its consistency was about 0; it now starts at its first entry, or at
//! the adoption when it has none. A user whose panels have positions missing gets them
//! renumbered densely (known positions first, in order, then the others by id).

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(NOW() AT TIME ZONE 'UTC')",
            _ => "strftime('%Y-%m-%d %H:%M:%f', 'now')",
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE panels SET created_at = COALESCE(
                 (SELECT MIN(e.timestamp) FROM entries e WHERE e.panel_id = panels.id), {now})
             WHERE created_at IS NULL"
        ))
        .await?;
        db.execute_unprepared(
            "UPDATE panels SET position = ranked.n - 1
             FROM (SELECT id, ROW_NUMBER() OVER (
                       PARTITION BY user_id ORDER BY position NULLS LAST, id) AS n
                   FROM panels
                   WHERE user_id IN (SELECT user_id FROM panels WHERE position IS NULL)) AS ranked
             WHERE panels.id = ranked.id",
        )
        .await?;
        Ok(())
    }
}
