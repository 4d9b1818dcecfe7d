//! The user repository on both engines.

use crate::support::{at, new_user, no_announcement, panel, user};
use ninepanels_domain::ErrorKind;
use ninepanels_domain::entry::DaySpan;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::ports::{EntryRepository, PanelRepository, UserRepository};
use ninepanels_domain::user::{Email, TimeZone, UserChanges, UserName};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlEntries, SqlPanels, SqlUsers};

async fn creates_and_finds_users_case_insensitively(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    let created = users
        .create(new_user("Ada@Example.org"), no_announcement())
        .await
        .unwrap();
    assert_eq!(created.email.as_str(), "ada@example.org");
    assert_eq!(created.time_zone.unwrap().name(), "Europe/London");
    assert!(!created.is_admin);

    let found = users
        .find_by_email(&Email::parse("ADA@EXAMPLE.ORG").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, created);
    assert_eq!(users.get_by_id(created.id).await.unwrap(), created);
    assert!(users.find_by_id(created.id + 100).await.unwrap().is_none());
    assert_eq!(
        users.get_by_id(created.id + 100).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert!(
        users
            .find_by_email(&Email::parse("bob@example.org").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_taken_email_is_a_conflict_whatever_its_case(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    users
        .create(new_user("ada@example.org"), no_announcement())
        .await
        .unwrap();
    let err = users
        .create(new_user("ADA@example.org"), no_announcement())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.detail, "Do you have an account already?");
    // The conflict in a table with mixed-case legacy rows is caught by the lower(email) index.
    sea_orm::ConnectionTrait::execute_unprepared(
        &db.db,
        "INSERT INTO users (email, name, hashed_password, is_admin) VALUES ('Bob@Example.org', 'Bob', 'x', false)",
    )
    .await
    .unwrap();
    let err = users
        .create(new_user("bob@example.org"), no_announcement())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(users.list().await.unwrap().len(), 2);
}

async fn updates_name_zone_password_and_role(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    let u = user(db, "ada@example.org").await;
    let unchanged = users.update(u.id, UserChanges::default()).await.unwrap();
    assert_eq!(unchanged, u);
    let updated = users
        .update(
            u.id,
            UserChanges {
                name: Some(UserName::parse("Ada L.").unwrap()),
                time_zone: Some(TimeZone::parse("Pacific/Auckland").unwrap()),
                password_hash: Some(ninepanels_domain::user::PasswordHash::new("new-hash")),
                is_admin: Some(true),
                tokens_valid_after: Some(at(2026, 3, 1, 10, 0)),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name, "Ada L.");
    assert_eq!(updated.time_zone.unwrap().name(), "Pacific/Auckland");
    assert_eq!(updated.password_hash.as_str(), "new-hash");
    assert!(updated.is_admin);
    assert_eq!(updated.tokens_valid_after, Some(at(2026, 3, 1, 10, 0)));
    assert_eq!(users.get_by_id(u.id).await.unwrap(), updated);
    assert_eq!(
        users
            .update(u.id + 50, UserChanges::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
}

async fn records_login_and_activity(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    let u = user(db, "ada@example.org").await;
    let login = at(2026, 3, 1, 8, 30) + chrono::Duration::microseconds(123_456);
    users.record_login(u.id, login).await.unwrap();
    users
        .record_activity(u.id, at(2026, 3, 1, 9, 0))
        .await
        .unwrap();
    let u = users.get_by_id(u.id).await.unwrap();
    assert_eq!(u.last_login, Some(login));
    assert_eq!(u.last_activity, Some(at(2026, 3, 1, 9, 0)));
}

async fn deleting_a_user_takes_their_panels_and_entries_only(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    let panels = SqlPanels::new(db.db.clone());
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let bob = user(db, "bob@example.org").await;
    let ada_panel = panel(db, &ada, "read").await;
    let bob_panel = panel(db, &bob, "run").await;
    let now = at(2026, 1, 2, 9, 0);
    entries
        .record(ada.id, ada_panel.id, Mark::Done, now)
        .await
        .unwrap();
    entries
        .record(bob.id, bob_panel.id, Mark::Done, now)
        .await
        .unwrap();

    users.delete(ada.id, Vec::new()).await.unwrap();
    assert!(users.find_by_id(ada.id).await.unwrap().is_none());
    assert!(panels.list(ada.id).await.unwrap().is_empty());
    assert_eq!(panels.list(bob.id).await.unwrap().len(), 1);
    let all_time = |panel_id| DaySpan {
        panel_id,
        start: at(2000, 1, 1, 0, 0),
        end: at(2100, 1, 1, 0, 0),
    };
    let latest = entries
        .latest_in_spans(&[all_time(bob_panel.id), all_time(ada_panel.id)])
        .await
        .unwrap();
    assert!(latest[0].is_some(), "bob's entry stays");
    assert_eq!(latest[1], None, "ada's entries went with her");
    assert_eq!(
        users.delete(ada.id, Vec::new()).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
}

async fn a_closed_pool_is_unavailable(db: &TestDb) {
    let users = SqlUsers::new(db.db.clone());
    db.db.clone().close().await.unwrap();
    let err = users.find_by_id(1).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unavailable, "{err}");
}

ninepanels_persistence::test_on_both_engines!(
    creates_and_finds_users_case_insensitively,
    a_taken_email_is_a_conflict_whatever_its_case,
    updates_name_zone_password_and_role,
    records_login_and_activity,
    deleting_a_user_takes_their_panels_and_entries_only,
    a_closed_pool_is_unavailable,
);
