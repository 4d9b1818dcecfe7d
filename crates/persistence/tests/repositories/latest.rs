//! Each panel's kept latest entry, on both engines: after random writes of every kind (taps,
//! statements of many rows, removals, moves between panels, clears, panels deleted), every panel
//! row holds its latest entry, and the panel list's state in a range is what a search of the
//! entries gives. On PostgreSQL, a removal racing an insert keeps the right one either way.

use crate::support::{at, new_panel, user};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use ninepanels_domain::entry::Mark;
use ninepanels_domain::ports::{EntryRepository, PanelRepository};
use ninepanels_domain::user::User;
use ninepanels_persistence::entities::entries;
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::{SqlEntries, SqlPanels};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, EntityTrait, Statement, TransactionTrait};

type Row = (i32, i32, Option<NaiveDateTime>, Option<bool>);

fn base() -> DateTime<Utc> {
    at(2026, 5, 1, 0, 0)
}

/// A time on a half-hour grid over five days, so that entries often share a time.
fn random_time(rng: &mut StdRng) -> DateTime<Utc> {
    base() + Duration::minutes(30 * rng.random_range(0..240))
}

fn literal(time: DateTime<Utc>) -> String {
    format!("'{}'", time.naive_utc().format("%Y-%m-%d %H:%M:%S"))
}

async fn run(db: &TestDb, sql: &str) {
    db.db
        .execute_raw(Statement::from_string(db.db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn every_entry(db: &TestDb) -> Vec<Row> {
    entries::Entity::find()
        .all(&db.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.panel_id.unwrap(), e.timestamp, e.is_complete))
        .collect()
}

/// The latest entry of `panel` with a time in `[from, until)`, by time then id.
fn latest_in(rows: &[Row], panel: i32, from: NaiveDateTime, until: NaiveDateTime) -> Option<Row> {
    rows.iter()
        .filter(|r| r.1 == panel && r.2.is_some_and(|t| t >= from && t < until))
        .max_by_key(|r| (r.2, r.0))
        .copied()
}

async fn kept(db: &TestDb) -> Vec<(i32, Option<i32>)> {
    db.db
        .query_all_raw(Statement::from_string(
            db.db.get_database_backend(),
            "SELECT id, latest_entry_id FROM panels ORDER BY id",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get_by_index(0).unwrap(),
                row.try_get_by_index(1).unwrap(),
            )
        })
        .collect()
}

/// Every panel row against its entries, and the list in `ranges` against a search.
async fn check(db: &TestDb, ada: &User, ranges: &[(DateTime<Utc>, DateTime<Utc>)], step: &str) {
    let rows = every_entry(db).await;
    let (min, max) = (NaiveDateTime::MIN, NaiveDateTime::MAX);
    for (panel, latest) in kept(db).await {
        let expected = latest_in(&rows, panel, min, max).map(|r| r.0);
        assert_eq!(latest, expected, "panel {panel}'s kept latest after {step}");
    }
    let panels = SqlPanels::new(db.db.clone());
    for &(from, until) in ranges {
        let listed = panels.list_with_latest(ada.id, from, until).await.unwrap();
        for (panel, state) in listed {
            let (lo, hi) = (from.naive_utc(), until.naive_utc());
            let expected = latest_in(&rows, panel.id, lo, hi).and_then(|r| r.3);
            assert_eq!(
                state, expected,
                "panel {} in {from}..{until} after {step}",
                panel.id
            );
        }
    }
}

async fn random_writes_keep_every_panels_latest_entry(db: &TestDb) {
    let (panels, entries) = (
        SqlPanels::new(db.db.clone()),
        SqlEntries::new(db.db.clone()),
    );
    let ada = user(db, "ada@example.org").await;
    let mut ids = Vec::new();
    for title in ["a", "b", "c"] {
        ids.push(
            panels
                .create(ada.id, new_panel(title, None), base())
                .await
                .unwrap()
                .id,
        );
    }
    let mut rng = StdRng::seed_from_u64(20261203);
    for step in 0..160 {
        let panel = ids[rng.random_range(0..ids.len())];
        let rows = every_entry(db).await;
        let pick = |rng: &mut StdRng| rows[rng.random_range(0..rows.len())].0;
        let what =
            match rng.random_range(0..10) {
                0..=2 => {
                    let mark = [Mark::Done, Mark::NotDone, Mark::Rest][rng.random_range(0..3)];
                    let time =
                        random_time(&mut rng) + Duration::microseconds(rng.random_range(0..3));
                    entries.record(ada.id, panel, mark, time).await.unwrap();
                    "a tap"
                }
                3 | 4 => {
                    let values: Vec<String> = (0..rng.random_range(1..6))
                        .map(|_| {
                            let time = match rng.random_range(0..8) {
                                0 => "NULL".to_owned(),
                                _ => literal(random_time(&mut rng)),
                            };
                            let state = ["true", "false", "NULL"][rng.random_range(0..3)];
                            let panel = ids[rng.random_range(0..ids.len())];
                            format!("({state}, {time}, {panel})")
                        })
                        .collect();
                    run(
                        db,
                        &format!(
                            "INSERT INTO entries (is_complete, timestamp, panel_id) VALUES {}",
                            values.join(", ")
                        ),
                    )
                    .await;
                    "an insert of many rows"
                }
                5 if !rows.is_empty() => {
                    let latest = kept(db)
                        .await
                        .into_iter()
                        .find_map(|(p, l)| l.filter(|_| p == panel));
                    let id = latest
                        .filter(|_| rng.random_bool(0.6))
                        .unwrap_or_else(|| pick(&mut rng));
                    run(db, &format!("DELETE FROM entries WHERE id = {id}")).await;
                    "a removal"
                }
                6 if !rows.is_empty() => {
                    let doomed: Vec<String> = (0..rng.random_range(1..8))
                        .map(|_| pick(&mut rng).to_string())
                        .collect();
                    run(
                        db,
                        &format!("DELETE FROM entries WHERE id IN ({})", doomed.join(", ")),
                    )
                    .await;
                    "a removal of many rows"
                }
                7 if !rows.is_empty() => {
                    let (id, time) = (pick(&mut rng), literal(random_time(&mut rng)));
                    run(db, &format!(
                    "UPDATE entries SET timestamp = {time}, panel_id = {panel} WHERE id = {id}"
                ))
                .await;
                    "a move"
                }
                8 => {
                    run(db, &format!(
                    "UPDATE entries SET is_complete = NOT is_complete WHERE panel_id = {panel}"
                ))
                .await;
                    "a change of many rows"
                }
                _ if rng.random_bool(0.3) => {
                    panels.delete(ada.id, panel).await.unwrap();
                    ids.retain(|&id| id != panel);
                    let new = panels
                        .create(ada.id, new_panel("new", None), base())
                        .await
                        .unwrap();
                    ids.push(new.id);
                    "a panel deleted"
                }
                _ => {
                    entries.clear(ada.id, panel, base()).await.unwrap();
                    "a clear"
                }
            };
        let mut ranges = vec![(base() - Duration::days(400), base() + Duration::days(400))];
        for _ in 0..3 {
            let from = base() + Duration::hours(rng.random_range(-6..130));
            ranges.push((from, from + Duration::hours(rng.random_range(1..30))));
        }
        check(db, &ada, &ranges, &format!("step {step}, {what}")).await;
    }
}

async fn the_migration_fills_the_latest_entry_of_existing_panels(db: &TestDb) {
    let entries = SqlEntries::new(db.db.clone());
    let ada = user(db, "ada@example.org").await;
    let panel = SqlPanels::new(db.db.clone())
        .create(ada.id, new_panel("a", None), base())
        .await
        .unwrap();
    entries
        .record(ada.id, panel.id, Mark::Done, base())
        .await
        .unwrap();
    run(
        db,
        "UPDATE panels SET latest_entry_id = NULL, latest_entry_at = NULL",
    )
    .await;
    run(
        db,
        "DELETE FROM seaql_migrations WHERE version LIKE '%panel_latest_entry'",
    )
    .await;
    ninepanels_persistence::migrate(&db.db).await.unwrap();
    check(
        db,
        &ada,
        &[(base(), base() + Duration::days(1))],
        "the migration",
    )
    .await;
    assert!(kept(db).await[0].1.is_some());
}

/// Waits (bounded) until another session of this database waits for a lock.
async fn until_a_session_waits_for_a_lock(db: &TestDb) {
    for _ in 0..500 {
        let waiting = db
            .db
            .query_one_raw(Statement::from_string(
                db.db.get_database_backend(),
                "SELECT COUNT(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no session waited for a lock within 10 s");
}

/// A removal of the latest entry and an insert of an older one on one panel, each waiting for
/// the other in turn: the panel keeps the inserted entry either way.
async fn a_removal_racing_an_insert_keeps_the_right_entry(engine: TestEngine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let ada = user(&db, "ada@example.org").await;
    let panel = SqlPanels::new(db.db.clone())
        .create(ada.id, new_panel("a", None), base())
        .await
        .unwrap()
        .id;
    for insert_first in [true, false] {
        run(
            &db,
            &format!("DELETE FROM entries WHERE panel_id = {panel}"),
        )
        .await;
        let old = base();
        let future = base() + Duration::days(900);
        for time in [old, future] {
            run(&db, &format!(
                "INSERT INTO entries (is_complete, timestamp, panel_id) VALUES (true, {}, {panel})",
                literal(time)
            ))
            .await;
        }
        let middle = literal(base() + Duration::days(10));
        let insert = format!(
            "INSERT INTO entries (is_complete, timestamp, panel_id) VALUES (false, {middle}, {panel})"
        );
        let remove = format!("DELETE FROM entries WHERE timestamp = {}", literal(future));
        let (held, racing) = if insert_first {
            (insert, remove)
        } else {
            (remove, insert)
        };
        let txn = db.db.begin().await.unwrap();
        txn.execute_raw(Statement::from_string(txn.get_database_backend(), held))
            .await
            .unwrap();
        let other = db.db.clone();
        let racer = tokio::spawn(async move {
            other
                .execute_raw(Statement::from_string(other.get_database_backend(), racing))
                .await
        });
        until_a_session_waits_for_a_lock(&db).await;
        txn.commit().await.unwrap();
        racer.await.unwrap().unwrap();
        let rows = every_entry(&db).await;
        let expected = latest_in(&rows, panel, NaiveDateTime::MIN, NaiveDateTime::MAX);
        assert_eq!(
            expected.map(|r| r.2),
            Some(Some((base() + Duration::days(10)).naive_utc()))
        );
        assert_eq!(
            kept(&db).await,
            [(panel, expected.map(|r| r.0))],
            "insert first: {insert_first}"
        );
    }
}

ninepanels_persistence::test_on_both_engines!(
    random_writes_keep_every_panels_latest_entry,
    the_migration_fills_the_latest_entry_of_existing_panels,
);

#[tokio::test]
async fn on_postgres_a_removal_racing_an_insert_keeps_the_right_entry() {
    a_removal_racing_an_insert_keeps_the_right_entry(TestEngine::Postgres).await;
}
