//! The attempt repository on both engines: counts per key in windows, restarted once a window
//! is over, shared by concurrent writers, cleared and pruned.

use crate::support::at;
use chrono::Duration;
use ninepanels_domain::ports::{AttemptRepository, JobRepository};
use ninepanels_persistence::testing::TestDb;
use ninepanels_persistence::{SqlAttempts, SqlJobs};

async fn attempts_count_per_key_until_the_window_is_over(db: &TestDb) {
    let attempts = SqlAttempts::new(db.db.clone());
    let window = Duration::seconds(60);
    let t0 = at(2026, 5, 1, 12, 0);
    for n in 0..3 {
        let now = t0 + Duration::seconds(n * 10);
        attempts
            .add(&["email:ada", "addr:1"], now, now - window)
            .await
            .unwrap();
    }
    let now = t0 + Duration::seconds(30);
    let mut counts = attempts
        .counts(&["email:ada", "addr:1", "email:bob"], now - window)
        .await
        .unwrap();
    counts.sort_by(|a, b| a.key.cmp(&b.key));
    let shape: Vec<(&str, u32)> = counts
        .iter()
        .map(|c| (c.key.as_str(), c.attempts))
        .collect();
    assert_eq!(shape, [("addr:1", 3), ("email:ada", 3)]);
    assert_eq!(
        counts[0].window_start, t0,
        "the window starts at the first attempt"
    );

    let later = t0 + Duration::seconds(75);
    assert!(
        attempts
            .counts(&["email:ada"], later - window)
            .await
            .unwrap()
            .is_empty(),
        "a window that is over is not counted"
    );
    attempts
        .add(&["email:ada"], later, later - window)
        .await
        .unwrap();
    let restarted = attempts
        .counts(&["email:ada"], later - window)
        .await
        .unwrap();
    assert_eq!(
        (restarted[0].attempts, restarted[0].window_start),
        (1, later)
    );

    attempts.clear("email:ada").await.unwrap();
    assert!(
        attempts
            .counts(&["email:ada"], later - window)
            .await
            .unwrap()
            .is_empty()
    );
    let pruned = SqlJobs::new(db.db.clone())
        .prune_attempts(later)
        .await
        .unwrap();
    assert_eq!(pruned, 1, "the address's old window is pruned");
}

async fn concurrent_attempts_are_all_counted(db: &TestDb) {
    let attempts = SqlAttempts::new(db.db.clone());
    let now = at(2026, 5, 1, 12, 0);
    let since = now - Duration::seconds(60);
    let writers = (0..8).map(|_| {
        let attempts = attempts.clone();
        tokio::spawn(async move { attempts.add(&["email:ada"], now, since).await })
    });
    for writer in writers {
        writer.await.unwrap().unwrap();
    }
    let counts = attempts.counts(&["email:ada"], since).await.unwrap();
    assert_eq!(counts[0].attempts, 8);
}

ninepanels_persistence::test_on_both_engines!(
    attempts_count_per_key_until_the_window_is_over,
    concurrent_attempts_are_all_counted,
);
