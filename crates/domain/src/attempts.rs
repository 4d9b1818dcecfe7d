//! The rule of attempt limits: per key (an email, a client address), attempts are counted in a
//! fixed window from the first one; a key that has used up its limit is refused until its
//! window ends, and told how long that is.

use crate::error::{Error, ErrorKind};
use chrono::{DateTime, Duration, Utc};

/// One key's attempts in its current window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptCount {
    pub key: String,
    pub window_start: DateTime<Utc>,
    pub attempts: u32,
}

/// A key and the attempts it may make per window.
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    pub key: &'a str,
    pub per_window: u32,
}

/// Whole seconds until `end`, rounded up (a client that waits exactly that long is let in).
pub fn seconds_until(end: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let millis = (end - now).num_milliseconds().max(1);
    (millis + 999) / 1000
}

/// "40 seconds", "1 minute", "3 minutes": how long to wait, in words.
pub fn wait_in_words(seconds: i64) -> String {
    match seconds {
        1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", (s + 59) / 60),
    }
}

/// RateLimited, with the wait, when any of `limits` has used up its attempts in a window that
/// has not ended by `now`; `counts` are the keys' stored windows.
pub fn refusal(
    limits: &[Limit<'_>],
    counts: &[AttemptCount],
    window: Duration,
    now: DateTime<Utc>,
) -> Option<Error> {
    let wait = limits
        .iter()
        .filter_map(|limit| {
            let count = counts.iter().find(|c| c.key == limit.key)?;
            let end = count.window_start + window;
            (end > now && count.attempts >= limit.per_window).then(|| seconds_until(end, now))
        })
        .max()?;
    Some(
        Error::new(
            ErrorKind::RateLimited,
            format!(
                "Too many attempts; please try again in {}.",
                wait_in_words(wait)
            ),
        )
        .with_data("retry_after_secs", wait),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn count(key: &str, attempts: u32) -> AttemptCount {
        AttemptCount {
            key: key.to_owned(),
            window_start: t0(),
            attempts,
        }
    }

    #[test]
    fn a_key_is_refused_once_it_has_used_its_attempts_until_its_window_ends() {
        let window = Duration::seconds(60);
        let limits = [Limit {
            key: "email:ada",
            per_window: 5,
        }];
        assert!(refusal(&limits, &[count("email:ada", 4)], window, t0()).is_none());
        assert!(refusal(&limits, &[count("other", 9)], window, t0()).is_none());
        let refused = refusal(&limits, &[count("email:ada", 5)], window, t0()).unwrap();
        assert_eq!(refused.kind, ErrorKind::RateLimited);
        assert_eq!(
            refused.detail,
            "Too many attempts; please try again in 60 seconds."
        );
        let later = t0() + Duration::seconds(60);
        assert!(refusal(&limits, &[count("email:ada", 5)], window, later).is_none());
    }

    #[test]
    fn the_wait_is_rounded_up_and_said_in_words() {
        let end = t0() + Duration::seconds(60);
        assert_eq!(
            seconds_until(end, t0() + Duration::milliseconds(20_500)),
            40
        );
        assert_eq!(seconds_until(end, t0() + Duration::seconds(20)), 40);
        assert_eq!(seconds_until(end, end - Duration::milliseconds(1)), 1);
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(40), "40 seconds");
        assert_eq!(wait_in_words(119), "119 seconds");
        assert_eq!(wait_in_words(3_600), "60 minutes");
        assert_eq!(wait_in_words(121), "3 minutes");
    }

    #[test]
    fn the_longest_wait_of_the_refused_keys_is_told() {
        let window = Duration::seconds(3_600);
        let limits = [
            Limit {
                key: "addr",
                per_window: 2,
            },
            Limit {
                key: "email",
                per_window: 2,
            },
        ];
        let mut younger = count("email", 2);
        younger.window_start = t0() + Duration::seconds(600);
        let refused = refusal(&limits, &[count("addr", 2), younger], window, t0()).unwrap();
        assert!(
            refused
                .context_data
                .contains(&("retry_after_secs".into(), "4200".into()))
        );
        assert_eq!(
            refused.detail,
            "Too many attempts; please try again in 70 minutes."
        );
    }
}
