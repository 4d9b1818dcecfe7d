//! "Today, in the user's zone or the call's `tz`": the one home of that rule.

use chrono::{DateTime, Days, NaiveDate, Utc};
use ninepanels_domain::clock::Clock;
use ninepanels_domain::days::{day_start, local_date};
use ninepanels_domain::user::{TimeZone, User};
use ninepanels_domain::{Error, Result};
use std::sync::Arc;

/// The clock and the zone of users who name none.
#[derive(Debug, Clone)]
pub struct Calendar {
    clock: Arc<dyn Clock>,
    default_zone: TimeZone,
}

/// A local day in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Today {
    pub zone: TimeZone,
    pub date: NaiveDate,
}

impl Today {
    /// Its first instant.
    pub fn start(&self) -> DateTime<Utc> {
        day_start(self.date, self.zone)
    }

    /// The first instant of the next day.
    pub fn end(&self) -> DateTime<Utc> {
        day_start(self.date + Days::new(1), self.zone)
    }

    /// The local day of `at`, never after today (a panel made "tomorrow" elsewhere starts today).
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        local_date(at, self.zone).min(self.date)
    }
}

impl Calendar {
    pub fn new(clock: Arc<dyn Clock>, default_zone: TimeZone) -> Self {
        Self {
            clock,
            default_zone,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The zone days are counted in: `tz` when the call names one, else the user's, else the
    /// server's default. A `tz` that is not a zone is refused as `tz: ...`.
    pub fn zone(&self, user: &User, tz: Option<&str>) -> Result<TimeZone> {
        match tz {
            Some(raw) => TimeZone::parse(raw)
                .map_err(|e| Error::invalid(e.detail.replacen("time_zone:", "tz:", 1))),
            None => Ok(user.zone_or(self.default_zone)),
        }
    }

    /// Today in that zone.
    pub fn today(&self, user: &User, tz: Option<&str>) -> Result<Today> {
        let zone = self.zone(user, tz)?;
        Ok(Today {
            zone,
            date: local_date(self.clock.now(), zone),
        })
    }
}
