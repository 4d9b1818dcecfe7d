//! `backup --full|--data-only`: the backup files, their names and their mode.

use crate::context::{Ops, OpsError};
use chrono::{DateTime, NaiveDateTime, Utc};
use ninepanels_domain::config::Engine;
use ninepanels_persistence::transfer;
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

pub(crate) fn run_tool(mut command: Command, what: &str) -> Result<(), OpsError> {
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
    let url = ops.config.database.url.expose();
    let now = Utc::now();
    let path = match (ops.config.database.url.engine(), full) {
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
                ])
                .args(derived_tables().map(|t| format!("--exclude-table-data={t}")))
                .arg("--file")
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

/// Writes the export of every account a row at a time, with progress on a terminal.
pub async fn write_export(ops: &Ops, path: &Path) -> Result<transfer::Counts, OpsError> {
    let out = std::io::BufWriter::new(private_file(path)?);
    let bar = crate::progress::rows("exporting", None);
    let counts = transfer::export(&ops.db, out, &mut || bar.inc(1)).await;
    bar.finish_and_clear();
    Ok(counts?)
}

/// Tables a data-only dump leaves out: the restore's own writes count them again.
fn derived_tables() -> impl Iterator<Item = &'static str> {
    use ninepanels_persistence::tables::{Holds, TABLES};
    TABLES
        .iter()
        .filter(|t| t.holds == Holds::Derived)
        .map(|t| t.name)
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
