//! The entry repository on both engines: taps, one-query day-series input, keyset pages, clearing.

use crate::support::{at, panel, user};
use chrono::Duration;
use ninepanels_domain::ErrorKind;
use ninepanels_domain::entry::HistoryCursor;
use ninepanels_domain::ports::{EntryRepository, PanelRepository};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlEntries, SqlPanels};

async fn records_and_lists_entries_oldest_first(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let t0 = at(2026, 3, 1, 22, 30);
    let e1 = entries.record(ada.id, p.id, true, t0).await.unwrap();
    assert_eq!(
        (e1.is_complete, e1.panel_id, e1.timestamp),
        (true, p.id, t0)
    );
    entries
        .record(ada.id, p.id, false, t0 + Duration::hours(1))
        .await
        .unwrap();
    let all = entries.list_for_panel(&p, t0).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.is_complete).collect::<Vec<_>>(),
        [true, false]
    );
    let later = entries
        .list_for_panel(&p, t0 + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
}

async fn lists_all_of_a_users_panels_in_one_query_and_no_one_elses(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let bob = user(db, "bob@example.org").await;
    let a1 = panel(db, &ada, "a1").await;
    let a2 = panel(db, &ada, "a2").await;
    let b1 = panel(db, &bob, "b1").await;
    let t = at(2026, 3, 1, 12, 0);
    entries.record(ada.id, a2.id, true, t).await.unwrap();
    entries
        .record(ada.id, a1.id, true, t + Duration::hours(2))
        .await
        .unwrap();
    entries
        .record(ada.id, a1.id, false, t + Duration::hours(1))
        .await
        .unwrap();
    entries.record(bob.id, b1.id, true, t).await.unwrap();
    let listed = entries.list_for_user(ada.id, t).await.unwrap();
    let shape: Vec<(i32, bool)> = listed.iter().map(|e| (e.panel_id, e.is_complete)).collect();
    assert_eq!(shape, [(a1.id, false), (a1.id, true), (a2.id, true)]);
}

async fn another_users_panel_is_not_found(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let eve = user(db, "eve@example.org").await;
    let p = panel(db, &ada, "mine").await;
    let t = at(2026, 3, 1, 12, 0);
    entries.record(ada.id, p.id, true, t).await.unwrap();
    for err in [
        entries.record(eve.id, p.id, true, t).await.unwrap_err(),
        entries
            .record(ada.id, p.id + 1000, true, t)
            .await
            .unwrap_err(),
        SqlPanels::new(db.db.clone())
            .get(eve.id, p.id)
            .await
            .unwrap_err(),
        entries.page(eve.id, p.id, None, 10).await.unwrap_err(),
        entries.clear(eve.id, p.id, t).await.unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::NotFound);
    }
    let kept = entries.page(ada.id, p.id, None, 10).await.unwrap();
    assert_eq!(kept.len(), 1, "refused taps wrote nothing");
    assert_eq!((kept[0].timestamp, kept[0].is_complete), (t, true));
}

async fn pages_are_stable_while_new_entries_arrive(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let t = at(2026, 3, 1, 12, 0);
    // Two entries share a timestamp: the id breaks the tie.
    for minutes in [0, 10, 10, 20, 30] {
        entries
            .record(ada.id, p.id, true, t + Duration::minutes(minutes))
            .await
            .unwrap();
    }
    let first = entries.page(ada.id, p.id, None, 2).await.unwrap();
    assert_eq!(first[0].timestamp, t + Duration::minutes(30));
    entries
        .record(ada.id, p.id, true, t + Duration::minutes(40))
        .await
        .unwrap();
    let cursor = HistoryCursor::after(first.last().unwrap());
    let second = entries.page(ada.id, p.id, Some(cursor), 2).await.unwrap();
    let third = entries
        .page(
            ada.id,
            p.id,
            Some(HistoryCursor::after(second.last().unwrap())),
            2,
        )
        .await
        .unwrap();
    let seen: Vec<i32> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|e| e.id)
        .collect();
    assert_eq!(seen.len(), 5);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 5, "no entry twice, none skipped: {seen:?}");
    assert_eq!(third.len(), 1);
}

async fn clearing_empties_history_and_resets_created_at(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let other = panel(db, &ada, "run").await;
    let t = at(2026, 3, 1, 12, 0);
    entries.record(ada.id, p.id, true, t).await.unwrap();
    entries.record(ada.id, other.id, true, t).await.unwrap();
    let now = at(2026, 4, 1, 8, 0);
    entries.clear(ada.id, p.id, now).await.unwrap();
    assert!(
        entries
            .page(ada.id, p.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        entries
            .page(ada.id, other.id, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(panels.get(ada.id, p.id).await.unwrap().created_at, now);
}

ninepanels_persistence::test_on_both_engines!(
    records_and_lists_entries_oldest_first,
    lists_all_of_a_users_panels_in_one_query_and_no_one_elses,
    another_users_panel_is_not_found,
    pages_are_stable_while_new_entries_arrive,
    clearing_empties_history_and_resets_created_at,
);
