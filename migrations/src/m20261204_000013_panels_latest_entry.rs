//! Each panel carries its latest entry (by time, then id), kept by triggers on `entries` on either
//! engine whoever writes, so the panel list reads today's state from the panel rows alone instead
//! of one index seek per panel. The columns are derived data: backfilled here, never exported.

use crate::m20261203_000012_rest_days::add_column;
use sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sets the latest entry of the panels chosen by `{filter}` (over `panels`) from their entries.
fn recount(filter: &str) -> String {
    format!(
        "UPDATE panels SET (latest_entry_at, latest_entry_id, latest_entry_complete) = \
           (SELECT e.timestamp, e.id, e.is_complete FROM entries e \
            WHERE e.panel_id = panels.id AND e.timestamp IS NOT NULL \
            ORDER BY e.timestamp DESC, e.id DESC LIMIT 1) \
         WHERE {filter}"
    )
}

/// Statement-level, from the transition tables. New entries can only move a panel's latest entry
/// forward: a single UPDATE whose condition PostgreSQL checks again on the row it waited for
/// keeps the greatest. A removal or change counts the panel again, after locking the panels in
/// id order, so the count's fresh snapshot sees whatever a concurrent writer committed.
fn postgres_triggers() -> String {
    let recount = recount("panels.id = ANY(changed)");
    format!(
        "
CREATE OR REPLACE FUNCTION recount_panels_latest_entry(changed integer[]) RETURNS void
  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM FROM panels WHERE id = ANY(changed) ORDER BY id FOR NO KEY UPDATE;
  {recount};
END $$;
CREATE OR REPLACE FUNCTION keep_panels_latest_entry() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE panels p SET latest_entry_at = n.timestamp, latest_entry_id = n.id,
                        latest_entry_complete = n.is_complete
      FROM (SELECT DISTINCT ON (panel_id) panel_id, timestamp, id, is_complete FROM changed_new
            WHERE timestamp IS NOT NULL ORDER BY panel_id, timestamp DESC, id DESC) n
      WHERE p.id = n.panel_id
        AND (p.latest_entry_at IS NULL
             OR (n.timestamp, n.id) > (p.latest_entry_at, p.latest_entry_id));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM recount_panels_latest_entry(ARRAY(SELECT DISTINCT panel_id FROM changed_old));
  ELSE
    PERFORM recount_panels_latest_entry(
      ARRAY(SELECT panel_id FROM changed_old UNION SELECT panel_id FROM changed_new));
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER entries_latest_insert AFTER INSERT ON entries
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT
  EXECUTE FUNCTION keep_panels_latest_entry();
CREATE OR REPLACE TRIGGER entries_latest_delete AFTER DELETE ON entries
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT
  EXECUTE FUNCTION keep_panels_latest_entry();
CREATE OR REPLACE TRIGGER entries_latest_update AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT
  EXECUTE FUNCTION keep_panels_latest_entry();
"
    )
}

/// Row-level: SQLite has one writer at a time.
fn sqlite_triggers() -> String {
    let old = recount("panels.id = OLD.panel_id AND panels.latest_entry_id = OLD.id");
    let changed = recount("panels.id IN (OLD.panel_id, NEW.panel_id)");
    format!(
        "CREATE TRIGGER IF NOT EXISTS entries_latest_insert AFTER INSERT ON entries \
           WHEN NEW.timestamp IS NOT NULL BEGIN \
           UPDATE panels SET latest_entry_at = NEW.timestamp, latest_entry_id = NEW.id, \
             latest_entry_complete = NEW.is_complete \
           WHERE id = NEW.panel_id AND (latest_entry_at IS NULL OR latest_entry_at < NEW.timestamp \
             OR (latest_entry_at = NEW.timestamp AND latest_entry_id < NEW.id)); END; \
         CREATE TRIGGER IF NOT EXISTS entries_latest_delete AFTER DELETE ON entries \
           BEGIN {old}; END; \
         CREATE TRIGGER IF NOT EXISTS entries_latest_update AFTER UPDATE ON entries \
           BEGIN {changed}; END;"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            date_time_null("latest_entry_at"),
            integer_null("latest_entry_id"),
            boolean_null("latest_entry_complete"),
        ];
        for column in columns {
            let name = column.get_column_name();
            add_column(manager, "panels", &name, column.to_owned()).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(&recount("true")).await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => db.execute_unprepared(&postgres_triggers()).await?,
            _ => db.execute_unprepared(&sqlite_triggers()).await?,
        };
        Ok(())
    }
}
