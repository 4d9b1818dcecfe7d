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
    /// Where backups are written and looked for (for example /var/backups/ninepanels).
    #[arg(long, global = true, env = "BACKUP_DIR", default_value = "backups")]
    pub backups_dir: PathBuf,
    /// After a backup, keep only the newest N of each kind for this environment (for example
    /// 14); unset keeps every backup.
    #[arg(long, global = true, env = "BACKUP_KEEP", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,
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
    /// Back the database up into the backups folder as <timestamp>_<ENV>.<ext>, or list the
    /// backups there.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "Examples:\n  ninepanels-ops backup --full\n  BACKUP_KEEP=14 ninepanels-ops backup --data-only\n  ninepanels-ops backup list"
    )]
    Backup {
        #[command(subcommand)]
        action: Option<BackupAction>,
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
    #[command(
        after_help = "Example:\n  ninepanels-ops restore backups/20261203T101500Z_STAGING.dump"
    )]
    Restore {
        /// The backup file (for example backups/20261203T101500Z_STAGING.sqlite).
        file: PathBuf,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        checks: FileChecks,
    },
    /// Write every user, panel, entry and token to an engine-neutral JSON-lines file.
    #[command(after_help = "Example:\n  ninepanels-ops export ninepanels.jsonl")]
    Export {
        /// The file to write (for example ninepanels.jsonl); it is made readable by you only.
        file: PathBuf,
    },
    /// Read an export into this database, validated in full before anything is written.
    #[command(
        after_help = "Examples:\n  ninepanels-ops import ninepanels.jsonl\n  ninepanels-ops import ninepanels.jsonl --mode replace"
    )]
    Import {
        /// The export to read (for example ninepanels.jsonl).
        file: PathBuf,
        /// append: add the file's rows to what is stored; replace: swap everything for them.
        #[arg(long, value_enum, default_value_t = Mode::Append)]
        mode: Mode,
        /// Do not ask for confirmation (replace only).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        checks: FileChecks,
    },
    /// Add demo users with nine panels and up to a year of history each (refused on MAIN).
    #[command(after_help = "Example:\n  ninepanels-ops seed --users 5 --days 90")]
    Seed {
        /// How many demo users (demo1@example.org, demo2@example.org, ...).
        #[arg(long, default_value_t = 3)]
        users: u32,
        /// How many days of history each gets, ending today.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// List the tables and their columns.
    #[command(after_help = "Example:\n  ninepanels-ops schema")]
    Schema,
    /// Summarise the users and their data (as `user list`).
    #[command(after_help = "Example:\n  ninepanels-ops data")]
    Data,
    /// Drop every table (refused on MAIN).
    #[command(after_help = "Example:\n  ninepanels-ops --env-file .env.feature clear")]
    Clear {
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Manage users: list them, make admins, send a password reset, delete one.
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
    #[command(after_help = "Example:\n  ninepanels-ops ping http://127.0.0.1:8000")]
    Ping {
        /// The server's base address (for example https://api.ninepanels.com).
        url: String,
    },
    /// Show the latest destructive operations.
    #[command(after_help = "Example:\n  ninepanels-ops log --limit 50")]
    Log {
        /// How many lines, newest first.
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
    /// Print a completion script for your shell (opens no database).
    #[command(
        after_help = "Examples:\n  ninepanels-ops completions bash > /etc/bash_completion.d/ninepanels-ops\n  ninepanels-ops completions zsh > ~/.zfunc/_ninepanels-ops"
    )]
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// The backups in the backups folder, newest first, with kind, size and age.
    #[command(after_help = "Example:\n  ninepanels-ops backup list")]
    List,
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Each migration, applied (when) or pending; writes nothing.
    #[command(after_help = "Example:\n  ninepanels-ops migrate status")]
    Status,
    /// Apply every pending migration (on MAIN only with a backup younger than an hour).
    #[command(after_help = "Example:\n  ninepanels-ops migrate up --backup-first")]
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
    /// Every user with name, role, panels, entries and last sign-in.
    #[command(after_help = "Example:\n  ninepanels-ops user list")]
    List,
    /// Create a user who is an admin.
    #[command(
        after_help = "Example:\n  NINEPANELS_ADMIN_PASSWORD='...' ninepanels-ops user create-admin --email ada@example.org --name Ada"
    )]
    CreateAdmin {
        /// The new admin's email (for example ada@example.org).
        #[arg(long)]
        email: String,
        /// The name shown in the app (for example Ada).
        #[arg(long)]
        name: String,
        /// The password; prefer the variable, which stays out of the shell history.
        #[arg(long, env = "NINEPANELS_ADMIN_PASSWORD")]
        password: String,
    },
    /// Make an existing user an admin.
    #[command(after_help = "Example:\n  ninepanels-ops user promote ada@example.org")]
    Promote {
        /// The user's email (for example ada@example.org).
        email: String,
    },
    /// Take the admin role away.
    #[command(after_help = "Example:\n  ninepanels-ops user demote ada@example.org")]
    Demote {
        /// The user's email (for example ada@example.org).
        email: String,
    },
    /// Mail the user a password reset link (through the outbox, delivered at once when it can).
    #[command(after_help = "Example:\n  ninepanels-ops user send-reset ada@example.org")]
    SendReset {
        /// The user's email (for example ada@example.org).
        email: String,
    },
    /// Delete the user with every panel and entry (asks first; on MAIN needs a backup younger
    /// than an hour).
    #[command(after_help = "Example:\n  ninepanels-ops user delete ada@example.org")]
    Delete {
        /// The user's email (for example ada@example.org).
        email: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// The jobs, their periods and their latest runs.
    #[command(after_help = "Example:\n  ninepanels-ops jobs list")]
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
    #[command(after_help = "Example:\n  ninepanels-ops outbox list --limit 20")]
    List {
        /// How many messages at most.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Make parked messages due again.
    #[command(after_help = "Example:\n  ninepanels-ops outbox retry")]
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

    /// Every command that runs (no subcommand of its own), with its path.
    fn leaves(command: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
        let subcommands: Vec<_> = command.get_subcommands().collect();
        if subcommands.is_empty() || command.is_args_conflicts_with_subcommands_set() {
            out.push((path.clone(), command.clone()));
        }
        for sub in subcommands {
            leaves(sub, format!("{path} {}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_command_shows_an_example_and_every_argument_a_description() {
        let mut found = Vec::new();
        leaves(&Cli::command(), "ninepanels-ops".to_owned(), &mut found);
        assert!(found.len() > 20, "{}", found.len());
        for (path, command) in found.iter().filter(|(path, _)| path != "ninepanels-ops") {
            let example = command
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                example.starts_with("Example")
                    && example.contains(path.trim_start_matches("ninepanels-ops ")),
                "{path} shows no example of itself: {example:?}"
            );
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                assert!(arg.get_help().is_some(), "{path}: {id} has no description");
            }
        }
    }

    #[test]
    fn backup_takes_a_kind_or_list() {
        let parse =
            |args: &[&str]| Cli::try_parse_from([&["ninepanels-ops", "backup"], args].concat());
        assert!(matches!(
            parse(&["list"]).unwrap().command,
            Command::Backup {
                action: Some(BackupAction::List),
                ..
            }
        ));
        assert!(matches!(
            parse(&["--full"]).unwrap().command,
            Command::Backup {
                action: None,
                full: true,
                ..
            }
        ));
        assert!(parse(&[]).is_err(), "a backup needs its kind");
        assert!(parse(&["--full", "--data-only"]).is_err());
        assert!(
            Cli::try_parse_from(["ninepanels-ops", "--keep", "0", "backup", "--full"]).is_err()
        );
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
