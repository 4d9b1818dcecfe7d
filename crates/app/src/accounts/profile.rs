//! Changing one's own name, time zone or password.

use super::Accounts;
use ninepanels_domain::events::UserUpdated;
use ninepanels_domain::user::{Password, TimeZone, User, UserChanges, UserName};
use ninepanels_domain::{Error, Result};

/// A change as asked for: any of the name, the zone, or a new password with the current one.
#[derive(Debug, Default, Clone)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub new_password: Option<String>,
    pub current_password: Option<String>,
}

impl Accounts {
    /// Applies the patch; a new password needs the current one to match.
    pub async fn update_me(&self, user: &User, patch: ProfilePatch) -> Result<User> {
        let mut changes = UserChanges {
            name: patch.name.as_deref().map(UserName::parse).transpose()?,
            time_zone: patch
                .time_zone
                .as_deref()
                .map(TimeZone::parse)
                .transpose()?,
            ..Default::default()
        };
        match (patch.new_password, patch.current_password) {
            (Some(new), Some(current)) => {
                let new = Password::parse(&new).map_err(|e| {
                    Error::invalid(e.detail.replacen("password:", "new_password:", 1))
                })?;
                let verified = self
                    .auth
                    .passwords
                    .verify(&current, &user.password_hash)
                    .await?;
                if !verified.matches {
                    return Err(Error::bad_request("Current password is incorrect."));
                }
                changes.password_hash = Some(self.auth.passwords.hash(&new).await?);
            }
            (Some(_), None) => return Err(Error::invalid("current_password: field required")),
            (None, Some(_)) => return Err(Error::invalid("new_password: field required")),
            (None, None) => {}
        }
        if changes.is_empty() {
            return Err(Error::invalid(
                "body: give at least one of name, time_zone, or new_password with current_password",
            ));
        }
        let updated = self.users.update(user.id, changes).await?;
        self.auth.users.forget(updated.id);
        let user_id = updated.id;
        self.events.emit(UserUpdated { user_id }.into()).await;
        Ok(updated)
    }
}
