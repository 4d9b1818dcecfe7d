//! `restore <file>`: every file is read and checked in full before anything is written; a full
//! backup brings its own schema and every table, a data-only one the users' data.

use crate::cli::FileChecks;
use crate::commands::backup::{Retention, backup, private_file, run_tool};
use crate::commands::transfer::{check_file, write_file};
use crate::context::{Ops, OpsError};
use ninepanels_domain::config::{DatabaseConfig, DatabaseUrl, Engine, Environment};
use ninepanels_persistence::restore::{
    CheckedSqliteFile, check_sqlite_file, refuse_unknown_migrations, restore_sqlite_file,
};
use ninepanels_persistence::transfer::{self, Counts, ImportMode};
use std::path::Path;
use std::process::Command;

/// A backup file that passed every check, ready to be written.
enum Checked {
    /// A PostgreSQL custom-format dump (schema and data).
    Dump,
    /// A PostgreSQL data-only dump that ends as pg_dump ends it.
    Sql,
    /// A copy of a SQLite full backup, restored as it is into SQLite.
    /// The checked file, and the working folder that holds it.
    SqliteFile(CheckedSqliteFile, tempfile::TempDir),
    /// An export file read and checked, with its rows per table: the file given, or one
    /// written from a SQLite full backup moving to PostgreSQL (with the folder that holds it).
    Export(Counts, Option<(std::path::PathBuf, tempfile::TempDir)>),
}

/// Replaces the current data with a backup's.
pub async fn restore(
    ops: &Ops,
    file: &Path,
    yes: bool,
    checks: FileChecks,
) -> Result<(), OpsError> {
    if !file.is_file() {
        return Err(OpsError::Usage(format!("{} is not a file", file.display())));
    }
    let checked = check(ops, file, checks).await?;
    ops.confirm(
        &format!("restoring {} replaces the current data", file.display()),
        yes,
    )?;
    if ops.env() == Environment::Main {
        let safety = backup(ops, true, Retention::KeepAll).await?;
        println!(
            "safety backup of the data this restore replaces: {}",
            safety.display()
        );
    }
    let url = ops.config.database.url.expose();
    match checked {
        Checked::Dump => {
            let mut pg_restore = Command::new("pg_restore");
            pg_restore
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                ])
                .args(["--dbname", url])
                .arg(file);
            // The backup's copy of the audit trail must not replace the one kept since.
            let kept = ninepanels_persistence::admin::read_ops_log(&ops.db).await;
            run_tool(pg_restore, "pg_restore")?;
            ninepanels_persistence::admin::put_back_ops_log(&ops.db, &kept).await?;
        }
        Checked::Sql => {
            schema_for_data(ops).await?;
            let tables = data_tables_for_sql_restore().join(", ");
            let mut psql = Command::new("psql");
            psql.args(["--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1"])
                .args(["--single-transaction", "--dbname", url])
                .args(["-c", &format!("TRUNCATE {tables} RESTART IDENTITY CASCADE")])
                .arg("-f")
                .arg(file);
            run_tool(psql, "psql")?;
        }
        Checked::SqliteFile(checked, _copy) => {
            let restored = restore_sqlite_file(&ops.db, &checked).await?;
            println!("restored every table: {restored}");
        }
        Checked::Export(counts, written) => {
            schema_for_data(ops).await?;
            let source = written.as_ref().map_or(file, |(path, _)| path.as_path());
            let counts = write_file(ops, source, checks, ImportMode::Replace, counts).await?;
            println!("restored: {counts}");
        }
    }
    let newer = ninepanels_persistence::pending_migrations(&ops.db).await?;
    if newer > 0 {
        ninepanels_persistence::migrate(&ops.db).await?;
        println!("applied {newer} migrations newer than the backup");
    }
    ops.log("restore", &file.display().to_string()).await?;
    println!("restored from {}", file.display());
    Ok(())
}

/// Reads and checks the whole file, and writes nothing.
async fn check(ops: &Ops, file: &Path, checks: FileChecks) -> Result<Checked, OpsError> {
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let engine = ops.config.database.url.engine();
    match (ext, engine) {
        ("dump", Engine::Postgres) => {
            refuse_unknown_migrations(&dump_migrations(file)?)?;
            Ok(Checked::Dump)
        }
        ("sql", Engine::Postgres) => {
            refuse_incomplete_sql_dump(file)?;
            Ok(Checked::Sql)
        }
        ("sqlite", _) => {
            // Work on a copy: opening a database file may change it, and the backup stays as made.
            let copy = tempfile::tempdir()
                .map_err(|e| OpsError::Usage(format!("cannot make a working folder: {e}")))?;
            let path = copy.path().join("backup.sqlite");
            std::fs::copy(file, &path)
                .map_err(|e| OpsError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let checked = check_sqlite_file(&path).await?;
            if engine == Engine::Sqlite {
                refuse_no_users(checked.users as usize, checks)?;
                return Ok(Checked::SqliteFile(checked, copy));
            }
            // Moving engines: the backup's rows go through an export file, a row at a time.
            let source_url = format!("sqlite://{}", path.display());
            let source = ninepanels_persistence::connect(&DatabaseConfig::for_url(
                DatabaseUrl::parse(&source_url)?,
            ))
            .await?;
            // A backup made before later migrations gets them on the copy, so that its rows
            // read as this server's.
            let migrated = ninepanels_persistence::migrate(&source).await;
            if let Err(e) = migrated {
                source.close().await.ok();
                return Err(e.into());
            }
            let export = copy.path().join("backup.jsonl");
            let out = std::io::BufWriter::new(private_file(&export)?);
            let written = transfer::export(&source, out, &mut || {}).await;
            source.close().await.ok();
            written?;
            let counts = check_file(ops, &export, checks, ImportMode::Replace).await?;
            Ok(Checked::Export(counts, Some((export, copy))))
        }
        ("jsonl", _) => {
            let counts = check_file(ops, file, checks, ImportMode::Replace).await?;
            Ok(Checked::Export(counts, None))
        }
        (ext, engine) => Err(OpsError::Usage(format!(
            "cannot restore a .{ext} file into {engine:?}: use .dump or .sql for PostgreSQL, \
             .sqlite or .jsonl for either"
        ))),
    }
}

/// A data-only restore needs the current schema: an empty or cleared database gets it first
/// (it holds nothing to back up); one that holds data and is behind is refused.
async fn schema_for_data(ops: &Ops) -> Result<(), OpsError> {
    let pending = ninepanels_persistence::pending_migrations(&ops.db).await?;
    if pending == 0 {
        return Ok(());
    }
    let (_, holds_data) = ninepanels_persistence::applied_migrations(&ops.db).await;
    if holds_data {
        return ops.require_current_schema().await;
    }
    ninepanels_persistence::migrate(&ops.db).await?;
    println!("the database was empty: created its tables ({pending} migrations) first");
    Ok(())
}

/// The migrations a custom-format dump had applied, read without restoring anything; a dump
/// that pg_restore cannot read (cut short, not a dump) is refused here.
fn dump_migrations(file: &Path) -> Result<Vec<String>, OpsError> {
    let read = |args: &[&str]| {
        let output = Command::new("pg_restore")
            .args(args)
            .arg(file)
            .output()
            .map_err(|e| OpsError::Usage(format!("cannot run pg_restore: {e}")))?;
        if !output.status.success() {
            return Err(OpsError::Refused(format!(
                "{} cannot be read as a whole pg_dump backup (nothing was changed): {}",
                file.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(output.stdout)
    };
    // Every block, read to the end: a dump cut short fails here.
    read(&["--file=/dev/null"])?;
    let migrations = read(&["--data-only", "--table=seaql_migrations", "--file=-"])?;
    let text = String::from_utf8_lossy(&migrations);
    let rows = text
        .lines()
        .skip_while(|line| !line.starts_with("COPY "))
        .skip(1)
        .take_while(|line| *line != "\\.");
    Ok(rows
        .filter_map(|row| row.split('\t').next())
        .map(str::to_owned)
        .collect())
}

/// Every table a data-only SQL dump refills, the migration record included.
fn data_tables_for_sql_restore() -> Vec<&'static str> {
    use ninepanels_persistence::tables::{Holds, children_first};
    children_first()
        .filter(|t| t.holds != Holds::OpsLog && t.name != "alembic_version")
        .map(|t| t.name)
        .collect()
}

/// A replace that would leave no user at all needs `--allow-empty`.
pub fn refuse_no_users(users: usize, checks: FileChecks) -> Result<(), OpsError> {
    if users == 0 && !checks.allow_empty {
        return Err(OpsError::Refused(
            "the file holds no user, so this would leave the database empty; \
             pass --allow-empty if that is what you want (nothing was changed)"
                .to_owned(),
        ));
    }
    Ok(())
}

/// The last line pg_dump writes; a data-only dump without it was cut short.
const PG_DUMP_COMPLETE: &str = "-- PostgreSQL database dump complete";

/// Reads only the last 4 KiB: a dump may be gigabytes.
fn refuse_incomplete_sql_dump(file: &Path) -> Result<(), OpsError> {
    use std::io::{Read, Seek, SeekFrom};
    let cannot =
        |e: std::io::Error| OpsError::Usage(format!("cannot read {}: {e}", file.display()));
    let mut dump = std::fs::File::open(file).map_err(cannot)?;
    let length = dump.metadata().map_err(cannot)?.len();
    dump.seek(SeekFrom::Start(length.saturating_sub(4096)))
        .map_err(cannot)?;
    let mut end = Vec::new();
    dump.read_to_end(&mut end).map_err(cannot)?;
    let tail = String::from_utf8_lossy(&end);
    if !tail.contains(PG_DUMP_COMPLETE) {
        return Err(OpsError::Refused(format!(
            "{} does not end with pg_dump's \"{PG_DUMP_COMPLETE}\" line: it was cut short \
             (nothing was changed)",
            file.display()
        )));
    }
    Ok(())
}
