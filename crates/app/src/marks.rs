//! The mark (done, rest, not done) of every day of some ranges of days, read from the latest
//! entry of each day: one index read per day, whatever the number of taps in it.

use chrono::NaiveDate;
use ninepanels_domain::Result;
use ninepanels_domain::days::day_spans;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::PanelId;
use ninepanels_domain::ports::EntryRepository;
use ninepanels_domain::user::TimeZone;

/// The local days `first..=last` of a panel; empty when `first` is after `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub panel_id: PanelId,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// Days read per statement: a first read of ten years of nine panels goes in pieces, so its
/// memory stays that of one piece.
const DAYS_PER_READ: usize = 512;

/// The mark of each day of each range, per range and in order, read [`DAYS_PER_READ`] days at
/// a time.
pub async fn marks(
    entries: &dyn EntryRepository,
    zone: TimeZone,
    ranges: &[DayRange],
) -> Result<Vec<Vec<Mark>>> {
    let mut marks: Vec<Vec<Mark>> = ranges.iter().map(|_| Vec::new()).collect();
    let mut wanted = ranges.iter().enumerate().flat_map(|(owner, range)| {
        day_spans(range.panel_id, range.first, zone)
            .take_while(move |(day, _)| *day <= range.last)
            .map(move |(_, span)| (owner, span))
    });
    let mut owners = Vec::with_capacity(DAYS_PER_READ);
    let mut spans = Vec::with_capacity(DAYS_PER_READ);
    loop {
        owners.clear();
        spans.clear();
        for (owner, span) in wanted.by_ref().take(DAYS_PER_READ) {
            owners.push(owner);
            spans.push(span);
        }
        if spans.is_empty() {
            return Ok(marks);
        }
        let latest = entries.latest_in_spans(&spans).await?;
        for (&owner, state) in owners.iter().zip(latest) {
            marks[owner].push(state.map_or(Mark::NotDone, |(_, mark)| mark));
        }
    }
}
