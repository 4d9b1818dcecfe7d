//! Mail: `MAILER`, `MAIL_DIR`, `SMTP_URL`, `MAIL_FROM`, and `FRONTEND_URL`, where its links point.

use super::ConfigError;
use super::secret::Secret;
use super::vars::{Vars, is_web_address};
use std::path::PathBuf;

/// How mail leaves the server and what it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub mailer: MailerConfig,
    /// `MAIL_FROM` (`Nine Panels <no-reply@localhost>`).
    pub from: String,
    /// `FRONTEND_URL` (`http://localhost:5173`): the web client, where reset links point.
    pub frontend_url: String,
}

/// How mail leaves the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailerConfig {
    /// `MAILER=log` (the default): each message goes to the log and to one file in `MAIL_DIR`
    /// (`./mail`).
    Log { dir: PathBuf },
    /// `MAILER=smtp`: each message goes to the server at `SMTP_URL`.
    Smtp { url: Secret },
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            mailer: MailerConfig::Log {
                dir: PathBuf::from("./mail"),
            },
            from: "Nine Panels <no-reply@localhost>".to_owned(),
            frontend_url: "http://localhost:5173".to_owned(),
        }
    }
}

impl MailConfig {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let mut mail = Self::default();
        let mailer = vars.get("MAILER").map(|v| v.trim().to_ascii_lowercase());
        mail.mailer = match mailer.as_deref() {
            None | Some("log") => MailerConfig::Log {
                dir: vars
                    .get("MAIL_DIR")
                    .map_or_else(|| PathBuf::from("./mail"), |v| PathBuf::from(v.trim())),
            },
            Some("smtp") => MailerConfig::Smtp {
                url: smtp_url(vars)?,
            },
            Some(other) => {
                return Err(ConfigError::new(
                    "MAILER",
                    format!("'{other}' is not log or smtp"),
                ));
            }
        };
        if let Some(v) = vars.get("MAIL_FROM") {
            mail.from = v.trim().to_owned();
        }
        if let Some(v) = vars.get("FRONTEND_URL") {
            let v = v.trim().trim_end_matches('/');
            if !is_web_address(v) {
                return Err(ConfigError::new(
                    "FRONTEND_URL",
                    "must start with http:// or https://",
                ));
            }
            mail.frontend_url = v.to_owned();
        }
        Ok(mail)
    }
}

fn smtp_url(vars: &Vars<'_>) -> Result<Secret, ConfigError> {
    let url = vars.get("SMTP_URL").ok_or_else(|| {
        ConfigError::new(
            "SMTP_URL",
            "is required with MAILER=smtp (e.g. smtps://user:pass@smtp.example.org)",
        )
    })?;
    if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
        return Err(ConfigError::new(
            "SMTP_URL",
            "must start with smtp:// or smtps://",
        ));
    }
    Ok(Secret::new(url.trim()))
}
