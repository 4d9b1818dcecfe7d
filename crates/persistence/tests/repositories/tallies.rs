//! The tally repository on both engines: tallies per panel and zone, and the history revision
//! that the triggers move when anyone writes or removes an entry older than a day.

use crate::support::{at, panel, user};
use chrono::{Duration, NaiveDate, Utc};
use ninepanels_domain::entry::Mark;
use ninepanels_domain::ports::{EntryRepository, PanelRepository, TallyRepository};
use ninepanels_domain::tally::{PanelTally, SavedTally, Tally};
use ninepanels_domain::user::{TimeZone, UserId};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlEntries, SqlPanels, SqlTallies};
use sea_orm::{ConnectionTrait, Statement};

fn zone(name: &str) -> TimeZone {
    TimeZone::parse(name).unwrap()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

async fn read(tallies: &SqlTallies, user_id: UserId, zone_name: &str) -> Vec<PanelTally> {
    tallies
        .panels_with_tallies(user_id, zone(zone_name))
        .await
        .unwrap()
}

async fn revision(tallies: &SqlTallies, user_id: UserId) -> i64 {
    read(tallies, user_id, "UTC").await[0].revision
}

async fn count(db: &TestDb, table: &str) -> i64 {
    db.db
        .query_one_raw(Statement::from_string(
            db.db.get_database_backend(),
            format!("SELECT COUNT(*) FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap()
}

async fn tallies_are_kept_per_panel_and_zone_and_replaced(db: &TestDb) {
    let tallies = SqlTallies::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let first = panel(db, &ada, "read").await;
    let second = panel(db, &ada, "run").await;
    let bob = user(db, "bob@example.org").await;
    panel(db, &bob, "swim").await;
    let listed = read(&tallies, ada.id, "Europe/London").await;
    let ids: Vec<i32> = listed.iter().map(|p| p.panel.id).collect();
    assert_eq!(
        ids,
        [first.id, second.id],
        "the user's panels in position order"
    );
    assert!(listed.iter().all(|p| p.revision == 0 && p.saved.is_none()));
    let saved = SavedTally {
        panel_id: second.id,
        created_at: second.created_at,
        revision: 0,
        tally: Tally {
            first_day: date(1, 1),
            through: date(2, 27),
            days_complete: 40,
            days_skipped: 5,
            run: 3,
            run_start: Some(date(2, 24)),
            longest: 12,
            longest_start: Some(date(1, 18)),
            longest_end: Some(date(1, 31)),
        },
    };
    tallies.save(zone("Europe/London"), &[saved]).await.unwrap();
    let listed = read(&tallies, ada.id, "Europe/London").await;
    assert_eq!(listed[0].saved, None);
    assert_eq!(listed[1].saved, Some(saved));
    assert_eq!(listed[1].valid(date(1, 1)), Some(saved.tally));
    assert_eq!(
        listed[1].valid(date(1, 2)),
        None,
        "counted from another day"
    );
    assert!(read(&tallies, ada.id, "UTC").await[1].saved.is_none());
    let later = SavedTally {
        tally: Tally {
            through: date(2, 28),
            days_complete: 41,
            run: 4,
            longest_end: None,
            ..saved.tally
        },
        ..saved
    };
    tallies.save(zone("Europe/London"), &[later]).await.unwrap();
    assert_eq!(
        read(&tallies, ada.id, "Europe/London").await[1].saved,
        Some(later)
    );
    SqlPanels::new(db.db.clone())
        .delete(ada.id, second.id)
        .await
        .unwrap();
    assert_eq!(
        count(db, "panel_tallies").await,
        0,
        "a panel's tallies go with it"
    );
}

async fn entries_older_than_a_day_move_the_revision_and_taps_do_not(db: &TestDb) {
    let tallies = SqlTallies::new(db.db.clone());
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let now = Utc::now();
    entries.record(ada.id, p.id, Mark::Done, now).await.unwrap();
    entries
        .record(ada.id, p.id, Mark::Done, now - Duration::hours(20))
        .await
        .unwrap();
    assert_eq!(
        revision(&tallies, ada.id).await,
        0,
        "recent entries leave it"
    );
    entries
        .record(ada.id, p.id, Mark::Done, now - Duration::days(3))
        .await
        .unwrap();
    assert_eq!(revision(&tallies, ada.id).await, 1);
    db.db
        .execute_unprepared("UPDATE entries SET is_complete = NOT is_complete")
        .await
        .unwrap();
    let changed = revision(&tallies, ada.id).await;
    assert!(changed > 1, "a change of any entry moves it");
    entries
        .clear(ada.id, p.id, at(2026, 12, 1, 0, 0))
        .await
        .unwrap();
    assert!(
        revision(&tallies, ada.id).await > changed,
        "removing old entries moves it"
    );
    SqlPanels::new(db.db.clone())
        .delete(ada.id, p.id)
        .await
        .unwrap();
    assert_eq!(count(db, "panel_revisions").await, 0);
}

ninepanels_persistence::test_on_both_engines!(
    tallies_are_kept_per_panel_and_zone_and_replaced,
    entries_older_than_a_day_move_the_revision_and_taps_do_not,
);
