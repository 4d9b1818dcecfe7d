//! Calendar days in a person's own time zone, and the day series every history, consistency
//! and streak figure is computed from: for each local day from a panel's creation day to
//! today, that day's latest entry. Built in one pass over the entries.

use crate::entry::{DaySpan, Entry, Mark};
use crate::panel::PanelId;
use crate::user::TimeZone;
use chrono::{DateTime, Days, LocalResult, NaiveDate, TimeZone as _, Utc};

/// The local calendar day of an instant.
pub fn local_date(at: DateTime<Utc>, zone: TimeZone) -> NaiveDate {
    at.with_timezone(&zone.tz()).date_naive()
}

/// The first instant of a local day. Where midnight does not exist (a daylight-saving gap at
/// midnight), the day starts at the first local time that does.
pub fn day_start(date: NaiveDate, zone: TimeZone) -> DateTime<Utc> {
    let tz = zone.tz();
    let mut local = date.and_time(chrono::NaiveTime::MIN);
    for _ in 0..48 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(earliest, _) => return earliest.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(30),
        }
    }
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The spans of consecutive local days of a panel from `first` on, each with its date: a day's
/// end is the next one's start, so each day's bounds are worked out once.
pub fn day_spans(
    panel_id: PanelId,
    first: NaiveDate,
    zone: TimeZone,
) -> impl Iterator<Item = (NaiveDate, DaySpan)> {
    let mut start = day_start(first, zone);
    first.iter_days().map(move |date| {
        let end = day_start(date.succ_opt().unwrap_or(date), zone);
        let span = DaySpan {
            panel_id,
            start,
            end,
        };
        start = end;
        (date, span)
    })
}

/// Streak figures over a day series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streaks {
    /// Complete days in a row ending today, or ending yesterday while today is not yet done.
    pub current: u32,
    pub longest: u32,
    pub longest_start: Option<NaiveDate>,
    pub longest_end: Option<NaiveDate>,
}

/// For each local day from `first_day` to `today`, the day's latest entry.
#[derive(Debug, Clone)]
pub struct DaySeries<'a> {
    first_day: NaiveDate,
    days: Vec<Option<&'a Entry>>,
}

impl<'a> DaySeries<'a> {
    /// `entries` may come in any order; entries outside the days are ignored.
    pub fn build(
        created_at: DateTime<Utc>,
        today: NaiveDate,
        zone: TimeZone,
        entries: impl IntoIterator<Item = &'a Entry>,
    ) -> Self {
        let first_day = local_date(created_at, zone).min(today);
        let len = (today - first_day).num_days() as usize + 1;
        let mut days: Vec<Option<&Entry>> = vec![None; len];
        for entry in entries {
            let day = local_date(entry.timestamp, zone);
            let Ok(index) = usize::try_from((day - first_day).num_days()) else {
                continue;
            };
            let Some(slot) = days.get_mut(index) else {
                continue;
            };
            let newer =
                slot.is_none_or(|held| (entry.timestamp, entry.id) >= (held.timestamp, held.id));
            if newer {
                *slot = Some(entry);
            }
        }
        Self { first_day, days }
    }

    /// The number of days, creation day and today included.
    pub fn age(&self) -> usize {
        self.days.len()
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    pub fn today(&self) -> NaiveDate {
        self.date_at(self.days.len() - 1)
    }

    pub fn date_at(&self, index: usize) -> NaiveDate {
        self.first_day + Days::new(index as u64)
    }

    /// The latest entry of each day, oldest day first.
    pub fn days(&self) -> &[Option<&'a Entry>] {
        &self.days
    }

    fn mark(slot: &Option<&Entry>) -> Mark {
        slot.map_or(Mark::NotDone, Entry::mark)
    }

    /// Whether today's latest entry is complete.
    pub fn is_complete_today(&self) -> bool {
        self.days
            .last()
            .is_some_and(|d| Self::mark(d).is_complete())
    }

    pub fn days_complete(&self) -> usize {
        self.count(Mark::Done)
    }

    pub fn days_skipped(&self) -> usize {
        self.count(Mark::Rest)
    }

    fn count(&self, mark: Mark) -> usize {
        self.days.iter().filter(|d| Self::mark(d) == mark).count()
    }

    /// `days_complete / (age - days_skipped)`, in 0..=1.
    pub fn consistency(&self) -> f64 {
        let whole = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        crate::tally::consistency(
            whole(self.age()),
            whole(self.days_complete()),
            whole(self.days_skipped()),
        )
    }

    /// Runs of complete days; rest days between them neither break nor extend a run.
    pub fn streaks(&self) -> Streaks {
        let mut streaks = Streaks::default();
        let mut run = 0u32;
        let mut run_start = None;
        for (index, slot) in self.days.iter().enumerate() {
            match Self::mark(slot) {
                Mark::Done => {
                    if run == 0 {
                        run_start = Some(self.date_at(index));
                    }
                    run += 1;
                    if run > streaks.longest {
                        streaks.longest = run;
                        streaks.longest_start = run_start;
                        streaks.longest_end = Some(self.date_at(index));
                    }
                }
                Mark::Rest => {}
                Mark::NotDone => run = 0,
            }
        }
        let open_today = usize::from(self.days.last().map(Self::mark) == Some(Mark::NotDone));
        streaks.current = self
            .days
            .iter()
            .rev()
            .skip(open_today)
            .map(Self::mark)
            .take_while(|mark| *mark != Mark::NotDone)
            .filter(|mark| *mark == Mark::Done)
            .count() as u32;
        streaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::parse(name).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn entry(id: i32, at: DateTime<Utc>, is_complete: bool) -> Entry {
        Entry {
            id,
            is_complete,
            is_skip: false,
            panel_id: 1,
            timestamp: at,
        }
    }

    #[test]
    fn half_past_eleven_local_counts_for_that_local_day() {
        // 23:30 in Los Angeles on 10 March (PDT, UTC-7) is 06:30 UTC on 11 March.
        let la = zone("America/Los_Angeles");
        assert_eq!(local_date(utc(2026, 3, 11, 6, 30), la), date(2026, 3, 10));
        // 23:30 in Auckland on 5 April (NZST, UTC+12 after the change) is 11:30 UTC that day.
        let akl = zone("Pacific/Auckland");
        assert_eq!(local_date(utc(2026, 4, 5, 11, 30), akl), date(2026, 4, 5));
        assert_eq!(local_date(utc(2026, 4, 5, 12, 30), akl), date(2026, 4, 6));
    }

    #[test]
    fn days_start_at_local_midnight_across_daylight_saving() {
        let la = zone("America/Los_Angeles");
        assert_eq!(day_start(date(2026, 3, 8), la), utc(2026, 3, 8, 8, 0));
        assert_eq!(day_start(date(2026, 3, 9), la), utc(2026, 3, 9, 7, 0));
        let akl = zone("Pacific/Auckland");
        assert_eq!(day_start(date(2026, 4, 5), akl), utc(2026, 4, 4, 11, 0));
        assert_eq!(day_start(date(2026, 4, 6), akl), utc(2026, 4, 5, 12, 0));
        // Santiago skips midnight when summer time starts: the day begins at 01:00.
        let scl = zone("America/Santiago");
        assert_eq!(day_start(date(2026, 9, 6), scl), utc(2026, 9, 6, 4, 0));
    }

    #[test]
    fn day_spans_follow_on_across_daylight_saving() {
        let la = zone("America/Los_Angeles");
        let spans: Vec<(NaiveDate, DaySpan)> = day_spans(7, date(2026, 3, 7), la).take(3).collect();
        let bounds: Vec<_> = spans.iter().map(|(d, s)| (*d, s.start, s.end)).collect();
        assert_eq!(
            bounds,
            [
                (
                    date(2026, 3, 7),
                    utc(2026, 3, 7, 8, 0),
                    utc(2026, 3, 8, 8, 0)
                ),
                (
                    date(2026, 3, 8),
                    utc(2026, 3, 8, 8, 0),
                    utc(2026, 3, 9, 7, 0)
                ),
                (
                    date(2026, 3, 9),
                    utc(2026, 3, 9, 7, 0),
                    utc(2026, 3, 10, 7, 0)
                ),
            ]
        );
        assert!(spans.iter().all(|(_, s)| s.panel_id == 7));
    }

    #[test]
    fn the_latest_entry_of_each_day_wins_in_any_order() {
        let london = zone("Europe/London");
        let entries = [
            entry(3, utc(2026, 1, 2, 20, 0), false),
            entry(1, utc(2026, 1, 1, 9, 0), true),
            entry(2, utc(2026, 1, 2, 8, 0), true),
            entry(4, utc(2026, 1, 4, 8, 0), true),
            entry(5, utc(2025, 12, 1, 8, 0), true),
        ];
        let series = DaySeries::build(utc(2026, 1, 1, 7, 0), date(2026, 1, 4), london, &entries);
        let ids: Vec<Option<i32>> = series.days().iter().map(|d| d.map(|e| e.id)).collect();
        assert_eq!(ids, [Some(1), Some(3), None, Some(4)]);
        assert_eq!(series.age(), 4);
        assert_eq!(series.days_complete(), 2);
        assert!((series.consistency() - 0.5).abs() < f64::EPSILON);
        assert!(series.is_complete_today());
    }

    #[test]
    fn streaks_count_runs_and_keep_today_open() {
        let london = zone("Europe/London");
        let pattern = [true, true, false, true, true, true, false, true, true];
        let entries: Vec<Entry> = pattern
            .iter()
            .enumerate()
            .map(|(i, done)| entry(i as i32, utc(2026, 2, 1 + i as u32, 12, 0), *done))
            .collect();
        let today = date(2026, 2, 10);
        let series = DaySeries::build(utc(2026, 2, 1, 6, 0), today, london, &entries);
        let s = series.streaks();
        assert_eq!(s.longest, 3);
        assert_eq!(
            (s.longest_start, s.longest_end),
            (Some(date(2026, 2, 4)), Some(date(2026, 2, 6)))
        );
        assert_eq!(s.current, 2, "today is still open, yesterday's run counts");
        let with_today: Vec<Entry> = entries
            .iter()
            .cloned()
            .chain([entry(99, utc(2026, 2, 10, 18, 0), true)])
            .collect();
        let s = DaySeries::build(utc(2026, 2, 1, 6, 0), today, london, &with_today).streaks();
        assert_eq!((s.current, s.longest), (3, 3));
        assert_eq!(
            s.longest_start,
            Some(date(2026, 2, 4)),
            "the earliest of equal runs"
        );
        let none = DaySeries::build(utc(2026, 2, 1, 6, 0), today, london, &[]).streaks();
        assert_eq!(none, Streaks::default());
    }

    #[test]
    fn a_panel_created_today_is_one_day_old() {
        let series = DaySeries::build(utc(2026, 5, 1, 9, 0), date(2026, 5, 1), zone("UTC"), &[]);
        assert_eq!(series.age(), 1);
        assert_eq!(series.consistency(), 0.0);
    }
}
