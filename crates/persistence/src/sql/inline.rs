//! SQLite reads on the calling thread. sqlx runs every SQLite connection on a thread of its own
//! and wakes that thread, and then the caller, for each statement; on a read of a few rows the
//! two wake-ups cost more than the read. Short reads, bounded by what they show, run here
//! instead, on connections of their own that cannot write; a read that fails here runs again
//! through the pool, which reports the error.

use rusqlite::{Connection, OpenFlags, Params, Row};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Read-only connections to one SQLite file, used on the calling thread.
pub struct Inline {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    capacity: usize,
    /// Whether a failure was logged as a warning (the first one is; later ones at debug).
    warned: AtomicBool,
}

impl std::fmt::Debug for Inline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inline")
            .field("path", &self.path)
            .field("idle", &self.idle_count())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl Inline {
    /// Reads of the database file at `path`, keeping at most `capacity` connections between reads.
    /// Nothing is opened until the first read.
    pub fn new(path: impl Into<PathBuf>, capacity: usize) -> Self {
        Self {
            path: path.into(),
            idle: Mutex::new(Vec::with_capacity(capacity)),
            capacity: capacity.max(1),
            warned: AtomicBool::new(false),
        }
    }

    /// [`Inline::new`] for the database file a pool opened; none when `path` names no file (an
    /// in-memory database, which only its own connections can see).
    pub fn for_file(path: &Path, capacity: usize) -> Option<Self> {
        path.is_file().then(|| Self::new(path, capacity))
    }

    /// How many connections wait for the next read.
    pub fn idle_count(&self) -> usize {
        self.idle().len()
    }

    /// The rows of `sql`, each read by `read`; `None` when the read failed here (it is logged),
    /// for the caller to run it through the pool.
    pub fn rows<T>(
        &self,
        sql: &str,
        params: impl Params,
        read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Option<Vec<T>> {
        match self.try_rows(sql, params, read) {
            Ok(rows) => Some(rows),
            Err(error) => {
                if self.warned.swap(true, Ordering::Relaxed) {
                    tracing::debug!(%error, "a read on the calling thread failed; through the pool");
                } else {
                    tracing::warn!(%error, path = %self.path.display(), "a read on the calling thread failed; it and any later such failure go through the pool");
                }
                None
            }
        }
    }

    fn try_rows<T>(
        &self,
        sql: &str,
        params: impl Params,
        read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        let idle = self.idle().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open()?,
        };
        let rows = read_rows(&connection, sql, params, read)?;
        if connection.is_autocommit() {
            let mut idle = self.idle();
            if idle.len() < self.capacity {
                idle.push(connection);
            }
        }
        Ok(rows)
    }

    /// A connection that refuses to write and never waits for a lock: in WAL mode a reader waits
    /// only while another connection recovers the log, and then the pool's connections, which
    /// run on threads of their own, do the waiting.
    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::ZERO)?;
        connection.pragma_update(None, "query_only", true)?;
        Ok(connection)
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn read_rows<T>(
    connection: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, read)?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inline.db");
        let setup = Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER); \
                 INSERT INTO t VALUES (1), (2), (3);",
            )
            .unwrap();
        (dir, path)
    }

    fn numbers(inline: &Inline) -> Option<Vec<i64>> {
        inline.rows("SELECT n FROM t ORDER BY n", [], |row| row.get(0))
    }

    #[test]
    fn reads_and_keeps_its_connection() {
        let (_dir, path) = database();
        let inline = Inline::for_file(&path, 2).unwrap();
        assert_eq!(numbers(&inline), Some(vec![1, 2, 3]));
        assert_eq!(inline.idle_count(), 1);
        assert_eq!(numbers(&inline), Some(vec![1, 2, 3]));
        assert_eq!(inline.idle_count(), 1);
    }

    #[test]
    fn sees_what_others_committed() {
        let (_dir, path) = database();
        let inline = Inline::new(&path, 1);
        assert_eq!(numbers(&inline), Some(vec![1, 2, 3]));
        let writer = Connection::open(&path).unwrap();
        writer.execute("INSERT INTO t VALUES (4)", []).unwrap();
        assert_eq!(numbers(&inline), Some(vec![1, 2, 3, 4]));
    }

    #[test]
    fn cannot_write() {
        let (_dir, path) = database();
        let inline = Inline::new(&path, 1);
        let wrote = inline.rows("INSERT INTO t VALUES (9) RETURNING n", [], |row| {
            row.get::<_, i64>(0)
        });
        assert_eq!(wrote, None);
        assert_eq!(numbers(&inline), Some(vec![1, 2, 3]));
    }

    #[test]
    fn a_failed_read_answers_none_and_keeps_nothing() {
        let (_dir, path) = database();
        let inline = Inline::new(&path, 1);
        assert_eq!(
            inline.rows("SELECT nothing FROM t", [], |row| row.get::<_, i64>(0)),
            None
        );
        assert_eq!(inline.idle_count(), 0);
        let missing = Inline::new(path.with_file_name("missing.db"), 1);
        assert_eq!(numbers(&missing), None);
        assert!(!path.with_file_name("missing.db").exists());
    }

    #[test]
    fn no_file_no_inline_reads() {
        assert!(Inline::for_file(Path::new("file:sqlx-in-memory-0"), 1).is_none());
    }

    #[test]
    fn keeps_at_most_its_capacity() {
        let (_dir, path) = database();
        let inline = Inline::new(&path, 1);
        let held = [inline.open().unwrap(), inline.open().unwrap()];
        inline.idle().extend(held);
        assert_eq!(numbers(&inline), Some(vec![1, 2, 3]));
        assert_eq!(
            inline.idle_count(),
            1,
            "the one read on goes, not back over capacity"
        );
    }
}
