//! The hot statements' way to their database: connections kept between statements, and on
//! SQLite a file's own connections for short reads on the calling thread.

use super::HotQuery;
use super::inline::Inline;
use super::kept::Kept;
use rusqlite::{Params, Row};
use sea_orm::sqlx::{Postgres, Sqlite};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;

/// The kept connections of one database's pool, and on SQLite its inline reads (none for an
/// in-memory database).
#[derive(Debug, Clone)]
pub enum Hot {
    Postgres(Arc<Kept<Postgres>>),
    Sqlite(Arc<Kept<Sqlite>>, Option<Arc<Inline>>),
}

impl Hot {
    pub fn for_pool(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                Self::Postgres(Kept::new(db.get_postgres_connection_pool().clone()))
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                // Each runtime thread reads on at most one connection at a time.
                let threads = std::thread::available_parallelism().map_or(1, usize::from);
                let capacity = threads.max(pool.options().get_max_connections() as usize);
                let inline = Inline::for_file(pool.connect_options().get_filename(), capacity);
                Self::Sqlite(Kept::new(pool.clone()), inline.map(Arc::new))
            }
        }
    }

    /// Reads on the calling thread, where the database has them.
    pub fn inline(&self) -> Option<&Inline> {
        match self {
            Self::Sqlite(_, Some(inline)) => Some(inline),
            _ => None,
        }
    }

    /// The rows of `query` with the parameters `params` makes, read on the calling thread where
    /// the database has such reads and the read succeeds there; `None` tells the caller to run it
    /// through the pool.
    pub(crate) fn read_inline<T, P: Params>(
        &self,
        query: &HotQuery,
        params: impl FnOnce() -> P,
        read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Option<Vec<T>> {
        let inline = self.inline()?;
        inline.rows(query.sql(DatabaseBackend::Sqlite), params(), read)
    }

    /// How many connections are kept now.
    pub fn len(&self) -> usize {
        match self {
            Self::Postgres(kept) => kept.len(),
            Self::Sqlite(kept, _) => kept.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
