//! A write answers only once it has committed, and storage errors keep their meaning, on both
//! engines. A commit is made to fail after the statement produced its row: a trigger adds a row
//! that breaks a deferred foreign key, which is checked only as the statement commits.

use crate::support::{at, panel, user};
use ninepanels_domain::ErrorKind;
use ninepanels_domain::entry::Mark;
use ninepanels_domain::ports::{EntryRepository, TimingRepository};
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::{SqlEntries, SqlTimings};
use sea_orm::{ConnectionTrait, Statement};

/// After this, a tap with `is_complete = false` fails as its statement commits.
pub async fn poison_incomplete_taps(db: &TestDb) {
    let sql = match db.engine {
        TestEngine::Sqlite => {
            "CREATE TABLE poison_parent (id INTEGER PRIMARY KEY);
             CREATE TABLE poison_child (parent_id INTEGER
                 REFERENCES poison_parent (id) DEFERRABLE INITIALLY DEFERRED);
             CREATE TRIGGER poison AFTER INSERT ON entries WHEN NOT NEW.is_complete
             BEGIN INSERT INTO poison_child VALUES (-1); END;"
        }
        TestEngine::Postgres => {
            "CREATE TABLE poison_parent (id INTEGER PRIMARY KEY);
             CREATE TABLE poison_child (parent_id INTEGER
                 REFERENCES poison_parent (id) DEFERRABLE INITIALLY DEFERRED);
             CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF NOT NEW.is_complete THEN INSERT INTO poison_child VALUES (-1); END IF;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER poison AFTER INSERT ON entries
             FOR EACH ROW EXECUTE FUNCTION poison();"
        }
    };
    db.db.execute_unprepared(sql).await.unwrap();
}

pub async fn count_entries(db: &TestDb) -> i64 {
    let row = db
        .db
        .query_one_raw(Statement::from_string(
            db.db.get_database_backend(),
            "SELECT COUNT(*) FROM entries",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

async fn a_tap_whose_commit_fails_is_an_error_and_stores_nothing(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let p = panel(db, &ada, "read").await;
    poison_incomplete_taps(db).await;
    let t = at(2026, 3, 1, 12, 0);
    entries.record(ada.id, p.id, Mark::Done, t).await.unwrap();
    for _ in 0..3 {
        let refused = entries.record(ada.id, p.id, Mark::NotDone, t).await;
        assert!(
            refused.is_err(),
            "answered {refused:?} for a rolled-back tap"
        );
    }
    assert_eq!(
        count_entries(db).await,
        1,
        "only the committed tap is stored"
    );
    entries.record(ada.id, p.id, Mark::Done, t).await.unwrap();
    assert_eq!(count_entries(db).await, 2, "the pool goes on working");
}

async fn a_value_the_database_cannot_hold_is_invalid_never_internal(db: &TestDb) {
    let timings = SqlTimings::new(db.db.clone());
    let read = timings.recent("GET_/v5/\0panels", 10).await;
    match db.engine {
        // PostgreSQL refuses a NUL in text (22021): the caller's mistake, not ours.
        TestEngine::Postgres => {
            let err = read.unwrap_err();
            assert_eq!(err.kind, ErrorKind::Invalid, "{err}");
            assert_eq!(err.detail, "That value cannot be stored.");
        }
        TestEngine::Sqlite => assert_eq!(read.unwrap(), []),
    }
}

ninepanels_persistence::test_on_both_engines!(
    a_tap_whose_commit_fails_is_an_error_and_stores_nothing,
    a_value_the_database_cannot_hold_is_invalid_never_internal,
);
