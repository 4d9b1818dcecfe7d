//! Password reset: a one-time link by mail, and a new password set with its token.

use super::Accounts;
use crate::auth::rate_limit::AttemptKeys;
use chrono::Duration;
use ninepanels_domain::events::{MustDeliver, PasswordResetCompleted, PasswordResetRequested};
use ninepanels_domain::seal::Sealer;
use ninepanels_domain::user::{Email, Password, User};
use ninepanels_domain::{Error, Result};
use sha2::{Digest, Sha256};

/// What a reset with a wrong, used or expired token (or an unknown email) is told.
pub const RESET_TOKEN_REFUSED: &str = "Please request a new password reset token.";

#[derive(Debug, Clone)]
pub(super) struct ResetSettings {
    pub sealer: Sealer,
    /// Where the web client's reset page lives.
    pub frontend_url: String,
    /// How long a link works.
    pub lifetime: Duration,
}

/// Only the token's hash is stored.
fn hash_reset_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Accounts {
    /// Mails a reset link when the email has an account, and answers the same either way.
    /// Every request counts against the limits, since each may send a mail.
    pub async fn request_reset(&self, email: &Email, address: &str) -> Result<()> {
        let keys = AttemptKeys::new("reset", address, email.as_str());
        self.check_attempts(&keys).await?;
        self.auth
            .limiter
            .count(&keys.both(), self.clock.now())
            .await?;
        let Some(user) = self.users.find_by_email(email).await? else {
            return Ok(());
        };
        self.send_reset_link(&user).await
    }

    /// Mails `user` a new reset link through the outbox, with no limit: for operators helping
    /// someone who cannot sign in. The link works for the configured lifetime.
    pub async fn send_reset_link(&self, user: &User) -> Result<()> {
        let token = {
            use rand::Rng;
            hex::encode(rand::rng().random::<[u8; 32]>())
        };
        let now = self.clock.now();
        let expires_at = now + self.reset.lifetime;
        let link = format!(
            "{}/password_reset?email={}&password_reset_token={}",
            self.reset.frontend_url,
            form_urlencoded::byte_serialize(user.email.as_str().as_bytes()).collect::<String>(),
            token
        );
        let mail = MustDeliver::from(PasswordResetRequested {
            user_id: user.id,
            email: user.email.as_str().to_owned(),
            reset_link: self.reset.sealer.seal(&link),
            expires_at,
        });
        let mail = self.events.draft(&mail, now);
        let token_hash = hash_reset_token(&token);
        self.tokens
            .create_reset_token(user.id, &token_hash, now, expires_at, vec![mail])
            .await?;
        self.events.outbox_written();
        Ok(())
    }

    /// Sets the new password when `token` is the user's live reset token, which then dies with
    /// the user's other links. Unauthorized with [`RESET_TOKEN_REFUSED`] otherwise.
    pub async fn complete_reset(
        &self,
        email: &str,
        token: &str,
        new_password: &Password,
    ) -> Result<()> {
        let refused = || Error::unauthorized(RESET_TOKEN_REFUSED);
        let Ok(email) = Email::parse(email) else {
            return Err(refused());
        };
        let Some(user) = self.users.find_by_email(&email).await? else {
            return Err(refused());
        };
        let new_hash = self.auth.passwords.hash(new_password).await?;
        let now = self.clock.now();
        let audit = MustDeliver::from(PasswordResetCompleted { user_id: user.id });
        let audit = self.events.draft(&audit, now);
        let token_hash = hash_reset_token(token.trim());
        let done = self
            .tokens
            .complete_password_reset(user.id, &token_hash, &new_hash, now, vec![audit])
            .await?;
        if !done {
            return Err(refused());
        }
        self.auth.users.forget(user.id);
        self.events.outbox_written();
        Ok(())
    }
}
