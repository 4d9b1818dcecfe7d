//! Connections kept between hot statements, on both engines: one that ran a statement to its
//! end serves the next, and goes back to the pool when none comes; one that failed, was dropped
//! halfway or is left inside a transaction is never kept; at most the capacity is kept, and a
//! transaction still finds a connection while it is.

use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::{Hot, KEEP_FOR, Kept};
use sea_orm::TransactionTrait;
use sea_orm::sqlx::{self, Connection, Database, Executor, Pool};
use std::sync::Arc;
use std::time::Duration;

/// A statement that runs for about `millis` on either engine.
fn slow(engine: TestEngine, millis: u32) -> String {
    match engine {
        TestEngine::Postgres => format!("SELECT pg_sleep({millis} / 1000.0)"),
        TestEngine::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
             SELECT count(*) FROM n",
            millis * 20_000
        ),
    }
}

fn in_use<DB: Database>(pool: &Pool<DB>) -> u32 {
    pool.size() - pool.num_idle() as u32
}

/// Waits (bounded) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{what}: not within 2 s");
}

async fn exercise<DB: Database>(engine: TestEngine, kept: Arc<Kept<DB>>, pool: &Pool<DB>)
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let run = |sql: String| {
        let kept = kept.clone();
        async move {
            kept.run(async |c| c.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()))
                .await
        }
    };
    run("SELECT 1".to_owned()).await.unwrap();
    assert_eq!(kept.len(), 1, "kept after a statement");
    run("SELECT 2".to_owned()).await.unwrap();
    assert_eq!(
        kept.len(),
        1,
        "the kept connection served the next (another would be kept too)"
    );
    until("given back to the pool", || {
        kept.is_empty() && in_use(pool) == 0
    })
    .await;
    assert!(KEEP_FOR < Duration::from_secs(1));

    run("SELECT * FROM no_such_table".to_owned())
        .await
        .unwrap_err();
    assert!(
        kept.is_empty(),
        "a connection whose statement failed is not kept"
    );

    let cut_short = tokio::time::timeout(Duration::from_millis(30), run(slow(engine, 3_000)));
    assert!(cut_short.await.is_err(), "the slow statement was cut short");
    assert!(kept.is_empty(), "a connection dropped halfway is not kept");
    run("SELECT 3".to_owned())
        .await
        .expect("the pool serves on after a drop");

    let left_open = kept
        .run(async |c| {
            std::mem::forget(c.begin().await?);
            Ok(())
        })
        .await;
    left_open.unwrap();
    assert!(
        kept.is_empty(),
        "a connection inside a transaction is not kept"
    );

    let capacity = kept.capacity();
    let many: Vec<_> = (0..capacity + 2).map(|_| run(slow(engine, 50))).collect();
    for outcome in futures::future::join_all(many).await {
        outcome.unwrap();
    }
    assert!(
        (1..=capacity).contains(&kept.len()),
        "{} kept, capacity {capacity}",
        kept.len()
    );
}

async fn statements_keep_their_connections_as_promised(db: &TestDb) {
    let hot = Hot::for_pool(&db.db);
    match &hot {
        Hot::Postgres(kept) => {
            let pool = db.db.get_postgres_connection_pool();
            exercise(db.engine, kept.clone(), pool).await;
        }
        Hot::Sqlite(kept, ..) => {
            let pool = db.db.get_sqlite_connection_pool();
            exercise(db.engine, kept.clone(), pool).await;
        }
    }
    assert!(!hot.is_empty(), "the capacity run kept connections");
    let txn = tokio::time::timeout(Duration::from_secs(2), db.db.begin())
        .await
        .expect("a transaction finds a connection while others are kept")
        .unwrap();
    txn.rollback().await.unwrap();
}

ninepanels_persistence::test_on_both_engines!(statements_keep_their_connections_as_promised);
