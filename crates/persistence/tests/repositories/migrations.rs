//! The migration chain on both engines: every table, idempotent, cascading deletes.

use ninepanels_domain::ports::Health;
use ninepanels_persistence::tables::TABLES;
use ninepanels_persistence::testing::{TestDb, TestEngine};
use ninepanels_persistence::{SqlHealth, known_migrations, migrate, pending_migrations};
use sea_orm::{ConnectionTrait, Statement};

async fn table_names(db: &TestDb) -> Vec<String> {
    let sql = match db.engine {
        TestEngine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        TestEngine::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    db.db
        .query_all_raw(Statement::from_string(db.db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .filter(|name| !name.starts_with("sqlite_"))
        .collect()
}

async fn creates_every_table_and_running_twice_is_a_no_op(db: &TestDb) {
    let mut names = table_names(db).await;
    names.sort();
    let mut ours: Vec<String> = TABLES
        .iter()
        .filter(|t| t.name != "alembic_version")
        .map(|t| t.name.to_owned())
        .collect();
    ours.sort();
    assert_eq!(
        names, ours,
        "the one list of tables is what the migrations make"
    );
    assert_eq!(pending_migrations(&db.db).await.unwrap(), 0);
    migrate(&db.db).await.unwrap();
    migrate(&db.db).await.unwrap();
    assert_eq!(table_names(db).await.len(), names.len());
}

async fn foreign_keys_cascade_deletes(db: &TestDb) {
    db.db
        .execute_unprepared(
            "INSERT INTO users (id, email, name, hashed_password, is_admin) VALUES (41, 'a@b.co', 'A', 'x', false);
             INSERT INTO panels (id, title, position, user_id) VALUES (51, 't', 0, 41);
             INSERT INTO entries (id, is_complete, panel_id) VALUES (61, true, 51);",
        )
        .await
        .unwrap();
    db.db
        .execute_unprepared("DELETE FROM users WHERE id = 41")
        .await
        .unwrap();
    for table in ["panels", "entries"] {
        assert_eq!(count(&db.db, table).await, 0, "{table} kept rows");
    }
}

async fn count(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT COUNT(*) AS n FROM {table}"),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

/// The columns of the entries index the day series read, in order.
async fn entries_index_columns(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT a.attname AS name FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE c.relname = 'ix_entries_panel_id_timestamp_id_state' ORDER BY k.n"
        }
        _ => {
            "SELECT name FROM pragma_index_info('ix_entries_panel_id_timestamp_id_state') ORDER BY seqno"
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect()
}

async fn a_fresh_database_has_every_migration_pending(engine: TestEngine) {
    if let Some(db) = TestDb::new_unmigrated(engine).await {
        assert_eq!(
            pending_migrations(&db.db).await.unwrap(),
            known_migrations()
        );
        let health = SqlHealth::new(db.db.clone());
        assert_eq!(
            health.pending_migrations().await.unwrap(),
            known_migrations()
        );
        migrate(&db.db).await.unwrap();
        assert_eq!(pending_migrations(&db.db).await.unwrap(), 0);
        assert_eq!(health.pending_migrations().await.unwrap(), 0);
        let gone = ninepanels_persistence::connect(
            &ninepanels_domain::config::Config::for_tests(&db.url).database,
        )
        .await
        .unwrap();
        gone.clone().close().await.unwrap();
        let unreachable = SqlHealth::new(gone).pending_migrations().await.unwrap_err();
        assert_eq!(unreachable.kind, ninepanels_domain::ErrorKind::Unavailable);
        assert_eq!(
            entries_index_columns(&db.db).await,
            ["panel_id", "timestamp", "id", "is_complete", "is_skip"],
            "entries are indexed in tap order, with their state"
        );
    }
}

/// Servers starting together on one fresh database (each with its own pool, as separate
/// processes would have) all succeed, and each migration is recorded once.
async fn servers_starting_together_migrate_once(engine: TestEngine) {
    let Some(db) = TestDb::new_unmigrated(engine).await else {
        return;
    };
    let mut starting = Vec::new();
    for _ in 0..4 {
        let config = ninepanels_domain::config::Config::for_tests(&db.url);
        starting.push(tokio::spawn(async move {
            let pool = ninepanels_persistence::connect(&config.database)
                .await
                .unwrap();
            let outcome = migrate(&pool).await;
            pool.close().await.ok();
            outcome
        }));
    }
    for started in starting {
        started.await.unwrap().unwrap();
    }
    assert_eq!(
        count(&db.db, "seaql_migrations").await,
        known_migrations() as i64
    );
    assert_eq!(pending_migrations(&db.db).await.unwrap(), 0);
}

ninepanels_persistence::test_on_both_engines!(
    creates_every_table_and_running_twice_is_a_no_op,
    foreign_keys_cascade_deletes,
);

ninepanels_persistence::test_with_each_engine!(
    a_fresh_database_has_every_migration_pending,
    servers_starting_together_migrate_once
);
