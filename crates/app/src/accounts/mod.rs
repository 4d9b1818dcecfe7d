//! Accounts: signing up, in and out, password reset, and changing or deleting one's own account.

mod profile;
mod reset;
mod sign_in;

pub use profile::ProfilePatch;
pub use reset::RESET_TOKEN_REFUSED;
pub use sign_in::{SignedIn, WRONG_CREDENTIALS};

use crate::auth::Auth;
use crate::auth::rate_limit::AttemptKeys;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use ninepanels_domain::attempts::AttemptCount;
use ninepanels_domain::clock::Clock;
use ninepanels_domain::config::{Config, RateLimits};
use ninepanels_domain::events::{MustDeliver, UserCreated, UserDeleted};
use ninepanels_domain::ports::{Announce, Events, Repositories, TokenRepository, UserRepository};
use ninepanels_domain::seal::Sealer;
use ninepanels_domain::user::{Email, NewUser, Password, TimeZone, User, UserId, UserName};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Accounts {
    users: Arc<dyn UserRepository>,
    tokens: Arc<dyn TokenRepository>,
    auth: Arc<Auth>,
    events: Arc<dyn Events>,
    clock: Arc<dyn Clock>,
    limits: RateLimits,
    reset: reset::ResetSettings,
    default_time_zone: TimeZone,
}

/// What a new account is made of, each part already valid.
#[derive(Debug)]
pub struct SignUp {
    pub email: Email,
    pub name: UserName,
    pub password: Password,
    /// `None` takes the server's default zone.
    pub time_zone: Option<TimeZone>,
}

impl Accounts {
    pub fn new(
        config: &Config,
        repos: &Repositories,
        auth: Arc<Auth>,
        events: Arc<dyn Events>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users: repos.users.clone(),
            tokens: repos.tokens.clone(),
            auth,
            events,
            clock,
            limits: config.auth.rate_limits,
            reset: reset::ResetSettings {
                sealer: Sealer::new(&config.auth.jwt_secret),
                frontend_url: config.mail.frontend_url.clone(),
                lifetime: chrono::Duration::minutes(config.auth.password_reset_expire_minutes),
            },
            default_time_zone: config.auth.default_time_zone,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Refuses (429) when the address or the email has used up its attempts of `keys`.
    pub async fn check_attempts(&self, keys: &AttemptKeys) -> Result<Vec<AttemptCount>> {
        let limits = keys.limits(self.limits);
        self.auth.limiter.check(&limits, self.clock.now()).await
    }

    /// Creates the account; its welcome mail is written to the outbox in the same transaction.
    /// Conflict when the email is taken.
    pub async fn sign_up(&self, form: SignUp) -> Result<User> {
        let password_hash = self.auth.passwords.hash(&form.password).await?;
        let now = self.clock.now();
        let events = self.events.clone();
        let welcome: Announce<User> = Box::new(move |user: &User| {
            let event = MustDeliver::from(UserCreated {
                user_id: user.id,
                email: user.email.as_str().to_owned(),
                name: user.name.clone(),
            });
            vec![events.draft(&event, now)]
        });
        let new_user = NewUser {
            email: form.email,
            name: form.name,
            password_hash,
            time_zone: form.time_zone.unwrap_or(self.default_time_zone),
            is_admin: false,
        };
        let user = self.users.create(new_user, welcome).await?;
        self.events.outbox_written();
        Ok(user)
    }

    /// Deletes the account with its panels, entries and tokens; the audit record is written in
    /// the same transaction.
    pub async fn delete_me(&self, user_id: UserId) -> Result<()> {
        let audit = MustDeliver::from(UserDeleted { user_id });
        let audit = self.events.draft(&audit, self.clock.now());
        self.users.delete(user_id, vec![audit]).await?;
        self.auth.users.forget(user_id);
        self.events.outbox_written();
        Ok(())
    }
}
