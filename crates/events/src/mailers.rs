//! The `Mailer` implementations: a mail-drop folder (one file per message, also logged) for
//! development and tests, and SMTP through lettre for deployments. Config picks one.

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use ninepanels_domain::config::{MailConfig, MailerConfig};
use ninepanels_domain::mail::{Mail, Mailer};
use ninepanels_domain::{Error, Result};
use std::path::PathBuf;
use std::sync::Arc;

/// Writes each message to a file in a folder, and a line about it to the log.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: String,
}

impl FileMailer {
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            from: from.into(),
        }
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: Mail) -> Result<()> {
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| {
            Error::internal(format!("creating mail folder {}: {e}", self.dir.display()))
        })?;
        let name = format!(
            "{}_{}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
            uuid::Uuid::new_v4().simple()
        );
        let path = self.dir.join(name);
        let text = format!(
            "From: {}\nTo: {}\nSubject: {}\n\n{}",
            self.from, mail.to, mail.subject, mail.body
        );
        tokio::fs::write(&path, text)
            .await
            .map_err(|e| Error::internal(format!("writing {}: {e}", path.display())))?;
        tracing::info!(to = %mail.to.masked(), subject = %mail.subject, file = %path.display(), "mail written to the mail folder");
        Ok(())
    }
}

/// Sends through an SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Needs a running Tokio runtime (the connection pool lives on it).
    pub fn from_url(url: &str, from: &str) -> Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| Error::internal(format!("SMTP_URL is not usable: {e}")))?
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| Error::internal(format!("MAIL_FROM '{from}' is not a mailbox: {e}")))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<()> {
        let to = mail
            .to
            .as_str()
            .parse::<Mailbox>()
            .map_err(|e| Error::invalid(format!("email: cannot send to this address ({e})")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            // Without it the body is taken as ASCII, and a name like Zoë arrives garbled.
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|e| Error::internal(format!("building mail: {e}")))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| Error::unavailable(format!("SMTP send failed: {e}")))?;
        tracing::info!(to = %mail.to.masked(), subject = %mail.subject, "mail sent by SMTP");
        Ok(())
    }
}

/// Whether the configured mailer can send: the mail-drop folder is writable, or the SMTP server
/// answers (and takes the credentials in `SMTP_URL`). Says what it reached.
pub async fn check(config: &MailConfig) -> Result<String> {
    match &config.mailer {
        MailerConfig::Log { dir } => {
            let probe = dir.join(".ninepanels-check");
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&probe, b"check"))
                .and_then(|()| std::fs::remove_file(&probe))
                .map_err(|e| {
                    Error::unavailable(format!("cannot write to {}: {e}", dir.display()))
                })?;
            Ok(format!("mail goes to files in {}", dir.display()))
        }
        MailerConfig::Smtp { url } => {
            let mailer = SmtpMailer::from_url(url.expose(), &config.from)?;
            match mailer.transport.test_connection().await {
                Ok(true) => Ok("the SMTP server answers".to_owned()),
                Ok(false) => Err(Error::unavailable("the SMTP server did not accept us")),
                Err(e) => Err(Error::unavailable(format!("the SMTP server: {e}"))),
            }
        }
    }
}

/// The mailer the configuration asks for.
pub fn from_config(config: &MailConfig) -> Result<Arc<dyn Mailer>> {
    Ok(match &config.mailer {
        MailerConfig::Log { dir } => Arc::new(FileMailer::new(dir.clone(), config.from.clone())),
        MailerConfig::Smtp { url } => Arc::new(SmtpMailer::from_url(url.expose(), &config.from)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninepanels_domain::user::Email;

    #[tokio::test]
    async fn the_file_mailer_writes_one_file_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(dir.path().join("mail"), "Nine Panels <no-reply@localhost>");
        for subject in ["one", "two"] {
            mailer
                .send(Mail {
                    to: Email::parse("ada@example.org").unwrap(),
                    subject: subject.to_owned(),
                    body: "hello".to_owned(),
                })
                .await
                .unwrap();
        }
        let files: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 2);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(
            text.starts_with(
                "From: Nine Panels <no-reply@localhost>\nTo: ada@example.org\nSubject: "
            )
        );
        assert!(text.ends_with("\n\nhello"));
    }

    #[tokio::test]
    async fn smtp_is_built_from_its_url() {
        assert!(
            SmtpMailer::from_url("smtp://127.0.0.1:2525", "Nine Panels <no-reply@localhost>")
                .is_ok()
        );
        assert!(SmtpMailer::from_url("smtp://127.0.0.1:2525", "not a mailbox").is_err());
    }
}
