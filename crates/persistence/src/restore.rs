//! A SQLite full backup (`.sqlite`) put back as it is: its own schema, every table and the
//! migrations it had, in one transaction, with the ops log kept and extended.

use crate::error::DbResultExt;
use ninepanels_domain::{Error, Result};
use sea_orm::DatabaseConnection;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::sqlx::{self, AssertSqlSafe, Connection, SqliteConnection};
use std::path::{Path, PathBuf};

/// What a restore put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Rows per table, in the order the tables were written.
    pub tables: Vec<(String, i64)>,
}

impl std::fmt::Display for Restored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .tables
            .iter()
            .map(|(table, rows)| format!("{table} {rows}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// The names of the migrations this binary knows, oldest first.
pub fn known_migration_names() -> Vec<String> {
    use ninepanels_migrations::Migrator;
    use sea_orm_migration::MigratorTrait;
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// Refuses a backup that applied migrations this binary does not know: it was made by a newer
/// server, and restoring it would leave a schema this one cannot read.
pub fn refuse_unknown_migrations(applied: &[String]) -> Result<()> {
    let known = known_migration_names();
    let unknown: Vec<&str> = applied
        .iter()
        .filter(|name| !known.contains(name))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "the backup was made by a newer server (it has migrations this one does not know: {}); \
         restore it with that server's ninepanels-ops (nothing was changed)",
        unknown.join(", ")
    )))
}

/// Replaces everything in this SQLite database but its ops log with the SQLite database file at
/// `backup`: its tables as its schema defines them, their rows, indexes and id sequences. The ops
/// log is append-only: kept as it is, with the backup's lines that it lacks added after it. Only a
/// file [`check_sqlite_file`] passed gets here. Pending migrations are the caller's to run after.
pub async fn restore_sqlite_file(
    db: &DatabaseConnection,
    backup: &CheckedSqliteFile,
) -> Result<Restored> {
    // A connection of its own, closed afterwards: the attached file must not stay on a pooled one.
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .or_db("opening a connection for the restore")?
        .detach();
    attach(&mut conn, &backup.path).await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .await
        .or_db("preparing the restore")?;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut conn)
        .await
        .or_db("starting the restore")?;
    match replace_everything(&mut conn).await {
        Ok(restored) => {
            sqlx::query("COMMIT")
                .execute(&mut conn)
                .await
                .or_db("committing the restore")?;
            Ok(restored)
        }
        Err(e) => {
            sqlx::query("ROLLBACK").execute(&mut conn).await.ok();
            Err(e)
        }
    }
}

/// A SQLite backup that passed [`check_sqlite_file`]; nothing else makes one.
#[derive(Debug)]
pub struct CheckedSqliteFile {
    path: PathBuf,
    /// The users it holds.
    pub users: i64,
}

/// Checks a SQLite backup on a scratch connection, writing nothing (SQLite's quick check, a Nine
/// Panels schema, no migration unknown here), so an operator hears of a damaged or foreign file
/// before any confirmation or safety backup; the restore then reads the file as checked.
pub async fn check_sqlite_file(backup: &Path) -> Result<CheckedSqliteFile> {
    // A scratch file beside the backup: on sqlx's in-memory database the attached file's
    // tables did not show.
    let scratch = SqliteConnectOptions::new()
        .filename(backup.with_extension("scratch"))
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&scratch)
        .await
        .or_db("opening a scratch database")?;
    attach(&mut conn, backup).await?;
    check_backup(&mut conn).await?;
    let users = sqlx::query_scalar("SELECT COUNT(*) FROM backup.users")
        .fetch_one(&mut conn)
        .await
        .or_db("reading the backup");
    conn.close().await.ok();
    Ok(CheckedSqliteFile {
        path: backup.to_path_buf(),
        users: users?,
    })
}

async fn attach(conn: &mut SqliteConnection, backup: &Path) -> Result<()> {
    sqlx::query("ATTACH DATABASE ?1 AS backup")
        .bind(backup.to_string_lossy().into_owned())
        .execute(conn)
        .await
        .map_err(unreadable)?;
    Ok(())
}

fn unreadable(e: sqlx::Error) -> Error {
    Error::invalid("the backup is not a whole SQLite database (nothing was changed)")
        .with_context(e.to_string())
}

async fn names(conn: &mut SqliteConnection, sql: &str) -> Result<Vec<String>> {
    sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await
        .or_db("reading the backup")
}

async fn check_backup(conn: &mut SqliteConnection) -> Result<()> {
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA backup.quick_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(unreadable)?;
    if verdict != ["ok"] {
        return Err(Error::invalid(format!(
            "the backup is damaged: {} (nothing was changed)",
            verdict.join("; ")
        )));
    }
    let tables = names(
        conn,
        "SELECT name FROM backup.sqlite_master WHERE type = 'table'",
    )
    .await?;
    for needed in ["users", "panels", "entries", "seaql_migrations"] {
        if !tables.iter().any(|t| t == needed) {
            return Err(Error::invalid(format!(
                "the backup has no {needed} table: it is not a full backup of a Nine Panels \
                 database (nothing was changed)"
            )));
        }
    }
    let applied = names(conn, "SELECT version FROM backup.seaql_migrations").await?;
    refuse_unknown_migrations(&applied)
}

async fn run(conn: &mut SqliteConnection, sql: &str, context: &str) -> Result<()> {
    sqlx::query(AssertSqlSafe(sql))
        .execute(conn)
        .await
        .or_db(context)?;
    Ok(())
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn replace_everything(conn: &mut SqliteConnection) -> Result<Restored> {
    // Triggers first: dropping a table deletes its rows, which would run them row by row.
    let own = [
        (
            "TRIGGER",
            "SELECT name FROM main.sqlite_master WHERE type = 'trigger'",
        ),
        (
            "TABLE",
            "SELECT name FROM main.sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'ops_log'",
        ),
    ];
    for (kind, listed) in own {
        for name in names(conn, listed).await? {
            let sql = format!("DROP {kind} main.{}", quoted(&name));
            run(conn, &sql, "dropping the current schema").await?;
        }
    }
    let keeps_log = !names(
        conn,
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name = 'ops_log'",
    )
    .await?
    .is_empty();
    let objects: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT type, name, tbl_name, sql FROM backup.sqlite_master \
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' \
         ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid",
    )
    .fetch_all(&mut *conn)
    .await
    .or_db("reading the backup's schema")?;
    let mut restored = Restored { tables: Vec::new() };
    for (kind, name, table, sql) in &objects {
        if keeps_log && table == "ops_log" {
            continue;
        }
        run(conn, sql, "creating the backup's schema").await?;
        if kind == "table" && name != "ops_log" {
            let copied = sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO main.{0} SELECT * FROM backup.{0}",
                quoted(name)
            )))
            .execute(&mut *conn)
            .await
            .or_db("copying a table")?;
            restored
                .tables
                .push((name.clone(), copied.rows_affected() as i64));
        }
    }
    copy_sequences(conn).await?;
    extend_ops_log(conn, keeps_log).await?;
    let mut dangling = names(conn, "PRAGMA main.foreign_key_check").await?;
    dangling.dedup();
    if !dangling.is_empty() {
        return Err(Error::invalid(format!(
            "the backup's rows refer to rows it does not hold (in {}); nothing was changed",
            dangling.join(", ")
        )));
    }
    Ok(restored)
}

/// AUTOINCREMENT counters, so ids go on after the backup's, as they did in it.
async fn copy_sequences(conn: &mut SqliteConnection) -> Result<()> {
    let has = |schema: &str| {
        format!(
            "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        )
    };
    if names(conn, &has("backup")).await?.is_empty() || names(conn, &has("main")).await?.is_empty()
    {
        return Ok(());
    }
    run(
        conn,
        "DELETE FROM main.sqlite_sequence WHERE name <> 'ops_log'",
        "resetting id sequences",
    )
    .await?;
    run(
        conn,
        "INSERT INTO main.sqlite_sequence (name, seq) \
         SELECT name, seq FROM backup.sqlite_sequence WHERE name <> 'ops_log'",
        "copying id sequences",
    )
    .await
}

/// The backup's ops log lines that this database's log lacks, after its own.
async fn extend_ops_log(conn: &mut SqliteConnection, keeps_log: bool) -> Result<()> {
    let in_backup = !names(
        conn,
        "SELECT name FROM backup.sqlite_master WHERE type = 'table' AND name = 'ops_log'",
    )
    .await?
    .is_empty();
    if !in_backup {
        return Ok(());
    }
    let sql = if keeps_log {
        "INSERT INTO main.ops_log (at, actor, env, command, detail) \
         SELECT b.at, b.actor, b.env, b.command, b.detail FROM backup.ops_log b \
         WHERE NOT EXISTS (SELECT 1 FROM main.ops_log m WHERE m.at = b.at AND m.actor = b.actor \
           AND m.env = b.env AND m.command = b.command AND m.detail IS b.detail) \
         ORDER BY b.id"
    } else {
        "INSERT INTO main.ops_log SELECT * FROM backup.ops_log"
    };
    run(conn, sql, "keeping the ops log").await
}
