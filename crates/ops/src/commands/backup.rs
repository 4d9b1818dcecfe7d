//! `backup --full|--data-only` and `restore <file>`.

use crate::cli::FileChecks;
use crate::context::{Ops, OpsError};
use chrono::{DateTime, NaiveDateTime, Utc};
use ninepanels_domain::config::{Config, Engine, Environment};
use ninepanels_persistence::transfer::{self, ImportMode};
use sea_orm::ConnectionTrait;
use std::path::{Path, PathBuf};
use std::process::Command;

const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// `<timestamp>_<ENV>.<ext>`.
pub fn backup_name(env: &str, ext: &str, at: DateTime<Utc>) -> String {
    format!("{}_{env}.{ext}", at.format(STAMP))
}

/// Whether the backups folder holds a backup of this environment younger than `max_age`.
pub fn recent_backup_exists(ops: &Ops, max_age: chrono::Duration) -> bool {
    let suffix = format!("_{}.", ops.env());
    let Ok(dir) = std::fs::read_dir(&ops.backups_dir) else {
        return false;
    };
    dir.filter_map(Result::ok).any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        name.contains(&suffix)
            && name
                .split('_')
                .next()
                .and_then(|stamp| NaiveDateTime::parse_from_str(stamp, STAMP).ok())
                .is_some_and(|at| Utc::now() - at.and_utc() < max_age)
    })
}

fn run_tool(mut command: Command, what: &str) -> Result<(), OpsError> {
    let output = command.output().map_err(|e| {
        OpsError::Usage(format!(
            "cannot run {what}: {e} (is the PostgreSQL client installed?)"
        ))
    })?;
    if !output.status.success() {
        return Err(OpsError::Usage(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// Opens `path` for writing, empty, readable and writable by its owner only (0600): backups
/// and exports hold password hashes. A file that was there keeps no wider mode either.
pub fn private_file(path: &Path) -> Result<std::fs::File, OpsError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let cannot =
        |e: std::io::Error| OpsError::Usage(format!("cannot write {}: {e}", path.display()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(cannot)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(cannot)?;
    Ok(file)
}

/// Writes a backup and answers its path.
pub async fn backup(ops: &Ops, full: bool) -> Result<PathBuf, OpsError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&ops.backups_dir)
        .map_err(|e| {
            OpsError::Usage(format!("cannot create {}: {e}", ops.backups_dir.display()))
        })?;
    let env = ops.env().as_str();
    let url = ops.config.database_url.expose();
    let now = Utc::now();
    let path = match (ops.config.database_url.engine(), full) {
        (Engine::Postgres, true) => {
            let path = ops.backups_dir.join(backup_name(env, "dump", now));
            private_file(&path)?;
            let mut pg_dump = Command::new("pg_dump");
            pg_dump
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&path)
                .args(["--dbname", url]);
            run_tool(pg_dump, "pg_dump")?;
            path
        }
        (Engine::Postgres, false) => {
            let path = ops.backups_dir.join(backup_name(env, "sql", now));
            private_file(&path)?;
            let mut pg_dump = Command::new("pg_dump");
            pg_dump
                .args([
                    "--data-only",
                    "--no-owner",
                    "--exclude-table=ops_log",
                    "--exclude-table=alembic_version",
                    "--file",
                ])
                .arg(&path)
                .args(["--dbname", url]);
            run_tool(pg_dump, "pg_dump")?;
            path
        }
        (Engine::Sqlite, true) => {
            let path = ops.backups_dir.join(backup_name(env, "sqlite", now));
            // VACUUM INTO takes an empty file, and keeps its mode.
            private_file(&path)?;
            let target = path.to_string_lossy().replace('\'', "''");
            ops.db
                .execute_unprepared(&format!("VACUUM INTO '{target}'"))
                .await
                .map_err(|e| OpsError::Usage(format!("VACUUM INTO failed: {e}")))?;
            path
        }
        (Engine::Sqlite, false) => {
            let path = ops.backups_dir.join(backup_name(env, "jsonl", now));
            write_export(ops, &path).await?;
            path
        }
    };
    ops.log("backup", &path.display().to_string()).await?;
    Ok(path)
}

pub async fn write_export(ops: &Ops, path: &Path) -> Result<transfer::Counts, OpsError> {
    let mut out = std::io::BufWriter::new(private_file(path)?);
    Ok(transfer::export(&ops.db, &mut out).await?)
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
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
    ops.confirm(
        &format!("restoring {} replaces the current data", file.display()),
        yes,
    )?;
    if ops.env() == Environment::Main {
        let safety = backup(ops, true).await?;
        println!(
            "safety backup of the data this restore replaces: {}",
            safety.display()
        );
    }
    let url = ops.config.database_url.expose();
    let engine = ops.config.database_url.engine();
    match (extension(file), engine) {
        ("dump", Engine::Postgres) => {
            let mut pg_restore = Command::new("pg_restore");
            pg_restore
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    url,
                ])
                .arg(file);
            // The backup's copy of the audit trail must not replace the one kept since.
            let kept = ninepanels_persistence::admin::read_ops_log(&ops.db).await;
            run_tool(pg_restore, "pg_restore")?;
            ninepanels_persistence::admin::put_back_ops_log(&ops.db, &kept).await?;
        }
        ("sql", Engine::Postgres) => {
            refuse_incomplete_sql_dump(file)?;
            ops.require_current_schema().await?;
            let mut psql = Command::new("psql");
            psql.args([
                "--quiet",
                "--no-psqlrc",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "--dbname",
                url,
            ])
            .args([
                "-c",
                &format!(
                    "TRUNCATE {} RESTART IDENTITY CASCADE",
                    data_tables_for_sql_restore().join(", ")
                ),
            ])
            .arg("-f")
            .arg(file);
            run_tool(psql, "psql")?;
        }
        ("sqlite", _) => {
            // Read a copy: opening a database file may change it, and the backup stays as made.
            let copy = std::env::temp_dir()
                .join(format!("ninepanels-restore-{}.sqlite", std::process::id()));
            std::fs::copy(file, &copy)
                .map_err(|e| OpsError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let source_url = format!("sqlite://{}", copy.display());
            let read = async {
                let source =
                    ninepanels_persistence::connect(&Config::for_tests(&source_url)).await?;
                let records = transfer::read_all(&source).await;
                source.close().await.ok();
                records
            }
            .await;
            for leftover in ["", "-wal", "-shm"] {
                std::fs::remove_file(format!("{}{leftover}", copy.display())).ok();
            }
            let records = read?;
            refuse_empty(&records, checks)?;
            ops.require_current_schema().await?;
            let counts = transfer::import(&ops.db, records, ImportMode::Replace).await?;
            println!("restored: {counts}");
        }
        ("jsonl", _) => {
            let records = read_export(file, checks)?;
            refuse_empty(&records, checks)?;
            ops.require_current_schema().await?;
            let counts = transfer::import(&ops.db, records, ImportMode::Replace).await?;
            println!("restored: {counts}");
        }
        (ext, engine) => {
            return Err(OpsError::Usage(format!(
                "cannot restore a .{ext} file into {engine:?}: use .dump or .sql for PostgreSQL, .sqlite or .jsonl for either"
            )));
        }
    }
    ops.log("restore", &file.display().to_string()).await?;
    println!("restored from {}", file.display());
    Ok(())
}

/// Every table a data-only SQL dump refills, the migration record included.
fn data_tables_for_sql_restore() -> Vec<&'static str> {
    ninepanels_persistence::admin::ALL_TABLES
        .iter()
        .copied()
        .filter(|t| *t != "alembic_version" && *t != "ops_log")
        .collect()
}

/// A replace that would leave no user at all needs `--allow-empty`.
pub fn refuse_empty(records: &[transfer::Record], checks: FileChecks) -> Result<(), OpsError> {
    let users = records
        .iter()
        .filter(|r| matches!(r, transfer::Record::Users(_)))
        .count();
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

pub fn read_export(path: &Path, checks: FileChecks) -> Result<Vec<transfer::Record>, OpsError> {
    let file = std::fs::File::open(path)
        .map_err(|e| OpsError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let rule = if checks.no_trailer {
        transfer::EndLineRule::Optional
    } else {
        transfer::EndLineRule::Required
    };
    Ok(transfer::parse(std::io::BufReader::new(file), rule)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_carry_time_and_environment() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 16, 5, 9).unwrap();
        assert_eq!(
            backup_name("MAIN", "dump", at),
            "20261124T160509Z_MAIN.dump"
        );
    }
}
