//! Each panel keeps its latest entry (time, id and whether it is complete, latest by time then
//! id, as every read orders them), so the panel list reads a panel's state today from the panel
//! row instead of searching its entries. Triggers keep it in the writing statement on either
//! engine, whoever writes; the columns are filled from the entries once here.

use crate::columns::add_column;
use sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The latest entry of the panel `{panel}` as a row of (time, id, complete).
fn latest_of(panel: &str) -> String {
    format!(
        "(SELECT e.timestamp, e.id, e.is_complete FROM entries e \
           WHERE e.panel_id = {panel} AND e.timestamp IS NOT NULL \
           ORDER BY e.timestamp DESC, e.id DESC LIMIT 1)"
    )
}

const COLUMNS: &str = "(latest_entry_at, latest_entry_id, latest_entry_complete)";

/// Statement-level on PostgreSQL, reading the changed rows from transition tables. An insert
/// always writes its panels' rows (locking them), and a removal locks its panels before it
/// searches for their new latest entry in a statement of its own, which then sees every insert
/// that committed meanwhile: a concurrent insert and removal cannot leave an older entry kept.
fn postgres_triggers() -> String {
    let later = "(p.latest_entry_at IS NULL \
                  OR (p.latest_entry_at, p.latest_entry_id) < (n.timestamp, n.id))";
    let latest = latest_of("p.id");
    format!(
        "CREATE OR REPLACE FUNCTION keep_panel_latest_entry() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE panels p SET
      latest_entry_at = CASE WHEN {later} THEN n.timestamp ELSE p.latest_entry_at END,
      latest_entry_id = CASE WHEN {later} THEN n.id ELSE p.latest_entry_id END,
      latest_entry_complete =
        CASE WHEN {later} THEN n.is_complete ELSE p.latest_entry_complete END
    FROM (SELECT DISTINCT ON (panel_id) panel_id, timestamp, id, is_complete FROM changed_new
          WHERE timestamp IS NOT NULL ORDER BY panel_id, timestamp DESC, id DESC) n
    WHERE p.id = n.panel_id;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM 1 FROM panels p WHERE p.latest_entry_id IN (SELECT id FROM changed_old)
      ORDER BY p.id FOR NO KEY UPDATE;
    UPDATE panels p SET {COLUMNS} = {latest}
      WHERE p.latest_entry_id IN (SELECT id FROM changed_old);
  ELSE
    PERFORM 1 FROM panels p
      WHERE p.id IN (SELECT panel_id FROM changed_old UNION SELECT panel_id FROM changed_new)
      ORDER BY p.id FOR NO KEY UPDATE;
    UPDATE panels p SET {COLUMNS} = {latest}
      WHERE p.id IN (SELECT panel_id FROM changed_old UNION SELECT panel_id FROM changed_new);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER entries_latest_insert AFTER INSERT ON entries
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT
  EXECUTE FUNCTION keep_panel_latest_entry();
CREATE OR REPLACE TRIGGER entries_latest_delete AFTER DELETE ON entries
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT
  EXECUTE FUNCTION keep_panel_latest_entry();
CREATE OR REPLACE TRIGGER entries_latest_update AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT
  EXECUTE FUNCTION keep_panel_latest_entry();"
    )
}

/// Row triggers on SQLite, where one writer at a time makes them race-free.
fn sqlite_triggers() -> String {
    let (old, new) = (latest_of("OLD.panel_id"), latest_of("NEW.panel_id"));
    format!(
        "CREATE TRIGGER IF NOT EXISTS entries_latest_insert AFTER INSERT ON entries \
           WHEN NEW.timestamp IS NOT NULL BEGIN \
           UPDATE panels SET {COLUMNS} = (NEW.timestamp, NEW.id, NEW.is_complete) \
             WHERE id = NEW.panel_id AND (latest_entry_at IS NULL \
               OR (latest_entry_at, latest_entry_id) < (NEW.timestamp, NEW.id)); END; \
         CREATE TRIGGER IF NOT EXISTS entries_latest_delete AFTER DELETE ON entries \
           WHEN OLD.id = (SELECT latest_entry_id FROM panels WHERE id = OLD.panel_id) BEGIN \
           UPDATE panels SET {COLUMNS} = {old} WHERE id = OLD.panel_id; END; \
         CREATE TRIGGER IF NOT EXISTS entries_latest_update AFTER UPDATE ON entries BEGIN \
           UPDATE panels SET {COLUMNS} = {old} WHERE id = OLD.panel_id; \
           UPDATE panels SET {COLUMNS} = {new} WHERE id = NEW.panel_id; END;"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in [
            ("latest_entry_at", date_time_null("latest_entry_at")),
            ("latest_entry_id", integer_null("latest_entry_id")),
            (
                "latest_entry_complete",
                boolean_null("latest_entry_complete"),
            ),
        ] {
            add_column(manager, "panels", name, column).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE panels SET {COLUMNS} = {}",
            latest_of("panels.id")
        ))
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => db.execute_unprepared(&postgres_triggers()).await?,
            _ => db.execute_unprepared(&sqlite_triggers()).await?,
        };
        Ok(())
    }
}
