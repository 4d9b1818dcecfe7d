//! Signing in and out: limits, decoy hash, bcrypt upgrade, reset invalidation, token issue.

use super::Accounts;
use crate::auth::rate_limit::AttemptKeys;
use crate::auth::tokens::Claims;
use ninepanels_domain::events::{UserLoggedIn, UserLoggedOut};
use ninepanels_domain::user::{Email, Password, User, UserChanges};
use ninepanels_domain::{Error, Result};

/// What a wrong email or password is told, whichever it was.
pub const WRONG_CREDENTIALS: &str = "Incorrect email or password";

/// A successful sign-in: who, and the access token they now hold.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub access_token: String,
}

impl Accounts {
    /// Signs in from `address`. Only failures count against the limits, and once they are used
    /// up even the right password is refused until the window ends. An unknown email costs
    /// the same hash as a known one. An old server's bcrypt hash is replaced by Argon2id, and
    /// the user's outstanding reset links stop working.
    pub async fn sign_in(&self, username: &str, password: &str, address: &str) -> Result<SignedIn> {
        let keys = AttemptKeys::new("token", address, username);
        let counted = self.check_attempts(&keys).await?;
        let user = match Email::parse(username) {
            Ok(email) => self.users.find_by_email(&email).await?,
            Err(_) => None,
        };
        let verified = match &user {
            Some(user) => Some(
                self.auth
                    .passwords
                    .verify(password, &user.password_hash)
                    .await?,
            ),
            None => {
                self.auth.passwords.verify_decoy(password).await?;
                None
            }
        };
        let (Some(user), Some(verified)) = (user, verified.filter(|v| v.matches)) else {
            self.auth
                .limiter
                .count(&keys.both(), self.clock.now())
                .await?;
            metrics::counter!("sign_in_failures_total").increment(1);
            return Err(Error::unauthorized(WRONG_CREDENTIALS));
        };
        if counted.iter().any(|c| c.key == keys.email) {
            self.auth.limiter.clear(&keys.email).await?;
        }
        if verified.needs_rehash
            && let Ok(plain) = Password::parse(password)
        {
            self.upgrade_hash(&user, &plain).await?;
        }
        let now = self.clock.now();
        self.tokens.invalidate_reset_tokens(user.id, now).await?;
        let (access_token, _) = self.auth.keys.issue(user.id, now)?;
        let user_id = user.id;
        self.events.emit(UserLoggedIn { user_id }.into()).await;
        Ok(SignedIn { user, access_token })
    }

    async fn upgrade_hash(&self, user: &User, plain: &Password) -> Result<()> {
        let rehashed = self.auth.passwords.hash(plain).await?;
        let changes = UserChanges {
            password_hash: Some(rehashed),
            ..Default::default()
        };
        self.users.update(user.id, changes).await?;
        self.auth.users.forget(user.id);
        tracing::info!(user_id = user.id, "legacy bcrypt hash replaced by Argon2id");
        Ok(())
    }

    /// Signs out: the token presented stops working here at once and on every other process
    /// at its next revocation sync.
    pub async fn sign_out(
        &self,
        user_id: ninepanels_domain::user::UserId,
        claims: &Claims,
    ) -> Result<()> {
        self.auth.revocations.revoke(claims).await?;
        self.events.emit(UserLoggedOut { user_id }.into()).await;
        Ok(())
    }
}
