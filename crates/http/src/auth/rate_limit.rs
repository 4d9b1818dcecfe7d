//! Fixed-window attempt counting per key (a client address or an email), in memory. Each
//! server process counts on its own.

use chrono::{DateTime, Duration, Utc};
use ninepanels_domain::Error;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    counts: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

/// Above this many keys, finished windows are swept out.
const SWEEP_ABOVE: usize = 10_000;

pub const RATE_LIMITED: &str = "Too many attempts; please wait a minute and try again.";

impl RateLimiter {
    pub fn new(window_secs: u64) -> Self {
        Self {
            window: Duration::seconds(i64::try_from(window_secs).unwrap_or(60)),
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt for `key`; RateLimited (with the seconds to wait) past `limit`.
    pub fn hit(&self, key: &str, limit: u32, now: DateTime<Utc>) -> Result<(), Error> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > SWEEP_ABOVE {
            counts.retain(|_, (start, _)| now - *start < self.window);
        }
        let (start, count) = counts.entry(key.to_owned()).or_insert((now, 0));
        if now - *start >= self.window {
            *start = now;
            *count = 0;
        }
        *count += 1;
        if *count > limit {
            let wait = (*start + self.window - now).num_seconds().max(1);
            return Err(
                Error::new(ninepanels_domain::ErrorKind::RateLimited, RATE_LIMITED)
                    .with_data("retry_after_secs", wait)
                    .with_data("key", key),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn counts_per_key_and_resets_after_the_window() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let limiter = RateLimiter::new(60);
        for _ in 0..3 {
            limiter.hit("a", 3, t).unwrap();
        }
        let err = limiter.hit("a", 3, t + Duration::seconds(20)).unwrap_err();
        assert!(
            err.context_data
                .contains(&("retry_after_secs".into(), "40".into()))
        );
        limiter.hit("b", 3, t).unwrap();
        limiter.hit("a", 3, t + Duration::seconds(60)).unwrap();
    }
}
