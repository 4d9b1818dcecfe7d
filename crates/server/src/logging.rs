//! Tracing set-up: human lines (or JSON) on the console at `LOG_LEVEL`; optionally JSON lines at
//! INFO in `LOG_JSON_FILE` and DEBUG lines with target, file and line in `LOG_DEBUG_FILE`. JSON
//! lines are flat, as aggregators index them: the request id and every other span field sit at
//! the top level beside the event's own. SQL statement chatter stays at WARN everywhere.

use ninepanels_domain::config::{Config, LogFormat};
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::Arc;
use tracing_flat_json::FlatJsonLayer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt};

const QUIET: &str = "sqlx=warn,sea_orm=warn,sea_orm_migration=warn,hyper=info,h2=info,tower=info,rustls=info,lettre=info";

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

fn filter(level: &str) -> Result<EnvFilter, String> {
    EnvFilter::try_new(format!("{level},{QUIET}"))
        .map_err(|e| format!("LOG_LEVEL: '{level}' is not a tracing filter ({e})"))
}

fn open(path: &Path, variable: &str) -> Result<Arc<File>, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{variable}: cannot create {}: {e}", dir.display()))?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(Arc::new)
        .map_err(|e| format!("{variable}: cannot open {}: {e}", path.display()))
}

/// Installs the global subscriber. Call once, before anything logs.
pub fn init(config: &Config) -> Result<(), String> {
    let console: BoxedLayer = match config.logging.format {
        LogFormat::Text => fmt::layer()
            .with_target(false)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .with_filter(filter(&config.logging.level)?)
            .boxed(),
        LogFormat::Json => FlatJsonLayer::new(std::io::stdout)
            .with_filter(filter(&config.logging.level)?)
            .boxed(),
    };
    let mut layers = vec![console];
    if let Some(path) = &config.logging.json_file {
        layers.push(
            FlatJsonLayer::new(open(path, "LOG_JSON_FILE")?)
                .with_filter(filter("info")?)
                .boxed(),
        );
    }
    if let Some(path) = &config.logging.debug_file {
        layers.push(
            fmt::layer()
                .with_ansi(false)
                .with_target(true)
                .with_file(true)
                .with_line_number(true)
                .with_writer(open(path, "LOG_DEBUG_FILE")?)
                .with_filter(filter("debug")?)
                .boxed(),
        );
    }
    if tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .is_err()
    {
        tracing::debug!("a tracing subscriber was already installed");
    }
    Ok(())
}
