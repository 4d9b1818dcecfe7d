//! Running figures of a panel's day series (complete days, the run ending at a day, the longest
//! run), added to one day at a time: consistency and streaks from a saved tally and the few days
//! after it, with [`DaySeries`](crate::days::DaySeries) as the whole-history reference.

use crate::days::Streaks;
use crate::entry::Mark;
use crate::panel::{Panel, PanelId};
use chrono::{DateTime, Days, NaiveDate, Utc};

/// The figures of the days from `first_day` through `through`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub first_day: NaiveDate,
    /// The last day counted; the day before `first_day` while none is.
    pub through: NaiveDate,
    pub days_complete: u32,
    /// Rest days.
    pub days_skipped: u32,
    /// Complete days in a row ending at `through` (rest days between them neither break nor
    /// extend it).
    pub run: u32,
    /// The first complete day of that run.
    pub run_start: Option<NaiveDate>,
    pub longest: u32,
    /// The first and the last complete day of the earliest longest run.
    pub longest_start: Option<NaiveDate>,
    pub longest_end: Option<NaiveDate>,
}

/// What consistency and streaks show of a panel on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Days from the first day through today.
    pub age: u32,
    pub days_complete: u32,
    pub days_skipped: u32,
    pub streaks: Streaks,
}

/// `days_complete / (age - days_skipped)`, in 0..=1; 0 when every day was a rest day.
pub fn consistency(age: u32, days_complete: u32, days_skipped: u32) -> f64 {
    let counted = age.saturating_sub(days_skipped);
    if counted == 0 {
        0.0
    } else {
        f64::from(days_complete) / f64::from(counted)
    }
}

impl Figures {
    pub fn consistency(&self) -> f64 {
        consistency(self.age, self.days_complete, self.days_skipped)
    }
}

/// A tally kept for a panel in one zone, with what it was counted from: it holds while the
/// panel's `created_at` and history revision are still these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedTally {
    pub panel_id: PanelId,
    pub created_at: DateTime<Utc>,
    pub revision: i64,
    pub tally: Tally,
}

/// A panel as its tallies see it: its history revision (which changes whenever an entry older
/// than a day is written or removed) and the tally saved for it in the zone asked, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelTally {
    pub panel: Panel,
    pub revision: i64,
    pub saved: Option<SavedTally>,
}

impl PanelTally {
    /// The saved tally when it still holds for this panel counted from `first_day`.
    pub fn valid(&self, first_day: NaiveDate) -> Option<Tally> {
        self.saved
            .filter(|s| {
                s.created_at == self.panel.created_at
                    && s.revision == self.revision
                    && s.tally.first_day == first_day
                    && s.tally.knows_rest_days()
            })
            .map(|s| s.tally)
    }
}

impl Tally {
    /// Whether this tally was counted by a server that knows rest days: one saved by an older
    /// build during a deploy has runs without their first days, and is counted again.
    pub fn knows_rest_days(&self) -> bool {
        (self.run == 0 || self.run_start.is_some())
            && (self.longest == 0 || self.longest_start.is_some())
    }

    /// No day counted yet.
    pub fn new(first_day: NaiveDate) -> Self {
        Self {
            first_day,
            through: first_day.pred_opt().unwrap_or(first_day),
            days_complete: 0,
            days_skipped: 0,
            run: 0,
            run_start: None,
            longest: 0,
            longest_start: None,
            longest_end: None,
        }
    }

    /// The first day not counted yet.
    pub fn next_day(&self) -> NaiveDate {
        if self.days() == 0 {
            self.first_day
        } else {
            self.through + Days::new(1)
        }
    }

    /// The number of days counted.
    pub fn days(&self) -> u32 {
        u32::try_from((self.through - self.first_day).num_days() + 1).unwrap_or(0)
    }

    /// Counts the next day by its mark.
    pub fn add_day(&mut self, mark: Mark) {
        self.through = self.next_day();
        match mark {
            Mark::Done => {
                self.days_complete += 1;
                if self.run == 0 {
                    self.run_start = Some(self.through);
                }
                self.run += 1;
                if self.run > self.longest {
                    self.longest = self.run;
                    self.longest_start = self.run_start;
                    self.longest_end = Some(self.through);
                }
            }
            Mark::Rest => self.days_skipped += 1,
            Mark::NotDone => {
                self.run = 0;
                self.run_start = None;
            }
        }
    }

    /// The figures on `today`, from this tally counted through yesterday: the current streak
    /// runs through today when today is done or rested, else it ends yesterday.
    pub fn finish(mut self, today: Mark) -> Figures {
        let yesterday_run = self.run;
        self.add_day(today);
        Figures {
            age: self.days(),
            days_complete: self.days_complete,
            days_skipped: self.days_skipped,
            streaks: Streaks {
                current: if today == Mark::NotDone {
                    yesterday_run
                } else {
                    self.run
                },
                longest: self.longest,
                longest_start: self.longest_start,
                longest_end: self.longest_end,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 2, d).unwrap()
    }

    fn counted(days: &[bool]) -> Tally {
        let mut tally = Tally::new(date(1));
        for &done in days {
            tally.add_day(Mark::of(done, false));
        }
        tally
    }

    #[test]
    fn days_follow_on_from_the_first() {
        let tally = Tally::new(date(1));
        assert_eq!((tally.days(), tally.next_day()), (0, date(1)));
        let tally = counted(&[true, false]);
        assert_eq!(
            (tally.days(), tally.through, tally.next_day()),
            (2, date(2), date(3))
        );
    }

    #[test]
    fn finishing_keeps_today_open_and_the_earliest_longest_run() {
        let figures = counted(&[true, true, false, true, true, true, false, true, true])
            .finish(Mark::NotDone);
        assert_eq!((figures.age, figures.days_complete), (10, 7));
        assert_eq!(figures.streaks.current, 2);
        assert_eq!(figures.streaks.longest, 3);
        assert_eq!(
            (figures.streaks.longest_start, figures.streaks.longest_end),
            (Some(date(4)), Some(date(6)))
        );
        let figures =
            counted(&[true, true, false, true, true, true, false, true, true]).finish(Mark::Done);
        assert_eq!((figures.streaks.current, figures.streaks.longest), (3, 3));
        assert_eq!(figures.streaks.longest_start, Some(date(4)));
    }

    #[test]
    fn a_panel_made_today_is_one_day_old() {
        let figures = Tally::new(date(1)).finish(Mark::NotDone);
        assert_eq!((figures.age, figures.days_complete), (1, 0));
        assert_eq!(figures.streaks, Streaks::default());
        assert_eq!(figures.consistency(), 0.0);
    }

    #[test]
    fn rest_days_neither_break_nor_extend_a_run_and_leave_consistency() {
        use Mark::{Done, NotDone, Rest};
        let mut tally = Tally::new(date(1));
        for mark in [Done, Rest, Done, Rest, Rest, Done, NotDone, Done] {
            tally.add_day(mark);
        }
        let figures = tally.finish(Rest);
        assert_eq!(
            (figures.age, figures.days_complete, figures.days_skipped),
            (9, 4, 4)
        );
        assert_eq!(figures.consistency(), 0.8);
        assert_eq!(
            figures.streaks.current, 1,
            "today's rest keeps the run of one"
        );
        assert_eq!(figures.streaks.longest, 3);
        assert_eq!(
            (figures.streaks.longest_start, figures.streaks.longest_end),
            (Some(date(1)), Some(date(6))),
            "the run spans its rest days"
        );
        let all_rest = Tally::new(date(1)).finish(Rest);
        assert_eq!((all_rest.age, all_rest.days_skipped), (1, 1));
        assert_eq!(all_rest.consistency(), 0.0);
    }

    #[test]
    fn a_tally_from_before_rest_days_is_not_trusted() {
        let mut tally = Tally::new(date(1));
        tally.add_day(Mark::Done);
        assert!(tally.knows_rest_days());
        tally.run_start = None;
        assert!(!tally.knows_rest_days(), "a run without its first day");
        assert!(Tally::new(date(1)).knows_rest_days());
    }
}
