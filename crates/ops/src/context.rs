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
    #[error("{}{}", .0.detail, if .0.context_msg.is_empty() { String::new() } else { format!(" ({})", .0.context_msg) })]
    Domain(#[from] ninepanels_domain::Error),
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
        let (bus, _inbox) = ninepanels_events::EventBus::new(1, clock.clone());
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
