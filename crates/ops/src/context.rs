//! What every command acts on: the configured environment and database, the operator's name
//! for the log, and the guard-rails.

use chrono::Utc;
use ninepanels_domain::clock::{Clock, SystemClock};
use ninepanels_domain::config::{Config, ConfigError, Environment};
use ninepanels_persistence::DatabaseConnection;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

/// Why a command did not do its work, as one line.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("{}", for_operators(.0))]
    Domain(#[from] ninepanels_domain::Error),
}

/// An error as an operator needs it: what failed and why, not the sentence an API client is
/// shown ("temporarily unavailable") nor the driver's wrapping.
fn for_operators(e: &ninepanels_domain::Error) -> String {
    use ninepanels_domain::ErrorKind::{Internal, Unavailable};
    let context = tidy(&e.context_msg);
    match e.kind {
        _ if context.is_empty() => e.detail.clone(),
        Unavailable | Internal => context,
        _ => format!("{} ({context})", e.detail),
    }
}

/// Drops the driver's prefixes and the PostgreSQL source line from a database error.
fn tidy(message: &str) -> String {
    let mut text = message.to_owned();
    for noise in [
        "Connection Error: ",
        "Execution Error: ",
        "Query Error: ",
        "error returned from database: ",
    ] {
        text = text.replace(noise, "");
    }
    if let Some(at) = text.rfind(" at line ")
        && text[at + 9..].chars().all(|c| c.is_ascii_digit())
    {
        text.truncate(at);
    }
    text
}

#[derive(Debug)]
pub struct Ops {
    pub config: Config,
    pub db: DatabaseConnection,
    pub backups_dir: PathBuf,
    /// How many backups of each kind a new backup leaves (`BACKUP_KEEP`); `None` keeps all.
    pub keep: Option<u32>,
    /// Who runs the command, for `ops_log`.
    pub actor: String,
}

impl Ops {
    /// Reads the configuration, says what it will act on, and connects.
    pub async fn connect(backups_dir: PathBuf, keep: Option<u32>) -> Result<Self, OpsError> {
        let config = Config::from_env()?;
        println!(
            "environment: {}  database: {}",
            config.env,
            config.database.url.redacted()
        );
        let db = ninepanels_persistence::connect(&config.database).await?;
        let actor = std::env::var("NINEPANELS_OPERATOR")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "unknown".to_owned());
        Ok(Self {
            config,
            db,
            backups_dir,
            keep,
            actor,
        })
    }

    pub async fn close(&self) {
        self.db.clone().close().await.ok();
    }

    /// The API's use cases over this database, for commands that act as the API would (their
    /// must-deliver events go to the outbox; nothing else is emitted).
    pub fn app(&self) -> ninepanels_app::App {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let (bus, _inbox) = ninepanels_events::EventBus::new(1, clock.clone(), Arc::default());
        let repositories = ninepanels_persistence::repositories(&self.db);
        ninepanels_app::App::new(&self.config, &repositories, Arc::new(bus), clock)
    }

    pub fn env(&self) -> Environment {
        self.config.env
    }

    /// Refuses `what` on MAIN.
    pub fn refuse_on_main(&self, what: &str) -> Result<(), OpsError> {
        if self.env() == Environment::Main {
            return Err(OpsError::Refused(format!("{what} is not allowed on MAIN")));
        }
        Ok(())
    }

    /// Asks the operator to type the environment's name, unless `yes`.
    pub fn confirm(&self, what: &str, yes: bool) -> Result<(), OpsError> {
        if yes {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(OpsError::Refused(format!(
                "{what} needs confirmation: run it in a terminal or pass --yes"
            )));
        }
        println!("{what} on {}: type {} to go on:", self.env(), self.env());
        let mut answer = String::new();
        stdin
            .lock()
            .read_line(&mut answer)
            .map_err(|e| OpsError::Usage(e.to_string()))?;
        if answer.trim() != self.env().as_str() {
            return Err(OpsError::Refused("not confirmed".to_owned()));
        }
        Ok(())
    }

    /// Fails unless every migration is applied (commands that write data need the schema).
    pub async fn require_current_schema(&self) -> Result<(), OpsError> {
        let pending = ninepanels_persistence::pending_migrations(&self.db).await?;
        if pending > 0 {
            return Err(OpsError::Usage(format!(
                "the database is {pending} migrations behind: run `ninepanels-ops migrate up` first"
            )));
        }
        Ok(())
    }

    /// Writes a destructive command to `ops_log`. Before the first migration there is no such
    /// table yet: then the line goes to the terminal only, and the command goes on.
    pub async fn log(&self, command: &str, detail: &str) -> Result<(), OpsError> {
        let env = self.env();
        let written = ninepanels_persistence::admin::log_operation(
            &self.db,
            Utc::now(),
            &self.actor,
            env.as_str(),
            command,
            detail,
        )
        .await;
        if written.is_err() && ninepanels_persistence::pending_migrations(&self.db).await? > 0 {
            eprintln!(
                "note: the ops log table does not exist yet (migrations pending); not recorded: {command} {detail}"
            );
            return Ok(());
        }
        Ok(written?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninepanels_domain::Error;

    #[test]
    fn database_failures_say_what_failed_without_the_api_sentence() {
        let e = Error::unavailable(
            "cannot connect to postgres://postgres@127.0.0.1:5432/gone: Connection Error: error \
             returned from database: database \"gone\" does not exist at line 948",
        );
        assert_eq!(
            OpsError::from(e).to_string(),
            "cannot connect to postgres://postgres@127.0.0.1:5432/gone: database \"gone\" does not exist"
        );
        let e = Error::invalid("email: not a valid email address");
        assert_eq!(
            OpsError::from(e).to_string(),
            "email: not a valid email address"
        );
    }
}
