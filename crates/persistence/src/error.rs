//! Storage errors get their meaning here: a unique violation is a Conflict, a foreign-key
//! violation Invalid, a missing row NotFound, a value the column cannot hold Invalid, and a lost
//! or exhausted connection, a full disk or a failing one Unavailable.

use ninepanels_domain::config::Engine;
use ninepanels_domain::{Error, ErrorKind};
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, SqlErr};
use std::sync::Arc;

/// What a person reads when the database cannot be reached or cannot store anything right now.
pub const UNAVAILABLE: &str = "The service cannot reach its storage right now and nothing was changed; please try again shortly.";

/// Converts a sea-orm error into the base error, keeping the cause for the logs.
pub fn from_db(err: DbErr, context: &str) -> Error {
    let dangling = matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    );
    let base = match classify(&err) {
        ErrorKind::Conflict => Error::conflict("That already exists."),
        ErrorKind::Invalid if dangling => {
            Error::invalid("That refers to something that does not exist.")
        }
        ErrorKind::Invalid => Error::invalid("That value cannot be stored."),
        ErrorKind::NotFound => Error::not_found("Not found"),
        ErrorKind::Unavailable => Error::new(ErrorKind::Unavailable, UNAVAILABLE),
        other => Error::of_kind(other),
    };
    base.with_context(format!("{context}: {err}"))
}

fn classify(err: &DbErr) -> ErrorKind {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => return ErrorKind::Conflict,
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => return ErrorKind::Invalid,
        _ => {}
    }
    match err {
        DbErr::RecordNotFound(_) => ErrorKind::NotFound,
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => {
            ErrorKind::Unavailable
        }
        DbErr::Conn(_) => ErrorKind::Unavailable,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            classify_sqlx(e)
        }
        _ => ErrorKind::Internal,
    }
}

/// What a database's own error code means to a caller.
fn classify_code(engine: Engine, code: &str) -> ErrorKind {
    if engine == Engine::Sqlite {
        // SQLite's extended codes keep the primary code in the low byte.
        return match code.parse::<i32>().unwrap_or_default() & 0xff {
            // busy or locked past the busy timeout, read-only, I/O error, full, cannot open
            5 | 6 | 8 | 10 | 13 | 14 => ErrorKind::Unavailable,
            // a string or blob too big, a datatype mismatch
            18 | 20 => ErrorKind::Invalid,
            _ => ErrorKind::Internal,
        };
    }
    match code.get(..2) {
        // PostgreSQL: connection exceptions, insufficient resources (disk full, out of memory,
        // too many connections), operator intervention (shutting down), system errors (I/O).
        Some("08" | "53" | "57" | "58") => ErrorKind::Unavailable,
        // data exceptions: a value the column cannot hold (a NUL byte, out of range, ...)
        Some("22") => ErrorKind::Invalid,
        _ => ErrorKind::Internal,
    }
}

fn classify_sqlx(err: &sea_orm::sqlx::Error) -> ErrorKind {
    use sea_orm::sqlx::Error as E;
    match err {
        E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => {
            ErrorKind::Unavailable
        }
        E::Protocol(_) => ErrorKind::Unavailable,
        E::Database(db) => {
            let engine = if db.as_error().is::<sea_orm::sqlx::sqlite::SqliteError>() {
                Engine::Sqlite
            } else {
                Engine::Postgres
            };
            db.code()
                .map_or(ErrorKind::Internal, |c| classify_code(engine, &c))
        }
        _ => ErrorKind::Internal,
    }
}

/// `result.or_db("loading panels")` instead of `map_err(|e| from_db(e, ...))`.
pub trait DbResultExt<T> {
    fn or_db(self, context: &str) -> Result<T, Error>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn or_db(self, context: &str) -> Result<T, Error> {
        self.map_err(|e| from_db(e, context))
    }
}

impl<T> DbResultExt<T> for Result<T, sea_orm::sqlx::Error> {
    fn or_db(self, context: &str) -> Result<T, Error> {
        self.map_err(|e| from_db(DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))), context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_row_is_not_found() {
        let e = from_db(DbErr::RecordNotFound("users 7".into()), "loading user");
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.context_msg.starts_with("loading user: "));
    }

    #[test]
    fn lost_or_exhausted_connections_are_unavailable() {
        for err in [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Query(RuntimeErr::SqlxError(Arc::new(
                sea_orm::sqlx::Error::PoolTimedOut,
            ))),
            DbErr::Exec(RuntimeErr::SqlxError(Arc::new(sea_orm::sqlx::Error::Io(
                std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer"),
            )))),
        ] {
            let e = from_db(err, "query");
            assert_eq!(e.kind, ErrorKind::Unavailable);
            assert!(
                !e.detail.contains("reset"),
                "the cause stays out of the detail"
            );
        }
    }

    #[test]
    fn full_failing_or_read_only_storage_is_unavailable() {
        // SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, SQLITE_BUSY_SNAPSHOT,
        // PostgreSQL disk_full, io_error, admin_shutdown
        for code in ["13", "778", "1032", "517", "5", "6"] {
            assert_eq!(classify_code(Engine::Sqlite, code), ErrorKind::Unavailable);
        }
        for code in ["53100", "58030", "57P01", "08006", "53300"] {
            assert_eq!(
                classify_code(Engine::Postgres, code),
                ErrorKind::Unavailable
            );
        }
    }

    #[test]
    fn values_a_column_cannot_hold_are_invalid() {
        // PostgreSQL: a NUL byte in text, a number out of range; SQLite: too big
        assert_eq!(classify_code(Engine::Postgres, "22021"), ErrorKind::Invalid);
        assert_eq!(classify_code(Engine::Postgres, "22003"), ErrorKind::Invalid);
        assert_eq!(classify_code(Engine::Sqlite, "18"), ErrorKind::Invalid);
        assert_eq!(
            classify_code(Engine::Postgres, "42601"),
            ErrorKind::Internal
        );
        assert_eq!(classify_code(Engine::Sqlite, "1"), ErrorKind::Internal);
    }

    #[test]
    fn other_failures_are_internal_with_a_generic_detail() {
        let e = from_db(
            DbErr::Custom("syntax error at or near FROM".into()),
            "query",
        );
        assert_eq!(e.kind, ErrorKind::Internal);
        assert_eq!(e.detail, "Something went wrong on our side.");
        assert!(e.context_msg.contains("syntax error"));
    }

    #[tokio::test]
    async fn unique_violation_is_conflict_and_foreign_key_violation_is_invalid() {
        use sea_orm::{ConnectionTrait, Database};
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared(
            "PRAGMA foreign_keys = ON; CREATE TABLE a (id INTEGER PRIMARY KEY, k TEXT UNIQUE);
             CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
             INSERT INTO a (id, k) VALUES (1, 'x');",
        )
        .await
        .unwrap();
        let dup = db
            .execute_unprepared("INSERT INTO a (id, k) VALUES (2, 'x')")
            .await
            .unwrap_err();
        assert_eq!(from_db(dup, "insert").kind, ErrorKind::Conflict);
        let dangling = db
            .execute_unprepared("INSERT INTO b (id, a_id) VALUES (1, 99)")
            .await
            .unwrap_err();
        assert_eq!(from_db(dangling, "insert").kind, ErrorKind::Invalid);
    }
}
