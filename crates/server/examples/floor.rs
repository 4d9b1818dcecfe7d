//! The floors `scripts/bench.sh` measures routes against: bare axum over bare sqlx, with the
//! server's pool size and SQLite settings. `GET /floor/{id}` reads one panel's title by primary
//! key; `POST /floor/{id}` commits one entry for that panel (what a tap must at least cost). Both
//! answer small JSON. It uses none of the server's code, so it stays the floor whatever the
//! server becomes.
//!
//! `DATABASE_URL` (required), `BIND_ADDR` (`127.0.0.1:8001`), `DATABASE_MAX_CONNECTIONS`
//! (10 on PostgreSQL, 4 on SQLite, as the server).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::sqlx::{self, PgPool, SqlitePool};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
enum Pool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

async fn panel_title(State(pool): State<Pool>, Path(id): Path<i32>) -> Json<serde_json::Value> {
    let title: Option<Option<String>> = match &pool {
        Pool::Postgres(pool) => {
            sqlx::query_scalar("SELECT title FROM panels WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        }
        Pool::Sqlite(pool) => {
            sqlx::query_scalar("SELECT title FROM panels WHERE id = ?1")
                .bind(id)
                .fetch_optional(pool)
                .await
        }
    }
    .unwrap_or_default();
    Json(serde_json::json!({ "id": id, "title": title.flatten() }))
}

async fn one_entry(State(pool): State<Pool>, Path(id): Path<i32>) -> Json<serde_json::Value> {
    let now = chrono::Utc::now().naive_utc();
    let entry: Option<i32> = match &pool {
        Pool::Postgres(pool) => {
            sqlx::query_scalar(
                "INSERT INTO entries (is_complete, is_skip, timestamp, panel_id) \
                 VALUES (true, false, $1, $2) RETURNING id",
            )
            .bind(now)
            .bind(id)
            .fetch_optional(pool)
            .await
        }
        Pool::Sqlite(pool) => {
            sqlx::query_scalar(
                "INSERT INTO entries (is_complete, is_skip, timestamp, panel_id) \
                 VALUES (1, 0, ?1, ?2) RETURNING id",
            )
            .bind(now)
            .bind(id)
            .fetch_optional(pool)
            .await
        }
    }
    .unwrap_or_default();
    Json(serde_json::json!({ "id": entry, "panel_id": id, "is_complete": true }))
}

async fn open(url: &str) -> Result<Pool, String> {
    let size = |default: u32| {
        std::env::var("DATABASE_MAX_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let timeout = Duration::from_secs(5);
    if url.starts_with("postgres") {
        PgPoolOptions::new()
            .max_connections(size(10))
            .acquire_timeout(timeout)
            .test_before_acquire(false)
            .connect(url)
            .await
            .map(Pool::Postgres)
            .map_err(|e| e.to_string())
    } else {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| e.to_string())?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(timeout);
        SqlitePoolOptions::new()
            .max_connections(size(4))
            .acquire_timeout(timeout)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map(Pool::Sqlite)
            .map_err(|e| e.to_string())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("floor: DATABASE_URL is required");
        return ExitCode::FAILURE;
    };
    let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8001".to_owned());
    let pool = match open(&url).await {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("floor: cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new()
        .route("/floor/{id}", get(panel_title).post(one_entry))
        .with_state(pool);
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("floor: cannot listen on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}
