//! `export <file>` and `import <file> --mode append|replace`.

use crate::cli::{FileChecks, Mode};
use crate::commands::backup::write_export;
use crate::commands::restore::{read_export, refuse_empty};
use crate::context::{Ops, OpsError};
use ninepanels_persistence::transfer::{self, ImportMode};
use std::path::Path;

pub async fn export(ops: &Ops, file: &Path) -> Result<(), OpsError> {
    let counts = write_export(ops, file).await?;
    println!("exported to {}: {counts}", file.display());
    Ok(())
}

pub async fn import(
    ops: &Ops,
    file: &Path,
    mode: Mode,
    yes: bool,
    checks: FileChecks,
) -> Result<(), OpsError> {
    let mode = match mode {
        Mode::Append => ImportMode::Append,
        Mode::Replace => {
            ops.refuse_on_main("import --mode replace")?;
            ops.confirm(
                &format!("importing {} replaces the current data", file.display()),
                yes,
            )?;
            ImportMode::Replace
        }
    };
    ops.require_current_schema().await?;
    let records = read_export(file, checks)?;
    if mode == ImportMode::Replace {
        refuse_empty(&records, checks)?;
    }
    let counts = transfer::import(&ops.db, records, mode).await?;
    ops.log(
        &format!("import --mode {mode:?}").to_lowercase(),
        &format!("{}: {counts}", file.display()),
    )
    .await?;
    println!("imported from {}: {counts}", file.display());
    Ok(())
}
