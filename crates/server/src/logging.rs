//! Tracing set-up: human lines (or JSON) on the console at the configured level; sqlx and
//! sea-orm statement chatter kept at WARN.

use ninepanels_domain::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Call once, before anything logs.
pub fn init(config: &Config) {
    let directives = format!(
        "{},sqlx=warn,sea_orm=warn,sea_orm_migration=warn",
        config.log_level
    );
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| {
        eprintln!(
            "ninepanels: warning: LOG_LEVEL '{}' is not a valid filter; using info",
            config.log_level
        );
        EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let installed = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}
