//! The day-series computation (consistency and streaks) for nine panels at 1, 3 and 10 years of
//! daily entries, with divan; entries/s staying level across the three shows linear growth.
//! Run with `cargo bench -p ninepanels-domain --bench day_series`.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use divan::Bencher;
use divan::counter::ItemsCount;
use ninepanels_domain::days::{DaySeries, local_date};
use ninepanels_domain::entry::Entry;
use ninepanels_domain::user::TimeZone;
use std::hint::black_box;

const PANELS: usize = 9;

fn main() {
    divan::main();
}

/// One entry a day (two in three complete) from `years` ago until today.
fn daily_entries(years: i64, today: DateTime<Utc>) -> (DateTime<Utc>, Vec<Entry>) {
    let days = years * 365;
    let created = today - Duration::days(days - 1);
    let entries = (0..days)
        .map(|d| Entry {
            id: d as i32,
            is_complete: d % 3 != 0,
            is_skip: false,
            panel_id: 1,
            timestamp: created + Duration::days(d),
        })
        .collect();
    (created, entries)
}

#[divan::bench(args = [1, 3, 10])]
fn nine_panels(bencher: Bencher, years: i64) {
    let zone = TimeZone::parse("Europe/London").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0).unwrap();
    let today = local_date(now, zone);
    let (created, entries) = daily_entries(years, now);
    bencher
        .counter(ItemsCount::new(entries.len() * PANELS))
        .bench(|| {
            for _ in 0..PANELS {
                let series = DaySeries::build(created, today, zone, black_box(&entries));
                black_box((series.consistency(), series.streaks()));
            }
        });
}
