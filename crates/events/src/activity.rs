//! Which `UserActive` events are worth sending: one per user per [`ACTIVITY_WRITE_INTERVAL`],
//! decided before the channel so the requests in between cost no event at all.

use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::user::UserId;
use std::collections::HashMap;
use std::sync::Mutex;

/// Activity closer together than this is written once.
pub const ACTIVITY_WRITE_INTERVAL: Duration = Duration::minutes(1);

/// Above this many users, those not seen within the interval are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct ActivityThrottle {
    last: Mutex<HashMap<UserId, DateTime<Utc>>>,
}

impl ActivityThrottle {
    /// True when this user's activity at `at` should be recorded (and remembers that it was).
    pub fn take(&self, user_id: UserId, at: DateTime<Utc>) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = last.get(&user_id)
            && at - *previous < ACTIVITY_WRITE_INTERVAL
        {
            return false;
        }
        if last.len() > SWEEP_ABOVE {
            last.retain(|_, seen| at - *seen < ACTIVITY_WRITE_INTERVAL);
        }
        last.insert(user_id, at);
        true
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
