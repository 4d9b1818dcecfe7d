//! Signed-in users' rows, reused for `USER_CACHE_SECS` so a request needs no extra database
//! round trip to know who is calling. This process forgets a user at once when it changes or
//! deletes them; changes made by another process are seen within the same interval.

use ninepanels_domain::expiring::ExpiringMap;
use ninepanels_domain::user::{User, UserId};
use std::time::{Duration, Instant};

/// At most this many users are remembered; past it the cache forgets rather than grows.
const CAPACITY: usize = 10_000;

#[derive(Debug)]
pub struct UserCache {
    ttl: Duration,
    users: ExpiringMap<UserId, User, Instant>,
}

impl UserCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            users: ExpiringMap::new(CAPACITY),
        }
    }

    pub fn get(&self, id: UserId) -> Option<User> {
        self.users.get(&id, Instant::now())
    }

    pub fn put(&self, user: User) {
        if self.ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        self.users.insert(user.id, user, now + self.ttl, now);
    }

    pub fn forget(&self, id: UserId) {
        self.users.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninepanels_domain::user::{Email, PasswordHash};

    fn user(id: UserId) -> User {
        User {
            id,
            email: Email::parse("a@example.org").unwrap(),
            name: "A".into(),
            password_hash: PasswordHash::new("x"),
            is_admin: false,
            last_login: None,
            last_activity: None,
            time_zone: None,
            tokens_valid_after: None,
        }
    }

    #[test]
    fn rows_live_for_the_interval_and_can_be_forgotten() {
        let cache = UserCache::new(Duration::from_secs(60));
        cache.put(user(1));
        assert_eq!(cache.get(1).map(|u| u.id), Some(1));
        cache.forget(1);
        assert!(cache.get(1).is_none());
        let off = UserCache::new(Duration::ZERO);
        off.put(user(2));
        assert!(off.get(2).is_none());
    }
}
