//! SQLite's reads on the calling thread (SQLite only: PostgreSQL has none): the panel list
//! reads there, answers what the pool answers (older time forms too), sees each commit at once,
//! and when it cannot read there the pool answers instead.

use crate::support::{at, panel, user};
use chrono::{Duration, TimeZone as _, Utc};
use ninepanels_domain::entry::Mark;
use ninepanels_domain::ports::{EntryRepository, PanelRepository};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{Hot, Inline, Kept, SqlEntries, SqlPanels};
use sea_orm::ConnectionTrait;
use std::sync::Arc;

/// The panel repository without inline reads: everything through the pool.
fn through_the_pool(db: &TestDb) -> SqlPanels {
    let kept = Kept::new(db.db.get_sqlite_connection_pool().clone());
    SqlPanels::with_hot(Hot::Sqlite(kept, None), db.db.clone())
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
async fn when_it_cannot_read_there_the_pool_answers() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let kept = Kept::new(db.db.get_sqlite_connection_pool().clone());
    let inline = Arc::new(Inline::new(&missing, 1));
    let panels = SqlPanels::with_hot(Hot::Sqlite(kept, Some(inline.clone())), db.db.clone());
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
