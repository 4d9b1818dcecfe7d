//! Logging: `LOG_LEVEL`, `LOG_FORMAT`, `LOG_JSON_FILE`, `LOG_DEBUG_FILE`.

use super::ConfigError;
use super::vars::Vars;
use std::path::PathBuf;

/// What is logged, how, and to which files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingConfig {
    /// `LOG_LEVEL` (`info`): a tracing filter such as `info,ninepanels_http=debug`.
    pub level: String,
    /// `LOG_FORMAT` (`text`, or `json`).
    pub format: LogFormat,
    /// `LOG_JSON_FILE` (unset): also JSON lines at INFO to this file.
    pub json_file: Option<PathBuf>,
    /// `LOG_DEBUG_FILE` (unset): also DEBUG lines with target, file and line to this file.
    pub debug_file: Option<PathBuf>,
}

/// Log output on the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
            json_file: None,
            debug_file: None,
        }
    }
}

impl LoggingConfig {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let mut logging = Self::default();
        if let Some(v) = vars.get("LOG_LEVEL") {
            logging.level = v.trim().to_owned();
        }
        if let Some(v) = vars.get("LOG_FORMAT") {
            logging.format = match v.trim().to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::new(
                        "LOG_FORMAT",
                        format!("'{v}' is not text or json"),
                    ));
                }
            };
        }
        logging.json_file = vars.get("LOG_JSON_FILE").map(|v| v.trim().into());
        logging.debug_file = vars.get("LOG_DEBUG_FILE").map(|v| v.trim().into());
        Ok(logging)
    }
}
