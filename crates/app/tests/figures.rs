//! Consistency, streaks and the day list from saved tallies and a few days, against the whole
//! history counted by `DaySeries`, on both engines: random histories (done, not done and rest
//! days) in random zones around daylight-saving changes, read day after day while taps, clears
//! and zone overrides go on.

mod support;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use ninepanels_app::history::DayWindow;
use ninepanels_domain::clock::{Clock, TestClock};
use ninepanels_domain::config::AuthConfig;
use ninepanels_domain::days::{DaySeries, local_date};
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::{NewPanel, PanelTitle};
use ninepanels_domain::user::{Email, NewUser, PasswordHash, TimeZone, User, UserName};
use ninepanels_persistence::testing::TestDb;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use support::TestApp;

const CASES: u64 = 10;
const STEPS: usize = 6;

const ZONES: [&str; 8] = [
    "UTC",
    "Europe/London",
    "America/Los_Angeles",
    "Pacific/Auckland",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/St_Johns",
];

/// Noon UTC on days clocks change in 2027 (after the database's own clock, so the test's taps
/// are never "older than a day" to the revision triggers, as real taps never are).
fn near_a_clock_change(rng: &mut StdRng) -> DateTime<Utc> {
    let changes = [(3, 14), (3, 28), (4, 4), (9, 5), (9, 26), (10, 31), (11, 7)];
    let (m, d) = changes[rng.random_range(0..changes.len())];
    Utc.with_ymd_and_hms(2027, m, d, 12, 0, 0).unwrap()
        + Duration::minutes(rng.random_range(-3 * 1440..3 * 1440))
}

/// A random tap: done more often than not, sometimes a rest day.
fn mark(rng: &mut StdRng) -> Mark {
    match rng.random_range(0..10) {
        0..6 => Mark::Done,
        6..8 => Mark::NotDone,
        _ => Mark::Rest,
    }
}

fn zone(rng: &mut StdRng) -> &'static str {
    ZONES[rng.random_range(0..ZONES.len())]
}

async fn person(t: &TestApp, seed: u64, zone: &str) -> User {
    let user = NewUser {
        email: Email::parse(&format!("p{seed}@example.org")).unwrap(),
        name: UserName::parse("Ada").unwrap(),
        password_hash: PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        time_zone: TimeZone::parse(zone).unwrap(),
        is_admin: false,
    };
    t.repos
        .users
        .create(user, Box::new(|_| Vec::new()))
        .await
        .unwrap()
}

fn new_panel(title: &str) -> NewPanel {
    NewPanel {
        title: PanelTitle::parse(title).unwrap(),
        description: None,
        position: None,
    }
}

/// Every figure the app shows for the user's panels, against `DaySeries` over every entry.
async fn compare(t: &TestApp, user: &User, tz: Option<&str>, now: DateTime<Utc>, at: &str) {
    let zone = TimeZone::parse(tz.unwrap_or(user.time_zone.unwrap().name())).unwrap();
    let today = local_date(now, zone);
    let shown = t.app.history.consistency(user, tz).await.unwrap();
    for c in shown {
        let panel = c.panel;
        let all = t
            .repos
            .entries
            .page(user.id, panel.id, None, 1_000_000)
            .await
            .unwrap();
        let series = DaySeries::build(panel.created_at, today, zone, &all);
        let whole = (
            series.age(),
            series.days_complete(),
            series.days_skipped(),
            series.consistency(),
        );
        let shown = (c.age, c.days_complete, c.days_skipped, c.consistency);
        assert_eq!(shown, whole, "{at}");
        let streaks = t.app.history.streaks(user, panel.id, tz).await.unwrap();
        assert_eq!(streaks, series.streaks(), "{at}");
        let window = DayWindow {
            limit: 1000,
            offset: 0,
            newest_first: false,
        };
        let days = t
            .app
            .history
            .days(user, panel.id, window, tz)
            .await
            .unwrap();
        let expected: Vec<_> = series
            .days()
            .iter()
            .map(|d| d.map(|e| (e.id, e.mark())))
            .collect();
        let got: Vec<_> = days.iter().map(|d| d.latest).collect();
        assert_eq!(got, expected, "{at}");
    }
}

async fn one_history(db: &TestDb, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = near_a_clock_change(&mut rng);
    let clock = Arc::new(TestClock::at(start));
    let t = support::app(db, AuthConfig::default(), clock.clone());
    let user = person(&t, seed, zone(&mut rng)).await;
    for n in 0..rng.random_range(1..=3) {
        let created = start - Duration::minutes(rng.random_range(0..60 * 1440));
        let panel = t
            .repos
            .panels
            .create(user.id, new_panel(&format!("Panel {n}")), created)
            .await
            .unwrap();
        let span = (start - created).num_minutes() + 1440;
        for _ in 0..rng.random_range(0..90) {
            let at = created - Duration::days(1) + Duration::minutes(rng.random_range(0..span));
            // Bursts: some days get several taps.
            for _ in 0..rng.random_range(1..=3) {
                let at = at.min(start) + Duration::seconds(rng.random_range(0..600));
                let at = at.min(start);
                let mark = mark(&mut rng);
                t.repos
                    .entries
                    .record(user.id, panel.id, mark, at)
                    .await
                    .unwrap();
            }
        }
    }
    for step in 0..STEPS {
        let tz = rng.random_bool(0.3).then(|| zone(&mut rng));
        let at = format!("seed {seed}, step {step}, tz {tz:?}, now {}", clock.now());
        compare(&t, &user, tz, clock.now(), &at).await;
        compare(&t, &user, tz, clock.now(), &format!("{at}, read again")).await;
        clock.advance(Duration::minutes(rng.random_range(60..40 * 60)));
        let panels = t.repos.panels.list(user.id).await.unwrap();
        for panel in &panels {
            if rng.random_bool(0.5) {
                let mark = mark(&mut rng);
                t.app.history.record(user.id, panel.id, mark).await.unwrap();
            }
        }
        if rng.random_bool(0.1) {
            t.app.history.clear(user.id, panels[0].id).await.unwrap();
        }
    }
}

async fn tallies_give_what_the_whole_history_gives(db: &TestDb) {
    for seed in 0..CASES {
        one_history(db, seed).await;
    }
    let saved = db
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            db.db.get_database_backend(),
            "SELECT COUNT(*) FROM panel_tallies",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert!(saved > 0, "the reads saved tallies");
}

async fn days_complete(t: &TestApp, user: &User) -> usize {
    t.app.history.consistency(user, None).await.unwrap()[0].days_complete
}

/// On the real clock: a read starts from the saved tally (a tally changed behind its back shows),
/// and an entry written for an old day after that moves the revision, so it is counted.
async fn reads_start_from_the_tally_until_an_old_day_changes(db: &TestDb) {
    let now = Utc::now();
    let t = support::app(db, AuthConfig::default(), Arc::new(TestClock::at(now)));
    let user = person(&t, 1, "UTC").await;
    let created = now - Duration::days(10);
    let panel = t
        .repos
        .panels
        .create(user.id, new_panel("Read"), created)
        .await
        .unwrap();
    for days_ago in [9, 8, 6] {
        let at = now - Duration::days(days_ago);
        t.repos
            .entries
            .record(user.id, panel.id, Mark::Done, at)
            .await
            .unwrap();
    }
    assert_eq!(days_complete(&t, &user).await, 3);
    db.db
        .execute_unprepared("UPDATE panel_tallies SET days_complete = days_complete + 100")
        .await
        .unwrap();
    assert_eq!(
        days_complete(&t, &user).await,
        103,
        "the second read counts from the saved tally"
    );
    let at = now - Duration::days(5);
    t.repos
        .entries
        .record(user.id, panel.id, Mark::Done, at)
        .await
        .unwrap();
    assert_eq!(
        days_complete(&t, &user).await,
        4,
        "counted again, with the new day"
    );
}

ninepanels_persistence::test_on_both_engines!(
    tallies_give_what_the_whole_history_gives,
    reads_start_from_the_tally_until_an_old_day_changes,
);
