//! What the operator CLI reads and does to a whole database: its tables and columns, a summary
//! of its users, dropping everything, and the log of destructive commands.

use crate::error::DbResultExt;
use crate::time::to_db;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};

/// Every table this server keeps, children before parents, and the migration record.
pub const ALL_TABLES: [&str; 14] = [
    "entries",
    "password_reset_tokens",
    "panels",
    "blacklisted_access_tokens",
    "users",
    "timings",
    "timing_stats",
    "event_outbox",
    "job_runs",
    "scheduled_jobs",
    "sign_in_attempts",
    "ops_log",
    "seaql_migrations",
    "alembic_version",
];

async fn rows(
    db: &DatabaseConnection,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<sea_orm::QueryResult>> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .or_db("reading the schema")
}

/// `(table, column, type)` for every column of every table.
pub async fn schema(db: &DatabaseConnection) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            for r in rows(
                db,
                "SELECT table_name, column_name, data_type FROM information_schema.columns \
                 WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
                vec![],
            )
            .await?
            {
                out.push((
                    r.try_get("", "table_name").unwrap_or_default(),
                    r.try_get("", "column_name").unwrap_or_default(),
                    r.try_get("", "data_type").unwrap_or_default(),
                ));
            }
        }
        _ => {
            let tables = rows(
                db,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                vec![],
            )
            .await?;
            for t in tables {
                let table: String = t.try_get("", "name").unwrap_or_default();
                for c in rows(db, &format!("PRAGMA table_info(\"{table}\")"), vec![]).await? {
                    out.push((
                        table.clone(),
                        c.try_get("", "name").unwrap_or_default(),
                        c.try_get("", "type").unwrap_or_default(),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// One line per user: id, email, panels, entries, last sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub panels: i64,
    pub entries: i64,
    pub last_login: Option<String>,
}

pub async fn user_summaries(db: &DatabaseConnection) -> Result<Vec<UserSummary>> {
    let found = rows(
        db,
        "SELECT u.id AS id, u.email AS email, \
           (SELECT COUNT(*) FROM panels p WHERE p.user_id = u.id) AS panels, \
           (SELECT COUNT(*) FROM entries e JOIN panels p ON e.panel_id = p.id WHERE p.user_id = u.id) AS entries, \
           CAST(u.last_login AS TEXT) AS last_login \
         FROM users u ORDER BY u.id",
        vec![],
    )
    .await?;
    Ok(found
        .iter()
        .map(|r| UserSummary {
            id: r
                .try_get::<i64>("", "id")
                .or_else(|_| r.try_get::<i32>("", "id").map(i64::from))
                .unwrap_or_default(),
            email: r.try_get("", "email").unwrap_or_default(),
            panels: r.try_get("", "panels").unwrap_or_default(),
            entries: r.try_get("", "entries").unwrap_or_default(),
            last_login: r.try_get("", "last_login").ok(),
        })
        .collect())
}

/// Drops every table, the migration record included, but the ops log (which keeps the record
/// of this): no data is left afterwards.
pub async fn drop_everything(db: &DatabaseConnection) -> Result<()> {
    let cascade = if db.get_database_backend() == DatabaseBackend::Postgres {
        " CASCADE"
    } else {
        ""
    };
    for table in ALL_TABLES.iter().filter(|t| **t != "ops_log") {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}{cascade}"))
            .await
            .or_db("dropping a table")?;
    }
    Ok(())
}

/// Records a destructive command in `ops_log`.
pub async fn log_operation(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
    actor: &str,
    env: &str,
    command: &str,
    detail: &str,
) -> Result<()> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            "INSERT INTO ops_log (at, actor, env, command, detail) VALUES ($1, $2, $3, $4, $5)"
        }
        _ => "INSERT INTO ops_log (at, actor, env, command, detail) VALUES (?, ?, ?, ?, ?)",
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        vec![
            to_db(at).into(),
            actor.into(),
            env.into(),
            command.into(),
            detail.into(),
        ],
    ))
    .await
    .or_db("writing the ops log")?;
    Ok(())
}

/// The latest `limit` ops log lines: (at, actor, env, command, detail).
pub async fn operations(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<(String, String, String, String, String)>> {
    let found = rows(
        db,
        &format!("SELECT CAST(at AS TEXT) AS at, actor, env, command, COALESCE(detail, '') AS detail FROM ops_log ORDER BY id DESC LIMIT {limit}"),
        vec![],
    )
    .await?;
    Ok(found
        .iter()
        .map(|r| {
            let get = |c: &str| r.try_get::<String>("", c).unwrap_or_default();
            (
                get("at"),
                get("actor"),
                get("env"),
                get("command"),
                get("detail"),
            )
        })
        .collect())
}
