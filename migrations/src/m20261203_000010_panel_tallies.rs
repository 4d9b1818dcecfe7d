//! Saved tallies of panels' day series, so consistency and streaks read a few days, not years.
//! A tally (per panel and zone) counts the days before yesterday and holds while its panel's
//! `created_at` and history revision are the ones it was counted with. The revision goes up,
//! by trigger on either engine, whenever an entry older than a day is written, changed or
//! removed by anyone (a tap is never older than a day, so taps leave it alone).

use sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Adds one to the revision of the panel `{panel}` (SQLite trigger body).
fn sqlite_bump(panel: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO panel_revisions (panel_id, revision) \
           SELECT id, 0 FROM panels WHERE id = {panel}; \
         UPDATE panel_revisions SET revision = revision + 1 WHERE panel_id = {panel};"
    )
}

const SQLITE_DAY_AGO: &str = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 day')";

/// Statement-level on PostgreSQL, reading the changed rows from transition tables: a bulk load
/// (an import, a restore) moves each panel's revision once, where a row trigger updated the
/// same revision row once per entry.
const POSTGRES_TRIGGERS: &str = "
CREATE OR REPLACE FUNCTION bump_panel_revisions() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO panel_revisions (panel_id, revision)
      SELECT DISTINCT p.id, 1 FROM changed_new n JOIN panels p ON p.id = n.panel_id
      WHERE n.timestamp < (now() AT TIME ZONE 'utc') - interval '1 day'
      ON CONFLICT (panel_id) DO UPDATE SET revision = panel_revisions.revision + 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO panel_revisions (panel_id, revision)
      SELECT DISTINCT p.id, 1 FROM changed_old o JOIN panels p ON p.id = o.panel_id
      WHERE o.timestamp < (now() AT TIME ZONE 'utc') - interval '1 day'
      ON CONFLICT (panel_id) DO UPDATE SET revision = panel_revisions.revision + 1;
  ELSE
    INSERT INTO panel_revisions (panel_id, revision)
      SELECT DISTINCT p.id, 1 FROM panels p
      WHERE p.id IN (SELECT panel_id FROM changed_old UNION SELECT panel_id FROM changed_new)
      ON CONFLICT (panel_id) DO UPDATE SET revision = panel_revisions.revision + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER entries_insert AFTER INSERT ON entries
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_panel_revisions();
CREATE OR REPLACE TRIGGER entries_delete AFTER DELETE ON entries
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT
  EXECUTE FUNCTION bump_panel_revisions();
CREATE OR REPLACE TRIGGER entries_update AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT
  EXECUTE FUNCTION bump_panel_revisions();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("panel_revisions")
                    .if_not_exists()
                    .col(integer("panel_id").primary_key())
                    .col(big_integer("revision"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("panel_revisions", "panel_id")
                            .to("panels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("panel_tallies")
                    .if_not_exists()
                    .col(integer("panel_id"))
                    .col(string("zone"))
                    .col(date_time("created_at"))
                    .col(big_integer("revision"))
                    .col(date("first_day"))
                    .col(date("through_day"))
                    .col(integer("days_complete"))
                    .col(integer("run"))
                    .col(integer("longest"))
                    .col(date_null("longest_end"))
                    .primary_key(Index::create().col("panel_id").col("zone"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("panel_tallies", "panel_id")
                            .to("panels", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_TRIGGERS).await?;
            }
            _ => {
                let (new, old) = (sqlite_bump("NEW.panel_id"), sqlite_bump("OLD.panel_id"));
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER IF NOT EXISTS entries_backdated_insert AFTER INSERT ON entries \
                       WHEN NEW.timestamp < {SQLITE_DAY_AGO} BEGIN {new} END; \
                     CREATE TRIGGER IF NOT EXISTS entries_backdated_delete AFTER DELETE ON entries \
                       WHEN OLD.timestamp < {SQLITE_DAY_AGO} BEGIN {old} END; \
                     CREATE TRIGGER IF NOT EXISTS entries_update AFTER UPDATE ON entries \
                       BEGIN {old} {new} END;"
                ))
                .await?;
            }
        }
        Ok(())
    }
}
