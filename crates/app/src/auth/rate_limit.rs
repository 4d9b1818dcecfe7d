//! Sign-in failures and reset requests counted per email and per client address in the
//! database, so every server process counts the same attempts (the rule itself is
//! [`ninepanels_domain::attempts`]).

use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::Error;
use ninepanels_domain::attempts::{AttemptCount, Limit, refusal};
use ninepanels_domain::config::RateLimits;
use ninepanels_domain::ports::AttemptRepository;
use ninepanels_domain::user::Email;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Debug)]
pub struct RateLimiter {
    attempts: Arc<dyn AttemptRepository>,
    window: Duration,
}

/// The two keys an attempt counts against: its client address and its email.
#[derive(Debug, Clone)]
pub struct AttemptKeys {
    pub address: String,
    pub email: String,
}

impl AttemptKeys {
    /// Keys of `action` (`token`, `reset`). IPv6 addresses count by their /64, the block one
    /// client is usually given, so a client cannot step around the limit inside its own block.
    pub fn new(action: &str, address: &str, email: &str) -> Self {
        let address = match address.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            _ => address.to_owned(),
        };
        // A username longer than any email counts by its first `Email::MAX_LEN` characters: no
        // account has it, and the key stays short enough for the table's index.
        let email: String = email
            .trim()
            .to_lowercase()
            .chars()
            .take(Email::MAX_LEN)
            .collect();
        Self {
            address: format!("{action}:addr:{address}"),
            email: format!("{action}:email:{email}"),
        }
    }

    pub fn limits(&self, limits: RateLimits) -> [Limit<'_>; 2] {
        [
            Limit {
                key: &self.address,
                per_window: limits.per_address,
            },
            Limit {
                key: &self.email,
                per_window: limits.per_email,
            },
        ]
    }

    pub fn both(&self) -> [&str; 2] {
        [&self.address, &self.email]
    }
}

impl RateLimiter {
    pub fn new(attempts: Arc<dyn AttemptRepository>, window_secs: u64) -> Self {
        Self {
            attempts,
            window: Duration::seconds(i64::try_from(window_secs).unwrap_or(60)),
        }
    }

    /// RateLimited (with the wait) when a key has used up its attempts in its window; else the
    /// keys' counts in their current windows.
    pub async fn check(
        &self,
        limits: &[Limit<'_>],
        now: DateTime<Utc>,
    ) -> Result<Vec<AttemptCount>, Error> {
        let keys: Vec<&str> = limits.iter().map(|l| l.key).collect();
        let counts = self.attempts.counts(&keys, now - self.window).await?;
        match refusal(limits, &counts, self.window, now) {
            Some(refused) => {
                let action = keys.first().and_then(|k| k.split(':').next()).unwrap_or("");
                metrics::counter!("rate_limit_refusals_total", "action" => action.to_owned())
                    .increment(1);
                Err(refused)
            }
            None => Ok(counts),
        }
    }

    /// Counts one attempt against each of `keys`.
    pub async fn count(&self, keys: &[&str], now: DateTime<Utc>) -> Result<(), Error> {
        self.attempts.add(keys, now, now - self.window).await
    }

    /// Forgets the attempts of `key`.
    pub async fn clear(&self, key: &str) -> Result<(), Error> {
        self.attempts.clear(key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_action_and_group_ipv6_by_its_block() {
        let keys = AttemptKeys::new("token", "2001:db8:1:2:aaaa::1", " Ada@Example.org ");
        assert_eq!(keys.address, "token:addr:2001:db8:1:2::/64");
        assert_eq!(keys.email, "token:email:ada@example.org");
        let v4 = AttemptKeys::new("reset", "192.0.2.7", "b@example.org");
        assert_eq!(v4.address, "reset:addr:192.0.2.7");
        assert_eq!(
            AttemptKeys::new("token", "2001:db8:1:2:bbbb::9", "x").address,
            keys.address
        );
    }

    #[test]
    fn a_username_counts_by_at_most_the_longest_emails_length() {
        let long = format!("{}@example.org", "é".repeat(5000));
        let keys = AttemptKeys::new("token", "192.0.2.7", &long);
        let counted = keys.email.trim_start_matches("token:email:");
        assert_eq!(counted.chars().count(), Email::MAX_LEN);
        assert_eq!(counted, "é".repeat(Email::MAX_LEN));
    }
}
