//! `migrate status|up`: `status` lists every migration and writes nothing; `up` is forward-only,
//! and on MAIN only with a backup younger than an hour.

use crate::cli::MigrateAction;
use crate::commands::backup;
use crate::context::{Ops, OpsError};
use ninepanels_domain::config::Environment;

pub async fn run(ops: &Ops, action: MigrateAction) -> Result<(), OpsError> {
    match action {
        MigrateAction::Status => status(ops).await?,
        MigrateAction::Up { backup_first } => {
            let pending = ninepanels_persistence::pending_migrations(&ops.db).await?;
            let mut detail = format!("{pending} migrations applied");
            if pending > 0 && ops.env() == Environment::Main {
                if backup_first {
                    let path = backup::backup(ops, true, backup::Retention::Apply).await?;
                    println!("backup written: {}", path.display());
                    detail.push_str(&format!(" after backup {}", path.display()));
                } else if !backup::recent_backup_exists(ops, chrono::Duration::hours(1)) {
                    return Err(OpsError::Refused(format!(
                        "migrating MAIN needs a backup younger than one hour in {}: run `ninepanels-ops backup --full` or pass --backup-first",
                        ops.backups_dir.display()
                    )));
                }
            }
            ninepanels_persistence::migrate(&ops.db).await?;
            if pending > 0 {
                ops.log("migrate up", &format!("{pending} migrations applied"))
                    .await?;
            }
            println!("applied migrations: {pending}");
        }
    }
    Ok(())
}

/// Each migration with when it was applied, or pending; reads only.
async fn status(ops: &Ops) -> Result<(), OpsError> {
    let status = ninepanels_persistence::migration_status(&ops.db).await?;
    let width = status
        .known
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, applied) in &status.known {
        match applied {
            Some(at) => println!(
                "{name:<width$}  applied {}",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            None => println!("{name:<width$}  pending"),
        }
    }
    for name in &status.unknown {
        println!("{name:<width$}  applied by a newer server (this one does not know it)");
    }
    let pending = status.pending();
    if pending == 0 {
        println!("pending migrations: 0");
    } else {
        println!("pending migrations: {pending} (apply them with `ninepanels-ops migrate up`)");
    }
    Ok(())
}
