//! The operator CLI: every command first says which environment and database it acts on;
//! destructive ones are refused on MAIN where the guard-rails say so, and are written to the
//! `ops_log` table (who, when, what).
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod context;
mod progress;

pub use cli::{Cli, Command};
pub use context::{Ops, OpsError};

/// Runs one command line.
pub async fn run(cli: Cli) -> Result<(), OpsError> {
    // Needs no database: none is opened, and no database file is made by accident.
    if let Some(done) = commands::offline(&cli.command) {
        return done;
    }
    if let Some(path) = &cli.env_file {
        // The file wins over the shell: `--env-file .env.feature` with MAIN's DATABASE_URL
        // exported acts on FEATURE's database, as its first line says.
        dotenvy::from_path_override(path).map_err(|e| {
            OpsError::Usage(format!("cannot read env file {}: {e}", path.display()))
        })?;
    }
    let ops = Ops::connect(cli.backups_dir.clone(), cli.keep).await?;
    let outcome = commands::dispatch(&ops, cli.command).await;
    ops.close().await;
    outcome
}
