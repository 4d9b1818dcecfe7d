//! The operator CLI: every command says which environment and database it acts on first.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use ninepanels_domain::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "ninepanels-ops",
    version,
    about = "Operate a Nine Panels installation"
)]
pub struct Cli {
    /// Read variables from this env file first (for example .env.staging).
    #[arg(long, global = true)]
    pub env_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show or apply database migrations (forward-only).
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// How many migrations are pending.
    Status,
    /// Apply every pending migration.
    Up,
}

/// Why a command failed, as one line.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("{0}")]
    Config(#[from] ninepanels_domain::config::ConfigError),
    #[error("cannot read env file {path}: {reason}")]
    EnvFile { path: String, reason: String },
    #[error("{}: {}", .0.detail, .0.context_msg)]
    Domain(#[from] ninepanels_domain::Error),
}

pub async fn run(cli: Cli) -> Result<(), OpsError> {
    if let Some(path) = &cli.env_file {
        dotenvy::from_path(path).map_err(|e| OpsError::EnvFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let config = Config::from_env()?;
    println!(
        "environment: {}  database: {}",
        config.env,
        config.database_url.redacted()
    );
    let db = ninepanels_persistence::connect(&config).await?;
    match cli.command {
        Command::Migrate { action } => match action {
            MigrateAction::Status => {
                let pending = ninepanels_persistence::pending_migrations(&db).await?;
                println!("pending migrations: {pending}");
            }
            MigrateAction::Up => {
                let pending = ninepanels_persistence::pending_migrations(&db).await?;
                ninepanels_persistence::migrate(&db).await?;
                println!("applied migrations: {pending}");
            }
        },
    }
    db.close().await.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
