//! The hot statements' way to their database: connections kept between statements, and on
//! SQLite a file's own connections for short reads on the calling thread.

use super::HotQuery;
use super::checkpoint::Checkpointer;
use super::inline::Inline;
use super::kept::Kept;
use rusqlite::{Params, Row};
use sea_orm::sqlx::{Postgres, Sqlite};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;

/// The kept connections of one database's pool, and on SQLite its inline reads and the thread
/// checkpointing its log (none for an in-memory database).
#[derive(Debug, Clone)]
pub enum Hot {
    Postgres(Arc<Kept<Postgres>>),
    Sqlite(
        Arc<Kept<Sqlite>>,
        Option<Arc<Inline>>,
        Option<Arc<Checkpointer>>,
    ),
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
                let options = pool.connect_options();
                let file = options.get_filename();
                let inline = Inline::for_file(file, capacity);
                let checkpointer = inline.as_ref().and_then(|_| match Checkpointer::start(file) {
                    Ok(checkpointer) => Some(Arc::new(checkpointer)),
                    Err(error) => {
                        tracing::warn!(%error, "no checkpointing thread: commits checkpoint the log themselves");
                        None
                    }
                });
                Self::Sqlite(Kept::new(pool.clone()), inline.map(Arc::new), checkpointer)
            }
        }
    }

    /// Reads on the calling thread, where the database has them.
    pub fn inline(&self) -> Option<&Inline> {
        match self {
            Self::Sqlite(_, Some(inline), _) => Some(inline),
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
            Self::Sqlite(kept, ..) => kept.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
