//! The command line, with clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ninepanels-ops",
    version,
    about = "Operate a Nine Panels installation (database from DATABASE_URL)"
)]
pub struct Cli {
    /// Read variables from this env file first (for example .env.staging).
    #[arg(long, global = true)]
    pub env_file: Option<PathBuf>,
    /// Where backups are written and looked for.
    #[arg(long, global = true, env = "BACKUP_DIR", default_value = "backups")]
    pub backups_dir: PathBuf,
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
    /// Back the database up into the backups folder as <timestamp>_<ENV>.<ext>.
    Backup {
        /// Schema and data (PostgreSQL: pg_dump custom format; SQLite: a consistent copy).
        #[arg(
            long,
            conflicts_with = "data_only",
            required_unless_present = "data_only"
        )]
        full: bool,
        /// Data only (PostgreSQL: SQL inserts; SQLite: the JSON-lines export).
        #[arg(long)]
        data_only: bool,
    },
    /// Restore a backup (.dump, .sql, .sqlite or .jsonl): replaces the current data.
    Restore {
        file: PathBuf,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        checks: FileChecks,
    },
    /// Write every user, panel, entry and token to an engine-neutral JSON-lines file.
    Export { file: PathBuf },
    /// Read an export into this database, validated in full before anything is written.
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Mode::Append)]
        mode: Mode,
        /// Do not ask for confirmation (replace only).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        checks: FileChecks,
    },
    /// Add demo users with nine panels and up to a year of history each (refused on MAIN).
    Seed {
        #[arg(long, default_value_t = 3)]
        users: u32,
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// List the tables and their columns.
    Schema,
    /// Summarise the users and their data.
    Data,
    /// Drop every table (refused on MAIN).
    Clear {
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Manage users' roles.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Scheduled jobs.
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// Must-deliver events (mail, audit).
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Call a server's /readyz and print its status and latency.
    Ping { url: String },
    /// Show the latest destructive operations.
    Log {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// How many migrations are pending.
    Status,
    /// Apply every pending migration (on MAIN only with a backup younger than an hour).
    Up {
        /// Make a full backup first.
        #[arg(long)]
        backup_first: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Append,
    Replace,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user who is an admin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, env = "NINEPANELS_ADMIN_PASSWORD")]
        password: String,
    },
    /// Make an existing user an admin.
    Promote { email: String },
    /// Take the admin role away.
    Demote { email: String },
}

#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// The jobs, their periods and their latest runs.
    List,
    /// Run one job now, record the run as the schedule would, and print its outcome.
    #[command(after_help = "Example:\n  ninepanels-ops jobs run retry_outbox")]
    Run {
        /// The job to run.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(
            ninepanels_domain::jobs::JobKind::ALL.map(|job| job.name())
        ))]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Pending and parked messages, then the latest delivered.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Make parked messages due again.
    Retry,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn jobs_run_help_lists_every_job_and_refuses_others() {
        let mut cli = Cli::command();
        let jobs = cli.find_subcommand_mut("jobs").unwrap();
        let help = jobs
            .find_subcommand_mut("run")
            .unwrap()
            .render_long_help()
            .to_string();
        for job in ninepanels_domain::jobs::JobKind::ALL {
            assert!(help.contains(job.name()), "{} in {help}", job.name());
        }
        assert!(
            help.contains("ninepanels-ops jobs run retry_outbox"),
            "{help}"
        );
        let refused = Cli::try_parse_from(["ninepanels-ops", "jobs", "run", "make_coffee"]);
        let refused = refused.unwrap_err().to_string();
        assert!(refused.contains("possible values"), "{refused}");
    }
}

/// What a file must be before it may replace data.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct FileChecks {
    /// Accept an export without an end line (one made before exports had them): nothing then
    /// shows whether it is whole.
    #[arg(long)]
    pub no_trailer: bool,
    /// Allow a replace that leaves no user at all.
    #[arg(long)]
    pub allow_empty: bool,
}
