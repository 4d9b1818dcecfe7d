//! Which `UserActive` events are worth sending: one per user per [`ACTIVITY_WRITE_INTERVAL`],
//! decided before the channel so the requests in between cost no event at all.

use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::expiring::ExpiringMap;
use ninepanels_domain::user::UserId;

/// Activity closer together than this is written once.
pub const ACTIVITY_WRITE_INTERVAL: Duration = Duration::minutes(1);

/// Users remembered at most; past it the throttle forgets (and lets an event more through).
const CAPACITY: usize = 10_000;

#[derive(Debug)]
pub struct ActivityThrottle {
    /// Users whose activity was recorded, until the interval after it has passed.
    recorded: ExpiringMap<UserId, (), DateTime<Utc>>,
}

impl Default for ActivityThrottle {
    fn default() -> Self {
        Self {
            recorded: ExpiringMap::new(CAPACITY),
        }
    }
}

impl ActivityThrottle {
    /// True when this user's activity at `at` should be recorded (and remembers that it was).
    pub fn take(&self, user_id: UserId, at: DateTime<Utc>) -> bool {
        self.recorded
            .insert_if_vacant(user_id, (), at + ACTIVITY_WRITE_INTERVAL, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn once_per_interval_per_user() {
        let throttle = ActivityThrottle::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        assert!(throttle.take(1, t0));
        assert!(!throttle.take(1, t0 + Duration::seconds(59)));
        assert!(throttle.take(2, t0 + Duration::seconds(59)));
        assert!(throttle.take(1, t0 + Duration::seconds(60)));
    }
}
