//! One module per group of commands.

pub mod background;
pub mod backup;
pub mod inspect;
pub mod migrate;
pub mod ping;
pub mod restore;
pub mod seed;
pub mod transfer;
pub mod users;

use crate::cli::{BackupAction, Command, JobsAction, OutboxAction, UserAction};
use crate::context::{Ops, OpsError};

/// Runs the commands that open no database (and make no database file by accident).
pub fn offline(command: &Command) -> Option<Result<(), OpsError>> {
    match command {
        Command::Ping { url } => Some(ping::run(url)),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cli = crate::Cli::command();
            clap_complete::generate(*shell, &mut cli, "ninepanels-ops", &mut std::io::stdout());
            Some(Ok(()))
        }
        _ => None,
    }
}

pub async fn dispatch(ops: &Ops, command: Command) -> Result<(), OpsError> {
    match command {
        Command::Migrate { action } => migrate::run(ops, action).await,
        Command::Backup {
            action: Some(BackupAction::List),
            ..
        } => backup::list(ops),
        Command::Backup { full, .. } => backup::backup(ops, full, backup::Retention::Apply)
            .await
            .map(|path| {
                println!("backup written: {}", path.display());
            }),
        Command::Restore { file, yes, checks } => restore::restore(ops, &file, yes, checks).await,
        Command::Export { file } => transfer::export(ops, &file).await,
        Command::Import {
            file,
            mode,
            yes,
            checks,
        } => transfer::import(ops, &file, mode, yes, checks).await,
        Command::Seed { users, days } => seed::run(ops, users, days).await,
        Command::Schema => inspect::schema(ops).await,
        Command::Data => inspect::data(ops).await,
        Command::Log { limit } => inspect::log(ops, limit).await,
        Command::Clear { yes } => inspect::clear(ops, yes).await,
        Command::User { action } => match action {
            UserAction::CreateAdmin {
                email,
                name,
                password,
            } => users::create_admin(ops, &email, &name, &password).await,
            UserAction::Promote { email } => users::set_admin(ops, &email, true).await,
            UserAction::Demote { email } => users::set_admin(ops, &email, false).await,
            UserAction::List => users::list(ops).await,
            UserAction::SendReset { email } => users::send_reset(ops, &email).await,
            UserAction::Delete { email, yes } => users::delete(ops, &email, yes).await,
        },
        Command::Jobs { action } => match action {
            JobsAction::List => background::list_jobs(ops).await,
            JobsAction::Run { name } => background::run_job(ops, &name).await,
        },
        Command::Outbox { action } => match action {
            OutboxAction::List { limit } => background::list_outbox(ops, limit).await,
            OutboxAction::Retry => background::retry_outbox(ops).await,
        },
        command @ (Command::Ping { .. } | Command::Completions { .. }) => {
            offline(&command).unwrap_or(Ok(()))
        }
    }
}
