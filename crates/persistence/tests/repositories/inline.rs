//! SQLite's reads on the calling thread (SQLite only: PostgreSQL has none): the panel list, the
//! tallies' list and the days read there, answer what the pool answers (older time forms too),
//! see each commit at once, and when they cannot read there the pool answers instead.

use crate::support::{at, panel, user};
use chrono::{Duration, NaiveDate, TimeZone as _, Utc};
use ninepanels_domain::entry::{DaySpan, Mark};
use ninepanels_domain::ports::{EntryRepository, PanelRepository, TallyRepository};
use ninepanels_domain::tally::{SavedTally, Tally};
use ninepanels_domain::user::TimeZone;
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{Hot, Inline, Kept, SqlEntries, SqlPanels, SqlTallies};
use sea_orm::ConnectionTrait;
use std::sync::Arc;

/// Hot statements without inline reads: everything through the pool.
fn pool_only(db: &TestDb) -> Hot {
    Hot::Sqlite(
        Kept::new(db.db.get_sqlite_connection_pool().clone()),
        None,
        None,
    )
}

/// The panel repository without inline reads.
fn through_the_pool(db: &TestDb) -> SqlPanels {
    SqlPanels::with_hot(pool_only(db), db.db.clone())
}

#[tokio::test]
async fn the_panel_list_reads_on_the_calling_thread_as_through_the_pool() {
    let db = TestDb::sqlite().await;
    let hot = Hot::for_pool(&db.db);
    let inline = hot.inline().expect("a database file has inline reads");
    let panels = SqlPanels::with_hot(hot.clone(), db.db.clone());
    let entries = SqlEntries::with_hot(hot.clone(), db.db.clone());
    let pooled = through_the_pool(&db);
    let ada = user(&db, "ada@example.org").await;
    let a = panel(&db, &ada, "a").await;
    panel(&db, &ada, "b").await;
    let day = at(2026, 5, 2, 0, 0);
    let list = async |repository: &SqlPanels| {
        repository
            .list_with_latest(ada.id, day, day + Duration::days(1))
            .await
            .unwrap()
    };

    let before = list(&panels).await;
    assert_eq!(inline.idle_count(), 1, "read inline, its connection kept");
    assert_eq!(before, list(&pooled).await);
    assert_eq!(
        before.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        [None, None]
    );

    entries
        .record(ada.id, a.id, Mark::Done, day + Duration::hours(8))
        .await
        .unwrap();
    let after = list(&panels).await;
    assert_eq!(after[0].1, Some(true), "the tap just committed is seen");
    assert_eq!(after, list(&pooled).await);

    let sql = format!(
        "UPDATE panels SET created_at = '2026-03-08T12:00:00Z' WHERE id = {}",
        a.id
    );
    db.db.execute_unprepared(&sql).await.unwrap();
    let older = list(&panels).await;
    assert_eq!(
        older[0].0.created_at,
        Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap()
    );
    assert_eq!(inline.idle_count(), 1, "still read inline");
    assert_eq!(older, list(&pooled).await);
}

#[tokio::test]
async fn the_days_and_the_tallies_read_on_the_calling_thread_as_through_the_pool() {
    let db = TestDb::sqlite().await;
    let hot = Hot::for_pool(&db.db);
    let inline = hot.inline().expect("a database file has inline reads");
    let entries = SqlEntries::with_hot(hot.clone(), db.db.clone());
    let tallies = SqlTallies::with_hot(hot.clone(), db.db.clone());
    let pooled_entries = SqlEntries::with_hot(pool_only(&db), db.db.clone());
    let pooled_tallies = SqlTallies::with_hot(pool_only(&db), db.db.clone());
    let ada = user(&db, "ada@example.org").await;
    let a = panel(&db, &ada, "a").await;
    let b = panel(&db, &ada, "b").await;
    let day = at(2026, 5, 2, 0, 0);
    let done = entries
        .record(ada.id, a.id, Mark::Done, day + Duration::hours(8))
        .await
        .unwrap();
    entries
        .record(ada.id, b.id, Mark::Rest, day + Duration::days(1))
        .await
        .unwrap();
    let spans: Vec<DaySpan> = (0..3)
        .flat_map(|n| [a.id, b.id].map(|panel_id| (n, panel_id)))
        .map(|(n, panel_id)| DaySpan {
            panel_id,
            start: day + Duration::days(n),
            end: day + Duration::days(n + 1),
        })
        .collect();

    let latest = entries.latest_in_spans(&spans).await.unwrap();
    assert_eq!(inline.idle_count(), 1, "read inline, its connection kept");
    assert_eq!(
        latest,
        pooled_entries.latest_in_spans(&spans).await.unwrap()
    );
    assert_eq!(latest[0], Some((done.id, Mark::Done)));
    assert_eq!(latest.iter().flatten().count(), 2);

    let zone = TimeZone::parse("Europe/London").unwrap();
    let first_day = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let saved = SavedTally {
        panel_id: a.id,
        created_at: a.created_at,
        revision: 0,
        tally: Tally {
            first_day,
            through: first_day + Duration::days(1),
            days_complete: 1,
            days_skipped: 0,
            run: 1,
            run_start: Some(first_day + Duration::days(1)),
            longest: 1,
            longest_start: Some(first_day + Duration::days(1)),
            longest_end: Some(first_day + Duration::days(1)),
        },
    };
    tallies.save(zone, &[saved]).await.unwrap();
    let listed = tallies.panels_with_tallies(ada.id, zone).await.unwrap();
    assert_eq!(inline.idle_count(), 1, "still read inline");
    assert_eq!(listed[0].saved, Some(saved), "the tally just saved is seen");
    assert_eq!(listed[1].saved, None);
    assert_eq!(
        listed,
        pooled_tallies
            .panels_with_tallies(ada.id, zone)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn when_it_cannot_read_there_the_pool_answers() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let kept = Kept::new(db.db.get_sqlite_connection_pool().clone());
    let inline = Arc::new(Inline::new(&missing, 1));
    let panels = SqlPanels::with_hot(Hot::Sqlite(kept, Some(inline.clone()), None), db.db.clone());
    let ada = user(&db, "ada@example.org").await;
    panel(&db, &ada, "a").await;
    let day = at(2026, 5, 2, 0, 0);
    let listed = panels
        .list_with_latest(ada.id, day, day + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0.title, "a");
    assert_eq!(inline.idle_count(), 0);
    assert!(!missing.exists(), "inline reads never create a database");
}

#[tokio::test]
async fn an_in_memory_database_has_none() {
    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    assert!(Hot::for_pool(&db).inline().is_none());
}
