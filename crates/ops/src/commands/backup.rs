//! `backup --full|--data-only` and `backup list`: the backup files, their names, their mode and
//! their retention (`BACKUP_KEEP`).

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

/// A file in the backups folder named as a backup: `<timestamp>_<ENV>.<ext>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    pub path: PathBuf,
    pub at: DateTime<Utc>,
    pub env: String,
    pub ext: String,
    pub bytes: u64,
}

impl BackupFile {
    fn parse(path: PathBuf, bytes: u64) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let (stamp, rest) = name.split_once('_')?;
        let (env, ext) = rest.rsplit_once('.')?;
        let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
        Some(Self {
            at,
            env: env.to_owned(),
            ext: ext.to_owned(),
            bytes,
            path,
        })
    }

    /// What the file holds, by its extension.
    pub fn kind(&self) -> &'static str {
        match self.ext.as_str() {
            "dump" | "sqlite" => "full",
            "sql" | "jsonl" => "data-only",
            _ => "other",
        }
    }
}

/// Every backup in the folder, newest first; other files are left out.
pub fn backups(dir: &Path) -> Vec<BackupFile> {
    let Ok(found) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<BackupFile> = found
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| {
            let bytes = entry.metadata().map_or(0, |m| m.len());
            BackupFile::parse(entry.path(), bytes)
        })
        .collect();
    files.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.path.cmp(&a.path)));
    files
}

/// Whether the backups folder holds a backup of this environment younger than `max_age`.
pub fn recent_backup_exists(ops: &Ops, max_age: chrono::Duration) -> bool {
    let env = ops.env().as_str();
    backups(&ops.backups_dir)
        .iter()
        .any(|b| b.env == env && Utc::now() - b.at < max_age)
}

/// `backup list`.
pub fn list(ops: &Ops) -> Result<(), OpsError> {
    let found = backups(&ops.backups_dir);
    println!("backups in {}:", ops.backups_dir.display());
    let now = Utc::now();
    for b in &found {
        let age = now - b.at;
        let age = if age.num_hours() >= 48 {
            format!("{} days ago", age.num_days())
        } else if age.num_minutes() >= 120 {
            format!("{} hours ago", age.num_hours())
        } else {
            format!("{} minutes ago", age.num_minutes().max(0))
        };
        let name = b.path.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "  {name:<40} {:<8} {:<9} {:>12}  {age}",
            b.env,
            b.kind(),
            human_bytes(b.bytes)
        );
    }
    let keep = ops.keep.map_or_else(
        || "every backup".to_owned(),
        |n| format!("the newest {n} of each kind"),
    );
    println!(
        "{} backups; a new backup keeps {keep} (BACKUP_KEEP)",
        found.len()
    );
    Ok(())
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The backups of `env` and `kind` beyond the newest `keep`: what a retention removes. The
/// newest is never among them.
pub fn beyond_retention(files: &[BackupFile], env: &str, kind: &str, keep: u32) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|b| b.env == env && b.kind() == kind)
        .skip(keep.max(1) as usize)
        .map(|b| b.path.clone())
        .collect()
}

/// Removes the backups a new one of `kind` makes surplus under `BACKUP_KEEP`.
fn apply_retention(ops: &Ops, written: &Path, kind: &str) -> Result<(), OpsError> {
    let Some(keep) = ops.keep else {
        return Ok(());
    };
    let env = ops.env();
    for old in beyond_retention(&backups(&ops.backups_dir), env.as_str(), kind, keep) {
        if old == written {
            continue;
        }
        std::fs::remove_file(&old)
            .map_err(|e| OpsError::Usage(format!("cannot remove {}: {e}", old.display())))?;
        println!("removed old backup (BACKUP_KEEP={keep}): {}", old.display());
    }
    Ok(())
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

/// What a backup leaves of the older ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// `BACKUP_KEEP` applies.
    Apply,
    /// Every backup stays (a restore's safety backup: the file being restored may be an old one).
    KeepAll,
}

/// Writes a backup and answers its path.
pub async fn backup(ops: &Ops, full: bool, retention: Retention) -> Result<PathBuf, OpsError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&ops.backups_dir)
        .map_err(|e| {
            OpsError::Usage(format!("cannot create {}: {e}", ops.backups_dir.display()))
        })?;
    let env = ops.env().as_str();
    let engine = ops.config.database.url.engine();
    let ext = match (engine, full) {
        (Engine::Postgres, true) => "dump",
        (Engine::Postgres, false) => "sql",
        (Engine::Sqlite, true) => "sqlite",
        (Engine::Sqlite, false) => "jsonl",
    };
    // Names go by the second: a second backup within one waits for the next, rather than
    // overwrite the first.
    let mut path = ops.backups_dir.join(backup_name(env, ext, Utc::now()));
    while path.exists() {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        path = ops.backups_dir.join(backup_name(env, ext, Utc::now()));
    }
    // A backup that failed half way must not pass for one (`migrate up` on MAIN looks).
    if let Err(e) = write_backup(ops, &path, engine, full).await {
        std::fs::remove_file(&path).ok();
        return Err(e);
    }
    ops.log("backup", &path.display().to_string()).await?;
    if retention == Retention::Apply {
        apply_retention(ops, &path, if full { "full" } else { "data-only" })?;
    }
    Ok(path)
}

/// Writes one backup file of the kind asked for.
async fn write_backup(ops: &Ops, path: &Path, engine: Engine, full: bool) -> Result<(), OpsError> {
    let url = ops.config.database.url.expose();
    match (engine, full) {
        (Engine::Postgres, true) => {
            private_file(path)?;
            let mut pg_dump = Command::new("pg_dump");
            pg_dump
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(path)
                .args(["--dbname", url]);
            run_tool(pg_dump, "pg_dump")?;
        }
        (Engine::Postgres, false) => {
            private_file(path)?;
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
                .arg(path)
                .args(["--dbname", url]);
            run_tool(pg_dump, "pg_dump")?;
        }
        (Engine::Sqlite, true) => {
            // VACUUM INTO takes an empty file, and keeps its mode.
            private_file(path)?;
            let target = path.to_string_lossy().replace('\'', "''");
            ops.db
                .execute_unprepared(&format!("VACUUM INTO '{target}'"))
                .await
                .map_err(|e| OpsError::Usage(format!("VACUUM INTO failed: {e}")))?;
        }
        (Engine::Sqlite, false) => {
            write_export(ops, path).await?;
        }
    }
    Ok(())
}

/// Writes the export of every account a row at a time, with progress on a terminal.
pub async fn write_export(ops: &Ops, path: &Path) -> Result<transfer::Counts, OpsError> {
    ops.require_current_schema().await?;
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

    fn file(name: &str) -> BackupFile {
        BackupFile::parse(PathBuf::from("backups").join(name), 1).unwrap()
    }

    #[test]
    fn retention_keeps_the_newest_of_each_environment_and_kind() {
        let names = [
            "20261203T100000Z_MAIN.dump",
            "20261202T100000Z_MAIN.dump",
            "20261201T100000Z_MAIN.dump",
            "20261130T100000Z_MAIN.sql",
            "20261129T100000Z_STAGING.dump",
        ];
        let files: Vec<BackupFile> = names.iter().map(|n| file(n)).collect();
        let gone = beyond_retention(&files, "MAIN", "full", 2);
        assert_eq!(
            gone,
            vec![PathBuf::from("backups/20261201T100000Z_MAIN.dump")]
        );
        assert!(beyond_retention(&files, "MAIN", "data-only", 1).is_empty());
        assert!(beyond_retention(&files, "STAGING", "full", 1).is_empty());
    }

    #[test]
    fn only_backup_names_are_backups() {
        assert_eq!(file("20261203T100000Z_MAIN.sqlite").kind(), "full");
        assert_eq!(file("20261203T100000Z_FEATURE.jsonl").kind(), "data-only");
        for name in ["notes.txt", "2026_MAIN.dump", "20261203T100000Z_MAIN"] {
            assert!(
                BackupFile::parse(PathBuf::from(name), 1).is_none(),
                "{name}"
            );
        }
    }

    #[test]
    fn names_carry_time_and_environment() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 16, 5, 9).unwrap();
        assert_eq!(
            backup_name("MAIN", "dump", at),
            "20261124T160509Z_MAIN.dump"
        );
    }
}
