//! SQLite's log copied back into the database file by a thread of its own, so that no commit
//! waits for the copy and its flush to disk.
//!
//! By default SQLite checkpoints inside the commit that takes its log past 1,000 pages: that
//! commit, and every tap waiting behind it, waits for the copy and an fsync of the database
//! file. Here a thread checkpoints every [`EVERY`] without blocking anyone (`PASSIVE`), and the
//! pool's connections checkpoint themselves only past [`LOG_PAGES_BEFORE_A_COMMIT_CHECKPOINTS`]
//! pages, should this thread fall behind or be gone.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::Duration;

/// How often the thread checkpoints.
pub const EVERY: Duration = Duration::from_millis(100);

/// The log's length, in pages, past which a commit checkpoints by itself (SQLite's
/// `wal_autocheckpoint`; its default is 1,000).
pub const LOG_PAGES_BEFORE_A_COMMIT_CHECKPOINTS: u32 = 16_384;

/// The size the log file is cut back to once it starts over (SQLite's `journal_size_limit`).
pub const LOG_BYTES_KEPT: u64 = 64 * 1024 * 1024;

/// The thread checkpointing one SQLite file; it stops when this is dropped.
#[derive(Debug)]
pub struct Checkpointer {
    _stop: SyncSender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database file at `path`.
    pub fn start(path: &Path) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::sync_channel(0);
        let file = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || {
                let mut connection = None;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if let Err(error) = checkpoint(&mut connection, &file) {
                        tracing::debug!(%error, "a checkpoint failed; the next one tries again");
                        connection = None;
                    }
                }
            })?;
        Ok(Self { _stop: stop })
    }
}

/// Copies what it can of the log into the database file, waiting for nobody, on `connection`
/// (opened first if there is none).
fn checkpoint(connection: &mut Option<Connection>, path: &Path) -> rusqlite::Result<()> {
    let connection = match connection {
        Some(connection) => connection,
        None => {
            let opened = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            opened.busy_timeout(Duration::ZERO)?;
            connection.insert(opened)
        }
    };
    connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Writes `pages` pages of rows in one commit that checkpoints nothing itself.
    fn write_pages(connection: &Connection, pages: i64) {
        connection
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
                 INSERT INTO t (b) SELECT zeroblob(3500) FROM n",
                [pages],
            )
            .unwrap();
    }

    fn file_len(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }

    #[test]
    fn the_log_reaches_the_database_file_without_a_commit_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; \
                 CREATE TABLE t (b BLOB);",
            )
            .unwrap();
        write_pages(&writer, 2_000);
        let before = file_len(&path);
        assert!(
            before < 1_000_000,
            "nothing is checkpointed yet: {before} bytes"
        );

        let checkpointer = Checkpointer::start(&path).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while file_len(&path) < 2_000 * 3_500 {
            assert!(
                Instant::now() < deadline,
                "the log stayed out of the database file: {} bytes",
                file_len(&path)
            );
            std::thread::sleep(EVERY);
        }
        drop(checkpointer);
        let reader = Connection::open(&path).unwrap();
        let rows: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 2_000);
    }
}
