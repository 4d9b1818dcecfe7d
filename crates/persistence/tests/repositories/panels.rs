//! The panel repository on both engines: dense positions, nine at most, ownership.

use crate::support::{at, new_panel, panel, titles, user};
use ninepanels_domain::ErrorKind;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::{
    NewPanel, Panel, PanelChanges, PanelDescription, PanelTitle, Position,
};
use ninepanels_domain::ports::PanelRepository;
use ninepanels_persistence::SqlPanels;
use ninepanels_persistence::testing::TestDb;

fn move_to(position: i64) -> PanelChanges {
    PanelChanges {
        position: Some(Position::parse(position).unwrap()),
        ..Default::default()
    }
}

async fn creates_at_the_end_or_at_a_position(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let now = at(2026, 2, 3, 4, 5);
    let a = panels
        .create(ada.id, new_panel("a", None), now)
        .await
        .unwrap();
    assert_eq!((a.position, a.created_at, a.user_id), (0, now, ada.id));
    panels
        .create(ada.id, new_panel("b", None), now)
        .await
        .unwrap();
    let first = panels
        .create(ada.id, new_panel("first", Some(0)), now)
        .await
        .unwrap();
    assert_eq!(first.position, 0);
    let mid = panels
        .create(ada.id, new_panel("mid", Some(2)), now)
        .await
        .unwrap();
    assert_eq!(mid.position, 2);
    let far = panels
        .create(ada.id, new_panel("far", Some(8)), now)
        .await
        .unwrap();
    assert_eq!(far.position, 4, "past the end means at the end");
    assert_eq!(titles(db, &ada).await, ["first", "a", "mid", "b", "far"]);
}

async fn a_tenth_panel_is_refused(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    for i in 0..9 {
        panel(db, &ada, &format!("p{i}")).await;
    }
    let err = panels
        .create(ada.id, new_panel("tenth", None), at(2026, 1, 1, 0, 0))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.detail, "You already have nine panels.");
    assert_eq!(panels.list(ada.id).await.unwrap().len(), 9);
}

async fn moves_shift_the_panels_between(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let mut ids = Vec::new();
    for t in ["a", "b", "c", "d", "e"] {
        ids.push(panel(db, &ada, t).await.id);
    }
    let moved = panels.update(ada.id, ids[0], move_to(3)).await.unwrap();
    assert_eq!(moved.position, 3);
    assert_eq!(titles(db, &ada).await, ["b", "c", "d", "a", "e"]);
    panels.update(ada.id, ids[4], move_to(0)).await.unwrap();
    assert_eq!(titles(db, &ada).await, ["e", "b", "c", "d", "a"]);
    let same = panels.update(ada.id, ids[2], move_to(2)).await.unwrap();
    assert_eq!(same.position, 2, "a move to the same place changes nothing");
    assert_eq!(titles(db, &ada).await, ["e", "b", "c", "d", "a"]);
    let last = panels.update(ada.id, ids[1], move_to(8)).await.unwrap();
    assert_eq!(last.position, 4);
    assert_eq!(titles(db, &ada).await, ["e", "c", "d", "a", "b"]);
}

async fn updates_title_and_description(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    let changed = panels
        .update(
            ada.id,
            p.id,
            PanelChanges {
                title: Some(PanelTitle::parse("read before sleep").unwrap()),
                description: Some(PanelDescription::parse("ten pages").unwrap()),
                position: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.title, "read before sleep");
    assert_eq!(changed.description.as_deref(), Some("ten pages"));
    let cleared = panels
        .update(
            ada.id,
            p.id,
            PanelChanges {
                description: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cleared.description, None);
    assert_eq!(panels.get(ada.id, p.id).await.unwrap(), cleared);
}

async fn deleting_closes_the_gap(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let _a = panel(db, &ada, "a").await;
    let b = panel(db, &ada, "b").await;
    let _c = panel(db, &ada, "c").await;
    panels.delete(ada.id, b.id).await.unwrap();
    assert_eq!(titles(db, &ada).await, ["a", "c"]);
    assert_eq!(
        panels.delete(ada.id, b.id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
}

async fn another_users_panel_is_not_found(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let eve = user(db, "eve@example.org").await;
    let p = panel(db, &ada, "mine").await;
    assert!(panels.find(eve.id, p.id).await.unwrap().is_none());
    for err in [
        panels.get(eve.id, p.id).await.unwrap_err(),
        panels.update(eve.id, p.id, move_to(0)).await.unwrap_err(),
        panels.delete(eve.id, p.id).await.unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert_eq!(err.detail, "Panel not found");
    }
    assert_eq!(panels.get(ada.id, p.id).await.unwrap(), p);
}

async fn concurrent_moves_keep_positions_dense(db: &TestDb) {
    let panels = SqlPanels::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let mut ids = Vec::new();
    for i in 0..9 {
        ids.push(panel(db, &ada, &format!("p{i}")).await.id);
    }
    let mut tasks = Vec::new();
    for round in 0..36usize {
        let panels = panels.clone();
        let id = ids[round % 9];
        let user_id = ada.id;
        tasks.push(tokio::spawn(async move {
            panels
                .update(user_id, id, move_to(((round * 5) % 9) as i64))
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let after = titles(db, &ada).await;
    assert_eq!(after.len(), 9);
}

async fn lists_with_the_latest_state_in_a_range(db: &TestDb) {
    use ninepanels_domain::ports::EntryRepository;
    let panels = SqlPanels::new(db.db.clone());
    let entries = ninepanels_persistence::SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let a = panel(db, &ada, "a").await;
    let b = panel(db, &ada, "b").await;
    // Text that needs escaping, and a time to the microsecond, read back as they were written.
    let created = at(2026, 1, 1, 9, 0) + chrono::Duration::microseconds(123_456);
    panels
        .create(
            ada.id,
            NewPanel {
                description: PanelDescription::parse("line\none\ttab").unwrap(),
                ..new_panel("c \"quoted\" \\ ünï 🌱", None)
            },
            created,
        )
        .await
        .unwrap();
    let day = at(2026, 5, 2, 0, 0);
    entries
        .record(ada.id, a.id, Mark::Done, day + chrono::Duration::hours(8))
        .await
        .unwrap();
    entries
        .record(
            ada.id,
            a.id,
            Mark::NotDone,
            day + chrono::Duration::hours(9),
        )
        .await
        .unwrap();
    entries
        .record(
            ada.id,
            b.id,
            Mark::NotDone,
            day - chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    entries
        .record(ada.id, b.id, Mark::Done, day + chrono::Duration::hours(10))
        .await
        .unwrap();
    entries
        .record(
            ada.id,
            b.id,
            Mark::NotDone,
            day + chrono::Duration::hours(25),
        )
        .await
        .unwrap();
    let listed = panels
        .list_with_latest(ada.id, day, day + chrono::Duration::days(1))
        .await
        .unwrap();
    let every: Vec<Panel> = listed.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        every,
        panels.list(ada.id).await.unwrap(),
        "every field as stored"
    );
    assert_eq!(every[2].created_at, created);
    let shape: Vec<(String, Option<bool>)> = listed
        .into_iter()
        .map(|(p, latest)| (p.title, latest))
        .collect();
    assert_eq!(
        shape,
        [
            ("a".to_owned(), Some(false)),
            ("b".to_owned(), Some(true)),
            ("c \"quoted\" \\ ünï 🌱".to_owned(), None)
        ]
    );
    let bob = user(db, "bob@example.org").await;
    let none = panels.list_with_latest(bob.id, day, day + chrono::Duration::days(1));
    assert!(none.await.unwrap().is_empty());
}

ninepanels_persistence::test_on_both_engines!(
    lists_with_the_latest_state_in_a_range,
    creates_at_the_end_or_at_a_position,
    a_tenth_panel_is_refused,
    moves_shift_the_panels_between,
    updates_title_and_description,
    deleting_closes_the_gap,
    another_users_panel_is_not_found,
    concurrent_moves_keep_positions_dense,
);
