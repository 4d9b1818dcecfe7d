//! Each panel keeps its latest tap (time and state), so the panel list can tell what is done
//! today from the panels alone instead of probing the entries of each. Triggers keep the two
//! columns right on every insert, change and delete of entries, whatever writes them (this
//! server, an import, a restore, the old server, an operator's SQL); existing rows are filled.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The panel's newest entry by (time, id), the order every reader uses.
const LATEST: &str =
    "FROM entries e WHERE e.panel_id = panels.id ORDER BY e.timestamp DESC, e.id DESC LIMIT 1";

const SQLITE_TRIGGERS: &str = "
CREATE TRIGGER IF NOT EXISTS entries_latest_after_insert AFTER INSERT ON entries
BEGIN
  UPDATE panels SET latest_entry_at = NEW.timestamp, latest_entry_complete = NEW.is_complete
   WHERE id = NEW.panel_id AND (latest_entry_at IS NULL OR latest_entry_at <= NEW.timestamp);
END;
CREATE TRIGGER IF NOT EXISTS entries_latest_after_update AFTER UPDATE ON entries
BEGIN
  UPDATE panels SET latest_entry_at = (SELECT e.timestamp {LATEST}),
                    latest_entry_complete = (SELECT e.is_complete {LATEST})
   WHERE id IN (OLD.panel_id, NEW.panel_id);
END;
CREATE TRIGGER IF NOT EXISTS entries_latest_after_delete AFTER DELETE ON entries
BEGIN
  UPDATE panels SET latest_entry_at = (SELECT e.timestamp {LATEST}),
                    latest_entry_complete = (SELECT e.is_complete {LATEST})
   WHERE id = OLD.panel_id;
END;
";

const POSTGRES_TRIGGER: &str = "
CREATE OR REPLACE FUNCTION entries_keep_latest_tap() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE panels SET latest_entry_at = NEW.timestamp, latest_entry_complete = NEW.is_complete
     WHERE id = NEW.panel_id AND (latest_entry_at IS NULL OR latest_entry_at <= NEW.timestamp);
  ELSE
    UPDATE panels SET latest_entry_at = (SELECT e.timestamp {LATEST}),
                      latest_entry_complete = (SELECT e.is_complete {LATEST})
     WHERE id = OLD.panel_id OR (TG_OP = 'UPDATE' AND id = NEW.panel_id);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;
DROP TRIGGER IF EXISTS entries_keep_latest_tap ON entries;
CREATE TRIGGER entries_keep_latest_tap AFTER INSERT OR UPDATE OR DELETE ON entries
  FOR EACH ROW EXECUTE FUNCTION entries_keep_latest_tap();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            date_time_null("latest_entry_at"),
            boolean_null("latest_entry_complete"),
        ] {
            let name = column.get_column_name();
            if !manager.has_column("panels", &name).await? {
                manager
                    .alter_table(Table::alter().table("panels").add_column(column).to_owned())
                    .await?;
            }
        }
        let db = manager.get_connection();
        let triggers = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => POSTGRES_TRIGGER,
            _ => SQLITE_TRIGGERS,
        };
        db.execute_unprepared(&triggers.replace("{LATEST}", LATEST))
            .await?;
        db.execute_unprepared(&format!(
            "UPDATE panels SET latest_entry_at = (SELECT e.timestamp {LATEST}), \
             latest_entry_complete = (SELECT e.is_complete {LATEST})"
        ))
        .await?;
        Ok(())
    }
}
