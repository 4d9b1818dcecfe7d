//! Times are stored as naive UTC timestamps (the old server's column type), to the microsecond.
//! SQLite holds them as text, `%Y-%m-%d %H:%M:%S%.f`: the form sqlx writes and SQLite's own
//! `datetime()` gives.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound, Utc};

/// The stored form of a UTC time, truncated to microseconds so both engines round-trip it.
pub fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A stored time that may be null in old rows; the Unix epoch stands in for a missing one.
pub fn from_db_or_epoch(at: Option<NaiveDateTime>) -> DateTime<Utc> {
    at.map_or(DateTime::UNIX_EPOCH, from_db)
}

/// A time as SQLite holds it, for statements that take times as text (inside JSON, say): the
/// naive time's display is the text sqlx writes (`%F %T%.f`), without a format to interpret.
pub fn to_sqlite_text(at: DateTime<Utc>) -> String {
    to_db(at).to_string()
}

/// A time from SQLite's text (for rows read on the calling thread); the `T`-separated and RFC 3339
/// forms an older tool may have written are read too.
pub fn from_sqlite_text(text: &str) -> Option<NaiveDateTime> {
    stored_form(text).or_else(|| {
        text.parse::<NaiveDateTime>().ok().or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|at| at.naive_utc())
        })
    })
}

/// `YYYY-MM-DD HH:MM:SS` with up to nine digits of fraction, the form every row written here
/// has, read digit by digit (chrono's parser interprets a format on every call).
fn stored_form(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if bytes.len() < 19 || separators.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0_u32, |n, &digit| {
            digit
                .is_ascii_digit()
                .then(|| n * 10 + u32::from(digit - b'0'))
        })
    };
    let nanos = match &bytes[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            number(fraction)? * 10_u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let year = i32::try_from(number(&bytes[0..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(&bytes[5..7])?, number(&bytes[8..10])?)?;
    let time = NaiveTime::from_hms_nano_opt(
        number(&bytes[11..13])?,
        number(&bytes[14..16])?,
        number(&bytes[17..19])?,
        nanos,
    )?;
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn times() -> [DateTime<Utc>; 5] {
        [
            Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0).unwrap(),
            Utc.timestamp_opt(1_780_000_000, 123_456_789).unwrap(),
            Utc.timestamp_opt(1_780_000_000, 120_000_000).unwrap(),
            Utc.timestamp_opt(1_780_000_000, 1_000).unwrap(),
            Utc.with_ymd_and_hms(999, 1, 2, 3, 4, 5).unwrap(),
        ]
    }

    #[test]
    fn sqlite_text_is_what_sqlx_writes() {
        for at in times() {
            assert_eq!(to_sqlite_text(at), to_db(at).format("%F %T%.f").to_string());
        }
    }

    #[test]
    fn sqlite_text_reads_back_to_the_stored_time() {
        for at in times() {
            assert_eq!(from_sqlite_text(&to_sqlite_text(at)), Some(to_db(at)));
        }
        let noon = Utc
            .with_ymd_and_hms(2026, 3, 8, 12, 0, 0)
            .unwrap()
            .naive_utc();
        for older in [
            "2026-03-08T12:00:00",
            "2026-03-08T12:00:00Z",
            "2026-03-08 12:00:00.000",
        ] {
            assert_eq!(from_sqlite_text(older), Some(noon), "{older}");
        }
        for bad in [
            "",
            "2026-03-08",
            "2026-13-08 12:00:00",
            "noon",
            "2026-03-08 12:00:00 junk",
            "2026-03-08 12:00:00.",
            "2026-03-08 12:00:00.1234567890",
            "2026-02-30 12:00:00",
            "2026-03-08 24:00:00",
            "2026-03-08 12:0x:00",
            "+026-03-08 12:00:00",
        ] {
            assert_eq!(from_sqlite_text(bad), None, "{bad}");
        }
    }
}
