//! Raw SQL: the statements written by hand (in [`statements`]), each once for both engines, and
//! the hot reads run straight through sqlx with rows read by column position (sea-orm looks
//! every column up by name and formats an error for every NULL).

mod checkpoint;
mod hot;
mod inline;
mod kept;
pub mod statements;

pub use checkpoint::{Checkpointer, LOG_BYTES_KEPT, LOG_PAGES_BEFORE_A_COMMIT_CHECKPOINTS};
pub use hot::Hot;
pub use inline::Inline;
pub use kept::{KEEP_FOR, Kept};

use sea_orm::DatabaseBackend;
use std::sync::OnceLock;

/// The most parameter bytes one PostgreSQL statement of ours carries. sqlx sets no TCP_NODELAY:
/// a statement larger than the socket's send buffer (16 KiB at first on Linux) goes out in more
/// than one write, and the last one waits for the server's delayed ACK, 40 ms on loopback.
pub const POSTGRES_STATEMENT_BYTES: usize = 6 * 1024;

/// `items` in consecutive pieces whose `size`s add up to at most `budget`; an item larger than
/// `budget` makes a piece of its own.
pub fn pieces<T>(items: &[T], budget: usize, size: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let mut pieces = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let bytes = size(item);
        if i > start && used + bytes > budget {
            pieces.push(&items[start..i]);
            (start, used) = (i, 0);
        }
        used += bytes;
    }
    if start < items.len() {
        pieces.push(&items[start..]);
    }
    pieces
}

/// A statement with `{1}`, `{2}`, ... where each engine wants its own placeholders.
pub struct HotQuery {
    template: &'static str,
    postgres: OnceLock<String>,
    sqlite: OnceLock<String>,
}

impl HotQuery {
    pub const fn new(template: &'static str) -> Self {
        Self {
            template,
            postgres: OnceLock::new(),
            sqlite: OnceLock::new(),
        }
    }

    /// The statement as `backend` takes it: `$1` on PostgreSQL, `?1` on SQLite.
    pub fn sql(&self, backend: DatabaseBackend) -> &str {
        let (cell, sigil) = match backend {
            DatabaseBackend::Postgres => (&self.postgres, "$"),
            _ => (&self.sqlite, "?"),
        };
        cell.get_or_init(|| {
            (1..=16).fold(self.template.to_owned(), |sql, n| {
                sql.replace(&format!("{{{n}}}"), &format!("{sigil}{n}"))
            })
        })
    }
}

/// `fetch!(fetch_all, hot, QUERY, arg, ...)`: the query's rows as tuples (or
/// `fetch_optional`: its first row), on a connection kept from the last hot statement or else
/// taken from the pool for it (sqlx's pool-level fetch copies a large future per query). A write
/// (`... RETURNING`) takes `fetch_all`: a statement outside a transaction commits when it runs to
/// its end, and `fetch_optional` stops after the first row and drops the error of a commit that
/// fails.
macro_rules! fetch {
    ($fetch:ident, $hot:expr, $query:expr $(, $arg:expr)* $(,)?) => {{
        use sea_orm::sqlx::{self, AssertSqlSafe};
        use sea_orm::DatabaseBackend;
        match $hot {
            $crate::sql::Hot::Postgres(kept) => {
                let sql = AssertSqlSafe($query.sql(DatabaseBackend::Postgres));
                kept.run(async |connection| {
                    sqlx::query_as(sql)$(.bind($arg))*.$fetch(&mut *connection).await
                })
                .await
            }
            $crate::sql::Hot::Sqlite(kept, ..) => {
                let sql = AssertSqlSafe($query.sql(DatabaseBackend::Sqlite));
                kept.run(async |connection| {
                    sqlx::query_as(sql)$(.bind($arg))*.$fetch(&mut *connection).await
                })
                .await
            }
        }
    }};
}
pub(crate) use fetch;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_engine_gets_its_placeholders() {
        let query = HotQuery::new("SELECT a FROM t WHERE b = {1} AND c >= {2} AND d < {2}");
        assert_eq!(
            query.sql(DatabaseBackend::Postgres),
            "SELECT a FROM t WHERE b = $1 AND c >= $2 AND d < $2"
        );
        assert_eq!(
            query.sql(DatabaseBackend::Sqlite),
            "SELECT a FROM t WHERE b = ?1 AND c >= ?2 AND d < ?2"
        );
        let ten = HotQuery::new("VALUES ({1}, {10})");
        assert_eq!(ten.sql(DatabaseBackend::Postgres), "VALUES ($1, $10)");
    }

    #[test]
    fn pieces_stay_within_the_budget_and_keep_every_item_in_order() {
        let sizes = [3, 4, 2, 9, 1, 1, 5];
        let split = pieces(&sizes, 7, |&n| n);
        assert_eq!(split, [&[3, 4][..], &[2], &[9], &[1, 1, 5]]);
        assert!(pieces(&[] as &[usize], 7, |&n| n).is_empty());
        assert_eq!(pieces(&[1, 1, 1], 7, |&n| n), [&[1, 1, 1][..]]);
    }
}
