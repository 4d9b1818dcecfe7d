//! SQLite's log on a server's database (SQLite only: PostgreSQL checkpoints by itself): commits
//! leave the copy into the database file to the checkpointing thread the hot statements start.

use ninepanels_persistence::Hot;
use ninepanels_persistence::testing::TestDb;
use sea_orm::ConnectionTrait;
use std::path::Path;
use std::time::{Duration, Instant};

/// Pages of about 3,500 bytes each written in one commit: past SQLite's own checkpoint threshold
/// (1,000 pages), under the server's.
const PAGES: u64 = 2_000;

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[tokio::test]
async fn what_commits_write_reaches_the_database_file_by_the_checkpointing_thread() {
    let db = TestDb::sqlite().await;
    let options = db.db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename().to_owned();
    db.db
        .execute_unprepared(&format!(
            "CREATE TABLE filler (b BLOB); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PAGES}) \
             INSERT INTO filler (b) SELECT zeroblob(3500) FROM n"
        ))
        .await
        .unwrap();
    assert!(
        file_len(&file) < PAGES * 3_500,
        "the commit copied its log into the file itself: {} bytes",
        file_len(&file)
    );

    let _hot = Hot::for_pool(&db.db);
    let deadline = Instant::now() + Duration::from_secs(10);
    while file_len(&file) < PAGES * 3_500 {
        assert!(
            Instant::now() < deadline,
            "the log stayed out of the database file: {} bytes",
            file_len(&file)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
