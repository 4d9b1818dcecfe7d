//! `export <file>` and `import <file> --mode append|replace`, and the two passes over an export
//! file that import and restore share: the first checks every line and writes nothing, the
//! second writes it all in one transaction. Neither holds the rows in memory.

use crate::cli::{FileChecks, Mode};
use crate::commands::backup::write_export;
use crate::commands::restore::refuse_no_users;
use crate::context::{Ops, OpsError};
use ninepanels_persistence::transfer::{self, Counts, EndLineRule, ImportMode, Reader};
use std::io::BufReader;
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
    let checked = check_file(ops, file, checks, mode).await?;
    let counts = write_file(ops, file, checks, mode, checked).await?;
    ops.log(
        &format!("import --mode {mode:?}").to_lowercase(),
        &format!("{}: {counts}", file.display()),
    )
    .await?;
    println!("imported from {}: {counts}", file.display());
    Ok(())
}

/// Opens an export and reads its header; its end line is checked when the last row is read
/// (and not required with `--no-trailer`).
fn open(path: &Path, checks: FileChecks) -> Result<Reader<BufReader<std::fs::File>>, OpsError> {
    let file = std::fs::File::open(path)
        .map_err(|e| OpsError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let rule = if checks.no_trailer {
        EndLineRule::Optional
    } else {
        EndLineRule::Required
    };
    Ok(Reader::new(BufReader::new(file), rule)?)
}

/// The first pass: reads the whole file and checks it against the database; writes nothing.
/// A replace that would leave no user is refused here too.
pub async fn check_file(
    ops: &Ops,
    file: &Path,
    checks: FileChecks,
    mode: ImportMode,
) -> Result<Counts, OpsError> {
    let rows = open(file, checks)?;
    let bar = crate::progress::rows("checking", None);
    let counts = transfer::check(&ops.db, rows.inspect(|_| bar.inc(1)), mode).await;
    bar.finish_and_clear();
    let counts = counts?;
    if mode == ImportMode::Replace {
        refuse_no_users(counts.users, checks)?;
    }
    Ok(counts)
}

/// The second pass: writes the file checked by [`check_file`] in one transaction. Should the
/// file have changed in between, its end line no longer matches and nothing is committed.
pub async fn write_file(
    ops: &Ops,
    file: &Path,
    checks: FileChecks,
    mode: ImportMode,
    checked: Counts,
) -> Result<Counts, OpsError> {
    let rows = open(file, checks)?;
    let bar = crate::progress::rows("writing", Some(checked.total() as u64));
    let written = transfer::write(&ops.db, rows, mode, checked, &mut || bar.inc(1)).await;
    bar.finish_and_clear();
    Ok(written?)
}
