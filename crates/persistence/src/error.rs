//! Storage errors get their meaning here: a unique violation is a Conflict, a foreign-key
//! violation Invalid, a missing row NotFound, a lost or exhausted connection Unavailable.

use ninepanels_domain::{Error, ErrorKind};
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, SqlErr};
use std::sync::Arc;

/// Converts a sea-orm error into the base error, keeping the cause for the logs.
pub fn from_db(err: DbErr, context: &str) -> Error {
    let kind = classify(&err);
    let base = match kind {
        ErrorKind::Conflict => Error::conflict("That already exists."),
        ErrorKind::Invalid => Error::invalid("That refers to something that does not exist."),
        ErrorKind::NotFound => Error::not_found("Not found"),
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

fn classify_sqlx(err: &sea_orm::sqlx::Error) -> ErrorKind {
    use sea_orm::sqlx::Error as E;
    match err {
        E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => {
            ErrorKind::Unavailable
        }
        E::Protocol(_) => ErrorKind::Unavailable,
        E::Database(db) => match db.code().as_deref() {
            // PostgreSQL: connection exceptions (08xxx), shutting down or starting up (57P0x),
            // too many connections (53300); SQLite: busy or locked past the busy timeout.
            Some(code)
                if code.starts_with("08")
                    || code.starts_with("57P0")
                    || code == "53300"
                    || code == "5"
                    || code == "6"
                    || code == "517" =>
            {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::Internal,
        },
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
