//! Times are stored as naive UTC timestamps (the old server's column type), to the microsecond.
//! SQLite holds them as text, `%Y-%m-%d %H:%M:%S%.f`: the form sqlx writes and SQLite's own
//! `datetime()` gives.

use chrono::format::{Fixed, Item, Numeric, Pad, Parsed, parse};
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

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

/// `%Y-%m-%d %H:%M:%S%.f`, parsed once here instead of on every read.
const SQLITE_TEXT: &[Item<'static>] = &[
    Item::Numeric(Numeric::Year, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Month, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Day, Pad::Zero),
    Item::Literal(" "),
    Item::Numeric(Numeric::Hour, Pad::Zero),
    Item::Literal(":"),
    Item::Numeric(Numeric::Minute, Pad::Zero),
    Item::Literal(":"),
    Item::Numeric(Numeric::Second, Pad::Zero),
    Item::Fixed(Fixed::Nanosecond),
];

/// A time from SQLite's text (for rows read as JSON); the `T`-separated and RFC 3339 forms an
/// older tool may have written are read too.
pub fn from_sqlite_text(text: &str) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    if parse(&mut parsed, text, SQLITE_TEXT.iter()).is_ok()
        && let Ok(at) = parsed.to_naive_datetime_with_offset(0)
    {
        return Some(at);
    }
    text.parse::<NaiveDateTime>().ok().or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| at.naive_utc())
    })
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
        ] {
            assert_eq!(from_sqlite_text(bad), None, "{bad}");
        }
    }
}
