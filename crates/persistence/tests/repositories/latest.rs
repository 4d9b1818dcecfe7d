//! The latest entry each panel row carries (kept by triggers) against the entries themselves, on
//! both engines: after taps, rows written behind the repositories' back (backdated, future, with
//! no time), changes, moves between panels, removals, and concurrent writers.

use crate::support::{at, panel, user};
use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use ninepanels_domain::entry::Mark;
use ninepanels_domain::panel::Panel;
use ninepanels_domain::ports::{EntryRepository, PanelRepository};
use ninepanels_domain::user::User;
use ninepanels_persistence::entities::{entries, panels};
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::{SqlEntries, SqlPanels};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set, TransactionTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Statement};

/// One of the quarter days from two days before `day` to two days after it: coarse, so that
/// entries often share a time and the id decides.
fn near(rng: &mut StdRng, day: DateTime<Utc>) -> DateTime<Utc> {
    day + Duration::hours(6 * rng.random_range(-8..12))
}

fn mark(rng: &mut StdRng) -> Mark {
    [Mark::Done, Mark::NotDone, Mark::Rest][rng.random_range(0..3)]
}

async fn all_entries(db: &DatabaseConnection) -> Vec<entries::Model> {
    entries::Entity::find()
        .order_by_asc(entries::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The latest entry (by time, then id) of `panel` among `rows`, and its state in `[from, until)`.
fn latest_of(rows: &[entries::Model], panel: i32) -> Option<&entries::Model> {
    rows.iter()
        .filter(|e| e.panel_id == Some(panel) && e.timestamp.is_some())
        .max_by_key(|e| (e.timestamp, e.id))
}

fn state_in(
    rows: &[entries::Model],
    panel: i32,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Option<bool> {
    rows.iter()
        .filter(|e| e.panel_id == Some(panel))
        .filter(|e| {
            e.timestamp
                .is_some_and(|t| t >= from.naive_utc() && t < until.naive_utc())
        })
        .max_by_key(|e| (e.timestamp, e.id))
        .and_then(|e| e.is_complete)
}

#[derive(Debug, FromQueryResult)]
struct Carried {
    id: i32,
    latest_entry_id: Option<i32>,
}

/// Every panel's carried latest entry and, for the days around `day`, the listed state, as the
/// entries say.
async fn check(db: &TestDb, owner: &User, day: DateTime<Utc>, step: &str) {
    let rows = all_entries(&db.db).await;
    let sql = "SELECT id, latest_entry_id FROM panels ORDER BY id";
    let carried =
        Carried::find_by_statement(Statement::from_string(db.db.get_database_backend(), sql))
            .all(&db.db)
            .await
            .unwrap();
    for panel in carried {
        let expected = latest_of(&rows, panel.id).map(|e| e.id);
        assert_eq!(
            panel.latest_entry_id, expected,
            "panel {} after {step}",
            panel.id
        );
    }
    let listing = SqlPanels::new(db.db.clone());
    for offset in -2..=2 {
        let from = day + Duration::days(offset);
        let until = from + Duration::days(1);
        let listed = listing
            .list_with_latest(owner.id, from, until)
            .await
            .unwrap();
        for (panel, state) in listed {
            let expected = state_in(&rows, panel.id, from, until);
            assert_eq!(
                state, expected,
                "panel {} on day {offset} after {step}",
                panel.id
            );
        }
    }
}

async fn entry(db: &impl ConnectionTrait, panel: i32, at: Option<DateTime<Utc>>, complete: bool) {
    entries::ActiveModel {
        is_complete: Set(Some(complete)),
        timestamp: Set(at.map(|t| t.naive_utc())),
        panel_id: Set(Some(panel)),
        is_skip: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

async fn the_carried_latest_entry_follows_every_write(db: &TestDb) {
    let ada = user(db, "ada@example.org").await;
    let mut owned: Vec<Panel> = Vec::new();
    for title in ["a", "b", "c", "d"] {
        owned.push(panel(db, &ada, title).await);
    }
    let taps = SqlEntries::new(db.db.clone());
    let day = at(2026, 5, 2, 0, 0);
    let mut rng = StdRng::seed_from_u64(15);
    check(db, &ada, day, "no entries yet").await;
    for step in 0..150 {
        let panel = owned[rng.random_range(0..owned.len())].id;
        let rows = all_entries(&db.db).await;
        let some_row = (!rows.is_empty()).then(|| rows[rng.random_range(0..rows.len())].clone());
        let what = match (rng.random_range(0..8), some_row) {
            (0..=2, _) | (_, None) => {
                let (mark, time) = (mark(&mut rng), near(&mut rng, day));
                taps.record(ada.id, panel, mark, time).await.unwrap();
                "a tap"
            }
            (3, _) => {
                let time = rng.random_bool(0.8).then(|| near(&mut rng, day));
                entry(&db.db, panel, time, rng.random_bool(0.5)).await;
                "an entry written directly"
            }
            (4, Some(row)) => {
                let mut changed: entries::ActiveModel = row.into();
                changed.timestamp = Set(Some(near(&mut rng, day).naive_utc()));
                changed.is_complete = Set(Some(rng.random_bool(0.5)));
                changed.update(&db.db).await.unwrap();
                "a changed entry"
            }
            (5, Some(row)) => {
                let mut moved: entries::ActiveModel = row.into();
                moved.panel_id = Set(Some(panel));
                moved.update(&db.db).await.unwrap();
                "an entry moved to another panel"
            }
            (_, Some(row)) => {
                entries::Entity::delete_by_id(row.id)
                    .exec(&db.db)
                    .await
                    .unwrap();
                "a removed entry"
            }
        };
        check(db, &ada, day, &format!("step {step}: {what}")).await;
    }
    let newest = latest_of(&all_entries(&db.db).await, owned[0].id).map(|e| e.id);
    let sql = format!(
        "DELETE FROM entries WHERE panel_id = {} AND id >= {}",
        owned[0].id,
        newest.unwrap_or(0)
    );
    db.db.execute_unprepared(&sql).await.unwrap();
    check(
        db,
        &ada,
        day,
        "the newest entries of a panel removed at once",
    )
    .await;
    panels::Entity::delete_by_id(owned[1].id)
        .exec(&db.db)
        .await
        .unwrap();
    check(db, &ada, day, "a panel removed with its entries").await;
}

/// Writers on their own connections at once (on PostgreSQL, as separate server processes would):
/// each write waits for the panel row another holds, and the carried entry still ends right.
async fn concurrent_writers_leave_the_latest_entry_right(db: &TestDb) {
    let ada = user(db, "ada@example.org").await;
    let shared = panel(db, &ada, "shared").await;
    let day = at(2026, 5, 2, 0, 0);
    let mut writers = Vec::new();
    for seed in 0..4u64 {
        let (db, taps) = (db.db.clone(), SqlEntries::new(db.db.clone()));
        let (user, panel) = (ada.id, shared.id);
        writers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            for _ in 0..40 {
                match rng.random_range(0..4) {
                    0 | 1 => {
                        let (mark, time) = (mark(&mut rng), near(&mut rng, day));
                        taps.record(user, panel, mark, time).await.unwrap();
                    }
                    2 => entry(&db, panel, Some(near(&mut rng, day)), true).await,
                    _ => {
                        let sql = "DELETE FROM entries WHERE id = (SELECT MAX(id) FROM entries)";
                        db.execute_unprepared(sql).await.unwrap();
                    }
                }
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    check(db, &ada, day, "four writers at once").await;
}

/// Waits, for ten seconds at most, until a PostgreSQL session waits for a lock (SQLite's second
/// writer waits for the first on its own, unseen).
async fn wait_for_a_lock_wait(db: &TestDb) {
    if db.engine == TestEngine::Sqlite {
        return;
    }
    let sql = "SELECT COUNT(*) AS n FROM pg_stat_activity \
               WHERE datname = current_database() AND wait_event_type = 'Lock'";
    for _ in 0..1000 {
        let row = db
            .db
            .query_one_raw(Statement::from_string(db.db.get_database_backend(), sql));
        if row.await.unwrap().unwrap().try_get::<i64>("", "n").unwrap() > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no session came to wait for a lock");
}

/// A removal that comes while a newer entry of the panel is being written waits for it, and
/// counts it: the count is taken after the wait, not before.
async fn a_removal_counts_the_entry_written_while_it_waited(db: &TestDb) {
    let ada = user(db, "ada@example.org").await;
    let shared = panel(db, &ada, "shared").await;
    // Within the last day, so no other trigger (the history revision's) makes them wait first.
    let now = Utc::now();
    let day = now.duration_trunc(TimeDelta::days(1)).unwrap();
    entry(&db.db, shared.id, Some(now - Duration::hours(3)), true).await;
    entry(&db.db, shared.id, Some(now - Duration::hours(2)), false).await;
    let writing = db.db.begin().await.unwrap();
    entry(&writing, shared.id, Some(now - Duration::hours(1)), true).await;
    let remover = {
        let (db, first) = (db.db.clone(), all_entries(&db.db).await[0].id);
        tokio::spawn(async move { entries::Entity::delete_by_id(first).exec(&db).await })
    };
    wait_for_a_lock_wait(db).await;
    writing.commit().await.unwrap();
    remover.await.unwrap().unwrap();
    check(db, &ada, day, "a removal that waited for a newer entry").await;
}

ninepanels_persistence::test_on_both_engines!(
    the_carried_latest_entry_follows_every_write,
    concurrent_writers_leave_the_latest_entry_right,
    a_removal_counts_the_entry_written_while_it_waited,
);
