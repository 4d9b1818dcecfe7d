//! Totals over a period ("Reading: 17 of 31 days in January") and a panel's year as one
//! character per day, in the user's zone or the call's `tz`. Each reads the latest entry of the
//! days it shows and no other, whatever the number of taps or years kept.

use crate::calendar::Calendar;
use crate::marks::{DayRange, marks};
use chrono::{Datelike, Days, NaiveDate};
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::{Panel, PanelId};
use ninepanels_domain::ports::{EntryRepository, PanelRepository, Repositories};
use ninepanels_domain::tally::consistency;
use ninepanels_domain::user::User;
use ninepanels_domain::{Error, Result};
use std::sync::Arc;

/// The longest period a summary covers, in days.
pub const MAX_SUMMARY_DAYS: i64 = 3660;

/// The days a summary covers when the call names neither end.
const DEFAULT_DAYS: u64 = 30;

/// The years a calendar may show.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// One panel's totals over a period: only its days from its creation day through today count.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub panel: Panel,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: u32,
    pub days_complete: u32,
    pub days_skipped: u32,
    pub consistency: f64,
}

/// A panel's year: `1` done, `0` not done, `s` rest day, `.` before its creation or after today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCalendar {
    pub panel_id: PanelId,
    pub year: i32,
    pub start: NaiveDate,
    pub days: String,
}

#[derive(Debug, Clone)]
pub struct Summaries {
    panels: Arc<dyn PanelRepository>,
    entries: Arc<dyn EntryRepository>,
    calendar: Calendar,
}

/// The period asked: both ends inclusive; without them, the 30 days ending `to` (today).
pub fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate)> {
    for (name, day) in [("from", from), ("to", to)] {
        if day.is_some_and(|day| !YEARS.contains(&day.year())) {
            return Err(Error::invalid(format!(
                "{name}: must be a day in the years {} to {}",
                YEARS.start(),
                YEARS.end()
            )));
        }
    }
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to - Days::new(DEFAULT_DAYS - 1));
    if from > to {
        return Err(Error::invalid("from: must not be after to"));
    }
    if (to - from).num_days() + 1 > MAX_SUMMARY_DAYS {
        return Err(Error::invalid(format!(
            "to: a summary covers at most {MAX_SUMMARY_DAYS} days"
        )));
    }
    Ok((from, to))
}

fn count(marks: &[Mark], mark: Mark) -> u32 {
    u32::try_from(marks.iter().filter(|m| **m == mark).count()).unwrap_or(u32::MAX)
}

impl Summaries {
    pub fn new(repos: &Repositories, calendar: Calendar) -> Self {
        Self {
            panels: repos.panels.clone(),
            entries: repos.entries.clone(),
            calendar,
        }
    }

    /// Each of the user's panels in position order, with its totals from `from` to `to`.
    pub async fn summary(
        &self,
        user: &User,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        tz: Option<&str>,
    ) -> Result<Vec<Summary>> {
        let today = self.calendar.today(user, tz)?;
        let (from, to) = period(from, to, today.date)?;
        let panels = self.panels.list(user.id).await?;
        let ranges: Vec<DayRange> = panels
            .iter()
            .map(|panel| DayRange {
                panel_id: panel.id,
                first: from.max(today.day_of(panel.created_at)),
                last: to.min(today.date),
            })
            .collect();
        let marks = marks(&*self.entries, today.zone, &ranges).await?;
        Ok(panels
            .into_iter()
            .zip(marks)
            .map(|(panel, marks)| {
                let days = u32::try_from(marks.len()).unwrap_or(u32::MAX);
                let days_complete = count(&marks, Mark::Done);
                let days_skipped = count(&marks, Mark::Rest);
                Summary {
                    panel,
                    from,
                    to,
                    days,
                    days_complete,
                    days_skipped,
                    consistency: consistency(days, days_complete, days_skipped),
                }
            })
            .collect())
    }

    /// The panel's `year` (this year by default), one character per day.
    pub async fn calendar(
        &self,
        user: &User,
        panel_id: PanelId,
        year: Option<i32>,
        tz: Option<&str>,
    ) -> Result<YearCalendar> {
        let today = self.calendar.today(user, tz)?;
        let year = year.unwrap_or(today.date.year());
        let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| YEARS.contains(&year)),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Err(Error::invalid(format!(
                "year: must be from {} to {}",
                YEARS.start(),
                YEARS.end()
            )));
        };
        let panel = self.panels.get(user.id, panel_id).await?;
        let range = DayRange {
            panel_id,
            first: start.max(today.day_of(panel.created_at)),
            last: end.min(today.date),
        };
        let marks = marks(&*self.entries, today.zone, &[range]).await?;
        let mut shown = marks.into_iter().flatten();
        let days = start
            .iter_days()
            .take_while(|day| *day <= end)
            .map(|day| {
                if day < range.first || day > range.last {
                    return '.';
                }
                match shown.next().unwrap_or_default() {
                    Mark::Done => '1',
                    Mark::Rest => 's',
                    Mark::NotDone => '0',
                }
            })
            .collect();
        Ok(YearCalendar {
            panel_id,
            year,
            start,
            days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_defaults_to_the_last_thirty_days_and_is_bounded() {
        let today = date(2027, 1, 31);
        assert_eq!(
            period(None, None, today).unwrap(),
            (date(2027, 1, 2), today)
        );
        let january = period(Some(date(2027, 1, 1)), Some(date(2027, 1, 31)), today);
        assert_eq!(january.unwrap(), (date(2027, 1, 1), date(2027, 1, 31)));
        assert_eq!(
            period(None, Some(date(2026, 12, 31)), today).unwrap(),
            (date(2026, 12, 2), date(2026, 12, 31))
        );
        let backwards = period(Some(date(2027, 2, 1)), Some(date(2027, 1, 1)), today);
        assert_eq!(backwards.unwrap_err().detail, "from: must not be after to");
        let long = period(Some(date(2000, 1, 1)), None, today).unwrap_err();
        assert!(
            long.detail
                .starts_with("to: a summary covers at most 3660 days")
        );
    }
}
