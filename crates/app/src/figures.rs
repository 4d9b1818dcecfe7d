//! Consistency and streak figures of panels on today, from each panel's saved tally (the days
//! before yesterday) and the latest entry of each day after it: a few index reads per panel,
//! whatever its age or its number of taps. Tallies that move forward are saved for the next read.

use crate::calendar::Today;
use chrono::{Days, NaiveDate};
use ninepanels_domain::Result;
use ninepanels_domain::days::day_start;
use ninepanels_domain::entry::{DaySpan, Latest};
use ninepanels_domain::panel::Panel;
use ninepanels_domain::ports::{EntryRepository, TallyRepository};
use ninepanels_domain::tally::{Figures, PanelTally, SavedTally, Tally};

/// The last day a saved tally counts: the day before yesterday (later days may still change).
fn checkpoint(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_days(Days::new(2))
        .unwrap_or(NaiveDate::MIN)
}

/// One span per day from `from` through `today`, for `panel`.
fn day_spans(panel: &Panel, from: NaiveDate, today: &Today, spans: &mut Vec<DaySpan>) {
    let mut start = day_start(from, today.zone);
    for day in from.iter_days().take_while(|d| *d <= today.date) {
        let end = day_start(day + Days::new(1), today.zone);
        spans.push(DaySpan {
            panel_id: panel.id,
            start,
            end,
        });
        start = end;
    }
}

/// Each panel's figures on `today`, in the order given; tallies that reached a later checkpoint
/// are saved (a failed save costs only the next read its shortcut).
pub async fn figures(
    entries: &dyn EntryRepository,
    tallies: &dyn TallyRepository,
    today: Today,
    panels: Vec<PanelTally>,
) -> Result<Vec<(Panel, Figures)>> {
    let checkpoint = checkpoint(today.date);
    let mut spans = Vec::new();
    let starts: Vec<(PanelTally, Tally, usize)> = panels
        .into_iter()
        .map(|panel| {
            let first_day = today.day_of(panel.panel.created_at);
            let tally = panel
                .valid(first_day)
                .filter(|t| t.through <= checkpoint)
                .unwrap_or_else(|| Tally::new(first_day));
            let first_span = spans.len();
            day_spans(&panel.panel, tally.next_day(), &today, &mut spans);
            (panel, tally, first_span)
        })
        .collect();
    let latest = entries.latest_in_spans(&spans).await?;
    let complete = |state: &Option<Latest>| state.is_some_and(|(_, done)| done);
    let mut to_save = Vec::new();
    let mut shown = Vec::with_capacity(starts.len());
    for (panel, mut tally, first_span) in starts {
        let days = (today.date - tally.next_day()).num_days() as usize + 1;
        let states = &latest[first_span..first_span + days];
        let (today_state, past) = states.split_last().unwrap_or((&None, &[]));
        let saved_through = tally.through;
        for state in past {
            tally.add_day(complete(state));
            if tally.through == checkpoint && checkpoint > saved_through {
                to_save.push(SavedTally {
                    panel_id: panel.panel.id,
                    created_at: panel.panel.created_at,
                    revision: panel.revision,
                    tally,
                });
            }
        }
        shown.push((panel.panel, tally.finish(complete(today_state))));
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
