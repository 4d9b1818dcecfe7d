//! A year of history on the wire: 365 days turned into `DayOut` and written as JSON, every day
//! padded (no entry) against every day with an entry; the gap is what a padded day's
//! `"<uuid>_padded"` id costs. Run with `cargo bench -p ninepanels-http --bench padded_days`.

use chrono::{Days, NaiveDate};
use divan::Bencher;
use divan::counter::ItemsCount;
use ninepanels_app::history::Day;
use ninepanels_domain::entry::Mark;
use ninepanels_http::dto::DayOut;
use std::hint::black_box;

const DAYS: u64 = 365;

fn main() {
    divan::main();
}

fn year(padded: bool) -> Vec<Day> {
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    (0..DAYS)
        .map(|d| Day {
            date: first + Days::new(d),
            latest: (!padded).then_some((d as i32 + 1_000_000, Mark::of(d % 3 != 0, false))),
        })
        .collect()
}

fn write(days: &[Day]) -> Vec<u8> {
    let out: Vec<DayOut> = days.iter().map(|d| DayOut::of(*d, 42)).collect();
    serde_json::to_vec(&out).unwrap()
}

#[divan::bench(args = [false, true])]
fn a_year_on_the_wire(bencher: Bencher, padded: bool) {
    let days = year(padded);
    bencher
        .counter(ItemsCount::new(DAYS))
        .bench(|| black_box(write(black_box(&days))));
}
