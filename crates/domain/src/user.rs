//! Users and the value types that can only be built valid: email, name, time zone.

use crate::error::{Error, Result};
use crate::text::{refuse_control_characters, refuse_nul};
use chrono::{DateTime, Utc};
use std::fmt;

pub type UserId = i32;

/// The answer to a sign-up with an email that already has an account.
pub const EMAIL_TAKEN: &str = "Do you have an account already?";

/// An email address, trimmed and lower-cased, with one `@`, a local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self> {
        let email = raw.trim().to_lowercase();
        let invalid = || Error::invalid("email: not a valid email address");
        if email.is_empty() {
            return Err(Error::invalid("email: field required"));
        }
        if email.len() > Self::MAX_LEN || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    /// An email read back from storage: trusted as stored (old rows may predate validation),
    /// only lower-cased.
    pub fn from_stored(stored: &str) -> Self {
        Self(stored.trim().to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs at INFO: the first character of the local part, then `***@` and the domain
    /// (`a***@example.org`).
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: trimmed, 1-100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Error::invalid("name: must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Error::invalid(format!(
                "name: must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(Error::invalid("name: must not contain control characters"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name known to the tz database, such as `Europe/London`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self> {
        refuse_control_characters("time_zone", raw)?;
        raw.trim().parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            Error::invalid(format!(
                "time_zone: '{}' is not a known time zone (use an IANA name such as Europe/London)",
                raw.trim()
            ))
        })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// A plain-text password as typed; only its length and the absence of NUL are checked here. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self> {
        refuse_nul("password", raw)?;
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(Error::invalid(format!(
                "password: must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(Error::invalid(format!(
                "password: must be at most {} bytes",
                Self::MAX_BYTES
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A stored password hash in PHC (Argon2id) or bcrypt (`$2b$`) form. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn new(hash: impl Into<String>) -> Self {
        Self(hash.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// A stored user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub password_hash: PasswordHash,
    pub is_admin: bool,
    pub last_login: Option<DateTime<Utc>>,
    pub last_activity: Option<DateTime<Utc>>,
    /// `None` for users adopted from the old server; they get the configured default zone.
    pub time_zone: Option<TimeZone>,
    /// Access tokens issued before this instant are dead (set by a password reset).
    pub tokens_valid_after: Option<DateTime<Utc>>,
}

impl User {
    /// The user's zone, or the given default when the user has none stored.
    pub fn zone_or(&self, default: TimeZone) -> TimeZone {
        self.time_zone.unwrap_or(default)
    }
}

/// The token cut-off of every account this server creates. The old server's tokens carry no
/// issue time and count as issued at the epoch, so none of them opens an account made here,
/// not even one whose email once had an account there; this server's own tokens are all later.
pub fn created_here_cut_off() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + chrono::Duration::seconds(1)
}

/// A user about to be stored: every field already valid, the password already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: UserName,
    pub password_hash: PasswordHash,
    pub time_zone: TimeZone,
    pub is_admin: bool,
}

/// Changes to a user's own fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<UserName>,
    pub time_zone: Option<TimeZone>,
    pub password_hash: Option<PasswordHash>,
    pub is_admin: Option<bool>,
    pub tokens_valid_after: Option<DateTime<Utc>>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.time_zone.is_none()
            && self.password_hash.is_none()
            && self.is_admin.is_none()
            && self.tokens_valid_after.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn masked_emails_keep_the_first_letter_and_the_domain() {
        assert_eq!(
            Email::parse("Ada@Example.org").unwrap().masked(),
            "a***@example.org"
        );
        assert_eq!(Email::parse("b@x.io").unwrap().masked(), "b***@x.io");
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        let e = Email::parse("  Ada.Lovelace@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.org");
    }

    #[test]
    fn bad_emails_are_invalid() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@@example.org",
            "a da@example.org",
            "ada@example..org",
            "ada@-example.org",
        ] {
            let err = Email::parse(raw).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Invalid, "{raw:?}");
            assert!(err.detail.starts_with("email:"), "{raw:?}: {}", err.detail);
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(UserName::parse("  Zoë 🌱 ").unwrap().as_str(), "Zoë 🌱");
        assert!(UserName::parse("   ").is_err());
        assert!(UserName::parse(&"é".repeat(100)).is_ok());
        assert!(UserName::parse(&"é".repeat(101)).is_err());
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert_eq!(
            TimeZone::parse("Pacific/Auckland").unwrap().name(),
            "Pacific/Auckland"
        );
        let err = TimeZone::parse("Mars/Olympus_Mons").unwrap_err();
        assert!(err.detail.starts_with("time_zone:"));
        assert_eq!(
            TimeZone::parse("Europe/London\0").unwrap_err().detail,
            "time_zone: must not contain NUL characters"
        );
    }

    #[test]
    fn hostile_text_is_refused_in_every_field() {
        for raw in ["ada\0@example.org", "ada@exa\u{1b}mple.org"] {
            assert!(Email::parse(raw).is_err(), "{raw:?}");
        }
        for raw in ["Ada\0", "Ada\u{7}", "Ada\u{9b}"] {
            assert!(UserName::parse(raw).is_err(), "{raw:?}");
        }
        assert_eq!(
            Password::parse("long enough\0").unwrap_err().detail,
            "password: must not contain NUL characters"
        );
        assert!(Password::parse("long \u{1b}\t\r\n enough").is_ok());
    }

    #[test]
    fn passwords_have_a_minimum_length_and_hide_in_debug() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("long enough").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(
            format!("{:?}", PasswordHash::new("$argon2id$...")),
            "PasswordHash(***)"
        );
    }
}
