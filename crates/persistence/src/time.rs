//! Times are stored as naive UTC timestamps (the old server's column type), to the microsecond.

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
