//! The `Mailer` port: how the server sends a message to a person.

use crate::error::Result;
use crate::user::Email;
use async_trait::async_trait;

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Email,
    pub subject: String,
    pub body: String,
}

#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    async fn send(&self, mail: Mail) -> Result<()>;
}
