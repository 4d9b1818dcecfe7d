//! Consistency and streak figures of panels on today, from each panel's saved tally (the days
//! before yesterday) and the latest entry of each day after it: a few index reads per panel,
//! whatever its age or its number of taps. Tallies that move forward are saved for the next read.

use crate::calendar::Today;
use crate::marks::{DayRange, marks};
use chrono::{Days, NaiveDate};
use ninepanels_domain::Result;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::{Panel, PanelId};
use ninepanels_domain::ports::{EntryRepository, TallyRepository};
use ninepanels_domain::tally::{Figures, PanelTally, SavedTally, Tally};
use ninepanels_domain::user::UserId;
use std::sync::Arc;
use tokio::sync::Mutex;

/// More days than this to read for one panel makes a read a first count (a fill).
const FILL_DAYS: i64 = 7;

/// Turns for first counts, by user: concurrent requests of one user wait for the first one's
/// count and then start from the tallies it saved, instead of all counting the same years.
const TURNS: usize = 64;

/// Counts panels' figures over the repositories, one first count per user at a time in this
/// process.
#[derive(Debug)]
pub struct Figuring {
    entries: Arc<dyn EntryRepository>,
    tallies: Arc<dyn TallyRepository>,
    turns: Vec<Mutex<()>>,
}

impl Figuring {
    pub fn new(entries: Arc<dyn EntryRepository>, tallies: Arc<dyn TallyRepository>) -> Self {
        Self {
            entries,
            tallies,
            turns: (0..TURNS).map(|_| Mutex::new(())).collect(),
        }
    }

    /// The figures on `today` of the user's panels in position order, or of `only` that one
    /// (none when it is not theirs).
    pub async fn figures(
        &self,
        user_id: UserId,
        today: Today,
        only: Option<PanelId>,
    ) -> Result<Vec<(Panel, Figures)>> {
        let read = async || -> Result<Vec<PanelTally>> {
            let mut panels = self
                .tallies
                .panels_with_tallies(user_id, today.zone)
                .await?;
            if let Some(id) = only {
                panels.retain(|p| p.panel.id == id);
            }
            Ok(panels)
        };
        let panels = read().await?;
        let checkpoint = checkpoint(today.date);
        let fill = panels
            .iter()
            .any(|p| (today.date - start(p, &today, checkpoint).next_day()).num_days() > FILL_DAYS);
        if !fill {
            return figures(&*self.entries, &*self.tallies, today, panels).await;
        }
        let turn = user_id.unsigned_abs() as usize % TURNS;
        let _turn = self.turns[turn].lock().await;
        let panels = read().await?;
        figures(&*self.entries, &*self.tallies, today, panels).await
    }
}

/// Where a panel's count starts: its saved tally when it still holds and ends by the
/// checkpoint, else nothing counted.
fn start(panel: &PanelTally, today: &Today, checkpoint: NaiveDate) -> Tally {
    let first_day = today.day_of(panel.panel.created_at);
    panel
        .valid(first_day)
        .filter(|t| t.through <= checkpoint)
        .unwrap_or_else(|| Tally::new(first_day))
}

/// The last day a saved tally counts: the day before yesterday (later days may still change).
fn checkpoint(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(Days::new(2))
        .unwrap_or(NaiveDate::MIN)
}

/// The mark of each day from each tally's next day through today, per panel.
async fn days_after(
    entries: &dyn EntryRepository,
    today: &Today,
    starts: &[(PanelTally, Tally)],
) -> Result<Vec<Vec<Mark>>> {
    let ranges: Vec<DayRange> = starts
        .iter()
        .map(|(panel, tally)| DayRange {
            panel_id: panel.panel.id,
            first: tally.next_day(),
            last: today.date,
        })
        .collect();
    marks(entries, today.zone, &ranges).await
}

/// Each panel's figures on `today`, in the order given; tallies that reached a later checkpoint
/// are saved (a failed save costs only the next read its shortcut).
async fn figures(
    entries: &dyn EntryRepository,
    tallies: &dyn TallyRepository,
    today: Today,
    panels: Vec<PanelTally>,
) -> Result<Vec<(Panel, Figures)>> {
    let checkpoint = checkpoint(today.date);
    let starts: Vec<(PanelTally, Tally)> = panels
        .into_iter()
        .map(|panel| {
            let tally = start(&panel, &today, checkpoint);
            (panel, tally)
        })
        .collect();
    let marks = days_after(entries, &today, &starts).await?;
    let mut to_save = Vec::new();
    let mut shown = Vec::with_capacity(starts.len());
    for ((panel, mut tally), days) in starts.into_iter().zip(marks) {
        let (&today_mark, past) = days.split_last().unwrap_or((&Mark::NotDone, &[]));
        let saved_through = tally.through;
        for &mark in past {
            tally.add_day(mark);
            if tally.through == checkpoint && checkpoint > saved_through {
                to_save.push(SavedTally {
                    panel_id: panel.panel.id,
                    created_at: panel.panel.created_at,
                    revision: panel.revision,
                    tally,
                });
            }
        }
        shown.push((panel.panel, tally.finish(today_mark)));
    }
    if !to_save.is_empty()
        && let Err(e) = tallies.save(today.zone, &to_save).await
    {
        tracing::warn!(error = %e, "tallies not saved; the next read counts those days again");
    }
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_is_the_day_before_yesterday() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            checkpoint(today),
            NaiveDate::from_ymd_opt(2026, 2, 27).unwrap()
        );
    }
}
