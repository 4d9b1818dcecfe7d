//! Taps committed together, on both engines: taps that arrive while a statement of taps waits go
//! into the next one, each answered with its own entry (or its own refusal) and a panel's taps
//! stored in the order they came; a tap that makes the shared statement fail fails alone.

use crate::commits::{count_entries, poison_incomplete_taps};
use crate::support::{at, panel, user};
use ninepanels_domain::entry::{Entry, Mark};
use ninepanels_domain::ports::EntryRepository;
use ninepanels_domain::{ErrorKind, Result};
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::{SqlEntries, TapQueue};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use std::time::Duration;
use tokio::task::JoinHandle;

/// A transaction that keeps every tap waiting until it ends: SQLite's write lock, or on
/// PostgreSQL a lock on the entries table that inserts wait for.
async fn hold_writes(db: &TestDb) -> DatabaseTransaction {
    let txn = db.db.begin().await.unwrap();
    let sql = match db.engine {
        TestEngine::Sqlite => "CREATE TABLE holding_writes (n INTEGER)",
        TestEngine::Postgres => "LOCK TABLE entries IN SHARE MODE",
    };
    txn.execute_unprepared(sql).await.unwrap();
    txn
}

/// Waits, for ten seconds at most, until the taps' queue is as `expected` says.
async fn wait_for_queue(entries: &SqlEntries, what: &str, expected: impl Fn(TapQueue) -> bool) {
    for _ in 0..1000 {
        if expected(entries.tap_queue()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what}: the queue stayed {:?}", entries.tap_queue());
}

fn tap(entries: &SqlEntries, user: i32, panel: i32, mark: Mark) -> JoinHandle<Result<Entry>> {
    let entries = entries.clone();
    let t = at(2026, 3, 1, 12, 0);
    tokio::spawn(async move { entries.record(user, panel, mark, t).await })
}

/// Starts one tap and waits until its statement is held; then starts `then` and waits until they
/// all wait for the next statement.
async fn queue_behind_a_held_tap(
    db: &TestDb,
    entries: &SqlEntries,
    first: (i32, i32, Mark),
    then: &[(i32, i32, Mark)],
) -> (
    DatabaseTransaction,
    JoinHandle<Result<Entry>>,
    Vec<JoinHandle<Result<Entry>>>,
) {
    let held = hold_writes(db).await;
    let first = tap(entries, first.0, first.1, first.2);
    wait_for_queue(entries, "the first tap is written", |q| q.writing == 1).await;
    let then: Vec<_> = then
        .iter()
        .map(|&(u, p, m)| tap(entries, u, p, m))
        .collect();
    let count = then.len();
    wait_for_queue(entries, "the others wait", |q| q.waiting == count).await;
    (held, first, then)
}

async fn taps_that_wait_together_share_one_statement_and_get_their_own_entries(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let bob = user(db, "bob@example.org").await;
    let (read, write) = (
        panel(db, &ada, "read").await,
        panel(db, &ada, "write").await,
    );
    let run = panel(db, &bob, "run").await;
    let (held, first, then) = queue_behind_a_held_tap(
        db,
        &entries,
        (ada.id, read.id, Mark::Done),
        &[
            (ada.id, write.id, Mark::Done),
            (bob.id, run.id, Mark::Rest),
            (bob.id, read.id, Mark::Done),
            (ada.id, read.id, Mark::NotDone),
            (ada.id, write.id, Mark::Rest),
        ],
    )
    .await;
    held.rollback().await.unwrap();

    let first = first.await.unwrap().unwrap();
    let mut outcomes = Vec::new();
    for handle in then {
        outcomes.push(handle.await.unwrap());
    }
    let [wrote, ran, forged, undone, rested] = outcomes.try_into().unwrap();
    let (wrote, ran, undone) = (wrote.unwrap(), ran.unwrap(), undone.unwrap());
    let rested = rested.unwrap();
    assert_eq!(
        forged.unwrap_err().kind,
        ErrorKind::NotFound,
        "not bob's panel"
    );
    assert_eq!((first.panel_id, first.is_complete), (read.id, true));
    assert_eq!((wrote.panel_id, wrote.is_complete), (write.id, true));
    assert_eq!((ran.panel_id, ran.is_skip), (run.id, true));
    assert_eq!((undone.panel_id, undone.is_complete), (read.id, false));
    assert_eq!((rested.panel_id, rested.is_skip), (write.id, true));
    assert!(undone.id > first.id, "a panel's taps are written in order");
    assert!(rested.id > wrote.id, "also within one statement");
    assert_eq!(
        entries.tap_queue().statements,
        3,
        "the held tap, then the others but ada's on the panel bob tapped first, then that one"
    );
    assert_eq!(
        count_entries(db).await,
        5,
        "bob's forged tap stored nothing"
    );
    for (owner, entry) in [
        (ada.id, first),
        (ada.id, wrote),
        (bob.id, ran),
        (ada.id, undone),
        (ada.id, rested),
    ] {
        let page = entries.page(owner, entry.panel_id, None, 10).await.unwrap();
        assert!(page.contains(&entry), "{entry:?} is stored as answered");
    }
}

async fn a_tap_that_fails_a_shared_statement_fails_alone(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let (read, write) = (
        panel(db, &ada, "read").await,
        panel(db, &ada, "write").await,
    );
    let swim = panel(db, &ada, "swim").await;
    poison_incomplete_taps(db).await;
    let (held, first, then) = queue_behind_a_held_tap(
        db,
        &entries,
        (ada.id, read.id, Mark::Done),
        &[
            (ada.id, write.id, Mark::NotDone),
            (ada.id, swim.id, Mark::Done),
        ],
    )
    .await;
    held.rollback().await.unwrap();

    first.await.unwrap().unwrap();
    let [refused, swam] = <[_; 2]>::try_from(then).unwrap();
    let refused = refused.await.unwrap();
    assert!(
        refused.is_err(),
        "answered {refused:?} for a rolled-back tap"
    );
    let swam = swam.await.unwrap().unwrap();
    assert_eq!((swam.panel_id, swam.is_complete), (swim.id, true));
    assert_eq!(
        entries.tap_queue().statements,
        4,
        "the held tap, the shared statement that failed, then each of its taps alone"
    );
    assert_eq!(count_entries(db).await, 2, "the refused tap stored nothing");
}

ninepanels_persistence::test_on_both_engines!(
    taps_that_wait_together_share_one_statement_and_get_their_own_entries,
    a_tap_that_fails_a_shared_statement_fails_alone,
);
