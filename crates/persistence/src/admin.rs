//! What the operator CLI reads and does to a whole database: its tables and columns, a summary
//! of its users, dropping everything, and the log of destructive commands.

use crate::error::DbResultExt;
use crate::sql::statements;
use crate::tables::{Holds, children_first};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use ninepanels_domain::Result;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait, Value,
};

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

/// One line per user: id, email, name, role, panels, entries, last sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub panels: i64,
    pub entries: i64,
    pub last_login: Option<String>,
}

/// Every user, or only the one with id `only`.
pub async fn user_summaries(
    db: &DatabaseConnection,
    only: Option<i32>,
) -> Result<Vec<UserSummary>> {
    let only = only.map_or_else(String::new, |id| format!("WHERE u.id = {id} "));
    let found = rows(
        db,
        &format!("SELECT u.id AS id, u.email AS email, COALESCE(u.name, '') AS name, \
           COALESCE(u.is_admin, FALSE) AS is_admin, \
           (SELECT COUNT(*) FROM panels p WHERE p.user_id = u.id) AS panels, \
           (SELECT COUNT(*) FROM entries e JOIN panels p ON e.panel_id = p.id WHERE p.user_id = u.id) AS entries, \
           CAST(u.last_login AS TEXT) AS last_login \
         FROM users u {only}ORDER BY u.id"),
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
            name: r.try_get("", "name").unwrap_or_default(),
            is_admin: r.try_get("", "is_admin").unwrap_or_default(),
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
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // Dropping a table deletes its rows first, which would run its triggers row by row.
        let triggers = db
            .query_all_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT name FROM sqlite_master WHERE type = 'trigger'",
            ))
            .await
            .or_db("listing triggers")?;
        for row in triggers {
            let name: String = row.try_get_by_index(0).or_db("listing triggers")?;
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS \"{name}\""))
                .await
                .or_db("dropping a trigger")?;
        }
    }
    let dropped = children_first().filter(|t| t.holds != Holds::OpsLog);
    for table in dropped.map(|t| t.name) {
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

/// One stored line of `ops_log`, as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOperation {
    pub id: i64,
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub env: String,
    pub command: String,
    pub detail: Option<String>,
}

/// Every line of `ops_log`, oldest first; empty when the table does not exist.
pub async fn read_ops_log(db: &impl ConnectionTrait) -> Vec<LoggedOperation> {
    let sql = "SELECT id, at, actor, env, command, detail FROM ops_log ORDER BY id";
    let Ok(found) = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
    else {
        return Vec::new();
    };
    found
        .iter()
        .filter_map(|r| {
            Some(LoggedOperation {
                id: r.try_get_by_index::<i64>(0).ok()?,
                at: r.try_get_by_index(1).ok()?,
                actor: r.try_get_by_index(2).ok()?,
                env: r.try_get_by_index(3).ok()?,
                command: r.try_get_by_index(4).ok()?,
                detail: r.try_get_by_index(5).ok()?,
            })
        })
        .collect()
}

/// Writes one ops log line, with its own id or with the next one.
async fn insert_line(
    txn: &impl ConnectionTrait,
    line: &LoggedOperation,
    keep_id: bool,
) -> Result<()> {
    let mut values: Vec<Value> = vec![
        line.at.into(),
        line.actor.clone().into(),
        line.env.clone().into(),
        line.command.clone().into(),
        line.detail.clone().into(),
    ];
    let query = if keep_id {
        values.push(line.id.into());
        &statements::OPS_LOG_WITH_ID
    } else {
        &statements::OPS_LOG_LINE
    };
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        query.sql(backend),
        values,
    ))
    .await
    .or_db("writing back the ops log")?;
    Ok(())
}

/// After a restore that brought back a backup's copy of `ops_log`: the log is append-only, so
/// the lines `kept` from before the restore stand as they were (ids included), and the
/// backup's lines that are not among them follow with new ids. One transaction.
pub async fn put_back_ops_log(db: &DatabaseConnection, kept: &[LoggedOperation]) -> Result<()> {
    let txn = db.begin().await.or_db("starting the ops log merge")?;
    let restored = read_ops_log(&txn).await;
    let same = |a: &LoggedOperation, b: &LoggedOperation| {
        (a.at, &a.actor, &a.env, &a.command, &a.detail)
            == (b.at, &b.actor, &b.env, &b.command, &b.detail)
    };
    let foreign: Vec<&LoggedOperation> = restored
        .iter()
        .filter(|r| !kept.iter().any(|k| same(k, r)))
        .collect();
    txn.execute_unprepared("DELETE FROM ops_log")
        .await
        .or_db("emptying the ops log")?;
    for line in kept {
        insert_line(&txn, line, true).await?;
    }
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('ops_log', 'id'), \
             COALESCE((SELECT MAX(id) FROM ops_log), 0) + 1, false)",
        )
        .await
        .or_db("moving the ops log's ids on")?;
    }
    for line in foreign {
        insert_line(&txn, line, false).await?;
    }
    txn.commit().await.or_db("committing the ops log merge")
}
