//! `migrate status|up`: forward-only; on MAIN only with a backup younger than an hour.

use crate::cli::MigrateAction;
use crate::commands::backup;
use crate::context::{Ops, OpsError};
use ninepanels_domain::config::Environment;

pub async fn run(ops: &Ops, action: MigrateAction) -> Result<(), OpsError> {
    let pending = ninepanels_persistence::pending_migrations(&ops.db).await?;
    match action {
        MigrateAction::Status => println!("pending migrations: {pending}"),
        MigrateAction::Up { backup_first } => {
            let mut detail = format!("{pending} migrations applied");
            if pending > 0 && ops.env() == Environment::Main {
                if backup_first {
                    let path = backup::backup(ops, true).await?;
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
